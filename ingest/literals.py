"""Fast matching of many wordings: finite regexes expanded into literals, searched with one
Aho-Corasick automaton (pyahocorasick) instead of trying every alternative at every position;
and :class:`Gated`, a regex tried only where one of the plain words it requires occurs.

Patterns stay readable regexes in the .toml files (``(?:市|区|县)?教育局``); :func:`expand` turns
each into the finite set of strings it matches, with the negative lookarounds it starts or ends
with kept as checks (``(?<!副)理事长``, ``政府(?!教育督导)``).
"""
from __future__ import annotations

import re
import re._parser as sre  # the stdlib parser behind `re`
import sys
from dataclasses import dataclass
from itertools import product

import ahocorasick

MAX_STRINGS = 5000
#: characters around a searched range kept for the lookaround checks
LOOK = 16


@dataclass(frozen=True)
class Literal:
    text: str
    not_before: tuple[str, ...] = ()   # the match must not be preceded by any of these
    not_after: tuple[str, ...] = ()    # … nor followed by any of these


def _strings(items) -> list[str]:
    """Every string a parsed (assertion-free) sequence matches."""
    out = [""]
    for op, arg in items:
        if op is sre.LITERAL:
            choices = [chr(arg)]
        elif op is sre.IN:
            choices = []
            for kind, value in arg:
                if kind is sre.LITERAL:
                    choices.append(chr(value))
                elif kind is sre.RANGE:
                    choices.extend(chr(c) for c in range(value[0], value[1] + 1))
                else:
                    raise ValueError(f"unsupported character class item {kind}")
        elif op is sre.BRANCH:
            choices = [s for branch in arg[1] for s in _strings(branch)]
        elif op is sre.SUBPATTERN:
            choices = _strings(arg[3])
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, high, body = arg
            if high > 3:
                raise ValueError("unbounded repetition")
            inner = _strings(body)
            choices = ["".join(p) for n in range(low, high + 1) for p in product(inner, repeat=n)]
        else:
            raise ValueError(f"unsupported regex construct {op}")
        out = [a + b for a, b in product(out, choices)]
        if len(out) > MAX_STRINGS:
            raise ValueError("pattern expands to too many strings")
    return out


def expand(pattern: str) -> list[Literal]:
    """The literals a finite regex matches; a leading ``(?<!…)`` / trailing ``(?!…)`` become checks."""
    parsed = list(sre.parse(pattern))
    if len(parsed) == 1 and parsed[0][0] is sre.BRANCH:
        return [lit for branch in parsed[0][1][1] for lit in _expand_sequence(list(branch))]
    return _expand_sequence(parsed)


def _expand_sequence(items) -> list[Literal]:
    not_before: list[str] = []
    not_after: list[str] = []
    while items and items[0][0] is sre.ASSERT_NOT and items[0][1][0] == -1:
        not_before += _strings(items.pop(0)[1][1])
    while items and items[-1][0] is sre.ASSERT_NOT and items[-1][1][0] == 1:
        not_after += _strings(items.pop()[1][1])
    return [Literal(s, tuple(not_before), tuple(not_after)) for s in _strings(items) if s]


def required_words(pattern: str) -> list[str] | None:
    """Plain strings one of which every match of ``pattern`` contains (None when the regex gives
    no such set): from each branch, its longest run of plain characters, or what a group, a set of
    characters or a repeated part (at least once) requires. Lookarounds and anchors consume
    nothing and are left out."""
    return _required(list(sre.parse(pattern)))


def _required(items) -> list[str] | None:
    best: list[str] | None = None
    run = ""
    for op, arg in [*items, (None, None)]:
        if op is sre.LITERAL:
            run += chr(arg)
            continue
        if run:
            best, run = _more_selective(best, [run]), ""
        if op is sre.SUBPATTERN:
            best = _more_selective(best, _required(arg[3]))
        elif op is sre.BRANCH:
            branches = [_required(branch) for branch in arg[1]]
            if all(b is not None for b in branches):
                best = _more_selective(best, sorted({w for b in branches for w in b}))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and arg[0] >= 1:
            best = _more_selective(best, _required(arg[2]))
        elif op is sre.IN and all(kind is sre.LITERAL for kind, _ in arg):
            best = _more_selective(best, sorted(chr(value) for _, value in arg))     # (?:所|个|名)
    return best


def _more_selective(a: list[str] | None, b: list[str] | None) -> list[str] | None:
    """Of two necessary sets, the one whose shortest word is longer (then the smaller set)."""
    if a is None or b is None:
        return a or b
    return a if (min(map(len, a)), -len(a)) >= (min(map(len, b)), -len(b)) else b


def _after_free_text(pattern: str) -> str | None:
    """What follows a leading group of free text, ``(?P<holder>[^,。;]{2,24}?)任…``: every match
    holds a match of it, and it is searched fast where the whole pattern is tried at every
    position (None when the pattern does not start so, or is an alternation)."""
    end = _group_end(pattern)
    if end is None or end == len(pattern) or len(sre.parse(pattern)) < 2:
        return None
    inner = list(sre.parse(pattern[:end]))
    if len(inner) == 1 and inner[0][0] is sre.SUBPATTERN:
        inner = list(inner[0][1][3])
    free = len(inner) == 1 and inner[0][0] in (sre.MAX_REPEAT, sre.MIN_REPEAT) \
        and [op for op, _ in inner[0][1][2]] in ([sre.IN], [sre.ANY], [sre.NOT_LITERAL])
    try:
        return pattern[end:] if free and re.compile(pattern[end:]) else None
    except re.error:            # it refers to the group (\1)
        return None


def _group_end(pattern: str) -> int | None:
    """The end of the group ``pattern`` starts with (None if it starts with none)."""
    if not pattern.startswith("("):
        return None
    depth, i, in_class = 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if pattern.startswith(("[^]", "[]"), i):
                i += 2 if pattern[i + 1] == "]" else 3
                continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def _gate(pattern: str, flags: int) -> re.Pattern | None:
    """What :class:`Gated` searches first: what follows a leading group of free text, else the
    required words in one alternation (None: no gate)."""
    after = _after_free_text(pattern)
    if after:
        return re.compile(after)
    words = None if flags & re.IGNORECASE else required_words(pattern)
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True)))) if words else None


class Gated:
    """A regex behind a cheap test: where none of its :func:`required_words` occurs (or, for a
    pattern that opens with free text, no match of what follows it) it cannot match and is not
    tried. A plain-word alternation is found by a scan for its first characters;
    an alternation with lookarounds or classes is tried branch by branch at every position, which
    costs several times more over a sentence. Searches give what the regex alone gives."""

    def __init__(self, pattern: str):
        self.regex = re.compile(pattern)
        self.pattern = pattern
        self.gate = _gate(pattern, self.regex.flags)

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match | None:
        if self.gate is not None and self.gate.search(text, pos, endpos) is None:
            return None
        return self.regex.search(text, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        if self.gate is not None and self.gate.search(text, pos, endpos) is None:
            return iter(())
        return self.regex.finditer(text, pos, endpos)


class LiteralMatcher:
    """Matches of many labelled patterns: earlier-listed patterns take their matches first, as
    if each pattern were searched in turn and only matches not overlapping earlier ones kept."""

    def __init__(self, labelled: list[tuple[str, str]]):
        self.automaton = ahocorasick.Automaton()
        entries: dict[str, list] = {}
        for priority, (label, pattern) in enumerate(labelled):
            for lit in expand(pattern):
                entries.setdefault(lit.text, []).append((priority, label, lit))
        for text, items in entries.items():
            self.automaton.add_word(text, (text, sorted(items, key=lambda x: x[0])))
        self.automaton.make_automaton()
        #: the characters a match can start with
        self.first_chars = frozenset(text[0] for text in entries)

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str, str]]:
        """(start, end, label, matched text), non-overlapping, left to right."""
        return self.select(text, self.candidates(text, start, end))

    def candidates(self, text: str, start: int = 0, end: int | None = None) -> list[tuple]:
        """Every match of a literal inside ``text[start:end]`` that passes its lookaround checks,
        overlapping ones too, as ``(start, priority, -length, end, label)``. The candidates of a
        part of that range are those inside the part: search a sentence once, then
        :meth:`select` its clauses' matches from them."""
        end = len(text) if end is None else end
        if end <= start:
            return []
        # search a slice (the automaton's own start/end arguments still cost the whole text),
        # with room around it for the lookarounds
        base = max(0, start - LOOK)
        window = text[base:min(len(text), end + LOOK)]
        candidates = []
        for last, (word, items) in self.automaton.iter(window, start - base, end - base):
            s, e = base + last - len(word) + 1, base + last + 1
            for priority, label, lit in items:
                if lit.not_before and text.endswith(lit.not_before, 0, s):
                    continue
                if lit.not_after and text.startswith(lit.not_after, e):
                    continue
                candidates.append((s, priority, -(e - s), e, label))
                break
        return candidates

    @staticmethod
    def select(text: str, candidates: list[tuple]) -> list[tuple[int, int, str, str]]:
        """The matches :meth:`find` keeps of ``candidates``: (start, end, label, matched text)."""
        if len(candidates) < 2:
            return [(s, e, label, text[s:e]) for s, _, _, e, label in candidates]
        # the most specific pattern first, then left to right, longest first: a later, less
        # specific wording never cuts into one already taken (成员学校学科教师 before 各成员学校)
        candidates = sorted(candidates, key=lambda c: (c[1], c[0], c[2]))
        taken: list[tuple[int, int, str]] = []
        for s, _, _, e, label in candidates:
            for a, b, _ in taken:
                if e > a and s < b:
                    break       # overlaps one taken
            else:
                taken.append((s, e, label))
        return [(s, e, label, text[s:e]) for s, e, label in sorted(taken)]
