"""The version views in a real browser (the server and Chromium fixtures of tests/test_browser.py,
which refuse every request to another host): 版本变化 shows two documents side by side with the
changes marked, 缺项 lists what 田家庵区 lacks against the other seeds, in Chinese and English.
Screenshots go to ``test-artifacts/``."""
from __future__ import annotations

import pytest

from tests.test_browser import ARTIFACTS, page, server  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_changes_and_gaps_in_chromium(server, page):  # noqa: F811
    page.goto(server + "/changes")
    page.get_by_role("heading", name="版本变化").wait_for()
    panes = page.locator("div.pkb-doc")
    panes.nth(1).wait_for()
    # two different seeds: the old one's duties are all removed, the new one's all added
    assert panes.nth(0).locator("mark.removed").count() > 0
    assert panes.nth(1).locator("mark.added").count() > 0
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / "browser-changes.png"))

    page.goto(server + "/gaps?district=" + "田家庵区")
    page.get_by_role("heading", name="本地区缺少的义务").wait_for()
    page.get_by_text("田家庵区：", exact=False).first.wait_for()
    page.locator("[data-testid=stDataFrame] [role=gridcell]", has_text="/4").first.wait_for(state="attached")
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / "browser-gaps.png"))

    page.goto(server + "/gaps?district=" + "田家庵区" + "&lang=en")
    page.get_by_role("heading", name="Duties a district lacks").wait_for()
    assert not page.outside, f"the app tried to reach the internet: {page.outside}"
