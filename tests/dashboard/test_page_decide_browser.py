"""Group decisions and liaison in a real headless Chromium: an expert joins a session on a
phone-sized screen and votes while the wall shows the progress, then the result; a fire
liaison officer acknowledges a task and the command screen shows it acknowledged."""

from __future__ import annotations

import re

import pytest
from browser_kit import PASSWORD, chromium, fits, keep_screenshot, log_in, serving

from command.app import access, decision, incidents

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WALL = {"width": 1920, "height": 1080}


def test_an_expert_votes_on_a_phone_and_the_wall_shows_progress_then_the_result(
        ezhou_store, ezhou_dataset, people, tmp_path):
    settings, engine = ezhou_store
    access.add_user(engine, name="expert1", role="expert", password=PASSWORD, actor="test",
                    display_name="李专家", dataset=ezhou_dataset)
    rec = decision.create_session(engine, question="撤离半径取多少？", method="majority",
                                  options=["500 米", "1000 米", "2000 米"], chair="zhang")
    decision.open_session(engine, rec.session_id, "zhang")
    with serving(settings) as url, chromium() as browser:
        wall = browser.new_context(viewport=WALL).new_page()
        log_in(wall, url + "decision-screen", "wall")
        wall.wait_for_selector("#dwall-voted", timeout=30_000)
        assert wall.inner_text("#dwall-question") == "撤离半径取多少？"
        assert wall.inner_text("#dwall-voted") == "0"
        assert rec.code in wall.inner_text(".dwall-code")

        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        log_in(phone, url + "vote", "expert1")
        phone.wait_for_selector("#vote-code", timeout=30_000)
        phone.fill("#vote-code", "000000" if rec.code != "000000" else "111111")
        phone.click("#vote-join")  # a wrong code: a clear error, nothing joined
        phone.wait_for_selector("#vote-joined .error, #vote-joined", timeout=10_000)
        phone.wait_for_function(
            "document.querySelector('#vote-joined').innerText.includes('code')", timeout=10_000)
        phone.fill("#vote-code", rec.code)
        phone.click("#vote-join")
        phone.wait_for_selector("#vote-question", timeout=20_000)
        phone.get_by_label("1000 米").check()
        phone.click("#vote-submit")
        phone.wait_for_function(
            "document.querySelector('#vote-message').innerText.includes('已记录')",
            timeout=20_000)
        size = fits(phone)
        assert size["docW"] <= size["vw"]  # no sideways scrolling on a phone
        shot = tmp_path / "vote-phone.png"
        phone.screenshot(path=str(shot))
        keep_screenshot(shot)

        wall.wait_for_function("document.querySelector('#dwall-voted').innerText === '1'",
                               timeout=20_000)
        decision.close_session(engine, rec.session_id, "zhang")
        wall.wait_for_selector("#result-head", timeout=20_000)
        assert wall.inner_text("#result-head") == "结论：1000 米"
        size = fits(wall)
        assert size["docH"] <= size["vh"] and size["docW"] <= size["vw"]
        shot = tmp_path / "decision-wall.png"
        wall.screenshot(path=str(shot))
        keep_screenshot(shot)
        # the phone shows the result once the session closes
        phone.wait_for_selector("#result-head", timeout=20_000)
        assert phone.inner_text("#result-head") == "结论：1000 米"


def test_a_fire_liaison_acknowledges_and_the_screen_shows_it(ezhou_store, ezhou_dataset,
                                                             ezhou_network, people, tmp_path):
    settings, engine = ezhou_store
    access.add_user(engine, name="fire1", role="liaison", password=PASSWORD, actor="test",
                    display_name="消防联络员", agency="fire", dataset=ezhou_dataset)
    _inc, plan_id, _rec = incidents.create_and_recommend(
        engine, ezhou_network, ezhou_dataset, incident_type="fire", lat=30.39, lon=114.89,
        actor="wangwei", limit=3, max_snap_distance_m=2000)
    incidents.decide(engine, plan_id, "approve", "wangwei")
    with serving(settings) as url, chromium() as browser:
        screen = browser.new_context(viewport=WALL).new_page()
        log_in(screen, url, "wangwei")
        screen.wait_for_selector("#screen-liaison .liaison-row", timeout=30_000)
        assert re.search(r"执行调度方案 \d+", screen.inner_text("#screen-liaison"))
        assert "消防救援支队" in screen.inner_text("#screen-liaison")

        officer = browser.new_context(viewport={"width": 1600, "height": 900}).new_page()
        log_in(officer, url + "liaison", "fire1")
        officer.wait_for_selector("#li-tasks", timeout=30_000)
        assert "待确认" in officer.inner_text("#li-tasks")
        officer.locator("#li-tasks button", has_text="确认接收").first.click()
        officer.wait_for_function(
            "document.querySelector('#li-tasks').innerText.includes('已确认')", timeout=20_000)
        assert "确认接收" in officer.inner_text("#li-message")  # done: the step, by name
        shot = tmp_path / "liaison-fire.png"
        officer.screenshot(path=str(shot))
        keep_screenshot(shot)

        # the command screen: fire's task (the plan's only one) is no longer unacknowledged
        screen.wait_for_function(
            "document.querySelector('#screen-liaison').innerText.includes('全部已确认')",
            timeout=20_000)
        assert "消防救援支队" not in screen.inner_text("#screen-liaison")
        shot = tmp_path / "screen-liaison.png"
        screen.screenshot(path=str(shot))
        keep_screenshot(shot)
        size = fits(screen)
        assert size["docH"] <= size["vh"]
