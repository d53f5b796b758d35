"""School groups as news reports and notices write them (ingest/components/groups.py, schools.py).

Sentences are invented in the style of real reports; each runs through the real pipeline.
"""
from __future__ import annotations

import pytest

from ingest.components.schools import find_schools
from ingest.pipeline import annotate
from ingest.reader import SourceText
from ingest.school_names import expand, same_school


def groups_of(text: str) -> list[dict]:
    doc = annotate(SourceText("t.txt", text, "txt", "utf-8", ""))
    return [{"name": g._.name, "lead": list(g._.lead), "members": list(g._.members)}
            for g in doc.spans["groups"]]


def group_led_by(groups: list[dict], lead: str) -> dict:
    found = [g for g in groups if lead in g["lead"]]
    assert found, f"no group led by {lead}: {groups}"
    return found[0]


@pytest.mark.parametrize("text, lead, members", [
    # X教育集团由A、B、C等N所学校组成: the group's lead is one of the list
    ("梧桐市第九中学教育集团由梧桐市第九中学、梧桐市柳岸中学、梧桐市松林中学等3所学校组成。",
     "梧桐市第九中学", {"梧桐市柳岸中学", "梧桐市松林中学"}),
    # 由A、B、C组建成立X教育集团: the first school leads
    ("区教育局研究决定,由金穗小学、银杏路小学、碧水小学组建成立金穗小学教育集团。",
     "金穗小学", {"银杏路小学", "碧水小学"}),
    # A(小学部)加盟B教育集团
    ("全区举行蓝岭学校(小学部)加盟晨光小学教育集团揭牌仪式。", "晨光小学", {"蓝岭学校(小学部)"}),
    # X教育集团的A分校、B分校 / X教育集团Y分校
    ("领导来到晨光小学教育集团的东湖分校、西岭分校,见证签约。", "晨光小学", {"东湖分校", "西岭分校"}),
    ("新建晨光小学教育集团北苑分校(九年一贯制)。", "晨光小学", {"北苑分校"}),
    # A与B等N对…签订结对协议
    ("晨光小学与东湖小学等三对区级教育联合体分别签订了结对协议。", "晨光小学", {"东湖小学"}),
    # A会同B、C…共同体 / A正式与B、C组成…
    ("晨光小学会同东湖小学、西岭小学举行了三校联研共同体建设启动仪式。", "晨光小学", {"东湖小学", "西岭小学"}),
    ("这标志着晨光小学正式与东湖小学、西岭小学组成融合型教联体学校。", "晨光小学", {"东湖小学", "西岭小学"}),
    # X教育集团成员单位有/成员学校包含: …(筹)、…
    ("晨光小学教育集团成员学校包含:东湖小学(筹)、西岭小学(筹)、北苑幼儿园等三所学校。",
     "晨光小学", {"东湖小学", "西岭小学", "北苑幼儿园"}),
    # 以A为集团龙头校,原B更名为C,成为该教育集团成员校
    ("以晨光小学为集团龙头校,原东湖学校更名为晨光小学东湖分校,成为该教育集团成员校。",
     "晨光小学", {"晨光小学东湖分校"}),
    # 集团带领集团校A和B
    ("晨光小学教育集团带领集团校东湖小学和西岭小学,推进内涵发展。", "晨光小学", {"东湖小学", "西岭小学"}),
    # A为核心校,另设B、C、D三所成员校 / B、C等4所学校为成员校: the count after the list
    ("东城小学教联体以东城小学为核心校,另设河湾小学、东岭小学、西坡小学三所成员校。",
     "东城小学", {"河湾小学", "东岭小学", "西坡小学"}),
    ("实验中学教育集团以实验中学为牵头校,城南中学、城北中学等4所学校为成员校。", "实验中学", {"城南中学", "城北中学"}),
])
def test_members_as_reports_list_them(text, lead, members):
    g = group_led_by(groups_of(text), lead)
    assert set(g["members"]) == members


@pytest.mark.parametrize("text, leads", [
    ("全区分别以星河小学、明德中学为龙头组建教育集团。", ["星河小学", "明德中学"]),
    ("全区以星河小学、明德中学和启航小学等优质学校为核心校组建3个教育集团。",
     ["星河小学", "明德中学", "启航小学"]),
])
def test_several_leads_one_group_each(text, leads):
    groups = groups_of(text)
    for lead in leads:
        assert group_led_by(groups, lead)["members"] == []
    assert len(groups) == len(leads)


def test_group_named_by_a_short_name_of_its_lead():
    text = ("晨光路实验小学创办于1950年。\n"
            "据悉,新成立的晨光教育集团成员单位有:晨光路实验小学、东湖小学、西岭小学。")
    g = group_led_by(groups_of(text), "晨光路实验小学")
    assert set(g["members"]) == {"东湖小学", "西岭小学"}


def test_a_short_form_in_a_lead_role_is_the_school_it_stands_for():
    text = ("晨光路小学校长介绍了晨小作为核心校与成员单位东湖小学、西岭小学的运行情况。")
    g = group_led_by(groups_of(text), "晨光路小学")
    assert set(g["members"]) == {"东湖小学", "西岭小学"}


def test_a_list_of_group_names_gives_every_named_group():
    text = "组织对广州协和教育集团、广州东湖中学教育集团等2个市属基础教育集团进行了评估。"
    names = {g["name"] for g in groups_of(text)}
    assert {"广州协和教育集团", "广州东湖中学教育集团"} <= names
    assert not any("市属" in (n or "") for n in names)


@pytest.mark.parametrize("text", [
    "要充分发挥教育集团的引领作用,推进教育集团建设。",
    "各教育集团要按照要求开展自评,5个市属基础教育集团接受评估。",
    "实验教育集团和优质教育集团是本区的工作重点。",
    "新航教育科技集团有限公司投资兴办民办学校。",
    "我局收到某某教育集团有限公司来函。",
    "安徽某县义务教育集团授牌仪式举行,城乡成立了12个义务教育集团。",
])
def test_no_group_from_narration_or_companies(text):
    assert groups_of(text) == []


@pytest.mark.parametrize("text, name", [
    ("原东湖学校更名为成都高新七初天和学校。", "成都高新七初天和学校"),
    ("组建中和中学教育集团。", "中和中学"),
    ("成员单位有:北京市同文中学、北京市青松小学。", "北京市同文中学"),
    ("成员单位有:梧桐市师范学校附属小学。", "梧桐市师范学校附属小学"),
    ("由梧桐市新阳西路学校(初中部)参加。", "梧桐市新阳西路学校(初中部)"),
    ("晨光小学与西乡塘区那龙民族中学结对。", "西乡塘区那龙民族中学"),
    ("长安二中与长安十中等四对学校结对。", "长安十中"),
    ("吉安二中和吉安中专等学校参加。", "吉安中专"),
])
def test_school_names_as_written(text, name):
    assert name in [n for _, _, n in find_schools(text)]


@pytest.mark.parametrize("text, not_name", [
    ("家长和学校要加强沟通。", "家长和学校"),
    ("从组建大学区到建立紧凑型学校联盟。", "紧凑型学校"),
    ("这标志着晨光小学正式揭牌。", "标志着晨光小学"),
    ("集团内成员学校法人资格不变。", "内成员学校"),
])
def test_no_school_from_narration(text, not_name):
    assert not_name not in [n for _, _, n in find_schools(text)]


@pytest.mark.parametrize("a, b", [
    ("天府第七中学", "天府七中"),
    ("成都市第七中学初中学校", "成都七中初中学校"),
    ("银都紫藤初中", "成都高新区银都紫藤初中学校"),
    ("市三十三中学", "襄阳市第三十三中学"),
])
def test_spellings_of_one_school(a, b):
    assert same_school(a, b)


@pytest.mark.parametrize("short, names, full", [
    ("高升", ["高升实验小学", "物流港实验小学"], "高升实验小学"),
    ("景山远洋", ["北京景山学校远洋分校", "北京市同文中学"], "北京景山学校远洋分校"),
    ("静宁路", ["静宁路小学", "静宁路小学凤凰分校"], "静宁路小学"),
    ("实验", ["实验小学", "实验中学"], None),
])
def test_short_names_expand_to_one_school(short, names, full):
    assert expand(short, names) == full


@pytest.mark.parametrize("text, lead, members", [
    ("晨光小学、东湖小学、西岭小学等3所学校组成晨光教育集团。", "晨光小学", {"东湖小学", "西岭小学"}),
    ("晨光小学教育集团由晨光小学(本部)、东湖小学、西岭小学组成。", "晨光小学", {"东湖小学", "西岭小学"}),
])
def test_counted_lists_that_form_a_group(text, lead, members):
    g = group_led_by(groups_of(text), lead)
    assert set(g["members"]) == members


def test_a_list_that_forms_the_group_named_next():
    text = ("9月16日,由海湾小学、上林小学、兴云小学、晨光路小学(东校区、西校区)组成的晨光路小学教育集团正式签约。")
    groups = groups_of(text)
    assert len(groups) == 1
    assert groups[0]["lead"] == ["晨光路小学"]
    assert set(groups[0]["members"]) == {"海湾小学", "上林小学", "兴云小学"}


def test_two_leads_of_one_group_stay_one_group():
    groups = groups_of("以星河小学、明德中学为龙头学校组建1个教育集团。")
    assert len(groups) == 1


@pytest.mark.parametrize("text, lead, members", [
    ("晨光小学为集团牵头单位,东湖小学、西岭小学等2所学校为集团成员单位。", "晨光小学", {"东湖小学", "西岭小学"}),
    ("晨光小学、东湖小学等3所学校为核心学校组建3个教育集团。", "东湖小学", set()),
])
def test_roles_with_counts_and_units(text, lead, members):
    g = group_led_by(groups_of(text), lead)
    assert set(g["members"]) == members


def test_a_quoted_group_name():
    groups = groups_of("现场成立“景岚远洋”教育集团,集团下设梧桐市东湖小学、梧桐市西岭小学。")
    assert [g["name"] for g in groups] == ["景岚远洋教育集团"]
    assert set(groups[0]["members"]) == {"梧桐市东湖小学", "梧桐市西岭小学"}


def test_several_leads_each_leading():
    groups = groups_of("星河小学、明德中学分别牵头组建教育集团。")
    assert {tuple(g["lead"]) for g in groups} == {("星河小学",), ("明德中学",)}
