"""Scale-out benchmark: one sample of the corpus ingested three ways, with identical results.

* ``local``   — :func:`ingest.runner.ingest` with two local worker processes into a new embedded
  store (the reference);
* ``cluster`` — the same call with ``scheduler=`` a Dask ``LocalCluster`` of two worker processes
  (one thread each) into another new embedded store: extraction on the cluster, one writer here;
* ``server``  — two local workers into a private Virtuoso (``scripts/virtuoso.sh``, Debian's
  ``virtuoso-opensource``) through the SPARQL 1.1 protocols; skipped when Virtuoso is missing.

Each reports seconds, documents/s and MB/s (pipeline and cluster start-up included, as in
``policykb ingest``), whether its quads equal the local store's (the ``prov:endedAtTime`` of each
ingest aside), and the ``obligations`` query of the sample's largest district on that store
(median of 5 warm runs, and the rows). Runs in a fresh interpreter
(``python -m benchmarks.scaleout_bench CORPUS OUT --limit N``).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path

from benchmarks.common import emit, private_virtuoso, run_child

ROOT = Path(__file__).resolve().parents[1]
ENDED = "<http://www.w3.org/ns/prov#endedAtTime>"


def scaleout_benchmark(corpus: str | Path, out: str | Path, *, limit: int = 200,
                       timeout: float | None = None) -> dict:
    """The three ingests of the first ``limit`` documents of ``corpus``; work folders in ``out``."""
    return run_child("benchmarks.scaleout_bench", [str(corpus), str(out), "--limit", str(limit)],
                     timeout=timeout)


# --------------------------------------------------------------------------- child side


def _quads(store) -> frozenset[str]:
    return frozenset(line for line in store.export("nquads").decode("utf-8").splitlines()
                     if line and ENDED not in line)


def _district_query(store, district: str) -> dict:
    from kb import queries

    times, rows = [], 0
    for _ in range(6):
        started = time.perf_counter()
        rows = len(queries.run(store, "obligations", district=district).rows)
        times.append((time.perf_counter() - started) * 1000)
    return {"obligations_district_ms": statistics.median(times[1:]), "rows": rows}


def _ingest_into(store, files: list[str], nbytes: int, **kwargs) -> dict:
    from ingest.runner import ingest

    started = time.perf_counter()
    summary = ingest(store, files, **kwargs)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "docs_per_s": len(files) / seconds, "mb_per_s": nbytes / 1e6 / seconds,
            "errors": len(summary.errors)}


def _largest_district(store) -> str:
    from collections import Counter

    from kb import queries

    counted = Counter(r["district"] for r in queries.run(store, "documents_in_district").rows)
    return counted.most_common(1)[0][0]


def run(corpus: str, out: str, limit: int) -> dict:
    from benchmarks.ingest_bench import _bytes, _files
    from kb.store import open_store

    files = _files(corpus, limit)
    nbytes = _bytes(files)
    work = Path(out)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    result: dict = {"docs": len(files), "bytes": nbytes}

    with open_store(str(work / "local")) as store:
        result["local"] = _ingest_into(store, files, nbytes, workers=2)
        reference = _quads(store)
        district = _largest_district(store)
        result["district"] = district
        result["local"].update(_district_query(store, district), quads=len(reference))

    from distributed import Client, LocalCluster

    started = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        cluster_start = time.perf_counter() - started
        with open_store(str(work / "cluster")) as store:
            result["cluster"] = _ingest_into(store, files, nbytes, scheduler=client)
            result["cluster"].update(_district_query(store, district), identical=_quads(store) == reference,
                                     cluster_start_seconds=round(cluster_start, 3))

    with private_virtuoso(work / "virtuoso") as server:
        if isinstance(server, str):
            result["server"] = {"skipped": server}
            return result
        from kb.store.sparql_http import SparqlHttpStore

        url, password = server
        with SparqlHttpStore(url, user="dba", password=password) as store:
            result["server"] = _ingest_into(store, files, nbytes, workers=2)
            result["server"].update(_district_query(store, district), identical=_quads(store) == reference,
                                    engine="Virtuoso (virtuoso-opensource, Debian)")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scaleout_bench")
    parser.add_argument("corpus")
    parser.add_argument("out")
    parser.add_argument("--limit", type=int, default=200)
    args = parser.parse_args(argv)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    emit(run(args.corpus, args.out, args.limit))


if __name__ == "__main__":
    main()
