"""The vocabulary of a store view: built once per view and kept in memory, and saved beside an
embedded store so that a fresh process reads it instead of building it (docs/query-side.md).
"""
from __future__ import annotations

import marshal
import threading
from collections import OrderedDict
from pathlib import Path

from kb import queries
from kb.ask.packed import PackedTable, pack
from kb.ask.places import Place
from kb.ask.vocabulary import GroupInfo, Index, Senses, StoreTerms, Vocabulary, build, load_terms
from kb.store import view_cache
from kb.store.base import Store

FORMAT = 3
_CACHE: "OrderedDict[tuple, Vocabulary]" = OrderedDict()
_CACHE_SIZE = 8
_LOCK = threading.Lock()
_BUILDING: dict[tuple, threading.Lock] = {}   # one builder per store view; others wait for it


def vocabulary_for(store: Store) -> Vocabulary:
    """The vocabulary of ``store``, cached until its documents change.

    Building it reads every document's names (seconds on 10,000 documents), so concurrent callers
    for the same store view wait for one build instead of each running it; an embedded store's
    reader loads the one saved for its snapshot (:func:`save`) when there is one;
    :func:`kb.prepared.prepare_in_background` starts all this ahead of the first question."""
    stamp = store.state_token()   # the store can tell cheaply; else list the documents' hashes
    if stamp is None:
        stamp = tuple((str(r["doc"]), str(r["hash"])) for r in queries.run(store, "ask_store_stamp").rows)
    key = (str(getattr(store, "location", id(store))), stamp)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        building = _BUILDING.setdefault(key, threading.Lock())
    with building:
        with _LOCK:
            if key in _CACHE:                 # built by the caller we waited for
                return _CACHE[key]
        try:
            vocabulary = load(store)
            if vocabulary is None:
                vocabulary = build(load_terms(store))
                save(store, vocabulary)
        except BaseException:
            with _LOCK:
                _BUILDING.pop(key, None)
            raise
        with _LOCK:
            _CACHE[key] = vocabulary
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
            _BUILDING.pop(key, None)
    return vocabulary


def clear_cache() -> None:
    """Forget every vocabulary kept in memory (tests; a long-running app after a re-ingest)."""
    with _LOCK:
        _CACHE.clear()


# --------------------------------------------------------------------------- on disk


NAME = "vocabulary"


def code_fingerprint() -> str:
    """What a saved vocabulary depends on besides the store: the question code, its word lists
    and the concept schemes; a change to any of them makes earlier files stale."""
    import ontology

    here, concepts = Path(__file__).resolve().parent, Path(ontology.__file__).resolve().parent
    return view_cache.fingerprint(*here.glob("*.py"), *here.glob("*.toml"), *concepts.glob("*.ttl"))


def load(store: Store) -> Vocabulary | None:
    """The vocabulary saved for this store view, or None (none saved, or unreadable)."""
    data = view_cache.load(store, NAME, code_fingerprint())
    if data is None:
        return None
    try:
        return decode(data)
    except (ValueError, EOFError, TypeError, KeyError, IndexError):
        return None   # a damaged file: built again and overwritten


def save(store: Store, vocabulary: Vocabulary) -> Path | None:
    """Save ``vocabulary`` for this store view (:mod:`kb.store.view_cache`); the file, or None."""
    return view_cache.save(store, NAME, code_fingerprint(), encode(vocabulary))


def encode(vocabulary: Vocabulary) -> bytes:
    """The store part of ``vocabulary`` (its names and terms) as builtins, marshalled: the
    Chinese wordings packed (:func:`kb.ask.packed.pack`, read back without a string per wording),
    the rest as held (:class:`kb.ask.vocabulary.Senses`)."""
    names, t = vocabulary.names, vocabulary.terms
    terms = ({d: tuple(_text(e.get(k)) for k in ("title", "district", "province")) for d, e in t.documents.items()},
             t.districts, t.provinces, t.cities,
             {d: (p.name, list(p.locals), p.city, p.province, list(p.wider)) for d, p in t.places.items()},
             [(g.iri, g.doc, g.district, g.name, g.models, g.lead_schools, g.member_schools) for g in t.groups.values()],
             {s: [tuple(m) for m in found] for s, found in t.schools.items()},
             {d: set(models) for d, models in t.document_models.items()})
    return marshal.dumps((FORMAT, names.zh.pairs, pack(names.zh.table), names.en.table, terms))


def decode(data: bytes) -> Vocabulary:
    """The vocabulary :func:`encode` wrote; its Chinese wordings are looked up in place and
    senses are made when a question looks them up."""
    with view_cache.collector_paused():
        return _decode(data)


def _decode(data: bytes) -> Vocabulary:
    version, pairs, zh, en, terms = marshal.loads(data)
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
