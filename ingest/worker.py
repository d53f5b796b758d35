"""What runs in an extraction worker: one file → its document graph (:func:`extract`), and the
worker's life — forked from a fork server that has the pipeline's modules loaded and lives as long
as the ingest extracts (:func:`worker_server`), the pipeline built once, the worker ended when the
ingest that started it ends (:func:`init_worker`).
"""
from __future__ import annotations

import os
import select
import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

from kb.errors import PolicyKBError

if TYPE_CHECKING:
    from ingest.normalize import NormalizedText
    from ingest.reader import SourceText


_server_lock = threading.Lock()
_server_users = 0       # ingests of this process using the fork server now (see worker_server)


def extract(path: str, source_paths: list[str], version: str, source: SourceText | None = None,
            normalized: NormalizedText | None = None) -> tuple:
    """Read, annotate and serialize one file (runs in a worker); ``source`` and ``normalized``:
    the file as already read and normalized (see :func:`ingest.runner.plan`), else it is read
    here. Returns ``("ok", DocumentGraph)`` or ``("error", PolicyKBError)``."""
    from ingest.pipeline import annotate
    from ingest.reader import read_document
    from ingest.rdf_writer import document_graph

    try:
        if source is None:
            source, normalized = read_document(path), None
        doc = annotate(source, normalized=normalized)
        return "ok", document_graph(doc, source_paths, version=version)
    except PolicyKBError as exc:
        return "error", exc
    except Exception as exc:  # a bug must not stop the corpus: report it against the file
        return "error", PolicyKBError(f"extraction failed: {type(exc).__name__}: {exc}",
                                      hint="please report this file", path=path,
                                      code="PKB-EXTRACT-FAILED")


def init_worker(ingest_pid: int | None = None) -> None:
    """Load the pipeline once per worker. The worker ends when the ingest that started it ends,
    however it ends (``kill -9`` included), so a crash leaves no process behind."""
    _die_with_ingest(ingest_pid)
    from ingest.pipeline import build_nlp

    build_nlp()


def _die_with_ingest(ingest_pid: int | None) -> None:
    """End this worker when ``ingest_pid`` ends.

    A worker's parent is the fork server, not the ingest, and the fork server stays up while a
    worker holds its liveness pipe: after a ``kill -9`` of the ingest, both would wait forever on
    a queue nobody writes to. A daemon thread waits on the ingest's pidfd (or polls it where
    pidfds are missing) and ends the worker; the fork server then sees its pipe close and ends too.
    """
    import threading

    if ingest_pid is None or ingest_pid == os.getpid():
        return

    def wait_then_exit() -> None:
        try:
            fd = os.pidfd_open(ingest_pid)
        except (AttributeError, OSError):
            fd = None
        if fd is not None:
            select.select([fd], [], [])
        else:
            while True:
                try:
                    os.kill(ingest_pid, 0)
                except ProcessLookupError:
                    break
                except PermissionError:
                    pass
                time.sleep(1)
        os._exit(1)

    threading.Thread(target=wait_then_exit, name="policykb-ingest-watch", daemon=True).start()


def worker_context():
    """Workers are forked from a small fork server that has imported the pipeline's modules once,
    not from this process: a worker forked from the writer would carry the writer's heap (which
    grows with the store) along, and every recycled pool would start bigger."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["ingest.worker", "ingest.pipeline", "cn2an"])
    return context


@contextmanager
def worker_server() -> Iterator[None]:
    """The fork server for the span of an ingest: started at once, so it imports the pipeline's
    modules while the ingest plans, and stopped when the last ingest of this process that uses it
    is done extracting (~100 MB that compaction and the answers do not need)."""
    global _server_users
    with _server_lock:
        _server_users += 1
    try:
        if worker_context() is not None:
            from multiprocessing import forkserver

            forkserver.ensure_running()
        yield
    finally:
        with _server_lock:
            _server_users -= 1
            if _server_users == 0:
                _stop_fork_server()


def _stop_fork_server() -> None:
    from multiprocessing import forkserver

    # CPython's own way to stop it (its tests use it); where it is missing, the server ends with
    # this process
    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if stop is not None:
        stop()
