"""``pkb_schools``: school names (张掖中学, 市实验中学, 临县一中, 宝塔区第二中学 …).

A name ends in a school suffix (schools.toml) and reaches left until a boundary word; names
made only of generic words (成员学校, 薄弱学校, 农村学校 …) are not schools.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from ingest.components.spans import make_span, patterns

CJK = re.compile(r"[\u4e00-\u9fff0-9]")


@dataclass(frozen=True)
class _Lexicon:
    suffix: re.Pattern
    boundaries: tuple[str, ...]
    exceptions: tuple[str, ...]
    generic: frozenset[str]
    noun_only: frozenset[str]
    max_prefix: int


@lru_cache(maxsize=1)
def lexicon() -> _Lexicon:
    data = patterns("schools")
    alternatives = "|".join(s + ("(?!长)" if s == "学校" else "") for s in data["suffixes"])
    return _Lexicon(
        suffix=re.compile(f"(?:{alternatives})|{data['numbered']}"),
        boundaries=tuple(sorted(data["boundary_words"], key=len, reverse=True)),
        exceptions=tuple(data["boundary_exceptions"]),
        generic=frozenset(data["generic_words"]),
        noun_only=frozenset(data["noun_only_suffixes"]),
        max_prefix=data["max_prefix"],
    )


@lru_cache(maxsize=1)
def _word_tags() -> dict[str, str]:
    """jieba's dictionary part-of-speech tags (word → tag), used to see where a name starts."""
    import jieba.posseg

    return jieba.posseg.dt.word_tag_tab


def _stops_name(word: str, tag: str | None, adjacent: bool) -> bool:
    """A dictionary word ending where a name would start that cannot be part of a name."""
    if tag is None or word.startswith("第"):
        return False
    if tag in STOP_TAGS:
        return True
    # A verb right before the suffix is often the name itself (启明小学, 前进小学).
    return tag in VERB_TAGS and not adjacent


STOP_TAGS = frozenset({"t", "d", "ad", "p", "c", "u", "ul", "uj", "uz", "ud", "ug", "uv", "r", "y",
                       "e", "o", "m", "mq", "q"})
VERB_TAGS = frozenset({"v", "vn", "vd", "vi", "a"})


def _left_edge(text: str, start: int, floor: int, lex: _Lexicon, suffix: str) -> int:
    """Where a name ending in ``suffix`` at ``start`` begins."""
    tags = _word_tags()
    noun_only = suffix in lex.noun_only
    pos = start
    while pos > floor and start - pos < lex.max_prefix and CJK.match(text[pos - 1]):
        before = text[max(floor, pos - 6):pos]
        word = next((w for w in lex.boundaries if before.endswith(w)), None)
        if word is not None and not any(text.startswith(x, pos - len(word)) for x in lex.exceptions):
            break
        if any(_stops_name(before[-k:], tags.get(before[-k:]), pos == start and not noun_only)
               for k in (4, 3, 2) if len(before) >= k):
            break
        pos -= 1
    return pos


def _covered(prefix: str, words: frozenset[str]) -> bool:
    """True when ``prefix`` is a concatenation of ``words``."""
    ok = [True] + [False] * len(prefix)
    for i in range(1, len(prefix) + 1):
        ok[i] = any(ok[j] and prefix[j:i] in words for j in range(max(0, i - 6), i))
    return ok[-1]


def is_specific(name: str, suffix_start: int) -> bool:
    """True when the part before the suffix names a particular school."""
    prefix = name[:suffix_start]
    return len(prefix) >= 2 and not _covered(prefix, lexicon().generic)


def find_schools(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """(start, end, name) of every specific school name in ``text[start:end]``."""
    lex = lexicon()
    end = len(text) if end is None else end
    found = []
    floor = start
    for m in lex.suffix.finditer(text, start, end):
        left = _left_edge(text, m.start(), floor, lex, m.group())
        name = text[left:m.end()]
        if is_specific(name, m.start() - left):
            found.append((left, m.end(), name))
        floor = m.end()
    return found


@Language.factory("pkb_schools", requires=["doc.spans"], assigns=["doc.spans", "span._.name"])
def create_schools_component(nlp: Language, name: str):
    return schools_component


def schools_component(doc: Doc) -> Doc:
    text = doc.text
    spans = []
    for sentence in doc._.structure.sentences:
        for s, e, name in find_schools(text, sentence.start, sentence.end):
            span = make_span(doc, s, e, "school", len(spans))
            span._.name = name
            spans.append(span)
    doc.spans["schools"] = spans
    return doc
