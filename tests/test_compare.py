"""Comparison of districts, groups and models over the five source documents, on a real store.

Expected values come from reading source_docs/: 张掖中学集团化办学工作方案 (张掖市) holds its
联席会议 "每月至少召开1次" and five 不变 constraints; the 田家庵区 draft has "每月由理事长组织召开一次
工作例会", "每学年开学前…会商", 理事长由牵头校校长担任 and 不得随意变动学生的就读学校.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kb import queries
from kb.compare import DIMENSION_KEYS, DIMENSIONS, compare, diff_items
from kb.errors import InterpretationError
from kb.scopes import resolve
from kb.store import IRI

ROOT = Path(__file__).resolve().parents[1]

ZHANGYE_MEETING = ("集团联席会议由集团牵头校校长召集,每月至少召开1次,遇特殊情况可随时召开,"
                   "统筹安排集团内教育资源和教育教学活动,组织协调集团各项工作推进落实。")
TIANJIAAN_MONTHLY = "每月由理事长组织召开一次工作例会,研究商讨集团教育教学、教研等工作,确保集团高效有序运行,各项工作落到实处。"
TIANJIAAN_YEARLY = "每学年开学前,理事长负责召集集团成员校进行会商,研究制定学年度集团工作目标和计划,于开学前报区教体局备案。"
ZHANGYE_UNCHANGED = {"legal_person_unchanged", "affiliation_unchanged", "finance_unchanged",
                     "assets_unchanged", "personnel_unchanged"}




@pytest.fixture(scope="module")
def zt(store):
    return compare(store, ["张掖市", "田家庵区"])


def sentences(items) -> list[str]:
    return [i.citation.sentence for i in items if i.citation]


def cites(sentence: str, items) -> bool:
    """Some item cites a clause of ``sentence`` (a rule cites the clause that states it)."""
    return any(quote and quote in sentence for quote in sentences(items))


# ----------------------------------------------------------------------------- scopes


@pytest.mark.parametrize("name, kind, label", [
    ("张掖市", "district", "张掖市"), ("张掖", "district", "张掖市"), ("田家庵", "district", "田家庵区"),
    ("寶塔區", "district", "宝塔区"), ("district:临县", "district", "临县"),
    ("张掖中学教育集团", "group", "张掖中学教育集团"), ("张掖中学集团", "group", "张掖中学教育集团"),
    ("联盟型", "model", "联盟型 (alliance)"), ("alliance", "model", "联盟型 (alliance)"),
    ("松散型", "model", "联盟型 (alliance)"),
])
def test_scope_names_resolve(store, name, kind, label):
    scope = resolve(store, name)
    assert (scope.kind, scope.label) == (kind, label)
    assert scope.docs


def test_model_scope_covers_documents_naming_the_model(store):
    scope = resolve(store, "联盟型")
    assert set(scope.districts) == {"张掖市", "田家庵区"}   # 张掖: 以联盟型模式组建; 田家庵: 探索联盟型
    assert len(scope.groups) == 1                          # only 张掖中学教育集团 is itself an alliance


def test_unknown_scope_names_the_known_ones(store):
    with pytest.raises(InterpretationError) as err:
        resolve(store, "北京市")
    assert err.value.code == "PKB-SCOPE-UNKNOWN"
    assert "张掖市" in err.value.hint and "alliance" in err.value.hint


# ----------------------------------------------------------------------------- the aligned table


def test_every_dimension_has_one_cell_per_scope(zt):
    assert [s.label for s in zt.scopes] == ["张掖市", "田家庵区"]
    assert list(zt.cells) == list(DIMENSION_KEYS)
    assert all(len(cells) == 2 for cells in zt.cells.values())


def test_each_column_summarises_its_own_district(store, zt):
    """Every column's summary lines are those of its district alone, on every dimension and category."""
    from kb.compare import district_summary

    for i, district in enumerate(("张掖市", "田家庵区")):
        own = district_summary(store, district)
        for key, columns in zt.summary.items():
            assert len(columns) == 2, key
            assert [line.text() for line in columns[i]] == [line.text() for line in own.get(key, [])], (district, key)


def test_meeting_cadences_side_by_side_with_sources(store, zt):
    zhangye, tianjiaan = zt.cell("meeting", "张掖市"), zt.cell("meeting", "田家庵区")
    assert cites(ZHANGYE_MEETING, zhangye)
    assert cites(TIANJIAAN_MONTHLY, tianjiaan)
    assert cites(TIANJIAAN_YEARLY, tianjiaan)
    monthly_zy = [i for i in zhangye if i.citation.sentence in ZHANGYE_MEETING and i.extra["frequency"]]
    assert monthly_zy[0].extra["frequency_text"] == "每月≥1次"
    assert monthly_zy[0].extra["actor"] == "group_head"
    monthly_tj = [i for i in tianjiaan if i.citation.sentence in TIANJIAAN_MONTHLY and i.extra["frequency"]]
    assert monthly_tj[0].extra["frequency_text"] == "每月1次"
    for item in zhangye + tianjiaan:   # every citation is the document's text at its offsets
        c = item.citation
        text = queries.run(store, "document_metadata", doc=IRI(c.doc)).rows[0]["text"]
        assert text[c.span[0]:c.span[1]] == c.sentence
        assert c.district == ("张掖市" if item in zhangye else "田家庵区")


def test_equal_duties_match_across_districts(zt):
    in_both, only_a, only_b = zt.diff("meeting")
    assert "meeting|group_head|month|obligation" in in_both
    a_items, b_items = in_both["meeting|group_head|month|obligation"]
    assert cites(ZHANGYE_MEETING, a_items) and cites(TIANJIAAN_MONTHLY, b_items)
    assert not set(only_a) & set(only_b) and not set(only_a) & set(in_both)


def test_constraints_side_by_side(zt):
    zhangye = {i.extra["kind"] for i in zt.cell("constraints", 0)}
    tianjiaan = {i.extra["kind"] for i in zt.cell("constraints", 1)}
    assert zhangye == ZHANGYE_UNCHANGED
    assert "enrollment_unchanged" in tianjiaan
    assert set(sentences(zt.cell("constraints", 0))) == {
        "教育集团内成员学校法人资格不变、行政隶属关系不变、财务管理不变、资产归属不变、人事关系不变。"}
    in_both, only_a, only_b = zt.diff("constraints")
    assert not in_both and set(only_a) == {f"constraint|{k}" for k in ZHANGYE_UNCHANGED}


def test_prohibitions_posts_and_schools(zt):
    assert zt.cell("prohibitions", "张掖市") == []          # the 张掖 plan prohibits nothing
    assert any("不得随意变动学生的就读学校" in i.citation.sentence for i in zt.cell("prohibitions", "田家庵区"))
    assert "理事长由牵头校校长担任" in [i.text for i in zt.cell("posts", "田家庵区")]
    groups = [i for i in zt.cell("schools", "张掖市") if "group" in i.extra]
    assert [(i.extra["schools"], i.extra["leads"], i.extra["members"]) for i in groups] == [(3, 1, 2)]
    assert zt.cell("schools", "张掖市")[-1].extra == {"groups": 1, "schools": 3}


def test_models_are_cited(zt):
    models = zt.cell("models", "张掖市")
    assert [i.extra["model"] for i in models] == ["alliance"]
    assert "以联盟型模式组建" in models[0].citation.sentence
    assert "alliance" in {i.extra["model"] for i in zt.cell("models", "田家庵区")}
    assert "model|alliance" in zt.diff("models").in_both


def test_diff_by_any_rule_category(zt):
    in_both, only_a, only_b = zt.diff("training")
    keys = set(in_both) | set(only_a) | set(only_b)
    assert keys and all(k.startswith("training|") for k in keys)
    with pytest.raises(InterpretationError) as err:
        zt.diff("no_such_dimension")
    assert err.value.code == "PKB-COMPARE-DIMENSION"


def test_diff_items_is_keyed_by_signature(zt):
    cell = zt.cell("meeting", 0)
    both, only_a, only_b = diff_items(cell, cell)
    assert not only_a and not only_b and set(both) == {i.signature for i in cell}


def test_group_and_model_scopes(store):
    c = compare(store, ["张掖中学教育集团", "实验中学教育集团"])
    counts = [[i.extra["schools"] for i in c.cell("schools", k) if "group" in i.extra] for k in (0, 1)]
    assert counts == [[3], [4]]      # 张掖中学 + 2 成员校; 市实验中学 + 西湖学校、丹江路学校、阴阳赵初中
    assert {s.districts for s in c.scopes} == {("张掖市",), ("漯河市",)}
    m = compare(store, ["联盟型", "紧密型"])
    assert {i.extra["model"] for i in m.cell("models", 0)} == {"alliance"}
    assert {i.extra["model"] for i in m.cell("models", 1)} == {"tight_knit"}


def test_a_district_reads_its_groups_when_they_are_asked_for(big):
    """A district scope holds no group IRIs; scope_groups reads every group of its documents in
    document order, and the comparison's JSON lists them as before."""
    from collections import Counter

    from kb.scopes import scope_groups

    counts = Counter(str(r["district"]) for r in queries.run(big, "cmp_documents").rows)
    district = max(counts, key=lambda d: (counts[d], d))
    scope = resolve(big, district)
    assert scope.kind == "district" and scope.groups == () and len(scope.docs) > 1
    rank = {d: i for i, d in enumerate(scope.docs)}
    rows = [r for r in queries.run(big, "cmp_groups", district=district).rows if r["doc"] in rank]
    expected = [str(r["group"]) for r in sorted(rows, key=lambda r: (rank[r["doc"]], r["order"]))]
    assert len({r["doc"] for r in rows}) > 1 and list(scope_groups(big, scope)) == expected
    other = next(d for d in counts if d and d != district)
    data = compare(big, [district, other]).to_dict()
    assert data["scopes"][0]["groups"] == expected


# ----------------------------------------------------------------------------- outputs


def test_to_dict_is_json(zt):
    data = json.loads(json.dumps(zt.to_dict(), ensure_ascii=False))
    assert [d["key"] for d in data["dimensions"]] == list(DIMENSION_KEYS)
    meeting = next(d for d in data["dimensions"] if d["key"] == "meeting")
    assert any(i["citation"]["sentence"] in ZHANGYE_MEETING for i in meeting["cells"][0])
    assert data["diffs"][0]["a"] == "张掖市" and "meeting" in data["diffs"][0]["dimensions"]
    assert "schools" not in data["diffs"][0]["dimensions"]
    assert {"in_both", "only_a", "only_b"} == set(data["diffs"][0]["categories"]["meeting"])


def test_csv_has_bom_and_one_row_per_item(zt):
    raw = zt.to_csv()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == sum(len(c) for cells in zt.cells.values() for c in cells)
    shared = [r for r in rows if r["sentence"] and r["sentence"] in TIANJIAAN_MONTHLY
              and r["signature"].startswith("meeting|group_head")]
    assert shared and shared[0]["also_in"] == "张掖市" and shared[0]["district"] == "田家庵区"


def test_xlsx_sheets(zt):
    wb = load_workbook(io.BytesIO(zt.to_xlsx()))
    assert wb.sheetnames == ["对比 Comparison", "差异 Differences", "来源 Sources"]
    ws = wb["对比 Comparison"]
    assert [c.value for c in ws[1]] == ["维度 dimension", "张掖市", "田家庵区"]
    assert ws.freeze_panes == "B2" and ws["A1"].font.bold
    meeting_row = next(r for r in ws.iter_rows(min_row=2) if r[0].value.startswith("会议制度"))
    assert "每月≥1次" in meeting_row[1].value and "每学年开学前" in meeting_row[2].value
    assert meeting_row[1].alignment.wrap_text


# ----------------------------------------------------------------------------- CLI


def run_cli(*args):
    from kb.cli import app

    return CliRunner().invoke(app, list(args))


def test_cli_compare_json_and_table(store_path):
    result = run_cli("compare", "张掖", "田家庵", "--store", str(store_path), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [s["label"] for s in data["scopes"]] == ["张掖市", "田家庵区"]
    table = run_cli("compare", "张掖市", "田家庵区", "--store", str(store_path))
    assert table.exit_code == 0 and "会议制度" in table.stdout and "异同 张掖市 / 田家庵区" in table.stdout


def test_cli_compare_errors(store_path, tmp_path):
    assert run_cli("compare", "张掖市", "--store", str(store_path)).exit_code == 2
    unknown = run_cli("compare", "张掖市", "北京市", "--store", str(store_path))
    assert unknown.exit_code == 2 and "PKB-SCOPE-UNKNOWN" in unknown.output
    assert run_cli("compare", "张掖市", "田家庵区", "--format", "xlsx", "--store", str(store_path)).exit_code == 2
    out = tmp_path / "c.xlsx"
    ok = run_cli("compare", "张掖市", "田家庵区", "--format", "xlsx", "--out", str(out), "--store", str(store_path))
    assert ok.exit_code == 0 and load_workbook(out).sheetnames[0] == "对比 Comparison"


def test_dimensions_are_documented():
    assert {d.key for d in DIMENSIONS if not d.diffable} == {"schools"}
