"""Ingest orchestration: files → extraction workers → one store writer.

Plans each file as a worker is about to need it (read, normalize, skip what the store holds),
extracts in worker processes or on a Dask cluster (:mod:`ingest.distributed`), and commits whole
documents through one writer; a file that fails is reported and the others go on. The rules:
docs/pipeline.md.
"""
from __future__ import annotations

import os
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from kb.errors import PolicyKBError, ReadError, StoreError
from ingest.identity import PIPELINE_VERSION, content_hash, document_iri, string_literal
from ingest.worker import extract, init_worker, worker_context, worker_server
from kb.store.base import DocumentWrite, Store

if TYPE_CHECKING:
    from ingest.normalize import NormalizedText
    from ingest.reader import SourceText

#: an ingest compacts the store when it wrote at least this many documents and this share of the
#: store's documents: compaction rewrites the whole store (~10 s per 1,000 documents), so a small
#: addition to a large store does not pay for it
COMPACT_AFTER = 200
COMPACT_SHARE = 0.25

#: documents queued per extraction worker. The writer's flush (a bulk load of up to a thousand
#: documents, a second or more) blocks the loop that hands out documents, so each worker needs
#: work queued or it idles through every flush. A queued document holds its text, a finished one
#: its N-Quads until the flush is over: more costs memory (benchmarks/README.md, thirteenth pass).
IN_FLIGHT_PER_WORKER = 64
#: the longest an ingest's first batches wait for more documents (later ones wait longer)
FIRST_BATCH_SECONDS = 2.0
#: Errors about the store itself, not about a document: nothing more can be written, so the ingest
#: stops with the error (a rerun resumes: documents already stored are skipped).
STORE_FAILURES = frozenset({"PKB-STORE-SERVER", "PKB-STORE-AUTH", "PKB-STORE-CLOSED", "PKB-STORE-READONLY",
                            "PKB-STORE-CONFIG"})


@dataclass
class FileResult:
    path: str
    status: str                   # added | replaced | unchanged | renamed | error
    graph: str | None = None
    triples: int = 0
    counts: dict = field(default_factory=dict)
    error: PolicyKBError | None = None
    seconds: float = 0.0


@dataclass
class Summary:
    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    bytes_read: int = 0

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def errors(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "error"]

    @property
    def facts(self) -> int:
        return sum(sum(r.counts.values()) for r in self.results)


# --------------------------------------------------------------------------- discovery

def discover(paths: Iterable[str | os.PathLike]) -> Iterator[str]:
    """Every supported file under ``paths`` (folders recursively, sorted; symlinked files followed,
    symlinked folders entered once; hidden files skipped). A path that does not exist is yielded
    as is, so reading it reports the error."""
    from ingest.reader import SUPPORTED_SUFFIXES

    seen_dirs: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path, followlinks=True):
                real = os.path.realpath(root)
                if real in seen_dirs:
                    dirs[:] = []
                    continue
                seen_dirs.add(real)
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith(".") and Path(name).suffix.lower() in SUPPORTED_SUFFIXES:
                        yield str(Path(root) / name)
        else:
            yield str(path)


# --------------------------------------------------------------------------- main side

@dataclass
class _Plan:
    path: str
    graph: str
    sources: list[str]
    drop: tuple[str, ...]
    remove: tuple[tuple[str, str, str, str], ...]
    status: str
    #: the file as planning read and normalized it, handed to the worker so it does neither again
    source: SourceText | None = None
    normalized: NormalizedText | None = None


def plan(store: Store, path: str, version: str, *, stored: bool = True) -> _Plan | FileResult:
    """Decide what ingesting ``path`` means for the store (without extracting anything);
    ``stored=False``: the store held no document when the ingest began, so nothing is looked up."""
    from ingest.normalize import normalize
    from ontology.vocab import PKB

    source = Path(path)
    try:
        from ingest.reader import read_document

        read = read_document(source)
    except PolicyKBError as exc:
        return FileResult(path, "error", error=exc)
    normalized = normalize(read.text)
    graph = document_iri(content_hash(normalized.text))
    info = store.graph_info(graph) if stored else None
    sources = list(info["sources"]) if info else []
    if info and info.get("pipeline_version") == version and path in sources:
        return FileResult(path, "unchanged", graph=graph)
    drop, remove = [], []
    for old in store.graphs_for_source(path) if stored else ():
        if old == graph:
            continue
        old_sources = (store.graph_info(old) or {}).get("sources", [])
        if set(old_sources) <= {path}:
            drop.append(old)
        else:
            remove.append((f"<{old}>", f"<{PKB.sourcePath}>", string_literal(path), f"<{old}>"))
    status = "renamed" if info and path not in sources else ("replaced" if drop or remove else "added")
    if info and info.get("pipeline_version") != version:
        status = "replaced"
    all_sources = sorted(set(sources) | {path})
    return _Plan(path, graph, all_sources, tuple(drop), tuple(remove), status, read, normalized)


class _Writer:
    """Commits whole documents in batches (one write each, all or nothing) within the store's
    limits (:attr:`kb.store.base.Store.batch_limits`). A batch may last a tenth of the ingest so
    far, from 2 s up to the store's limit: a short ingest shows its documents soon, a long one
    writes in large batches."""

    def __init__(self, store: Store, summary: Summary, on_result: Callable[[FileResult], None]):
        self.store, self.summary, self.on_result = store, summary, on_result
        self.pending: list[tuple[DocumentWrite, FileResult]] = []
        self.size = 0
        self.started = self.since = time.monotonic()
        from kb import settings

        documents, self.batch_bytes, self.batch_seconds = store.batch_limits
        self.batch_documents = settings.get("batch_documents") or documents

    def add(self, write: DocumentWrite, result: FileResult) -> None:
        self.pending.append((write, result))
        self.size += len(write.nquads)
        now = time.monotonic()
        seconds = min(self.batch_seconds, max(FIRST_BATCH_SECONDS, (now - self.started) / 10))
        if len(self.pending) >= self.batch_documents or self.size >= self.batch_bytes \
                or now - self.since >= seconds:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending, self.size = self.pending, [], 0
        self.since = time.monotonic()
        try:
            self.store.write_documents([w for w, _ in batch])
        except StoreError as exc:
            if len(batch) == 1 or exc.code in STORE_FAILURES:
                raise
            # one document the store refuses must not cost the others: write them one by one
            for write, result in batch:
                try:
                    self.store.write_documents([write])
                except StoreError as exc:
                    if exc.code in STORE_FAILURES:
                        raise
                    exc.path = exc.path or result.path
                    result.status, result.error, result.triples, result.counts = "error", exc, 0, {}
                self.summary.results.append(result)
                self.on_result(result)
            return
        for _, result in batch:
            self.summary.results.append(result)
            self.on_result(result)


def ingest(store: Store, paths: Iterable[str | os.PathLike], *, workers: int | None = None,
           on_result: Callable[[FileResult], None] = lambda r: None,
           on_start: Callable[[int], None] = lambda n: None, scheduler: object = None) -> Summary:
    """Ingest every supported file under ``paths`` into ``store``; see the module docstring.

    ``scheduler`` — the address of a Dask scheduler (``"tcp://host:8786"``) or a
    ``distributed.Client`` — extracts on that cluster instead of local processes (``workers`` is
    then ignored); the documents still reach the store through this process's one writer.
    """
    from kb import settings

    started = time.monotonic()
    store.ensure_vocabulary()
    summary = Summary()
    files = list(dict.fromkeys(discover(paths)))
    on_start(len(files))
    with ExitStack() as workers_up:
        if scheduler is None and len(files) > 1 and settings.get("workers", workers) > 1:
            workers_up.enter_context(worker_server())   # it loads its modules while the first files are planned
        later: list[str] = []
        plans = _plan_stream(store, files, summary, on_result, PIPELINE_VERSION, later)
        writer = _Writer(store, summary, on_result)
        try:
            with store.publishing_every(settings.get("publish_seconds")):
                _extract_and_write(store, plans, workers, scheduler, writer, summary, on_result)
                if later:   # the same text under other names: its graph again, with every name
                    again = _plan_files(store, later, summary, on_result, PIPELINE_VERSION)
                    _extract_and_write(store, again, workers, scheduler, writer, summary, on_result)
                workers_up.close()
                written = sum(r.status in ("added", "replaced") for r in summary.results)
                if written >= COMPACT_AFTER and written >= COMPACT_SHARE * len(store.graphs()):
                    store.compact()     # before the last snapshot, so readers get the compact files
        finally:
            summary.seconds = time.monotonic() - started
    return summary


def _plan_stream(store: Store, files: list[str], summary: Summary, on_result: Callable[[FileResult], None],
                 version: str, later: list[str]) -> Iterator[_Plan]:
    """The plans of ``files`` (see :func:`plan`), each made when a worker is about to need it, so
    extraction starts at once instead of after every file is read. A file that cannot be read,
    or whose graph is stored and current, is reported at once. A file with the same text as one
    planned before in this run goes to ``later``: that graph is being extracted, and is planned
    again, with every name, once it is written."""
    planned: set[str] = set()
    # in a store that held no document, what this run writes is all there is to look up, and a
    # file can meet only itself there (its path is its own, its text's graph it plans first)
    stored = store.holds_documents()
    for path in files:
        p = plan(store, path, version, stored=stored)
        if isinstance(p, FileResult):
            summary.results.append(p)
            on_result(p)
        elif p.graph in planned:
            later.append(path)
        else:
            planned.add(p.graph)
            yield p


def _plan_files(store: Store, files: list[str], summary: Summary, on_result: Callable[[FileResult], None],
                version: str) -> list[_Plan]:
    """What each file needs (see :func:`plan`); a file that cannot be read, or whose graph is
    stored and current, is reported at once; the same text twice in this run is one graph with
    both names."""
    plans: list[_Plan] = []
    planned_graphs: dict[str, _Plan] = {}
    for path in files:
        p = plan(store, path, version)
        if isinstance(p, FileResult):
            summary.results.append(p)
            on_result(p)
        elif p.graph in planned_graphs:
            first = planned_graphs[p.graph]
            first.sources = sorted(set(first.sources) | set(p.sources))
            first.drop += p.drop
            first.remove += p.remove
            result = FileResult(path, "renamed", graph=p.graph)
            summary.results.append(result)
            on_result(result)
        else:
            planned_graphs[p.graph] = p
            plans.append(p)
    return plans


def _extract_and_write(store: Store, plans, workers, scheduler, writer: "_Writer", summary: Summary,
                       on_result: Callable[[FileResult], None]) -> None:
    """Extract every planned file and hand each document to the writer as it comes."""
    for p, (kind, value) in _run(plans, workers, PIPELINE_VERSION, scheduler):
        if kind == "error":
            if value.path is None:
                value.path = p.path
            result = FileResult(p.path, "error", error=value)
            summary.results.append(result)
            on_result(result)
            continue
        result = FileResult(p.path, p.status, graph=value.iri, triples=value.triples, counts=value.counts)
        try:
            writer.add(DocumentWrite(value.iri, value.nquads, p.drop, p.remove), result)
        except StoreError as exc:       # a batch of one the store refused
            if exc.code in STORE_FAILURES:
                raise
            exc.path = exc.path or p.path
            result.status, result.error, result.triples, result.counts = "error", exc, 0, {}
            summary.results.append(result)
            on_result(result)
    writer.flush()


def _run(plans: Iterable[_Plan], workers: int | None, version: str, scheduler: object = None):
    """(plan, extraction result) pairs, in completion order: on a Dask cluster when ``scheduler`` is
    given (see :mod:`ingest.distributed`), else in local worker processes."""
    if scheduler is not None:
        from ingest.distributed import run_on_cluster

        plans = list(plans)
        if plans:
            yield from run_on_cluster(plans, version, scheduler)
        return
    yield from _run_local(plans, workers, version)


def _run_local(plans: Iterable[_Plan], workers: int | None, version: str):
    """(plan, extraction result) pairs from a local process pool (in this process for one worker);
    ``plans`` are drawn as the workers need them."""
    from kb import settings

    workers = settings.get("workers", workers)
    plans = iter(plans)
    head = list(islice(plans, 2))
    if workers <= 1 or len(head) <= 1:
        for p in chain(head, plans):
            yield p, extract(p.path, p.sources, version, p.source, p.normalized)
        return
    # a fresh pool (new worker processes, pipeline rebuilt: ~1.5 s) every `worker_documents` documents
    # per worker: a worker's memory grows with every distinct sentence it has seen (spaCy interns
    # the strings), so recycling keeps a corpus of any size within the same memory
    chunk = workers * settings.get("worker_documents")
    plans = chain(head, plans)
    while (first := next(plans, None)) is not None:
        yield from _run_pool(chain([first], islice(plans, chunk - 1)), workers, version)


def _run_pool(plans: Iterable[_Plan], workers: int, version: str):
    with ProcessPoolExecutor(max_workers=workers, initializer=init_worker,
                             initargs=(os.getpid(),),
                             mp_context=worker_context()) as pool:
        todo = iter(plans)
        running: dict[Future, _Plan] = {}
        limit = workers * IN_FLIGHT_PER_WORKER
        for p in todo:
            running[pool.submit(extract, p.path, p.sources, version, p.source, p.normalized)] = p
            if len(running) >= limit:
                break
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                p = running.pop(future)
                yield p, future.result()
                nxt = next(todo, None)
                if nxt is not None:
                    running[pool.submit(extract, nxt.path, nxt.sources, version, nxt.source, nxt.normalized)] = nxt


__all__ = ["ingest", "discover", "extract", "plan", "Summary", "FileResult", "ReadError"]
