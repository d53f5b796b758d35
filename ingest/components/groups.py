"""``pkb_groups``: school groups with their lead and member schools.

Turns the NAME, LEAD and MEMBERS events of each sentence (:mod:`ingest.components.group_events`)
into groups with their lead and members, and merges groups across the document. The events, the
rules and examples: docs/pipeline.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from ingest.components.group_events import group_patterns, lead_in, sentence_events
from ingest.components.models import find_model_terms
from ingest.components.spans import make_span, text_of
from ingest.school_names import expand, preferred, same_school, shortens, split_name

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


def _sentence_groups(found: list[Group], text: str, start: int, end: int, schools,
                     doc_names=()) -> list[Group]:
    """The groups the sentence ``text[start:end]`` states (appended to ``found``)."""
    current: Group | None = None
    current_from = None              # "name" or "lead": what opened the current group
    touched: list[Group] = []
    for ev in sentence_events(text, start, end, schools, doc_names):
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
            if current is None and schools and schools[0][0] == start + lead_in(text, start) \
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
    rules = group_patterns()
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
    stem_kind = group_patterns()["stem_kind"]
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
