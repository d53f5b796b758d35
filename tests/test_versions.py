"""Versions, what changed between them, and what a district lacks (issue 13).

A store holds the five seeds and tests/fixtures/versions/tianjiaan-district-groups.txt, a revised
copy of the 田家庵区 draft (the final text: frequencies edited, a clause removed and one added,
an actor changed, a modality changed, a clause reworded, a date of issue). ``diff`` must report
exactly those changes (tests/golden/diff/tianjiaan-draft-final.txt, rewritten with
``--update-golden``).
"""
from __future__ import annotations

import difflib
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kb import diff as diffs
from kb import gaps as gaps_module
from kb import obligations, scopes, versions
from kb.errors import PolicyKBError
from tests.conftest import ingested_store, summary_lines_checked

ROOT = Path(__file__).resolve().parent.parent
REVISED = ROOT / "tests" / "fixtures" / "versions" / "tianjiaan-district-groups.txt"
DRAFT = ROOT / "source_docs" / "tianjiaan-district-groups-draft.txt"
GOLDEN = ROOT / "tests" / "golden" / "diff" / "tianjiaan-draft-final.txt"
runner = CliRunner()


@pytest.fixture(scope="module")
def vstore_path(tmp_path_factory) -> Path:
    return ingested_store(tmp_path_factory.mktemp("versions-store"), ROOT / "source_docs", REVISED)


@pytest.fixture()
def vstore(vstore_path):
    from kb.store import open_store

    with open_store(str(vstore_path), read_only=True) as store:
        yield store


def _pair(store) -> tuple[versions.Version, versions.Version]:
    every = versions.documents(store, "田家庵区")
    draft = next(v for v in every if v.status == "draft")
    final = next(v for v in every if v.status is None)
    return draft, final


def cli(*args: str):
    from kb.cli import app

    return runner.invoke(app, list(args))


# --------------------------------------------------------------------------- version facts


@pytest.mark.parametrize("title, status", [
    ("某区集团化办学实施方案(征求意见稿)", "draft"),
    ("某区集团化办学实施方案（征求意见稿）", "draft"),
    ("某县教育集团管理办法(送审稿)", "draft"),
    ("某市集团化办学工作方案(草案)", "draft"),
    ("某区集团化办学实施意见(讨论稿)", "discussion_draft"),
    ("某市紧密型教育集团考核办法(试行)", "trial"),
    ("某市教育集团管理试行办法", "trial"),
    ("某县集团化办学管理暂行办法", "interim"),
    ("某区集团化办学实施方案(2024年修订)", "revised"),
    ("某区教育集团章程(修订版)", "revised"),
    ("某区集团化办学实施方案", None),
    ("关于推进集团化办学的实施意见", None),
])
def test_status_is_read_from_titles_in_many_phrasings(title, status):
    from ingest.components.metadata import version_facts
    from ingest.normalize import normalize

    title = normalize(title).text
    assert version_facts("正文。", {"title": title})["status"] == status


@pytest.mark.parametrize("body, key, value", [
    ("本方案自2024年9月1日起施行。", "in_force", "2024-09-01"),
    ("本办法自2023年3月1日起实施,有效期3年。", "valid_until", "2026-03-01"),
    ("本方案自印发之日起施行。\n某区教育局\n2024年8月20日", "in_force", "2024-08-20"),
    ("本意见自发布之日起执行。\n2022年1月5日", "in_force", "2022-01-05"),
    ("本办法有效期至2027年12月31日。", "valid_until", "2027-12-31"),
    ("本方案自2024年9月1日起施行,原《某区集团化办学实施方案(试行)》同时废止。", "repeals",
     ["某区集团化办学实施方案(试行)"]),
    ("《某县教育集团管理暂行办法》即行废止。", "repeals", ["某县教育集团管理暂行办法"]),
    ("本办法施行后,废止原《某市集团化办学指导意见》。", "repeals", ["某市集团化办学指导意见"]),
    ("现将《某区集团化办学方案(征求意见稿)》公开征求意见。", "status", "draft"),
    ("各学校要按照《某区集团化办学实施方案》推进工作。", "repeals", []),
    ("本方案自2024年2月30日起施行。", "in_force", None),
])
def test_dates_repeals_and_drafts_are_read_from_bodies(body, key, value):
    from ingest.components.metadata import document_metadata, version_facts
    from ingest.normalize import normalize

    text = normalize("某区集团化办学方案\n" + body).text
    meta = document_metadata(text)
    meta["title"] = "某区集团化办学方案"
    assert version_facts(text, meta)[key] == value


def test_version_facts_reach_the_graph_and_pass_shacl(vstore):
    from kb.validate import validate_store

    draft, final = _pair(vstore)
    assert (draft.status, draft.in_force) == ("draft", None)
    assert (final.status, final.in_force, final.issued) == (None, "2024-08-20", "2024-08-20")
    report = validate_store(vstore, [draft.doc, final.doc])
    assert not report.issues, report.issues[:3]


# --------------------------------------------------------------------------- detection


def V(doc, title, district="某区", **kw) -> versions.Version:
    """A version as ingest would store it: the status read from its title."""
    from ingest.components.metadata import version_facts

    return versions.Version(doc, title, district, status=version_facts("", {"title": title})["status"], **kw)


@pytest.mark.parametrize("older, newer", [
    (V("a", "某区集团化办学实施方案(征求意见稿)"), V("b", "某区集团化办学实施方案")),
    (V("a", "某区集团化办学实施方案(讨论稿)"), V("b", "某区集团化办学实施方案(征求意见稿)", issued="2024-01-01")),
    (V("a", "某区集团化办学管理办法(试行)", in_force="2019-09-01"), V("b", "某区集团化办学管理办法", in_force="2022-09-01")),
    (V("a", "某区2019年集团化办学工作方案", issued="2019-03-01"), V("b", "某区2024年集团化办学工作方案", issued="2024-03-01")),
    (V("a", "某区集团化办学实施方案"), V("b", "某区集团化办学实施方案(2024年修订)")),
    (V("a", "某区集团化办学暂行办法", issued="2020-01-01"), V("b", "某区集团化办学办法", issued="2023-01-01")),
    (V("a", "某区集团化办学实施方案", issued="2020-01-01"),
     V("b", "某区教育集团管理规定", issued="2023-01-01", repeals=("某区集团化办学实施方案",))),
])
def test_versions_are_detected_and_ordered(older, newer):
    for docs in ([older, newer], [newer, older]):
        assert [(k.older, k.newer) for k in versions.detect(docs)] == [("a", "b")]


@pytest.mark.parametrize("a, b", [
    (V("a", "某区集团化办学实施方案(征求意见稿)"), V("b", "某区集团化办学实施方案", district="另一区")),
    (V("a", "某区集团化办学实施方案", issued="2020-01-01"), V("b", "某区课后服务工作方案", issued="2023-01-01")),
    (V("a", "某区集团化办学实施方案"), V("b", "某区集团化办学实施方案")),          # nothing tells the order
    (V("a", "某区集团化办学实施方案", issuer="某区教育局", issued="2020-01-01"),
     V("b", "某区集团化办学实施方案", issuer="某区人民政府办公室", issued="2021-01-01")),
])
def test_unrelated_or_undecidable_documents_are_not_linked(a, b):
    assert versions.detect([a, b]) == []


def test_the_seed_and_its_revision_form_one_chain_and_the_newest_is_in_force(vstore):
    draft, final = _pair(vstore)
    chains = versions.chains(vstore)
    assert [[v.doc for v in c.versions] for c in chains] == [[draft.doc, final.doc]]
    assert chains[0].links[0].how == "detected"
    docs = [draft.doc, final.doc]
    assert versions.in_force(vstore, docs, ["田家庵区"]) == [final.doc]
    assert versions.in_force(vstore, docs, ["田家庵区"], "2024-08-19") == [draft.doc]
    assert versions.in_force(vstore, docs, ["田家庵区"], "2024-08-20") == [final.doc]
    assert scopes.resolve(vstore, "田家庵区").docs == (final.doc,)
    assert scopes.resolve(vstore, "田家庵区", as_of="2024-01").docs == (draft.doc,)
    every, _ = scopes.scope_documents(vstore)
    assert draft.doc not in every and final.doc in every and len(every) == 5


@pytest.mark.parametrize("text, iso", [("2024-09-01", "2024-09-01"), ("2024/9/1", "2024-09-01"),
                                       ("2024年9月1日", "2024-09-01"), ("2024-02", "2024-02-29"), ("2023", "2023-12-31")])
def test_as_of_dates(text, iso):
    assert versions.check_date(text) == iso


@pytest.mark.parametrize("text", ["yesterday", "2024-13-01", "2024-02-30"])
def test_a_bad_as_of_date_is_refused(text):
    with pytest.raises(PolicyKBError) as err:
        versions.check_date(text)
    assert err.value.code == "PKB-VERSIONS-DATE"


def test_a_hand_link_overrides_detection_and_survives_reingest(vstore_path, tmp_path):
    from ingest.runner import ingest
    from kb.store import open_store

    with open_store(str(vstore_path)) as store:
        draft, final = _pair(store)
        try:
            versions.unlink(store, draft.doc, final.doc)
            assert versions.chains(store) == []
            assert set(versions.in_force(store, [draft.doc, final.doc], ["田家庵区"])) == {draft.doc, final.doc}
            versions.link(store, final.doc, draft.doc)          # by hand: the other way round
            chain = versions.chains(store)
            assert [(k.older, k.newer, k.how) for k in chain[0].links] == [(final.doc, draft.doc, "hand")]
            assert versions.in_force(store, [draft.doc, final.doc], ["田家庵区"]) == [draft.doc]
            copy = tmp_path / REVISED.name                     # the same text from another file: rewritten
            copy.write_text(REVISED.read_text(encoding="utf-8"), encoding="utf-8")
            summary = ingest(store, [str(copy)], workers=1)
            assert not summary.errors
            assert versions.hand_links(store)[0] == {(final.doc, draft.doc)}
            with pytest.raises(PolicyKBError) as err:
                versions.link(store, draft.doc, draft.doc)
            assert err.value.code == "PKB-VERSIONS-DOCUMENT"
        finally:
            versions._write(store, set(), set())
        assert [k.how for k in versions.chains(store)[0].links] == ["detected"]


def test_the_versions_command_lists_links_and_unlinks(vstore_path):
    listed = cli("versions", "--store", str(vstore_path), "--format", "json", "--all")
    assert listed.exit_code == 0, listed.output
    data = json.loads(listed.output)
    chain = data["chains"][0]
    final = chain["versions"][1]["doc"]
    assert [v["status"] for v in chain["versions"]] == ["draft", "final"]
    assert len(data["documents"]) == 6
    try:
        done = cli("versions", "unlink", "征求意见稿", final.rsplit("/id/", 1)[1], "--store", str(vstore_path))
        assert done.exit_code == 0, done.output
        assert json.loads(cli("versions", "--store", str(vstore_path), "--format", "json").output)["chains"] == []
        done = cli("versions", "link", "征求意见稿", final, "--store", str(vstore_path))
        assert done.exit_code == 0
        table = cli("versions", "--store", str(vstore_path))
        assert "hand" in table.output and "draft" in table.output
    finally:
        from kb.store import open_store

        with open_store(str(vstore_path)) as store:
            versions._write(store, set(), set())
    unknown = cli("versions", "link", "no such title", final, "--store", str(vstore_path))
    assert unknown.exit_code == 2 and "PKB-VERSIONS-DOCUMENT" in unknown.output


# --------------------------------------------------------------------------- what changed


def golden_text(result: diffs.Diff) -> str:
    """The reviewable diff: every change, then the reworded duties reported unchanged."""
    lines = result.lines()
    lines += [c.line() for c in result.rules if c.kind == "unchanged" and c.reworded]
    return "\n".join(lines) + "\n"


def test_diff_reports_exactly_the_edits_of_the_revised_copy(vstore, request):
    draft, final = _pair(vstore)
    result = diffs.diff_documents(vstore, [draft.doc], [final.doc])
    text = golden_text(result)
    if request.config.getoption("--update-golden"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
        pytest.skip("golden file rewritten")
    expected = GOLDEN.read_text(encoding="utf-8")
    assert text == expected, "\n".join(difflib.unified_diff(expected.splitlines(), text.splitlines(),
                                                             "expected", "diff", lineterm=""))
    # the edits, read from the two texts: each change's clauses are the edited ones
    old_text, new_text = DRAFT.read_text(encoding="utf-8"), REVISED.read_text(encoding="utf-8")
    for change in result.changed():
        if change.old:
            assert change.old_source.sentence.replace(",", "，") in old_text.replace(",", "，") or \
                change.old_source.sentence in DRAFT.read_text(encoding="utf-8")
        if change.kind == "removed":
            assert change.old["sentence"] not in new_text
        if change.kind == "added":
            assert change.new["sentence"] not in old_text
    kinds = result.summary()
    assert (kinds["added"], kinds["removed"], kinds["changed"]) == (1, 1, 5)
    reworded = [c for c in result.rules if c.kind == "unchanged" and c.reworded]
    assert [c.new["sentence"] for c in reworded] == ["推动集团内部管理人员与骨干教师的交流"]
    assert {tuple(c.changes) for c in result.changed() if c.kind == "changed"} == \
        {("actor",), ("modality",), ("quantity",), ("frequency",)}
    raised = next(c for c in result.rules if c.changes == ["frequency"])
    assert raised.direction == "raised" and raised.old["frequency"]["period"] == "semester" \
        and raised.new["frequency"]["period"] == "month"


def test_a_document_against_itself_has_no_changes(vstore):
    draft, _ = _pair(vstore)
    result = diffs.diff_documents(vstore, [draft.doc], [draft.doc])
    assert result.changed() == [] and result.items == []


def test_a_district_at_two_points_in_time(vstore):
    result = diffs.diff_points(vstore, "田家庵区", "2024-01-01")
    draft, final = _pair(vstore)
    assert [c.doc for c in result.old] == [draft.doc] and [c.doc for c in result.new] == [final.doc]
    assert result.summary()["changed"] == 5


def test_diff_items_report_groups_memberships_constraints_and_models():
    from kb.citations import DocumentTexts

    class Texts(DocumentTexts):
        def __init__(self):
            self._meta = {d: {"title": d, "district": "某区", "text": "甲集团由一中牵头。二中为成员校。"} for d in "ab"}

    old = [{"_doc": "a", "constraints": [{"kind": "legal_person_unchanged", "sentence": "法人不变", "span": [0, 4]}],
            "groups": [{"name": "甲集团", "lead_schools": ["一中"], "member_schools": ["二中"]}],
            "document_models": ["alliance"]}]
    new = [{"_doc": "b", "constraints": [],
            "groups": [{"name": "甲集团", "lead_schools": ["一中"], "member_schools": ["三中"]},
                       {"name": "乙集团", "lead_schools": ["四中"], "member_schools": []}],
            "document_models": ["alliance", "tight_knit"]}]
    got = {(i.section, i.kind, i.label) for i in diffs.diff_items(old, new, Texts())}
    assert got == {("constraint", "removed", "legal_person_unchanged"), ("member", "removed", "甲集团: 二中"),
                   ("member", "added", "甲集团: 三中"), ("group", "added", "乙集团"), ("model", "added", "tight_knit")}


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx", "table"])
def test_the_diff_command_in_every_format(vstore, vstore_path, tmp_path, fmt):
    expected = diffs.diff_documents(vstore, *[[v.doc] for v in _pair(vstore)])
    out = tmp_path / f"diff.{fmt}"
    args = ["diff", "--store", str(vstore_path), "征求意见稿", "田家庵区教育体育局", "--format", fmt]
    result = cli(*args, *(["--out", str(out)] if fmt == "xlsx" else []))
    if result.exit_code != 0:          # the final text's title is not unique: name it by its IRI
        final = json.loads(cli("versions", "--store", str(vstore_path), "--format", "json").output)
        args[4] = final["chains"][0]["versions"][1]["doc"]
        result = cli(*args, *(["--out", str(out)] if fmt == "xlsx" else []))
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = json.loads(result.output)
        assert data["summary"] == expected.summary()
        assert all(r["old_source"] and r["new_source"] for r in data["rules"] if r["kind"] == "changed")
    elif fmt == "csv":
        assert result.output.lstrip("\ufeff").startswith("变化 change")
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(out.read_bytes()))
        changes = list(wb.worksheets[0].iter_rows(values_only=True))
        assert len(changes) == 1 + len(expected.table(unchanged=False)) and changes[0][0] == "变化 change"
        assert wb.worksheets[1].max_row == 1 + expected.summary()["unchanged"]
    else:
        assert "频次" in result.output and "提高" in result.output
    points = cli("diff", "--store", str(vstore_path), "田家庵", "--from", "2024-01", "--format", "json")
    assert json.loads(points.output)["summary"]["added"] == 1
    bad = cli("diff", "--store", str(vstore_path), "田家庵", "--from", "someday")
    assert bad.exit_code == 2 and "PKB-VERSIONS-DATE" in bad.output


# --------------------------------------------------------------------------- gaps


SEED_DISTRICTS = ["临县", "宝塔区", "张掖市", "漯河市"]


def test_gaps_of_tianjiaan_against_the_other_seeds(store):
    result = gaps_module.gaps(store, "田家庵区", SEED_DISTRICTS)
    assert result.gaps and result.min_peers == 2 and result.against == SEED_DISTRICTS
    own = {gaps_module.duty_key(ob) for ob in obligations.find(store, district="田家庵区")
           if ob.modality in ("obligation", "prohibition")}
    peers = {d: {gaps_module.duty_key(ob): ob for ob in obligations.find(store, district=d)
                 if ob.modality in ("obligation", "prohibition")} for d in SEED_DISTRICTS}
    for gap in result.gaps:
        key = (gap.actor, gap.category, gap.period)
        assert key not in own
        assert gap.peers == [d for d in SEED_DISTRICTS if key in peers[d]] and gap.count >= 2
        assert {ob.district for ob in gap.sources} == set(gap.peers)
        for ob in gap.sources:
            assert gaps_module.duty_key(ob) == key and ob.sentence and ob.doc
    # every duty all four peers require and 田家庵区 lacks is a gap
    shared = set.intersection(*(set(p) for p in peers.values())) - own
    assert {k for k in shared if k[1] != "other"} <= {(g.actor, g.category, g.period) for g in result.gaps}
    fewer = gaps_module.gaps(store, "田家庵区", SEED_DISTRICTS, min_peers=4)
    assert all(g.count == 4 for g in fewer.gaps)


@pytest.mark.parametrize("as_of", [None, "2024-01-01", "2024-08-20"])
def test_gaps_from_tallies_equal_the_listing_at_each_date(vstore, as_of):
    """The duties counted from the tallies of the versions in force are those their rules list, and
    so are the gaps and their sentences (the draft counts on 2024-01-01, the final text after)."""
    from tests.test_gaps_large import assert_duties_are_listed, found, listing_gaps

    assert_duties_are_listed(vstore, as_of)
    for district in scopes.districts(vstore):
        assert found(gaps_module.gaps(vstore, district, as_of=as_of)) == listing_gaps(vstore, district, as_of=as_of)
        assert found(gaps_module.gaps(vstore, district, SEED_DISTRICTS, as_of=as_of, min_peers=1)) == \
            listing_gaps(vstore, district, [d for d in SEED_DISTRICTS if d != district], as_of, min_peers=1)


def test_gaps_need_peers(store):
    with pytest.raises(PolicyKBError) as err:
        gaps_module.gaps(store, "田家庵区", ["田家庵区"])
    assert err.value.code == "PKB-GAPS-PEERS"


@pytest.mark.parametrize("fmt", ["table", "json", "xlsx"])
def test_the_gaps_command(store_path, tmp_path, fmt):
    out = tmp_path / "gaps.xlsx"
    result = cli("gaps", "--store", str(store_path), "田家庵", "--against", *SEED_DISTRICTS, "--format", fmt,
                 *(["--out", str(out)] if fmt == "xlsx" else []))
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = json.loads(result.output)
        assert data["district"] == "田家庵区" and data["gaps"][0]["sources"][0]["sentence"]
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(out.read_bytes()))
        assert wb.worksheets[0].cell(1, 1).value == "主体 actor" and wb.worksheets[0].max_row >= 2
        assert wb.worksheets[1].max_row >= 3
    else:
        assert "田家庵区" in result.output and "2/4" in result.output
    wrong = cli("gaps", "--store", str(store_path), "田家庵", "临县")
    assert wrong.exit_code == 2 and "--against" in wrong.output


# --------------------------------------------------------------------------- as of


def _titles_of(rows) -> set[str]:
    return {r["title"] for r in rows if r.get("title") and "田家庵" in r["title"]}


def test_a_page_of_answers_leaves_out_the_versions_not_in_force(vstore):
    """A district answer read page by page from the rule tallies holds exactly the rules of the
    documents in force: every rule the unpaged listing finds, less those of older versions."""
    from kb.ask import ask
    from kb.obligations import find

    older = versions.not_in_force(vstore)
    draft, _ = _pair(vstore)
    assert draft.doc in older
    answer = ask(vstore, "田家庵区成员校有哪些义务？")
    wanted = {o.rule for o in find(vstore, actor="member_school", district=draft.district) if o.doc not in older}
    assert {rule for r in answer.results for rule in r.rules} == wanted and answer.page.total == len(wanted)


def test_a_district_summary_counts_only_its_documents_in_force(vstore):
    """A district with an older version is summarised from counts too, and every line is what
    the rows of its documents in force give (the draft's duties are not counted)."""
    from kb.compare import compare

    comparison = compare(vstore, ["田家庵区", "张掖市"])
    draft, _ = _pair(vstore)
    assert comparison.scopes[0].narrowed and draft.doc not in comparison.scopes[0].docs
    assert summary_lines_checked(comparison) > 10


def test_the_versions_in_force_are_saved_for_the_next_process(vstore, monkeypatch):
    """A second process (here: the in-memory cache emptied) reads the saved list instead of
    detecting the versions again, and gets the same documents."""
    first = versions.not_in_force(vstore)
    assert first and any(p.name.startswith("not-in-force-newest@") for p in (vstore.path / "cache").iterdir())
    from kb.store import view_cache

    view_cache.forget()
    monkeypatch.setattr(versions, "_split", lambda *a: pytest.fail("detected again instead of read"))
    assert versions.not_in_force(vstore) == first


@pytest.mark.parametrize("as_of, draft_wanted", [(None, False), ("2024-01-01", True), ("2024-08-20", False)])
def test_ask_compare_and_matrix_use_the_versions_in_force(vstore, vstore_path, as_of, draft_wanted):
    from kb.ask import ask
    from kb.compare import compare
    from kb.matrix import matrix

    draft, final = _pair(vstore)
    wanted = {draft.title if draft_wanted else final.title}
    extra = ["--as-of", as_of] if as_of else []
    asked = cli("ask", "--store", str(vstore_path), "--format", "json", "田家庵区成员校有哪些义务？", *extra)
    assert _titles_of(json.loads(asked.output)["results"]) == wanted
    assert _titles_of([r.to_dict() for r in ask(vstore, "田家庵区有哪些约束？", as_of=as_of).results]) == wanted
    built = cli("matrix", "--store", str(vstore_path), "--district", "田家庵", "--format", "json", *extra)
    assert _titles_of(json.loads(built.output)["sources"]) == wanted
    assert _titles_of([ob.to_dict() for ob in matrix(vstore, as_of=as_of).sources]) == wanted
    compared = compare(vstore, ["田家庵区", "张掖市"], as_of=as_of)
    assert compared.scopes[0].docs == ((draft if draft_wanted else final).doc,)
    from kb.tallies import counts      # the matrix page's heat map: the same documents, from tallies

    district = matrix(vstore, district="田家庵区", as_of=as_of)
    tally = counts(vstore, district="田家庵区", as_of=as_of)
    assert tally.documents == 1 and tally.total == len(district.sources) > 0
    assert {(r, c): n for (_, r, c), n in tally.counts.items()} \
        == {(r, c): len(es) for (_, r, c), es in district.entries.items() if es}
    shown = cli("compare", "--store", str(vstore_path), "田家庵区", "张掖市", "--format", "json", *extra)
    assert shown.exit_code == 0, shown.output
