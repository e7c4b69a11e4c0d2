"""The material reserves page in a real headless Chromium (Debian's package).

The server runs as ``python -m command serve`` on its own port; an incident is created
through the store (as another screen or the command line would) and the page shows its
allocation plan without a reload.
"""

from __future__ import annotations

import pytest
from browser_kit import chromium, fits, keep_screenshot, log_in, serving

from command import store
from command.model import Incident

pytestmark = pytest.mark.browser


@pytest.fixture
def server(ezhou_store, people):
    settings, engine = ezhou_store
    with serving(settings) as url:
        yield url, engine


@pytest.fixture
def browser():
    with chromium() as b:
        yield b


def test_plan_of_an_incident_created_in_the_store(server, browser, tmp_path):
    url, engine = server
    page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    log_in(page, url + "materials", "zhang")
    page.wait_for_selector("#mat-map .main-svg", timeout=30_000)
    page.wait_for_function(
        "document.querySelector('#mat-status').innerText.includes('当前没有事件')",
        timeout=30_000)
    assert "物资储备" in page.inner_text("header")
    assert page.locator("#mat-stock-rows tbody tr").count() == 20  # every item is held
    with store.session_scope(engine) as s:
        incident_id = store.create_incident(
            s, Incident("", "hazmat_leak", 30.39, 114.89, 1, 2), actor="browser-test")
    page.wait_for_selector("#mat-plan-rows tbody tr", timeout=30_000)
    first = page.locator("#mat-plan-rows tbody tr").first.inner_text()
    assert "危化品泄漏" in first and incident_id in first and "分钟" in first
    assert "第" in page.inner_text("#mat-status")
    # the stock table shows what the plan ships
    page.wait_for_function(
        "[...document.querySelectorAll('#mat-stock-rows td.eta')].some(td => td.innerText)",
        timeout=10_000)
    page.wait_for_timeout(800)
    for width, height in ((1920, 1080), (3840, 2160)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(4500)  # the wall's scale is read every 1.5 s
        shot = tmp_path / f"materials-{width}.png"
        page.screenshot(path=str(shot))
        dims = fits(page)
        assert dims["docH"] <= dims["vh"] and dims["docW"] <= dims["vw"], (width, dims)
        keep_screenshot(shot)


def test_english_on_demand(server, browser):
    url, _engine = server
    page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    log_in(page, url + "materials?lang=en", "zhang")
    page.wait_for_selector("#mat-map .main-svg", timeout=30_000)
    page.wait_for_function(
        "document.querySelector('#mat-status').innerText.includes('No open incident')",
        timeout=30_000)
    assert "Material reserves" in page.inner_text("header")
    assert "Allocation plan" in page.inner_text(".pg-materials")
