"""Application services: the few steps that join the store to the decision core.

The dashboard and the CLI both call these, so a screen action and a command do the same
thing: read the live unit status, create an incident, recommend, and save the proposed
plan, all in one transaction with its audit entries.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from command import store
from command.dispatch.recommend import Recommendation, recommend
from command.model import Dataset, Incident

__all__ = ["unit_statuses", "create_and_recommend"]


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
