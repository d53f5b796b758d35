"""Tests for ingest.normalize: each step, the real documents and the offset map."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:   # Python 3.10
    import tomli as tomllib

from ingest.normalize import NOISE_FILE, NormalizedText, normalize
from ingest.offsets import OffsetMap

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DOCS = sorted((ROOT / "source_docs").glob("*.txt"))


def norm(text: str) -> str:
    return normalize(text).text


def check_offsets(n: NormalizedText) -> None:
    """The map spans both texts and every line maps back to a slice that gives that line."""
    assert n.offsets.derived_len == len(n.text)
    assert n.offsets.original_len == len(n.original)
    pos = 0
    for line in n.text.split("\n"):
        if line:
            s, e = n.to_original(pos, pos + len(line))
            assert norm(n.original[s:e]) == line
        pos += len(line) + 1


# -- 0/1. line ends, invisible characters, NFKC ----------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("组长，赵明烨（市教育局）：１２３", "组长,赵明烨(市教育局):123"),
    ("ＡＢＣ　ｄｅｆ！？；％", "ABC def!?;%"),
    ("。、“”《》〔〕「」【】", "。、“”《》〔〕「」【】"),
    ("㈠组建模式", "(一)组建模式"),
    ("ﬁle ﬂow", "file flow"),
    ("cafe\u0301", "café"),
    ("第①条", "第1条"),
    ("共计…", "共计..."),
    ("\ufa0c", "\u5140"),            # a CJK compatibility ideograph
])
def test_nfkc(raw, expected):
    n = normalize(raw)
    assert n.text == expected
    check_offsets(n)


def test_nfkc_expansion_maps_to_its_source():
    n = normalize("第㈠条")
    assert n.text == "第(一)条"
    assert n.to_original(1, 4) == (1, 2)        # "(一)" came from "㈠"
    assert n.to_original(2, 3) == (1, 2)        # any part of it maps to the whole
    assert n.to_original(4, 5) == (2, 3)


def test_line_ends_and_invisible_characters():
    assert norm("第一行\r\n第二行\r第三行\u2028第四行") == "第一行\n第二行\n第三行\n第四行"
    assert norm("集\u200b团\ufeff化\u00ad办学") == "集团化办学"
    n = normalize("甲\r\n乙")
    assert n.text == "甲\n乙" and n.to_original(1, 2) == (1, 3) and n.to_original(2, 3) == (3, 4)


# -- 2. pinyin glosses --------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("優(yōu)質(zhì)教育", "优质教育"),
    ("优（you1）质", "优质"),
    ("优质(yōu zhì)均衡", "优质均衡"),
    ("优质(yōuzhì)", "优质"),
    ("优质(you1 zhi4)", "优质"),
    ("合作(hézuò)共赢(gòngyíng)", "合作共赢"),
    ("女(nǚ)生和绿(lv4)色", "女生和绿色"),
    ("爱(ài)心", "爱心"),
    ("优 (yōu)质", "优质"),
])
def test_pinyin_glosses_removed(raw, expected):
    n = normalize(raw)
    assert n.text == expected
    check_offsets(n)


@pytest.mark.parametrize("text", [
    "集团(一)组建", "方案(试行)", "(2024)年", "教基〔2020〕7号", "标准(GB2312)", "版本(v2)",
    "学校(a)", "咖啡(coffee)", "模式(mode1)", "a(yōu)", "(yōu)开头", "学校(ai)", "见附件(1)",
])
def test_real_parentheses_kept(text):
    assert norm(text) == text


# -- 3. web chrome lines --------------------------------------------------------------------

CHROME = [
    "首页 > 新闻 > 通知公告",
    "首页>>政务公开>>文件",
    "当前位置：首页 > 教育动态",
    "您的位置: 首页 » 集团化办学",
    "上一篇：关于印发集团化办学方案的通知",
    "下一篇:没有了",
    "上一篇",
    "责任编辑：张三",
    "【责任编辑：李四】",
    "【打印本页】【关闭窗口】",
    "[打印] [关闭]",
    "返回顶部",
    "分享到：微信 微博 QQ空间",
    "扫一扫在手机打开当前页",
    "扫一扫,关注我们",
    "分享到微信朋友圈",
    "当前位置:",
    "热门标签",
    "相关标签：集团化办学 教育",
    "来源:范文范 1.47W",
    "来源：范文网 2345",
    "字体：大 中 小",
    "【字体：大 中 小】",
    "浏览次数：1234",
    "发布时间：2023-05-06 10:20",
    "发布日期:2024年3月1日",
    "发布时间:2023-05-06 来源:市教育局 浏览次数:88",
    "作者:张三 来源:新华网",
    "  打印本页  ",
]

REAL_LINES = [
    "首页设计要简洁。",
    "来源:市教育局",
    "时间:2024年3月1日上午9点",
    "编辑:张三",
    "上一篇文章提到了集团化办学",
    "打印机和电脑由集团统一采购。",
    "责任编辑要对稿件负责。",
    "发布时间由集团统一确定。",
    "字体要规范,字号统一。",
    "通过扫一扫二维码签到。",
    "分享经验,共同提高。",
    "当前位置:首页。这是一句真正的话。",
    "当前位置:学校东侧操场",
    "分享到朋友圈的内容需经审核",
    "扫一扫二维码即可报名参加培训",
    "集团设视导员2名。",
]


@pytest.mark.parametrize("line", CHROME)
def test_chrome_lines_removed(line):
    n = normalize(f"集团化办学方案\n{line}\n一、总体要求")
    assert n.text == "集团化办学方案\n一、总体要求"
    check_offsets(n)


@pytest.mark.parametrize("line", CHROME[:6])
def test_chrome_line_at_start_or_end(line):
    assert norm(f"{line}\n正文内容。") == "正文内容。"
    assert norm(f"正文内容。\n{line}") == "正文内容。"
    assert norm(line) == ""


@pytest.mark.parametrize("line", REAL_LINES)
def test_real_lines_kept(line):
    assert norm(f"第一段。\n{line}\n第二段。") == f"第一段。\n{line}\n第二段。"


def test_chrome_only_whole_lines():
    text = "本方案中“打印本页”按钮的位置,上一篇:略。"
    assert norm(text) == text


def test_noise_file_is_valid_data():
    cfg = tomllib.loads(NOISE_FILE.read_text(encoding="utf-8"))
    names = [item["name"] for item in cfg["chrome"]["line"]]
    assert len(names) == len(set(names))
    for item in cfg["chrome"]["line"]:
        assert item["starts"] and re.compile(item["rest"].replace("{starts}", "x"))
        assert r"\s" not in item["rest"]   # a pattern must never run into the next line


# -- 4. traditional → simplified ------------------------------------------------------------

def test_traditional_converted_and_detected():
    n = normalize("寶塔區教育集團化辦學成效逐步顯現。")
    assert n.text == "宝塔区教育集团化办学成效逐步显现。"
    assert n.script == "traditional"
    assert n.to_original(0, 3) == (0, 3)


def test_simplified_stays_simplified():
    n = normalize("宝塔区教育集团化办学成效逐步显现。")
    assert n.script == "simplified" and n.text == "宝塔区教育集团化办学成效逐步显现。"


def test_a_few_traditional_characters_do_not_make_a_traditional_text():
    text = "集团化办学" * 40 + "學校"
    n = normalize(text)
    assert n.script == "simplified" and n.text.endswith("学校")


# -- 5. whitespace --------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("张教发〔2024〕79 号", "张教发〔2024〕79号"),
    ("2024 年第一次全体会议", "2024年第一次全体会议"),
    ("组 长：赵明烨", "组长:赵明烨"),
    ("副校长 3-4 名", "副校长3-4名"),
    ("张掖市教育局 关于印发《方案》 的通知", "张掖市教育局关于印发《方案》的通知"),
    ("\u3000\u3000为进一步深化改革", "为进一步深化改革"),
    ("第一章\u00a0总则", "第一章总则"),
    ("Hello   big\tworld", "Hello big world"),
    ("policy KB 2.0 版本", "policy KB 2.0版本"),
    ("行尾空格   \n下一行", "行尾空格\n下一行"),
    ("    2.推动共建共享", "2.推动共建共享"),
    ("甲\n\n\n\n乙", "甲\n\n乙"),
    ("甲\n \n\t\n乙", "甲\n\n乙"),
    ("甲\n\n乙", "甲\n\n乙"),
    ("\n\n  开头\n\n", "开头"),
    ("   ", ""),
    ("", ""),
])
def test_whitespace(raw, expected):
    n = normalize(raw)
    assert n.text == expected
    check_offsets(n)


# -- 6. hard line-wraps -----------------------------------------------------------------------

LONG = "制定集团总章程,作为指导和规范成员学校办学行为的纲领性文件,从资源调配等方面对集团与各成员学校责权进行规"


@pytest.mark.parametrize("gap", ["\n", "\n\n", "\n  \n", "\r\n\r\n"])
def test_wrap_repaired(gap):
    n = normalize(LONG + gap + "范，明确集团办学理念。")
    assert n.text == LONG + "范,明确集团办学理念。"
    i = n.text.rindex("规范")
    s, e = n.to_original(i, i + 2)
    assert n.original[s:e] == "规" + gap + "范"


@pytest.mark.parametrize("text", [
    "一、工作目标\n整合优化教育资源。",                      # short line: a heading
    LONG + "。\n范围明确。",                               # ends a sentence
    LONG + ":\n范围明确。",
    LONG + "》\n范围明确。",
    LONG + "\n二、工作思路",                                # next line is a heading
    LONG + "\n第三条集团设视导员。",
    LONG + "\n(一)构建集团管理机制",                        # not a CJK character
    LONG + "\n1.健全运行工作机构。",
    LONG + "\nAbc",
])
def test_wrap_not_repaired(text):
    assert norm(text) == text


def test_wrap_chain():
    text = LONG + "\n" + LONG + "\n" + "范。"
    assert norm(text) == LONG + LONG + "范。"


# -- the real documents ---------------------------------------------------------------------

@pytest.fixture(scope="module", params=SOURCE_DOCS, ids=lambda p: p.name)
def doc(request) -> NormalizedText:
    return normalize(request.param.read_text(encoding="utf-8"))


def test_script_of_real_documents(doc):
    traditional = "寶塔區" in doc.original
    assert doc.script == ("traditional" if traditional else "simplified")
    if traditional:
        assert "宝塔区" in doc.text and "寶" not in doc.text


def test_real_documents_are_clean(doc):
    text = doc.text
    assert text == text.strip() and "\n\n\n" not in text and "\r" not in text
    assert not re.search(r"[ \t]\n|\n[ \t]", text)
    assert not re.search(r"[，（）：；！？　]", text)
    assert "来源:范文范" not in text and "热门标签" not in text
    assert normalize(text).text == text                # normalizing twice changes nothing


def test_zhangye_details():
    n = normalize((ROOT / "source_docs/zhangye-zhongxue-group-2024.txt").read_text("utf-8"))
    assert "张教发〔2024〕79号" in n.text
    assert "对集团与各成员学校责权进行规范,明确集团办学理念" in n.text
    assert "组长:赵明烨" in n.text
    i = n.text.index("79号")
    s, e = n.to_original(i, i + 3)
    assert n.original[s:e] == "79 号"


SENTENCE = re.compile(r"[^。!?;\n]+[。!?;]*")


def test_every_line_maps_back(doc):
    check_offsets(doc)


def test_every_sentence_maps_back(doc):
    """Each sentence's original slice normalizes back to the sentence.

    Exactly so, except for a sentence that starts part-way through a line that was joined to
    the next one (a repaired wrap) with fewer than 30 of its own characters before the break:
    alone, that line is too short to count as wrapped, so the break stays. Those sentences
    must still agree once line breaks are ignored, and there must be very few of them.
    """
    unwrapped = 0
    for m in SENTENCE.finditer(doc.text):
        s, e = doc.to_original(*m.span())
        again = norm(doc.original[s:e])
        if again != m.group():
            unwrapped += 1
            assert again.replace("\n", "") == m.group()
            assert "\n" in doc.original[s:e]
    assert unwrapped <= 1


def test_offsets_are_monotonic_and_in_bounds(doc):
    positions = [doc.offsets.to_original(i) for i in range(len(doc.text) + 1)]
    assert positions == sorted(positions)
    assert positions[0] >= 0 and positions[-1] == len(doc.original)


def test_identity_when_nothing_changes():
    n = normalize("集团化办学")
    assert n.text == "集团化办学" and n.offsets.is_identity
    assert n.to_original(1, 3) == (1, 3)
    assert isinstance(n.offsets, OffsetMap)
