"""Incidents, plans and unit status: what the duty officer's screen and the CLI call."""

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select

from command.errors import StoreError
from command.model import Incident
from command.store import (
    close_incident,
    create_incident,
    decide_plan,
    first_arrivals,
    get_incident,
    get_plan,
    get_unit,
    last_change_id,
    list_audit,
    list_incidents,
    list_plans,
    list_units,
    save_plan,
    session_scope,
    set_unit_status,
    unit_history,
    verify_audit,
)
from command.store._tables import UnitStatusEventRow

FIRE = Incident("", "fire", 30.391, 114.893, priority=1, grade=4, description="厂房起火")


def _incident(engine, incident=FIRE, *, is_drill=False):
    with session_scope(engine) as s:
        return create_incident(s, incident, "值班员", is_drill=is_drill)


def _plan(engine, incident_id, units=("U1", "A1")):
    payload = {"solver_status": "OPTIMAL",
               "assignments": [{"unit_id": u, "incident_id": incident_id, "eta_s": 200.0 + i,
                                "reason": "nearest capable unit"} for i, u in enumerate(units)]}
    with session_scope(engine) as s:
        return save_plan(s, payload, [incident_id], "系统")


def _statuses(engine):
    with session_scope(engine) as s:
        return {u.unit_id: u.status for u in list_units(s)}


def test_incident_created_listed_and_audited(loaded):
    incident_id = _incident(loaded)
    with session_scope(loaded) as s:
        [rec] = list_incidents(s, status="open")
        entry = list_audit(s, limit=1)[0]
    assert rec.incident_id == incident_id and incident_id.startswith("I-")
    assert (rec.incident_type, rec.priority, rec.created_by, rec.is_drill) == ("fire", 1, "值班员",
                                                                                False)
    assert rec.created_at.tzinfo is not None
    assert rec.as_incident().lat == 30.391
    assert (entry.action, entry.subject, entry.actor) == ("incident.created",
                                                          f"incident:{incident_id}", "值班员")


def test_drill_incidents_never_mix_with_live(loaded):
    live = _incident(loaded)
    drill = _incident(loaded, is_drill=True)
    with session_scope(loaded) as s:
        assert [r.incident_id for r in list_incidents(s)] == [live]
        assert [r.incident_id for r in list_incidents(s, is_drill=True)] == [drill]
        with pytest.raises(StoreError, match="cannot mix drill and live"):
            save_plan(s, {"assignments": []}, [live, drill], "x")
    assert drill.startswith("D-")


def test_invalid_incident_names_every_field(loaded):
    bad = dataclasses.replace(FIRE, incident_type="meteor", priority=7, lat=95.0)
    with pytest.raises(StoreError) as err:
        _incident(loaded, bad)
    assert {p.field for p in err.value.problems} == {"incident_type", "priority", "lat"}
    with session_scope(loaded) as s:
        assert list_incidents(s) == [] and last_change_id(s) == 1  # only the data set load


def test_close_incident(loaded):
    incident_id = _incident(loaded)
    with session_scope(loaded) as s:
        rec = close_incident(s, incident_id, "指挥长")
    assert rec.status == "closed" and rec.closed_by == "指挥长"
    with session_scope(loaded) as s:
        assert list_incidents(s, status="open") == []
        with pytest.raises(StoreError, match="closed already"):
            close_incident(s, incident_id, "x")


def test_approve_dispatches_units_with_events_and_audit(loaded):
    incident_id = _incident(loaded)
    plan_id = _plan(loaded, incident_id)
    before = _statuses(loaded)
    with session_scope(loaded) as s:
        start = last_change_id(s)
        rec = decide_plan(s, plan_id, "approve", "指挥长")
    assert (rec.status, rec.decided_by, rec.solver_status) == ("approved", "指挥长", "OPTIMAL")
    after = _statuses(loaded)
    assert before["U1"] == before["A1"] == "available"
    assert after == {**before, "U1": "dispatched", "A1": "dispatched"}
    with session_scope(loaded) as s:
        assert get_unit(s, "U1").incident_id == incident_id
        events = s.scalars(select(UnitStatusEventRow).order_by(UnitStatusEventRow.event_id)).all()
        assert [(e.unit_id, e.from_status, e.to_status, e.plan_id, e.incident_id, e.actor)
                for e in events] == [
            ("U1", "available", "dispatched", plan_id, incident_id, "指挥长"),
            ("A1", "available", "dispatched", plan_id, incident_id, "指挥长")]
        new = list(reversed(list_audit(s, limit=last_change_id(s) - start)))
        assert [(e.action, e.subject) for e in new] == [("unit.status", "unit:U1"),
                                                        ("unit.status", "unit:A1"),
                                                        ("plan.approved", f"plan:{plan_id}")]
        assert new[-1].payload["dispatched"] == ["U1", "A1"]
        assert verify_audit(s) == (True, None)
        with pytest.raises(StoreError, match="approved already"):
            decide_plan(s, plan_id, "reject", "x")


def test_approve_refused_when_a_unit_is_busy_changes_nothing(loaded):
    incident_id = _incident(loaded)
    with session_scope(loaded) as s:
        set_unit_status(s, "A1", "out_of_service", "机修")
        mark = last_change_id(s)
    plan_id = _plan(loaded, incident_id)
    with pytest.raises(StoreError, match="unit A1 is 'out_of_service'"):
        with session_scope(loaded) as s:
            decide_plan(s, plan_id, "approve", "指挥长")
    assert _statuses(loaded)["U1"] == "available"  # dispatched first, then rolled back
    with session_scope(loaded) as s:
        assert get_plan(s, plan_id).status == "proposed"
        assert last_change_id(s) == mark + 1  # only plan.proposed


def test_modify_swaps_a_unit_and_keeps_the_proposal(loaded):
    incident_id = _incident(loaded)
    plan_id = _plan(loaded, incident_id)
    with session_scope(loaded) as s:
        rec = decide_plan(s, plan_id, "modify", "指挥长", changes={"replace": {"U1": "U3"}})
    assert rec.status == "modified"
    assert [a["unit_id"] for a in rec.assignments] == ["U3", "A1"]
    assert rec.assignments[0]["eta_s"] is None and rec.assignments[0]["replaced_unit_id"] == "U1"
    assert [a["unit_id"] for a in rec.proposed_payload["assignments"]] == ["U1", "A1"]
    assert rec.proposed_payload["assignments"][0]["eta_s"] == 200.0
    statuses = _statuses(loaded)
    assert (statuses["U1"], statuses["U3"], statuses["A1"]) == ("available", "dispatched",
                                                                "dispatched")


def test_modify_to_a_unit_already_in_the_plan_is_refused(loaded):
    incident_id = _incident(loaded)
    plan_id = _plan(loaded, incident_id)
    with pytest.raises(StoreError) as err:
        with session_scope(loaded) as s:
            decide_plan(s, plan_id, "modify", "x", changes={"replace": {"U1": "A1"}})
    assert err.value.problems[0].rule == "unit assigned twice"


def test_reject_changes_no_unit(loaded):
    incident_id = _incident(loaded)
    plan_id = _plan(loaded, incident_id)
    with session_scope(loaded) as s:
        assert decide_plan(s, plan_id, "reject", "指挥长").status == "rejected"
        assert [p.plan_id for p in list_plans(s, status="rejected")] == [plan_id]
        assert [p.plan_id for p in list_plans(s, incident_id=incident_id)] == [plan_id]
    assert set(_statuses(loaded).values()) == {"available"}


def test_drill_plan_never_touches_live_units(loaded):
    drill = _incident(loaded, is_drill=True)
    plan_id = _plan(loaded, drill)
    with session_scope(loaded) as s:
        rec = decide_plan(s, plan_id, "approve", "演练导演")
        assert list_plans(s) == []
        assert [p.plan_id for p in list_plans(s, is_drill=True)] == [plan_id]
    assert rec.is_drill and rec.status == "approved"
    assert set(_statuses(loaded).values()) == {"available"}


def test_plan_validation(loaded):
    incident_id = _incident(loaded)
    with session_scope(loaded) as s:
        with pytest.raises(StoreError, match="unknown incident"):
            save_plan(s, {"assignments": []}, ["nope"], "x")
        with pytest.raises(StoreError) as err:
            save_plan(s, {"assignments": [{"unit_id": "ZZ", "incident_id": incident_id},
                                          {"unit_id": "U1", "incident_id": "other"}]},
                      [incident_id], "x")
        assert {(p.row, p.field) for p in err.value.problems} == {(1, "unit_id"),
                                                                  (2, "incident_id")}


def test_full_status_cycle_and_history(loaded):
    incident_id = _incident(loaded)
    steps = ["dispatched", "en_route", "on_scene", "returning", "available", "out_of_service",
             "available"]
    with session_scope(loaded) as s:
        for status in steps:
            unit = set_unit_status(s, "U2", status, "调度员",
                                   incident_id=incident_id if status == "dispatched" else None)
            assert unit.status == status
            expected = incident_id if status in ("dispatched", "en_route", "on_scene",
                                                 "returning") else None
            assert unit.incident_id == expected
        history = unit_history(s, "U2")
    assert [(e.from_status, e.to_status) for e in reversed(history)] == list(
        zip(["available"] + steps[:-1], steps, strict=True))


def test_first_arrivals_is_the_earliest_on_scene_per_incident(loaded, pinned_clock):
    first, second = _incident(loaded), _incident(loaded)
    with session_scope(loaded) as s:
        for unit, incident in (("U1", first), ("U2", first), ("A1", second)):
            set_unit_status(s, unit, "dispatched", "调度员", incident_id=incident)
            set_unit_status(s, unit, "en_route", "调度员")
        pinned_clock.shift(timedelta(minutes=4))
        set_unit_status(s, "U2", "on_scene", "调度员")
        pinned_clock.shift(timedelta(minutes=1))
        set_unit_status(s, "U1", "on_scene", "调度员")
        events = {e.unit_id: e.at for u in ("U1", "U2")
                  for e in unit_history(s, u) if e.to_status == "on_scene"}
        assert events["U1"] - events["U2"] == timedelta(minutes=1)
        got = first_arrivals(s)
        assert got == {first: events["U2"]}  # U2 came first; A1 is still en route
        assert first_arrivals(s, since=events["U1"]) == {first: events["U1"]}


@pytest.mark.parametrize("start, target", [("available", "on_scene"), ("available", "available"),
                                           ("dispatched", "available"),
                                           ("out_of_service", "dispatched")])
def test_invalid_transition_names_unit_and_statuses(loaded, start, target):
    with session_scope(loaded) as s:
        if start == "dispatched":
            set_unit_status(s, "U3", "dispatched", "x")
        elif start == "out_of_service":
            set_unit_status(s, "U3", "out_of_service", "x")
    with pytest.raises(StoreError) as err:
        with session_scope(loaded) as s:
            set_unit_status(s, "U3", target, "x")
    assert f"unit U3 cannot go from '{start}' to '{target}'" in str(err.value)
    assert _statuses(loaded)["U3"] == start


def test_unknown_status_and_unit(loaded):
    with session_scope(loaded) as s:
        with pytest.raises(StoreError, match="'asleep' is not one of"):
            set_unit_status(s, "U1", "asleep", "x")
        with pytest.raises(StoreError, match="no unit 'U404'"):
            set_unit_status(s, "U404", "available", "x")


def test_live_unit_cannot_join_a_drill_incident(loaded):
    drill = _incident(loaded, is_drill=True)
    with pytest.raises(StoreError, match="drill incident"):
        with session_scope(loaded) as s:
            set_unit_status(s, "U1", "dispatched", "x", incident_id=drill)


def test_list_units_filters_and_positions(loaded):
    with session_scope(loaded) as s:
        engines = list_units(s, capability="engine")
        health = list_units(s, agency_id="health")
        assert get_incident  # the public API is importable from command.store
    assert [u.unit_id for u in engines] == ["U1", "U3"]
    assert [(u.unit_id, u.base_lat, u.base_lon, u.district) for u in health] == [
        ("A1", 30.53, 114.73, "华容区")]
    assert health[0].as_team().capability == "ambulance"
