"""The safety quiz in a real headless Chromium: a duty officer starts a quiz, answers its
five questions, sees the score with the right answers, and finds it among past scores."""

from __future__ import annotations

import pytest
from browser_kit import chromium, keep_screenshot, log_in, serving

pytestmark = pytest.mark.browser


def test_take_a_quiz_and_see_the_score(ezhou_store, people, tmp_path):
    settings, _engine = ezhou_store
    with serving(settings) as url, chromium() as browser:
        page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
        log_in(page, url + "quiz", "wangwei")
        page.wait_for_selector("#quiz-start", timeout=30_000)
        page.click("#quiz-start")
        page.wait_for_selector(".quiz-q", timeout=20_000)
        questions = page.locator(".quiz-q")
        assert questions.count() == 5
        for k in range(5):  # the first option of every question
            questions.nth(k).locator("input[type=radio]").first.check()
        page.click("#quiz-submit")
        page.wait_for_selector("#quiz-score", timeout=20_000)
        right = page.locator(".quiz-marks li.ok").count()
        assert page.locator(".quiz-marks li").count() == 5
        assert page.inner_text("#quiz-score") == f"得分 {right}/5"  # marks and score agree
        page.wait_for_selector("#quiz-past-rows tbody tr", timeout=20_000)
        assert page.locator("#quiz-past-rows tbody tr").count() == 1
        shot = tmp_path / "quiz.png"
        page.screenshot(path=str(shot))
        keep_screenshot(shot)
