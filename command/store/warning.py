"""Risk early warning: sensors, their readings, alerts, faults and avoidance chains.

Owns: the tables of the early warning and their reads and writes. Readings are a time
series keyed by (sensor, time): :func:`insert_readings` writes a batch with one
statement and ignores a reading already stored (``INSERT OR IGNORE`` on SQLite, ``ON
CONFLICT DO NOTHING`` on PostgreSQL), so a message the broker delivers twice is stored
once. Readings are measurements, not changes of state: they write no audit entry (the
alarms and faults they cause do). Alerts, faults and chain steps write their audit entry
in the same transaction. Must not: decide levels, faults or lifecycle steps (see
:mod:`command.warning`), or combine with other areas (see :mod:`command.app.warning`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    delete,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from command.errors import StoreError
from command.store._tables import Base, _float, _name_time_columns, _str, _text, _time
from command.store._types import UTCDateTime, stamp, utc
from command.store.audit import append_audit

__all__ = [
    "SensorRow", "ReadingRow", "AlertRow", "FaultRow", "ChainRow", "ChainStepRow",
    "AlertRecord", "FaultRecord", "ChainRecord", "StepRecord",
    "sync_sensors", "list_sensors", "insert_readings", "readings", "downsampled",
    "latest_readings", "count_readings", "delete_readings",
    "open_alert_for", "save_alert", "get_alert", "list_alerts",
    "raise_fault", "clear_fault", "list_faults",
    "start_chain", "add_step", "finish_chain", "request_stop", "get_chain", "list_chains",
]


class SensorRow(Base):
    """A sensor of the registry; ``spec`` is its whole registry entry (JSON)."""

    __tablename__ = "sensors"
    sensor_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh: Mapped[str] = _str()
    name_en: Mapped[str] = _str()
    site: Mapped[str] = _str(64)
    hazard_id: Mapped[str | None] = _str(64, nullable=True)
    kind: Mapped[str] = _str(40)
    unit: Mapped[str] = _str(20)
    lat: Mapped[float] = _float()
    lon: Mapped[float] = _float()
    calibrated_on: Mapped[str] = _str(10)  # ISO date
    interval_s: Mapped[float] = _float()
    spec: Mapped[dict] = mapped_column(JSON, nullable=False)
    source: Mapped[str] = _text()


class ReadingRow(Base):
    """One reading. The primary key (sensor, time) is the de-duplication key; no foreign
    key (the ingest checks the sensor, and a reading outlives a sensor removed later)."""

    __tablename__ = "sensor_readings"
    sensor_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    value: Mapped[float] = mapped_column(Float, nullable=False)


class AlertRow(Base):
    __tablename__ = "warning_alerts"
    alert_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sensor_id: Mapped[str] = mapped_column(String(64), ForeignKey("sensors.sensor_id"),
                                           nullable=False, index=True)
    level: Mapped[str] = _str(10)
    state: Mapped[str] = _str(20)
    value: Mapped[float] = _float()
    opened_at: Mapped[datetime] = _time()
    raised_at: Mapped[datetime] = _time()
    acknowledged_by: Mapped[str | None] = _str(100, nullable=True)
    acknowledged_at: Mapped[datetime | None] = _time(nullable=True)
    escalations: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    escalated_at: Mapped[datetime | None] = _time(nullable=True)
    cleared: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    resolved_at: Mapped[datetime | None] = _time(nullable=True)
    __table_args__ = (
        CheckConstraint("state IN ('open', 'escalated', 'acknowledged', 'resolved')",
                        name="state"),
        CheckConstraint("level IN ('blue', 'yellow', 'orange', 'red')", name="level"),
        Index("ix_warning_alerts_state", "state"),
    )


class FaultRow(Base):
    __tablename__ = "warning_faults"
    fault_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sensor_id: Mapped[str] = mapped_column(String(64), ForeignKey("sensors.sensor_id"),
                                           nullable=False, index=True)
    code: Mapped[str] = _str(20)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    raised_at: Mapped[datetime] = _time()
    cleared_at: Mapped[datetime | None] = _time(nullable=True)


class ChainRow(Base):
    """One run of the automatic avoidance chain for a red alert at a hazard source."""

    __tablename__ = "avoidance_chains"
    chain_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(Integer, ForeignKey("warning_alerts.alert_id"),
                                          nullable=False, index=True)
    hazard_id: Mapped[str] = _str(64)
    status: Mapped[str] = _str(20)
    started_at: Mapped[datetime] = _time()
    finished_at: Mapped[datetime | None] = _time(nullable=True)
    stop_requested_by: Mapped[str | None] = _str(100, nullable=True)
    incident_id: Mapped[str | None] = _str(64, nullable=True)
    plan_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    __table_args__ = (
        CheckConstraint("status IN ('running', 'done', 'stopped', 'failed')", name="status"),
    )


class ChainStepRow(Base):
    __tablename__ = "avoidance_steps"
    step_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chain_id: Mapped[int] = mapped_column(Integer, ForeignKey("avoidance_chains.chain_id"),
                                          nullable=False, index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    step: Mapped[str] = _str(40)
    status: Mapped[str] = _str(20)
    at: Mapped[datetime] = _time()
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)


# errors name table.column for these tables too
_name_time_columns()


# --- sensors ----------------------------------------------------------------------------

def sync_sensors(session: Session, specs: Sequence[Mapping], *, actor: str = "system",
                 now: datetime | None = None) -> int:
    """Make the sensors table equal to ``specs`` (registry entries as JSON data, with
    ``calibrated_on`` as ISO text); one ``sensors.loaded`` audit entry when anything
    changed. Returns the number of sensors inserted, updated or deleted."""
    now = stamp(now)
    have = {r.sensor_id: r for r in session.scalars(select(SensorRow))}
    changed = 0
    want = set()
    for spec in specs:
        sid = spec["sensor_id"]
        want.add(sid)
        cols = {"name_zh": spec["name_zh"], "name_en": spec["name_en"], "site": spec["site"],
                "hazard_id": spec.get("hazard_id"), "kind": spec["kind"], "unit": spec["unit"],
                "lat": spec["lat"], "lon": spec["lon"],
                "calibrated_on": str(spec["calibrated_on"]), "interval_s": spec["interval_s"],
                "spec": dict(spec), "source": spec["source"]}
        row = have.get(sid)
        if row is None:
            session.add(SensorRow(sensor_id=sid, **cols))
            changed += 1
        elif any(getattr(row, k) != v for k, v in cols.items()):
            for k, v in cols.items():
                setattr(row, k, v)
            changed += 1
    gone = [sid for sid in have if sid not in want]
    for sid in gone:
        used = session.scalar(select(func.count()).select_from(AlertRow)
                              .where(AlertRow.sensor_id == sid))
        used += session.scalar(select(func.count()).select_from(FaultRow)
                               .where(FaultRow.sensor_id == sid))
        if not used:
            session.delete(have[sid])
            changed += 1
    if changed:
        session.flush()
        append_audit(session, actor=actor, action="sensors.loaded", subject="sensors",
                     payload={"sensors": len(want), "changes": changed}, at=now)
    return changed


def list_sensors(session: Session) -> list[dict]:
    """Every sensor's registry entry (JSON data), by id."""
    return [dict(r.spec) for r in session.scalars(select(SensorRow).order_by(SensorRow.sensor_id))]


# --- readings ---------------------------------------------------------------------------

def insert_readings(session: Session, rows: Iterable[tuple[str, datetime, float]]) -> int:
    """Write (sensor id, aware time, value) readings in one statement; a reading whose
    (sensor, time) is stored already is skipped. Returns how many were new."""
    data = [{"sensor_id": s, "measured_at": t, "value": v} for s, t, v in rows]
    if not data:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:  # pragma: no cover - the store runs on these two
        raise StoreError(f"readings cannot be de-duplicated on {dialect}")
    table = ReadingRow.__table__
    conn = session.connection()
    if dialect == "sqlite":  # executemany: sqlite3 reports the rows written
        stmt = dialect_insert(table).on_conflict_do_nothing(
            index_elements=["sensor_id", "measured_at"])
        return int(conn.execute(stmt, data).rowcount)
    # PostgreSQL: one multi-row INSERT per chunk (3 parameters a row, under its 65,535),
    # RETURNING the rows written, since psycopg's executemany reports no row count
    written = 0
    for i in range(0, len(data), 5000):
        stmt = (dialect_insert(table).values(data[i:i + 5000])
                .on_conflict_do_nothing(index_elements=["sensor_id", "measured_at"])
                .returning(table.c.sensor_id))
        written += len(conn.execute(stmt).all())
    return written


def readings(session: Session, sensor_id: str, *, since: datetime | None = None,
             until: datetime | None = None, limit: int | None = None) -> list[tuple[datetime, float]]:
    """(time, value) of one sensor in time order (the newest ``limit`` when given)."""
    stmt = select(ReadingRow.measured_at, ReadingRow.value).where(ReadingRow.sensor_id == sensor_id)
    if since is not None:
        stmt = stmt.where(ReadingRow.measured_at >= utc(since, field="since"))
    if until is not None:
        stmt = stmt.where(ReadingRow.measured_at <= utc(until, field="until"))
    if limit is not None:
        rows = session.execute(stmt.order_by(ReadingRow.measured_at.desc()).limit(limit)).all()
        return [(t, v) for t, v in reversed(rows)]
    return [(t, v) for t, v in session.execute(stmt.order_by(ReadingRow.measured_at))]


def downsampled(session: Session, sensor_id: str, *, since: datetime, until: datetime,
                points: int = 300) -> list[dict]:
    """The readings of one sensor between ``since`` and ``until`` in at most ``points``
    buckets of equal time: per bucket its start, the mean, min, max and count (a display
    view: the chart shows the envelope, not three million points)."""
    rows = readings(session, sensor_id, since=since, until=until)
    if not rows:
        return []
    span = max((until - since).total_seconds(), 1e-9)
    width = span / points
    out: dict[int, list] = {}
    for t, v in rows:
        k = min(points - 1, int((t - since).total_seconds() / width))
        out.setdefault(k, []).append((t, v))
    result = []
    for _k, group in sorted(out.items()):
        vals = [v for _, v in group]
        result.append({"at": group[0][0], "last_at": group[-1][0], "mean": sum(vals) / len(vals),
                       "min": min(vals), "max": max(vals), "n": len(vals),
                       "last": vals[-1]})
    return result


def latest_readings(session: Session) -> dict[str, tuple[datetime, float]]:
    """sensor id -> its newest (time, value)."""
    last = (select(ReadingRow.sensor_id, func.max(ReadingRow.measured_at).label("m"))
            .group_by(ReadingRow.sensor_id).subquery())
    stmt = select(ReadingRow.sensor_id, ReadingRow.measured_at, ReadingRow.value).join(
        last, (ReadingRow.sensor_id == last.c.sensor_id) & (ReadingRow.measured_at == last.c.m))
    return {s: (t, v) for s, t, v in session.execute(stmt)}


def count_readings(session: Session, *, sensor_prefix: str | None = None) -> int:
    stmt = select(func.count()).select_from(ReadingRow)
    if sensor_prefix:
        stmt = stmt.where(ReadingRow.sensor_id.startswith(sensor_prefix))
    return int(session.scalar(stmt))


def delete_readings(session: Session, *, sensor_prefix: str) -> int:
    """Remove the readings of sensors whose id starts with ``sensor_prefix`` (benches)."""
    return int(session.execute(delete(ReadingRow).where(
        ReadingRow.sensor_id.startswith(sensor_prefix))).rowcount or 0)


# --- alerts -----------------------------------------------------------------------------

@dataclass(frozen=True)
class AlertRecord:
    alert_id: int
    sensor_id: str
    level: str
    state: str
    value: float
    opened_at: datetime
    raised_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    escalations: int
    escalated_at: datetime | None
    cleared: bool
    resolved_at: datetime | None


_ALERT_FIELDS = ("level", "state", "value", "opened_at", "raised_at", "acknowledged_by",
                 "acknowledged_at", "escalations", "escalated_at", "cleared", "resolved_at")


def _alert(row: AlertRow) -> AlertRecord:
    return AlertRecord(row.alert_id, row.sensor_id, *(getattr(row, f) for f in _ALERT_FIELDS))


def open_alert_for(session: Session, sensor_id: str) -> AlertRecord | None:
    """The sensor's alert that is not resolved, if any."""
    row = session.scalars(select(AlertRow).where(AlertRow.sensor_id == sensor_id,
                                                 AlertRow.state != "resolved")
                          .order_by(AlertRow.alert_id.desc()).limit(1)).first()
    return None if row is None else _alert(row)


def save_alert(session: Session, data: Mapping, *, actor: str, action: str,
               now: datetime | None = None) -> AlertRecord:
    """Insert (no ``alert_id``) or update an alert from the fields of
    :class:`command.warning.alerts.Alert` (plus ``value``), with the audit entry
    ``action`` (``alert.opened``, ``alert.raised``, ``alert.acknowledged`` ...)."""
    now = stamp(now)
    cols = {f: data[f] for f in _ALERT_FIELDS if f in data}
    alert_id = data.get("alert_id")
    if alert_id is None:
        row = AlertRow(sensor_id=data["sensor_id"], **cols)
        session.add(row)
    else:
        row = session.get(AlertRow, alert_id)
        if row is None:
            raise StoreError(f"no alert {alert_id}")
        for k, v in cols.items():
            setattr(row, k, v)
    session.flush()
    append_audit(session, actor=actor, action=action, subject=f"alert:{row.alert_id}",
                 payload={"sensor_id": row.sensor_id, "level": row.level, "state": row.state,
                          "value": row.value, "escalations": row.escalations}, at=now)
    return _alert(row)


def get_alert(session: Session, alert_id: int) -> AlertRecord | None:
    row = session.get(AlertRow, alert_id)
    return None if row is None else _alert(row)


def list_alerts(session: Session, *, unresolved: bool = False,
                limit: int = 200) -> list[AlertRecord]:
    """Alerts, newest first (only those not resolved with ``unresolved``)."""
    stmt = select(AlertRow).order_by(AlertRow.alert_id.desc()).limit(limit)
    if unresolved:
        stmt = stmt.where(AlertRow.state != "resolved")
    return [_alert(r) for r in session.scalars(stmt)]


# --- faults -----------------------------------------------------------------------------

@dataclass(frozen=True)
class FaultRecord:
    fault_id: int
    sensor_id: str
    code: str
    value: float | None
    raised_at: datetime
    cleared_at: datetime | None


def _fault(r: FaultRow) -> FaultRecord:
    return FaultRecord(r.fault_id, r.sensor_id, r.code, r.value, r.raised_at, r.cleared_at)


def raise_fault(session: Session, sensor_id: str, code: str, *, at: datetime,
                value: float | None = None, actor: str = "system") -> FaultRecord | None:
    """Record a fault of a sensor (``fault.raised``); None when the same fault is active
    already (de-duplicated)."""
    at = stamp(at, field="at")
    active = session.scalars(select(FaultRow).where(
        FaultRow.sensor_id == sensor_id, FaultRow.code == code,
        FaultRow.cleared_at.is_(None))).first()
    if active is not None:
        return None
    row = FaultRow(sensor_id=sensor_id, code=code, value=value, raised_at=at)
    session.add(row)
    session.flush()
    append_audit(session, actor=actor, action="fault.raised", subject=f"sensor:{sensor_id}",
                 payload={"code": code, "value": value, "fault_id": row.fault_id}, at=at)
    return _fault(row)


def clear_fault(session: Session, sensor_id: str, code: str, *, at: datetime,
                actor: str = "system") -> FaultRecord | None:
    """Mark the sensor's active ``code`` fault cleared (``fault.cleared``); None if none."""
    at = stamp(at, field="at")
    row = session.scalars(select(FaultRow).where(
        FaultRow.sensor_id == sensor_id, FaultRow.code == code,
        FaultRow.cleared_at.is_(None))).first()
    if row is None:
        return None
    row.cleared_at = at
    append_audit(session, actor=actor, action="fault.cleared", subject=f"sensor:{sensor_id}",
                 payload={"code": code, "fault_id": row.fault_id}, at=at)
    return _fault(row)


def list_faults(session: Session, *, active: bool = False, limit: int = 200) -> list[FaultRecord]:
    """Faults, newest first (only those not cleared with ``active``)."""
    stmt = select(FaultRow).order_by(FaultRow.fault_id.desc()).limit(limit)
    if active:
        stmt = stmt.where(FaultRow.cleared_at.is_(None))
    return [_fault(r) for r in session.scalars(stmt)]


# --- avoidance chains -------------------------------------------------------------------

@dataclass(frozen=True)
class StepRecord:
    seq: int
    step: str
    status: str
    at: datetime
    payload: dict


@dataclass(frozen=True)
class ChainRecord:
    chain_id: int
    alert_id: int
    hazard_id: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    stop_requested_by: str | None
    incident_id: str | None
    plan_id: int | None
    steps: tuple[StepRecord, ...]


def _chain(session: Session, row: ChainRow) -> ChainRecord:
    steps = session.scalars(select(ChainStepRow).where(ChainStepRow.chain_id == row.chain_id)
                            .order_by(ChainStepRow.seq))
    return ChainRecord(row.chain_id, row.alert_id, row.hazard_id, row.status, row.started_at,
                       row.finished_at, row.stop_requested_by, row.incident_id, row.plan_id,
                       tuple(StepRecord(s.seq, s.step, s.status, s.at, dict(s.payload))
                             for s in steps))


def start_chain(session: Session, *, alert_id: int, hazard_id: str, actor: str,
                now: datetime | None = None) -> int:
    """A new running chain for ``alert_id`` (``avoidance.started``); its id."""
    now = stamp(now)
    row = ChainRow(alert_id=alert_id, hazard_id=hazard_id, status="running", started_at=now)
    session.add(row)
    session.flush()
    append_audit(session, actor=actor, action="avoidance.started",
                 subject=f"avoidance:{row.chain_id}",
                 payload={"alert_id": alert_id, "hazard_id": hazard_id}, at=now)
    return row.chain_id


def add_step(session: Session, chain_id: int, step: str, *, status: str = "done",
             payload: Mapping | None = None, summary: Mapping | None = None, actor: str,
             now: datetime | None = None, incident_id: str | None = None,
             plan_id: int | None = None) -> StepRecord:
    """Record step ``step`` of a chain (``avoidance.step``; the audit entry carries
    ``summary``, the step row the whole ``payload``)."""
    from command.store.audit import to_json_data

    now = stamp(now)
    row = session.get(ChainRow, chain_id)
    if row is None:
        raise StoreError(f"no avoidance chain {chain_id}")
    seq = 1 + int(session.scalar(select(func.count()).select_from(ChainStepRow)
                                 .where(ChainStepRow.chain_id == chain_id)))
    data = to_json_data(dict(payload or {}))
    session.add(ChainStepRow(chain_id=chain_id, seq=seq, step=step, status=status, at=now,
                             payload=data))
    if incident_id is not None:
        row.incident_id = incident_id
    if plan_id is not None:
        row.plan_id = plan_id
    session.flush()
    append_audit(session, actor=actor, action="avoidance.step", subject=f"avoidance:{chain_id}",
                 payload={"step": step, "status": status, "seq": seq, **dict(summary or {})},
                 at=now)
    return StepRecord(seq, step, status, now, data)


def finish_chain(session: Session, chain_id: int, status: str, *, actor: str,
                 now: datetime | None = None, detail: str = "") -> None:
    """End a running chain as ``done``, ``stopped`` or ``failed`` (``avoidance.<status>``)."""
    now = stamp(now)
    row = session.get(ChainRow, chain_id)
    if row is None:
        raise StoreError(f"no avoidance chain {chain_id}")
    if row.status != "running":
        return
    row.status, row.finished_at = status, now
    append_audit(session, actor=actor, action=f"avoidance.{status}",
                 subject=f"avoidance:{chain_id}", payload={"detail": detail}, at=now)


def request_stop(session: Session, chain_id: int, *, actor: str,
                 now: datetime | None = None) -> ChainRecord:
    """The duty officer asks a running chain to stop at its next step
    (``avoidance.stop_requested``)."""
    now = stamp(now)
    row = session.get(ChainRow, chain_id)
    if row is None:
        raise StoreError(f"no avoidance chain {chain_id}")
    if row.status != "running":
        raise StoreError(f"avoidance chain {chain_id} is {row.status}: there is nothing to stop")
    if row.stop_requested_by is None:
        row.stop_requested_by = actor
        session.flush()
        append_audit(session, actor=actor, action="avoidance.stop_requested",
                     subject=f"avoidance:{chain_id}", at=now)
    return _chain(session, row)


def get_chain(session: Session, chain_id: int) -> ChainRecord | None:
    row = session.get(ChainRow, chain_id)
    return None if row is None else _chain(session, row)


def list_chains(session: Session, *, limit: int = 20) -> list[ChainRecord]:
    """Chains, newest first."""
    rows = session.scalars(select(ChainRow).order_by(ChainRow.chain_id.desc()).limit(limit))
    return [_chain(session, r) for r in rows]
