"""Large-store answers in pages, on a generated corpus (``benchmarks.corpus``, 60 documents)
ingested into a store on disk: page 1 is the first rows of the whole listing, page 2 continues it
with no gap or repeat, and the total is the whole count — for ``ask``, the obligations and
documents pages of the app, a matrix cell (kb, CLI and app); the comparison summary's counts are
the counts of the rows behind each line; a district's choice lists hold that district's names only.
Every expectation is read from the store (tallies, full listings), none is written here.
"""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kb import queries
from kb.paging import PAGE_SIZE
from tests.conftest import GENERATED_DOCS, summary_lines_checked

ROOT = Path(__file__).resolve().parent.parent
DOCS = GENERATED_DOCS


# --------------------------------------------------------------------------- the store


def rules_per_district(store) -> dict[str, int]:
    """Rules of each district, added up from the documents' rule tallies."""
    out: dict[str, int] = {}
    for r in queries.run(store, "rule_tallies").rows:
        out[str(r["district"])] = out.get(str(r["district"]), 0) + sum(e[-1] for e in json.loads(str(r["tally"])))
    return out


@pytest.fixture(scope="module")
def largest(big) -> str:
    """The district with the most rules: more than a page of them, or the test proves nothing."""
    counts = rules_per_district(big)
    district = max(counts, key=lambda d: (counts[d], d))
    assert counts[district] > PAGE_SIZE, counts
    return district


def assert_pages(whole: list, first: list, second: list, size: int = PAGE_SIZE) -> None:
    """``first`` and ``second`` are the listing's first two pages of ``size``: no gap, no repeat."""
    assert len(whole) > size, "the listing must hold more than a page"
    assert first == whole[:size]
    assert second == whole[size:2 * size] and second
    once = {k for k, n in Counter(map(repr, whole)).items() if n == 1}   # (documents may share a title)
    assert not set(map(repr, first)) & set(map(repr, second)) & once


# --------------------------------------------------------------------------- ask


@pytest.mark.parametrize("question", ["{d}有哪些义务？", "{d}的成员学校有哪些职责？"])
def test_ask_pages_continue_the_whole_answer(big, largest, question):
    from kb.ask import ask

    q = question.format(d=largest)
    whole = ask(big, q, size=None)
    one, two = ask(big, q, page=1), ask(big, q, page=2)
    rules = [rule for r in whole.results for rule in r.rules]
    if len(rules) <= PAGE_SIZE:
        pytest.skip(f"{q} has one page only")
    assert_pages(rules, [x for r in one.results for x in r.rules], [x for r in two.results for x in r.rules])
    assert one.page.total == two.page.total == whole.page.total == len(rules)
    assert (one.page.first, one.page.last, two.page.first) == (1, PAGE_SIZE, PAGE_SIZE + 1)
    if question.startswith("{d}有"):
        assert len(rules) == rules_per_district(big)[largest]


def test_ask_cli_prints_the_count(big_store_path, largest):
    from kb.cli import app as cli

    total = rules_per_district_of(big_store_path)[largest]
    result = CliRunner().invoke(cli, ["ask", f"{largest}有哪些义务？", "--store", str(big_store_path), "--page", "2",
                                         "--lang", "en"])
    assert f"showing {PAGE_SIZE + 1:,}–{min(2 * PAGE_SIZE, total):,} of {total:,}" in " ".join(result.output.split())


def rules_per_district_of(path: Path) -> dict[str, int]:
    from kb.store import open_store

    with open_store(str(path), read_only=True) as store:
        return rules_per_district(store)


# --------------------------------------------------------------------------- matrix


@pytest.fixture(scope="module")
def big_cell(big, largest):
    """The matrix of the largest district and its cell (or row: column None) with the most rules."""
    from kb.matrix import matrix

    m = matrix(big, district=largest)
    candidates = [(k, c) for k, _ in m.rows for c, _ in m.cols] + [(k, None) for k, _ in m.rows]
    row, col = max(candidates, key=lambda rc: (len(m.behind(*rc)) > PAGE_SIZE, rc[1] is not None,
                                               len(m.behind(*rc))))
    assert len(m.behind(row, col)) > PAGE_SIZE
    return m, row, col


def test_matrix_cell_pages(big_cell):
    m, row, col = big_cell
    whole = m.behind(row, col)
    one, two = m.cell_page(row, col), m.cell_page(row, col, page=2)
    assert_pages([e.ref for e in whole], [e.ref for e in one.rows], [e.ref for e in two.rows])
    assert one.total == two.total == len(whole) == len(m.cell_page(row, col, size=None).rows)
    # the cell is exactly the rules of that actor and category in the grid's counts
    counted = sum(len(es) for (_, r, c), es in m.entries.items() if r == row and (col is None or c == col))
    assert one.total == counted


def test_matrix_cli_pages_a_cell_and_the_sources(big_store_path, big_cell, largest):
    from kb.cli import app as cli

    m, row, col = big_cell
    total = len(m.behind(row, col))
    runner = CliRunner()
    cell = f"{row}:{col or '*'}"
    shown = runner.invoke(cli, ["matrix", "--store", str(big_store_path), "--district", largest, "--cell", cell,
                                "--page", "2"])
    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.output.split())
    assert f"showing {PAGE_SIZE + 1:,}–{min(2 * PAGE_SIZE, total):,} of {total:,}" in text
    refs = [e.ref for e in m.behind(row, col)][PAGE_SIZE:2 * PAGE_SIZE]
    assert all(f"[{ref}]" in text for ref in refs)
    table = runner.invoke(cli, ["matrix", "--store", str(big_store_path), "--district", largest])
    assert f"showing 1–{PAGE_SIZE} of {len(m.sources):,}" in " ".join(table.output.split())
    every = runner.invoke(cli, ["matrix", "--store", str(big_store_path), "--district", largest, "--format", "csv"])
    rows = list(csv.reader(io.StringIO(every.stdout_bytes.decode("utf-8-sig"))))
    assert rows and len({r for row_ in rows[1:] for r in row_[-1].split("\n") if r}) >= len(m.sources)


# --------------------------------------------------------------------------- comparison


def test_summary_counts_are_the_rows_behind_each_line(big):
    """For the two districts with most rules, every summary line's count, documents, groups and
    strongest frequency are those of :meth:`Comparison.details` for it."""
    from kb.compare import compare

    counts = rules_per_district(big)
    two = sorted(counts, key=lambda d: (-counts[d], d))[:2]
    assert summary_lines_checked(compare(big, [f"district:{d}" for d in two])) > 10


# --------------------------------------------------------------------------- choice lists


def district_groups(store, district: str) -> set[str]:
    return {str(r["group"]) for r in queries.run(store, "cmp_groups", district=district).rows}


def test_district_choices_hold_only_that_district(big, largest):
    from kb import obligations
    from kb.district_choices import district_choices
    from ontology import labels

    others = set(rules_per_district(big)) - {largest}
    choices = district_choices(big, largest)
    assert set(choices.groups) == district_groups(big, largest) != set()
    assert not set(choices.groups) & set().union(*(district_groups(big, d) for d in others))
    schools = {n for g in queries.run(big, "cmp_groups", district=largest).rows
               for n in str(g.get("leadNames") or "").split("、") if n}
    assert schools <= set(choices.schools)
    for actor in labels("actor"):   # offered exactly when the district has a rule binding the actor
        assert (actor in choices.actors) == bool(obligations.find(big, actor=actor, district=largest)), actor


# --------------------------------------------------------------------------- the app


pytest.importorskip("streamlit")


@pytest.fixture()
def big_env(big_store_path, monkeypatch) -> Path:
    monkeypatch.setenv("POLICYKB_STORE", str(big_store_path))
    return big_store_path


def new_app(**params):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    for key, value in params.items():
        at.query_params[key] = value
    return at


def ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def showing(at, first: int, last: int, total: int) -> bool:
    return any(f"显示第 {first:,}–{last:,} 条，共 {total:,} 条" in c.value for c in at.caption)


def downloaded(at, managers: list, key: str) -> list[list[str]]:
    proto = at.download_button(key=key).proto
    manager = managers[-1]
    url = manager.execute_deferred(proto.deferred_file_id) if proto.deferred_file_id else proto.url
    data = manager._storage.get_file(url.rsplit("/", 1)[-1]).content
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize("filters", [{}, {"actor": "member_school"}], ids=["every actor", "member schools"])
def test_obligations_page_pages_and_downloads_every_row(big_env, largest, media, filters):
    """The page is read on its own (kb.ask.rule_pages) and continues the whole listing the download
    holds, inherited rules (the member schools') after the direct ones in both."""
    at = ok(new_app(page="obligations", district=largest, **filters).run())
    first = at.dataframe(key="ob_table").value
    rows = downloaded(at, media, "ob_csv")[1:]   # the download holds every row, not the page
    total = len(rows)
    if not filters:
        assert total == rules_per_district_of(big_env)[largest]
    else:
        inherited = [r[list(first.columns).index("继承")] for r in rows]
        assert "True" in inherited and "False" in inherited and inherited == sorted(inherited)
    assert len(first) == PAGE_SIZE and showing(at, 1, PAGE_SIZE, total)
    columns = ["文件", "主体", "继承", "原文", "位置"]   # a clause may bind a school directly and inherited
    header = list(first.columns)
    whole = [tuple(r[header.index(c)] for c in columns) for r in rows]
    at.number_input(key="ob_page").set_value(2)
    second = ok(at.run()).dataframe(key="ob_table").value
    assert showing(at, PAGE_SIZE + 1, min(2 * PAGE_SIZE, total), total)
    assert_pages(whole, [tuple(r) for r in first[columns].astype(str).values.tolist()],
                 [tuple(r) for r in second[columns].astype(str).values.tolist()])
    at.selectbox(key="ob_actor").set_value("group")   # new filters: back to page 1
    assert ok(at.run()).number_input(key="ob_page").value == 1


def test_documents_page_pages(big_env, monkeypatch):
    """The documents table in pages (a page of 20 here, POLICYKB_PAGE_ROWS: the corpus has 60 documents)."""
    size = DOCS // 3
    monkeypatch.setenv("POLICYKB_PAGE_ROWS", str(size))
    whole = [r.get("sources") or "" for r in queries_rows(big_env, "documents")]
    at = ok(new_app(page="documents").run())
    first = list(at.dataframe(key="doc_table").value["源文件"])
    assert showing(at, 1, size, len(whole))
    at.number_input(key="doc_page").set_value(2)
    second = list(ok(at.run()).dataframe(key="doc_table").value["源文件"])
    assert_pages(whole, first, second, size)


def queries_rows(path: Path, name: str) -> list[dict]:
    from kb.store import open_store

    with open_store(str(path), read_only=True) as store:
        return [{k: str(v) for k, v in r.items()} for r in queries.run(store, name).rows]


@pytest.mark.parametrize("scoped", [True, False], ids=["district", "whole-store"])
def test_matrix_page_pages_the_rules_behind_a_cell(big_env, big, big_cell, largest, scoped):
    """The heat map (a district's counted from the rule tallies) holds the matrix's own counts; the
    rules behind a cell, in the answers' order, a page at a time — with a district chosen read a
    page at a time (kb.ask.rule_pages), the whole store's from the matrix."""
    from kb.matrix import matrix

    m, row, col = big_cell if scoped else (matrix(big), *big_cell[1:])
    at = ok((new_app(page="matrix", district=largest) if scoped else new_app(page="matrix")).run())
    table = at.dataframe(key="mx_table").value
    codes = list(table["code"])
    columns = [label for _, label in m.cols]
    counted = {(r, c): sum(len(es) for (_, r2, c2), es in m.entries.items() if (r2, c2) == (r, c))
               for r, _ in m.rows for c, _ in m.cols}
    assert codes == [r for r, _ in m.rows if any(counted[r, c] for c, _ in m.cols)]
    assert [[int(v) for v in table.loc[table["code"] == r, columns].iloc[0]] for r in codes] \
        == [[counted[r, c] for c, _ in m.cols] for r in codes]
    at.session_state["mx_table"] = {"selection": {"rows": [codes.index(row)], "columns": []}}
    ok(at.run())
    if col is not None:
        at.selectbox(key="mx_cell").set_value(col)
        ok(at.run())
    listed = [(e.obligation.sentence, f"{e.obligation.span[0]}–{e.obligation.span[1]}") for e in m.listed(row, col)]
    assert len(listed) == len(m.behind(row, col)) > PAGE_SIZE
    assert showing(at, 1, PAGE_SIZE, len(listed))
    [first] = [d.value for d in at.dataframe if "原文" in d.value.columns]
    at.number_input(key="mx_detail_page").set_value(2)
    ok(at.run())
    [second] = [d.value for d in at.dataframe if "原文" in d.value.columns]
    assert_pages(listed, list(zip(first["原文"], first["位置"])), list(zip(second["原文"], second["位置"])))


def test_group_choices_follow_the_district(big_env, big, largest):
    at = ok(new_app(page="obligations").run())
    everything = at.selectbox(key="ob_group").options
    at.multiselect(key="ob_district").set_value([largest])
    ok(at.run())
    offered = at.selectbox(key="ob_group").options   # as shown: 集团名（地区）
    assert 1 < len(offered) < len(everything) and set(offered) <= set(everything)
    assert len(offered) - 1 == len(district_groups(big, largest))
    assert all(label.endswith(f"（{largest}）") for label in offered[1:])


def test_ask_offers_the_documents_of_the_districts_asked_about(big_env, big, largest, monkeypatch):
    """On a large store the ask page's document filter lists the documents of the district the
    question names, not every document of the store; on a small one, every document."""
    from kb import queries

    every = {str(r["doc"]) for r in queries.run(big, "cmp_documents").rows}
    own = {str(r["doc"]) for r in queries.run(big, "cmp_documents", district=largest).rows}
    assert 0 < len(own) < len(every)
    for limit, wanted in ((1, own), (10 ** 6, every)):
        monkeypatch.setenv("POLICYKB_APP_SCOPE_DOCUMENTS", str(limit))
        at = ok(new_app(page="ask").run())
        at.text_input[0].set_value(f"{largest}有哪些义务？")
        ok(at.run())
        assert len(at.multiselect(key="ask_docs").options) == len(wanted)


# --------------------------------------------------------------------------- changes and compare on a large store


def documents_by_district(store) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in queries.run(store, "documents").rows:
        if r.get("district"):
            out.setdefault(str(r["district"]), []).append(str(r["graph"]))
    return out


def test_store_lists_of_groups_and_models_are_the_queries(big):
    """The app's lists of every group and model (from the name indexes) hold what the queries over
    the facts find: ``cmp_groups`` and a model scope per model."""
    from kb.district_choices import store_groups, store_models
    from kb.scopes import model_scope
    from ontology import labels

    rows = queries.run(big, "cmp_groups").rows
    assert {(str(r["group"]), str(r["doc"]), str(r["district"]), str(r.get("name") or "")) for r in rows} == \
        {(g["group"], g["doc"], g["district"] or "", g["name"] or "") for g in store_groups(big)}
    assert store_models(big) == [m for m in labels("model") if model_scope(big, m).docs] != []


def test_changes_asks_for_a_district_first_on_a_large_store(big_env, big, largest, monkeypatch):
    """Above POLICYKB_APP_SCOPE_DOCUMENTS documents the changes page lists one district's documents
    (by default the first district with a version chain) and follows the district chosen; a link
    naming only documents opens their district."""
    from kb.versions import chains

    monkeypatch.setenv("POLICYKB_APP_SCOPE_DOCUMENTS", str(DOCS - 1))
    own = documents_by_district(big)
    with_versions = sorted({v.district for c in chains(big) for v in c.versions if v.district})
    at = ok(new_app(page="changes").run())
    box = at.selectbox(key="chg_district")
    assert box.value == (with_versions[0] if with_versions else sorted(own)[0])
    assert box.options == sorted(own)
    at.selectbox(key="chg_district").set_value(largest)
    ok(at.run())
    offered = at.selectbox(key="chg_old").options   # as shown: 《title》（district）
    assert len(offered) == len(own[largest]) < DOCS and all(o.endswith(f"（{largest}）") for o in offered)
    assert at.selectbox(key="chg_old").value in own[largest] and at.query_params["district"] == largest
    linked = ok(new_app(page="changes", old=own[largest][-1]).run())
    assert linked.selectbox(key="chg_district").value == largest
    assert linked.selectbox(key="chg_old").value == own[largest][-1]


def test_compare_offers_only_the_groups_of_the_districts_picked(big_env, big, largest, monkeypatch):
    """On a large store the compare page offers every district and model but only the groups of the
    districts picked (as scopes or in cmp_group_district), and first compares two districts of the
    median size; a link naming a group keeps it."""
    from kb.district_choices import store_models

    monkeypatch.setenv("POLICYKB_APP_SCOPE_DOCUMENTS", str(DOCS - 1))
    own = documents_by_district(big)
    median = sorted(len(d) for d in own.values())[len(own) // 2]
    at = ok(new_app().run())   # a session that opens the page: a link to it would name its scopes
    ok(at.switch_page("webapp/pages/compare.py").run())
    chosen = at.multiselect(key="cmp_scopes").value
    assert chosen == [f"district:{d}" for d in sorted(sorted(own, key=lambda d: (abs(len(own[d]) - median), d))[:2])]

    def offered(kind: str) -> list[str]:
        return [o for o in at.multiselect(key="cmp_scopes").options if o.startswith(f"{kind} · ")]

    picked = [c.partition(":")[2] for c in chosen]
    assert len(offered("地区")) == len(own) and len(offered("模式")) == len(store_models(big))
    assert len(offered("集团")) == sum(len(district_groups(big, d)) for d in picked)
    at.selectbox(key="cmp_group_district").set_value(largest)
    ok(at.run())
    assert len(offered("集团")) == sum(len(district_groups(big, d)) for d in {*picked, largest})
    assert {o.rsplit("（", 1)[1] for o in offered("集团")} <= {f"{d}）" for d in {*picked, largest}}
    group = sorted(district_groups(big, largest))[0]
    other = next(d for d in sorted(own) if d != largest)
    linked = ok(new_app(page="compare", scope=[f"district:{other}", f"group:{group}"]).run())
    assert linked.multiselect(key="cmp_scopes").value == [f"district:{other}", f"group:{group}"]
    assert linked.query_params["scope"] == [f"district:{other}", f"group:{group}"]


def test_a_large_store_offers_groups_once_a_district_is_chosen(big_env, big, largest, monkeypatch):
    """Above the scope setting, the group box lists no group of the whole store until a district
    is chosen, then that district's groups."""
    monkeypatch.setenv("POLICYKB_APP_SCOPE_DOCUMENTS", "1")
    at = ok(new_app(page="obligations").run())
    assert len(at.selectbox(key="ob_group").options) == 1          # (any)
    at.multiselect(key="ob_district").set_value([largest])
    ok(at.run())
    assert len(at.selectbox(key="ob_group").options) - 1 == len(district_groups(big, largest)) > 0


def test_graph_page_lists_its_nodes_a_page_at_a_time(big_env, big, largest):
    """The largest district's graph holds more nodes than a page: the table lists them 200 at a
    time, in the graph's order, and new filters start again at page 1."""
    from kb.graphview import graph_view

    whole = [(n.get("label") or "", n.get("sentence") or "") for n in graph_view(big, district=largest).to_dict()["nodes"]]
    at = ok(new_app(page="graph", district=largest).run())
    assert showing(at, 1, PAGE_SIZE, len(whole))
    first = at.dataframe(key="gr_nodes").value
    at.number_input(key="gr_nodes_page").set_value(2)
    second = ok(at.run()).dataframe(key="gr_nodes").value
    assert showing(at, PAGE_SIZE + 1, min(2 * PAGE_SIZE, len(whole)), len(whole))
    assert_pages(whole, list(zip(first["名称"], first["原文"])), list(zip(second["名称"], second["原文"])))
    at.toggle(key="gr_constraints").set_value(False)
    assert ok(at.run()).number_input(key="gr_nodes_page").value == 1


def test_graph_page_builds_a_graph_of_many_documents_only_when_asked(big_env, big, largest, monkeypatch):
    """A district of more documents than POLICYKB_APP_SCOPE_DOCUMENTS gets a warning and a toggle,
    not a graph; asked, the graph is built; a smaller district's graph is built at once."""
    from kb.graphview import graph_view

    sizes = {d: len(docs) for d, docs in documents_by_district(big).items()}
    limit = sizes[largest] - 1
    smaller = next(d for d, n in sorted(sizes.items()) if n <= limit)
    monkeypatch.setenv("POLICYKB_APP_SCOPE_DOCUMENTS", str(limit))
    at = ok(new_app(page="graph", district=largest).run())
    assert any(f"{sizes[largest]} 份文件" in w.value for w in at.warning)
    assert not at.get("iframe") and not at.dataframe
    at.toggle(key="gr_all").set_value(True)
    ok(at.run())
    assert showing(at, 1, PAGE_SIZE, len(graph_view(big, district=largest).nodes))
    at = ok(new_app(page="graph", district=smaller).run())
    assert not any("份文件" in w.value for w in at.warning) and len(at.dataframe(key="gr_nodes").value)
