"""The sensor ingest under load, through a real Mosquitto that is restarted mid-run.

    python bench/warning_ingest.py [--rate 5000] [--minutes 10] [--sensors 1000]
                                   [--per-message 50] [--db sqlite|postgresql] [--json]

What it does, in this order:

1. starts its own ``mosquitto`` on a free port with a temporary configuration
   (anonymous, persistence in a temporary directory, unlimited queued and in-flight
   messages), and a fresh store (a SQLite file, or a new schema-less database on the
   PostgreSQL server at 127.0.0.1:5432 with ``--db postgresql``, dropped afterwards)
   holding ``--sensors`` bench sensors;
2. starts ``command-center warning ingest`` in a subprocess (the production command,
   chain off);
3. publishes ``--rate`` readings per second for ``--minutes`` (QoS 1, a persistent
   publisher session), each with a unique (sensor, time), ``--per-message`` readings
   per message as a data-acquisition gateway sends them (1: one reading per message;
   a paho-mqtt subscriber in Python receives about 4,000-5,000 QoS 1 messages a second
   on this machine, whatever it does with them, so one reading per message cannot carry
   5,000 a second into one ingest process);
4. half way through, stops the broker (SIGTERM, so it saves its persistence file)
   and starts it again on the same port; publisher and ingest reconnect by themselves;
5. waits until the store holds every reading or nothing moved for 60 s, stops the
   ingest (SIGTERM) and counts.

It prints ``published``, ``stored`` (distinct readings of the bench sensors in the
store), ``lost`` (published - stored), ``duplicated`` (rows of a (sensor, time) beyond
the first: 0 by the store's key), ``redelivered`` (messages the ingest received twice,
dropped by that key), the ``sustained`` rate (stored / seconds from the first publish to
the last reading stored), and ``ratio``: sustained over the baseline, the rate of
writing the same readings straight through the same use case (validation, analysis,
batch write; no broker) measured in this process before the run.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from command.clock import utc_now  # noqa: E402
from command.warning.messages import encode_batch, encode_message  # noqa: E402

PREFIX = "BENCH-"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    """A private mosquitto with persistence."""

    def __init__(self, workdir: Path, port: int) -> None:
        self.port, self.dir = port, workdir
        self.conf = workdir / "mosquitto.conf"
        (workdir / "data").mkdir(exist_ok=True)
        self.conf.write_text(
            # started as root, mosquitto drops to the user 'mosquitto', which cannot write
            # this private directory: then nothing persists and a restart loses the
            # sessions. Stay the user who runs the bench.
            f"user {getpass.getuser()}\n"
            f"listener {port} 127.0.0.1\nallow_anonymous true\n"
            f"persistence true\npersistence_location {workdir / 'data'}/\n"
            "autosave_interval 5\nmax_inflight_messages 0\nmax_queued_messages 0\n"
            "max_queued_bytes 0\nset_tcp_nodelay true\n"
            f"log_dest file {workdir / 'mosquitto.log'}\n", encoding="utf-8")
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.proc = subprocess.Popen([exe, "-c", str(self.conf)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"mosquitto did not start on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        self.proc = None


def bench_sensors(n: int) -> list[dict]:
    return [{"sensor_id": f"{PREFIX}{i:05d}", "name_zh": f"压测{i}", "name_en": f"bench {i}",
             "site": "BENCH", "kind": "pressure", "unit": "MPa", "lat": 30.4, "lon": 114.9,
             "range": [0.0, 10.0], "typical": 1.0,
             "thresholds": {"yellow": 8.0, "orange": 9.0, "red": 9.5},
             "calibrated_on": "2026-01-01", "interval_s": 5.0, "source": "bench"}
            for i in range(n)]


def make_store(kind: str, tmp: Path, sensors: list[dict]) -> tuple[str, callable]:
    """A fresh store with the bench sensors: (url, cleanup)."""
    from sqlalchemy import create_engine, text

    from command import store
    from command.store import warning as ws
    from command.store._engine import upgrade

    cleanup = lambda: None  # noqa: E731
    if kind == "postgresql":
        name = f"bench_warning_{os.getpid()}"
        admin = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/test",
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"

        def cleanup():
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        url = f"sqlite:///{tmp / 'bench.db'}"
    engine = store.engine_for(url)
    upgrade(engine)
    with store.session_scope(engine) as s:
        ws.sync_sensors(s, sensors, actor="bench")
    engine.dispose()
    return url, cleanup


def baseline(url: str, rate: int, sensors: int, seconds: float = 5.0) -> float:
    """Readings per second through Ingest.handle + flush, no broker."""
    from command import store
    from command.app.warning import registry_from_store
    from command.app.warning_ingest import Ingest
    from command.store import warning as ws

    engine = store.engine_for(url)
    ing = Ingest(engine, registry_from_store(engine), batch=500)
    t0, start, i = time.perf_counter(), utc_now() - timedelta(days=1), 0
    while time.perf_counter() - t0 < seconds:
        for _ in range(500):
            ing.handle(encode_message(f"{PREFIX}{i % sensors:05d}",
                                      start + timedelta(microseconds=i * 200), 1.0, "MPa"))
            i += 1
        ing.flush()
    rate_s = i / (time.perf_counter() - t0)
    with store.session_scope(engine) as s:
        ws.delete_readings(s, sensor_prefix=PREFIX)
    engine.dispose()
    return rate_s


def count(url: str) -> tuple[int, int]:
    """(rows, duplicated rows) of the bench sensors."""
    from sqlalchemy import text

    from command import store

    engine = store.engine_for(url)
    try:
        with engine.connect() as c:
            rows = c.execute(text("SELECT count(*) FROM sensor_readings WHERE sensor_id LIKE "
                                  f"'{PREFIX}%'")).scalar()
            dup = c.execute(text(
                "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM sensor_readings "
                f"WHERE sensor_id LIKE '{PREFIX}%' GROUP BY sensor_id, measured_at) g")).scalar()
    finally:
        engine.dispose()
    return int(rows), int(dup)


def missing(url: str, t_start, rate: int, total: int, sensors: int) -> list[list[int]]:
    """Ranges [first, last] of the publish indices of readings not in the store."""
    from sqlalchemy import text

    from command import store
    from command.clock import as_utc

    engine = store.engine_for(url)
    try:
        with engine.connect() as c:
            got = set()
            for _sid, at in c.execute(text("SELECT sensor_id, measured_at FROM sensor_readings "
                                          f"WHERE sensor_id LIKE '{PREFIX}%'")):
                if isinstance(at, str):
                    from datetime import datetime
                    at = datetime.fromisoformat(at)
                at = as_utc(at if at.tzinfo else at.replace(tzinfo=t_start.tzinfo), field="at")
                us = round((at - t_start).total_seconds() * 1_000_000)
                got.add(round(us * rate / 1_000_000))
    finally:
        engine.dispose()
    out: list[list[int]] = []
    for j in range(total):
        if j not in got:
            if out and out[-1][1] == j - 1:
                out[-1][1] = j
            else:
                out.append([j, j])
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rate", type=int, default=5000, help="readings per second")
    ap.add_argument("--minutes", type=float, default=10.0, help="minutes of publishing")
    ap.add_argument("--sensors", type=int, default=1000, help="bench sensors")
    ap.add_argument("--per-message", type=int, default=50, help="readings per message")
    ap.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--no-restart", action="store_true", help="keep the broker up")
    ap.add_argument("--down-s", type=float, default=1.0, help="seconds the broker stays down")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from command.warning.mqtt import publisher, topic_for

    tmp = Path(tempfile.mkdtemp(prefix="bench-warning-"))
    port = free_port()
    broker = Broker(tmp, port)
    url, cleanup = make_store(args.db, tmp, bench_sensors(args.sensors))
    ingest = None
    try:
        base = baseline(url, args.rate, args.sensors)
        print(f"baseline (no broker): {base:,.0f} readings/s", file=sys.stderr)
        broker.start()
        env = {**os.environ, "PYTHONPATH": str(REPO), "DATABASE_URL": url,
               "CC_DATA_DIR": str(tmp), "CC_MQTT_PORT": str(port),
               "CC_MQTT_CLIENT_ID": f"bench-ingest-{os.getpid()}"}
        ingest = subprocess.Popen([sys.executable, "-m", "command", "-v", "warning", "ingest",
                                   "--no-chain", "--json"], env=env, cwd=str(REPO),
                                  stdout=subprocess.PIPE,
                                  stderr=open(tmp / "ingest.log", "w"))  # noqa: SIM115
        time.sleep(3.0)  # the subscriber's session exists before the first message
        pub = publisher(client_id=f"bench-pub-{os.getpid()}", host="127.0.0.1", port=port,
                        max_inflight=5000)
        pub.loop_start()
        total = int(args.rate * args.minutes * 60)
        t_start = utc_now()
        restart_at = total // 2
        restarted = None
        mono0 = time.monotonic()
        published = 0
        lag_max = 0.0
        k = max(1, args.per_message)
        shown = 0
        while published < total:
            due = min(total, int((time.monotonic() - mono0) * args.rate) + 1)
            while published < due:
                batch = []
                for j in range(published, min(total, published + k)):
                    sid = f"{PREFIX}{j % args.sensors:05d}"
                    at = t_start + timedelta(microseconds=j * 1_000_000 // args.rate)
                    # a slow sawtooth: no spike, flat line or alarm
                    batch.append((sid, at, 1.0 + 0.005 * ((j // args.sensors) % 20), "MPa"))
                payload = (encode_message(*batch[0]) if k == 1 else encode_batch(batch))
                pub.publish(topic_for(f"gw{published // k % 20:02d}"), payload, qos=1)
                before, published = published, published + len(batch)
                if before < restart_at <= published and not args.no_restart:
                    threading.Thread(target=lambda: (broker.stop(), time.sleep(args.down_s),
                                                     broker.start()), daemon=True).start()
                    restarted = time.monotonic() - mono0
            lag_max = max(lag_max, time.monotonic() - mono0 - published / args.rate)
            time.sleep(0.002)
            if not args.json and published // (args.rate * 30) != shown:
                shown = published // (args.rate * 30)
                print(f"\r{published:,} published", end="", file=sys.stderr)
        pub_seconds = time.monotonic() - mono0
        # wait for the store to hold everything (or stop moving)
        last, last_change = -1, time.monotonic()
        while True:
            rows, _ = count(url)
            if rows != last:
                last, last_change = rows, time.monotonic()
                t_last_row = time.monotonic() - mono0
            if rows >= total or time.monotonic() - last_change > 60:
                break
            time.sleep(1.0)
        pub.loop_stop()
        pub.disconnect()
        ingest.send_signal(signal.SIGTERM)
        out, _ = ingest.communicate(timeout=60)
        counts = json.loads(out.decode().strip().splitlines()[-1]) if out.strip() else {}
        rows, dup = count(url)
        gaps = missing(url, t_start, args.rate, total, args.sensors) if rows < total else []
        sustained = rows / t_last_row if t_last_row else 0.0
        report = {"db": args.db, "rate_target": args.rate, "minutes": args.minutes,
                  "sensors": args.sensors, "published": total, "stored": rows,
                  "lost": total - rows, "duplicated": dup,
                  "redelivered": counts.get("duplicates"),
                  "rejected": counts.get("rejected"), "broker_restart_s": restarted,
                  "publish_seconds": round(pub_seconds, 1),
                  "publisher_lag_max_s": round(lag_max, 2),
                  "last_stored_s": round(t_last_row, 1),
                  "sustained_per_s": round(sustained, 1),
                  "baseline_per_s": round(base, 1), "ratio": round(sustained / base, 3),
                  "restart_at_reading": None if args.no_restart else restart_at,
                  "missing_ranges": gaps[:20]}
        if args.json:
            print(json.dumps(report))
        else:
            print()
            for k, v in report.items():
                print(f"{k:<22} {v}")
        return 0 if report["lost"] == 0 and report["duplicated"] == 0 else 1
    finally:
        if ingest is not None and ingest.poll() is None:
            ingest.kill()
        broker.stop()
        cleanup()
        if os.environ.get("BENCH_KEEP") is None:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept {tmp}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
