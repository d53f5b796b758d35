"""A document's rule texts (``pkb:ruleTexts``): each rule's actor and action wording as offsets in
the normalized text, one JSON value per document instead of two string literals per rule.

Entry ``i`` belongs to the rule of rank ``i + 1``; it is ``[actor, action]``, each ``null`` (the
text names none), ``[start, end]`` (a place in the text where exactly that wording stands) or the
wording itself when the text holds it nowhere (an action the extraction rewrote). :func:`encode`
is the writer's side; :func:`parse` and :func:`wording_at` the query side's; :func:`problems`
what ``policykb validate`` reports.
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


def wording_at(text: str, entries: list, order: int) -> tuple[str | None, str | None]:
    """``(actor text, action)`` of the rule of rank ``order``, from the entries of :func:`parse`
    and the document's text; ``(None, None)`` when there is no such rule."""
    if not 0 < order <= len(entries):
        return None, None
    actor, action = entries[order - 1]
    return _wording(text, actor), _wording(text, action)


def problems(value: str, length: int, rules: int) -> Sequence[str]:
    """What is wrong with a stored value for ``rules`` rules and a text of ``length`` code points
    (empty: nothing)."""
    try:
        entries = json.loads(value)
    except ValueError as exc:
        return [f"not JSON: {exc}"]
    if not isinstance(entries, list):
        return ["not a JSON list"]
    out = [] if len(entries) == rules else [f"{len(entries)} entries for {rules} rules"]
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
