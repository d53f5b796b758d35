"""Writers kept out, in a real browser: ``streamlit run app.py`` on a real Virtuoso store whose
operator enabled uploads with a password (``POLICYKB_APP_UPLOADS=true`` and the hash from
kb.uploads), driven by headless Chromium like tests/test_browser.py. An upload without the password
is refused with the clear message and nothing reaches the server; with it, the document is ingested
into the server. Screenshots go to ``test-artifacts/``.
"""
from __future__ import annotations

import os

import pytest

from kb.uploads import hash_password
from tests.test_browser import ARTIFACTS, page, streamlit_app  # noqa: F401  (the Chromium fixture)
from tests.test_server_store import virtuoso, wipe  # noqa: F401  (the shared session fixture)
from tests.test_uploads import PASSWORD, UPLOAD

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.server]


@pytest.fixture(scope="module")
def server(virtuoso, tmp_path_factory):  # noqa: F811
    """The app on an empty Virtuoso store that takes uploads with ``PASSWORD``; yields its URL."""
    with virtuoso.store() as store:
        wipe(store)
    env = dict(os.environ, POLICYKB_STORE=virtuoso.url, POLICYKB_USER="dba", POLICYKB_PASSWORD=virtuoso.password,
               POLICYKB_APP_UPLOADS="true", POLICYKB_APP_UPLOAD_PASSWORD_HASH=hash_password(PASSWORD),
               XDG_DATA_HOME=str(tmp_path_factory.mktemp("browser-uploads-data")))
    try:
        with streamlit_app(env, "browser-uploads-streamlit.log") as base:
            yield base
    finally:
        with virtuoso.store() as store:
            wipe(store)


def test_an_upload_to_a_server_store_needs_the_password(server, page, virtuoso):  # noqa: F811
    page.goto(server + "/documents")
    page.get_by_role("heading", name="文件").first.wait_for()
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "测试县方案.txt", "mimeType": "text/plain", "buffer": UPLOAD.encode("utf-8")}])
    page.get_by_text("测试县方案.txt").first.wait_for()
    page.get_by_role("button", name="导入").click()
    page.get_by_text("上传密码不正确", exact=False).wait_for()
    page.get_by_text("PKB-UPLOAD-PASSWORD", exact=False).wait_for()
    page.screenshot(path=str(ARTIFACTS / "browser-upload-refused.png"))
    with virtuoso.store() as store:
        assert store.graphs() == []

    password = page.get_by_label("上传密码")
    password.fill(PASSWORD)
    password.press("Enter")
    page.wait_for_timeout(500)
    page.get_by_role("button", name="导入").click()
    page.get_by_text("已导入 测试县方案.txt", exact=False).wait_for(timeout=120_000)
    page.screenshot(path=str(ARTIFACTS / "browser-upload-accepted.png"))
    with virtuoso.store() as store:
        assert len(store.graphs()) == 1
    assert not page.outside, f"the app tried to reach the internet: {page.outside}"
