"""Risk early warning: the use cases over the store.

Owns: seeding the sensor registry into the store; writing a batch of readings together
with the alerts and faults its events open, raise, clear and resolve (one transaction,
each alert and fault audited); acknowledging an alert as an authenticated user; the
escalation job; what the warning page and ``warning sensors`` read (each sensor's state,
a downsampled chart with its thresholds and predicted crossing, open alerts, active
faults). Must not: parse messages or decide levels (see :mod:`command.warning`), talk to
the broker (see :mod:`command.app.warning_ingest`), or know who may act (callers check
the role).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, replace
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from command import store
from command.clock import as_utc, utc_now
from command.store import warning as ws
from command.warning import alerts as lifecycle
from command.warning.analysis import Event
from command.warning.messages import Reading
from command.warning.registry import Registry, SensorSpec, load_registry
from command.warning.thresholds import RANK, raw_level

__all__ = ["load_sensor_registry", "seed_sensors", "registry_from_store", "record_batch",
           "acknowledge", "escalate_due", "sensor_states", "chart", "open_alerts",
           "active_faults", "BatchResult"]


def load_sensor_registry(settings, *, dataset=None) -> Registry:
    """The registry file of the settings (checked against the data set's hazard sources
    when ``dataset`` is given)."""
    ids = {h.hazard_id for h in dataset.hazard_sources} if dataset is not None else None
    return load_registry(settings.sensors_file, hazard_ids=ids)


def _spec_json(spec: SensorSpec) -> dict:
    return spec.model_dump(mode="json")


def seed_sensors(engine: Engine, settings, dataset, *, actor: str = "system",
                 now: datetime | None = None) -> int:
    """Make the store's sensors equal to the registry file (``db init``); how many
    changed (0 when equal, or when the data set has no registry file)."""
    if not settings.sensors_file.is_file():
        return 0
    reg = load_sensor_registry(settings, dataset=dataset)
    with store.session_scope(engine) as s:
        return ws.sync_sensors(s, [_spec_json(x) for x in reg.sensors], actor=actor, now=now)


def registry_from_store(engine: Engine) -> dict[str, SensorSpec]:
    """sensor id -> spec, as the store holds them."""
    with store.session_scope(engine, read_only=True) as s:
        return {d["sensor_id"]: SensorSpec.model_validate(d) for d in ws.list_sensors(s)}


class BatchResult:
    """What :func:`record_batch` wrote: ``stored`` readings (new ones), ``opened`` and
    ``raised`` alerts (their records), ``red`` (alerts that just reached red), faults
    ``raised`` and ``cleared``."""

    __slots__ = ("stored", "opened", "raised", "red", "faults", "faults_cleared", "cleared")

    def __init__(self) -> None:
        self.stored = 0
        self.opened: list = []
        self.raised: list = []
        self.red: list = []
        self.faults: list = []
        self.faults_cleared: list = []
        self.cleared: list = []


def record_batch(engine: Engine, readings: Sequence[Reading], events: Iterable[Event], *,
                 actor: str = "ingest", now: datetime | None = None) -> BatchResult:
    """Write ``readings`` (duplicates skipped) and apply the analyser's ``events`` in one
    transaction: an ``alarm`` opens the sensor's alert or raises its level, an
    ``alarm_cleared`` clears it (resolved if acknowledged), a ``fault`` and a
    ``fault_cleared`` record the fault. Each alert and fault change is audited as
    ``actor``."""
    now = as_utc(now or utc_now(), field="now")
    out = BatchResult()
    with store.session_scope(engine) as s:
        if readings:
            out.stored = ws.insert_readings(
                s, [(r.sensor_id, r.measured_at, r.value) for r in readings])
        for e in events:
            if e.kind == "alarm":
                rec = ws.open_alert_for(s, e.sensor_id)
                if rec is None:
                    a = lifecycle.open_alert(e.sensor_id, e.level, now=e.at)
                    rec = ws.save_alert(s, {**_alert_data(a), "value": e.value}, actor=actor,
                                        action="alert.opened", now=now)
                    out.opened.append(rec)
                elif RANK[e.level] > RANK[rec.level] or rec.cleared:
                    a = lifecycle.raise_level(_alert_of(rec), e.level, now=e.at)
                    if RANK[e.level] <= RANK[rec.level]:  # back after clearing unseen
                        a = replace(a, cleared=False)
                    rec = ws.save_alert(s, {**_alert_data(a), "value": e.value}, actor=actor,
                                        action="alert.raised", now=now)
                    out.raised.append(rec)
                else:
                    continue
                if rec.level == "red":
                    out.red.append(rec)
            elif e.kind == "alarm_cleared":
                rec = ws.open_alert_for(s, e.sensor_id)
                if rec is not None and not rec.cleared:
                    a = lifecycle.clear(_alert_of(rec), now=e.at)
                    out.cleared.append(ws.save_alert(s, {**_alert_data(a), "value": e.value},
                                                     actor=actor, action="alert.cleared",
                                                     now=now))
            elif e.kind == "fault":
                f = ws.raise_fault(s, e.sensor_id, e.code, at=e.at, value=e.value, actor=actor)
                if f is not None:
                    out.faults.append(f)
            elif e.kind == "fault_cleared":
                f = ws.clear_fault(s, e.sensor_id, e.code, at=e.at, actor=actor)
                if f is not None:
                    out.faults_cleared.append(f)
    return out


def _alert_of(rec: ws.AlertRecord) -> lifecycle.Alert:
    return lifecycle.Alert(rec.sensor_id, rec.level, rec.state, rec.opened_at, rec.raised_at,
                           rec.acknowledged_by, rec.acknowledged_at, rec.escalations,
                           rec.escalated_at, rec.cleared, rec.resolved_at, rec.alert_id)


def _alert_data(a: lifecycle.Alert) -> dict:
    return asdict(a)


def acknowledge(engine: Engine, alert_id: int, user: str, *,
                now: datetime | None = None) -> ws.AlertRecord:
    """``user`` (the authenticated user) acknowledges alert ``alert_id``
    (``alert.acknowledged``; resolved at once if its readings are back to normal).

    Raises
    ------
    StoreError
        No such alert.
    AlertError
        The alert is acknowledged or resolved already.
    """
    from command.errors import StoreError

    now = as_utc(now or utc_now(), field="now")
    with store.session_scope(engine) as s:
        rec = ws.get_alert(s, alert_id)
        if rec is None:
            raise StoreError(f"no alert {alert_id}")
        a = lifecycle.acknowledge(_alert_of(rec), user, now=now)
        return ws.save_alert(s, {**_alert_data(a), "value": rec.value}, actor=user,
                             action="alert.acknowledged", now=now)


def escalate_due(engine: Engine, *, now: datetime, ack_timeout_s: float,
                 actor: str = "system") -> list[dict]:
    """Escalate every alert nobody acknowledged within ``ack_timeout_s`` at ``now``
    (``alert.escalated``, to :data:`command.warning.alerts.ESCALATE_TO`); the alerts
    escalated now."""
    now = as_utc(now, field="now")
    done = []
    with store.session_scope(engine) as s:
        for rec in ws.list_alerts(s, unresolved=True, limit=10_000):
            a = _alert_of(rec)
            if not lifecycle.escalation_due(a, now=now, ack_timeout_s=ack_timeout_s):
                continue
            a = lifecycle.escalate(a, now=now, ack_timeout_s=ack_timeout_s)
            r = ws.save_alert(s, {**_alert_data(a), "value": rec.value}, actor=actor,
                              action="alert.escalated", now=now)
            to = lifecycle.ESCALATE_TO[min(a.escalations, len(lifecycle.ESCALATE_TO)) - 1]
            done.append({"alert_id": r.alert_id, "sensor_id": r.sensor_id, "level": r.level,
                         "escalations": r.escalations, "to": to})
    return done


def _alert_dict(rec: ws.AlertRecord, spec: SensorSpec | None) -> dict:
    return {**asdict(rec), "site": spec.site if spec else "", "hazard_id": spec.hazard_id
            if spec else None, "name_zh": spec.name_zh if spec else rec.sensor_id,
            "name_en": spec.name_en if spec else rec.sensor_id,
            "unit": spec.unit if spec else ""}


def open_alerts(engine: Engine) -> list[dict]:
    """Alerts not resolved, most severe and newest first, with their sensor's names."""
    sensors = registry_from_store(engine)
    with store.session_scope(engine, read_only=True) as s:
        recs = ws.list_alerts(s, unresolved=True)
    recs.sort(key=lambda r: (-RANK[r.level], -r.alert_id))
    return [_alert_dict(r, sensors.get(r.sensor_id)) for r in recs]


def active_faults(engine: Engine) -> list[dict]:
    """Faults not cleared, newest first."""
    with store.session_scope(engine, read_only=True) as s:
        return [asdict(f) for f in ws.list_faults(s, active=True)]


def sensor_states(engine: Engine, *, now: datetime | None = None) -> list[dict]:
    """Every sensor with its latest reading and state: ``fault`` (an active fault),
    ``stale`` (silent for more than three intervals), the level of its open alert or of
    its latest reading (``red`` ... ``blue``), else ``ok`` (``unknown`` before any
    reading)."""
    from command.warning.faults import is_stale

    now = as_utc(now or utc_now(), field="now")
    sensors = registry_from_store(engine)
    with store.session_scope(engine, read_only=True) as s:
        latest = ws.latest_readings(s)
        alerts = {a.sensor_id: a for a in ws.list_alerts(s, unresolved=True, limit=10_000)}
        faults: dict[str, list[str]] = {}
        for f in ws.list_faults(s, active=True, limit=10_000):
            faults.setdefault(f.sensor_id, []).append(f.code)
    rows = []
    for sid, spec in sensors.items():
        at, value = latest.get(sid, (None, None))
        level = "none"
        if value is not None and spec.thresholds is not None:
            level = raw_level(value, spec.thresholds)
        if sid in alerts and RANK[alerts[sid].level] > RANK[level]:
            level = alerts[sid].level
        if faults.get(sid):
            state = "fault"
        elif at is None:
            state = "unknown"
        elif is_stale(at, now, spec.interval_s):
            state = "stale"
        else:
            state = level if level != "none" else "ok"
        rows.append({"sensor_id": sid, "name_zh": spec.name_zh, "name_en": spec.name_en,
                     "site": spec.site, "hazard_id": spec.hazard_id, "kind": spec.kind,
                     "unit": spec.unit, "lat": spec.lat, "lon": spec.lon, "value": value,
                     "at": at, "state": state, "faults": sorted(faults.get(sid, [])),
                     "alert_id": alerts[sid].alert_id if sid in alerts else None,
                     "calibrated_on": spec.calibrated_on.isoformat(),
                     "interval_s": spec.interval_s})
    return rows


def chart(engine: Engine, sensor_id: str, *, minutes: float = 30.0,
          now: datetime | None = None, points: int = 300, window: int = 30) -> dict:
    """What the page's chart of one sensor shows over the last ``minutes``: the
    downsampled series (``series``: at, mean, min, max), the thresholds, and the
    prediction (Theil-Sen over the last ``window`` readings) of when it reaches the next
    threshold above its latest reading (``prediction``: grade, threshold, crossing_at,
    rate_per_min, minutes_to_threshold; None without a rising trend or threshold)."""
    from command.errors import StoreError
    from command.warning.thresholds import next_threshold
    from command.warning.trend import predict_from_times

    now = as_utc(now or utc_now(), field="now")
    sensors = registry_from_store(engine)
    spec = sensors.get(sensor_id)
    if spec is None:
        raise StoreError(f"no sensor {sensor_id}")
    since = now - timedelta(minutes=minutes)
    with store.session_scope(engine, read_only=True) as s:
        series = ws.downsampled(s, sensor_id, since=since, until=now, points=points)
        recent = ws.readings(s, sensor_id, until=now, limit=window)
    prediction = None
    if spec.thresholds is not None and len(recent) >= 2:
        level = raw_level(recent[-1][1], spec.thresholds)
        nxt = next_threshold(level, spec.thresholds)
        if nxt is not None:
            try:
                p, at = predict_from_times([t for t, _ in recent], [v for _, v in recent],
                                           nxt[1], window=window)
            except ValueError:
                p, at = None, None
            if p is not None:
                prediction = {"grade": nxt[0], "threshold": nxt[1], "crossing_at": at,
                              "rate_per_min": p.rate_per_min,
                              "minutes_to_threshold": p.minutes_to_threshold}
    return {"sensor": _spec_json(spec), "since": since, "until": now, "series": series,
            "thresholds": spec.thresholds.items() if spec.thresholds else [],
            "prediction": prediction}
