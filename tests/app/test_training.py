"""Training use cases (command/app/training.py) on the Ezhou store: a quiz started for a
user from a recorded seed, submitted, scored, stored and audited; a user's past scores;
every refusal names its field and value and writes nothing. The clock is pinned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from command import store
from command.app import access
from command.app import training as tr
from command.errors import DataError
from command.risk.cases import draw_quiz

T0 = datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC)  # 00:00:20 on 4 December in Beijing
PASSWORD = "a-good-password-1"


@pytest.fixture
def site(ezhou_store):
    settings, engine = ezhou_store
    for name, role in (("wang", "staff"), ("li", "grid_member")):
        access.add_user(engine, name=name, role=role, password=PASSWORD, actor="test",
                        now=T0 - timedelta(days=1),
                        **({"grid": "GC-EZ"} if role == "grid_member" else {}))
    return settings.resources_dir, engine


def _mark(engine) -> tuple[int, int]:
    with store.session_scope(engine, read_only=True) as s:
        return store.last_change_id(s), store.table_counts(s)["quiz_attempts"]


def _refused(engine, call, field, value) -> DataError:
    before = _mark(engine)
    with pytest.raises(DataError) as err:
        call()
    assert f"field '{field}' (value {value!r})" in str(err.value), str(err.value)
    assert _mark(engine) == before
    return err.value


def test_a_quiz_is_started_from_its_seed_submitted_scored_and_audited(site):
    folder, engine = site
    bank = tr.questions(folder)
    quiz = tr.start_quiz(engine, folder, "wang", seed=12, now=T0)
    ids = draw_quiz(bank, tr.QUIZ_LENGTH, 12)
    assert quiz.attempt.seed == 12 and quiz.attempt.question_ids == ids
    assert tuple(q.id for q in quiz.questions) == ids and quiz.attempt.total == 5
    assert quiz.attempt.started_at == T0 and quiz.attempt.finished_at is None
    with store.session_scope(engine, read_only=True) as s:
        started = store.list_audit(s, limit=1)[0]
    assert (started.actor, started.action, started.subject) == (
        "wang", "quiz.started", f"quiz:{quiz.attempt.attempt_id}")
    assert started.payload == {"seed": 12, "question_ids": list(ids)}

    # two right, one wrong, two not answered
    right = {q.id: q.answer for q in quiz.questions}
    wrong = next(x for x in "ABC" if x != quiz.questions[2].answer)
    answers = {ids[0]: right[ids[0]], ids[1]: right[ids[1]], ids[2]: wrong}
    scored = tr.submit_quiz(engine, folder, quiz.attempt.attempt_id, "wang", answers,
                            now=T0 + timedelta(minutes=4))
    assert (scored.result.score, scored.result.total) == (2, 5)
    assert [i.correct for i in scored.result.items] == [True, True, False, False, False]
    assert scored.attempt.answers == {**answers, ids[3]: None, ids[4]: None}
    assert scored.attempt.score == 2 and scored.attempt.finished_at == T0 + timedelta(minutes=4)
    with store.session_scope(engine, read_only=True) as s:
        finished = store.list_audit(s, limit=1)[0]
        assert store.verify_audit(s) == (True, None)
    assert (finished.actor, finished.action) == ("wang", "quiz.finished")
    assert finished.payload["score"] == 2 and finished.payload["total"] == 5

    # kept per user, newest first; someone else's list is theirs
    again = tr.start_quiz(engine, folder, "wang", seed=13, now=T0 + timedelta(hours=1))
    tr.submit_quiz(engine, folder, again.attempt.attempt_id, "wang",
                   {q.id: q.answer for q in again.questions}, now=T0 + timedelta(hours=1, minutes=3))
    mine = tr.past_scores(engine, "wang")
    assert [(a.attempt_id, a.score, a.seed) for a in mine] == [
        (again.attempt.attempt_id, 5, 13), (quiz.attempt.attempt_id, 2, 12)]
    assert tr.past_scores(engine, "li") == []


def test_a_quiz_without_a_seed_records_the_one_it_drew_with(site):
    folder, engine = site
    quiz = tr.start_quiz(engine, folder, "li", now=T0)
    assert 0 <= quiz.attempt.seed < 2**31
    assert quiz.attempt.question_ids == draw_quiz(tr.questions(folder), 5, quiz.attempt.seed)


def test_refusals_name_the_field_and_value_and_write_nothing(site):
    folder, engine = site
    _refused(engine, lambda: tr.start_quiz(engine, folder, "nobody", seed=1, now=T0),
             "user", "nobody")
    _refused(engine, lambda: tr.start_quiz(engine, folder, "wang", k=99, seed=1, now=T0),
             "k", 99)
    quiz = tr.start_quiz(engine, folder, "wang", seed=1, now=T0)
    attempt = quiz.attempt.attempt_id
    first = quiz.attempt.question_ids[0]
    _refused(engine, lambda: tr.submit_quiz(engine, folder, 999, "wang", {}, now=T0),
             "attempt", 999)
    err = _refused(engine, lambda: tr.submit_quiz(engine, folder, attempt, "li", {}, now=T0),
                   "attempt", attempt)
    assert "belongs to another user" in str(err)
    _refused(engine, lambda: tr.submit_quiz(engine, folder, attempt, "wang", {first: "Z"},
                                            now=T0), f"answers.{first}", "Z")
    _refused(engine, lambda: tr.submit_quiz(engine, folder, attempt, "wang", {"Q99": "A"},
                                            now=T0), "answers", "Q99")
    tr.submit_quiz(engine, folder, attempt, "wang", {}, now=T0 + timedelta(minutes=1))
    err = _refused(engine, lambda: tr.submit_quiz(engine, folder, attempt, "wang", {}, now=T0),
                   "attempt", attempt)
    assert "submitted already" in str(err)
    assert [a.score for a in tr.past_scores(engine, "wang")] == [0]


def test_cases_are_searched_and_found_by_id(site):
    folder, _engine = site
    assert [h.case.id for h in tr.search(folder, "硝化废料")][:1] == ["xiangshui-2019"]
    assert len(tr.search(folder, None)) == len(tr.cases(folder))
    assert tr.get_case(folder, "shiyan-2021").casualties.deaths == 26
    with pytest.raises(DataError) as err:
        tr.get_case(folder, "atlantis-1900")
    assert "field 'case' (value 'atlantis-1900')" in str(err.value)
