"""Incidents and their plans: the duty officer's workflow.

Owns: recording an incident with its recommended plan, deciding a plan (approve, swap a
unit, reject), moving units through their status cycle, closing incidents; each in one
transaction with its audit entries, as the acting user. The screen's buttons and the
``recommend --record`` command call the same functions, so both do the same thing.
Must not: render anything, or know who may act (the caller checks the role).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.engine import Engine

from command import store
from command.app import liaison
from command.dispatch.reasons import reason
from command.dispatch.recommend import Recommendation, recommend
from command.errors import StoreError
from command.model import Dataset, Incident

__all__ = ["unit_statuses", "create_and_recommend", "NEXT_STATUS", "advance_unit",
           "advance_incident", "close_incident", "swap_candidates", "decide", "modify_plan"]


def unit_statuses(engine: Engine) -> dict[str, str]:
    """unit_id -> live status from the store (a read-only session: never waits on writers)."""
    with store.session_scope(engine, read_only=True) as s:
        return {u.unit_id: u.status for u in store.list_units(s)}


def create_and_recommend(
    engine: Engine,
    network,
    dataset: Dataset,
    *,
    incident_type: str,
    lat: float,
    lon: float,
    priority: int = 2,
    grade: int = 4,
    actor: str,
    limit: int,
    max_snap_distance_m: float,
    is_drill: bool = False,
    now: datetime | None = None,
) -> tuple[str, int | None, Recommendation]:
    """Recommend units for a new incident, then record the incident and the proposed plan.

    The recommendation runs first, so a place off the network or an unknown type is
    refused before anything is written. Returns (incident id, plan id or None when no
    unit can go, the recommendation).
    """
    rec = recommend(network, dataset, lat=lat, lon=lon, incident_type=incident_type,
                    grade=grade, unit_status=unit_statuses(engine), limit=limit,
                    max_snap_distance_m=max_snap_distance_m)
    with store.session_scope(engine) as s:
        incident_id = store.create_incident(
            s, Incident("", incident_type, float(lat), float(lon), priority, grade), actor,
            is_drill=is_drill, now=now)
        assignments = [{"unit_id": o.unit_id, "incident_id": incident_id,
                        "capability": o.capability, "eta_s": round(o.eta_s, 1),
                        "distance_m": round(o.distance_m, 1), "reason_zh": o.reason_zh,
                        "reason_en": o.reason_en}
                       for o in rec.options if o.routed]
        plan_id = None
        if assignments:
            plan_id = store.save_plan(
                s, {"assignments": assignments, "solver_status": "nearest",
                    "missing": dict(rec.missing)}, [incident_id], actor, now=now)
    return incident_id, plan_id, rec

#: The status a unit bound to an incident moves to next (the buttons of the unit board).
#: ``out_of_service`` is a separate decision, not a step of the cycle.
NEXT_STATUS: dict[str, str] = {
    "dispatched": "en_route",
    "en_route": "on_scene",
    "on_scene": "returning",
    "returning": "available",
}


def advance_unit(engine: Engine, unit_id: str, actor: str, *,
                 now: datetime | None = None) -> store.UnitRecord:
    """Move a unit one step along dispatched -> en route -> on scene -> returning ->
    available, audited as ``actor``.

    Raises
    ------
    StoreError
        If there is no such unit or it is not on an incident (available or out of
        service: nothing to advance); the message names the unit and its status.
    """
    with store.session_scope(engine) as s:
        unit = store.get_unit(s, unit_id)
        nxt = NEXT_STATUS.get(unit.status)
        if nxt is None:
            raise StoreError(f"unit {unit_id} is '{unit.status}': it has no next step "
                             f"(only {', '.join(NEXT_STATUS)} move on)")
        return store.set_unit_status(s, unit_id, nxt, actor, now=now)


def advance_incident(engine: Engine, incident_id: str, actor: str, *,
                     now: datetime | None = None) -> list[store.UnitRecord]:
    """Move every unit bound to ``incident_id`` one step, in one transaction.

    Raises
    ------
    StoreError
        If no unit is bound to the incident.
    """
    with store.session_scope(engine) as s:
        units = [u for u in store.list_units(s) if u.incident_id == incident_id
                 and u.status in NEXT_STATUS]
        if not units:
            raise StoreError(f"no unit is on incident {incident_id}")
        return [store.set_unit_status(s, u.unit_id, NEXT_STATUS[u.status], actor, now=now)
                for u in units]


def close_incident(engine: Engine, incident_id: str, actor: str, *,
                   now: datetime | None = None) -> store.IncidentRecord:
    """Close an open incident (its units come back through ``returning`` as usual)."""
    with store.session_scope(engine) as s:
        return store.close_incident(s, incident_id, actor, now=now)


def swap_candidates(engine: Engine, network, dataset: Dataset, plan_id: int, *,
                    limit: int = 5) -> dict[str, list[dict]]:
    """For each unit of a proposed plan, the other available units of the same capability
    that could go instead, fastest first.

    Returns
    -------
    dict
        unit id in the plan -> list of ``{"unit_id", "eta_s", "distance_m"}`` (at most
        ``limit``; units already in the plan and unreachable ones are left out).
    """
    from command import roads

    with store.session_scope(engine, read_only=True) as s:
        plan = store.get_plan(s, plan_id)
        units = store.list_units(s, status="available")
        incidents = {i: store.get_incident(s, i) for i in plan.incident_ids}
    in_plan = {a["unit_id"] for a in plan.assignments}
    out: dict[str, list[dict]] = {}
    for a in plan.assignments:
        inc = incidents[a["incident_id"]]
        pool = [u for u in units if u.capability == a.get("capability")
                and u.unit_id not in in_plan]
        if not pool:
            out[a["unit_id"]] = []
            continue
        target, _ = roads.snap(network, inc.lat, inc.lon, max_distance_m=None)
        sources, _ = roads.snap(network, [u.base_lat for u in pool], [u.base_lon for u in pool],
                                max_distance_m=None)
        eta = roads.travel_times_to_s(network, int(target), sources)
        ranked = sorted((float(e), u.unit_id) for e, u in zip(eta, pool) if e < float("inf"))
        out[a["unit_id"]] = [{"unit_id": uid, "eta_s": round(e, 1)} for e, uid in ranked[:limit]]
    return out


def decide(engine: Engine, plan_id: int, decision: str, actor: str, *,
           swaps: Mapping[str, Mapping | str] | None = None,
           now: datetime | None = None) -> store.PlanRecord:
    """The duty officer's decision on a proposed plan: ``approve``, ``reject``, or
    ``modify`` with ``swaps`` {unit in the plan: unit id, or ``{"unit_id", "eta_s"}`` as
    :func:`swap_candidates` gives it}. Approving or modifying dispatches the units (the
    store moves them to ``dispatched``) and gives each agency of those units its liaison
    task (:func:`command.app.liaison.issue_plan_tasks`); everything is audited as
    ``actor``.

    Raises
    ------
    StoreError
        As :func:`command.store.decide_plan` (decided already, a unit no longer
        available ...), or if a swapped-in unit has another capability.
    """
    changes = None
    if decision == "modify":
        replace = {}
        for old, new in dict(swaps or {}).items():
            new = {"unit_id": new} if isinstance(new, str) else dict(new)
            eta_min = (new.get("eta_s") or float("nan")) / 60.0
            replace[old] = {**new, **reason("dashboard.reason.swapped", old=old,
                                            eta_min=eta_min).fields()}
        changes = {"replace": replace} if replace else None
    with store.session_scope(engine) as s:
        if changes:
            plan = store.get_plan(s, plan_id)
            caps = {a["unit_id"]: a.get("capability") for a in plan.assignments}
            for old, new in changes["replace"].items():
                unit = store.get_unit(s, new["unit_id"])
                if old in caps and unit.capability != caps[old]:
                    raise StoreError(
                        f"plan {plan_id}: unit {unit.unit_id} is '{unit.capability}' and "
                        f"cannot replace {old} ('{caps[old]}')")
        plan = store.decide_plan(s, plan_id, decision, actor, changes=changes, now=now)
        # each agency whose units go gets its task in the same transaction
        liaison.issue_plan_tasks(s, plan, actor, now=now)
        return plan


def modify_plan(engine: Engine, network, dataset: Dataset, plan_id: int,
                chosen: Mapping[str, str], actor: str, *,
                now: datetime | None = None) -> store.PlanRecord:
    """Approve plan ``plan_id`` with units swapped: ``chosen`` maps a unit of the plan to
    the unit that goes instead. Each swap carries the new unit's ETA from
    :func:`swap_candidates` (computed now, on the store's current state), so the stored
    plan and its reason say how long the new unit takes.

    Raises
    ------
    StoreError
        If ``chosen`` is empty, or as :func:`decide`.
    """
    chosen = {old: new for old, new in chosen.items() if new}
    if not chosen:
        raise StoreError(f"plan {plan_id}: choose at least one unit to swap in")
    candidates = swap_candidates(engine, network, dataset, plan_id)
    full = {old: next((c for c in candidates.get(old, []) if c["unit_id"] == new), new)
            for old, new in chosen.items()}
    return decide(engine, plan_id, "modify", actor, swaps=full, now=now)
