"""The knowledge-graph store: open one with :func:`open_store`, then talk to the :class:`Store` interface.

``location`` is a folder (embedded Oxigraph), ``":memory:"``, a SPARQL 1.1 server's query URL or a
``.toml`` server config; the backends are imported only when a store is opened. An example and the
details: docs/architecture.md.
"""
from __future__ import annotations

import os
from typing import Mapping

from kb import settings
from kb.errors import StoreError
from kb.store.base import (EXPORT_FORMATS, PREFIXES, VOCABULARY_GRAPH, BNode, DocumentWrite, IRI,
                           LangString, QueryResult, Store)
from kb.store.readonly import check_read_only


def _is_url(location: str) -> bool:
    return location.lower().startswith(("http://", "https://"))


def _is_server(location: str) -> bool:
    """An http(s) URL, or a server config file (``*.toml``; a store folder is never a file)."""
    return _is_url(location) or (location.lower().endswith(".toml") and os.path.isfile(location))


def open_store(location: str | os.PathLike | None = None, *, read_only: bool = False) -> Store:
    """Open the store at ``location`` (default: the ``store`` setting, ``POLICYKB_STORE``).

    A writer (``read_only=False``) is exclusive: a second one gets
    :class:`kb.errors.StoreLockedError`. Readers never wait for writers; they see the store as it
    was when opened until ``store.refresh()``. A server store (an http(s) URL or a ``.toml`` config
    file) has no writer lock and its reads always see the latest writes (:mod:`kb.store.sparql_http`).
    """
    location = str(settings.get("store", location))
    if _is_server(location):
        from kb.store.sparql_http import SparqlHttpStore  # backends load when opened (module docstring)

        return SparqlHttpStore(location, read_only=read_only)
    from kb.store.oxigraph import OxigraphStore  # backends load when opened (module docstring)

    return OxigraphStore(location, read_only=read_only)


def run_user_query(sparql: str, bindings: Mapping[str, object] | None = None, *,
                   location: str | os.PathLike | None = None, timeout: float | None = None,
                   limit: int | None = None, strict: bool = False) -> QueryResult:
    """Run a user-written query safely: read-only check, then a hard time limit and a row limit.

    ``timeout`` and ``limit`` default to the ``query_timeout`` and ``max_results`` settings. The
    query is refused (:class:`kb.errors.QueryError`) if it is an update or uses ``SERVICE``; it is
    evaluated in a child process that is killed at the deadline (see
    :func:`kb.store.timed_query.run_query_with_timeout`); past ``limit`` rows the result is truncated
    (``result.truncated``), or with ``strict=True`` refused.
    """
    check_read_only(sparql)
    location = str(settings.get("store", location))
    timeout = float(settings.get("query_timeout", timeout))
    limit = int(settings.get("max_results", limit))
    if _is_server(location):  # the client abandons the request at the deadline (kb.store.sparql_http)
        from kb.store.sparql_http import SparqlHttpStore  # backends load when opened (module docstring)

        with SparqlHttpStore(location, read_only=True) as server:
            return server.query(sparql, bindings, timeout=timeout, limit=limit, strict=strict)
    if location == ":memory:":
        raise StoreError("user queries run in a separate process and need an on-disk store",
                         path=location, code="PKB-STORE-OPEN", hint="give the store folder")
    from kb.store.timed_query import run_query_with_timeout  # backends load when used (module docstring)

    return run_query_with_timeout(location, sparql, bindings, timeout=timeout, limit=limit, strict=strict)


__all__ = ["BNode", "DocumentWrite", "EXPORT_FORMATS", "IRI", "LangString", "PREFIXES", "QueryResult",
           "Store", "VOCABULARY_GRAPH", "open_store", "run_user_query"]
