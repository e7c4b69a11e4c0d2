"""Application services: the few steps that join the store to the decision core.

The dashboard and the CLI both call these, so a screen action and a command do the same
thing: read the live unit status, create an incident, recommend, and save the proposed
plan, all in one transaction with its audit entries; decide a plan (approve, swap a unit,
reject); move units through their status cycle; read the live situation for a screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Mapping

from sqlalchemy.engine import Engine

from command import store
from command.dispatch.recommend import Recommendation, recommend
from command.errors import StoreError
from command.i18n import t
from command.model import Dataset, Incident

__all__ = ["unit_statuses", "create_and_recommend", "NEXT_STATUS", "advance_unit",
           "advance_incident", "close_incident", "swap_candidates", "decide", "BEIJING",
           "LiveSnapshot", "live_snapshot", "StandardShare", "share_within_standard",
           "SCENARIO_SUBJECT", "load_scenario", "clear_scenario", "active_scenario",
           "record_situation_plan"]


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
            is_drill=is_drill)
        assignments = [{"unit_id": o.unit_id, "incident_id": incident_id,
                        "capability": o.capability, "eta_s": round(o.eta_s, 1),
                        "distance_m": round(o.distance_m, 1), "reason_zh": o.reason_zh,
                        "reason_en": o.reason_en}
                       for o in rec.options if o.routed]
        plan_id = None
        if assignments:
            plan_id = store.save_plan(
                s, {"assignments": assignments, "solver_status": "nearest",
                    "missing": dict(rec.missing)}, [incident_id], actor)
    return incident_id, plan_id, rec


# --- the duty officer's workflow ----------------------------------------------------------

#: The status a unit bound to an incident moves to next (the buttons of the unit board).
#: ``out_of_service`` is a separate decision, not a step of the cycle.
NEXT_STATUS: dict[str, str] = {
    "dispatched": "en_route",
    "en_route": "on_scene",
    "on_scene": "returning",
    "returning": "available",
}


def advance_unit(engine: Engine, unit_id: str, actor: str) -> store.UnitRecord:
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
        return store.set_unit_status(s, unit_id, nxt, actor)


def advance_incident(engine: Engine, incident_id: str, actor: str) -> list[store.UnitRecord]:
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
        return [store.set_unit_status(s, u.unit_id, NEXT_STATUS[u.status], actor)
                for u in units]


def close_incident(engine: Engine, incident_id: str, actor: str) -> store.IncidentRecord:
    """Close an open incident (its units come back through ``returning`` as usual)."""
    with store.session_scope(engine) as s:
        return store.close_incident(s, incident_id, actor)


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
           swaps: Mapping[str, Mapping | str] | None = None) -> store.PlanRecord:
    """The duty officer's decision on a proposed plan: ``approve``, ``reject``, or
    ``modify`` with ``swaps`` {unit in the plan: unit id, or ``{"unit_id", "eta_s"}`` as
    :func:`swap_candidates` gives it}. Approving or modifying dispatches the units (the
    store moves them to ``dispatched``); everything is audited as ``actor``.

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
            replace[old] = {**new, "reason_zh": t("dashboard.reason.swapped", "zh", old=old,
                                                  eta_min=eta_min),
                            "reason_en": t("dashboard.reason.swapped", "en", old=old,
                                           eta_min=eta_min)}
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
        return store.decide_plan(s, plan_id, decision, actor, changes=changes)


# --- what the live screen reads -------------------------------------------------------------

#: Beijing time: the command centre's "today" (China has one time zone, no DST).
BEIJING = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class LiveSnapshot:
    """Everything the live screen shows, read in one read-only session (live data only:
    drill incidents and plans are left out)."""

    change_id: int
    now: datetime
    incidents: list  # open live IncidentRecord, newest first
    today: list  # live IncidentRecord created today (Beijing), open or closed
    units: list  # UnitRecord by agency
    plans: dict  # incident id -> newest live PlanRecord naming it
    audit: list  # newest live AuditEntry first (``audit_limit`` of them)
    arrivals: dict  # incident id -> first 'on_scene' time today (UTC)


def live_snapshot(engine: Engine, *, audit_limit: int = 12, now: datetime | None = None,
                  plan_limit: int = 500) -> LiveSnapshot:
    """Read the live situation (see :class:`LiveSnapshot`). ``now`` (UTC) defaults to
    the clock; first arrivals come from the unit status history
    (:func:`command.store.first_arrivals`)."""
    now = now or datetime.now(timezone.utc)
    day_start = now.astimezone(BEIJING).replace(hour=0, minute=0, second=0, microsecond=0)
    with store.session_scope(engine, read_only=True) as s:
        change_id = store.last_change_id(s)
        all_live = store.list_incidents(s)
        units = store.list_units(s)
        plans: dict[str, store.PlanRecord] = {}
        for p in store.list_plans(s, limit=plan_limit):  # newest first
            for i in p.incident_ids:
                plans.setdefault(i, p)
        arrivals = store.first_arrivals(s, since=day_start)
        ticker, before = [], None
        while len(ticker) < audit_limit:
            page = store.list_audit(s, limit=max(4 * audit_limit, 50), before_id=before)
            ticker.extend(e for e in page if not e.payload.get("is_drill"))
            if len(page) < max(4 * audit_limit, 50):
                break
            before = page[-1].audit_id
        ticker = ticker[:audit_limit]
    return LiveSnapshot(change_id=change_id, now=now,
                        incidents=[i for i in all_live if i.status == "open"],
                        today=[i for i in all_live if i.created_at >= day_start],
                        units=units, plans=plans, audit=ticker, arrivals=arrivals)


@dataclass(frozen=True)
class StandardShare:
    """Share of today's incidents reached within their response standard."""

    within: int
    missed: int
    pending: int

    @property
    def share(self) -> float | None:
        n = self.within + self.missed
        return self.within / n if n else None


def share_within_standard(snapshot: LiveSnapshot, settings) -> StandardShare:
    """Today's incidents whose first unit arrived within the standard.

    An incident counts when its decided plan (approved or modified) holds a unit with a
    response standard (fire-service capabilities ``settings.fire_standard_s``,
    ambulances and medical teams ``settings.ems_standard_s``); its standard is the
    smallest of those. Response time is from the incident's creation to the first
    ``on_scene`` status event of any unit on it (the unit status history). Within: that
    time <= the standard. Missed: longer, or no arrival yet and the standard has passed.
    Pending (not in the share): no arrival yet, standard not passed.
    """
    from command.model import response_standards_s

    std = response_standards_s(fire_standard_s=settings.fire_standard_s,
                             ems_standard_s=settings.ems_standard_s)
    within = missed = pending = 0
    for inc in snapshot.today:
        plan = snapshot.plans.get(inc.incident_id)
        if plan is None or plan.status not in ("approved", "modified"):
            continue
        limits = [std[a["capability"]] for a in plan.assignments
                  if a.get("incident_id") == inc.incident_id and a.get("capability") in std]
        if not limits:
            continue
        limit_s = min(limits)
        arrived = snapshot.arrivals.get(inc.incident_id)
        if arrived is not None:
            ok = (arrived - inc.created_at).total_seconds() <= limit_s
            within, missed = within + ok, missed + (not ok)
        elif (snapshot.now - inc.created_at).total_seconds() > limit_s:
            missed += 1
        else:
            pending += 1
    return StandardShare(within, missed, pending)


# --- scenarios on the live screen -----------------------------------------------------------

#: Audit subject of scenario loads and clears: the newest entry says which one is active.
SCENARIO_SUBJECT = "scenario"


def load_scenario(engine: Engine, network, dataset: Dataset, settings, name: str,
                  actor: str) -> tuple[str, list[str]]:
    """Put scenario ``name`` (an id of the data set's library, or a YAML path) on the
    live screen: its incidents are recorded with proposed plans, recommended on the
    network with the scenario's roads closed, and a ``scenario.loaded`` entry names it
    so every screen draws its zones and closures. Returns (scenario id, incident ids).

    Raises
    ------
    DataError
        For an unknown scenario or an invalid file (naming file, field and value).
    """
    from command.scenarios.consequences import closed_network, consequences
    from command.scenarios.library import find_scenario, scenario_dir
    from command.scenarios.schema import load_scenario as read_scenario

    scenario = read_scenario(find_scenario(name, scenario_dir(settings.resources_dir)),
                             dataset=dataset, network=network)
    c = consequences(scenario, network, dataset, settings=settings)
    closed = closed_network(network, c)
    ids = []
    for inc in c.incidents:
        incident_id, _plan, _rec = create_and_recommend(
            engine, closed, dataset, incident_type=inc.type, lat=inc.lat, lon=inc.lon,
            priority=inc.priority, grade=inc.grade, actor=actor, limit=settings.recommend_limit,
            max_snap_distance_m=settings.max_snap_distance_m)
        ids.append(incident_id)
    with store.session_scope(engine) as s:
        store.append_audit(s, actor=actor, action="scenario.loaded", subject=SCENARIO_SUBJECT,
                     payload={"scenario": c.scenario_id, "incident_ids": ids})
    return c.scenario_id, ids


def clear_scenario(engine: Engine, actor: str) -> None:
    """Take the scenario's zones and closures off the live screen (its incidents stay
    until they are closed)."""

    with store.session_scope(engine) as s:
        store.append_audit(s, actor=actor, action="scenario.cleared", subject=SCENARIO_SUBJECT)


def active_scenario(engine: Engine) -> str | None:
    """The id of the scenario on the live screen, or None."""
    with store.session_scope(engine, read_only=True) as s:
        last = store.list_audit(s, limit=1, subject=SCENARIO_SUBJECT)
    return last[0].payload["scenario"] if last and last[0].action == "scenario.loaded" else None


def record_situation_plan(engine: Engine, situation, plan, *, actor: str
                          ) -> tuple[int, dict[str, str]]:
    """Store a situation's incidents and its plan as proposed, in one transaction.

    ``situation`` is a :class:`command.situation.Situation`, ``plan`` a dispatch
    :class:`~command.dispatch.plan.Plan` on its incident ids; the plan is saved with the
    store's incident ids. Returns (plan id, situation incident id -> store id).
    """
    from dataclasses import replace

    with store.session_scope(engine) as s:
        ids = {inc.id: store.create_incident(
            s, Incident("", inc.type, inc.lat, inc.lon, inc.priority, inc.grade,
                        description=f"{situation.name} {inc.id}".strip()), actor)
            for inc in situation.incidents}
        renamed = replace(
            plan, incident_ids=tuple(ids[i] for i in plan.incident_ids),
            assignments=tuple(replace(a, incident_id=ids[a.incident_id])
                              for a in plan.assignments),
            shortfalls=tuple(replace(x, incident_id=ids[x.incident_id])
                             for x in plan.shortfalls))
        payload = {**renamed.to_dict(), "situation_ids": ids}
        plan_id = store.save_plan(s, payload, list(ids.values()), actor)
    return plan_id, ids
