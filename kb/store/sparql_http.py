"""The server backend: :class:`SparqlHttpStore`, a policykb store on any SPARQL 1.1 server, through
the Query, Update and Graph Store HTTP protocols (tested against OpenLink Virtuoso 7.2). Its
configuration is :mod:`kb.store.server_config`, the query text it sends :mod:`kb.store.sparql_text`
and :mod:`kb.store.sparql_terms`, the bodies it reads :mod:`kb.store.http_results`. What it does on
reads and writes, and what is transactional where: "The server backend" in docs/scale-out.md.
"""
from __future__ import annotations

import io
import logging
import os
import threading
import time
from dataclasses import replace
from typing import Mapping, Sequence

import httpx
import pyoxigraph as ox

from kb import settings
from kb.errors import QueryError, StoreError
from kb.store.base import (PKB, VOCABULARY_GRAPH, DocumentWrite, IRI, QueryResult, Store, check_export_format,
                           normalize_bindings, query_timeout_error, take_results)
from kb.store.batches import WriteBatch, parse_per_document
from kb.store.http_results import (ACCEPT_RDF, ACCEPT_RESULTS, ACCEPT_RESULTS_XML, RDF_TYPES, RESULT_TYPES,
                                   DeadlinePassed, ResponseBody, is_timeout_message, server_message)
from kb.store.oxigraph import OxigraphStore
from kb.store.server_auth import server_auth
from kb.store.server_config import (ServerConfig, config_from_url, derive_endpoints, is_http_url, load_config,
                                    split_credentials)
from kb.store.sparql_terms import bound_terms, iri_text, literal_text
from kb.store.sparql_text import prepare_query, query_shape, restore_separators
from kb.store.terms import solution_rows, term_to_python

CONNECT_TIMEOUT = 10.0
POOL = httpx.Limits(max_connections=32, max_keepalive_connections=16, keepalive_expiry=60.0)
log = logging.getLogger(__name__)
MARKER_PREDICATES = frozenset({PKB + "pipelineVersion", PKB + "contentHash"})
"""Written after the rest of a graph, so a half-written graph reads as out of date."""


class SparqlHttpStore(Store):
    """A policykb store on a SPARQL 1.1 server (see "The server backend" in docs/scale-out.md).

    ``location`` is the query endpoint URL or the path of a config file; ``config`` replaces it with
    a ready :class:`ServerConfig`. ``user``/``password`` default to the ``user``/``password``
    settings (``POLICYKB_USER``/``POLICYKB_PASSWORD``). Opening sends one ``ASK {}`` to check that
    the endpoint answers and the credentials are accepted.

    One HTTP client (a pool of kept-alive connections, one Digest nonce reused with a counter) serves
    every thread. :attr:`requests` counts the HTTP exchanges (a 401 challenge is one), :attr:`queries`
    the queries sent and :attr:`request_seconds` their time; each is logged at DEBUG level.
    A binding may be a tuple of values (``binds_many``): one ``VALUES`` row each, one request.
    """

    binds_many = True
    remote = True

    def __init__(self, location: str | os.PathLike | None = None, *, read_only: bool = False,
                 config: ServerConfig | None = None, user: str | None = None, password: str | None = None,
                 transport=None) -> None:
        if config is None:
            where = str(location)
            config = config_from_url(where) if is_http_url(where) else load_config(where)
        query_url, url_user, url_password = split_credentials(config.query_url)
        self.config = replace(config, query_url=query_url)
        self.location = query_url
        self.read_only = read_only
        self._user = user or url_user or settings.get("user")
        self._password = password or url_password or settings.get("password")
        self._secrets = [s for s in (self._password, url_password) if s]
        self._write_mutex = threading.Lock()
        self._count_lock = threading.Lock()
        self.requests = 0
        self.queries = 0
        self.request_seconds = 0.0
        self._client: httpx.Client | None = httpx.Client(
            auth=server_auth(self._user, self._password, config.auth), transport=transport, verify=config.verify,
            follow_redirects=False, headers={"User-Agent": "policykb"}, limits=POOL,
            event_hooks={"response": [self._count_exchange]})
        try:
            probe = self._request("GET", self.location, params={"query": "ASK {}"},
                                  headers={"Accept": "application/sparql-results+json"},
                                  timeout=min(self.config.timeout, 30.0), what="query")
            self.server = probe.headers.get("server", "")
        except BaseException:
            self.close()
            raise
        update, gsp = derive_endpoints(self.location, self.server, authenticated=bool(self._user))
        self.update_url = split_credentials(self.config.update_url)[0] if self.config.update_url else update
        if self.config.gsp_url == "":
            self.gsp_url = None
        else:
            self.gsp_url = split_credentials(self.config.gsp_url)[0] if self.config.gsp_url else gsp
        self.write_mode = self.config.write or ("gsp" if self.gsp_url else "update")
        if self.write_mode == "gsp" and not self.gsp_url:
            self.close()
            raise StoreError("write = \"gsp\" needs a Graph Store endpoint, and none is known for this server",
                             path=self.location, code="PKB-STORE-CONFIG",
                             hint="set graph_store in the config file or POLICYKB_GSP_URL, or use write = \"update\"")

    # ------------------------------------------------------------------ plumbing

    @property
    def _http(self):
        if self._client is None:
            raise StoreError("the store is closed", path=self.location, code="PKB-STORE-CLOSED",
                             hint="open it again with kb.store.open_store()")
        return self._client

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def _count_exchange(self, response) -> None:
        with self._count_lock:
            self.requests += 1

    def stats(self) -> dict:
        """``{"requests", "queries", "seconds"}`` since the store was opened (benchmarks, tests)."""
        with self._count_lock:
            return {"requests": self.requests, "queries": self.queries, "seconds": round(self.request_seconds, 4)}

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _request(self, method: str, url: str, *, timeout: float, what: str, stream: bool = False, **kwargs):
        """Send one request; map transport failures and HTTP errors to policykb errors.

        ``what`` is ``query`` (4xx → QueryError) or ``write`` (→ StoreError ``PKB-STORE-WRITE``).
        """
        client = self._http
        limits = httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout))
        try:
            request = client.build_request(method, url, timeout=limits, **kwargs)
            response = client.send(request, stream=stream)
        except httpx.TimeoutException as exc:
            raise self._timeout(what, timeout, exc) from None
        except (httpx.TransportError, OSError) as exc:
            raise self._unreachable(url, exc) from None
        if response.status_code >= 400:
            try:
                body = response.read() if stream else response.content
            except httpx.HTTPError:
                body = b""
            finally:
                if stream:
                    response.close()
            raise self._http_error(url, response, body, what)
        return response

    def _unreachable(self, url: str, exc: BaseException) -> StoreError:
        reason = self._scrub(str(exc) or type(exc).__name__)
        return StoreError(f"cannot reach the SPARQL server at {split_credentials(url)[0]}: {reason}",
                          path=self.location, code="PKB-STORE-SERVER",
                          hint="check that the server is running and the URL is right; an interrupted "
                               "ingest can simply be run again")

    def _timeout(self, what: str, timeout: float, exc: BaseException | None = None):
        if what == "query":
            return query_timeout_error(timeout)
        if what != "write":
            return StoreError(f"the SPARQL server at {self.location} did not answer within {timeout:g} s",
                              path=self.location, code="PKB-STORE-SERVER", hint="check the server's load and log")
        return StoreError(f"the SPARQL server at {self.location} did not answer a write within {timeout:g} s",
                          path=self.location, code="PKB-STORE-WRITE",
                          hint="the document may be partly written; run the ingest again once the server is "
                               "responsive (or raise write_timeout in the server config)")

    def _http_error(self, url: str, response, body: bytes, what: str):
        status = response.status_code
        message = self._scrub(server_message(body))
        where = split_credentials(url)[0]
        if status in (401, 403):
            who = "the credentials in POLICYKB_USER/POLICYKB_PASSWORD" if self._user else "anonymous access"
            hint = ("check POLICYKB_USER and POLICYKB_PASSWORD" if self._user else
                    "set POLICYKB_USER and POLICYKB_PASSWORD, or use the server's authenticated endpoint")
            return StoreError(f"the SPARQL server at {where} refused {who} (HTTP {status})", path=self.location,
                              code="PKB-STORE-AUTH", hint=hint)
        if status == 404:
            return StoreError(f"there is no SPARQL endpoint at {where} (HTTP 404)", path=self.location,
                              code="PKB-STORE-SERVER", hint="check the URL (POLICYKB_STORE, update/graph_store)")
        if is_timeout_message(message):
            return self._timeout(what, self.config.timeout if what == "query" else self.config.write_timeout)
        if what == "query" and status == 400:
            return QueryError(f"the server rejected the query: {message}", code="PKB-QUERY-SYNTAX",
                              hint="check the query against the SPARQL 1.1 grammar")
        if what == "query" and status < 500:
            return QueryError(f"the server refused the query (HTTP {status}): {message}", code="PKB-QUERY-EVAL")
        if what == "query" and status == 500:
            return QueryError(f"the query failed on the server: {message}", code="PKB-QUERY-EVAL")
        if what == "write":
            return StoreError(f"the SPARQL server at {where} refused a write (HTTP {status}): {message}",
                              path=self.location, code="PKB-STORE-WRITE",
                              hint="the batch may be partly written (per-document writes); run the ingest again")
        return StoreError(f"the SPARQL server at {where} failed (HTTP {status}): {message}", path=self.location,
                          code="PKB-STORE-SERVER", hint="check the server's log")

    # ------------------------------------------------------------------ reading

    def query(self, sparql: str, bindings: Mapping[str, object] | None = None, *,
              timeout: float | None = None, limit: int | None = None,
              strict: bool = False) -> QueryResult:
        """See :meth:`Store.query`; the limits are enforced by the client (docs/scale-out.md)."""
        terms = {name: bound_terms(name, value) for name, value in normalize_bindings(bindings).items()}
        separators: dict[str, str] | None = {} if "virtuoso" in self.server.lower() else None
        text = prepare_query(sparql, terms, limit=limit, separators=separators)
        accept = ((ACCEPT_RESULTS if separators is None else ACCEPT_RESULTS_XML)   # Virtuoso: XML first
                  if query_shape(sparql).form in ("SELECT", "ASK") else ACCEPT_RDF)
        seconds = float(timeout) if timeout is not None else self.config.timeout
        deadline = time.monotonic() + seconds
        form = {"query": text}
        if separators is not None:  # Virtuoso: stop the server's work at the deadline too ("anytime"
            form["timeout"] = str(max(1, int(seconds * 1000)))  # query; its partial answer is refused)
        started = time.monotonic()
        response = self._request("POST", self.location, data=form, headers={"Accept": accept},
                                 timeout=seconds, what="query", stream=True)
        try:
            result = self._read_result(response, deadline, seconds, limit, strict)
        finally:
            response.close()
            elapsed = time.monotonic() - started
            with self._count_lock:
                self.queries += 1
                self.request_seconds += elapsed
                number = self.queries
            if log.isEnabledFor(logging.DEBUG):
                log.debug("query %d (%s): %.1f ms, %d requests so far", number, _title(sparql), elapsed * 1000,
                          self.requests)
        if separators:
            result.rows = [{k: restore_separators(v, separators) for k, v in row.items()} for row in result.rows]
        return result

    def _read_result(self, response, deadline: float, seconds: float, limit: int | None,
                     strict: bool) -> QueryResult:
        state = response.headers.get("x-sql-state", "")
        if state.upper() == "S1TAT":  # Virtuoso "anytime" query: partial results
            raise self._timeout("query", seconds)
        ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
        body = ResponseBody(response, deadline, bnodes=ctype in RESULT_TYPES)
        reader = io.BufferedReader(body, buffer_size=1 << 16)
        try:
            if ctype in RESULT_TYPES:
                parsed = ox.parse_query_results(reader, RESULT_TYPES[ctype])
                if isinstance(parsed, ox.QueryBoolean):
                    return QueryResult([], [], boolean=bool(parsed))
                variables = [v.value for v in parsed.variables]
                items, truncated = take_results(parsed, limit, strict, deadline, seconds)
                rows = solution_rows(variables, items)
                return QueryResult(variables, rows, truncated=truncated)
            if ctype in RDF_TYPES:
                triples, truncated = take_results(ox.parse(reader, RDF_TYPES[ctype]), limit, strict, deadline, seconds)
                rows = [{"subject": term_to_python(t.subject), "predicate": term_to_python(t.predicate),
                         "object": term_to_python(t.object)} for t in triples]
                text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()
                return QueryResult(["subject", "predicate", "object"], rows, ntriples=text, truncated=truncated)
        except (SyntaxError, ValueError, OSError) as exc:
            if body.error is not None:
                if isinstance(body.error, DeadlinePassed) or isinstance(body.error, httpx.TimeoutException):
                    raise self._timeout("query", seconds) from None
                raise self._unreachable(self.location, body.error) from None
            raise StoreError(f"the SPARQL server at {self.location} sent an unreadable result: "
                             f"{self._scrub(str(exc))[:300]}", path=self.location, code="PKB-STORE-SERVER",
                             hint="is the URL a SPARQL 1.1 query endpoint?") from None
        raise StoreError(f"the SPARQL server at {self.location} answered with {ctype or 'no content type'}, "
                         "not SPARQL results", path=self.location, code="PKB-STORE-SERVER",
                         hint="is the URL a SPARQL 1.1 query endpoint?")

    def _own(self, graph: str) -> bool:
        return graph.startswith(self.config.graph_prefix)

    def graphs(self, *, include_vocabulary: bool = False) -> list[str]:
        """The non-empty graphs whose IRI starts with ``graph_prefix`` (not the server's own graphs)."""
        return sorted(g for g in self._graph_counts() if include_vocabulary or g != VOCABULARY_GRAPH)

    def _graph_counts(self, graph: str | None = None) -> dict[str, int]:
        """Triples per non-empty policykb graph (or per ``graph``), in one query."""
        if graph is not None:
            rows = self.query("SELECT ?graph (COUNT(*) AS ?n) WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph",
                              {"graph": IRI(graph)}).rows
        else:
            prefix = literal_text(self.config.graph_prefix)
            rows = self.query("SELECT ?graph (COUNT(*) AS ?n) WHERE { GRAPH ?graph { ?s ?p ?o } "
                              f"FILTER (STRSTARTS(STR(?graph), {prefix})) }} GROUP BY ?graph").rows
        return {str(r["graph"]): int(r["n"]) for r in rows
                if r.get("graph") is not None and int(r["n"]) > 0 and self._own(str(r["graph"]))}

    def triple_count(self, graph: str | None = None, *, include_vocabulary: bool = False) -> int:
        """Triples in ``graph``, or in every document graph (one query either way)."""
        counts = self._graph_counts(graph)
        if graph is not None:
            return counts.get(graph, 0)
        return sum(n for g, n in counts.items() if include_vocabulary or g != VOCABULARY_GRAPH)

    def export(self, fmt: str, graph: str | None = None, *, include_vocabulary: bool = False) -> bytes:
        """See :meth:`Store.export`: each graph is fetched (Graph Store GET, else CONSTRUCT), its triple
        count checked against the server's, and serialized by the same code as the embedded backend."""
        fmt = check_export_format(fmt)
        if graph is not None:
            counts = self._graph_counts(graph)
            if not counts:
                raise StoreError(f"there is no graph {graph}", path=self.location, code="PKB-STORE-NOGRAPH",
                                 hint="list the graphs with `policykb list`")
        else:
            counts = {g: n for g, n in self._graph_counts().items() if include_vocabulary or g != VOCABULARY_GRAPH}
        local = OxigraphStore(None)
        try:
            for name in sorted(counts):
                triples = self._fetch_graph(name)
                if len(triples) < counts[name]:
                    raise StoreError(f"the server returned {len(triples)} of the {counts[name]} triples of {name}",
                                     path=self.location, code="PKB-STORE-IO",
                                     hint="the server cut the result: raise its result size limit "
                                          "(Virtuoso: [SPARQL] ResultSetMaxRows)")
                node = ox.NamedNode(name)
                local._ox.extend(ox.Quad(t.subject, t.predicate, t.object, node) for t in triples)
            return local.export(fmt, graph, include_vocabulary=include_vocabulary)
        finally:
            local.close()

    def _fetch_graph(self, graph: str) -> list:
        """Every triple of one graph (blank nodes renamed apart from every other fetch)."""
        seconds = self.config.write_timeout
        if self.gsp_url:
            response = self._request("GET", self.gsp_url, params={"graph": graph}, timeout=seconds, what="read",
                                     headers={"Accept": "application/n-triples, text/turtle;q=0.5"})
        else:
            text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri_text('graph', graph)} {{ ?s ?p ?o }} }}"
            response = self._request("POST", self.location, data={"query": text}, timeout=seconds, what="query",
                                     headers={"Accept": "application/n-triples, text/turtle;q=0.5"})
        ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
        fmt = RDF_TYPES.get(ctype)
        if fmt is None:
            raise StoreError(f"the SPARQL server at {self.location} sent {graph} as {ctype or 'unknown type'}",
                             path=self.location, code="PKB-STORE-SERVER", hint="it should send N-Triples or Turtle")
        try:
            return list(ox.parse(response.content, fmt, rename_blank_nodes=True))
        except (SyntaxError, ValueError) as exc:
            raise StoreError(f"the server sent unreadable RDF for {graph}: {exc}", path=self.location,
                             code="PKB-STORE-IO", hint="check the server's log") from None

    # ------------------------------------------------------------------ writing

    def write_documents(self, writes: Sequence[DocumentWrite]) -> None:
        """See :meth:`Store.write_documents` and docs/scale-out.md: with ``write="gsp"``
        the batch is written document by document (each one replaced on its own, markers last)."""
        self._commit(parse_per_document(writes))

    def _replace_graph(self, graph: str, nquads: bytes) -> None:
        self._commit(parse_per_document([DocumentWrite(graph, nquads)], allow_vocabulary=True))

    def _commit(self, parts: list) -> None:
        """Write checked per-document batches (see :func:`parse_per_document`)."""
        if self.read_only:
            raise StoreError("this store is open read-only", path=self.location, code="PKB-STORE-READONLY",
                             hint="open it with read_only=False to write")
        parts = [p for p in parts if not p.empty]
        if not parts:
            return
        with self._write_mutex:
            if self.write_mode == "update":
                self._update(WriteBatch.merged(parts).update_text())
                return
            for part in parts:
                # first what the document supersedes: its own graph, the graphs it drops, its removals
                operations = [f"DROP SILENT GRAPH {iri_text('graph', g)}" for g in part.drops]
                if part.removals:
                    body = "\n".join(f"GRAPH {q.graph_name} {{ {q.triple} }}" for q in part.removals)
                    operations.append(f"DELETE DATA {{\n{body}\n}}")
                self._update(" ;\n".join(operations))
                for graph in part.graphs:
                    quads = part.by_graph[graph]
                    for piece in ([q for q in quads if not _is_marker(q)], [q for q in quads if _is_marker(q)]):
                        if piece:
                            self._post_graph(graph, piece)

    def _update(self, text: str) -> None:
        self._request("POST", self.update_url, data={"update": text}, timeout=self.config.write_timeout,
                      what="write", headers={"Accept": "*/*"}).close()

    def _post_graph(self, graph: str, quads: list) -> None:
        data = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
        self._request("POST", self.gsp_url, params={"graph": graph}, content=data, timeout=self.config.write_timeout,
                      what="write", headers={"Content-Type": "application/n-triples", "Accept": "*/*"}).close()


def _title(sparql: str) -> str:
    """What a query is, for the debug log: its ``# title`` or its first words (never bound values)."""
    for line in sparql.splitlines():
        if line.startswith("# title:"):
            return line[8:].strip()[:80]
    return " ".join(sparql.split())[:60]


def _is_marker(quad) -> bool:
    return (quad.predicate.value in MARKER_PREDICATES and not isinstance(quad.subject, ox.BlankNode)
            and not isinstance(quad.object, ox.BlankNode))


__all__ = ["MARKER_PREDICATES", "SparqlHttpStore"]
