"""``pkb_schools``: school names (张掖中学, 市实验中学, 临县一中, 宝塔区第二中学 …).

A name ends in a school suffix (schools.toml) and reaches left until a boundary word; names
made only of generic words (成员学校, 薄弱学校, 农村学校 …) are not schools. Also the short name a
group is named by (景山远洋教育集团, 广雅教育集团: ``group_stem``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from ingest import gazetteer
from ingest.components.spans import make_span, patterns, text_of
from ingest.extensions import facts_of

CJK = re.compile(r"[\u4e00-\u9fff0-9]")


@dataclass(frozen=True)
class _Lexicon:
    suffix: re.Pattern
    boundary_set: frozenset[str]
    boundary_max: int
    exceptions: tuple[str, ...]
    generic: frozenset[str]
    noun_only: frozenset[str]
    campus: frozenset[str]
    cut_words: frozenset[str]
    place_chars: str
    numbered: re.Pattern
    numbered_alone: int
    max_prefix: int
    department: re.Pattern
    inner: frozenset[str]
    name_words: frozenset[str]
    area_ends: str
    date_chars: str


@lru_cache(maxsize=1)
def lexicon() -> _Lexicon:
    data = patterns("schools")
    alternatives = "|".join(s + ("(?!长)" if s == "学校" else "") for s in data["suffixes"])
    return _Lexicon(
        suffix=re.compile(f"{data['numbered']}|(?:{alternatives})"),
        boundary_set=frozenset(data["boundary_words"]),
        boundary_max=max(map(len, data["boundary_words"])),
        exceptions=tuple(data["boundary_exceptions"]),
        generic=frozenset(data["generic_words"]),
        noun_only=frozenset(data["noun_only_suffixes"]),
        campus=frozenset(data["campus_suffixes"]),
        cut_words=frozenset(data["cut_words"]),
        place_chars=data["place_chars"],
        numbered=re.compile(data["numbered"]),
        numbered_alone=data["numbered_alone"],
        max_prefix=data["max_prefix"],
        department=re.compile(data["department"]),
        inner=frozenset(data["inner_boundaries"]),
        name_words=frozenset(data["name_words"]),
        area_ends=data["area_ends"],
        date_chars=data["date_chars"],
    )


CUT_TAGS = frozenset({"v", "vd", "i", "l", "p", "c", "d", "ad", "r", "t", "u", "ul", "uj", "uz", "ud",
                      "ug", "uv", "y", "e", "o", "z"})
#: function characters standing alone (向, 应, 和 …) end whatever came before
SINGLE_CUT_TAGS = frozenset({"p", "c", "u", "uj", "ul", "uz", "ug", "r"})
#: a one-character word of these kinds before 和 makes 和 a conjunction (的和, 及和)
INNER_STOPS = SINGLE_CUT_TAGS | {"d", "m", "x"}
#: right before 学校/初中/高中 even a verbal noun is no name (推进学校), unlike 实验中学
NOUN_ONLY_STOPS = frozenset({"v", "vn", "vd", "vi"})
NUMERALS = set("零〇一二两三四五六七八九十百千0123456789")


def _left_edge(text: str, start: int, floor: int, lex: _Lexicon, suffix: str) -> int:
    """Where a name ending in ``suffix`` at ``start`` begins.

    First the name reaches left over name characters until a boundary word (以, 由, 和, 联合,
    吸纳 … — a closed list; a boundary character that starts an administrative area's name, as in
    和平区, does not count). Then words that cannot open a name are trimmed from its front: verbs,
    adverbs, idioms, prepositions … by jieba's dictionary tags (充分发挥|市实验中学), except the
    word that touches the suffix (启明小学) and any word where an area's name starts (遵义市).
    """
    pos = start
    while pos > floor and start - pos < lex.max_prefix and CJK.match(text[pos - 1]):
        word = _boundary_ending(text, max(floor, pos - lex.boundary_max), pos, lex)
        if word is not None and not any(text.startswith(x, pos - len(word)) for x in lex.exceptions) \
                and not _in_area(text, pos - len(word)) \
                and not (pos == start and word in lex.inner and _inner_boundary(text, floor, pos)):
            break
        pos -= 1
    return pos + _trim_length(text[pos:start], suffix in lex.noun_only)


def _inner_boundary(text: str, floor: int, pos: int) -> bool:
    """True when the one-character boundary word ending at ``pos`` (right before the suffix) is
    inside the name: a one-character word that is not a function word stands before it (天和学校,
    中和中学), where a conjunction follows a word of its own (家长和学校, 小学和中学)."""
    if pos - 2 < floor or not CJK.match(text[pos - 2]):
        return False
    return _last_word_single(text[max(floor, pos - 6):pos - 1])


@lru_cache(maxsize=4096)
def _last_word_single(piece: str) -> bool:
    import jieba.posseg

    from ingest.segmenter import setup

    setup()
    words = jieba.posseg.lcut(piece, HMM=False)
    return bool(words) and len(words[-1].word) == 1 and words[-1].flag not in INNER_STOPS \
        and not words[-1].word in NUMERALS


def _boundary_ending(text: str, floor: int, pos: int, lex: _Lexicon) -> str | None:
    """The longest boundary word that ends at ``pos`` (not reaching before ``floor``)."""
    for length in range(min(lex.boundary_max, pos - floor), 0, -1):
        word = text[pos - length:pos]
        if word in lex.boundary_set:
            return word
    return None


@lru_cache(maxsize=65536)
def _trim_length(candidate: str, noun_only: bool) -> int:
    """How many characters to drop from the front of ``candidate``: everything up to the last
    word that cannot be inside a name (cached: the same names recur through a corpus)."""
    import jieba.posseg

    from ingest.segmenter import setup

    setup()
    lex = lexicon()
    words = [(w.word, w.flag) for w in jieba.posseg.lcut(candidate, HMM=False)]
    cut, offset = 0, 0
    for i, (word, tag) in enumerate(words):
        offset += len(word)
        last = i == len(words) - 1
        follower = words[i + 1][0] if not last else ""
        if set(word) & NUMERALS or (follower and follower[0] in lex.place_chars) or word in lex.name_words:
            continue
        if len(word) == 1 and word in lex.date_chars and i > 0 and set(words[i - 1][0]) & NUMERALS:
            cut = offset                    # 12月8日|河北省…
            continue
        if len(word) < 2:
            inner = last and word in lex.inner and i > 0 and len(words[i - 1][0]) == 1 \
                and words[i - 1][1] not in INNER_STOPS       # 天和学校: 和 stays in the name
            inner = inner or (i > 0 and len(candidate) - offset == 1 and tag in ("p", "c")) \
                or (i > 0 and words[i - 1][0][-1] in lex.area_ends and not last)   # 同文中学, 某区那龙中学
            if tag in SINGLE_CUT_TAGS and not inner:
                cut = offset
            continue
        if _starts_area(candidate, offset - len(word)):
            continue
        if word in lex.cut_words or (tag in CUT_TAGS and not (last and not noun_only)) \
                or (last and noun_only and tag in NOUN_ONLY_STOPS):
            cut = offset
    return cut


def _covered(prefix: str, words: frozenset[str]) -> bool:
    """True when ``prefix`` is a concatenation of ``words``."""
    ok = [True] + [False] * len(prefix)
    for i in range(1, len(prefix) + 1):
        ok[i] = any(ok[j] and prefix[j:i] in words for j in range(max(0, i - 6), i))
    return ok[-1]


def _in_area(text: str, pos: int) -> bool:
    """True when an administrative area's full name covers ``pos`` (和平区, 呼和浩特市, 于都县)."""
    low = max(0, pos - 6)
    return _area_covers(text[low:pos + 8], pos - low)


@lru_cache(maxsize=65536)
def _area_covers(window: str, pos: int) -> bool:
    """:func:`_in_area` over the characters it reads (cached: names recur through a document)."""
    areas = gazetteer.areas()
    return any(window[j:j + n] in areas for j in range(max(0, pos - 6), pos + 1)
               for n in range(max(2, pos - j + 1), 9))


def _starts_area(text: str, pos: int) -> bool:
    """True when an administrative area's full name starts at ``pos`` (和平区, 于都县)."""
    areas = gazetteer.areas()
    return any(text[pos:pos + n] in areas for n in range(2, 8))


def is_specific(name: str, suffix_start: int) -> bool:
    """True when the part before the suffix names a particular school."""
    prefix = name[:suffix_start]
    if not prefix:
        m = lexicon().numbered.fullmatch(name)
        return bool(m) and len(name) - 1 >= lexicon().numbered_alone
    if len(prefix) < 2:
        return False
    from ingest.school_names import split_name

    areas, _ = split_name(name)
    for area in areas:      # 成都市武侯区优质学校: the areas do not make a generic name specific
        if prefix.startswith(area) and len(prefix) > len(area):   # full names only: 澄江镇 stays
            prefix = prefix[len(area):]
    return not _covered(prefix, lexicon().generic)


def find_schools(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """(start, end, name) of every specific school name in ``text[start:end]``."""
    lex = lexicon()
    end = len(text) if end is None else end
    found: list[tuple[int, int, str]] = []
    floor = start
    for m in lex.suffix.finditer(text, start, end):
        if lex.numbered.fullmatch(m.group()):
            left = _left_edge(text, m.start(), floor, lex, m.group())
            name = text[left:m.end()]
            ok = is_specific(name, m.start() - left) if left < m.start() else is_specific(name, 0)
        else:
            left = _left_edge(text, m.start(), floor, lex, m.group())
            name = text[left:m.end()]
            ok = is_specific(name, m.start() - left)
        if found and found[-1][1] == left and ok or (m.group() in lex.campus and found and found[-1][1] == left):
            # 石门实验学校映月校区, 长沙市一中岳麓中学: a name right after a school's name, with
            # nothing between, is part of one name
            prev = found.pop()
            left, name, ok = prev[0], text[prev[0]:m.end()], True
        end_at = m.end()
        dept = lex.department.match(text, end_at)
        if dept and dept.end() <= end:          # 友衡学校(小学部)
            end_at = dept.end()
            name = text[left:end_at]
        if ok:
            found.append((left, end_at, name))
        floor = end_at
    return found


@lru_cache(maxsize=1)
def _stem_rules() -> dict:
    data = patterns("schools")["stems"]
    return {"generic": frozenset(data["generic"]) | lexicon().generic, "stop_tags": frozenset(data["stop_tags"]),
            "stop_words": frozenset(data["stop_words"]), "proper_tags": frozenset(data["proper_tags"]),
            "place_only": re.compile(data["place_only"]), "company": re.compile(data["company_words"]),
            "common_tags": frozenset(data["common_tags"])}


@lru_cache(maxsize=16384)
def _words(piece: str) -> tuple:
    """jieba's tagged words of ``piece`` (cached: a group's name recurs through its document)."""
    import jieba.posseg

    from ingest.segmenter import setup

    setup()
    return tuple(jieba.posseg.lcut(piece, HMM=False))


def group_stem(text: str, floor: int, at: int, doc_names=()) -> str | None:
    """The short name a group kind at ``at`` is named by (景山远洋|教育集团, 广雅|教育集团): the
    name-like words before it (places, names, nouns; not verbs, particles, numbers, dates), when they
    name something: a place in front, a word jieba knows as a name, or a school of the document
    (``doc_names``) they stand for. None for 推进|教育集团, 市属基础|教育集团, 莞城街道|教育集团 …"""
    from ingest.school_names import expand, split_name

    r = _stem_rules()
    quoted = re.search(r"“([\u4e00-\u9fff]{2,12})”$", text[max(floor, at - 14):at])
    stem = quoted.group(1) if quoted else _name_words_before(text[max(floor, at - 14):at], r)   # “景山远洋”
    if not 2 <= len(stem) <= 12 or re.search(r"[第个一二两三四五六七八九十]", stem) \
            or r["place_only"].search(stem) or r["company"].search(stem) or not is_specific(stem + "学校", len(stem)):
        return None
    areas, core = split_name(stem)
    words = _words(stem)
    if not core or _covered(core, r["generic"]) or _covered(stem, r["generic"]) or words[-1].word in r["generic"]:
        return None
    if areas or any(w.flag in r["proper_tags"] for w in words) or expand(stem, list(doc_names)):
        return stem
    return None


def _name_words_before(piece: str, r: dict) -> str:
    """The name-like words at the end of ``piece`` (after its last punctuation)."""
    m = re.search(r"[^\u4e00-\u9fff]", piece[::-1])
    if m:
        piece = piece[len(piece) - m.start():]
    keep = 0
    for w in reversed(_words(piece)):
        if w.flag in r["stop_tags"] or w.word in r["stop_words"] \
                or len(w.word) == 1 and w.flag not in ("ns", "nr", "nz", "j", "f", "n"):
            break
        keep += len(w.word)
    return piece[len(piece) - keep:] if keep else ""


def common_word(stem: str) -> bool:
    """True when ``stem`` (areas aside) is one ordinary word (未来, 理想): it names no school."""
    from ingest.school_names import split_name

    words = _words(split_name(stem)[1])
    return len(words) == 1 and words[0].flag in _stem_rules()["common_tags"]


@Language.factory("pkb_schools", requires=["doc.spans"], assigns=["doc.spans", "span._.name"])
def create_schools_component(nlp: Language, name: str):
    return schools_component


def schools_component(doc: Doc) -> Doc:
    """Add a ``schools`` span per school name, ``span._.name`` its cleaned name."""
    text = text_of(doc)
    spans = []
    for sentence in doc._.structure.sentences:
        for s, e, name in find_schools(text, sentence.start, sentence.end):
            span = make_span(doc, s, e, "school", len(spans))
            facts_of(span)["name"] = name
            spans.append(span)
    doc.spans["schools"] = spans
    return doc
