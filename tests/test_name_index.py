"""The name index (``pkb:nameIndex``, ingest/rdf_writer.py ``names()``): each document carries the
names a question may use as one JSON literal in its own graph, and kb/ask/vocabulary.py reads every
document's index in one query — the same names as the four queries over the facts, on the embedded
store and on Virtuoso (where reading them is one request).
"""
from __future__ import annotations

import json

import pytest

from kb.ask import vocabulary
from tests.test_server_answers import stores  # noqa: F401  (embedded + Virtuoso with source_docs/)
from tests.test_server_store import virtuoso  # noqa: F401  (the shared session fixture)


def test_every_document_has_one_index_naming_its_facts(store):
    indexes = {str(r["doc"]): json.loads(str(r["index"])) for r in
               store.query("SELECT ?doc ?index WHERE { GRAPH ?doc { ?doc pkb:nameIndex ?index } }").rows}
    assert sorted(indexes) == store.graphs()
    groups = {str(r["group"]): r.get("groupName") for r in
              store.query("SELECT ?group ?groupName WHERE { ?group a pkb:SchoolGroup "
                          "OPTIONAL { ?group rdfs:label ?groupName } }").rows}
    indexed = {g["iri"]: g["name"] for index in indexes.values() for g in index["groups"]}
    assert indexed == groups and groups
    posts = sorted(str(r["label"]) for r in store.query("SELECT ?p ?label WHERE { ?p a org:Post ; rdfs:label ?label }").rows)
    assert sorted(p[0] for index in indexes.values() for p in index["posts"]) == posts


def test_the_index_gives_the_names_the_queries_give(store):
    from_index = vocabulary._rows_from_index(store)
    assert from_index is not None
    assert vocabulary._terms_from_rows(store, *from_index) == \
        vocabulary._terms_from_rows(store, *vocabulary._rows_by_queries(store))


@pytest.mark.server
def test_on_a_server_the_names_are_one_request_and_the_same(stores):  # noqa: F811
    local, server = stores
    before = server.stats()
    theirs = vocabulary.load_terms(server)
    used = server.stats()["queries"] - before["queries"]
    assert used <= 3   # the index, the document count, the towns' texts (one request for all)
    assert theirs == vocabulary.load_terms(local)
