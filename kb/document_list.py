"""Every document of a store as one list (title, district, province, sources, rule count), read
once per store view and saved beside an embedded store so that a fresh process, such as the app
starting on 10,000 documents, reads it instead of counting every rule again.
"""
from __future__ import annotations

from pathlib import Path

from kb import queries
from kb.store import view_cache
from kb.store.base import Store


def documents(store: Store) -> list[dict]:
    """The rows of the named query ``documents`` with plain values (str, int, None), kept per
    store view in memory and, on an embedded store, in its cache folder."""
    code = view_cache.fingerprint(Path(__file__), queries.QUERY_DIR / "documents.rq")
    return view_cache.remembered(store, "documents", code, lambda: [
        {k: _plain(v) for k, v in r.items()} for r in queries.run(store, "documents").rows])


def _plain(value: object) -> object:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)
