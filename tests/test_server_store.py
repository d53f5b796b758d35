"""The SPARQL 1.1 server backend (kb.store.sparql_http and the modules it uses).

Two parts: offline checks of the query rewriting, term serialization, config and error handling
(no server needed), and tests marked ``server`` against a real OpenLink Virtuoso that
``scripts/virtuoso.sh`` installs (Debian's virtuoso-opensource, if missing and run as root) and
starts on 127.0.0.1 on free ports for the test session; they are skipped, saying why, only when
virtuoso-t cannot be installed. The ``virtuoso`` session fixture here is shared with
tests/test_server_answers.py (one server per session, stopped after the last user).
"""
from __future__ import annotations

import http.server
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from kb.errors import QueryError, StoreError
from kb.store import VOCABULARY_GRAPH, DocumentWrite, IRI, open_store, run_user_query
from kb.store.base import BNode, LangString
from kb.store.oxigraph import OxigraphStore
from kb.store.server_config import ServerConfig, derive_endpoints, load_config
from kb.store.sparql_http import SparqlHttpStore
from kb.store.sparql_terms import literal_text, term_text
from kb.store.sparql_text import prepare_query
from tests.test_store import INJECTIONS, PKB, XSD, doc_iri, sample_document, sample_write

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "virtuoso.sh"
SOURCE_DOCS = ROOT / "source_docs"


# ====================================================================== the shared Virtuoso


class Virtuoso:
    """A Virtuoso run by scripts/virtuoso.sh in ``folder`` (database, ini, log, password)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.url = ""
        self.password = ""

    def _script(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=timeout)

    def start(self) -> None:
        done = self._script("start", str(self.folder))
        if done.returncode == 3:
            pytest.skip(f"Virtuoso is not available: {done.stderr.strip()}")
        if done.returncode != 0:
            self.stop()  # never leave a half-started server behind
            pytest.fail(f"scripts/virtuoso.sh start failed ({done.returncode}): {done.stderr.strip()}")
        values = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
        self.url = values["POLICYKB_STORE"]
        self.password = (self.folder / "dba-password").read_text().strip()

    def stop(self) -> None:
        self._script("stop", str(self.folder), timeout=120)

    def store(self, **kwargs) -> SparqlHttpStore:
        return SparqlHttpStore(self.url, user="dba", password=self.password, **kwargs)


_SHARED: dict = {"server": None, "users": 0}


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    """The session's Virtuoso (started on first use, stopped when its last user is done)."""
    if _SHARED["server"] is None:
        server = Virtuoso(tmp_path_factory.getbasetemp() / "virtuoso")
        server.start()
        _SHARED["server"] = server
    _SHARED["users"] += 1
    yield _SHARED["server"]
    _SHARED["users"] -= 1
    if _SHARED["users"] == 0:
        _SHARED["server"].stop()
        _SHARED["server"] = None


def wipe(store: SparqlHttpStore) -> None:
    """Drop every policykb graph (the server's own graphs stay)."""
    for graph in store.graphs(include_vocabulary=True):
        store._update(f"DROP SILENT GRAPH <{graph}>")


@pytest.fixture()
def server(virtuoso):
    with virtuoso.store() as store:
        wipe(store)
        yield store


def dump(store) -> set[bytes]:
    """Every quad of every policykb graph, canonical (via pyoxigraph), blank nodes left out."""
    lines = store.export("nquads", include_vocabulary=True).splitlines()
    return {line for line in lines if b"_:" not in line}


# ====================================================================== offline: query text


def flat(text: str) -> str:
    return " ".join(text.split())


def test_values_go_into_the_where_group_and_projected_subqueries():
    sparql = ("SELECT ?doc ?models WHERE { GRAPH ?doc { ?doc a pkb:PolicyDocument } "
              "{ SELECT ?doc (GROUP_CONCAT(?m) AS ?models) WHERE { ?doc pkb:model ?m } GROUP BY ?doc } "
              "{ SELECT ?x WHERE { ?x ?p ?doc } } }")
    text = flat(prepare_query(sparql, {"doc": "<https://w3id.org/policykb/id/doc/1>"}))
    body = text[text.index("SELECT"):]
    assert body.count("VALUES (?doc) { (<https://w3id.org/policykb/id/doc/1>) }") == 2
    # the sub-SELECT that does not project ?doc has its own ?doc: no VALUES there
    assert "{ SELECT ?x WHERE { ?x ?p ?doc } }" in body
    assert "PREFIX pkb: <https://w3id.org/policykb/ontology#>" in text


def test_values_skip_construct_templates_and_select_expressions():
    text = flat(prepare_query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": "<http://a>"}))
    assert text.endswith("CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s) { (<http://a>) } ?s ?p ?o }")
    text = flat(prepare_query('SELECT ?s (EXISTS { ?s ?p "x" } AS ?e) WHERE { ?s ?p ?o }', {"s": "<http://a>"}))
    assert 'EXISTS { ?s ?p "x" }' in text and "WHERE { VALUES (?s)" in text
    text = flat(prepare_query("ASK { GRAPH ?g { ?s ?p ?o } }", {"g": "<http://g>", "s": "<http://s>"}))
    assert "ASK { VALUES (?g ?s) { (<http://g> <http://s>) } GRAPH" in text


def test_prefixes_declared_by_the_query_are_not_repeated():
    text = prepare_query("PREFIX pkb: <http://other/> SELECT * WHERE { ?s pkb:p ?o }", {})
    assert text.count("PREFIX pkb:") == 1 and "PREFIX skos:" in text


def test_a_limit_one_past_the_cap_is_appended_only_when_safe():
    assert prepare_query("SELECT ?s WHERE { ?s ?p ?o }", {}, limit=10).endswith("LIMIT 11")
    assert "LIMIT 11" not in prepare_query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", {}, limit=10)
    assert "LIMIT 11" not in prepare_query("SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } } } VALUES ?s { <http://a> }",
                                           {}, limit=10)
    assert "LIMIT" not in prepare_query("CONSTRUCT WHERE { ?s ?p ?o }", {}, limit=10)


@pytest.mark.parametrize("sparql, code", [
    ("DROP ALL", "PKB-QUERY-READONLY"),
    ("SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <http://a> <http://b> <http://c> }", "PKB-QUERY-READONLY"),
    ("SELECT (bif:sprintf('%s', 1) AS ?x) WHERE { }", "PKB-QUERY-READONLY"),
    ("SELECT (<sql:foo>(1) AS ?x) WHERE { }", "PKB-QUERY-READONLY"),
    ("DEFINE input:inference 'x' SELECT * WHERE { ?s ?p ?o }", "PKB-QUERY-SYNTAX"),
    ("   ", "PKB-QUERY-SYNTAX"),
    ('SELECT * WHERE { ?s ?p "unterminated }', "PKB-QUERY-SYNTAX"),
])
def test_only_queries_are_sent(sparql, code):
    with pytest.raises(QueryError) as err:
        prepare_query(sparql, {})
    assert err.value.code == code


def test_update_words_inside_strings_iris_and_names_are_fine():
    prepare_query('SELECT ?drop WHERE { ?drop <http://x/delete> "DROP ALL" . ?drop pkb:insert ?o } # CLEAR', {})


def test_binding_a_variable_the_query_does_not_return_is_refused():
    with pytest.raises(QueryError) as err:
        prepare_query("SELECT ?x WHERE { ?x ?p ?hidden }", {"hidden": "1"})
    assert err.value.code == "PKB-QUERY-PARAM"


@pytest.mark.parametrize("value", INJECTIONS + ["多行\n文本\t\"引号\" \\ 反斜杠", "\b\f\r"])
def test_literals_are_escaped_by_the_sparql_grammar(value):
    text = term_text("v", value)
    # the term parses back (as N-Triples, whose string escapes SPARQL shares) to exactly the value
    parsed = next(iter(ox.parse(f"<http://a> <http://b> {text} .".encode(), ox.RdfFormat.N_TRIPLES)))
    assert parsed.object.value == value
    assert "\n" not in text and text.startswith('"') and text.endswith('"')


def test_terms_of_every_type():
    assert term_text("v", IRI("https://w3id.org/policykb/id/doc/1")) == "<https://w3id.org/policykb/id/doc/1>"
    assert term_text("v", 2) == f'"2"^^<{XSD}integer>'
    assert term_text("v", True) == f'"true"^^<{XSD}boolean>'
    assert term_text("v", 2.5) == f'"2.5"^^<{XSD}double>'
    assert term_text("v", "张掖市") == '"张掖市"'
    assert term_text("v", LangString("成员校", "zh")) == '"成员校"@zh'
    assert term_text("v", ox.Literal("0.25", datatype=ox.NamedNode(XSD + "decimal"))) == f'"0.25"^^<{XSD}decimal>'
    for bad in (IRI("not an iri"), IRI("http://a> <b"), BNode("b0"), "nul\x00", "\ud800", LangString("x", "z h"), object()):
        with pytest.raises(QueryError) as err:
            term_text("v", bad)
        assert err.value.code == "PKB-QUERY-BIND"
    assert literal_text("x", XSD + "string") == '"x"'


def test_endpoint_derivation():
    assert derive_endpoints("http://h:8890/sparql-auth", "", authenticated=True) == (
        "http://h:8890/sparql-auth", "http://h:8890/sparql-graph-crud-auth")
    assert derive_endpoints("http://h:8890/sparql", "Virtuoso/07.20", authenticated=True) == (
        "http://h:8890/sparql-auth", "http://h:8890/sparql-graph-crud-auth")
    assert derive_endpoints("http://h:8890/sparql", "Virtuoso/07.20", authenticated=False) == (
        "http://h:8890/sparql", "http://h:8890/sparql-graph-crud")
    assert derive_endpoints("http://h/ds/query", "Apache Jena Fuseki (5.1.0)", authenticated=False) == (
        "http://h/ds/update", "http://h/ds/data")
    assert derive_endpoints("http://h/rdf4j-server/repositories/kb", "", authenticated=False) == (
        "http://h/rdf4j-server/repositories/kb/statements", "http://h/rdf4j-server/repositories/kb/rdf-graphs/service")
    assert derive_endpoints("http://h/blazegraph/sparql", "Jetty", authenticated=False) == (
        "http://h/blazegraph/sparql", None)


def test_config_files(tmp_path):
    path = tmp_path / "server.toml"
    path.write_text('[server]\nquery = "http://127.0.0.1:8890/sparql-auth"\nauth = "digest"\nwrite = "gsp"\n'
                    'timeout = 5\n', encoding="utf-8")
    config = load_config(path)
    assert (config.query_url, config.auth, config.write, config.timeout) == (
        "http://127.0.0.1:8890/sparql-auth", "digest", "gsp", 5.0)
    for text in ('[server]\nquery = "http://h/sparql"\npassword = "hunter2"\n',
                 '[server]\nquery = "ftp://h/sparql"\n', '[server]\nquery = "http://h/sparql"\ncolour = 1\n',
                 "[server\n"):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(StoreError) as err:
            load_config(path)
        assert err.value.code == "PKB-STORE-CONFIG" and "hunter2" not in str(err.value)


# ====================================================================== offline: HTTP behaviour


def _mock_store(handler, **config) -> SparqlHttpStore:
    return SparqlHttpStore(config=ServerConfig("http://mock.invalid/sparql", **config), user="ann",
                           password="s3cr3t-pw", transport=httpx.MockTransport(handler))


def test_basic_auth_when_the_server_asks_for_it():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        if request.headers.get("authorization") != "Basic YW5uOnMzY3IzdC1wdw==":
            return httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="kb"'})
        return httpx.Response(200, json={"head": {}, "boolean": True},
                              headers={"Content-Type": "application/sparql-results+json"})

    with _mock_store(handler) as store:
        assert store.query("ASK { ?s ?p ?o }").boolean is True
        assert store.write_mode == "update" and store.gsp_url is None
    assert seen[0] is None and seen[-1].startswith("Basic ")


def test_refused_credentials_never_show_the_password():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, headers={"WWW-Authenticate": 'Digest realm="kb", nonce="abc", qop="auth"'},
                              text="denied for ann with s3cr3t-pw")

    with pytest.raises(StoreError) as err:
        _mock_store(handler)
    assert err.value.code == "PKB-STORE-AUTH" and "mock.invalid" in str(err.value)
    assert "s3cr3t-pw" not in str(err.value) and "s3cr3t-pw" not in repr(err.value.to_dict())


def test_partial_anytime_results_are_a_timeout():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"head": {}, "boolean": True},
                                  headers={"Content-Type": "application/sparql-results+json"})
        return httpx.Response(200, json={"head": {"vars": ["s"]}, "results": {"bindings": []}},
                              headers={"Content-Type": "application/sparql-results+json", "X-SQL-State": "S1TAT"})

    with _mock_store(handler) as store:
        with pytest.raises(QueryError) as err:
            store.query("SELECT ?s WHERE { ?s ?p ?o }")
    assert err.value.code == "PKB-QUERY-TIMEOUT"


def test_a_cut_export_is_refused(monkeypatch):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and "graph" in request.url.params:
            return httpx.Response(200, content=b"<http://a> <http://b> <http://c> .\n",
                                  headers={"Content-Type": "application/n-triples"})
        if request.method == "GET":
            return httpx.Response(200, json={"head": {}, "boolean": True},
                                  headers={"Content-Type": "application/sparql-results+json"})
        g = {"type": "uri", "value": doc_iri(1)}
        n = {"type": "literal", "datatype": XSD + "integer", "value": "2"}
        return httpx.Response(200, json={"head": {"vars": ["graph", "n"]}, "results": {"bindings": [{"graph": g, "n": n}]}},
                              headers={"Content-Type": "application/sparql-results+json"})

    with _mock_store(handler, gsp_url="http://mock.invalid/gsp") as store:
        with pytest.raises(StoreError) as err:
            store.export("nquads")
    assert err.value.code == "PKB-STORE-IO" and "1 of the 2" in str(err.value)


class _Stall(http.server.BaseHTTPRequestHandler):
    """Answers the opening probe, then takes 5 s over any query."""

    def do_GET(self):  # noqa: N802
        self._answer(b'{"head":{},"boolean":true}')

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(5)
        self._answer(b'{"head":{"vars":[]},"results":{"bindings":[]}}')

    def _answer(self, body: bytes) -> None:
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass

    def log_message(self, *args):
        pass


def test_the_client_stops_waiting_at_the_deadline():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Stall)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        with SparqlHttpStore(f"http://127.0.0.1:{httpd.server_address[1]}/sparql") as store:
            started = time.monotonic()
            with pytest.raises(QueryError) as err:
                store.query("SELECT * WHERE { ?s ?p ?o }", timeout=0.5)
            assert err.value.code == "PKB-QUERY-TIMEOUT" and time.monotonic() - started < 2
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_an_unreachable_server_is_named_in_the_error(monkeypatch):
    monkeypatch.setenv("POLICYKB_USER", "ann")
    monkeypatch.setenv("POLICYKB_PASSWORD", "s3cr3t-pw")
    with pytest.raises(StoreError) as err:
        open_store("http://127.0.0.1:9/sparql")
    assert err.value.code == "PKB-STORE-SERVER" and "http://127.0.0.1:9/sparql" in str(err.value)
    assert "s3cr3t-pw" not in str(err.value)
    with pytest.raises(StoreError) as err:  # credentials in the URL go to the auth, not into messages
        open_store("http://bob:pa55word@127.0.0.1:9/sparql")
    assert "pa55word" not in str(err.value) and err.value.path == "http://127.0.0.1:9/sparql"


# ====================================================================== against Virtuoso

server_only = pytest.mark.server


@server_only
def test_the_endpoints_of_a_virtuoso(server, virtuoso):
    assert "virtuoso" in server.server.lower()
    assert server.gsp_url.endswith("/sparql-graph-crud-auth") and server.write_mode == "gsp"
    # Virtuoso's HTTP authentication is Digest: the same credentials sent as Basic are refused
    with pytest.raises(StoreError) as err:
        SparqlHttpStore(config=ServerConfig(virtuoso.url, auth="basic"), user="dba", password=virtuoso.password)
    assert err.value.code == "PKB-STORE-AUTH" and virtuoso.password not in str(err.value)
    with pytest.raises(StoreError) as err:
        SparqlHttpStore(virtuoso.url, user="dba", password="wrong-" + virtuoso.password)
    assert err.value.code == "PKB-STORE-AUTH" and virtuoso.password not in str(err.value)


@server_only
def test_open_store_with_a_url_or_a_config_file(virtuoso, tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYKB_USER", "dba")
    monkeypatch.setenv("POLICYKB_PASSWORD", virtuoso.password)
    with open_store(virtuoso.url) as store:
        assert isinstance(store, SparqlHttpStore) and store.location == virtuoso.url
    config = tmp_path / "kb.toml"
    config.write_text(f'[server]\nquery = "{virtuoso.url}"\nwrite = "gsp"\n', encoding="utf-8")
    with open_store(str(config), read_only=True) as store:
        assert store.query("ASK {}").boolean
        with pytest.raises(StoreError) as err:
            store.write_documents([sample_write(1)])
        assert err.value.code == "PKB-STORE-READONLY"


@server_only
def test_write_and_read_back(server):
    assert not server.holds_documents()
    server.write_documents([sample_write(1, sources=("a.txt", "b.txt")), sample_write(2, rules=3)])
    assert server.holds_documents()
    assert server.graphs() == [doc_iri(1), doc_iri(2)]
    assert server.triple_count(doc_iri(1)) == 9 + 2 + 2 * 4
    assert server.triple_count() == server.triple_count(doc_iri(1)) + server.triple_count(doc_iri(2))
    assert server.graph_info(doc_iri(1)) == {"content_hash": "hash1", "pipeline_version": "0.1.0",
                                             "sources": ["a.txt", "b.txt"]}
    assert server.graph_info(doc_iri(99)) is None
    assert server.graphs_for_source("b.txt") == [doc_iri(1)]


@server_only
def test_replacing_dropping_and_removing(server):
    server.write_documents([sample_write(1, rules=5, sources=("old.txt", "renamed.txt")), sample_write(2)])
    before = dump(server)
    server.write_documents([sample_write(2)])
    assert dump(server) == before
    removal = (f"<{doc_iri(1)}>", f"<{PKB}sourcePath>", '"renamed.txt"', f"<{doc_iri(1)}>")
    server.write_documents([sample_write(1, rules=1, sources=("old.txt",)),
                            sample_write(3, title="新版", sources=("renamed.txt",), drop_graphs=(doc_iri(2),),
                                         remove_triples=(removal,))])
    assert server.graphs() == [doc_iri(1), doc_iri(3)]
    assert server.triple_count(doc_iri(1)) == 9 + 1 + 4
    assert server.graph_info(doc_iri(1))["sources"] == ["old.txt"]
    assert server.graphs_for_source("renamed.txt") == [doc_iri(3)]


@server_only
def test_a_bad_batch_is_refused_before_the_server_is_touched(server):
    server.write_documents([sample_write(1), sample_write(2)])
    before = dump(server)
    bad = DocumentWrite(doc_iri(9), sample_document(9) + b"<broken> <nquads\n")
    for writes in ([sample_write(1, rules=7), sample_write(3, drop_graphs=(doc_iri(2),)), bad],
                   [sample_write(4), sample_write(4)], [sample_write(5, drop_graphs=(VOCABULARY_GRAPH,))]):
        with pytest.raises(StoreError):
            server.write_documents(writes)
        assert dump(server) == before


@server_only
def test_a_document_whose_markers_never_arrived_reads_as_out_of_date(server, monkeypatch):
    """The crash window of a per-document write: the body is in, the version triple is not."""
    real = SparqlHttpStore._post_graph

    def crash_on_markers(self, graph, quads):
        if any(q.predicate.value == PKB + "pipelineVersion" for q in quads):
            raise StoreError("connection lost", code="PKB-STORE-SERVER")
        real(self, graph, quads)

    monkeypatch.setattr(SparqlHttpStore, "_post_graph", crash_on_markers)
    with pytest.raises(StoreError):
        server.write_documents([sample_write(1)])
    monkeypatch.undo()
    info = server.graph_info(doc_iri(1))
    assert info is not None and info["pipeline_version"] is None  # ingest's plan() rewrites it
    server.write_documents([sample_write(1)])
    assert server.graph_info(doc_iri(1))["pipeline_version"] == "0.1.0"


@server_only
def test_blank_nodes_of_two_documents_stay_apart(server):
    writes = [DocumentWrite(doc_iri(n), f'_:b0 <{PKB}p> "{n}" <{doc_iri(n)}> .\n'.encode()) for n in (1, 2)]
    server.write_documents(writes)
    result = server.query("SELECT DISTINCT ?s WHERE { ?s pkb:p ?o }")
    assert len(result) == 2 and all(isinstance(s, BNode) for s in result.column("s"))


@server_only
@pytest.mark.parametrize("value", INJECTIONS)
def test_bound_values_are_matched_literally(server, value):
    server.write_documents([sample_write(1, title=value), sample_write(2)])
    before = dump(server)
    result = server.query("SELECT ?doc ?title WHERE { ?doc dcterms:title ?title }", {"title": value})
    assert result.rows == [{"doc": doc_iri(1), "title": value}]
    assert not server.query("ASK { ?doc dcterms:title ?title }", {"?title": value + " "}).boolean
    with pytest.raises(QueryError) as err:
        server.query("SELECT ?doc WHERE { ?doc ?p ?o }", {"doc": IRI(value)})
    assert err.value.code == "PKB-QUERY-BIND"
    assert dump(server) == before


@server_only
def test_binding_types_and_result_values(server):
    g = doc_iri(1)
    extra = (f'<{g}> <{PKB}ratio> "0.25"^^<{XSD}decimal> <{g}> .\n'
             f'<{g}> <{PKB}flag> "true"^^<{XSD}boolean> <{g}> .\n'
             f'<{g}> <{PKB}weight> "2.5E0"^^<{XSD}double> <{g}> .\n'
             f'<{g}> <{PKB}month> "2024-03"^^<{XSD}gYearMonth> <{g}> .\n')
    server.write_documents([sample_write(1, extra=extra)])
    row = server.query("SELECT ?doc ?ratio ?flag ?weight ?issued ?month ?none WHERE { ?doc pkb:ratio ?ratio ; "
                       "pkb:flag ?flag ; pkb:weight ?weight ; dcterms:issued ?issued ; pkb:month ?month "
                       "OPTIONAL { ?doc pkb:nothing ?none } }").rows[0]
    assert row == {"doc": g, "ratio": 0.25, "flag": True, "weight": 2.5, "issued": "2024-03-01",
                   "month": "2024-03", "none": None}
    assert type(row["doc"]) is IRI and type(row["ratio"]) is float and row["flag"] is True
    label = server.query("SELECT ?label WHERE { ?r pkb:actionText ?label } LIMIT 1").rows[0]["label"]
    assert isinstance(label, LangString) and label == "召集集团联席会议" and label.language == "zh"
    assert len(server.query("SELECT ?r ?label WHERE { ?r pkb:actionText ?label }", {"label": label})) == 2
    assert len(server.query("SELECT ?r ?label WHERE { ?r pkb:actionText ?label }", {"label": str(label)})) == 0
    orders = server.query("SELECT ?r ?o WHERE { ?r pkb:order ?o }", {"o": 2}).rows
    assert orders == [{"r": f"{g}/rule/2", "o": 2}] and type(orders[0]["o"]) is int
    assert server.query("ASK { ?d pkb:flag ?f }", {"f": True}).boolean
    assert server.query("ASK { ?d pkb:weight ?w }", {"w": 2.5}).boolean
    assert server.query("ASK { ?d pkb:ratio ?r }", {"r": ox.Literal("0.25", datatype=ox.NamedNode(XSD + "decimal"))}).boolean
    assert server.query("ASK { ?d a pkb:PolicyDocument }", {"d": IRI(g)}).boolean
    assert not server.query("ASK { ?d a pkb:PolicyDocument }", {"d": g}).boolean  # a str is a literal
    assert server.query("SELECT ?d WHERE { ?d a pkb:PolicyDocument }", {"d": None}).column("d") == [g]
    with pytest.raises(QueryError) as err:
        server.query("SELECT ?x WHERE { ?x ?p ?hidden }", {"hidden": 1})
    assert err.value.code == "PKB-QUERY-PARAM"


@server_only
def test_chinese_text_paths_group_concat_and_values(server):
    """What the named queries rely on, on Virtuoso: unicode literals, language tags, skos:broader*
    over the vocabulary graph, GROUP_CONCAT with a separator, VALUES-bound parameters, STRAFTER."""
    assert server.ensure_vocabulary() is True and server.ensure_vocabulary() is False
    with OxigraphStore(None) as local:
        local.ensure_vocabulary()
        assert server.triple_count(VOCABULARY_GRAPH) == local.triple_count(VOCABULARY_GRAPH)
        zh_label = local.query('SELECT ?l WHERE { actor:member_school skos:prefLabel ?l FILTER (LANG(?l) = "zh") }'
                               ).rows[0]["l"]
        assert isinstance(zh_label, LangString) and any(ord(c) > 127 for c in zh_label)
        queries = [
            ("SELECT ?a ?target WHERE { ?a skos:broader* ?target }",
             {"target": IRI("https://w3id.org/policykb/vocab/actor/group")}),
            ("SELECT ?target ?actor ?inherited WHERE { { SELECT DISTINCT ?target ?actor ?inherited WHERE { "
             "{ ?actor skos:broader* ?target . BIND (false AS ?inherited) } UNION "
             "{ ?target skos:broader+ ?actor . BIND (true AS ?inherited) } } } }",
             {"target": IRI("https://w3id.org/policykb/vocab/actor/group_head")}),
            ('SELECT ?c ?zh WHERE { ?c skos:prefLabel ?zh FILTER (LANG(?zh) = "zh") }', {}),
            ("SELECT ?c (GROUP_CONCAT(?l; separator=\"、\") AS ?all) WHERE { ?c skos:altLabel ?l "
             "FILTER (LANGMATCHES(LANG(?l), \"zh\")) } GROUP BY ?c", {}),
            ('SELECT ?c ?l WHERE { ?c skos:prefLabel ?l }', {"l": zh_label}),
            ('SELECT ?code WHERE { ?c skos:inScheme ?s BIND (STRAFTER(STR(?c), "/vocab/actor/") AS ?code) '
             'FILTER (?code != "") }', {}),
        ]
        for sparql, bindings in queries:
            ours = server.query(sparql, bindings).rows
            theirs = local.query(sparql, bindings).rows
            if "GROUP_CONCAT" in sparql:  # the order inside a GROUP_CONCAT is not defined
                ours = [{**r, "all": sorted(r["all"].split("、"))} for r in ours]
                theirs = [{**r, "all": sorted(r["all"].split("、"))} for r in theirs]
            key = lambda row: sorted((k, str(v)) for k, v in row.items())  # noqa: E731
            assert sorted(ours, key=key) == sorted(theirs, key=key), sparql
            assert ours, sparql
    # a Virtuoso limit (documented in docs/scale-out.md): a transitive path needs a given end
    with pytest.raises(QueryError) as err:
        server.query("SELECT ?a ?t WHERE { ?a skos:broader+ ?t }")
    assert err.value.code == "PKB-QUERY-EVAL" and "transitive start not given" in str(err.value)


@server_only
def test_queries_read_the_union_of_named_graphs(server):
    server.write_documents([sample_write(1), sample_write(2)])
    assert len(server.query("SELECT ?d WHERE { ?d a pkb:PolicyDocument }")) == 2
    per_graph = server.query("SELECT ?g (COUNT(?r) AS ?n) WHERE { GRAPH ?g { ?r a odrl:Duty } } GROUP BY ?g ORDER BY ?g")
    assert per_graph.rows == [{"g": doc_iri(1), "n": 2}, {"g": doc_iri(2), "n": 2}]
    # Virtuoso's own graphs are there for GRAPH ?g, but not policykb's graphs()
    every = {str(g) for g in server.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").column("g")}
    assert "http://www.openlinksw.com/schemas/virtrdf#" in every
    assert server.graphs() == [doc_iri(1), doc_iri(2)]


@server_only
def test_query_kinds_limits_and_refusals(server):
    server.write_documents([sample_write(1, rules=5)])
    assert server.query("ASK { ?s ?p ?o }").kind == "ask"
    construct = server.query("CONSTRUCT { ?r pkb:order ?o } WHERE { ?r pkb:order ?o }")
    assert construct.kind == "construct" and len(construct) == 5
    assert len(rdflib.Graph().parse(data=construct.ntriples, format="nt")) == 5
    for sparql, code in [("SELECT ?s WHERE { ?s ?p }", "PKB-QUERY-SYNTAX"), ("DROP ALL", "PKB-QUERY-READONLY"),
                         (f"CLEAR GRAPH <{doc_iri(1)}>", "PKB-QUERY-READONLY")]:
        with pytest.raises(QueryError) as err:
            server.query(sparql)
        assert err.value.code == code
    assert server.graphs() == [doc_iri(1)]
    sparql = "SELECT ?r WHERE { ?r pkb:order ?o } ORDER BY ?o"
    cut = server.query(sparql, limit=3)
    assert len(cut) == 3 and cut.truncated and cut.column("r") == [f"{doc_iri(1)}/rule/{k}" for k in (1, 2, 3)]
    whole = server.query(sparql, limit=5)
    assert len(whole) == 5 and not whole.truncated
    with pytest.raises(QueryError) as err:
        server.query(sparql, limit=4, strict=True)
    assert err.value.code == "PKB-QUERY-LIMIT"
    assert len(server.query("CONSTRUCT WHERE { ?r pkb:order ?o }", limit=2)) == 2


@server_only
def test_run_user_query_on_a_server(server, virtuoso, monkeypatch):
    server.write_documents([sample_write(1, rules=4)])
    monkeypatch.setenv("POLICYKB_USER", "dba")
    monkeypatch.setenv("POLICYKB_PASSWORD", virtuoso.password)
    result = run_user_query("SELECT ?r WHERE { ?r pkb:order ?o }", location=virtuoso.url, timeout=30, limit=3)
    assert len(result) == 3 and result.truncated
    bound = run_user_query("SELECT ?r ?o WHERE { ?r pkb:order ?o }", {"o": 4}, location=virtuoso.url, timeout=30)
    assert bound.column("r") == [f"{doc_iri(1)}/rule/4"]
    for sparql, code in [("DROP ALL", "PKB-QUERY-READONLY"),
                         ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "PKB-QUERY-SERVICE")]:
        with pytest.raises(QueryError) as err:
            run_user_query(sparql, location=virtuoso.url, timeout=30)
        assert err.value.code == code


@server_only
def test_a_slow_query_is_abandoned_at_the_deadline(server):
    server.write_documents([sample_write(n, rules=20) for n in range(1, 4)])
    started = time.monotonic()
    with pytest.raises(QueryError) as err:  # ~250 triples to the 4th power: minutes of work
        server.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c . ?d ?e ?f . ?h ?i ?j . ?k ?l ?m } }",
                     timeout=1.0)
    assert err.value.code == "PKB-QUERY-TIMEOUT" and time.monotonic() - started < 4


@server_only
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("fmt, rdflib_format, quads", [
    ("nquads", "nquads", True), ("trig", "trig", True), ("jsonld", "json-ld", True),
    ("turtle", "turtle", False), ("ntriples", "nt", False),
])
def test_exports_equal_the_embedded_backends(server, fmt, rdflib_format, quads):
    writes = [sample_write(1), sample_write(2, rules=3)]
    server.write_documents(writes)
    with OxigraphStore(None) as local:
        local.write_documents(writes)
        for graph in (None, doc_iri(2)):
            ours, theirs = server.export(fmt, graph), local.export(fmt, graph)
            if quads:
                a, b = rdflib.Dataset(), rdflib.Dataset()
                a.parse(data=ours, format=rdflib_format)
                b.parse(data=theirs, format=rdflib_format)
                ga = {str(g.identifier): g for g in a.graphs() if len(g)}
                gb = {str(g.identifier): g for g in b.graphs() if len(g)}
                assert ga.keys() == gb.keys() and all(isomorphic(ga[k], gb[k]) for k in ga)
            else:
                assert isomorphic(rdflib.Graph().parse(data=ours, format=rdflib_format),
                                  rdflib.Graph().parse(data=theirs, format=rdflib_format))
    with pytest.raises(StoreError) as err:
        server.export(fmt, doc_iri(5))
    assert err.value.code == "PKB-STORE-NOGRAPH"


@server_only
@pytest.mark.slow
def test_stopping_the_server_mid_ingest_then_rerunning(virtuoso, tmp_path, monkeypatch):
    """The server goes away after the first committed batch: a clear error naming the server (not
    the password); after a restart a rerun completes the corpus, each document exactly once."""
    from ingest.runner import ingest

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for copy in range(3):  # distinct texts, so 15 documents
        for path in sorted(SOURCE_DOCS.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            (corpus / f"{path.stem}-{copy}.txt").write_text(text + f"\n附件{copy + 1}。\n", encoding="utf-8")
    files = sorted(corpus.glob("*.txt"))
    with virtuoso.store() as store:
        wipe(store)
    stopped = []

    def stop_after_first(result):
        if not stopped:
            stopped.append(result.path)
            virtuoso.stop()

    monkeypatch.setenv("POLICYKB_BATCH_DOCUMENTS", "2")
    try:
        with virtuoso.store() as store:
            with pytest.raises(StoreError) as err:
                ingest(store, [str(corpus)], workers=2, on_result=stop_after_first)
    finally:
        virtuoso.start()
    assert err.value.code == "PKB-STORE-SERVER" and virtuoso.url in str(err.value)
    assert virtuoso.password not in str(err.value) and virtuoso.password not in repr(err.value.to_dict())
    with virtuoso.store() as store:
        written = len(store.graphs())
        assert 1 <= written < len(files)
        summary = ingest(store, [str(corpus)], workers=2)
        assert not summary.errors
        assert summary.count("unchanged") >= 1 and summary.count("added") >= 1
        assert len(store.graphs()) == len(files)
        docs = store.query("SELECT ?d (COUNT(*) AS ?n) WHERE { ?d a pkb:PolicyDocument } GROUP BY ?d").rows
        assert len(docs) == len(files) and all(r["n"] == 1 for r in docs)
        versions = store.query("SELECT ?d (COUNT(?v) AS ?n) WHERE { GRAPH ?d { ?d prov:wasGeneratedBy ?a . "
                               "?a pkb:pipelineVersion ?v } } GROUP BY ?d").rows
        assert len(versions) == len(files) and all(r["n"] == 1 for r in versions)
        again = ingest(store, [str(corpus)], workers=2)
        assert again.count("unchanged") == len(files)


@server_only
def test_a_servers_question_vocabulary_is_kept_until_its_documents_change(server, monkeypatch):
    """A server cannot tell its view cheaply, so its vocabulary is kept by the documents' hashes:
    read once while they stay, read again when a document arrives, with the new names in it."""
    from ingest.runner import ingest
    from kb.ask import store_vocabulary, vocabulary_for
    from kb.ask.interpret import interpret_with

    ingest(server, [str(SOURCE_DOCS / "zhangye-zhongxue-group-2024.txt")], workers=1)
    builds: list[int] = []
    real = store_vocabulary.load_terms
    monkeypatch.setattr(store_vocabulary, "load_terms", lambda store, **kw: builds.append(1) or real(store, **kw))
    from kb import queries
    calls: list[str] = []
    run = queries.run
    monkeypatch.setattr(queries, "run", lambda store, name, **kw: calls.append(name) or run(store, name, **kw))
    first = vocabulary_for(server)
    assert calls.count("ask_store_stamp") == 1      # the stamp's documents serve the build's count too
    assert vocabulary_for(server) is first and len(builds) == 1
    assert interpret_with(first, "宝塔区的义务").filters.districts == []
    ingest(server, [str(SOURCE_DOCS)], workers=1)
    again = vocabulary_for(server)
    assert again is not first and len(builds) == 2
    assert interpret_with(again, "宝塔区的义务").filters.districts != []
