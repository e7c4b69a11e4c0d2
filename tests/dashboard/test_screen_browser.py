"""The command screen in a real headless Chromium (Debian's package)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(ezhou_store):
    settings, _engine = ezhou_store
    port = _free_port()
    env = {**os.environ, "CC_DATA_DIR": str(settings.data_dir),
           "DATABASE_URL": settings.db_url, "CC_PORT": str(port)}
    env.pop("CC_LANGUAGE", None)
    proc = subprocess.Popen([sys.executable, "-m", "command", "serve"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server stopped: {proc.stdout.read()}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("the server did not answer within 60 s")
    yield url, settings
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _no_scroll(page) -> dict:
    return page.evaluate("""() => ({
        docH: document.documentElement.scrollHeight, docW: document.documentElement.scrollWidth,
        vh: window.innerHeight, vw: window.innerWidth})""")


def test_create_incident_and_see_recommendation(server, browser, tmp_path):
    url, _settings = server
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(url)
    page.wait_for_selector("#screen-map .main-svg", timeout=30_000)
    assert "应急指挥" in page.inner_text("header")
    # a click on the map picks a place: the form's coordinates fill in
    box = page.locator("#screen-map .nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    page.wait_for_function("document.querySelector('#inc-lat').value !== ''", timeout=10_000)
    lat = float(page.input_value("#inc-lat"))
    assert 29.9 < lat < 30.7
    # then a known place by the form: central 鄂城
    page.fill("#inc-lat", "30.39")
    page.press("#inc-lat", "Tab")
    page.fill("#inc-lon", "114.89")
    page.press("#inc-lon", "Tab")
    page.click("#inc-create")
    page.wait_for_selector("#rec-rows tbody tr", timeout=20_000)
    rows = page.locator("#rec-rows tbody tr")
    assert rows.count() >= 3
    assert "分钟" in rows.first.inner_text()
    summary = page.inner_text("#rec-summary")
    assert "已创建" in summary
    page.wait_for_timeout(500)
    shot = tmp_path / "screen-1920.png"
    page.screenshot(path=str(shot))
    dims = _no_scroll(page)
    assert dims["docH"] <= dims["vh"] and dims["docW"] <= dims["vw"], dims
    if os.environ.get("SCREENSHOT_DIR"):
        shutil.copy(shot, Path(os.environ["SCREENSHOT_DIR"]) / shot.name)


def test_english_on_demand(server, browser):
    url, _settings = server
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(url + "?lang=en")
    page.wait_for_selector("#screen-map .main-svg", timeout=30_000)
    assert "Emergency Command" in page.inner_text("header")
    assert "Create incident" in page.inner_text("#inc-create")
