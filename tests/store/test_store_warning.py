"""The early warning's tables on SQLite and PostgreSQL: readings de-duplicated by
(sensor, time), downsampling, alerts and faults with their audit entries, chains."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from command.errors import StoreError
from command.store import session_scope, verify_audit
from command.store import warning as ws

T0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
SPEC = {"sensor_id": "S1", "name_zh": "甲", "name_en": "A", "site": "HZ07", "hazard_id": "HZ07",
        "kind": "toxic_ppm", "unit": "ppm", "lat": 30.5, "lon": 114.6,
        "calibrated_on": "2026-01-01", "interval_s": 2.0, "source": "test"}


def test_readings_are_stored_once(engine):
    with session_scope(engine) as s:
        assert ws.sync_sensors(s, [SPEC], now=T0) == 1
        assert ws.sync_sensors(s, [SPEC], now=T0) == 0
        rows = [("S1", T0 + timedelta(seconds=i), float(i)) for i in range(10)]
        assert ws.insert_readings(s, rows) == 10
        # a redelivered batch, half new: only the new half is written
        again = rows[5:] + [("S1", T0 + timedelta(seconds=10 + i), 1.0) for i in range(5)]
        assert ws.insert_readings(s, again) == 5
        # the same instant given in Beijing time is the same key
        bj = T0.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
        assert ws.insert_readings(s, [("S1", bj, 99.0)]) == 0
    with session_scope(engine, read_only=True) as s:
        assert ws.count_readings(s) == 15
        assert ws.readings(s, "S1", limit=3) == [(T0 + timedelta(seconds=12 + i), 1.0)
                                                 for i in range(3)]
        assert ws.latest_readings(s) == {"S1": (T0 + timedelta(seconds=14), 1.0)}
        buckets = ws.downsampled(s, "S1", since=T0, until=T0 + timedelta(seconds=15), points=3)
        assert [b["n"] for b in buckets] == [5, 5, 5]
        assert buckets[0]["mean"] == 2.0 and buckets[0]["max"] == 4.0


def test_alerts_faults_and_chains_are_audited(engine):
    with session_scope(engine) as s:
        ws.sync_sensors(s, [SPEC], now=T0)
        a = ws.save_alert(s, {"sensor_id": "S1", "level": "red", "state": "open", "value": 12.0,
                              "opened_at": T0, "raised_at": T0},
                          actor="ingest", action="alert.opened", now=T0)
        assert ws.open_alert_for(s, "S1").alert_id == a.alert_id
        assert ws.raise_fault(s, "S1", "spike", at=T0, value=50.0) is not None
        assert ws.raise_fault(s, "S1", "spike", at=T0) is None  # de-duplicated
        assert ws.clear_fault(s, "S1", "spike", at=T0 + timedelta(seconds=2)) is not None
        chain_id = ws.start_chain(s, alert_id=a.alert_id, hazard_id="HZ07", actor="system",
                                  now=T0)
        ws.add_step(s, chain_id, "incident", payload={"incident_id": "I-1"}, actor="system",
                    now=T0, incident_id="I-1")
        ws.request_stop(s, chain_id, actor="duty", now=T0)
        ws.finish_chain(s, chain_id, "stopped", actor="system", now=T0)
        with pytest.raises(StoreError, match="stopped"):
            ws.request_stop(s, chain_id, actor="duty", now=T0)
        chain = ws.get_chain(s, chain_id)
        assert (chain.status, chain.incident_id, chain.stop_requested_by) == (
            "stopped", "I-1", "duty")
        assert [st.step for st in chain.steps] == ["incident"]
        assert verify_audit(s) == (True, None)
