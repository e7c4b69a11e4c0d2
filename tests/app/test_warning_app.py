"""command.app.warning, the ingest and the avoidance chain on a fresh Ezhou store
(messages fed straight to the ingest; no broker)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from command import store
from command.app import avoidance
from command.app import warning as app
from command.app.warning_ingest import Ingest
from command.store import warning as ws
from command.warning import simulate
from command.warning.alerts import AlertError
from command.warning.messages import encode_message

T0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


@pytest.fixture
def warned(ezhou_store, ezhou_dataset):
    settings, engine = ezhou_store
    assert app.seed_sensors(engine, settings, ezhou_dataset, now=T0) == 16
    assert app.seed_sensors(engine, settings, ezhou_dataset, now=T0) == 0  # idempotent
    return settings, engine


def _msg(sid, at, value, unit="ppm"):
    return encode_message(sid, at, value, unit)


def test_readings_are_stored_once_and_malformed_never(warned):
    settings, engine = warned
    sensors = app.registry_from_store(engine)
    ing = Ingest(engine, sensors, batch=3, clock=lambda: T0 + timedelta(minutes=10))
    good = [_msg("HZ07-CL2-01", T0 + timedelta(seconds=2 * i), 0.15) for i in range(5)]
    for m in good + good[:2]:  # two redelivered
        ing.handle(m)
    bad = [b"{oops", _msg("NOPE", T0, 1.0), _msg("HZ07-CL2-01", T0, 1.0, unit="mg/m3"),
           b'{"sensor_id": "HZ07-CL2-01", "value": NaN, "unit": "ppm", '
           b'"measured_at": "2026-12-04T08:00:30Z"}',
           _msg("HZ07-CL2-01", T0 + timedelta(days=1), 0.2)]
    for m in bad:
        ing.handle(m)
    ing.flush()
    c = ing.counts()
    assert c["received"] == 12 and c["stored"] == 5 and c["duplicates"] == 2
    assert c["rejected_by_reason"] == {"bad_json": 1, "unknown_sensor": 1, "wrong_unit": 1,
                                       "not_finite": 1, "future_time": 1}
    with store.session_scope(engine, read_only=True) as s:
        assert ws.count_readings(s) == 5
        assert [v for _, v in ws.readings(s, "HZ07-CL2-01")] == [0.15] * 5


def test_alarm_alert_ack_escalation_and_faults(warned):
    settings, engine = warned
    sensors = app.registry_from_store(engine)
    ing = Ingest(engine, sensors, clock=lambda: T0 + timedelta(minutes=10))
    values = [0.15, 0.16, 0.6, 0.7, 1.2]
    for i, v in enumerate(values):
        ing.handle(_msg("HZ07-CL2-01", T0 + timedelta(seconds=2 * i), v))
        ing.handle(_msg("HZ07-CL2-02", T0 + timedelta(seconds=2 * i + 1), v * 0.9))
    for i in range(3):
        ing.handle(_msg("HZ08-LEL-01", T0 + timedelta(seconds=5 * i), 150.0 if i == 1 else 1.0,
                        "%LEL"))
    ing.flush(now=T0 + timedelta(seconds=10))
    alerts = app.open_alerts(engine)
    assert {(a["sensor_id"], a["level"], a["state"]) for a in alerts} == {
        ("HZ07-CL2-01", "yellow", "open"), ("HZ07-CL2-02", "yellow", "open")}
    faults = app.active_faults(engine)
    assert [(f["sensor_id"], f["code"]) for f in faults] == []  # out of range, then cleared
    with store.session_scope(engine, read_only=True) as s:
        assert [(f.code, f.cleared_at is not None) for f in ws.list_faults(s)] == [
            ("out_of_range", True)]
    a1 = next(a for a in alerts if a["sensor_id"] == "HZ07-CL2-01")
    # escalation: not before the timeout, then once
    assert app.escalate_due(engine, now=T0 + timedelta(seconds=200), ack_timeout_s=300) == []
    done = app.escalate_due(engine, now=T0 + timedelta(seconds=400), ack_timeout_s=300)
    assert {d["sensor_id"] for d in done} == {"HZ07-CL2-01", "HZ07-CL2-02"}
    assert app.escalate_due(engine, now=T0 + timedelta(seconds=401), ack_timeout_s=300) == []
    rec = app.acknowledge(engine, a1["alert_id"], "demo-duty-officer",
                          now=T0 + timedelta(seconds=410))
    assert (rec.state, rec.acknowledged_by, rec.escalations) == (
        "acknowledged", "demo-duty-officer", 1)
    with pytest.raises(AlertError):
        app.acknowledge(engine, a1["alert_id"], "demo-duty-officer", now=T0)
    with store.session_scope(engine, read_only=True) as s:
        actions = [e.action for e in store.list_audit(s, limit=20)]
    assert "alert.acknowledged" in actions and "alert.escalated" in actions
    states = {r["sensor_id"]: r["state"] for r in app.sensor_states(
        engine, now=T0 + timedelta(seconds=10))}
    assert states["HZ07-CL2-01"] == "yellow" and states["HZ08-LEL-01"] == "ok"
    assert states["YZ-EZHOU-WL"] == "unknown"


def test_chart_predicts_the_next_crossing(warned):
    settings, engine = warned
    with store.session_scope(engine) as s:
        ws.insert_readings(s, [("YZ-EZHOU-WL", T0 + timedelta(minutes=i), 22.0 + 0.1 * i)
                               for i in range(20)])
    c = app.chart(engine, "YZ-EZHOU-WL", now=T0 + timedelta(minutes=20), minutes=60)
    p = c["prediction"]
    assert p["grade"] == "blue" and p["threshold"] == 24.0
    assert p["rate_per_min"] == pytest.approx(0.1)
    assert p["crossing_at"] == T0 + timedelta(minutes=20)  # 22.0 + 0.1 x 20
    assert sum(b["n"] for b in c["series"]) == 20


def test_chlorine_ramp_runs_the_whole_avoidance_chain(warned, ezhou_network, ezhou_dataset):
    settings, engine = warned
    sensors = app.registry_from_store(engine)
    chains = []

    def on_red(alert, spec):
        chains.append(avoidance.run_chain(engine, ezhou_network, ezhou_dataset, settings,
                                          alert_id=alert.alert_id, hazard_id=spec.hazard_id))

    readings = simulate.scenario("chlorine", sensors, start=T0, seed=3, minutes=3)
    ing = Ingest(engine, sensors, on_red=on_red, clock=lambda: T0 + timedelta(minutes=10))
    for r in readings:
        ing.handle(encode_message(r.sensor_id, r.measured_at, r.value, r.unit))
    ing.flush()
    assert len(chains) == 2 and len(set(chains)) == 1  # both cells at HZ07: one response
    chain = avoidance.latest_chain(engine)
    assert chain.status == "done" and chain.hazard_id == "HZ07"
    assert [s.step for s in chain.steps] == list(avoidance.STEPS)
    steps = {s.step: s.payload for s in chain.steps}
    assert steps["zone"]["scenario"] == "chlorine-gedian"
    assert steps["zone"]["wind"]["wind_from_deg"] == pytest.approx(45, abs=15)
    assert steps["roads"]["count"] > 0 and steps["population"]["inside"] > 0
    assert steps["agencies"]["agencies"] and steps["teams"]["teams"]
    assert steps["plan"]["plan_id"] == chain.plan_id is not None
    with store.session_scope(engine, read_only=True) as s:
        inc = store.get_incident(s, chain.incident_id)
        plan = store.get_plan(s, chain.plan_id)
    assert inc.incident_type == "hazmat_leak" and plan.status == "proposed"
    from command.app.scenarios import active_scenario

    assert active_scenario(engine) == f"avoidance-{chain.chain_id}"
    overlay = avoidance.chain_overlay(engine, chain.chain_id)
    assert overlay["edges"] == steps["roads"]["edges"]
    json.dumps(overlay)


def test_the_duty_officer_stops_the_chain(warned, ezhou_network, ezhou_dataset, monkeypatch):
    settings, engine = warned
    with store.session_scope(engine) as s:
        rec = ws.save_alert(s, {"sensor_id": "HZ07-CL2-01", "level": "red", "state": "open",
                                "value": 12.0, "opened_at": T0, "raised_at": T0},
                            actor="test", action="alert.opened", now=T0)
    real = avoidance._stopped
    calls = []

    def stop_after_zone(engine_, chain_id):
        calls.append(chain_id)
        if len(calls) == 2:  # the officer presses stop while the zone is drawn
            avoidance.stop_chain(engine_, chain_id, "demo-duty-officer")
        return real(engine_, chain_id)

    monkeypatch.setattr(avoidance, "_stopped", stop_after_zone)
    chain_id = avoidance.run_chain(engine, ezhou_network, ezhou_dataset, settings,
                                   alert_id=rec.alert_id, hazard_id="HZ07")
    with store.session_scope(engine, read_only=True) as s:
        chain = ws.get_chain(s, chain_id)
    assert chain.status == "stopped" and chain.stop_requested_by == "demo-duty-officer"
    assert [s.step for s in chain.steps] == ["incident", "zone"]
    assert chain.plan_id is None
