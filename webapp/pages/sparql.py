"""SPARQL: a read-only console. The named queries of ``kb/queries/`` are the examples (their
parameters become inputs); queries run through ``kb.store.run_user_query`` — refused if they
update the store or call SERVICE, stopped at the time limit, cut at the row limit. Results as a
table, downloadable as CSV (with BOM) and JSON (N-Triples for CONSTRUCT/DESCRIBE).

Widget keys: ``sq_named``, ``sq_text``, ``sq_param_<name>``, ``sq_run``, ``sq_result``;
``sq_csv``, ``sq_json``, ``sq_nt``. URL: ``query`` (a named query), ``sparql`` (the text, when it
is not the named query's), ``p_<name>`` (parameters).
"""
from __future__ import annotations

import json
import time

import pandas as pd
import streamlit as st

from kb import queries
from webapp.support import md_escape, parse_binding, plain_value, table_csv
from kb.errors import PolicyKBError, QueryError

app = st.session_state.pop("_app")   # set by app.py, which runs every page
t = app.t

named = {q.name: q for q in queries.list_queries()}
DEFAULT = "documents" if "documents" in named else (next(iter(named), ""))


def _load_named() -> None:
    """A named query was picked: put its text in the editor and clear the parameters."""
    name = st.session_state.get("sq_named") or ""
    if name in named:
        st.session_state["sq_text"] = named[name].text
    for key in [k for k in st.session_state if str(k).startswith("sq_param_")]:
        st.session_state[key] = ""
    st.session_state.pop("_sq_result", None)


st.title(t("sq_title"))

params = app.url_params()
from_url = (params.get("page") or [None])[-1] == "sparql" or any(k in params for k in ("query", "sparql"))
if "sq_named" not in st.session_state:
    if from_url and ("query" in params or "sparql" in params):
        wanted = (params.get("query") or [""])[-1]
    else:
        wanted = DEFAULT
    st.session_state["sq_named"] = wanted if wanted in named or wanted == "" else DEFAULT
if "sq_text" not in st.session_state:
    custom = (params.get("sparql") or [""])[-1] if from_url else ""
    chosen = st.session_state["sq_named"]
    st.session_state["sq_text"] = custom or (named[chosen].text if chosen in named else "")

st.selectbox(t("sq_named"), [""] + list(named),
             format_func=lambda n: f"{n} — {named[n].title}" if n else t("sq_custom"),
             key="sq_named", on_change=_load_named, persist_state="session")
query_name = st.session_state.get("sq_named") or ""
if query_name in named and named[query_name].description:
    st.caption(md_escape(named[query_name].description))
st.text_area(t("sq_text"), key="sq_text", height=320, persist_state="session")

declared = named[query_name].params if query_name in named else {}
bindings: dict[str, object] = {}
if declared:
    st.caption(t("sq_params") + " — " + t("sq_param_help"))
    cols = st.columns(min(3, len(declared)))
    for i, (name, description) in enumerate(declared.items()):
        key = f"sq_param_{name}"
        if key not in st.session_state:
            st.session_state[key] = (params.get(f"p_{name}") or [""])[-1] if from_url else ""
        with cols[i % len(cols)]:
            st.text_input(f"?{name}", key=key, help=description, persist_state="session")
        value = parse_binding(st.session_state.get(key) or "")
        if value is not None:
            bindings[name] = value

if st.button(t("sq_run"), key="sq_run", type="primary", icon=":material/play_arrow:"):
    from kb.store import run_user_query

    sparql = st.session_state.get("sq_text") or ""
    started = time.monotonic()
    try:
        result = run_user_query(sparql, bindings or None, location=app.location)
    except QueryError as exc:
        refused = exc.code in ("PKB-QUERY-READONLY", "PKB-QUERY-SERVICE")
        st.session_state["_sq_result"] = {"error": exc.to_dict(), "refused": refused}
    except PolicyKBError as exc:
        st.session_state["_sq_result"] = {"error": exc.to_dict(), "refused": False}
    else:
        st.session_state["_sq_result"] = {
            "kind": result.kind, "variables": list(result.variables),
            "rows": [{k: plain_value(v) for k, v in row.items()} for row in result.rows],
            "boolean": result.boolean, "ntriples": result.ntriples, "truncated": result.truncated,
            "seconds": time.monotonic() - started}

outcome = st.session_state.get("_sq_result")
if outcome and outcome.get("error"):
    error = outcome["error"]
    title = t("sq_refused") if outcome.get("refused") else t("sq_failed")
    st.error(md_escape(f"{title}: {error['message']} [{error['code']}]"))
    if error.get("hint"):
        st.info(md_escape(error["hint"]))
elif outcome:
    if outcome["kind"] == "ask":
        st.success(t("sq_ask", value=outcome["boolean"]))
    else:
        rows = outcome["rows"]
        st.caption(t("sq_rows", n=len(rows), s=outcome["seconds"]))
        if outcome["truncated"]:
            st.warning(t("sq_truncated", n=len(rows)))
        columns = outcome["variables"] or (["subject", "predicate", "object"] if outcome["kind"] == "construct" else [])
        frame = pd.DataFrame([[row.get(c) for c in columns] for row in rows], columns=columns)
        st.dataframe(frame, key="sq_result", hide_index=True, width="stretch",
                     height=min(460, 38 + 35 * max(len(frame), 1)))
        files = [("csv", table_csv(columns, [[row.get(c) for c in columns] for row in rows]),
                  "policykb-query.csv", "text/csv"),
                 ("json", json.dumps({"variables": columns, "rows": rows}, ensure_ascii=False, indent=1)
                  .encode("utf-8"), "policykb-query.json", "application/json")]
        if outcome.get("ntriples"):
            files.append(("nt", outcome["ntriples"].encode("utf-8"), "policykb-query.nt", "application/n-triples"))
        app.downloads("sq", files)

extra: dict[str, object] = {}
if query_name:
    extra["query"] = query_name
text_now = st.session_state.get("sq_text") or ""
if not (query_name in named and text_now == named[query_name].text):
    extra["sparql"] = text_now
for name in declared:
    extra[f"p_{name}"] = st.session_state.get(f"sq_param_{name}") or ""
app.publish("sparql", extra=extra)
