"""Plans as data: exact JSON round trip and the commander's decisions."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from command.dispatch.assign import AssignmentProblem, assign
from command.dispatch.plan import Explanation, Plan, apply_decision, plan_from_assignment
from command.errors import DataError

CREATED = datetime(2025, 3, 1, 8, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))

# A is 1 min from I1 and 2 min from I2; B 3 and 15 min; C (engine) 5 and 2.5 min;
# M (ambulance) 4 min from I1 and unreachable from I2. I1 needs an engine and an
# ambulance, I2 an engine and an ambulance (so I2 is short of one), both priority 1.
PROBLEM = AssignmentProblem(
    unit_ids=("A", "B", "C", "M"), unit_capability=("engine", "engine", "engine", "ambulance"),
    incident_ids=("I1", "I2"), incident_priority=(1, 1),
    demand={(0, "engine"): 1, (0, "ambulance"): 1, (1, "engine"): 1, (1, "ambulance"): 1},
    eta_s=np.array([[60.0, 120.0], [180.0, 900.0], [300.0, 150.0], [240.0, np.inf]]),
    aid_unit_ids=("X9",), aid_capability=("ambulance",), aid_eta_s=np.array([[1500.0, 1100.5]]))


@pytest.fixture(scope="module")
def proposed() -> Plan:
    return plan_from_assignment(PROBLEM, assign(PROBLEM, time_limit_s=5.0, workers=1),
                                created_at=CREATED)


def units(plan: Plan) -> dict[str, str]:
    return {a.unit_id: a.incident_id for a in plan.assignments}


def test_the_proposal(proposed):
    # A -> I1 with M; C -> I2 (A -> I2 would leave I1 to B at 3 min).
    assert units(proposed) == {"A": "I1", "M": "I1", "C": "I2"}
    assert proposed.status == "proposed" and proposed.solver_status == "OPTIMAL"
    (s,) = proposed.shortfalls
    assert (s.incident_id, s.capability, s.missing, s.aid_options) == (
        "I2", "ambulance", 1, (("X9", 1100.5),))
    assert proposed.explanations[0].subject == "plan"
    assert proposed.explanations[0].text_en.startswith(
        "3 units to 2 incidents; 1 demanded units cannot be sent; solver status OPTIMAL")
    assert proposed.explanations[1] == Explanation("I2", s.reason_zh, s.reason_en)
    # I1: 8 * (60 + 240); I2: 8 * (150 + H), H = 900 + 1 (incomplete)
    assert proposed.objective["objective_s"] == 8 * 300 + 8 * (150 + 901)


def test_round_trip_through_json_is_exact(proposed):
    plan = Plan(**{**proposed.__dict__, "plan_id": 17,
                   "allocations": ({"item": "tent", "quantity": 40, "from": "D1"},),
                   "moves": ({"unit_id": "B", "to": "post-3", "minutes": 6.5},)})
    data = json.loads(json.dumps(plan.to_dict(), ensure_ascii=False))
    back = Plan.from_dict(data)
    assert back == plan
    assert back.created_at == CREATED and back.created_at.utcoffset() == timedelta(hours=8)
    assert back.to_dict() == plan.to_dict()
    assert data["assignments"][0].keys() >= {"unit_id", "incident_id", "eta_s",
                                              "next_best_unit_id", "reason_zh", "reason_en"}


def test_from_dict_names_what_is_missing(proposed):
    data = proposed.to_dict()
    del data["solver_status"]
    with pytest.raises(DataError, match="solver_status"):
        Plan.from_dict(data)
    with pytest.raises(DataError, match="created_at"):
        Plan.from_dict({**proposed.to_dict(), "created_at": "yesterday"})


def test_approve_and_reject_keep_the_assignments(proposed):
    approved = apply_decision(proposed, "approve")
    assert approved.status == "approved" and approved.assignments == proposed.assignments
    assert apply_decision(proposed, "reject").status == "rejected"
    with pytest.raises(DataError, match="approved already"):
        apply_decision(approved, "reject")
    with pytest.raises(DataError, match="only for a modification"):
        apply_decision(proposed, "approve", {"remove": ["A"]})
    with pytest.raises(DataError, match="decision"):
        apply_decision(proposed, "postpone")


def test_swap_recomputes_eta_reason_next_best_and_objective(proposed):
    plan = apply_decision(proposed, "modify", {"replace": {"C": "B"}}, problem=PROBLEM)
    assert plan.status == "modified" and plan.changes == {"replace": {"C": "B"}}
    assert units(plan) == {"A": "I1", "M": "I1", "B": "I2"}
    b = next(a for a in plan.assignments if a.unit_id == "B")
    assert b.eta_s == 900.0 and (b.next_best_unit_id, b.next_best_eta_s) == ("C", 150.0)
    assert b.reason_en.startswith("Commander's change (replaces C): ")
    assert b.reason_zh.startswith("指挥员改派（替换 C）：")
    a = next(x for x in plan.assignments if x.unit_id == "A")
    assert a.next_best_unit_id == "C"  # C is idle now, B is not
    assert plan.objective["objective_s"] == 8 * 300 + 8 * (900 + 901)
    # the proposal is unchanged
    assert units(proposed) == {"A": "I1", "M": "I1", "C": "I2"}
    assert Plan.from_dict(json.loads(json.dumps(plan.to_dict()))) == plan


def test_swap_must_keep_the_capability(proposed):
    with pytest.raises(DataError) as err:
        apply_decision(proposed, "modify", {"replace": {"C": "M"}}, problem=PROBLEM)
    assert "replace['C']" in str(err.value) and "keeps the capability" in str(err.value)


def test_a_unit_is_used_once(proposed):
    with pytest.raises(DataError) as err:
        apply_decision(proposed, "modify", {"replace": {"C": "A"}}, problem=PROBLEM)
    assert "already goes to I1" in str(err.value)
    with pytest.raises(DataError, match="used once"):
        apply_decision(proposed, "modify", {"add": [{"unit_id": "M", "incident_id": "I2"}]},
                       problem=PROBLEM)


def test_refused_changes_are_all_named(proposed):
    with pytest.raises(DataError) as err:
        apply_decision(proposed, "modify", {"replace": {"Z": "B", "C": "NOPE"},
                                            "remove": ["Q"]}, problem=PROBLEM)
    assert len(err.value.problems) == 3


def test_remove_and_add(proposed):
    plan = apply_decision(proposed, "modify",
                          {"remove": ["C"], "add": [{"unit_id": "B", "incident_id": "I1"}]},
                          problem=PROBLEM)
    assert units(plan) == {"A": "I1", "M": "I1", "B": "I1"}
    b = next(a for a in plan.assignments if a.unit_id == "B")
    assert b.reason_en.startswith("Added by the commander: ")
    assert {(s.incident_id, s.capability, s.missing) for s in plan.shortfalls} == {
        ("I2", "engine", 1), ("I2", "ambulance", 1)}
    with pytest.raises(DataError, match="cannot reach I2"):
        apply_decision(proposed, "modify", {"remove": ["M"], "add": [
            {"unit_id": "M", "incident_id": "I2"}]}, problem=PROBLEM)


def test_modify_needs_changes_and_the_problem(proposed):
    with pytest.raises(DataError, match="needs changes"):
        apply_decision(proposed, "modify", {}, problem=PROBLEM)
    with pytest.raises(DataError, match="problem"):
        apply_decision(proposed, "modify", {"remove": ["A"]})
    with pytest.raises(DataError, match="replace, remove, add"):
        apply_decision(proposed, "modify", {"swap": {"A": "B"}}, problem=PROBLEM)
