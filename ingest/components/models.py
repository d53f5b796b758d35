"""``pkb_models``: the group models a document adopts (document_models) and where it names them.

A model term counts unless it only appears in reported speech of another document (a sentence
that cites 《…》 and then 提出/指出/强调 …), in a clause that rejects it (不搞…, 避免…) or in a
history of superseded stages (从…到…再到…); words that name a model only in context (紧密型)
must be followed by a group word. ``education_group`` is the model of a document that sets up
教育集团 without naming another model, or that lists 教育集团 as one kind beside named kinds.

A group also takes the model its section heading names ("(一)紧密型教育集团。" over the groups
set up under it) or the lead-in of the list of sections it stands in (…联合体,实行初高中一体化
培养:), the kind written in brackets after its name (新华中学教育集团(紧密型)) and the
one model its own sentence names besides the group's kind (结成紧密型教共体,组建…教育共同体).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from ingest.components.spans import make_span, patterns, text_of
from ingest.literals import Gated

NUM = "[0-9一二两三四五六七八九十百]+"
#: "N个教育集团" listed beside other kinds ("两个…联合体、9个帮扶式联盟校、16个教育集团", or
#: "建立学区131个、教育集团95个"); "N所学校" counts schools, not a kind of group.
COUNTED_KIND = re.compile(
    rf"{NUM}个([\u4e00-\u9fff+“”]{{2,16}}?)(?=[、,。;和及]|$)"
    rf"|(?:建立|组建|设立|建成|(?<=[、,;:和及有。!?\n]))([\u4e00-\u9fff“”]{{2,10}}?){NUM}个(?=[、,。;和及]|$)")
#: how the name of a kind of group ends
GROUP_KIND = re.compile(r"(?:集团|联盟校?|联合体|共同体|教共体|教联体|学区|集群)$")
#: "采取教育集团、学区化管理、城乡学校共同体三种形式": kinds listed before a count of kinds
KINDS_LISTED = re.compile(r"(?:采取|采用|包括|分为|推行)([^,。;:]{4,60}?)[两二三四五六七八九]种(?:形式|方式|模式|类型)")
EDUCATION_GROUP = re.compile(r"教育集团|办学集团")
#: the kind written in brackets right after a group's name: 新华中学教育集团(紧密型)
#: how far into a sentence a group's name may stand to be its subject (据悉,X教育集团…)
SUBJECT_WITHIN = 6
#: how many sentences back the lead-in of a list of sections may stand
LEAD_IN_WITHIN = 12
BRACKETED = re.compile(r"[”\"]?\(([^()]{2,12})\)")


@dataclass(frozen=True)
class _Rules:
    terms: list[tuple[re.Pattern, str, bool]]
    any_term: Gated             # every term in one alternation: a sentence with none is skipped
    follows: re.Pattern
    window: int
    citation: re.Pattern
    verbs: re.Pattern
    negation: re.Pattern
    superseded: list[re.Pattern]


@lru_cache(maxsize=1)
def rules() -> _Rules:
    data = patterns("models")
    terms = []
    for entry in data["model"]:
        for p in entry.get("patterns", []):
            terms.append((re.compile(p), entry["concept"], False))
        for p in entry.get("needs_context", []):
            terms.append((re.compile(p), entry["concept"], True))
    bg = data["background"]
    any_term = Gated("|".join(f"(?:{pattern.pattern})" for pattern, _, _ in terms))
    return _Rules(terms, any_term, re.compile(data["context"]["follows"]), data["context"]["window"],
                  re.compile(bg["citation"]), re.compile(bg["verbs"]), re.compile(bg["negation"]),
                  [re.compile(p) for p in bg["superseded"]])


def _background_from(text: str, start: int, end: int) -> int:
    """Offset after which the sentence ``text[start:end]`` reports another document's words."""
    r = rules()
    cite = r.citation.search(text, start, end)
    if not cite:
        return end
    verb = r.verbs.search(text, cite.end(), end)
    return verb.end() if verb else end


def find_model_terms(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, concept) of the model terms this sentence adopts (not background)."""
    r = rules()
    limit = _background_from(text, start, end)
    if not r.any_term.search(text, start, limit):
        return []
    past = [(m.start(), m.end()) for p in r.superseded for m in p.finditer(text, start, limit)]
    found, taken = [], []
    for pattern, concept, contextual in r.terms:
        for m in pattern.finditer(text, start, limit):
            if any(m.start() < b and m.end() > a for a, b in taken):
                continue
            if contextual and not r.follows.search(text[m.end():m.end() + r.window]):
                continue
            if r.negation.search(text, start, m.start()) or \
                    any(a <= m.start() and m.end() <= b for a, b in past):
                continue
            found.append((m.start(), m.end(), concept))
            taken.append((m.start(), m.end()))
    return sorted(found)


def _counted(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    found = []
    for m in COUNTED_KIND.finditer(text, start, end):
        g = 1 if m.group(1) else 2
        kind = m.group(g).strip("“”")
        if GROUP_KIND.search(kind):
            found.append((m.start(g), m.end(g), kind))
    return found


def counted_kinds(text: str, start: int, end: int) -> list[str]:
    """The kinds of group an enumeration like "2个联合体、9个联盟校、16个教育集团" counts."""
    return [k for _, _, k in _counted(text, start, end)]


def document_models(doc: Doc) -> tuple[list[str], list[tuple[int, int, str]]]:
    """The document's models in order of first mention, and every adopted mention."""
    text = text_of(doc)
    mentions = []
    education_group_listed = False
    for sentence in doc._.structure.sentences:
        found = find_model_terms(text, sentence.start, sentence.end)
        mentions += found
        limit = _background_from(text, sentence.start, sentence.end)
        counted = _counted(text, sentence.start, limit)
        kinds = [k for _, _, k in counted]
        if len(counted) >= 2:     # 学区 counted as one kind of group beside others
            mentions += [(s, e, "school_district") for s, e, k in counted if k == "学区"]
        listed = KINDS_LISTED.search(text, sentence.start, limit)
        if listed:
            kinds += re.split(r"[、和及与]", listed.group(1))
        if len(kinds) >= 2 and any(EDUCATION_GROUP.fullmatch(k) for k in kinds) \
                and any(not EDUCATION_GROUP.search(k) for k in kinds):
            education_group_listed = True
    concepts = list(dict.fromkeys(c for _, _, c in mentions))
    sets_up_groups = any(g._.models for g in doc.spans.get("groups", [])) or \
        bool(EDUCATION_GROUP.search(text))
    if (not concepts and sets_up_groups) or education_group_listed:
        concepts.append("education_group")
    return concepts, mentions


@Language.factory("pkb_models", requires=["doc.spans"], assigns=["doc._.document_models", "doc.spans"])
def create_models_component(nlp: Language, name: str):
    return models_component


def models_component(doc: Doc) -> Doc:
    """Set ``doc._.document_models`` and add a ``models`` span where the text names each model."""
    concepts, mentions = document_models(doc)
    doc._.document_models = concepts
    spans = []
    for i, (s, e, concept) in enumerate(mentions):
        span = make_span(doc, s, e, "model", i)
        span._.concept = concept
        spans.append(span)
    doc.spans["models"] = spans
    groups = list(doc.spans.get("groups", []))
    kinds: dict[int, set[str]] = {}     # the groups' own models, by the sentence they stand in
    for group in groups:
        kinds.setdefault(_extent(group)[0], set()).update(group._.models or [])
    for group in groups:
        group._.models = group_models(doc, group, kinds.get(_extent(group)[0], set()))
    return doc


def _extent(span) -> tuple[int, int]:
    """The exact characters of a span (its evidence), or its token extent."""
    return span._.exact or (span.start_char, span.end_char)


def _specific(text: str, start: int, end: int) -> set[str]:
    return {c for _, _, c in find_model_terms(text, start, end)} - {"education_group"}


def _lead_in(structure, text: str, sentence):
    """The sentence ending in ":" that introduces the list of sections ``sentence`` stands in
    ("全区组建两个初高中教育协同发展联合体,实行初高中一体化培养:" over "(一)…联合体。…")."""
    own = structure.sections[sentence.section]
    for prev in reversed(structure.sentences[max(0, sentence.index - LEAD_IN_WITHIN):sentence.index]):
        if prev.section is None:
            return None
        where = structure.sections[prev.section]
        if prev.section != own.parent and where.parent != own.parent:
            return None
        if prev.section == own.parent and text[prev.start:prev.end].rstrip().endswith(":"):
            return prev
    return None


def group_models(doc: Doc, group, beside: set[str]) -> list[str]:
    """A group span's models with those its heading, its bracketed kind and its sentence state
    (``beside``: the models of all groups its sentence sets up, which it does not add)."""
    text, structure = text_of(doc), doc._.structure
    models = [c for c in (group._.models or []) if c != "education_group"]
    start, end = _extent(group)
    stated: list[set[str]] = []
    name = (group._.name or "").strip()
    at = text.find(name, start, end) if name else -1
    if at >= 0:
        bracket = BRACKETED.match(text, at + len(name))
        if bracket:
            stated.append(_specific(text, bracket.start(1), bracket.end(1)))
    sentence = structure.sentence_at(start)
    if sentence is not None and sentence.section is not None:
        section = structure.sections[sentence.section]
        stated.append(_specific(text, section.start, section.end))
        lead_in = _lead_in(structure, text, sentence) if not models else None
        if lead_in is not None:
            stated.append(_specific(text, lead_in.start, lead_in.end))
    if sentence is not None:
        stated.append(_specific(text, sentence.start, sentence.end) - beside - set(models))
    if len(name) >= 4:      # later sentences with the group as their subject: "X教联体实行单一法人…"
        at = text.find(name, end)
        while at != -1:
            later = structure.sentence_at(at)
            if later is not None and at - later.start <= SUBJECT_WITHIN:
                stated.append(_specific(text, later.start, later.end) - set(models))
            at = text.find(name, at + len(name))
    for found in stated:
        if len(found) == 1:
            models += [c for c in found if c not in models]
    return models or ["education_group"]
