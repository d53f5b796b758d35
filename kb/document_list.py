"""Every document of a store as one list (title, district, province, sources, rule count), read
once per store view and saved beside an embedded store so that a fresh process, such as the app
starting on 10,000 documents, reads it instead of counting every rule again.
"""
from __future__ import annotations

import marshal
import threading
from pathlib import Path

from kb import queries
from kb.store import view_cache
from kb.store.base import Store

NAME = "documents"
_MEMORY: dict[tuple, list[dict]] = {}
_LOCK = threading.Lock()


def documents(store: Store) -> list[dict]:
    """The rows of the named query ``documents`` with plain values (str, int, None), kept per
    store view in memory and, on an embedded store, in its cache folder."""
    token = store.state_token()
    key = (str(getattr(store, "location", id(store))), token)
    with _LOCK:
        if token is not None and key in _MEMORY:
            return _MEMORY[key]
    code = view_cache.fingerprint(Path(__file__), queries.QUERY_DIR / "documents.rq")
    saved = view_cache.load(store, NAME, code)
    rows = None
    if saved is not None:
        try:
            rows = marshal.loads(saved)
        except (ValueError, EOFError, TypeError):
            rows = None
    if rows is None:
        rows = [{k: _plain(v) for k, v in r.items()} for r in queries.run(store, "documents").rows]
        view_cache.save(store, NAME, code, marshal.dumps(rows))
    if token is not None:
        with _LOCK:
            if len(_MEMORY) > 8:
                _MEMORY.clear()
            _MEMORY[key] = rows
    return rows


def _plain(value: object) -> object:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)
