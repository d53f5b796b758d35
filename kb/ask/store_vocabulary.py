"""The vocabulary of a store view: built once per view and kept in memory, and saved beside an
embedded store so that a fresh process reads it instead of building it (docs/query-side.md).
"""
from __future__ import annotations

from pathlib import Path

from kb import queries
from kb.ask.packed import PackedTable, pack
from kb.ask.places import Place
from kb.ask.vocabulary import GroupInfo, Index, Senses, StoreTerms, Vocabulary, build, load_terms
from kb.store import view_cache
from kb.store.base import Store

NAME = "vocabulary"
FORMAT = 3


def vocabulary_for(store: Store) -> Vocabulary:
    """The vocabulary of ``store``, kept until its documents change (:func:`kb.store.view_cache.remembered`).

    Building it reads every document's names (seconds on 10,000 documents), so concurrent callers
    for the same store view wait for one build instead of each running it; an embedded store's
    reader loads the one saved for its snapshot when there is one; a store that cannot tell its
    view cheaply (a server) is keyed by the documents' hashes (``ask_store_stamp``);
    :func:`kb.prepared.prepare_in_background` starts all this ahead of the first question."""
    stamps: list[tuple] = []    # a server's stamp lists its documents: the build need not count them again

    def stamp() -> tuple:
        stamps.append(_documents_stamp(store))
        return stamps[-1]

    return view_cache.remembered(
        store, NAME, code_fingerprint(),
        lambda: build(load_terms(store, documents=len(stamps[-1]) if stamps else None)),
        to_builtins=to_builtins, from_builtins=from_builtins, stamp=stamp)


def _documents_stamp(store: Store) -> tuple:
    return tuple((str(r["doc"]), str(r["hash"])) for r in queries.run(store, "ask_store_stamp").rows)


def clear_cache() -> None:
    """Forget every vocabulary (and every other value of :mod:`kb.store.view_cache`) kept in
    memory: tests, and what a new process starts without."""
    view_cache.forget()


def code_fingerprint() -> str:
    """What a saved vocabulary depends on besides the store: the question code, its word lists
    and the concept schemes; a change to any of them makes earlier files stale."""
    import ontology

    here, concepts = Path(__file__).resolve().parent, Path(ontology.__file__).resolve().parent
    return view_cache.fingerprint(*here.glob("*.py"), *here.glob("*.toml"), *concepts.glob("*.ttl"))


def to_builtins(vocabulary: Vocabulary) -> tuple:
    """The store part of ``vocabulary`` (its names and terms) as builtins for ``marshal``: the
    Chinese wordings packed (:func:`kb.ask.packed.pack`, read back without a string per wording),
    the rest as held (:class:`kb.ask.vocabulary.Senses`)."""
    names, t = vocabulary.names, vocabulary.terms
    terms = ({d: tuple(_text(e.get(k)) for k in ("title", "district", "province")) for d, e in t.documents.items()},
             t.districts, t.provinces, t.cities,
             {d: (p.name, list(p.locals), p.city, p.province, list(p.wider)) for d, p in t.places.items()},
             [tuple(g) for g in t.groups.values()],
             {s: [tuple(m) for m in found] for s, found in t.schools.items()},
             {d: set(models) for d, models in t.document_models.items()})
    return FORMAT, names.zh.pairs, pack(names.zh.table), names.en.table, terms


def from_builtins(data: tuple) -> Vocabulary:
    """The vocabulary :func:`to_builtins` wrote; its Chinese wordings are looked up in place and
    senses are made when a question looks them up. An older format raises ValueError (the
    vocabulary is then built again)."""
    version, pairs, zh, en, terms = data
    if version != FORMAT:
        raise ValueError(f"vocabulary format {version}, expected {FORMAT}")
    documents, districts, provinces, cities, places, groups, schools, document_models = terms
    store_terms = StoreTerms(
        documents={d: {"title": title, "district": district, "province": province}
                   for d, (title, district, province) in documents.items()},
        districts=districts, provinces=provinces, cities=cities,
        places={d: Place(*p) for d, p in places.items()},
        groups={g[0]: GroupInfo._make(g) for g in groups},
        schools=schools, document_models=document_models)
    return Vocabulary(Index(Senses(PackedTable(zh), pairs), Senses(en, pairs)), store_terms)


def _text(value) -> str | None:
    return None if value is None else str(value)


__all__ = ["clear_cache", "code_fingerprint", "from_builtins", "to_builtins", "vocabulary_for"]
