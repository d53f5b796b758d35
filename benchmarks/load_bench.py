"""Many users at once: ``clients`` threads asking the question set through the app's code path
(``kb.ask.ask`` on one store shared by the process, as the app's sessions share it), on the embedded
store and on a private Virtuoso (``scripts/virtuoso.sh``), both holding ``source_docs/``.

Bounded in count and time: each client asks every question ``rounds`` times (its own shuffled
order) and stops early when ``budget`` seconds have passed. Every answer is compared with the one a
single client got first; reported: questions asked, errors, wrong answers, p50/p95 per question and
over all, and on the server the HTTP requests per answer (``store.stats()``).

``python -m benchmarks.load_bench OUT [--clients 10 --rounds 2 --budget 300]``.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.common import ROOT, emit, percentile, private_virtuoso

#: The question set: the app's examples and the questions of tests/test_ask.py, zh and en.
QUESTIONS = ["哪些义务适用于成员校？", "张掖中学教育集团的联席会议多久召开一次？", "每学期至少要开展哪些活动？",
             "What is prohibited?", "Which groups follow the junior-senior consortium model?",
             "宝塔区有哪些教育集团？", "成员学校要承担哪些责任", "What obligations do member schools have?",
             "田家庵区的牵头校有哪些职责？", "教师每月要做什么？", "张掖中学教育集团有哪些学校？",
             "市实验中学属于哪个集团？", "哪些集团是联盟型？", "临县有哪些联盟校？", "集团理事会多久召开一次会议？",
             "张掖中学教育集团有哪些不变的约束？", "督导室每年做什么？", "有哪些鼓励性条款？", "张掖市每学期要做什么？",
             "张掖市每周要做什么？", "延安市有哪些教育集团？", "哪些文件要求法人资格不变"]


def canonical(answer: dict) -> str:
    """An answer as comparable text (lists sorted: their order is not part of the answer)."""
    def norm(value):
        if isinstance(value, dict):
            return {k: norm(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return sorted((norm(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False,
                                                                             default=str))
        return value
    return json.dumps(norm(answer), sort_keys=True, ensure_ascii=False, default=str)


def _stats(store) -> dict:
    return store.stats() if hasattr(store, "stats") else {}


def load_test(store, questions=QUESTIONS, *, clients: int = 10, rounds: int = 2, budget: float = 300.0,
              seed: int = 7) -> dict:
    """Run the load on ``store`` (see the module docstring); returns the figures."""
    from kb.ask import ask

    reference: dict[str, str] = {}
    single: dict[str, float] = {}
    before = _stats(store)
    for q in questions:                                   # one client first: the expected answers
        started = time.perf_counter()
        reference[q] = canonical(ask(store, q).to_dict())
        single[q] = time.perf_counter() - started
    single_stats = _stats(store)
    lock = threading.Lock()
    latencies: dict[str, list[float]] = {q: [] for q in questions}
    errors: list[str] = []
    wrong: list[str] = []
    deadline = time.monotonic() + budget

    def client(k: int) -> None:
        order = [q for _ in range(rounds) for q in questions]
        random.Random(seed + k).shuffle(order)
        for q in order:
            if time.monotonic() > deadline:
                return
            started = time.perf_counter()
            try:
                got = canonical(ask(store, q).to_dict())
            except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
                with lock:
                    errors.append(f"{q}: {type(exc).__name__}: {exc}"[:300])
                continue
            elapsed = time.perf_counter() - started
            with lock:
                latencies[q].append(elapsed)
                if got != reference[q]:
                    wrong.append(q)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients, thread_name_prefix="load-client") as pool:
        list(pool.map(client, range(clients)))
    wall = time.perf_counter() - started
    after = _stats(store)
    every = [t for ts in latencies.values() for t in ts]
    asked = len(every) + len(errors)
    result = {
        "clients": clients, "rounds": rounds, "budget_s": budget, "questions": len(questions),
        "asked": asked, "planned": clients * rounds * len(questions), "errors": len(errors), "wrong": len(wrong),
        "error_examples": errors[:5], "wrong_questions": sorted(set(wrong))[:10],
        "wall_s": round(wall, 2), "answers_per_s": round(len(every) / wall, 2) if wall else None,
        "single_client_total_s": round(sum(single.values()), 3),
        "p50_ms": _ms(percentile(every, 50)), "p95_ms": _ms(percentile(every, 95)),
        "p95_ms_by_question": {q: _ms(percentile(ts, 95)) for q, ts in latencies.items()},
        "p95_ms_worst_question": max((_ms(percentile(ts, 95)) or 0 for ts in latencies.values()), default=None),
    }
    if before:
        result["single_client_requests"] = single_stats["requests"] - before["requests"]
        result["requests_per_answer"] = round((after["requests"] - single_stats["requests"]) / max(1, len(every)), 2)
    return result


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def load_benchmark(out: str | Path, *, clients: int = 10, rounds: int = 2, budget: float = 300.0,
                   corpus: str | Path | None = None) -> dict:
    """The load on an embedded store and on a private Virtuoso, both holding ``corpus``
    (default ``source_docs/``); Virtuoso is skipped (saying why) when it cannot be started."""
    from ingest.runner import ingest
    from kb.store import open_store

    corpus = str(corpus or ROOT / "source_docs")
    work = Path(out)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    result: dict = {"corpus": corpus}
    with open_store(str(work / "local")) as writer:
        assert not ingest(writer, [corpus], workers=1).errors
    with open_store(str(work / "local"), read_only=True) as store:
        result["oxigraph"] = load_test(store, clients=clients, rounds=rounds, budget=budget)
    with private_virtuoso(work / "virtuoso") as server:
        if isinstance(server, str):
            result["server"] = {"skipped": server}
            return result
        from kb.store.sparql_http import SparqlHttpStore

        url, password = server
        with SparqlHttpStore(url, user="dba", password=password) as writer:
            assert not ingest(writer, [corpus], workers=1).errors
        with SparqlHttpStore(url, user="dba", password=password, read_only=True) as store:
            result["server"] = load_test(store, clients=clients, rounds=rounds, budget=budget)
            result["server"]["engine"] = "Virtuoso (virtuoso-opensource, Debian)"
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load_bench")
    parser.add_argument("out")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--budget", type=float, default=300.0)
    args = parser.parse_args(argv)
    emit(load_benchmark(args.out, clients=args.clients, rounds=args.rounds, budget=args.budget))


if __name__ == "__main__":
    main()
