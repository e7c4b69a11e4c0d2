"""The pure liaison rules: the task lifecycle by side and agency, mutual aid, a plan's
tasks by agency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from command.errors import DataError
from command.liaison import aid, tasks

NOW = datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC)


def _task(state, action, side="agency", agency="fire", **kw):
    return tasks.advance(state, action, side=side, task_agency="fire", actor_agency=agency,
                         now=NOW, **kw)


def test_a_task_from_issue_to_done():
    assert _task(None, "issue", side="centre", agency=None).to == "issued"
    assert _task("issued", "acknowledge").to == "acknowledged"
    step = _task("acknowledged", "report", note="两车到场", progress_pct=40)
    assert (step.to, step.progress_pct, step.note) == ("in_progress", 40, "两车到场")
    assert _task("in_progress", "report", note="明火扑灭", progress_pct=90).to == "in_progress"
    assert _task("in_progress", "complete").progress_pct == 100
    assert _task("issued", "cancel", side="centre", agency=None).to == "cancelled"


def test_only_the_tasks_agency_acknowledges():
    with pytest.raises(DataError) as exc:
        _task("issued", "acknowledge", agency="police")
    assert exc.value.problems[0].field == "agency" and exc.value.problems[0].value == "police"
    with pytest.raises(DataError, match="not yours"):
        _task("issued", "acknowledge", side="centre", agency=None)
    with pytest.raises(DataError, match="not yours"):
        _task("issued", "cancel")


def test_illegal_steps_and_bad_reports():
    for state, action in (("issued", "report"), ("done", "acknowledge"),
                          ("cancelled", "complete"), ("acknowledged", "acknowledge")):
        with pytest.raises(DataError, match="not allowed"):
            _task(state, action)
    with pytest.raises(DataError) as exc:
        _task("acknowledged", "report", note="x", progress_pct=100)
    assert exc.value.problems[0].field == "progress_pct"
    with pytest.raises(DataError, match="note"):
        _task("acknowledged", "report", note=" ", progress_pct=10)


def test_age():
    assert tasks.age_s(NOW - timedelta(minutes=3), NOW) == 180.0
    with pytest.raises(ValueError):
        tasks.age_s(datetime(2026, 1, 1), NOW)


def test_plan_tasks_split_by_agency():
    got = tasks.plan_tasks(
        [{"unit_id": "F1", "incident_id": "I1", "capability": "engine", "eta_s": 300.0},
         {"unit_id": "A1", "incident_id": "I1", "capability": "ambulance", "eta_s": 420.0},
         {"unit_id": "F2", "incident_id": "I1", "capability": "ladder", "eta_s": 500.0},
         {"unit_id": "gone", "incident_id": "I1"}],
        {"F1": "fire", "F2": "fire", "A1": "ems"})
    assert list(got) == ["fire", "ems"]
    assert [a["unit_id"] for a in got["fire"]] == ["F1", "F2"]
    assert got["ems"][0] == {"unit_id": "A1", "incident_id": "I1", "capability": "ambulance",
                             "eta_s": 420.0}


def _aid(state, action, actor, **kw):
    return aid.advance(state, action, from_agency="fire", to_agency="police",
                       actor_agency=actor, now=NOW, **kw)


def test_mutual_aid_lifecycle():
    assert _aid(None, "request", "fire", note="封控两个路口").to == "requested"
    assert _aid("requested", "accept", "police").to == "accepted"
    assert _aid("accepted", "depart", "police").to == "en_route"
    assert _aid("en_route", "arrive", "police").to == "done"
    assert _aid("requested", "decline", "police").to == "declined"
    assert _aid("requested", "accept", None).to == "accepted"  # the centre, by phone


def test_mutual_aid_refusals():
    with pytest.raises(DataError, match="other agency"):
        _aid("requested", "accept", "fire")
    with pytest.raises(DataError, match="not allowed"):
        _aid("declined", "accept", "police")
    with pytest.raises(DataError, match="Say what"):
        _aid(None, "request", "fire", note="")
    with pytest.raises(DataError, match="itself"):
        aid.advance(None, "request", from_agency="fire", to_agency="fire",
                    actor_agency="fire", note="x", now=NOW)
