"""Obligation matrices over the five source documents, on a real store: cells, filters that do
not leak, and the CSV (BOM), XLSX (sheets, frozen header, wrapping) and JSON exports."""
from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kb import obligations
from kb.errors import InterpretationError
from kb.matrix import DIRECT, INHERITED, matrix

ROOT = Path(__file__).resolve().parents[1]
DISTRICTS = ["临县", "宝塔区", "张掖市", "漯河市", "田家庵区"]
ZHANGYE_MEETING = "集团联席会议由集团牵头校校长召集,每月至少召开1次"




@pytest.fixture(scope="module")
def whole(store):
    return matrix(store)


def test_cells_hold_frequencies_and_sources(store):
    m = matrix(store, district="张掖市")
    cell = m.cell("group_head", "meeting")
    monthly = [e for e in cell if e.obligation.frequency_text == "每月≥1次"]
    assert monthly and monthly[0].obligation.sentence.startswith(ZHANGYE_MEETING)
    assert "每月≥1次" in m.cell_text("group_head", "meeting")
    assert m.sources[monthly[0].ref - 1].rule == monthly[0].obligation.rule
    assert ZHANGYE_MEETING in m.source_text(monthly[0].ref)
    tianjiaan = matrix(store, district="田家庵")
    assert "每月1次" in tianjiaan.cell_text("group_head", "meeting")


def test_district_filter_does_not_leak(store):
    for district in DISTRICTS:
        m = matrix(store, district=district)
        assert m.districts == [district]
        assert {ob.district for ob in m.sources} == {district}
        assert {ob.rule for ob in m.sources} == {ob.rule for ob in obligations.find(store, district=district)}
        # every rule sits in exactly one cell
        assert sorted(e.ref for es in m.entries.values() for e in es) == list(range(1, len(m.sources) + 1))


def test_group_model_and_modality_filters(store):
    group = matrix(store, group="张掖中学教育集团")
    assert {ob.district for ob in group.sources} == {"张掖市"}
    alliance = matrix(store, model="联盟型")
    assert alliance.districts == ["张掖市", "田家庵区"]
    both = matrix(store, district="张掖市", model="alliance")
    assert both.districts == ["张掖市"]
    prohibitions = matrix(store, modality="禁止")
    assert {ob.modality for ob in prohibitions.sources} == {"prohibition"}
    assert any("不得随意变动学生的就读学校" in ob.sentence for ob in prohibitions.sources)
    assert "宝塔区" not in prohibitions.districts


def test_whole_matrix_covers_every_district(store, whole):
    assert whole.districts == DISTRICTS
    assert len(whole.sources) == len(obligations.find(store))
    assert [k for k, _ in whole.rows][0] == "education_authority"        # vocabulary order
    assert ("meeting", "会议") in whole.cols


def test_other_dimensions(store):
    m = matrix(store, rows="district", cols="modality")
    assert [k for k, _ in m.rows] == DISTRICTS
    assert len(m.cell("田家庵区", "prohibition")) == 1
    periods = matrix(store, rows="period", cols="category", district="张掖市")
    assert "每月≥1次" in periods.cell_text("month", "meeting")
    with pytest.raises(InterpretationError) as err:
        matrix(store, rows="actor", cols="actor")
    assert err.value.code == "PKB-MATRIX-DIMENSION"


def test_obligation_columns_mark_inheritance(store):
    m = matrix(store, cols="obligation", district="张掖市")
    group_rule = next(ob for ob in m.sources if ob.actor == "group")
    head_rule = next(ob for ob in m.sources if ob.actor == "group_head" and ob.frequency)
    assert m.cell_text("group", group_rule.rule) == DIRECT
    assert m.cell_text("member_school", group_rule.rule) == INHERITED      # the group binds each member
    assert m.cell_text("group_council", head_rule.rule) == f"{DIRECT} 每月≥1次"  # a narrower actor's rule
    assert m.cell_text("member_school", head_rule.rule) == ""               # not the member school's
    assert len(m.cols) == len(m.sources)


@pytest.mark.parametrize("cols", ["category", "obligation"])
def test_a_district_of_many_documents_reads_them_bound_together_in_its_order(big, monkeypatch, cols):
    """A district's documents are bound a few per query; the matrix is the one of reading them one
    by one (the same sources, cells and cell order)."""
    docs = defaultdict(set)
    for ob in obligations.find(big):
        docs[ob.district].add(ob.doc)
    district = max((d for d in docs if d), key=lambda d: (len(docs[d]), d))
    assert len(docs[district]) >= 3, docs
    built = {}
    for step in (1, 2, 50):
        monkeypatch.setattr(obligations, "PER_DOCUMENT", step)
        built[step] = matrix(big, cols=cols, district=district).to_dict()
    assert built[2] == built[1] and built[50] == built[1]     # cells in order too: a list


# ----------------------------------------------------------------------------- exports


def test_csv_has_bom_and_a_source_column(store):
    raw = matrix(store, district="张掖市").to_csv()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:2] == ["地区 district", "主体 actor"] and header[-1] == "来源 sources"
    assert {r[0] for r in rows[1:]} == {"张掖市"}
    head = next(r for r in rows if r[1] == "集团负责人")
    assert "每月≥1次" in head[header.index("会议")]
    assert ZHANGYE_MEETING in head[-1] and "张掖中学集团化办学工作方案" in head[-1]


def test_xlsx_has_a_sheet_per_district_and_a_summary(whole):
    wb = load_workbook(io.BytesIO(whole.to_xlsx()))
    assert wb.sheetnames == ["汇总 Summary", *DISTRICTS, "来源 Sources"]
    for name in DISTRICTS:
        ws = wb[name]
        header = [c.value for c in ws[1]]
        assert header[0] == "主体 actor" and header[-1] == "来源 sources"
        assert ws.freeze_panes == "B2"
        assert all(c.font.bold for c in ws[1])
        assert ws["B2"].alignment.wrap_text
        assert all(ws.column_dimensions[c.column_letter].width >= 8 for c in ws[1])
    zhangye = wb["张掖市"]
    header = [c.value for c in zhangye[1]]
    head = next(r for r in zhangye.iter_rows(min_row=2, values_only=True) if r[0] == "集团负责人")
    assert "每月≥1次" in head[header.index("会议")]
    assert ZHANGYE_MEETING in head[-1]
    summary = wb["汇总 Summary"]
    assert summary.freeze_panes == "B2" and summary["A1"].font.bold
    s_header = [c.value for c in summary[1]]
    s_head = next(r for r in summary.iter_rows(min_row=2, values_only=True) if r[0] == "集团负责人")
    assert s_head[s_header.index("会议")] == len(whole.cell("group_head", "meeting"))
    sources = wb["来源 Sources"]
    assert sources.max_row == len(whole.sources) + 1


def test_json_round_trips(whole):
    data = json.loads(json.dumps(whole.to_dict(), ensure_ascii=False))
    assert data["districts"] == DISTRICTS
    assert len(data["sources"]) == len(whole.sources)
    cell = next(c for c in data["cells"] if c["district"] == "张掖市" and c["row"] == "group_head"
                and c["col"] == "meeting")
    assert "每月≥1次" in cell["text"]
    refs = {e["ref"] for e in cell["entries"]}
    assert all(data["sources"][r - 1]["district"] == "张掖市" for r in refs)


# ----------------------------------------------------------------------------- CLI


def run_cli(*args):
    from kb.cli import app

    return CliRunner().invoke(app, list(args))


def test_cli_matrix(store_path, tmp_path):
    csv_out = run_cli("matrix", "--district", "张掖", "--format", "csv", "--store", str(store_path))
    assert csv_out.exit_code == 0, csv_out.output
    assert csv_out.stdout_bytes.startswith(b"\xef\xbb\xbf")
    js = run_cli("matrix", "--district", "田家庵区", "--format", "json", "--store", str(store_path))
    assert json.loads(js.stdout)["districts"] == ["田家庵区"]
    out = tmp_path / "m.xlsx"
    ok = run_cli("matrix", "--format", "xlsx", "--out", str(out), "--store", str(store_path))
    assert ok.exit_code == 0 and "张掖市" in load_workbook(out).sheetnames
    table = run_cli("matrix", "--district", "张掖市", "--store", str(store_path))
    assert table.exit_code == 0 and "[1]" in table.stdout
    assert run_cli("matrix", "--format", "xlsx", "--store", str(store_path)).exit_code == 2
    bad = run_cli("matrix", "--modality", "xyz", "--store", str(store_path))
    assert bad.exit_code == 2 and "PKB-SCOPE-CONCEPT" in bad.output
    assert run_cli("matrix", "--format", "pdf", "--store", str(store_path)).exit_code == 2
