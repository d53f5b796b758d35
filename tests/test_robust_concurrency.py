"""Readers and writers at the same time.

One real ``python -m kb.cli ingest`` writes a corpus of 20 documents while this test process
reads the same store the way the app does (``open_store(read_only=True)``, ``refresh()`` between
questions) and, meanwhile, starts a second ingest into the same store:

* every reader query succeeds, and every document graph a reader sees is whole: its triple count
  and its N-Quads are exactly those of the final store, every graph holds its document and every
  fact its evidence (the integrity query), the named queries (documents, obligations) answer;
* a reader that never refreshes keeps one consistent view (snapshot isolation);
* user queries in their child process (``run_user_query``) work during the ingest too;
* the second ingest is refused at once with ``PKB-STORE-LOCKED`` naming the writer's pid
  (exit status 2), as is a second writer in this process; the first ingest completes unharmed.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kb import obligations, queries
from kb.errors import StoreLockedError
from kb.store import open_store, run_user_query
from tests.test_robust_atomicity import build_copies

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DOCS = ROOT / "source_docs"
# every batch published at once, so the readers can see the store grow step by step
ENV = dict(os.environ, POLICYKB_PUBLISH_SECONDS="0", COLUMNS="1000", NO_COLOR="1")
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def graph_hash(store, graph: str) -> str:
    return hashlib.sha256(store.export("nquads", graph)).hexdigest()


@dataclass
class Run:
    files: list[Path]
    store: Path
    returncode: int = -1
    stderr: str = ""
    queries: int = 0
    user_queries: int = 0
    states: list[dict[str, int]] = field(default_factory=list)     # graph -> triple count, per snapshot seen
    hashes: dict[str, set[str]] = field(default_factory=dict)      # graph -> every N-Quads hash seen
    documents_rows: list[int] = field(default_factory=list)
    integrity: list = field(default_factory=list)
    frozen_views: set[tuple] = field(default_factory=set)          # what the never-refreshed reader saw
    second_ingest: subprocess.CompletedProcess | None = None
    second_seconds: float = 0.0
    second_writer_error: StoreLockedError | None = None
    writer_pid: int = 0


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    base = tmp_path_factory.mktemp("robust-concurrency")
    r = Run(files=build_copies(base / "corpus"), store=base / "kb")
    from kb.validate import INTEGRITY

    proc = subprocess.Popen([sys.executable, "-m", "kb.cli", "ingest", "--store", str(r.store), "--quiet",
                             "--workers", "2", str(base / "corpus")],
                            cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    r.writer_pid = proc.pid
    stderr: list[str] = []
    drain = threading.Thread(target=lambda: stderr.append(proc.stderr.read()), daemon=True)
    drain.start()
    try:
        deadline = time.monotonic() + 60
        while True:                                   # until the writer has published a first snapshot
            try:
                reader = open_store(str(r.store), read_only=True)
                frozen = open_store(str(r.store), read_only=True)
                break
            except Exception:
                assert time.monotonic() < deadline and proc.poll() is None, "the ingest never started"
                time.sleep(0.05)
        second: list = []

        def second_ingest():
            started = time.monotonic()
            second.append(subprocess.run([sys.executable, "-m", "kb.cli", "ingest", "--store", str(r.store),
                                          "--quiet", str(SOURCE_DOCS)], cwd=ROOT, env=ENV,
                                         capture_output=True, text=True, timeout=120))
            second.append(time.monotonic() - started)

        other = threading.Thread(target=second_ingest)
        other.start()
        try:
            open_store(str(r.store)).close()
        except StoreLockedError as exc:
            r.second_writer_error = exc
        user_query_due = 0
        with reader, frozen:
            frozen_first = tuple(sorted(frozen.graphs()))
            while True:
                finished = proc.poll() is not None
                reader.refresh()
                counts = {row["g"]: row["n"] for row in reader.query(COUNTS).rows
                          if not row["g"].endswith("/graph/vocabulary")}
                r.states.append(counts)
                for g in counts:
                    r.hashes.setdefault(g, set()).add(graph_hash(reader, g))
                docs = queries.run(reader, "documents").rows
                assert {d["graph"] for d in docs} == set(counts)
                r.documents_rows.append(len(docs))
                obligations.find(reader, actor="member_school")
                r.integrity.extend(reader.query(INTEGRITY).rows)
                r.queries += 4 + len(counts)
                r.frozen_views.add(tuple(sorted(frozen.graphs())))
                if time.monotonic() >= user_query_due:
                    result = run_user_query(COUNTS, location=str(r.store), timeout=30)
                    assert result.rows is not None
                    r.user_queries += 1
                    user_query_due = time.monotonic() + 1.0
                if finished:
                    break
            r.frozen_views.add(frozen_first)
        other.join(timeout=120)
        r.second_ingest, r.second_seconds = second
        proc.wait(timeout=300)
        drain.join(timeout=10)
        r.returncode, r.stderr = proc.returncode, "".join(stderr)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return r


def test_the_ingest_completes(run):
    assert run.returncode == 0, run.stderr
    with open_store(str(run.store), read_only=True) as store:
        assert len(store.graphs()) == len(run.files)


def test_readers_kept_answering_and_saw_the_store_grow(run):
    assert run.queries > 20 and run.user_queries >= 1
    sizes = [len(state) for state in run.states]
    assert sizes == sorted(sizes)                              # refresh never goes back in time
    assert len(set(sizes)) >= 3, sizes                         # saw intermediate states, not just before/after
    assert sizes[-1] == len(run.files)


def test_readers_only_ever_saw_whole_documents(run):
    with open_store(str(run.store), read_only=True) as store:
        final_counts = {row["g"]: row["n"] for row in store.query(COUNTS).rows
                        if not row["g"].endswith("/graph/vocabulary")}
        final_hashes = {g: graph_hash(store, g) for g in final_counts}
    for state in run.states:
        for graph, n in state.items():
            assert final_counts[graph] == n, f"a reader saw {graph} with {n} of {final_counts[graph]} triples"
    for graph, seen in run.hashes.items():
        assert seen == {final_hashes[graph]}, f"a reader saw another version of {graph}"
    assert run.integrity == []


def test_a_reader_that_does_not_refresh_keeps_its_view(run):
    assert len(run.frozen_views) == 1


def test_a_second_ingest_is_refused_at_once_with_a_clear_message(run):
    out = run.second_ingest
    assert out.returncode == 2, out.stderr
    assert "PKB-STORE-LOCKED" in out.stderr
    assert f"pid {run.writer_pid}" in out.stderr and "is writing to" in out.stderr
    assert run.second_seconds < 20                             # refused, not queued behind the writer


def test_a_second_writer_in_this_process_is_refused(run):
    assert run.second_writer_error is not None
    assert run.second_writer_error.code == "PKB-STORE-LOCKED"
    assert str(run.writer_pid) in run.second_writer_error.message


def test_the_refused_ingest_left_no_trace(run):
    """None of source_docs/ (the refused ingest's files) is in the store: only the 20 copies."""
    with open_store(str(run.store), read_only=True) as store:
        sources = sorted(s for g in store.graphs() for s in store.graph_info(g)["sources"])
    assert sources == sorted(map(str, run.files))
