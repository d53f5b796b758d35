"""Recurrence and amounts in a clause: 每月至少1次 → month, ≥ 1 time; 1-2名 → 1..2 persons.

``scan(text)`` finds the mentions (periods, counts, vague amounts) in one clause;
``combine(...)`` turns the mentions of one statement into the contract's ``frequency`` and
``quantity`` objects. The wordings are data: ``patterns/frequency.toml``.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.numerals import NUMBER, parse_number

PATTERNS_FILE = Path(__file__).parent / "patterns" / "frequency.toml"


@dataclass(frozen=True)
class Mention:
    """One recurrence or amount expression found in a clause (offsets relative to the clause)."""

    kind: str                   # "period" | "unspecified" | "count" | "vague"
    start: int
    end: int
    text: str
    period: str | None = None
    low: float | None = None    # counts: the number, or the low end of a range
    high: float | None = None   # counts: the high end of a range, else None
    comparator: str | None = None  # "eq" | "min" | "max" | "approx" | "range"
    unit: str | None = None
    scale: int = 1              # periods: counts per period are multiplied by this (每两周 → month ×2)


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class _Grammar:
    periods: list[tuple[re.Pattern, str, int, int | None]]
    any_period: re.Pattern      # every period pattern in one alternation: most clauses have none
    duration: re.Pattern
    unspecified: re.Pattern
    count: re.Pattern
    percent: re.Pattern
    vague: re.Pattern
    units: dict[str, tuple[str, bool]]
    min_before: frozenset
    max_before: frozenset
    approx_before: frozenset
    min_after: frozenset
    max_after: frozenset
    approx_after: frozenset
    person_nouns: re.Pattern


@lru_cache(maxsize=1)
def grammar() -> _Grammar:
    data = tomllib.loads(PATTERNS_FILE.read_text(encoding="utf-8"))
    periods = [(re.compile(p), entry["period"], entry.get("scale", 1), entry.get("count"))
               for entry in data["period"] for p in entry["patterns"]]
    c = data["count"]
    units: dict[str, tuple[str, bool]] = {}
    for entry in data["unit"]:
        for word in entry["words"]:
            units.setdefault(word, (entry["unit"], bool(entry.get("require_comparator"))))
    before = _alternation(c["min_before"] + c["max_before"] + c["approx_before"])
    after = _alternation(c["min_after"] + c["max_after"] + c["approx_after"])
    seps = _alternation(c["range_separators"])
    count = re.compile(
        rf"(?:(?P<before>{before})[\u4e00-\u9fff]{{0,4}}?)?(?<![第每])(?P<a>{NUMBER})(?:(?P<sep>{seps})(?P<b>{NUMBER}))?"
        rf"(?P<wan>万)?(?P<unit>{_alternation(units)})(?!性)(?P<after>{after})?")
    percent = re.compile(
        rf"(?P<before>{before})?(?:百分之(?P<a>{NUMBER})|(?P<a2>\d+(?:\.\d+)?)%)(?P<after>{after})?")
    return _Grammar(
        periods=periods,
        any_period=re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _, _, _ in periods)),
        unspecified=re.compile(_alternation(data["unspecified"]["patterns"])),
        count=count,
        percent=percent,
        vague=re.compile("|".join(data["vague"]["patterns"])),
        units=units,
        min_before=frozenset(c["min_before"]), max_before=frozenset(c["max_before"]),
        approx_before=frozenset(c["approx_before"]),
        min_after=frozenset(c["min_after"]), max_after=frozenset(c["max_after"]),
        approx_after=frozenset(c["approx_after"]),
        person_nouns=re.compile(_alternation(data["counted_nouns"]["person"])),
        duration=re.compile(data["duration"]["after"]),
    )


def _comparator(g: _Grammar, before: str | None, after: str | None, ranged: bool) -> str:
    if before in g.min_before or after in g.min_after:
        return "min"
    if before in g.max_before or after in g.max_after:
        return "max"
    if before in g.approx_before or after in g.approx_after:
        return "approx"
    return "range" if ranged else "eq"


@lru_cache(maxsize=8192)
def scan(text: str) -> tuple[Mention, ...]:
    """Every period, count and vague-amount mention in ``text``, in order, never overlapping
    (cached: the components scan the same clauses more than once)."""
    g = grammar()
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    def add(m: Mention) -> None:
        found.append(m)
        taken.append((m.start, m.end))

    for pattern, period, scale, implied in g.periods if g.any_period.search(text) else ():
        for m in pattern.finditer(text):
            if free(m.start(), m.end()):
                add(Mention("period", m.start(), m.end(), m.group(), period=period, scale=scale))
                if implied is not None:    # 一年一评估: once a year
                    found.append(Mention("count", m.start(), m.end(), m.group(), low=implied,
                                         comparator="eq", unit="time"))
    for m in g.unspecified.finditer(text):
        if free(m.start(), m.end()):
            add(Mention("unspecified", m.start(), m.end(), m.group(), period="unspecified"))
    for m in g.percent.finditer(text):
        if not free(m.start(), m.end()):
            continue
        value = parse_number(m.group("a") or m.group("a2"))
        if value is None:
            continue
        cmp_ = _comparator(g, m.group("before"), m.group("after"), False)
        add(Mention("count", m.start(), m.end(), m.group(), low=value, comparator=cmp_, unit="percent"))
    for m in g.count.finditer(text):
        if not free(m.start(), m.end()):
            continue
        low = parse_number(m.group("a"))
        high = parse_number(m.group("b")) if m.group("b") else None
        if low is None:
            continue
        if m.group("wan"):          # 1.5万人: ten thousands
            low, high = low * 10000, (high * 10000 if high is not None else None)
        unit, needs_cmp = g.units[m.group("unit")]
        cmp_ = _comparator(g, m.group("before"), m.group("after"), high is not None)
        if m.group() == "一个":
            continue            # 一个教育集团: an article, not a count
        if needs_cmp and cmp_ in ("eq", "range"):
            continue
        if unit == "item" and g.duration.match(text, m.end() - (1 if m.group("unit") == "个" else 0)):
            continue            # 一个月, 两个学期: how long, not how many
        add(Mention("count", m.start(), m.end(), m.group(), low=low, high=high, comparator=cmp_, unit=unit))
    for m in g.vague.finditer(text):
        if free(m.start(), m.end()):
            add(Mention("vague", m.start(), m.end(), m.group(), unit=_counted_unit(text, m.end())))
    found.sort(key=lambda x: x.start)
    return tuple(found)


def _counted_unit(text: str, pos: int) -> str | None:
    """``person`` when the words right after ``pos`` count people (教师, 干部 …)."""
    m = grammar().person_nouns.search(text, pos, pos + 8)
    return "person" if m else None


def _as_int(value: float | None) -> int | None:
    if value is None or not float(value).is_integer():
        return None
    return int(value)


def frequency_of(period: Mention | None, counts: list[Mention]) -> tuple[dict | None, dict | None]:
    """The contract's (frequency, quantity) for a statement with ``period`` and its count mentions.

    An approximate amount (5%左右) becomes the quantity and leaves the counts null. Without a
    period there is no frequency, and a count is a quantity. A scaled period (每两周) multiplies
    the counts.
    """
    count = next((c for c in counts if c.kind == "count"), None)
    vague = next((c for c in counts if c.kind == "vague"), None)
    quantity = None
    low = high = None
    unit = None
    if count is not None:
        unit = count.unit
        if count.comparator == "approx":
            quantity = {"value": count.low, "unit": count.unit, "comparator": "approx"}
        elif count.comparator == "min":
            low = count.low
        elif count.comparator == "max":
            high = count.low
        elif count.comparator == "range":
            low, high = count.low, count.high
        else:  # exactly
            low = high = count.low
    elif vague is not None:
        unit = vague.unit
    if period is None:
        if count is not None and quantity is None:
            cmp_ = {"min": "min", "max": "max", "range": "min"}.get(count.comparator or "", "eq")
            value = _as_int(count.low)
            quantity = {"value": count.low if value is None else value, "unit": count.unit, "comparator": cmp_}
        return None, quantity
    scale = period.scale if unit in (None, "time") else 1
    frequency = {"period": period.period,
                 "min_count": _as_int(low * scale if low is not None else None),
                 "max_count": _as_int(high * scale if high is not None else None),
                 "unit": unit or "time"}
    if period.period == "unspecified":
        frequency.update(min_count=None, max_count=None)
    return frequency, quantity


def strength(freq: dict) -> tuple[int, int]:
    """How much a ``frequency`` asks: its count per period (the lower bound, else the upper), then
    its upper bound; a period alone asks the least."""
    return (freq.get("min_count") or freq.get("max_count") or 0, freq.get("max_count") or 0)


def strongest(frequencies) -> dict | None:
    """The frequency asking the most (:func:`strength`; the first of equals), None if there is none."""
    return max((f for f in frequencies if f), key=strength, default=None)
