"""The material reserves page in a real headless Chromium (Debian's package).

The server runs as ``python -m command serve`` on its own port; an incident is created
through the store (as another screen or the command line would) and the page shows its
allocation plan without a reload.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from command import store
from command.model import Incident

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
PORT = 8071

pytestmark = pytest.mark.browser


@contextmanager
def serving(settings, port: int):
    """``python -m command serve`` on ``port`` over the test's store; yields the URL."""
    env = {**os.environ, "CC_DATA_DIR": str(settings.data_dir),
           "DATABASE_URL": settings.db_url, "CC_PORT": str(port)}
    env.pop("CC_LANGUAGE", None)
    proc = subprocess.Popen([sys.executable, "-m", "command", "serve"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the server stopped: {proc.stdout.read()}")
            try:
                urllib.request.urlopen(url, timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("the server did not answer within 60 s")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def fits(page) -> dict:
    """Document and viewport sizes: no scroll bar when the document is not larger."""
    return page.evaluate("""() => ({
        docH: document.documentElement.scrollHeight, docW: document.documentElement.scrollWidth,
        vh: window.innerHeight, vw: window.innerWidth})""")


def keep_screenshot(path: Path) -> None:
    if os.environ.get("SCREENSHOT_DIR"):
        shutil.copy(path, Path(os.environ["SCREENSHOT_DIR"]) / path.name)


@pytest.fixture
def server(ezhou_store):
    settings, engine = ezhou_store
    with serving(settings, PORT) as url:
        yield url, engine


@pytest.fixture
def browser():
    with chromium() as b:
        yield b


def test_plan_of_an_incident_created_in_the_store(server, browser, tmp_path):
    url, engine = server
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(url + "materials")
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
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(url + "materials?lang=en")
    page.wait_for_selector("#mat-map .main-svg", timeout=30_000)
    page.wait_for_function(
        "document.querySelector('#mat-status').innerText.includes('No open incident')",
        timeout=30_000)
    assert "Material reserves" in page.inner_text("header")
    assert "Allocation plan" in page.inner_text(".pg-materials")
