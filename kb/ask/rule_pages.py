"""One page of an obligation answer without reading every rule: the documents' rule tallies
(``pkb:ruleTally``) say how many rules of each document match the question, so the total is a sum
and only the documents that hold the page's rules are read (:func:`rule_page`). The answer's order
is kept: direct rules before inherited ones, then district, title, document and rule order.
"""
from __future__ import annotations

import json

from kb import queries
from kb.obligations import Obligation, _frequencies, code, concept
from kb.store.base import IRI, Store

_FIELDS = ("actor", "category", "modality", "period")


def rule_page(store: Store, f, actor: str | None, periods: list[str], offset: int, end: int | None,
              *, inherit: bool = True) -> tuple[list[Obligation], int]:
    """Rules ``offset``…``end`` (in answer order) of the rules matching filters ``f`` (one actor at
    most; ``periods`` the periods asked about with those they cover), and how many match in all."""
    docs = _documents(store, f)
    actors = _actors(store, actor, inherit)
    wanted = {"modality": set(f.modalities), "category": set(f.categories), "period": set(periods)}
    counts: dict[tuple[bool, str], int] = {}
    for doc, tally in _tallies(store, f, docs).items():
        for entry in tally:
            values = dict(zip(_FIELDS, entry))
            if any(want and values[k] not in want for k, want in wanted.items()):
                continue
            inherited = actors.get(values["actor"]) if actors is not None else False
            if inherited is None:
                continue
            counts[inherited, doc] = counts.get((inherited, doc), 0) + entry[-1]
    order = sorted(docs, key=lambda d: (docs[d].get("district") or "", docs[d].get("title") or "", d))
    sequence = [(inherited, d) for inherited in (False, True) for d in order if counts.get((inherited, d))]
    total = sum(counts.values())
    out: list[Obligation] = []
    seen = 0
    for inherited, doc in sequence:
        n = counts[inherited, doc]
        if end is not None and seen >= end:
            break
        if seen + n > offset:
            rules = _rules_of(store, f, docs[doc], actors, inherited, periods)
            out += rules[max(offset - seen, 0):None if end is None else end - seen]
        seen += n
    return out, total


def _documents(store: Store, f) -> dict[str, dict]:
    """The documents in scope (of the districts asked about, or the documents) with title and district."""
    rows: list[dict] = []
    if f.documents is not None:
        for doc in f.documents:
            rows += [r for r in queries.run(store, "documents_in_district", doc=IRI(doc)).rows
                     if not f.districts or r["district"] in f.districts]
    else:
        for district in f.districts or [None]:
            rows += queries.run(store, "documents_in_district", district=district).rows
    return {str(r["doc"]): r for r in rows}


def _tallies(store: Store, f, docs: dict[str, dict]) -> dict[str, list]:
    rows: list[dict] = []
    if f.documents is not None:
        for doc in docs:
            rows += queries.run(store, "rule_tallies", doc=IRI(doc)).rows
    else:
        for district in f.districts or [None]:
            rows += queries.run(store, "rule_tallies", district=district).rows
    return {str(r["doc"]): json.loads(str(r["tally"])) for r in rows if str(r["doc"]) in docs}


def _actors(store: Store, actor: str | None, inherit: bool) -> dict[str, bool] | None:
    """Actor code → inherited, for the actor asked about (None: every actor, none inherited)."""
    if actor is None:
        return None
    return {code(r["actor"]): bool(r.get("inherited"))
            for r in queries.run(store, "actor_scope", target=concept("actor", actor)).rows
            if inherit or not r.get("inherited")}


def _rules_of(store: Store, f, doc: dict, actors: dict[str, bool] | None, inherited: bool,
              periods: list[str]) -> list[Obligation]:
    """The rules of one document that match the filters (alternatives of a filter united), each
    actor's read with the actor bound (the store's index finds them), in rule order."""
    iri = IRI(str(doc["doc"]))
    single = {"modality": concept("modality", f.modalities[0]) if len(f.modalities) == 1 else None,
              "category": concept("category", f.categories[0]) if len(f.categories) == 1 else None}
    if actors is None:
        rows = queries.run(store, "obligations", doc=iri, **single).rows
    else:
        rows = [r for a, inh in actors.items() if inh == inherited
                for r in queries.run(store, "obligations", doc=iri, actor=concept("actor", a), **single).rows]
    frequencies = _frequencies(queries.run(store, "obligation_constraints", doc=iri).rows) if rows else {}
    out, seen = [], set()
    for r in sorted(rows, key=lambda r: r["order"]):
        freq = frequencies.get(r["rule"])
        period = freq["period"] if freq else "none"
        if (r["rule"] in seen or f.modalities and code(r["modality"]) not in f.modalities
                or f.categories and code(r["category"]) not in f.categories or periods and period not in periods):
            continue
        seen.add(r["rule"])
        out.append(Obligation(
            doc=str(doc["doc"]), title=doc.get("title"), district=r.get("district") or None,
            province=doc.get("province"), rule=r["rule"], order=r["order"], actor=code(r["actor"]),
            actor_text=r.get("actorText") or None, action=r.get("action") or None, modality=code(r["modality"]),
            category=code(r["category"]), frequency=freq, sentence=r["sentence"], span=(r["start"], r["end"]),
            inherited=inherited))
    return out
