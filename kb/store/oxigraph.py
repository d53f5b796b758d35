"""The embedded backend: :class:`OxigraphStore`, an Oxigraph (RocksDB) store in a folder on disk (or
in memory). One writer at a time holds the folder's lock (:mod:`kb.store.locks`); readers see the
snapshot of one commit (:mod:`kb.store.snapshots`); each batch is one transaction
(:mod:`kb.store.batches`). The design and its measurements: "The embedded store" in
docs/architecture.md; queries with a hard time limit: :mod:`kb.store.timed_query`.
"""
from __future__ import annotations

import os
import threading
import time
import warnings
from itertools import chain, count
from pathlib import Path
from typing import Mapping, Sequence

import pyoxigraph as ox

from kb.errors import QueryError, StoreError, StoreLockedError
from kb.store.base import (MANY, PREFIXES, VOCABULARY_GRAPH, DocumentWrite, QueryResult, Store, check_export_format,
                           normalize_bindings, take_results)
from kb.store.batches import WriteBatch, check_graph_iri
from kb.store.bulk_writes import bulk_write, loadable, recover
from kb.store.locks import acquire_writer_lock, locked_error, release_writer_lock
from kb.store.snapshots import (DB_DIR, SNAPSHOT_DIR, bare_database_error, open_newest_snapshot, prune_snapshots,
                                publish_snapshot, read_current, storage_vanished)
from kb.store import solution_order
from kb.store.sparql_terms import bound_terms
from kb.store.sparql_text import prepare_query
from kb.store.terms import solution_rows, term_to_python, to_term

MEMORY = ":memory:"
_OPENED = count()   # numbers the stores this process opens (see OxigraphStore.state_token)
_ENGINE_SORTED_MAX = 256   # query texts remembered as sorted by the engine, per store

_RDF_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}


class OxigraphStore(Store):
    """An Oxigraph store in ``path`` (``None`` or ``":memory:"``: in memory, for tests and tools).
    A binding may be a tuple of values (``binds_many``), as on the server backend.

    ``read_only=False`` creates the folder if needed and holds the writer lock until :meth:`close`;
    ``read_only=True`` needs an existing store and never blocks or is blocked by a writer.
    """

    binds_many = True
    #: each batch of new documents is one bulk load, which hands RocksDB table files spanning the
    #: whole key range: every few loads it merges them into everything loaded before, so the
    #: merging grows with the number of batches times the store's size — few, large batches
    #: (docs/architecture.md, "Bulk loads")
    batch_limits = (1000, 32 * 2**20, 30.0)

    def __init__(self, path: str | os.PathLike | None, read_only: bool = False) -> None:
        self.location = MEMORY if path in (None, MEMORY) else str(path)
        self.read_only = read_only
        self._lock_fd: int | None = None
        self._write_mutex = threading.Lock()
        self._generation: str | None = None
        self._unpublished, self._published_at = False, time.monotonic()
        self._instance, self._commits = next(_OPENED), 0
        # queries whose ORDER BY keys Python could not order: the engine sorts them from then on
        self._engine_sorted: set[str] = set()
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
                self._lock_fd = acquire_writer_lock(Path(self.location))
            except StoreLockedError:
                raise
            except OSError as exc:
                raise StoreError(f"cannot create or lock the store folder: {exc}", path=self.location,
                                 code="PKB-STORE-OPEN",
                                 hint="check that the path is a writable folder") from exc
            folder = Path(self.location)
            if (folder / "CURRENT").exists():
                release_writer_lock(self._lock_fd)
                self._lock_fd = None
                raise bare_database_error(folder)
            try:
                self._store = ox.Store(str(folder / DB_DIR))
            except (OSError, RuntimeError) as exc:
                release_writer_lock(self._lock_fd)
                self._lock_fd = None
                if "lock" in str(exc).lower():
                    raise locked_error(folder, rocksdb=True) from exc
                raise StoreError(f"cannot open the store: {exc}", path=self.location,
                                 code="PKB-STORE-OPEN",
                                 hint="check the folder's permissions and that it is a policykb "
                                      "store") from exc
            self._generation = read_current(folder) or "0"
            try:
                recover(self._store, folder)   # a bulk write a crash interrupted: undone first
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
        store, self._generation = open_newest_snapshot(self.location)
        return store

    def refresh(self, force: bool = False) -> bool:
        """Move a read-only store to the newest snapshot if there is a newer one; True if it moved.

        A writing store always sees its own commits, so for it this does nothing.
        """
        if not self.read_only or self._store is None:
            return False
        if not force and read_current(Path(self.location)) == self._generation:
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

    def durable_view(self) -> tuple[Path, str] | None:
        """A reader's view is its snapshot: named by its generation and when it was made."""
        if not self.read_only or self._generation is None or self.path is None:
            return None
        try:
            made = (self.path / SNAPSHOT_DIR / self._generation).stat().st_mtime_ns
        except OSError:
            return None
        return self.path / "cache", f"{self._generation}-{made}"

    def _snapshot(self) -> None:
        """Checkpoint the database into ``snapshots/<n+1>/``, publish it, prune old snapshots."""
        self._generation = publish_snapshot(self._ox, self.location, self._generation)
        prune_snapshots(self.location)

    def close(self) -> None:
        if self._unpublished:
            try:
                self.publish()
            except StoreError:
                pass    # the data is committed; readers keep the previous snapshot
        self._store = None  # pyoxigraph closes RocksDB when the last reference goes
        if self._lock_fd is not None:
            release_writer_lock(self._lock_fd)
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
        """See :meth:`Store.query`. ``timeout`` is checked between rows only (docs/architecture.md).
        A binding of several values (a tuple, list or set) is a ``VALUES`` block in the query's text,
        placed as the server backend places it (:func:`kb.store.sparql_text.prepare_query`)."""
        bound = normalize_bindings(bindings)
        many = {name: bound_terms(name, value) for name, value in bound.items() if isinstance(value, MANY)}
        # a final ORDER BY of plain variables is applied in Python (kb.store.solution_order);
        # with a row limit the engine keeps it, so that the first rows are the right ones
        sparql_text = sparql
        order = None if limit is not None or sparql in self._engine_sorted else solution_order.split(sparql)
        if many:
            sparql = prepare_query(sparql, many)
            order = order and (prepare_query(order[0], many), order[1])
        substitutions = {ox.Variable(name): to_term(name, value)
                         for name, value in bound.items() if name not in many}
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            return self._evaluate(sparql, substitutions, deadline, limit, strict, timeout, order,
                                  sparql_text)
        except _StorageVanished as exc:
            if not self.read_only:
                raise _io_error(self.location, exc.__cause__) from exc.__cause__
        self.refresh(force=True)  # our snapshot's files are gone: move to the newest one, try again
        try:
            return self._evaluate(sparql, substitutions, deadline, limit, strict, timeout, order,
                                  sparql_text)
        except _StorageVanished as exc:
            raise _io_error(self.location, exc.__cause__) from exc.__cause__

    def _evaluate(self, sparql: str, substitutions: dict, deadline: float | None, limit: int | None,
                  strict: bool, timeout: float | None,
                  order: tuple[str, solution_order.Keys] | None, sparql_text: str) -> QueryResult:
        try:
            if order is not None:       # the query without its ORDER BY, sorted here if it can be
                result = self._ox.query(order[0], use_default_graph_as_union=True, prefixes=PREFIXES,
                                        substitutions=substitutions or None)
                variables = [v.value for v in result.variables]
                items, _ = take_results(result, None, strict, deadline, timeout)
                items = solution_order.sort(variables, items, order[1])
                if items is not None:
                    return QueryResult(variables, solution_rows(variables, items))
                # evaluated twice this once; the same query text goes straight to the engine's sort
                if len(self._engine_sorted) >= _ENGINE_SORTED_MAX:
                    self._engine_sorted.clear()
                self._engine_sorted.add(sparql_text)
            result = self._ox.query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES,
                                    substitutions=substitutions or None)
            if isinstance(result, ox.QueryBoolean):
                return QueryResult([], [], boolean=bool(result))
            if isinstance(result, ox.QuerySolutions):
                variables = [v.value for v in result.variables]
                items, truncated = take_results(result, limit, strict, deadline, timeout)
                rows = solution_rows(variables, items)
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
            if isinstance(exc, OSError) or storage_vanished(exc):
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
            if not self._has_quads(check_graph_iri(graph, allow_vocabulary=True)):
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
        import rdflib  # here, not at the top: ~0.6 s to import, and only JSON-LD needs it

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
        """See :meth:`Store.write_documents` and "Atomic batches" in docs/architecture.md. A batch of
        new documents on disk goes through the bulk loader (:mod:`kb.store.bulk_writes`), any
        other batch through one transaction."""
        if self.path is not None and not self.read_only:
            with self._write_mutex:
                if loadable(writes, self._ox):
                    bulk_write(self._ox, self.path, writes)
                    self._committed()
                    return
        batch = WriteBatch.parse(writes)
        self._commit(batch)

    def _replace_graph(self, graph: str, nquads: bytes) -> None:
        self._commit(WriteBatch.parse([DocumentWrite(graph, nquads)], allow_vocabulary=True))

    def _commit(self, batch: "WriteBatch") -> None:
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
            self._committed()

    def _committed(self) -> None:
        """Count a commit and publish it: readers see each commit at once, or — while a long ingest
        writes, see Store.publish_interval — at most every publish_interval seconds (a checkpoint
        costs ~0.2 s), and always once the writer closes."""
        self._commits += 1
        if self.path is not None:
            self._unpublished = True
            if time.monotonic() - self._published_at >= self.publish_interval:
                self.publish()

    def compact(self) -> None:
        """Flush the write-ahead log into table files, compact them, and reopen the database so
        RocksDB drops the logs it no longer needs (1,000 benchmark documents: 637 MiB + 360 MiB of
        snapshots → 360 MiB in all, ~10 s); readers see the result with the next snapshot, which
        replaces the older ones."""
        if self.read_only or self._store is None or self.path is None:
            return
        with self._write_mutex:
            try:
                self._ox.flush()
                self._ox.optimize()
                self._store = None                      # the last reference: RocksDB closes
                self._store = ox.Store(str(self.path / DB_DIR))
            except (OSError, RuntimeError) as exc:
                raise StoreError(f"compacting the store failed: {exc}", path=self.location,
                                 code="PKB-STORE-WRITE", hint="the data is intact; compaction can be retried") from exc
        # publish the compact files and drop the older snapshots, which pin the files compaction
        # replaced (a reader still on one re-opens the newest when its files vanish)
        self._snapshot()
        prune_snapshots(self.location, keep_newest=1)
        self._unpublished = False

    def publish(self) -> None:
        """Make every committed write visible to readers now: a new snapshot."""
        if self._unpublished and self._store is not None and not self.read_only:
            self._snapshot()
            self._unpublished = False
        self._published_at = time.monotonic()


class _StorageVanished(Exception):
    """Internal: RocksDB could not read a file (its cause); a reader re-opens and retries."""


def _io_error(location: str, exc: BaseException | None) -> StoreError:
    return StoreError(f"reading the store failed: {exc}", path=location, code="PKB-STORE-IO",
                      hint="re-open the store; if it persists, check the disk")


__all__ = ["MEMORY", "OxigraphStore"]
