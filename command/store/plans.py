"""Dispatch plans in the store: save what the optimiser proposes, record the
commander's decision (approve, modify, reject) and, for a live plan, dispatch its units.

A plan payload is JSON data whose ``assignments`` is a list of mappings, each with at
least ``unit_id`` and ``incident_id`` (plus whatever the optimiser explains: ``eta_s``,
``distance_m``, ``reason`` ...); ``solver_status`` (or ``status``) says how it was solved.
A dataclass (the dispatch ``Plan``) is converted to that form. The proposed payload is
kept unchanged; a modification is stored beside it with the changes, so the trail shows
what was proposed and what was decided.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from command.errors import Problem, StoreError
from command.store._tables import IncidentRow, PlanIncidentRow, PlanRow, TeamRow
from command.store._types import stamp
from command.store.audit import append_audit, to_json_data
from command.store.units import lock_unit, transition

__all__ = ["PLAN_STATUSES", "DECISIONS", "PlanRecord", "save_plan", "decide_plan", "get_plan",
           "list_plans"]

PLAN_STATUSES: tuple[str, ...] = ("proposed", "approved", "modified", "rejected")
#: Decision -> the plan status it leads to.
DECISIONS: dict[str, str] = {"approve": "approved", "modify": "modified", "reject": "rejected"}

# Keys of an assignment that describe the unit proposed, not the one swapped in.
_UNIT_SPECIFIC = ("eta_s", "distance_m", "next_best", "next_best_unit_id", "next_best_eta_s")


@dataclass(frozen=True)
class PlanRecord:
    """A plan as stored (plain data; times timezone-aware UTC)."""

    plan_id: int
    status: str
    solver_status: str
    is_drill: bool
    incident_ids: tuple[str, ...]
    payload: dict
    proposed_payload: dict
    changes: dict | None
    created_at: datetime
    created_by: str
    decided_at: datetime | None
    decided_by: str | None

    @property
    def assignments(self) -> list[dict]:
        """The assignments in force (after any modification)."""
        return list(self.payload.get("assignments", []))


def _record(session: Session, row: PlanRow) -> PlanRecord:
    ids = tuple(session.scalars(select(PlanIncidentRow.incident_id)
                                .where(PlanIncidentRow.plan_id == row.plan_id)
                                .order_by(PlanIncidentRow.incident_id)))
    return PlanRecord(row.plan_id, row.status, row.solver_status, bool(row.is_drill), ids,
                      row.payload, row.proposed_payload, row.changes, row.created_at,
                      row.created_by, row.decided_at, row.decided_by)


def _payload_data(plan_payload: Any) -> dict:
    if dataclasses.is_dataclass(plan_payload) and not isinstance(plan_payload, type):
        plan_payload = dataclasses.asdict(plan_payload)
    if not isinstance(plan_payload, Mapping):
        raise StoreError(f"a plan payload is a mapping, not {type(plan_payload).__name__}")
    try:
        data = to_json_data(dict(plan_payload))
    except (TypeError, ValueError) as exc:
        raise StoreError(f"the plan payload is not JSON data: {exc}") from None
    data.setdefault("assignments", [])
    return data


def _check_assignments(session: Session, assignments: Any, incident_ids: set[str],
                       is_drill: bool) -> list[Problem]:
    problems: list[Problem] = []
    if not isinstance(assignments, list):
        return [Problem("must be a list", file="plan", field="assignments",
                        value=type(assignments).__name__)]
    seen: set[str] = set()
    for i, a in enumerate(assignments, start=1):
        if not isinstance(a, Mapping) or not isinstance(a.get("unit_id"), str):
            problems.append(Problem("needs unit_id and incident_id", file="plan assignments",
                                    row=i, value=a))
            continue
        unit_id = a["unit_id"]
        if a.get("incident_id") not in incident_ids:
            problems.append(Problem("is not one of the plan's incidents", file="plan assignments",
                                    row=i, field="incident_id", value=a.get("incident_id")))
        if unit_id in seen:
            problems.append(Problem("unit assigned twice", file="plan assignments", row=i,
                                    field="unit_id", value=unit_id))
        seen.add(unit_id)
        if not is_drill and session.get(TeamRow, unit_id) is None:
            problems.append(Problem("no such unit", file="plan assignments", row=i,
                                    field="unit_id", value=unit_id))
    return problems


def save_plan(session: Session, plan_payload: Any, incident_ids: Iterable[str],
              actor: str, *, now: datetime | None = None) -> int:
    """Store a proposed plan for ``incident_ids`` and audit it; returns the plan id.

    Parameters
    ----------
    now
        When it is proposed (aware, any zone): ``created_at`` and the audit entry's
        time; the clock by default.

    Raises
    ------
    StoreError
        If an incident does not exist, live and drill incidents are mixed, an assignment
        names an unknown unit, an incident outside the plan, or a unit twice, or ``now``
        (or a datetime in the payload) is naive.
    """
    now = stamp(now)
    data = _payload_data(plan_payload)
    ids = sorted(set(incident_ids))
    if not ids:
        raise StoreError("a plan needs at least one incident")
    rows = {r.incident_id: r for r in session.scalars(
        select(IncidentRow).where(IncidentRow.incident_id.in_(ids)))}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise StoreError(f"the plan names unknown incident(s): {', '.join(missing)}")
    drill = {bool(r.is_drill) for r in rows.values()}
    if len(drill) > 1:
        raise StoreError("a plan cannot mix drill and live incidents: "
                         + ", ".join(f"{i} ({'drill' if rows[i].is_drill else 'live'})"
                                     for i in ids))
    is_drill = drill.pop()
    problems = _check_assignments(session, data["assignments"], set(ids), is_drill)
    if problems:
        raise StoreError("the plan was not saved", problems)
    solver_status = str(data.get("solver_status") or data.get("status") or "unknown")[:40]
    row = PlanRow(status="proposed", solver_status=solver_status, is_drill=is_drill,
                  proposed_payload=data, payload=data, changes=None, created_at=now,
                  created_by=actor)
    session.add(row)
    session.flush()
    session.add_all(PlanIncidentRow(plan_id=row.plan_id, incident_id=i) for i in ids)
    session.flush()
    append_audit(session, actor=actor, action="plan.proposed", subject=f"plan:{row.plan_id}",
                 payload={"incident_ids": ids, "is_drill": is_drill,
                          "solver_status": solver_status,
                          "assignments": [[a["unit_id"], a["incident_id"]]
                                          for a in data["assignments"]]}, at=now)
    return row.plan_id


def _apply_changes(payload: dict, changes: Mapping[str, Any], actor: str) -> dict:
    """The payload with ``changes`` applied: ``replace`` {old unit: new unit id or an
    assignment mapping}, ``remove`` [unit ids], ``add`` [assignments]."""
    unknown = sorted(set(changes) - {"replace", "remove", "add"})
    if unknown:
        raise StoreError(f"unknown plan change(s) {', '.join(unknown)}: use replace, remove, add")
    out = copy.deepcopy(payload)
    assignments = out["assignments"]
    by_unit = {a.get("unit_id"): a for a in assignments if isinstance(a, Mapping)}
    for old, new in dict(changes.get("replace") or {}).items():
        if old not in by_unit:
            raise StoreError(f"cannot replace unit {old}: it is not in the plan")
        a = by_unit[old]
        if isinstance(new, str):
            for key in _UNIT_SPECIFIC:
                if key in a:
                    a[key] = None
            a["unit_id"] = new
        elif isinstance(new, Mapping):
            a.update(to_json_data(dict(new)))
        else:
            raise StoreError(f"replacement for unit {old} must be a unit id or an assignment")
        a["replaced_unit_id"], a["modified_by"] = old, actor
    for unit_id in list(changes.get("remove") or []):
        if unit_id not in by_unit:
            raise StoreError(f"cannot remove unit {unit_id}: it is not in the plan")
        assignments.remove(by_unit[unit_id])
    for a in list(changes.get("add") or []):
        assignments.append({**to_json_data(dict(a)), "modified_by": actor})
    return out


def decide_plan(session: Session, plan_id: int, decision: str, actor: str,
                changes: Mapping[str, Any] | None = None, *,
                now: datetime | None = None) -> PlanRecord:
    """Record the commander's decision on a proposed plan, in one transaction.

    ``approve`` and ``modify`` (approve with ``changes``) dispatch every assigned unit of
    a live plan: each goes from available to dispatched, bound to its incident, with a
    unit status event and an audit entry. A drill plan never touches live units.
    ``reject`` changes no unit.

    Parameters
    ----------
    decision
        ``"approve"``, ``"modify"`` or ``"reject"``.
    changes
        For ``modify``: ``{"replace": {old_unit_id: new_unit_id | assignment},
        "remove": [unit_id, ...], "add": [assignment, ...]}``. A unit id swapped in
        clears the ETA fields of the replaced unit; pass an assignment mapping to set them.
    now
        When it is decided (aware, any zone): ``decided_at``, the units' status changes
        and the audit entries; the clock by default.

    Raises
    ------
    StoreError
        If the plan does not exist or was decided already, the decision is unknown,
        ``modify`` comes without changes, an incident is closed, a unit cannot be
        dispatched (the message names the unit and its status), or ``now`` is naive; then
        nothing is written.
    """
    now = stamp(now)
    if decision not in DECISIONS:
        raise StoreError(f"decision {decision!r} is not one of {', '.join(DECISIONS)}")
    row = session.get(PlanRow, plan_id, with_for_update=True)
    if row is None:
        raise StoreError(f"no plan {plan_id!r}")
    if row.status != "proposed":
        raise StoreError(f"plan {plan_id} was {row.status} already by {row.decided_by}")
    if decision == "modify" and not changes:
        raise StoreError(f"plan {plan_id}: a modification needs changes")
    if decision != "modify" and changes:
        raise StoreError(f"plan {plan_id}: changes are only for a modification")
    record = _record(session, row)
    payload = row.payload
    if decision == "modify":
        payload = _apply_changes(row.payload, changes, actor)
        problems = _check_assignments(session, payload["assignments"],
                                      set(record.incident_ids), record.is_drill)
        if problems:
            raise StoreError(f"plan {plan_id}: the modification was not recorded", problems)
    dispatched: list[str] = []
    if decision != "reject":
        closed = [i for i in record.incident_ids
                  if session.get(IncidentRow, i).status != "open"]
        if closed:
            raise StoreError(f"plan {plan_id} cannot be carried out: incident(s) "
                             f"{', '.join(closed)} closed")
        if not record.is_drill:
            for a in payload["assignments"]:
                team = lock_unit(session, a["unit_id"])
                if team.status != "available":
                    raise StoreError(f"plan {plan_id}: unit {team.unit_id} is '{team.status}', "
                                     "not 'available', so it cannot be dispatched; "
                                     "modify the plan or ask for a new one")
                transition(session, team, "dispatched", actor, incident_id=a["incident_id"],
                           plan_id=plan_id, at=now)
                dispatched.append(team.unit_id)
    row.status = DECISIONS[decision]
    row.payload = payload
    row.changes = to_json_data(dict(changes)) if changes else None
    row.decided_at, row.decided_by = now, actor
    session.flush()
    append_audit(session, actor=actor, action=f"plan.{row.status}", subject=f"plan:{plan_id}",
                 payload={"incident_ids": list(record.incident_ids), "is_drill": record.is_drill,
                          "changes": row.changes, "dispatched": dispatched}, at=now)
    return _record(session, row)


def get_plan(session: Session, plan_id: int) -> PlanRecord:
    """One plan. Raises :class:`StoreError` if there is no such plan."""
    row = session.get(PlanRow, plan_id)
    if row is None:
        raise StoreError(f"no plan {plan_id!r}")
    return _record(session, row)


def list_plans(session: Session, *, status: str | None = None, incident_id: str | None = None,
               is_drill: bool = False, limit: int = 50) -> list[PlanRecord]:
    """Live plans (drill plans with ``is_drill=True``), newest first."""
    stmt = (select(PlanRow).where(PlanRow.is_drill == bool(is_drill))
            .order_by(PlanRow.plan_id.desc()).limit(limit))
    if status is not None:
        if status not in PLAN_STATUSES:
            raise StoreError(f"plan status {status!r} is not one of {', '.join(PLAN_STATUSES)}")
        stmt = stmt.where(PlanRow.status == status)
    if incident_id is not None:
        stmt = stmt.where(PlanRow.plan_id.in_(
            select(PlanIncidentRow.plan_id).where(PlanIncidentRow.incident_id == incident_id)))
    return [_record(session, r) for r in session.scalars(stmt)]
