"""Actor mentions and the actor a subject phrase denotes (concepts of the actor scheme)."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from ingest.components.spans import patterns
from ingest.literals import LiteralMatcher


class ActorMention(NamedTuple):      # (a tuple: made for every clause, and cheaply)
    start: int
    end: int
    concept: str
    text: str


@lru_cache(maxsize=1)
def _matcher() -> LiteralMatcher:
    """Every actor wording, most specific first (actors.toml), in one Aho-Corasick automaton."""
    data = patterns("actors")
    lead, member = data["lead_words"], data["member_words"]
    return LiteralMatcher([(entry["concept"], p.replace("{LEAD}", lead).replace("{MEMBER}", member))
                           for entry in data["actor"] for p in entry["patterns"]])


@lru_cache(maxsize=1)
def consortium_lead_pattern() -> re.Pattern:
    return re.compile(patterns("actors")["consortium"]["lead_school"])


@lru_cache(maxsize=1)
def consortium_member_pattern() -> re.Pattern:
    return re.compile(patterns("actors")["consortium"]["member_school"])


def may_start_actor(text: str, pos: int) -> bool:
    """False when no actor wording starts at ``pos`` (its character starts none of them)."""
    return text[pos:pos + 1] in _matcher().first_chars


def find_actors(text: str, start: int = 0, end: int | None = None) -> list[ActorMention]:
    """Actor mentions in ``text[start:end]``, left to right; where several wordings start at one
    position the most specific (first listed in actors.toml) wins."""
    return [ActorMention(s, e, concept, word) for s, e, concept, word in _matcher().find(text, start, end)]


class SentenceActors:
    """The actor wordings of one sentence ``text[start:end]``, searched once; :meth:`find` gives
    the mentions of any part of it exactly as :func:`find_actors` would find them there."""

    def __init__(self, text: str, start: int, end: int):
        self.text = text
        self.candidates = _matcher().candidates(text, start, end)

    def find(self, start: int, end: int) -> list[ActorMention]:
        inside = [c for c in self.candidates if start <= c[0] and c[3] <= end]
        return [ActorMention(s, e, concept, word) for s, e, concept, word in LiteralMatcher.select(self.text, inside)]


def head_actor(mentions: list[ActorMention], text: str) -> ActorMention | None:
    """The actor a subject phrase denotes: its rightmost term, except that "牵头校和成员校"
    (both sides of the group) means the whole group."""
    if not mentions:
        return None
    concepts = {m.concept for m in mentions}
    if {"lead_school", "member_school"} <= concepts:
        first, last = mentions[0], mentions[-1]
        if re.fullmatch(r"[和与及、]", text[first.end:last.start] or "") or len(mentions) == 2:
            return ActorMention(first.start, last.end, "group", text[first.start:last.end])
    return mentions[-1]
