"""Answer an interpreted question from the graph: :func:`ask` (store, question) → :class:`Answer`.

Runs the named queries of each kind of result (obligation, constraint, group) with the filters
bound as RDF terms, and merges their rows into :class:`Result` objects. Which queries, actor
inheritance and merging: docs/query-side.md.
"""
from __future__ import annotations

import itertools

from kb import queries
from kb.citations import DocumentTexts, fill_quotes
from kb.ask import lexicon as lx
from kb.ask.interpret import covered_periods, group_is_of_kind, interpret
from kb.ask.model import NO_MATCH, Answer, Interpretation, Note, Result, concept_label
from kb.ask.rule_pages import rule_page
from kb.errors import InterpretationError
from kb.obligations import Obligation, code, concept, find
from kb.paging import PAGE_SIZE, bounds
from kb.store.base import IRI, Store

MAX_COMBINATIONS = 256
#: most wordings a "where" question looks for in the documents' texts (each reads every text)
MAX_NEEDLES = 8


def ask(store: Store, question: str, *, raise_errors: bool = False, page: int = 1,
        size: int | None = PAGE_SIZE, as_of: str | None = None) -> Answer:
    """Interpret ``question`` and answer it from ``store``: page ``page`` of ``size`` results
    (``size=None``: every result), with the answer's total in ``Answer.total``.

    A question that is not understood gives an :class:`Answer` whose ``error`` is the
    :class:`kb.errors.InterpretationError` (and whose interpretation has ``suggestions``); with
    ``raise_errors=True`` that error is raised instead. An understood question that matches nothing
    has ``message == "no matching clauses"``.
    """
    interpretation = interpret(store, question)
    return answer(store, interpretation, raise_errors=raise_errors, page=page, size=size, as_of=as_of)


def answer(store: Store, interpretation: Interpretation, *, raise_errors: bool = False, page: int = 1,
           size: int | None = PAGE_SIZE, as_of: str | None = None) -> Answer:
    """Answer an interpretation (from :func:`kb.ask.interpret`): page ``page`` of ``size`` results.

    Every result is found and ordered (so the total is exact), but only the page's results read
    their documents' texts for their sentences."""
    if not interpretation.understood:
        if raise_errors and interpretation.error is not None:
            raise interpretation.error
        return Answer(interpretation.question, interpretation, [],
                      message=interpretation.error.message if interpretation.error else None,
                      error=interpretation.error)
    _limit_to_mentions(store, interpretation.filters)
    from kb.versions import not_in_force        # the versions in force as_of (None: the newest)

    interpretation.filters.excluded = not_in_force(store, as_of)
    offset, end = bounds(page, size)
    texts = DocumentTexts(store)    # the page's documents, read once for its quotes and citations
    if interpretation.kind == "obligation":   # paged by rules: a row is a clause's rules for one actor
        shown, total = _obligations(store, interpretation, texts, offset, end)
    else:
        results = (_constraints if interpretation.kind == "constraint" else _groups)(store, interpretation)
        results = [r for r in results if r.document not in interpretation.filters.excluded]
        shown, total = results[offset:end], len(results)
    _cite(texts, shown)
    return Answer(interpretation.question, interpretation, shown, message=None if total else NO_MATCH,
                  total=total, offset=offset, size=size)


def _cite(texts: DocumentTexts, results: list[Result]) -> None:
    """Fill in the sentences of a page of results from their documents' texts (a clause's
    sentence as its context; the cited span of a constraint or group)."""
    texts.load(r.document for r in results)      # every cited document in one request
    for r in results:
        if r.kind == "obligation" and r.context is None:
            r.context = texts.sentence_around(r.document, *r.span).sentence
        elif r.sentence is None:
            r.sentence = texts.text(r.document)[r.span[0]:r.span[1]]


def _limit_to_mentions(store: Store, f) -> None:
    """``Filters.mentions``: keep the documents (of the districts asked about) that name one of
    the words (``ask_documents_mentioning``)."""
    if not f.mentions:
        return
    docs: set[str] = set()
    for needle, district in itertools.product(f.mentions, f.districts or [None]):
        docs |= {str(r["doc"]) for r in queries.run(store, "ask_documents_mentioning", needle=needle,
                                                     district=district).rows}
    f.documents = sorted(docs if f.documents is None else docs & set(f.documents))


# --------------------------------------------------------------------------- obligations


#: most rules one query of an answer returns (see Answer.message when an answer reaches it)
RESULT_LIMIT = 1000


def _combinations(*dimensions: list) -> list[tuple]:
    """Every combination of the filter values (an empty filter is one ``None``: any value)."""
    combos = list(itertools.islice(itertools.product(*[d or [None] for d in dimensions]), MAX_COMBINATIONS + 1))
    if len(combos) > MAX_COMBINATIONS:
        raise InterpretationError("the question combines too many districts, groups and categories",
                                  code="PKB-ASK-TOO-BROAD", hint="ask about fewer things at once")
    return combos


def _find_rules(store: Store, f, actors: list[str], *, inherit: bool = True) -> list[Obligation]:
    if f.documents is not None and not f.documents:
        return []
    found: dict[str, Obligation] = {}
    periods = covered_periods(f.periods)
    combos = _combinations(actors, f.districts, f.documents, f.modalities, f.categories, periods)
    for actor, modality, category, period in dict.fromkeys((a, m, c, p) for a, _, _, m, c, p in combos):
        # a question over a whole national corpus is answered with its first RESULT_LIMIT rules
        # per query; each period asked about (每年 also means 每学年) is a query of its own; the
        # districts and documents asked about are bound at once
        for rule in find(store, actor=actor, district=tuple(f.districts) or None, doc=f.documents,
                         modality=modality, category=category, inherit=inherit, limit=RESULT_LIMIT,
                         period=period, quotes=False):
            if (periods and not (rule.frequency and rule.frequency["period"] in periods)) or rule.doc in f.excluded:
                continue
            seen = found.get(rule.rule)
            if seen is None or (seen.inherited and not rule.inherited):
                found[rule.rule] = rule
    return list(found.values())


def _sentence_frequencies(store: Store, docs: set[str], texts: DocumentTexts) -> dict[tuple[str, int, int], dict]:
    """``(doc, start, end)`` of a sentence → the recurrence a rule of that sentence states."""
    spans: dict[tuple[str, int, int], dict] = {}
    for rule in find(store, doc=sorted(docs), quotes=False) if docs else []:    # every document in one query
        if rule.frequency:
            spans.setdefault((rule.doc, *texts.sentence_around(rule.doc, *rule.span).span), rule.frequency)
    return spans


def _obligations(store: Store, interpretation: Interpretation, texts: DocumentTexts, offset: int = 0,
                 end: int | None = None) -> tuple[list[Result], int]:
    """The rules ``offset``…``end`` of the answer, merged into rows, and the number of rules.

    A page of a question about one actor (or none) that is not a "how often" question is read
    from the rule tallies and the few documents holding its rules (:mod:`kb.ask.rule_pages`);
    other questions find every rule first."""
    f, notes = interpretation.filters, interpretation.notes
    fallbacks = lx.lexicon().get("actor_fallbacks", {})
    if len(f.actors) <= 1 and not f.frequency and f.documents != []:
        rules, total = rule_page(store, f, f.actors[0] if f.actors else None, covered_periods(f.periods),
                                 offset, end, texts=texts)
        if total or not f.actors or f.actors[0] not in fallbacks:
            return _merge(rules, {}, {}), total
    rules = _find_rules(store, f, f.actors)
    if not rules and f.actors and any(a in fallbacks for a in f.actors):
        wider = [w for a in f.actors for w in fallbacks.get(a, [])]
        rules = _find_rules(store, f, wider, inherit=False)
        if rules:
            asked = "、".join(concept_label("actor", a) for a in f.actors)
            asked_en = ", ".join(concept_label("actor", a, "en") for a in f.actors)
            names = "、".join(concept_label("actor", w) for w in wider)
            names_en = ", ".join(concept_label("actor", w, "en") for w in wider)
            notes.append(Note(f"没有直接写明“{asked}”的条款，改为显示{names}的条款",
                              f"no clause names {asked_en} as such; showing those of {names_en}"))
    context: dict = {}
    stated: dict = {}
    if f.frequency and rules:   # a "how often" question reads every clause's sentence
        texts.load(r.doc for r in rules)
        context = {(r.doc, r.span): texts.sentence_around(r.doc, *r.span) for r in rules}
        stated = _sentence_frequencies(store, {r.doc for r in rules}, texts)
        with_frequency = [r for r in rules if r.frequency or (r.doc, *context[r.doc, r.span].span) in stated]
        if with_frequency:
            rules = with_frequency
        else:
            notes.append(Note("相关条款都没有写明频次", "none of the matching clauses states how often"))
    rules = sorted(rules, key=lambda r: (r.inherited, r.district or "", r.title or "", r.doc, r.order))
    fill_quotes(store, rules[offset:end], texts)     # only the page's quotes are cut
    return _merge(rules[offset:end], context, stated), len(rules)


def _merge(rules: list[Obligation], context: dict, stated: dict) -> list[Result]:
    """Rules in answer order → rows; the rules of one clause for one actor and modality are one row."""
    merged: dict[tuple, Result] = {}
    for r in rules:
        key = (r.doc, r.span, r.actor, r.modality, r.inherited)
        if key in merged:
            result = merged[key]
            if r.category not in result.categories:
                result.categories.append(r.category)
            result.frequency = result.frequency or r.frequency
            result.rules.append(r.rule)
            continue
        sentence = context.get((r.doc, r.span))
        merged[key] = Result("obligation", r.doc, r.title, r.district, r.sentence, r.span,
                             context=sentence.sentence if sentence else None, actor=r.actor,
                             actor_text=r.actor_text, action=r.action, modality=r.modality,
                             categories=[r.category], frequency=r.frequency, inherited=r.inherited,
                             rules=[r.rule],
                             clause_frequency=None if r.frequency or not sentence
                             else stated.get((r.doc, *sentence.span)))
    return list(merged.values())


# --------------------------------------------------------------------------- constraints


def _constraints(store: Store, interpretation: Interpretation) -> list[Result]:
    f = interpretation.filters
    if f.documents is not None and not f.documents:
        return []
    rows: dict[str, dict] = {}
    for district, doc, kind in _combinations(f.districts, f.documents, f.constraint_kinds):
        for row in queries.run(store, "ask_constraints", district=district, doc=IRI(doc) if doc else None,
                               kind=concept("kind", kind) if kind else None).rows:
            rows.setdefault(str(row["constraint"]), row)
    merged: dict[tuple, Result] = {}
    for row in sorted(rows.values(), key=lambda r: (r["district"], str(r["doc"]), r["order"])):
        doc, span = str(row["doc"]), (row["start"], row["end"])
        key = (doc, span)
        if key not in merged:   # the sentence is cut out of the text for the page shown (_cite)
            merged[key] = Result("constraint", doc, row.get("title"), row["district"] or None, None, span)
        kind = code(row["kind"])
        if kind not in merged[key].constraint_kinds:
            merged[key].constraint_kinds.append(kind)
    return list(merged.values())


# --------------------------------------------------------------------------- groups


def _groups(store: Store, interpretation: Interpretation) -> list[Result]:
    f = interpretation.filters
    wanted = {g["iri"] for g in f.groups}
    if (f.groups or f.schools) and not wanted or f.mentions and not f.documents:
        return []
    in_documents = set(f.documents) if f.documents is not None and f.mentions else None
    found: dict[str, dict] = {}
    for district, model in _combinations(f.districts, f.models):
        for row in queries.run(store, "ask_groups", district=district,
                               model=concept("model", model) if model else None).rows:
            iri = str(row["group"])
            models = [code(m) for m in str(row.get("models") or "").split() if m]
            if wanted and iri not in wanted or not group_is_of_kind(row.get("name"), models, f.group_kinds):
                continue
            if in_documents is not None and str(row["doc"]) not in in_documents:
                continue
            entry = found.setdefault(iri, {"row": row, "lead_school": [], "member_school": []})
            if row.get("school") and row.get("role") in ("lead_school", "member_school"):
                if row["school"] not in entry[row["role"]]:
                    entry[row["role"]].append(row["school"])
    places: list[Result] = []
    if (f.models or f.group_kinds) and not wanted and (f.places or not found):
        places = _documents_of_models(store, interpretation, {str(e["row"]["doc"]) for e in found.values()})
    results = []
    for iri, entry in sorted(found.items(), key=lambda kv: (kv[1]["row"]["district"], str(kv[1]["row"]["doc"]),
                                                             kv[1]["row"]["order"])):
        row = entry["row"]
        doc, span = str(row["doc"]), (row["start"], row["end"])
        models = [code(m) for m in str(row.get("models") or "").split() if m]
        results.append(Result("group", doc, row.get("title"), row["district"] or None,
                              None, span, group=iri, name=row.get("name"),
                              models=models, lead_schools=entry["lead_school"],
                              member_schools=entry["member_school"]))
    return results + places


def _documents_of_models(store: Store, interpretation: Interpretation, shown: set[str]) -> list[Result]:
    """The documents that adopt a model (or kind of group) asked about without a group of it among
    the results: one row each, citing the sentence that names the model, with a note."""
    from kb.ask.store_vocabulary import vocabulary_for

    terms = vocabulary_for(store).terms
    f = interpretation.filters
    models = list(dict.fromkeys(f.models + [m for k in f.group_kinds for m in k["models"]]))
    docs = {d for m in models for d in terms.docs_with_model(m)}
    docs |= {g.doc for g in terms.groups.values() if group_is_of_kind(g.name, g.models, f.group_kinds)
             and f.group_kinds}
    needles = [k["noun"] for k in f.group_kinds if k["noun"]] + _model_wordings(models)
    if f.places:   # 哪些地方有教联体: also the documents that speak of it
        long = [n for n in dict.fromkeys(needles) if len(n) >= 3]
        long = [n for n in long if not any(o != n and o in n for o in long)]   # 学区化 covers 学区化管理
        for needle in long[:MAX_NEEDLES]:
            for district in f.districts or [None]:
                docs |= {str(r["doc"]) for r in queries.run(store, "ask_documents_mentioning", needle=needle,
                                                             district=district).rows}
    docs = {d for d in docs - shown if d in terms.documents
            and (not f.districts or terms.documents[d]["district"] in f.districts)}
    if not docs:
        return []
    texts = DocumentTexts(store)
    texts.load(docs)
    rows = []
    for doc in sorted(docs, key=lambda d: (terms.documents[d]["district"] or "", d)):
        adopted = sorted(terms.document_models.get(doc, set())
                         | {m for g in terms.groups.values() if g.doc == doc for m in g.models})
        citation = texts.find_sentence(doc, needles)
        if not citation.span:   # 紧密型学区: the nouns of the kinds of group of the model
            citation = texts.find_sentence(doc, _kind_nouns(models))
        rows.append(Result("group", doc, citation.title or terms.documents[doc].get("title"),
                           terms.documents[doc]["district"] or None, citation.sentence,
                           citation.span or (0, 0), models=[m for m in adopted if m in models] or models))
    districts = sorted({r.district for r in rows if r.district})
    names = "、".join(concept_label("model", m) for m in models)
    names_en = ", ".join(concept_label("model", m, "en") for m in models)
    interpretation.notes.append(Note(
        f"采用或提到{names}、但未列出此类集团的文件各列一行" + (f"（{'、'.join(districts)}）" if districts else ""),
        f"documents adopting or naming {names_en} without such a group among the results are listed one row "
        f"each" + (f" ({', '.join(districts)})" if districts else "")))
    return rows


def _kind_nouns(models: list[str]) -> list[str]:
    """The Chinese group nouns of the lexicon that name groups of these models (学区, 教共体)."""
    from kb.ask.text import is_cjk

    kinds = lx.lexicon().get("group_nouns", {}).get("kinds", {})
    return [noun for noun, of in kinds.items() if is_cjk(noun) and set(of) & set(models)]


def _model_wordings(models: list[str]) -> list[str]:
    """The Chinese labels of the models and the lexicon's wordings for them (to cite a sentence)."""
    from ontology import labels

    from kb.ask.text import is_cjk

    generic = set(lx.words("ignore", "model"))
    out = []
    for model in models:
        concept_ = labels("model").get(model, {})
        out += [concept_.get("prefLabel", {}).get("zh"), *concept_.get("altLabel", {}).get("zh", [])]
        out += lx.lexicon().get("model", {}).get(model, [])
    return [w for w in dict.fromkeys(out) if w and is_cjk(w) and w not in generic]
