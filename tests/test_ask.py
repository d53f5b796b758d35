"""`policykb ask`: questions in Chinese (simplified/traditional) and English answered from the graph.

The expected clauses are sentences of the five documents in source_docs/, written here as they
stand in the files (full-width punctuation) and compared after NFKC, the normal form the store
keeps; `test_expected_sentences_are_in_the_documents` checks that each one really is in its file.
"""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from kb.ask import Answer, ask, interpret, vocabulary_for
from kb.ask.interpret import interpret_with
from kb.ask.text import english_key, normalize
from kb.errors import InterpretationError

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DOCS = ROOT / "source_docs"


def N(text: str) -> str:
    """A document sentence as the store holds it (NFKC: ，→, （→( ；→;)."""
    return unicodedata.normalize("NFKC", text)


# --- sentences of the documents (as written in source_docs/*.txt) ------------------------------
ZY = "zhangye-zhongxue-group-2024.txt"
TJA = "tianjiaan-district-groups-draft.txt"
LX = "linxian-group-reform.txt"
LH = "luohe-shiyan-group.txt"

ZY_MEETING = "集团联席会议由集团牵头校校长召集，每月至少召开1次，遇特殊情况可随时召开，统筹安排集团内教育资源和教育教学活动，组织协调集团各项工作推进落实。"
ZY_INSPECTION = "每学期至少组织1次教学常规视导。"
ZY_TOPICS = "每学期确定1-2个主题，至少开展1次学校管理研讨活动。"
ZY_TRAINING = "每学期每科目至少开展2次形式多样的培训活动。"
ZY_QUALITY = "每学期至少开展1次联合教学质量检测分析。"
ZY_LEAD_HEAD = "设立张掖中学教育集团牵头校校长1名，由张掖中学校长担任，全面负责集团组建和运行；"
ZY_YEARLY_STAFF = "集团每年选派1-2名管理人员到上海、江苏等教育改革先进地区跟岗学习。"
ZY_EVALUATION = "市教育局和肃南县教育局组成评估组，每年12月对教育集团运行情况进行全面评估。"
ZY_UNCHANGED = "教育集团内成员学校法人资格不变、行政隶属关系不变、财务管理不变、资产归属不变、人事关系不变。"
ZY_JOINT_MEETING_SYSTEM = "建立教育集团牵头校、成员校党组织书记、副书记(兼校长)联席会议制度，履行把方向、管大局、作决策、保落实的领导职责。"
TJA_SHADOWING = "成员校学科教师每月到牵头校跟班听课不少于1天，牵头校学科教研组长或学科带头人每学期到成员校指导教研工作不少于2次。"
TJA_MONTHLY = "每月由理事长组织召开一次工作例会，研究商讨集团教育教学、教研等工作，确保集团高效有序运行，各项工作落到实处。"
TJA_CONSULT = "定期会商议事。"
TJA_YEARLY_MEETING = "每学年开学前，理事长负责召集集团成员校进行会商，研究制定学年度集团工作目标和计划，于开学前报区教体局备案。"
TJA_COURSES = "集团成员校每年应组织开展高质量共用共享课程建设活动。"
TJA_NO_CHANGE = "各教育集团应当严格按照现行学段招生政策，招录学生进入集团内部对应的成员校就读，不得随意变动学生的就读学校。"
TJA_CHARTER = "集团牵头校负责制定符合法律、法规、规章及相关规范性文件要求的集团章程，作为规范和约束集团管理运行的基本纲领和行动准则。"
TJA_BRIDGING = "鼓励跨学段教育集团开设幼小衔接课程、小初衔接课程、初高衔接课程。"
LX_SHADOWING = "各成员学校学科教师定期到龙头学校进行跟班听课，提升教育教学和教研水平。"
LX_INSPECTORATE = "督导室负责制定集团办学督导评估细则和组织开展年度评估工作；"
LH_UNCHANGED = "市实验中学和成员学校，保持学校法人、经费运行、隶属关系不变，集团运行周期为三年。"

EXPECTED_IN = {ZY: [ZY_MEETING, ZY_INSPECTION, ZY_TOPICS, ZY_TRAINING, ZY_QUALITY, ZY_LEAD_HEAD,
                    ZY_YEARLY_STAFF, ZY_EVALUATION, ZY_UNCHANGED, ZY_JOINT_MEETING_SYSTEM],
               TJA: [TJA_SHADOWING, TJA_MONTHLY, TJA_CONSULT, TJA_YEARLY_MEETING, TJA_COURSES, TJA_NO_CHANGE,
                     TJA_BRIDGING, TJA_CHARTER],
               LX: [LX_SHADOWING, LX_INSPECTORATE], LH: [LH_UNCHANGED]}
SEMESTER = {ZY_INSPECTION, ZY_TOPICS, ZY_TRAINING, ZY_QUALITY, TJA_SHADOWING}
BAOTA_LEADS = {"新区高级中学", "宝塔区第三中学", "宝塔区第七中学", "新区第一中学", "新区第二中学", "南关小学",
               "北关小学", "宝塔区第一小学", "杜甫川小学", "育才学校", "新区第一小学"}
CONSORTIA = {"临县一中初高中教育协同发展联合体", "临县高级中学初高中教育协同发展联合体"}


# --- fixtures ----------------------------------------------------------------------------------



def sentences(answer: Answer) -> set[str]:
    """The sentences the answer's clauses stand in (each row's ``context``)."""
    return {r.context or r.sentence for r in answer.results}


def expect(*texts: str) -> set[str]:
    return {N(t) for t in texts}


def test_expected_sentences_are_in_the_documents():
    for name, texts in EXPECTED_IN.items():
        document = N((SOURCE_DOCS / name).read_text(encoding="utf-8"))
        for text in texts:
            assert N(text) in document, (name, text)


# --- the six questions of the issue, in several phrasings --------------------------------------

@pytest.mark.parametrize("question", ["哪些义务适用于成员校？", "成员学校要承担哪些责任", "適用於成員校的義務有哪些？",
                                      "What obligations do member schools have?", "分校有哪些职责？"])
def test_obligations_of_member_schools(store, question):
    answer = ask(store, question)
    assert answer.ok and answer.interpretation.kind == "obligation"
    assert answer.interpretation.filters.actors == ["member_school"]
    got = {(r.context, r.actor, r.inherited) for r in answer.results}
    for shadowing in (TJA_SHADOWING, LX_SHADOWING):       # the 跟班听课 clauses, direct
        assert (N(shadowing), "member_school_staff", False) in got
    # the answer shows the member schools' own clause of that sentence, never the lead school's
    clauses = {r.sentence for r in answer.results if r.context == N(TJA_SHADOWING)}
    assert clauses == {"成员校学科教师每月到牵头校跟班听课不少于1天"}
    assert (N(TJA_COURSES), "member_school", False) in got
    assert (N(ZY_TRAINING), "group", True) in got
    for r in answer.results:                               # nothing of other actors leaks in
        assert r.actor in {"member_school", "member_school_staff", "group"}
        assert r.inherited is (r.actor == "group")
    assert not expect(ZY_EVALUATION, LX_INSPECTORATE) & sentences(answer)   # the bureau's, the inspectorate's
    direct = [r for r in answer.results if not r.inherited]
    assert answer.results[:len(direct)] == direct          # own rules first, inherited after


@pytest.mark.parametrize("question", ["张掖中学教育集团的联席会议多久召开一次？", "張掖中學教育集團的聯席會議多久開一次？",
                                      "张掖中学集团联席会议多长时间召开一次", "张掖中学教育集团联席会议的召开频率是什么",
                                      "How often does the joint meeting of 张掖中学教育集团 meet?"])
def test_zhangye_joint_meeting(store, question):
    answer = ask(store, question)
    f = answer.interpretation.filters
    assert f.categories == ["meeting"] and f.frequency and not f.actors
    assert [g["name"] for g in f.groups] == ["张掖中学教育集团"]
    assert sentences(answer) == expect(ZY_MEETING)
    assert {"period": "month", "min_count": 1, "max_count": None, "unit": "time"} in [r.frequency for r in answer.results]
    assert N(ZY_JOINT_MEETING_SYSTEM) not in sentences(answer)   # names the meeting, not how often


@pytest.mark.parametrize("question", ["每学期至少要开展哪些活动？", "每個學期至少需要開展什麼活動？",
                                      "What activities must be carried out every semester?", "每学期要做哪些事情"])
def test_every_semester(store, question):
    answer = ask(store, question)
    assert answer.interpretation.filters.periods == ["semester"]
    assert sentences(answer) == expect(*SEMESTER)
    assert all(r.frequency["period"] == "semester" for r in answer.results)


@pytest.mark.parametrize("question", ["What is prohibited?", "有哪些禁止性规定", "哪些行为是被禁止的？",
                                      "What must not be done?"])
def test_prohibitions(store, question):
    answer = ask(store, question)
    assert answer.interpretation.filters.modalities == ["prohibition"]
    assert N(TJA_NO_CHANGE) in sentences(answer)
    assert {r.modality for r in answer.results} == {"prohibition"}


@pytest.mark.parametrize("question", ["Which groups follow the junior-senior consortium model?",
                                      "哪些集团采用初高中一体化模式？", "Which groups are junior-senior consortia?",
                                      "临县有哪些联合体"])
def test_junior_senior_consortia(store, question):
    answer = ask(store, question)
    assert answer.interpretation.kind == "group"
    assert {r.name for r in answer.results} == CONSORTIA
    assert all(r.district == "临县" and "junior_senior_consortium" in r.models for r in answer.results)


@pytest.mark.parametrize("question", ["宝塔区有哪些教育集团？", "寶塔區有幾個教育集團？", "宝塔有哪些集团",
                                      "What school groups are there in 宝塔区?"])
def test_groups_of_baota(store, question):
    answer = ask(store, question)
    assert answer.interpretation.kind == "group"
    assert len(answer.results) == 11
    assert all(r.district == "宝塔区" for r in answer.results)
    assert {s for r in answer.results for s in r.lead_schools} == BAOTA_LEADS
    named = {r.name for r in answer.results if r.name}
    assert {"新区高级中学教育集团", "新区第一小学教育集团"} <= named
    first = next(r for r in answer.results if r.name == "新区第一小学教育集团")
    assert sorted(first.member_schools) == ["东关小学", "甘谷驿学校"]


def test_groups_of_baota_in_pinyin(store):
    pytest.importorskip("pypinyin")
    for question in ("List the education groups in Baota District", "Which groups does Baota have?"):
        answer = ask(store, question)
        assert answer.interpretation.filters.districts == ["宝塔区"] and len(answer.results) == 11
    assert {r.district for r in ask(store, "What must schools in Zhangye do every semester?").results} == {"张掖市"}


# --- more phrasings -----------------------------------------------------------------------------

def test_lead_school_each_year(store):
    answer = ask(store, "牵头校每年要做什么")
    f = answer.interpretation.filters
    assert f.actors == ["lead_school"] and f.periods == ["year"]
    assert N(ZY_YEARLY_STAFF) in sentences(answer)                      # the group's, inherited
    assert not expect(TJA_COURSES, ZY_EVALUATION) & sentences(answer)   # member school's, bureau's
    assert all(r.frequency["period"] in ("year", "school_year") for r in answer.results)   # a school year is a year


def test_council_meetings_of_tianjiaan(store):
    answer = ask(store, "田家庵区的理事会多久开一次会")
    f = answer.interpretation.filters
    assert f.districts == ["田家庵区"] and f.categories == ["meeting"] and f.frequency
    assert expect(TJA_MONTHLY, TJA_CONSULT, TJA_YEARLY_MEETING) <= sentences(answer)
    assert {r.district for r in answer.results} == {"田家庵区"}
    assert N(ZY_MEETING) not in sentences(answer)


def test_lead_schools_in_zhangye(store):
    answer = ask(store, "Which obligations apply to lead schools in 张掖市?")
    f = answer.interpretation.filters
    assert f.actors == ["lead_school"] and f.districts == ["张掖市"]
    got = {(r.context, r.inherited) for r in answer.results}
    assert (N(ZY_LEAD_HEAD), True) in got or (N(ZY_LEAD_HEAD), False) in got
    assert (N(ZY_TRAINING), True) in got                    # the whole group's, inherited
    assert {r.district for r in answer.results} == {"张掖市"}
    assert {r.actor for r in answer.results} <= {"lead_school", "lead_school_staff", "group"}
    assert all(r.inherited is (r.actor == "group") for r in answer.results)
    assert not expect(ZY_EVALUATION, TJA_COURSES) & sentences(answer)


def test_lead_schools_of_tianjiaan(store):
    answer = ask(store, "田家庵区的牵头校有哪些职责？")
    got = {(r.context, r.actor, r.inherited) for r in answer.results}
    assert (N(TJA_CHARTER), "lead_school", False) in got
    assert (N(TJA_SHADOWING), "lead_school_staff", False) in got     # 牵头校学科教研组长…每学期
    assert {r.district for r in answer.results} == {"田家庵区"}
    assert not {r.actor for r in answer.results} - {"lead_school", "lead_school_staff", "group"}


def test_member_school_teachers_each_month(store):
    answer = ask(store, "What must teachers of member schools do each month?")
    f = answer.interpretation.filters
    assert f.actors == ["member_school_staff"] and f.periods == ["month"] and f.modalities == ["obligation"]
    assert sentences(answer) == expect(TJA_SHADOWING)
    assert answer.results[0].frequency_text == "每月≥1天"


def test_teachers_fall_back_to_school_staff(store):
    answer = ask(store, "教师每月要做什么？")
    assert sentences(answer) == expect(TJA_SHADOWING)
    assert any("lead school staff" in n.en for n in answer.interpretation.notes)


def test_member_schools_of_luohe_groups(store):
    answer = ask(store, "漯河市的集团有哪些成员学校")
    assert answer.interpretation.kind == "group"
    (group,) = answer.results
    assert group.lead_schools == ["市实验中学"]
    assert sorted(group.member_schools) == sorted(["西湖学校", "丹江路学校", "阴阳赵初中"])


def test_schools_of_a_named_group(store):
    (group,) = ask(store, "张掖中学教育集团有哪些学校？").results
    assert group.name == "张掖中学教育集团" and group.models == ["alliance"]
    assert group.lead_schools == ["张掖中学"] and sorted(group.member_schools) == ["市实验中学", "肃南一中"]


def test_groups_a_school_belongs_to(store):
    names = {r.name for r in ask(store, "市实验中学属于哪个集团？").results}
    assert names == {"张掖中学教育集团", "实验中学教育集团"}     # member in 张掖, lead in 漯河
    assert {r.name for r in ask(store, "Which group does 肃南一中 belong to?").results} == {"张掖中学教育集团"}


def test_alliance_groups_and_province(store):
    assert {r.name for r in ask(store, "哪些集团是联盟型？").results} == {"张掖中学教育集团"}
    assert {r.name for r in ask(store, "甘肃省有哪些集团").results} == {"张掖中学教育集团"}


def test_group_nouns_narrow_a_listing(store):
    assert {r.name for r in ask(store, "临县有哪些联盟校？").results} == {"南关小学联盟校"}
    assert {r.name for r in ask(store, "Which consortia exist?").results} == CONSORTIA
    assert ask(store, "Which groups does 宝塔区 have?").interpretation.kind == "group"   # "does": auxiliary


def test_council_question_without_district_reads_as_meetings(store):
    answer = ask(store, "集团理事会多久召开一次会议？")
    f = answer.interpretation.filters
    assert f.categories == ["meeting"] and f.frequency and not f.actors
    assert expect(ZY_MEETING, TJA_MONTHLY) <= sentences(answer)
    assert all(r.frequency or r.clause_frequency for r in answer.results)


def test_documents_requiring_legal_person_unchanged(store):
    answer = ask(store, "哪些文件要求法人资格不变")
    assert answer.interpretation.kind == "constraint"
    assert sentences(answer) == expect(ZY_UNCHANGED, LH_UNCHANGED)
    assert {r.district for r in answer.results} == {"张掖市", "漯河市"}
    assert all("legal_person_unchanged" in r.constraint_kinds for r in answer.results)


def test_constraints_of_a_group(store):
    (result,) = ask(store, "张掖中学教育集团有哪些不变的约束？").results
    assert result.sentence == N(ZY_UNCHANGED)
    assert set(result.constraint_kinds) == {"legal_person_unchanged", "affiliation_unchanged",
                                            "finance_unchanged", "assets_unchanged", "personnel_unchanged"}


def test_yearly_evaluations(store):
    answer = ask(store, "每年要开展哪些评估")
    f = answer.interpretation.filters
    assert f.periods == ["year"] and f.categories == ["evaluation"]
    assert expect(LX_INSPECTORATE, ZY_EVALUATION) <= sentences(answer)
    assert all(r.frequency["period"] in ("year", "school_year") and "evaluation" in r.categories
               for r in answer.results)


def test_inspectorate_each_year(store):
    answer = ask(store, "督导室每年做什么？")
    assert N(LX_INSPECTORATE) in sentences(answer)
    assert {r.actor for r in answer.results} <= {"inspectorate", "education_authority"}


def test_encouragements(store):
    answer = ask(store, "有哪些鼓励性条款？")
    assert N(TJA_BRIDGING) in sentences(answer)
    assert {r.modality for r in answer.results} == {"encouragement"}
    tja = ask(store, "What is encouraged in Tianjia'an?")
    assert {r.district for r in tja.results} == {"田家庵区"} and N(TJA_BRIDGING) in sentences(tja)


# --- no leaks ------------------------------------------------------------------------------------

def test_no_leak_across_districts_and_periods(store):
    answer = ask(store, "张掖市每学期要做什么？")
    assert sentences(answer) == expect(ZY_INSPECTION, ZY_TOPICS, ZY_TRAINING, ZY_QUALITY)
    monthly = ask(store, "成员校每月要做什么")
    assert sentences(monthly) == expect(TJA_SHADOWING)
    assert all(r.frequency["period"] == "month" for r in monthly.results)


def test_interpreted_but_nothing_matches(store):
    answer = ask(store, "张掖市每周要做什么？")
    assert answer.ok and answer.interpretation.understood
    assert answer.results == [] and answer.message == "no matching clauses"
    data = answer.to_dict()
    assert data["message"] == "no matching clauses" and data["interpretation"]["filters"]["periods"] == ["week"]


# --- questions that cannot be interpreted -----------------------------------------------------

@pytest.mark.parametrize("question", ["今天天气怎么样？", "What is the weather like?", "哪些", "   ",
                                      '" } ; DROP ALL #', "'> <x> <y> ."])
def test_uninterpretable_questions_say_so(store, question):
    answer = ask(store, question)
    assert not answer.ok and answer.results == []
    assert answer.error.code.startswith("PKB-ASK-")
    suggestions = answer.interpretation.suggestions
    assert "宝塔区" in suggestions["districts"] and suggestions["examples"]
    assert any("member school" in a for a in suggestions["actors"])
    with pytest.raises(InterpretationError):
        ask(store, question, raise_errors=True)
    assert answer.to_dict()["error"]["code"] == answer.error.code


@pytest.mark.parametrize("question", ["北京市有哪些教育集团？", "Which obligations apply to lead schools in Beijing?",
                                      "某某中学有哪些义务", "上海有哪些集团？", "宝塔区第九中学有哪些义务"])
def test_unknown_places_and_schools_are_not_answered_with_everything(store, question):
    answer = ask(store, question)
    assert answer.error is not None and answer.error.code == "PKB-ASK-UNKNOWN-NAME"
    assert "known districts" in answer.error.hint


def test_an_unknown_city_beside_a_known_district_is_ignored_with_a_note(store):
    answer = ask(store, "延安市宝塔区有哪些教育集团？")
    assert len(answer.results) == 11
    assert any("延安市" in note.zh for note in answer.interpretation.notes)


def test_injection_strings_are_harmless(store):
    before = store.triple_count()
    answer = ask(store, '宝塔区" } ; DROP ALL #有哪些教育集团')
    assert len(answer.results) == 11                       # read as words, never as SPARQL
    for question in ['" } ; DROP ALL #', "'> <x> <y> .", "DROP ALL", "} INSERT DATA { <a> <b> <c> }"]:
        assert not ask(store, question).results
    assert store.triple_count() == before


# --- interpretation objects and the cache --------------------------------------------------------

def test_interpretation_describes_itself(store):
    interpretation = interpret(store, "哪些义务适用于成员校？")
    assert "成员学校" in interpretation.describe("zh") and "继承" in interpretation.describe("zh")
    assert "member school" in interpretation.describe("en") and "inherited" in interpretation.describe("en")
    data = interpretation.to_dict()
    json.dumps(data, ensure_ascii=False)
    assert data["filters"]["actors"] == ["member_school"] and data["kind"] == "obligation"
    assert {"text": "成员校", "span": [7, 10]} == {k: data["matched"][-1][k] for k in ("text", "span")}


def test_results_serialize_with_the_contract_fields(store):
    for question in ("哪些义务适用于成员校？", "宝塔区有哪些教育集团？", "哪些文件要求法人资格不变"):
        data = ask(store, question).to_dict()
        line = json.dumps(data, ensure_ascii=False)
        assert json.loads(line)["question"] == question
        for result in data["results"]:
            for key in ("kind", "document", "district", "sentence", "span", "actor", "modality", "frequency",
                        "inherited", "name", "lead_schools", "member_schools"):
                assert key in result


def test_vocabulary_is_cached_per_store(store):
    assert vocabulary_for(store) is vocabulary_for(store)


def test_the_vocabulary_follows_a_writers_new_documents(tmp_path):
    from ingest.runner import ingest
    from kb.store import open_store

    with open_store(str(tmp_path / "kb")) as writer:
        ingest(writer, [str(SOURCE_DOCS / "zhangye-zhongxue-group-2024.txt")], workers=1)
        first = vocabulary_for(writer)
        assert vocabulary_for(writer) is first                     # cached while nothing changes
        assert interpret_with(first, "宝塔区的义务").filters.districts == []
        ingest(writer, [str(SOURCE_DOCS)], workers=1)
        again = vocabulary_for(writer)
        assert again is not first
        assert interpret_with(again, "宝塔区的义务").filters.districts != []


def test_longest_match_and_english_folding(store):
    vocabulary = vocabulary_for(store)
    assert interpret_with(vocabulary, "What must not be done?").filters.modalities == ["prohibition"]
    assert interpret_with(vocabulary, "TEACHERS OF MEMBER SCHOOLS").filters.actors == ["member_school_staff"]
    assert interpret_with(vocabulary, "张掖中学教育集团").filters.groups[0]["name"] == "张掖中学教育集团"
    assert english_key("Lead Schools") == english_key("lead school") == ("lead", "school")
    assert normalize("寶塔區？") == "宝塔区?"


# --- the command ---------------------------------------------------------------------------------

def test_cli_json_lines_and_exit_status(store_path):
    from typer.testing import CliRunner

    from kb.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["ask", "--store", str(store_path), "--format", "json",
                                 "张掖中学教育集团的联席会议多久召开一次？", "What is prohibited?"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [line["question"] for line in lines] == ["张掖中学教育集团的联席会议多久召开一次？", "What is prohibited?"]
    assert N(ZY_MEETING) in {r["context"] for r in lines[0]["results"]}
    assert lines[0]["results"][0]["kind"] == "obligation" and lines[0]["results"][0]["inherited"] is False

    bad = runner.invoke(app, ["ask", "--store", str(store_path), "--format", "json", "今天天气怎么样", "宝塔区有哪些教育集团？"])
    assert bad.exit_code == 1
    first, second = [json.loads(line) for line in bad.stdout.splitlines() if line.strip()]
    assert first["error"]["code"] == "PKB-ASK-NOT-UNDERSTOOD" and first["error"]["suggestions"]["districts"]
    assert len(second["results"]) == 11


def test_cli_table(store_path):
    from typer.testing import CliRunner

    from kb.cli import app

    result = CliRunner().invoke(app, ["ask", "--store", str(store_path), "张掖中学教育集团的联席会议多久召开一次？"],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "每月≥1次" in result.stdout and "张掖中学集团化办学工作方案" in result.stdout and "张掖市" in result.stdout
    empty = CliRunner().invoke(app, ["ask", "--store", str(store_path), "张掖市每周要做什么"])
    assert empty.exit_code == 0 and "no matching clauses" in empty.stdout
    unquoted = CliRunner().invoke(app, ["ask", "--store", str(store_path), "What", "is", "prohibited?"])
    assert unquoted.exit_code == 0 and "prohibition" in unquoted.stdout


def test_concurrent_first_questions_build_the_vocabulary_once(tmp_path, monkeypatch):
    """Callers arriving while the names of a store view are being read wait for that one build."""
    import threading

    from ingest.runner import ingest
    from kb.ask import store_vocabulary as vocab_module
    from kb.prepared import prepare_in_background
    from kb.store import open_store

    with open_store(str(tmp_path / "kb")) as writer:
        ingest(writer, [str(SOURCE_DOCS / "zhangye-zhongxue-group-2024.txt")], workers=1)
    builds = []
    real = vocab_module.load_terms
    monkeypatch.setattr(vocab_module, "load_terms", lambda store, **kw: builds.append(1) or real(store, **kw))
    with open_store(str(tmp_path / "kb"), read_only=True) as store:
        warming = prepare_in_background(store)
        results = []
        threads = [threading.Thread(target=lambda: results.append(vocabulary_for(store))) for _ in range(4)]
        for t in threads:
            t.start()
        for t in [warming, *threads]:
            t.join(timeout=60)
        assert len(results) == 4 and all(r is results[0] for r in results)
        assert len(builds) == 1
        assert interpret_with(results[0], "张掖中学教育集团").filters.groups[0]["name"] == "张掖中学教育集团"


def test_a_fresh_process_reads_the_saved_vocabulary_until_the_store_changes(tmp_path, monkeypatch):
    """The vocabulary built for a snapshot is saved beside the store; the next process (here: the
    in-memory cache emptied) reads it instead of reading every name, and answers alike; a new
    snapshot builds and saves its own, and the older file goes."""
    from ingest.runner import ingest
    from kb.ask import clear_cache
    from kb.ask import store_vocabulary as saved
    from kb.store import open_store

    with open_store(str(tmp_path / "kb")) as writer:
        ingest(writer, [str(SOURCE_DOCS / "zhangye-zhongxue-group-2024.txt")], workers=1)
    with open_store(str(tmp_path / "kb"), read_only=True) as store:
        built = vocabulary_for(store)
        files = list((tmp_path / "kb" / "cache").glob("vocabulary@*"))
        assert len(files) == 1
        clear_cache()
        monkeypatch.setattr(saved, "load_terms", lambda store, **kw: pytest.fail("built again instead of read"))
        read = vocabulary_for(store)
        assert read is not built and read.terms == built.terms
        assert (read.max_zh, read.max_en) == (built.max_zh, built.max_en)
        for table in ("zh", "en"):
            mine, theirs = getattr(read.index, table), getattr(built.index, table)
            assert set(mine) == set(theirs) and all(mine[k] == theirs[k] for k in theirs)
        question = "张掖中学教育集团的联席会议多久召开一次？"
        assert interpret_with(read, question).filters == interpret_with(built, question).filters
    monkeypatch.undo()
    with open_store(str(tmp_path / "kb")) as writer:
        ingest(writer, [str(SOURCE_DOCS)], workers=1)
    with open_store(str(tmp_path / "kb"), read_only=True) as store:
        assert interpret_with(vocabulary_for(store), "宝塔区的义务").filters.districts != []
        newer = list((tmp_path / "kb" / "cache").glob("vocabulary@*"))
        assert len(newer) == 1 and newer != files


def test_the_document_list_is_saved_for_the_next_process(tmp_path, monkeypatch):
    """The list of documents (what the app's shell and pages start from) is the ``documents``
    query's rows; a second process on the same snapshot reads it from the store's cache folder."""
    from ingest.runner import ingest
    from kb import document_list, queries
    from kb.store import open_store, view_cache

    with open_store(str(tmp_path / "kb")) as writer:
        ingest(writer, [str(SOURCE_DOCS)], workers=1)
    with open_store(str(tmp_path / "kb"), read_only=True) as store:
        first = document_list.documents(store)
        wanted = [{k: v if v is None or isinstance(v, int) else str(v) for k, v in r.items()}
                  for r in queries.run(store, "documents").rows]
        assert first == wanted and len(first) == len(list(SOURCE_DOCS.glob("*.txt")))
        assert list((tmp_path / "kb" / "cache").glob("documents@*"))
        view_cache.forget()
        real = queries.run
        monkeypatch.setattr(queries, "run", lambda store, name, **kw: pytest.fail("listed again") if name == "documents"
                            else real(store, name, **kw))
        assert document_list.documents(store) == first


def test_prepared_answers_are_computed_once_while_pages_ask_for_them(tmp_path, monkeypatch):
    """While the app's start prepares the answers of a store view, pages asking for the same
    answers (the document list, every rule tally) wait for that one computation and get its value."""
    import threading

    from ingest.runner import ingest
    from kb import document_list, queries, rule_tallies
    from kb.prepared import prepare_in_background
    from kb.store import open_store

    with open_store(str(tmp_path / "kb")) as writer:
        ingest(writer, [str(SOURCE_DOCS)], workers=1)
    assert not (tmp_path / "kb" / "cache").exists()      # nothing prepared yet
    calls: list[str] = []
    real = queries.run
    monkeypatch.setattr(queries, "run", lambda store, name, **kw: calls.append(name) or real(store, name, **kw))
    with open_store(str(tmp_path / "kb"), read_only=True) as store:
        warming = prepare_in_background(store)
        lists, tallies = [], []
        threads = [threading.Thread(target=lambda: lists.append(document_list.documents(store))) for _ in range(3)]
        threads += [threading.Thread(target=lambda: tallies.append(rule_tallies.every(store))) for _ in range(3)]
        for t in threads:
            t.start()
        for t in [warming, *threads]:
            t.join(timeout=120)
        assert len(lists) == 3 and all(x is lists[0] for x in lists) and len(lists[0]) == len(list(SOURCE_DOCS.glob("*.txt")))
        assert len(tallies) == 3 and all(x is tallies[0] for x in tallies)
    assert calls.count("documents") == 1 and calls.count("rule_tallies") == 1


def test_a_page_of_the_document_list_counts_groups_and_constraints_as_the_facts_do(store):
    """The groups and constraints the documents page shows per document, counted from the
    comparison tallies, equal the groups and constraints the graph states."""
    from collections import Counter

    from kb import queries
    from kb.document_list import part_counts

    docs = [str(r["graph"]) for r in queries.run(store, "documents").rows]
    counted = part_counts(store, docs)
    groups = Counter(str(r["doc"]) for r in queries.run(store, "scope_groups").rows)
    constraints = Counter(str(r["doc"]) for r in queries.run(store, "cmp_constraints").rows)
    assert counted == {d: {"groups": groups[d], "constraints": constraints[d]} for d in docs}
    assert sum(groups.values()) > 5 and sum(constraints.values()) > 5
    assert part_counts(store, []) == {}


# --- districts named by their city, every year covering every school year -----------------------

LH_SCHOOL_YEAR = "积极探索《市实验中学教育集团考核评估办法》,按学年度对各教育集团办学情况、实施过程及办学效果开展捆绑式评估,既要看集团的整体发展,也要看集团内每一所学校的进步。"


def test_every_year_also_finds_each_school_year(store):
    answer = ask(store, "每年要开展哪些评估")
    assert answer.interpretation.filters.periods == ["year"]        # as asked; the answer widens it
    assert N(LH_SCHOOL_YEAR) in sentences(answer)                     # 按学年度 is a year to the asker
    assert expect(LX_INSPECTORATE, ZY_EVALUATION) <= sentences(answer)
    assert {r.frequency["period"] for r in answer.results} <= {"year", "school_year"}
    assert any("每学年" in n.zh for n in answer.interpretation.notes)
    assert N(LH_SCHOOL_YEAR) in sentences(ask(store, "Which evaluations happen annually?"))


def test_a_school_year_question_stays_a_school_year(store):
    answer = ask(store, "每学年要开展哪些评估")
    assert answer.interpretation.filters.periods == ["school_year"]
    assert {r.frequency["period"] for r in answer.results} == {"school_year"}


@pytest.mark.parametrize("question", ["延安市有哪些教育集团？", "延安有哪些集团", "延安宝塔区有哪些教育集团",
                                      "陕西延安市有哪些教育集团"])
def test_a_city_stands_for_its_districts(store, question):
    answer = ask(store, question)
    assert answer.interpretation.filters.districts == ["宝塔区"]
    assert len(answer.results) == 11 and {r.district for r in answer.results} == {"宝塔区"}


def test_a_district_with_its_city_is_the_district(store):
    answer = ask(store, "淮南市田家庵区的理事会多久开一次会")
    assert answer.interpretation.filters.districts == ["田家庵区"]
    assert expect(TJA_MONTHLY) <= sentences(answer)
    assert any("田家庵区" in n.zh for n in answer.interpretation.notes)


def test_unknown_towns_are_not_answered_with_everything(store):
    answer = ask(store, "某某镇有哪些教育集团？")
    assert answer.error is not None and answer.error.code == "PKB-ASK-UNKNOWN-NAME"


def test_a_county_inside_a_city_wide_document(store):
    # no document governs 肃南县; the 张掖市 one names it (肃南县教育局, 肃南一中)
    answer = ask(store, "肃南县有哪些教育集团？")
    assert answer.ok and answer.interpretation.filters.districts == ["张掖市"]
    assert {r.name for r in answer.results} == {"张掖中学教育集团"}
    assert any("肃南县" in n.zh for n in answer.interpretation.notes)
    assert ask(store, "肃南县的成员学校要做什么？").results


@pytest.mark.parametrize("table", [
    {"宝塔区": 0, "宝塔": (0, 3), "延安宝塔区": 1, "𠀀字学校": 2, "a": 4, "": 5},
    {"张掖中学教育集团": (7, 1, 2)},
    {},
])
def test_a_packed_wording_table_answers_as_the_dict_it_was_packed_from(table):
    """Wordings (any script, astral characters too) keep their sense numbers and tuples when
    packed and read back; lookups of other wordings or of non-text keys find nothing."""
    import marshal

    from kb.ask.packed import PackedTable, pack

    packed = PackedTable(marshal.loads(marshal.dumps(pack(table))))
    assert len(packed) == len(table) and sorted(packed) == sorted(table)
    assert all(packed[key] == value for key, value in table.items())
    assert packed.longest == max(map(len, table), default=0)
    for missing in ("宝塔县", "宝", "张掖中学教育集团的", "z"):
        if missing not in table:
            assert missing not in packed and packed.get(missing) is None
            with pytest.raises(KeyError):
                packed[missing]
    assert ("宝塔",) not in packed and 0 not in packed


def test_a_packed_table_of_another_item_width_is_refused():
    """A table written with other array item sizes is refused (the vocabulary is then built
    again), never read wrongly."""
    from kb.ask.packed import PackedTable, pack

    width, *rest = pack({"宝塔区": 1})
    with pytest.raises(ValueError):
        PackedTable((8, *rest))


def test_the_collector_resumes_when_the_last_of_overlapping_pauses_ends():
    """Reading saved values pauses Python's cyclic collector; pauses from several threads overlap,
    and the collector comes back on only when the last one ends (and stays off if it was off)."""
    import gc
    import threading

    from kb.store.view_cache import collector_paused

    assert gc.isenabled()
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with collector_paused():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    with collector_paused():
        thread.start()
        assert inside.wait(10) and not gc.isenabled()
    assert not gc.isenabled()          # the other thread still reads
    release.set()
    thread.join(10)
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_values_of_a_view_the_store_moved_on_from_are_dropped(tmp_path):
    """What a reader kept for one snapshot goes once it reads a newer one (a re-ingested store's
    old vocabulary would otherwise stay in memory)."""
    from ingest.runner import ingest
    from kb.document_list import documents
    from kb.store import open_store, view_cache

    location = str(tmp_path / "kb")
    with open_store(location) as writer:
        ingest(writer, [str(SOURCE_DOCS / ZY)], workers=1)
    with open_store(location, read_only=True) as reader:
        vocabulary_for(reader), documents(reader)
        old = reader.state_token()
        assert {k[1] for k in view_cache._MEMORY if k[0] == location} == {old}
        with open_store(location) as writer:
            ingest(writer, [str(SOURCE_DOCS)], workers=1)
        reader.refresh(force=True)
        assert reader.state_token() != old and len(documents(reader)) > 1
        assert {k[1] for k in view_cache._MEMORY if k[0] == location} == {reader.state_token()}


def test_kept_values_are_left_out_of_full_collections_and_freed_when_dropped(store):
    """A value kept for a view is moved out of the collector's generations (a full collection does
    not traverse it again), and still freed once it is dropped."""
    import gc
    import weakref

    from kb.store import view_cache

    class Marker:
        pass

    value = view_cache.remembered(store, "test-frozen", "code", lambda: [Marker() for _ in range(100)],
                                  on_disk=False)
    tracked = {id(o) for o in gc.get_objects()}
    assert id(value) not in tracked and not any(id(m) in tracked for m in value)
    first = weakref.ref(value[0])
    del value
    view_cache.forget()
    assert first() is None


def test_a_districts_documents_come_from_the_document_list_once_it_is_held(store, monkeypatch):
    """An answer reads a district's documents from the document list when this process holds it
    (the app prepares it at start), and queries them when it does not, so that a one-off question
    does not load the whole list, once per district and store view; the answer (and a district's
    listing) is the same either way."""
    from kb import document_list, obligations, queries
    from kb.store import view_cache

    question = "张掖市的成员校有哪些义务？"
    view_cache.forget()
    calls: list[str] = []
    real = queries.run
    monkeypatch.setattr(queries, "run", lambda s, name, **kw: calls.append(name) or real(s, name, **kw))
    queried_rows = document_list.in_districts(store, ["张掖市", "宝塔区"])
    queried = ask(store, question)
    found = obligations.find(store, district="张掖市")
    # the two districts once, then 张掖市 once for the answer and the listing (kept for the view)
    assert calls.count("documents_in_district") == 2 and queried.results and found
    calls.clear()
    assert ask(store, question).results == queried.results and "documents_in_district" not in calls
    document_list.documents(store)
    calls.clear()
    listed = ask(store, question)
    assert obligations.find(store, district="张掖市") == found
    assert "documents_in_district" not in calls
    assert [r.to_dict() for r in listed.results] == [r.to_dict() for r in queried.results]
    rows = document_list.in_districts(store, ["张掖市", "宝塔区"])
    assert sorted((r["doc"], r["district"], r["title"]) for r in rows) == \
        sorted((r["doc"], r["district"], r.get("title")) for r in queried_rows)
