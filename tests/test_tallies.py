"""Rule counts from the per-document tallies agree with the rules themselves, for every pair of
dimensions and every filter; a tally out of step with its rules is reported by validation."""
from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from itertools import permutations
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kb.errors import InterpretationError
from kb.matrix import DIMENSIONS, matrix
from kb.tallies import counts

ROOT = Path(__file__).resolve().parents[1]
ZHANGYE = ROOT / "source_docs" / "zhangye-zhongxue-group-2024.txt"


def counted_from_rules(m) -> Counter:
    return Counter({key: len(entries) for key, entries in m.entries.items()})


@pytest.mark.parametrize("rows,cols", list(permutations(DIMENSIONS, 2)))
def test_tallies_count_exactly_the_rules_of_every_cell(store, rows, cols):
    tally = counts(store, rows=rows, cols=cols)
    assert tally.counts == counted_from_rules(matrix(store, rows=rows, cols=cols))
    assert tally.documents == len(store.graphs())
    assert [k for k, _ in tally.rows] == [k for k, _ in matrix(store, rows=rows, cols=cols).rows]


@pytest.mark.parametrize("filters", [{"district": "张掖"}, {"district": "田家庵区", "modality": "禁止"},
                                     {"model": "联盟型"}, {"modality": "encouragement"},
                                     {"group": "张掖中学教育集团"}])
def test_filters_choose_the_same_rules_as_the_matrix(store, filters):
    tally = counts(store, rows="actor", cols="period", **filters)
    m = matrix(store, rows="actor", cols="period", **filters)
    assert tally.counts == counted_from_rules(m)
    assert tally.total == len(m.sources) > 0


def test_all_district_totals_add_up(store):
    tally = counts(store, rows="district", cols="modality")
    header, rows = tally.grid()
    assert header[0].startswith("地区") and header[-1].startswith("合计")
    assert sum(row[-1] for row in rows) == tally.total == sum(tally.counts.values())
    assert {row[0] for row in rows} == set(tally.districts)


def test_all_district_counts_are_saved_for_the_next_process(store, monkeypatch):
    """A second process (here: the in-memory values dropped) reads the saved counts instead of
    every document's tally, and counts the same."""
    from kb import queries
    from kb.store import view_cache

    first = counts(store, rows="district", cols="category")
    assert any(p.name.startswith("rule-entries@") for p in (store.path / "cache").iterdir())
    view_cache.forget()
    run = queries.run
    monkeypatch.setattr(queries, "run", lambda s, name, **kw: pytest.fail("read every tally again")
                        if name == "rule_tallies" else run(s, name, **kw))
    again = counts(store, rows="district", cols="category")
    assert (again.counts, again.documents) == (first.counts, first.documents)
    assert counts(store, rows="actor", cols="period", modality="禁止").total == \
        sum(1 for ob in matrix(store, rows="actor", cols="period", modality="禁止").sources)


def test_packed_tallies_hold_every_entry_and_serve_a_second_process(store, monkeypatch):
    """Every document's tally, packed once per store view, holds exactly the entries of its
    ``pkb:ruleTally``; a second process reads the saved copy, and a page of answers, the counts
    and the gaps then read no tally from the store and answer the same."""
    from kb import gaps, queries, rule_tallies
    from kb.ask import ask
    from kb.store import view_cache

    rows = queries.run(store, "rule_tallies").rows
    packed = rule_tallies.every(store)
    assert set(packed.documents) == {str(r["doc"]) for r in rows}
    for row in rows:
        doc = str(row["doc"])
        assert [(*packed.keys[k], n) for k, n in packed.entries(doc)] == \
            [tuple(entry) for entry in json.loads(str(row["tally"]))]
        assert packed.district(doc) == str(row["district"])
    assert any(p.name.startswith("rule-tallies@") for p in (store.path / "cache").iterdir())

    question = "田家庵区的成员校有哪些义务？"
    first, first_gaps = ask(store, question), gaps.gaps(store, "田家庵区")
    assert first.total
    view_cache.forget()
    run = queries.run
    monkeypatch.setattr(queries, "run", lambda s, name, **kw: pytest.fail("read the tallies again")
                        if name == "rule_tallies" else run(s, name, **kw))
    again = ask(store, question)
    assert (again.total, [r.to_dict() for r in again.results]) == (first.total, [r.to_dict() for r in first.results])
    assert gaps.gaps(store, "田家庵区").to_dict() == first_gaps.to_dict()
    assert counts(store, rows="district", cols="category", district="田家庵区").total == \
        sum(1 for _ in matrix(store, rows="district", cols="category", district="田家庵区").sources)


def test_bad_dimensions_and_empty_scopes(store):
    with pytest.raises(InterpretationError) as err:
        counts(store, rows="actor", cols="obligation")
    assert err.value.code == "PKB-MATRIX-DIMENSION"
    with pytest.raises(InterpretationError):
        counts(store, district="没有这个区")


def test_cli_counts_in_every_format(store_path, tmp_path):
    from kb.cli import app

    runner = CliRunner()
    base = ["matrix", "--store", str(store_path), "--counts", "--rows", "district", "--cols", "category"]
    table = runner.invoke(app, base, env={"COLUMNS": "250"})
    assert table.exit_code == 0, table.output
    assert "5 个地区 districts" in table.output and "合计 total" in table.output
    data = json.loads(runner.invoke(app, [*base, "--format", "json"]).output)
    assert data["documents"] == 5 and data["total"] == sum(c["count"] for c in data["cells"])
    text = runner.invoke(app, [*base, "--format", "csv"]).stdout_bytes
    assert text.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert sum(int(r[-1]) for r in rows[1:]) == data["total"]
    out = tmp_path / "counts.xlsx"
    assert runner.invoke(app, [*base, "--format", "xlsx", "--out", str(out)]).exit_code == 0
    book = load_workbook(out)
    assert book.sheetnames[0].startswith("汇总") and len(book.sheetnames) == 6


def test_validation_reports_a_tally_out_of_step_with_its_rules(tmp_path):
    from ingest.runner import ingest
    from kb.store import open_store
    from kb.validate import validate_store

    with open_store(str(tmp_path / "kb")) as store:
        ingest(store, [str(ZHANGYE)], workers=1)
        [graph] = store.graphs()
        assert validate_store(store).conforms
        nquads = store.export("nquads", graph).decode("utf-8")
        lines = nquads.splitlines(keepends=True)
        i = next(i for i, line in enumerate(lines) if "#ruleTally>" in line)
        lines[i] = re.sub(r",(\d+)\]", lambda m: f",{int(m[1]) + 1}]", lines[i], count=1)  # one count +1
        tampered = "".join(lines)
        assert tampered != nquads
        store._replace_graph(graph, tampered.encode("utf-8"))
        report = validate_store(store)
    assert not report.conforms
    assert any("ruleTally" in issue.message and issue.focus == graph for issue in report.issues)
