"""Title and district of real-world pages: the area a text governs at its own level (街道/镇/乡,
新区/高新区/开发区, a province-level notice, a city plan naming many districts) and a headline
found past the page furniture. Every case runs the real pipeline."""
from __future__ import annotations

import pytest

from ingest import gazetteer
from ingest.pipeline import annotate
from ingest.reader import SourceText


def _doc(text: str):
    return annotate(SourceText("t.txt", text, "txt", "utf-8", ""))


def _meta(text: str) -> tuple:
    doc = _doc(text)
    return doc._.metadata["title"], doc._.district, doc._.province


@pytest.mark.parametrize("text, district, province", [
    # a town or street named after its county or city, then on its own: the town
    ("昨天,佛山市九江镇三个教育集团集中揭牌。九江镇党委副书记介绍了九江镇集团化办学的情况,"
     "九江镇将以龙头学校带动成员学校。", "九江镇", "广东省"),
    ("上午,宜昌市点军街道教育集团成立。点军街道办事处要求各成员校每学期召开一次联席会议。"
     "点军街道集团化办学由此起步。", "点军街道", "湖北省"),
    # a zone named by its city's short form, a zone with a bare core and its organ
    ("近日,西安高新区组建了四个教育集团。西安高新区教育局要求集团每月召开一次例会,"
     "西安高新区各学校全部纳入集团。", "西安高新区", "陕西省"),
    ("滨海新区教育体育局印发方案,滨海新区将组建十个教育集团。", "滨海新区", None),
    # the zone's longest written form when it holds a directly administered area
    ("近日,贵州贵安新区贵阳直管区教育系统召开大会,宣布成立三个教育集团。贵安新区第一小学、"
     "贵安新区第二小学为成员校。", "贵州贵安新区贵阳直管区", None),
    # a county outweighs a zone mentioned once
    ("为加快绵阳高新区建设,涪城区投资新建学校。涪城区实施集团化办学以来,涪城区学校办学水平提高。",
     "涪城区", "四川省"),
])
def test_district_below_county_level(text, district, province):
    _, got, prov = _meta(text)
    assert got == district
    if province:
        assert prov == province


@pytest.mark.parametrize("text, district", [
    # a province-level notice: its issuer, or the province in the headline
    ("湖北到2025年建成200个县域教联体\n\n来源:某某报 2024-01-02 10:00\n\n\n"
     "据报道,湖北省教育厅等四部门近日联合印发意见,全省各地要统筹推进教联体建设。", "湖北省"),
    ("江西省教育厅办公室关于做好集团化办学评估工作的通知\n各设区市教育局:\n"
     "请南昌市、九江市、赣州市等地按要求报送材料。", "江西省"),
    # a city plan listing many of its districts is the city's, not one district's
    ("南宁发文推进义务教育集团化办学\n南宁市教育局近日印发方案。到2025年,青秀区、兴宁区、"
     "江南区、西乡塘区集团化办学覆盖率达90%以上。", "南宁市"),
    ("到2025年,长沙市芙蓉区、天心区、开福区、雨花区义务教育集团化办学覆盖率达90%以上。", "长沙市"),
    # the city never named, three or more of its districts by their short names only: the city
    ("到2025年,福田、罗湖、宝安、龙岗各培育优质教育集团3个,坪山、龙华各培育2个。\n原则上新建公办学校全部纳入集团化管理。",
     "深圳市"),
    # two counties in a headline: the one the text names more
    ("武侯区某小学将托管金堂县某学校 成都市试点学校托管\n昨日,武侯区教育局同金堂县教育局签约,"
     "金堂县某学校由武侯区某小学托管,金堂县教育局负责保障。", "金堂县"),
    # a province in the headline that a city's paper reports on: the city
    ("第三批广东省优质教育集团名单公示\n本报讯 广东省教育厅公示名单,我市5个集团入选。"
     "佛山市第一中学教育集团、佛山市实验学校教育集团、佛山市南海中学教育集团入选。", "佛山市"),
])
def test_district_level_of_the_text(text, district):
    assert _meta(text)[1] == district


def test_short_forms_that_are_common_words_name_no_area():
    # 资源 and 合作 are also short forms of a county and a city: not when they are words
    text = "各学校要加强合作,实现优质资源共享,推动集团化办学。合作学校要共享资源。"
    assert _meta(text)[1] is None


def test_city_known_only_by_short_form_in_group_names():
    text = ("受市教育局委托,对福州一中教育集团、福州三中教育集团、福州八中教育集团进行评估。"
            "市属教育集团应每学年开展自评。")
    assert _meta(text)[1] == "福州市"


def test_traditional_input_gives_simplified_town():
    text = "昨天,佛山市九江鎮教育集團成立。九江鎮黨委要求各成員學校每學期召開一次會議。九江鎮教育由此起步。"
    doc = _doc(text)
    assert doc._.district == "九江镇"
    assert doc._.normalized.script == "traditional"


@pytest.mark.parametrize("text, title", [
    # furniture lines before the headline: site logo, login prompt, newspaper and page lines
    ("澎湃Logo\n下载客户端\n登录\n速看!某区新组建六个教育集团\n2021-02-26 19:07\n"
     "本报讯 某区近日组建教育集团。", "速看!某区新组建六个教育集团"),
    ("第C3版:教育·人才 上一版3 4下一版\n标题导航\n某区开展集团化办学绩效评估\n"
     "在前期调研的基础上,某区开展评估。", "某区开展集团化办学绩效评估"),
    ("1.首页\n2.教育资讯\n某某小学教育集团正式挂牌成立\n12月8日,某某小学教育集团挂牌。",
     "某某小学教育集团正式挂牌成立"),
    # a headline kept apart from its dateline and lead paragraph
    ("为扩大优质教育资源覆盖面 某省建百个优质特色教育集团\n\n来源:某某报 2020-08-25 06:05\n\n\n"
     "据新华社电 记者从某省教育厅获悉,为扩大优质教育资源覆盖面和受益面,某省联合发布意见。",
     "为扩大优质教育资源覆盖面某省建百个优质特色教育集团"),
    # a newspaper's name framing the headline
    ("【某某日报】某小学教育集团新校区揭牌启用\n来源: 某某日报 | 发布日期: 2024-08-23 15:50\n"
     "8月21日上午,某小学教育集团新校区揭牌启用。", "某小学教育集团新校区揭牌启用"),
    # a headline whose last words stand on a line of their own
    ("3月12日-13日\n某区举行基础教育集团化办学签约\n揭牌仪式\n区领导出席仪式并揭牌。",
     "某区举行基础教育集团化办学签约揭牌仪式"),
    # a flattened page: issuer, date, title and body on one line
    ("某县人民政府办公室2023年8月11日某县推进集团化办学促进教育均衡发展的实施意见为加快建设教育强县,"
     "现提出如下意见。", "某县推进集团化办学促进教育均衡发展的实施意见"),
    # a notice line broken in two
    ("某市教育局关于印发\n《直属学校合作办学管理办法》的通知\n各区教育局:\n现印发给你们。",
     "直属学校合作办学管理办法"),
])
def test_title_past_page_furniture(text, title):
    assert _meta(text)[0] == title


@pytest.mark.parametrize("text", [
    "当前报纸名称:某某日报\n日期:02-27\n版面:05要闻\n本报讯 日前,某区六个教育集团正式揭牌成立。",
    "(资料图)\n某某报道 8月14日上午,某小学教联体各成员学校举行揭牌仪式。",
    "□张三李四\n加快义务教育优质均衡发展是明确要求。某省正在推进县域教联体建设。",
    "第一章总则\n(说明:本章内容可直接参照起草。)\n第一条 为规范集团管理,制定本章程。",
])
def test_no_furniture_or_body_as_title(text):
    assert _meta(text)[0] is None


def test_flattened_line_gives_issuer():
    doc = _doc("某县人民政府办公室2023年8月11日某县推进集团化办学的实施意见为加快建设教育强县,现提出如下意见。")
    assert doc._.metadata["issuer"] == "某县人民政府办公室"


def test_area_rules_are_generic():
    # the level rules are suffixes, never names of the division table
    from ingest.gazetteer import AREAS_FILE
    text = AREAS_FILE.read_text(encoding="utf-8")
    names = [n for n in gazetteer.areas() if len(n) >= 3 and n not in gazetteer.COMMON_WORDS]
    assert not [n for n in names if n in text]


def test_province_wide_report_without_its_name_in_the_headline():
    text = ("□某某\n推进县域教联体建设是明确要求。湖北正在推进的教联体建设改革,通过组织形态变革激活"
            "教育要素。襄阳一所高中统筹管理。全省教联体内教师交流比例不断提升。十堰市郧阳区、"
            "咸宁市、荆门市都有实践。湖北将继续推进。")
    assert _meta(text)[1] == "湖北省"


def test_city_paper_on_a_province_list_is_not_province_wide():
    text = ("本报讯 广东省教育厅公示第三批广东省优质基础教育集团培育对象名单,我市共有3个集团入选。"
            "全省共有60个集团入选。广东省将加强培育。根据名单,佛山市第一中学教育集团入选。")
    assert _meta(text)[1] != "广东省"


def test_ambiguous_county_placed_by_a_city_short_form():
    # 城关区 is in two provinces: a city's short form elsewhere in the text settles it
    text = "速看!城关区新组建六个教育集团\n城关区教育局近日组建教育集团。城关区各校加入。文丨兰州晨报记者"
    assert _meta(text)[1:] == ("城关区", "甘肃省")


@pytest.mark.parametrize("text, title", [
    ("学校委托管理协议书范本.doc\n 1. 1、本文档共9页,可阅读全部内容。\n甲方:某区社会发展局", "学校委托管理协议书范本"),
    ("当前简讯:某小学教育集团新校区挂牌成立\n(资料图片)\n本报讯 6月28日,挂牌仪式举行。",
     "某小学教育集团新校区挂牌成立"),
])
def test_title_without_its_frame(text, title):
    assert _meta(text)[0] == title


@pytest.mark.parametrize("line", [
    "当前报纸名称:某某日报", "版面:05要闻", "当前版: 02版上一版下一版", "第C3版:教育·人才 上一版3 4下一版",
    "查看原文", "本市动态", "下载客户端", "登录", "(资料图片)", "【资料图】",
    "  2. 2、本站所有内容均由网友上传,不得用于商业用途,严禁复制。",
    "......(某某网省略561字,正式会员可完整阅读)",
    "来源:某某报 2020-08-25 06:05",
])
def test_page_furniture_is_removed_and_states_no_duty(line):
    from ingest.normalize import normalize
    body = "集团每学期召开一次联席会议。"
    assert normalize(line + "\n" + body).text == body      # gone: it can state no duty


def test_headline_and_dateline_stay_apart_from_the_lead():
    from ingest.normalize import normalize
    headline = "为扩大优质教育资源覆盖面 某省到2022年建百个优质特色教育集团"
    lead = ("据新华社电 记者从某省教育厅获悉,为扩大优质教育资源覆盖面和受益面,破解基础教育发展不平衡"
            "不充分问题,某省教育厅等四部门近日联合发布意见,明确到2022年全省培育创建不少于100个集团。")
    text = normalize(headline + "\n\n来源:某某报 2020-08-25 06:05\n\n\n" + lead).text
    lines = text.split("\n")
    assert lines[0] == headline.replace(" ", "")
    assert not lines[0].endswith("06:05") and lines[-1].startswith("据新华社电")


def test_issuer_line_above_the_title_is_not_the_title():
    text = "某某县人民政府办公室\n某某县推进集团化办学实施方案\n为促进教育均衡发展,制定本方案。"
    doc = _doc(text)
    assert doc._.metadata["title"] == "某某县推进集团化办学实施方案"
    assert doc._.metadata["issuer"] == "某某县人民政府办公室"


def test_two_towns_as_often_leave_the_county():
    text = ("蓝田县玉山镇中心小学与蓝田县汤峪镇中心小学结对。玉山镇中心小学派出骨干教师,"
            "汤峪镇中心小学接受帮扶。蓝田县教育局负责指导。")
    assert _meta(text)[1] == "蓝田县"


def test_title_run_into_a_letter_to_an_authority():
    text = "推进学区制管理改革 落实“以县为主”管理体制 洛阳市教育局: 义务教育质量事关少年儿童健康成长,建议推进改革。"
    assert _meta(text)[0] == "推进学区制管理改革落实“以县为主”管理体制"


@pytest.mark.parametrize("text", [
    "成都市推进高新区建设,城市新区和各开发区同步发展。",
    "静宁县城乡学校结对,各乡镇人民政府配合,农村乡镇学校加入。",
])
def test_common_words_are_no_zone_or_town(text):
    assert not gazetteer.find_subareas(text)
