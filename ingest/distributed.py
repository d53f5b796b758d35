"""Extraction on a Dask cluster: ``policykb ingest --scheduler tcp://host:8786``.

:func:`run_on_cluster` sends each file to extract, as bytes, to a Dask worker and yields the
serialized document graphs back as they complete; only the runner in this process writes the store.
Version checks, documents in flight and failures: docs/pipeline.md. Needs ``dask[distributed]``.
"""
from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Iterator

from kb.errors import ExtractionError, PolicyKBError, ReadError

#: Seconds to wait for the scheduler to answer and for at least one worker to be there.
CONNECT_TIMEOUT = 30
#: Documents larger than this go to the cluster with ``scatter`` rather than inside the task.
SCATTER_BYTES = 1 << 20


def versions() -> dict[str, str]:
    """What decides a document's graph here: the policykb package and the pipeline version."""
    from importlib.metadata import PackageNotFoundError, version

    from ingest.identity import PIPELINE_VERSION

    try:
        package = version("policykb")
    except PackageNotFoundError:  # running from a source tree
        package = "unknown"
    return {"policykb": package, "pipeline": PIPELINE_VERSION}


def prepare_worker() -> dict[str, str]:
    """Runs once on each worker: build the spaCy pipeline, report the versions."""
    from ingest.pipeline import build_nlp

    build_nlp()
    return versions()


def extract_bytes(name: str, data: bytes, sources: list[str], version: str) -> tuple:
    """Extract one document sent as bytes (runs on a worker): ``("ok", DocumentGraph)`` or
    ``("error", PolicyKBError)``, as :func:`ingest.worker.extract`. ``name`` is the file's path on
    the submitting machine; the bytes are written under its file name in a private temporary
    folder (the reader goes by the suffix), and errors are reported against ``name``."""
    from ingest.worker import extract

    with tempfile.TemporaryDirectory(prefix="policykb-extract-") as folder:
        path = Path(folder) / (Path(name).name or "document.txt")
        path.write_bytes(data)
        kind, value = extract(str(path), sources, version)
    if kind == "error" and isinstance(value, PolicyKBError):
        if value.path in (None, str(path)):
            value.path = name
        value.message = value.message.replace(str(path), name)
    return kind, value


def _client(scheduler):
    """A ``distributed.Client`` for ``scheduler`` (an address or a Client) and whether we own it."""
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - dask is a declared dependency
        raise ExtractionError("distributed ingest needs Dask: pip install 'dask[distributed]'",
                              code="PKB-EXTRACT-SCHEDULER", hint="or leave --scheduler out") from exc
    if isinstance(scheduler, Client):
        return scheduler, False
    address = str(scheduler)
    try:
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False), True
    except (OSError, TimeoutError, ValueError) as exc:
        raise ExtractionError(f"cannot reach the Dask scheduler at {address}: {exc}", code="PKB-EXTRACT-SCHEDULER",
                              hint="start one (`dask scheduler`, then `dask worker tcp://HOST:8786` on each "
                                   "machine), or leave --scheduler out to extract in local processes") from None


def _check_workers(client) -> int:
    """Warm every worker up, refuse mismatched versions; the cluster's thread count."""
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise ExtractionError(f"the Dask cluster at {client.scheduler.address} has no workers", code="PKB-EXTRACT-SCHEDULER",
                              hint="start workers with `dask worker SCHEDULER_ADDRESS`") from exc
    nthreads = client.nthreads()
    futures = {client.submit(prepare_worker, workers=[address], allow_other_workers=False, pure=False,
                             key=f"policykb-prepare-{uuid.uuid4().hex}"): address for address in nthreads}
    here = versions()
    wrong = []
    for future, address in futures.items():
        try:
            theirs = future.result()
        except Exception as exc:
            raise ExtractionError(f"worker {address} cannot run the policykb pipeline: {type(exc).__name__}: {exc}",
                                  code="PKB-EXTRACT-CLUSTER",
                                  hint="install policykb (the same version) on every worker") from None
        if theirs != here:
            wrong.append(f"{address} has {theirs}")
    if wrong:
        raise ExtractionError(f"workers run another policykb than this process ({here}): {'; '.join(wrong)}",
                              code="PKB-EXTRACT-CLUSTER", hint="install the same policykb version everywhere")
    return max(1, sum(nthreads.values()))


def run_on_cluster(plans: list, version: str, scheduler, *, in_flight: int | None = None) -> Iterator[tuple]:
    """``(plan, ("ok", DocumentGraph) | ("error", PolicyKBError))`` for every plan, in completion order.

    ``plans`` are :class:`ingest.runner._Plan`\\ s (``path``, ``sources``); ``scheduler`` an address
    or a ``distributed.Client`` (left open if it was given). At most ``in_flight`` documents (default:
    twice the cluster's threads) are submitted and not yet yielded.
    """
    from distributed import as_completed

    client, owned = _client(scheduler)
    pending: dict = {}
    try:
        limit = in_flight or 2 * _check_workers(client)
        todo = iter(plans)
        queue = as_completed(loop=client.loop)
        ready: list[tuple] = []   # plans that failed before reaching the cluster

        def submit_next() -> bool:
            for p in todo:
                try:
                    data = Path(p.path).read_bytes()
                except OSError as exc:
                    ready.append((p, ("error", ReadError(f"cannot read the file: {exc.strerror or exc}", path=p.path,
                                                         hint="check the path and its permissions",
                                                         code="PKB-READ-OPEN"))))
                    continue
                payload = client.scatter(data, direct=False) if len(data) > SCATTER_BYTES else data
                future = client.submit(extract_bytes, p.path, payload, list(p.sources), version, pure=False,
                                       key=f"policykb-extract-{uuid.uuid4().hex}")
                pending[future.key] = (p, future)
                queue.add(future)
                return True
            return False

        while len(pending) < limit and submit_next():
            pass
        while ready:
            yield ready.pop(0)
        for future in queue:
            p, _ = pending.pop(future.key)
            try:
                result = future.result()
            except Exception as exc:  # the task raised, or its worker died (KilledWorker)
                result = ("error", ExtractionError(f"extraction failed on the cluster: {type(exc).__name__}: {exc}",
                                                   path=p.path, code="PKB-EXTRACT-WORKER",
                                                   hint="see the worker's log; the other files go on"))
            future.release()
            yield p, result
            while len(pending) < limit and submit_next():
                pass
            while ready:
                yield ready.pop(0)
        while ready:
            yield ready.pop(0)
    finally:
        if pending:  # stopped early (the writer failed): drop the work still queued on the cluster
            try:
                client.cancel([future for _, future in pending.values()])
            except Exception:
                pass
        if owned:
            client.close()


__all__ = ["extract_bytes", "prepare_worker", "run_on_cluster", "versions"]
