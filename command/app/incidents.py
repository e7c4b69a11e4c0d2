"""Incidents and their plans: the duty officer's workflow.

Owns: recording an incident with its recommended plan, deciding a plan (approve, swap a
unit, reject), moving units through their status cycle, closing incidents; each in one
transaction with its audit entries, as the acting user. The screen's buttons and the
``recommend --record`` command call the same functions, so both do the same thing.
Must not: render anything, or know who may act (the caller checks the role).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine

from command import store
from command.app import liaison
from command.dispatch.reasons import reason
from command.dispatch.recommend import Recommendation, recommend
from command.errors import DataError, OffNetworkError, StoreError
from command.model import Dataset, Incident

__all__ = ["unit_statuses", "create_and_recommend", "NEXT_STATUS", "advance_unit",
           "advance_incident", "close_incident", "swap_candidates", "decide", "modify_plan",
           "NO_PLAN_REASONS", "why_no_plan", "recommend_again", "Approval", "approve",
           "distance_to_road_m"]


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
        plan_id = _save_recommended(s, rec, incident_id, actor, now=now)
    return incident_id, plan_id, rec


def _save_recommended(s, rec: Recommendation, incident_id: str, actor: str, *,
                      now: datetime | None, replaces: int | None = None) -> int | None:
    """Save the routed units of ``rec`` as a proposed plan for ``incident_id``; None (and
    nothing saved) when no unit is routed."""
    assignments = [{"unit_id": o.unit_id, "incident_id": incident_id,
                    "capability": o.capability, "eta_s": round(o.eta_s, 1),
                    "distance_m": round(o.distance_m, 1), "reason_zh": o.reason_zh,
                    "reason_en": o.reason_en}
                   for o in rec.options if o.routed]
    if not assignments:
        return None
    payload = {"assignments": assignments, "solver_status": "nearest",
               "missing": dict(rec.missing)}
    if replaces is not None:
        payload["replaces"] = replaces
    return store.save_plan(s, payload, [incident_id], actor, now=now)

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
            why = (reason("dashboard.reason.swapped", old=old, eta_min=new["eta_s"] / 60.0)
                   if new.get("eta_s") else reason("dashboard.reason.swapped_no_eta", old=old))
            replace[old] = {**new, **why.fields()}
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


#: Why an open incident has no plan to decide (``dashboard.noplan.<reason>`` texts):
#: off the road network, no unit of the city has a capability its package needs, every
#: capable unit is committed elsewhere, none of the available ones can reach it by road,
#: or capable units are available now (recommend again).
NO_PLAN_REASONS = ("off_network", "none_capable", "all_committed", "unreachable",
                   "can_recommend")


def _recommend_for(network, dataset: Dataset, inc, statuses: Mapping[str, str], *,
                   limit: int, max_snap_distance_m: float) -> tuple[Recommendation | None, str]:
    """The recommendation for a stored incident now, or None and the reason why none."""
    try:
        rec = recommend(network, dataset, lat=inc.lat, lon=inc.lon,
                        incident_type=inc.incident_type, grade=inc.grade,
                        unit_status=statuses, limit=limit,
                        max_snap_distance_m=max_snap_distance_m)
    except OffNetworkError:
        return None, "off_network"
    except DataError:
        return None, "none_capable"
    if any(o.routed for o in rec.options):
        return rec, "can_recommend"
    capable = [u for u in dataset.teams if u.capability in rec.package]
    if not capable:
        return None, "none_capable"
    if not any(statuses.get(u.unit_id, u.status) == "available" for u in capable):
        return None, "all_committed"
    return None, "unreachable"


def why_no_plan(engine: Engine, network, dataset: Dataset, incident_id: str, *,
                max_snap_distance_m: float, limit: int = 10) -> str:
    """Why incident ``incident_id`` has no plan now: one of :data:`NO_PLAN_REASONS`
    (``can_recommend`` when capable units could go now)."""
    with store.session_scope(engine, read_only=True) as s:
        inc = store.get_incident(s, incident_id)
        statuses = {u.unit_id: u.status for u in store.list_units(s)}
    return _recommend_for(network, dataset, inc, statuses, limit=limit,
                          max_snap_distance_m=max_snap_distance_m)[1]


def recommend_again(engine: Engine, network, dataset: Dataset, incident_id: str, actor: str,
                    *, limit: int, max_snap_distance_m: float,
                    now: datetime | None = None) -> dict[str, tuple[int | None, str]]:
    """Propose a new plan for an open incident on the units available now.

    A proposed plan naming the incident is superseded: it is rejected (audited as
    ``actor``) and each of its incidents gets a new plan (its payload's ``replaces``
    names the old one), all in one transaction. Returns incident id -> (new plan id, or
    None and the reason from :data:`NO_PLAN_REASONS`).

    Raises
    ------
    StoreError
        No such incident, or it is closed.
    """
    with store.session_scope(engine) as s:
        inc = store.get_incident(s, incident_id)
        if inc.status != "open":
            raise StoreError(f"incident {incident_id} is {inc.status}: nothing to recommend")
        newest = store.list_plans(s, incident_id=incident_id, is_drill=inc.is_drill, limit=1)
        stale = newest[0] if newest and newest[0].status == "proposed" else None
        ids = list(stale.incident_ids) if stale is not None else [incident_id]
        if stale is not None:
            store.decide_plan(s, stale.plan_id, "reject", actor, now=now)
        statuses = {u.unit_id: u.status for u in store.list_units(s)}
        out: dict[str, tuple[int | None, str]] = {}
        for i in ids:
            other = store.get_incident(s, i)
            if other.status != "open":
                continue
            rec, why = _recommend_for(network, dataset, other, statuses, limit=limit,
                                      max_snap_distance_m=max_snap_distance_m)
            plan_id = (_save_recommended(s, rec, i, actor, now=now,
                                         replaces=stale.plan_id if stale else None)
                       if rec is not None else None)
            out[i] = (plan_id, why if plan_id is None else "")
    return out


@dataclass(frozen=True)
class Approval:
    """What came of approving a plan.

    ``outcome``: ``approved``; ``reproposed`` (units of the plan were taken by another
    plan: ``taken`` names them, and ``new_plans`` holds the incidents' new plans);
    ``decided`` (decided already, as ``status`` by ``by``); ``closed`` (its incident was
    closed). ``refreshed``: after an approval, other proposed plans that named a unit now
    dispatched, re-proposed (incident id -> (new plan id or None, reason)).
    """

    outcome: str
    plan_id: int
    taken: tuple[str, ...] = ()
    new_plans: Mapping[str, tuple[int | None, str]] = field(default_factory=dict)
    refreshed: Mapping[str, tuple[int | None, str]] = field(default_factory=dict)
    status: str = ""
    by: str = ""


def approve(engine: Engine, network, dataset: Dataset, plan_id: int, actor: str, *,
            limit: int, max_snap_distance_m: float, swaps: Mapping[str, str] | None = None,
            now: datetime | None = None) -> Approval:
    """Approve plan ``plan_id`` (with ``swaps`` as :func:`modify_plan`) as ``actor`` and
    keep every other proposed plan carried out-able.

    If a unit of the plan is no longer available (another plan took it), the plan is
    re-proposed on the units available now (:func:`recommend_again`) instead of refused.
    After an approval, every other live proposed plan naming a unit just dispatched is
    re-proposed the same way, so no plan on the screen names a committed unit.
    """
    with store.session_scope(engine, read_only=True) as s:
        plan = store.get_plan(s, plan_id)
        closed = [i for i in plan.incident_ids if store.get_incident(s, i).status != "open"]
    if plan.status != "proposed":
        return Approval("decided", plan_id, status=plan.status, by=plan.decided_by or "")
    if closed:
        return Approval("closed", plan_id, taken=tuple(closed))
    try:
        if swaps and any(swaps.values()):
            done = modify_plan(engine, network, dataset, plan_id, swaps, actor, now=now)
        else:
            done = decide(engine, plan_id, "approve", actor, now=now)
    except StoreError:
        statuses = unit_statuses(engine)
        names = {a["unit_id"] for a in plan.assignments} | {
            v for v in (swaps or {}).values() if v}
        taken = tuple(sorted(u for u in names if statuses.get(u) != "available"))
        if not taken or plan.is_drill:
            raise
        new = recommend_again(engine, network, dataset, plan.incident_ids[0], actor,
                              limit=limit, max_snap_distance_m=max_snap_distance_m, now=now)
        return Approval("reproposed", plan_id, taken=taken, new_plans=new)
    return Approval("approved", plan_id, refreshed=_refresh_conflicts(
        engine, network, dataset, done, actor, limit=limit,
        max_snap_distance_m=max_snap_distance_m, now=now))


def _refresh_conflicts(engine: Engine, network, dataset: Dataset, done, actor: str, *,
                       limit: int, max_snap_distance_m: float,
                       now: datetime | None) -> dict[str, tuple[int | None, str]]:
    """Re-propose every live proposed plan that names a unit of the decided plan ``done``."""
    if done.is_drill:
        return {}
    units = {a["unit_id"] for a in done.assignments}
    with store.session_scope(engine, read_only=True) as s:
        stale = [p for p in store.list_plans(s, status="proposed", limit=500)
                 if units & {a["unit_id"] for a in p.assignments}]
    out: dict[str, tuple[int | None, str]] = {}
    for p in stale:
        out.update(recommend_again(engine, network, dataset, p.incident_ids[0], actor,
                                   limit=limit, max_snap_distance_m=max_snap_distance_m,
                                   now=now))
    return out


def distance_to_road_m(network, lat: float, lon: float) -> float:
    """Metres from (lat, lon) to the nearest road node of ``network`` (what the
    off-network refusal of :func:`create_and_recommend` measures)."""
    from command import roads

    _node, dist = roads.snap(network, float(lat), float(lon), max_distance_m=None)
    return float(dist)
