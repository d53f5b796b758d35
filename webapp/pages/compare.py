"""Compare 2–4 districts, school groups or group models side by side (``kb.compare``): one
aligned table of summary lines (a row per dimension, a column per scope: each model with its
groups and documents, each duty with its count and strongest frequency) with the differences
marked and coloured, each line's rows and sources loaded when its expander opens, and CSV/XLSX
downloads of every row.

On a store above ``POLICYKB_APP_SCOPE_DOCUMENTS`` documents every district and model is offered but
only the groups of the districts picked, of ``cmp_group_district`` and of the groups already
chosen (``kb.district_choices``), and the first comparison is of two typical districts (the
median number of documents) instead of the first two by name.

Widget keys: ``cmp_group_district`` (large store only: a district whose groups to offer),
``cmp_scopes`` (2–4 of ``district:<name>``, ``group:<iri>``, ``model:<code>``),
``cmp_diff_only``, ``cmp_all_categories``; the aligned table is escaped HTML;
``cmp_line_<dimension>_<scope>_<n>`` (a line's expander) and ``…_table`` (its rows);
``cmp_csv``, ``cmp_xlsx``. URL: ``scope`` (repeated), ``diff``, ``allcat``, ``groupsof``.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from webapp.support import Param, escape_html, md_escape

app = st.session_state.pop("_app")   # set by app.py, which runs every page
t = app.t

SPEC = [Param("cmp_scopes", "scope", "list"), Param("cmp_diff_only", "diff", "bool"),
        Param("cmp_all_categories", "allcat", "bool")]
SHARED, DIFFERENT = "＝", "≠"


@st.cache_resource(show_spinner=False, max_entries=32)   # it reads its rows on demand: shared, not copied
def comparison(stamp: str, scopes: tuple[str, ...]):
    from kb.compare import compare

    return compare(app.store, list(scopes), as_of=app.as_of)   # as_of is part of the stamp


@st.cache_data(show_spinner=False, max_entries=256)
def district_groups(stamp: str, district: str) -> list[str]:
    """The school groups of one district (from its documents' name indexes)."""
    from kb.district_choices import district_choices

    return district_choices(app.store, district).groups


def typical(districts: list[str]) -> list[str]:
    """Two districts holding the median number of documents (by name among equals)."""
    count: dict[str, int] = {}
    for r in app.documents():
        if r.get("district"):
            count[r["district"]] = count.get(r["district"], 0) + 1
    median = sorted(count.values())[len(count) // 2] if count else 0
    return sorted(sorted(districts, key=lambda d: (abs(count.get(d, 0) - median), d))[:2])


def scope_label(option: str) -> str:
    kind, _, value = option.partition(":")
    if kind == "district":
        return f"{t('scope_district')} · {value}"
    if kind == "group":
        return f"{t('scope_group')} · {app.group_label(value)}"
    return f"{t('scope_model')} · {app.label('model', value)}"


st.title(t("cmp_title"))
districts = [f"district:{d}" for d in app.districts()]
models = [f"model:{m}" for m in app.models()]
if not app.large():
    options = districts + [f"group:{g['group']}" for g in app.groups()] + models
    app.restore("compare", SPEC, {"cmp_scopes": options}, initial={"cmp_scopes": districts[:2]})
else:   # every district and model; the groups of the districts picked, never the whole corpus's
    SPEC = [*SPEC, Param("cmp_group_district", "groupsof")]
    app.restore("compare", SPEC, initial={"cmp_scopes": [f"district:{d}" for d in typical(app.districts())]})
    state = st.session_state
    wanted = [o.partition(":")[2] for o in state["cmp_scopes"] if o.startswith("district:")]
    wanted += [(app.group(o.partition(":")[2]) or {}).get("district") or "" for o in state["cmp_scopes"]
               if o.startswith("group:")]
    if state["cmp_group_district"] not in app.districts():
        state["cmp_group_district"] = ""
    wanted.append(state["cmp_group_district"])
    groups = [f"group:{g}" for d in dict.fromkeys(w for w in wanted if w) for g in district_groups(app.stamp, d)]
    options = districts + groups + models
    app.restore("compare", SPEC, {"cmp_scopes": options})   # what is no longer offered goes
    st.selectbox(t("cmp_group_district"), [""] + app.districts(), format_func=lambda d: d or t("cmp_no_district"),
                 key="cmp_group_district", persist_state="session")
    st.caption(t("cmp_large", n=len(app.documents())))

st.multiselect(t("cmp_pick"), options, format_func=scope_label, placeholder=t("cmp_need_two"), key="cmp_scopes", max_selections=4,
               persist_state="session")
o1, o2 = st.columns(2)
with o1:
    diff_only = st.toggle(t("cmp_diff_only"), key="cmp_diff_only", persist_state="session")
with o2:
    all_categories = st.toggle(t("cmp_all_categories"), key="cmp_all_categories", persist_state="session")

chosen = list(st.session_state["cmp_scopes"])
if len(chosen) < 2:
    st.info(t("cmp_need_two"))
    app.publish("compare", SPEC)
    st.stop()

result = comparison(app.stamp, tuple(chosen))
from kb.compare import DIMENSIONS

names: list[str] = []
for scope in result.scopes:
    name = scope.label
    while name in names:
        name += " ʹ"
    names.append(name)

rows: list[tuple[str, str, bool]] = [(d.key, d.en if app.lang == "en" else d.zh, d.diffable) for d in DIMENSIONS]
if all_categories:
    shown = {d.key for d in DIMENSIONS}
    rows += [(c, app.label("category", c), True) for c in result.summary if c not in shown
             and any(result.summary[c][i] for i in range(len(result.scopes)))]


def cell_items(key: str, i: int, diffable: bool) -> tuple[list[tuple[str, bool | None]], bool]:
    """The items of one cell as ``(text, shared)`` (``shared`` None: not matched across scopes)
    and whether the cell holds a difference."""
    row = result.summary[key]
    items, differs = [], False
    for item in row[i]:
        if not diffable:
            items.append((item.text(app.lang), None))
            continue
        shared = all(any(o.signature == item.signature for o in other) for j, other in enumerate(row) if j != i)
        differs |= not shared
        if not (shared and diff_only):
            items.append((item.text(app.lang), shared))
    if diffable and not row[i] and any(row[j] for j in range(len(row)) if j != i):
        differs = True
    return items, differs


CSS = """<style>
.pkb-cmp{border-collapse:collapse;width:100%;font-size:0.9rem;line-height:1.5}
.pkb-cmp th,.pkb-cmp td{border:1px solid #ddd;padding:6px 8px;vertical-align:top;text-align:left}
.pkb-cmp thead th{background:#eef3fb;position:sticky;top:0}
.pkb-cmp th.dim{background:#f6f6f6;white-space:nowrap;width:9rem}
.pkb-cmp td.differs{background:#fffbea}
.pkb-cmp div.it{margin:0 0 4px 0}
.pkb-cmp div.it.diff{background:#ffe8a3;border-radius:3px;padding:0 3px}
.pkb-cmp span.mk{color:#888;margin-right:4px}
.pkb-cmp .none{color:#aaa}
</style>"""

table_rows, shown_rows = [], 0
for key, label, diffable in rows:
    cells = [cell_items(key, i, diffable) for i in range(len(result.scopes))]
    if diff_only and diffable and not any(d for _, d in cells):
        continue
    shown_rows += 1
    tds = []
    for items, differs in cells:
        parts = []
        for text_, shared in items:
            mark = "" if shared is None else (SHARED if shared else DIFFERENT)
            css = "it" if shared in (None, True) else "it diff"
            parts.append(f'<div class="{css}"><span class="mk">{mark}</span>{escape_html(text_)}</div>')
        body = "".join(parts) or '<span class="none">—</span>'
        tds.append(f'<td class="{"differs" if differs else ""}" data-dimension="{escape_html(key)}">{body}</td>')
    table_rows.append(f'<tr><th class="dim" scope="row">{escape_html(label)}</th>{"".join(tds)}</tr>')

st.caption(t("cmp_legend"))
if not shown_rows:
    st.info(t("none_found"))
else:
    head = "".join(f"<th>{escape_html(n)}</th>" for n in names)
    st.html(f'{CSS}<table class="pkb-cmp"><thead><tr><th class="dim">{escape_html(t("col_dimension"))}</th>'
            f'{head}</tr></thead><tbody>{"".join(table_rows)}</tbody></table>')

app.downloads("cmp", [("csv", result.to_csv, "policykb-compare.csv", "text/csv"),
                      ("xlsx", result.to_xlsx, "policykb-compare.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")])
st.caption(t("cmp_downloads_all"))

st.subheader(t("cmp_citations"))
for key, label, _ in rows:
    for i, scope in enumerate(result.scopes):
        for n, line in enumerate(result.summary[key][i]):
            box = st.expander(md_escape(f"{label} · {scope.label} · {line.text(app.lang)}"),
                              key=f"cmp_line_{key}_{i}_{n}", on_change="rerun")
            if not box.open:   # the rows are read only for an open line
                continue
            with box:
                items = result.details(key, i, None if key == "schools" else line.signature)
                st.dataframe(pd.DataFrame([{
                    t("col_item"): item.text, t("col_document"): item.citation.title if item.citation else "",
                    t("col_district"): item.citation.district if item.citation else "",
                    t("col_span"): "{}–{}".format(*item.citation.span) if item.citation and item.citation.span else "",
                    t("col_sentence"): item.citation.sentence if item.citation else ""} for item in items]),
                    key=f"cmp_line_{key}_{i}_{n}_table", hide_index=True, width="stretch")

app.publish("compare", SPEC)
