"""App benchmark: cold start to the first rendered page, and each page's time, with Streamlit's
``AppTest`` on a given store (``POLICYKB_STORE``).

* first, what ``policykb ingest`` prepares after an ingest (the question vocabulary, the versions in
  force, the document list; ``prepare_seconds``), unless the store already holds it;
* cold start: ``AppTest.from_file("app.py").run()`` in a fresh interpreter (imports, opening the
  store, the first page — the default one, ask — rendered);
* the first answer: the question (about the largest district) typed into that first page right
  after the cold start; cold start + this is the time to the first answered question;
* each page: ``at.switch_page(page).run()`` for every page file that exists (``webapp/pages/*.py``, as
  ``app.py`` lists them), timed twice: the first visit (caches cold) and a second one (a rerun, as
  every interaction is);
* the ask page again: the question asked once more (an interaction).

Skips (``{"skipped": …}``) when ``app.py`` does not exist yet or cannot be imported; a page that
raises is reported with its exception and the others go on. Targets (benchmarks/run.py): the first
answered question < 3 s from the cold start, every page's first visit < 2 s, an interaction < 1 s.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from benchmarks.common import ROOT, emit, run_child


def app_benchmark(store: str | Path, *, question: str | None = None, timeout: float | None = 1200,
                  root: str | Path = ROOT, run_timeout: float = 120.0) -> dict:
    """Run the app benchmark on ``store`` in a child process (see the module docstring)."""
    app = Path(root) / "app.py"
    if not app.is_file():
        return {"skipped": "app.py does not exist yet"}
    try:
        import streamlit.testing.v1  # noqa: F401
    except ImportError as exc:
        return {"skipped": f"streamlit.testing is not available: {exc}"}
    import json
    import tempfile

    try:   # what `policykb ingest` and `policykb app` prepare after an ingest (timed apart)
        prepared = run_child("benchmarks.app_bench", ["prepare", str(store)], timeout=timeout)
    except RuntimeError:
        prepared = {}
    partial = Path(tempfile.mkdtemp(prefix="pkb-app-bench-")) / "partial.json"
    args = ["run", str(store), "--root", str(root), "--timeout", str(run_timeout),
            "--partial", str(partial)] + (["--question", question] if question else [])
    try:
        result = run_child("benchmarks.app_bench", args, timeout=timeout, measure_memory=True,
                           env={"POLICYKB_STORE": str(store)})
        result["prepare_seconds"] = prepared.get("prepare_seconds")
        return result
    except RuntimeError as exc:
        result = json.loads(partial.read_text(encoding="utf-8")) if partial.is_file() else {}
        result["incomplete"] = f"the app benchmark did not finish: {str(exc)[-1500:]}"
        if "cold_start_seconds" not in result:
            result["skipped"] = result["incomplete"]
        return result


def _exceptions(at) -> list[str]:
    try:
        return [str(e.value)[:300] for e in at.exception]
    except Exception:
        return []


def _child(store: str, root: str, question: str | None, timeout: float, partial: str | None = None) -> dict:
    import json

    def save() -> None:  # what is measured so far, for the parent should this run be stopped
        if partial:
            Path(partial).write_text(json.dumps(result, ensure_ascii=False, default=str), encoding="utf-8")

    result: dict = {"run_timeout_seconds": timeout, "pages": {}}
    os.environ["POLICYKB_STORE"] = store
    os.chdir(root)
    t0 = time.perf_counter()
    from streamlit.testing.v1 import AppTest

    imported = time.perf_counter() - t0
    at = AppTest.from_file(str(Path(root) / "app.py"), default_timeout=timeout)
    t = time.perf_counter()
    try:
        at.run()
    except Exception as exc:  # e.g. the first page did not render within the run timeout
        result.update(import_seconds=imported, cold_error=f"{type(exc).__name__}: {str(exc)[:300]}",
                      cold_start_seconds=None, first_run_seconds=time.perf_counter() - t)
        save()
        return result
    cold = time.perf_counter() - t
    result.update(import_seconds=imported, cold_start_seconds=cold + imported, first_run_seconds=cold,
                  cold_exceptions=_exceptions(at))
    save()
    if question:   # the default page is ask: the first question of a fresh app
        first = _ask(at, question)
        result["first_answer"] = first
        if "question_seconds" in first:
            result["first_answer_seconds"] = result["cold_start_seconds"] + first["question_seconds"]
        save()
    pages = _page_files(root)
    for page in pages:
        entry: dict = {}
        result["pages"][page] = entry
        for visit in ("first", "second"):
            t = time.perf_counter()
            try:
                at.switch_page(page).run()
                entry[f"{visit}_seconds"] = time.perf_counter() - t
                exc = _exceptions(at)
                if exc:
                    entry["exceptions"] = exc
            except Exception as exc:  # a page that fails or runs past the timeout: report, go on
                entry["error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
                entry[f"{visit}_seconds_at_least"] = time.perf_counter() - t
                at = AppTest.from_file(str(Path(root) / "app.py"), default_timeout=timeout)  # a fresh session
                break
            finally:
                save()
        if question and Path(page).stem == "ask" and "error" not in entry:
            entry.update(_ask(at, question))
            save()
    return result


def _ask(at, question: str) -> dict:
    """Type ``question`` into the ask page's first text or chat input and time the answer."""
    try:
        if len(at.chat_input):
            widget = at.chat_input[0]
        elif len(at.text_input):
            widget = at.text_input[0]
        elif len(at.text_area):
            widget = at.text_area[0]
        else:
            return {"question": "no text input on the page"}
        t = time.perf_counter()
        widget.set_value(question).run()
        seconds = time.perf_counter() - t
        out = {"question": question, "question_seconds": seconds}
        exc = _exceptions(at)
        if exc:
            out["question_exceptions"] = exc
        return out
    except Exception as exc:
        return {"question_error": f"{type(exc).__name__}: {str(exc)[:300]}"}


def _page_files(root: str) -> list[str]:
    """The app's page files (``webapp/pages/*.py``; ``pages/*.py`` in older checkouts)."""
    for folder in ("webapp/pages", "pages"):
        files = sorted(str(p.relative_to(root)) for p in (Path(root) / folder).glob("*.py"))
        if files:
            return files
    return []


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.app_bench")
    parser.add_argument("mode", choices=["run", "prepare"])
    parser.add_argument("store")
    parser.add_argument("--root", default=str(ROOT))
    parser.add_argument("--question")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--partial")
    args = parser.parse_args(argv)
    if args.mode == "prepare":
        from benchmarks.ingest_bench import prepare_answers

        emit({"prepare_seconds": prepare_answers(args.store)})
        return
    emit(_child(args.store, args.root, args.question, args.timeout, args.partial))


if __name__ == "__main__":
    sys.exit(main())
