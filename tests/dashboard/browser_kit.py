"""What the browser tests share: the dashboard served as ``python -m command serve`` on
a free port over the test's store, Debian's headless Chromium, the no-scroll check and
keeping screenshots (copied to ``SCREENSHOT_DIR`` when set)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(settings) -> dict:
    """The environment of a command run against the test's data and store."""
    env = {**os.environ, "CC_DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.db_url}
    env.pop("CC_LANGUAGE", None)
    return env


@contextmanager
def serving(settings, port: int | None = None):
    """``python -m command serve`` over the test's store; yields the URL."""
    port = port or free_port()
    env = {**server_env(settings), "CC_PORT": str(port)}
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
        if os.environ.get("CI"):  # .ci/run installs it: its absence there is a failure
            pytest.fail(f"Debian's chromium is not at {CHROMIUM}")
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


#: The password of every test user (see the ``people`` fixture in conftest.py).
PASSWORD = "test-password-9f3"
#: Test users by role: name -> (role, display name, scope).
PEOPLE = {
    "wangwei": ("duty_officer", "王伟", {}),
    "zhang": ("commander", "张指挥", {}),
    "planner1": ("planner", "李规划", {}),
    "wall": ("wall", "大屏", {}),
    "admin1": ("admin", "管理员", {}),
    "zhao": ("enterprise", "赵安全", {"enterprise": "N05"}),
    "staff1": ("staff", "钱值守", {}),
}


def log_in(page, url: str, name: str, password: str = PASSWORD, *, expect_ok: bool = True):
    """Log in through the log-in page as a person would; lands on ``url``."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    page.goto(f"{parts.scheme}://{parts.netloc}/login")
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("#login-submit")
    if expect_ok:
        page.wait_for_url(lambda u: "/login" not in u, timeout=30_000)
        if (parts.path or "/") != "/" or parts.query:
            page.goto(url)
