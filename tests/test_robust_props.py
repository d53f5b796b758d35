"""Property and fuzz tests (hypothesis) for the numeral and frequency parsers and the whole pipeline.

``tests/test_offsets_props.py`` already covers ``OffsetMap`` and ``normalize`` on their own; this
file adds what sits on top of them:

P1  ``parse_number`` never raises, on any text, and returns ``None`` or a finite number >= 0;
P2  it reads back every integer written in Chinese numerals (``cn2an.an2cn``, with 两 for 二 where
    policy texts write it), in ASCII digits and in full-width digits, and every decimal;
P3  every match of ``NUMBER_RE`` in any text can be parsed without raising;
P4  ``frequency.scan`` never raises on CJK-ish text; its mentions are sorted, never overlap, lie
    inside the text, carry their own text, and have valid kinds, periods, comparators and counts;
P5  ``frequency.frequency_of`` never raises on what ``scan`` finds and returns the contract's shape;
P6  ``pipeline.annotate`` never raises on random CJK-ish documents; every span of every span group
    and every fact's evidence lies inside the normalized text, and maps back inside the original;
P7  the RDF writer turns any such document into N-Quads that parse, every quad in the document's
    graph, with evidence offsets inside the text.
"""
from __future__ import annotations

import json
import math
import re

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from ingest.frequency import Mention, frequency_of, scan
from ingest.numerals import NUMBER_RE, parse_int, parse_number
from ingest.offsets import OffsetMap

SPAN_IRI = re.compile(r"/span/([0-9]+)-([0-9]+)(?:/rule/[0-9]+)?$")

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW_SETTINGS = settings(max_examples=60, deadline=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

PERIODS = {"day", "week", "month", "semester", "school_year", "year", "multi_year", "term_of_office",
           "unspecified"}
UNITS = {None, "time", "day", "person", "topic", "percent", "item"}
COMPARATORS = {None, "eq", "min", "max", "approx", "range"}

# -- CJK-ish text ------------------------------------------------------------------------------

NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万点半"
FRAGMENTS = [
    "每月", "每年", "每学期", "每学年", "每周", "每两周", "每季度", "每半年", "每三年", "每届", "定期",
    "至少", "不少于", "不低于", "不超过", "以上", "以下", "左右", "约", "第", "个", "次", "人", "名",
    "人次", "天", "个主题", "项", "%", "％", "百分之", "１", "２０", "3-5", "1~2", "三至五", "两", "二十",
    "一百二十", "0.5", "半", "点", "召开", "开展", "组织", "应", "须", "必须", "不得", "严禁", "鼓励",
    "可以", "集团", "成员校", "牵头学校", "理事会", "联席会议", "教师", "干部", "会议", "教研活动",
    "(一)", "一、", "1.", "第一条", "。", ",", ",", "、", ";", ":", "(", ")", "“", "”", "《", "》",
    "\n", "\n\n", " ", "\u3000", "學校", "集團", "每學期", "至少召開", "<b>", "&amp;", "\\", '"',
]
cjk_char = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
piece = st.one_of(st.sampled_from(FRAGMENTS), st.sampled_from(list(NUMERAL_CHARS)),
                  st.text(cjk_char, min_size=1, max_size=3), st.integers(0, 10_000).map(str),
                  st.text(max_size=2))
cjk_text = st.lists(piece, max_size=40).map("".join)


# -- P1–P3: numerals ----------------------------------------------------------------------------

@SETTINGS
@given(st.one_of(st.text(max_size=12), st.text(st.sampled_from(NUMERAL_CHARS + "0123456789.%"),
                                               max_size=10), cjk_text))
@example("²")          # a digit for str.isdigit, not for float(): used to raise ValueError
@example("①")
@example("٣")          # Arabic-Indic three: a decimal digit, float() reads it
@example("百分之")
@example("")
def test_parse_number_is_total(text):                                               # P1
    value = parse_number(text)
    assert value is None or (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0)
    whole = parse_int(text)
    assert whole is None or (isinstance(whole, int) and whole == value)


def _two_for_liang(numeral: str) -> str:
    """How policy texts write 2 before a unit: 两百, 两千, 两万 (and 两 alone)."""
    if numeral == "二":
        return "两"
    return numeral.replace("二百", "两百").replace("二千", "两千").replace("二万", "两万")


@SETTINGS
@given(st.integers(0, 99_999_999))
def test_integers_read_back_in_every_script(n):                                       # P2
    import cn2an

    chinese = cn2an.an2cn(n)
    fullwidth = str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    for written in {chinese, _two_for_liang(chinese), str(n), fullwidth}:
        assert parse_number(written) == n, written
        assert parse_int(written) == n, written
    assert NUMBER_RE.fullmatch(chinese) and NUMBER_RE.fullmatch(str(n))
    assert parse_number(f"百分之{chinese}") == n and parse_number(f"{n}%") == n


@SETTINGS
@given(st.integers(0, 9999), st.integers(1, 99))
def test_decimals_read_back(whole, frac):                                             # P2
    text = f"{whole}.{frac}"
    assert parse_number(text) == pytest.approx(float(text))
    assert parse_int(text) is None or float(text).is_integer()


@SETTINGS
@given(cjk_text)
def test_every_number_match_parses(text):                                             # P3
    for m in NUMBER_RE.finditer(text):
        parse_number(m.group())     # may be None (十十十), must not raise


# -- P4–P5: frequency --------------------------------------------------------------------------

def _check_mentions(text: str, mentions: list[Mention]) -> None:
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)
    for a, b in zip(mentions, mentions[1:]):
        assert a.end <= b.start, (a, b)
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        assert m.kind in ("period", "unspecified", "count", "vague")
        assert m.unit in UNITS and m.comparator in COMPARATORS
        if m.kind in ("period", "unspecified"):
            assert m.period in PERIODS and m.scale >= 1
        if m.kind == "count":
            assert m.low is not None and math.isfinite(m.low) and m.low >= 0
            assert m.high is None or (math.isfinite(m.high) and m.high >= 0)


@SETTINGS
@given(cjk_text)
@example("每月至少召开１次")
@example("每两周召开一次,每季度不少于百分之五")
@example("每学期组织3-5次公开课,约10名教师参加")
def test_scan_is_total_and_well_formed(text):                                         # P4
    _check_mentions(text, scan(text))


@SETTINGS
@given(cjk_text)
def test_frequency_of_is_total(text):                                                 # P5
    mentions = scan(text)
    periods = [m for m in mentions if m.kind in ("period", "unspecified")]
    counts = [m for m in mentions if m.kind in ("count", "vague")]
    for period in [None, *periods]:
        frequency, quantity = frequency_of(period, counts)
        if period is None:
            assert frequency is None
        else:
            assert set(frequency) == {"period", "min_count", "max_count", "unit"}
            assert frequency["period"] in PERIODS and frequency["unit"] in UNITS - {None}
            for key in ("min_count", "max_count"):
                assert frequency[key] is None or (isinstance(frequency[key], int) and frequency[key] >= 0)
        if quantity is not None:
            assert set(quantity) == {"value", "unit", "comparator"}
            assert quantity["comparator"] in {"eq", "min", "max", "approx"}


# -- P6–P7: the whole pipeline -----------------------------------------------------------------

HEADINGS = ["一、总体要求", "二、主要任务", "(一)工作机制", "第一条", "某区教育集团化办学实施方案", "某区教育局",
            "张掖中学教育集团", "1.组织领导"]
line = st.one_of(st.sampled_from(HEADINGS), cjk_text, st.text(max_size=20))
document = st.lists(line, min_size=1, max_size=12).map("\n".join)


def _source(text: str):
    import hashlib

    from ingest.reader import SourceText

    return SourceText(path="fuzz.txt", text=text, format="txt", encoding="utf-8",
                      sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())


@SLOW_SETTINGS
@given(document)
@example("集团理事会每月至少召开１次工作会议。\n成员校每学期开展两次联合教研活动。")
@example("\n\n\n")
@example("(一)")
@example("<script>alert(1)</script>\n**集团**应每月召开1次会议。")
def test_annotate_never_crashes_and_spans_stay_inside(text):                           # P6, P7
    import pyoxigraph as ox

    from ingest.pipeline import annotate
    from ingest.rdf_writer import document_graph

    assume(text.strip())
    doc = annotate(_source(text))
    normalized = doc._.normalized
    n = len(doc.text)
    assert doc.text == normalized.text
    for key, group in doc.spans.items():
        for span in group:
            assert 0 <= span.start_char <= span.end_char <= n, (key, span)
            s, e = normalized.to_original(span.start_char, span.end_char)
            assert 0 <= s <= e <= len(text)
            for attr in ("evidence", "exact"):
                value = getattr(span._, attr, None) if span.has_extension(attr) else None
                if value is not None:
                    a, b = value
                    assert 0 <= a <= b <= n, (key, attr, value)
                    s, e = normalized.to_original(a, b)
                    assert 0 <= s <= e <= len(text)

    graph = document_graph(doc, ["fuzz.txt"], version="test")
    quads = list(ox.parse(graph.nquads, format=ox.RdfFormat.N_QUADS))
    assert quads and all(q.graph_name == ox.NamedNode(graph.iri) for q in quads)
    pkb = "https://w3id.org/policykb/ontology#"
    for q in quads:
        # a clause's offsets are its IRI's (…/span/12-40), a rule's those of the clause it extends
        for term in (q.subject, q.object):
            m = SPAN_IRI.search(term.value) if isinstance(term, ox.NamedNode) else None
            if m:
                assert 0 <= int(m.group(1)) <= int(m.group(2)) <= n, term.value
        if q.predicate.value == pkb + "offsetMap":     # the stored map is the normalization's map
            stored = OffsetMap.from_segments(json.loads(q.object.value))
            assert (stored.derived_len, stored.original_len) == (n, len(text))
            assert stored == normalized.offsets
