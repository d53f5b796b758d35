"""Many users at once, short and bounded (the full run is the benchmark's ``load`` stage,
benchmarks/load_bench.py): a few clients ask questions concurrently through ``kb.ask`` on one shared
store, embedded and Virtuoso; no error, every answer the same as a single client's.
"""
from __future__ import annotations

import pytest

from benchmarks.load_bench import QUESTIONS, load_test
from tests.test_server_answers import stores  # noqa: F401  (embedded + Virtuoso with source_docs/)
from tests.test_server_store import virtuoso  # noqa: F401  (the shared session fixture)

SHORT = QUESTIONS[:: 3]   # a sample of the set, zh and en


def _check(result: dict) -> None:
    assert result["errors"] == 0, result["error_examples"]
    assert result["wrong"] == 0, result["wrong_questions"]
    assert result["asked"] == result["planned"] == 4 * len(SHORT)
    assert all(result["p95_ms_by_question"].values())


def test_concurrent_clients_on_the_embedded_store(store):
    _check(load_test(store, SHORT, clients=4, rounds=1, budget=120))


@pytest.mark.server
def test_concurrent_clients_on_virtuoso(stores):  # noqa: F811
    _, server = stores
    result = load_test(server, SHORT, clients=4, rounds=1, budget=120)
    _check(result)
    assert result["requests_per_answer"] > 0
