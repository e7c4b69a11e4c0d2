"""The streaming analyser on hand-made streams, and the labelled synthetic set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from command.settings import REPO_ROOT
from command.warning import simulate
from command.warning.analysis import Analyser
from command.warning.messages import Reading
from command.warning.registry import SensorSpec, Thresholds, load_registry

T0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def spec(sid="A", neighbour=None) -> SensorSpec:
    return SensorSpec(sensor_id=sid, name_zh="甲", name_en="A", site="HZ07", kind="toxic_ppm",
                      unit="ppm", lat=30.5, lon=114.6, range=(0, 20),
                      thresholds=Thresholds(blue=0.5, yellow=1.0, orange=2.0, red=10.0),
                      hysteresis=0.1, calibrated_on="2026-01-01", interval_s=2,
                      neighbour=neighbour, drift_tolerance=0.1, source="test")


def feed(values, sid="A", analyser=None, start=0):
    a = analyser or Analyser({sid: spec(sid)})
    events = []
    for i, v in enumerate(values, start=start):
        r = Reading(sid, T0 + timedelta(seconds=2 * i), v)
        events += a.tick(r.measured_at) + a.observe(r)
    return a, [(e.kind, e.level or e.code) for e in events]


def test_levels_rise_and_clear_once_each():
    _a, ev = feed([0.1, 0.2, 0.6, 0.7, 1.2, 1.3, 1.25, 2.5, 4, 6, 8, 10.5, 11, 11, 9.95, 3, 1,
                   0.45, 0.3, 0.1, 0.12])
    assert ev == [("alarm", "blue"), ("alarm", "yellow"), ("alarm", "orange"), ("alarm", "red"),
                  ("alarm_lowered", "orange"), ("alarm_lowered", "yellow"),
                  ("alarm_lowered", "blue"), ("alarm_cleared", "none")]


def test_a_single_spike_is_a_fault_not_an_alarm():
    _a, ev = feed([0.1, 0.12, 0.11, 15.0, 0.1, 0.13])
    assert ev == [("fault", "spike"), ("fault_cleared", "spike")]


def test_a_redelivered_reading_is_ignored():
    a, ev = feed([0.1, 0.6])
    assert ev == [("alarm", "blue")]
    assert a.observe(Reading("A", T0 + timedelta(seconds=2), 5.0)) == []


def test_out_of_range_and_flat_line_and_stale():
    _a, ev = feed([0.1, 0.12, -3.0, 25.0, 0.1])
    assert ev == [("fault", "out_of_range"), ("fault_cleared", "out_of_range")]
    _a, ev = feed([0.1, 0.12] + [0.13] * 12 + [0.2])
    assert ev == [("fault", "flat_line"), ("fault_cleared", "flat_line")]
    a, _ev = feed([0.1, 0.12])
    assert a.tick(T0 + timedelta(seconds=8)) == []
    assert [e.code for e in a.tick(T0 + timedelta(seconds=9))] == ["stale"]
    assert a.tick(T0 + timedelta(seconds=20)) == []  # once


def test_drift_against_the_neighbour_is_a_fault_and_stops_alarms():
    a = Analyser({"A": spec("A", "B"), "B": spec("B", "A")})
    events = []
    for i in range(80):
        at = T0 + timedelta(seconds=2 * i)
        drift = max(0, i - 20) * 0.02
        for sid, v in (("A", 0.15 + drift + 0.005 * (i % 3)), ("B", 0.15 + 0.004 * (i % 2))):
            events += a.observe(Reading(sid, at, v))
    kinds = [(e.kind, e.sensor_id, e.code or e.level) for e in events]
    assert ("fault", "A", "drift") in kinds
    assert not any(k[0] == "alarm" for k in kinds)
    assert not any(k[1] == "B" for k in kinds)


def test_labelled_set_precision_recall_and_no_fault_as_alarm():
    reg = load_registry(REPO_ROOT / "data/resources/ezhou/sensors.yaml")
    streams = simulate.labelled_set(reg.sensors, start=T0, seed=7, per_label=15)
    r = simulate.score(streams)
    assert r["precision"] >= 0.95 and r["recall"] >= 0.95
    assert r["faults_as_alarms"] == 0
    assert r["faults_found"] == r["fault_streams"]


def test_chlorine_scenario_ramps_only_at_the_site():
    reg = load_registry(REPO_ROOT / "data/resources/ezhou/sensors.yaml").by_id()
    rs = simulate.scenario("chlorine", reg, start=T0, seed=1, minutes=3)
    events = Analyser(reg).run(r.reading() for r in rs)
    red = {e.sensor_id for e in events if e.kind == "alarm" and e.level == "red"}
    assert red <= {"HZ07-CL2-01", "HZ07-CL2-02"} and red
    assert simulate.scenario("chlorine", reg, start=T0, seed=1, minutes=3) == rs
