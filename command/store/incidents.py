"""Incidents in the store: create, list, close. Drill incidents are kept apart from live
ones by ``is_drill`` and never appear in a live list (or the other way round)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from command.clock import as_utc
from command.errors import Problem, StoreError
from command.model import INCIDENT_TYPES, Incident
from command.store._tables import IncidentRow
from command.store._types import stamp
from command.store.audit import append_audit

__all__ = ["IncidentRecord", "create_incident", "close_incident", "get_incident",
           "list_incidents", "INCIDENT_STATUSES"]

INCIDENT_STATUSES: tuple[str, ...] = ("open", "closed")


@dataclass(frozen=True)
class IncidentRecord:
    """An incident as stored; times are timezone-aware UTC."""

    incident_id: str
    incident_type: str
    lat: float
    lon: float
    priority: int
    grade: int
    description: str
    status: str
    is_drill: bool
    created_at: datetime
    created_by: str
    closed_at: datetime | None
    closed_by: str | None

    def as_incident(self) -> Incident:
        """The domain :class:`~command.model.Incident` (what dispatch works on)."""
        return Incident(self.incident_id, self.incident_type, self.lat, self.lon,
                        self.priority, self.grade, self.description, self.created_at,
                        self.status)


def _record(row: IncidentRow) -> IncidentRecord:
    return IncidentRecord(row.incident_id, row.incident_type, row.lat, row.lon, row.priority,
                          row.grade, row.description, row.status, bool(row.is_drill),
                          row.created_at, row.created_by, row.closed_at, row.closed_by)


def _problems(incident: Incident) -> list[Problem]:
    problems = []

    def bad(field: str, value, rule: str) -> None:
        problems.append(Problem(rule, file="incident", field=field, value=value))

    if incident.incident_type not in INCIDENT_TYPES:
        bad("incident_type", incident.incident_type, f"must be one of {', '.join(INCIDENT_TYPES)}")
    if not (isinstance(incident.lat, (int, float)) and -90 <= incident.lat <= 90):
        bad("lat", incident.lat, "must be a latitude in degrees, -90 to 90")
    if not (isinstance(incident.lon, (int, float)) and -180 <= incident.lon <= 180):
        bad("lon", incident.lon, "must be a longitude in degrees, -180 to 180")
    if incident.priority not in (1, 2, 3, 4):
        bad("priority", incident.priority, "must be 1 (highest) to 4")
    if incident.grade not in (1, 2, 3, 4):
        bad("grade", incident.grade, "must be 1 (特别重大) to 4 (一般)")
    if incident.status != "open":
        bad("status", incident.status, "a new incident is open")
    if incident.created_at is not None:
        try:
            as_utc(incident.created_at, field="created_at")
        except ValueError:  # a naive time: Beijing's or UTC's, eight hours apart?
            bad("created_at", incident.created_at, "must be a date and time with its zone "
                "(e.g. 2026-12-03T06:00:00+00:00)")
    return problems


def create_incident(session: Session, incident: Incident, actor: str, *,
                    is_drill: bool = False, now: datetime | None = None) -> str:
    """Store a new open incident and audit it; returns its id.

    An empty ``incident.incident_id`` gets a new one: ``I-YYYYMMDD-HHMMSS-xxxx`` (UTC
    date and time of ``created_at``) for a live incident, ``D-...`` for a drill.

    Parameters
    ----------
    now
        When it is recorded (aware, any zone): the audit entry's time, and
        ``created_at`` unless ``incident.created_at`` gives it; the clock by default.

    Raises
    ------
    StoreError
        With a problem per invalid field (a naive ``created_at`` among them), if ``now``
        is naive, or if the id exists already.
    """
    problems = _problems(incident)
    if problems:
        raise StoreError("the incident was not recorded", problems)
    now = stamp(now)
    created_at = now if incident.created_at is None else stamp(incident.created_at,
                                                               field="created_at")
    incident_id = incident.incident_id or (
        f"{'D' if is_drill else 'I'}-{created_at:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:4]}")
    if session.get(IncidentRow, incident_id) is not None:
        raise StoreError(f"incident {incident_id} exists already")
    row = IncidentRow(incident_id=incident_id, incident_type=incident.incident_type,
                      lat=float(incident.lat), lon=float(incident.lon),
                      priority=incident.priority, grade=incident.grade,
                      description=incident.description or "", status="open",
                      is_drill=bool(is_drill), created_at=created_at, created_by=actor)
    session.add(row)
    session.flush()
    append_audit(session, actor=actor, action="incident.created",
                 subject=f"incident:{incident_id}",
                 payload={"incident_type": row.incident_type, "lat": row.lat, "lon": row.lon,
                          "priority": row.priority, "grade": row.grade,
                          "description": row.description, "is_drill": row.is_drill},
                 at=now)
    return incident_id


def get_incident(session: Session, incident_id: str) -> IncidentRecord:
    """One incident. Raises :class:`StoreError` if there is no such incident."""
    row = session.get(IncidentRow, incident_id)
    if row is None:
        raise StoreError(f"no incident {incident_id!r}")
    return _record(row)


def close_incident(session: Session, incident_id: str, actor: str, *,
                   now: datetime | None = None) -> IncidentRecord:
    """Close an open incident and audit it. Units keep their status (they return
    through ``returning`` as usual).

    Parameters
    ----------
    now
        When it is closed (aware, any zone); the clock by default.
    """
    now = stamp(now)
    row = session.get(IncidentRow, incident_id, with_for_update=True)
    if row is None:
        raise StoreError(f"no incident {incident_id!r}")
    if row.status != "open":
        raise StoreError(f"incident {incident_id} is {row.status} already")
    row.status, row.closed_at, row.closed_by = "closed", now, actor
    session.flush()
    append_audit(session, actor=actor, action="incident.closed", subject=f"incident:{incident_id}",
                 payload={"is_drill": bool(row.is_drill)}, at=now)
    return _record(row)


def list_incidents(session: Session, *, status: str | None = None,
                   is_drill: bool = False) -> list[IncidentRecord]:
    """Live incidents (or drill incidents with ``is_drill=True``), newest first.

    Parameters
    ----------
    status
        ``"open"``, ``"closed"`` or None for both.
    """
    if status is not None and status not in INCIDENT_STATUSES:
        raise StoreError(f"incident status {status!r} is not one of {', '.join(INCIDENT_STATUSES)}")
    stmt = (select(IncidentRow).where(IncidentRow.is_drill == bool(is_drill))
            .order_by(IncidentRow.created_at.desc(), IncidentRow.incident_id.desc()))
    if status is not None:
        stmt = stmt.where(IncidentRow.status == status)
    return [_record(r) for r in session.scalars(stmt)]
