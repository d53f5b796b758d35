"""Documents: the corpus with its metadata and extracted-fact counts (named query ``documents``),
one document with every extracted fact highlighted in its text (escaped), and the upload of a new
document (txt/docx/pdf/html), ingested with a progress bar and queryable right after.

The corpus table shows a page of 200 documents with the total (``doc_page`` picks the page); the
document choice lists that page's documents (and the one chosen).

Widget keys: ``doc_table`` (single-row selection picks the document), ``doc_page``, ``doc_select``,
``doc_kinds``, ``doc_facts``, ``doc_meta``, ``doc_upload``, ``doc_upload_password``, ``doc_ingest``.
Uploads follow :func:`kb.uploads.upload_policy` (none on a shared server store unless enabled, then
with the operator's password). URL: ``doc``, ``kinds``.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from webapp.paging import paged
from webapp.support import UPLOAD_TYPES, Mark, Param, highlight_html, ingest_upload, md_escape, upload_policy
from kb.errors import PolicyKBError, StoreLockedError

app = st.session_state.pop("_app")   # set by app.py, which runs every page
t = app.t

FACT_KINDS = ("rule", "group", "post", "body", "constraint")
KIND_KEYS = {"rule": "kind_rule", "group": "kind_groupfact", "post": "kind_post", "body": "kind_body",
             "constraint": "kind_constraintfact"}
REFUSALS = {"PKB-UPLOAD-OFF": "doc_readonly", "PKB-UPLOAD-PASSWORD": "doc_wrong_password"}
SPEC = [Param("doc_select", "doc"), Param("doc_kinds", "kinds", "list", list(FACT_KINDS))]


@st.cache_data(show_spinner=False, max_entries=64)
def part_counts(stamp: str, docs: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """Groups and constraints per document of ``docs`` (one page's), in one request."""
    from kb.document_list import part_counts as counted

    return counted(app.store, docs)


@st.cache_data(show_spinner=False, max_entries=128)
def facts_of(stamp: str, doc: str, lang: str) -> list[dict]:
    """Every fact extracted from one document, with its kind, a label and its offsets."""
    from kb import queries
    from kb.extract_view import rule_rows
    from kb.obligations import code, frequency, frequency_text
    from kb.scopes import concept_label
    from kb.store import IRI

    out: list[dict] = []
    for r in rule_rows(app.store, doc):
        freq = frequency(r.get("period"), r.get("min"), r.get("max"), unit=r.get("unit"))
        label = " · ".join(x for x in (concept_label("actor", code(r["actor"]), lang),
                                        concept_label("modality", code(r["modality"]), lang),
                                        concept_label("category", code(r["category"]), lang),
                                        frequency_text(freq)) if x)
        out.append({"kind": "rule", "label": label, "detail": r.get("action") or "",
                    "start": int(r["start"]), "end": int(r["end"])})
    groups: dict[str, dict] = {}
    for r in queries.run(app.store, "document_groups", doc=IRI(doc)).rows:
        g = groups.setdefault(str(r["group"]), {"kind": "group", "label": r.get("name") or "", "schools": [],
                                                "start": int(r["start"]), "end": int(r["end"])})
        if r.get("school"):
            g["schools"].append(f"{r['school']}（{concept_label('actor', str(r.get('role') or ''), lang)}）")
    for g in groups.values():
        schools = g.pop("schools")
        g["label"] = g["label"] or "、".join(s.split("（")[0] for s in schools[:1])
        g["detail"] = "、".join(schools)
        out.append(g)
    for r in queries.run(app.store, "cmp_posts", doc=IRI(doc)).rows:
        out.append({"kind": "post", "label": str(r.get("label") or ""),
                    "detail": str(r.get("heldBy") or ""), "start": int(r["start"]), "end": int(r["end"])})
    for r in queries.run(app.store, "cmp_bodies", doc=IRI(doc)).rows:
        out.append({"kind": "body", "label": str(r.get("label") or ""),
                    "detail": concept_label("actor", code(r.get("actor")), lang),
                    "start": int(r["start"]), "end": int(r["end"])})
    for r in queries.run(app.store, "document_constraints", doc=IRI(doc)).rows:
        out.append({"kind": "constraint", "label": concept_label("kind", code(r["kind"]), lang), "detail": "",
                    "start": int(r["start"]), "end": int(r["end"])})
    out.sort(key=lambda f: (f["start"], FACT_KINDS.index(f["kind"])))
    return out


def _pick_from_table() -> None:
    rows = st.session_state["doc_table"].selection.rows
    order = st.session_state.get("_doc_table_order") or []
    if rows and rows[0] < len(order):
        st.session_state["doc_select"] = order[rows[0]]


st.title(t("doc_title"))

# --------------------------------------------------------------------------- upload

pending = st.session_state.pop("_doc_upload_done", None)
if pending:
    st.session_state["doc_select"] = pending["graph"]
    st.success(md_escape(pending["message"]), icon=":material/check_circle:")

policy = upload_policy(app.location)
if not policy.allowed:
    st.caption(t("doc_readonly"))
else:
    with st.expander(t("doc_upload"), expanded=not app.documents(), key="doc_upload_box"):
        upload = st.file_uploader(t("doc_upload"), type=list(UPLOAD_TYPES), key="doc_upload",
                                  label_visibility="collapsed")
        password = (st.text_input(t("doc_password"), type="password", key="doc_upload_password")
                    if policy.needs_password else None)
        if st.button(t("doc_ingest"), key="doc_ingest", type="primary", disabled=upload is None,
                     icon=":material/upload_file:") and upload is not None:
            name = upload.name
            bar = st.progress(0.05, text=t("doc_ingesting", name=name))
            try:
                summary = ingest_upload(app.location, name, upload.getvalue(), password=password,
                                        on_start=lambda n: bar.progress(0.3, text=t("doc_ingesting", name=name)),
                                        on_result=lambda r: bar.progress(1.0, text=t("doc_ingesting", name=name)))
            except StoreLockedError:
                bar.empty()
                st.error(t("doc_locked"))
            except PolicyKBError as exc:
                bar.empty()
                if exc.code in REFUSALS:
                    st.error(f"{t(REFUSALS[exc.code])} [{exc.code}]")
                else:
                    st.error(md_escape(f"{t('doc_failed', name=name)}: {exc.message} [{exc.code}]"))
                    if exc.hint:
                        st.info(md_escape(exc.hint))
            else:
                bar.progress(1.0)
                if summary.errors:
                    error = summary.errors[0].error
                    st.error(md_escape(f"{t('doc_failed', name=name)}: {error.message} [{error.code}]"))
                    if error.hint:
                        st.info(md_escape(error.hint))
                else:
                    result = summary.results[0]
                    app.holder.refresh(force=True)
                    st.session_state["_doc_upload_done"] = {
                        "graph": result.graph,
                        "message": t("doc_ingested", name=name, status=result.status,
                                     facts=sum(result.counts.values()))}
                    st.rerun()

# --------------------------------------------------------------------------- the corpus

documents = app.documents()
if not documents:
    st.info(t("doc_empty"))
    app.publish("documents")
    st.stop()

page = paged(app, "doc_page", documents)
order = [r["graph"] for r in page.rows]
on_page = set(order)
parts = part_counts(app.stamp, tuple(order))
st.session_state["_doc_table_order"] = order
table = pd.DataFrame([{t("col_title"): app.doc_title(r["graph"]), t("col_district"): r.get("district") or "",
                       t("col_province"): r.get("province") or "", t("col_rules"): int(r.get("rules") or 0),
                       t("col_groups"): parts[r["graph"]]["groups"],
                       t("col_constraints"): parts[r["graph"]]["constraints"],
                       t("col_sources"): r.get("sources") or ""} for r in page.rows])
st.dataframe(table, key="doc_table", on_select=_pick_from_table, selection_mode="single-row", hide_index=True,
             width="stretch")

# --------------------------------------------------------------------------- one document

every = [r["graph"] for r in documents]
app.restore("documents", SPEC, {"doc_select": every, "doc_kinds": list(FACT_KINDS)},
            initial={"doc_select": order[0]})
chosen = st.session_state.get("doc_select")
options = order if chosen in on_page or chosen is None else [chosen, *order]
doc = st.selectbox(t("doc_select"), options, format_func=app.doc_label, key="doc_select", persist_state="session")
meta = app.doc_meta(doc)
with st.expander(t("doc_meta"), key="doc_meta_box"):
    fields = [("title", t("col_title")), ("issuer", "issuer 发文机关"), ("docNumber", "文号 number"),
              ("district", t("col_district")), ("province", t("col_province")), ("issued", "issued 日期"),
              ("script", "script"), ("sources", t("col_sources")), ("doc", "IRI")]
    st.dataframe(pd.DataFrame([{t("meta_field"): label, t("meta_value"): str(meta.get(k) or "")}
                               for k, label in fields]), key="doc_meta", hide_index=True, width="stretch")

facts = facts_of(app.stamp, doc, app.lang)
st.pills(t("doc_kinds"), list(FACT_KINDS), selection_mode="multi",
         format_func=lambda k: f"{t(KIND_KEYS[k])} ({sum(1 for f in facts if f['kind'] == k)})", key="doc_kinds",
         persist_state="session")
kinds = set(st.session_state.get("doc_kinds") or [])
marks = [Mark(f["start"], f["end"], f["kind"], f"{t(KIND_KEYS[f['kind']])}: {f['label']}") for f in facts
         if f["kind"] in kinds]
st.html(highlight_html(meta.get("text") or "", marks))

st.subheader(t("doc_facts"))
shown = [f for f in facts if f["kind"] in kinds]
if shown:
    text_ = meta.get("text") or ""
    st.dataframe(pd.DataFrame([{t("col_kind"): t(KIND_KEYS[f["kind"]]), t("col_label"): f["label"],
                                t("col_action"): f["detail"], t("col_span"): f"{f['start']}–{f['end']}",
                                t("col_sentence"): text_[f["start"]:f["end"]]} for f in shown]),
                 key="doc_facts", hide_index=True, width="stretch", height=min(360, 38 + 35 * len(shown)))
else:
    st.caption(t("none_found"))

app.publish("documents", SPEC)
