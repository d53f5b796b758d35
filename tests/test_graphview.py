"""The networkx projection of the graph, on a real store.

宝塔区 (baota-groups-report.txt): "共组建11个教育集团" — 1 高中 + 4 初中 + 6 小学 groups, each of one
lead school and one member school except 新区第一小学 (东关小学 and 甘谷驿学校): 23 schools.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from kb import obligations, queries
from kb.graphview import NODE_KINDS, RELATIONS, PolicyGraph, graph_view
from kb.store import IRI

ROOT = Path(__file__).resolve().parents[1]




@pytest.fixture(scope="module")
def baota(store) -> PolicyGraph:
    return graph_view(store, district="宝塔区")


def kinds(g) -> Counter:
    return Counter(data["kind"] for _, data in g.nodes(data=True))


def test_baota_groups_and_schools(store, baota):
    assert isinstance(baota, nx.MultiDiGraph)
    counts = kinds(baota)
    assert counts["document"] == 1 and counts["group"] == 11 and counts["school"] == 23
    assert len(baota.edges_of("lead")) == 11 and len(baota.edges_of("member")) == 12
    for group in baota.nodes_of("group"):
        out = Counter(k for _, _, k in baota.out_edges(group, keys=True))
        assert out["lead"] == 1 and out["member"] >= 1
        assert out["lead"] + out["member"] == baota.nodes[group]["schools"]
    named = {baota.nodes[g]["label"] for g in baota.nodes_of("group")}
    assert {"新区高级中学教育集团", "新区第一小学教育集团", "宝塔区第三中学牵头的集团"} <= named
    first_primary = next(g for g in baota.nodes_of("group") if baota.nodes[g]["label"] == "新区第一小学教育集团")
    members = {baota.nodes[v]["label"] for _, v, k in baota.out_edges(first_primary, keys=True) if k == "member"}
    assert members == {"东关小学", "甘谷驿学校"}


def test_baota_obligations_bind_roles(store, baota):
    rules = obligations.find(store, district="宝塔区")
    assert set(baota.nodes_of("obligation")) == {ob.rule for ob in rules}
    for rule in baota.nodes_of("obligation"):
        binds = [v for _, v, k in baota.out_edges(rule, keys=True) if k == "binds"]
        assert len(binds) == 1 and baota.nodes[binds[0]]["kind"] == "role"
        assert baota.nodes[binds[0]]["code"] == baota.nodes[rule]["actor"]
    (doc,) = baota.nodes_of("document")
    stated = {v for _, v, k in baota.out_edges(doc, keys=True) if k == "states"}
    assert stated == set(baota.nodes_of("group")) | set(baota.nodes_of("obligation")) \
        | set(baota.nodes_of("constraint")) | set(baota.nodes_of("post")) | set(baota.nodes_of("body"))
    assert baota.nodes[doc]["groups"] == 11 and baota.nodes[doc]["rules"] == len(rules)


def test_every_node_has_the_drawing_attributes(store, baota):
    text = queries.run(store, "document_metadata", doc=IRI(baota.nodes_of("document")[0])).rows[0]["text"]
    for node, data in baota.nodes(data=True):
        assert {"label", "kind", "district", "sentence"} <= set(data)
        assert data["kind"] in NODE_KINDS
        if data["kind"] != "role":
            assert data["district"] == "宝塔区"            # nothing from another district
        if "start" in data:
            assert data["sentence"] == text[data["start"]:data["end"]]
    assert "共组建11个教育集团" in baota.nodes[baota.nodes_of("group")[0]]["sentence"]
    assert {k for _, _, k in baota.edges(keys=True)} <= set(RELATIONS)
    assert all(d["relation"] == k for _, _, k, d in baota.edges(keys=True, data=True))


def test_to_dict_is_node_link_json(baota):
    data = json.loads(json.dumps(baota.to_dict(), ensure_ascii=False))
    assert len(data["nodes"]) == baota.number_of_nodes() and len(data["links"]) == baota.number_of_edges()
    back = nx.node_link_graph(data, edges="links")
    assert back.number_of_nodes() == baota.number_of_nodes() and back.number_of_edges() == baota.number_of_edges()


def test_group_filter(store):
    g = graph_view(store, group="张掖中学教育集团")
    (group,) = g.nodes_of("group")
    schools = {k: sorted(g.nodes[v]["label"] for _, v, kk in g.out_edges(group, keys=True) if kk == k)
               for k in ("lead", "member")}
    assert schools == {"lead": ["张掖中学"], "member": ["市实验中学", "肃南一中"]}
    assert {d["district"] for _, d in g.nodes(data=True) if d["kind"] != "role"} == {"张掖市"}
    bodies = {g.nodes[b]["label"] for b in g.nodes_of("body")}
    assert "联席会议" in bodies
    assert all(any(k == "body" for _, _, k in g.in_edges(b, keys=True)) for b in g.nodes_of("body"))


def test_actor_filter_keeps_the_rules_that_bind_it(store):
    g = graph_view(store, district="张掖市", actor="成员学校")
    rules = g.nodes_of("obligation")
    expected = obligations.find(store, actor="member_school", district="张掖市")
    assert set(rules) == {ob.rule for ob in expected}
    assert {g.nodes[r]["actor"] for r in rules} <= {"member_school", "member_school_staff", "group"}
    assert all(g.nodes[r]["inherited"] == (g.nodes[r]["actor"] == "group") for r in rules)
    assert {g.nodes[r]["code"] for r in g.nodes_of("role")} <= {"member_school", "member_school_staff", "group"}


def test_whole_graph_has_every_document(store):
    g = graph_view(store)
    assert len(g.nodes_of("document")) == len(store.graphs())
    assert len(g.nodes_of("obligation")) == len(obligations.find(store))
    assert len(g.nodes_of("group")) == len(queries.run(store, "cmp_groups").rows)


@pytest.mark.parametrize("options", [{}, {"actor": "member_school", "include_constraints": False}],
                         ids=["everything", "an-actor"])
def test_documents_read_together_make_the_graph_read_one_by_one(big, monkeypatch, options):
    """The generated store's 60 documents, read a few dozen at once (two reads) and one at a time:
    the same nodes with the same data in the same order, the same edges."""
    together = graph_view(big, **options).to_dict()
    monkeypatch.setattr(obligations, "PER_DOCUMENT", 1)
    alone = graph_view(big, **options).to_dict()
    assert len([n for n in together["nodes"] if n["kind"] == "document"]) > 50
    assert json.dumps(together, default=str, ensure_ascii=False) == json.dumps(alone, default=str, ensure_ascii=False)
