"""The hazard state machine by hand: every allowed step, and refusals naming the field."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from command.access.roles import ROLES
from command.errors import DataError
from command.hazards.lifecycle import (
    ACTING_ROLES,
    ACTIONS,
    STATES,
    TRANSITIONS,
    advance,
    allowed_next,
    is_overdue,
    rule_for,
)

NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
BEIJING = timezone(timedelta(hours=8))


def good_data(action):
    data = {"note": "checked on site"}
    if action == "assess":
        data |= {"level": "major", "reason": "blocked fire exit in a mall"}
    elif action == "reject":
        data |= {"reason": "duplicate"}
    elif action == "remediate":
        data |= {"deadline": NOW + timedelta(days=7), "responsible": "Wang Wei",
                 "measures": "clear the exit, fine the operator", "budget_yuan": 1500}
    return data


def problem(exc):
    assert len(exc.value.problems) == 1, exc.value.problems
    return exc.value.problems[0]


CASES = [(r, role) for r in TRANSITIONS for role in sorted(r.roles)]


@pytest.mark.parametrize("rule,role", CASES,
                         ids=[f"{r.source}-{r.action}-{role}" for r, role in CASES])
def test_every_allowed_step_by_every_allowed_role(rule, role):
    for name in (rule.action, rule.target):  # by action or by target state
        step = advance(rule.source, name, role=role, data=good_data(rule.action), now=NOW)
        assert (step.from_, step.to, step.action, step.role) == \
            (rule.source, rule.target, rule.action, role)
        assert step.at == NOW and step.data["note"] == "checked on site"


def test_the_whole_loop_and_reopening():
    state = None
    path = ["found", "registered", "assessed", "reported", "monitored", "remediation",
            "verified", "closed", "reopened", "remediation", "verified", "closed"]
    roles = {"found": "grid_member", "assessed": "expert", "verified": "commander"}
    for target in path:
        state = advance(state, target, role=roles.get(target, "staff"),
                        data=good_data(rule_for(state, target).action), now=NOW).to
    assert state == "closed"


def test_checked_data_is_normalised_and_read_only():
    data = good_data("remediate") | {"note": "  go  ",
                                     "deadline": datetime(2026, 12, 10, 8, tzinfo=BEIJING)}
    step = advance("monitored", "remediate", role="commander", data=data,
                   now=NOW.astimezone(BEIJING))
    assert step.data["note"] == "go"
    assert step.data["deadline"] == datetime(2026, 12, 10, 0, tzinfo=UTC)
    assert step.data["deadline"].tzinfo == UTC and step.at.tzinfo == UTC
    assert step.data["budget_yuan"] == 1500.0
    with pytest.raises(TypeError):
        step.data["note"] = "changed"


def test_evidence_is_carried_through():
    step = advance(None, "find", role="enterprise",
                   data={"note": "gas smell", "evidence": "photo.jpg"}, now=NOW)
    assert step.data["evidence"] == "photo.jpg"


@pytest.mark.parametrize("state", ["lost", "", "Closed", 3])
def test_unknown_state(state):
    with pytest.raises(DataError) as exc:
        advance(state, "register", role="staff", data={"note": "x"}, now=NOW)
    p = problem(exc)
    assert (p.field, p.value) == ("state", state)


@pytest.mark.parametrize("state,to", [("found", "closed"), ("closed", "verified"),
                                      ("rejected", "reopened"), (None, "registered"),
                                      ("reported", "reject"), ("found", "fly")])
def test_illegal_transition(state, to):
    with pytest.raises(DataError) as exc:
        advance(state, to, role="commander", data={"note": "x"}, now=NOW)
    p = problem(exc)
    assert (p.field, p.value) == ("to", to)


@pytest.mark.parametrize("state,to,role", [("found", "registered", "grid_member"),
                                           ("verified", "closed", "duty_officer"),
                                           ("registered", "assessed", "commander"),
                                           (None, "found", "wall"),
                                           ("found", "registered", "admin"),
                                           ("found", "registered", "mayor")])
def test_role_that_may_not(state, to, role):
    with pytest.raises(DataError) as exc:
        advance(state, to, role=role, data=good_data(rule_for(state, to).action), now=NOW)
    p = problem(exc)
    assert (p.field, p.value) == ("role", role)


@pytest.mark.parametrize("action,change,field", [
    ("register", {"note": None}, "note"),
    ("register", {"note": "   "}, "note"),
    ("register", {"level": "major"}, "level"),  # not a field of register
    ("assess", {"level": "huge"}, "level"),
    ("assess", {"reason": ""}, "reason"),
    ("reject", {"reason": "boring"}, "reason"),
    ("remediate", {"deadline": NOW - timedelta(minutes=1)}, "deadline"),
    ("remediate", {"deadline": NOW}, "deadline"),
    ("remediate", {"deadline": datetime(2027, 1, 1)}, "deadline"),  # naive
    ("remediate", {"deadline": "2027-01-01T00:00:00"}, "deadline"),  # text without a zone
    ("remediate", {"deadline": "next week"}, "deadline"),
    ("remediate", {"responsible": ""}, "responsible"),
    ("remediate", {"measures": 5}, "measures"),
    ("remediate", {"budget_yuan": -1}, "budget_yuan"),
    ("remediate", {"budget_yuan": True}, "budget_yuan"),
    ("remediate", {"budget_yuan": float("nan")}, "budget_yuan"),
])
def test_bad_data_names_the_field(action, change, field):
    rule = next(r for r in TRANSITIONS if r.action == action)
    data = {k: v for k, v in (good_data(action) | change).items() if v is not None}
    with pytest.raises(DataError) as exc:
        advance(rule.source, action, role=sorted(rule.roles)[0], data=data, now=NOW)
    p = problem(exc)
    assert (p.field, p.value) == (field, change[field])
    assert field in str(exc.value)


def test_all_data_problems_at_once():
    with pytest.raises(DataError) as exc:
        advance("monitored", "remediate", role="staff", data={"budget_yuan": -5}, now=NOW)
    assert {p.field for p in exc.value.problems} == \
        {"note", "deadline", "responsible", "measures", "budget_yuan"}


def test_naive_now_is_refused():
    with pytest.raises(DataError) as exc:
        advance(None, "find", role="staff", data={"note": "x"}, now=datetime(2026, 12, 3))
    assert problem(exc).field == "now"


def test_allowed_next():
    assert [r.target for r in allowed_next("found", "staff")] == ["registered", "rejected"]
    assert [r.target for r in allowed_next("found", "grid_member")] == []
    assert [r.action for r in allowed_next(None, "grid_member")] == ["find"]
    assert [r.target for r in allowed_next("closed", "commander")] == ["reopened"]
    assert allowed_next("rejected", "commander") == ()
    for state in (None, *STATES):
        assert allowed_next(state, "wall") == () and allowed_next(state, "admin") == ()
    with pytest.raises(DataError):
        allowed_next("nowhere", "staff")
    with pytest.raises(DataError):
        allowed_next("found", "nobody")


def test_is_overdue():
    assert is_overdue(NOW - timedelta(seconds=1), NOW)
    assert not is_overdue(NOW, NOW)
    assert not is_overdue(NOW + timedelta(days=1), NOW)
    assert not is_overdue(None, NOW)
    assert is_overdue(datetime(2026, 12, 3, 13, 59, tzinfo=BEIJING), NOW)
    with pytest.raises(DataError) as exc:
        is_overdue(datetime(2026, 12, 1), NOW)
    assert problem(exc).field == "deadline"


def test_table_is_consistent_with_roles_states_and_actions():
    assert set(ACTING_ROLES) == set(ROLES)
    for r in TRANSITIONS:
        assert r.source is None or r.source in STATES
        assert r.target in STATES and r.action in ACTIONS
        assert r.roles and r.roles <= set(ROLES) and "wall" not in r.roles
    # every state is reachable, and only closed / rejected are without a way out
    assert {r.target for r in TRANSITIONS} == set(STATES)
    assert set(STATES) - {r.source for r in TRANSITIONS} == {"rejected"}
    # a step is named by its action or its target, never ambiguously
    keys = [(r.source, r.action) for r in TRANSITIONS] + [(r.source, r.target) for r in TRANSITIONS]
    assert len(keys) == len(set(keys))


def test_a_deadline_typed_as_iso_text_with_its_zone_is_taken():
    data = good_data("remediate") | {"deadline": "2026-12-10T08:00:00+08:00"}
    step = advance("monitored", "remediate", role="commander", data=data, now=NOW)
    assert step.data["deadline"] == datetime(2026, 12, 10, 0, tzinfo=UTC)
