"""``pkb_groups``: school groups with their lead and member schools.

Each sentence is read as a sequence of events, in text order:

- NAME: a school followed by a group kind (张掖中学教育集团, “八十三中+”教育联合体), one per school
  of a distributed list (临县一中、临县高级中学两个…联合体), a named 学区 (育才学区), or a short name
  of its own (景山远洋教育集团, 广雅教育集团: its lead is the school of the document it stands for);
- LEAD: a school in a lead role (牵头校(张掖中学), 以A为核心校, A牵头, A作为帮扶校, A托管B, 由A与B组成,
  局小作为核心校 for 局前街小学), one group each in 分别以A、B为龙头 / 以A、B…为核心校组建N个;
- MEMBERS: schools in a member role (成员校(B、C), 吸纳B、C, B、C为成员校, 与B、C组建 after a lead,
  X集团由A、B组成, X集团的A分校, X集团Y分校, A加盟X集团, 由A、B组成的X集团).

A LEAD opens a group unless it completes the group a NAME just opened; a NAME completes the group a
LEAD just opened; MEMBERS join the open group. Parenthesised pair lists (初中教育集团4个(A和B、C和D))
give one group per pair, the first school leading. Groups are merged across the document when their
leads are the same school (泉州七中 = 泉州市第七中学, see ingest.school_names) and their kinds agree;
groups without a lead by their name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from ingest.components.models import find_model_terms
from ingest.components.spans import make_span, patterns, text_of
from ingest.school_names import expand, preferred, same_school, shortens, split_name

COUNT = re.compile(r"(?:等{1,2})?([0-9一二两三四五六七八九十]+)个")
UNIFORM = re.compile(r"(?:均|都|全部|一律)(?:为|实行|采用|属于|是|按照)")


@dataclass
class Group:
    leads: list[str] = field(default_factory=list)     # every spelling seen
    explicit: str | None = None                        # the spelling of the lead statement
    members: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    mentions: dict[str, int] = field(default_factory=dict)     # name → times written
    family: str | None = None
    kind_model: str | None = None
    models: list[str] = field(default_factory=list)
    evidence: tuple[int, int] | None = None
    stem: str | None = None                            # a name not built on a school (广雅)

    @property
    def lead(self) -> str | None:
        if self.explicit:
            return self.explicit
        return preferred(self.leads) if self.leads else None

    def add_lead(self, name: str, explicit: bool = False) -> None:
        if name not in self.leads:
            self.leads.append(name)
        if explicit and self.explicit is None:
            self.explicit = name

    def add_member(self, name: str) -> None:
        if any(same_school(name, lead) for lead in self.leads):
            return
        for i, m in enumerate(self.members):
            if same_school(name, m):
                if len(name) > len(m):
                    self.members[i] = name
                return
        self.members.append(name)

    def is_lead(self, name: str) -> bool:
        return any(same_school(name, lead) for lead in self.leads)


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
def _rules() -> dict:
    data = patterns("groups")
    r = data["roles"]
    return {
        "kinds": [(re.compile(k["pattern"]), k["family"], k["model"]) for k in data["kind"]],
        "lead_before": re.compile(r["lead_before"]),
        "lead_after": re.compile(r["lead_after"]),
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


def _kind_at(text: str, pos: int):
    joiner = _rules()["name_joiners"].match(text, pos)
    at = joiner.end() if joiner else pos
    for pattern, family, model in _rules()["kinds"]:
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
        if current and _rules()["sep"].match(text[current[-1][1]:school[0]]):
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

    r, out = _rules(), []
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

    r, out = _rules(), []
    ends = {e for _, e, _ in schools}
    for p in range(start + 2, end):
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


def _events(text: str, start: int, end: int, schools, doc_names=()) -> list[_Event]:
    r = _rules()
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


def _lead_in(text: str, start: int) -> int:
    """Length of a list marker or connective before a sentence's subject (1. / (一) / 其中,)."""
    from ingest.components.statements import SUBJECT_LEAD

    return SUBJECT_LEAD.match(text, start).end() - start


def _sentence_groups(found: list[Group], text: str, start: int, end: int, schools,
                     doc_names=()) -> list[Group]:
    """The groups the sentence ``text[start:end]`` states (appended to ``found``)."""
    current: Group | None = None
    current_from = None              # "name" or "lead": what opened the current group
    touched: list[Group] = []
    for ev in _events(text, start, end, schools, doc_names):
        if ev.kind == "name":
            lead = ev.schools[0] if ev.schools else None
            if current is not None and current_from == "lead" and not current.names \
                    and (lead is None or current.is_lead(lead)):
                g = current
            else:
                g = Group(evidence=(start, end))
                found.append(g)
                touched.append(g)
                current, current_from = g, "name"
            if lead:
                g.add_lead(lead)
            if ev.name not in g.names:
                g.names.append(ev.name)
            g.mentions[ev.name] = g.mentions.get(ev.name, 0) + 1
            g.stem = g.stem or ev.stem
            g.family, g.kind_model = ev.family, ev.model
            g.models += [c for c in ev.extra_models if c not in g.models]
        elif ev.kind == "lead":
            school = ev.schools[0]
            if current is not None and current_from == "name" and current.explicit is None \
                    and (not current.leads or current.is_lead(school)):
                current.add_lead(school, explicit=True)
                current_from = "name+lead"
            else:
                g = Group(evidence=(start, end))
                g.add_lead(school, explicit=True)
                found.append(g)
                touched.append(g)
                current, current_from = g, "lead"
        elif ev.kind == "members":
            if current is None and schools and schools[0][0] == start + _lead_in(text, start) \
                    and schools[0][2] not in ev.schools:
                # A实行…管理, B、C为其分校区: the school the sentence opens with leads
                current = Group(evidence=(start, end))
                current.add_lead(schools[0][2], explicit=True)
                found.append(current)
                touched.append(current)
                current_from = "lead"
            if current is not None:
                for name in ev.schools:
                    current.add_member(name)
    _pair_lists(found, touched, text, start, end, schools)
    models = {c for _, _, c in find_model_terms(text, start, end)} - {"education_group"}
    if len(models) == 1:
        for g in touched:
            if not g.models:
                g.models.append(next(iter(models)))
    return touched


def _pair_lists(found, touched, text, start, end, schools) -> None:
    """(A和B、C和D …) after a group count: one group per pair; after a group's name: its schools."""
    rules = _rules()
    for m in re.finditer(r"\(([^()]{4,400})\)", text[start:end]):
        inner_s, inner_e = start + m.start(1), start + m.end(1)
        inside = [x for x in schools if inner_s <= x[0] and x[1] <= inner_e]
        if len(inside) < 2 or not _only_schools(text, inner_s, inner_e, inside):
            continue
        open_at = start + m.start()
        before = text[max(start, open_at - 10):open_at]
        owner = next((g for g in touched if any(text.endswith(n.replace("+", ""), 0, open_at) or
                                                 before.endswith(n) for n in g.names)), None)
        if owner is not None:
            for s, e, name in inside:
                if not owner.leads:
                    owner.add_lead(name)
                owner.add_member(name)
            continue
        if rules["member_before"].search(before) or rules["lead_before"].search(before) \
                or any(e == open_at for _, e, _ in schools):      # 某小学(一天门校区、涂山校区): its campuses
            continue
        for item in _split_items(text, inside):
            g = Group(evidence=(start, end), family="group" if "集团" in before else None)
            g.add_lead(item[0][2])
            for s, e, name in item[1:]:
                g.add_member(name)
            found.append(g)
            touched.append(g)


def _only_schools(text: str, s: int, e: int, inside) -> bool:
    rest, pos = [], s
    for a, b, _ in inside:
        rest.append(text[pos:a])
        pos = b
    rest.append(text[pos:e])
    return all(re.fullmatch(r"[、和及与,\s]*", r) for r in rest)


def _split_items(text: str, inside):
    """Split a parenthesised list at 、 into pairs (A和B); a lone school joins the previous pair."""
    items = [[inside[0]]]
    for prev, cur in zip(inside, inside[1:]):
        between = text[prev[1]:cur[0]]
        if "、" in between or "," in between:
            items.append([cur])
        else:
            items[-1].append(cur)
    merged: list[list] = []
    for item in items:
        if len(item) == 1 and merged:
            merged[-1] += item
        else:
            merged.append(item)
    return [item for item in merged if len(item) >= 2]


def _resolve_stems(groups: list[Group], doc_names: list[str]) -> None:
    """The lead of a group named by a short name: the school it stands for (高升 → 高升实验小学),
    else the short name itself, unless it is an ordinary word (未来教育集团: no lead stated)."""
    from ingest.components.schools import common_word

    for g in groups:
        if g.leads or not g.stem:
            continue
        full = expand(g.stem, g.members) or expand(g.stem, doc_names)
        if full:
            g.add_lead(full)
        elif not common_word(g.stem):
            g.add_lead(g.stem)


def _same_lead(a: Group, b: Group) -> bool:
    """The leads of two groups are one school, also when one is a short form of the other
    (成都教科院附中 for 成都市教育科学研究院附属中学) but not a campus of it (…中学分校) nor a
    school of the same kind with a longer name (实验小学, 第二实验小学)."""
    if same_school(a.lead, b.lead):
        return True
    return any((shortens(x, y) or shortens(y, x)) and not (x.startswith(y) or y.startswith(x))
               and x[-2:] != y[-2:] for x in a.leads for y in b.leads)


def _merge(groups: list[Group]) -> list[Group]:
    """One group per lead school and kind: later mentions complete earlier ones. A group without
    a lead is kept when it has a name, and is the same group as another of that name."""
    out: list[Group] = []
    for g in groups:
        if not g.leads and not g.stem:
            continue
        if not g.leads:
            target = next((o for o in out if set(o.names) & set(g.names) or
                           o.stem and not o.leads and split_name(o.stem)[1] == split_name(g.stem)[1]), None)
        else:
            target = next((o for o in out if o.lead and _same_lead(o, g)
                           and (o.family == g.family or o.family is None or g.family is None)), None)
        if target is None:
            out.append(g)
            continue
        for name in g.leads:
            target.add_lead(name)
        if g.explicit and not target.explicit:
            target.explicit = g.explicit
        for name in g.members:
            target.add_member(name)
        target.names += [n for n in g.names if n not in target.names]
        for n, k in g.mentions.items():
            target.mentions[n] = target.mentions.get(n, 0) + k
        target.models += [c for c in g.models if c not in target.models]
        if target.family is None:
            target.family, target.kind_model = g.family, g.kind_model
    for g in out:
        g.members = [m for m in g.members if not g.is_lead(m)]
    return out


def find_groups(text: str, sentences, schools_by_sentence) -> list[Group]:
    found: list[Group] = []
    uniform: set[str] = set()
    doc_names = list(dict.fromkeys(n for schools in schools_by_sentence.values() for _, _, n in schools))
    stem_kind = _rules()["stem_kind"]
    for sentence in sentences:
        schools = schools_by_sentence.get(sentence.index, [])
        if schools or stem_kind.search(text, sentence.start, sentence.end):
            _sentence_groups(found, text, sentence.start, sentence.end, schools, doc_names)
        else:
            piece = text[sentence.start:sentence.end]
            if UNIFORM.search(piece):       # 两个集团均为紧密型教育集团: a model for every group
                uniform |= {c for _, _, c in find_model_terms(text, sentence.start, sentence.end)}
    _resolve_stems(found, doc_names)
    groups = _merge(found)
    for g in groups:
        models = [g.kind_model] if g.kind_model and g.kind_model != "education_group" else []
        models += [c for c in g.models if c not in models]
        models += [c for c in sorted(uniform - {"education_group"}) if c not in models]
        g.models = models or ["education_group"]
    return groups


def group_name(g: Group) -> str | None:
    """The name the document gives the group, preferring one built on a spelling of its lead, else
    the one written most often (景山远洋教育集团, not 景山教育集团 written once)."""
    if not g.names:
        return None
    if not g.leads:                  # 杭州市余杭区未来教育集团 rather than 未来教育集团
        return max(g.names, key=len)

    def rank(n: str):
        on_lead = any(n.startswith(lead) for lead in g.leads)
        return on_lead, 0 if on_lead else g.mentions.get(n, 0), -len(n)
    return max(g.names, key=rank)


@Language.factory("pkb_groups", requires=["doc.spans"],
                  assigns=["doc.spans", "span._.name", "span._.lead", "span._.members", "span._.models"])
def create_groups_component(nlp: Language, name: str):
    return groups_component


def groups_component(doc: Doc) -> Doc:
    """Add a ``groups`` span per school group, with its name, lead and member schools and models."""
    by_sentence: dict[int, list] = {}
    structure = doc._.structure
    for span in doc.spans["schools"]:
        start, end = span._.exact
        sentence = structure.sentence_at(start)
        if sentence is not None:
            by_sentence.setdefault(sentence.index, []).append((start, end, span._.name))
    spans = []
    for i, g in enumerate(find_groups(text_of(doc), structure.sentences, by_sentence)):
        span = make_span(doc, g.evidence[0], g.evidence[1], "group", i)
        span._.name = group_name(g)
        span._.lead = [g.lead] if g.lead else []
        span._.members = list(g.members)
        span._.models = list(g.models)
        span._.kind_text = g.family
        span._.evidence = g.evidence
        spans.append(span)
    doc.spans["groups"] = spans
    return doc
