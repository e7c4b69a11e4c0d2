"""The sensor ingest: MQTT messages in, readings, alarms, faults and chains out.

:class:`Ingest` is the process's state: the registry, the
:class:`~command.warning.analysis.Analyser`, a batch of readings and events not yet
written, the counters, and the message ids not yet acknowledged. Each message is
validated at the boundary (:func:`command.warning.messages.parse_payload`); a refused one
is counted by its reason, logged, acknowledged and never stored. A valid one goes
through the analyser and joins the batch; the batch is written in one transaction
(:func:`command.app.warning.record_batch`) when it is full or ``flush_s`` old, and only
then are its messages acknowledged to the broker, so a crash loses nothing (the broker
sends them again; the store's key drops the repeats).

:func:`run_ingest` is ``command-center warning ingest``: the broker connection, the
flush, stale and escalation clocks, and the avoidance chain in a worker thread for red
alerts at hazard sources. It never runs inside the dashboard.
"""

from __future__ import annotations

import logging
import queue
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from command.app import warning as app
from command.clock import utc_now
from command.warning.analysis import Analyser, Event
from command.warning.messages import Reading, Rejected, encode_message, parse_payload
from command.warning.registry import SensorSpec

__all__ = ["Ingest", "run_ingest", "publish_readings", "read_replay", "ReplayReading"]

log = logging.getLogger(__name__)

#: Refused messages logged one by one per reason before only every 1000th is.
_LOG_FIRST = 20


class Ingest:
    """Validate, analyse and batch-write sensor messages (thread-safe).

    Parameters
    ----------
    engine : the store.
    sensors : sensor id -> spec (the registry).
    batch : readings per transaction.
    max_future_s : a reading timed further ahead of ``clock()`` is refused.
    on_red : called with (alert record, sensor spec) for each alert that reaches red at a
        sensor watching a hazard source, after its batch is written.
    ack : called with each message id once it is stored (or refused).
    clock : the time now (aware UTC).
    """

    def __init__(self, engine: Engine, sensors: Mapping[str, SensorSpec], *, batch: int = 500,
                 max_future_s: float = 60.0, on_red: Callable | None = None,
                 ack: Callable[[int], None] | None = None,
                 clock: Callable[[], datetime] = utc_now, actor: str = "ingest") -> None:
        self.engine, self.sensors = engine, dict(sensors)
        self.batch, self.max_future_s = batch, max_future_s
        self.on_red, self.ack, self.clock, self.actor = on_red, ack, clock, actor
        self.analyser = Analyser(self.sensors)
        self._lock = threading.RLock()
        self._readings: list[Reading] = []
        self._events: list[Event] = []
        self._mids: list[int] = []
        self._oldest: float | None = None
        self.messages = self.received = self.stored = self.duplicates = 0
        self.rejected: Counter = Counter()
        self.events: Counter = Counter()
        self.write_errors = 0

    # -- messages ------------------------------------------------------------------------
    def handle(self, payload: bytes, mid: int | None = None, *,
               now: datetime | None = None) -> list[Reading | Rejected]:
        """Take one message (one reading, or a gateway's array); write the batch when it
        is full."""
        results = parse_payload(payload, self.sensors, now=now or self.clock(),
                                max_future_s=self.max_future_s)
        with self._lock:
            self.messages += 1
            for got in results:
                self.received += 1
                if isinstance(got, Rejected):
                    self.rejected[got.reason] += 1
                    n = self.rejected[got.reason]
                    if n <= _LOG_FIRST or n % 1000 == 0:
                        log.warning("sensor reading refused (%s, %d so far): %s%s", got.reason,
                                    n, got.detail,
                                    f" [sensor {got.sensor_id}]" if got.sensor_id else "")
                else:
                    self._readings.append(got)
                    self._events += self.analyser.observe(got)
            if mid is not None:
                self._mids.append(mid)
            if self._oldest is None:
                self._oldest = time.monotonic()
            if len(self._readings) >= self.batch:
                self._flush()
        return results

    def on_mqtt(self, _topic: str, payload: bytes, mid: int) -> None:
        """The subscriber's callback."""
        self.handle(payload, mid)

    # -- clocks --------------------------------------------------------------------------
    def due(self, flush_s: float) -> bool:
        with self._lock:
            return self._oldest is not None and time.monotonic() - self._oldest >= flush_s

    def tick(self, now: datetime | None = None) -> None:
        """Stale checks at ``now``; their faults join the batch."""
        with self._lock:
            self._events += self.analyser.tick(now or self.clock())

    def flush(self, now: datetime | None = None) -> app.BatchResult | None:
        """Write what is pending now."""
        with self._lock:
            return self._flush(now)

    def _flush(self, now: datetime | None = None) -> app.BatchResult | None:
        if not (self._readings or self._events or self._mids):
            self._oldest = None
            return None
        try:
            result = app.record_batch(self.engine, self._readings, self._events,
                                      actor=self.actor, now=now or self.clock())
        except Exception:  # keep the batch, unacknowledged, and try again at the next flush
            self.write_errors += 1
            log.exception("writing %d readings failed; kept for the next try",
                          len(self._readings))
            return None
        n = len(self._readings)
        if result.stored >= 0:
            self.stored += result.stored
            self.duplicates += n - result.stored
        for e in self._events:
            self.events[e.kind] += 1
        mids, self._mids = self._mids, []
        self._readings, self._events, self._oldest = [], [], None
        if self.ack is not None:
            for mid in mids:
                self.ack(mid)
        if self.on_red is not None:
            for rec in result.red:
                spec = self.sensors.get(rec.sensor_id)
                if spec is not None and spec.hazard_id:
                    self.on_red(rec, spec)
        return result

    def counts(self) -> dict:
        with self._lock:
            return {"messages": self.messages, "received": self.received, "stored": self.stored,
                    "duplicates": self.duplicates, "rejected": sum(self.rejected.values()),
                    "rejected_by_reason": dict(self.rejected), "events": dict(self.events),
                    "write_errors": self.write_errors}


class ChainWorker:
    """Runs the avoidance chain for red alerts one at a time, off the message thread;
    one chain per alert."""

    def __init__(self, engine: Engine, network, dataset, settings) -> None:
        self.engine, self.network, self.dataset, self.settings = engine, network, dataset, settings
        self._q: queue.Queue = queue.Queue()
        self._seen: set[int] = set()
        self._t = threading.Thread(target=self._run, name="avoidance-chain", daemon=True)
        self._t.start()

    def __call__(self, alert, spec: SensorSpec) -> None:
        if alert.alert_id not in self._seen:
            self._seen.add(alert.alert_id)
            self._q.put((alert, spec))

    def _run(self) -> None:
        from command.app.avoidance import run_chain

        while True:
            item = self._q.get()
            if item is None:
                return
            alert, spec = item
            try:
                run_chain(self.engine, self.network, self.dataset, self.settings,
                          alert_id=alert.alert_id, hazard_id=spec.hazard_id, actor="system")
            except Exception:
                log.exception("the avoidance chain for alert %s failed", alert.alert_id)

    def close(self) -> None:
        self._q.put(None)
        self._t.join(timeout=30)


def run_ingest(settings, *, seconds: float | None = None, chain: bool = True,
               stop: threading.Event | None = None) -> dict:
    """``command-center warning ingest``: subscribe and ingest until SIGINT/SIGTERM,
    ``stop`` or ``seconds``; returns the counts.

    Raises
    ------
    StoreError
        When the store has no sensors (run ``command-center db init``).
    """
    from command.errors import StoreError
    from command.store import engine_for
    from command.warning.mqtt import subscriber

    engine = engine_for(settings)
    sensors = app.registry_from_store(engine)
    if not sensors:
        raise StoreError("the store has no sensors: run `command-center db init`")
    worker = None
    if chain:
        from command import roads
        from command.resources import load_dataset

        worker = ChainWorker(engine, roads.load_network(settings),
                             load_dataset(settings.resources_dir), settings)
    ingest = Ingest(engine, sensors, batch=settings.ingest_batch,
                    max_future_s=settings.max_future_s, on_red=worker)
    client = subscriber(client_id=settings.mqtt_client_id, host=settings.mqtt_host,
                        port=settings.mqtt_port, on_message=ingest.on_mqtt)
    ingest.ack = lambda mid: client.ack(mid, 1)
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    client.loop_start()
    started = time.monotonic()
    last_tick = last_escalate = last_log = 0.0
    try:
        while not stop.is_set():
            if seconds is not None and time.monotonic() - started >= seconds:
                break
            stop.wait(min(0.05, settings.ingest_flush_s))
            t = time.monotonic()
            if t - last_tick >= 1.0:
                ingest.tick()
                last_tick = t
            if ingest.due(settings.ingest_flush_s):
                ingest.flush()
            if t - last_log >= 10.0:
                log.info("ingest: %s", ingest.counts())
                last_log = t
            if t - last_escalate >= 30.0:
                app.escalate_due(engine, now=utc_now(),
                                 ack_timeout_s=settings.alert_ack_timeout_s)
                last_escalate = t
    finally:
        ingest.flush()
        client.loop_stop()
        client.disconnect()
        if worker is not None:
            worker.close()
        engine.dispose()
    return ingest.counts()


# --- publishing (simulator, replay, benches) ---------------------------------------------

@dataclass(frozen=True)
class ReplayReading:
    """One row of a replay file."""

    sensor_id: str
    measured_at: datetime
    value: float
    unit: str


def read_replay(path: str | Path) -> list[ReplayReading]:
    """A replay CSV (``measured_at,sensor_id,value,unit``; ISO 8601 times with a zone),
    sorted by time. Values are not checked here: the ingest refuses what it must.

    Raises
    ------
    DataError
        A missing column, a bad time (every bad row at once).
    """
    import csv

    from command.errors import DataError, Problem

    name = str(path)
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise DataError(f"cannot read {name}: {exc.strerror}") from None
    need = {"measured_at", "sensor_id", "value", "unit"}
    if rows and not need <= set(rows[0]):
        raise DataError(f"the replay file {name} is invalid.", [Problem(
            f"the header must name {', '.join(sorted(need))}", file=name, row=1,
            field="header", value=",".join(rows[0]))])
    out, problems = [], []
    for i, r in enumerate(rows, start=2):
        try:
            at = datetime.fromisoformat(r["measured_at"].strip().replace("Z", "+00:00"))
            if at.tzinfo is None:
                raise ValueError
        except (ValueError, AttributeError):
            problems.append(Problem("an ISO 8601 time with a zone", file=name, row=i,
                                    field="measured_at", value=r["measured_at"]))
            continue
        try:
            value = float(r["value"])
        except (TypeError, ValueError):
            problems.append(Problem("must be a number", file=name, row=i, field="value",
                                    value=r["value"]))
            continue
        out.append(ReplayReading(r["sensor_id"], at, value, r["unit"]))
    if problems:
        raise DataError(f"the replay file {name} is invalid.", problems)
    out.sort(key=lambda x: x.measured_at)
    return out


def publish_readings(readings: Sequence, *, host: str, port: int, speed: float = 1.0,
                     client_id: str = "ezhou-warning-publisher",
                     progress: Callable[[int], None] | None = None,
                     restamp: bool = True, timeout_s: float = 60.0) -> dict:
    """Publish readings (``sensor_id``, ``measured_at``, ``value``, ``unit``) to their
    topics with QoS 1, paced by their times divided by ``speed``.

    With ``restamp`` (the default) each message carries the time it is published
    (``now + (t - t0) / speed``), so a drill replayed ten times faster happens now;
    otherwise the original times. Returns ``published`` and ``seconds``.
    """
    from command.errors import CommandError
    from command.warning.mqtt import publisher, topic_for, wait_connected, wait_published

    if not readings:
        return {"published": 0, "seconds": 0.0}
    client = publisher(client_id=client_id, host=host, port=port)
    client.loop_start()
    if not wait_connected(client, timeout_s=10.0):
        client.loop_stop()
        raise CommandError(f"the MQTT broker at {host}:{port} does not answer")
    t0 = readings[0].measured_at
    wall0, mono0 = utc_now(), time.monotonic()
    infos = []
    try:
        for i, r in enumerate(readings, start=1):
            offset = (r.measured_at - t0).total_seconds() / speed
            wait = offset - (time.monotonic() - mono0)
            if wait > 0:
                time.sleep(wait)
            at = wall0 + timedelta(seconds=offset) if restamp else r.measured_at
            infos.append(client.publish(topic_for(r.sensor_id),
                                        encode_message(r.sensor_id, at, r.value, r.unit), qos=1))
            if progress is not None and i % 100 == 0:
                progress(i)
        acked = wait_published(infos, timeout_s=timeout_s)
    finally:
        client.disconnect()
        client.loop_stop()
    return {"published": len(infos), "acknowledged": acked,
            "seconds": time.monotonic() - mono0}
