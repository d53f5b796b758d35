"""Hostile queries and values: nothing gets through, nothing changes, nothing runs for ever.

* User-written SPARQL — :func:`kb.store.run_user_query` (the SPARQL console) and
  ``policykb query FILE.rq`` — is read-only: every SPARQL Update form is refused with
  ``PKB-QUERY-READONLY`` and ``SERVICE`` with ``PKB-QUERY-SERVICE``.
* Every value a user gives reaches SPARQL as a bound term: injection strings as question words
  (:func:`kb.ask.ask`), as filter values (:func:`kb.obligations.find`, :func:`kb.matrix.matrix`,
  :func:`kb.compare.compare`, :func:`kb.scopes.resolve`) and as ``--param`` values of
  ``policykb query``. A spy on ``OxigraphStore.query`` shows that every query text the library
  runs is one of its fixed texts (the named queries, the store's own, the integrity check), never
  one with user text in it; and the store's N-Quads export is byte-identical afterwards.
* A user query has a time limit (``POLICYKB_QUERY_TIMEOUT``: stopped at the deadline with
  ``PKB-QUERY-TIMEOUT``, its process killed) and a result-size limit (``POLICYKB_MAX_RESULTS``:
  truncated, or refused with ``strict``).
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kb import queries
from kb.errors import PolicyKBError, QueryError
from kb.store import open_store, run_user_query
from kb.store.oxigraph import OxigraphStore
from tests.conftest import live_children

ROOT = Path(__file__).resolve().parent.parent
ENV = dict(os.environ, COLUMNS="1000", NO_COLOR="1")

INJECTIONS = [
    '" } ; DROP ALL #',
    "'> <x> <y> .",
    "\\u0022 } ; CLEAR ALL #",
    '张掖市" . } DROP GRAPH <https://w3id.org/policykb/graph/vocabulary> ; #',
    "张掖市\n} ; INSERT DATA { <http://evil.example/s> <http://evil.example/p> <http://evil.example/o> } #",
    "张掖市\r\n#\nDELETE WHERE { ?s ?p ?o }",
    '?district ) } UNION { ?s ?p ?o',
    '""" ; DROP ALL ; """',
    '张掖市"@zh',
    "<https://w3id.org/policykb/id/doc/x> <http://evil.example/p> ",
    "成员校') ; LOAD <http://evil.example/data.ttl> #",
    "\x00\x1b[31m\u202e",
]

UPDATES = {
    "INSERT DATA": "INSERT DATA { <http://evil.example/s> <http://evil.example/p> <http://evil.example/o> }",
    "DELETE DATA": "DELETE DATA { GRAPH <https://w3id.org/policykb/graph/vocabulary> { <http://a> <http://b> <http://c> } }",
    "DELETE WHERE": "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }",
    "DELETE/INSERT": "DELETE { GRAPH ?g { ?s ?p ?o } } INSERT { GRAPH ?g { ?s ?p 1 } } WHERE { GRAPH ?g { ?s ?p ?o } }",
    "LOAD": "LOAD <file:///etc/passwd> INTO GRAPH <http://evil.example/g>",
    "CLEAR": "CLEAR ALL",
    "DROP": "DROP ALL",
    "CREATE": "CREATE GRAPH <http://evil.example/g>",
    "ADD": "ADD DEFAULT TO <http://evil.example/g>",
    "MOVE": "MOVE <https://w3id.org/policykb/graph/vocabulary> TO DEFAULT",
    "COPY": "COPY <https://w3id.org/policykb/graph/vocabulary> TO <http://evil.example/g>",
    "query then update": "SELECT * WHERE { ?s ?p ?o } ;\nDROP ALL",
    "prologue then update": "PREFIX ex: <http://example.org/>\n# a comment\nCLEAR GRAPH ex:g",
}
SERVICES = {
    "SERVICE": "SELECT * WHERE { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }",
    "SERVICE SILENT": "SELECT * WHERE { ?a ?b ?c . SERVICE SILENT <https://evil.example/sparql> { ?s ?p ?o } }",
    "SERVICE ?var": "ASK { ?x <http://p> ?endpoint . SERVICE ?endpoint { ?s ?p ?o } }",
}
#: ~5,000 triples cubed: never finishes, and Oxigraph cannot interrupt it between rows
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def cli(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env or ENV, timeout=timeout)


def fingerprint(store_dir: Path) -> tuple[int, int, str]:
    """(document graphs, triples with the vocabulary, SHA-256 of the N-Quads export of everything)."""
    with open_store(str(store_dir), read_only=True) as store:
        data = store.export("nquads", include_vocabulary=True)
        return (len(store.graphs()), store.triple_count(include_vocabulary=True),
                hashlib.sha256(data).hexdigest())


@pytest.fixture(scope="module")
def store_dir(corpus_store_path, tmp_path_factory) -> Path:
    """A private copy of the corpus store: these tests open it for writing, so an injection could write."""
    path = tmp_path_factory.mktemp("robust-injection") / "kb"
    shutil.copytree(corpus_store_path, path, ignore=shutil.ignore_patterns("writer.lock"))
    return path


@pytest.fixture(scope="module")
def before(store_dir):
    return fingerprint(store_dir)


@pytest.fixture()
def unchanged(store_dir, before):
    """Asserts after the test that the store is exactly as it was."""
    yield
    assert fingerprint(store_dir) == before


def fixed_query_texts() -> set[str]:
    """Every SPARQL text the library may run: named queries, the store's own, the integrity check."""
    from kb.store import base
    from kb.validate import INTEGRITY

    texts = {q.text for q in queries.list_queries()} | {INTEGRITY}
    texts |= {v for k, v in vars(base).items()
              if k.startswith("_") and isinstance(v, str) and re.search(r"\b(SELECT|ASK)\b", v)}
    return texts


@pytest.fixture()
def spy(monkeypatch):
    """Records every (query text, bindings) that reaches the embedded store."""
    calls: list[tuple[str, dict]] = []
    original = OxigraphStore.query

    def query(self, sparql, bindings=None, **kw):
        calls.append((sparql, dict(bindings or {})))
        return original(self, sparql, bindings, **kw)

    monkeypatch.setattr(OxigraphStore, "query", query)
    return calls


def assert_only_fixed_texts(calls: list[tuple[str, dict]], injection: str) -> None:
    allowed = fixed_query_texts()
    assert calls, "nothing was queried"
    for sparql, bindings in calls:
        assert sparql in allowed, f"a query text that is not one of the fixed ones ran:\n{sparql[:300]}"
        assert injection not in sparql


# --------------------------------------------------------------------------- read-only

@pytest.mark.parametrize("name", list(UPDATES))
def test_run_user_query_refuses_updates(store_dir, unchanged, name):
    with pytest.raises(QueryError) as err:
        run_user_query(UPDATES[name], location=str(store_dir), timeout=30)
    assert err.value.code == "PKB-QUERY-READONLY"


@pytest.mark.parametrize("name", list(SERVICES))
def test_run_user_query_refuses_service(store_dir, unchanged, name):
    with pytest.raises(QueryError) as err:
        run_user_query(SERVICES[name], location=str(store_dir), timeout=30)
    assert err.value.code == "PKB-QUERY-SERVICE"


@pytest.mark.parametrize("sparql, code", [
    (UPDATES["LOAD"], "PKB-QUERY-READONLY"),
    (UPDATES["query then update"], "PKB-QUERY-READONLY"),
    (SERVICES["SERVICE"], "PKB-QUERY-SERVICE"),
])
def test_cli_query_file_refuses_updates_and_service(store_dir, unchanged, tmp_path, sparql, code):
    rq = tmp_path / "hostile.rq"
    rq.write_text(sparql, encoding="utf-8")
    out = cli("query", str(rq), "--store", str(store_dir))
    assert out.returncode == 2, out.stdout + out.stderr
    assert code in out.stderr and "Traceback" not in out.stderr


def test_a_store_cannot_be_updated_through_query_even_unchecked(store_dir, unchanged):
    """Below the check, the store's query entry point does not execute updates either."""
    with open_store(str(store_dir), read_only=True) as store:
        with pytest.raises(QueryError):
            store.query(UPDATES["DROP"])


# --------------------------------------------------------------------------- bound values

@pytest.fixture(scope="module")
def writable(store_dir):
    with open_store(str(store_dir)) as store:
        yield store


@pytest.mark.parametrize("injection", INJECTIONS)
def test_question_words_are_bound_not_pasted(writable, spy, unchanged, injection):
    from kb.ask import ask, clear_cache

    clear_cache()
    for question in (injection, f"哪些义务适用于{injection}？", f"{injection}的成员校每月要做什么",
                     f"What must {injection} do every month?"):
        answer = ask(writable, question)
        assert answer.error is None or answer.error.code.startswith("PKB-ASK")
    assert_only_fixed_texts(spy, injection)


@pytest.mark.parametrize("injection", INJECTIONS)
def test_filter_values_are_bound_not_pasted(writable, spy, unchanged, injection):
    from kb import compare, matrix, obligations, scopes

    assert obligations.find(writable, district=injection) == []
    assert obligations.find(writable, district=injection, actor="member_school") == []
    for call in (lambda: obligations.find(writable, actor=injection),
                 lambda: obligations.find(writable, category=injection),
                 lambda: matrix.matrix(writable, district=injection),
                 lambda: matrix.matrix(writable, group=injection),
                 lambda: compare.compare(writable, [injection, "张掖市"]),
                 lambda: scopes.resolve(writable, injection)):
        try:
            call()
        except PolicyKBError as exc:           # refused with a code, e.g. PKB-SCOPE-UNKNOWN
            assert exc.code.startswith("PKB-")
    assert_only_fixed_texts(spy, injection)
    district_values = [b.get("district") for _, b in spy if "district" in b]
    assert injection in district_values          # it did reach the store: as a bound value


def test_cli_param_values_are_bound(store_dir, unchanged, tmp_path):
    """``--param`` values of a named query and of a query file: bound, so they match no district."""
    rq = tmp_path / "by-district.rq"
    rq.write_text("PREFIX pkb: <https://w3id.org/policykb/ontology#>\n"
                  "SELECT ?district ?doc WHERE { GRAPH ?doc { ?doc pkb:district ?district } }\n",
                  encoding="utf-8")
    for i, injection in enumerate(INJECTIONS[:4]):
        target = "obligations" if i % 2 == 0 else str(rq)
        out = cli("query", target, "--param", f"district={injection}", "--store", str(store_dir),
                  "--format", "json")
        assert out.returncode == 0, (injection, out.stderr)
        assert out.stdout.strip() == "", injection                # no district is called that
    out = cli("query", str(rq), "--param", "district=张掖市", "--store", str(store_dir), "--format", "json")
    assert "张掖市" in out.stdout                                  # while a real value matches


def test_cli_param_names_and_iris_are_checked(store_dir, unchanged):
    for param in ("x } DROP ALL #=1", "doc=<http://x> <http://y>", 'doc=<http://x">'):
        out = cli("query", "obligations", "--param", param, "--store", str(store_dir))
        assert out.returncode == 2, (param, out.stdout, out.stderr)
        assert re.search(r"PKB-QUERY-(BIND|PARAM)", out.stderr), (param, out.stderr)


def test_cli_ask_with_injections(store_dir, unchanged):
    out = cli("ask", "--store", str(store_dir), *INJECTIONS[:3], f"哪些义务适用于{INJECTIONS[4]}？")
    assert out.returncode in (0, 1), out.stderr
    assert "Traceback" not in out.stderr


def test_named_query_names_are_not_paths():
    for name in ("../../etc/passwd", "documents; DROP ALL", "/etc/passwd"):
        with pytest.raises(QueryError) as err:
            queries.get_query(name)
        assert err.value.code == "PKB-QUERY-UNKNOWN"


# --------------------------------------------------------------------------- limits

def test_an_expensive_user_query_is_stopped_at_the_deadline(store_dir, unchanged):
    before = live_children()
    started = time.monotonic()
    with pytest.raises(QueryError) as err:
        run_user_query(EXPENSIVE, location=str(store_dir), timeout=1.5)
    elapsed = time.monotonic() - started
    assert err.value.code == "PKB-QUERY-TIMEOUT"
    assert 1.4 <= elapsed < 15, elapsed                           # stopped, not run to its end
    assert live_children() <= before                                  # the query's process is gone


def test_cli_query_timeout_from_the_environment(store_dir, unchanged, tmp_path):
    rq = tmp_path / "expensive.rq"
    rq.write_text(EXPENSIVE, encoding="utf-8")
    started = time.monotonic()
    out = cli("query", str(rq), "--store", str(store_dir), env=dict(ENV, POLICYKB_QUERY_TIMEOUT="1"))
    elapsed = time.monotonic() - started
    assert out.returncode == 2, out.stdout + out.stderr
    assert "PKB-QUERY-TIMEOUT" in out.stderr
    assert elapsed < 20, elapsed


def test_result_size_limit(store_dir, unchanged, tmp_path):
    everything = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    result = run_user_query(everything, location=str(store_dir), timeout=30, limit=5)
    assert len(result.rows) == 5 and result.truncated
    with pytest.raises(QueryError) as err:
        run_user_query(everything, location=str(store_dir), timeout=30, limit=5, strict=True)
    assert err.value.code == "PKB-QUERY-LIMIT"
    rq = tmp_path / "everything.rq"
    rq.write_text(everything, encoding="utf-8")
    out = cli("query", str(rq), "--store", str(store_dir), "--format", "csv",
              env=dict(ENV, POLICYKB_MAX_RESULTS="7"))
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.strip().splitlines()) == 1 + 7                 # header and 7 rows
    out = cli("query", str(rq), "--store", str(store_dir), env=dict(ENV, POLICYKB_MAX_RESULTS="7"))
    assert "truncated" in out.stderr


def test_truncation_is_reported_in_every_format(store_dir, tmp_path):
    rq = tmp_path / "everything.rq"
    rq.write_text("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", encoding="utf-8")
    for fmt in ("json", "csv"):
        out = cli("query", str(rq), "--store", str(store_dir), "--format", fmt,
                  env=dict(ENV, POLICYKB_MAX_RESULTS="7"))
        assert "truncated" in out.stderr, fmt
