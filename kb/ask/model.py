"""The objects ``ask`` and ``interpret`` return: plain dataclasses with ``to_dict()``.

* :class:`Filters` — what a question restricts to (contract codes, district names, group IRIs).
* :class:`Interpretation` — the question, its filters, the kind of result wanted, the wordings
  that were recognised, notes, and (when it was not understood) the error and suggestions.
  ``describe("zh" | "en")`` is the one-line summary shown back to the user.
* :class:`Result` — one answer row: an obligation clause, an institutional constraint or a group.
* :class:`Answer` — the interpretation and its results (or its error).

Nothing here queries the store; :mod:`kb.ask.interpret` and :mod:`kb.ask.answer` fill them in.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kb.errors import InterpretationError
from kb.obligations import PERIOD_ZH, frequency_text

KINDS = ("obligation", "constraint", "group")
_KIND_TEXT = {"zh": {"obligation": "义务条款", "constraint": "制度约束（保持不变的事项）", "group": "教育集团"},
              "en": {"obligation": "obligations", "constraint": "institutional constraints (what stays unchanged)",
                     "group": "school groups"}}
_PERIOD_EN = {"day": "every day", "week": "every week", "month": "every month", "semester": "every semester",
              "school_year": "every school year", "year": "every year", "multi_year": "every few years",
              "term_of_office": "every term of office", "unspecified": "regularly (no stated period)"}


def concept_label(scheme: str, notation: str, lang: str = "zh") -> str:
    """The preferred label of a concept (``concept_label("actor", "member_school")`` → 成员学校)."""
    from ontology import labels

    try:
        return labels(scheme)[notation]["prefLabel"].get(lang) or notation
    except KeyError:
        return notation


@dataclass
class Note:
    """A remark on how the question was read or answered, in both languages."""

    zh: str
    en: str

    def to_dict(self) -> dict:
        return {"zh": self.zh, "en": self.en}


@dataclass
class Filters:
    """What a question restricts the answer to. Empty lists mean "any"; within a list the values
    are alternatives (OR), across lists they all apply (AND).

    ``actors`` are actor codes asked about (their narrower actors count as the same, their broader
    actors' rules come as inherited). ``groups`` are group IRIs and ``documents`` document IRIs the
    question is limited to (a group, school or model narrows to the documents that hold it).
    ``group_kinds`` come from nouns such as 联合体/联盟校/consortium: groups whose name contains the
    noun or whose model is one of its models. ``frequency`` is True for a "how often" question:
    only clauses stating a recurrence answer it. ``places`` is True for a "where" question
    (哪些地方实行学区制): the documents adopting the model or kind of group asked about are listed
    beside its groups, as group rows without a group (``group`` and ``name`` None). ``mentions``
    limits the answer to documents whose text names one of its words (雁塔区 asked about, the store
    holding only a city-wide document of 西安市).
    """

    actors: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)      # {"iri", "name", "district", "document"}
    schools: list[str] = field(default_factory=list)
    documents: list[str] | None = None                  # None = any document; [] = none matched
    models: list[str] = field(default_factory=list)
    group_kinds: list[dict] = field(default_factory=list)  # {"noun": "联合体", "models": [...]}
    periods: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    modalities: list[str] = field(default_factory=list)
    constraint_kinds: list[str] = field(default_factory=list)
    frequency: bool = False
    places: bool = False     # 哪些地方…: list the documents adopting a model beside its groups
    mentions: list[str] = field(default_factory=list)   # only documents whose text names one of these
    excluded: frozenset = frozenset()   # documents not in force (older versions, kb.versions), left out

    def is_empty(self) -> bool:
        return not (self.actors or self.districts or self.groups or self.schools or self.models
                    or self.group_kinds or self.periods or self.categories or self.modalities or self.constraint_kinds
                    or self.frequency or self.documents is not None)

    def to_dict(self) -> dict:
        return {"actors": self.actors, "districts": self.districts, "groups": self.groups,
                "schools": self.schools, "documents": self.documents, "models": self.models,
                "group_kinds": self.group_kinds,
                "periods": self.periods, "categories": self.categories, "modalities": self.modalities,
                "constraint_kinds": self.constraint_kinds, "frequency": self.frequency, "places": self.places,
                "mentions": self.mentions}


@dataclass
class Interpretation:
    """How a question was read. ``understood`` is False when nothing in it could be used; then
    ``error`` says why and ``suggestions`` lists what the interpreter does understand."""

    question: str
    normalized: str
    kind: str | None = None
    filters: Filters = field(default_factory=Filters)
    matched: list[dict] = field(default_factory=list)   # {"text", "span", "senses": [{"dim", "value"}]}
    notes: list[Note] = field(default_factory=list)
    suggestions: dict | None = None
    error: InterpretationError | None = None

    @property
    def understood(self) -> bool:
        return self.error is None and self.kind is not None

    def describe(self, lang: str = "zh") -> str:
        """A one-line, human-readable summary of the interpretation in ``lang`` (``zh`` or ``en``)."""
        zh = lang != "en"
        if not self.understood:
            message = self.error.message if self.error else ""
            return ("未能理解这个问题：" if zh else "Could not interpret the question: ") + message
        f = self.filters
        sep = "；" if zh else "; "
        parts = [("查找" if zh else "Looking for ") + _KIND_TEXT["zh" if zh else "en"][self.kind]]

        def add(label_zh: str, label_en: str, values: list[str]) -> None:
            if values:
                joined = "、".join(values) if zh else ", ".join(values)
                parts.append(f"{label_zh}：{joined}" if zh else f"{label_en}: {joined}")

        lang_ = "zh" if zh else "en"
        if f.actors and self.kind == "obligation":
            from ontology import labels

            names = [concept_label("actor", a, lang_) for a in f.actors]
            broader = sorted({b for a in f.actors for b in labels("actor")[a]["ancestors"]} - set(f.actors))
            tail = ""
            if broader:
                up = ("、" if zh else ", ").join(concept_label("actor", b, lang_) for b in broader)
                tail = (f"（含下位角色；上位角色{up}的条款标为“继承”）" if zh
                        else f" (with narrower actors; rules of {up} included as inherited)")
            add("适用对象", "actor", [("、" if zh else ", ").join(names) + tail])
        add("区域", "district", f.districts)
        add("集团", "group", [g["name"] + (f"（{g['district']}）" if zh else f" ({g['district']})")
                               for g in f.groups])
        add("学校", "school", f.schools)
        add("模式", "model", [concept_label("model", m, lang_) for m in f.models])
        add("集团类型", "kind of group",
            [(k["noun"] or "/".join(concept_label("model", m, lang_) for m in k["models"]))
             + ("" if zh or not k["noun"] else " (" + ", ".join(concept_label("model", m, "en") for m in k["models"]) + ")")
             for k in f.group_kinds])
        add("周期", "period", [PERIOD_ZH.get(p, p) if zh else _PERIOD_EN.get(p, p) for p in f.periods])
        add("类别", "category", [concept_label("category", c, lang_) for c in f.categories])
        add("情态", "modality", [concept_label("modality", m, lang_) for m in f.modalities])
        add("约束", "constraint", [concept_label("kind", k, lang_) for k in f.constraint_kinds])
        if f.frequency:
            parts.append("只看写明频次的条款" if zh else "only clauses that state how often")
        text = sep.join(parts)
        if self.notes:
            text += sep + sep.join(n.zh if zh else n.en for n in self.notes)
        return text

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "normalized": self.normalized,
            "understood": self.understood,
            "kind": self.kind,
            "filters": self.filters.to_dict(),
            "matched": self.matched,
            "notes": [n.to_dict() for n in self.notes],
            "summary": {"zh": self.describe("zh"), "en": self.describe("en")},
            "suggestions": self.suggestions,
            "error": self.error.to_dict() if self.error else None,
        }


@dataclass
class Result:
    """One answer row. ``kind`` says which fields are filled: an ``obligation`` has actor,
    modality, category, frequency and ``inherited``; a ``constraint`` its ``constraint_kinds``; a
    ``group`` its name, models and schools. Every row has its document, district and sentence
    (for a rule: the clause that states it, and its whole sentence as ``context``)."""

    kind: str
    document: str
    title: str | None
    district: str | None
    sentence: str
    span: tuple[int, int]
    context: str | None = None
    actor: str | None = None
    actor_text: str | None = None
    action: str | None = None
    modality: str | None = None
    categories: list[str] = field(default_factory=list)
    frequency: dict | None = None
    clause_frequency: dict | None = None   # the recurrence another rule of the same clause states
    inherited: bool | None = None
    rules: list[str] = field(default_factory=list)
    constraint_kinds: list[str] = field(default_factory=list)
    group: str | None = None
    name: str | None = None
    models: list[str] = field(default_factory=list)
    lead_schools: list[str] = field(default_factory=list)
    member_schools: list[str] = field(default_factory=list)

    @property
    def frequency_text(self) -> str:
        """每月≥1次 …; for a rule without its own, the clause's (每学年, in brackets)."""
        if self.frequency:
            return frequency_text(self.frequency)
        return f"({frequency_text(self.clause_frequency)})" if self.clause_frequency else ""

    @property
    def source(self) -> str:
        """Where it comes from, for display: title (district)."""
        title = self.title or "(untitled document)"
        return f"{title}（{self.district}）" if self.district else title

    def to_dict(self) -> dict:
        is_rule, is_group = self.kind == "obligation", self.kind == "group"
        return {
            "kind": self.kind,
            "document": self.document,
            "title": self.title,
            "district": self.district,
            "sentence": self.sentence,
            "span": list(self.span),
            "context": self.context,
            "actor": self.actor,
            "actor_text": self.actor_text,
            "action": self.action,
            "modality": self.modality,
            "category": self.categories[0] if self.categories else None,
            "categories": self.categories if is_rule else None,
            "frequency": self.frequency,
            "frequency_text": self.frequency_text if is_rule else None,
            "clause_frequency": self.clause_frequency if is_rule else None,
            "inherited": self.inherited,
            "rules": self.rules if is_rule else None,
            "constraint_kind": self.constraint_kinds[0] if self.constraint_kinds else None,
            "constraint_kinds": self.constraint_kinds if self.kind == "constraint" else None,
            "group": self.group,
            "name": self.name,
            "models": self.models if is_group else None,
            "lead_schools": self.lead_schools if is_group else None,
            "member_schools": self.member_schools if is_group else None,
        }


NO_MATCH = "no matching clauses"


@dataclass
class Answer:
    """A question's interpretation and results. ``error`` is set (and ``results`` empty) when the
    question was not understood; ``message`` is ``"no matching clauses"`` when it was understood
    but nothing matched."""

    question: str
    interpretation: Interpretation
    results: list[Result] = field(default_factory=list)
    message: str | None = None
    error: InterpretationError | None = None
    #: the whole answer's number of results (for obligations: of rules, a row holding a clause's
    #: rules) when ``results`` is one page of it (None: all of it)
    total: int | None = None
    offset: int = 0
    size: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def page(self):
        """The page ``results`` is: a :class:`kb.paging.Page` with the total number of results."""
        from kb.paging import Page

        covered = sum(len(r.rules) if r.kind == "obligation" and r.rules else 1 for r in self.results)
        return Page(self.results, len(self.results) if self.total is None else self.total, self.offset,
                    self.size, covered)

    def raise_for_error(self) -> "Answer":
        """Raise the :class:`InterpretationError` of a question that was not understood."""
        if self.error is not None:
            raise self.error
        return self

    def to_dict(self) -> dict:
        out = {"question": self.question, "interpretation": self.interpretation.to_dict(),
               "results": [r.to_dict() for r in self.results], "page": self.page.to_dict()}
        if self.message:
            out["message"] = self.message
        if self.error is not None:
            out["error"] = {**self.error.to_dict(), "suggestions": self.interpretation.suggestions}
        return out
