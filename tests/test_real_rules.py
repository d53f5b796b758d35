"""Duties as real plans and news reports state them: task lists without a modal word (推进…,
实现…共建共享), quotas (覆盖率达90%以上), plans narrated in news (方案明确,…; 将…) — and the
clauses that state no duty: narration of events and achievements, evaluations, purposes, site
boilerplate, quotes of other documents. Runs the real pipeline on short texts (quoted from the
real development set or written like it)."""
from __future__ import annotations

import pytest

from ingest.extensions import facts_of
from ingest.pipeline import annotate
from ingest.reader import SourceText


def duties(text: str) -> list[dict]:
    doc = annotate(SourceText("t.txt", text, "txt", "utf-8", ""))
    text_of = doc._.structure.text
    out = []
    for span in doc.spans.get("rules", []):
        facts = dict(facts_of(span))
        start, end = span._.exact
        facts["clause"] = text_of[start:end]
        out.append(facts)
    return out


def clauses_of(text: str) -> list[str]:
    return [d["clause"] for d in duties(text)]


def duty_with(text: str, words: str) -> dict | None:
    return next((d for d in duties(text) if words in d["clause"]), None)


# (text, words that must be in a duty of their own)
TASKS = [
    # a task list: each clause that opens with a verb is a duty of its own
    ("集团全面领导和指导各成员学校的教学管理,在发展规划、师资培养等方面实行一体化领导,"
     "实现优质教育资源的共建共享,推进集团内的规范化管理,加快提升各成员学校的教育质量。",
     ["全面领导和指导", "等方面实行一体化领导", "实现优质教育资源的共建共享", "推进集团内的规范化管理",
      "加快提升各成员学校的教育质量"]),
    ("聚焦片区内学校课程资源,整体规划片区内学校文化建设,加强结对学校教师校本培训,落实结对帮扶量化考核。",
     ["聚焦片区内学校课程资源", "整体规划片区内学校文化建设", "加强结对学校教师校本培训", "落实结对帮扶量化考核"]),
    # frames before the verb: 通过…, 在…方面, 与…, 以X为Y
    ("通过为每个紧密型集团增加干部职数、教师编制,用于支持教师的流动。", ["增加干部职数"]),
    ("以课程建设为撬动点,通过构建课程联盟,突破校际间文化壁垒。", ["通过构建课程联盟"]),
    ("以区域内一所优质学校为龙头,与区域内其他学校组建教育集团,制定共同的发展愿景。",
     ["与区域内其他学校组建教育集团", "制定共同的发展愿景"]),
    # a topic of its own before the predicate
    ("人事、经费、教学、考核评价实行一体化管理。", ["考核评价实行一体化管理"]),
    ("乡村学校、薄弱学校优先纳入优质教育集团、原则上新开办的学校统一纳入集团化管理。",
     ["乡村学校、薄弱学校优先纳入优质教育集团", "原则上新开办的学校统一纳入集团化管理"]),
    # intent: 力争, 著力, 将 — also right after narration
    ("三年内,力争培育组建更多的教育集团。", ["力争培育组建更多的教育集团"]),
    ("近日,某区组建了5个教育集团,著力扩大优质资源辐射引领作用。", ["著力扩大优质资源辐射引领作用"]),
    ("据区政府今天下午召开新闻发布会透露,该区将在三个街道启动学区制改革试点工作。", ["启动学区制改革试点工作"]),
    # a news report that narrates a plan's content
    ("四部门近日联合印发指导意见,明确到2025年,全省培育创建不少于100个优质教育集团,每个地市至少创建2个。",
     ["不少于100个", "每个地市至少创建2个"]),
    # two duties with a modal word each
    ("已使用的要逐步规范到位,新增加成员要严格按照上述要求执行。", ["新增加成员要严格按照上述要求执行"]),
    # the subject named by 由
    ("近年来,该区积极推进名校+工程,由名校以托管、领办等方式带动弱校发展。", ["由名校以托管、领办等方式带动弱校发展"]),
]


@pytest.mark.parametrize("text,expected", TASKS)
def test_tasks_without_modal_word_are_duties(text, expected):
    found = clauses_of(text)
    for words in expected:
        assert any(words in clause for clause in found), (words, found)


@pytest.mark.parametrize("text,expected", TASKS)
def test_each_task_is_a_statement_of_its_own(text, expected):
    found = clauses_of(text)
    holders = [next((i for i, c in enumerate(found) if w in c), None) for w in expected]
    assert len(set(holders)) == len(expected), (expected, found)


# (text, value, unit, comparator): a quota is a duty with its quantity and no frequency
QUOTAS = [
    ("到2025年,中心城区义务教育集团化办学覆盖率达90%以上。", 90, "percent", "min"),
    ("05、集团教师区内交流比例不低于15%", 15, "percent", "min"),
    ("原则上一个教育集团覆盖的学生数不超过1.5万人。", 15000, "person", "max"),
    ("每个地市至少创建2个省级优质特色教育集团。", 2, "item", "min"),
]


@pytest.mark.parametrize("text,value,unit,comparator", QUOTAS)
def test_quotas_are_duties_with_their_quantity(text, value, unit, comparator):
    found = duties(text)
    assert found, text
    assert found[-1]["quantity"] == {"value": value, "unit": unit, "comparator": comparator}
    assert found[-1]["frequency"] is None


# (text, words of the clause, period, min_count)
RECURRENCES = [
    ("松江本轮推出五所学校接受为期两年的委托管理。", "为期两年", "multi_year", None),
    ("骨干教师每学年跨校区交流比例不低于15%。", "交流比例", "school_year", 15),
]


@pytest.mark.parametrize("text,words,period,min_count", RECURRENCES)
def test_standing_and_share_periods(text, words, period, min_count):
    duty = duty_with(text, words)
    assert duty is not None and duty["frequency"] is not None, duties(text)
    assert (duty["frequency"]["period"], duty["frequency"]["min_count"]) == (period, min_count)


def test_a_share_with_no_value_is_no_recurrence():
    """A text cut off before the share (每年…比例原则上不低): no frequency."""
    for duty in duties("每年集团教育区内交流比例原则上不低"):
        assert duty["frequency"] is None


# sentences (or the clauses named) that state no duty
NO_DUTY = [
    # narration of events and achievements
    "本报讯(记者王某)12月14日,全市教育系统再度纳新,某中学教育集团成立。",
    "集团成立以来,先后开展联合教研50余次,培训教师300余人次。",
    "截至目前,全市普通高中集团化办学已经覆盖了8个县区21所中小学,集团规模正在逐步扩大。",
    "全区2087所中小学开展集团化办学,形成教育集团753个,实现乡村小规模学校全覆盖。",
    "该校以“阳光教育”为办学理念,以“队伍建设”为基础,以“课程建设”为核心。",
    "2022年3月7日,某教育集团与区教育局召开集团化办学座谈会。",
    "13日,某实验小学召开教育集团成立大会暨第一届理事会第一次会议。",
    "1297所中小学(幼儿园)校门防冲撞设施建设纳入自治区民生实事。",
    "常委、组织部部长代表区委、区政府,向教育集团的成立表示热烈的祝贺。",
    "黄冈市教联体内教师年均参与联合教研达42学时,较改革前增长3倍。",
    # evaluations and purposes
    "集团化办学是促进教育优质均衡发展的重要举措,是满足群众上好学需求的现实需要。",
    "开展结对帮扶活动是贯彻落实中央重大战略部署,整合城乡教育资源,促进城乡教育协调发展的重要措施。",
    "建好一所学校就能惠泽一方百姓,办好一批学校就能带动一方发展。",
    "为认真贯彻落实《国务院关于统筹推进城乡义务教育一体化改革发展的若干意见》,深化教育体制改革,"
    "充分发挥优质教育资源的引领作用,切实改善办学条件,特制定本方案。",
    "市教育局直属学校实行集团化办学是市委、市政府明确的工作任务,有利于充分发挥名校品牌效应,强化示范引领,推动集团成员校协同发展。",
    "如何持续深化基础教育改革,充分发挥优质资源优势,是我们面临的课题。",
    # quotes of other documents and site boilerplate
    "《关于深化教育体制机制改革的意见》明确提出,要探索集团化办学。",
    "查看原文 登录 版权所有 打印本页 关闭窗口",
    "发布日期:2021-03-23 实施日期:2021.03.23",
]


@pytest.mark.parametrize("text", NO_DUTY)
def test_clauses_that_state_no_duty(text):
    assert duties(text) == [], clauses_of(text)


def test_narration_ends_at_a_clause_of_its_own():
    """After 近年来/组建了…, the narration goes on until a clause with a subject, a modal word or
    an intent of its own."""
    text = "近年来,该区探索跨体制办学,积极推进名校+工程,借助优质学校的品牌优势,由名校带动弱校发展。"
    found = clauses_of(text)
    assert not any("积极推进" in c or "借助" in c for c in found), found
    assert any("由名校带动弱校发展" in c for c in found), found


def test_manner_stays_with_its_task():
    """以X为Y before a task names its manner: one statement, whose clauses hold both."""
    found = clauses_of("以课程建设为撬动点,通过构建课程联盟,突破校际间文化壁垒。")
    assert any("以课程建设为撬动点" in c and "通过构建课程联盟" in c for c in found), found


# (text, words of the statement's clauses, words that must not be in them): two rules of two
# actors in one sentence are two statements, each over the clauses that state it
STATEMENTS = [
    ("成员校学科教师每月到牵头校跟班听课不少于1天,牵头校学科教研组长每学期到成员校指导教研工作不少于2次。",
     "每月到牵头校跟班听课", "指导教研工作"),
    ("成员校学科教师每月到牵头校跟班听课不少于1天,牵头校学科教研组长每学期到成员校指导教研工作不少于2次。",
     "每学期到成员校指导教研工作", "跟班听课"),
]


@pytest.mark.parametrize("text,words,other", STATEMENTS)
def test_a_statement_spans_its_own_clauses(text, words, other):
    duty = duty_with(text, words)
    assert duty is not None and other not in duty["clause"], duties(text)


@pytest.mark.parametrize("text,actor", [
    ("成员校学科教师每月到牵头校跟班听课不少于1天。", "member_school_staff"),
    ("牵头校学科教研组长每学期到成员校指导教研工作不少于2次。", "lead_school_staff"),
    ("集团每学期到成员校指导教研工作不少于2次,对成员校开展帮扶。", "group"),
])
def test_destination_or_beneficiary_is_no_actor(text, actor):
    found = duties(text)
    assert found and found[0]["actor"] == actor, found


def test_purpose_of_a_task_is_no_duty_of_its_own():
    """为+verb names an aim: the clauses that continue it are no duties; the task after them is."""
    text = "为扩大优质资源覆盖面,促进教育均衡,各地要以优质学校为龙头组建教育集团。"
    found = clauses_of(text)
    assert not any(c.startswith(("为扩大", "促进教育均衡")) for c in found), found
    assert any("组建教育集团" in c for c in found), found


@pytest.mark.parametrize("text,modality", [
    ("鼓励集团内各成员校独立成为新的集团化办学主体,探索育人方式改革创新。", "encouragement"),
    ("希望各集团珍惜荣誉,进一步完善内部管理机制。", "obligation"),     # 希望 is no encouragement word of the contract
    ("通过为每个集团增加教师编制,用于支持鼓励教师的流动。", "obligation"),
])
def test_modality_of_continuations(text, modality):
    found = duties(text)
    assert found and all(d["modality"] == modality for d in found), found


@pytest.mark.parametrize("text,actor", [
    ("某某中学教育集团全面领导和指导各成员学校的教学管理。", "group"),
    ("县教育主管部门要对学片区内学校办学规模进行深入调查研究。", "education_authority"),
])
def test_actor_of_plain_tasks(text, actor):
    found = duties(text)
    assert found and found[0]["actor"] == actor, found


@pytest.mark.parametrize("text,kind", [
    ("在招生政策、划片范围不变的前提下,组建5个教育集团。", "enrollment_unchanged"),
    ("各小学义务教育责任区域保持不变,适当调整片内中学招生范围。", "enrollment_unchanged"),
    ("在保证学校国有公办性质、与政府隶属关系不变的前提下实行托管。", "affiliation_unchanged"),
])
def test_catchment_areas_are_enrollment(text, kind):
    doc = annotate(SourceText("t.txt", text, "txt", "utf-8", ""))
    kinds = {span._.kind for span in doc.spans.get("constraints", [])}
    assert kind in kinds and (kind != "enrollment_unchanged" or "other" not in kinds), kinds


# --------------------------------------------------------------------------- no duty: questions, national quotes, hearsay, frames

@pytest.mark.parametrize("text", [
    "集团化办学从“挂牌子”转向“要质量”，教育管理部门该怎么做？",
    "政府在推进集团化办学中的责任应该是什么？",
    "党的二十大报告明确提出，要加快建设高质量教育体系，促进教育公平。",
    "总书记强调，要办好人民满意的教育。",
    "一位家长笑称，学校要搬，房子要涨，孩子要转。",
    "在区教育局的统筹安排、具体指导下，成立了实验小学教育集团。",
])
def test_sentences_that_state_no_duty_give_no_rule(text):
    assert duties("某区教育集团动态\n\n" + text + "\n") == []


@pytest.mark.parametrize("text, actor", [
    ("1、总校派遣两名骨干教师到分校任教一年。", "lead_school"),
    ("成员学校每学期委派一名教研组长到牵头学校跟岗。", "member_school"),
    ("新入职教师以集团名义统一招聘。", "group"),          # the group hires, in its own name
])
def test_sending_and_hiring_people_is_a_duty(text, actor):
    assert [d["actor"] for d in duties("某教育集团工作计划\n\n" + text + "\n")] == [actor]


def test_a_quota_for_each_of_several_is_a_duty_each():
    text = "到2025年,市直属学校培育优质教育集团5-6个,甲区、乙区各培育优质教育集团8-10个,丙区各培育优质教育集团3-4个。"
    quantities = [d["quantity"]["value"] for d in duties(text)]
    assert quantities == [5, 8, 3]
