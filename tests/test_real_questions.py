"""`policykb ask` over ONE store holding the real documents of ../shared/realdocs/docs.

The questions are those a county officer asks — 某县的成员学校要做什么？, 某区有哪些教育集团？,
哪些地方实行学区制？, What must groups in X do every year? — in simplified and traditional Chinese
and in English, naming districts by their short form (雁塔, 莞城, 天宁), their full form with the
city (西安市雁塔区) or by the city that holds them (西安市, 钟祥市).

Expected values are quoted from the documents (in the normal form the store keeps: simplified,
half-width punctuation); `test_quotes_are_in_the_documents` checks each one against its file.
Where a question also depends on what extraction records (a group's name, a rule's actor), the
assertions below are those the question side controls: which district, document, actor and period
an answer is limited to.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from kb import queries
from kb.ask import ask

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT.parent / "shared" / "realdocs" / "docs"

pytestmark = pytest.mark.skipif(not DOCS.is_dir(), reason=f"the real documents are not at {DOCS} "
                                                          "(../shared/realdocs/docs beside the repository)")

YANTA, JINGNING, JIZHOU, XINCHENG, CHANGAN = ("01_xian-yanta.txt", "02_jingning.txt", "05_jian-jizhou.txt",
                                              "06_xian-xincheng.txt", "07_xian-changan.txt")
GUANCHENG, TIANFU, YUHANG, TIANNING = ("10_dongguan-guancheng.txt", "15_chengdu-tianfu.txt",
                                       "16_hangzhou-yuhang.txt", "18_changzhou-tianning.txt")
NANJING, GUANGZHOU, HAIDIAN, ZHEJIANG = ("25_nanjing.txt", "26_guangzhou-eval.txt", "28_beijing-haidian.txt",
                                         "30_zhejiang-prov-jiaogongti.txt")
SONGJIANG, HUJI = "32_shanghai-songjiang.txt", "33_zhongxiang-huji.txt"

# --- quotes of the documents (normalized: simplified, half-width punctuation) -------------------
YANTA_GROUP = "西安市航天中学教育集团"                      # 西安市雁塔区决定组建西安市航天中学教育集团
YANTA_DUTY = "西安市航天中学教育集团全面领导和指导各成员学校的教学管理"
XINCHENG_GROUP = "后宰门小学教育集团"                     # 先后组建了后宰门小学教育集团
XINCHENG_DUTY = "新知小学教育集团全面领导和指导成员学校的教学管理"   # the same duty, another district
JIZHOU_GROUPS = {"吉安八中教育集团", "吉安二中教育集团", "石阳小学教育集团"}
GUANCHENG_GROUPS = {"莞城中心小学教育集团", "莞城英文实验学校教育集团", "莞城步步高小学教育集团"}
TIANFU_LEAD = "天府中学"                                  # 成都天府中学教育集团 / 天府中学集团
YUHANG_GROUPS = {"杭州育才余杭教育集团", "杭州市余杭区未来教育集团"}
YUHANG_OPERATOR = "育才集团"                              # 直接参加育才集团教师培训: a private operator
HUJI_GROUP = "胡集镇小学教联体"                            # 钟祥市胡集镇小学教联体举行揭牌仪式
NANJING_MEMBER = "成员校退出后,不得继续使用集团总校相关校名"
NANJING_BUREAU = "严禁借集团化办学进行学区房炒作"            # the education bureau's, same document
SONGJIANG_MEMBER = "积极借鉴市区优质义务教育学校的办学经验和资源"
GUANGZHOU_YEARLY = "市属基础教育集团应每学年开展自评"
HAIDIAN_DISTRICTS = "学区制改革"                          # 海淀区将…启动学区制改革试点工作
JINGNING_DISTRICTS = "教育学区制管理改革"                  # 深化乡(镇)教育学区制管理改革
JINGNING_TRAINING = "加强学片区内学校和结对学校教师校本培训"
ZHEJIANG_COMMUNITY = "城乡教育共同体"

QUOTES = {YANTA: [YANTA_GROUP, YANTA_DUTY], XINCHENG: [XINCHENG_GROUP, XINCHENG_DUTY],
          JIZHOU: sorted(JIZHOU_GROUPS), GUANCHENG: sorted(GUANCHENG_GROUPS), TIANFU: [TIANFU_LEAD],
          YUHANG: sorted(YUHANG_GROUPS) + [YUHANG_OPERATOR], HUJI: [HUJI_GROUP, "钟祥市胡集镇"],
          NANJING: [NANJING_MEMBER, NANJING_BUREAU], SONGJIANG: [SONGJIANG_MEMBER],
          GUANGZHOU: [GUANGZHOU_YEARLY], HAIDIAN: [HAIDIAN_DISTRICTS], JINGNING: [JINGNING_DISTRICTS, JINGNING_TRAINING],
          ZHEJIANG: [ZHEJIANG_COMMUNITY], TIANNING: ["天宁区"]}


# --- the store ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """ONE store holding every real document (ingested once for this module)."""
    from ingest.runner import ingest
    from kb.ask import clear_cache
    from kb.store import open_store

    path = tmp_path_factory.mktemp("realdocs-store")
    with open_store(str(path)) as writable:
        summary = ingest(writable, [str(DOCS)], workers=1)
    assert not summary.errors, [r.error for r in summary.errors]
    clear_cache()
    with open_store(str(path), read_only=True) as opened:
        yield opened


@pytest.fixture(scope="module")
def docs(store) -> dict[str, dict]:
    """File name → {"doc": graph IRI, "district": as the store holds it}."""
    out = {}
    for row in queries.run(store, "document_metadata").rows:
        for source in str(row.get("sources") or "").split("\n"):
            out[Path(source).name] = {"doc": str(row["doc"]), "district": row.get("district") or ""}
    return out


def from_files(answer, docs) -> set[str]:
    """The files the answer's rows come from."""
    by_doc = {v["doc"]: name for name, v in docs.items()}
    return {by_doc.get(r.document, r.document) for r in answer.results}


def names(answer) -> set[str]:
    return {r.name for r in answer.results if r.name}


def has(answer, quote: str) -> bool:
    return any(quote in r.sentence for r in answer.results)


def test_quotes_are_in_the_documents():
    from ingest.normalize import normalize

    for name, quotes in QUOTES.items():
        text = normalize((DOCS / name).read_text(encoding="utf-8")).text
        for quote in quotes:
            assert quote in text, (name, quote)


# --- X区有哪些教育集团 ------------------------------------------------------------------------------

@pytest.mark.parametrize("question", ["雁塔区有哪些教育集团？", "雁塔有哪些教育集团", "西安市雁塔区有哪些教育集团？",
                                      "西安雁塔区有哪些集团", "雁塔區有哪些教育集團？",
                                      "Which education groups are there in Yanta District?"])
def test_groups_of_a_district_in_any_form(store, docs, question):
    answer = ask(store, question)
    assert answer.interpretation.kind == "group"
    assert answer.interpretation.filters.districts == [docs[YANTA]["district"]]
    assert YANTA_GROUP in names(answer)
    assert from_files(answer, docs) == {YANTA}
    assert XINCHENG_GROUP not in names(answer)                 # 新城区, the same city


@pytest.mark.parametrize("question", ["西安市有哪些教育集团？", "西安有哪些教育集团", "Which groups are in Xi'an?"])
def test_a_city_covers_its_districts(store, docs, question):
    answer = ask(store, question)
    assert {YANTA_GROUP, XINCHENG_GROUP} <= names(answer)
    assert from_files(answer, docs) <= {YANTA, XINCHENG, CHANGAN}
    assert not JIZHOU_GROUPS & names(answer)


@pytest.mark.parametrize("question,file,expected", [
    ("吉州区有哪些教育集团？", JIZHOU, JIZHOU_GROUPS),
    ("吉州有哪些集团", JIZHOU, JIZHOU_GROUPS),
    ("莞城有哪些教育集团？", GUANCHENG, GUANCHENG_GROUPS),          # 莞城街道
    ("東莞市莞城街道有哪些教育集團？", GUANCHENG, GUANCHENG_GROUPS),
])
def test_groups_of_districts_at_other_levels(store, docs, question, file, expected):
    answer = ask(store, question)
    assert answer.interpretation.filters.districts == [docs[file]["district"]]
    assert expected <= names(answer)
    assert from_files(answer, docs) == {file}


def test_a_new_area_named_without_its_city(store, docs):
    answer = ask(store, "天府新区有哪些教育集团？")                   # 四川天府新区成都直管区
    assert answer.interpretation.filters.districts == [docs[TIANFU]["district"]]
    assert from_files(answer, docs) == {TIANFU}
    assert any(TIANFU_LEAD in (r.name or "") + "".join(r.lead_schools) for r in answer.results)


def test_groups_of_a_district_leave_out_a_private_operator(store, docs):
    answer = ask(store, "余杭区有哪些教育集团？")
    assert answer.interpretation.filters.districts == [docs[YUHANG]["district"]]
    assert from_files(answer, docs) == {YUHANG}
    assert YUHANG_GROUPS <= names(answer)
    assert YANTA_GROUP not in names(answer) and YUHANG_OPERATOR not in names(answer)


def test_a_county_level_city_covers_its_towns(store, docs):
    for question in ("钟祥市有哪些教联体？", "钟祥有哪些教联体", "胡集有哪些教联体"):
        answer = ask(store, question)
        assert answer.interpretation.filters.districts == [docs[HUJI]["district"]], question
        assert from_files(answer, docs) <= {HUJI}


# --- 哪些地方实行学区制 / 有教联体 / 有教共体 ---------------------------------------------------------

@pytest.mark.parametrize("question", ["哪些地方实行学区制？", "哪些地方實行學區制？",
                                      "Where is the school district system in use?"])
def test_where_school_districts(store, docs, question):
    answer = ask(store, question)
    assert answer.interpretation.kind == "group" and answer.interpretation.filters.models == ["school_district"]
    files = from_files(answer, docs)
    assert {HAIDIAN, JINGNING} <= files
    assert JIZHOU not in files and YANTA not in files           # no 学区 in them
    haidian = [r for r in answer.results if r.document == docs[HAIDIAN]["doc"]]
    assert any("学区制" in r.sentence for r in haidian)


@pytest.mark.parametrize("question,file,word", [("哪些地方有教联体？", HUJI, "教联体"),
                                                ("哪些地方有教聯體？", HUJI, "教联体"),
                                                ("哪些地方有教共体？", ZHEJIANG, "共同体")])
def test_where_kinds_of_group(store, docs, question, file, word):
    answer = ask(store, question)
    assert answer.interpretation.kind == "group"
    assert file in from_files(answer, docs)
    rows = [r for r in answer.results if r.document == docs[file]["doc"]]
    assert any(word in (r.name or "") + r.sentence for r in rows)
    assert not {JIZHOU, YANTA, NANJING} & from_files(answer, docs)


# --- X的成员学校要做什么 ----------------------------------------------------------------------------

MEMBER_SIDE = {"member_school", "member_school_staff"}


@pytest.mark.parametrize("question", ["南京市的成员学校要做什么？", "南京的成员校有哪些义务", "南京市的成員學校要做什麼？",
                                      "What are the duties of member schools in Nanjing?"])
def test_member_school_duties_of_a_city(store, docs, question):
    answer = ask(store, question)
    f = answer.interpretation.filters
    assert f.actors == ["member_school"] and f.districts == [docs[NANJING]["district"]]
    assert from_files(answer, docs) == {NANJING}
    direct = [r for r in answer.results if not r.inherited]
    assert any(NANJING_MEMBER in r.context for r in direct)       # the sentence of the clause shown
    # member school and its staff directly, the whole group's duties as inherited: no other actor
    assert all(r.actor in MEMBER_SIDE for r in direct)
    assert all(r.actor == "group" for r in answer.results if r.inherited)
    assert not any(NANJING_BUREAU in r.sentence and r.actor == "education_authority" for r in answer.results)
    assert not has(answer, SONGJIANG_MEMBER)                   # another district's member schools


def test_member_school_duties_of_a_district(store, docs):
    answer = ask(store, "松江区的成员学校要做什么？")
    assert answer.interpretation.filters.districts == [docs[SONGJIANG]["district"]]
    assert from_files(answer, docs) <= {SONGJIANG}
    assert not has(answer, NANJING_MEMBER)
    assert all(r.actor in MEMBER_SIDE | {"group"} for r in answer.results)


@pytest.mark.parametrize("question", ["天宁的成员学校要做什么？", "常州市天宁区的成员学校要做什么？"])
def test_member_school_duties_named_by_short_and_full_forms(store, docs, question):
    answer = ask(store, question)
    assert answer.ok and answer.interpretation.filters.districts == [docs[TIANNING]["district"]]
    assert from_files(answer, docs) <= {TIANNING}


@pytest.mark.parametrize("question", ["雁塔区的教育集团要做什么？", "What must groups in Yanta do?"])
def test_a_districts_duty_not_its_neighbours(store, docs, question):
    answer = ask(store, question)
    assert has(answer, YANTA_DUTY)
    assert not has(answer, XINCHENG_DUTY)                      # the same duty in 新城区
    assert from_files(answer, docs) == {YANTA}


# --- every year, traditional script ------------------------------------------------------------

@pytest.mark.parametrize("question", ["What must groups in Guangzhou do every year?", "广州市的教育集团每年要做什么？",
                                      "廣州市的教育集團每年要做什麼？", "What do groups in Guangzhou do annually?"])
def test_each_year_covers_each_school_year(store, docs, question):
    answer = ask(store, question)
    f = answer.interpretation.filters
    assert f.actors == ["group"] and f.periods == ["year"]
    assert has(answer, GUANGZHOU_YEARLY)                       # 每学年 answers 每年
    assert from_files(answer, docs) == {GUANGZHOU}
    assert all(r.frequency and r.frequency["period"] in ("year", "school_year") for r in answer.results)
    assert not {r.actor for r in answer.results} & {"inspectorate", "education_authority"}


def test_traditional_question_gets_the_simplified_answer(store):
    def rows(question):
        answer = ask(store, question)
        return answer.interpretation.filters.to_dict(), {(r.document, r.span, r.actor) for r in answer.results}

    assert rows("哪些義務適用於成員校？") == rows("哪些义务适用于成员校？")
    assert rows("哪些地方實行學區制？") == rows("哪些地方实行学区制？")
    assert rows("雁塔區的教育集團要做什麼？") == rows("雁塔区的教育集团要做什么？")


@pytest.mark.parametrize("question", ["静宁县的成员学校要做什么？", "静宁的成员校要做什么",
                                      "What must member schools in Jingning County do?"])
def test_member_school_duties_of_a_county(store, docs, question):
    answer = ask(store, question)
    assert answer.interpretation.filters.actors == ["member_school"]
    assert answer.interpretation.filters.districts == [docs[JINGNING]["district"]]
    assert from_files(answer, docs) == {JINGNING}
    assert has(answer, JINGNING_TRAINING)                      # the whole group's, inherited
    assert all(r.actor in MEMBER_SIDE or (r.actor == "group" and r.inherited) for r in answer.results)
