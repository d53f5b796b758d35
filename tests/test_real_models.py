"""Group models as news reports, notices and plans write them: which wordings name a model of the
scheme (document_models), which mentions are background (rejected, superseded, quoted), and when
education_group stands for "no other model named". Runs the real pipeline on short texts."""
from __future__ import annotations

import pytest

from ingest.components.models import rules
from ingest.pipeline import annotate
from ingest.reader import SourceText
from ontology import labels


def models_of(text: str) -> list[str]:
    return annotate(SourceText("t.txt", text, "txt", "utf-8", ""))._.document_models


ADOPTED = [
    # kinds counted in running text
    ("全县科学组建了3个“结对帮扶型”、5个“学区合作型”、4个“紧密一体型”义务教育集团。",
     {"helper_league", "cooperative", "school_district", "tight_knit"}),
    ("将集团化办学分为单一法人型、整体托管型和合作交流型3种模式。",
     {"full_integration", "entrusted_management", "cooperative"}),
    ("为每个紧密型学区、集团增加干部职数和教师编制。", {"tight_knit", "school_district"}),
    ("各地可采取紧密型、松散型两种方式组建集团。", {"tight_knit", "alliance"}),
    ("该区推行紧密型合作,成员校与牵头校统一管理。", {"tight_knit"}),
    ("通过“一长多校”、委托管理、兼并融合、结对提升等四种管理模式缩小校际差距。",
     {"tight_knit", "entrusted_management", "full_integration", "helper_league"}),
    # legal-person forms
    ("同一法人的集团成员校可使用集团总校分校校牌;非同一法人的集团成员校不得使用。",
     {"full_integration", "multi_legal_person"}),
    ("该集团实行一校多区管理,两个校区统一法人。", {"full_integration"}),
    ("各教育集团可采取多法人共同体、单法人均衡体两种模式。", {"multi_legal_person", "full_integration"}),
    # 教共体 and 教联体 of every kind are urban-rural communities
    ("全镇组建融合型教联体,实行以中心学校为核心的一体化办学。", {"urban_rural_community"}),
    ("确定新增融合型、共建型教育共同体名单,深化城乡教育共同体建设。", {"urban_rural_community"}),
    ("协作型教联体打造跨区域教研平台。", {"urban_rural_community"}),
    # groups that run across school stages
    ("鼓励有条件的集团延伸至全学段,开展大中小幼一体化的集团化办学改革试点。", {"junior_senior_consortium"}),
    ("整合资源创办一贯制集团化学校,打通各学段壁垒。", {"junior_senior_consortium"}),
    ("每个学区成为一所学段贯通、横向互补的大学校。", {"junior_senior_consortium"}),
    # entrusted management in its verbal forms
    ("由名校以托管、领办等方式带动薄弱学校发展。", {"entrusted_management"}),
    ("区政府将新建公办学校全部委托给师范大学实施教育教学管理。", {"entrusted_management"}),
    ("确认十五所学校为首批领办型学校。", {"entrusted_management"}),
    # school districts as an institution
    ("全面推行义务教育学区制管理改革。", {"school_district"}),
    ("建立乡镇学区管理委员会,统筹学区内学校管理。", {"school_district"}),
    # alliances
    ("在前期组建40个城区义务教育集团化联盟的基础上,今年再组建6个教育集团。", {"alliance"}),
    ("三所小学举行联研共同体揭牌仪式。", {"alliance"}),
    ("城区学校与乡村学校强弱结对,开展结对帮扶。", {"helper_league"}),
    # traditional script reposts
    ("科學組建了3個“結對幫扶型”、4個“緊密一體型”義務教育集團。", {"helper_league", "tight_knit"}),
]


@pytest.mark.parametrize("text,expected", ADOPTED)
def test_model_named_in_running_text(text, expected):
    found = set(models_of(text))
    assert expected <= found, (text, found)
    assert "education_group" not in found, found


NOT_ADOPTED = [
    # rejected or warned against
    ("集团化办学不搞一校多区,成员学校保持独立。", "full_integration"),
    ("集团内部管理要避免松散型。", "alliance"),
    ("集团化办学不是简单的托管。", "entrusted_management"),
    # superseded stages of a history
    ("从组建大学区到建立紧凑型学校联盟,再到升级为教育集团,三校携手共进。", "school_district"),
    ("从组建大学区到建立紧凑型学校联盟,再到升级为教育集团,三校携手共进。", "alliance"),
    ("集团由松散型联盟向紧密型集团转变。", "alliance"),
    # 学区 as a place, 学区房, services called 托管
    ("严禁借集团化办学进行学区房炒作。", "school_district"),
    ("学区长学校校长、各中小学校长参加会议。", "school_district"),
    ("学校开展暑期托管,解决家长接送难题。", "entrusted_management"),
    ("学校提供课后托管服务。", "entrusted_management"),
    # stage words that name no grouping
    ("中学和小学定期进行中小衔接专题研讨。", "junior_senior_consortium"),
    ("该校是一所九年一贯制学校。", "junior_senior_consortium"),
    ("加强初高中衔接教学研究。", "junior_senior_consortium"),
    # pairing inside a group, curriculum alliances, 融合型 alone
    ("构建课程联盟,共享优质课程。", "alliance"),
    ("融合型教联体内的结对学校互派教师。", "helper_league"),
    ("融合型教联体内的结对学校互派教师。", "full_integration"),
    # a quoted national document
    ("《关于深化教育体制机制改革的意见》提出试行学区化管理。", "school_district"),
]


@pytest.mark.parametrize("text,concept", NOT_ADOPTED)
def test_background_mention_is_not_a_model(text, concept):
    assert concept not in models_of(text), text


@pytest.mark.parametrize("text,expected", [
    # only 教育集团: the default model
    ("该县已组建5个教育集团,18所学校参与。", ["education_group"]),
    ("组建以实验小学为牵头校的教育集团。", ["education_group"]),
    # 教育集团 as one kind counted beside others
    ("全县组建2个初高中联合体、9个帮扶式联盟校、16个教育集团。",
     ["junior_senior_consortium", "helper_league", "education_group"]),
])
def test_education_group_only_when_no_other_model(text, expected):
    assert sorted(models_of(text)) == sorted(expected)


def test_specific_model_replaces_education_group():
    text = "以城区优质学校为依托,以结对帮扶为基本模式。目前已组建5个教育集团,18所学校参与。"
    assert models_of(text) == ["helper_league"]


def test_every_rule_names_a_scheme_concept():
    table = labels("model")
    concepts = {concept for _, concept, _ in rules().terms}
    assert concepts <= set(table), concepts - set(table)


def test_realdocs_quote_counts_each_kind():
    """Quoted from a county news report (realdocs 03)."""
    text = ("结合全县教育空间布局和资源特点,科学组建了3个“结对帮扶型”、5个“学区合作型”、"
            "4个“紧密一体型”义务教育集团。")
    assert set(models_of(text)) == {"helper_league", "cooperative", "school_district", "tight_knit"}


@pytest.mark.parametrize("text,expected", [
    ("全区组建3个紧密型义务教育集团。", "tight_knit"),
    ("两镇学校结成紧密型城乡教育共同体。", "tight_knit"),
    ("全市建立学区131个、教育集团95个、教育联盟47个。", "school_district"),
    ("全市建立学区131个、教育集团95个、教育联盟47个。", "education_group"),
])
def test_kinds_in_longer_wordings(text, expected):
    assert expected in models_of(text), text


@pytest.mark.parametrize("text", ["学生托管机构须具备消防条件。", "学校代收的资金托管于专户。",
                                  "该乡镇共划分为10个学区。"])
def test_no_model_from_services_or_areas(text):
    assert not set(models_of(text)) - {"education_group"}, text


def group_models_of(text: str) -> dict[str, list[str]]:
    doc = annotate(SourceText("t.txt", text, "txt", "utf-8", ""))
    return {g._.name or "/".join(g._.lead): sorted(g._.models) for g in doc.spans["groups"]}


PLAN = ("二、组建方式\n"
        "(一)紧密型教育集团。以青松路小学为牵头校,联合柳河小学、石桥小学组建青松路小学教育集团。\n"
        "(二)松散型学校联盟。以红星中学为牵头校,联合白沙中学组建红星中学教育集团。\n")


@pytest.mark.parametrize("text,name,expected", [
    (PLAN, "青松路小学教育集团", ["tight_knit"]),
    (PLAN, "红星中学教育集团", ["alliance"]),
    ("首批组建青松路小学教育集团(紧密型),由青松路小学牵头,成员校为柳河小学、石桥小学;"
     "组建红星中学教育集团(联盟型),由红星中学牵头,白沙中学加入。", "青松路小学教育集团", ["tight_knit"]),
    ("首批组建青松路小学教育集团(紧密型),由青松路小学牵头,成员校为柳河小学、石桥小学;"
     "组建红星中学教育集团(联盟型),由红星中学牵头,白沙中学加入。", "红星中学教育集团", ["alliance"]),
])
def test_group_takes_the_model_its_heading_or_bracket_states(text, name, expected):
    groups = group_models_of(text)
    assert groups.get(name) == expected, groups


def test_group_kind_of_another_group_in_the_sentence_is_not_added():
    text = ("组建了青松路小学初高中教育协同发展联合体、红星中学帮扶式联盟校等3个帮扶式联盟校、5个教育集团。")
    groups = group_models_of(text)
    assert len(groups) == 2, groups
    for name, models in groups.items():
        assert len(models) == 1, (name, models)


def test_vocational_education_alliance_is_not_the_alliance_model():
    assert "alliance" not in models_of("学校加入省职业教育联盟,共建实训基地。")


def test_group_takes_the_model_a_later_sentence_states_of_it():
    text = ("青松路小学与柳河小学、石桥小学组成青松路小学教育集团。"
            "据悉,青松路小学教育集团实行以单一法人为主的办学形式,人事、经费统一调配。")
    assert group_models_of(text).get("青松路小学教育集团") == ["full_integration"]


def test_group_takes_the_model_of_the_lead_in_to_its_list():
    text = ("一、组建方式\n全区组建两个初高中教育协同发展联合体,实行初高中一体化培养:\n"
            "(一)红星中学联合体。由红星中学牵头,白沙中学为成员学校。\n"
            "(二)青松中学联合体。由青松中学牵头,柳河中学为成员学校。\n")
    groups = group_models_of(text)
    named = {k: v for k, v in groups.items() if k.endswith("联合体")}
    assert named and all(v == ["junior_senior_consortium"] for v in named.values()), groups
