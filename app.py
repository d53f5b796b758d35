"""policykb — the Streamlit app: ask, explore, compare and export the school-group policy graph.

Opens the read-only store once per process, sets up the sidebar and registers the pages of
``webapp/pages/`` with ``st.navigation``, handing each an :class:`App` context; no policy logic.
How to run it, URL state and links, the store's refresh: docs/app.md.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import streamlit as st

from kb import queries, settings
from kb.errors import PolicyKBError
from kb.scopes import concept_label, group_label
from kb.store import IRI
from webapp.strings import text
from webapp.support import (
    Mark,
    Param,
    StoreHolder,
    clause_bounds,
    decode_params,
    encode_params,
    has_params,
    highlight_html,
    md_escape,
    plain_value,
    table_csv,
    table_xlsx,
)

st.set_page_config(page_title="policykb 集团化办学政策知识库", page_icon="🏫", layout="wide")


# --------------------------------------------------------------------------- the store

LOCATION = str(settings.get("store"))


@st.cache_resource(show_spinner=False)
def store_holder(location: str) -> StoreHolder:
    """The read-only store of this process (one per location), shared by every session."""
    return StoreHolder(location)


def _store():
    return store_holder(LOCATION).store


# Cached look-ups shared by the pages. ``stamp`` is the store's document stamp: a new ingest
# gives a new stamp, so nothing stale is served. The small, often-read tables are shared objects
# (``cache_resource``: no copy per call; nobody may change them), the rest copies (``cache_data``).

@st.cache_resource(show_spinner=False, max_entries=4)
def cached_documents(stamp: str) -> list[dict]:
    from kb.document_list import documents

    return documents(_store())


@st.cache_data(show_spinner=False, max_entries=256)
def cached_doc_meta(stamp: str, doc: str) -> dict:
    rows = queries.run(_store(), "document_metadata", doc=IRI(doc)).rows
    row = {k: plain_value(v) for k, v in (rows[0] if rows else {}).items()}
    row.setdefault("text", "")
    row["text"] = row.get("text") or ""
    return row


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_groups(stamp: str) -> list[dict]:
    """Every school group (group, doc, district, name, leadNames, label), from the documents' name
    indexes as the question vocabulary holds them — not a scan of every group's facts."""
    from kb.district_choices import store_groups

    return [{**r, "label": group_label(r)} for r in store_groups(_store())]


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_doc_index(stamp: str) -> dict[str, dict]:
    return {row["graph"]: row for row in cached_documents(stamp)}


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_group_index(stamp: str) -> dict[str, dict]:
    return {row["group"]: row for row in cached_groups(stamp)}


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_models(stamp: str) -> list[str]:
    """The group models some document or group of the store adopts, in vocabulary order."""
    from kb.district_choices import store_models

    return store_models(_store())


# --------------------------------------------------------------------------- the page context


class App:
    """What every page gets: the store, labels in the chosen language, and shared UI helpers."""

    def __init__(self, holder: StoreHolder, lang: str) -> None:
        self.holder = holder
        self.store = holder.store
        self.stamp = holder.stamp
        self.location = holder.location
        self.lang = lang
        self.as_of: str | None = None       # the sidebar's "as of" date: the versions in force then
        self._documents_by_iri: dict[str, dict] | None = None

    # -- labels --------------------------------------------------------------------------

    def t(self, key: str, **kw: Any) -> str:
        return text(key, self.lang, **kw)

    def label(self, scheme: str, code: str | None) -> str:
        """A concept's label in the interface language (``actor``, ``member_school`` → 成员学校)."""
        if code in (None, ""):
            return ""
        return concept_label(scheme, code, self.lang)

    def period_label(self, code: str | None) -> str:
        if code in (None, "", "none"):
            return self.t("no_period")
        return self.label("period", code)

    # -- store look-ups --------------------------------------------------------------------

    def documents(self) -> list[dict]:
        return cached_documents(self.stamp)

    def doc_meta(self, doc: str) -> dict:
        return cached_doc_meta(self.stamp, str(doc))

    def _doc_index(self) -> dict[str, dict]:
        if self._documents_by_iri is None:      # once per run: a label per option of a long list
            self._documents_by_iri = cached_doc_index(self.stamp)
        return self._documents_by_iri

    def doc_title(self, doc: str) -> str:
        row = self._doc_index().get(str(doc))
        return self._title(row) if row else str(doc).rsplit("/", 1)[-1]

    def _title(self, row: Mapping) -> str:
        if row.get("title"):
            return str(row["title"])
        if row.get("sources"):
            return str(row["sources"]).split(";")[0].strip().rsplit("/", 1)[-1]
        return self.t("untitled")

    def doc_label(self, doc: str) -> str:
        """《title》（district） for a document IRI."""
        row = self._doc_index().get(str(doc))
        if row is None:
            return str(doc)
        return f"{self._title(row)}（{row.get('district') or self.t('unknown_district')}）"

    def districts(self) -> list[str]:
        return sorted({r["district"] for r in self.documents() if r.get("district")})

    def large(self) -> bool:
        """True when listing every rule of the store would be slow: pages then ask for a scope."""
        from kb import settings

        return len(self.documents()) > settings.get("app_scope_documents")

    def groups(self) -> list[dict]:
        return cached_groups(self.stamp)

    def group_label(self, iri: str) -> str:
        g = self.group(iri)
        if g is None:
            return str(iri)
        return f"{g['label']}（{g.get('district') or self.t('unknown_district')}）"

    def group(self, iri: str) -> dict | None:
        """One school group's row of :meth:`groups` (None if the store has no such group)."""
        return self._group_index().get(str(iri))

    def _group_index(self) -> dict[str, dict]:
        """The groups by IRI, looked up in the resource cache once per run and stamp: a choice list
        labels every group of a district with it (12,000 in the largest at 60,000 documents, where
        a cache call per label took 0.4 s of each rerun)."""
        held = getattr(self, "_groups_held", None)
        if held is None or held[0] != self.stamp:
            held = self._groups_held = (self.stamp, cached_group_index(self.stamp))
        return held[1]

    def models(self) -> list[str]:
        return cached_models(self.stamp)

    # -- URL state ---------------------------------------------------------------------------

    def url_params(self) -> dict[str, list[str]]:
        return {k: st.query_params.get_all(k) for k in st.query_params}

    def restore(self, page: str, spec: Sequence[Param], choices: Mapping[str, Sequence[Any]] | None = None,
                initial: Mapping[str, Any] | None = None) -> None:
        """Give every widget of ``spec`` its value before it is drawn: what the session has (the
        widget as the user left it), else what the link says (a new session opened on a shared
        URL), else ``initial`` or the default. Values no longer among ``choices`` are dropped."""
        choices = choices or {}
        missing = [p for p in spec if p.key not in st.session_state]
        if missing:
            params = self.url_params()
            page_param = (params.get("page") or [None])[-1]
            from_url = page_param == page or (page_param is None and has_params(params, spec))
            values = decode_params(params if from_url else {}, missing, choices)
            for p in missing:
                if not from_url and initial and p.key in initial:
                    values[p.key] = initial[p.key]
                st.session_state[p.key] = values[p.key]
        for p in spec:
            allowed = choices.get(p.key)
            if allowed is None:
                continue
            value = st.session_state.get(p.key)
            if p.kind == "list" and isinstance(value, list):
                kept = [v for v in value if v in allowed]
                if kept != value:
                    st.session_state[p.key] = kept
            elif p.kind == "str" and value not in allowed:
                st.session_state[p.key] = p.empty() if p.empty() in allowed else (allowed[0] if allowed else None)

    def publish(self, page: str, spec: Sequence[Param] = (), extra: Mapping[str, Any] | None = None) -> None:
        """Mirror the widgets of ``spec`` (and ``extra`` parameters) into the URL."""
        values = {p.key: st.session_state.get(p.key) for p in spec}
        wanted: dict[str, Any] = {"page": page, **encode_params(values, spec)}
        for key, value in (extra or {}).items():
            if value not in (None, "", [], ()):
                wanted[key] = [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value)
        if self.lang == "en":
            wanted["lang"] = "en"
        current = {k: (v if len(v) > 1 else v[0]) for k, v in self.url_params().items()}
        normal = {k: (v if isinstance(v, list) and len(v) > 1 else (v[0] if isinstance(v, list) else v))
                  for k, v in wanted.items()}
        if current != normal:
            st.query_params.from_dict(wanted)

    # -- shared views --------------------------------------------------------------------------

    def show_source(self, doc: str, span: Sequence[int] | None, *, key: str, note: str = "") -> None:
        """A fact's source: the document and offsets, its clause with the sentence highlighted,
        and the whole document (collapsed) — all of the document's text escaped."""
        meta = self.doc_meta(doc)
        body = meta.get("text") or ""
        where = self.doc_label(doc)
        if span:
            start, end = int(span[0]), int(span[1])
            st.caption(md_escape(f"{self.t('source')}：《{where}》 [{start}–{end}]" + (f" · {note}" if note else "")))
            a, b = clause_bounds(body, start, end)
            st.html(highlight_html(body, [Mark(start, end, "focus", note)], window=(a, b)))
            with st.expander(self.t("whole_document"), expanded=False, key=f"{key}_whole"):
                st.html(highlight_html(body, [Mark(start, end, "focus", note)]))
        else:
            st.caption(md_escape(f"{self.t('source')}：《{where}》"))
            with st.expander(self.t("whole_document"), expanded=False, key=f"{key}_whole"):
                st.html(highlight_html(body, []))

    def downloads(self, prefix: str, files: Sequence[tuple[str, bytes | Callable[[], bytes], str, str]]) -> None:
        """A row of download buttons: ``(fmt, data, file name, mime)``; keys ``<prefix>_<fmt>``."""
        labels = {"csv": "download_csv", "xlsx": "download_xlsx", "json": "download_json",
                  "ics": "download_ics", "nt": "download_nt"}
        cols = st.columns(max(len(files), 1), gap="small")
        for col, (fmt, data, name, mime) in zip(cols, files):
            with col:
                st.download_button(self.t(labels.get(fmt, "download_csv")), data=data, file_name=name,
                                   mime=mime, key=f"{prefix}_{fmt}", on_click="ignore",
                                   icon=":material/download:", disabled=not data)

    def table_downloads(self, prefix: str, name: str, header: list,
                        body: list[list] | Callable[[], list[list]]) -> None:
        """CSV and XLSX buttons for one table; files ``policykb-<name>.csv|xlsx``, keys ``<prefix>_csv|xlsx``.
        ``body``: the rows, or a function giving them when a file is asked for."""
        rows = body if callable(body) else (lambda: body)
        self.downloads(prefix, [
            ("csv", lambda: table_csv(header, rows()), f"policykb-{name}.csv", MIME["csv"]),
            ("xlsx", lambda: table_xlsx(header, rows(), title=name), f"policykb-{name}.xlsx", MIME["xlsx"])])


MIME = {"csv": "text/csv", "json": "application/json", "ics": "text/calendar",
        "nt": "application/n-triples",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

# --------------------------------------------------------------------------- the shell

try:
    holder = store_holder(LOCATION)
except PolicyKBError as exc:
    st.error(f"{text('store_error', 'zh')} / {text('store_error', 'en')}: {exc.message}")
    if exc.hint:
        st.info(exc.hint)
    st.caption(md_escape(f"POLICYKB_STORE = {LOCATION} [{exc.code}]"))
    st.stop()

# The language lives in "_lang_en" too, so a link's ?lang=en is read once per session.
if "_lang_en" not in st.session_state:
    st.session_state["_lang_en"] = (st.query_params.get("lang") or "").lower() == "en"
st.session_state["lang_en"] = st.session_state["_lang_en"]


def _language_changed() -> None:
    st.session_state["_lang_en"] = bool(st.session_state.get("lang_en"))


with st.sidebar:
    lang_en = st.toggle(text("lang_toggle", "zh"), key="lang_en", on_change=_language_changed)
lang = "en" if lang_en else "zh"

with st.sidebar:
    if st.button(text("refresh", lang), key="refresh_store", icon=":material/refresh:"):
        holder.refresh(force=True)
    else:
        holder.refresh()

app = App(holder, lang)
with st.sidebar:
    from datetime import date

    picked = st.date_input(app.t("as_of"), value=None, key="as_of", format="YYYY-MM-DD",
                           min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
if picked:          # the versions in force then (kb.versions); every page cache is keyed by the stamp
    app.as_of = picked.isoformat()
    app.stamp = f"{app.stamp}@{app.as_of}"
st.session_state["_app"] = app

# No page icons: a :material/…: page icon becomes the favicon, which the browser would fetch from
# fonts.gstatic.com — the app must not reach the internet.
PAGES = ("ask", "obligations", "compare", "changes", "gaps", "matrix", "graph", "documents", "sparql")
PAGE_DIR = Path(__file__).resolve().parent / "webapp" / "pages"
pages = {name: st.Page(PAGE_DIR / f"{name}.py", title=app.t(f"nav_{name}"), url_path=name, default=name == "ask")
         for name in PAGES}
current = st.navigation(list(pages.values()))

with st.sidebar:
    st.caption(md_escape(f"{app.t('store')}: {LOCATION}"))
    st.caption(app.t("store_docs", n=len(app.documents())) + " · "
               + app.t("store_seen", time=time.strftime("%H:%M:%S", time.localtime(holder.refreshed_at))))

if not st.session_state.get("_page_param_seen"):
    # a shared link names its page: ?page=compare&scope=…
    st.session_state["_page_param_seen"] = True
    wanted = st.query_params.get("page")
    if wanted in pages and pages[wanted].url_path != current.url_path:
        st.switch_page(pages[wanted], query_params={k: st.query_params.get_all(k) for k in st.query_params})

current.run()
