"""Ask: a question in Chinese or English → its interpretation as editable filter chips → the
answer as a table; each row opens its source sentence inside its clause and document.

Widget keys: ``ask_q`` (question), ``ask_go``, ``ask_example_<i>``, the chips ``ask_kind``,
``ask_actors``, ``ask_districts``, ``ask_docs``, ``ask_groups``, ``ask_models``,
``ask_categories``, ``ask_modalities``, ``ask_periods``, ``ask_ckinds``, ``ask_freq``,
``ask_reset``; ``ask_results`` (the table, single-row selection), ``ask_page`` (its page); ``ask_csv``/``ask_xlsx``
(the whole answer, not only the page).
URL: ``q`` and, once the chips were edited, ``edited=1`` with ``kind``, ``actor``, ``district``,
``doc``, ``group``, ``model``, ``category``, ``modality``, ``period``, ``ckind``, ``freq``.
"""
from __future__ import annotations

import json

import streamlit as st

from kb.paging import PAGE_SIZE
from webapp.arrow_table import arrow_table
from webapp.paging import page_caption, page_picker
from webapp.support import Param, decode_params, encode_params, md_escape, table_csv, table_xlsx

app = st.session_state.pop("_app")   # set by app.py, which runs every page
t = app.t

EXAMPLES = ["哪些义务适用于成员校？", "张掖中学教育集团的联席会议多久召开一次？", "每学期至少要开展哪些活动？",
            "What is prohibited?", "Which groups follow the junior-senior consortium model?",
            "宝塔区有哪些教育集团？"]
KINDS = ("obligation", "constraint", "group")
CHIPS = [Param("ask_kind", "kind"), Param("ask_actors", "actor", "list"),
         Param("ask_districts", "district", "list"), Param("ask_docs", "doc", "list"),
         Param("ask_groups", "group", "list"), Param("ask_models", "model", "list"),
         Param("ask_categories", "category", "list"), Param("ask_modalities", "modality", "list"),
         Param("ask_periods", "period", "list"), Param("ask_ckinds", "ckind", "list"),
         Param("ask_freq", "freq", "bool")]
FIELD = {"ask_actors": "actors", "ask_districts": "districts", "ask_models": "models",
         "ask_categories": "categories", "ask_modalities": "modalities", "ask_periods": "periods",
         "ask_ckinds": "constraint_kinds"}


def _codes(scheme: str) -> list[str]:
    from ontology import labels

    return list(labels(scheme))


@st.cache_data(show_spinner=False, max_entries=256)
def interpret_question(stamp: str, question: str) -> dict:
    from kb.ask import interpret

    return interpret(app.store, question).to_dict()


@st.cache_data(show_spinner=False, max_entries=256)
def answer_filters(stamp: str, question: str, normalized: str, kind: str, filters_json: str, page: int = 1,
                   every: bool = False) -> dict:
    """One page of the answer to an interpretation with (possibly edited) filters, through
    ``kb.ask.answer`` (``every``: the whole answer, for the downloads)."""
    from kb.ask import Filters, Interpretation, answer
    from kb.paging import PAGE_SIZE

    filters = Filters(**json.loads(filters_json))
    result = answer(app.store, Interpretation(question, normalized, kind=kind, filters=filters), page=page,
                    size=None if every else PAGE_SIZE, as_of=app.as_of)   # as_of is part of the stamp
    return {"results": [r.to_dict() for r in result.results], "message": result.message,
            "notes": [n.to_dict() for n in result.interpretation.notes], "page": result.page,
            "error": result.error.to_dict() if result.error else None}


def chips_of(interp: dict) -> dict:
    """The chip values an interpretation gives."""
    f = interp["filters"]
    return {"ask_kind": interp["kind"], "ask_actors": list(f["actors"]), "ask_districts": list(f["districts"]),
            "ask_docs": list(f["documents"] or []), "ask_groups": [g["iri"] for g in f["groups"]],
            "ask_models": list(f["models"]), "ask_categories": list(f["categories"]),
            "ask_modalities": list(f["modalities"]), "ask_periods": list(f["periods"]),
            "ask_ckinds": list(f["constraint_kinds"]), "ask_freq": bool(f["frequency"])}


def _set_question(question: str) -> None:
    st.session_state["ask_q"] = question


def _reset_chips() -> None:
    st.session_state.pop("_ask_chips_for", None)


# --------------------------------------------------------------------------- the question

st.title(t("ask_title"))
app.restore("ask", [Param("ask_q", "q")])
with st.container(border=False):
    col_q, col_go = st.columns([6, 1], vertical_alignment="bottom")
    with col_q:
        st.text_input(t("ask_question"), key="ask_q", placeholder=t("ask_placeholder"),
                      persist_state="session")
    with col_go:
        st.button(t("ask_go"), key="ask_go", type="primary", icon=":material/search:", width="stretch")

st.caption(t("ask_examples"))
ex_cols = st.columns(3)
for i, example in enumerate(EXAMPLES):
    with ex_cols[i % 3]:
        st.button(example, key=f"ask_example_{i}", on_click=_set_question, args=(example,), width="stretch",
                  type="tertiary")

question = (st.session_state.get("ask_q") or "").strip()
if not question:
    st.info(t("ask_empty"))
    app.publish("ask")
    st.stop()

interp = interpret_question(app.stamp, question)
st.subheader(t("ask_interpretation"))
summary = interp["summary"]["en" if app.lang == "en" else "zh"]

if not interp["understood"]:
    error = interp.get("error") or {}
    colon = ": " if app.lang == "en" else "："
    st.warning(md_escape(f"{t('ask_not_understood')}{colon}{error.get('message', '')}"))
    if error.get("hint"):
        st.caption(md_escape(error["hint"]))
    suggestions = interp.get("suggestions") or {}
    if suggestions:
        with st.expander(t("ask_known"), expanded=True, key="ask_known"):
            for name, values in suggestions.items():
                if isinstance(values, list) and values:
                    st.caption(md_escape(f"{name}: " + "、".join(str(v) for v in values[:40])))
    app.publish("ask", extra={"q": question})
    st.stop()

st.info(md_escape(summary), icon=":material/psychology:")

# --------------------------------------------------------------------------- filter chips

original = chips_of(interp)
# the documents to pick from: every one on a small store; on a large one those of the districts
# chosen (or read from the question) and those the question names
picked = set(st.session_state.get("ask_districts") or original["ask_districts"] or [])
named = set(original["ask_docs"]) | set(st.session_state.get("ask_docs") or [])
large = app.large()
docs = [r["graph"] for r in app.documents() if not large or r.get("district") in picked or r["graph"] in named]
group_options = list(dict.fromkeys(original["ask_groups"]))
choices = {"ask_kind": list(KINDS), "ask_actors": _codes("actor"), "ask_districts": app.districts(),
           "ask_docs": docs, "ask_groups": group_options, "ask_models": _codes("model"),
           "ask_categories": _codes("category"), "ask_modalities": _codes("modality"),
           "ask_periods": _codes("period"), "ask_ckinds": _codes("kind")}

# the chips can only show what their widgets offer (the answer itself uses the interpretation as is)
original = {k: [v for v in value if v in choices[k]] if isinstance(value, list) and k in choices else value
            for k, value in original.items()}

if st.session_state.get("_ask_chips_for") != question:
    # a new question: the chips show its reading — or, on a shared link, the edited filters
    params = app.url_params()
    from_url = (not st.session_state.get("_ask_url_used") and (params.get("q") or [""])[-1].strip() == question
                and (params.get("edited") or [""])[-1] == "1")
    values = decode_params(params, CHIPS, choices) if from_url else dict(original)
    if from_url and values["ask_kind"] not in KINDS:
        values["ask_kind"] = original["ask_kind"]
    for key, value in values.items():
        st.session_state[key] = value
    st.session_state["_ask_chips_for"] = question
    st.session_state["_ask_url_used"] = True
    st.session_state["ask_results"] = {"selection": {"rows": [], "columns": []}}   # rows of another answer
else:
    for key, allowed in choices.items():
        value = st.session_state.get(key)
        if isinstance(value, list) and any(v not in allowed for v in value):
            st.session_state[key] = [v for v in value if v in allowed]

st.caption(t("ask_filters"))
kind = st.segmented_control(t("f_kind"), list(KINDS), format_func=lambda k: t(f"kind_{k}"), key="ask_kind",
                            persist_state="session") or original["ask_kind"]
c1, c2, c3 = st.columns(3)
if kind == "obligation":
    with c1:
        st.multiselect(t("f_actor"), choices["ask_actors"], format_func=lambda c: app.label("actor", c),
                       placeholder=t("any"), key="ask_actors", persist_state="session")
if kind in ("obligation", "constraint", "group"):
    with c2:
        st.multiselect(t("f_district"), choices["ask_districts"], placeholder=t("any"), key="ask_districts",
                       persist_state="session")
if kind in ("obligation", "constraint"):
    with c3:
        st.multiselect(t("f_documents"), docs, format_func=app.doc_label, placeholder=t("any"), key="ask_docs",
                       persist_state="session")
if kind == "group":
    with c1:
        st.multiselect(t("f_model"), choices["ask_models"], format_func=lambda c: app.label("model", c),
                       placeholder=t("any"), key="ask_models", persist_state="session")
    if group_options:
        with c3:
            st.multiselect(t("f_group"), group_options, format_func=app.group_label, placeholder=t("any"),
                           key="ask_groups", persist_state="session")
if kind == "obligation":
    st.pills(t("f_category"), choices["ask_categories"], selection_mode="multi",
             format_func=lambda c: app.label("category", c), key="ask_categories", persist_state="session")
    st.pills(t("f_modality"), choices["ask_modalities"], selection_mode="multi",
             format_func=lambda c: app.label("modality", c), key="ask_modalities", persist_state="session")
    st.pills(t("f_period"), choices["ask_periods"], selection_mode="multi",
             format_func=lambda c: app.period_label(c), key="ask_periods", persist_state="session")
    st.toggle(t("f_frequency"), key="ask_freq", persist_state="session")
if kind == "constraint":
    st.pills(t("f_constraint_kind"), choices["ask_ckinds"], selection_mode="multi",
             format_func=lambda c: app.label("kind", c), key="ask_ckinds", persist_state="session")

current = {p.key: st.session_state.get(p.key, original[p.key]) for p in CHIPS}
current["ask_kind"] = kind
edited = any(current[k] != original[k] for k in original)
if edited:
    st.button(t("ask_reset"), key="ask_reset", on_click=_reset_chips, icon=":material/undo:")

# --------------------------------------------------------------------------- the answer

filters = dict(interp["filters"])
if edited:
    for key, field in FIELD.items():
        filters[field] = list(current[key])
    filters["documents"] = list(current["ask_docs"]) or None
    keep = set(current["ask_groups"])
    filters["groups"] = [g for g in interp["filters"]["groups"] if g["iri"] in keep]
    filters["frequency"] = bool(current["ask_freq"])
    if kind != "obligation":
        filters["actors"] = []
filters_json = json.dumps(filters, ensure_ascii=False, sort_keys=True)
if st.session_state.get("_ask_page_for") != (question, filters_json):   # a new answer starts at page 1
    st.session_state["_ask_page_for"] = (question, filters_json)
    st.session_state["ask_page"] = 1
answer = answer_filters(app.stamp, question, interp["normalized"], kind, filters_json,
                        int(st.session_state.get("ask_page") or 1))
for note in answer["notes"]:
    if note not in interp["notes"]:
        st.caption(md_escape(note["en" if app.lang == "en" else "zh"]))

results = answer["results"]
st.subheader(t("ask_results") + f" · {t('rows', n=answer['page'].total)}")
page_caption(app, answer["page"])
if answer.get("error"):
    st.warning(md_escape(answer["error"]["message"]))
elif not results:
    st.info(t("ask_no_match"))


def _row(r: dict) -> dict:
    district = r.get("district") or t("unknown_district")
    document = r.get("title") or app.doc_title(r["document"])
    if r["kind"] == "obligation":
        return {t("col_actor"): app.label("actor", r["actor"]), t("col_actor_text"): r.get("actor_text") or "",
                t("col_modality"): app.label("modality", r["modality"]),
                t("col_category"): "、".join(app.label("category", c) for c in r.get("categories") or []),
                t("col_frequency"): r.get("frequency_text") or "", t("col_action"): r.get("action") or "",
                t("col_sentence"): r["sentence"], t("col_inherited"): bool(r.get("inherited")),
                t("col_district"): district, t("col_document"): document}
    if r["kind"] == "constraint":
        return {t("col_constraint"): "、".join(app.label("kind", k) for k in r.get("constraint_kinds") or []),
                t("col_sentence"): r["sentence"], t("col_district"): district, t("col_document"): document}
    return {t("col_group"): r.get("name") or "、".join(r.get("lead_schools") or []),
            t("col_models"): "、".join(app.label("model", m) for m in r.get("models") or []),
            t("col_leads"): "、".join(r.get("lead_schools") or []),
            t("col_members"): "、".join(r.get("member_schools") or []),
            t("col_district"): district, t("col_document"): document, t("col_sentence"): r["sentence"]}


if results:
    frame = arrow_table([_row(r) for r in results])    # not pandas: a fresh app's first answer
    event = st.dataframe(frame, key="ask_results", on_select="rerun", selection_mode="single-row",
                         hide_index=True, width="stretch",
                         column_config={t("col_sentence"): st.column_config.TextColumn(width="large")})
    page_picker(app, "ask_page", answer["page"].total, PAGE_SIZE)
    header = frame.column_names

    def every_row() -> list[list]:   # the downloads hold the whole answer, not only this page
        whole = answer_filters(app.stamp, question, interp["normalized"], kind, filters_json, every=True)
        return [[row.get(column) for column in header] for row in map(_row, whole["results"])]

    app.downloads("ask", [("csv", lambda: table_csv(header, every_row()), "policykb-answer.csv", "text/csv"),
                          ("xlsx", lambda: table_xlsx(header, every_row(), title="answer"), "policykb-answer.xlsx",
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")])
    rows = event.selection.rows if event is not None else []
    if rows and rows[0] < len(results):
        chosen = results[rows[0]]
        st.subheader(t("source"))
        note = chosen.get("frequency_text") or ""
        app.show_source(chosen["document"], chosen.get("span"), key="ask_src", note=note)
    else:
        st.caption(t("source_hint"))

extra = {"q": question}
if edited:
    extra.update(encode_params(current, CHIPS))
    extra["edited"] = "1"
app.publish("ask", extra=extra)
