"""The siting page in a real headless Chromium: a planner runs a 2-site maximal-covering
siting for engines, sees the sites and the newly covered cells, and sends the proposal
to a drill, where the simulator compares it with today's layout."""

from __future__ import annotations

import pytest
from browser_kit import chromium, fits, keep_screenshot, log_in, serving

pytestmark = pytest.mark.browser


@pytest.fixture
def server(ezhou_store, people):
    settings, _engine = ezhou_store
    with serving(settings) as url:
        yield url


@pytest.fixture
def browser():
    with chromium() as b:
        yield b


def test_a_planner_sites_two_engines_and_tries_them_in_a_drill(server, browser, tmp_path):
    page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    log_in(page, server + "planning", "planner1")
    page.wait_for_selector("#plan-run", timeout=30_000)
    assert "选址规划" in page.inner_text("header")
    # the defaults are the journey: maximal covering, engines, keep the existing, p = 2
    assert "最大覆盖" in page.inner_text("#plan-problem")
    assert "消防车" in page.inner_text("#plan-capability")
    assert page.input_value("#plan-p") == "2"
    page.click("#plan-run")
    page.wait_for_selector("#plan-site-rows tr", timeout=60_000)
    assert "已证明最优" in page.inner_text("#plan-status")
    assert page.locator("#plan-site-rows tr").count() == 2
    cover = page.locator("#plan-cover-rows tbody tr")
    assert cover.count() == 4
    newly = int(cover.nth(1).locator("td").last.inner_text())
    assert newly > 0
    # the map: the proposed stars and the newly covered cells as their own layer
    legend = page.locator("#plan-map .legend").text_content()
    assert "推荐新站点" in legend and "新覆盖网格" in legend
    shot = tmp_path / "planning-1920.png"
    page.screenshot(path=str(shot))
    dims = fits(page)
    assert dims["docH"] <= dims["vh"] and dims["docW"] <= dims["vw"], dims
    keep_screenshot(shot)
    # try in a drill: the drills page opens with the baseline and the proposal
    page.click("#plan-try-drill")
    page.wait_for_selector("#drill-banner", timeout=30_000)
    page.wait_for_function(
        "document.querySelectorAll('#drill-variant-list li').length == 2", timeout=10_000)
    second = page.locator("#drill-variant-list li").nth(1).inner_text()
    assert "选址方案" in second and second.count("新增站点") == 2
    page.fill("#drill-reps", "3")
    page.press("#drill-reps", "Tab")
    page.click("#drill-run")
    page.wait_for_selector("#drill-diff-rows tbody tr", timeout=120_000)
    rows = page.locator("#drill-diff-rows tbody tr").all_inner_texts()
    fire = next(r for r in rows if "消防覆盖率" in r)
    assert "[" in fire and "+" in fire  # the paired difference with its interval
