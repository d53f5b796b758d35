"""The server backend: any SPARQL 1.1 server, through the Query, Update and Graph Store HTTP protocols.

Open it with :func:`kb.store.open_store` and an ``http(s)`` URL (the query endpoint) or the path of a
TOML config file (see :func:`load_config`); credentials come from ``POLICYKB_USER`` /
``POLICYKB_PASSWORD`` only, and go out as HTTP Digest or Basic authentication, whichever the server
asks for. They are never logged and never appear in an error message (server messages are scrubbed
too). Tested against OpenLink Virtuoso 7.2 (``scripts/virtuoso.sh``); the endpoint derivation below
also knows the URL layouts of Fuseki, RDF4J/GraphDB and ``oxigraph serve``.

Endpoints
---------
``query`` is the URL given. ``update`` defaults to the query URL (``/update`` beside a Fuseki or
Oxigraph ``/query``, ``…/statements`` for RDF4J). The Graph Store endpoint is derived where the
layout is known — Virtuoso: ``/sparql-graph-crud-auth`` (or ``/sparql-graph-crud`` without
credentials), Fuseki: ``/data``, Oxigraph: ``/store``, RDF4J: ``…/rdf-graphs/service``. With
credentials, a Virtuoso ``/sparql`` URL is read through as given but written through
``/sparql-auth`` (its anonymous endpoint has no update rights). ``POLICYKB_UPDATE_URL`` /
``POLICYKB_GSP_URL`` or the config file override all of this.

Reading
-------
The server receives SPARQL text, so bound parameters are injected as a ``VALUES`` block of
serialized RDF terms (IRIs validated, literals escaped by the SPARQL grammar) at the start of the
query's WHERE group — and of every sub-``SELECT`` that projects the variable — never formatted into
the query body: the effect is the embedded backend's substitution. A value that is not a valid term
is refused (``PKB-QUERY-BIND``). The prefixes of :data:`PREFIXES` the query does not declare are
prepended. The text is checked first: only the four query forms, no update keyword anywhere, no
Virtuoso ``bif:``/``sql:`` extensions (``PKB-QUERY-READONLY``) — the Virtuoso query endpoint would
otherwise execute an update sent as ``query=``.

No ``FROM`` is sent, so queries see the server's default graph. Virtuoso's is the union of all its
graphs (checked by the tests), like the embedded backend's; a server whose default graph is not the
union (Fuseki without ``tdb:unionDefaultGraph``, RDF4J) answers ``GRAPH``-free queries from its own
default graph only, so configure it to union. Virtuoso keeps a few system graphs
(``virtrdf#``…): :meth:`SparqlHttpStore.graphs`, exports and counts only list graphs whose IRI starts
with ``graph_prefix`` (``https://w3id.org/policykb/``), but a user query with ``GRAPH ?g`` sees them.

Time and row limits are enforced by the client: the result is streamed and parsed as it arrives,
cut after ``limit`` rows (a ``LIMIT limit+1`` is appended to a SELECT without one, so the server stops
early too), and the request abandoned at the deadline (``PKB-QUERY-TIMEOUT``). The server may go on
computing an abandoned query until its own limit; Virtuoso is also sent the deadline as its
``timeout`` parameter, so it stops then. A Virtuoso "anytime" answer (partial results flagged by
``X-SQL-State: S1TAT``) is an error (``PKB-QUERY-TIMEOUT``), never a result.
Virtuoso also cuts every result at ``[SPARQL] ResultSetMaxRows`` (10,000 in Debian's ini) *silently*:
raise it on a server used by policykb (``scripts/virtuoso.sh`` sets 1,000,000); exports check their
triple counts against the server's and refuse a cut export (``PKB-STORE-IO``).

Writing: what is transactional where
------------------------------------
``write="gsp"`` (the default when a Graph Store endpoint is known): per document, one Update request
``DROP SILENT GRAPH`` (the document's graph and the graphs it supersedes) + ``DELETE DATA`` (its
``remove_triples``), then one Graph Store ``POST`` of its N-Triples, then a second small ``POST`` of
its *marker* triples (``pkb:pipelineVersion``, ``pkb:contentHash``). A batch is therefore
**per-document**, not all-or-nothing: after an error the documents before the failing one are
written, the failing one may be missing or partial, the rest untouched. Virtuoso applies neither a
Graph Store request nor a multi-operation Update request atomically (measured: a PUT whose body
breaks at line 5001 leaves the first 5000 triples; an Update whose second operation fails keeps
the first one), and readers may see a document while it is being loaded. What keeps the store
correct is the order: a half-written graph has no ``pkb:pipelineVersion``, so
:func:`ingest.runner.plan` sees it as out of date and the next ingest rewrites it; superseded graphs
go first, so a crash never leaves two versions of a document. (DROP + POST rather than PUT: on
Virtuoso 7.2 a PUT loads ~4x slower than a POST.)

``write="update"``: the whole batch as ONE Update request (drops, ``DELETE DATA``, ``INSERT DATA``,
as the embedded backend builds it). All-or-nothing on servers that apply a request as one
transaction (Fuseki/TDB2, RDF4J, GraphDB, ``oxigraph serve``); not on Virtuoso, whose ``INSERT
DATA`` also fails beyond a few thousand triples per request — use ``gsp`` there.

Every write is parsed and checked (quads in their document graph, valid IRIs, the vocabulary graph
untouchable) by the same code as the embedded backend before the server is contacted. There is no
writer lock across processes: run one ingest per server at a time (the ingest runner already writes
through one writer).
"""
from __future__ import annotations

import io
import os
import re
import threading
import time
import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox

from kb import settings
from kb.errors import QueryError, StoreError
from kb.store.base import (PKB, PREFIXES, VOCABULARY_GRAPH, BNode, DocumentWrite, IRI, LangString, QueryResult,
                           Store, bad_binding, check_export_format, normalize_bindings, query_timeout_error,
                           take_results)
from kb.store.batches import WriteBatch, parse_per_document
from kb.store.oxigraph import OxigraphStore
from kb.store.terms import term_to_python

DEFAULT_GRAPH_PREFIX = "https://w3id.org/policykb/"
DEFAULT_TIMEOUT = 120.0          # seconds: a query without an explicit timeout
DEFAULT_WRITE_TIMEOUT = 600.0    # seconds: one write request
CONNECT_TIMEOUT = 10.0
MARKER_PREDICATES = frozenset({PKB + "pipelineVersion", PKB + "contentHash"})
"""Written after the rest of a graph, so a half-written graph reads as out of date."""

_XSD = "http://www.w3.org/2001/XMLSchema#"
# by query form: Virtuoso answers a CONSTRUCT in (invalid) SPARQL JSON results if that is acceptable
_ACCEPT_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.5"
_ACCEPT_RDF = "application/n-triples, text/turtle;q=0.8"
_RDF_TYPES = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
              "text/ntriples": ox.RdfFormat.N_TRIPLES, "text/turtle": ox.RdfFormat.TURTLE,
              "application/x-turtle": ox.RdfFormat.TURTLE, "application/n-quads": ox.RdfFormat.N_QUADS,
              "application/rdf+xml": ox.RdfFormat.RDF_XML}
_RESULT_TYPES = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                 "application/json": ox.QueryResultsFormat.JSON,
                 "application/sparql-results+xml": ox.QueryResultsFormat.XML,
                 "text/tab-separated-values": ox.QueryResultsFormat.TSV}


# ---------------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class ServerConfig:
    """Where and how to talk to the server. Build it with :func:`config_from_url` or :func:`load_config`."""

    query_url: str
    update_url: str | None = None        # None: derived
    gsp_url: str | None = None           # None: derived; "" : the server has none
    auth: str = "auto"                   # auto | digest | basic | none
    write: str | None = None             # gsp | update; None: gsp when a Graph Store URL is known
    timeout: float = DEFAULT_TIMEOUT
    write_timeout: float = DEFAULT_WRITE_TIMEOUT
    verify: bool | str = True            # TLS certificate check, or a CA bundle path
    graph_prefix: str = DEFAULT_GRAPH_PREFIX
    source: str | None = None            # the config file, when there is one


_CONFIG_KEYS = {"query", "update", "graph_store", "auth", "write", "timeout", "write_timeout", "verify",
                "graph_prefix"}


def config_from_url(url: str) -> ServerConfig:
    """The configuration for a query URL, with the ``update_url`` and ``gsp_url`` settings applied."""
    return ServerConfig(query_url=url, update_url=settings.get("update_url") or None,
                        gsp_url=settings.get("gsp_url") or None)


def load_config(path: str | os.PathLike) -> ServerConfig:
    """Read a server config file (TOML), e.g.::

        [server]
        query = "https://kb.example.org/sparql-auth"      # required: the SPARQL query endpoint
        update = "https://kb.example.org/sparql-auth"     # optional (derived from query)
        graph_store = "https://kb.example.org/sparql-graph-crud-auth"   # optional; "" = none
        auth = "auto"            # auto | digest | basic | none
        write = "gsp"            # gsp (per-document) | update (one request per batch)
        timeout = 120            # seconds for a query without its own timeout
        write_timeout = 600      # seconds for one write request
        verify = true            # TLS check, or the path of a CA bundle

    Credentials are not read from the file: set ``POLICYKB_USER`` and ``POLICYKB_PASSWORD``.
    """
    where = str(path)
    try:
        data = tomllib.loads(Path(where).read_text(encoding="utf-8"))
    except OSError as exc:
        raise StoreError(f"cannot read the server config: {exc.strerror or exc}", path=where,
                         code="PKB-STORE-CONFIG", hint="give the path of a TOML file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise StoreError(f"the server config is not valid TOML: {exc}", path=where, code="PKB-STORE-CONFIG",
                         hint="see kb.store.sparql_http.load_config for the format") from exc
    section = data.get("server", data)
    if not isinstance(section, dict):
        raise StoreError("the server config has no [server] table", path=where, code="PKB-STORE-CONFIG",
                         hint="see kb.store.sparql_http.load_config for the format")
    secrets = {k for k in section if k.lower() in ("user", "password", "username", "pass", "credentials")}
    if secrets:
        raise StoreError(f"the server config holds credentials ({', '.join(sorted(secrets))})", path=where,
                         code="PKB-STORE-CONFIG",
                         hint="remove them; policykb reads them from POLICYKB_USER and POLICYKB_PASSWORD only")
    unknown = sorted(set(section) - _CONFIG_KEYS)
    if unknown:
        raise StoreError(f"unknown key(s) in the server config: {', '.join(unknown)}", path=where,
                         code="PKB-STORE-CONFIG", hint=f"known keys: {', '.join(sorted(_CONFIG_KEYS))}")
    query = section.get("query")
    if not isinstance(query, str) or not _is_http(query):
        raise StoreError("the server config needs query = \"http(s)://…\" (the SPARQL query endpoint)",
                         path=where, code="PKB-STORE-CONFIG", hint="e.g. query = \"http://127.0.0.1:8890/sparql-auth\"")
    base = config_from_url(query)
    try:
        return replace(
            base,
            update_url=_opt_url(section.get("update"), "update", where) or base.update_url,
            gsp_url=(_opt_url(section.get("graph_store"), "graph_store", where, allow_empty=True)
                     if "graph_store" in section else base.gsp_url),
            auth=_choice(section.get("auth", "auto"), ("auto", "digest", "basic", "none"), "auth", where),
            write=(_choice(section["write"], ("gsp", "update"), "write", where) if "write" in section else None),
            timeout=float(section.get("timeout", DEFAULT_TIMEOUT)),
            write_timeout=float(section.get("write_timeout", DEFAULT_WRITE_TIMEOUT)),
            verify=section.get("verify", True),
            graph_prefix=str(section.get("graph_prefix", DEFAULT_GRAPH_PREFIX)),
            source=where)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"invalid value in the server config: {exc}", path=where, code="PKB-STORE-CONFIG",
                         hint="timeouts are numbers of seconds") from exc


def _opt_url(value, key: str, where: str, allow_empty: bool = False) -> str | None:
    if value is None or (allow_empty and value == ""):
        return value
    if not isinstance(value, str) or not _is_http(value):
        raise StoreError(f"{key} must be an http(s) URL", path=where, code="PKB-STORE-CONFIG",
                         hint=f'e.g. {key} = "http://127.0.0.1:8890/sparql-auth"')
    return value


def _choice(value, choices: tuple[str, ...], key: str, where: str) -> str:
    if value not in choices:
        raise StoreError(f"{key} = {value!r} is not one of {', '.join(choices)}", path=where,
                         code="PKB-STORE-CONFIG", hint=f"use one of: {', '.join(choices)}")
    return value


def _is_http(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``url`` without user info, and the user and password it carried (if any)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    from urllib.parse import unquote

    return (urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)),
            unquote(parts.username) if parts.username else None,
            unquote(parts.password) if parts.password else None)


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def derive_endpoints(query_url: str, server_header: str = "", *, authenticated: bool) -> tuple[str, str | None]:
    """(update URL, Graph Store URL or None) for a query URL, from its layout and the Server header."""
    path = urlsplit(query_url).path.rstrip("/")
    server = server_header.lower()
    if path.endswith("/sparql-auth") or ("virtuoso" in server and path.endswith("/sparql")):
        root = path.rsplit("/", 1)[0]
        if authenticated or path.endswith("/sparql-auth"):
            return _with_path(query_url, root + "/sparql-auth"), _with_path(query_url, root + "/sparql-graph-crud-auth")
        return query_url, _with_path(query_url, root + "/sparql-graph-crud")
    match = re.fullmatch(r"(.*/repositories/[^/]+)", path)
    if match:  # RDF4J / GraphDB
        return (_with_path(query_url, match.group(1) + "/statements"),
                _with_path(query_url, match.group(1) + "/rdf-graphs/service"))
    root, _, last = path.rpartition("/")
    if "fuseki" in server and last in ("query", "sparql"):
        return _with_path(query_url, root + "/update"), _with_path(query_url, root + "/data")
    if "oxigraph" in server and last == "query":
        return _with_path(query_url, root + "/update"), _with_path(query_url, root + "/store")
    return query_url, None


# ---------------------------------------------------------------------------------- authentication


def _auth(user: str | None, password: str | None, scheme: str):
    """An httpx auth object: Digest or Basic as the server's challenge asks (``scheme="auto"``)."""
    import httpx

    if not user or scheme == "none":
        return None
    password = password or ""
    if scheme == "digest":
        return httpx.DigestAuth(user, password)
    if scheme == "basic":
        return httpx.BasicAuth(user, password)

    class AutoAuth(httpx.Auth):
        """Answer the server's challenge: Digest when offered, else Basic; then stick to it."""

        requires_request_body = True

        def __init__(self) -> None:
            self.digest = httpx.DigestAuth(user, password)
            self.basic = httpx.BasicAuth(user, password)
            self.chosen: httpx.Auth | None = None

        def auth_flow(self, request):
            if self.chosen is not None:
                yield from self.chosen.auth_flow(request)
                return
            response = yield request
            if response.status_code != 401:
                return
            offered = {h.split(None, 1)[0].lower() for h in response.headers.get_list("www-authenticate") if h}
            if "digest" in offered:
                self.chosen = self.digest
            elif "basic" in offered:
                self.chosen = self.basic
            else:
                return
            yield from self.chosen.auth_flow(request)

    return AutoAuth()


# ---------------------------------------------------------------------------------- the store


class SparqlHttpStore(Store):
    """A policykb store on a SPARQL 1.1 server (see the module docstring).

    ``location`` is the query endpoint URL or the path of a config file; ``config`` replaces it with
    a ready :class:`ServerConfig`. ``user``/``password`` default to the ``user``/``password``
    settings (``POLICYKB_USER``/``POLICYKB_PASSWORD``). Opening sends one ``ASK {}`` to check that
    the endpoint answers and the credentials are accepted.
    """

    def __init__(self, location: str | os.PathLike | None = None, *, read_only: bool = False,
                 config: ServerConfig | None = None, user: str | None = None, password: str | None = None,
                 transport=None) -> None:
        import httpx

        if config is None:
            where = str(location)
            config = config_from_url(where) if _is_http(where) else load_config(where)
        query_url, url_user, url_password = _split_credentials(config.query_url)
        self.config = replace(config, query_url=query_url)
        self.location = query_url
        self.read_only = read_only
        self._user = user or url_user or settings.get("user")
        self._password = password or url_password or settings.get("password")
        self._secrets = [s for s in (self._password, url_password) if s]
        self._write_mutex = threading.Lock()
        self._client: httpx.Client | None = httpx.Client(
            auth=_auth(self._user, self._password, config.auth), transport=transport, verify=config.verify,
            follow_redirects=False, headers={"User-Agent": "policykb"})
        try:
            probe = self._request("GET", self.location, params={"query": "ASK {}"},
                                  headers={"Accept": "application/sparql-results+json"},
                                  timeout=min(self.config.timeout, 30.0), what="query")
            self.server = probe.headers.get("server", "")
        except BaseException:
            self.close()
            raise
        update, gsp = derive_endpoints(self.location, self.server, authenticated=bool(self._user))
        self.update_url = _split_credentials(self.config.update_url)[0] if self.config.update_url else update
        if self.config.gsp_url == "":
            self.gsp_url = None
        else:
            self.gsp_url = _split_credentials(self.config.gsp_url)[0] if self.config.gsp_url else gsp
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

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _request(self, method: str, url: str, *, timeout: float, what: str, stream: bool = False, **kwargs):
        """Send one request; map transport failures and HTTP errors to policykb errors.

        ``what`` is ``query`` (4xx → QueryError) or ``write`` (→ StoreError ``PKB-STORE-WRITE``).
        """
        import httpx

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
        return StoreError(f"cannot reach the SPARQL server at {_split_credentials(url)[0]}: {reason}",
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
        message = self._scrub(_server_message(body))
        where = _split_credentials(url)[0]
        if status in (401, 403):
            who = "the credentials in POLICYKB_USER/POLICYKB_PASSWORD" if self._user else "anonymous access"
            hint = ("check POLICYKB_USER and POLICYKB_PASSWORD" if self._user else
                    "set POLICYKB_USER and POLICYKB_PASSWORD, or use the server's authenticated endpoint")
            return StoreError(f"the SPARQL server at {where} refused {who} (HTTP {status})", path=self.location,
                              code="PKB-STORE-AUTH", hint=hint)
        if status == 404:
            return StoreError(f"there is no SPARQL endpoint at {where} (HTTP 404)", path=self.location,
                              code="PKB-STORE-SERVER", hint="check the URL (POLICYKB_STORE, update/graph_store)")
        if _is_timeout_message(message):
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
        """See :meth:`Store.query`; the limits are enforced by the client (module docstring)."""
        terms = {name: term_text(name, value) for name, value in normalize_bindings(bindings).items()}
        separators: dict[str, str] | None = {} if "virtuoso" in self.server.lower() else None
        text = prepare_query(sparql, terms, limit=limit, separators=separators)
        accept = _ACCEPT_RESULTS if _shape(sparql).form in ("SELECT", "ASK") else _ACCEPT_RDF
        seconds = float(timeout) if timeout is not None else self.config.timeout
        deadline = time.monotonic() + seconds
        form = {"query": text}
        if separators is not None:  # Virtuoso: stop the server's work at the deadline too ("anytime"
            form["timeout"] = str(max(1, int(seconds * 1000)))  # query; its partial answer is refused)
        response = self._request("POST", self.location, data=form, headers={"Accept": accept},
                                 timeout=seconds, what="query", stream=True)
        try:
            result = self._read_result(response, deadline, seconds, limit, strict)
        finally:
            response.close()
        if separators:
            result.rows = [{k: _restore(v, separators) for k, v in row.items()} for row in result.rows]
        return result

    def _read_result(self, response, deadline: float, seconds: float, limit: int | None,
                     strict: bool) -> QueryResult:
        import httpx

        state = response.headers.get("x-sql-state", "")
        if state.upper() == "S1TAT":  # Virtuoso "anytime" query: partial results
            raise self._timeout("query", seconds)
        ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
        body = _Body(response, deadline, bnodes=ctype in _RESULT_TYPES)
        reader = io.BufferedReader(body, buffer_size=1 << 16)
        try:
            if ctype in _RESULT_TYPES:
                parsed = ox.parse_query_results(reader, _RESULT_TYPES[ctype])
                if isinstance(parsed, ox.QueryBoolean):
                    return QueryResult([], [], boolean=bool(parsed))
                variables = [v.value for v in parsed.variables]
                items, truncated = take_results(parsed, limit, strict, deadline, seconds)
                rows = [{name: term_to_python(solution[name]) for name in variables} for solution in items]
                return QueryResult(variables, rows, truncated=truncated)
            if ctype in _RDF_TYPES:
                triples, truncated = take_results(ox.parse(reader, _RDF_TYPES[ctype]), limit, strict, deadline, seconds)
                rows = [{"subject": term_to_python(t.subject), "predicate": term_to_python(t.predicate),
                         "object": term_to_python(t.object)} for t in triples]
                text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()
                return QueryResult(["subject", "predicate", "object"], rows, ntriples=text, truncated=truncated)
        except (SyntaxError, ValueError, OSError) as exc:
            if body.error is not None:
                if isinstance(body.error, _Deadline) or isinstance(body.error, httpx.TimeoutException):
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
        fmt = _RDF_TYPES.get(ctype)
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
        """See :meth:`Store.write_documents` and "Writing" in the module docstring: with ``write="gsp"``
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


def _is_marker(quad) -> bool:
    return (quad.predicate.value in MARKER_PREDICATES and not isinstance(quad.subject, ox.BlankNode)
            and not isinstance(quad.object, ox.BlankNode))


class _Deadline(Exception):
    """Internal: the query's deadline passed while its result was being read."""


class _Body(io.RawIOBase):
    """An HTTP response body as a file, for pyoxigraph's streaming parsers; watches the deadline.

    With ``bnodes=True`` (SPARQL results) Virtuoso's blank node labels (``nodeID://b10001``, not
    valid labels) are rewritten to ``b10001`` as the bytes stream by. The pattern includes the JSON
    (or XML) structure around the value, which no string content can imitate (a quote inside a JSON
    string is escaped), so literals are never touched.
    """

    _VIRTUOSO_BNODE = re.compile(rb'("type"\s{0,8}:\s{0,8}"bnode"\s{0,8},\s{0,8}"value"\s{0,8}:\s{0,8}"|<bnode>)nodeID://')
    _CARRY = 96  # longer than any match: a match cut by a chunk boundary is completed next time

    def __init__(self, response, deadline: float, *, bnodes: bool = False) -> None:
        self._chunks = response.iter_bytes()
        self._deadline = deadline
        self._buffer = b""
        self._carry = b""
        self._bnodes = bnodes
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def _next(self) -> bytes:
        while True:
            if time.monotonic() > self._deadline:
                self.error = _Deadline()
                raise OSError("deadline passed")
            try:
                chunk = next(self._chunks)
            except StopIteration:
                rest, self._carry = self._carry, b""
                return rest
            except Exception as exc:  # httpx timeouts and network errors
                self.error = exc
                raise OSError(str(exc)) from None
            if not self._bnodes:
                return chunk
            data = self._VIRTUOSO_BNODE.sub(rb"\1", self._carry + chunk)
            cut = max(0, len(data) - self._CARRY)
            out, self._carry = data[:cut], data[cut:]
            if out:
                return out

    def readinto(self, target) -> int:
        if not self._buffer:
            self._buffer = self._next()
            if not self._buffer:
                return 0
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


def _restore(value: object, separators: dict[str, str]) -> object:
    """Put the real GROUP_CONCAT separators back into a string result (see :func:`prepare_query`)."""
    if not isinstance(value, str) or "~pkb-sep-" not in value or isinstance(value, (IRI, BNode)):
        return value
    text = str(value)
    for token, separator in separators.items():
        text = text.replace(token, separator)
    return LangString(text, value.language) if isinstance(value, LangString) else text


def _server_message(body: bytes) -> str:
    """The first useful lines of a server's error page (tags stripped, shortened)."""
    text = body.decode("utf-8", errors="replace")
    text = re.sub(r"(?is)<(script|style|title)\b.*?</\1>", " ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s*SPARQL query:.*$", "", text, flags=re.S)  # Virtuoso echoes the whole query
    return (text[:400] + "…") if len(text) > 400 else (text or "no message")


def _is_timeout_message(message: str) -> bool:
    lowered = message.lower()
    return ("s1tat" in lowered or "timed out" in lowered or "timeout" in lowered
            or "exceeds the limit" in lowered or "estimated execution time" in lowered)


# ---------------------------------------------------------------------------------- terms


_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def literal_text(lexical: str, datatype: str | None = None, language: str | None = None) -> str:
    """A literal in SPARQL syntax: ``"…"`` with the grammar's escapes, then ``@lang`` or ``^^<dt>``.

    Everything but ``\\ " LF CR TAB BS FF`` goes out as itself (UTF-8), which every server reads
    alike (Virtuoso turns ``\\uXXXX`` escapes into ``xsd:string``-typed literals, which then fail to
    match plain ones). NUL and lone surrogates are refused.
    """
    if "\x00" in lexical:
        raise ValueError("a NUL character cannot be sent to a server")
    try:
        lexical.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("the text is not valid Unicode (a lone surrogate)") from None
    body = '"' + "".join(_ECHAR.get(c, c) for c in lexical) + '"'
    if language:
        if not _LANGUAGE.fullmatch(language):
            raise ValueError(f"{language!r} is not a language tag")
        return f"{body}@{language}"
    if datatype and datatype != _XSD + "string":
        return f"{body}^^{_iri(datatype)}"
    return body


def _iri(value: str) -> str:
    return f"<{ox.NamedNode(value).value}>"


def iri_text(name: str, value: str) -> str:
    """``<value>`` after checking it is a valid absolute IRI (else ``PKB-QUERY-BIND``)."""
    try:
        return _iri(value)
    except (TypeError, ValueError) as exc:
        raise QueryError(f"?{name}: {value!r} is not a valid IRI: {exc}", code="PKB-QUERY-BIND",
                         hint="IRIs are absolute, e.g. https://w3id.org/policykb/id/doc/…") from exc


def term_text(name: str, value: object) -> str:
    """A binding value as an RDF term in SPARQL syntax (types as in :func:`normalize_bindings`)."""
    try:
        if isinstance(value, ox.NamedNode):
            return iri_text(name, value.value)
        if isinstance(value, ox.Literal):
            return literal_text(value.value, value.datatype.value, value.language)
        if isinstance(value, IRI):
            return iri_text(name, str(value))
        if isinstance(value, (BNode, ox.BlankNode)):
            raise QueryError(f"cannot bind ?{name} to a blank node on a server store", code="PKB-QUERY-BIND",
                             hint="blank node labels are local to one response; bind an IRI or a literal")
        if isinstance(value, LangString):
            return literal_text(str(value), language=value.language)
        if isinstance(value, (bool, int, float, str)):
            literal = ox.Literal(value)  # the same datatype and lexical form as the embedded backend
            return literal_text(literal.value, literal.datatype.value, literal.language)
    except ValueError as exc:
        raise QueryError(f"cannot bind ?{name}: {exc}", code="PKB-QUERY-BIND",
                         hint="bind an IRI (kb.store.IRI), a str, int, float or bool") from None
    raise bad_binding(name, value)


# ---------------------------------------------------------------------------------- query text

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
_EXTENSION_PREFIXES = ("bif", "sql")

from kb.store.readonly import SPARQL_TOKEN as _TOKEN  # noqa: E402  (the one SPARQL tokenizer)


@dataclass
class _Scope:
    """A group a ``VALUES`` block can open: the query's WHERE group or a sub-SELECT's."""

    insert_at: int                   # text offset just after the group's "{"
    projection: frozenset | None     # the sub-SELECT's projected variables; None: all (top, "*")
    parent: int | None               # index of the enclosing scope


@dataclass
class _Shape:
    form: str
    declared: frozenset
    projection: frozenset | None     # top-level SELECT projection (None: "*" or not a SELECT)
    scopes: list = field(default_factory=list)
    top_limit: bool = False
    trailing_values: bool = False


def _readonly(what: str) -> QueryError:
    return QueryError(f"only queries (SELECT, ASK, CONSTRUCT, DESCRIBE) may run here; this is {what}",
                      code="PKB-QUERY-READONLY", hint="the store changes only through `policykb ingest`")


def _syntax(message: str) -> QueryError:
    return QueryError(f"invalid SPARQL: {message}", code="PKB-QUERY-SYNTAX",
                      hint="check the query against the SPARQL 1.1 grammar")


@lru_cache(maxsize=512)
def _shape(sparql: str) -> _Shape:
    """Where the groups of a query are, what it projects, and whether it is safe to send."""
    tokens = [(m.lastgroup, m.group(), m.start(), m.end()) for m in _TOKEN.finditer(sparql)
              if m.lastgroup not in ("ws", "comment")]
    for kind, text, _, _ in tokens:
        if kind == "word" and text.upper() in _UPDATE_WORDS:
            raise _readonly(f"a SPARQL update ({text.upper()})")
        if kind == "pname" and text.split(":", 1)[0].lower() in _EXTENSION_PREFIXES:
            raise _readonly(f"a call of a server extension ({text})")
        if kind == "iri" and text[1:].lower().startswith(tuple(p + ":" for p in _EXTENSION_PREFIXES)):
            raise _readonly(f"a call of a server extension ({text})")
        if kind == "other" and text in "\"'":
            raise _syntax("unterminated string")
    i, declared = 0, set()
    while i < len(tokens) and tokens[i][0] == "word" and tokens[i][1].upper() in ("PREFIX", "BASE"):
        if tokens[i][1].upper() == "PREFIX" and i + 1 < len(tokens) and tokens[i + 1][0] == "pname":
            declared.add(tokens[i + 1][1].split(":", 1)[0])
            i += 3
        else:
            i += 2
    if i >= len(tokens):
        raise _syntax("the query is empty")
    kind, text, _, _ = tokens[i]
    form = text.upper() if kind == "word" else ""
    if form not in QUERY_FORMS:
        raise _syntax(f"expected SELECT, ASK, CONSTRUCT or DESCRIBE, found {text!r}")
    shape = _Shape(form, frozenset(declared), None)
    i += 1
    if form == "SELECT":
        projection, i = _projection(tokens, i)
        shape.projection = projection
    elif form == "CONSTRUCT" and i < len(tokens) and tokens[i][1] == "{":
        i = _skip_group(tokens, i)
    # the WHERE group: the first "{" outside parentheses
    depth_paren = 0
    while i < len(tokens):
        t = tokens[i][1]
        if t == "(":
            depth_paren += 1
        elif t == ")":
            depth_paren -= 1
        elif t == "{" and depth_paren == 0:
            break
        i += 1
    if i >= len(tokens):
        return shape  # DESCRIBE <x> without a WHERE clause
    shape.scopes.append(_Scope(tokens[i][3], None, None))
    stack: list[tuple[int, int]] = [(0, 1)]  # (scope index, brace depth at which its group closes)
    depth = 1
    i += 1
    while i < len(tokens) and depth > 0:
        kind, t, _, _ = tokens[i]
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
            while stack and depth < stack[-1][1]:
                stack.pop()
        elif kind == "word" and t.upper() == "SELECT":
            projection, j = _projection(tokens, i + 1)
            while j < len(tokens) and tokens[j][1] != "{":
                j += 1
            if j < len(tokens):
                shape.scopes.append(_Scope(tokens[j][3], projection, stack[-1][0] if stack else 0))
                depth += 1
                stack.append((len(shape.scopes) - 1, depth))
                i = j
        i += 1
    for kind, t, _, _ in tokens[i:]:
        if kind == "word" and t.upper() == "LIMIT":
            shape.top_limit = True
        if kind == "word" and t.upper() == "VALUES":
            shape.trailing_values = True
    return shape


def _projection(tokens, i: int) -> tuple[frozenset | None, int]:
    """The variables a SELECT clause projects (None for ``*``), and where the clause ends."""
    names: set[str] = set()
    star = False
    depth = 0
    while i < len(tokens):
        kind, t, _, _ = tokens[i]
        if depth == 0 and (t == "{" or (kind == "word" and t.upper() in ("WHERE", "FROM"))):
            break
        if t == "(":
            depth += 1
        elif t == ")":
            depth -= 1
        elif t == "*" and depth == 0:
            star = True
        elif kind == "var" and (depth == 0 or (i > 0 and tokens[i - 1][1].upper() == "AS")):
            names.add(t[1:])
        i += 1
    return (None if star else frozenset(names)), i


def _skip_group(tokens, i: int) -> int:
    depth = 0
    while i < len(tokens):
        if tokens[i][1] == "{":
            depth += 1
        elif tokens[i][1] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


SEPARATOR_TOKEN = "~pkb-sep-{}~"


def prepare_query(sparql: str, terms: Mapping[str, str], *, limit: int | None = None,
                  separators: dict[str, str] | None = None) -> str:
    """The text sent to the server: missing prefixes, ``VALUES`` for the bound ``terms`` (already in
    SPARQL syntax, from :func:`term_text`), and a ``LIMIT`` one past ``limit`` when it has none.

    With ``separators`` (a dict to fill), every ``GROUP_CONCAT`` separator that is not ASCII is
    replaced by an ASCII token (:data:`SEPARATOR_TOKEN`) and ``separators`` maps the token back:
    Virtuoso 7.2 turns a non-ASCII separator (``separator="、"``) into ``?``, so its client puts the
    separator back into the results.
    """
    if not isinstance(sparql, str) or not sparql.strip():
        raise _syntax("the query is empty")
    shape = _shape(sparql)
    if terms and shape.form == "SELECT" and shape.projection is not None:
        hidden = sorted(set(terms) - shape.projection)
        if hidden:
            raise QueryError(f"cannot bind a variable the query does not return: ?{', ?'.join(hidden)}",
                             code="PKB-QUERY-PARAM", hint="list every bound variable in the SELECT clause")
    if terms and not shape.scopes:
        raise QueryError("cannot bind variables of a query without a WHERE clause", code="PKB-QUERY-PARAM",
                         hint="add a WHERE clause that uses the variable")
    inserts: list[tuple[int, str]] = []
    visible: list[frozenset] = []
    for scope in shape.scopes:
        parent = frozenset(terms) if scope.parent is None else visible[scope.parent]
        names = parent if scope.projection is None else parent & scope.projection
        visible.append(names)
        if names:
            ordered = sorted(names)
            inserts.append((scope.insert_at, " VALUES (" + " ".join("?" + n for n in ordered) + ") { ("
                            + " ".join(terms[n] for n in ordered) + ") } "))
    replaced: list[tuple[int, int, str]] = []
    if separators is not None:
        for start, end, value in _wide_separators(sparql):
            token = SEPARATOR_TOKEN.format(len(separators))
            separators[token] = value
            replaced.append((start, end, f'"{token}"'))
    text = sparql
    edits = [(at, at, block) for at, block in inserts] + replaced
    for start, end, new in sorted(edits, key=lambda e: e[0], reverse=True):
        text = text[:start] + new + text[end:]
    if limit is not None and shape.form == "SELECT" and not shape.top_limit and not shape.trailing_values:
        text += f"\nLIMIT {int(limit) + 1}"
    header = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items() if p not in shape.declared)
    return header + text


def _wide_separators(sparql: str) -> list[tuple[int, int, str]]:
    """(start, end, value) of every ``separator = "…"`` string with a non-ASCII character."""
    tokens = [(m.lastgroup, m.group(), m.start(), m.end()) for m in _TOKEN.finditer(sparql)
              if m.lastgroup not in ("ws", "comment")]
    found = []
    for i in range(len(tokens) - 2):
        if (tokens[i][0] == "word" and tokens[i][1].upper() == "SEPARATOR" and tokens[i + 1][1] == "="
                and tokens[i + 2][0] == "string"):
            value = _unquote(tokens[i + 2][1])
            if any(ord(c) > 127 for c in value):
                found.append((tokens[i + 2][2], tokens[i + 2][3], value))
    return found


_UNESCAPE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unquote(token: str) -> str:
    """The value of a SPARQL string token (quotes stripped, escapes decoded)."""
    quote = 3 if token[:3] in ('"""', "'''") else 1
    body = token[quote:-quote]
    return re.sub(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)",
                  lambda m: chr(int(m.group(1)[1:], 16)) if m.group(1)[0] in "uU" and len(m.group(1)) > 1
                  else _UNESCAPE.get(m.group(1), m.group(1)), body)


__all__ = ["ServerConfig", "SparqlHttpStore", "config_from_url", "derive_endpoints", "iri_text", "literal_text",
           "load_config", "prepare_query", "term_text"]
