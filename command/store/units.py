"""Units and their live status: the board a command screen shows.

A unit moves available -> dispatched -> en_route -> on_scene -> returning -> available;
any status may go to out_of_service, which goes back to available. Every change is
checked against :data:`ALLOWED_TRANSITIONS`, recorded as a unit status event and audited
in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from command.errors import StoreError
from command.model import UNIT_STATUSES, Team
from command.store._tables import BaseRow, IncidentRow, TeamRow, UnitStatusEventRow
from command.store._types import stamp, utc
from command.store.audit import append_audit

__all__ = ["ALLOWED_TRANSITIONS", "UnitRecord", "UnitStatusEvent", "set_unit_status",
           "first_arrivals",
           "list_units", "get_unit", "unit_history"]

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    "available": frozenset({"dispatched", "out_of_service"}),
    "dispatched": frozenset({"en_route", "out_of_service"}),
    "en_route": frozenset({"on_scene", "out_of_service"}),
    "on_scene": frozenset({"returning", "out_of_service"}),
    "returning": frozenset({"available", "out_of_service"}),
    "out_of_service": frozenset({"available"}),
}

# Statuses in which a unit is bound to an incident.
_ON_INCIDENT = frozenset({"dispatched", "en_route", "on_scene", "returning"})


@dataclass(frozen=True)
class UnitRecord:
    """A unit with its base position and live status (times timezone-aware UTC)."""

    unit_id: str
    name_zh: str
    agency_id: str
    capability: str
    base_id: str  # where it stands, then its crew and live state
    crew: int
    base_lat: float
    base_lon: float
    district: str
    status: str
    incident_id: str | None
    status_changed_at: datetime | None

    def as_team(self) -> Team:
        """The domain :class:`~command.model.Team` with its current status."""
        return Team(self.unit_id, self.name_zh, self.agency_id, self.capability, self.crew,
                    self.base_id, self.status)


@dataclass(frozen=True)
class UnitStatusEvent:
    event_id: int
    at: datetime
    unit_id: str
    from_status: str
    to_status: str
    actor: str
    incident_id: str | None
    plan_id: int | None


def _unit_select():
    return (select(TeamRow, BaseRow.lat, BaseRow.lon, BaseRow.district)
            .join(BaseRow, TeamRow.base_id == BaseRow.base_id))


def _record(team: TeamRow, lat: float, lon: float, district: str) -> UnitRecord:
    return UnitRecord(team.unit_id, team.name_zh, team.agency_id, team.capability, team.base_id,
                      team.crew, lat, lon, district, team.status, team.incident_id,
                      team.status_changed_at)


def get_unit(session: Session, unit_id: str) -> UnitRecord:
    """One unit. Raises :class:`StoreError` if there is no such unit."""
    row = session.execute(_unit_select().where(TeamRow.unit_id == unit_id)).first()
    if row is None:
        raise StoreError(f"no unit {unit_id!r}")
    return _record(*row)


def list_units(session: Session, *, status: str | None = None, agency_id: str | None = None,
               capability: str | None = None) -> list[UnitRecord]:
    """Units with their status, by agency then unit id; filters are optional."""
    stmt = _unit_select().order_by(TeamRow.agency_id, TeamRow.unit_id)
    if status is not None:
        if status not in UNIT_STATUSES:
            raise StoreError(f"unit status {status!r} is not one of {', '.join(UNIT_STATUSES)}")
        stmt = stmt.where(TeamRow.status == status)
    if agency_id is not None:
        stmt = stmt.where(TeamRow.agency_id == agency_id)
    if capability is not None:
        stmt = stmt.where(TeamRow.capability == capability)
    return [_record(*r) for r in session.execute(stmt)]


def transition(session: Session, team: TeamRow, status: str, actor: str, *,
               incident_id: str | None = None, plan_id: int | None = None,
               at: datetime | None = None) -> UnitStatusEvent:
    """Move a locked unit row to ``status`` at ``at`` (the clock if None): check, record
    the event, audit. Internal to the store (plans use it too); callers outside use
    :func:`set_unit_status`."""
    if status not in UNIT_STATUSES:
        raise StoreError(f"unit {team.unit_id}: status {status!r} is not one of "
                         f"{', '.join(UNIT_STATUSES)}")
    old = team.status
    if status not in ALLOWED_TRANSITIONS.get(old, frozenset()):
        allowed = ", ".join(sorted(ALLOWED_TRANSITIONS.get(old, ()))) or "none"
        raise StoreError(f"unit {team.unit_id} cannot go from '{old}' to '{status}' "
                         f"(allowed from '{old}': {allowed})")
    if incident_id is not None:
        incident = session.get(IncidentRow, incident_id)
        if incident is None:
            raise StoreError(f"unit {team.unit_id}: no incident {incident_id!r}")
        if incident.is_drill:
            raise StoreError(f"unit {team.unit_id} is a live unit and cannot be sent to "
                             f"drill incident {incident_id}")
    at = stamp(at, field="at")
    if status in _ON_INCIDENT:
        team.incident_id = incident_id if incident_id is not None else team.incident_id
    else:
        team.incident_id = None
    team.status, team.status_changed_at = status, at
    event = UnitStatusEventRow(at=at, unit_id=team.unit_id, from_status=old, to_status=status,
                               actor=actor, incident_id=team.incident_id, plan_id=plan_id)
    session.add(event)
    session.flush()
    append_audit(session, actor=actor, action="unit.status", subject=f"unit:{team.unit_id}",
                 payload={"from": old, "to": status, "incident_id": team.incident_id,
                          "plan_id": plan_id}, at=at)
    return UnitStatusEvent(event.event_id, at, team.unit_id, old, status, actor,
                           team.incident_id, plan_id)


def lock_unit(session: Session, unit_id: str) -> TeamRow:
    """The unit's row, locked for update (PostgreSQL; SQLite holds the write lock)."""
    team = session.get(TeamRow, unit_id, with_for_update=True)
    if team is None:
        raise StoreError(f"no unit {unit_id!r}")
    return team


def set_unit_status(session: Session, unit_id: str, status: str, actor: str, *,
                    incident_id: str | None = None,
                    now: datetime | None = None) -> UnitRecord:
    """Change a unit's status, record the event and audit it.

    Parameters
    ----------
    incident_id
        The incident the unit is bound to (kept while dispatched, en route, on scene
        and returning; cleared when it becomes available or out of service).
    now
        When the status changed (aware, any zone); the clock by default.

    Raises
    ------
    StoreError
        If the unit or incident does not exist, the status is unknown, the transition is
        not allowed (the message names the unit and both statuses), or ``now`` is naive.
    """
    now = stamp(now)
    team = lock_unit(session, unit_id)
    transition(session, team, status, actor, incident_id=incident_id, at=now)
    return get_unit(session, unit_id)


def unit_history(session: Session, unit_id: str, *, limit: int = 100) -> list[UnitStatusEvent]:
    """The unit's status events, newest first."""
    stmt = (select(UnitStatusEventRow).where(UnitStatusEventRow.unit_id == unit_id)
            .order_by(UnitStatusEventRow.event_id.desc()).limit(limit))
    return [UnitStatusEvent(e.event_id, e.at, e.unit_id, e.from_status, e.to_status,
                            e.actor, e.incident_id, e.plan_id) for e in session.scalars(stmt)]


def first_arrivals(session: Session, *, since: datetime | None = None) -> dict[str, datetime]:
    """Incident id -> the first time a unit reported ``on_scene`` there, over the events
    at or after ``since``: one grouped query over the status history.

    Parameters
    ----------
    since
        Aware, in any zone (e.g. :func:`command.clock.beijing_day_start`); compared as
        the same instant in UTC.

    Returns
    -------
    dict
        Times aware UTC.

    Raises
    ------
    StoreError
        If ``since`` is naive.
    """
    stmt = (select(UnitStatusEventRow.incident_id, func.min(UnitStatusEventRow.at))
            .where(UnitStatusEventRow.to_status == "on_scene",
                   UnitStatusEventRow.incident_id.is_not(None))
            .group_by(UnitStatusEventRow.incident_id))
    if since is not None:
        stmt = stmt.where(UnitStatusEventRow.at >= utc(since, field="since"))
    return {incident_id: at for incident_id, at in session.execute(stmt)}
