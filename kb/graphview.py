"""The knowledge graph as a networkx graph for drawing: groups, schools, posts, rules and who they bind.

:func:`graph_view` projects the RDF graph of a scope onto a :class:`PolicyGraph` (a
``networkx.MultiDiGraph`` whose node ids are IRIs). Node kinds and attributes, edges and filters:
docs/query-side.md.
"""
from __future__ import annotations

import networkx as nx

from kb import obligations, queries
from kb.citations import DocumentTexts
from kb.scopes import concept_label, group_label, resolve_concept, scope_documents, scope_groups
from kb.store.base import IRI, Store

NODE_KINDS = ("document", "group", "school", "post", "body", "role", "obligation", "constraint")
RELATIONS = ("lead", "member", "post", "body", "role", "binds", "states")


class PolicyGraph(nx.MultiDiGraph):
    """A ``MultiDiGraph`` with :meth:`to_dict` (node-link JSON) and a few counting helpers."""

    def to_dict(self) -> dict:
        """``{"directed", "multigraph", "graph", "nodes": [{"id", kind, label…}], "links":
        [{"source", "target", "key", "relation"}]}`` — ``networkx.node_link_data``."""
        return nx.node_link_data(self, edges="links")

    def nodes_of(self, kind: str) -> list[str]:
        """The ids of the nodes of one ``kind``."""
        return [n for n, data in self.nodes(data=True) if data.get("kind") == kind]

    def edges_of(self, relation: str) -> list[tuple[str, str]]:
        """``(source, target)`` of every edge of one ``relation``."""
        return [(u, v) for u, v, k in self.edges(keys=True) if k == relation]


def graph_view(store: Store, district: str | None = None, group: str | None = None, actor: str | None = None,
               *, model: str | None = None, include_obligations: bool = True,
               include_constraints: bool = True) -> PolicyGraph:
    """Build the graph of a scope (see the module docstring)."""
    docs, scope = scope_documents(store, district=district, group=group, model=model)
    keep_groups = set(scope.groups) if scope is not None and scope.restricts_groups else None
    actor_code = resolve_concept("actor", actor) if actor else None
    texts = DocumentTexts(store)
    g = PolicyGraph(scope=scope.to_dict(scope_groups(store, scope)) if scope else None, actor=actor_code)

    def node(iri: str, kind: str, label: str, doc: str | None = None, start: int | None = None,
             end: int | None = None, **attrs) -> None:
        meta = texts.meta(doc) if doc else {}
        sentence = texts.text(doc)[start:end] if doc and start is not None and end is not None else ""
        data = {"kind": kind, "label": label or "", "district": attrs.pop("district", None) or meta.get("district") or "",
                "sentence": sentence, "iri": str(iri)}
        if doc:
            data["doc"] = str(doc)
        if start is not None:
            data.update(start=int(start), end=int(end))
        data.update({k: ("" if v is None else v) for k, v in attrs.items()})
        g.add_node(str(iri), **data)

    def edge(u: str, v: str, relation: str) -> None:
        g.add_edge(str(u), str(v), key=relation, relation=relation)

    def role(code: str) -> str:
        from kb.obligations import concept

        iri = str(concept("actor", code))
        if iri not in g:
            node(iri, "role", concept_label("actor", code), code=code, district="")
        return iri

    bound = _bound_actors(actor_code)
    rules_of: dict[str, list] = {}
    for i, doc in enumerate(docs):
        if include_obligations and i % obligations.PER_DOCUMENT == 0:   # the next few dozen documents' rules
            rules_of = _rules_by_document(store, docs[i:i + obligations.PER_DOCUMENT], actor_code, texts)
        meta = texts.meta(doc)
        node(doc, "document", meta["title"] or "", district=meta["district"])
        group_rows = [r for r in queries.run(store, "cmp_groups", doc=IRI(doc)).rows
                      if keep_groups is None or r["group"] in keep_groups]
        kept = {r["group"] for r in group_rows}
        for r in group_rows:
            node(r["group"], "group", group_label(r), doc, r["start"], r["end"],
                 models=" ".join(obligations.code(m) for m in (r.get("models") or "").split()),
                 schools=r["schools"])
            edge(doc, r["group"], "states")
        for m in queries.run(store, "graph_memberships", doc=IRI(doc)).rows:
            if m["group"] not in kept:
                continue
            if m["school"] not in g:
                node(m["school"], "school", m.get("schoolName") or "", district=m["district"])
            edge(m["group"], m["school"], "lead" if obligations.code(m["role"]) == "lead_school" else "member")
        for r in queries.run(store, "cmp_posts", doc=IRI(doc)).rows:
            code = obligations.code(r.get("role"))
            if (r.get("group") and r["group"] not in kept) or (bound is not None and code not in bound):
                continue
            node(r["post"], "post", r.get("label") or "", doc, r["start"], r["end"], role=code,
                 held_by=r.get("heldBy"))
            edge(doc, r["post"], "states")
            if r.get("group"):
                edge(r["group"], r["post"], "post")
            if code:
                edge(r["post"], role(code), "role")
        for r in queries.run(store, "cmp_bodies", doc=IRI(doc)).rows:
            code = obligations.code(r.get("actor"))
            if (r.get("group") and r["group"] not in kept) or (bound is not None and code not in bound):
                continue
            node(r["body"], "body", r.get("label") or "", doc, r["start"], r["end"], actor=code)
            edge(doc, r["body"], "states")
            if r.get("group"):
                edge(r["group"], r["body"], "body")
            if code:
                edge(r["body"], role(code), "role")
        if include_constraints:
            for r in queries.run(store, "cmp_constraints", doc=IRI(doc)).rows:
                kind = obligations.code(r["kind"])
                node(r["constraint"], "constraint", concept_label("kind", kind), doc, r["start"], r["end"],
                     constraint_kind=kind)
                edge(doc, r["constraint"], "states")
        rules = rules_of.get(str(doc), [])
        for ob in rules:
            node(ob.rule, "obligation", _rule_label(ob), doc, ob.span[0], ob.span[1], modality=ob.modality,
                 category=ob.category, actor=ob.actor, frequency=ob.frequency_text, action=ob.action,
                 inherited=ob.inherited)
            edge(doc, ob.rule, "states")
            edge(ob.rule, role(ob.actor), "binds")
        g.nodes[str(doc)].update(groups=len(kept), rules=len(rules))
    return g


def _rules_by_document(store: Store, docs: list[str], actor: str | None, texts: DocumentTexts) -> dict[str, list]:
    """The rules of ``docs`` (bound together: one set of queries for a few dozen documents) by
    document, each document's in ``obligations.find``'s order, their quotes cut from ``texts`` (the
    graph's own read of each document). The other facts stay one query per document: bound by 50
    documents, the embedded store scans (``cmp_groups`` 7.25 s against 0.10 s)."""
    out: dict[str, list] = {}
    for ob in obligations.find(store, doc=tuple(docs), actor=actor, texts=texts):
        out.setdefault(str(ob.doc), []).append(ob)
    return out


def _bound_actors(actor: str | None) -> set[str] | None:
    """The actor, its narrower and its broader actors (whose posts/bodies concern it); None = all."""
    if actor is None:
        return None
    from ontology import labels

    table = labels("actor")
    narrower = {code for code, c in table.items() if actor in c["ancestors"]}
    return {actor, *narrower, *table[actor]["ancestors"]}


def _rule_label(ob) -> str:
    what = ob.action or ob.sentence
    short = what[:30] + ("…" if len(what) > 30 else "")
    return f"{ob.frequency_text} {short}".strip()


__all__ = ["NODE_KINDS", "PolicyGraph", "RELATIONS", "graph_view"]
