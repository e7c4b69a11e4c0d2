"""The case library and quiz pages as plain functions on a real store, and their views:
what a person reads after searching, picking a case, starting and submitting a quiz."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from command.app import access
from command.app import training as tr
from command.i18n import t
from command.risk.cases import score_quiz
from command.store.training import AttemptRecord
from dashboard.views import training as views

PASSWORD = "a-good-password-1"


@pytest.fixture
def pages(page_of):
    return page_of("cases"), page_of("quiz")


def test_searching_and_reading_a_case(ctx, pages, request_as):
    cases, _quiz = pages
    with request_as(cases.app, "grid_member"):
        page = str(cases.layout("en"))
    assert "Search the cases" in page and "9 cases" in page and "case-rows" in page
    table, count = cases.render(ctx, "zh", "燃气爆炸")
    assert count == "共 4 个案例"
    first = table.children[1].children[0]  # the body's first row
    assert first.id == {"type": "case-row", "case": "shiyan-2021"}
    assert first.children[1].children == "湖北十堰张湾区艳湖社区集贸市场\"6·13\"重大燃气爆炸事故"
    empty, count = cases.render(ctx, "en", "typhoon")
    assert empty.children == "No case matches" and count == "0 cases"

    text = str(cases.detail(ctx, "zh", "tianjin-2015"))
    assert "死亡 165 人，失踪 8 人，受伤 798 人" in text
    assert "公开资料：国务院天津港" in text and "危险化学品" in text  # its checklist's name
    assert "危险化学品仓库必须按规定分类" in text  # a lesson
    assert t("incident.hazmat_leak", "zh") in text
    text = str(cases.detail(ctx, "en", "ezhou-fireworks-2023"))
    assert "Illustrative case: made up, for training only" in text and "1 dead, 2 injured" in text
    assert "field 'case' (value 'nope')" in str(cases.detail(ctx, "en", "nope"))


def test_taking_a_quiz_and_seeing_the_answers_and_past_scores(ctx, pages, request_as):
    _cases, quiz = pages
    access.add_user(ctx.engine, name="zhao", role="enterprise", password=PASSWORD, actor="t",
                    enterprise=ctx.dataset.enterprises[0].enterprise_id, dataset=ctx.dataset)
    user = access.User("zhao", "zhao", "enterprise")
    with request_as(quiz.app, "enterprise", "zhao"):
        page = str(quiz.layout("zh"))
    assert "开始测验" in page and "还没有提交过测验" in page
    head, block, attempt_id = quiz.start(ctx, user, "en", seed=4)
    assert head == f"Quiz {attempt_id} (seed 4)" and len(block) == 5
    drawn = tr.questions(ctx.settings.resources_dir)
    ids = [b.children[1].id["q"] for b in block]
    bank = {q.id: q for q in drawn}
    assert block[0].children[0].children == f"1. {bank[ids[0]].text.en}"
    assert [o["value"] for o in block[0].children[1].options] == \
        list("ABCD"[:len(bank[ids[0]].options)])

    answers = {i: bank[i].answer for i in ids[:4]}  # the last one left open
    shown, done = quiz.submit(ctx, user, attempt_id, answers, "en")
    text = str(shown)
    assert done and "Score: 4 of 5" in text and "No answer" in text
    assert "Right answer: " in text and "Source: " in text
    shown, done = quiz.submit(ctx, user, attempt_id, answers, "en")
    assert not done and "Not done:" in str(shown) and "submitted already" in str(shown)
    past = str(quiz.past(ctx, user, "zh"))
    assert "4/5（80%）" in past and "quiz-past-rows" in past


def test_views_say_casualties_results_and_scores_in_each_language(ctx):
    folder = ctx.settings.resources_dir
    eastern = tr.get_case(folder, "eastern-star-2015")
    # the source gives no injured count: none is made up
    assert views.casualty_text(eastern.casualties, "zh") == "死亡 442 人，船上454人，12人获救"
    assert views.casualty_text(eastern.casualties, "en") == "442 dead, 454 aboard; 12 rescued"
    rows = views.case_rows(tr.search(folder, "illustrative"), "en")
    assert [(r["case_id"], r["illustrative"]) for r in rows] == [
        ("ezhou-steel-co-2024", True), ("ezhou-fireworks-2023", True)]
    q = next(q for q in tr.questions(folder) if q.id == "Q01")
    scored = tr.ScoredQuiz(attempt=None, questions=(q,), result=score_quiz(
        [q], ["Q01"], {"Q01": "A"}))
    v = views.result_view(scored, {c.id: c for c in tr.cases(folder)}, "zh")
    assert v["score"] == "得分 0/1"
    assert v["items"][0]["mark"] == "错误"
    assert v["items"][0]["given"] == "你的答案：A. 办公楼电气线路短路"
    assert v["items"][0]["answer"] == "正确答案：B. 集装箱内硝化棉干燥后积热自燃"
    assert v["items"][0]["source"].startswith("出处：案例“天津港")
    attempt = AttemptRecord(7, "zhao", datetime(2026, 12, 3, 16, 0, tzinfo=UTC),
                            datetime(2026, 12, 3, 16, 5, tzinfo=UTC), 4, ("Q01",) * 5, {}, 3, 5)
    assert views.score_rows([attempt], "en") == [
        {"attempt_id": 7, "at": "2026-12-04 00:05", "score": "3 of 5 (60%)", "seed": 4}]
