"""The risk-control pages as plain functions: the board's columns, a hazard's detail and
its step form, the report form, the inbox, the grid page, and the evidence route (served
to who sees the hazard only)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
import time_machine

from command.app import access, notify
from command.app import hazards as hz
from command.i18n import t
from dashboard.views import hazards as views

T0 = datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC)  # 00:00:20 on 4 December in Beijing
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40)
PASSWORD = "a-good-password-1"


@pytest.fixture
def site(ctx):
    users = {n: access.add_user(ctx.engine, name=n, role=r, password=PASSWORD, actor="test",
                                **s)
             for n, r, s in (("gm", "grid_member", {"grid": "GT-fenghuang"}),
                             ("gm2", "grid_member", {"grid": "GT-gulou"}),
                             ("staff", "staff", {}), ("boss", "commander", {}))}
    with time_machine.travel(T0, tick=False):
        out = hz.report_hazard(ctx.engine, ctx.settings, user=users["gm"],
                               grid_id="GM-fenghuang-01", kind="gas", description="阀门漏气",
                               evidence=[hz.Upload("a.jpg", JPEG)])
    return users, out["hazard_id"]


def test_board_columns_follow_the_loop_and_mark_overdue_cards(ctx, site):
    users, hid = site
    board = hz.board(ctx.engine, user=users["staff"], now=datetime(2026, 12, 6, tzinfo=UTC))
    cols = views.board_columns(board, "zh")
    assert [c["state"] for c in cols][:3] == ["found", "registered", "assessed"]
    assert cols[0]["title"] == "已发现 1"
    (card,) = cols[0]["cards"]
    assert card["overdue"] and card["href"] == f"/hazards?id={hid}&lang=zh"
    assert card["lines"][0] == "燃气安全 · 凤凰街道第1网格"
    assert card["lines"][1] == "期限 12-05 00:00 已逾期"


def test_detail_view_and_the_step_form(ctx, site, page_of, request_as):
    users, hid = site
    d = views.detail_view(hz.detail(ctx.engine, hid, user=users["staff"]), "en")
    assert d["title"] == f"{hid} Found"
    assert d["timeline"][0]["files"][0]["href"].startswith("/evidence/")
    assert [s["value"] for s in d["steps"]] == ["registered", "rejected"]
    page = page_of("hazards")
    with request_as(page.app, "staff", name="staff"):
        html = str(page.layout("zh", id=hid))
    assert "hzd-submit" in html and "阀门漏气" in html
    with request_as(page.app, "grid_member", name="gm2"):
        assert "no hazard of this id that you may see" in str(page.layout("en", id=hid))
    assert page.deadline_text("2026-12-20 18:00") == "2026-12-20T18:00:00+08:00"
    assert page.deadline_text("tomorrow") == "tomorrow"


def test_a_step_from_the_page_and_its_refusal(ctx, site, page_of, request_as):
    users, hid = site
    page = page_of("hazards")
    with time_machine.travel(T0, tick=False):
        line, ok = page.take_step(ctx, users["staff"], hid, "registered",
                                  {"_needs": ()}, "核实属实", None, "zh")
        assert ok and line == f"已完成：{hid} 已发现 → 已登记"
        line, ok = page.take_step(ctx, users["staff"], hid, "assessed",
                                  {"_needs": ("level", "reason"), "level": "major",
                                   "reason": "r"}, "n", None, "en")
        assert ok and line.endswith("Registered → Assessed")
    text = base64.b64encode(b"plain text").decode()
    with time_machine.travel(T0, tick=False):
        line, ok = page.take_step(ctx, users["boss"], hid, "rejected",
                                  {"_needs": ("reason",), "reason": "duplicate"}, "dup",
                                  (f"data:text/plain;base64,{text}", "n.txt"), "en")
    assert not ok and "field 'evidence' (value 'n.txt')" in str(line)


def test_the_report_form_and_the_daily_report(ctx, site, page_of, request_as):
    users, _ = site
    page = page_of("report")
    photo = "data:image/jpeg;base64," + base64.b64encode(JPEG).decode()
    with time_machine.travel(T0, tick=False):
        shown, ok = page.submit_report(ctx, users["gm"], "GM-fenghuang-01", "gas", "再次漏气",
                                       30.3895, 114.9295, (photo, "b.jpg"), "zh")
    assert ok and "HZ-20261204-0002" in str(shown) and "HZ-20261204-0001" in str(shown)
    shown, ok = page.submit_report(ctx, users["gm"], None, "gas", "x", None, None, None, "en")
    assert not ok and "field 'grid_id': required" in str(shown)
    cells = page.my_cells(ctx, users["gm"])
    assert cells and all(c.grid_id.startswith("GM-fenghuang-") for c in cells)
    assert len(page.my_cells(ctx, users["staff"])) == 87
    with request_as(page.app, "grid_member", name="gm"):
        assert "rp-d-submit" in str(page.layout("zh"))
    with request_as(page.app, "staff", name="staff"):
        assert "rp-d-submit" not in str(page.layout("zh"))


def test_the_inbox_lists_and_marks_read(ctx, site, page_of, request_as):
    users, hid = site
    page = page_of("inbox")
    block = page.inbox_block(ctx, users["staff"], "zh")
    assert "未读 1 条" in str(block) and f"/hazards?id={hid}&lang=zh" in str(block)
    (note,) = notify.inbox(ctx.engine, "staff")
    notify.mark_read(ctx.engine, "staff", note["notification_id"])
    assert "未读 0 条" in str(page.inbox_block(ctx, users["staff"], "zh"))
    assert t("inbox.none", "en") in str(page.inbox_block(ctx, users["gm2"], "en"))


def test_the_grid_page_shows_the_day(ctx, site, page_of):
    users, _ = site
    page = page_of("grids")
    # the day's figures are as of now: pinned, the site's hazard is not overdue yet
    with time_machine.travel(T0, tick=False):
        fig, table, status = page.day_block(ctx, users["staff"], "2026-12-04", "town", "zh")
    names = [tr.name for tr in fig.data]
    assert "日报未报" in names and "有逾期隐患" in names
    assert len(table.data) == 24 and status.startswith("有逾期隐患 0 · 日报未报 87")
    fig, table, status = page.day_block(ctx, users["gm"], "2026-12-04", "town", "en")
    assert [r["Grid cell"] for r in table.data] == ["GT-fenghuang"]
    _fig, _table, status = page.day_block(ctx, users["staff"], "Dec 4", "town", "en")
    assert "field 'date' (value 'Dec 4')" in str(status)


def test_evidence_is_served_to_who_sees_the_hazard_only(ctx, site, page_of):
    users, hid = site
    app = page_of("hazards").app
    evidence_id = hz.detail(ctx.engine, hid, user=users["staff"])["timeline"][0][
        "evidence"][0]["evidence_id"]
    anonymous = app.server.test_client().get(f"/evidence/{evidence_id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.location
    for name, status in (("staff", 200), ("gm", 200), ("gm2", 404)):
        client = app.server.test_client()
        assert client.post("/login", data={"name": name, "password": PASSWORD}).status_code == 302
        resp = client.get(f"/evidence/{evidence_id}")
        assert resp.status_code == status, name
        if status == 200:
            assert resp.data == JPEG and resp.mimetype == "image/jpeg"
            assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert client.get("/evidence/9999").status_code == 404
