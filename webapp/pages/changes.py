"""What changed between two versions (``kb.diff``): pick the older and the newer document (the
newest version chain of ``kb.versions`` by default), read the summary and the table of changed,
added and removed duties, and the two texts side by side with the changes highlighted; XLSX,
CSV and JSON downloads.

On a store above ``POLICYKB_APP_SCOPE_DOCUMENTS`` documents a district is chosen first (by default
the first district with an older version, read from the versions in force kept beside the store):
the documents offered and the version chains are that district's only.

Widget keys: ``chg_district`` (large store only), ``chg_old``, ``chg_new`` (document IRIs),
``chg_unchanged``; ``chg_table``, ``chg_items``; ``chg_csv``, ``chg_xlsx``, ``chg_json``.
URL: ``district``, ``old``, ``new``, ``unchanged``.
"""
from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from kb.diff import word
from webapp.support import Mark, Param, escape_html, highlight_html, md_escape

app = st.session_state.pop("_app")   # set by app.py, which runs every page
t = app.t

SPEC = [Param("chg_old", "old"), Param("chg_new", "new"), Param("chg_unchanged", "unchanged", "bool")]
CSS = ("<style>.pkb-doc mark.added{background:#c8e6c9}.pkb-doc mark.removed{background:#ffcdd2;"
       "text-decoration:line-through}.pkb-doc mark.changed{background:#ffe082}"
       ".pkb-doc mark.reworded{background:#d6e4ff}</style>")


@st.cache_resource(show_spinner=False, max_entries=16)
def chains(stamp: str, district: str | None = None):
    from kb.versions import chains as version_chains

    return version_chains(app.store, district)


@st.cache_resource(show_spinner=False, max_entries=4)
def first_with_versions(stamp: str) -> str | None:
    """The first district (by name) holding a document that a newer version replaces."""
    from kb.versions import not_in_force

    older = {str(d) for d in not_in_force(app.store)}
    return min((r["district"] for r in app.documents() if r["graph"] in older and r.get("district")), default=None)


@st.cache_resource(show_spinner=False, max_entries=16)
def changes(stamp: str, old: str, new: str):
    from kb.diff import diff_documents

    return diff_documents(app.store, [old], [new])


st.title(t("nav_changes"))
district = None
if app.large():   # a district first: its documents and version chains only
    SPEC = [Param("chg_district", "district"), *SPEC]
    districts = app.districts()
    app.restore("changes", SPEC, initial={"chg_district": first_with_versions(app.stamp)})
    if st.session_state.get("chg_district") not in districts:   # a link naming documents only
        of_old = {r["graph"]: r.get("district") for r in app.documents()}.get(st.session_state.get("chg_old"))
        st.session_state["chg_district"] = of_old if of_old in districts else (
            first_with_versions(app.stamp) or (districts[0] if districts else None))
    st.caption(t("chg_large", n=len(app.documents())))
    district = st.selectbox(t("chg_district"), districts, key="chg_district", persist_state="session")
docs = [r["graph"] for r in app.documents() if district is None or r.get("district") == district]
if len(docs) < 2:
    st.info(t("chg_need_two" if district is None else "chg_need_two_district"))
    app.publish("changes", SPEC[:1] if district is not None else ())
    st.stop()

found = chains(app.stamp, district)
newest = found[-1].versions[-2:] if found else []
initial = {"chg_old": newest[0].doc if newest else docs[0], "chg_new": newest[1].doc if newest else docs[1]}
app.restore("changes", SPEC, initial=initial)
for key in ("chg_old", "chg_new"):          # a link without them, or naming a document no longer there
    if st.session_state.get(key) not in docs:
        st.session_state[key] = initial[key]

with st.expander(t("chg_chains"), expanded=False, key="chg_chain_list"):
    if not found:
        st.caption(t("chg_no_chains"))
    for chain in found:
        st.markdown(" → ".join(md_escape(f"《{app.doc_title(v.doc)}》" + (f" ({v.status})" if v.status else "")
                                          + (f" {v.date}" if v.date else "")) for v in chain.versions))

c1, c2 = st.columns(2)
with c1:
    old = st.selectbox(t("chg_old"), docs, format_func=app.doc_label, key="chg_old", persist_state="session")
with c2:
    new = st.selectbox(t("chg_new"), docs, format_func=app.doc_label, key="chg_new", persist_state="session")
show_unchanged = st.toggle(t("chg_show_unchanged"), key="chg_unchanged", persist_state="session")
app.publish("changes", SPEC)
if old == new:
    st.info(t("chg_same"))
    st.stop()

result = changes(app.stamp, old, new)
st.caption(t("chg_summary", **result.summary()))

shown = [c for c in result.rules if show_unchanged or c.kind != "unchanged"]
if not result.changed() and not result.items:
    st.success(t("chg_none"))
rows = [{t("col_change"): word("kinds", c.kind, app.lang), t("col_what"): c.describe(app.lang),
         t("col_actor"): app.label("actor", c.rule.get("actor")),
         t("col_category"): app.label("category", c.rule.get("category")),
         t("col_old_clause"): c.old_source.sentence if c.old_source else "",
         t("col_new_clause"): c.new_source.sentence if c.new_source else ""} for c in shown]
if rows:
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="chg_table")

if result.items:
    st.subheader(t("chg_items"))
    st.dataframe(pd.DataFrame([{t("col_change"): i.line(app.lang).split(" | ")[0],
                                t("col_sentence"): i.source.sentence if i.source else ""}
                               for i in result.items]), hide_index=True, width="stretch", key="chg_items")

app.downloads("chg", [
    ("xlsx", result.to_xlsx, "policykb-changes.xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("csv", result.to_csv, "policykb-changes.csv", "text/csv"),
    ("json", lambda: json.dumps(result.to_dict(), ensure_ascii=False, indent=1).encode(), "policykb-changes.json",
     "application/json")])


def marks(side: str) -> list[Mark]:
    """The spans of one side's text to highlight, classed by what happened to them."""
    out = []
    for c in result.rules:
        source = c.old_source if side == "old" else c.new_source
        if source is None or source.span is None:
            continue
        css = {"added": "added", "removed": "removed", "changed": "changed"}.get(c.kind)
        if css is None and c.reworded:
            css = "reworded"
        if css:
            out.append(Mark(source.span[0], source.span[1], css, c.describe(app.lang) or c.kind))
    for i in result.items:
        if i.source and i.source.span and (i.kind == "removed") == (side == "old"):
            out.append(Mark(i.source.span[0], i.source.span[1], i.kind, i.label))
    return out


st.subheader(t("chg_texts"))
left, right = st.columns(2)
for column, side, doc in ((left, "old", old), (right, "new", new)):
    with column:
        st.caption(md_escape(f"{t('chg_old' if side == 'old' else 'chg_new')}：《{app.doc_label(doc)}》"))
        st.html(CSS + highlight_html(app.doc_meta(doc)["text"], marks(side)) +
                f'<span data-side="{escape_html(side)}"></span>')
