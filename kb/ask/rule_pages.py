"""One page of an obligation answer without reading every rule: the documents' rule tallies
(``pkb:ruleTally``) say how many rules of each document match the question, so the total is a sum
and only the documents that hold the page's rules are read (:func:`rule_page`). The answer's order
is kept: direct rules before inherited ones, then district, title, document and rule order.
"""
from __future__ import annotations

from kb import document_list, queries, rule_tallies
from kb.citations import DocumentTexts, fill_quotes
from kb.obligations import Obligation, code, concept, rule_frequencies
from kb.store.base import IRI, Store

def rule_page(store: Store, f, actor: str | None, periods: list[str], offset: int, end: int | None,
              *, inherit: bool = True, narrower: bool = True,
              texts: DocumentTexts | None = None) -> tuple[list[Obligation], int]:
    """Rules ``offset``…``end`` (in answer order) of the rules matching filters ``f`` (one actor at
    most; ``periods`` the periods asked about with those they cover), and how many match in all.
    ``narrower`` False: the actor's own rules only, not those of its narrower actors (a row of the
    actor × category matrix). Their quotes are cut from their documents' texts, read into
    ``texts`` when given (the caller's citations then need no second read)."""
    docs = _documents(store, f)
    actors = _actors(store, actor, inherit, narrower)
    counts = _counts(store, f, docs, actors, periods)
    order = sorted(docs, key=lambda d: (docs[d].get("district") or "", docs[d].get("title") or "", d))
    sequence = [(inherited, d) for inherited in (False, True) for d in order if counts.get((inherited, d))]
    total = sum(counts.values())
    slices: list[tuple[bool, str, int, int | None]] = []   # the page's part of each document's rules
    seen = 0
    for inherited, doc in sequence:
        n = counts[inherited, doc]
        if end is not None and seen >= end:
            break
        if seen + n > offset:
            slices.append((inherited, doc, max(offset - seen, 0), None if end is None else end - seen))
        seen += n
    wanted: dict[bool, set[str]] = {}
    for inherited, doc, _, _ in slices:
        wanted.setdefault(inherited, set()).add(doc)
    rules = _rules_of(store, f, docs, wanted, actors, periods) if slices else {}
    out: list[Obligation] = []
    for inherited, doc, start, stop in slices:
        out += rules.get((inherited, doc), [])[start:stop]
    fill_quotes(store, out, texts)
    return out, total


def _documents(store: Store, f) -> dict[str, dict]:
    """The documents in scope (of the districts asked about, or the documents) with title and
    district, less those not in force (``f.excluded``); a district's from the document list when
    this process holds it (:func:`kb.document_list.in_districts`)."""
    if f.documents is not None:
        rows = [r for r in queries.run(store, "documents_in_district", doc=_iris(f.documents)).rows
                if not f.districts or r["district"] in f.districts] if f.documents else []
    else:
        rows = document_list.in_districts(store, f.districts) if f.districts \
            else queries.run(store, "documents_in_district").rows
    return {str(r["doc"]): r for r in rows if r["doc"] not in f.excluded}


def _counts(store: Store, f, docs: dict[str, dict], actors: dict[str, bool] | None,
            periods: list[str]) -> dict[tuple[bool, str], int]:
    """(inherited, document) → how many of its rules match, from the documents' rule tallies."""
    if not docs:
        return {}
    wanted = {"modality": set(f.modalities), "category": set(f.categories), "period": set(periods)}
    scope = {"docs": docs} if f.documents is not None else {"districts": tuple(f.districts) or None}
    tallies = rule_tallies.of(store, **scope)
    verdicts = [_verdict(key, wanted, actors) for key in tallies.keys]   # a few hundred keys per store
    counts: dict[tuple[bool, str], int] = {}
    for doc in docs:       # summed in locals: a large district holds ~100,000 entries
        direct = inherited = 0
        for k, n in tallies.entries(doc):
            verdict = verdicts[k]
            if verdict is None:
                continue
            if verdict:
                inherited += n
            else:
                direct += n
        if direct:
            counts[False, doc] = direct
        if inherited:
            counts[True, doc] = inherited
    return counts


def _verdict(key: tuple, wanted: dict[str, set], actors: dict[str, bool] | None) -> bool | None:
    """Whether the rules of a tally entry are counted, as inherited (True) or not (False), or not
    at all (None)."""
    values = dict(zip(rule_tallies.FIELDS, key))
    if any(want and values[k] not in want for k, want in wanted.items()):
        return None
    return actors.get(values["actor"]) if actors is not None else False


def _iris(docs) -> tuple[IRI, ...]:
    return tuple(IRI(d) for d in sorted(set(docs)))


def _actors(store: Store, actor: str | None, inherit: bool, narrower: bool = True) -> dict[str, bool] | None:
    """Actor code → inherited, for the actor asked about (None: every actor, none inherited);
    ``narrower`` False: that actor alone."""
    if actor is None:
        return None
    if not narrower:
        return {actor: False}
    return {code(r["actor"]): bool(r.get("inherited"))
            for r in queries.run(store, "actor_scope", target=concept("actor", actor)).rows
            if inherit or not r.get("inherited")}


def _rules_of(store: Store, f, docs: dict[str, dict], wanted: dict[bool, set[str]],
              actors: dict[str, bool] | None, periods: list[str]) -> dict[tuple[bool, str], list[Obligation]]:
    """(inherited, document) → the rules that match the filters (alternatives of a filter united),
    in rule order, of the documents ``wanted`` for direct rules (False) and inherited ones (True),
    with their frequencies. A server gets one query with the documents and actors bound at once;
    the embedded store one query per actor, as binding several documents and several actors
    together makes it scan (20 documents: 1.4 s against 3 × 26 ms at 10,000 documents)."""
    single = {"modality": concept("modality", f.modalities[0]) if len(f.modalities) == 1 else None,
              "category": concept("category", f.categories[0]) if len(f.categories) == 1 else None}
    if actors is None:
        asks = [(None, wanted.get(False, set()))]
    else:
        asks = [(concept("actor", a), wanted[flag]) for a, flag in sorted(actors.items()) if flag in wanted]
    if store.remote and len(asks) > 1:    # one round trip
        asks = [(tuple(actor for actor, _ in asks), set().union(*(d for _, d in asks)))]
    rows = [r for actor, some in asks
            for r in queries.run(store, "obligations", doc=_iris(some), actor=actor, **single).rows]
    iris = _iris({str(r["doc"]) for r in rows})
    frequencies = rule_frequencies(queries.run(store, "obligation_constraints", doc=iris).rows) if rows else {}
    out: dict[tuple[bool, str], list[Obligation]] = {}
    seen = set()
    for r in sorted(rows, key=lambda r: (str(r["doc"]), r["order"])):
        doc = docs[str(r["doc"])]
        inherited = actors[code(r["actor"])] if actors is not None else False
        freq = frequencies.get(r["rule"])
        period = freq["period"] if freq else "none"
        if ((inherited, r["rule"]) in seen or f.modalities and code(r["modality"]) not in f.modalities
                or f.categories and code(r["category"]) not in f.categories or periods and period not in periods):
            continue
        seen.add((inherited, r["rule"]))
        out.setdefault((inherited, str(doc["doc"])), []).append(Obligation(
            doc=str(doc["doc"]), title=doc.get("title"), district=r.get("district") or None,
            province=doc.get("province"), rule=r["rule"], order=r["order"], actor=code(r["actor"]),
            actor_text=None, action=None, modality=code(r["modality"]),
            category=code(r["category"]), frequency=freq, sentence="", span=(r["start"], r["end"]),
            inherited=inherited))
    return out
