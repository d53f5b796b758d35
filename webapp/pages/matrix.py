"""Matrix: the actor × category obligation matrix of the current filter (``kb.matrix``) as a
heat-map table of rule counts; a selected row lists that actor's rules with their sources.
Downloads: CSV (with BOM), XLSX, JSON, and an actor's recurring duties as iCalendar (.ics).

With a district, group or model chosen the counts come from the documents' rule tallies
(``kb.tallies``) and a selected row reads only the page of its rules shown
(``kb.ask.rule_pages``); the matrix itself, with every rule and its source, is read when a file is
downloaded.

On a store above ``POLICYKB_APP_SCOPE_DOCUMENTS`` documents with no district, group or model
chosen, the table counts the rules of every district (``kb.tallies``) and lists none.

Widget keys: ``mx_district``, ``mx_group``, ``mx_model``, ``mx_modality``; ``mx_table``
(single-row selection); ``mx_counts`` (the all-district counts); ``mx_cell`` (one cell of the
selected row, or all of them), ``mx_detail`` (the rules behind it, 200 a page) and
``mx_detail_page`` (its page); ``mx_ics_actor``; ``mx_csv``, ``mx_xlsx``, ``mx_json``, ``mx_ics``. URL: ``district``, ``group``, ``model``, ``modality``, ``ics``.
"""
from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from webapp.filters import scope_filter
from webapp.paging import fetched, paged
from webapp.support import Param, heat_color

app = st.session_state.pop("_app")   # set by app.py, which runs every page
t = app.t

SPEC = [Param("mx_district", "district"), Param("mx_group", "group"), Param("mx_model", "model"),
        Param("mx_modality", "modality"), Param("mx_ics_actor", "ics")]


def _codes(scheme: str) -> list[str]:
    from ontology import labels

    return list(labels(scheme))


@st.cache_resource(show_spinner=False, max_entries=8)
def build(stamp: str, district: str, group: str, model: str, modality: str):
    """The scope's matrix, shared and never changed (a resource, not data: a copy of 170,000 rules
    per rerun took 4 s at 60,000 documents)."""
    from kb.matrix import matrix

    return matrix(app.store, district=district or None, group=group or None, model=model or None,
                  modality=modality or None, as_of=app.as_of)   # as_of is part of the stamp


@st.cache_data(show_spinner=False, max_entries=64)
def row_page(stamp: str, district: str, group: str, model: str, modality: str, actor: str, cell: str,
             page: int, size: int) -> tuple[list[dict], int]:
    """One page of the rules behind a row of the scope's matrix (``cell``: one category of it) and
    how many there are: ``kb.ask.rule_pages.rule_page`` over the scope's documents, the actor's own
    rules only."""
    from kb.ask.model import Filters
    from kb.ask.rule_pages import rule_page
    from kb.paging import bounds
    from kb.scopes import scope_documents

    docs, _ = scope_documents(app.store, district=district or None, group=group or None, model=model or None,
                              as_of=app.as_of)     # as_of is part of the stamp
    f = Filters(documents=docs, categories=[cell] if cell else [], modalities=[modality] if modality else [])
    rules, total = rule_page(app.store, f, actor, [], *bounds(page, size), inherit=False, narrower=False)
    return [ob.to_dict() for ob in rules], total


@st.cache_data(show_spinner=False, max_entries=32)
def scope_counts(stamp: str, district: str, group: str, model: str, modality: str):
    from kb.tallies import counts

    return counts(app.store, district=district or None, group=group or None, model=model or None,
                  modality=modality or None, as_of=app.as_of)   # as_of is part of the stamp


@st.cache_data(show_spinner=False, max_entries=8)
def count_rules(stamp: str, modality: str):
    from kb.tallies import counts

    return counts(app.store, modality=modality or None)


@st.cache_data(show_spinner=False, max_entries=32)
def calendar(stamp: str, actor: str, district: str, group: str, model: str, modality: str) -> bytes:
    from kb.exports import export_ics

    return export_ics(app.store, actor, district or None, group=group or None, model=model or None,
                      modality=modality or None)


st.title(t("mx_title"))
st.caption(t("mx_caption"))
choices = {"mx_district": [""] + app.districts(), "mx_group": [""] + [g["group"] for g in app.groups()],
           "mx_model": [""] + app.models(), "mx_modality": [""] + _codes("modality"),
           "mx_ics_actor": [""] + _codes("actor")}
app.restore("matrix", SPEC, choices)
scope_filter(app, "mx", choices, ("modality", "modality"))

state = st.session_state
scope = (state["mx_district"] or "", state["mx_group"] or "", state["mx_model"] or "", state["mx_modality"] or "")
if app.large() and not any(scope[:3]):
    # every district at once: the counts from the documents' rule tallies; the rules behind them
    # are listed once a district (or group, model) is chosen
    st.info(t("mx_counts_only", n=len(app.documents())))
    tally = count_rules(app.stamp, scope[3])
    header, rows = tally.grid()
    if not rows:
        st.info(t("none_found"))
    else:
        keys = [key for key, _ in tally.rows if any(tally.count(key, c) for c, _ in tally.cols)]
        table = pd.DataFrame([row[1:] for row in rows], index=[app.label("actor", k) for k in keys],
                             columns=[app.label("category", c) for c, _ in tally.cols] + [t("col_total")])
        table.index.name = t("col_actor")
        highest = int(table.iloc[:, :-1].to_numpy().max()) if len(tally.cols) else 0
        st.dataframe(table.style.map(lambda v: heat_color(int(v), highest), subset=list(table.columns[:-1])),
                     key="mx_counts", width="stretch", height=min(640, 38 + 35 * len(table)))
    app.downloads("mx", [("csv", tally.to_csv, "policykb-matrix-counts.csv", "text/csv"),
                         ("xlsx", tally.to_xlsx, "policykb-matrix-counts.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                         ("json", lambda: json.dumps(tally.to_dict(), ensure_ascii=False, indent=1).encode("utf-8"),
                          "policykb-matrix-counts.json", "application/json")])
    app.publish("matrix", SPEC)
    st.stop()

def whole():
    """The scope's matrix, every rule with its source (cached: read once per scope and view)."""
    return build(app.stamp, *scope)


cell_count: dict[tuple[str, str], int] = {}
row_total: dict[str, int] = {}
if any(scope[:3]):      # a scope: its counts from the rule tallies, the matrix when it is needed
    tally = scope_counts(app.stamp, *scope)
    for (_, r, c), n in tally.counts.items():
        cell_count[(r, c)] = cell_count.get((r, c), 0) + n
        row_total[r] = row_total.get(r, 0) + n
    row_axis, col_axis = tally.rows, tally.cols
else:                   # a small store as a whole: one pass over the matrix's entries
    row_refs: dict[str, set[int]] = {}
    for (_, r, c), entries in whole().entries.items():
        cell_count[(r, c)] = cell_count.get((r, c), 0) + len(entries)
        row_refs.setdefault(r, set()).update(e.ref for e in entries)
    row_total = {r: len(refs) for r, refs in row_refs.items()}
    row_axis, col_axis = whole().rows, whole().cols
row_keys = [key for key, _ in row_axis if row_total.get(key)]
col_keys = [key for key, _ in col_axis]
if not row_keys:
    st.info(t("none_found"))
else:
    counts = pd.DataFrame([[cell_count.get((r, c), 0) for c in col_keys] + [row_total[r]] for r in row_keys],
                          index=[app.label("actor", r) for r in row_keys],
                          columns=[app.label("category", c) for c in col_keys] + [t("col_total")])
    counts.index.name = t("col_actor")
    counts.insert(0, "code", row_keys)
    highest = int(counts.iloc[:, 1:-1].to_numpy().max()) if len(col_keys) else 0
    value_columns = list(counts.columns[1:-1])
    styled = counts.style.map(lambda v: heat_color(int(v), highest), subset=value_columns) \
        .map(lambda v: "font-weight: bold", subset=[t("col_total")])
    event = st.dataframe(styled, key="mx_table", on_select="rerun", selection_mode="single-row", width="stretch",
                         column_order=[c for c in counts.columns if c != "code"],
                         height=min(640, 38 + 35 * len(counts)))

    selected = event.selection.rows if event is not None else []
    if selected and selected[0] < len(row_keys):
        actor = row_keys[selected[0]]
        st.subheader(t("mx_detail", actor=app.label("actor", actor)))
        cells = [""] + [c for c in col_keys if cell_count.get((actor, c))]
        if st.session_state.get("mx_cell") not in cells:
            st.session_state["mx_cell"] = ""
        st.selectbox(t("mx_cell"), cells, format_func=lambda c: app.label("category", c) if c else t("any"),
                     key="mx_cell")
        listing = (scope, actor, state["mx_cell"])
        if any(scope[:3]):  # a scope: only the page shown is read
            shown = fetched(app, "mx_detail_page", lambda number, size: row_page(
                app.stamp, *scope, actor, state["mx_cell"] or "", number, size), listing=listing)
            rules = shown.rows
        else:               # a small store as a whole: the matrix at hand
            m = whole()
            shown = paged(app, "mx_detail_page", m.listed(actor, state["mx_cell"] or None), listing=listing)
            rules = [dict(e.obligation.to_dict(), title=m.title(e.obligation)) for e in shown.rows]
        detail = [{t("col_category"): app.label("category", r["category"]), t("col_frequency"): r["frequency_text"],
                   t("col_action"): r.get("action") or "", t("col_modality"): app.label("modality", r["modality"]),
                   t("col_district"): r.get("district") or t("unknown_district"),
                   t("col_document"): r.get("title") or app.doc_title(r["doc"]), t("col_sentence"): r["sentence"],
                   t("col_span"): f"{r['span'][0]}–{r['span'][1]}"} for r in rules]
        st.dataframe(pd.DataFrame(detail), key="mx_detail", hide_index=True, width="stretch")
    else:
        st.caption(t("source_hint"))

label = "-".join(s for s in scope if s and not s.startswith("http")) or "all"
st.selectbox(t("mx_ics_actor"), choices["mx_ics_actor"], format_func=lambda a: app.label("actor", a) if a else "—",
             key="mx_ics_actor", persist_state="session")
ics_actor = state["mx_ics_actor"] or ""
files = [("csv", lambda: whole().to_csv(), f"policykb-matrix-{label}.csv", "text/csv"),   # made when clicked
         ("xlsx", lambda: whole().to_xlsx(), f"policykb-matrix-{label}.xlsx",
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
         ("json", lambda: json.dumps(whole().to_dict(), ensure_ascii=False, indent=1, default=str).encode("utf-8"),
          f"policykb-matrix-{label}.json", "application/json")]
if ics_actor:
    files.append(("ics", calendar(app.stamp, ics_actor, *scope), f"policykb-{ics_actor}-{label}.ics",
                  "text/calendar"))
app.downloads("mx", files)

app.publish("matrix", SPEC)
