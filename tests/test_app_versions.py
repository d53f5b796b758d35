"""The app's version views through AppTest: what changed between two versions (the two texts side
by side with the changes marked), what a district lacks, and the sidebar's "as of" date — in
Chinese and English, against a real store holding source_docs/ and the revised copy of the
田家庵区 draft (tests/fixtures/versions/)."""
from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest

from tests.conftest import ingested_store
from tests.test_app import download, html_of, ok as app_ok

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
REVISED = ROOT / "tests" / "fixtures" / "versions" / "tianjiaan-district-groups.txt"
TIMEOUT = 120


@pytest.fixture(scope="module")
def versions_store(tmp_path_factory) -> Path:
    return ingested_store(tmp_path_factory.mktemp("app-versions") / "kb", ROOT / "source_docs", REVISED)


@pytest.fixture()
def store_env(versions_store, monkeypatch) -> Path:
    monkeypatch.setenv("POLICYKB_STORE", str(versions_store))
    return versions_store


@pytest.fixture(scope="module")
def expected(versions_store):
    """The diff and gaps the pages must show, computed by kb/ directly."""
    from kb import diff, gaps, versions
    from kb.store import open_store

    with open_store(str(versions_store), read_only=True) as store:
        chain = versions.chains(store)[0]
        old, new = chain.versions[-2], chain.versions[-1]
        changes = diff.diff_documents(store, [old.doc], [new.doc])
        lacking = gaps.gaps(store, "田家庵区")
        strict = gaps.gaps(store, "田家庵区", min_peers=len(lacking.against))
        return {"old": old, "new": new, "diff": changes, "gaps": lacking, "strict": strict}


def ok(at: AppTest) -> AppTest:
    """:func:`tests.test_app.ok`, and no error box either."""
    assert not at.error, [e.value for e in at.error]
    return app_ok(at)


def open_page(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["page"] = page
    for key, value in params.items():
        at.query_params[key] = value
    return ok(at.run())


@pytest.mark.parametrize("lang, title, change", [("zh", "版本变化", "变更"), ("en", "What changed", "changed")])
def test_changes_shows_the_newest_chain_side_by_side(store_env, expected, media, lang, title, change):
    at = open_page("changes", **({"lang": "en"} if lang == "en" else {}))
    assert at.title[0].value == title
    assert at.selectbox(key="chg_old").value == expected["old"].doc
    assert at.selectbox(key="chg_new").value == expected["new"].doc
    table = at.dataframe[0].value
    kinds = list(table.iloc[:, 0])
    summary = expected["diff"].summary()
    assert kinds.count(change) == summary["changed"] and len(kinds) == len(expected["diff"].changed())
    body = html_of(at)
    for c in expected["diff"].changed():
        for source in (c.old_source, c.new_source):
            if source is not None:
                assert source.sentence in body
    assert body.count('<mark class="changed"') >= 2 * summary["changed"]
    assert '<mark class="removed"' in body and '<mark class="added"' in body and '<mark class="reworded"' in body
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(download(at, media, "chg_xlsx")))
    assert wb.worksheets[0].max_row == 1 + len(expected["diff"].table(unchanged=False))
    data = json.loads(download(at, media, "chg_json"))
    assert data["summary"] == summary
    # unchanged duties on demand
    at.toggle(key="chg_unchanged").set_value(True)
    ok(at.run())
    assert len(at.dataframe[0].value) == len(expected["diff"].rules)
    assert at.query_params["unchanged"] == "1"


def test_changes_of_the_same_document_asks_for_two(store_env, expected):
    at = open_page("changes")
    at.selectbox(key="chg_new").set_value(expected["old"].doc)
    ok(at.run())
    assert any("两份不同" in i.value for i in at.info)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_gaps_lists_duties_with_the_peers_sentences(store_env, expected, media, lang):
    at = open_page("gaps", district="田家庵区", **({"lang": "en"} if lang == "en" else {}))
    assert at.title[0].value == ("本地区缺少的义务" if lang == "zh" else "Duties a district lacks")
    assert at.selectbox(key="gap_district").value == "田家庵区"
    result = expected["gaps"]
    assert sorted(at.multiselect(key="gap_peers").value) == sorted(result.against)
    table = at.dataframe[0].value
    assert len(table) == len(result.gaps)
    assert list(table.iloc[:, 3]) == [f"{g.count}/{g.total}" for g in result.gaps]
    shown = "\n".join(m.value for m in at.markdown)
    for ob in result.gaps[0].sources:
        assert ob.sentence[:10] in shown.replace("\\", "")
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(download(at, media, "gap_xlsx")))
    assert wb.worksheets[0].max_row == 1 + len(result.gaps)
    at.number_input(key="gap_min").set_value(len(result.against))
    ok(at.run())
    strict = expected["strict"].gaps
    assert len(at.dataframe) == (1 if strict else 0) and (strict or at.success)
    if strict:
        assert len(at.dataframe[0].value) == len(strict)


def test_the_sidebar_as_of_date_selects_the_versions_in_force(store_env, versions_store):
    from kb.matrix import matrix
    from kb.scopes import concept_label
    from kb.store import open_store

    def cell(frame, actor: str, category: str) -> int:
        row = frame.loc[concept_label("actor", actor)] if concept_label("actor", actor) in frame.index else None
        return 0 if row is None else int(row[concept_label("category", category)])

    with open_store(str(versions_store), read_only=True) as store:
        counts = {as_of: len(matrix(store, district="田家庵区", as_of=as_of).cell("group_council", "governance"))
                  for as_of in (None, "2024-01-01")}
    assert counts[None] == counts["2024-01-01"] + 1        # the revision gave 理事会 a duty of 牵头校
    at = open_page("matrix", district="田家庵区")
    assert cell(at.dataframe(key="mx_table").value, "group_council", "governance") == counts[None]
    at.date_input(key="as_of").set_value(datetime.date(2024, 1, 1))
    ok(at.run())
    assert cell(at.dataframe(key="mx_table").value, "group_council", "governance") == counts["2024-01-01"]


def test_a_matrix_row_lists_the_rules_of_the_versions_in_force(store_env, versions_store):
    """A selected row's rules follow the as-of date like its counts: the draft's on 2024-01-01,
    the revision's without a date."""
    from kb.matrix import matrix
    from kb.store import open_store

    with open_store(str(versions_store), read_only=True) as store:
        sentences = {as_of: sorted(e.obligation.sentence for e in matrix(store, district="田家庵区", as_of=as_of)
                                   .behind("group_council")) for as_of in (None, "2024-01-01")}
    assert sentences[None] != sentences["2024-01-01"]
    at = open_page("matrix", district="田家庵区")
    for as_of in (None, "2024-01-01"):
        if as_of:
            at.date_input(key="as_of").set_value(datetime.date.fromisoformat(as_of))
            ok(at.run())
        codes = list(at.dataframe(key="mx_table").value["code"])
        at.session_state["mx_table"] = {"selection": {"rows": [codes.index("group_council")], "columns": []}}
        ok(at.run())
        [detail] = [d.value for d in at.dataframe if "原文" in d.value.columns]
        assert sorted(detail["原文"]) == sentences[as_of]
