"""The automatic avoidance chain (自动避险): what happens when a hazard source's sensor
reaches red.

Steps, in order, each recorded as it happens (``avoidance.step`` in the audit log, the
whole step in ``avoidance_steps``) and shown on the command screen:

1. ``incident``   an incident of the hazard's type at the hazard source (grade 2,
                  priority 1): toxic gas -> hazmat leak, flammable gas -> gas leak,
                  explosives -> industrial fire, others -> hazmat leak;
2. ``zone``       the hazard zone from the consequence models of :mod:`command.scenarios`:
                  the library scenario of that hazard source with the *current* wind (the
                  latest readings of the nearest wind sensors; Pasquill D), else a cordon
                  by hazard class; the zone goes on every screen at once;
3. ``roads``      the roads inside closed (edge count, km, names);
4. ``population`` the people inside and the shelters outside with their routes;
5. ``agencies``   the agencies to notify;
6. ``teams``      the nearest capable teams, pre-alerted (recorded, not dispatched);
7. ``plan``       the recommended plan, proposed for the duty officer's decision on the
                  command screen.

The duty officer may stop the chain at any time (:func:`stop_chain`): the flag is
checked before each step, and what was done stays recorded. A red alert at a hazard
source whose chain is running, or done with its incident still open, joins that chain
(the second detector at the same tank does not start a second response). The zone and the people are
one consequence computation (about a second); its parts are recorded as separate steps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine

from command import store
from command.app.scenarios import SCENARIO_SUBJECT
from command.clock import utc_now
from command.store import warning as ws

__all__ = ["STEPS", "INCIDENT_TYPE_OF_CLASS", "run_chain", "stop_chain", "latest_chain",
           "chain_overlay", "incident_type_for", "current_wind"]

log = logging.getLogger(__name__)

STEPS: tuple[str, ...] = ("incident", "zone", "roads", "population", "agencies", "teams",
                          "plan")

#: GB 18218 hazard class (prefix) -> the incident type the chain records.
INCIDENT_TYPE_OF_CLASS: dict[str, str] = {"toxic_gas": "hazmat_leak", "W2": "gas_leak",
                                          "W1": "industrial_fire", "W5": "hazmat_leak",
                                          "W4": "hazmat_leak"}
#: Cordon radius (m) by hazard class when no scenario of the hazard source exists:
#: illustrative initial isolation distances of the order of the ERG's for large spills.
_CORDON_M: dict[str, float] = {"toxic_gas": 1000.0, "W1": 800.0, "W2": 500.0}
_DEFAULT_CORDON_M = 300.0


def incident_type_for(hazard_class: str) -> str:
    for prefix, kind in INCIDENT_TYPE_OF_CLASS.items():
        if hazard_class.startswith(prefix):
            return kind
    return "hazmat_leak"


def current_wind(engine: Engine, lat: float, lon: float) -> dict | None:
    """The latest speed (m/s) and direction (degrees, from) of the wind sensors nearest
    to (lat, lon), or None without both."""
    from command.app.warning import registry_from_store

    sensors = registry_from_store(engine)
    with store.session_scope(engine, read_only=True) as s:
        latest = ws.latest_readings(s)

    def nearest(kind):
        best = None
        for sid, spec in sensors.items():
            if spec.kind != kind or sid not in latest:
                continue
            d = (spec.lat - lat) ** 2 + (spec.lon - lon) ** 2
            if best is None or d < best[0]:
                best = (d, sid, latest[sid])
        return best

    speed, direction = nearest("wind"), nearest("wind_direction")
    if speed is None or direction is None:
        return None
    return {"wind_m_s": max(0.5, float(speed[2][1])), "wind_from_deg": float(direction[2][1]) % 360,
            "stability": "D", "speed_sensor": speed[1], "direction_sensor": direction[1],
            "measured_at": max(speed[2][0], direction[2][0])}


def _scenario_for(hazard, dataset, settings, wind: dict | None):
    """The library scenario of the hazard source with the current wind, or a cordon."""
    from command.scenarios.library import list_scenarios, scenario_dir
    from command.scenarios.schema import Scenario, Weather
    from command.scenarios.schema import load_scenario as read_scenario

    for path in list_scenarios(scenario_dir(settings.resources_dir)):
        try:
            sc = read_scenario(path)
        except Exception:  # a broken library file must not stop the chain
            continue
        if sc.place.hazard_source == hazard.hazard_id:
            if wind is not None and sc.weather is not None:
                sc = sc.model_copy(update={"weather": Weather(
                    wind_m_s=wind["wind_m_s"], wind_from_deg=wind["wind_from_deg"],
                    stability=wind["stability"])})
            return sc, path.stem
    radius = next((r for p, r in _CORDON_M.items() if hazard.hazard_class.startswith(p)),
                  _DEFAULT_CORDON_M)
    sc = Scenario.model_validate({
        "id": f"cordon-{hazard.hazard_id}", "illustrative": True,
        "name": {"zh": f"{hazard.name_zh}警戒区", "en": f"Cordon around {hazard.hazard_id}"},
        "description": {"zh": "无该危险源的情景：按危险类别设警戒圈",
                        "en": "no scenario of this hazard source: a cordon by hazard class"},
        "place": {"hazard_source": hazard.hazard_id},
        "hazards": [{"type": "cordon", "radius_m": radius, "grade": "red"}]})
    return sc, None


def _stopped(engine: Engine, chain_id: int) -> str | None:
    with store.session_scope(engine, read_only=True) as s:
        return ws.get_chain(s, chain_id).stop_requested_by


def run_chain(engine: Engine, network, dataset, settings, *, alert_id: int, hazard_id: str,
              actor: str = "system", now: Callable[[], datetime] = utc_now,
              is_drill: bool = False) -> int:
    """Run the chain for red alert ``alert_id`` at hazard source ``hazard_id``; returns
    the chain id. Every step is written in its own transaction with its audit entry, so
    the screens show each as it happens; a stop request ends it before the next step.
    ``now`` is the clock (called at each step)."""
    from command.app.incidents import unit_statuses
    from command.app.screen import AVOIDANCE_PREFIX
    from command.dispatch.recommend import recommend
    from command.model import Incident
    from command.scenarios.consequences import closed_network, consequences

    hazard = {h.hazard_id: h for h in dataset.hazard_sources}[hazard_id]
    with store.session_scope(engine) as s:
        current = _current_chain(s, hazard_id)
        if current is not None:  # the second detector at the same tank: one response
            return current
        chain_id = ws.start_chain(s, alert_id=alert_id, hazard_id=hazard_id, actor=actor,
                                  now=now())

    def step(name, payload, summary=None, **ids):
        with store.session_scope(engine) as s:
            ws.add_step(s, chain_id, name, payload=payload, summary=summary or payload,
                        actor=actor, now=now(), **ids)

    def finish(status, detail=""):
        with store.session_scope(engine) as s:
            ws.finish_chain(s, chain_id, status, actor=actor, now=now(), detail=detail)

    try:
        # 1. the incident
        kind = incident_type_for(hazard.hazard_class)
        with store.session_scope(engine) as s:
            incident_id = store.create_incident(
                s, Incident("", kind, float(hazard.lat), float(hazard.lon), 1, 2,
                            f"avoidance chain {chain_id}: red alert {alert_id} at {hazard_id}"),
                actor, is_drill=is_drill, now=now())
        step("incident", {"incident_id": incident_id, "type": kind, "lat": hazard.lat,
                          "lon": hazard.lon}, incident_id=incident_id)
        if _stopped(engine, chain_id):
            finish("stopped")
            return chain_id
        # 2. the zone
        wind = current_wind(engine, hazard.lat, hazard.lon)
        scenario, library_id = _scenario_for(hazard, dataset, settings, wind)
        c = consequences(scenario, network, dataset, settings=settings)
        zone = {"scenario": library_id or scenario.id, "wind": wind,
                "zones": len(c.zones), "geojson": {"zh": c.geojson("zh"), "en": c.geojson("en")},
                "name_zh": c.name_zh, "name_en": c.name_en,
                "grades": sorted({z.grade for z in c.zones})}
        step("zone", zone, {k: zone[k] for k in ("scenario", "wind", "zones", "grades")})
        with store.session_scope(engine) as s:
            store.append_audit(s, actor=actor, action="scenario.loaded", subject=SCENARIO_SUBJECT,
                               payload={"scenario": f"{AVOIDANCE_PREFIX}{chain_id}",
                                        "chain_id": chain_id, "incident_ids": [incident_id]},
                               at=now())
        for name, payload, summary in _consequence_steps(network, c):
            if _stopped(engine, chain_id):
                finish("stopped")
                return chain_id
            step(name, payload, summary)
        # 6. the nearest capable teams, pre-alerted
        if _stopped(engine, chain_id):
            finish("stopped")
            return chain_id
        closed = closed_network(network, c)
        rec = recommend(closed, dataset, lat=hazard.lat, lon=hazard.lon, incident_type=kind,
                        grade=2, unit_status=unit_statuses(engine),
                        limit=settings.recommend_limit,
                        max_snap_distance_m=settings.max_snap_distance_m)
        if not any(o.routed for o in rec.options):  # the hazard's own streets are closed
            rec = recommend(network, dataset, lat=hazard.lat, lon=hazard.lon,
                            incident_type=kind, grade=2, unit_status=unit_statuses(engine),
                            limit=settings.recommend_limit,
                            max_snap_distance_m=settings.max_snap_distance_m)
        teams = [{"unit_id": o.unit_id, "capability": o.capability, "eta_s": round(o.eta_s, 1),
                  "distance_m": round(o.distance_m, 1), "routed": o.routed,
                  "reason_zh": o.reason_zh, "reason_en": o.reason_en} for o in rec.options]
        step("teams", {"teams": teams, "missing": dict(rec.missing)},
             {"teams": [t["unit_id"] for t in teams if t["routed"]]})
        # 7. the recommended plan, for the duty officer
        if _stopped(engine, chain_id):
            finish("stopped")
            return chain_id
        assignments = [{**{k: t[k] for k in ("unit_id", "capability", "eta_s", "distance_m",
                                              "reason_zh", "reason_en")},
                        "incident_id": incident_id} for t in teams if t["routed"]]
        plan_id = None
        with store.session_scope(engine) as s:
            if assignments:
                plan_id = store.save_plan(
                    s, {"assignments": assignments, "solver_status": "nearest",
                        "missing": dict(rec.missing), "avoidance_chain": chain_id},
                    [incident_id], actor, now=now())
        step("plan", {"plan_id": plan_id, "units": len(assignments)}, plan_id=plan_id)
        finish("done")
    except Exception as exc:
        log.exception("avoidance chain %s failed", chain_id)
        finish("failed", detail=f"{type(exc).__name__}: {exc}"[:500])
        raise
    return chain_id


def _current_chain(s, hazard_id: str) -> int | None:
    """A chain of the hazard source that is running, or done with its incident still
    open: a new red alert there joins it instead of starting another response."""
    for chain in ws.list_chains(s, limit=50):
        if chain.hazard_id != hazard_id:
            continue
        if chain.status == "running":
            return chain.chain_id
        if (chain.status == "done" and chain.incident_id is not None
                and store.get_incident(s, chain.incident_id).status == "open"):
            return chain.chain_id
    return None


def _consequence_steps(network, c):
    """(step, payload, audit summary) of roads, population and agencies."""
    names = sorted({str(n) for n in network.edge_name[c.closed_edges] if n})[:30]
    yield ("roads", {"edges": c.closed_edges.tolist(), "count": int(c.closed_edges.size),
                     "km": round(c.closed_km, 3), "names": names},
           {"count": int(c.closed_edges.size), "km": round(c.closed_km, 3)})
    shelters = [{"shelter_id": r.shelter_id, "name_zh": r.name_zh, "name_en": r.name_en,
                 "capacity_persons": r.capacity_persons, "eta_s": round(r.eta_s, 1)}
                for r in c.shelters]
    yield ("population", {"inside": c.population, "residents": c.residents,
                          "by_area": c.population_by_area, "shelters": shelters,
                          "capacity_persons": c.shelter_capacity},
           {"inside": c.population, "shelters": [s["shelter_id"] for s in shelters]})
    agencies = [{k: a[k] for k in ("agency_id", "name_zh", "name_en", "kind", "reasons")}
                for a in c.agencies]
    yield ("agencies", {"agencies": agencies}, {"agencies": [a["agency_id"] for a in agencies]})


def stop_chain(engine: Engine, chain_id: int, user: str, *,
               now: datetime | None = None) -> ws.ChainRecord:
    """The duty officer (``user``) stops a running chain before its next step.

    Raises
    ------
    StoreError
        No such chain, or it is not running.
    """
    with store.session_scope(engine) as s:
        return ws.request_stop(s, chain_id, actor=user, now=now)


def latest_chain(engine: Engine) -> ws.ChainRecord | None:
    """The newest avoidance chain, or None."""
    with store.session_scope(engine, read_only=True) as s:
        chains = ws.list_chains(s, limit=1)
    return chains[0] if chains else None


def chain_overlay(engine: Engine, chain_id: int) -> dict | None:
    """The zone (GeoJSON by language), its names and the closed edges of a chain as far
    as it got; None before its zone step."""
    with store.session_scope(engine, read_only=True) as s:
        chain = ws.get_chain(s, chain_id)
    if chain is None:
        return None
    steps = {st.step: st.payload for st in chain.steps}
    if "zone" not in steps:
        return None
    return {"geojson": steps["zone"]["geojson"], "name_zh": steps["zone"]["name_zh"],
            "name_en": steps["zone"]["name_en"],
            "edges": steps.get("roads", {}).get("edges", [])}
