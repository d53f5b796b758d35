"""policykb — the Streamlit app: ask, explore, compare and export the school-group policy graph.

Run it with ``policykb app`` (ingests the corpus, then ``streamlit run app.py`` with
``POLICYKB_STORE`` set) or ``streamlit run app.py`` on an existing store.

This file holds no policy logic: it opens the store once per process (``st.cache_resource``),
sets up the sidebar (language, refresh) and registers the pages (``webapp/pages/*.py``, one per
page) with ``st.navigation``, and hands every page an :class:`App` context — the store, its stamp,
the zh/en labels and the little UI helpers all pages share (URL state, source views, downloads).
Everything the app shows comes from ``kb/``.

State and links: every page keeps its widgets in ``st.session_state`` (``persist_state="session"``,
so going back to a page finds it as it was) and mirrors them into the URL query parameters on each
run (``?page=compare&scope=district:张掖市&scope=district:田家庵区&lang=en``), so a view can be
shared as a link. A new session reads the parameters first; ``page`` switches to that page.

The context reaches the page as ``st.session_state["_app"]``, which the page takes (pops) at its
start. The pages live outside a ``pages/`` folder, so Streamlit never runs one without this file.

Store: read-only, one per process (``StoreHolder``), moved to the newest snapshot at most every
5 s and on the sidebar's refresh button; every cached result is keyed by the store's stamp (the
documents' content hashes), so new ingests show up. Uploads open a writer only for the upload.
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
)

st.set_page_config(page_title="policykb 集团化办学政策知识库", page_icon="🏫", layout="wide")

# --------------------------------------------------------------------------- labels (zh, en)

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("集团化办学政策知识库", "School-group policy knowledge base"),
    "nav_ask": ("提问", "Ask"),
    "nav_obligations": ("义务条款", "Obligations"),
    "nav_compare": ("对比", "Compare"),
    "nav_matrix": ("义务矩阵", "Matrix"),
    "nav_graph": ("关系图", "Graph"),
    "nav_documents": ("文件", "Documents"),
    "nav_sparql": ("SPARQL 查询", "SPARQL"),
    "lang_toggle": ("English / 英文界面", "English / 英文界面"),
    "refresh": ("刷新数据", "Refresh data"),
    "store": ("知识库", "Store"),
    "store_docs": ("{n} 份文件", "{n} documents"),
    "store_seen": ("{time} 更新", "as of {time}"),
    "store_error": ("无法打开知识库", "Cannot open the store"),
    "any": ("（全部）", "(any)"),
    "none_found": ("没有符合条件的条目。", "Nothing matches."),
    "choose_scope": ("知识库共有 {n} 份文件：请先选择地区（或集团、模式）再列出条款。",
                     "The knowledge base holds {n} documents: choose a district (or a group or model) first."),
    "mx_counts_only": ("知识库共有 {n} 份文件：下表为全部地区的条款数；选择地区（或集团、模式）后列出条款及出处。",
                       "The knowledge base holds {n} documents: the table counts the rules of every district; "
                       "choose a district (or a group or model) to list the rules and their sources."),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_xlsx": ("下载 XLSX", "Download XLSX"),
    "download_json": ("下载 JSON", "Download JSON"),
    "download_ics": ("下载日历 (.ics)", "Download calendar (.ics)"),
    "download_nt": ("下载 N-Triples", "Download N-Triples"),
    "source": ("出处", "Source"),
    "source_hint": ("在表格中选中一行，查看原文出处。", "Select a row in the table to see its source."),
    "source_clause": ("所在条款（原句高亮）", "The clause (sentence highlighted)"),
    "whole_document": ("全文", "Whole document"),
    "untitled": ("未命名文件", "untitled document"),
    "unknown_district": ("地区不详", "district unknown"),
    "rows": ("{n} 条", "{n} rows"),
    # columns
    "col_district": ("地区", "District"),
    "col_document": ("文件", "Document"),
    "col_actor": ("主体", "Actor"),
    "col_actor_text": ("原文主体", "Actor (as written)"),
    "col_modality": ("情态", "Modality"),
    "col_category": ("类别", "Category"),
    "col_frequency": ("频次", "Frequency"),
    "col_action": ("事项", "Action"),
    "col_sentence": ("原文", "Sentence"),
    "col_inherited": ("继承", "Inherited"),
    "col_span": ("位置", "Offsets"),
    "col_kind": ("类型", "Kind"),
    "col_group": ("集团", "Group"),
    "col_models": ("模式", "Models"),
    "col_leads": ("牵头校", "Lead schools"),
    "col_members": ("成员校", "Member schools"),
    "col_constraint": ("制度约束", "Constraint"),
    "col_label": ("名称", "Label"),
    "col_total": ("合计", "Total"),
    "col_dimension": ("维度", "Dimension"),
    "col_item": ("条目", "Item"),
    "col_also_in": ("亦见于", "Also in"),
    "col_scope": ("对象", "Scope"),
    "col_title": ("标题", "Title"),
    "col_province": ("省份", "Province"),
    "col_sources": ("源文件", "Source files"),
    "col_rules": ("规则数", "Rules"),
    "col_groups": ("集团数", "Groups"),
    "col_constraints": ("约束数", "Constraints"),
    # filters
    "f_district": ("地区", "District"),
    "f_group": ("集团", "Group"),
    "f_model": ("办学模式", "Group model"),
    "f_actor": ("主体", "Actor"),
    "f_inherit": ("包含上位主体的条款（继承）", "Include inherited rules of broader actors"),
    "f_category": ("类别", "Category"),
    "f_modality": ("情态", "Modality"),
    "f_period": ("周期", "Period"),
    "f_search": ("在原文中查找", "Search the text"),
    "f_documents": ("限定文件", "Documents"),
    "f_kind": ("查找", "Looking for"),
    "f_constraint_kind": ("约束类型", "Constraint kind"),
    "f_frequency": ("只看写明频次的条款", "Only clauses that state how often"),
    "no_period": ("无周期", "no period"),
    # ask
    "ask_title": ("提问", "Ask a question"),
    "ask_question": ("问题（中文或英文）", "Question (Chinese or English)"),
    "ask_placeholder": ("例如：哪些义务适用于成员校？", "e.g. What is prohibited?"),
    "ask_go": ("提问", "Ask"),
    "ask_examples": ("示例问题", "Example questions"),
    "ask_interpretation": ("理解为", "Interpreted as"),
    "ask_filters": ("筛选条件（可修改，修改后重新查询）", "Filters (edit them to re-run the query)"),
    "ask_reset": ("恢复为问题的原始理解", "Reset to the question's reading"),
    "ask_edited": ("筛选条件已修改", "Filters edited"),
    "ask_results": ("结果", "Results"),
    "ask_not_understood": ("未能理解这个问题", "The question was not understood"),
    "ask_known": ("可以问的内容", "What can be asked about"),
    "ask_empty": ("输入问题，或点击一个示例问题。", "Type a question, or click an example."),
    "ask_no_match": ("理解了问题，但没有匹配的条款。", "Understood, but no clause matches."),
    "kind_obligation": ("义务条款", "Obligations"),
    "kind_constraint": ("制度约束", "Constraints"),
    "kind_group": ("教育集团", "School groups"),
    # obligations
    "ob_title": ("义务条款", "Obligations explorer"),
    "ob_caption": ("按地区、集团、模式、主体、类别、情态和周期筛选全部条款；点击表头排序。",
                   ("Filter every rule by district, group, model, actor, category, modality and period; "
                    "click a column header to sort.")),
    # compare
    "cmp_title": ("对比", "Compare"),
    "cmp_pick": ("选择 2–4 个地区、集团或办学模式", "Pick 2–4 districts, groups or models"),
    "cmp_need_two": ("请至少选择两个对象。", "Pick at least two."),
    "cmp_diff_only": ("只看差异", "Differences only"),
    "cmp_all_categories": ("显示全部规则类别", "Show every rule category"),
    "cmp_legend": ("＝ 所有对象都有　≠ 并非所有对象都有（黄色标出）；每一条的出处见下方“出处”。",
                   "＝ shared by all　≠ not shared by all (in yellow); each item's source is under Citations."),
    "cmp_citations": ("出处", "Citations"),
    "scope_district": ("地区", "district"),
    "scope_group": ("集团", "group"),
    "scope_model": ("模式", "model"),
    # matrix
    "mx_title": ("义务矩阵：主体 × 类别", "Obligation matrix: actor × category"),
    "mx_caption": ("单元格为条款数，颜色越深条款越多。选中一行查看该主体的条款与出处。",
                   "Cells count rules; the darker, the more. Select a row to see that actor's rules and sources."),
    "mx_ics_actor": ("日历：主体", "Calendar: actor"),
    "mx_detail": ("{actor} 的条款", "Rules of {actor}"),
    # graph
    "gr_title": ("关系图", "Graph"),
    "gr_caption": ("集团、学校、职务、机构、角色与条款；可拖动、缩放，悬停查看详情。",
                   "Groups, schools, posts, bodies, roles and rules; drag, zoom and hover for details."),
    "gr_rules": ("显示条款", "Show rules"),
    "gr_constraints": ("显示制度约束", "Show constraints"),
    "gr_view": ("视图", "View"),
    "gr_interactive": ("交互式", "Interactive"),
    "gr_static": ("静态 (Graphviz)", "Static (Graphviz)"),
    "gr_too_big": ("图中有 {n} 个节点，超过 {limit} 个：请缩小筛选范围。",
                   "The graph has {n} nodes, more than {limit}: narrow the filter."),
    "gr_force": ("仍然绘制", "Draw it anyway"),
    "gr_nodes": ("节点", "Nodes"),
    "gr_summary": ("{nodes} 个节点，{edges} 条边", "{nodes} nodes, {edges} edges"),
    "gr_no_vis": ("未安装 pyvis（提供 vis-network 脚本），改用静态视图。",
                  "pyvis (which ships the vis-network script) is not installed; showing the static view."),
    # documents
    "doc_title": ("文件", "Documents"),
    "doc_select": ("查看文件", "Show document"),
    "doc_kinds": ("高亮的抽取结果", "Highlighted facts"),
    "doc_facts": ("抽取结果", "Extracted facts"),
    "doc_meta": ("文件信息", "Metadata"),
    "doc_upload": ("上传新文件（txt / docx / pdf / html）", "Upload a document (txt / docx / pdf / html)"),
    "doc_ingest": ("导入", "Ingest"),
    "doc_ingesting": ("正在导入 {name} …", "Ingesting {name} …"),
    "doc_ingested": ("已导入 {name}：{status}，{facts} 项抽取结果。", "Ingested {name}: {status}, {facts} facts."),
    "doc_failed": ("无法导入 {name}", "Could not ingest {name}"),
    "doc_locked": ("知识库正被另一个程序写入，请稍后再试。", "Another program is writing to the store; try again later."),
    "doc_empty": ("知识库中还没有文件。", "The store holds no document yet."),
    "kind_rule": ("条款", "rule"),
    "kind_post": ("职务", "post"),
    "kind_body": ("机构", "body"),
    "kind_groupfact": ("集团", "group"),
    "kind_constraintfact": ("制度约束", "constraint"),
    "meta_field": ("项目", "Field"),
    "meta_value": ("内容", "Value"),
    # sparql
    "sq_title": ("SPARQL 查询（只读）", "SPARQL console (read-only)"),
    "sq_named": ("示例（命名查询）", "Example (named query)"),
    "sq_custom": ("（自己编写）", "(write your own)"),
    "sq_text": ("查询", "Query"),
    "sq_params": ("参数", "Parameters"),
    "sq_param_help": ("IRI 写作 <…> 或 前缀:名称（如 actor:member_school）；留空表示不限。",
                      "Write IRIs as <…> or prefix:name (e.g. actor:member_school); leave empty for any."),
    "sq_run": ("运行", "Run"),
    "sq_refused": ("查询被拒绝", "Query refused"),
    "sq_failed": ("查询失败", "Query failed"),
    "sq_truncated": ("结果已截断（超过 {n} 行）。", "Results truncated (more than {n} rows)."),
    "sq_ask": ("ASK 结果：{value}", "ASK result: {value}"),
    "sq_rows": ("{n} 行，用时 {s:.2f} 秒", "{n} rows in {s:.2f} s"),
}


def text(key: str, lang: str, **kw: Any) -> str:
    zh, en = STRINGS[key]
    value = en if lang == "en" else zh
    return value.format(**kw) if kw else value


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
    rows = queries.run(_store(), "documents").rows
    return [{k: plain_value(v) for k, v in r.items()} for r in rows]


@st.cache_data(show_spinner=False, max_entries=256)
def cached_doc_meta(stamp: str, doc: str) -> dict:
    rows = queries.run(_store(), "document_metadata", doc=IRI(doc)).rows
    row = {k: plain_value(v) for k, v in (rows[0] if rows else {}).items()}
    row.setdefault("text", "")
    row["text"] = row.get("text") or ""
    return row


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_groups(stamp: str) -> list[dict]:
    rows = queries.run(_store(), "cmp_groups").rows
    out = []
    for r in rows:
        r = {k: plain_value(v) for k, v in r.items()}
        r["label"] = group_label(r)
        out.append(r)
    return out


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_doc_index(stamp: str) -> dict[str, dict]:
    return {row["graph"]: row for row in cached_documents(stamp)}


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_group_index(stamp: str) -> dict[str, dict]:
    return {row["group"]: row for row in cached_groups(stamp)}


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_models(stamp: str) -> list[str]:
    """The group models some document or group of the store adopts, in vocabulary order."""
    from kb.scopes import model_scope
    from ontology import labels

    return [code for code in labels("model") if model_scope(_store(), code).docs]


# --------------------------------------------------------------------------- the page context


class App:
    """What every page gets: the store, labels in the chosen language, and shared UI helpers."""

    def __init__(self, holder: StoreHolder, lang: str) -> None:
        self.holder = holder
        self.store = holder.store
        self.stamp = holder.stamp
        self.location = holder.location
        self.lang = lang

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
        return cached_doc_index(self.stamp)

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
        g = cached_group_index(self.stamp).get(str(iri))
        if g is None:
            return str(iri)
        return f"{g['label']}（{g.get('district') or self.t('unknown_district')}）"

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


MIME = {"csv": "text/csv", "json": "application/json", "ics": "text/calendar",
        "nt": "application/n-triples",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

# --------------------------------------------------------------------------- the shell

try:
    holder = store_holder(LOCATION)
except PolicyKBError as exc:
    st.error(f"{STRINGS['store_error'][0]} / {STRINGS['store_error'][1]}: {exc.message}")
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
    lang_en = st.toggle(STRINGS["lang_toggle"][0], key="lang_en", on_change=_language_changed)
lang = "en" if lang_en else "zh"

with st.sidebar:
    if st.button(text("refresh", lang), key="refresh_store", icon=":material/refresh:"):
        holder.refresh(force=True)
    else:
        holder.refresh()

app = App(holder, lang)
st.session_state["_app"] = app

# No page icons: a :material/…: page icon becomes the favicon, which the browser would fetch from
# fonts.gstatic.com — the app must not reach the internet.
PAGES = ("ask", "obligations", "compare", "matrix", "graph", "documents", "sparql")
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
