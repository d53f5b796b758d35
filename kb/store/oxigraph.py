"""The embedded backend: an Oxigraph (RocksDB) store in a folder on disk.

Layout and locking
------------------
The store folder holds ``db/`` (the RocksDB database), ``snapshots/<n>/`` (read-only copies, see
below), ``writer.lock`` and ``current-snapshot`` (the newest snapshot's name). One process at a time
may write: a writer takes an exclusive, non-blocking ``flock`` on ``writer.lock`` before RocksDB
opens ``db/``; a second writer (another process, or another ``OxigraphStore`` in the same process)
gets :class:`StoreLockedError` ``PKB-STORE-LOCKED``. RocksDB's own ``db/LOCK`` refuses a second
read-write opener too (say an ``oxigraph serve`` on ``db/``); that refusal becomes the same error.

Readers and snapshots
---------------------
Readers never open the live database. pyoxigraph 0.5 offers only ``Store.read_only`` (no RocksDB
"secondary" mode any more), and opening the live ``db/`` read-only while a writer runs is, in its
own words, undefined behaviour. Measured here with a writer flushing after each commit: a reader
that opened meanwhile saw one document with the titles of two different commits, or failed on a
table file a compaction had just deleted; and without those flushes opening replays the whole
unflushed write-ahead log (1.6 s per 120k unflushed triples, 10 s for a 335 MB log).

So after every commit the writer takes a RocksDB checkpoint (``Store.backup``: flush, then hard
links to the immutable table files; 50–250 ms per commit, little extra disk)
into ``snapshots/<n>/`` and then points ``current-snapshot`` at it. A reader opens the newest
snapshot read-only (30–60 ms) and sees exactly the store as of one commit — every batch whole, never
part of one — until :meth:`OxigraphStore.refresh` moves it to a newer snapshot (it does nothing
when there is none). The writer keeps the newest :data:`KEEP_SNAPSHOTS` snapshots. A reader still on
a deleted one keeps working (RocksDB opened its table files when the reader opened, and deleting an
open file on POSIX keeps its data until it is closed); should a read fail anyway, the reader re-opens
the newest snapshot and runs the query again, transparently. A stress run (a writer replacing 8
documents per commit, 143 commits in 12 s with compactions; two readers refreshing and checking
after every query that all 8 documents were of one version) saw ~97 versions in 3100 queries each,
no mixed state and no error.

Atomic batches
--------------
``write_documents`` is one Oxigraph transaction per batch, by one of two routes:

* when nothing has to be removed (no target graph or ``drop_graphs`` graph holds data yet and no
  ``remove_triples`` quad is present) the parsed quads go in with ``Store.extend`` (one transaction;
  ~68k triples/s, as fast as ``Store.load`` of the same N-Quads);
* otherwise one SPARQL ``Store.update`` does ``DROP SILENT GRAPH …; DELETE DATA {…}; INSERT DATA {…}``
  (Oxigraph applies a whole update request as one transaction, and rolls all of it back if any
  operation fails: ~19k triples/s when it replaces existing graphs, ~35k/s when the drops find
  nothing; its SPARQL parsing costs twice ``load``'s N-Quads parsing). ``load``/``extend`` after a
  separate removal would be faster but is two transactions: a crash or a reader in between would
  see the document missing.

Figures: 20 documents, 60k triples, on disk, idle machine; the snapshot adds ~0.25 s to such a batch
and ~0.15 s to a one-document commit, so write documents in batches. The check that decides the
route cannot race: the writer lock keeps every other writer out. Every write is parsed (and its
quads checked to lie in their document graph) before the store is touched.

Time limits
-----------
``query(timeout=…)`` checks the clock between rows, so a query that streams rows stops on time,
but one that computes everything before its first row (``ORDER BY``, ``GROUP BY``, ``COUNT``, a huge
join) cannot be interrupted: pyoxigraph has no cancellation. For user-written queries use
:func:`run_query_with_timeout`, which evaluates in a child process that is killed at the deadline.
"""
from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import threading
import time
import warnings
from itertools import chain, count
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import pyoxigraph as ox

from kb import errors
from kb.errors import PolicyKBError, QueryError, StoreError, StoreLockedError
from kb.store.base import (PREFIXES, VOCABULARY_GRAPH, BNode, DocumentWrite, IRI, LangString, QueryResult,
                           Store, bad_binding, check_export_format, literal_to_python, normalize_bindings,
                           query_timeout_error, take_results)

try:  # POSIX advisory locks; elsewhere only RocksDB's own LOCK file guards the folder
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = "writer.lock"
DB_DIR = "db"
SNAPSHOT_DIR = "snapshots"
CURRENT_FILE = "current-snapshot"
KEEP_SNAPSHOTS = 2

MEMORY = ":memory:"
_OPENED = count()   # numbers the stores this process opens (see OxigraphStore.state_token)

_RDF_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}


class OxigraphStore(Store):
    """An Oxigraph store in ``path`` (``None`` or ``":memory:"``: in memory, for tests and tools).

    ``read_only=False`` creates the folder if needed and holds the writer lock until :meth:`close`;
    ``read_only=True`` needs an existing store and never blocks or is blocked by a writer.
    """

    def __init__(self, path: str | os.PathLike | None, read_only: bool = False) -> None:
        self.location = MEMORY if path in (None, MEMORY) else str(path)
        self.read_only = read_only
        self._lock_fd: int | None = None
        self._write_mutex = threading.Lock()
        self._generation: str | None = None
        self._unpublished, self._published_at = False, time.monotonic()
        self._instance, self._commits = next(_OPENED), 0
        if self.location == MEMORY:
            if read_only:
                raise StoreError("an in-memory store cannot be opened read-only", code="PKB-STORE-OPEN",
                                 hint="give the folder of an on-disk store")
            self._store: ox.Store | None = ox.Store()
        elif read_only:
            self._store = self._open_read_only()
        else:
            try:
                Path(self.location).mkdir(parents=True, exist_ok=True)
                self._lock_fd = _acquire_writer_lock(Path(self.location))
            except StoreLockedError:
                raise
            except OSError as exc:
                raise StoreError(f"cannot create or lock the store folder: {exc}", path=self.location,
                                 code="PKB-STORE-OPEN",
                                 hint="check that the path is a writable folder") from exc
            folder = Path(self.location)
            if (folder / "CURRENT").exists():
                _release_writer_lock(self._lock_fd)
                self._lock_fd = None
                raise _bare_database_error(folder)
            try:
                self._store = ox.Store(str(folder / DB_DIR))
            except (OSError, RuntimeError) as exc:
                _release_writer_lock(self._lock_fd)
                self._lock_fd = None
                if "lock" in str(exc).lower():
                    raise _locked_error(folder, rocksdb=True) from exc
                raise StoreError(f"cannot open the store: {exc}", path=self.location,
                                 code="PKB-STORE-OPEN",
                                 hint="check the folder's permissions and that it is a policykb "
                                      "store") from exc
            self._generation = _read_current(folder) or "0"
            try:
                self._snapshot()  # the database may have changed after the last snapshot (a crash)
            except StoreError:
                self.close()
                raise

    # ------------------------------------------------------------------ opening and closing

    @property
    def path(self) -> Path | None:
        """The store folder (None for an in-memory store)."""
        return None if self.location == MEMORY else Path(self.location)

    def _open_read_only(self) -> ox.Store:
        """Open the newest snapshot read-only, and remember which one it is."""
        folder = Path(self.location)
        last: Exception | None = None
        for attempt in range(6):  # the writer may prune the snapshot we are about to open: look again
            current = _read_current(folder)
            if current is None and (folder / "CURRENT").exists():
                raise _bare_database_error(folder)
            if current is None:
                raise StoreError("there is no store here yet", path=self.location, code="PKB-STORE-MISSING",
                                 hint="ingest documents first (policykb ingest), or set POLICYKB_STORE")
            try:
                store = ox.Store.read_only(str(folder / SNAPSHOT_DIR / current))
                self._generation = current
                return store
            except (OSError, RuntimeError) as exc:
                if not _storage_vanished(exc):
                    raise StoreError(f"cannot open the store read-only: {exc}", path=self.location,
                                     code="PKB-STORE-OPEN", hint="check that it is a policykb store") from exc
                last = exc
                time.sleep(0.02 * 2 ** attempt)
        raise StoreError(f"cannot open the store read-only: {last}", path=self.location,
                         code="PKB-STORE-OPEN", hint="try again; if it persists, check the folder") from last

    def refresh(self, force: bool = False) -> bool:
        """Move a read-only store to the newest snapshot if there is a newer one; True if it moved.

        A writing store always sees its own commits, so for it this does nothing.
        """
        if not self.read_only or self._store is None:
            return False
        if not force and _read_current(Path(self.location)) == self._generation:
            return False
        # open the new view first, then swap: queries running in other threads keep the old one
        self._store = self._open_read_only()
        return True

    def state_token(self) -> str:
        """A reader shows one immutable snapshot: its generation. A writer sees its own commits:
        which writer (per process) and how many commits it made."""
        if self.read_only:
            return f"r{self._generation}"
        return f"w{os.getpid()}.{self._instance}.{self._commits}"

    def _snapshot(self) -> None:
        """Checkpoint the database into ``snapshots/<n+1>/``, publish it, prune old snapshots."""
        folder = Path(self.location)
        name = f"{int(self._generation or 0) + 1:08d}"
        snapshots = folder / SNAPSHOT_DIR
        snapshots.mkdir(exist_ok=True)
        try:
            shutil.rmtree(snapshots / name, ignore_errors=True)  # left by a writer that crashed
            self._ox.backup(str(snapshots / name))
            _write_current(folder, name)
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"the batch was committed but the readers' snapshot failed: {exc}",
                             path=self.location, code="PKB-STORE-IO",
                             hint="readers keep the previous snapshot; check the disk space") from exc
        self._generation = name
        names = sorted((p.name for p in snapshots.iterdir() if p.name.isdigit()), reverse=True)
        keep = names[:KEEP_SNAPSHOTS]
        for old in snapshots.iterdir():
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)

    def close(self) -> None:
        if self._unpublished:
            try:
                self.publish()
            except StoreError:
                pass    # the data is committed; readers keep the previous snapshot
        self._store = None  # pyoxigraph closes RocksDB when the last reference goes
        if self._lock_fd is not None:
            _release_writer_lock(self._lock_fd)
            self._lock_fd = None

    @property
    def _ox(self) -> ox.Store:
        if self._store is None:
            raise StoreError("the store is closed", path=self.location, code="PKB-STORE-CLOSED",
                             hint="open it again with kb.store.open_store()")
        return self._store

    # ------------------------------------------------------------------ reading

    def query(self, sparql: str, bindings: Mapping[str, object] | None = None, *,
              timeout: float | None = None, limit: int | None = None,
              strict: bool = False) -> QueryResult:
        """See :meth:`Store.query`. ``timeout`` is checked between rows only (module docstring)."""
        substitutions = {ox.Variable(name): _to_term(name, value)
                         for name, value in normalize_bindings(bindings).items()}
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            return self._evaluate(sparql, substitutions, deadline, limit, strict, timeout)
        except _StorageVanished as exc:
            if not self.read_only:
                raise _io_error(self.location, exc.__cause__) from exc.__cause__
        self.refresh(force=True)  # our snapshot's files are gone: move to the newest one, try again
        try:
            return self._evaluate(sparql, substitutions, deadline, limit, strict, timeout)
        except _StorageVanished as exc:
            raise _io_error(self.location, exc.__cause__) from exc.__cause__

    def _evaluate(self, sparql: str, substitutions: dict, deadline: float | None, limit: int | None,
                  strict: bool, timeout: float | None) -> QueryResult:
        try:
            result = self._ox.query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES,
                                    substitutions=substitutions or None)
            if isinstance(result, ox.QueryBoolean):
                return QueryResult([], [], boolean=bool(result))
            if isinstance(result, ox.QuerySolutions):
                variables = [v.value for v in result.variables]
                items, truncated = take_results(result, limit, strict, deadline, timeout)
                rows = [{name: term_to_python(solution[name]) for name in variables} for solution in items]
                return QueryResult(variables, rows, truncated=truncated)
            triples, truncated = take_results(result, limit, strict, deadline, timeout)
            rows = [{"subject": term_to_python(t.subject), "predicate": term_to_python(t.predicate),
                     "object": term_to_python(t.object)} for t in triples]
            text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()
            return QueryResult(["subject", "predicate", "object"], rows, ntriples=text,
                               truncated=truncated)
        except SyntaxError as exc:
            raise QueryError(f"invalid SPARQL: {exc}", code="PKB-QUERY-SYNTAX",
                             hint="check the query against the SPARQL 1.1 grammar") from exc
        except (OSError, RuntimeError) as exc:
            if isinstance(exc, OSError) or _storage_vanished(exc):
                raise _StorageVanished() from exc
            message = str(exc)
            if "SELECT projection" in message:
                raise QueryError(f"cannot bind a variable the query does not return: {message}",
                                 code="PKB-QUERY-PARAM",
                                 hint="list every bound variable in the SELECT clause") from exc
            raise QueryError(f"the query failed: {message}", code="PKB-QUERY-EVAL") from exc

    def graphs(self, *, include_vocabulary: bool = False) -> list[str]:
        names = (g.value for g in self._ox.named_graphs() if isinstance(g, ox.NamedNode))
        return sorted(g for g in names if (include_vocabulary or g != VOCABULARY_GRAPH)
                      and self._has_quads(g))

    def _has_quads(self, graph: str) -> bool:
        return next(iter(self._ox.quads_for_pattern(None, None, None, ox.NamedNode(graph))), None) is not None

    def export(self, fmt: str, graph: str | None = None, *, include_vocabulary: bool = False) -> bytes:
        """See :meth:`Store.export`. ``jsonld`` goes through rdflib, compacted with :data:`PREFIXES`."""
        fmt = check_export_format(fmt)
        if graph is not None:
            if not self._has_quads(_named_node(graph, allow_vocabulary=True)):
                raise StoreError(f"there is no graph {graph}", path=self.location,
                                 code="PKB-STORE-NOGRAPH", hint="list the graphs with `policykb list`")
            graphs = [graph]
        else:
            graphs = self.graphs(include_vocabulary=include_vocabulary)
        quads = chain.from_iterable(self._ox.quads_for_pattern(None, None, None, ox.NamedNode(g))
                                    for g in graphs)
        if fmt in ("nquads", "trig"):
            prefixes = PREFIXES if fmt == "trig" else None
            return ox.serialize(quads, format=_RDF_FORMATS[fmt], prefixes=prefixes)
        if fmt in ("turtle", "ntriples"):
            triples = list(dict.fromkeys(q.triple for q in quads))  # merged: each triple once
            prefixes = PREFIXES if fmt == "turtle" else None
            return ox.serialize(triples, format=_RDF_FORMATS[fmt], prefixes=prefixes)
        import rdflib

        with warnings.catch_warnings():  # rdflib 7's JSON-LD plugin calls its own deprecated APIs
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset = rdflib.Dataset()
            dataset.parse(data=ox.serialize(quads, format=ox.RdfFormat.N_QUADS), format="nquads")
            return dataset.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True,
                                     encoding="utf-8")

    def triple_count(self, graph: str | None = None, *, include_vocabulary: bool = False) -> int:
        """Quads in ``graph``, or in every document graph (a triple held by two graphs counts twice)."""
        if graph is not None:
            return super().triple_count(graph)
        total = len(self._ox)  # includes the default graph, which policykb never writes
        if not include_vocabulary:
            total -= super().triple_count(VOCABULARY_GRAPH)
        return total - sum(1 for _ in self._ox.quads_for_pattern(None, None, None, ox.DefaultGraph()))

    # ------------------------------------------------------------------ writing

    def write_documents(self, writes: Sequence[DocumentWrite]) -> None:
        """See :meth:`Store.write_documents` and "Atomic batches" in the module docstring."""
        batch = _Batch.parse(writes)
        self._commit(batch)

    def _replace_graph(self, graph: str, nquads: bytes) -> None:
        self._commit(_Batch.parse([DocumentWrite(graph, nquads)], allow_vocabulary=True))

    def _commit(self, batch: "_Batch") -> None:
        if self.read_only:
            raise StoreError("this store is open read-only", path=self.location,
                             code="PKB-STORE-READONLY", hint="open it with read_only=False to write")
        if batch.empty:
            return
        with self._write_mutex:
            store = self._ox
            try:
                if batch.needs_removal(store):
                    store.update(batch.update_text())
                else:
                    store.extend(batch.quads)
            except (OSError, RuntimeError, SyntaxError) as exc:
                raise StoreError(f"the write failed and was rolled back: {exc}", path=self.location,
                                 code="PKB-STORE-WRITE", hint="nothing of this batch was written") from exc
            self._commits += 1
            if self.path is not None:
                # readers see each commit at once, or — while a long ingest writes, see
                # Store.publish_interval — at most every publish_interval seconds (a checkpoint
                # costs ~0.2 s), and always once the writer closes
                self._unpublished = True
                if time.monotonic() - self._published_at >= self.publish_interval:
                    self.publish()

    def publish(self) -> None:
        """Make every committed write visible to readers now: a new snapshot."""
        if self._unpublished and self._store is not None and not self.read_only:
            self._snapshot()
            self._unpublished = False
        self._published_at = time.monotonic()


# ---------------------------------------------------------------------- batches


class _Batch:
    """A checked batch of writes: parsed quads plus what must be removed first."""

    def __init__(self) -> None:
        self.graphs: list[str] = []           # target graphs, in order
        self.quads: list[ox.Quad] = []
        self.by_graph: dict[str, list[ox.Quad]] = {}
        self.drops: dict[str, None] = {}      # every graph to empty first (targets included)
        self.removals: list[ox.Quad] = []

    @property
    def empty(self) -> bool:
        return not (self.quads or self.drops or self.removals)

    @classmethod
    def parse(cls, writes: Iterable[DocumentWrite], allow_vocabulary: bool = False) -> "_Batch":
        batch = cls()
        for write in writes:
            if not isinstance(write, DocumentWrite):
                raise StoreError(f"expected a DocumentWrite, got {type(write).__name__}",
                                 code="PKB-STORE-WRITE", hint="build writes with kb.store.DocumentWrite")
            graph = _named_node(write.graph, allow_vocabulary=allow_vocabulary)
            if graph in batch.by_graph:
                raise StoreError(f"graph {graph} appears twice in one batch", code="PKB-STORE-WRITE",
                                 hint="give each document one DocumentWrite")
            node = ox.NamedNode(graph)
            try:
                quads = list(ox.parse(write.nquads, format=ox.RdfFormat.N_QUADS, rename_blank_nodes=True))
            except (SyntaxError, ValueError) as exc:
                raise StoreError(f"invalid N-Quads for {graph}: {exc}", code="PKB-STORE-NQUADS",
                                 hint="nothing of this batch was written; fix the RDF writer") from exc
            except MemoryError as exc:    # a literal over 16 MiB: the parser refuses it
                raise StoreError(f"the document {graph} holds a value too large for the store",
                                 code="PKB-STORE-NQUADS",
                                 hint="split the document into smaller files") from exc
            stray = next((q for q in quads if q.graph_name != node), None)
            if stray is not None:
                raise StoreError(f"a quad of {graph} names another graph: {stray}",
                                 code="PKB-STORE-NQUADS",
                                 hint="every quad of a document must be in its graph")
            batch.graphs.append(graph)
            batch.by_graph[graph] = quads
            batch.quads.extend(quads)
            batch.drops[graph] = None
            for other in write.drop_graphs:
                batch.drops[_named_node(other)] = None
            batch.removals.extend(_removal_quad(t) for t in write.remove_triples)
        return batch

    def needs_removal(self, store: ox.Store) -> bool:
        """True if anything must go before the new quads can be inserted."""
        return (any(next(iter(store.quads_for_pattern(None, None, None, ox.NamedNode(g))), None)
                    is not None for g in self.drops)
                or any(q in store for q in self.removals))

    def update_text(self) -> str:
        """One SPARQL update doing all of the batch; every term comes from a parsed, valid term."""
        operations = [f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in self.drops]
        if self.removals:
            body = "\n".join(f"GRAPH {q.graph_name} {{ {q.triple} }}" for q in self.removals)
            operations.append(f"DELETE DATA {{\n{body}\n}}")
        blocks = [f"GRAPH {ox.NamedNode(g)} {{\n"
                  + ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES).decode() + "}"
                  for g, quads in self.by_graph.items() if quads]
        if blocks:
            operations.append("INSERT DATA {\n" + "\n".join(blocks) + "\n}")
        return " ;\n".join(operations)


def _named_node(iri: str, *, allow_vocabulary: bool = False) -> str:
    """``iri`` if it is a valid absolute IRI (and not the vocabulary graph), else StoreError."""
    try:
        ox.NamedNode(iri)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"{iri!r} is not a valid graph IRI: {exc}", code="PKB-STORE-WRITE",
                         hint="graph names come from ingest.rdf_writer") from exc
    if iri == VOCABULARY_GRAPH and not allow_vocabulary:
        raise StoreError("documents cannot write the vocabulary graph", code="PKB-STORE-WRITE",
                         hint="the store loads it itself: Store.ensure_vocabulary()")
    return iri


def _removal_quad(terms: tuple[str, str, str, str]) -> ox.Quad:
    """Parse one ``(s, p, o, g)`` of N-Triples terms into exactly one quad without blank nodes."""
    hint = ("give (subject, predicate, object, graph) in N-Triples syntax, "
            "e.g. ('<iri>', '<iri>', '\"text\"@zh', '<graph>')")
    if not (isinstance(terms, (tuple, list)) and len(terms) == 4 and all(isinstance(t, str) for t in terms)):
        raise StoreError(f"remove_triples entry {terms!r} is not four strings", code="PKB-STORE-TRIPLE",
                         hint=hint)
    try:
        quads = list(ox.parse(" ".join(terms) + " .\n", format=ox.RdfFormat.N_QUADS))
    except (SyntaxError, ValueError) as exc:
        raise StoreError(f"remove_triples entry {terms!r} is not valid: {exc}", code="PKB-STORE-TRIPLE",
                         hint=hint) from exc
    if len(quads) != 1 or not isinstance(quads[0].graph_name, ox.NamedNode):
        raise StoreError(f"remove_triples entry {terms!r} is not one quad in a named graph",
                         code="PKB-STORE-TRIPLE", hint=hint)
    quad = quads[0]
    _named_node(quad.graph_name.value)  # not the vocabulary graph
    if any(isinstance(t, ox.BlankNode) for t in (quad.subject, quad.object)):
        raise StoreError(f"remove_triples entry {terms!r} has a blank node", code="PKB-STORE-TRIPLE",
                         hint="blank nodes cannot be named across transactions; drop the graph instead")
    return quad


# ---------------------------------------------------------------------- terms


def _to_term(name: str, value: object):
    """A binding value as a pyoxigraph term (see ``normalize_bindings`` for what is accepted)."""
    if isinstance(value, (ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple)):
        return value
    if isinstance(value, IRI):
        try:
            return ox.NamedNode(value)
        except ValueError as exc:
            raise QueryError(f"?{name}: {value!r} is not a valid IRI: {exc}", code="PKB-QUERY-BIND",
                             hint="IRIs are absolute, e.g. https://w3id.org/policykb/id/doc/…") from exc
    if isinstance(value, BNode):
        return ox.BlankNode(value)
    if isinstance(value, LangString):
        return ox.Literal(str(value), language=value.language)
    if isinstance(value, (bool, int, float, str)):
        return ox.Literal(value)
    raise bad_binding(name, value)


def term_to_python(term: object) -> object:
    """A pyoxigraph term as the Python value of :class:`kb.store.base.QueryResult`."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return IRI(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        return literal_to_python(term.value, term.datatype.value, term.language)
    return str(term)  # an RDF 1.2 triple term


class _StorageVanished(Exception):
    """Internal: RocksDB could not read a file (its cause); a reader re-opens and retries."""


def _storage_vanished(exc: BaseException) -> bool:
    """True for RocksDB's "a table file is gone / unreadable" errors (OSError or RuntimeError)."""
    if isinstance(exc, FileNotFoundError):
        return True
    message = str(exc)
    return "No such file" in message or "IO error" in message or "Corruption" in message


def _bare_database_error(folder: Path) -> StoreError:
    return StoreError("this folder is a bare Oxigraph database, not a policykb store (database in db/, "
                      "snapshots for readers)", path=str(folder), code="PKB-STORE-OPEN",
                      hint=f"ingest into a new folder, or move the database files into {folder / DB_DIR}")


def _io_error(location: str, exc: BaseException | None) -> StoreError:
    return StoreError(f"reading the store failed: {exc}", path=location, code="PKB-STORE-IO",
                      hint="re-open the store; if it persists, check the disk")


# ---------------------------------------------------------------------- lock and generation files


def _locked_error(folder: Path, *, rocksdb: bool = False) -> StoreLockedError:
    """The error for a store another writer holds: by our lock file, or (``rocksdb``) by RocksDB's."""
    hint = "readers can open it meanwhile with open_store(read_only=True)"
    if rocksdb:
        return StoreLockedError(f"another process is writing to {folder}; wait for it to finish",
                                path=str(folder), hint="it holds RocksDB's LOCK without policykb's writer "
                                "lock: an Oxigraph server or a store opened directly with pyoxigraph?")
    try:
        pid = (folder / LOCK_FILE).read_text().strip()
    except OSError:
        pid = ""
    if pid == str(os.getpid()):
        return StoreLockedError(f"this process already has {folder} open for writing",
                                path=str(folder), hint="use that store object, or close it first")
    holder = f" (pid {pid})" if pid.isdigit() else ""
    return StoreLockedError(f"another policykb process{holder} is writing to {folder}; wait for it to finish",
                            path=str(folder), hint=hint)


def _acquire_writer_lock(folder: Path) -> int | None:
    if fcntl is None:  # pragma: no cover
        return None
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise _locked_error(folder) from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    _HELD_LOCKS.add(fd)
    return fd


#: lock files this process holds: a forked child (an extraction worker) closes its copies, so a
#: worker that outlives a killed ingest never keeps the store locked
_HELD_LOCKS: set[int] = set()


def _close_inherited_locks() -> None:
    for fd in list(_HELD_LOCKS):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited_locks)


def _release_writer_lock(fd: int | None) -> None:
    if fd is None or fcntl is None:
        return
    _HELD_LOCKS.discard(fd)
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _read_current(folder: Path) -> str | None:
    """The name of the newest snapshot, or None when the writer has not made one yet."""
    try:
        return (folder / CURRENT_FILE).read_text().strip() or None
    except OSError:
        return None


def _write_current(folder: Path, name: str) -> None:
    tmp = folder / f"{CURRENT_FILE}.tmp"
    tmp.write_text(name + "\n")
    os.replace(tmp, folder / CURRENT_FILE)  # atomic: readers never see a half-written name


# ---------------------------------------------------------------------- queries in a child process

_CHILD = "import sys; from kb.store.oxigraph import _child_main; _child_main()"


def run_query_with_timeout(path: str | os.PathLike, sparql: str,
                           bindings: Mapping[str, object] | None = None, *, timeout: float,
                           limit: int | None = None, strict: bool = False) -> QueryResult:
    """Evaluate a query in a child process on a read-only view of the store at ``path``.

    The child is killed if it has not answered ``timeout`` seconds after it was started (the time
    includes its start-up, about 0.2 s), and :class:`QueryError` ``PKB-QUERY-TIMEOUT`` is raised.
    Meant for user-written queries, which may be arbitrarily expensive; check them with
    :func:`kb.store.readonly.check_read_only` first. The child is a fresh interpreter
    (``python -c …``, not ``fork``: forking a process that runs RocksDB threads is unsafe, and
    ``multiprocessing``'s spawn would re-import the caller's ``__main__``).
    """
    bindings = normalize_bindings(bindings)  # fail fast, before starting a process
    for name, value in bindings.items():
        _to_term(name, value)
    request = pickle.dumps({"path": str(path), "sparql": sparql, "bindings": bindings,
                            "limit": limit, "strict": strict})
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    child = subprocess.Popen([sys.executable, "-c", _CHILD], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        out, err = child.communicate(request, timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise query_timeout_error(timeout) from None
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    try:
        status, payload = pickle.loads(out)
    except Exception:
        tail = err.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise StoreError(f"the query process failed (exit code {child.returncode}): {tail[0]}",
                         path=str(path), code="PKB-STORE-IO",
                         hint="try again; the query may need too much memory") from None
    if status == "ok":
        return payload
    name, fields = payload
    cls = getattr(errors, name, StoreError)
    if not (isinstance(cls, type) and issubclass(cls, PolicyKBError)):
        cls = StoreError
    raise cls(fields["message"], hint=fields.get("hint"), path=fields.get("path"), code=fields.get("code"))


def _child_main() -> None:
    """The child side of :func:`run_query_with_timeout`: request on stdin, pickled answer on stdout."""
    request = pickle.loads(sys.stdin.buffer.read())
    try:
        store = OxigraphStore(request["path"], read_only=True)
        try:
            answer: tuple = ("ok", store.query(request["sparql"], request["bindings"],
                                               limit=request["limit"], strict=request["strict"]))
        finally:
            store.close()
    except PolicyKBError as exc:
        answer = ("error", (type(exc).__name__, exc.to_dict()))
    except Exception as exc:  # report anything else instead of dying silently
        answer = ("error", ("StoreError", {"message": f"{type(exc).__name__}: {exc}", "hint": None,
                                           "path": request["path"], "code": "PKB-STORE-000"}))
    sys.stdout.buffer.write(pickle.dumps(answer))
    sys.stdout.buffer.flush()
