"""The store interface: what every knowledge-graph backend offers, whatever it is built on.

:class:`Store` (SPARQL reads over the union of the document graphs, whole-document transactional
writes), :class:`QueryResult`, :class:`DocumentWrite`; a backend provides ``query``,
``write_documents``, ``export`` and ``close``. The contract: docs/architecture.md.
"""
from __future__ import annotations

import math
import re
import time
from abc import ABC, abstractmethod
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping, Sequence

from kb.errors import QueryError, StoreError
from ontology import VOCAB_FILES, VOCAB_GRAPH, files_digest

VOCABULARY_GRAPH = VOCAB_GRAPH
"""The named graph holding the vocabulary files (``ontology.VOCAB_FILES``)."""

PKB = "https://w3id.org/policykb/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"

PREFIXES: dict[str, str] = {
    "pkb": PKB,
    "model": "https://w3id.org/policykb/vocab/model/",
    "actor": "https://w3id.org/policykb/vocab/actor/",
    "category": "https://w3id.org/policykb/vocab/category/",
    "period": "https://w3id.org/policykb/vocab/period/",
    "unit": "https://w3id.org/policykb/vocab/unit/",
    "kind": "https://w3id.org/policykb/vocab/constraint-kind/",
    "modality": "https://w3id.org/policykb/vocab/modality/",
    "pkbid": "https://w3id.org/policykb/id/",
    "org": "http://www.w3.org/ns/org#",
    "odrl": "http://www.w3.org/ns/odrl/2/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "sh": "http://www.w3.org/ns/shacl#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": XSD,
}
"""Prefixes predeclared for every query and used to abbreviate Turtle/TriG/JSON-LD exports."""

EXPORT_FORMATS = ("turtle", "ntriples", "nquads", "trig", "jsonld")


# --------------------------------------------------------------------------- value types


class IRI(str):
    """An IRI in a query result or a binding (a ``str``, so it compares and prints as the IRI)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"IRI({str.__repr__(self)})"


class BNode(str):
    """A blank node in a query result; the string is its store-local label."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"BNode({str.__repr__(self)})"


class LangString(str):
    """A language-tagged literal: a ``str`` that remembers its ``language`` (``"zh"``, ``"en"``…)."""

    language: str

    def __new__(cls, value: str, language: str) -> "LangString":
        obj = super().__new__(cls, value)
        obj.language = language
        return obj

    def __reduce__(self):
        return (LangString, (str(self), self.language))

    def __repr__(self) -> str:
        return f"LangString({str.__repr__(self)}, {self.language!r})"


@dataclass(frozen=True)
class DocumentWrite:
    """Everything one document contributes to the store, written as a unit.

    ``graph`` is the document's named-graph IRI and ``nquads`` every quad of that graph (N-Quads,
    UTF-8; every quad must name ``graph``). Writing *replaces* the graph: whatever it held before is
    dropped in the same transaction, so writing the same document twice changes nothing.
    ``drop_graphs`` are other graphs this document supersedes (e.g. an older version of an edited
    file) and ``remove_triples`` single quads to delete from other graphs, each
    ``(subject, predicate, object, graph)`` in N-Triples term syntax (``<iri>``, ``"lit"@zh``…).
    """

    graph: str
    nquads: bytes
    drop_graphs: tuple[str, ...] = ()
    remove_triples: tuple[tuple[str, str, str, str], ...] = ()


@dataclass
class QueryResult:
    """The answer to a query, as Python values.

    * ``SELECT``: ``variables`` in projection order, ``rows`` one dict per solution (an unbound
      variable maps to ``None``).
    * ``ASK``: ``boolean``; ``variables`` and ``rows`` are empty.
    * ``CONSTRUCT``/``DESCRIBE``: ``ntriples`` holds the triples as N-Triples text, and ``rows``
      the same triples as ``{"subject", "predicate", "object"}`` dicts.

    Values: IRIs are :class:`IRI`, blank nodes :class:`BNode`, ``xsd:string`` a ``str``,
    ``rdf:langString`` a :class:`LangString`, ``xsd:integer`` (and its subtypes) an ``int``,
    ``xsd:decimal``/``double``/``float`` a ``float``, ``xsd:boolean`` a ``bool``; dates, times and
    every other datatype keep their lexical form as a ``str`` (ISO 8601 for ``xsd:date``/``dateTime``).
    ``truncated`` is True when a ``limit`` cut the result short.
    """

    variables: list[str]
    rows: list[dict[str, object]]
    boolean: bool | None = None
    ntriples: str | None = None
    truncated: bool = False

    @property
    def kind(self) -> str:
        """``"ask"``, ``"construct"`` or ``"select"``."""
        if self.boolean is not None:
            return "ask"
        return "construct" if self.ntriples is not None else "select"

    def column(self, name: str) -> list[object]:
        """The values of one variable, row by row."""
        return [row.get(name) for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, object]]:
        return iter(self.rows)


# --------------------------------------------------------------------------- conversions

_INTEGER_TYPES = {XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "nonPositiveInteger",
    "positiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte")}
_FLOAT_TYPES = {XSD + "decimal", XSD + "double", XSD + "float"}
_VARIABLE = re.compile(r"[A-Za-z_0-9\u00B7\u00C0-\uFFFF]+")


def literal_to_python(lexical: str, datatype: str | None, language: str | None) -> object:
    """A literal's Python value by the rules of :class:`QueryResult` (invalid lexical forms stay ``str``)."""
    if language:
        return LangString(lexical, language)
    try:
        if datatype in _INTEGER_TYPES:
            return int(lexical)
        if datatype in _FLOAT_TYPES:
            return float(lexical)
        if datatype == XSD + "boolean":
            if lexical in ("true", "1"):
                return True
            if lexical in ("false", "0"):
                return False
    except ValueError:
        pass
    return lexical


MANY = (tuple, list, set, frozenset)
"""A binding of one of these types holds several values: the variable takes each (one ``VALUES`` row)."""


def normalize_bindings(bindings: Mapping[str, object] | None) -> dict[str, object]:
    """Check a bindings mapping and return it keyed by bare variable names, ``None`` values dropped.

    Keys may be written ``"name"``, ``"?name"`` or ``"$name"``. Values must be an :class:`IRI`, a
    ``str`` (a plain string literal), ``int``, ``float``, ``bool`` or a backend term object (the
    backend checks those), or a tuple, list or set of those (the variable takes each value);
    ``None`` leaves the variable unbound, i.e. free to match anything.
    """
    result: dict[str, object] = {}
    for key, value in (bindings or {}).items():
        if not isinstance(key, str):
            raise QueryError(f"binding name {key!r} is not a string", code="PKB-QUERY-BIND",
                             hint="name the variable, e.g. {'district': '张掖市'}")
        name = key[1:] if key[:1] in "?$" else key
        if not name or not _VARIABLE.fullmatch(name):
            raise QueryError(f"{key!r} is not a SPARQL variable name", code="PKB-QUERY-BIND",
                             hint="use letters, digits and _ , e.g. 'district' or '?district'")
        if value is None:
            continue
        if isinstance(value, float) and not math.isfinite(value):
            raise QueryError(f"cannot bind ?{name} to {value!r}", code="PKB-QUERY-BIND",
                             hint="bind a finite number")
        result[name] = value
    return result


def bad_binding(name: str, value: object) -> QueryError:
    """The error for a binding value of a type no backend understands."""
    return QueryError(
        f"cannot bind ?{name} to a {type(value).__name__} ({value!r:.60})", code="PKB-QUERY-BIND",
        hint="bind an IRI (kb.store.IRI), a str, int, float or bool")


def query_timeout_error(timeout: float | None) -> QueryError:
    """``PKB-QUERY-TIMEOUT``: the query ran past its deadline (both backends raise this)."""
    return QueryError(f"the query ran longer than {timeout:g} s and was stopped", code="PKB-QUERY-TIMEOUT",
                      hint="narrow the query, or raise POLICYKB_QUERY_TIMEOUT")


def take_results(iterator, limit: int | None, strict: bool, deadline: float | None,
                 timeout: float | None) -> tuple[list, bool]:
    """At most ``limit`` items of a result iterator (True if there were more), watching the clock:
    past ``deadline`` (a ``time.monotonic()`` value) :func:`query_timeout_error`; more than ``limit``
    with ``strict`` ``PKB-QUERY-LIMIT``."""
    items: list = []
    for item in iterator:
        if deadline is not None and time.monotonic() > deadline:
            raise query_timeout_error(timeout)
        if limit is not None and len(items) >= limit:
            if strict:
                raise QueryError(f"the query returns more than {limit} results", code="PKB-QUERY-LIMIT",
                                 hint="add LIMIT, narrow the query, or raise POLICYKB_MAX_RESULTS")
            return items, True
        items.append(item)
    if deadline is not None and time.monotonic() > deadline:
        raise query_timeout_error(timeout)
    return items, False


# --------------------------------------------------------------------------- the interface

_GRAPH_EXISTS = "ASK { GRAPH ?graph { ?s ?p ?o } }"
_GRAPH_INFO = """
SELECT ?graph ?hash ?version ?source WHERE {
  GRAPH ?graph {
    OPTIONAL { ?graph pkb:contentHash ?hash }
    OPTIONAL { ?graph prov:wasGeneratedBy ?activity . ?activity pkb:pipelineVersion ?version }
    OPTIONAL { ?graph pkb:sourcePath ?source }
  }
}"""
_GRAPHS_FOR_SOURCE = """
SELECT DISTINCT ?graph ?path WHERE { GRAPH ?graph { ?graph pkb:sourcePath ?path } } ORDER BY ?graph"""
_HOLDS_DOCUMENTS = "ASK { GRAPH ?graph { ?graph pkb:sourcePath ?path } }"
_ALL_GRAPHS = "SELECT DISTINCT ?graph WHERE { GRAPH ?graph { ?s ?p ?o } } ORDER BY ?graph"
_COUNT = "SELECT ?graph (COUNT(*) AS ?n) WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph"
_VOCAB_HASH = "SELECT ?graph ?hash WHERE { GRAPH ?graph { ?graph pkb:contentHash ?hash } }"


class Store(ABC):
    """A policykb knowledge-graph store (see the module docstring for the contract).

    Use it as a context manager, or call :meth:`close`: a writing store holds the store's writer
    lock until it is closed.
    """

    location: str
    read_only: bool
    #: how often (seconds) readers are shown new writes: 0 = after every write. A long ingest
    #: raises it (see :meth:`publishing_every`), as making writes visible can cost time.
    publish_interval: float = 0.0
    #: an ingest's batch: at most this many documents (unless the ``batch_documents`` setting says
    #: otherwise), bytes of N-Quads and seconds; larger batches write faster, smaller ones show
    #: progress sooner
    batch_limits: tuple[int, int, float] = (64, 8 * 2**20, 2.0)
    #: a binding may hold several values (a tuple, list or set: one ``VALUES`` row each)
    binds_many: bool = False
    #: each query is a round trip to a server: ask few queries bound widely rather than many small ones
    remote: bool = False

    def publish(self) -> None:
        """Make every committed write visible to readers now (a no-op where they always are)."""

    def compact(self) -> None:
        """Rewrite the store's files compactly after a large ingest (a no-op where the backend
        manages its own files)."""

    @contextmanager
    def publishing_every(self, seconds: float) -> Iterator[None]:
        """Show readers new writes at most every ``seconds`` inside the block, and all of them at
        its end (the ingest runner writes many batches this way)."""
        before, self.publish_interval = self.publish_interval, seconds
        try:
            yield
        finally:
            self.publish_interval = before
            self.publish()

    # -- primitives every backend provides ------------------------------------------------

    @abstractmethod
    def query(self, sparql: str, bindings: Mapping[str, object] | None = None, *,
              timeout: float | None = None, limit: int | None = None,
              strict: bool = False) -> QueryResult:
        """Evaluate a SPARQL query over the union of the named graphs.

        ``bindings`` fix variables to values before evaluation (the variable must be returned by
        the query: listed in ``SELECT`` or ``SELECT *``); a tuple, list or set of values lets the
        variable take each of them (one ``VALUES`` row each, one query: ``binds_many``). ``limit``
        caps the rows (or triples) returned: past it the result is cut and ``truncated`` set, or,
        with ``strict=True``, :class:`QueryError` ``PKB-QUERY-LIMIT`` is raised. ``timeout``
        (seconds) raises ``PKB-QUERY-TIMEOUT``; how promptly depends on the backend (see its docs).
        """

    @abstractmethod
    def write_documents(self, writes: Sequence[DocumentWrite]) -> None:
        """Write a batch of documents in ONE transaction: all of them, or (on any error) none."""

    @abstractmethod
    def export(self, fmt: str, graph: str | None = None, *, include_vocabulary: bool = False) -> bytes:
        """Serialize one graph, or every document graph (``graph=None``), as ``fmt``.

        ``fmt`` is one of :data:`EXPORT_FORMATS`. ``nquads``, ``trig`` and ``jsonld`` keep the named
        graphs; ``turtle`` and ``ntriples`` merge the selected graphs into one set of triples.
        """

    @abstractmethod
    def close(self) -> None:
        """Release the store (and its writer lock). Closing twice is harmless."""

    @abstractmethod
    def _replace_graph(self, graph: str, nquads: bytes) -> None:
        """Replace one graph's content in one transaction, with no checks on which graph it is."""

    # -- generic methods (SPARQL over the primitives; backends may override) --------------

    def refresh(self, force: bool = False) -> bool:
        """Make a reader see what writers committed since it opened; True if the view changed.

        Backends whose reads always see the latest commit (a SPARQL server) do nothing.
        """
        return False

    def state_token(self) -> str | None:
        """A cheap token that changes whenever what this store shows may have changed, for keying
        caches; None where the backend cannot tell without querying (a SPARQL server)."""
        return None

    def durable_view(self) -> tuple[Path, str] | None:
        """A folder for data derived from what this store shows, and a name for that view which
        every process opening the same view agrees on (the question vocabulary is saved there);
        None where there is no such folder or name (a server, a writer, memory)."""
        return None

    def graphs(self, *, include_vocabulary: bool = False) -> list[str]:
        """The IRIs of the non-empty named graphs, sorted; the vocabulary graph only if asked for."""
        found = [str(g) for g in self.query(_ALL_GRAPHS).column("graph")]
        return [g for g in found if include_vocabulary or g != VOCABULARY_GRAPH]

    def graph_info(self, graph: str) -> dict | None:
        """What the store knows of a document graph, or ``None`` when there is no such graph.

        ``{"content_hash": str | None, "pipeline_version": str | None, "sources": [path, …]}``,
        read from the document node (``pkb:contentHash``, its ingest activity's
        ``pkb:pipelineVersion``, its ``pkb:sourcePath``s).
        """
        iri = IRI(graph)
        if not self.query(_GRAPH_EXISTS, {"graph": iri}).boolean:
            return None
        info: dict = {"content_hash": None, "pipeline_version": None, "sources": []}
        for row in self.query(_GRAPH_INFO, {"graph": iri}).rows:
            info["content_hash"] = info["content_hash"] or row.get("hash")
            info["pipeline_version"] = info["pipeline_version"] or row.get("version")
            if row.get("source") is not None and row["source"] not in info["sources"]:
                info["sources"].append(str(row["source"]))
        info["sources"].sort()
        if info["content_hash"] is not None:
            info["content_hash"] = str(info["content_hash"])
        if info["pipeline_version"] is not None:
            info["pipeline_version"] = str(info["pipeline_version"])
        return info

    def holds_documents(self) -> bool:
        """True when some document graph records a ``pkb:sourcePath`` (one look-up, any size)."""
        return self.query(_HOLDS_DOCUMENTS).boolean

    def graphs_for_source(self, source_path: str) -> list[str]:
        """The document graphs that record ``source_path`` as one of their ``pkb:sourcePath``s."""
        result = self.query(_GRAPHS_FOR_SOURCE, {"path": str(source_path)})
        return [str(g) for g in result.column("graph")]

    def triple_count(self, graph: str | None = None, *, include_vocabulary: bool = False) -> int:
        """Triples in ``graph``, or in every document graph when ``graph`` is None."""
        if graph is not None:
            rows = self.query(_COUNT, {"graph": IRI(graph)}).rows
            return int(rows[0]["n"]) if rows else 0
        return sum(self.triple_count(g) for g in self.graphs(include_vocabulary=include_vocabulary))

    def vocabulary_hash(self) -> str | None:
        """The hash stored with the loaded vocabulary (see :meth:`ensure_vocabulary`), if any."""
        rows = self.query(_VOCAB_HASH, {"graph": IRI(VOCABULARY_GRAPH)}).rows
        return str(rows[0]["hash"]) if rows else None

    def ensure_vocabulary(self, files: Sequence[Path] | None = None) -> bool:
        """Load the ontology into the vocabulary graph if it is missing or the files changed.

        ``files`` defaults to ``ontology.VOCAB_FILES``. Their hash
        (``ontology.files_digest``) is stored in the graph as ``<vocabulary graph> pkb:contentHash``; when
        it matches nothing is done. Returns True if the graph was (re)loaded. On a read-only store
        an out-of-date vocabulary raises :class:`StoreError` ``PKB-STORE-READONLY``.
        """
        paths = [Path(p) for p in (files if files is not None else VOCAB_FILES)]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise StoreError(f"vocabulary file(s) not found: {', '.join(missing)}",
                             code="PKB-STORE-VOCAB", hint="the ontology/*.ttl files ship with policykb; "
                             "reinstall it or regenerate them")
        digest = files_digest(paths)
        if self.vocabulary_hash() == digest:
            return False
        if self.read_only:
            raise StoreError("the vocabulary graph is missing or out of date and this store is open "
                             "read-only", path=self.location, code="PKB-STORE-READONLY",
                             hint="run `policykb ingest` once to update the store")
        self._replace_graph(VOCABULARY_GRAPH, _vocabulary_nquads(paths, digest))
        return True

    # -- context manager ------------------------------------------------------------------

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"<{type(self).__name__} {self.location} ({mode})>"


def _vocabulary_nquads(paths: Sequence[Path], digest: str) -> bytes:
    """The vocabulary graph as N-Quads: every Turtle file's triples plus the hash triple."""
    import pyoxigraph as ox  # here: `import kb.store` does not load a backend (kb/store/__init__.py)

    graph = ox.NamedNode(VOCABULARY_GRAPH)
    quads: list = []
    for path in paths:
        try:
            triples = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, rename_blank_nodes=True,
                               base_iri="https://w3id.org/policykb/ontology")
            quads.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
        except (SyntaxError, ValueError) as exc:
            raise StoreError(f"{path}: invalid Turtle: {exc}", code="PKB-STORE-VOCAB",
                             hint="fix the Turtle syntax of that file") from exc
    quads.append(ox.Quad(graph, ox.NamedNode(PKB + "contentHash"), ox.Literal(digest), graph))
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)


def check_export_format(fmt: str) -> str:
    """``fmt`` lower-cased if it is one of :data:`EXPORT_FORMATS`, else :class:`StoreError`."""
    normalized = fmt.lower().replace("-", "")
    aliases = {"ttl": "turtle", "nt": "ntriples", "nq": "nquads", "json": "jsonld"}
    normalized = aliases.get(normalized, normalized)
    if normalized not in EXPORT_FORMATS:
        raise StoreError(f"unknown export format {fmt!r}", code="PKB-STORE-FORMAT",
                         hint=f"use one of: {', '.join(EXPORT_FORMATS)}")
    return normalized


__all__ = [
    "BNode", "DocumentWrite", "EXPORT_FORMATS", "IRI", "LangString", "MANY", "PREFIXES", "QueryResult",
    "Store", "VOCABULARY_GRAPH", "bad_binding", "check_export_format",
    "literal_to_python", "normalize_bindings",
]
