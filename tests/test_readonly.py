"""check_read_only: queries pass, updates and SERVICE are refused, however they are dressed up."""
from __future__ import annotations

import pytest

from kb.errors import QueryError
from kb.store.readonly import check_read_only

UPDATES = [
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "DELETE DATA { <http://a> <http://b> <http://c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "LOAD SILENT <http://example.org/data.ttl> INTO GRAPH <http://g>",
    "CLEAR ALL", "CLEAR DEFAULT", "CLEAR GRAPH <http://g>",
    "DROP ALL", "drop silent named", "DROP GRAPH <http://g>",
    "CREATE GRAPH <http://g>",
    "ADD DEFAULT TO <http://g>", "MOVE <http://g> TO DEFAULT", "COPY <http://a> TO <http://b>",
    "PREFIX ex: <http://example.org/> INSERT DATA { ex:a ex:b ex:c }",
    "BASE <http://example.org/> DROP GRAPH <g>",
    "# a comment first\nCLEAR ALL",
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
    "SELECT * WHERE { ?s ?p ?o }\n;\nINSERT DATA { <http://a> <http://b> <http://c> }",
    "CLEAR ALL ; SELECT * WHERE { ?s ?p ?o }",
    # syntax rdflib does not know (a triple term) still cannot smuggle an update in
    "SELECT * WHERE { << <http://a> <http://b> <http://c> >> ?p ?o } ; DROP ALL",
]

SERVICES = [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?x <http://p> ?endpoint . SERVICE ?endpoint { ?s ?p ?o } }",
    "ASK { OPTIONAL { SELECT ?s WHERE { SERVICE <http://e/> { ?s ?p ?o } } } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { { ?s ?p ?o } UNION { SERVICE <http://e/> { ?s ?p ?o } } }",
    "SELECT * WHERE { FILTER EXISTS { SERVICE <http://e/> { ?s ?p ?o } } }",
    "SELECT * WHERE { << <http://a> <http://b> <http://c> >> ?p ?o . SERVICE <http://e/> { ?s ?p ?o } }",
]

ACCEPTED = [
    "SELECT * WHERE { ?s ?p ?o }",
    "ASK { ?s ?p ?o }",
    "CONSTRUCT WHERE { ?s ?p ?o }",
    "DESCRIBE <http://example.org/a>",
    'SELECT * WHERE { ?s ?p "DROP ALL" }',
    "SELECT * WHERE { ?s ?p 'INSERT DATA { <a> <b> <c> }' }",
    'SELECT * WHERE { ?s ?p """\n} ; DROP ALL ; #\n""" }',
    "SELECT * WHERE { ?s ?p ?o } # DROP ALL",
    "# CLEAR ALL\nSELECT * WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s <http://example.org/DROP> ?o }",
    "PREFIX drop: <http://example.org/> SELECT ?drop ?delete WHERE { ?drop drop:insert ?delete }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:service ?o . ?s ex:load ?x }",
    'SELECT * WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), "SERVICE <http://e/> {")) }',
    'SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 10 OFFSET 5',
    "SELECT * WHERE { ?a ?b ?c FILTER(?a<?c) }",
    'PREFIX pkb: <https://w3id.org/policykb/ontology#> SELECT ?r WHERE { ?r pkb:actionText ?t FILTER(REGEX(?t, "删除|DROP")) }',
    # RDF 1.2 triple terms: not rdflib's grammar, checked by the tokenizer instead
    'SELECT * WHERE { << <http://a> <http://b> <http://c> >> ?p "DROP ALL" }',
]


@pytest.mark.parametrize("sparql", UPDATES)
def test_updates_are_refused(sparql):
    with pytest.raises(QueryError) as err:
        check_read_only(sparql)
    assert err.value.code == "PKB-QUERY-READONLY"


@pytest.mark.parametrize("sparql", SERVICES)
def test_service_is_refused(sparql):
    with pytest.raises(QueryError) as err:
        check_read_only(sparql)
    assert err.value.code == "PKB-QUERY-SERVICE"


@pytest.mark.parametrize("sparql", ACCEPTED)
def test_queries_with_tricky_text_are_accepted(sparql):
    check_read_only(sparql)


def test_the_refusal_names_the_operation():
    with pytest.raises(QueryError, match=r"DROP, INSERT DATA"):
        check_read_only("DROP ALL ; INSERT DATA { <http://a> <http://b> <http://c> }")


@pytest.mark.parametrize("sparql", ["", "   \n"])
def test_empty_text_is_refused(sparql):
    with pytest.raises(QueryError) as err:
        check_read_only(sparql)
    assert err.value.code == "PKB-QUERY-SYNTAX"


def test_unparseable_text_is_left_to_the_store():
    check_read_only("SELECT ?s WHERE { ?s ?p }")  # the store reports PKB-QUERY-SYNTAX
