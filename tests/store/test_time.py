"""Times at the store boundary: aware UTC in and out on both back-ends, naive refused with
the column named, "now" an argument, and the command centre's day (Beijing midnight is
16:00 UTC) counted right at the hours when the UTC and Beijing dates differ."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import DateTime, select, text

from command import store
from command.clock import BEIJING, beijing_day_start
from command.errors import StoreError
from command.model import Incident
from command.store._tables import Base, IncidentRow
from command.store._types import UTCDateTime
from command.store.audit import entry_hash

FIRE = Incident("", "fire", 30.391, 114.893, priority=1, grade=4)
#: 18:30 Beijing on 3 December, given in Beijing time: 10:30 UTC.
T_BJ = datetime(2026, 12, 3, 18, 30, 0, 250000, tzinfo=BEIJING)
T_UTC = datetime(2026, 12, 3, 10, 30, 0, 250000, tzinfo=UTC)


def _is_utc(value: datetime) -> bool:
    return value.tzinfo is UTC


def test_every_time_column_is_utc_and_named():
    # no plain DateTime left: every time column goes through UTCDateTime
    columns = {f"{t.name}.{c.name}": c.type for t in Base.metadata.tables.values()
               for c in t.columns
               if isinstance(c.type, DateTime) or isinstance(getattr(c.type, "impl", None),
                                                              DateTime)}
    assert set(columns) == {"teams.status_changed_at", "incidents.created_at",
                            "incidents.closed_at", "plans.created_at", "plans.decided_at",
                            "unit_status_events.at", "audit_log.at", "users.locked_until",
                            "users.created_at", "users.password_changed_at",
                            "user_sessions.created_at", "user_sessions.expires_at",
                            "user_sessions.ended_at", "blacklist.listed_at",
                            "blacklist.expires_at", "blacklist.lifted_at",
                            "inspection_draws.drawn_at", "risk_points.updated_at",
                            "risk_grade_history.at", "self_inspections.submitted_at",
                            "self_inspections.decided_at", "quiz_attempts.started_at",
                            "quiz_attempts.finished_at", "hazards.found_at",
                            "hazards.updated_at", "hazards.due_at", "hazards.closed_at",
                            "hazard_events.at", "hazard_evidence.uploaded_at",
                            "hazard_escalations.due_at", "hazard_escalations.escalated_at",
                            "daily_reports.sent_at", "grid_summaries.kept_at",
                            "notifications.created_at", "notifications.sent_at",
                            "notifications.read_at",
                            "decision_sessions.created_at",
                            "decision_sessions.opened_at", "decision_sessions.closed_at",
                            "decision_participants.joined_at", "decision_votes.cast_at",
                            "liaison_tasks.issued_at", "liaison_tasks.acknowledged_at",
                            "liaison_tasks.updated_at", "mutual_aid.requested_at",
                            "mutual_aid.updated_at", "liaison_messages.sent_at",
                            "sensor_readings.measured_at",
                            "warning_alerts.opened_at", "warning_alerts.raised_at",
                            "warning_alerts.acknowledged_at", "warning_alerts.escalated_at",
                            "warning_alerts.resolved_at", "warning_faults.raised_at",
                            "warning_faults.cleared_at", "avoidance_chains.started_at",
                            "avoidance_chains.finished_at", "avoidance_steps.at"}
    assert all(isinstance(t, UTCDateTime) and t.column == name for name, t in columns.items())


def test_times_given_in_beijing_come_back_as_the_same_instant_in_utc(loaded):
    with store.session_scope(loaded) as s:
        incident_id = store.create_incident(s, FIRE, "值班员", now=T_BJ)
        assignments = [{"unit_id": "U1", "incident_id": incident_id}]
        plan_id = store.save_plan(s, {"assignments": assignments}, [incident_id], "系统",
                                  now=T_BJ + timedelta(seconds=1))
        store.decide_plan(s, plan_id, "approve", "指挥长", now=T_BJ + timedelta(seconds=2))
        store.set_unit_status(s, "U1", "en_route", "调度员", now=T_BJ + timedelta(seconds=3))
        store.close_incident(s, incident_id, "指挥长", now=T_BJ + timedelta(seconds=4))
        store.append_audit(s, actor="a", action="test.time", at=T_BJ + timedelta(seconds=5))
    with store.session_scope(loaded) as s:
        incident = store.get_incident(s, incident_id)
        plan, unit = store.get_plan(s, plan_id), store.get_unit(s, "U1")
        history = store.unit_history(s, "U1")
        audit = store.list_audit(s, limit=6)
        assert store.verify_audit(s) == (True, None)
    times = {"incidents.created_at": incident.created_at,
             "plans.created_at": plan.created_at,
             "plans.decided_at": plan.decided_at,
             "teams.status_changed_at": unit.status_changed_at,
             "unit_status_events.at": history[0].at,
             "incidents.closed_at": incident.closed_at,
             "audit_log.at": audit[0].at}
    assert all(_is_utc(t) for t in times.values()), times
    assert [times[k] - T_UTC for k in ("incidents.created_at", "plans.created_at",
                                       "plans.decided_at", "unit_status_events.at",
                                       "incidents.closed_at", "audit_log.at")] == [
        timedelta(seconds=s) for s in (0, 1, 2, 3, 4, 5)]
    assert times["teams.status_changed_at"] == times["unit_status_events.at"]
    # the incident id carries the UTC date and time, whatever zone "now" came in
    assert incident_id.startswith("I-20261203-103000-")
    # every entry of a change carries the same "now": the plan's decision and its dispatch
    assert [(e.action, e.at - T_UTC) for e in reversed(audit[1:])] == [
        ("plan.proposed", timedelta(seconds=1)), ("unit.status", timedelta(seconds=2)),
        ("plan.approved", timedelta(seconds=2)), ("unit.status", timedelta(seconds=3)),
        ("incident.closed", timedelta(seconds=4))]


def test_stored_as_before_utc_digits(engine):
    # SQLite keeps the naive UTC text the store always wrote and PostgreSQL a timestamptz,
    # so databases written before this type existed read back the same.
    with store.session_scope(engine) as s:
        store.append_audit(s, actor="a", action="x", at=T_BJ)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            raw = conn.execute(text("select at from audit_log")).scalar()
            assert raw == "2026-12-03 10:30:00.250000"
        else:
            raw = conn.execute(text("select at at time zone 'UTC' from audit_log")).scalar()
            assert raw == T_UTC.replace(tzinfo=None)


def test_the_hashed_time_is_one_text_per_instant(engine):
    body = {"audit_id": 1, "actor": "a", "action": "x", "subject": "", "payload": {}}
    assert entry_hash("0" * 64, at=T_BJ, **body) == entry_hash("0" * 64, at=T_UTC, **body)
    with store.session_scope(engine) as s:
        entry = store.append_audit(s, actor="a", action="x", at=T_BJ)
    assert entry.hash == entry_hash("0" * 64, at=T_UTC, **body) and _is_utc(entry.at)


def test_a_chain_written_before_the_type_still_verifies(engine):
    # An entry as the earlier code wrote it: naive UTC digits on SQLite, hash over the
    # "...Z" text of the instant. The chain must verify and tampering must still show.
    digest = entry_hash("0" * 64, audit_id=1, at=T_UTC, actor="old", action="x", subject="",
                        payload={})
    at = "2026-12-03 10:30:00.250000" + ("" if engine.dialect.name == "sqlite" else "+00")
    with engine.begin() as conn:
        conn.execute(text("insert into audit_log (audit_id, at, actor, action, subject, "
                          "payload, prev_hash, hash) values (1, :at, 'old', 'x', '', '{}', "
                          ":prev, :hash)"), {"at": at, "prev": "0" * 64, "hash": digest})
    with store.session_scope(engine) as s:
        store.append_audit(s, actor="new", action="y", at=T_BJ + timedelta(minutes=1))
        assert store.verify_audit(s) == (True, None)
        assert store.list_audit(s)[-1].at == T_UTC
    with engine.begin() as conn:
        conn.execute(text("insert into audit_log (audit_id, at, actor, action, subject, "
                          "payload, prev_hash, hash) values (3, :at, 'x', 'x', '', '{}', "
                          ":prev, :hash)"), {"at": at, "prev": "f" * 64, "hash": "e" * 64})
    with store.session_scope(engine) as s:
        assert store.verify_audit(s) == (False, 3)


NAIVE = datetime(2026, 12, 3, 10, 0)


@pytest.mark.parametrize("column", sorted(
    f"{t.name}.{c.name}" for t in Base.metadata.tables.values() for c in t.columns
    if isinstance(c.type, UTCDateTime)))
def test_every_time_column_refuses_a_naive_time_naming_itself(engine, column):
    table, name = column.split(".")
    column_type = Base.metadata.tables[table].columns[name].type
    with pytest.raises(StoreError, match=rf"{column}: 2026-12-03T10:00:00 has no time zone"):
        column_type.process_bind_param(NAIVE, engine.dialect)


def test_a_naive_time_reaching_the_database_writes_nothing(loaded):
    with store.session_scope(loaded) as s:
        mark = store.last_change_id(s)
    with pytest.raises(StoreError, match="incidents.created_at: 2026-12-03T10:00:00 has no "
                                         "time zone"):
        with store.session_scope(loaded) as s:
            s.add(IncidentRow(incident_id="I-naive", incident_type="fire", lat=30.0, lon=114.0,
                              priority=1, grade=4, description="", status="open",
                              is_drill=False, created_at=NAIVE, created_by="x"))
            store.append_audit(s, actor="x", action="incident.created")
    with store.session_scope(loaded) as s:
        assert s.scalars(select(IncidentRow.incident_id)).all() == []
        assert store.last_change_id(s) == mark


def test_naive_times_are_refused_by_every_function_and_nothing_is_written(loaded, dataset):
    incident_id = _arrive_setup(loaded)
    with store.session_scope(loaded) as s:
        plan_id = store.save_plan(s, {"assignments": []}, [incident_id], "x")
        mark = store.last_change_id(s)
    calls = [
        ("now", lambda s: store.create_incident(s, FIRE, "x", now=NAIVE)),
        ("now", lambda s: store.close_incident(s, incident_id, "x", now=NAIVE)),
        ("now", lambda s: store.set_unit_status(s, "U2", "dispatched", "x",
                                                incident_id=incident_id, now=NAIVE)),
        ("now", lambda s: store.save_plan(s, {"assignments": []}, [incident_id], "x",
                                          now=NAIVE)),
        ("now", lambda s: store.decide_plan(s, plan_id, "reject", "x", now=NAIVE)),
        ("now", lambda s: store.load_dataset(s, dataset, now=NAIVE)),
        ("at", lambda s: store.append_audit(s, actor="x", action="x", at=NAIVE)),
        ("payload", lambda s: store.append_audit(s, actor="x", action="x",
                                                 payload={"when": NAIVE})),
        ("since", lambda s: store.first_arrivals(s, since=NAIVE)),
    ]
    for field, call in calls:
        with pytest.raises(StoreError, match=f"^{field}: 2026-12-03T10:00:00 has no time zone"):
            with store.session_scope(loaded) as s:
                call(s)
    with pytest.raises(StoreError) as err:
        with store.session_scope(loaded) as s:
            store.create_incident(s, Incident("", "fire", 30.0, 114.0, created_at=NAIVE), "x")
    assert [(p.field, p.value) for p in err.value.problems] == [("created_at", NAIVE)]
    with store.session_scope(loaded) as s:
        assert store.last_change_id(s) == mark
        assert [i.incident_id for i in store.list_incidents(s, status="open")] == [incident_id]
        assert store.get_plan(s, plan_id).status == "proposed"


def test_now_defaults_to_the_pinned_clock(loaded, pinned_clock):
    with store.session_scope(loaded) as s:
        incident_id = store.create_incident(s, FIRE, "x")
        pinned_clock.shift(timedelta(seconds=30))
        store.set_unit_status(s, "U1", "dispatched", "x", incident_id=incident_id)
        created_at = store.get_incident(s, incident_id).created_at
        changed_at = store.get_unit(s, "U1").status_changed_at
    assert created_at == datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC)
    assert changed_at == datetime(2026, 12, 3, 16, 0, 50, tzinfo=UTC)


# -- the command centre's day ------------------------------------------------------------

#: An arrival 10 s after Beijing midnight (16:00:10 UTC) and one 10 s before it.
AFTER_MIDNIGHT = datetime(2026, 12, 3, 16, 0, 10, tzinfo=UTC)
BEFORE_MIDNIGHT = datetime(2026, 12, 3, 15, 59, 50, tzinfo=UTC)


def _arrive_setup(engine) -> str:
    with store.session_scope(engine) as s:
        return store.create_incident(s, FIRE, "值班员", now=BEFORE_MIDNIGHT - timedelta(minutes=10))


def _arrive(engine, unit_id: str, incident_id: str, at: datetime) -> None:
    with store.session_scope(engine) as s:
        store.set_unit_status(s, unit_id, "dispatched", "调度员", incident_id=incident_id,
                              now=at - timedelta(minutes=5))
        store.set_unit_status(s, unit_id, "en_route", "调度员", now=at - timedelta(minutes=4))
        store.set_unit_status(s, unit_id, "on_scene", "调度员", now=at)


@pytest.mark.parametrize("now", [
    datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC),  # 00:00:20 Beijing: the day has just begun
    datetime(2026, 12, 3, 18, 30, 0, tzinfo=UTC),  # 02:30 Beijing, UTC date a day behind
    datetime(2026, 12, 3, 23, 59, 30, tzinfo=UTC),  # 07:59:30 Beijing, last UTC minute
    datetime(2026, 12, 4, 0, 0, 0, tzinfo=UTC),  # UTC midnight, 08:00 Beijing: same day
], ids=["16:00:20Z", "18:30:00Z", "23:59:30Z", "00:00:00Z"])
@pytest.mark.parametrize("zone", [UTC, BEIJING], ids=["since-in-UTC", "since-in-Beijing"])
def test_first_arrivals_since_beijing_midnight(loaded, pinned_clock, now, zone):
    yesterday = _arrive_setup(loaded)
    today = _arrive_setup(loaded)
    _arrive(loaded, "U1", yesterday, BEFORE_MIDNIGHT)
    _arrive(loaded, "A1", today, AFTER_MIDNIGHT)
    pinned_clock.move_to(now)
    since = beijing_day_start(now).astimezone(zone)  # service.live_snapshot gave Beijing
    with store.session_scope(loaded, read_only=True) as s:
        got = store.first_arrivals(s, since=since)
        everything = store.first_arrivals(s)
    assert got == {today: AFTER_MIDNIGHT} and _is_utc(got[today])
    assert everything == {yesterday: BEFORE_MIDNIGHT, today: AFTER_MIDNIGHT}
