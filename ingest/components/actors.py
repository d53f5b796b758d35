"""Actor mentions and the actor a subject phrase denotes (concepts of the actor scheme)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.components.spans import patterns


@dataclass(frozen=True)
class ActorMention:
    start: int
    end: int
    concept: str
    text: str


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern, str]]:
    data = patterns("actors")
    lead, member = data["lead_words"], data["member_words"]
    out = []
    for entry in data["actor"]:
        for p in entry["patterns"]:
            out.append((re.compile(p.replace("{LEAD}", lead).replace("{MEMBER}", member)), entry["concept"]))
    return out


def consortium_lead_pattern() -> re.Pattern:
    return re.compile(patterns("actors")["consortium"]["lead_school"])


def consortium_member_pattern() -> re.Pattern:
    return re.compile(patterns("actors")["consortium"]["member_school"])


def find_actors(text: str, start: int = 0, end: int | None = None) -> list[ActorMention]:
    """Actor mentions in ``text[start:end]``; at each position the first (most specific) pattern wins,
    and no two mentions overlap."""
    end = len(text) if end is None else end
    found: list[ActorMention] = []
    for pattern, concept in _patterns():
        for m in pattern.finditer(text, start, end):
            if m.end() == m.start():
                continue
            if any(m.start() < f.end and m.end() > f.start for f in found):
                continue
            found.append(ActorMention(m.start(), m.end(), concept, m.group()))
    return sorted(found, key=lambda f: f.start)


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
