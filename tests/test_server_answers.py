"""The same answers from both backends: ask, compare, matrix and exports over source_docs/, once on
the embedded Oxigraph store and once on Virtuoso (each loaded by ``ingest`` from the same files).

Results are compared as the ``to_dict()`` the CLI and the app print, made order-insensitive where
the order is not defined (lists are compared as multisets; the matrix axes keep their order). The
RDF exports must be isomorphic graph by graph once the ingest timestamps (``prov:endedAtTime``, set
by each ingest) are left out.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

from ingest.runner import ingest
from kb.store.oxigraph import OxigraphStore
from tests.test_server_store import virtuoso, wipe  # noqa: F401  (the shared session fixture)

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DOCS = ROOT / "source_docs"
ENDED = b"<http://www.w3.org/ns/prov#endedAtTime>"

#: The app's example questions (webapp/pages/ask.py).
QUESTIONS = ["哪些义务适用于成员校？", "张掖中学教育集团的联席会议多久召开一次？", "每学期至少要开展哪些活动？",
             "What is prohibited?", "Which groups follow the junior-senior consortium model?",
             "宝塔区有哪些教育集团？"]

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def stores(virtuoso, tmp_path_factory):  # noqa: F811
    """(embedded store, Virtuoso store), both holding source_docs/ ingested by ``ingest``."""
    path = tmp_path_factory.mktemp("answers-oxigraph")
    with OxigraphStore(path) as local:
        assert not ingest(local, [str(SOURCE_DOCS)], workers=1).errors
    with virtuoso.store() as server:
        wipe(server)
        summary = ingest(server, [str(SOURCE_DOCS)], workers=1)
        assert not summary.errors and summary.count("added") == len(list(SOURCE_DOCS.glob("*.txt")))
        with OxigraphStore(path, read_only=True) as local:
            yield local, server


def canonical(value):
    """``value`` with every list turned into a sorted list (order-insensitive comparison)."""
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False, default=str))
    return value


@pytest.mark.parametrize("question", QUESTIONS)
def test_ask_gives_the_same_answers(stores, question):
    from kb.ask import ask

    local, server = stores
    ours, theirs = ask(server, question).to_dict(), ask(local, question).to_dict()
    assert theirs["results"], question  # the question finds something
    assert canonical(ours) == canonical(theirs)
    assert len(ours["results"]) == len(theirs["results"])


def test_compare_gives_the_same_comparison(stores):
    from kb.compare import compare

    local, server = stores
    ours, theirs = compare(server, ["张掖市", "田家庵区"]).to_dict(), compare(local, ["张掖市", "田家庵区"]).to_dict()
    assert canonical(ours) == canonical(theirs)
    assert json.dumps(theirs, ensure_ascii=False).count("每月") > 0


def test_matrix_gives_the_same_cells(stores):
    from kb.matrix import matrix

    local, server = stores
    ours, theirs = matrix(server, district="田家庵区"), matrix(local, district="田家庵区")
    assert canonical(ours.to_dict()) == canonical(theirs.to_dict())
    for axis in ("rows", "cols", "columns"):  # the axes are ordered: same order
        if axis in theirs.to_dict():
            assert ours.to_dict()[axis] == theirs.to_dict()[axis]
    whole_ours, whole_theirs = matrix(server).to_dict(), matrix(local).to_dict()
    assert canonical(whole_ours) == canonical(whole_theirs)


def _graphs(data: bytes, fmt: str) -> dict[str, rdflib.Graph]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ds = rdflib.Dataset()
        ds.parse(data=data, format=fmt)
    graphs = {}
    for g in ds.graphs():
        if len(g):
            for triple in list(g.triples((None, rdflib.URIRef(ENDED[1:-1].decode()), None))):
                g.remove(triple)
            graphs[str(g.identifier)] = g
    return graphs


@pytest.mark.parametrize("district", [None, "田家庵区"])
def test_exports_are_isomorphic(stores, district):
    from kb.exports import export_rdf

    local, server = stores
    ours = _graphs(export_rdf(server, "nquads", district), "nquads")
    theirs = _graphs(export_rdf(local, "nquads", district), "nquads")
    assert ours.keys() == theirs.keys() and ours
    for name in theirs:
        assert isomorphic(ours[name], theirs[name]), name
    # timestamps aside, the N-Quads lines are the same too (no blank nodes in document graphs)
    strip = lambda data: {l for l in data.splitlines() if l.strip() and ENDED not in l}  # noqa: E731
    assert strip(export_rdf(server, "nquads", district)) == strip(export_rdf(local, "nquads", district))
    with_vocabulary = _graphs(export_rdf(server, "trig", district, include_vocabulary=True), "trig")
    assert len(with_vocabulary) == len(ours) + 1


def test_named_queries_give_the_same_rows(stores):
    """Every named query, with only its required parameters bound and with a district too, on both
    backends."""
    from kb import queries
    from tests.conftest import required_bindings

    local, server = stores
    for query in queries.list_queries():
        # the required parameters bound (a path needs a given end on Virtuoso, and on Oxigraph a
        # free one matches every term)
        base = required_bindings(query)
        params = {**base, "district": "田家庵区"} if "district" in query.params else {}
        for bindings in (base, params) if params else (base,):
            # Virtuoso's own graphs (virtrdf# …) are seen by GRAPH ?g over everything: left out
            ours = [{k: plain(v) for k, v in r.items()} for r in query.run(server, **bindings).rows
                    if str(r.get("graph") or "https://w3id.org/policykb/").startswith("https://w3id.org/policykb/")]
            theirs = [{k: plain(v) for k, v in r.items()} for r in query.run(local, **bindings).rows]
            assert canonical(_split_concat(ours)) == canonical(_split_concat(theirs)), (query.name, bindings)


def test_actor_inheritance_on_both_backends(stores):
    """The rules binding member schools (own, narrower and inherited), as kb.obligations.find
    gathers them: the same rules on both backends."""
    from kb.obligations import find

    local, server = stores
    for district in (None, "田家庵区", "张掖市"):
        ours = sorted((o.rule, o.inherited) for o in find(server, actor="member_school", district=district))
        theirs = sorted((o.rule, o.inherited) for o in find(local, actor="member_school", district=district))
        assert ours == theirs, district


def plain(value):
    """A result value as text. Virtuoso returns ``BIND (true AS ?x)`` as the integer 1 (equal in
    Python, ``1 == True``), so booleans are compared as 0/1."""
    if value is None:
        return None
    return str(int(value)) if isinstance(value, bool) else str(value)


def _split_concat(rows: list[dict]) -> list[dict]:
    """GROUP_CONCAT values split into sorted parts (the order inside one is not defined)."""
    out = []
    for row in rows:
        fixed = {}
        for k, v in row.items():
            if isinstance(v, str) and any(sep in v for sep in ("、", "; ", " ", "\n")) and not v.startswith("http"):
                for sep in ("、", "; ", "\n", " "):
                    if sep in v:
                        v = sep.join(sorted(v.split(sep)))
                        break
            fixed[k] = v
        out.append(fixed)
    return out
