"""Liaison use cases on a real store: an approved plan gives each agency its task in the
same transaction; officers see only their agency, acknowledge and report; mutual aid;
the command screen's unacknowledged tasks with their age."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from command import store
from command.app import access, incidents
from command.app import liaison as use
from command.errors import DataError

T0 = datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC)
FIRE = access.User("fire1", "消防联络员", "liaison", agency_id="fire")
EMS = access.User("ems1", "120联络员", "liaison", agency_id="ems")
CHIEF = access.User("zhang", "张指挥", "commander")


@pytest.fixture
def engine(ezhou_store, ezhou_dataset):
    _settings, eng = ezhou_store
    for u in (FIRE, EMS, CHIEF):
        access.add_user(eng, name=u.name, role=u.role, password="liaison-pw-77", actor="test",
                        agency=u.agency_id, dataset=ezhou_dataset)
    return eng


def _approved_plan(engine, network, dataset):
    # an industrial fire of grade 3 calls fire engines and ambulances (two agencies)
    _inc, plan_id, _rec = incidents.create_and_recommend(
        engine, network, dataset, incident_type="industrial_fire", grade=3, lat=30.39,
        lon=114.89, actor="zhang", limit=30, max_snap_distance_m=2000, now=T0)
    return incidents.decide(engine, plan_id, "approve", "zhang", now=T0)


def _state(engine):
    with store.session_scope(engine, read_only=True) as s:
        return store.last_change_id(s), store.table_counts(s)


def test_an_approved_plan_gives_each_agency_its_task(engine, ezhou_network, ezhou_dataset):
    plan = _approved_plan(engine, ezhou_network, ezhou_dataset)
    agencies = {u.unit_id: u.agency_id for u in ezhou_dataset.teams}
    expected = {agencies[a["unit_id"]] for a in plan.assignments}
    assert {"fire", "ems"} <= expected
    pending = use.unacknowledged(engine, now=T0 + timedelta(minutes=2))
    assert {r["task"].agency_id for r in pending} == expected
    assert all(r["age_s"] == 120.0 and r["task"].plan_id == plan.plan_id for r in pending)
    fire_task = next(r["task"] for r in pending if r["task"].agency_id == "fire")
    assert {d["unit_id"] for d in fire_task.detail} == {
        a["unit_id"] for a in plan.assignments if agencies[a["unit_id"]] == "fire"}
    # the fire officer's board lists only fire's tasks and units
    b = use.board(engine, FIRE, now=T0)
    assert b["agency"] == "fire" and {t.agency_id for t, _age in b["tasks"]} == {"fire"}
    assert b["units"] and {u.agency_id for u in b["units"]} == {"fire"}
    assert b["incidents"] and b["incidents"][0].incident_id == plan.incident_ids[0]
    with pytest.raises(DataError, match="only their own agency"):
        use.board(engine, FIRE, agency_id="police")
    # another agency's officer cannot acknowledge fire's task; fire's can
    before = _state(engine)
    with pytest.raises(DataError, match="another agency"):
        use.step_task(engine, fire_task.task_id, "acknowledge", EMS, now=T0)
    assert _state(engine) == before
    done = use.step_task(engine, fire_task.task_id, "acknowledge", FIRE,
                         now=T0 + timedelta(minutes=3))
    assert done.state == "acknowledged" and done.acknowledged_by == "fire1"
    assert "fire" not in {r["task"].agency_id for r in use.unacknowledged(engine, now=T0)}
    use.step_task(engine, fire_task.task_id, "report", FIRE, note="两车到场", progress_pct=50,
                  now=T0)
    assert use.step_task(engine, fire_task.task_id, "complete", FIRE, now=T0).progress_pct == 100
    with store.session_scope(engine, read_only=True) as s:
        actions = [e.action for e in store.list_audit(s, limit=3)]
    assert actions == ["liaison.task_complete", "liaison.task_report", "liaison.task_acknowledge"]


def test_a_rejected_plan_gives_no_task_and_approval_twice_none_more(engine, ezhou_network,
                                                                     ezhou_dataset):
    _inc, plan_id, _rec = incidents.create_and_recommend(
        engine, ezhou_network, ezhou_dataset, incident_type="fire", lat=30.39, lon=114.89,
        actor="zhang", limit=3, max_snap_distance_m=2000, now=T0)
    incidents.decide(engine, plan_id, "reject", "zhang", now=T0)
    assert use.unacknowledged(engine, now=T0) == []


def test_commander_tasks_messages_and_refusals(engine, ezhou_dataset):
    before = _state(engine)
    with pytest.raises(DataError) as exc:
        use.issue_task(engine, ezhou_dataset, agency_id="nowhere", title=" ", user=CHIEF)
    assert {p.field for p in exc.value.problems} == {"agency", "title"}
    with pytest.raises(DataError, match="not yours"):
        use.issue_task(engine, ezhou_dataset, agency_id="fire", title="x", user=FIRE)
    assert _state(engine) == before
    task = use.issue_task(engine, ezhou_dataset, agency_id="ems", title="派两辆救护车待命",
                          user=CHIEF, now=T0)
    assert task.source == "commander" and task.state == "issued"
    use.send_message(engine, ezhou_dataset, CHIEF, agency_id="ems", text="注意道路封闭", now=T0)
    use.send_message(engine, ezhou_dataset, CHIEF, agency_id=None, text="全体注意", now=T0)
    b = use.board(engine, EMS, now=T0)
    assert [m.text for m in b["messages"]] == ["全体注意", "注意道路封闭"]
    assert [m.text for m in use.board(engine, FIRE, now=T0)["messages"]] == ["全体注意"]
    use.step_task(engine, task.task_id, "cancel", CHIEF, now=T0)
    with pytest.raises(DataError, match="not allowed"):
        use.step_task(engine, task.task_id, "acknowledge", EMS, now=T0)


def test_mutual_aid(engine, ezhou_dataset):
    req = use.request_aid(engine, ezhou_dataset, FIRE, to_agency="police",
                          what="封控两个路口", now=T0)
    assert (req.from_agency, req.to_agency, req.state) == ("fire", "police", "requested")
    police = access.User("p1", "p1", "liaison", agency_id="police")
    with pytest.raises(DataError, match="other agency"):
        use.step_aid(engine, req.aid_id, "accept", FIRE, now=T0)
    assert use.step_aid(engine, req.aid_id, "accept", police, now=T0).state == "accepted"
    assert use.step_aid(engine, req.aid_id, "depart", CHIEF, now=T0).state == "en_route"
    assert use.step_aid(engine, req.aid_id, "arrive", police, now=T0).state == "done"
    b = use.board(engine, police, now=T0)
    assert [a.aid_id for a in b["aid_in"]] == [req.aid_id] and b["aid_out"] == []
    before = _state(engine)
    with pytest.raises(DataError) as exc:
        use.request_aid(engine, ezhou_dataset, FIRE, to_agency="fire", what="x")
    assert exc.value.problems[0].field == "to_agency"
    with pytest.raises(DataError):
        use.request_aid(engine, ezhou_dataset, FIRE, to_agency="nowhere", what="x")
    with pytest.raises(DataError, match="Say what"):
        use.request_aid(engine, ezhou_dataset, FIRE, to_agency="police", what=" ")
    assert _state(engine) == before
