"""Obligations explorer: every rule, filtered by district, group, model, actor (with or without the
inherited rules of broader actors), category, modality, period and text; a sortable table with
its sources, and the rows shown as CSV (with BOM) or XLSX. Without a text search only the page
shown is read (``kb.ask.rule_pages``: counted from the rule tallies, read from the documents that
hold the page's rules); a text search, and the downloads, read every rule of the scope.

Widget keys: ``ob_district``, ``ob_group``, ``ob_model``, ``ob_actor``, ``ob_inherit``,
``ob_category``, ``ob_modality``, ``ob_period``, ``ob_search``; ``ob_table`` (single-row
selection, the page's rows); ``ob_page`` (which page of 200 rows); ``ob_csv``, ``ob_xlsx`` (every
row, not only the page). URL: ``district``, ``group``, ``model``, ``actor``,
``inherit``, ``category``, ``modality``, ``period``, ``search``.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from webapp.filters import scope_filter
from webapp.paging import fetched, paged
from webapp.support import Param

app = st.session_state.pop("_app")   # set by app.py, which runs every page
t = app.t

SPEC = [Param("ob_district", "district", "list"), Param("ob_group", "group"), Param("ob_model", "model"),
        Param("ob_actor", "actor"), Param("ob_inherit", "inherit", "bool", True),
        Param("ob_category", "category", "list"), Param("ob_modality", "modality", "list"),
        Param("ob_period", "period", "list"), Param("ob_search", "search")]


def _codes(scheme: str) -> list[str]:
    from ontology import labels

    return list(labels(scheme))


@st.cache_data(show_spinner=False, max_entries=64)
def rules_of(stamp: str, actor: str, inherit: bool, districts: tuple[str, ...]) -> list[dict]:
    """The rules of ``districts`` (all when empty) of ``actor`` and, when ``inherit``, of its broader
    actors: ``kb.obligations.find``, asked per district so the store's index does the choosing."""
    from kb.obligations import find

    return [ob.to_dict() for district in (districts or (None,))
            for ob in find(app.store, actor=actor or None, inherit=inherit, district=district)]


@st.cache_data(show_spinner=False, max_entries=64)
def rule_page_of(stamp: str, actor: str, inherit: bool, districts: tuple[str, ...], docs: tuple[str, ...] | None,
                 categories: tuple[str, ...], modalities: tuple[str, ...], periods: tuple[str, ...],
                 page: int, size: int) -> tuple[list[dict], int]:
    """One page of the rules :func:`rules_of` and the filters below it list, and how many there are:
    ``kb.ask.rule_pages.rule_page``, in the same order."""
    from kb.ask.model import Filters
    from kb.ask.rule_pages import rule_page
    from kb.paging import bounds

    f = Filters(districts=list(districts), documents=None if docs is None else list(docs),
                categories=list(categories), modalities=list(modalities))
    rules, total = rule_page(app.store, f, actor or None, list(periods), *bounds(page, size), inherit=inherit)
    return [ob.to_dict() for ob in rules], total


@st.cache_data(show_spinner=False, max_entries=64)
def scope_docs(stamp: str, group: str, model: str) -> list[str]:
    from kb.scopes import scope_documents

    docs, _ = scope_documents(app.store, group=group or None, model=model or None)
    return [str(d) for d in docs]


st.title(t("ob_title"))
st.caption(t("ob_caption"))

groups = app.groups()
choices = {"ob_district": app.districts(), "ob_group": [""] + [g["group"] for g in groups],
           "ob_model": [""] + app.models(), "ob_actor": [""] + _codes("actor"),
           "ob_category": _codes("category"), "ob_modality": _codes("modality"),
           "ob_period": _codes("period") + ["none"]}
app.restore("obligations", SPEC, choices)

with scope_filter(app, "ob", choices, ("actor", "actor"), many_districts=True):
    st.toggle(t("f_inherit"), key="ob_inherit", persist_state="session",
              disabled=not st.session_state.get("ob_actor"))
c5, c6, c7 = st.columns(3)
with c5:
    st.multiselect(t("f_category"), choices["ob_category"], format_func=lambda c: app.label("category", c),
                   placeholder=t("any"), key="ob_category", persist_state="session")
with c6:
    st.multiselect(t("f_modality"), choices["ob_modality"], format_func=lambda c: app.label("modality", c),
                   placeholder=t("any"), key="ob_modality", persist_state="session")
with c7:
    st.multiselect(t("f_period"), choices["ob_period"], format_func=app.period_label, placeholder=t("any"), key="ob_period",
                   persist_state="session")
st.text_input(t("f_search"), key="ob_search", persist_state="session")

state = st.session_state
if app.large() and not (state["ob_district"] or state["ob_group"] or state["ob_model"]):
    st.info(t("choose_scope", n=len(app.documents())))
    st.stop()
actor = state["ob_actor"] or ""
inherit = bool(state["ob_inherit"]) if actor else True
districts = tuple(sorted(state["ob_district"] or ()))
group, model = state["ob_group"] or "", state["ob_model"] or ""
categories, modalities = tuple(state["ob_category"] or ()), tuple(state["ob_modality"] or ())
periods = tuple(state["ob_period"] or ())
needle = (state["ob_search"] or "").strip()


def every_rule() -> list[dict]:
    """Every rule of the scope and filters, in the listing's order (a text search, the downloads;
    these run after the page is drawn, so they read the filters above, not the session state)."""
    rules = rules_of(app.stamp, actor, inherit, districts if not (group or model) else ())
    if group or model:
        allowed_docs = set(scope_docs(app.stamp, group, model))
        rules = [r for r in rules if r["doc"] in allowed_docs]
    if districts:
        rules = [r for r in rules if r.get("district") in districts]
    for wanted, field in ((categories, "category"), (modalities, "modality")):
        if wanted:
            rules = [r for r in rules if r[field] in wanted]
    if periods:
        rules = [r for r in rules if ((r.get("frequency") or {}).get("period") or "none") in periods]
    if needle:
        rules = [r for r in rules if any(needle in (r.get(f) or "") for f in ("sentence", "action", "actor_text", "title"))]
    return sorted(rules, key=lambda r: (bool(r.get("inherited")), r.get("district") or "", r.get("title") or "",
                                        r["doc"], r["order"]))


listing = tuple(repr(state[p.key]) for p in SPEC)
if needle:
    rules = every_rule()
    st.caption(t("rows", n=len(rules)))
    page = paged(app, "ob_page", rules, listing=listing) if rules else None
else:
    docs = tuple(scope_docs(app.stamp, group, model)) if group or model else None
    page = fetched(app, "ob_page", lambda number, size: rule_page_of(
        app.stamp, actor, inherit, districts, docs, categories, modalities, periods, number, size),
        listing=listing, before=lambda total: st.caption(t("rows", n=total)))
    page = page if page.total else None
if page is None:
    st.info(t("none_found"))
else:
    def row_of(r: dict) -> dict:
        return {
            t("col_district"): r.get("district") or t("unknown_district"),
            t("col_document"): r.get("title") or app.doc_title(r["doc"]),
            t("col_actor"): app.label("actor", r["actor"]),
            t("col_actor_text"): r.get("actor_text") or "",
            t("col_modality"): app.label("modality", r["modality"]),
            t("col_category"): app.label("category", r["category"]),
            t("col_frequency"): r.get("frequency_text") or "",
            t("col_action"): r.get("action") or "",
            t("col_sentence"): r["sentence"],
            t("col_inherited"): bool(r.get("inherited")),
            t("col_span"): f"{r['span'][0]}–{r['span'][1]}"}

    frame = pd.DataFrame([row_of(r) for r in page.rows])
    event = st.dataframe(frame, key="ob_table", on_select="rerun", selection_mode="single-row", hide_index=True,
                         width="stretch", height=min(460, 38 + 35 * len(frame)),
                         column_config={t("col_sentence"): st.column_config.TextColumn(width="large")})
    header = list(frame.columns) + ["rule", "document"]
    app.table_downloads("ob", "obligations", header,     # every row, not the page: read when asked for
                        lambda: [list(row_of(r).values()) + [r["rule"], r["doc"]] for r in every_rule()])
    selected = event.selection.rows if event is not None else []
    if selected and selected[0] < len(page.rows):
        chosen = page.rows[selected[0]]
        st.subheader(t("source"))
        app.show_source(chosen["doc"], chosen["span"], key="ob_src", note=chosen.get("frequency_text") or "")
    else:
        st.caption(t("source_hint"))

app.publish("obligations", SPEC)
