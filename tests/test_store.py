"""The embedded Oxigraph store, on disk in tmp_path: writes, locking, readers, queries, exports."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from kb.errors import QueryError, StoreError, StoreLockedError
from kb.store import VOCABULARY_GRAPH, DocumentWrite, IRI, open_store, run_user_query
from kb.store.base import BNode, LangString
from kb.store.bulk_writes import INTENT_FILE, loadable
from kb.store.oxigraph import OxigraphStore
from kb.store.timed_query import run_query_with_timeout
from tests.conftest import live_children

ROOT = Path(__file__).resolve().parents[1]
PKB = "https://w3id.org/policykb/ontology#"
ID = "https://w3id.org/policykb/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"


# ---------------------------------------------------------------------- sample data


def doc_iri(n: int) -> str:
    return f"{ID}doc/{n:016x}"


def _lit(text: str) -> str:
    return str(ox.Literal(text))


def sample_document(n: int, *, title: str = "张掖中学集团化办学工作方案", district: str = "张掖市",
                    province: str = "甘肃省", sources: tuple[str, ...] = ("source_docs/a.txt",),
                    rules: int = 2, extra: str = "") -> bytes:
    """A tiny document graph in the shape of docs/rdf-model.md, as N-Quads."""
    g = doc_iri(n)
    lines = [
        f"<{g}> <{RDF_TYPE}> <{PKB}PolicyDocument> <{g}> .",
        f"<{g}> <{DCTERMS}title> {_lit(title)} <{g}> .",
        f"<{g}> <{PKB}district> {_lit(district)} <{g}> .",
        f"<{g}> <{PKB}province> {_lit(province)} <{g}> .",
        f'<{g}> <{PKB}contentHash> "hash{n}" <{g}> .',
        f'<{g}> <{DCTERMS}issued> "2024-03-01"^^<{XSD}date> <{g}> .',
        f"<{g}> <http://www.w3.org/ns/prov#wasGeneratedBy> <{g}/ingest> <{g}> .",
        f'<{g}/ingest> <{PKB}pipelineVersion> "0.1.0" <{g}> .',
        # the same school node in every document: shared IRI, so merged exports hold it once
        f"<{ID}school/0123456789ab> <http://www.w3.org/2000/01/rdf-schema#label> \"张掖中学\" <{g}> .",
    ]
    lines += [f"<{g}> <{PKB}sourcePath> {_lit(s)} <{g}> ." for s in sources]
    for k in range(1, rules + 1):
        lines += [
            f"<{g}/rule/{k}> <{RDF_TYPE}> <http://www.w3.org/ns/odrl/2/Duty> <{g}> .",
            f"<{g}/rule/{k}> <{PKB}ruleType> <https://w3id.org/policykb/vocab/rule-type/obligation.meeting> <{g}> .",
            f'<{g}/rule/{k}> <{PKB}order> "{k}"^^<{XSD}integer> <{g}> .',
            f"<{g}/rule/{k}> <{PKB}actionText> \"召集集团联席会议\"@zh <{g}> .",
        ]
    return ("\n".join(lines) + "\n" + extra).encode()


def sample_write(n: int, **kwargs) -> DocumentWrite:
    drop = kwargs.pop("drop_graphs", ())
    remove = kwargs.pop("remove_triples", ())
    return DocumentWrite(doc_iri(n), sample_document(n, **kwargs), drop_graphs=drop, remove_triples=remove)


def dump(store: OxigraphStore) -> bytes:
    """The whole store, canonical enough to compare before/after."""
    return b"".join(sorted(store.export("nquads", include_vocabulary=True).splitlines()))


@pytest.fixture()
def store(tmp_path):
    with OxigraphStore(tmp_path / "store") as s:
        yield s


def _python(code: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=60)


# ---------------------------------------------------------------------- writing


def test_write_and_read_back(store):
    store.write_documents([sample_write(1, sources=("a.txt", "b.txt")), sample_write(2, rules=3)])
    assert store.graphs() == [doc_iri(1), doc_iri(2)]
    assert store.triple_count(doc_iri(1)) == 9 + 2 + 2 * 4
    assert store.triple_count() == store.triple_count(doc_iri(1)) + store.triple_count(doc_iri(2))
    assert store.graph_info(doc_iri(1)) == {"content_hash": "hash1", "pipeline_version": "0.1.0",
                                            "sources": ["a.txt", "b.txt"]}
    assert store.graph_info(doc_iri(99)) is None
    assert store.graphs_for_source("b.txt") == [doc_iri(1)]
    assert store.graphs_for_source("nowhere.txt") == []


def test_compaction_keeps_every_quad_and_readers_see_it(store, tmp_path):
    store.write_documents([sample_write(n, rules=20) for n in range(1, 40)])
    before = dump(store)
    with open_store(str(tmp_path / "store"), read_only=True) as early:   # a reader from before
        store.compact()
        assert dump(store) == before
        snapshots = [p.name for p in (tmp_path / "store" / "snapshots").iterdir()]
        assert len(snapshots) == 1                     # older snapshots pinned the replaced files
        assert not list((tmp_path / "store" / "db").glob("*.log")) or \
            sum(p.stat().st_size for p in (tmp_path / "store" / "db").glob("*.log")) < 1_000_000
        assert early.triple_count() == store.triple_count()      # it still answers
        with open_store(str(tmp_path / "store"), read_only=True) as reader:
            assert reader.triple_count() == store.triple_count()


def test_writing_the_same_graph_twice_changes_nothing(store):
    store.write_documents([sample_write(1)])
    before = dump(store)
    store.write_documents([sample_write(1)])
    assert dump(store) == before


def test_write_replaces_the_graph_content(store):
    store.write_documents([sample_write(1, rules=5, sources=("old.txt",))])
    store.write_documents([sample_write(1, rules=1, sources=("new.txt",))])
    assert store.triple_count(doc_iri(1)) == 9 + 1 + 4
    assert store.graph_info(doc_iri(1))["sources"] == ["new.txt"]


def test_drop_graphs_and_new_graph_in_one_write(store):
    store.write_documents([sample_write(1, title="旧版"), sample_write(2)])
    store.write_documents([sample_write(3, title="新版", drop_graphs=(doc_iri(1),))])
    assert store.graphs() == [doc_iri(2), doc_iri(3)]
    titles = store.query("SELECT ?t WHERE { ?d dcterms:title ?t }").column("t")
    assert "旧版" not in titles and "新版" in titles


def test_a_bad_last_write_leaves_the_store_unchanged(store):
    store.write_documents([sample_write(1), sample_write(2)])
    before = dump(store)
    bad = DocumentWrite(doc_iri(9), sample_document(9) + b"<broken> <nquads\n")
    with pytest.raises(StoreError) as err:
        store.write_documents([sample_write(1, rules=7), sample_write(3, drop_graphs=(doc_iri(2),)), bad])
    assert err.value.code == "PKB-STORE-NQUADS"
    assert dump(store) == before


def test_a_quad_outside_its_document_graph_is_refused(store):
    stray = f"<{ID}x> <{PKB}p> \"x\" <{doc_iri(2)}> .\n"
    with pytest.raises(StoreError) as err:
        store.write_documents([sample_write(3), DocumentWrite(doc_iri(1), sample_document(1, extra=stray))])
    assert err.value.code == "PKB-STORE-NQUADS"
    assert store.graphs() == []


def test_new_documents_are_bulk_loaded_and_read_back_as_written(store):
    writes = [sample_write(n, rules=n) for n in range(1, 6)]
    assert loadable(writes, store._ox)
    store.write_documents(writes)
    with OxigraphStore(None) as memory:             # in memory: always one transaction
        memory.write_documents(writes)
        assert dump(store) == dump(memory)
    assert not (store.path / INTENT_FILE).exists()
    # a replacement, a drop or a removal is not a batch of new graphs: one transaction instead
    assert not loadable([sample_write(1, rules=9)], store._ox)
    assert not loadable([sample_write(7, drop_graphs=(doc_iri(1),))], store._ox)


@pytest.mark.parametrize("line", [
    '<{g}x> <{p}y> "unterminated <{g}> .',           # a syntax error the bulk loader meets
    '<{g}x> <{p}y> <{g}> .',                         # a triple in the default graph, ending like a quad
], ids=["syntax", "default graph"])
def test_a_bad_line_of_a_bulk_batch_leaves_nothing(store, line):
    store.write_documents([sample_write(1)])
    before = dump(store)
    bad = DocumentWrite(doc_iri(3), sample_document(3, extra=line.format(g=doc_iri(3), p=PKB) + "\n"))
    assert loadable([sample_write(2), bad], store._ox)
    with pytest.raises(StoreError) as err:
        store.write_documents([sample_write(2), bad])
    assert err.value.code == "PKB-STORE-NQUADS"
    assert dump(store) == before
    assert not (store.path / INTENT_FILE).exists()


def test_a_bulk_write_a_crash_interrupted_is_undone_when_a_writer_opens(tmp_path):
    path = tmp_path / "store"
    with OxigraphStore(path) as store:
        store.write_documents([sample_write(1), sample_write(2)])
        before = dump(store)
    # a process records a batch, loads it, and dies before it can clear the record
    crashed = _python(
        "import os, pyoxigraph as ox\nfrom pathlib import Path\n"
        "from tests.test_store import sample_write\nfrom kb.store.bulk_writes import _record\n"
        "from kb.store.oxigraph import OxigraphStore\n"
        f"s = OxigraphStore({str(path)!r})\nw = sample_write(3)\n"
        "_record(s.path, [w.graph])\ns._ox.bulk_load(w.nquads, format=ox.RdfFormat.N_QUADS)\n"
        "assert list(s._ox.quads_for_pattern(None, None, None, ox.NamedNode(w.graph)))\nos._exit(0)\n")
    assert crashed.returncode == 0, crashed.stderr
    assert (path / INTENT_FILE).exists()
    with OxigraphStore(path) as store:
        assert dump(store) == before
        assert store.graphs() == [doc_iri(1), doc_iri(2)]
    assert not (path / INTENT_FILE).exists()
    with OxigraphStore(path, read_only=True) as reader:
        assert reader.graphs() == [doc_iri(1), doc_iri(2)]


@pytest.mark.parametrize("writes", [
    [sample_write(1), sample_write(1)],
    [DocumentWrite("not an iri", b"")],
    [DocumentWrite(VOCABULARY_GRAPH, b"")],
    [sample_write(1, drop_graphs=(VOCABULARY_GRAPH,))],
], ids=["duplicate graph", "bad IRI", "vocabulary graph", "drop vocabulary"])
def test_malformed_batches_are_refused(store, writes):
    with pytest.raises(StoreError):
        store.write_documents(writes)
    assert store.graphs() == []


def test_multi_operation_updates_are_one_transaction(store):
    """What the replacing route relies on: Oxigraph rolls back a whole failed update request."""
    store.write_documents([sample_write(1)])
    before = dump(store)
    with pytest.raises(RuntimeError):
        store._ox.update(f"DROP GRAPH <{doc_iri(1)}> ; INSERT DATA {{ GRAPH <{doc_iri(2)}> {{ <{ID}a> <{PKB}b> 1 }} }} ;"
                         f" DROP GRAPH <{ID}no-such-graph>")
    assert dump(store) == before


def test_remove_triples(store):
    store.ensure_vocabulary()
    assert not store.holds_documents()      # the vocabulary is no document
    store.write_documents([sample_write(1, sources=("a.txt", "renamed.txt"))])
    assert store.holds_documents()
    removal = (f"<{doc_iri(1)}>", f"<{PKB}sourcePath>", '"renamed.txt"', f"<{doc_iri(1)}>")
    store.write_documents([sample_write(2, sources=("renamed.txt",), remove_triples=(removal,))])
    assert store.graph_info(doc_iri(1))["sources"] == ["a.txt"]
    assert store.graphs_for_source("renamed.txt") == [doc_iri(2)]


@pytest.mark.parametrize("terms", [
    ("<http://a>", "<http://b>", "<http://c> <http://g> .\n<http://x> <http://y> <http://z>", "<http://g>"),
    ("<http://a>", "<http://b>", '"x" } ; DROP ALL #', "<http://g>"),
    ("_:b", "<http://b>", "<http://c>", "<http://g>"),
    ("<http://a>", "<http://b>", "<http://c>"),
])
def test_bad_remove_triples_are_refused(store, terms):
    store.write_documents([sample_write(1)])
    before = dump(store)
    with pytest.raises(StoreError) as err:
        store.write_documents([sample_write(2, remove_triples=(terms,))])
    assert err.value.code == "PKB-STORE-TRIPLE"
    assert dump(store) == before


def test_blank_nodes_of_two_documents_stay_apart(store):
    writes = [DocumentWrite(doc_iri(n), f'_:b0 <{PKB}p> "{n}" <{doc_iri(n)}> .\n'.encode()) for n in (1, 2)]
    store.write_documents(writes)
    result = store.query("SELECT DISTINCT ?s WHERE { ?s pkb:p ?o }")
    assert len(result) == 2 and all(isinstance(s, BNode) for s in result.column("s"))


def test_empty_batch_and_read_only_writes(store, tmp_path):
    store.write_documents([])
    store.write_documents([sample_write(1)])
    with OxigraphStore(tmp_path / "store", read_only=True) as reader:
        with pytest.raises(StoreError) as err:
            reader.write_documents([sample_write(2)])
        assert err.value.code == "PKB-STORE-READONLY"


# ---------------------------------------------------------------------- locking and readers


def test_a_second_writer_in_another_process_is_locked_out(store):
    result = _python("from kb.store import open_store\n"
                     "from kb.errors import StoreLockedError\n"
                     f"try:\n    open_store({str(store.path)!r})\n    print('opened')\n"
                     "except StoreLockedError as e:\n    print(e.code)\n    print(e.message)")
    code, message = result.stdout.splitlines()[:2]
    assert code == "PKB-STORE-LOCKED"
    assert f"another policykb process (pid {os.getpid()}) is writing to {store.path}" in message


def test_a_second_writer_in_the_same_process_is_locked_out(store):
    with pytest.raises(StoreLockedError):
        OxigraphStore(store.path)


def test_rocksdb_lock_of_a_foreign_process_is_reported_as_locked(tmp_path):
    path = tmp_path / "store"
    path.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", "import pyoxigraph, sys, time\n"
                               f"s = pyoxigraph.Store({str(path / 'db')!r}); print('open', flush=True); time.sleep(30)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreLockedError, match="another process is writing"):
            open_store(path)
    finally:
        holder.kill()
        holder.wait()


def test_a_bare_oxigraph_folder_is_not_taken_for_a_store(tmp_path):
    ox.Store(str(tmp_path / "bare"))
    with pytest.raises(StoreError, match="bare Oxigraph database") as err:
        open_store(tmp_path / "bare")
    assert err.value.code == "PKB-STORE-OPEN"
    with pytest.raises(StoreError) as again:  # the writer lock was released on the way out
        open_store(tmp_path / "bare")
    assert again.value.code == "PKB-STORE-OPEN"
    with pytest.raises(StoreError, match="bare Oxigraph database"):
        open_store(tmp_path / "bare", read_only=True)


def test_closing_releases_the_lock(tmp_path):
    path = tmp_path / "store"
    with open_store(path) as writer:
        writer.write_documents([sample_write(1)])
    with open_store(path) as again:  # same process
        assert again.graphs() == [doc_iri(1)]
    result = _python(f"from kb.store import open_store\ns = open_store({str(path)!r})\nprint(s.graphs())")
    assert doc_iri(1) in result.stdout, result.stderr


def test_a_reader_works_while_a_writer_holds_the_lock(store):
    store.write_documents([sample_write(1)])
    with open_store(store.path, read_only=True) as reader:
        assert reader.graphs() == [doc_iri(1)]
        assert reader.refresh() is False  # nothing new
        store.write_documents([sample_write(2)])
        assert reader.graphs() == [doc_iri(1)]  # a snapshot as of opening
        assert reader.refresh() is True
        assert reader.graphs() == [doc_iri(1), doc_iri(2)]
        assert reader.query("ASK { ?d pkb:contentHash 'hash2' }").boolean is True


def test_state_tokens_change_exactly_when_the_view_may_change(store):
    store.write_documents([sample_write(1)])
    writer_before = store.state_token()
    with open_store(store.path, read_only=True) as reader:
        reader_before = reader.state_token()
        assert reader.state_token() == reader_before and store.state_token() == writer_before
        store.write_documents([sample_write(2)])
        assert store.state_token() != writer_before            # the writer sees its own commit
        assert reader.state_token() == reader_before           # the reader's snapshot did not move
        reader.refresh()
        assert reader.state_token() != reader_before
        with open_store(store.path, read_only=True) as other:  # two readers of one snapshot agree
            assert other.state_token() == reader.state_token()


def test_a_reader_outlives_the_pruning_of_its_snapshot(store):
    store.write_documents([sample_write(1)])
    with open_store(store.path, read_only=True) as reader:
        first = sorted(p.name for p in (store.path / "snapshots").iterdir())
        for n in range(2, 6):
            store.write_documents([sample_write(n)])
        assert not set(first) & {p.name for p in (store.path / "snapshots").iterdir()}  # pruned
        assert reader.graphs() == [doc_iri(1)]  # still its old, consistent view
        assert reader.refresh() and len(reader.graphs()) == 5
    assert len(list((store.path / "snapshots").iterdir())) == 2


def test_a_reader_in_another_process_sees_committed_documents(store):
    store.write_documents([sample_write(1), sample_write(2)])
    result = run_query_with_timeout(store.path, "SELECT ?g WHERE { GRAPH ?g { ?g a pkb:PolicyDocument } } ORDER BY ?g",
                                    timeout=30)
    assert result.column("g") == [doc_iri(1), doc_iri(2)]


def test_opening_a_missing_store_read_only(tmp_path):
    with pytest.raises(StoreError) as err:
        open_store(tmp_path / "nothing", read_only=True)
    assert err.value.code == "PKB-STORE-MISSING"
    assert not (tmp_path / "nothing").exists()


def test_a_closed_store_says_so(tmp_path):
    s = open_store(tmp_path / "s")
    s.close()
    s.close()
    with pytest.raises(StoreError) as err:
        s.graphs()
    assert err.value.code == "PKB-STORE-CLOSED"


def test_open_store_locations(tmp_path, monkeypatch):
    with pytest.raises(StoreError) as err:
        open_store("https://example.org/sparql")
    assert err.value.code == "PKB-STORE-SERVER"
    monkeypatch.setenv("POLICYKB_STORE", str(tmp_path / "from-env"))
    with open_store() as s:
        assert s.location == str(tmp_path / "from-env")
    with open_store(":memory:") as memory:
        memory.write_documents([sample_write(1)])
        assert memory.graphs() == [doc_iri(1)]


# ---------------------------------------------------------------------- queries and bindings


INJECTIONS = ['" } ; DROP ALL #', "'> <x> <y> .", '"""\n} } ; CLEAR ALL ; #', "\\\" ) } DROP ALL", "<x> } #"]


@pytest.mark.parametrize("value", INJECTIONS)
def test_bound_values_are_matched_literally(store, value):
    store.write_documents([sample_write(1, title=value), sample_write(2)])
    before = dump(store)
    result = store.query("SELECT ?doc ?title WHERE { ?doc dcterms:title ?title }", {"title": value})
    assert result.rows == [{"doc": doc_iri(1), "title": value}]
    assert not store.query("ASK { ?doc dcterms:title ?title }", {"?title": value + " "}).boolean
    with pytest.raises(QueryError) as err:  # as an IRI it is invalid, not spliced in
        store.query("SELECT ?doc WHERE { ?doc ?p ?o }", {"doc": IRI(value)})
    assert err.value.code == "PKB-QUERY-BIND"
    assert dump(store) == before


def test_binding_types_and_result_values(store):
    g = doc_iri(1)
    extra = (f'<{g}> <{PKB}ratio> "0.25"^^<{XSD}decimal> <{g}> .\n'
             f'<{g}> <{PKB}flag> "true"^^<{XSD}boolean> <{g}> .\n'
             f'<{g}> <{PKB}weight> "2.5E0"^^<{XSD}double> <{g}> .\n')
    store.write_documents([sample_write(1, extra=extra)])
    row = store.query("SELECT ?doc ?ratio ?flag ?weight ?issued ?none WHERE { ?doc pkb:ratio ?ratio ; pkb:flag ?flag ;"
                      " pkb:weight ?weight ; dcterms:issued ?issued OPTIONAL { ?doc pkb:nothing ?none } }").rows[0]
    assert row == {"doc": g, "ratio": 0.25, "flag": True, "weight": 2.5, "issued": "2024-03-01", "none": None}
    assert type(row["doc"]) is IRI and type(row["ratio"]) is float and row["flag"] is True
    label = store.query("SELECT ?label WHERE { ?r pkb:actionText ?label } LIMIT 1").rows[0]["label"]
    assert isinstance(label, LangString) and label == "召集集团联席会议" and label.language == "zh"
    assert len(store.query("SELECT ?r ?label WHERE { ?r pkb:actionText ?label }", {"label": label})) == 2
    assert len(store.query("SELECT ?r ?label WHERE { ?r pkb:actionText ?label }", {"label": str(label)})) == 0
    orders = store.query("SELECT ?r ?o WHERE { ?r pkb:order ?o }", {"o": 2}).rows
    assert orders == [{"r": f"{g}/rule/2", "o": 2}]
    assert store.query("ASK { ?d pkb:flag ?f }", {"f": True}).boolean
    assert store.query("ASK { ?d pkb:weight ?w }", {"w": 2.5}).boolean
    assert store.query("ASK { ?d pkb:ratio ?r }", {"r": ox.Literal("0.25", datatype=ox.NamedNode(XSD + "decimal"))}).boolean
    assert store.query("ASK { ?d a pkb:PolicyDocument }", {"d": IRI(g)}).boolean
    assert not store.query("ASK { ?d a pkb:PolicyDocument }", {"d": g}).boolean  # a str is a literal
    assert store.query("SELECT ?d WHERE { ?d a pkb:PolicyDocument }", {"d": None}).column("d") == [g]


@pytest.mark.parametrize("bindings, code", [
    ({"x": object()}, "PKB-QUERY-BIND"),
    ({"x": []}, "PKB-QUERY-BIND"),            # several values bind; none does not
    ({"x": [1, object()]}, "PKB-QUERY-BIND"),
    ({"x": float("nan")}, "PKB-QUERY-BIND"),
    ({"no spaces": 1}, "PKB-QUERY-BIND"),
    ({"hidden": 1}, "PKB-QUERY-PARAM"),
])
def test_bad_bindings(store, bindings, code):
    with pytest.raises(QueryError) as err:
        store.query("SELECT ?x WHERE { ?x ?p ?hidden }", bindings)
    assert err.value.code == code


def test_queries_read_the_union_of_named_graphs(store):
    store.write_documents([sample_write(1), sample_write(2)])
    assert len(store.query("SELECT ?d WHERE { ?d a pkb:PolicyDocument }")) == 2
    per_graph = store.query("SELECT ?g (COUNT(?r) AS ?n) WHERE { GRAPH ?g { ?r a odrl:Duty } } GROUP BY ?g ORDER BY ?g")
    assert per_graph.rows == [{"g": doc_iri(1), "n": 2}, {"g": doc_iri(2), "n": 2}]


def test_query_kinds(store):
    store.write_documents([sample_write(1)])
    assert store.query("ASK { ?s ?p ?o }").kind == "ask"
    construct = store.query("CONSTRUCT { ?r pkb:order ?o } WHERE { ?r pkb:order ?o }")
    assert construct.kind == "construct" and len(construct) == 2
    assert len(rdflib.Graph().parse(data=construct.ntriples, format="nt")) == 2
    with pytest.raises(QueryError) as err:
        store.query("SELECT ?s WHERE { ?s ?p }")
    assert err.value.code == "PKB-QUERY-SYNTAX"
    with pytest.raises(QueryError) as err:  # the query entry point cannot run updates at all
        store.query("DROP ALL")
    assert err.value.code == "PKB-QUERY-SYNTAX"


def test_query_limit(store):
    store.write_documents([sample_write(1, rules=5)])
    sparql = "SELECT ?r WHERE { ?r pkb:order ?o } ORDER BY ?o"
    cut = store.query(sparql, limit=3)
    assert len(cut) == 3 and cut.truncated
    whole = store.query(sparql, limit=5)
    assert len(whole) == 5 and not whole.truncated
    with pytest.raises(QueryError) as err:
        store.query(sparql, limit=4, strict=True)
    assert err.value.code == "PKB-QUERY-LIMIT"
    assert len(store.query("CONSTRUCT WHERE { ?r pkb:order ?o }", limit=2)) == 2


def test_in_process_timeout_between_rows(store):
    store.write_documents([sample_write(1, rules=5)])
    with pytest.raises(QueryError) as err:
        store.query("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout=1e-9)
    assert err.value.code == "PKB-QUERY-TIMEOUT"


def test_child_process_query_is_killed_at_the_deadline(store):
    store.write_documents([sample_write(1, rules=10)])
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?p ?q ?r }"
    started = time.monotonic()
    with pytest.raises(QueryError) as err:
        run_query_with_timeout(store.path, endless, timeout=1.0)
    assert err.value.code == "PKB-QUERY-TIMEOUT"
    assert time.monotonic() - started < 15          # stopped at the deadline, not run to its end


@pytest.mark.parametrize("signum, says, hint", [
    (signal.SIGKILL, "was killed", "too much memory"),
    (signal.SIGABRT, "aborted by the query engine", "internal fault of the store's engine"),
])
def test_a_query_process_that_dies_says_how(store, signum, says, hint):
    """A query child that ends without answering is reported by how it ended: killed (memory) or
    aborted by the engine (not the data); the hint differs."""
    store.write_documents([sample_write(1, rules=10)])
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?p ?q ?r }"
    outcome: dict = {}

    def run():
        try:
            run_query_with_timeout(store.path, endless, timeout=60)
        except StoreError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 30
    while not live_children(b"timed_query") and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)                       # the child is evaluating by now
    for pid in live_children(b"timed_query"):
        os.kill(pid, signum)
    thread.join(60)
    error = outcome["error"]
    assert error.code == "PKB-STORE-ERROR"
    assert says in error.message and hint in error.hint


def test_run_user_query(store):
    store.write_documents([sample_write(1, rules=4)])
    result = run_user_query("SELECT ?r WHERE { ?r pkb:order ?o }", location=store.path, timeout=30, limit=3)
    assert len(result) == 3 and result.truncated
    bound = run_user_query("SELECT ?r ?o WHERE { ?r pkb:order ?o }", {"o": 4}, location=store.path, timeout=30)
    assert bound.column("r") == [f"{doc_iri(1)}/rule/4"]
    for sparql, code in [("DROP ALL", "PKB-QUERY-READONLY"),
                         ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "PKB-QUERY-SERVICE"),
                         ("SELECT ?s WHERE { ?s ?p }", "PKB-QUERY-SYNTAX")]:
        with pytest.raises(QueryError) as err:
            run_user_query(sparql, location=store.path, timeout=30)
        assert err.value.code == code


# ---------------------------------------------------------------------- exports and vocabulary


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib 7 parsers call their own old APIs
@pytest.mark.parametrize("fmt, rdflib_format, quads", [
    ("nquads", "nquads", True), ("trig", "trig", True), ("jsonld", "json-ld", True),
    ("turtle", "turtle", False), ("ntriples", "nt", False),
])
def test_exports_parse_back(store, fmt, rdflib_format, quads):
    store.write_documents([sample_write(1), sample_write(2, rules=3)])
    data = store.export(fmt)
    if quads:
        parsed = rdflib.Dataset()
        parsed.parse(data=data, format=rdflib_format)
        assert sum(len(g) for g in parsed.graphs()) == store.triple_count()
        assert {str(g.identifier) for g in parsed.graphs() if len(g)} == {doc_iri(1), doc_iri(2)}
    else:
        parsed = rdflib.Graph().parse(data=data, format=rdflib_format)
        assert len(parsed) == store.triple_count() - 1  # the shared school label is merged
    one = store.export(fmt, doc_iri(2))
    graph = rdflib.Dataset() if quads else rdflib.Graph()
    graph.parse(data=one, format=rdflib_format)
    count = sum(len(g) for g in graph.graphs()) if quads else len(graph)
    assert count == store.triple_count(doc_iri(2))


def test_export_errors(store):
    with pytest.raises(StoreError) as err:
        store.export("rdfxml")
    assert err.value.code == "PKB-STORE-FORMAT"
    with pytest.raises(StoreError) as err:
        store.export("turtle", doc_iri(5))
    assert err.value.code == "PKB-STORE-NOGRAPH"
    assert store.export("nquads") == b""


def _ttl(tmp_path: Path, label: str) -> list[Path]:
    onto = tmp_path / "policykb.ttl"
    onto.write_text("@prefix pkb: <https://w3id.org/policykb/ontology#> .\n"
                    "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                    f'pkb:PolicyDocument a owl:Class ; rdfs:label "{label}"@en ;\n'
                    "  rdfs:subClassOf [ a owl:Restriction ; owl:onProperty pkb:title ; owl:minCardinality 0 ] .\n",
                    encoding="utf-8")
    schemes = tmp_path / "schemes.ttl"
    schemes.write_text("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
                       "<https://w3id.org/policykb/vocab/actor/member_school> skos:broader "
                       "<https://w3id.org/policykb/vocab/actor/school> .\n", encoding="utf-8")
    return [onto, schemes]


def test_ensure_vocabulary(store, tmp_path):
    files = _ttl(tmp_path, "policy document")
    store.write_documents([sample_write(1)])
    assert store.ensure_vocabulary(files) is True
    assert store.ensure_vocabulary(files) is False
    assert store.graphs() == [doc_iri(1)]
    assert store.graphs(include_vocabulary=True) == sorted([doc_iri(1), VOCABULARY_GRAPH])
    vocab_size = store.triple_count(VOCABULARY_GRAPH)
    assert vocab_size == 8  # 2 + 4 (restriction) + 1 (broader) + 1 (hash)
    assert store.triple_count(include_vocabulary=True) == store.triple_count() + vocab_size
    assert b"member_school" not in store.export("nquads")
    assert b"member_school" in store.export("nquads", include_vocabulary=True)
    assert store.query("ASK { actor:member_school skos:broader+ actor:school }").boolean

    files = _ttl(tmp_path, "policy document, edited")
    with open_store(store.path, read_only=True) as reader:
        with pytest.raises(StoreError) as err:
            reader.ensure_vocabulary(files)
        assert err.value.code == "PKB-STORE-READONLY"
    assert store.ensure_vocabulary(files) is True
    labels = store.query("SELECT ?l WHERE { pkb:PolicyDocument rdfs:label ?l }").column("l")
    assert labels == ["policy document, edited"]
    assert store.triple_count(VOCABULARY_GRAPH) == vocab_size


def test_ensure_vocabulary_needs_its_files(store, tmp_path):
    with pytest.raises(StoreError) as err:
        store.ensure_vocabulary([tmp_path / "missing.ttl"])
    assert err.value.code == "PKB-STORE-VOCAB"
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(StoreError) as err:
        store.ensure_vocabulary([bad])
    assert err.value.code == "PKB-STORE-VOCAB"
    assert store.graphs(include_vocabulary=True) == []


def test_readers_never_see_half_a_batch(tmp_path):
    """A writer in another process replaces documents batch after batch; a reader refreshing in a
    loop only ever sees whole batches: every document complete, all of one batch's version."""
    path = tmp_path / "store"
    with open_store(path) as store:
        store.write_documents([sample_write(n, rules=10) for n in range(1, 5)])
    writer = _python_background(
        "from tests.test_store import sample_write\nfrom kb.store import open_store\n"
        f"with open_store({str(path)!r}) as s:\n"
        "    print('ready', flush=True)\n"
        "    for round in range(1, 25):\n"
        "        s.write_documents([sample_write(n, rules=10 + round % 3, title=f'v{round}') for n in range(1, 5)])\n")
    try:
        assert writer.stdout.readline().strip() == "ready"
        seen = set()
        with open_store(path, read_only=True) as reader:
            while writer.poll() is None or reader.refresh():
                reader.refresh()
                rows = reader.query("SELECT ?d ?t (COUNT(?r) AS ?n) WHERE { ?d dcterms:title ?t . "
                                    "GRAPH ?d { ?r a odrl:Duty } } GROUP BY ?d ?t").rows
                assert len(rows) == 4
                assert len({(r["t"], r["n"]) for r in rows}) == 1, rows  # one version everywhere
                seen.add(rows[0]["t"])
        assert writer.wait(30) == 0, writer.stderr.read()
        assert "v24" in seen
    finally:
        writer.kill()
        writer.wait()


def _python_background(code: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=ROOT)
