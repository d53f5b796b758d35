"""The events a sentence states about school groups, in text order — NAME (a group's name),
LEAD (a school in a lead role), MEMBERS (schools in a member role) — from the phrasings of
groups.toml; ``pkb_groups`` (groups.py) turns them into groups."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.components.models import find_model_terms
from ingest.components.spans import NOT_MONOTONE, patterns
from ingest.school_names import expand

COUNT = re.compile(r"(?:等{1,2})?([0-9一二两三四五六七八九十]+)个")


@dataclass(frozen=True)
class _Event:
    pos: int
    kind: str                 # name | lead | members
    schools: tuple[str, ...] = ()
    name: str | None = None
    family: str | None = None
    model: str | None = None
    extra_models: tuple[str, ...] = ()
    end: int = 0
    stem: str | None = None


@lru_cache(maxsize=1)
def group_patterns() -> dict:
    data = patterns("groups")
    r = data["roles"]
    return {
        "kinds": [(re.compile(k["pattern"]), k["family"], k["model"]) for k in data["kind"]],
        "lead_before": re.compile(r["lead_before"]),
        "lead_after": re.compile(r["lead_after"]),
        "lead_after_at": _anywhere(r["lead_after"]),
        "member_before": re.compile(r["member_before"]),
        "member_after": re.compile(r["member_after"]),
        "with_before": re.compile(r["with_before"]),
        "pair_verbs": re.compile(r["pair_verbs"]),
        "takes_over": re.compile(r["takes_over"]),
        "made_of": re.compile(r["made_of"]),
        "counted_made_of": re.compile(r["counted_made_of"]),
        "pair_joiner": re.compile(r["pair_joiner"]),
        "pair_kind": re.compile(r["pair_kind"]),
        "lead_each_before": re.compile(r["lead_each_before"]),
        "lead_each_after": re.compile(r["lead_each_after"]),
        "joins": re.compile(r["joins"]),
        "stem_kind": re.compile(data["stems"]["kind"]),
        "company_after": re.compile(data["stems"]["company_after"]),
        "sep": re.compile(r["list_separators"]),
        "named_district": re.compile(data["named"]["district"]),
        "name_joiners": re.compile(data["named"]["joiners"]),
        "name_openers": data["named"]["openers"],
    }


def _anywhere(pattern: str) -> re.Pattern | None:
    """The positions where a ``^``-anchored pattern can match: a lookahead of it, searched once
    over a sentence (every place it matches text cut after the place matches the whole sentence
    too, when the pattern holds no negative lookaround nor end anchor). None when it may not."""
    body = pattern.removeprefix("^")
    if body == pattern or "^" in body or any(x in body for x in NOT_MONOTONE):
        return None
    return re.compile(f"(?=(?:{body}))")


def _kind_at(text: str, pos: int):
    joiner = group_patterns()["name_joiners"].match(text, pos)
    at = joiner.end() if joiner else pos
    for pattern, family, model in group_patterns()["kinds"]:
        m = pattern.match(text, at)
        if m:
            return m, family, model
    return None


def _kind_in(text: str, pos: int, end: int):
    for offset in range(pos, min(end, pos + 16)):
        found = _kind_at(text, offset)
        if found:
            return found
    return None


def _runs(schools, text):
    """Runs of schools separated only by 、/和/及 … → lists of (start, end, name)."""
    runs, current = [], []
    for school in schools:
        if current and group_patterns()["sep"].match(text[current[-1][1]:school[0]]):
            current.append(school)
        else:
            if current:
                runs.append(current)
            current = [school]
    if current:
        runs.append(current)
    return runs


ALIAS = re.compile(r"\((?:以下)?简称[“\"]?([^()“”\"]{2,12})[”\"]?\)")


def _without_aliases(text: str, schools) -> tuple[list, dict[str, str], str]:
    """Schools without the short names a parenthesis defines (西南大学附属小学(简称“西大附小”)),
    the short name → full name map, and the text with those parentheses blanked out (so the
    school before one and the words after it stay adjacent)."""
    aliases: dict[str, str] = {}
    blanked = text
    kept = []
    skip: set[tuple[int, int]] = set()
    for s, e, name in schools:
        m = ALIAS.match(text, e)
        if m:
            aliases[m.group(1)] = name
            blanked = blanked[:m.start()] + "\0" * (m.end() - m.start()) + blanked[m.end():]
            skip.add((m.start(1), m.end(1)))
    for s, e, name in schools:
        if not any(a <= s and e <= b for a, b in skip):
            kept.append((s, e, aliases.get(name, name)))
    return kept, aliases, blanked


def _stem_events(text: str, start: int, end: int, schools, doc_names=()) -> list[_Event]:
    """NAME events of groups named by a word that is not a school's name (景山远洋教育集团, 广雅教育集团)."""
    from ingest.components.schools import group_stem

    r, out = group_patterns(), []
    for m in r["stem_kind"].finditer(text, start, end):
        at = m.start()
        if r["company_after"].match(text, m.end()) or \
                any(s < at < e or (e <= at and not text[e:at].strip("“”\"+")) for s, e, _ in schools):
            continue
        stem = group_stem(text, max([start] + [e for _, e, _ in schools if e <= at]), at, doc_names)
        if stem:
            # 扬州中学文昌教育集团: the name keeps the school written right before it
            owner = next((n for _, e, n in schools if e == at - len(stem)), "")
            out.append(_Event(at - len(stem), "name", (), owner + stem + m.group(), "group", "education_group",
                              (), m.end(), stem))
    return out


def _short_leads(text: str, start: int, end: int, schools, doc_names) -> list[_Event]:
    """LEAD events of a school named by a short form in a lead role (局小作为核心校 → 局前街小学)."""
    from ingest.components.schools import _covered, lexicon

    r, out = group_patterns(), []
    ends = {e for _, e, _ in schools}
    at = r["lead_after_at"]
    for p in range(start + 2, end) if at is None else (m.start() for m in at.finditer(text, start + 2, end)):
        if p in ends or not CJK_CHAR.match(text[p - 1]) or not r["lead_after"].match(text[p:min(end, p + 40)]):
            continue
        for k in (4, 3, 2):
            short = text[p - k:p]
            if p - k < start or not CJK_CHAR.fullmatch(short) or _covered(short, lexicon().generic):
                continue
            full = expand(short, doc_names)
            if full:
                out.append(_Event(p - k, "lead", (full,), end=p))
                break
    return out


CJK_CHAR = re.compile(r"[\u4e00-\u9fff]+")
CLAUSE_END = re.compile(r"[,;。:]")


def sentence_events(text: str, start: int, end: int, schools, doc_names=()) -> list[_Event]:
    r = group_patterns()
    events: list[_Event] = []
    schools, _, text = _without_aliases(text, schools)
    stems = _stem_events(text, start, end, schools, doc_names)
    events += stems + _short_leads(text, start, end, schools, doc_names)
    runs = _runs(schools, text)
    opened = any(e.kind == "lead" for e in events)        # a lead was stated earlier in the sentence
    lead_end = max([e.end for e in events if e.kind == "lead"], default=start)

    def named_before(pos: int) -> _Event | None:
        return next((e for e in reversed(sorted(events, key=lambda e: e.pos))
                     if e.kind == "name" and e.end <= pos), None)

    for i, run in enumerate(runs):
        first_s, last_e = run[0][0], run[-1][1]
        names = tuple(s[2] for s in run)
        before = text[max(start, first_s - 10):first_s]
        after = text[last_e:min(end, last_e + 60)].replace("\0", "")
        direct = _kind_at(text, last_e)
        counted = COUNT.match(text, last_e)
        nxt = runs[i + 1] if i + 1 < len(runs) else None
        # NAME events
        if direct and len(run) == 1:
            m, family, model = direct
            extra = ()
            follow = COUNT.match(text, m.end())
            if follow:
                extra = tuple(c for _, _, c in find_model_terms(text, follow.end(), min(end, follow.end() + 20)))
            name = (names[0] + text[last_e:m.end()]).replace("“", "").replace("”", "").replace('"', "")
            events.append(_Event(first_s, "name", names, name, family, model, extra, m.end()))
            continue
        if counted and len(run) >= 2:
            kind = _kind_in(text, counted.end(), end)
            if kind:
                m, family, model = kind
                extra = tuple(c for _, _, c in find_model_terms(text, counted.end(), m.end()))
                for s in run:
                    events.append(_Event(s[0], "name", (s[2],), s[2] + m.group(), family, model, extra, m.end()))
                continue
        # A加盟B教育集团: members of the group named next
        joins = r["joins"].match(after)
        if joins:
            at = last_e + joins.end()
            if any(e.kind == "name" and e.pos == at for e in stems) or \
                    (nxt and nxt[0][0] == at and len(nxt) == 1 and _kind_at(text, nxt[0][1])):
                events.append(_Event(at + 1, "members", names, end=last_e))
                continue
        # X教育集团的A分校、B分校 / X教育集团龙凤分校: the group's own schools
        named = named_before(first_s)
        if named is not None and text[named.end:first_s] in ("", "的") and not _quoted(text, start, first_s):
            events.append(_Event(first_s, "members", names, end=last_e))
            continue
        # X集团由A、B、C组成 (members) / 由A、B、C组建X集团 (the first school leads)
        if before.replace("\0", "").endswith("由") and r["made_of"].match(after) \
                or len(run) >= 2 and r["counted_made_of"].match(after):
            made = r["made_of"].match(after) or r["counted_made_of"].match(after)
            later = _name_after(stems, runs[i + 1:], text, last_e + made.end())
            if named is not None:
                events.append(_Event(first_s, "members", names, end=last_e))
            elif later is not None:         # 由A、B、C组成的X教育集团: members of the group named next
                events.append(_Event(later + 1, "members", names, end=last_e))
            else:
                events.append(_Event(first_s, "lead", names[:1], end=run[0][1]))
                if len(names) > 1:
                    events.append(_Event(run[1][0], "members", names[1:], end=last_e))
                opened, lead_end = True, last_e
            continue
        # A托管B / A受…委托管理B / A领办B: a lead and its member
        take = r["takes_over"].match(after)
        if take and nxt and nxt[0][0] == last_e + take.end() and len(run) == 1:
            events.append(_Event(first_s, "lead", names, end=last_e))
            events.append(_Event(nxt[0][0], "members", tuple(s[2] for s in nxt), end=nxt[-1][1]))
            opened, lead_end = True, last_e
            continue
        # 由A与B、C组成 / A会同B、C…共同体: the first school leads
        if len(run) == 1 and nxt and r["pair_joiner"].fullmatch(text[last_e:nxt[0][0]].replace("\0", "")) \
                and (r["pair_verbs"].match(text, nxt[-1][1]) or r["pair_kind"].match(text[nxt[-1][1]:end])):
            events.append(_Event(first_s, "lead", names, end=last_e))
            events.append(_Event(nxt[0][0], "members", tuple(s[2] for s in nxt), end=nxt[-1][1]))
            opened, lead_end = True, last_e
            continue
        if len(run) >= 2 and re.fullmatch(r"[与同和]", text[run[0][1]:run[1][0]]) \
                and r["pair_verbs"].match(text, last_e):     # A与B、C结成帮扶对子 as one list
            events.append(_Event(first_s, "lead", names[:1], end=run[0][1]))
            events.append(_Event(run[1][0], "members", names[1:], end=last_e))
            opened, lead_end = True, last_e
            continue
        if r["lead_before"].search(before) or r["lead_after"].match(after):
            if len(run) > 1 and (r["lead_each_before"].search(before) or r["lead_each_after"].match(after)):
                for s in run:               # 分别以A、B为龙头: one group each
                    events.append(_Event(s[0], "lead", (s[2],), end=s[1]))
            else:
                events.append(_Event(first_s, "lead", names[:1], end=last_e))
                if len(names) > 1:
                    events.append(_Event(run[1][0], "members", names[1:], end=last_e))
            opened, lead_end = True, last_e
        elif r["member_before"].search(before) or r["member_after"].match(after) \
                or (opened and r["with_before"].search(before) and not CLAUSE_END.search(text, lead_end, first_s)):
            events.append(_Event(first_s, "members", names, end=last_e))
    for m in r["named_district"].finditer(text, start, end):
        if not any(e.pos <= m.start() < e.end for e in events if e.kind == "name"):
            name = m.group().lstrip(r["name_openers"])
            events.append(_Event(m.start(), "name", (), name, "district", "school_district", (), m.end()))
    return sorted(events, key=lambda e: e.pos)


def _name_after(stems, runs, text: str, pos: int) -> int | None:
    """Where a group's name starts right after ``pos`` (…组成的|X教育集团, …组建成立|X教育集团)."""
    gap = re.compile(r"(?:的|了|成立了|成立)?")
    at = gap.match(text, pos).end()
    if any(e.pos == at for e in stems):
        return at
    run = next((rn for rn in runs if rn[0][0] == at), None)
    if run is not None and len(run) == 1 and _kind_at(text, run[0][1]):
        return at
    return None


def _quoted(text: str, start: int, pos: int) -> bool:
    """True when ``pos`` is inside “…” (a plate or a title, not a statement)."""
    piece = text[start:pos]
    return piece.count("“") > piece.count("”")


def lead_in(text: str, start: int) -> int:
    """Length of a list marker or connective before a sentence's subject (1. / (一) / 其中,)."""
    from ingest.components.statements import SUBJECT_LEAD

    return SUBJECT_LEAD.match(text, start).end() - start
