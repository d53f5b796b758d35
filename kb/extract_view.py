"""The ``policykb-extract/1`` view of one document, read back from the graph.

Everything here comes from named queries over the store (kb/queries/document_*.rq); nothing is
taken from the extraction pipeline directly, so the view shows exactly what the graph holds.
"""
from __future__ import annotations

from functools import partial
from typing import Callable

from ingest import rule_texts
from kb import queries
from kb.citations import DocumentTexts
from kb.errors import QueryError
from kb.obligations import code
from kb.obligations import frequency as decode_frequency
from kb.store.base import IRI, Store

SCHEMA = "policykb-extract/1"
OPERATORS = {"approx": "approx", "eq": "eq", "gteq": "min", "lteq": "max"}


def _number(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def document_view(store: Store, doc: str, source: str) -> dict:
    """The contract JSON object of the document whose graph is ``doc``."""
    doc = IRI(doc)
    meta = queries.run(store, "document_metadata", doc=doc).rows
    if not meta:
        raise QueryError(f"the store has no document {doc}", hint="ingest the file first",
                         code="PKB-QUERY-NODOC")
    m = meta[0]
    text = m["text"]
    out = {
        "schema": SCHEMA,
        "source": source,
        "document": {
            "title": m.get("title"), "issuer": m.get("issuer"), "doc_number": m.get("docNumber"),
            "district": m.get("district") or None, "province": m.get("province"), "script": m.get("script"),
        },
        "document_models": sorted({r["code"] for r in queries.run(store, "document_models", doc=doc).rows},
                                  key=_model_order),
        "groups": _groups(store, doc),
        "obligations": _rules(store, doc, text, m.get("ruleTexts")),
        "constraints": [
            {"kind": code(r["kind"]), "sentence": text[r["start"]:r["end"]], "span": [r["start"], r["end"]]}
            for r in queries.run(store, "document_constraints", doc=doc).rows
        ],
    }
    return out


def _model_order(code: str) -> tuple:
    return (code == "education_group", code)


def _groups(store: Store, doc: str) -> list[dict]:
    groups: dict[str, dict] = {}
    for r in queries.run(store, "document_groups", doc=doc).rows:
        g = groups.setdefault(r["group"], {
            "order": r["order"], "name": r.get("name"),
            "models": sorted(code(m) for m in (r.get("models") or "").split()),
            "lead_schools": [], "member_schools": []})
        school, role = r.get("school"), r.get("role")
        if school and role:
            key = "lead_schools" if role == "lead_school" else "member_schools"
            if school not in g[key]:
                g[key].append(school)
    return [{k: v for k, v in g.items() if k != "order"}
            for g in sorted(groups.values(), key=lambda g: g["order"])]


def rule_rows(store: Store, doc: str, wording: Callable[[int], tuple] | None = None) -> list[dict]:
    """The rows of ``document_rules`` for one document, in rank order, each with its ``actorText``
    and ``action`` (None when the text names none): ``wording(order)``, by default read with the
    document's text (:meth:`kb.citations.DocumentTexts.wording`)."""
    if wording is None:
        wording = partial(DocumentTexts(store).wording, str(doc))
    out = []
    for r in queries.run(store, "document_rules", doc=IRI(doc)).rows:
        actor, action = wording(r["order"])
        out.append({**r, "actorText": actor, "action": action})
    return out


def _rules(store: Store, doc: str, text: str, rule_texts_value: str | None) -> list[dict]:
    entries = rule_texts.parse(rule_texts_value)
    out = []
    for r in rule_rows(store, doc, partial(rule_texts.wording_at, text, entries)):
        frequency = decode_frequency(r.get("period"), r.get("min"), r.get("max"), unit=r.get("unit"))
        quantity = None
        if r.get("qValue") is not None:
            quantity = {"value": _number(r["qValue"]), "unit": code(r.get("qUnit")),
                        "comparator": OPERATORS.get(code(r.get("qo")), "eq")}
        out.append({
            "modality": code(r["modality"]), "actor": code(r["actor"]), "actor_text": r.get("actorText") or None,
            "action": r.get("action") or None, "category": code(r["category"]),
            "frequency": frequency, "quantity": quantity,
            "sentence": text[r["start"]:r["end"]], "span": [r["start"], r["end"]],
        })
    return out
