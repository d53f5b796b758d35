"""Find the wordings of a question: longest match first, Chinese and English side by side.

:func:`scan` walks a normalized question once and returns the matches and what is left over.
How each language is matched: docs/query-side.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kb.ask import lexicon as lx
from kb.ask.text import CJK, english_words
from kb.ask.vocabulary import Sense, Vocabulary


@dataclass(frozen=True)
class Match:
    """A wording found at ``[start, end)`` of the normalized question, with all its senses."""

    text: str
    start: int
    end: int
    senses: frozenset[Sense]

    def has(self, dim: str, value: object = None) -> bool:
        return any(s.dim == dim and (value is None or s.value == value) for s in self.senses)

    def values(self, dim: str) -> list:
        return sorted({s.value for s in self.senses if s.dim == dim}, key=str)


@dataclass(frozen=True)
class Leftover:
    """Text no wording covered: ``text`` at ``start``; ``english`` for an English word."""

    text: str
    start: int
    english: bool = False


_BREAK = re.compile(r"[\s,.;:!?()\[\]{}<>\"'`~@#$%^&*+=|\\/，。；：！？、（）《》「」『』“”‘’…—-]+")


def scan(text: str, vocabulary: Vocabulary) -> tuple[list[Match], list[Leftover]]:
    """The matches of ``text`` (normalized) in document order, and the leftovers."""
    index = vocabulary.index
    matches: list[Match] = []
    covered = [False] * len(text)

    words = english_words(text, lx.irregular())
    i = 0
    while i < len(words):
        for size in range(min(vocabulary.max_en, len(words) - i), 0, -1):
            key = tuple(w for w, _, _ in words[i:i + size])
            if key in index.en and _adjacent(text, words[i:i + size]):
                start, end = words[i][1], words[i + size - 1][2]
                matches.append(Match(text[start:end], start, end, frozenset(index.en[key])))
                covered[start:end] = [True] * (end - start)
                i += size
                break
        else:
            i += 1

    pos = 0
    while pos < len(text):
        if covered[pos] or not CJK.match(text[pos]):
            pos += 1
            continue
        for size in range(min(vocabulary.max_zh, len(text) - pos), 0, -1):
            piece = text[pos:pos + size]
            if piece in index.zh and not any(covered[pos:pos + size]):
                matches.append(Match(piece, pos, pos + size, frozenset(index.zh[piece])))
                covered[pos:pos + size] = [True] * size
                pos += size
                break
        else:
            pos += 1
    matches.sort(key=lambda m: m.start)
    return matches, _leftovers(text, covered, words)


def _adjacent(text: str, words: list[tuple[str, int, int]]) -> bool:
    """Words of one wording may be separated by spaces, hyphens or apostrophes only."""
    return all(re.fullmatch(r"[\s\-'/]*", text[a[2]:b[1]]) for a, b in zip(words, words[1:]))


def _leftovers(text: str, covered: list[bool], words) -> list[Leftover]:
    out: list[Leftover] = []
    for word, start, end in words:
        if not any(covered[start:end]):
            out.append(Leftover(text[start:end], start, english=True))
    chunk, chunk_start = [], 0
    for pos, ch in enumerate(text + " "):
        if pos < len(text) and not covered[pos] and CJK.match(ch):
            if not chunk:
                chunk_start = pos
            chunk.append(ch)
            continue
        if chunk:
            out.append(Leftover("".join(chunk), chunk_start))
            chunk = []
    return [piece for piece in out if not _BREAK.fullmatch(piece.text)]
