"""A final ORDER BY of plain variables, applied in Python on the embedded store
(kb.store.solution_order): the same order as Oxigraph's own, on hand-made terms and on every named
query over the generated store."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from tests.conftest import ingested_store, required_bindings
from kb.queries import QUERY_DIR, parse_query_file
from kb.store import solution_order
from kb.store.base import PREFIXES
from kb.store.oxigraph import OxigraphStore
from kb.store.sparql_text import query_shape
from kb.store.terms import solution_rows, to_term

EX = "http://example.org/"
ROOT = Path(__file__).resolve().parents[1]
ORDERED_QUERIES = [p for p in sorted(QUERY_DIR.glob("*.rq"))
                   if query_shape(p.read_text(encoding="utf-8")).final_order is not None]


def engine_rows(store: OxigraphStore, sparql: str, bindings: dict | None = None) -> list[dict]:
    """The rows with the ORDER BY evaluated by Oxigraph itself."""
    substitutions = {ox.Variable(k): to_term(k, v) for k, v in (bindings or {}).items()}
    result = store._ox.query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES,
                             substitutions=substitutions or None)
    variables = [v.value for v in result.variables]
    return solution_rows(variables, list(result))


@pytest.fixture(scope="module")
def mixed():
    """One value per subject: numbers of three types, strings, IRIs, a blank node, a language
    string, a date and nothing at all."""
    store = OxigraphStore(None)
    g = ox.NamedNode(EX + "g")
    values = {"n1": ox.Literal("10", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
              "n2": ox.Literal("9.5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
              "n3": ox.Literal("2", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
              "n4": ox.Literal("1e1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")),
              "s1": ox.Literal("乙"), "s2": ox.Literal("B"), "s3": ox.Literal("a"),
              "i1": ox.NamedNode(EX + "z"), "i2": ox.NamedNode(EX + "A"), "b1": ox.BlankNode("x"),
              "l1": ox.Literal("甲", language="zh"),
              "d1": ox.Literal("2024-03-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))}
    for name, value in values.items():
        kind = name[0]
        store._ox.add(ox.Quad(ox.NamedNode(EX + name), ox.NamedNode(EX + "kind"), ox.Literal(kind), g))
        store._ox.add(ox.Quad(ox.NamedNode(EX + name), ox.NamedNode(EX + "v"), value, g))
    store._ox.add(ox.Quad(ox.NamedNode(EX + "u1"), ox.NamedNode(EX + "kind"), ox.Literal("u"), g))
    yield store
    store.close()


def query(kinds: str, order: str) -> str:
    return (f"SELECT ?s ?k ?v WHERE {{ ?s <{EX}kind> ?k . OPTIONAL {{ ?s <{EX}v> ?v }} "
            f"VALUES ?k {{ {' '.join(repr(k).replace(chr(39), chr(34)) for k in kinds)} }} }} ORDER BY {order}")


@pytest.mark.parametrize("kinds, order", [
    ("niub", "?v ?s"),                  # unbound < blank < IRIs < literals; numbers by value
    ("siub", "DESC(?v) ?s"),
    ("nsiub", "?k DESC(?s)"),
    ("sib", "ASC(?k) DESC(?v)"),
])
def test_the_order_is_the_engines(mixed, kinds, order):
    sparql = query(kinds, order)
    assert solution_order.split(sparql) is not None
    assert mixed.query(sparql).rows == engine_rows(mixed, sparql)


def test_numbers_are_ordered_by_value_not_by_text(mixed):
    names = [r["s"].rsplit("/", 1)[-1] for r in mixed.query(query("n", "?v")).rows]
    assert names[:2] == ["n3", "n2"] and set(names[2:]) == {"n1", "n4"}      # 2 < 9.5 < 10 = 1e1


@pytest.mark.parametrize("kinds", ["l", "d", "ns", "nsl"])
def test_what_is_not_ordered_here_is_left_to_the_engine(mixed, kinds):
    """Language strings, dates and a column mixing numbers with strings: the engine sorts."""
    sparql = query(kinds, "?v ?s")
    text, keys = solution_order.split(sparql)
    result = mixed._ox.query(text, use_default_graph_as_union=True, prefixes=PREFIXES)
    variables = [v.value for v in result.variables]
    if kinds not in ("l", "d"):     # a lone date or language string is ordered the same either way
        assert solution_order.sort(variables, list(result), keys) is None
    assert mixed.query(sparql).rows == engine_rows(mixed, sparql)


class _CountingStore:
    """The store's own Oxigraph store, counting the queries it evaluates."""

    def __init__(self, inner: ox.Store) -> None:
        self.inner, self.texts = inner, []

    def query(self, sparql, **kwargs):
        self.texts.append(sparql)
        return self.inner.query(sparql, **kwargs)


def test_a_query_the_engine_had_to_sort_is_evaluated_once_the_next_time():
    """A key column this module cannot order costs a second evaluation the first time only."""
    store = OxigraphStore(None)
    g = ox.NamedNode(EX + "g")
    for name, lang in (("a", "zh"), ("b", "en")):
        store._ox.add(ox.Quad(ox.NamedNode(EX + name), ox.NamedNode(EX + "v"), ox.Literal(name, language=lang), g))
    counting = _CountingStore(store._store)
    store._store = counting
    sparql = f"SELECT ?s ?v WHERE {{ ?s <{EX}v> ?v }} ORDER BY ?v"
    first = store.query(sparql).rows
    assert len(counting.texts) == 2 and "ORDER BY" not in counting.texts[0]
    del counting.texts[:]
    assert store.query(sparql).rows == first == engine_rows(store, sparql)
    assert counting.texts[0] == sparql and len(counting.texts) == 2   # one query, then engine_rows'
    del counting.texts[:]
    ordered = f"SELECT ?s WHERE {{ ?s <{EX}v> ?v }} ORDER BY ?s"   # other queries still sort here
    store.query(ordered)
    assert len(counting.texts) == 1 and "ORDER BY" not in counting.texts[0]
    store._store = counting.inner
    store.close()


@pytest.mark.parametrize("sparql", [
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3",
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY STR(?s)",
    "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s } }",
    "SELECT ?s WHERE { ?s ?p ?o }",
    "ASK { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s VALUES ?s { <http://example.org/n1> }",
])
def test_only_a_final_order_by_of_variables_is_taken(sparql):
    assert solution_order.split(sparql) is None


def test_a_key_the_query_does_not_return_is_left_to_the_engine(mixed):
    sparql = f"SELECT ?s WHERE {{ ?s <{EX}v> ?v }} ORDER BY ?v"
    assert solution_order.split(sparql) is not None
    assert mixed.query(sparql).rows == engine_rows(mixed, sparql)


# version links are set by hand: the seeds, with links and an unlink among them
VERSIONED = {"version_links"}


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    from kb import versions as kb_versions
    from kb.store import open_store

    path = ingested_store(tmp_path_factory.mktemp("versions"), ROOT / "source_docs")
    with open_store(str(path)) as store:
        docs = sorted(v.doc for v in kb_versions.documents(store))
        kb_versions.link(store, docs[0], docs[2])
        kb_versions.link(store, docs[1], docs[2])
        kb_versions.unlink(store, docs[3], docs[0])
    with open_store(str(path), read_only=True) as store:
        yield store


@pytest.mark.parametrize("path", ORDERED_QUERIES, ids=lambda p: p.stem)
def test_named_queries_come_in_the_engines_order(request, path):
    """Rows equal to those Oxigraph orders itself, keys in the same sequence; rows whose keys tie
    may come in another order (SPARQL leaves it open)."""
    named = parse_query_file(path)
    store = request.getfixturevalue("versions" if named.name in VERSIONED else "big")
    bindings = required_bindings(named)
    keys = [name for name, _ in query_shape(named.text).final_order[2]]
    ours, theirs = named.run(store, **bindings).rows, engine_rows(store, named.text, bindings)
    assert ours, f"{named.name} returns no rows on the generated store: nothing is compared"
    assert [[r.get(k) for k in keys] for r in ours] == [[r.get(k) for k in keys] for r in theirs]
    assert Counter(tuple(sorted(map(repr, r.items()))) for r in ours) \
        == Counter(tuple(sorted(map(repr, r.items()))) for r in theirs)
