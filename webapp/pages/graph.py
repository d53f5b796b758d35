"""Graph: the network of documents, groups, schools, posts, bodies, roles, rules and constraints of
the current filter (``kb.graphview.graph_view``); on a store above ``POLICYKB_APP_SCOPE_DOCUMENTS``
documents, of a district, group or model only, and of at most that many documents unless asked.

The interactive view is vis-network, whose script is read from the installed ``pyvis`` package
and inlined into the page (nothing is fetched from the internet); every label goes in as JSON with
``<``, ``>`` and ``&`` escaped, and vis-network shows string tooltips as text. Without pyvis, or
on request, the static view is Streamlit's own ``st.graphviz_chart``. Below, the nodes as a
table, 200 a page; a selected node with evidence shows its source sentence.

Widget keys: ``gr_district``, ``gr_group``, ``gr_model``, ``gr_actor``, ``gr_rules``,
``gr_constraints``, ``gr_view``, ``gr_force``, ``gr_all`` (build the graph of more than
``POLICYKB_APP_SCOPE_DOCUMENTS`` documents all the same); ``gr_nodes`` (single-row selection, the page's
nodes) and ``gr_nodes_page`` (which page of 200).
URL: ``district``, ``group``, ``model``, ``actor``, ``rules``, ``constraints``, ``view``.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pandas as pd
import streamlit as st

from kb import settings
from webapp.filters import scope_filter
from webapp.paging import paged
from webapp.support import Param, escape_html

app = st.session_state.pop("_app")   # set by app.py, which runs every page
t = app.t

SPEC = [Param("gr_district", "district"), Param("gr_group", "group"), Param("gr_model", "model"),
        Param("gr_actor", "actor"), Param("gr_rules", "rules", "bool", True),
        Param("gr_constraints", "constraints", "bool", True), Param("gr_view", "view", "str", "interactive")]
LIMIT = 900
STYLE = {  # kind → (vis shape, colour, size); graphviz shape
    "document": ("box", "#90a4ae", 18, "box"),
    "group": ("dot", "#43a047", 22, "ellipse"),
    "school": ("dot", "#a5d6a7", 12, "ellipse"),
    "post": ("diamond", "#8e24aa", 12, "diamond"),
    "body": ("triangle", "#fb8c00", 13, "triangle"),
    "role": ("star", "#1e88e5", 18, "doubleoctagon"),
    "obligation": ("dot", "#64b5f6", 8, "note"),
    "constraint": ("square", "#ec407a", 10, "box"),
}
KIND_ZH = {"document": ("文件", "document"), "group": ("集团", "group"), "school": ("学校", "school"),
           "post": ("职务", "post"), "body": ("机构", "body"), "role": ("角色", "role"),
           "obligation": ("条款", "rule"), "constraint": ("制度约束", "constraint")}


def kind_label(kind: str) -> str:
    zh, en = KIND_ZH.get(kind, (kind, kind))
    return en if app.lang == "en" else zh


def _codes(scheme: str) -> list[str]:
    from ontology import labels

    return list(labels(scheme))


@st.cache_resource(show_spinner=False, max_entries=8)
def build(stamp: str, district: str, group: str, model: str, actor: str, rules: bool, constraints: bool) -> dict:
    """The scope's graph as plain data, shared and never changed (a resource: a copy per rerun of a
    large district's 45,000 nodes took most of the rerun)."""
    from kb.graphview import graph_view

    g = graph_view(app.store, district=district or None, group=group or None, actor=actor or None,
                   model=model or None, include_obligations=rules, include_constraints=constraints)
    return json.loads(json.dumps(g.to_dict(), default=str))


@st.cache_data(show_spinner=False, max_entries=64)
def scope_size(stamp: str, district: str, group: str, model: str) -> int:
    """How many documents the graph of this filter is built from."""
    from kb.scopes import scope_documents

    docs, _ = scope_documents(app.store, district=district or None, group=group or None, model=model or None)
    return len(docs)


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str] | None:
    """vis-network's script and stylesheet, from the installed pyvis package (None without it)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("pyvis")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        folder = Path(root) / "lib" / "vis-9.1.2"
        js, css = folder / "vis-network.min.js", folder / "vis-network.css"
        if js.is_file():
            return js.read_text(encoding="utf-8"), css.read_text(encoding="utf-8") if css.is_file() else ""
    return None


def script_json(value: object) -> str:
    """JSON safe to put inside a ``<script>`` element."""
    return (json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def tooltip(node: dict) -> str:
    lines = [f"{kind_label(node.get('kind', ''))}: {node.get('label') or ''}"]
    if node.get("district"):
        lines.append(str(node["district"]))
    if node.get("frequency"):
        lines.append(str(node["frequency"]))
    if node.get("sentence"):
        sentence = str(node["sentence"])
        lines.append(sentence[:160] + ("…" if len(sentence) > 160 else ""))
    return "\n".join(lines)


def vis_html(graph: dict, assets: tuple[str, str], height: int = 640) -> str:
    js, css = assets
    index = {n["id"]: i for i, n in enumerate(graph["nodes"])}
    nodes = []
    for i, n in enumerate(graph["nodes"]):
        shape, color, size, _ = STYLE.get(n.get("kind"), ("dot", "#999", 10, "ellipse"))
        if n.get("kind") == "obligation" and n.get("modality") == "prohibition":
            color = "#e53935"
        label = str(n.get("label") or "")
        if n.get("kind") in ("obligation", "constraint"):
            label = ""   # many and long: shown on hover (the tooltip) instead
        nodes.append({"id": i, "label": label if len(label) <= 18 else label[:17] + "…", "title": tooltip(n),
                      "shape": shape, "color": color, "size": size, "group": n.get("kind")})
    edges = [{"from": index[e["source"]], "to": index[e["target"]], "arrows": "to",
              "color": {"color": "#b0bec5"}, "title": e.get("relation") or e.get("key") or ""}
             for e in graph["links"] if e["source"] in index and e["target"] in index]
    options = {"physics": {"solver": "forceAtlas2Based", "stabilization": {"iterations": 250},
                           "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 90}},
               "interaction": {"hover": True, "navigationButtons": False, "tooltipDelay": 120},
               "nodes": {"font": {"size": 12, "face": "Noto Sans CJK SC, Noto Sans SC, sans-serif"}},
               "edges": {"smooth": False}}
    return ("<!doctype html><html><head><meta charset='utf-8'>"
            f"<style>{css}</style><style>html,body{{margin:0;padding:0;background:#fff}}"
            f"#net{{width:100%;height:{height}px;border:1px solid #e0e0e0;box-sizing:border-box}}"
            "div.vis-tooltip{white-space:pre-wrap;max-width:380px;font-family:sans-serif}</style>"
            f"<script>{js}</script></head><body><div id='net'></div><script>"
            f"var nodes=new vis.DataSet({script_json(nodes)});var edges=new vis.DataSet({script_json(edges)});"
            f"var network=new vis.Network(document.getElementById('net'),{{nodes:nodes,edges:edges}},"
            f"{script_json(options)});"
            "network.once('stabilizationIterationsDone',function(){network.setOptions({physics:false});network.fit();});"
            "</script></body></html>")


def dot_source(graph: dict) -> str:
    def q(value: object) -> str:
        return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'

    index = {n["id"]: f"n{i}" for i, n in enumerate(graph["nodes"])}
    lines = ["digraph policykb {", 'graph [rankdir=LR, overlap=false, fontname="Noto Sans CJK SC"];',
             'node [style=filled, fontname="Noto Sans CJK SC", fontsize=10];', "edge [color=gray60];"]
    for n in graph["nodes"]:
        _, color, _, shape = STYLE.get(n.get("kind"), ("dot", "#999999", 10, "ellipse"))
        label = str(n.get("label") or "")
        label = label if len(label) <= 20 else label[:19] + "…"
        lines.append(f"{index[n['id']]} [label={q(label)}, shape={shape}, fillcolor={q(color)}, "
                     f"tooltip={q(tooltip(n))}];")
    for e in graph["links"]:
        if e["source"] in index and e["target"] in index:
            lines.append(f"{index[e['source']]} -> {index[e['target']]};")
    lines.append("}")
    return "\n".join(lines)


st.title(t("gr_title"))
st.caption(t("gr_caption"))
districts = app.districts()
choices = {"gr_district": [""] + districts, "gr_group": [""] + [g["group"] for g in app.groups()],
           "gr_model": [""] + app.models(), "gr_actor": [""] + _codes("actor"),
           "gr_view": ["interactive", "static"]}
app.restore("graph", SPEC, choices, initial={"gr_district": districts[0] if districts else ""})
scope_filter(app, "gr", choices, ("actor", "actor"))
o1, o2, o3 = st.columns(3)
with o1:
    st.toggle(t("gr_rules"), key="gr_rules", persist_state="session")
with o2:
    st.toggle(t("gr_constraints"), key="gr_constraints", persist_state="session")
with o3:
    st.segmented_control(t("gr_view"), choices["gr_view"], format_func=lambda v: t(f"gr_{v}"), key="gr_view",
                         persist_state="session")

state = st.session_state
if app.large() and not (state["gr_district"] or state["gr_group"] or state["gr_model"]):
    # the whole of a large store is no graph to draw (10,000 documents: 53,000 nodes a district,
    # minutes to build): a district, group or model first
    st.info(t("gr_choose_scope", n=len(app.documents())))
    app.publish("graph", SPEC)
    st.stop()
in_scope = scope_size(app.stamp, state["gr_district"] or "", state["gr_group"] or "", state["gr_model"] or "") \
    if app.large() else 0        # a store within the limit holds no filter above it
if in_scope > settings.get("app_scope_documents") and not state.get("gr_all"):
    # a graph of hundreds of documents is hundreds of thousands of nodes (the largest district at
    # 60k: 1,913 documents, 52 s to build) that nobody can draw: a group, model or smaller district
    st.warning(t("gr_too_many_documents", n=in_scope, limit=settings.get("app_scope_documents")))
    st.toggle(t("gr_build_all"), key="gr_all")
    app.publish("graph", SPEC)
    st.stop()
graph = build(app.stamp, state["gr_district"] or "", state["gr_group"] or "", state["gr_model"] or "",
              state["gr_actor"] or "", bool(state["gr_rules"]), bool(state["gr_constraints"]))
n_nodes, n_edges = len(graph["nodes"]), len(graph["links"])
legend = "".join(f'<span style="display:inline-block;margin-right:14px"><span style="display:inline-block;'
                 f'width:10px;height:10px;border-radius:50%;background:{STYLE[k][1]};margin-right:4px"></span>'
                 f'{escape_html(kind_label(k))}</span>' for k in STYLE)
st.html(f'<div style="font-size:0.85rem;color:#555">{escape_html(t("gr_summary", nodes=n_nodes, edges=n_edges))}'
        f' · {legend}</div>')

draw = n_nodes > 0
if n_nodes > LIMIT:
    st.warning(t("gr_too_big", n=n_nodes, limit=LIMIT))
    draw = st.toggle(t("gr_force"), key="gr_force")
if draw:
    assets = vis_assets() if (state.get("gr_view") or "interactive") == "interactive" else None
    if (state.get("gr_view") or "interactive") == "interactive" and assets is None:
        st.info(t("gr_no_vis"))
    if assets is not None:
        st.iframe(vis_html(graph, assets), height=660)
    else:
        st.graphviz_chart(dot_source(graph), width="stretch")
elif not n_nodes:
    st.info(t("none_found"))

if graph["nodes"]:
    st.subheader(t("gr_nodes"))
    listing = (state["gr_district"], state["gr_group"], state["gr_model"], state["gr_actor"],
               state["gr_rules"], state["gr_constraints"])
    nodes = paged(app, "gr_nodes_page", graph["nodes"], listing=listing).rows
    frame = pd.DataFrame([{t("col_kind"): kind_label(n.get("kind", "")), t("col_label"): n.get("label") or "",
                           t("col_district"): n.get("district") or "", t("col_frequency"): n.get("frequency") or "",
                           t("col_sentence"): n.get("sentence") or ""} for n in nodes])
    event = st.dataframe(frame, key="gr_nodes", on_select="rerun", selection_mode="single-row", hide_index=True,
                         width="stretch", height=min(320, 38 + 35 * len(frame)))
    selected = event.selection.rows if event is not None else []
    if selected and selected[0] < len(nodes):
        node = nodes[selected[0]]
        doc = node.get("doc") or (node.get("iri") if node.get("kind") == "document" else None)
        if doc:
            span = (node["start"], node["end"]) if node.get("start") is not None else None
            app.show_source(doc, span, key="gr_src", note=str(node.get("label") or ""))
    else:
        st.caption(t("source_hint"))

app.publish("graph", SPEC)
