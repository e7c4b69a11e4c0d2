"""``command-center warning ...``: predict on a CSV, sensors, escalate; and replay,
simulate and ingest through a private Mosquitto (QoS 1, persistent sessions), with
malformed messages counted and never stored."""

from __future__ import annotations

import getpass
import json
import shutil
import socket
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from command import store
from command.app import warning as app
from command.cli import main
from command.store import warning as ws

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


@pytest.fixture
def cli(monkeypatch, capsys):
    def run(*args):
        code = main(["warning", *args])
        out = capsys.readouterr()
        return code, out.out, out.err
    return run


def test_predict_prints_crossing_rate_and_minutes(tmp_path, cli):
    f = tmp_path / "ramp.csv"
    t0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    f.write_text("time,value\n" + "".join(
        f"{(t0 + timedelta(minutes=i)).isoformat()},{20 + 2 * i}\n" for i in range(10)),
        encoding="utf-8")
    code, out, _ = cli("predict", "--csv", str(f), "--threshold", "100", "--json")
    d = json.loads(out)
    assert code == 0
    assert d["crossing_at"] == "2026-12-04T08:40:00Z"
    assert d["rate_per_min"] == pytest.approx(2.0)
    assert d["minutes_to_threshold"] == pytest.approx(31.0)
    code, out, _ = cli("predict", "--csv", str(f), "--threshold", "10", "--json")
    assert json.loads(out)["minutes_to_threshold"] == 0.0  # reached already
    flat = tmp_path / "flat.csv"
    flat.write_text("time,value\n2026-12-04T08:00:00Z,5\n2026-12-04T08:01:00Z,4\n",
                    encoding="utf-8")
    d = json.loads(cli("predict", "--csv", str(flat), "--threshold", "10", "--json")[1])
    assert d["crossing_at"] is None and d["minutes_to_threshold"] is None
    code, _out, err = cli("predict", "--csv", str(tmp_path / "none.csv"), "--threshold", "1")
    assert code == 2 and "none.csv" in err


@pytest.fixture
def warned_env(ezhou_store, ezhou_dataset, monkeypatch):
    settings, engine = ezhou_store
    app.seed_sensors(engine, settings, ezhou_dataset)
    monkeypatch.setenv("CC_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.db_url)
    monkeypatch.delenv("CC_LANGUAGE", raising=False)
    return settings, engine


def test_sensors_and_escalate(warned_env, cli):
    settings, engine = warned_env
    t0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    with store.session_scope(engine) as s:
        ws.save_alert(s, {"sensor_id": "HZ04-NH3-01", "level": "orange", "state": "open",
                          "value": 70.0, "opened_at": t0, "raised_at": t0},
                      actor="ingest", action="alert.opened", now=t0)
    code, out, _ = cli("sensors", "--json")
    rows = {r["sensor_id"]: r for r in json.loads(out)}
    assert code == 0 and len(rows) == 16 and rows["HZ04-NH3-01"]["state"] == "unknown"
    code, out, _ = cli("escalate", "--now", "2026-12-04T08:04:00Z", "--json")
    assert json.loads(out)["escalated"] == []
    code, out, _ = cli("escalate", "--now", "2026-12-04T08:05:00Z", "--json")
    assert [a["sensor_id"] for a in json.loads(out)["escalated"]] == ["HZ04-NH3-01"]
    code, _out, err = cli("escalate", "--now", "tomorrow")
    assert code == 2 and "--now" in err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def broker(tmp_path):
    if not shutil.which("mosquitto") and not shutil.os.path.exists(MOSQUITTO):
        pytest.skip("mosquitto is not installed")
    port = _free_port()
    conf = tmp_path / "m.conf"
    conf.write_text(f"user {getpass.getuser()}\nlistener {port} 127.0.0.1\n"
                    f"allow_anonymous true\npersistence true\npersistence_location {tmp_path}/\n",
                    encoding="utf-8")
    proc = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
        assert time.monotonic() < deadline, "mosquitto did not start"
        time.sleep(0.05)
    yield port
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.timeout(120)
def test_replay_and_simulate_through_the_broker(warned_env, broker, cli, tmp_path):
    settings, engine = warned_env
    from command.app.warning_ingest import run_ingest
    from command.warning.mqtt import publisher, topic_for, wait_connected, wait_published

    stop = threading.Event()
    result = {}
    s2 = settings.replace(mqtt_port=broker, mqtt_client_id="test-ingest", ingest_flush_s=0.1)
    t = threading.Thread(target=lambda: result.update(run_ingest(s2, chain=False, stop=stop)),
                         daemon=True)
    t.start()
    time.sleep(1.5)  # the ingest's session exists
    replay = tmp_path / "r.csv"
    replay.write_text("measured_at,sensor_id,value,unit\n" + "".join(
        f"2026-12-04T08:00:{2 * i:02d}Z,HZ07-CL2-01,{0.1 + 0.01 * i},ppm\n" for i in range(10)),
        encoding="utf-8")
    code, out, _ = cli("replay", str(replay), "--speed", "100", "--port", str(broker), "--json")
    assert code == 0 and json.loads(out)["published"] == 10
    code, out, _ = cli("simulate", "--scenario", "normal", "--minutes", "0.2", "--speed", "50",
                       "--port", str(broker), "--json")
    sim = json.loads(out)
    assert code == 0 and sim["published"] == sim["readings"] > 10
    pub = publisher(client_id="test-bad", host="127.0.0.1", port=broker)
    pub.loop_start()
    assert wait_connected(pub)
    now = datetime.now(UTC)
    bad = [b"{nope", json.dumps({"sensor_id": "X", "value": 1, "unit": "ppm",
                                 "measured_at": now.isoformat()}).encode(),
           json.dumps({"sensor_id": "HZ07-CL2-01", "value": 1, "unit": "%",
                       "measured_at": now.isoformat()}).encode(),
           b'{"sensor_id": "HZ07-CL2-01", "value": NaN, "unit": "ppm", "measured_at": "'
           + now.isoformat().encode() + b'"}',
           json.dumps({"sensor_id": "HZ07-CL2-01", "value": 1, "unit": "ppm",
                       "measured_at": (now + timedelta(hours=2)).isoformat()}).encode()]
    assert wait_published([pub.publish(topic_for("HZ07-CL2-01"), b, qos=1) for b in bad],
                          timeout_s=10) == len(bad)
    pub.disconnect()
    pub.loop_stop()
    expected = 10 + sim["readings"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with store.session_scope(engine, read_only=True) as s:
            if ws.count_readings(s) >= expected:
                break
        time.sleep(0.2)
    time.sleep(0.5)
    stop.set()
    t.join(timeout=30)
    with store.session_scope(engine, read_only=True) as s:
        assert ws.count_readings(s) == expected
    assert result["rejected_by_reason"] == {"bad_json": 1, "unknown_sensor": 1, "wrong_unit": 1,
                                            "not_finite": 1, "future_time": 1}
    assert result["stored"] == expected
