"""Property tests (hypothesis) for ingest.offsets and the offsets kept by ingest.normalize.

What is guaranteed, and tested here:

OffsetMap, for any sequence of kept / replaced / deleted runs:
  M1  ``to_original`` is monotonic, stays within ``[0, len(original)]`` and maps the end of
      the derived text to the end of the original;
  M2  inside a kept run it is exact (``d0 + i`` → ``o0 + i``);
  M3  ``span_to_original(a, b)`` is a span ``s <= e`` that contains the source of every
      character of ``[a, b)`` and nothing outside the first and last character's units;
  M4  ``from_edits`` and ``OffsetMapBuilder`` build the same map.

compose, for ``first`` (text1 → original) and ``second`` (text2 → text1):
  C1  the composed span of a non-empty derived span contains what mapping through both
      steps one after the other gives, and its start is never after that result's start;
  C2  when ``first`` only keeps and deletes (no replaced units) and ``second`` never inserts,
      the two are equal: composing loses no precision.

normalize, for any text (any Unicode without surrogates):
  N1  it does not fail, the map spans both texts, ``to_original`` is monotonic and within
      bounds, and every span maps to a span inside the original;
  N2  the result is a fixed point: normalizing it again changes nothing;
  N3  every line of the result maps back to an original slice that normalizes to exactly
      that line. A span that *cuts into* a removed region (part of a line, ending in the
      middle of a chrome line or a gloss) has no such guarantee: removal decisions are made
      on whole lines and on a gloss's preceding character, so they need that context.
N2 and N3 are tested on arbitrary Unicode and on a mix built to hit every step (CJK,
traditional characters, full-width forms, pinyin glosses, chrome lines, wraps, spaces).
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.normalize import normalize
from ingest.offsets import OffsetMap, OffsetMapBuilder

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# -- OffsetMap --------------------------------------------------------------------------------

run = st.one_of(
    st.tuples(st.just("keep"), st.integers(1, 6), st.just(0)),
    st.tuples(st.just("replace"), st.integers(0, 4), st.integers(0, 4)),
)


def build(runs) -> OffsetMap:
    b = OffsetMapBuilder()
    for kind, x, y in runs:
        if kind == "keep":
            b.keep(x)
        else:
            b.replace(x, y)
    return b.build()


def sources(m: OffsetMap) -> list[tuple[int, int]]:
    """Reference model: for each derived character, the original span of its unit."""
    out: list[tuple[int, int]] = []
    d = o = 0
    for dl, ol, aligned in m.segments():
        for i in range(dl):
            out.append((o + i, o + i + 1) if aligned else (o, o + ol))
        d, o = d + dl, o + ol
    return out


@SETTINGS
@given(st.lists(run, max_size=25))
def test_map_properties(runs):
    m = build(runs)
    kept = [(x, 0) if k == "keep" else (x, y) for k, x, y in runs]
    assert m.derived_len == sum(x for x, _ in kept)
    assert m.original_len == sum(x if k == "keep" else y for k, x, y in runs)
    pos = [m.to_original(p) for p in range(m.derived_len + 1)]
    assert pos == sorted(pos)                                            # M1
    assert all(0 <= p <= m.original_len for p in pos)
    assert pos[-1] == m.original_len
    d = o = 0
    for dl, ol, aligned in m.segments():                                  # M2
        if aligned:
            assert dl == ol and all(m.to_original(d + i) == o + i for i in range(dl))
        d, o = d + dl, o + ol
    src = sources(m)
    for a in range(m.derived_len + 1):                                    # M3
        for b in range(a, m.derived_len + 1):
            s, e = m.span_to_original(a, b)
            assert 0 <= s <= e <= m.original_len
            if a < b:
                assert (s, e) == (src[a][0], src[b - 1][1])
                assert all(s <= x and y <= e for x, y in src[a:b])


@st.composite
def edits_over(draw, n: int, allow_insert: bool = True):
    """Sorted, non-overlapping (start, end, new_len, aligned) edits over a text of length n."""
    cuts = sorted(draw(st.lists(st.integers(0, n), max_size=12)))
    edits, pos = [], 0
    for a, b in zip(cuts[::2], cuts[1::2]):
        if a < pos:
            continue
        if draw(st.booleans()) and b > a:
            edits.append((a, b, b - a, True))
        else:
            new_len = draw(st.integers(0 if (b > a or not allow_insert) else 1, 3))
            if b == a and not allow_insert:
                continue
            edits.append((a, b, new_len, False))
        pos = b
    return edits


@SETTINGS
@given(st.integers(0, 30).flatmap(lambda n: st.tuples(st.just(n), edits_over(n))))
def test_from_edits_matches_builder(case):                                # M4
    n, edits = case
    b = OffsetMapBuilder()
    pos = 0
    for start, end, new_len, aligned in edits:
        b.keep(start - pos)
        if aligned:
            b.keep(end - start)
        else:
            b.replace(new_len, end - start)
        pos = end
    b.keep(n - pos)
    assert OffsetMap.from_edits(n, edits) == b.build()


@st.composite
def two_steps(draw, exact: bool = False):
    first_runs = draw(st.lists(run, max_size=15))
    if exact:   # first step only keeps and deletes
        first_runs = [r if r[0] == "keep" else ("replace", 0, r[2]) for r in first_runs]
    first = build(first_runs)
    second = OffsetMap.from_edits(first.derived_len,
                                  draw(edits_over(first.derived_len, allow_insert=not exact)))
    return first, second


@SETTINGS
@given(two_steps())
def test_compose_is_conservative(steps):                                 # C1
    first, second = steps
    c = first.compose(second)
    assert (c.derived_len, c.original_len) == (second.derived_len, first.original_len)
    pos = [c.to_original(p) for p in range(c.derived_len + 1)]
    assert pos == sorted(pos) and pos[-1] == c.original_len
    for a in range(c.derived_len + 1):
        assert c.to_original(a) <= first.to_original(second.to_original(a))
        for b in range(a + 1, c.derived_len + 1):
            s, e = c.span_to_original(a, b)
            s2, e2 = first.span_to_original(*second.span_to_original(a, b))
            assert s <= s2 <= e2 <= e


@SETTINGS
@given(two_steps(exact=True))
def test_compose_is_exact_without_replaced_units(steps):                 # C2
    first, second = steps
    c = first.compose(second)
    for a in range(c.derived_len + 1):
        for b in range(a + 1, c.derived_len + 1):
            assert c.span_to_original(a, b) == first.span_to_original(
                *second.span_to_original(a, b))


def test_compose_with_identity():
    m = build([("keep", 3, 0), ("replace", 2, 5), ("replace", 0, 2), ("keep", 4, 0)])
    assert m.compose(OffsetMap.identity(m.derived_len)) == m
    assert OffsetMap.identity(m.original_len).compose(m) == m


# -- normalize --------------------------------------------------------------------------------

TOKENS = [
    "集团", "办学", "教育", "学校", "方案", "优质", "均衡", "发展", "组长", "一、", "(一)", "第一条",
    "學校", "集團", "優質", "發展", "辦學", "寶塔區", "關於",
    "，", "。", "、", "：", "；", "（", "）", "“", "”", "《", "》", "〔2024〕", "…", "㈠", "①",
    "１２", "ＡＢ", "2024", "79", "3-4", "GB2312", "policy", "KB",
    " ", "  ", "\t", "\u3000", "\u00a0", "\u200b", "\n", "\n", "\n\n", "\r\n", "\n\n\n\n",
    "(yōu)", "(zhì)", "(you1)", "(yōu zhì)", " (hǎo)", "(v2)", "(ai)",
    "首页 > 新闻", "当前位置:首页", "上一篇:", "下一篇:没有了", "责任编辑:张三", "【打印本页】",
    "【关闭窗口】", "分享到:微信", "扫一扫", "热门标签", "来源:范文范 1.47W", "字体:大 中 小",
    "浏览次数:12", "发布时间:2023-05-06 10:20", "打印本頁", "責任編輯:",
    "制定集团总章程,作为指导和规范成员学校办学行为的纲领性文件,从资源调配等方面进行规",
    "e\u0301", "ﬁ", "\u0301", "\r", "⿰", "\u0085",
]

mixed_text = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)
any_text = st.text(max_size=60)
texts = st.one_of(mixed_text, any_text,
                  st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=3)),
                           max_size=30).map("".join))


@SETTINGS
@given(texts)
def test_normalize_total_and_monotonic(text):                            # N1
    n = normalize(text)
    m = n.offsets
    assert (m.derived_len, m.original_len) == (len(n.text), len(text))
    assert n.script in ("simplified", "traditional")
    pos = [m.to_original(p) for p in range(len(n.text) + 1)]
    assert pos == sorted(pos) and all(0 <= p <= len(text) for p in pos)
    assert pos[-1] == len(text)
    for a in range(0, len(n.text) + 1, 3):
        for b in range(a, len(n.text) + 1, 2):
            s, e = n.to_original(a, b)
            assert 0 <= s <= e <= len(text)


@SETTINGS
@given(texts)
def test_normalize_is_idempotent(text):                                  # N2
    once = normalize(text).text
    assert normalize(once).text == once


@SETTINGS
@given(texts)
def test_lines_map_back(text):                                           # N3
    n = normalize(text)
    pos = 0
    for line in n.text.split("\n"):
        if line:
            s, e = n.to_original(pos, pos + len(line))
            assert normalize(text[s:e]).text == line
        pos += len(line) + 1
