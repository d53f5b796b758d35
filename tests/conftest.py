"""Shared fixtures: the corpus ingested once per test session into a real Oxigraph store on disk;
and this process's child processes, read from /proc."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DOCS = ROOT / "source_docs"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def live_children(command: bytes = b"") -> set[int]:
    """This process's live (not zombie) child processes whose command line holds ``command``."""
    me, found = str(os.getpid()), set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if fields[1] != me or fields[0] in "ZX" or command not in (stat.parent / "cmdline").read_bytes():
                continue
        except OSError:
            continue
        found.add(int(stat.parent.name))
    return found


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/*.json from the current extraction instead of comparing")


@pytest.fixture(scope="session")
def corpus_store_path(tmp_path_factory) -> Path:
    """A store folder holding the five source documents (ingested once, then opened by tests)."""
    return ingested_store(tmp_path_factory.mktemp("corpus-store"), SOURCE_DOCS)


def ingested_store(path: Path, *sources) -> Path:
    """The store folder ``path`` with ``sources`` (files or folders) ingested, none failing."""
    from ingest.runner import ingest
    from kb.store import open_store

    with open_store(str(path)) as store:
        summary = ingest(store, [str(s) for s in sources], workers=1)
    assert not summary.errors, [r.error for r in summary.errors]
    return path



def required_bindings(named) -> dict:
    """Values for a named query's required parameters, as the application binds them (left free,
    ``?actor skos:broader* ?target`` matches every term of the store; the query refuses to run)."""
    from kb.obligations import concept

    values = {"target": concept("actor", "member_school"), "needle": "集团", "period": concept("period", "month")}
    return {name: values[name] for name in named.required}


GENERATED_DOCS = 60   # documents of the generated corpus (benchmarks.corpus) behind ``big``


@pytest.fixture(scope="session")
def big_store_path(tmp_path_factory) -> Path:
    """``python -m benchmarks.corpus DIR --docs 60`` ingested into a fresh store (read only by
    the tests that use it)."""
    base = tmp_path_factory.mktemp("generated")
    subprocess.run([sys.executable, "-m", "benchmarks.corpus", str(base / "corpus"), "--docs", str(GENERATED_DOCS)],
                   check=True, cwd=ROOT, capture_output=True)
    return ingested_store(base / "kb", base / "corpus")


@pytest.fixture(scope="session")
def big(big_store_path):
    """The generated store, open read-only."""
    from kb.store import open_store

    with open_store(str(big_store_path), read_only=True) as store:
        yield store

@pytest.fixture(scope="session")
def corpus_store(corpus_store_path):
    """The corpus store opened read-only (a snapshot), shared by every test that only reads."""
    from kb.store import open_store

    with open_store(str(corpus_store_path), read_only=True) as store:
        yield store


@pytest.fixture(scope="session")
def extracted() -> dict[str, dict]:
    """``policykb extract source_docs/*.txt --format json`` (the real command), by file stem."""
    files = sorted(str(p) for p in SOURCE_DOCS.glob("*.txt"))
    out = subprocess.run([sys.executable, "-m", "kb.cli", "extract", *files, "--format", "json",
                          "--workers", "1"], capture_output=True, text=True, cwd=ROOT, check=True)
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    return {Path(d["source"]).stem: d for d in lines}


@pytest.fixture(scope="session")
def store_path(corpus_store_path) -> Path:
    """The corpus store's folder, under the short name most test modules use."""
    return corpus_store_path


@pytest.fixture(scope="session")
def store(corpus_store):
    """The corpus store opened read-only, under the short name most test modules use (a module
    that needs a store of its own defines its own ``store``)."""
    return corpus_store


@pytest.fixture(autouse=True)
def main_module_restored():
    """Put back ``sys.modules["__main__"]`` after each test: Streamlit's script runner (AppTest)
    installs the app's script as ``__main__`` and leaves it there, and a process started later
    with the spawn method (a Dask worker) would then run app.py as its own main module."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture()
def media(monkeypatch) -> list:
    """Record the media file managers AppTest creates, to read what download buttons serve."""
    import streamlit.testing.v1.app_test as app_test_module

    managers: list = []
    base = app_test_module.MediaFileManager

    class Recording(base):  # type: ignore[misc, valid-type]
        def __init__(self, storage) -> None:
            super().__init__(storage)
            managers.append(self)

    monkeypatch.setattr(app_test_module, "MediaFileManager", Recording)
    return managers


def summary_lines_checked(comparison) -> int:
    """Assert that every summary line of ``comparison`` (count, documents, groups, strongest
    frequency, school total) is what the rows behind it (:meth:`Comparison.details`) give; the
    number of lines checked."""
    from kb.compare import strongest

    checked = 0
    for key, columns in comparison.summary.items():
        for i, lines in enumerate(columns):
            for line in lines:
                rows = comparison.details(key, i, line.signature)
                if key == "schools":
                    assert line.count == rows[0].extra["schools"] and line.groups == rows[0].extra["groups"]
                    continue
                assert line.count == len(rows), (key, comparison.scopes[i].label, line.label)
                assert line.documents == len({r.citation.doc for r in rows if r.citation})
                if key == "models":
                    assert line.groups == len({g for r in rows for g in r.extra.get("groups", ())})
                assert line.frequency == strongest(r.extra.get("frequency") for r in rows)
                checked += 1
    return checked
