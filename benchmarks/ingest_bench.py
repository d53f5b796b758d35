"""Ingest benchmark: policykb's ingest end to end, two baselines over the same text, and the time split.

Each measurement runs in a fresh interpreter (``python -m benchmarks.ingest_bench MODE …``), as
``policykb ingest`` would, so imports, model loading and worker start-up are counted and the
memory of the process tree is that of the ingest alone:

* ``ingest``  — :func:`ingest.runner.ingest` of the whole corpus folder into a new on-disk store,
  default workers (all cores): read → normalize → extract in workers → batched atomic writes
  with their reader snapshots. Throughput in MB/s (10^6 bytes of the files on disk) and
  documents/s; peak memory of the process tree (psutil, sampled by the parent every 0.25 s).
* ``jieba``   — baseline (a): ``jieba.lcut`` over every paragraph of every document, one process.
* ``ruler``   — baseline (b): ``spacy.blank("zh")`` with the jieba segmenter and an EntityRuler whose
  phrase patterns are every zh label of our vocabulary (``ontology.labels``), ``nlp(text)`` per
  document, one process.
* ``profile`` — one ingest with ``workers=1`` under pyinstrument; the call tree is split into
  read / normalize / nlp (by step and component) / rdf writer / store writes (parse, commit,
  snapshot) / plan look-ups.

The baselines read files with the same reader (``ingest.reader.read_document``) so decoding costs
the same everywhere; their times include loading their dictionaries and models, as ours includes
building the pipeline in every worker.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.common import MB, dir_size, emit, run_child

# --------------------------------------------------------------------------- parent side


def ingest_benchmark(corpus: str | Path, store: str | Path, *, workers: int | None = None,
                     timeout: float | None = None) -> dict:
    """Ingest ``corpus`` into a new store at ``store`` (removed first); figures of the run."""
    shutil.rmtree(store, ignore_errors=True)
    args = ["ingest", str(corpus), str(store)] + (["--workers", str(workers)] if workers else [])
    result = run_child("benchmarks.ingest_bench", args, timeout=timeout, measure_memory=True)
    result["store_bytes"] = dir_size(store)
    result["store_db_bytes"] = dir_size(Path(store) / "db")
    return result


def baseline(mode: str, corpus: str | Path, limit: int | None = None, timeout: float | None = None) -> dict:
    """Baseline ``"jieba"`` (a) or ``"ruler"`` (b) over the first ``limit`` documents."""
    args = [mode, str(corpus)] + (["--limit", str(limit)] if limit else [])
    return run_child("benchmarks.ingest_bench", args, timeout=timeout, measure_memory=True)


def profile_benchmark(corpus: str | Path, store: str | Path, out_prefix: str | Path,
                      limit: int | None = None, timeout: float | None = None) -> dict:
    """A single-process ingest of the first ``limit`` documents under pyinstrument: the time split,
    and the profile as text and HTML at ``out_prefix``.txt/.html."""
    shutil.rmtree(store, ignore_errors=True)
    args = ["profile", str(corpus), str(store), "--out-prefix", str(out_prefix)] + \
        (["--limit", str(limit)] if limit else [])
    return run_child("benchmarks.ingest_bench", args, timeout=timeout)


# --------------------------------------------------------------------------- child side


def _files(corpus: str, limit: int | None) -> list[str]:
    from benchmarks.corpus import corpus_files

    files = []
    for path in corpus_files(corpus):
        files.append(str(path))
        if limit and len(files) >= limit:
            break
    return files


def _bytes(files: list[str]) -> int:
    return sum(os.path.getsize(f) for f in files)


def prepare_answers(store_path: str) -> float:
    """What ``policykb ingest`` does after an ingest (not counted in its throughput): prepare the
    answers a fresh process starts from (question vocabulary, versions in force, document list);
    its seconds."""
    from kb.commands.common import prepare_answers as prepare

    start = time.monotonic()
    prepare(store_path, quiet=True)
    return round(time.monotonic() - start, 3)


def _child_ingest(corpus: str, store_path: str, workers: int | None) -> dict:
    t0 = time.monotonic()
    from ingest.runner import discover, ingest
    from kb import settings
    from kb.store import open_store

    imported = time.monotonic() - t0
    files = list(discover([corpus]))
    size = _bytes(files)
    stamps: dict[str, float] = {}
    statuses: dict[str, int] = defaultdict(int)
    triples = 0

    def on_start(n: int) -> None:
        stamps["planning_started"] = time.monotonic()

    def on_result(r) -> None:
        nonlocal triples
        stamps.setdefault("first_result", time.monotonic())
        statuses[r.status] += 1
        triples += r.triples

    # memory is sampled by the parent process (run_child): a sampler thread in here would take the
    # GIL from the store writer, which is on the critical path
    start = time.monotonic()
    with open_store(store_path) as store:
        summary = ingest(store, [corpus], workers=workers, on_start=on_start, on_result=on_result)
    seconds = time.monotonic() - start
    prepared = prepare_answers(store_path)
    errors = [f"{r.path}: {r.error}" for r in summary.errors][:5]
    return {
        "prepare_seconds": prepared,
        "docs": len(files), "bytes": size, "seconds": round(seconds, 3),
        "import_seconds": round(imported, 3),
        "workers": settings.get("workers", workers),
        "mb_per_s": size / MB / seconds, "docs_per_s": len(files) / seconds,
        "seconds_to_first_commit": round(stamps.get("first_result", start) - start, 3),
        "statuses": dict(statuses), "errors": errors, "triples": triples,
        "facts": summary.facts,
    }


def _child_jieba(corpus: str, limit: int | None) -> dict:
    files = _files(corpus, limit)
    start = time.monotonic()
    import jieba

    from ingest.reader import read_document

    jieba.setLogLevel(60)
    jieba.initialize()
    init = time.monotonic() - start
    words = 0
    for f in files:
        for para in read_document(f).text.split("\n"):
            if para:
                words += len(jieba.lcut(para))
    seconds = time.monotonic() - start
    size = _bytes(files)
    return {"docs": len(files), "bytes": size, "seconds": round(seconds, 3), "init_seconds": round(init, 3),
            "mb_per_s": size / MB / seconds, "docs_per_s": len(files) / seconds, "tokens": words}


def ruler_patterns() -> list[dict]:
    """Phrase patterns of every zh label (prefLabel and altLabels) of every scheme."""
    from ontology import labels

    patterns, seen = [], set()
    for scheme in ("model", "actor", "category", "period", "unit", "kind", "modality"):
        for code, concept in labels(scheme).items():
            zh = [concept["prefLabel"].get("zh")] + list(concept.get("altLabel", {}).get("zh", []))
            for label in zh:
                if label and (scheme, label) not in seen:
                    seen.add((scheme, label))
                    patterns.append({"label": scheme.upper(), "pattern": label, "id": code})
    return patterns


def _child_ruler(corpus: str, limit: int | None) -> dict:
    files = _files(corpus, limit)
    start = time.monotonic()
    import jieba
    import spacy

    from ingest.reader import read_document

    jieba.setLogLevel(60)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ruler = nlp.add_pipe("entity_ruler")
    patterns = ruler_patterns()
    ruler.add_patterns(patterns)
    nlp("初始化")  # jieba loads its dictionary lazily
    init = time.monotonic() - start
    ents = tokens = 0
    for f in files:
        doc = nlp(read_document(f).text)
        ents += len(doc.ents)
        tokens += len(doc)
    seconds = time.monotonic() - start
    size = _bytes(files)
    return {"docs": len(files), "bytes": size, "seconds": round(seconds, 3), "init_seconds": round(init, 3),
            "mb_per_s": size / MB / seconds, "docs_per_s": len(files) / seconds, "entities": ents,
            "tokens": tokens, "patterns": len(patterns)}


# -- the time split ------------------------------------------------------------------------

PHASES = (  # (file suffix, function) → phase; the innermost phase frame wins
    ("ingest/runner.py", "plan", "plan (main process: read, normalize, hash, store look-ups)"),
    ("ingest/runner.py", "extract", "extract (worker: read, annotate, rdf)"),
    ("ingest/runner.py", "flush", "store writer (main process)"),
    ("kb/store/base.py", "ensure_vocabulary", "start-up"),
    ("ingest/pipeline.py", "build_nlp", "start-up"),
)

SUMMARY = {  # category → the brief's four-way split
    "read": "read/normalize", "normalize": "read/normalize",
    "rdf writer": "rdf writer",
    "store: parse + check N-Quads": "store writes incl. snapshots",
    "store: commit (extend/update)": "store writes incl. snapshots",
    "store: snapshot (checkpoint)": "store writes incl. snapshots",
    "store: removal check": "store writes incl. snapshots",
    "store: look-ups (plan)": "plan look-ups",
    "start-up: build pipeline": "start-up", "start-up: vocabulary": "start-up",
    "imports": "start-up",
}


def category(frame) -> str | None:
    """The category a profile frame (and everything below it, unless re-categorized) belongs to."""
    fp = (frame.file_path or "").replace("\\", "/")
    fn = frame.function or ""
    if "importlib._bootstrap" in fp and fn == "_find_and_load":
        return "imports"
    if "/jieba/" in fp:
        return "nlp: jieba segmentation"
    if fp.endswith("ingest/reader.py") and fn == "read_document":
        return "read"
    if fp.endswith("ingest/normalize.py") and fn == "normalize":
        return "normalize"
    if fp.endswith("ingest/structure.py") and fn == "segment":
        return "nlp: structure (sentences, clauses)"
    if fp.endswith("ingest/pipeline.py"):
        return {"make_doc": "nlp: make_doc (Doc construction)", "annotate": "nlp: other",
                "build_nlp": "start-up: build pipeline"}.get(fn)
    if "/ingest/components/" in fp and fn.endswith("_component"):
        return "nlp: " + fn
    if fp.endswith("ingest/rdf_writer.py") and fn == "document_graph":
        return "rdf writer"
    if fp.endswith("kb/store/batches.py"):
        return {"parse": "store: parse + check N-Quads", "needs_removal": "store: removal check"}.get(fn)
    if fp.endswith("kb/store/oxigraph.py"):
        return {"_commit": "store: commit (extend/update)", "_snapshot": "store: snapshot (checkpoint)"}.get(fn)
    if fp.endswith("kb/store/base.py"):
        if fn in ("graph_info", "graphs_for_source"):
            return "store: look-ups (plan)"
        if fn == "ensure_vocabulary":
            return "start-up: vocabulary"
    if fp.endswith("ingest/runner.py") and fn == "discover":
        return "discover files"
    return None


def _phase(frame) -> str | None:
    fp = (frame.file_path or "").replace("\\", "/")
    for suffix, fn, phase in PHASES:
        if fp.endswith(suffix) and frame.function == fn:
            return phase
    return None


def split_profile(root) -> dict:
    """Seconds per (phase, category) and per summary bucket, from a pyinstrument root frame."""
    by_cat: dict[tuple[str, str], float] = defaultdict(float)
    stack = [(root, "other", "other")]
    while stack:
        frame, phase, cat = stack.pop()
        phase = _phase(frame) or phase
        c = category(frame)
        if c is not None:
            cat = c
        children = list(frame.children)
        own = frame.time - sum(ch.time for ch in children)
        if own > 0:
            by_cat[(phase, cat)] += own
        stack.extend((ch, phase, cat) for ch in children)
    total = root.time
    rows = sorted(({"phase": p, "category": c, "seconds": round(s, 3), "share": s / total}
                   for (p, c), s in by_cat.items() if s >= 0.0005), key=lambda r: -r["seconds"])
    summary: dict[str, float] = defaultdict(float)
    for (p, c), s in by_cat.items():
        if c.startswith("nlp: "):
            bucket = "nlp"
        else:
            bucket = SUMMARY.get(c, "other (runner, interpreter, imports)")
        if p.startswith("plan") and bucket == "read/normalize":
            bucket = "read/normalize (again, in plan)"
        summary[bucket] += s
    return {"total_seconds": round(total, 3), "rows": rows,
            "summary": {k: {"seconds": round(v, 3), "share": v / total}
                        for k, v in sorted(summary.items(), key=lambda kv: -kv[1])}}


def top_functions(root, n: int = 25) -> list[dict]:
    """The functions with the most own time (self time summed over the call tree)."""
    own: dict[tuple[str, str, int], float] = defaultdict(float)
    stack = [root]
    while stack:
        frame = stack.pop()
        children = list(frame.children)
        t = frame.time - sum(ch.time for ch in children)
        if t > 0:
            real = frame
            while real.parent is not None and (real.is_synthetic or (real.function or "").startswith("[")):
                real = real.parent
            own[(real.function or "?", real.file_path_short or real.file_path or "?", real.line_no or 0)] += t
        stack.extend(children)
    total = root.time
    return [{"function": f, "file": p, "line": ln, "seconds": round(s, 3), "share": s / total}
            for (f, p, ln), s in sorted(own.items(), key=lambda kv: -kv[1])[:n]]


def _child_profile(corpus: str, store_path: str, limit: int | None, out_prefix: str) -> dict:
    from pyinstrument import Profiler

    files = _files(corpus, limit)
    profiler = Profiler(interval=0.001)
    profiler.start()
    from ingest.runner import ingest
    from kb.store import open_store

    start = time.monotonic()
    with open_store(store_path) as store:
        summary = ingest(store, files, workers=1)
    seconds = time.monotonic() - start
    profiler.stop()
    session = profiler.last_session
    root = session.root_frame()
    Path(out_prefix).parent.mkdir(parents=True, exist_ok=True)
    Path(f"{out_prefix}.txt").write_text(profiler.output_text(unicode=True, color=False, show_all=False),
                                         encoding="utf-8")
    Path(f"{out_prefix}.html").write_text(profiler.output_html(), encoding="utf-8")
    size = _bytes(files)
    split = split_profile(root)
    return {"docs": len(files), "bytes": size, "seconds": round(seconds, 3), "mb_per_s": size / MB / seconds,
            "errors": len(summary.errors), "split": split, "top_functions": top_functions(root),
            "triage": triage_shares(files),
            "profile_text": f"{out_prefix}.txt", "profile_html": f"{out_prefix}.html"}


def triage_shares(files: list[str]) -> dict:
    """The share of the sentences' characters that the triage passes on (``kept``: to the rule
    component's clause analysis) and that jieba segments (``segmented``), over ``files``."""
    from ingest.normalize import normalize
    from ingest.reader import read_document
    from ingest.structure import segment
    from ingest.triage import segment_pattern, triage_pattern

    chars = kept = segmented = 0
    for f in files:
        structure = segment(normalize(read_document(f).text).text)
        for sentence in structure.sentences:
            piece = structure.text[sentence.start:sentence.end]
            chars += len(piece)
            kept += len(piece) if triage_pattern().search(piece) else 0
            segmented += len(piece) if segment_pattern().search(piece) else 0
    return {"chars": chars, "kept": kept / chars if chars else None,
            "segmented": segmented / chars if chars else None}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ingest_bench")
    parser.add_argument("mode", choices=["ingest", "jieba", "ruler", "profile"])
    parser.add_argument("corpus")
    parser.add_argument("store", nargs="?")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--out-prefix", default="benchmarks/out/ingest-profile")
    args = parser.parse_args(argv)
    if args.mode == "ingest":
        emit(_child_ingest(args.corpus, args.store, args.workers))
    elif args.mode == "jieba":
        emit(_child_jieba(args.corpus, args.limit))
    elif args.mode == "ruler":
        emit(_child_ruler(args.corpus, args.limit))
    else:
        emit(_child_profile(args.corpus, args.store, args.limit, args.out_prefix))


if __name__ == "__main__":
    sys.exit(main())
