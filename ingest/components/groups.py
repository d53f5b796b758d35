"""``pkb_groups``: school groups with their lead and member schools.

Three kinds of evidence, merged per group (same lead school, same kind family):
- a name: a school followed by a group kind (张掖中学教育集团; 临县一中、临县高级中学两个…联合体);
- role statements: 牵头校(张掖中学), 以市实验中学为…核心学校, 西湖学校、丹江路学校为成员学校;
- pair lists: 初中教育集团4个(宝塔区第三中学和柳林中学、…) — the first school of each pair leads.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from ingest import gazetteer
from ingest.components.models import find_model_terms
from ingest.components.spans import make_span, patterns

COUNT = re.compile(r"(?:等{1,2})?([0-9一二两三四五六七八九十]+)个")


@dataclass
class Group:
    lead: str | None = None
    lead_explicit: bool = False
    members: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    family: str = "group"
    models: list[str] = field(default_factory=list)
    default_model: str = "education_group"
    evidence: tuple[int, int] | None = None


@lru_cache(maxsize=1)
def _rules() -> dict:
    data = patterns("groups")
    return {
        "kinds": [(re.compile(k["pattern"]), k["family"], k["model"]) for k in data["kind"]],
        "lead_before": re.compile(data["roles"]["lead_before"]),
        "lead_after": re.compile(data["roles"]["lead_after"]),
        "member_before": re.compile(data["roles"]["member_before"]),
        "member_after": re.compile(data["roles"]["member_after"]),
        "sep": re.compile(data["roles"]["list_separators"]),
    }


def canonical(name: str) -> str:
    """A school name without the administrative area in front (漯河市实验中学 → 实验中学)."""
    rest = name
    areas = gazetteer.find_areas(name)
    if areas and areas[0][0] == 0:
        rest = name[areas[0][1]:]
    if rest[:1] in "市区县" and len(rest) > 3:
        rest = rest[1:]
    return rest if len(rest) >= 4 else name


def _kind_at(text: str, pos: int):
    for pattern, family, model in _rules()["kinds"]:
        m = pattern.match(text, pos)
        if m:
            return m, family, model
    return None


def _school_lists(schools, text):
    """Runs of schools separated only by 、/和/及 … → lists of indexes into ``schools``."""
    runs, current = [], []
    for i, (s, e, name) in enumerate(schools):
        if current and _rules()["sep"].match(text[schools[current[-1]][1]:s]):
            current.append(i)
        else:
            if current:
                runs.append(current)
            current = [i]
    if current:
        runs.append(current)
    return runs


class _Collector:
    def __init__(self, text: str):
        self.text = text
        self.groups: dict[tuple[str, str], Group] = {}

    def group(self, lead: str, family: str, default_model: str, evidence) -> Group:
        key = (canonical(lead), family)
        g = self.groups.get(key)
        if g is None:
            g = self.groups[key] = Group(lead=lead, family=family, default_model=default_model,
                                         evidence=evidence)
        elif len(lead) > len(g.lead or "") and not g.lead_explicit:
            g.lead = lead
        return g

    def add_member(self, g: Group, name: str) -> None:
        if canonical(name) == canonical(g.lead or "") :
            return
        if all(canonical(name) != canonical(m) for m in g.members):
            g.members.append(name)


def _sentence_groups(col: _Collector, text: str, start: int, end: int, schools) -> None:
    rules = _rules()
    sentence_models = [c for _, _, c in find_model_terms(text, start, end)]
    named: list[Group] = []
    # 1. names: school (、school)* [等N个] kind
    for run in _school_lists(schools, text):
        last_end = schools[run[-1]][1]
        direct = _kind_at(text, last_end)
        counted = COUNT.match(text, last_end)
        if direct and len(run) == 1:
            m, family, model = direct
            s, e, lead = schools[run[0]]
            g = col.group(lead, family, model, (start, end))
            name = lead + m.group()
            if name not in g.names:
                g.names.append(name)
            after = COUNT.match(text, m.end())
            if after:
                follow = _kind_phrase_models(text, after.end(), end)
                g.models += [c for c in follow if c not in g.models]
            named.append(g)
        elif counted and len(run) >= 2:
            kind = _kind_in(text, counted.end(), end)
            if kind:
                m, family, model = kind
                follow = _kind_phrase_models(text, counted.end(), m.end())
                for i in run:
                    lead = schools[i][2]
                    g = col.group(lead, family, model, (start, end))
                    name = lead + m.group()
                    if name not in g.names:
                        g.names.append(name)
                    g.models += [c for c in follow if c not in g.models]
                    named.append(g)
    # 2. role statements
    leads, members = [], []
    for run in _school_lists(schools, text):
        first_s, last_e = schools[run[0]][0], schools[run[-1]][1]
        before = text[max(start, first_s - 8):first_s]
        after = text[last_e:min(end, last_e + 24)]
        names = [schools[i][2] for i in run]
        if rules["lead_before"].search(before) or rules["lead_after"].match(after):
            leads.append(names[0])
            members += names[1:]
        elif rules["member_before"].search(before) or rules["member_after"].match(after):
            members += names
        else:
            for i in run:       # a role written right after one school: 张掖中学(牵头校)
                s, e, name = schools[i]
                if rules["lead_after"].match(text[e:e + 12]) and "(" in text[e:e + 2]:
                    leads.append(name)
    if leads:
        target = named[0] if len(named) == 1 else None
        if target is None:
            family, model = "group", "education_group"
            target = col.group(leads[0], family, model, (start, end))
        elif canonical(target.lead) != canonical(leads[0]):
            target = col.group(leads[0], target.family, target.default_model, (start, end))
        target.lead, target.lead_explicit = leads[0], True
        for name in members:
            col.add_member(target, name)
        named = named or [target]
    # 3. pair lists in parentheses: (A和B、C和D …)
    for m in re.finditer(r"\(([^()]{4,400})\)", text[start:end]):
        inner_s, inner_e = start + m.start(1), start + m.end(1)
        inside = [x for x in schools if inner_s <= x[0] and x[1] <= inner_e]
        if len(inside) < 2 or not _only_schools(text, inner_s, inner_e, inside):
            continue
        before = text[max(start, start + m.start() - 16):start + m.start()]
        owner = next((g for g in named if any(before.endswith(n) for n in g.names)), None)
        if owner is not None:
            for s, e, name in inside:
                col.add_member(owner, name)
            continue
        items = _split_items(text, inside)
        if not any(len(item) >= 2 for item in items) or rules["member_before"].search(before) \
                or rules["lead_before"].search(before):
            continue
        for item in items:
            kind = "group" if "集团" in before or not named else named[0].family
            g = col.group(item[0][2], kind, "education_group", (start, end))
            for s, e, name in item[1:]:
                col.add_member(g, name)
    if len(set(sentence_models)) == 1:
        for g in named:
            if not g.models and sentence_models[0] != "education_group":
                g.models.append(sentence_models[0])


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


def _kind_in(text: str, pos: int, end: int):
    for offset in range(pos, min(end, pos + 16)):
        found = _kind_at(text, offset)
        if found:
            return found
    return None


def _kind_phrase_models(text: str, start: int, end: int) -> list[str]:
    return [c for _, _, c in find_model_terms(text, start, min(end, start + 20))]


def find_groups(text: str, sentences, schools_by_sentence) -> list[Group]:
    col = _Collector(text)
    for sentence in sentences:
        schools = schools_by_sentence.get(sentence.index, [])
        if schools:
            _sentence_groups(col, text, sentence.start, sentence.end, schools)
    groups = []
    for g in col.groups.values():
        if not g.models:
            g.models = [g.default_model]
        groups.append(g)
    return groups


def group_name(g: Group) -> str | None:
    """The name the document uses most, preferring one built on the explicit lead's spelling."""
    if not g.names:
        return None
    return max(g.names, key=lambda n: (g.lead is not None and n.startswith(g.lead), -len(n)))


@Language.factory("pkb_groups", requires=["doc.spans"],
                  assigns=["doc.spans", "span._.name", "span._.lead", "span._.members", "span._.models"])
def create_groups_component(nlp: Language, name: str):
    return groups_component


def groups_component(doc: Doc) -> Doc:
    by_sentence: dict[int, list] = {}
    structure = doc._.structure
    for span in doc.spans["schools"]:
        sentence = structure.sentence_at(span.start_char)
        if sentence is not None:
            s, e = span.start_char, span.end_char
            # the span may be widened to token edges: keep the exact name's offsets
            offset = doc.text.find(span._.name, s, e)
            by_sentence.setdefault(sentence.index, []).append((offset, offset + len(span._.name), span._.name))
    spans = []
    for i, g in enumerate(find_groups(doc.text, structure.sentences, by_sentence)):
        s, e = g.evidence
        span = make_span(doc, s, e, "group", i)
        span._.name = group_name(g)
        span._.lead = [g.lead] if g.lead else []
        span._.members = list(g.members)
        span._.models = list(g.models)
        span._.kind_text = g.family
        span._.evidence = g.evidence
        spans.append(span)
    doc.spans["groups"] = spans
    return doc
