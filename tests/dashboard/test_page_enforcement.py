"""The enforcement page as plain functions on a real store, the clock pinned: list and
lift blacklist entries, the inspectors, a draw with its pairs and the enterprise it could
not staff (and why), the history of draws; bad input named and nothing written; what
each role sees."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from command import store
from command.app import enforcement as enf
from command.i18n import t

NOW = datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC)  # 00:00:20 on 4 December in Beijing


@pytest.fixture
def page(page_of):
    with time_machine.travel(NOW, tick=False):
        yield page_of("enforcement")


def _written(ctx) -> int:
    with store.session_scope(ctx.engine, read_only=True) as s:
        return store.last_change_id(s)


def test_list_then_lift_an_enterprise(ctx, page):
    msg, done = page.add(ctx, "科长", "N05", "瞒报生产安全事故", "2027-12-31", "zh")
    assert done and msg == "企业 N05 已列入黑名单，至 2028-01-01 00:00（北京时间）"
    table = str(page.blacklist_table(ctx, "en", manage=True))
    name = next(e.name_en for e in ctx.dataset.enterprises if e.enterprise_id == "N05")
    assert name in table and "In force" in table and "瞒报生产安全事故" in table
    assert "'enterprise': 'N05'" in table  # its lift button
    assert "enf-lift" not in str(page.blacklist_table(ctx, "en", manage=False))
    msg, done = page.lift(ctx, "科长", "N05", "整改完成，经复查合格", "en")
    assert done and msg == "Enterprise N05 lifted from the blacklist"
    (row,) = enf.list_blacklist(ctx.engine, now=NOW)
    assert (row["state"], row["lifted_by"], row["lift_reason"]) == (
        "lifted", "科长", "整改完成，经复查合格")


def test_bad_blacklist_input_is_named_and_writes_nothing(ctx, page):
    before = _written(ctx)
    msg, done = page.add(ctx, "科长", "N05", "", "next year", "en")
    assert not done and msg.startswith("Not done:")
    assert "field 'reason'" in msg and "field 'until' (value 'next year')" in msg
    msg, done = page.add(ctx, "科长", None, "x", "2027-12-31", "zh")
    assert not done and "field 'enterprise'" in msg
    msg, done = page.lift(ctx, "科长", "N05", "", "en")
    assert not done and "field 'reason'" in msg and "field 'enterprise' (value 'N05')" in msg
    assert _written(ctx) == before
    assert str(page.blacklist_table(ctx, "zh", manage=True)) == str(
        page.html.Div(t("enforcement.blacklist.empty", "zh"), className="empty"))


def test_a_draw_shows_its_pairs_why_one_is_unstaffed_and_the_history(ctx, page):
    assert "尚无抽查记录" in str(page.history(ctx, "zh"))
    everyone = {e.enterprise_id: "former employer" for e in ctx.dataset.enterprises}
    enf.add_inspector(ctx.engine, "I1", name="张伟", agency="ema", actor="t", now=NOW)
    enf.add_inspector(ctx.engine, "I2", name="王芳", agency="fire", actor="t", now=NOW)
    # I3 may inspect nobody: every enterprise has only I1 and I2 left, and needs 3
    enf.add_inspector(ctx.engine, "I3", name="李强", agency="ema", actor="t",
                      exclude=everyone, now=NOW)
    shown, done = page.draw(ctx, "科长", 1, 3, 8, "zh")
    assert done and "未能派员: 无利益冲突的检查人员仅 2 名，少于所需 3 名" in str(shown)
    shown, done = page.draw(ctx, "科长", 2.0, 2, 7, "en")
    assert done
    text = str(shown)
    assert "Drawn: no. 2" in text and "seed 7; 2 enterprises drawn, 2 inspectors each" in text
    assert text.count("I1 (ema), I2 (fire)") == 2
    assert page.views.draw_lines(enf.list_draws(ctx.engine), "en") == [
        "No. 2 · 2026-12-04 00:00 · seed 7 · enterprises: 2 · 科长",
        "No. 1 · 2026-12-04 00:00 · seed 8 · enterprises: 1 · 科长"]
    assert "第 2 次" in str(page.history(ctx, "zh"))

def test_bad_draw_input_is_named_and_writes_nothing(ctx, page):
    enf.add_inspector(ctx.engine, "I1", name="张伟", agency="ema", actor="t", now=NOW)
    before = _written(ctx)
    shown, done = page.draw(ctx, "科长", 0, 2.5, -1, "en")
    text = str(shown)
    assert not done and "field 'enterprises' (value 0)" in text
    assert "field 'inspectors' (value 2.5)" in text and "field 'seed' (value -1)" in text
    assert _written(ctx) == before
    # an empty seed is drawn unpredictably, and recorded with the draw
    shown, done = page.draw(ctx, "科长", 1, 1, None, "en")
    assert done and enf.list_draws(ctx.engine)[0]["seed"] >= 0


def test_what_each_role_sees(ctx, page, request_as):
    with request_as(page.app, "staff"):
        text = str(page.layout("zh"))
    assert "列入黑名单" in text and "enf-run" in text and "执法检查人员" in text
    with request_as(page.app, "admin"):
        text = str(page.layout("en"))
    assert "Blacklist" in text and "Inspectors" in text and "Previous draws" in text
    assert "enf-add" not in text and "enf-run" not in text  # sees, does not act
