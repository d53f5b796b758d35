"""A document's rule texts (``pkb:ruleTexts``): each rule's actor and action wording as offsets in
the normalized text, one JSON value per document instead of two string literals per rule.

Entry ``i`` belongs to the rule of rank ``i + 1``; it is ``[actor, action]``, each ``null`` (the
text names none), ``[start, end]`` (a place in the text where exactly that wording stands) or the
wording itself when the text holds it nowhere (an action the extraction rewrote). :func:`encode`
is the writer's side, :func:`decode` the query side's.
"""
from __future__ import annotations

import json
from typing import Iterable, Sequence


def _place(text: str, wording: str, start: int, end: int, before: bool):
    """Offsets of ``wording`` in ``text``: inside the clause ``[start, end)`` if it stands there,
    else the nearest place before the clause's end (an actor named earlier: ``before``) or the
    first place anywhere; the wording itself when the text lacks it."""
    if not wording:
        return None
    at = text.find(wording, start, end)
    if at < 0 and before:
        at = text.rfind(wording, 0, end)
    if at < 0:
        at = text.find(wording)
    return [at, at + len(wording)] if at >= 0 else wording


def encode(text: str, rules: Iterable[tuple[str | None, str | None, int, int]]) -> str:
    """``(actor text, action, clause start, clause end)`` per rule, in rank order → the JSON value."""
    entries = [[_place(text, actor or "", start, end, True), _place(text, action or "", start, end, False)]
               for actor, action, start, end in rules]
    return json.dumps(entries, ensure_ascii=False, separators=(",", ":"))


def _wording(text: str, part) -> str | None:
    if part is None:
        return None
    if isinstance(part, str):
        return part
    return text[part[0]:part[1]]


def parse(value: str | None) -> list:
    """The stored JSON value → its entries (one per rule, in rank order), not yet cut from the text."""
    return json.loads(value) if value else []


def wording(text: str, entry) -> tuple[str | None, str | None]:
    """One entry of :func:`parse` and the document's text → ``(actor text, action)``."""
    return _wording(text, entry[0]), _wording(text, entry[1])


def decode(value: str | None, text: str) -> list[tuple[str | None, str | None]]:
    """The JSON value and the document's text → ``(actor text, action)`` per rule, in rank order."""
    return [wording(text, entry) for entry in parse(value)]


def problems(value: str, length: int) -> Sequence[str]:
    """What is wrong with a stored value for a text of ``length`` code points (empty: nothing)."""
    try:
        entries = json.loads(value)
    except ValueError as exc:
        return [f"not JSON: {exc}"]
    if not isinstance(entries, list):
        return ["not a JSON list"]
    out = []
    for i, entry in enumerate(entries, 1):
        if not (isinstance(entry, list) and len(entry) == 2):
            out.append(f"rule {i}: not an [actor, action] pair")
            continue
        for part in entry:
            if part is None or isinstance(part, str):
                continue
            if not (isinstance(part, list) and len(part) == 2 and all(isinstance(n, int) for n in part)
                    and 0 <= part[0] < part[1] <= length):
                out.append(f"rule {i}: {part!r} is not [start, end] within the text")
    return out
