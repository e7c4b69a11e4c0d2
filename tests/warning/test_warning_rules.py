"""Thresholds with hysteresis, messages, the registry file and the alert lifecycle."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from command.errors import DataError
from command.settings import REPO_ROOT
from command.warning import alerts
from command.warning.messages import Reading, Rejected, encode_message, parse_message
from command.warning.registry import SensorSpec, Thresholds, load_registry
from command.warning.thresholds import level_of, next_threshold, raw_level

NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
T = Thresholds(blue=0.5, yellow=1.0, orange=2.0, red=10.0)
SENSORS_FILE = REPO_ROOT / "data/resources/ezhou/sensors.yaml"


def spec(**kw) -> SensorSpec:
    base = dict(sensor_id="S1", name_zh="甲", name_en="A", site="HZ07", kind="toxic_ppm",
                unit="ppm", lat=30.5, lon=114.6, thresholds=T, hysteresis=0.1,
                calibrated_on="2026-01-01", interval_s=2, source="test")
    return SensorSpec(**{**base, **kw})


def test_raw_levels_by_threshold():
    assert [raw_level(v, T) for v in (0.1, 0.5, 0.99, 1.0, 2.5, 10.0, 50)] == [
        "none", "blue", "blue", "yellow", "orange", "red", "red"]


def test_hysteresis_holds_a_level_until_below_threshold_minus_band():
    assert level_of(1.95, T, previous="orange", hysteresis=0.1) == "orange"
    assert level_of(1.90, T, previous="orange", hysteresis=0.1) == "orange"
    assert level_of(1.89, T, previous="orange", hysteresis=0.1) == "yellow"
    assert level_of(0.3, T, previous="red", hysteresis=0.1) == "none"
    assert level_of(9.95, T, previous="red", hysteresis=0.1) == "red"
    assert level_of(12, T, previous="none", hysteresis=0.1) == "red"  # up at once
    assert next_threshold("yellow", T) == ("orange", 2.0)
    assert next_threshold("red", T) is None


def test_thresholds_must_rise():
    with pytest.raises(ValueError, match="rise"):
        Thresholds(yellow=2.0, orange=1.0)


def test_unit_must_match_the_kind():
    with pytest.raises(ValueError, match="reports in ppm"):
        spec(unit="mg/m3")


def test_registry_file_is_valid_and_marked_illustrative():
    reg = load_registry(SENSORS_FILE, hazard_ids={f"HZ{i:02d}" for i in range(1, 15)})
    kinds = {s.kind for s in reg.sensors}
    assert reg.illustrative
    assert {"gas_lel", "toxic_ppm", "temperature", "pressure", "tank_level", "water_level",
            "wind"} <= kinds
    assert {s.sensor_id for s in reg.sensors if s.hazard_id == "HZ07"} >= {
        "HZ07-CL2-01", "HZ07-CL2-02"}


def test_registry_names_line_of_an_unknown_hazard(tmp_path: Path):
    bad = tmp_path / "s.yaml"
    bad.write_text(SENSORS_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_registry(bad, hazard_ids={"HZ01"})
    assert "hazard_id" in str(err.value) and "HZ07" in str(err.value)


@pytest.mark.parametrize(("payload", "reason"), [
    (b"{not json", "bad_json"),
    (b"[1, 2]", "bad_json"),
    (b"\xff\xfe", "bad_json"),
    (json.dumps({"sensor_id": "S1", "value": 1.0, "unit": "ppm"}).encode(), "bad_schema"),
    (json.dumps({"sensor_id": "S1", "value": "high", "unit": "ppm",
                 "measured_at": "2026-12-04T08:00:00Z"}).encode(), "bad_schema"),
    (json.dumps({"sensor_id": "NOPE", "value": 1.0, "unit": "ppm",
                 "measured_at": "2026-12-04T08:00:00Z"}).encode(), "unknown_sensor"),
    (json.dumps({"sensor_id": "S1", "value": 1.0, "unit": "mg/m3",
                 "measured_at": "2026-12-04T08:00:00Z"}).encode(), "wrong_unit"),
    (b'{"sensor_id": "S1", "value": NaN, "unit": "ppm", "measured_at": "2026-12-04T08:00:00Z"}',
     "not_finite"),
    (b'{"sensor_id": "S1", "value": Infinity, "unit": "ppm", '
     b'"measured_at": "2026-12-04T08:00:00Z"}', "not_finite"),
    (json.dumps({"sensor_id": "S1", "value": 1.0, "unit": "ppm",
                 "measured_at": "2026-12-04T08:00:00"}).encode(), "naive_time"),
    (json.dumps({"sensor_id": "S1", "value": 1.0, "unit": "ppm",
                 "measured_at": "2027-12-04T08:00:00Z"}).encode(), "future_time"),
])
def test_malformed_messages_are_rejected_with_a_code(payload, reason):
    got = parse_message(payload, {"S1": spec()}, now=NOW)
    assert isinstance(got, Rejected) and got.reason == reason


def test_a_good_message_round_trips():
    at = NOW - timedelta(seconds=3)
    got = parse_message(encode_message("S1", at, 0.42, "ppm"), {"S1": spec()}, now=NOW)
    assert got == Reading("S1", at, 0.42)
    # a time in another zone is the same instant
    msg = json.dumps({"sensor_id": "S1", "value": 1, "unit": "ppm",
                      "measured_at": "2026-12-04T15:59:00+08:00"}).encode()
    assert parse_message(msg, {"S1": spec()}, now=NOW).measured_at == NOW - timedelta(minutes=1)


def test_alert_lifecycle():
    a = alerts.open_alert("S1", "yellow", now=NOW)
    assert a.state == "open"
    assert not alerts.escalation_due(a, now=NOW + timedelta(seconds=299), ack_timeout_s=300)
    a = alerts.escalate(a, now=NOW + timedelta(seconds=300), ack_timeout_s=300)
    assert (a.state, a.escalations) == ("escalated", 1)
    a = alerts.escalate(a, now=NOW + timedelta(seconds=400), ack_timeout_s=300)
    assert a.escalations == 1  # not again before another timeout
    a = alerts.acknowledge(a, "duty", now=NOW + timedelta(seconds=420))
    assert (a.state, a.acknowledged_by) == ("acknowledged", "duty")
    a = alerts.raise_level(a, "red", now=NOW + timedelta(seconds=430))
    assert (a.state, a.level) == ("open", "red")  # a higher grade needs a new acknowledgement
    a = alerts.acknowledge(a, "duty", now=NOW + timedelta(seconds=440))
    a = alerts.clear(a, now=NOW + timedelta(seconds=500))
    assert a.state == "resolved" and a.resolved_at == NOW + timedelta(seconds=500)
    with pytest.raises(alerts.AlertError, match="resolved"):
        alerts.acknowledge(a, "duty", now=NOW)


def test_an_unacknowledged_cleared_alert_waits_for_a_person():
    a = alerts.clear(alerts.open_alert("S1", "blue", now=NOW), now=NOW)
    assert a.state == "open" and a.cleared
    a = alerts.acknowledge(a, "duty", now=NOW)
    assert a.state == "resolved"
