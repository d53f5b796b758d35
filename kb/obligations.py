"""Obligations as Python objects: the rows of the ``obligations`` query (per actor of the
``actor_scope`` query when an actor is asked about), with the contract codes, the sentence and a
human-readable frequency (每月≥1次).

Every answer, comparison and matrix is built from :func:`find`, so filters mean the same
everywhere: an actor filter includes the actor's narrower actors and, marked ``inherited``, the
rules of its broader actors (see docs/rdf-model.md, "Actor inheritance").
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Sequence

from kb import document_list, queries
from kb.citations import DocumentTexts, fill_quotes
from kb.store.base import MANY, IRI, Store

PERIOD_ZH = {"day": "每天", "week": "每周", "month": "每月", "semester": "每学期", "school_year": "每学年",
             "year": "每年", "multi_year": "每周期(多年)", "term_of_office": "每届任期",
             "unspecified": "定期"}
UNIT_ZH = {"time": "次", "day": "天", "person": "人", "topic": "个主题", "percent": "%", "item": "项"}


@lru_cache(maxsize=4096)      # a few hundred concepts, read for every rule of every answer
def code(iri: str | None) -> str | None:
    """The contract code of a concept IRI (its last path segment)."""
    return None if iri is None else iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


@lru_cache(maxsize=None)
def concept(scheme: str, notation: str) -> IRI:
    """The IRI of a concept by scheme and contract code (``concept("actor", "member_school")``)."""
    from ontology import concept_iri

    return IRI(concept_iri(scheme, notation))


def frequency_text(freq: dict | None) -> str:
    """每月≥1次, 每学期1-2个主题, 每学年 … (empty when there is no recurrence)."""
    if not freq:
        return ""
    period = PERIOD_ZH.get(freq["period"], freq["period"])
    unit = UNIT_ZH.get(freq.get("unit") or "time", "")
    low, high = freq.get("min_count"), freq.get("max_count")
    if low is not None and high is not None:
        amount = f"{low}{unit}" if low == high else f"{low}-{high}{unit}"
    elif low is not None:
        amount = f"≥{low}{unit}"
    elif high is not None:
        amount = f"≤{high}{unit}"
    else:
        amount = ""
    return period + amount


@dataclass
class Obligation:
    doc: str
    title: str | None
    district: str | None
    province: str | None
    rule: str
    order: int
    actor: str
    actor_text: str | None
    action: str | None
    modality: str
    category: str
    frequency: dict | None
    sentence: str
    span: tuple[int, int]
    inherited: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def frequency_text(self) -> str:
        return frequency_text(self.frequency)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["span"] = list(self.span)
        out["frequency_text"] = self.frequency_text
        out.pop("extra")
        return out


#: up to this many documents, frequencies and titles are fetched for those documents (bound at once)
PER_DOCUMENT = 50


def frequency(period: str | None, low=None, high=None, exact=None, unit: str | None = None) -> dict | None:
    """The contract's ``frequency`` from a rule's period and counts as the graph holds them (IRIs or
    codes; ``exact`` fixes both bounds); None without a period."""
    if not period:
        return None
    if exact is not None:
        low = high = exact
    return {"period": code(period), "min_count": low, "max_count": high, "unit": code(unit) or "time"}


def rule_frequencies(rows: list[dict]) -> dict[str, dict]:
    """Each rule's frequency from its rows of ``obligation_constraints``
    (one row per term: ``rule``, ``term``, ``value``)."""
    terms: dict[str, dict] = {}
    for r in rows:
        terms.setdefault(r["rule"], {})[r["term"]] = r["value"]
    return {rule: frequency(t.get("period"), t.get("min"), t.get("max"), unit=t.get("unit"))
            for rule, t in terms.items() if t.get("period")}


def find(store: Store, *, actor: str | None = None, district: str | None = None,
         modality: str | None = None, category: str | None = None, period: str | None = None,
         doc: str | Sequence[str] | None = None, inherit: bool = True,
         limit: int | None = None, quotes: bool = True,
         texts: DocumentTexts | None = None) -> list[Obligation]:
    """The obligations matching every given filter (contract codes; ``None`` = any).

    With ``actor``, the rules of that actor and its narrower actors come first, then (when
    ``inherit``) those of its broader actors, marked ``inherited``. ``district`` and ``doc`` may
    be several (a tuple or list: any of them). Three named queries answer it, whatever the corpus
    size and the number of documents: the rules (the documents bound at once; with an actor on the
    embedded store, one query per actor of its scope), their frequencies and their documents.
    ``limit`` caps the rules the query returns per actor (a question over a whole national corpus),
    before ``period`` filters. The quotes, actor texts and actions are cut from the documents'
    texts, read into ``texts`` when given (a caller that cites from the same documents reads each
    once); ``quotes`` False leaves each ``sentence``, ``actor_text`` and ``action`` empty, for a
    caller that cuts those of the few rules it shows (:func:`kb.citations.fill_quotes`).
    """
    if isinstance(doc, MANY):
        doc = tuple(IRI(d) for d in sorted(set(map(str, doc))))
    elif doc:
        doc = IRI(doc)
    if isinstance(district, MANY):
        district = tuple(sorted(set(district)))
    if doc == () or district == ():
        return []
    scope = {"district": district, "doc": doc}
    params = {**scope,
              "modality": concept("modality", modality) if modality else None,
              "category": concept("category", category) if category else None}
    rules_query = "obligations"
    if period and district is None and not doc:     # corpus-wide: let the index find the period
        rules_query, params = "obligations_with_period", {**params, "period": concept("period", period)}
    if actor:
        bound = {r["actor"]: bool(r.get("inherited"))
                 for r in queries.run(store, "actor_scope", target=concept("actor", actor)).rows
                 if inherit or not r.get("inherited")}
        if (district is not None or doc) and not store.remote:
            # a few documents: one query per actor, each reading only its rules (a typical district:
            # 489 of its 706 rules are a member school's; binding the actors together makes it scan)
            rows = [{**r, "inherited": inherited} for each, inherited in bound.items()
                    for r in queries.run(store, rules_query, limit=limit, actor=each, **params).rows]
        else:
            # the whole corpus (the store's index finds the actors' rules) or a server (one request):
            # every actor bound at once
            actors = tuple(bound)
            rows = [{**r, "inherited": bound[r["actor"]]} for r in queries.run(
                store, rules_query, actor=actors, limit=limit and limit * len(actors), **params).rows] \
                if actors else []          # no such actor in the store's vocabulary (yet)
    else:
        rows = queries.run(store, rules_query, limit=limit, **params).rows
    if not rows:
        return []
    docs = sorted({r["doc"] for r in rows})
    # the documents of the rules (bound at once) when they are a few of a large corpus, else the scope
    each = {"doc": tuple(IRI(d) for d in docs), "district": None} \
        if district is None and not doc and len(docs) <= PER_DOCUMENT else scope
    frequencies = rule_frequencies(queries.run(store, "obligation_constraints", **each).rows)
    documents = {r["doc"]: r for r in (
        document_list.in_districts(store, district) if district is not None and not doc
        else queries.run(store, "documents_in_district", **each).rows)}
    rows.sort(key=lambda r: (bool(r.get("inherited")), r.get("district") or "", r["doc"], r["order"]))
    out, seen = [], set()
    for r in rows:
        if r["rule"] in seen:
            continue
        seen.add(r["rule"])
        frequency = frequencies.get(r["rule"])
        if period and (frequency or {}).get("period") != period:
            continue
        document = documents.get(r["doc"], {})
        out.append(Obligation(
            doc=r["doc"], title=document.get("title"), district=r.get("district") or None,
            province=document.get("province"), rule=r["rule"], order=r["order"], actor=code(r["actor"]),
            actor_text=None, action=None, modality=code(r["modality"]),
            category=code(r["category"]), frequency=frequency,
            sentence="", span=(r["start"], r["end"]), inherited=bool(r.get("inherited"))))
    if quotes:
        fill_quotes(store, out, texts)
    return out
