"""Fewer round trips to a SPARQL server (kb/store/sparql_http.py, server_auth.py): every HTTP exchange
is counted (``store.stats()``), the Digest challenge is answered once and its nonce reused by every
later request from any thread (so a query is one exchange), connections are kept alive, a binding
may hold several values (one ``VALUES`` row each) on both backends, with the rows of one query per
value, and ``DocumentTexts`` reads many documents in one request — with the same titles, districts
and texts as the embedded store.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import pytest

from kb.citations import DocumentTexts
from kb.errors import QueryError
from kb.store import IRI
from kb.store.sparql_text import prepare_query
from tests.test_server_answers import stores  # noqa: F401  (embedded and Virtuoso stores of source_docs/)
from tests.test_server_store import SOURCE_DOCS, flat, virtuoso  # noqa: F401  (the shared session fixture)


def test_several_values_become_one_values_row_each():
    text = prepare_query("SELECT ?doc ?x WHERE { ?doc ?p ?x }", {"doc": ("<http://a/1>", "<http://a/2>"), "x": '"v"'})
    assert 'VALUES (?x) { ("v") }' in flat(text) and "VALUES ?doc { <http://a/1> <http://a/2> }" in flat(text)


@pytest.mark.server
def test_a_query_is_one_request_and_the_counts_are_logged(stores, caplog):
    _, server = stores
    caplog.set_level(logging.DEBUG, logger="kb.store.sparql_http")
    before = server.stats()
    for _ in range(5):
        server.query("ASK { ?s ?p ?o }")
    after = server.stats()
    assert after["queries"] - before["queries"] == 5
    assert after["requests"] - before["requests"] == 5     # no Digest challenge per request
    assert after["seconds"] > before["seconds"]
    logged = [r.getMessage() for r in caplog.records if r.name == "kb.store.sparql_http"]
    assert len(logged) == 5 and all(" ms, " in m for m in logged)
    assert server._password not in caplog.text


@pytest.mark.server
def test_threads_share_one_nonce_without_being_challenged_again(stores):
    _, server = stores
    before = server.stats()
    with ThreadPoolExecutor(8) as pool:
        counts = set(pool.map(lambda _: len(server.query("SELECT ?d WHERE { ?d a pkb:PolicyDocument }").rows),
                              range(64)))
    assert counts == {len(list(SOURCE_DOCS.glob("*.txt")))}
    after = server.stats()
    assert after["requests"] - before["requests"] == after["queries"] - before["queries"] == 64


@pytest.mark.server
def test_document_texts_reads_many_documents_in_one_request(stores):
    local, server = stores
    docs = local.graphs()
    before = server.stats()
    theirs = DocumentTexts(server)
    theirs.load(docs + ["https://w3id.org/policykb/id/doc/none"])
    assert server.stats()["queries"] - before["queries"] == 1
    ours = DocumentTexts(local)
    ours.load(docs)
    for doc in docs:
        assert theirs.meta(doc) == ours.meta(doc) and ours.meta(doc)["text"]
    assert theirs.meta("https://w3id.org/policykb/id/doc/none")["text"] == ""
    assert server.stats()["queries"] - before["queries"] == 1      # all read by the one request
    rows = server.query("SELECT ?doc WHERE { ?doc a pkb:PolicyDocument }", {"doc": tuple(IRI(d) for d in docs[:2])})
    assert sorted(str(r["doc"]) for r in rows.rows) == sorted(docs[:2])
    with pytest.raises(QueryError) as err:
        server.query("SELECT ?doc WHERE { ?doc a pkb:PolicyDocument }", {"doc": ()})
    assert err.value.code == "PKB-QUERY-BIND"


def _each_pair(store, name, **many) -> list[str]:
    """The rows of ``name`` for every combination of the values, one query each (the reference)."""
    from itertools import product

    from kb import queries

    keys = sorted(many)
    return sorted(str(sorted(r.items())) for combo in product(*(many[k] for k in keys))
                  for r in queries.run(store, name, **dict(zip(keys, combo))).rows)


def _bound_at_once(store, name, **many) -> list[str]:
    from kb import queries

    return sorted(str(sorted(r.items())) for r in queries.run(store, name, **many).rows)


@pytest.mark.parametrize("kind", [tuple, list, frozenset])
def test_the_embedded_store_binds_several_values_like_the_server(corpus_store, kind):
    from kb.obligations import concept

    docs = [IRI(d) for d in corpus_store.graphs()[:3]]
    actors = [concept("actor", a) for a in ("member_school", "lead_school", "group")]
    many = {"doc": kind(docs), "actor": kind(actors)}
    assert corpus_store.binds_many
    found = _bound_at_once(corpus_store, "obligations", **many)
    assert found and found == _each_pair(corpus_store, "obligations", doc=docs, actor=actors)
    with pytest.raises(QueryError) as err:
        corpus_store.query("SELECT ?doc WHERE { ?doc a pkb:PolicyDocument }", {"doc": kind()})
    assert err.value.code == "PKB-QUERY-BIND"


@pytest.mark.server
@pytest.mark.parametrize("name, values", [
    ("obligations", {"actor": ("member_school", "lead_school", "group")}),
    ("obligation_constraints", {}),
    ("documents_in_district", {}),
    ("cmp_groups", {}),
])
def test_several_values_give_the_same_rows_on_both_backends(stores, name, values):
    from kb.obligations import concept

    local, server = stores
    many = {"doc": tuple(IRI(d) for d in local.graphs()[:3]),
            **{k: tuple(concept(k, v) for v in vs) for k, vs in values.items()}}
    before = server.stats()
    theirs = _bound_at_once(server, name, **many)
    assert server.stats()["queries"] - before["queries"] == 1
    assert theirs and theirs == _bound_at_once(local, name, **many) == _each_pair(local, name, **many)


@pytest.mark.server
def test_virtuoso_is_asked_for_xml_results_and_they_hold_the_json_rows(stores, monkeypatch):
    """The server backend asks Virtuoso for XML results (faster there); every named query without a
    required parameter gives the same rows as in JSON results."""
    from kb import queries
    from kb.store import sparql_http

    _, server = stores
    names = [q.name for q in queries.list_queries()]
    sent: list[str] = []
    send = server._request
    monkeypatch.setattr(server, "_request", lambda *a, **k: sent.append(k["headers"]["Accept"]) or send(*a, **k))
    xml = {}
    for name in names:
        try:
            xml[name] = _bound_at_once(server, name)
        except QueryError:      # a query that needs a parameter (actor_scope's transitive start)
            continue
    names = sorted(xml)
    assert sent and all(a.startswith("application/sparql-results+xml") for a in sent)
    monkeypatch.setattr(sparql_http, "ACCEPT_RESULTS_XML", sparql_http.ACCEPT_RESULTS)
    assert {n: _bound_at_once(server, n) for n in names} == xml and any(xml.values())
