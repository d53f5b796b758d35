"""The app in a real browser: ``streamlit run app.py`` on a free localhost port, driven by Debian's
headless Chromium (``/usr/bin/chromium``, installed by scripts/system-deps.sh) through Playwright
for Python — only its driver is used, never a browser download of its own.

It asks 哪些义务适用于成员校？ and sees 跟班听课 in the results, opens the Compare page (from the
sidebar, then as a shared link), and saves screenshots in ``test-artifacts/``. Every request
the page makes to a host other than the app's is refused and the test fails on it: the app must
work without the internet (no CDN, no web fonts, no telemetry).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import quote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
SOURCE_DOCS = ROOT / "source_docs"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (scripts/system-deps.sh does: "
                "apt-get install chromium chromium-driver fonts-noto-cjk)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_app(env: dict, log_name: str) -> Iterator[str]:
    """``streamlit run app.py`` with ``env`` on a free localhost port; yields its base URL once its
    health check answers, and stops it afterwards (its output goes to ``test-artifacts/log_name``)."""
    ARTIFACTS.mkdir(exist_ok=True)
    port = _free_port()
    log = open(ARTIFACTS / log_name, "w", encoding="utf-8")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=str(ROOT), env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {process.returncode}; see {log.name}")
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not come up on {base}; see {log.name}")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``streamlit run app.py`` on a store with source_docs/ ingested; yields the base URL."""
    from ingest.runner import ingest
    from kb.store import open_store

    store = tmp_path_factory.mktemp("browser-store") / "kb"
    with open_store(str(store)) as writer:
        summary = ingest(writer, [str(SOURCE_DOCS)], workers=1)
    assert not summary.errors
    with streamlit_app(dict(os.environ, POLICYKB_STORE=str(store)), "browser-streamlit.log") as base:
        yield base


@pytest.fixture()
def page(server, tmp_path):
    """A fresh Chromium profile; requests to any host but the app's are refused and recorded."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser test drives Chromium with Playwright for Python: pip install 'playwright>=1.40' "
                    "(its driver only; the browser is Debian's /usr/bin/chromium)")

    outside: list[str] = []
    app_host = urlsplit(server).netloc

    def guard(route) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).netloc == app_host:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=FLAGS,
            viewport={"width": 1440, "height": 1800}, locale="zh-CN")
        context.route("**/*", guard)
        context.set_default_timeout(60_000)
        try:
            tab = context.pages[0] if context.pages else context.new_page()
            tab.outside = outside  # type: ignore[attr-defined]
            yield tab
        finally:
            context.close()
    assert not outside, f"the app tried to reach the internet: {sorted(set(outside))}"


def test_ask_then_compare_in_chromium(server, page):
    page.goto(server + "/")
    page.get_by_role("heading", name="提问").wait_for()
    question = page.get_by_label("问题（中文或英文）")
    question.fill("哪些义务适用于成员校？")
    question.press("Enter")
    # st.dataframe draws on a canvas; its accessible table (hidden) holds the cells' text
    page.locator("[data-testid=stDataFrame] [role=gridcell]", has_text="跟班听课").first.wait_for(state="attached")
    page.get_by_text("查找义务条款；适用对象：成员学校", exact=False).wait_for()
    page.wait_for_function("() => decodeURIComponent(location.search).includes('q=哪些义务适用于成员校')")
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / "browser-ask.png"))

    page.get_by_role("link", name="对比").click()
    page.get_by_role("heading", name="对比").wait_for()
    page.locator("table.pkb-cmp").wait_for()
    page.wait_for_function("() => location.pathname.endsWith('/compare')")
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / "browser-compare.png"))

    # the same page as a shared link
    link = server + "/compare?" + "&".join("scope=" + quote(s) for s in ("district:张掖市", "district:田家庵区"))
    page.goto(link)
    table = page.locator("table.pkb-cmp")
    table.wait_for()
    meeting = table.locator("td[data-dimension=meeting]")
    assert "每月≥1次" in meeting.nth(0).inner_text()
    assert "每学年" in meeting.nth(1).inner_text()
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / "browser-compare-link.png"))
    assert not page.outside, f"the app tried to reach the internet: {page.outside}"
