"""Numerals, recurrence and amounts, and modality: many phrasings, one expectation each."""
from __future__ import annotations

import pytest

from ingest.components.statements import clause_modality
from ingest.frequency import frequency_of, scan
from ingest.numerals import parse_int, parse_number


@pytest.mark.parametrize("text, value", [
    ("1", 1), ("12", 12), ("1.5", 1.5), ("一", 1), ("两", 2), ("二", 2), ("十", 10), ("十二", 12),
    ("二十", 20), ("二十五", 25), ("一百", 100), ("一百零五", 105), ("三千", 3000), ("半", 0.5),
    ("百分之五", 5), ("5%", 5), ("〇", 0),
])
def test_numbers(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "次", "学期", "abc"])
def test_not_numbers(text):
    assert parse_number(text) is None


def test_parse_int_refuses_fractions():
    assert parse_int("1.5") is None and parse_int("两") == 2


def frequency(text: str):
    """The (frequency, quantity) of a clause read on its own."""
    mentions = scan(text)
    period = next((m for m in mentions if m.kind in ("period", "unspecified")), None)
    counts = [m for m in mentions if m.kind in ("count", "vague")]
    return frequency_of(period, counts)


@pytest.mark.parametrize("text, period, low, high, unit", [
    ("每月至少召开1次", "month", 1, None, "time"),
    ("每月至少召开一次", "month", 1, None, "time"),
    ("每个月不少于两次", "month", 2, None, "time"),
    ("每月由理事长组织召开一次工作例会", "month", 1, 1, "time"),
    ("每学期至少组织1次教学常规视导", "semester", 1, None, "time"),
    ("每学期确定1-2个主题", "semester", 1, 2, "topic"),
    ("每学期确定一至两个专题", "semester", 1, 2, "topic"),
    ("每学年不少于两次组织开放日活动", "school_year", 2, None, "time"),
    ("每学年开学前召集会商", "school_year", None, None, "time"),
    ("按学年对教育集团开展捆绑式评估", "school_year", None, None, "time"),
    ("每年选派1-2名管理人员", "year", 1, 2, "person"),
    ("每年至少选派3名骨干教师", "year", 3, None, "person"),
    ("每年12月进行全面评估", "year", None, None, "time"),
    ("组织开展年度评估工作", "year", None, None, "time"),
    ("每年选派一定数量的优秀教师", "year", None, None, "person"),
    ("每周开展一次集体备课", "week", 1, 1, "time"),
    ("每两周开展一次联合教研", "month", 2, 2, "time"),
    ("每季度召开一次会议", "year", 4, 4, "time"),
    ("每天不超过一小时", "day", None, None, "time"),
    ("跟班听课每月不少于1天", "month", 1, None, "day"),
    ("每学期到成员校指导不少于2次", "semester", 2, None, "time"),
    ("每学期每科目至少开展2次培训", "semester", 2, None, "time"),
    ("每学期不得少于三次", "semester", 3, None, "time"),
    ("每学年跨校区交流比例不低于15%", "school_year", 15, None, "percent"),
    ("集团运行周期为三年", "multi_year", None, None, "time"),
    ("每两年开展一次第三方评估", "multi_year", 1, 1, "time"),
    ("副主任聘期一年", "term_of_office", None, None, "time"),
    ("每个任期内至少组织一次评估", "term_of_office", 1, None, "time"),
    ("定期研究解决难点问题", "unspecified", None, None, "time"),
    ("常态化开展联校教研", "unspecified", None, None, "time"),
    ("适时召开有关会议", "unspecified", None, None, "time"),
])
def test_frequencies(text, period, low, high, unit):
    freq, _ = frequency(text)
    assert freq == {"period": period, "min_count": low, "max_count": high, "unit": unit}


@pytest.mark.parametrize("text", [
    "到2025年,用3年时间将加盟学校办成好学校",      # a deadline
    "完善教育集团三年行动规划",                     # a plan horizon
    "要在年度公用经费预算体现安排教师培训经费",      # 年度 qualifies a budget
    "8月份集团正式运行",                            # a date
    "已完成年度目标任务",
    "第一次全体会议审议通过",
    "遇特殊情况可随时召开",
    "每个机构设主任一名",
    "每一所学校都要办好",
])
def test_no_recurrence(text):
    freq, _ = frequency(text)
    assert freq is None


@pytest.mark.parametrize("text, quantity", [
    ("原则上牵头校每学年选派5%左右的优秀教师", {"value": 5, "unit": "percent", "comparator": "approx"}),
    ("交流比例原则上为百分之十左右", {"value": 10, "unit": "percent", "comparator": "approx"}),
    ("原则上互派管理干部1-2名", {"value": 1, "unit": "person", "comparator": "min"}),
    ("设总校长1名", {"value": 1, "unit": "person", "comparator": "eq"}),
    ("不超过5名", {"value": 5, "unit": "person", "comparator": "max"}),
])
def test_quantities(text, quantity):
    _, q = frequency(text)
    assert q == quantity


def test_approximate_percentage_with_a_period_keeps_counts_null():
    freq, q = frequency("原则上牵头校每学年选派5%左右的优秀教师")
    assert freq == {"period": "school_year", "min_count": None, "max_count": None, "unit": "percent"}
    assert q["comparator"] == "approx"


def tokens(text: str) -> list[tuple[int, str]]:
    import jieba

    from ingest.segmenter import setup

    setup()
    out, pos = [], 0
    for word in jieba.cut(text):
        out.append((pos, word))
        pos += len(word)
    return out


@pytest.mark.parametrize("text, modality", [
    ("各教育集团应制定集团总章程", "obligation"),
    ("教育集团要采取有力措施", "obligation"),
    ("集团牵头校负责制定集团章程", "obligation"),
    ("必须坚持公益性", "obligation"),
    ("不得随意变动学生的就读学校", "prohibition"),
    ("严禁以集团名义收费", "prohibition"),
    ("禁止有偿补课", "prohibition"),
    ("不搞“一刀切”", "prohibition"),
    ("反对“两张皮”", "prohibition"),
    ("遇特殊情况可随时召开", "permission"),
    ("可以统筹安排在各集团成员校", "permission"),
    ("允许成员校自主安排", "permission"),
    ("鼓励联合开展学生活动", "encouragement"),
    ("原则上互派管理干部1-2名", "encouragement"),
    ("倡导教师跨校交流", "encouragement"),
    ("支持各校特色发展", "encouragement"),
])
def test_modalities(text, modality):
    assert clause_modality(text, tokens(text)) == modality


@pytest.mark.parametrize("text", [
    "实现可持续发展",                # 可持续 is one word
    "得到社会认可",                  # 认可
    "这是一项重要工作",              # 重要
    "根据集团建设需要",              # 需要 as a noun
    "每学期不得少于三次",            # a minimum, not a prohibition
])
def test_no_modality_marker(text):
    assert clause_modality(text, tokens(text)) in (None, "obligation") and \
        clause_modality(text, tokens(text)) != "prohibition"
