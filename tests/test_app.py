"""The Streamlit app driven through ``streamlit.testing.v1.AppTest``, page by page, by widget key,
against a real embedded store holding ``source_docs/``.

Downloads are read back from the media file manager of the simulated runtime (deferred ones are
generated as a click would), and checked to parse: CSV with a BOM, XLSX with openpyxl, JSON, and
iCalendar with ``icalendar``.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest

from tests.conftest import ingested_store

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
SOURCE_DOCS = ROOT / "source_docs"
TIMEOUT = 120


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def app_store(tmp_path_factory) -> Path:
    """A store folder with source_docs/ ingested (ingest.runner.ingest), used read-only by the app."""
    return ingested_store(tmp_path_factory.mktemp("app-store") / "kb", SOURCE_DOCS)


@pytest.fixture()
def store_env(app_store, monkeypatch) -> Path:
    monkeypatch.setenv("POLICYKB_STORE", str(app_store))
    return app_store


@pytest.fixture()
def writable_store(app_store, tmp_path, monkeypatch) -> Path:
    """A copy of the corpus store that a test may add documents to."""
    path = tmp_path / "kb"
    shutil.copytree(app_store, path, ignore=shutil.ignore_patterns("writer.lock"))
    monkeypatch.setenv("POLICYKB_STORE", str(path))
    return path


def new_app(**params) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at


def goto(at: AppTest, page: str) -> AppTest:
    """Open another page, as the sidebar does (which clears the query parameters)."""
    at.query_params.clear()
    return at.switch_page(f"webapp/pages/{page}.py").run()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def download(at: AppTest, managers: list, key: str) -> bytes:
    """The bytes behind a download button (a deferred one is generated as a click would)."""
    proto = at.download_button(key=key).proto
    manager = managers[-1]
    url = manager.execute_deferred(proto.deferred_file_id) if proto.deferred_file_id else proto.url
    assert url, f"download button {key} serves nothing"
    data = manager._storage.get_file(url.rsplit("/", 1)[-1]).content
    assert data, f"download button {key} serves an empty file"
    return data


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_rows(data: bytes) -> list[tuple]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    return [row for ws in wb.worksheets for row in ws.iter_rows(values_only=True)]


def plain(markdown: str) -> str:
    """A Markdown-escaped message as it reads on screen."""
    return re.sub(r"\\(.)", r"\1", markdown)


def html_of(at: AppTest) -> str:
    return "\n".join(h.value for h in at.html)


def frame_with(at: AppTest, column: str, needle: str | None = None):
    """The first table (st.dataframe without selection has no key in the tree) with ``column``
    (and, if given, ``needle`` somewhere in it)."""
    for element in at.dataframe:
        frame = element.value
        if column in frame.columns and (needle is None or needle in frame_text(frame)):
            return frame
    raise AssertionError(f"no table with column {column!r}" + (f" holding {needle!r}" if needle else ""))


def frame_text(frame) -> str:
    return frame.astype(str).to_csv()


# --------------------------------------------------------------------------- every page


PAGES = ("ask", "obligations", "compare", "matrix", "graph", "documents", "sparql")


def test_every_page_renders_without_error(store_env):
    at = ok(new_app().run())
    assert at.title[0].value == "提问"
    titles = {}
    for page in PAGES[1:]:
        ok(goto(at, page))
        assert not at.error, (page, [e.value for e in at.error])
        titles[page] = at.title[0].value
        assert at.query_params.get("page") == page
    assert titles["compare"] == "对比" and titles["documents"] == "文件"


# --------------------------------------------------------------------------- ask


def test_ask_member_schools_shows_the_source_sentence(store_env):
    at = ok(new_app().run())
    at.text_input(key="ask_q").set_value("哪些义务适用于成员校？")
    ok(at.run())
    table = at.dataframe(key="ask_results").value
    assert len(table) > 10
    hits = [i for i, row in enumerate(table.astype(str).values.tolist()) if any("跟班听课" in c for c in row)]
    assert hits, "asking 哪些义务适用于成员校？ should list the 跟班听课 duty"
    assert at.multiselect(key="ask_actors").value == ["member_school"]
    assert at.query_params["q"] == "哪些义务适用于成员校？"
    # open the row: its sentence, highlighted inside its clause, escaped
    at.session_state["ask_results"] = {"selection": {"rows": [hits[0]], "columns": []}}
    ok(at.run())
    body = html_of(at)
    assert '<mark class="focus"' in body and "跟班听课" in body


def test_ask_examples_and_edited_filters_round_trip(store_env, media):
    at = ok(new_app().run())
    at.button(key="ask_example_1").click()          # 张掖中学教育集团的联席会议多久召开一次？
    ok(at.run())
    assert at.text_input(key="ask_q").value == "张掖中学教育集团的联席会议多久召开一次？"
    assert "每月≥1次" in frame_text(at.dataframe(key="ask_results").value)
    assert at.pills(key="ask_categories").value == ["meeting"]

    at.button(key="ask_example_0").click()          # 哪些义务适用于成员校？
    ok(at.run())
    before = len(at.dataframe(key="ask_results").value)
    at.pills(key="ask_categories").set_value(["training"])
    ok(at.run())
    after = at.dataframe(key="ask_results").value
    assert 0 < len(after) < before
    assert set(after["类别"].str.split("、").sum()) >= {"培训"}
    params = dict(at.query_params)
    assert params["edited"] == "1" and params["category"] == "training" and params["actor"] == "member_school"
    rows = csv_rows(download(at, media, "ask_csv"))
    assert len(rows) == len(after) + 1
    assert xlsx_rows(download(at, media, "ask_xlsx"))

    # the link opens the same view in a new session
    shared = new_app(**params).run()
    ok(shared)
    assert shared.pills(key="ask_categories").value == ["training"]
    assert frame_text(shared.dataframe(key="ask_results").value) == frame_text(after)

    # resetting the chips goes back to the question's reading
    shared.button(key="ask_reset").click()
    ok(shared.run())
    assert len(shared.dataframe(key="ask_results").value) == before
    assert "edited" not in shared.query_params


@pytest.mark.parametrize("question, expected", [
    ("每学期至少要开展哪些活动？", "每学期"),
    ("What is prohibited?", "不得"),
    ("Which groups follow the junior-senior consortium model?", "临县一中"),
    ("宝塔区有哪些教育集团？", "新区高级中学"),
])
def test_ask_example_questions(store_env, question, expected):
    at = ok(new_app(q=question).run())
    assert expected in frame_text(at.dataframe(key="ask_results").value)


def test_ask_not_understood_says_so(store_env):
    at = ok(new_app(q="asdf qwer").run())
    assert at.warning and plain(at.warning[0].value).startswith("未能理解这个问题：")
    assert not at.dataframe


# --------------------------------------------------------------------------- obligations


def test_obligations_explorer_filters_and_downloads(store_env, media):
    at = ok(new_app(page="obligations").run())
    everything = len(at.dataframe(key="ob_table").value)
    at.multiselect(key="ob_district").set_value(["田家庵区"])
    at.selectbox(key="ob_actor").set_value("member_school")
    ok(at.run())
    table = at.dataframe(key="ob_table").value
    assert 0 < len(table) < everything
    assert set(table["地区"]) == {"田家庵区"}
    assert table["继承"].any(), "the group's rules bind member schools as inherited"
    at.toggle(key="ob_inherit").set_value(False)
    ok(at.run())
    direct = at.dataframe(key="ob_table").value
    assert len(direct) < len(table) and not direct["继承"].any()
    assert at.query_params["district"] == "田家庵区" and at.query_params["inherit"] == "0"
    rows = csv_rows(download(at, media, "ob_csv"))
    assert rows[0][0] == "地区" and len(rows) == len(direct) + 1
    assert len(xlsx_rows(download(at, media, "ob_xlsx"))) == len(direct) + 1

    at.multiselect(key="ob_district").set_value([])
    at.selectbox(key="ob_actor").set_value("")
    at.multiselect(key="ob_period").set_value(["semester"])
    ok(at.run())
    table = at.dataframe(key="ob_table").value
    assert len(table) and all(f.startswith(("每学期", "(每学期")) for f in table["频次"])


# --------------------------------------------------------------------------- compare


def test_a_large_corpus_asks_for_a_scope_first(store_env, monkeypatch):
    """Above POLICYKB_APP_SCOPE_DOCUMENTS documents the explorer, the matrix and the graph list
    nothing until a district (or group, model) is chosen, then only that district's rules."""
    monkeypatch.setenv("POLICYKB_APP_SCOPE_DOCUMENTS", "2")
    for page, key, widget in (("obligations", "ob_district", "multiselect"), ("matrix", "mx_district", "selectbox"),
                              ("graph", "gr_district", "selectbox")):
        at = ok(new_app(page=page).run())
        assert any("5 份文件" in info.value for info in at.info)
        assert page != "graph" or not at.get("iframe") and not at.dataframe
        chosen = ["张掖市"] if widget == "multiselect" else "张掖市"
        getattr(at, widget)(key=key).set_value(chosen)
        ok(at.run())
        assert not any("5 份文件" in info.value for info in at.info)
    table = ok(new_app(page="obligations", district="张掖市").run()).dataframe(key="ob_table").value
    assert len(table) and set(table["地区"]) == {"张掖市"}


def test_a_large_corpus_matrix_counts_every_district_first(store_env, monkeypatch):
    """Without a scope the matrix of a large store shows every district's rule counts (from the
    documents' tallies): the same numbers as the full matrix, and downloads of them."""
    from kb.matrix import matrix
    from kb.store import open_store

    monkeypatch.setenv("POLICYKB_APP_SCOPE_DOCUMENTS", "2")
    at = ok(new_app(page="matrix").run())
    [counts] = [d.value for d in at.dataframe]
    with open_store(os.environ["POLICYKB_STORE"], read_only=True) as store:
        full = matrix(store)
    assert int(counts["合计"].sum()) == len(full.sources) > 0
    assert len(at.get("download_button")) == 3
    at.selectbox(key="mx_modality").set_value("prohibition")
    [fewer] = [d.value for d in ok(at.run()).dataframe]
    assert 0 < int(fewer["合计"].sum()) < int(counts["合计"].sum())


def test_compare_zhangye_and_tianjiaan(store_env, media):
    at = ok(new_app(page="compare", scope=["district:张掖市", "district:田家庵区"]).run())
    assert at.multiselect(key="cmp_scopes").value == ["district:张掖市", "district:田家庵区"]
    body = html_of(at)
    meeting = body[body.index('data-dimension="meeting"'):]
    zhangye, tianjiaan = meeting.split('data-dimension="meeting"')[1:3]
    assert "每月≥1次" in zhangye, "张掖市: the joint meeting at least monthly"
    assert "每月1次" in tianjiaan and "每学年" in tianjiaan, "田家庵区: monthly work meeting, yearly consultation"
    assert '<div class="it diff">' in body
    rows = csv_rows(download(at, media, "cmp_csv"))
    assert {r[2] for r in rows[1:]} == {"张掖市", "田家庵区"}
    assert any(r[0] == "meeting" and "每月≥1次" in r[3] for r in rows)
    sheets = xlsx_rows(download(at, media, "cmp_xlsx"))
    assert sheets[0][1:3] == ("张掖市", "田家庵区")
    # a line's rows and sources are read when its expander opens
    assert not any("每月至少召开1次" in frame_text(d.value) for d in at.dataframe)
    from kb.compare import compare
    from kb.store import open_store

    with open_store(str(store_env), read_only=True) as store:
        lines = compare(store, ["district:张掖市", "district:田家庵区"]).lines("meeting", 0)
    monthly = next(n for n, line in enumerate(lines) if "每月" in line.text())
    at.session_state[f"cmp_line_meeting_0_{monthly}"] = True
    ok(at.run())
    frame_with(at, "句子" if "句子" in str(at.dataframe) else next(iter(at.dataframe[0].value.columns)),
               "每月至少召开1次")

    at.toggle(key="cmp_diff_only").set_value(True)
    ok(at.run())
    assert '<span class="mk">≠</span>' in html_of(at) and '<span class="mk">＝</span>' not in html_of(at)


# --------------------------------------------------------------------------- matrix


def test_matrix_of_tianjiaan_and_its_downloads(store_env, media):
    import icalendar

    at = ok(new_app(page="matrix", district="田家庵区").run())
    assert at.selectbox(key="mx_district").value == "田家庵区"
    table = at.dataframe(key="mx_table").value
    assert "member_school_staff" in list(table["code"])
    assert "成员校教师" in list(table.index)
    row = table.set_index("code").loc["member_school_staff"]
    assert row["合计"] >= 1

    at.session_state["mx_table"] = {"selection": {"rows": [list(table["code"]).index("member_school_staff")],
                                                  "columns": []}}
    ok(at.run())
    assert len(frame_with(at, "原文", None)) == row["合计"]

    rows = csv_rows(download(at, media, "mx_csv"))
    assert any(r[0] == "田家庵区" and r[1] == "成员校教师" for r in rows[1:])
    assert xlsx_rows(download(at, media, "mx_xlsx"))
    data = json.loads(download(at, media, "mx_json"))
    assert data["filters"]["district"] == "田家庵区" and data["districts"] == ["田家庵区"]

    at.selectbox(key="mx_ics_actor").set_value("group_head")
    ok(at.run())
    cal = icalendar.Calendar.from_ical(download(at, media, "mx_ics"))
    events = [c for c in cal.walk("VEVENT")]
    assert events and all(e.get("rrule") for e in events)
    assert at.query_params["ics"] == "group_head"


# --------------------------------------------------------------------------- graph


def test_graph_is_drawn_offline(store_env):
    at = ok(new_app(page="graph", district="宝塔区").run())
    frames = at.get("iframe")
    assert frames, "the interactive view is an iframe"
    srcdoc = frames[0].proto.srcdoc
    assert "vis.Network" in srcdoc
    assert "<script src" not in srcdoc and "<link" not in srcdoc, "nothing may be fetched at run time"
    nodes = at.dataframe(key="gr_nodes").value
    assert "新区高级中学教育集团" in set(nodes["名称"])
    at.segmented_control(key="gr_view").set_value("static")
    ok(at.run())
    assert at.get("graphviz_chart") and not at.get("iframe")


def test_graph_without_pyvis_falls_back_to_graphviz(store_env, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pyvis" else real(name, *a))
    at = ok(new_app(page="graph", district="张掖市").run())
    assert at.info and at.get("graphviz_chart") and not at.get("iframe")


# --------------------------------------------------------------------------- language and links


def test_english_switch_changes_labels(store_env):
    at = ok(new_app().run())
    assert at.title[0].value == "提问"
    at.toggle(key="lang_en").set_value(True)
    ok(at.run())
    assert at.title[0].value == "Ask a question"
    assert at.query_params["lang"] == "en"
    ok(goto(at, "matrix"))
    assert at.title[0].value.startswith("Obligation matrix")
    assert at.query_params["lang"] == "en"


def test_query_params_round_trip(store_env):
    params = {"page": "compare", "scope": ["district:张掖市", "group:nonsense", "model:alliance"], "lang": "en"}
    at = ok(new_app(**params).run())
    assert at.title[0].value == "Compare"
    assert at.multiselect(key="cmp_scopes").value == ["district:张掖市", "model:alliance"]
    assert at.query_params == {"page": "compare", "scope": ["district:张掖市", "model:alliance"], "lang": "en"}
    again = ok(new_app(**at.query_params).run())
    assert again.multiselect(key="cmp_scopes").value == ["district:张掖市", "model:alliance"]

    ob = ok(new_app(page="obligations", category=["meeting", "training"], modality="obligation",
                    search="每月").run())
    assert ob.multiselect(key="ob_category").value == ["meeting", "training"]
    assert ob.multiselect(key="ob_modality").value == ["obligation"]
    assert ob.text_input(key="ob_search").value == "每月"
    assert ob.query_params == {"page": "obligations", "category": ["meeting", "training"],
                               "modality": "obligation", "search": "每月"}


# --------------------------------------------------------------------------- SPARQL


def test_sparql_console_refuses_updates_and_runs_selects(store_env, media):
    at = ok(new_app(page="sparql").run())
    assert at.selectbox(key="sq_named").value == "documents"
    at.text_area(key="sq_text").set_value("DROP ALL")
    at.button(key="sq_run").click()
    ok(at.run())
    assert at.error and "PKB-QUERY-READONLY" in plain(at.error[0].value)
    assert not at.get("dataframe")

    at.text_area(key="sq_text").set_value(
        "SELECT ?graph ?title WHERE { GRAPH ?graph { ?graph a pkb:PolicyDocument "
        "OPTIONAL { ?graph dcterms:title ?title } } } ORDER BY ?graph")
    at.button(key="sq_run").click()
    ok(at.run())
    assert not at.error, [plain(e.value) for e in at.error]
    result = frame_with(at, "title")
    assert len(result) == 5 and "title" in result.columns
    assert at.query_params["sparql"].startswith("SELECT ?graph ?title")
    rows = csv_rows(download(at, media, "sq_csv"))
    assert rows[0] == ["graph", "title"] and len(rows) == 6
    assert len(json.loads(download(at, media, "sq_json"))["rows"]) == 5

    # a named query's parameter as an input
    at.selectbox(key="sq_named").set_value("cmp_documents")
    ok(at.run())
    at.text_input(key="sq_param_district").set_value("张掖市")
    at.button(key="sq_run").click()
    ok(at.run())
    assert set(frame_with(at, "district")["district"]) == {"张掖市"}
    assert at.query_params["p_district"] == "张掖市"


# --------------------------------------------------------------------------- documents and uploads


def test_documents_page_highlights_facts(store_env):
    at = ok(new_app(page="documents").run())
    table = at.dataframe(key="doc_table").value
    assert len(table) == 5 and table["规则数"].sum() > 100
    select = at.selectbox(key="doc_select")
    zhangye = next(doc for doc in select.options if "张掖" in doc)
    select.select(zhangye)
    ok(at.run())
    assert "张掖" in at.selectbox(key="doc_select").format_func(at.selectbox(key="doc_select").value)
    body = html_of(at)
    assert '<mark class="rule"' in body and '<mark class="group"' in body
    assert "每月至少召开1次" in body
    facts = frame_with(at, "类型")
    assert len(facts) > 40
    at.pills(key="doc_kinds").set_value(["constraint"])
    ok(at.run())
    assert '<mark class="rule"' not in html_of(at)
    assert set(frame_with(at, "类型")["类型"]) == {"制度约束"}


def test_invalid_upload_shows_the_read_error(writable_store):
    at = ok(new_app(page="documents").run())
    at.file_uploader(key="doc_upload").set_value(("x.txt", bytes(range(256)) * 40, "text/plain"))
    ok(at.run())
    at.button(key="doc_ingest").click()
    ok(at.run())
    assert at.error, "an unreadable file must be reported"
    message = plain(at.error[0].value)
    assert "x.txt" in message and "PKB-READ-BINARY" in message and "not a text file" in message
    assert at.info, "the ReadError's hint is shown"
    assert not (writable_store / "uploads" / "x.txt").exists()
    assert len(at.dataframe(key="doc_table").value) == 5


UPLOAD = """测试县教育局关于印发《测试县集团化办学实施方案》的通知

<script>alert(1)</script>
**bold** [link](javascript:x)

一、组建测试县第一中学教育集团，由测试县第一中学牵头，测试县第二中学为成员校。
二、集团成员学校每月至少开展1次联合教研活动。
三、成员校教师每学期至少到牵头学校跟岗学习1次。
"""


def test_valid_upload_becomes_queryable_and_is_shown_escaped(writable_store):
    at = ok(new_app(page="documents").run())
    at.file_uploader(key="doc_upload").set_value(("测试县方案.txt", UPLOAD.encode("utf-8"), "text/plain"))
    ok(at.run())
    at.button(key="doc_ingest").click()
    ok(at.run())
    assert not at.error, [e.value for e in at.error]
    assert at.success and "测试县方案.txt" in plain(at.success[0].value)
    assert len(at.dataframe(key="doc_table").value) == 6
    assert "测试县" in at.selectbox(key="doc_select").format_func(at.selectbox(key="doc_select").value)

    body = html_of(at)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)</script>" not in body and "<script>" not in body
    assert "**bold** [link](javascript:x)" in body
    assert "<a " not in body and "<strong>" not in body and 'href="javascript' not in body

    # and it is queryable: the obligations explorer and the ask page find its rules
    ob = ok(goto(at, "obligations"))
    ob.text_input(key="ob_search").set_value("跟岗学习")
    ok(ob.run())
    found = ob.dataframe(key="ob_table").value
    assert len(found) >= 1 and "跟岗学习" in frame_text(found)
    found_row = next(i for i, row in enumerate(found.astype(str).values.tolist()) if "跟岗学习" in "".join(row))
    ob.session_state["ob_table"] = {"selection": {"rows": [found_row], "columns": []}}
    ok(ob.run())
    source = html_of(ob)
    assert "跟岗学习" in source and "&lt;script&gt;" in source and "<script>" not in source


def test_a_link_to_a_page_opens_it_with_its_state(store_env):
    """A shared link (?page=compare&scope=…&lang=en) as a session's first request opens that page
    through app.py: context, sidebar, language and the page's widgets from the link."""
    at = new_app(page="compare", lang="en")
    at.query_params["scope"] = ["district:张掖市", "district:田家庵区"]
    ok(at.run())
    assert at.title[0].value == "Compare"
    assert at.sidebar.toggle(key="lang_en").value is True
    assert at.multiselect(key="cmp_scopes").value == ["district:张掖市", "district:田家庵区"]
    assert "每月≥1次" in html_of(at)


def test_refresh_shows_documents_ingested_elsewhere(writable_store, tmp_path):
    from ingest.runner import ingest
    from kb.store import open_store

    at = ok(new_app(page="documents").run())
    assert len(at.dataframe(key="doc_table").value) == 5
    extra = tmp_path / "另一份方案.txt"
    extra.write_text(UPLOAD, encoding="utf-8")
    with open_store(str(writable_store)) as writer:      # `policykb ingest` in another process
        assert not ingest(writer, [str(extra)], workers=1).errors
    at.button(key="refresh_store").click()
    ok(at.run())
    assert len(at.dataframe(key="doc_table").value) == 6


# --------------------------------------------------------------------------- the pure helpers


def test_highlight_html_escapes_everything_from_the_document():
    from webapp.support import Mark, clause_bounds, highlight_html

    text = '第一段。\n<script>alert(1)</script> **bold** [link](javascript:x) 成员校每月开展1次活动。\n末段"引号"&'
    start = text.index("成员校")
    end = text.index("。", start) + 1
    body = highlight_html(text, [Mark(start, end, "focus", 'tip "<b>"'), Mark(0, 4, "rule")])
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert '<mark class="focus" title="tip &quot;&lt;b&gt;&quot;">成员校每月开展1次活动。</mark>' in body
    assert "**bold** [link](javascript:x)" in body and "&amp;" in body
    a, b = clause_bounds(text, start, end)
    window = highlight_html(text, [Mark(start, end, "focus")], window=(a, b))
    assert "第一段" not in window and "末段" not in window and window.count("…") == 2


def test_url_state_codec_round_trips():
    from webapp.support import Param, decode_params, encode_params

    spec = [Param("d", "district", "list"), Param("a", "actor"), Param("i", "inherit", "bool", True),
            Param("n", "n", "int")]
    values = {"d": ["张掖市", "田家庵区"], "a": "member_school", "i": False, "n": 3}
    params = encode_params(values, spec)
    assert params == {"district": ["张掖市", "田家庵区"], "actor": "member_school", "inherit": "0", "n": "3"}
    assert decode_params(params, spec) == values
    assert decode_params({}, spec) == {"d": [], "a": "", "i": True, "n": 0}
    assert encode_params(decode_params({}, spec), spec) == {}
    assert decode_params({"district": ["x", "张掖市"], "actor": "nobody"}, spec,
                         {"d": ["张掖市"], "a": ["", "member_school"]})["d"] == ["张掖市"]


def test_console_parameters_become_rdf_terms():
    from webapp.support import parse_binding
    from kb.store import IRI

    assert parse_binding("") is None
    assert parse_binding("<https://w3id.org/policykb/id/doc/1>") == IRI("https://w3id.org/policykb/id/doc/1")
    assert isinstance(parse_binding("actor:member_school"), IRI)
    assert parse_binding("actor:member_school").endswith("/actor/member_school")
    assert parse_binding("42") == 42 and parse_binding("true") is True
    assert parse_binding("张掖市") == "张掖市" and not isinstance(parse_binding("张掖市"), IRI)


# --------------------------------------------------------------------------- the app's words

def test_every_word_of_the_app_is_there_in_both_languages():
    import string

    from webapp.strings import LANGUAGES, strings

    def fields(value: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(value) if name}

    table = strings()
    assert len(table) > 100
    for key, entry in table.items():
        assert set(entry) == set(LANGUAGES), key
        assert all(entry[lang].strip() for lang in LANGUAGES), key
        assert fields(entry["zh"]) == fields(entry["en"]), key
    used = set()
    for path in [APP, *sorted((APP.parent / "webapp" / "pages").glob("*.py"))]:
        used |= set(re.findall(r"""\b(?:t|text)\(\s*["']([a-z_0-9]+)["']""", path.read_text(encoding="utf-8")))
    assert used and used <= set(table), sorted(used - set(table))


@pytest.mark.parametrize("rows", [
    [{"主体": "成员校", "继承": False, "句子": "每学期至少开展1次联合教学质量检测分析。"},
     {"主体": None, "继承": True, "句子": "𠀀 and ASCII"}],
    [{"n": str(i), "flag": None if i % 3 == 0 else i % 2 == 0} for i in range(19)],   # bitmaps past a byte
    [{"only": None}, {"only": "x"}],
    [],
])
def test_answer_rows_become_an_arrow_table_without_pandas(rows):
    """The answer table is built from Arrow buffers: the same rows come back, bools as a boolean
    column, None as null; and building it imports no pandas (what a fresh app's first answer
    would otherwise load)."""
    import subprocess
    import sys

    from webapp.arrow_table import arrow_table

    table = arrow_table(rows)
    assert table.to_pylist() == rows
    for name in table.column_names:
        is_flag = all(r[name] is None or isinstance(r[name], bool) for r in rows) and any(r[name] is not None
                                                                                           for r in rows)
        assert str(table.schema.field(name).type) == ("bool" if is_flag else "string")
    code = ("import sys, json; from webapp.arrow_table import arrow_table; "
            "arrow_table(json.load(sys.stdin)); sys.exit('pandas' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, input=json.dumps(rows), text=True).returncode == 0
