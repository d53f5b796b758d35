"""Query benchmark: the questions behind ask, compare and the matrix, on the embedded store and on
rdflib's in-memory Dataset holding the same quads.

Operations. ``X`` is the district with the most documents and ``Y`` the second (the worst case:
the corpus generator skews districts, so at 10k documents X holds ~6 % of the corpus); ``M`` is a
typical district (the median number of documents per district) and ``M2`` the next one. All are
read from the store, so they are the districts the extraction actually recorded.

=============================  ==========================================================  ============
name                           call                                                        target
=============================  ==========================================================  ============
find_district@typical|largest  ``kb.obligations.find(store, district=M|X)``                p95 < 150 ms
find_actor_district@…          ``find(store, actor="member_school", district=M|X)``        p95 < 150 ms
find_actor_all                 ``find(store, actor="member_school")`` (every district)     —
compare_two@…                  ``kb.compare.compare(store, [M, M2] | [X, Y])``             p95 < 150 ms
matrix_district@…              ``kb.matrix.matrix(store, district=M|X)``                   p95 < 150 ms
matrix_all                     ``kb.matrix.matrix(store)``: every rule of every district     —
matrix_counts_all              ``kb.tallies.counts(store, rows="district")``: the            < 1.5 s
                               all-district matrix as rule counts (from each document's
                               ``pkb:ruleTally``)
ask_district@…                 ``kb.ask.ask(store, "M|X的成员校有哪些义务？")``                p95 < 150 ms
=============================  ==========================================================  ============

Every operation runs once cold (first call in the process: caches empty) and then repeatedly until
``max_repeats`` runs or ``budget`` seconds (at least one warm run unless the cold one took over
three budgets); p50/p95 are over the warm runs.

The rdflib side loads ``store.export("nquads", include_vocabulary=True)`` into
``rdflib.Dataset(default_union=True)`` and runs the *same* Python code over an adapter
(:class:`RdflibStore`) whose ``query`` evaluates the same ``.rq`` text with ``initBindings`` — so
both engines answer exactly the same SPARQL requests. A call that runs past ``--rdflib-timeout``
is stopped (SIGALRM) and reported as a lower bound. Row counts are compared between the engines.

Each engine runs in its own fresh interpreter (``python -m benchmarks.query_bench MODE …``).
"""
from __future__ import annotations

import argparse
import gc
import json
import signal
import sys
import time
from pathlib import Path
from typing import Callable, Mapping, Sequence

from benchmarks.common import emit, percentile, run_child

_SCOPED = ("find_district", "find_actor_district", "compare_two", "matrix_district", "ask_district")
DISTRICT_SCOPED = tuple(f"{op}@{which}" for op in _SCOPED for which in ("typical", "largest"))
OPERATIONS = (*DISTRICT_SCOPED[:6], "find_actor_all", *DISTRICT_SCOPED[6:8], "matrix_all", "matrix_counts_all",
              *DISTRICT_SCOPED[8:])
DISTRICT_COUNTS = """
SELECT ?district (COUNT(DISTINCT ?doc) AS ?n) WHERE {
  GRAPH ?doc { ?doc a pkb:PolicyDocument ; pkb:district ?district }
} GROUP BY ?district ORDER BY DESC(?n) ?district"""


# --------------------------------------------------------------------------- parent side


def query_benchmark(store: str | Path, *, budget: float = 10.0, max_repeats: int = 30,
                    rdflib: bool = True, rdflib_timeout: float = 60.0, rdflib_budget: float = 30.0,
                    rdflib_repeats: int = 1, rdflib_bytes_per_quad: int = 2000,
                    operations: Sequence[str] = OPERATIONS, timeout: float | None = None) -> dict:
    """Both engines on the store at ``store``; see the module docstring."""
    args = ["oxigraph", str(store), "--budget", str(budget), "--max-repeats", str(max_repeats),
            "--operations", ",".join(operations)]
    ours = run_child("benchmarks.query_bench", args, timeout=timeout, measure_memory=True)
    result = {"districts": ours["districts"], "oxigraph": ours}
    if not rdflib:
        result["rdflib"] = {"skipped": "not asked for (--no-rdflib)"}
        return result
    need = ours["quads"] * rdflib_bytes_per_quad
    available = _available_memory()
    if available is not None and need > 0.8 * available:
        result["rdflib"] = {"skipped": f"rdflib would need about {need / 2**30:.1f} GiB for {ours['quads']:,} quads "
                                       f"({rdflib_bytes_per_quad} B/quad), {available / 2**30:.1f} GiB available"}
        return result
    args = ["rdflib", str(store), "--budget", str(rdflib_budget), "--max-repeats", str(rdflib_repeats),
            "--timeout", str(rdflib_timeout), "--operations", ",".join(operations),
            "--districts", json.dumps(ours["districts"], ensure_ascii=False)]
    try:
        result["rdflib"] = run_child("benchmarks.query_bench", args, timeout=timeout, measure_memory=True)
    except RuntimeError as exc:
        result["rdflib"] = {"skipped": f"failed: {str(exc)[-500:]}"}
    return result


def _available_memory() -> int | None:
    try:
        import psutil

        return psutil.virtual_memory().available
    except ImportError:
        return None


# --------------------------------------------------------------------------- the rdflib adapter


class RdflibStore:
    """A read-only :class:`kb.store.base.Store` over an ``rdflib.Dataset``: ``query`` runs the same
    SPARQL text with the bindings as ``initBindings`` and the same predeclared prefixes."""

    read_only = True
    location = ":rdflib:"

    def __init__(self, dataset) -> None:
        self.dataset = dataset

    def state_token(self) -> None:
        """Unknown without a query, as for a SPARQL server: callers fall back to ``ask_store_stamp``."""
        return None

    def query(self, sparql: str, bindings: Mapping[str, object] | None = None, *, timeout=None,
              limit=None, strict=False):
        from itertools import product

        from kb.store.base import MANY, QueryResult

        several = {k: v for k, v in (bindings or {}).items() if isinstance(v, MANY)}
        if several:     # as a VALUES block does: the rows of each combination of values, in turn
            names = list(several)
            parts = [self._query(sparql, {**bindings, **dict(zip(names, combo))})
                     for combo in product(*(list(several[n]) for n in names))]
            variables = parts[0].variables if parts else []
            rows = [row for part in parts for row in part.rows]
            if limit is not None and len(rows) > limit:
                return QueryResult(variables, rows[:limit], truncated=True)
            return QueryResult(variables, rows)
        return self._query(sparql, bindings, limit=limit)

    def _query(self, sparql: str, bindings: Mapping[str, object] | None, *, limit=None):
        from rdflib import BNode, Literal, URIRef, Variable

        from kb.store.base import (IRI, PREFIXES, BNode as KBNode, LangString, QueryResult,
                                   literal_to_python, normalize_bindings)

        init = {}
        for name, value in normalize_bindings(bindings).items():
            if isinstance(value, IRI):
                term = URIRef(value)
            elif isinstance(value, LangString):
                term = Literal(str(value), lang=value.language)
            else:
                term = Literal(value)
            init[Variable(name)] = term
        result = self.dataset.query(sparql, initNs=PREFIXES, initBindings=init)
        if result.type == "ASK":
            return QueryResult([], [], boolean=bool(result.askAnswer))

        def py(term):
            if term is None:
                return None
            if isinstance(term, URIRef):
                return IRI(str(term))
            if isinstance(term, BNode):
                return KBNode(str(term))
            if isinstance(term, Literal):
                return literal_to_python(str(term), str(term.datatype) if term.datatype else None,
                                         term.language)
            return str(term)

        variables = [str(v) for v in result.vars]
        rows = [{name: py(row[i]) for i, name in enumerate(variables)} for row in result]
        if limit is not None and len(rows) > limit:
            return QueryResult(variables, rows[:limit], truncated=True)
        return QueryResult(variables, rows)

    def refresh(self, force: bool = False) -> bool:
        return False

    def close(self) -> None:
        self.dataset = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --------------------------------------------------------------------------- child side


def operations_for(store, districts: dict) -> dict[str, Callable[[], object]]:
    from kb import compare, matrix, obligations, tallies
    from kb.ask import ask

    ops: dict[str, Callable[[], object]] = {
        "find_actor_all": lambda: obligations.find(store, actor="member_school"),
        "matrix_all": lambda: matrix.matrix(store),
        "matrix_counts_all": lambda: tallies.counts(store, rows="district", cols="category"),
    }
    for which, (x, y) in (("typical", (districts["m"], districts["m2"])),
                          ("largest", (districts["x"], districts["y"]))):
        ops[f"find_district@{which}"] = lambda x=x: obligations.find(store, district=x)
        ops[f"find_actor_district@{which}"] = lambda x=x: obligations.find(store, actor="member_school", district=x)
        ops[f"compare_two@{which}"] = lambda x=x, y=y: compare.compare(store, [x, y])
        ops[f"matrix_district@{which}"] = lambda x=x: matrix.matrix(store, district=x)
        ops[f"ask_district@{which}"] = lambda x=x: ask(store, f"{x}的成员校有哪些义务？")
    return ops


def result_size(value) -> int | None:
    """Rows of an answer, to check both engines agree: obligations, matrix sources, comparison
    summary lines, ask results."""
    if isinstance(value, list):
        return len(value)
    if hasattr(value, "sources"):
        return len(value.sources)
    if hasattr(value, "counts") and hasattr(value, "total"):
        return value.total
    if isinstance(getattr(value, "summary", None), dict):
        # a comparison: its summary lines (its ``cells`` would read every row of both scopes, which
        # the comparison reads only on demand)
        return sum(len(lines) for per_scope in value.summary.values() for lines in per_scope)
    if hasattr(value, "cells"):
        return sum(len(items) for row in value.cells.values() for items in row)
    if hasattr(value, "results"):
        return len(value.results or [])
    return None


class QueryCounter:
    """Wraps ``store.query`` to count the SPARQL requests an operation makes and the time in them,
    by named query (``kb/queries/*.rq``; other text counts as "inline")."""

    def __init__(self, store) -> None:
        from kb.queries import list_queries

        self.names = {q.text: q.name for q in list_queries()}
        self.inner = store.query
        self.reset()
        store.query = self  # an instance attribute: shadows the method for every caller

    def reset(self) -> None:
        self.calls: dict[str, list[float]] = {}

    def __call__(self, sparql, bindings=None, **kw):
        t = time.perf_counter()
        try:
            return self.inner(sparql, bindings, **kw)
        finally:
            name = self.names.get(sparql, "inline")
            self.calls.setdefault(name, []).append(time.perf_counter() - t)

    def snapshot(self) -> dict:
        return {name: {"calls": len(ts), "ms": round(sum(ts) * 1000, 1)}
                for name, ts in sorted(self.calls.items(), key=lambda kv: -sum(kv[1]))}


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def measure(ops: dict[str, Callable[[], object]], names: Sequence[str], *, budget: float,
            max_repeats: int, call_timeout: float | None = None, counter: QueryCounter | None = None) -> dict:
    """Cold run, then warm runs until ``max_repeats`` or ``budget`` seconds, per operation."""
    out = {}
    if call_timeout:
        signal.signal(signal.SIGALRM, _alarm)
    for name in names:
        fn = ops[name]
        times: list[float] = []
        cpu: list[float] = []  # process CPU time of the warm runs: what contention cannot inflate
        size = error = None
        sparql = None
        cold = None
        timed_out = False
        started = time.perf_counter()
        for i in range(max_repeats + 1):
            if i > 1 and time.perf_counter() - started > budget:
                break
            if call_timeout:
                signal.setitimer(signal.ITIMER_REAL, call_timeout)
            if counter is not None:
                counter.reset()
            c = time.process_time()
            t = time.perf_counter()
            value = None      # the previous answer is not kept alive through this call (nor the next operation's first)
            try:
                value = fn()
            except _Timeout:
                timed_out = True
                elapsed = time.perf_counter() - t
                if cold is None:
                    cold = elapsed
                else:
                    times.append(elapsed)
                break
            except Exception as exc:  # report, go on with the next operation
                error = f"{type(exc).__name__}: {exc}"
                break
            finally:
                if call_timeout:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            elapsed = time.perf_counter() - t
            if cold is not None:
                cpu.append(time.process_time() - c)
            size = result_size(value)
            if getattr(value, "error", None) is not None:
                error = f"ask did not understand: {value.error}"
            if cold is None:
                cold = elapsed
            else:
                times.append(elapsed)
            if counter is not None:
                sparql = counter.snapshot()  # of the last call
            # a cold call over 3× the budget is the estimate; a shorter one (a first question reading
            # a large store's names once) is still followed by a warm run
            if i == 0 and elapsed > 3 * budget:
                break
        sample = times or ([cold] if cold is not None else [])
        out[name] = {"cold_ms": None if cold is None else cold * 1000,
                     "p50_ms": None if not sample else percentile(sample, 50) * 1000,
                     "p95_ms": None if not sample else percentile(sample, 95) * 1000,
                     "runs": len(times), "rows": size, "timed_out": timed_out, "error": error,
                     "cpu_p50_ms": None if not cpu else percentile(cpu, 50) * 1000,
                     "warm": bool(times), "sparql": sparql,
                     "sparql_calls": None if sparql is None else sum(v["calls"] for v in sparql.values()),
                     "sparql_ms": None if sparql is None else round(sum(v["ms"] for v in sparql.values()), 1)}
        print(f"  {name}: {json.dumps(out[name], ensure_ascii=False)}", file=sys.stderr, flush=True)
        gc.collect()      # the next operation starts without this one's cyclic garbage
    return out


def _child_oxigraph(path: str, names: Sequence[str], budget: float, max_repeats: int) -> dict:
    from kb.store import open_store

    t = time.perf_counter()
    store = open_store(path, read_only=True)
    opened = time.perf_counter() - t
    rows = [r for r in store.query(DISTRICT_COUNTS).rows if r["district"]]
    mid = max(0, min(len(rows) // 2, len(rows) - 2))
    districts = {"x": rows[0]["district"], "x_docs": rows[0]["n"], "y": rows[1]["district"],
                 "y_docs": rows[1]["n"], "m": rows[mid]["district"], "m_docs": rows[mid]["n"],
                 "m2": rows[mid + 1]["district"], "m2_docs": rows[mid + 1]["n"], "districts": len(rows),
                 "docs_with_district": sum(r["n"] for r in rows)}
    quads = store.triple_count(include_vocabulary=True)
    counter = QueryCounter(store)
    results = measure(operations_for(store, districts), names, budget=budget,
                      max_repeats=max_repeats, counter=counter)
    return {"engine": "oxigraph", "open_seconds": opened, "quads": quads, "districts": districts,
            "operations": results}


def _child_rdflib(path: str, names: Sequence[str], budget: float, max_repeats: int, timeout: float,
                  districts: dict) -> dict:
    import warnings

    import rdflib

    from kb.store import open_store

    t = time.perf_counter()
    with open_store(path, read_only=True) as store:
        data = store.export("nquads", include_vocabulary=True)
    exported = time.perf_counter() - t
    t = time.perf_counter()
    dataset = rdflib.Dataset(default_union=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dataset.parse(data=data, format="nquads")
    loaded = time.perf_counter() - t
    quads = len(dataset)
    del data
    rstore = RdflibStore(dataset)
    counter = QueryCounter(rstore)
    results = measure(operations_for(rstore, districts), names, budget=budget,
                      max_repeats=max_repeats, call_timeout=timeout, counter=counter)
    return {"engine": "rdflib", "rdflib_version": rdflib.__version__, "export_seconds": exported,
            "load_seconds": loaded, "quads": quads, "operations": results}


def query_profile(store: str | Path, operations: Sequence[str], out_prefix: str | Path,
                  timeout: float | None = None) -> dict:
    """One warm call of each operation under pyinstrument (after a warm-up call): the top
    functions, and the profile as text at ``out_prefix``-OPERATION.txt."""
    args = ["profile", str(store), "--operations", ",".join(operations), "--out-prefix", str(out_prefix)]
    return run_child("benchmarks.query_bench", args, timeout=timeout)


def _child_profile(path: str, names: Sequence[str], out_prefix: str) -> dict:
    from pyinstrument import Profiler

    from benchmarks.ingest_bench import top_functions
    from kb.store import open_store

    store = open_store(path, read_only=True)
    rows = [r for r in store.query(DISTRICT_COUNTS).rows if r["district"]]
    mid = max(0, min(len(rows) // 2, len(rows) - 2))
    districts = {"x": rows[0]["district"], "y": rows[1]["district"], "m": rows[mid]["district"],
                 "m2": rows[mid + 1]["district"]}
    ops = operations_for(store, districts)
    out = {}
    for name in names:
        warm = False
        for attempt in range(2):  # profile a warm call; a call slower than 5 s is profiled cold, once
            profiler = Profiler(interval=0.0005 if attempt else 0.002)
            profiler.start()
            t = time.perf_counter()
            ops[name]()
            seconds = time.perf_counter() - t
            profiler.stop()
            warm = attempt == 1
            if seconds > 5:
                break
        text_path = Path(f"{out_prefix}-{name.replace('@', '-')}.txt")
        text_path.parent.mkdir(parents=True, exist_ok=True)
        text_path.write_text(profiler.output_text(unicode=True, color=False), encoding="utf-8")
        out[name] = {"seconds": seconds, "warm": warm, "profile_text": str(text_path),
                     "top_functions": top_functions(profiler.last_session.root_frame(), 15)}
    return {"districts": districts, "operations": out}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.query_bench")
    parser.add_argument("engine", choices=["oxigraph", "rdflib", "profile"])
    parser.add_argument("--out-prefix", default="benchmarks/out/query-profile")
    parser.add_argument("store")
    parser.add_argument("--budget", type=float, default=20.0)
    parser.add_argument("--max-repeats", type=int, default=30)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--operations", default=",".join(OPERATIONS))
    parser.add_argument("--districts")
    args = parser.parse_args(argv)
    names = [n for n in args.operations.split(",") if n]
    if args.engine == "oxigraph":
        emit(_child_oxigraph(args.store, names, args.budget, args.max_repeats))
    elif args.engine == "profile":
        emit(_child_profile(args.store, names, args.out_prefix))
    else:
        emit(_child_rdflib(args.store, names, args.budget, args.max_repeats, args.timeout,
                           json.loads(args.districts)))


if __name__ == "__main__":
    sys.exit(main())
