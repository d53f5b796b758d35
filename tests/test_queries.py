"""Named queries: every kb/queries/*.rq file has a header and runs; binding and lookup rules."""
from __future__ import annotations

from pathlib import Path

import pytest

from kb import queries
from kb.errors import QueryError
from kb.queries import QUERY_DIR, get_query, list_queries, parse_query_file, run
from kb.store import IRI
from kb.store.oxigraph import OxigraphStore
from tests.test_store import doc_iri, sample_write

QUERY_FILES = sorted(QUERY_DIR.glob("*.rq"))


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    with OxigraphStore(tmp_path_factory.mktemp("queries") / "store") as store:
        store.write_documents([sample_write(1, sources=("a.txt", "b.txt"), rules=3),
                               sample_write(2, title="兰州市教育集团章程", district="兰州市", rules=0)])
        yield store


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_every_query_file_has_a_title_and_runs(sample_store, path):
    named = parse_query_file(path)
    assert named.title.strip()
    assert named.text.lstrip().startswith("#")
    required = {name: IRI(doc_iri(1)) for name in named.required}
    result = named.run(sample_store, **required)
    assert result.kind in ("select", "ask", "construct")
    for param in named.params:  # every parameter can be bound (it is in the SELECT clause)
        assert named.params[param].strip(), f"?{param} has no help text"
        for value in (IRI(doc_iri(1)), "张掖市"):
            named.run(sample_store, **{**required, param: value})


@pytest.mark.parametrize("named", [q for q in map(parse_query_file, QUERY_FILES) if q.required],
                         ids=lambda q: q.name)
def test_a_required_parameter_left_out_is_refused(sample_store, named):
    """Its help says ``required``: run without it, the query is not evaluated."""
    for missing in named.required:
        others = {name: IRI(doc_iri(1)) for name in named.required if name != missing}
        with pytest.raises(QueryError) as err:
            named.run(sample_store, **others, **{missing: None})
        assert err.value.code == "PKB-QUERY-PARAM"
        assert f"?{missing}" in err.value.message and f"--param {missing}=" in err.value.hint


def test_queries_are_listed_by_name():
    names = [q.name for q in list_queries()]
    assert names == sorted(names)
    assert {"documents", "graph_triple_counts"} <= set(names)
    assert names == [p.stem for p in QUERY_FILES]


def test_documents_query(sample_store):
    rows = run(sample_store, "documents").rows
    assert rows == [  # ordered by title (code point order: 兰 U+5170 before 张 U+5F20)
        {"graph": doc_iri(2), "title": "兰州市教育集团章程", "district": "兰州市", "province": "甘肃省",
         "sources": "source_docs/a.txt", "rules": 0},
        {"graph": doc_iri(1), "title": "张掖中学集团化办学工作方案", "district": "张掖市", "province": "甘肃省",
         "sources": "a.txt; b.txt", "rules": 3},
    ]
    assert [r["graph"] for r in run(sample_store, "documents", graph=IRI(doc_iri(2))).rows] == [doc_iri(2)]
    assert run(sample_store, "documents", graph=None).rows == rows  # None: the parameter stays free


def test_graph_triple_counts_query(sample_store):
    rows = run(sample_store, "graph_triple_counts").rows
    assert {r["graph"]: r["triples"] for r in rows} == {g: sample_store.triple_count(g) for g in sample_store.graphs()}
    assert [r["triples"] for r in rows] == sorted((r["triples"] for r in rows), reverse=True)


def test_run_passes_limit_and_timeout(sample_store):
    result = run(sample_store, "graph_triple_counts", limit=1)
    assert len(result) == 1 and result.truncated
    with pytest.raises(QueryError) as err:
        run(sample_store, "graph_triple_counts", limit=1, strict=True)
    assert err.value.code == "PKB-QUERY-LIMIT"
    assert len(run(sample_store, "documents", timeout=30)) == 2


def test_no_query_uses_a_reserved_parameter_name():
    for named in list_queries():
        assert not {"timeout", "limit", "strict"} & set(named.params), named.name


def test_unknown_query_lists_the_known_ones():
    with pytest.raises(QueryError) as err:
        get_query("no_such_query")
    assert err.value.code == "PKB-QUERY-UNKNOWN"
    assert "documents" in err.value.hint and "graph_triple_counts" in err.value.hint


def test_unknown_parameter_names_the_valid_ones(sample_store):
    with pytest.raises(QueryError) as err:
        run(sample_store, "documents", district="张掖市")
    assert err.value.code == "PKB-QUERY-PARAM"
    assert "district" in err.value.message and "graph" in err.value.hint


def test_header_parsing(tmp_path: Path):
    path = tmp_path / "rules_by_actor.rq"
    path.write_text("# title: Rules by actor\n"
                    "# description: Every rule whose actor is the given one,\n"
                    "#   or narrower.\n"
                    "# param ?actor: the actor concept, e.g. actor:lead_school\n"
                    "# param ?district: a district name\n"
                    "#   as written in the document\n"
                    "# an ordinary comment\n"
                    "PREFIX pkb: <https://w3id.org/policykb/ontology#>\n"
                    "# title: not a header any more\n"
                    "SELECT ?rule ?actor ?district WHERE { ?rule pkb:actor ?actor }\n", encoding="utf-8")
    named = parse_query_file(path)
    assert named.name == "rules_by_actor"
    assert named.title == "Rules by actor"
    assert named.description == "Every rule whose actor is the given one, or narrower."
    assert named.params == {"actor": "the actor concept, e.g. actor:lead_school",
                            "district": "a district name as written in the document"}


def test_a_file_without_title_is_an_error(tmp_path: Path):
    path = tmp_path / "untitled.rq"
    path.write_text("# description: no title\nSELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(QueryError) as err:
        parse_query_file(path)
    assert err.value.code == "PKB-QUERY-HEADER" and err.value.path == str(path)


def test_module_exports():
    assert queries.get_query("documents").params == {"graph": "only this document (its graph IRI)"}
