"""The drills page in a real headless Chromium: define two variants, run, compare."""

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


def _pick(page, dropdown_id: str, text: str) -> None:
    page.click(f"#{dropdown_id}")
    page.get_by_role("option", name=text).first.click()


def test_two_variants_run_and_compare(server, browser, tmp_path):
    page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    log_in(page, server + "drills", "planner1")
    page.wait_for_selector("#drill-banner", timeout=30_000)
    assert "演练" in page.inner_text("#drill-banner")
    assert "演练推演" in page.inner_text("header")
    # variant 1: without the first fire station; variant 2: two more ambulances there
    page.fill("#drill-vname", "撤站")
    page.click("#drill-new")
    page.click("#drill-base")
    page.get_by_role("option").first.click()
    page.click("#drill-add")
    page.wait_for_function(
        "(document.querySelectorAll('#drill-variant-list li')[1] || {innerText: ''})"
        ".innerText.includes('撤除')", timeout=10_000)
    page.fill("#drill-vname", "增车")
    page.click("#drill-new")
    _pick(page, "drill-kind", "增加力量")
    page.click("#drill-add")
    page.wait_for_function(
        "(document.querySelectorAll('#drill-variant-list li')[2] || {innerText: ''})"
        ".innerText.includes('增加 1 个')", timeout=10_000)
    assert page.locator("#drill-variant-list li").count() == 3
    page.fill("#drill-reps", "2")
    page.press("#drill-reps", "Tab")
    page.click("#drill-run")
    page.wait_for_selector("#drill-compare-rows tbody tr", timeout=120_000)
    head = page.locator("#drill-compare-rows thead th").all_inner_texts()
    assert head[1:] == ["现状方案", "撤站", "增车"]
    assert page.locator("#drill-dist .boxlayer .trace").count() == 3
    assert page.locator("#drill-html").is_enabled()
    for width, height in ((1920, 1080), (3840, 2160)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(4500)
        shot = tmp_path / f"drills-{width}.png"
        page.screenshot(path=str(shot))
        dims = fits(page)
        assert dims["docH"] <= dims["vh"] and dims["docW"] <= dims["vw"], (width, dims)
        keep_screenshot(shot)
