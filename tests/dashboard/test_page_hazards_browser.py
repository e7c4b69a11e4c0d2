"""The hidden-hazard closed loop in a real headless Chromium.

A grid member reports a hazard with a photo on a phone-sized screen; the command centre's
staff member finds it in the inbox, opens it, and takes it through registered, assessed,
reported, monitored, remediation, verified and closed; the board, open in another tab,
shows the card moving from column to column; the photo is served to the staff member and
refused to a grid member of another town.
"""

from __future__ import annotations

import struct
import zlib

import pytest
from browser_kit import chromium, keep_screenshot, log_in, serving

from command.app import access

pytestmark = pytest.mark.browser
PASSWORD = "a-good-password-1"


def tiny_png() -> bytes:
    """A real 8 x 8 orange PNG (a phone photo stand-in)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + b"\xfb\x8c\x00" * 8 for _ in range(8))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _pick(page, dropdown_id: str, text: str) -> None:
    page.click(f"#{dropdown_id}")
    page.get_by_role("option", name=text).first.click()


def _step(page, label: str, **inputs) -> None:
    _pick(page, "hzd-step", label)
    for field, value in inputs.items():
        page.fill(f"#hzd-{field}", value)
    page.fill("#hzd-note", f"{label} 已办")
    page.click("#hzd-submit")
    page.wait_for_selector(f"#hzd-result:has-text('{label.split(' → ')[1]}')",
                           timeout=20_000)


def test_a_hazard_reported_on_a_phone_goes_round_the_loop(ezhou_store, people, tmp_path):
    settings, engine = ezhou_store
    for name, grid in (("gm", "GT-fenghuang"), ("gm2", "GT-gulou")):
        access.add_user(engine, name=name, role="grid_member", password=PASSWORD,
                        actor="test", display_name=f"网格员{name}", grid=grid)
    photo = tmp_path / "valve.png"
    photo.write_bytes(tiny_png())
    with serving(settings) as url, chromium() as browser:
        # --- the grid member, on a phone
        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                    has_touch=True, device_scale_factor=2).new_page()
        log_in(phone, url + "report", "gm", PASSWORD)
        phone.wait_for_selector("#rp-submit", timeout=30_000)
        _pick(phone, "rp-cell", "凤凰街道第1网格 (GM-fenghuang-01)")
        _pick(phone, "rp-kind", "燃气安全")
        phone.fill("#rp-description", "小区燃气阀门锈蚀，有轻微气味")
        phone.set_input_files("#rp-file input[type=file]", str(photo))
        phone.wait_for_selector("#rp-file-label:has-text('valve.png')", timeout=10_000)
        phone.click("#rp-submit")
        phone.wait_for_selector("#rp-done", timeout=20_000)
        done = phone.inner_text("#rp-done")
        hid = done.split("：")[1].split("，")[0]
        assert hid.startswith("HZ-") and done == f"已上报：{hid}，请等待登记"
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the report page is wider than the phone: {width}px"
        shot = tmp_path / "hazard-report-phone.png"
        phone.screenshot(path=str(shot), full_page=True)
        keep_screenshot(shot)

        # --- the command centre: the board in one tab, the inbox in another
        desk = browser.new_context(viewport={"width": 1920, "height": 1080})
        board = desk.new_page()
        log_in(board, url + "hazards", "staff1")
        board.wait_for_selector(f"#hz-col-found #hz-card-{hid}", timeout=30_000)
        page = desk.new_page()
        page.goto(url + "inbox")
        page.wait_for_selector(f".ib-msg:has-text('{hid}')", timeout=30_000)
        assert "请您处理下一步" in page.inner_text(f".ib-msg:has-text('{hid}')")
        page.click(f".ib-msg:has-text('{hid}') a")
        page.wait_for_selector("#hzd-title", timeout=30_000)
        assert page.inner_text("#hzd-title") == f"{hid} 已发现"
        assert "valve.png" in page.inner_text("#hzd-timeline")

        _step(page, "登记 → 已登记")
        _step(page, "评估 → 已评估", reason="阀门老化，位于居民楼内")
        _step(page, "报告上级 → 已报告")
        _step(page, "纳入监控 → 监控中")
        _step(page, "下达整改 → 整改中", deadline="2099-12-31 18:00", responsible="staff1",
              measures="更换阀门", budget="800")
        board.wait_for_selector(f"#hz-col-remediation #hz-card-{hid}", timeout=30_000)
        _step(page, "验收 → 已验收")
        _step(page, "销账 → 已销账")
        assert page.inner_text("#hzd-title") == f"{hid} 已销账"
        timeline = page.inner_text("#hzd-timeline")
        assert timeline.count("钱值守") == 7 and "网格员gm" in timeline
        board.wait_for_selector(f"#hz-col-closed #hz-card-{hid}", timeout=30_000)
        assert board.locator(f"#hz-col-found #hz-card-{hid}").count() == 0
        shot = tmp_path / "hazard-detail.png"
        page.screenshot(path=str(shot))
        keep_screenshot(shot)

        # the photo: to the staff member yes, to a grid member of another town no
        href = page.get_attribute(".hzd-file", "href")
        got = page.request.get(url.rstrip("/") + href)
        assert got.status == 200 and got.body() == photo.read_bytes()
        other = browser.new_context().new_page()
        log_in(other, url + "inbox", "gm2", PASSWORD)
        assert other.request.get(url.rstrip("/") + href).status == 404
        # the reporter heard of every step
        phone.goto(url + "inbox")
        phone.wait_for_selector(".ib-msg", timeout=30_000)
        assert phone.locator(f".ib-msg:has-text('{hid}')").count() == 7
