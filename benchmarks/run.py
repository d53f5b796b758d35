"""``python -m benchmarks``: every benchmark, at every corpus size, with baselines, ratios and targets.

For each size N of ``--sizes`` (default 1000,10000):

1. generate the synthetic corpus (``benchmarks/corpus.py``; reused when its manifest matches);
2. ingest it end to end into a new store with the default workers, and run the two baselines
   (``jieba.lcut`` per paragraph; spaCy blank zh + jieba + EntityRuler) over the same files
   (the first ``--baseline-docs`` of them: throughput is per byte);
3. profile a single-process ingest of the first ``--profile-docs`` documents (pyinstrument) and
   split its time (read/normalize, nlp, rdf writer, store writes incl. snapshots);
4. time the queries behind ask, compare and the matrix on the store, and the same SPARQL in
   rdflib (up to ``--rdflib-max-docs`` documents: beyond that rdflib needs tens of GiB and hours);
5. on the largest size, the app: cold start and each page (skipped until ``app.py`` exists).

Every stage writes ``OUT/results/N/STAGE.json``; ``--reuse`` keeps stage results that exist
(for resuming a long run), ``--stages`` picks stages. ``OUT/results.json`` collects everything
and ``OUT/summary.md`` is the table for ``benchmarks/README.md``. ``--quick`` is a smoke run: 50
documents, short budgets.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import time
from pathlib import Path

from benchmarks import app_bench, corpus, ingest_bench, load_bench, plot, query_bench, scaleout_bench
from benchmarks.common import ROOT, Check, fmt, machine, say

STAGES = ("corpus", "ingest", "jieba", "ruler", "profile", "queries", "qprofile", "app", "scaleout", "load")

# --------------------------------------------------------------------------- targets (the issue)
TARGET_MB_S = 3.0            # ingest MB/s with default settings on 2 cores
TARGET_VS_JIEBA = 1.2        # × baseline (a)
TARGET_VS_RULER = 3.0        # × baseline (b)
TARGET_RSS_MB = 1024.0       # peak memory of the process tree, whatever the corpus size
TARGET_DISTRICT_P95_MS = 150.0
TARGET_MATRIX_ALL_MS = 1500.0
TARGET_VS_RDFLIB = 20.0
TARGET_APP_FIRST_ANSWER_S = 3.0    # cold start to the first answered question
TARGET_APP_PAGE_S = 2.0            # each page's first visit
TARGET_APP_INTERACTION_S = 1.0     # a rerun: the second visit, a question asked again
TARGET_LARGEST_COMPARE_MS = 1000.0
TARGET_QUADS_PER_DOC = 400.0
TARGET_STORE_VS_TEXT = 15.0
TARGET_FLAT = 1.5                  # "flat": a typical district's p95 grows at most this much with the corpus


def code_version() -> str:
    marker = ROOT / ".bench-code-version"
    if marker.is_file():
        return marker.read_text().strip() + " (snapshot)"
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return sha + (" + uncommitted changes" if dirty else "")
    except Exception:
        return "unknown"


class Runner:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.out = Path(args.out)
        self.out.mkdir(parents=True, exist_ok=True)

    def stage_path(self, n: int, stage: str) -> Path:
        return self.out / "results" / str(n) / f"{stage}.json"

    def stage(self, n: int, stage: str, fn) -> dict | None:
        path = self.stage_path(n, stage)
        if stage not in self.args.stages:
            return self.load(n, stage)
        if self.args.reuse and path.is_file():
            say(f"  [{stage}] reusing {path}")
            return json.loads(path.read_text(encoding="utf-8"))
        say(f"  [{stage}] running …")
        started = time.monotonic()
        try:
            result = fn()
        except Exception as exc:  # one stage failing must not lose the others
            result = {"skipped": f"failed: {type(exc).__name__}: {str(exc)[-2000:]}"}
        result["stage_seconds"] = round(time.monotonic() - started, 1)
        result["measured_at"] = time.strftime("%Y-%m-%d %H:%M:%S")
        result["code"] = code_version()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        return result

    def load(self, n: int, stage: str) -> dict | None:
        path = self.stage_path(n, stage)
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    def run_size(self, n: int, largest: bool, smallest: bool = False) -> dict:
        a = self.args
        say(f"\n=== {n:,} documents ===")
        cdir = self.out / f"corpus-{n}"
        sdir = self.out / f"store-{n}"
        res: dict = {"docs": n}
        res["corpus"] = self.stage(n, "corpus", lambda: corpus.generate(cdir, n, a.seed))
        res["ingest"] = self.stage(n, "ingest", lambda: ingest_bench.ingest_benchmark(cdir, sdir, workers=a.workers))
        limit = min(n, a.baseline_docs)
        res["jieba"] = self.stage(n, "jieba", lambda: ingest_bench.baseline("jieba", cdir, limit))
        res["ruler"] = self.stage(n, "ruler", lambda: ingest_bench.baseline("ruler", cdir, limit))
        res["profile"] = self.stage(n, "profile", lambda: ingest_bench.profile_benchmark(
            cdir, self.out / f"store-profile-{n}", self.out / f"ingest-profile-{n}", min(n, a.profile_docs)))
        res["queries"] = self.stage(n, "queries", lambda: query_bench.query_benchmark(
            sdir, budget=a.query_budget, max_repeats=a.query_repeats, rdflib=n <= a.rdflib_max_docs,
            operations=[o for o in a.operations.split(",") if o],
            rdflib_timeout=a.rdflib_timeout, rdflib_budget=a.rdflib_budget, rdflib_repeats=a.rdflib_repeats))
        res["qprofile"] = self.stage(n, "qprofile", lambda: query_bench.query_profile(
            sdir, _slowest(res.get("queries"), a.profile_queries), self.out / f"query-profile-{n}"))
        if smallest:   # once per run: a sample, ingested locally, on a Dask cluster and into Virtuoso
            res["scaleout"] = self.stage(n, "scaleout", lambda: scaleout_bench.scaleout_benchmark(
                cdir, self.out / "scaleout", limit=min(n, a.scaleout_docs)))
            small = a.quick or a.scaleout_docs < 20   # a smoke run: one round, a minute at most
            res["load"] = self.stage(n, "load", lambda: load_bench.load_benchmark(   # source_docs/, 10 users
                self.out / "load", rounds=1 if small else 2, budget=60 if small else 300))
        if largest:
            district = ((res.get("queries") or {}).get("districts") or {}).get("x")
            res["app"] = self.stage(n, "app", lambda: app_bench.app_benchmark(
                sdir, question=f"{district}的成员校有哪些义务？" if district else None))
        return res


def _slowest(queries: dict | None, k: int) -> list[str]:
    """The ``k`` operations with the largest p50 on our store (matrix_all always among them)."""
    ops = ((queries or {}).get("oxigraph") or {}).get("operations") or {}
    ranked = sorted((o.get("p50_ms") or 0, name) for name, o in ops.items())
    names = [name for _, name in reversed(ranked)][:k]
    if "matrix_all" not in names:
        names.append("matrix_all")
    return names


# --------------------------------------------------------------------------- checks and printing


def cpu_mb_s(stage: dict | None, cores: int | None = None) -> float | None:
    """Throughput if the measured tree had ``cores`` (default 1) to itself: bytes ÷ (CPU seconds ÷ cores).
    An estimate free of what other processes on the machine did meanwhile (an upper bound)."""
    stage = stage or {}
    cpu = (stage.get("cpu") or {}).get("tree_cpu_seconds")
    if not cpu or not stage.get("bytes"):
        return None
    return stage["bytes"] / 1e6 / (cpu / (cores or 1))


def others(stage: dict | None) -> str:
    busy = ((stage or {}).get("cpu") or {}).get("others_busy_cores")
    return "—" if busy is None else f"{busy:.2f}"


def ingest_checks(res: dict) -> list[Check]:
    ing, jb, ru = res.get("ingest") or {}, res.get("jieba") or {}, res.get("ruler") or {}
    mb = ing.get("mb_per_s")
    checks = [Check("ingest MB/s (default workers)", mb, TARGET_MB_S, ">=", " MB/s")]
    checks.append(Check("ingest ÷ baseline (a) jieba.lcut", mb / jb["mb_per_s"] if mb and jb.get("mb_per_s") else None,
                        TARGET_VS_JIEBA, ">=", "×"))
    checks.append(Check("ingest ÷ baseline (b) spaCy+jieba+EntityRuler",
                        mb / ru["mb_per_s"] if mb and ru.get("mb_per_s") else None, TARGET_VS_RULER, ">=", "×"))
    mem = (ing.get("memory") or {}).get("peak_rss_mb")
    checks.append(Check("ingest peak RSS of the process tree", mem, TARGET_RSS_MB, "<", " MB"))
    return checks


def district_target(name: str) -> float | None:
    """The p95 target of a district-scoped operation: every one for a typical district; for the
    largest, its first page of answers and its comparison (its full listings have none)."""
    if name not in query_bench.DISTRICT_SCOPED:
        return None
    if name.endswith("@typical") or name == "ask_district@largest":
        return TARGET_DISTRICT_P95_MS
    return TARGET_LARGEST_COMPARE_MS if name == "compare_two@largest" else None


def graph_checks(res: dict) -> list[Check]:
    """Quads per document and the store's size against the text's (the ingest stage's figures)."""
    ing = res.get("ingest") or {}
    if not ing.get("docs") or not ing.get("triples"):
        return []
    checks = [Check("quads per document", ing["triples"] / ing["docs"], TARGET_QUADS_PER_DOC, "<=", "")]
    if ing.get("store_bytes") and ing.get("bytes"):
        checks.append(Check("store on disk ÷ text bytes", ing["store_bytes"] / ing["bytes"], TARGET_STORE_VS_TEXT,
                            "<=", "×"))
    return checks


def growth_checks(results: list[dict]) -> list[Check]:
    """District-scoped p95 of the largest size ÷ that of the smallest: flat means ≤ TARGET_FLAT."""
    if len(results) < 2:
        return []
    def ops(res):
        return ((res.get("queries") or {}).get("oxigraph") or {}).get("operations") or {}
    small, large = results[0], results[-1]
    checks = []
    for name in query_bench.DISTRICT_SCOPED:
        a, b = ops(small).get(name) or {}, ops(large).get(name) or {}
        if a.get("p95_ms") and b.get("p95_ms") and name.endswith("@typical"):
            checks.append(Check(f"{name} p95 growth {small['docs']:,} → {large['docs']:,} docs",
                                b["p95_ms"] / a["p95_ms"], TARGET_FLAT, "<=", "×"))
    return checks


def query_checks(res: dict) -> list[Check]:
    q = res.get("queries") or {}
    ours = (q.get("oxigraph") or {}).get("operations") or {}
    theirs = (q.get("rdflib") or {}).get("operations") or {}
    checks = []
    for name in query_bench.OPERATIONS:
        o = ours.get(name)
        if not o:
            continue
        target = district_target(name)
        if target:
            checks.append(Check(f"{name} p95", o.get("p95_ms"), target, "<", " ms"))
        if name == "matrix_counts_all":
            checks.append(Check(f"{name} p95", o.get("p95_ms"), TARGET_MATRIX_ALL_MS, "<", " ms"))
        r = theirs.get(name)
        if r and r.get("p50_ms") and o.get("p50_ms"):
            checks.append(Check(f"{name} rdflib p50 ÷ ours p50", r["p50_ms"] / o["p50_ms"], TARGET_VS_RDFLIB,
                                ">=", "×", lower_bound=bool(r.get("timed_out"))))
    return checks


def app_checks(app: dict | None) -> list[Check]:
    if not app or app.get("skipped"):
        return []
    checks = [Check("app cold start to the first answered question", app.get("first_answer_seconds"),
                    TARGET_APP_FIRST_ANSWER_S, "<", " s")]
    for page, entry in (app.get("pages") or {}).items():
        first = entry.get("first_seconds", entry.get("first_seconds_at_least"))
        if first is not None:
            checks.append(Check(f"app page {page} (first visit)", first, TARGET_APP_PAGE_S, "<", " s"))
        if entry.get("second_seconds") is not None:
            checks.append(Check(f"app page {page} (again: an interaction)", entry["second_seconds"],
                                TARGET_APP_INTERACTION_S, "<", " s"))
        if "question_seconds" in entry:
            checks.append(Check(f"app {page}: ask a question", entry["question_seconds"], TARGET_APP_INTERACTION_S,
                                "<", " s"))
    return checks


def print_size(res: dict) -> None:
    n = res["docs"]
    c, ing, jb, ru, pr = (res.get(k) or {} for k in ("corpus", "ingest", "jieba", "ruler", "profile"))
    say(f"\n--- {n:,} documents: results ---")
    if c:
        say(f"corpus: {c.get('bytes', 0) / 1e6:.1f} MB, {c.get('chars', 0):,} characters "
            f"({c.get('traditional')} traditional, {c.get('gb18030')} GB18030)")
    if ing.get("skipped"):
        say(f"ingest: skipped: {ing['skipped']}")
    elif ing:
        say(f"ingest: {ing['docs']:,} docs, {ing['bytes'] / 1e6:.1f} MB in {ing['seconds']:.1f} s "
            f"with {ing.get('workers')} workers = {fmt(ing['mb_per_s'])} MB/s, {fmt(ing['docs_per_s'])} docs/s; "
            f"first commit after {fmt(ing.get('seconds_to_first_commit'))} s; "
            f"peak RSS {fmt((ing.get('memory') or {}).get('peak_rss_mb'))} MB "
            f"(PSS {fmt((ing.get('memory') or {}).get('peak_pss_mb'))} MB); "
            f"store {ing.get('store_bytes', 0) / 2**20:.0f} MiB on disk; errors {len(ing.get('errors') or [])}")
        if ing.get("cpu"):
            cores = min(ing.get("workers") or 1, (ing.get("cpu") or {}).get("cores") or 2)
            say(f"  CPU: {ing['cpu']['tree_cpu_seconds']:.0f} s over the process tree ({ing['cpu'].get('tree_busy_cores')} "
                f"cores busy); other processes kept {others(ing)} cores busy meanwhile; uncontended "
                f"estimate {fmt(cpu_mb_s(ing, cores))} MB/s")
    for label, b in (("baseline (a) jieba.lcut per paragraph", jb), ("baseline (b) spaCy+jieba+EntityRuler", ru)):
        if b and not b.get("skipped"):
            ratio = ing.get("mb_per_s", 0) / b["mb_per_s"] if b.get("mb_per_s") else None
            say(f"{label}: {b['docs']:,} docs in {b['seconds']:.1f} s = {fmt(b['mb_per_s'])} MB/s "
                f"(init {fmt(b.get('init_seconds'))} s) → ingest is {fmt(ratio)}× this baseline"
                + (f"; CPU-based {fmt(cpu_mb_s(b))} MB/s, others busy {others(b)} cores" if b.get("cpu") else ""))
    if pr and not pr.get("skipped"):
        say(f"time split, single-process ingest of {pr['docs']} docs ({pr['seconds']:.1f} s, "
            f"{fmt(pr['mb_per_s'])} MB/s, profiled):")
        for k, v in pr["split"]["summary"].items():
            say(f"    {k:<40} {v['seconds']:8.2f} s  {100 * v['share']:5.1f} %")
        tri = pr.get("triage") or {}
        if tri.get("chars"):
            say(f"  triage: of {tri['chars']:,} sentence characters, {100 * tri['kept']:.1f} % reach the rule "
                f"component and {100 * tri['segmented']:.1f} % are segmented by jieba")
    q = res.get("queries") or {}
    if q.get("oxigraph"):
        d = q["districts"]
        say(f"queries: largest X = {d['x']} ({d['x_docs']} docs), Y = {d['y']} ({d['y_docs']} docs); typical "
            f"M = {d.get('m')} ({d.get('m_docs')} docs), M2 = {d.get('m2')} ({d.get('m2_docs')}); "
            f"{d['districts']} districts, {q['oxigraph'].get('quads', 0):,} quads")
        theirs = (q.get("rdflib") or {}).get("operations") or {}
        if (q.get("rdflib") or {}).get("skipped"):
            say(f"  rdflib: skipped: {q['rdflib']['skipped']}")
        elif q.get("rdflib"):
            say(f"  rdflib: loaded {q['rdflib'].get('quads', 0):,} quads in {fmt(q['rdflib'].get('load_seconds'))} s")
        for name, o in q["oxigraph"]["operations"].items():
            r = theirs.get(name) or {}
            ratio = (r["p50_ms"] / o["p50_ms"]) if r.get("p50_ms") and o.get("p50_ms") else None
            say(f"  {name:<30} p50 {fmt(o.get('p50_ms')):>8} ms  p95 {fmt(o.get('p95_ms')):>8} ms  "
                f"cold {fmt(o.get('cold_ms')):>8} ms  runs {o.get('runs')}  rows {o.get('rows')}  "
                f"CPU {fmt(o.get('cpu_p50_ms'))} ms  SPARQL {o.get('sparql_calls')} calls {fmt(o.get('sparql_ms'))} ms  | rdflib p50 {fmt(r.get('p50_ms'))} ms"
                f"{' (timed out)' if r.get('timed_out') else ''} rows {r.get('rows')} → {fmt(ratio)}×"
                f"{'  ERROR ' + o['error'] if o.get('error') else ''}")
    qp = res.get("qprofile") or {}
    for name, p in (qp.get("operations") or {}).items():
        top = "; ".join(f"{t['function']} ({t['file']}) {t['seconds'] * 1000:.0f} ms" for t in p["top_functions"][:4])
        say(f"  profile {name}: {p['seconds'] * 1000:.0f} ms — {top}")
    app = res.get("app")
    if app:
        if app.get("skipped"):
            say(f"app: skipped: {app['skipped'][:300]}")
        else:
            say(f"app: cold start {fmt(app.get('cold_start_seconds'))} s (imports {fmt(app.get('import_seconds'))} s)"
                f", first answered question after {fmt(app.get('first_answer_seconds'))} s"
                + (f"; exceptions: {app['cold_exceptions']}" if app.get("cold_exceptions") else ""))
            for page, e in app.get("pages", {}).items():
                say(f"  {page}: first {fmt(e.get('first_seconds'))} s, again {fmt(e.get('second_seconds'))} s"
                    + (f", stopped after {fmt(e.get('first_seconds_at_least'))} s" if 'first_seconds_at_least' in e else "")
                    + (f", question {fmt(e.get('question_seconds'))} s" if "question_seconds" in e else "")
                    + (f", error {e['error']}" if e.get("error") else "")
                    + (f", exceptions {e['exceptions']}" if e.get("exceptions") else ""))
    for line in scaleout_lines(res.get("scaleout")):
        say(line)
    say("targets:")
    for check in all_checks(res):
        say("  " + check.text())


def all_checks(res: dict) -> list[Check]:
    """Every target of one corpus size."""
    return ingest_checks(res) + graph_checks(res) + query_checks(res) + app_checks(res.get("app"))


def scaleout_lines(so: dict | None) -> list[str]:
    """The scale-out sample: one line per way of ingesting it."""
    if not so:
        return []
    if so.get("skipped"):
        return [f"scale-out: skipped: {so['skipped'][:300]}"]
    out = [f"scale-out sample: {so['docs']} documents, {so['bytes'] / 1e6:.1f} MB; "
           f"obligations query for {so.get('district')}"]
    for way, label in SCALEOUT_WAYS:
        e = so.get(way) or {}
        if e.get("skipped"):
            out.append(f"  {label}: skipped: {e['skipped'][:200]}")
        elif e:
            same = "" if way == "local" else ("; quads identical to local" if e.get("identical")
                                              else "; quads DIFFER from local")
            out.append(f"  {label}: {fmt(e.get('seconds'))} s, {fmt(e.get('docs_per_s'))} docs/s, "
                       f"{fmt(e.get('mb_per_s'))} MB/s; query {fmt(e.get('obligations_district_ms'))} ms "
                       f"({e.get('rows')} rows){same}")
    return out


SCALEOUT_WAYS = (("local", "2 local worker processes → embedded Oxigraph"),
                 ("cluster", "Dask LocalCluster, 2 worker processes → embedded Oxigraph"),
                 ("server", "2 local worker processes → Virtuoso over SPARQL 1.1"))


# --------------------------------------------------------------------------- the README table


def _mark(check: Check) -> str:
    if check.met is None:
        return "—" if check.value is None else f"❔ inconclusive (≥ {fmt(check.value)}{check.unit}, rdflib stopped)"
    return ("✅ met" if check.met else "❌ not met") + f" ({fmt(check.ratio)}×)"


def summary_markdown(results: list[dict], env: dict) -> str:
    codes = sorted({str(v.get("code")) for r in results for v in r.values()
                    if isinstance(v, dict) and v.get("code")}) or [code_version()]
    lines = [f"Measured {time.strftime('%Y-%m-%d')} on {env.get('cpu', '?')}, {env.get('cores')} cores, "
             f"{env.get('memory_gb')} GB RAM, Python {env.get('python')}; code {', '.join(codes)}.", ""]
    sizes = [r["docs"] for r in results]
    head = "| figure | " + " | ".join(f"{n:,} docs" for n in sizes) + " | target (at the largest size) |"
    lines += [head, "|" + "---|" * (len(sizes) + 2)]

    def row(label: str, values: list[str], target: str = "") -> None:
        lines.append(f"| {label} | " + " | ".join(values) + f" | {target} |")

    def get(r, *path):
        for p in path:
            r = (r or {}).get(p) if isinstance(r, dict) else None
        return r

    row("corpus size", [f"{get(r, 'corpus', 'bytes') / 1e6:.1f} MB" if get(r, 'corpus', 'bytes') else "—" for r in results])
    row("ingest wall time", [f"{get(r, 'ingest', 'seconds'):.0f} s" if get(r, 'ingest', 'seconds') else "—" for r in results])
    last = results[-1]
    checks = {c.name: c for c in all_checks(last) + growth_checks(results)}

    # rdflib is judged at the largest size where it ran (it cannot hold the largest stores)
    with_rdflib = [r for r in results if get(r, "queries", "rdflib", "operations")]
    rd_checks = {c.name: c for c in query_checks(with_rdflib[-1])} if with_rdflib else {}
    rd_where = f" (at {with_rdflib[-1]['docs']:,})" if with_rdflib and with_rdflib[-1] is not last else ""

    def target(name: str) -> str:
        c = checks.get(name)
        return f"{c.op} {fmt(c.target)}{c.unit}: {_mark(c)}" if c else ""

    row("ingest MB/s (default workers)", [fmt(get(r, 'ingest', 'mb_per_s')) for r in results],
        target("ingest MB/s (default workers)"))
    row("ingest documents/s", [fmt(get(r, 'ingest', 'docs_per_s')) for r in results])
    row("ingest MB/s, uncontended estimate (bytes ÷ CPU s × 2)",
        [fmt(cpu_mb_s(r.get("ingest"), 2)) for r in results])
    row("other processes' load during ingest (cores busy)", [others(r.get("ingest")) for r in results])
    row("baseline (a) jieba.lcut MB/s (CPU-based)",
        [f"{fmt(get(r, 'jieba', 'mb_per_s'))} ({fmt(cpu_mb_s(r.get('jieba')))})" for r in results])
    row("ingest ÷ (a)", [fmt(c.value) + "×" if c.value else "—" for c in (ingest_checks(r)[1] for r in results)],
        target("ingest ÷ baseline (a) jieba.lcut"))
    row("baseline (b) spaCy+jieba+EntityRuler MB/s (CPU-based)",
        [f"{fmt(get(r, 'ruler', 'mb_per_s'))} ({fmt(cpu_mb_s(r.get('ruler')))})" for r in results])
    row("ingest ÷ (b)", [fmt(c.value) + "×" if c.value else "—" for c in (ingest_checks(r)[2] for r in results)],
        target("ingest ÷ baseline (b) spaCy+jieba+EntityRuler"))
    row("ingest peak RSS, process tree (PSS)",
        [f"{fmt(get(r, 'ingest', 'memory', 'peak_rss_mb'))} MB ({fmt(get(r, 'ingest', 'memory', 'peak_pss_mb'))})"
         for r in results], target("ingest peak RSS of the process tree"))
    row("store size on disk", [f"{get(r, 'ingest', 'store_bytes') / 2**20:,.0f} MiB" if get(r, 'ingest', 'store_bytes')
                               else "—" for r in results])
    row("quads", [f"{get(r, 'queries', 'oxigraph', 'quads'):,}" if get(r, 'queries', 'oxigraph', 'quads') else "—"
                  for r in results])
    row("quads per document", [fmt(c.value) for c in (next(iter(graph_checks(r)), Check("", None, 0, "<=", ""))
                                                      for r in results)], target("quads per document"))
    row("store ÷ text", [fmt(c[1].value) + "×" if len(c) > 1 else "—" for c in (graph_checks(r) for r in results)],
        target("store on disk ÷ text bytes"))
    for name in query_bench.OPERATIONS:
        vals = []
        for r in results:
            o = get(r, "queries", "oxigraph", "operations", name) or {}
            rd = get(r, "queries", "rdflib", "operations", name) or {}
            ratio = rd["p50_ms"] / o["p50_ms"] if rd.get("p50_ms") and o.get("p50_ms") else None
            cell = f"{fmt(o.get('p50_ms'))} / {fmt(o.get('p95_ms'))} ms" if o else "—"
            if o.get("sparql_calls"):
                cell += f" ({o['sparql_calls']} SPARQL)"
            if ratio:
                cell += f"; rdflib {fmt(rd['p50_ms'])} ms ({'≥' if rd.get('timed_out') else ''}{fmt(ratio)}×)"
            vals.append(cell)
        tgt = [target(f"{name} p95")]
        rd_names = [k for k in rd_checks if k.startswith(f"{name} rdflib")]
        if rd_names:
            tgt.append(f"≥ 20× rdflib{rd_where}: {_mark(rd_checks[rd_names[0]])}")
        growth = [k for k in checks if k.startswith(f"{name} p95 growth")]
        if growth:
            tgt.append(f"growth {fmt(checks[growth[0]].value)}× (flat: ≤ {fmt(TARGET_FLAT)}×): {_mark(checks[growth[0]])}")
        row(f"{name} p50 / p95", vals, "; ".join(t for t in tgt if t))
    app = last.get("app") or {}
    if app.get("skipped"):
        row("app", ["" for _ in results[:-1]] + [f"skipped: {app['skipped'][:80]}"])
    elif app:
        row("app cold start (first page rendered)", ["" for _ in results[:-1]]
            + [f"{fmt(app.get('cold_start_seconds'))} s"])
        row("app cold start to the first answered question", ["" for _ in results[:-1]]
            + [f"{fmt(app.get('first_answer_seconds'))} s"], target("app cold start to the first answered question"))
        for page, e in app.get("pages", {}).items():
            row(f"app {page} first / again", ["" for _ in results[:-1]]
                + ([f"{fmt(e.get('first_seconds'))} / {fmt(e.get('second_seconds'))} s"] if "first_seconds" in e
                   else [f"> {fmt(e.get('first_seconds_at_least'))} s (stopped: {str(e.get('error'))[:60]})"]),
                "; ".join(t for t in (target(f"app page {page} (first visit)"),
                                      target(f"app page {page} (again: an interaction)")) if t))
            if "question_seconds" in e:
                row(f"app {page}: a question", ["" for _ in results[:-1]] + [f"{fmt(e['question_seconds'])} s"],
                    target(f"app {page}: ask a question"))
    so = next((r["scaleout"] for r in results if r.get("scaleout") and not r["scaleout"].get("skipped")), None)
    if so:
        lines += ["", f"Scale-out: a sample of {so['docs']} documents ({so['bytes'] / 1e6:.1f} MB) ingested three ways "
                      f"(start-up included); the `obligations` query of {so.get('district')} on each store:", "",
                  "| ingest | seconds | documents/s | MB/s | quads equal to local | query p50 (rows) |", "|---|---|---|---|---|---|"]
        for way, label in SCALEOUT_WAYS:
            e = so.get(way) or {}
            if e.get("skipped"):
                lines.append(f"| {label} | skipped: {e['skipped'][:80]} | | | | |")
            elif e:
                same = "(reference)" if way == "local" else ("yes" if e.get("identical") else "**no**")
                lines.append(f"| {label} | {fmt(e.get('seconds'))} | {fmt(e.get('docs_per_s'))} | "
                             f"{fmt(e.get('mb_per_s'))} | {same} | {fmt(e.get('obligations_district_ms'))} ms "
                             f"({e.get('rows')}) |")
    # the time split
    lines += ["", "Time split of a single-process ingest (pyinstrument):", ""]
    lines += ["| bucket | " + " | ".join(f"{r['docs']:,} docs: {get(r, 'profile', 'docs') or '—'} profiled" for r in results) + " |",
              "|" + "---|" * (len(results) + 1)]
    buckets: list[str] = []
    for r in results:
        for k in (get(r, "profile", "split", "summary") or {}):
            if k not in buckets:
                buckets.append(k)
    for k in buckets:
        vals = []
        for r in results:
            v = (get(r, "profile", "split", "summary") or {}).get(k)
            vals.append(f"{v['seconds']:.1f} s ({100 * v['share']:.0f} %)" if v else "—")
        lines.append(f"| {k} | " + " | ".join(vals) + " |")
    # growth estimate
    big = results[-1]
    if get(big, "ingest", "seconds") and get(big, "corpus", "bytes"):
        per_byte = big["ingest"]["seconds"] / big["corpus"]["bytes"]
        per_doc_disk = (get(big, "ingest", "store_bytes") or 0) / big["docs"]
        est_n = 100_000
        est_bytes = big["corpus"]["bytes"] / big["docs"] * est_n
        lines += ["", f"Estimate for {est_n:,} documents (linear from {big['docs']:,}): corpus "
                      f"{est_bytes / 1e9:.2f} GB, ingest {est_bytes * per_byte / 3600:.1f} h, store "
                      f"{per_doc_disk * est_n / 2**30:.1f} GiB on disk."]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="1000,10000", help="corpus sizes, comma-separated (default 1000,10000)")
    p.add_argument("--quick", action="store_true", help="smoke run: 50 documents, short budgets")
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "out"), help="output folder")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--workers", type=int, default=None, help="ingest workers (default: the setting, all cores)")
    p.add_argument("--reuse", action="store_true", help="keep stage results that exist in OUT/results")
    p.add_argument("--stages", default=",".join(STAGES), help=f"stages to run ({','.join(STAGES)})")
    p.add_argument("--baseline-docs", type=int, default=2000, help="documents the baselines read (a sample)")
    p.add_argument("--profile-docs", type=int, default=300, help="documents of the profiled ingest")
    p.add_argument("--query-budget", type=float, default=10.0, help="seconds of warm runs per query")
    p.add_argument("--query-repeats", type=int, default=30)
    p.add_argument("--operations", default=",".join(query_bench.OPERATIONS),
                   help="query operations to time (default: all; the all-corpus listings find_actor_all and "
                        "matrix_all take minutes each from 10,000 documents)")
    p.add_argument("--rdflib-max-docs", type=int, default=1000, help="largest corpus loaded into rdflib")
    p.add_argument("--rdflib-timeout", type=float, default=60.0, help="seconds before an rdflib call is stopped")
    p.add_argument("--rdflib-budget", type=float, default=30.0)
    p.add_argument("--rdflib-repeats", type=int, default=1)
    p.add_argument("--profile-queries", type=int, default=2, help="slowest operations to profile")
    p.add_argument("--scaleout-docs", type=int, default=200,
                   help="documents of the scale-out sample (local workers, a Dask cluster, Virtuoso)")
    args = p.parse_args(argv)
    args.stages = [s for s in args.stages.split(",") if s]
    if args.quick:
        args.sizes = "50"
        args.baseline_docs = min(args.baseline_docs, 50)
        args.profile_docs = min(args.profile_docs, 20)
        args.query_budget, args.query_repeats = 2.0, 5
        args.rdflib_timeout, args.rdflib_budget, args.rdflib_repeats = 30.0, 5.0, 1
        args.scaleout_docs = min(args.scaleout_docs, 20)
    args.sizes = [int(s) for s in str(args.sizes).split(",") if s.strip()]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = machine()
    say(f"policykb benchmarks: sizes {args.sizes}, out {args.out}, code {code_version()}")
    say(f"machine: {env}")
    runner = Runner(args)
    results = []
    for i, n in enumerate(args.sizes):
        results.append(runner.run_size(n, largest=i == len(args.sizes) - 1, smallest=i == 0))
    for res in results:
        print_size(res)
    out = Path(args.out)
    (out / "results.json").write_text(json.dumps({"machine": env, "code": code_version(), "results": results},
                                                 ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    md = summary_markdown(results, env)
    (out / "summary.md").write_text(md, encoding="utf-8")
    say(f"\nwrote {out / 'results.json'} and {out / 'summary.md'}")
    if len(results) > 1 and importlib.util.find_spec("matplotlib"):   # how each figure grows
        say(f"wrote {plot.plot(plot.growth(plot.read_runs([out])), out / 'growth.svg')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
