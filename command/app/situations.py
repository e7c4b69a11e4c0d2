"""Situations and the store: the live situation read from the store in the schema of
situation files (docs/situations.md), its materials plan, and a situation's plan
recorded for approval.

The store knows the open incidents and the units' statuses; :mod:`command.situation`
turns a situation into dispatch problems. This module joins the two, so the material
reserves page, a CLI command or a bench can ask "what would the optimiser do now?"
with the same machinery as a situation file.

Owns: reading the store into a situation dict, the one pipeline store -> materials
allocation -> delivery routes, and recording a situation file's plan (incidents and
proposed plan in one transaction). Must not: know about the web. Drill incidents stay
out unless asked for (``include_drills``), so a drill never enters a live plan.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from command import store
from command.app.optimise import deliveries_plan, materials_plan
from command.model import Dataset, Incident
from command.settings import Settings
from command.situation import prepare, situation_from_dict

__all__ = ["situation_from_store", "materials_from_store", "record_situation_plan"]

log = logging.getLogger(__name__)


def _read(session, dataset: Dataset, include_drills: bool) -> dict:
    incidents = list(reversed(store.list_incidents(session, status="open")))  # oldest first
    if include_drills:
        incidents += list(reversed(store.list_incidents(session, status="open", is_drill=True)))
    where = {i.incident_id: (i.lat, i.lon) for i in incidents}
    out_incidents = []
    for i in incidents:
        row: dict[str, Any] = {"id": i.incident_id, "type": i.incident_type, "grade": i.grade,
                               "priority": i.priority, "lat": i.lat, "lon": i.lon}
        if not dataset.package(i.incident_type, i.grade):
            # No response package for this type: no units asked for, materials still are.
            row["demand"] = {}
        out_incidents.append(row)
    base_status = {u.unit_id: u.status for u in dataset.teams}
    units = []
    for u in store.list_units(session):
        if u.status == base_status.get(u.unit_id, "available") and u.incident_id is None:
            continue
        row = {"unit_id": u.unit_id, "status": u.status}
        # A unit on scene stands at its incident (when that incident is in the situation).
        if u.status == "on_scene" and u.incident_id in where:
            row["lat"], row["lon"] = where[u.incident_id]
        units.append(row)
    return {"name": "live", "incidents": out_incidents, "units": units}


def situation_from_store(engine: Engine, dataset: Dataset, *, include_drills: bool = False
                         ) -> dict:
    """The store's live state as a situation dict (for :func:`situation_from_dict`).

    Parameters
    ----------
    engine
        The store.
    dataset
        The data set the store was loaded from: units whose status equals the data
        set's are left out (the situation lists only what differs).
    include_drills
        Also take open drill incidents (never for a live plan).

    Returns
    -------
    dict
        ``name`` ("live"); ``incidents``: open incidents, oldest first, each with ``id``,
        ``type``, ``grade``, ``priority``, ``lat``, ``lon`` (and ``demand: {}`` for a type
        without a response package); ``units``: ``unit_id`` and ``status`` of every unit
        not available at its base, with ``lat``/``lon`` of its incident when on scene.
    """
    with store.session_scope(engine, read_only=True) as s:
        return _read(s, dataset, include_drills)


def materials_from_store(engine: Engine, network, dataset: Dataset, settings: Settings, *,
                         include_drills: bool = False, time_limit_s: float | None = None
                         ) -> dict:
    """The allocation of reserve stocks to the store's open incidents and the delivery
    routes, as JSON-ready data.

    The change id and the situation are read in one read-only session, so the result
    says exactly which state of the store it answers (``change_id``, the
    :func:`command.store.last_change_id` of that state).

    Returns
    -------
    dict
        ``change_id``; ``situation`` (the dict solved); ``materials`` (as
        :func:`command.app.optimise.materials_plan`); ``deliveries`` (as
        :func:`command.app.optimise.deliveries_plan`; empty ``depots`` without incidents);
        ``seconds`` (wall time of reading and solving).

    Raises
    ------
    DataError
        If an open incident does not fit the road network (farther than
        ``settings.max_snap_distance_m`` from a road) or the data set.
    """
    t0 = time.perf_counter()
    with store.session_scope(engine, read_only=True) as s:
        change_id = store.last_change_id(s)
        data = _read(s, dataset, include_drills)
    situation, located = situation_from_dict(data, name=f"store@{change_id}")
    prep = prepare(situation, located, network, dataset, settings)
    result, materials = materials_plan(prep, time_limit_s=time_limit_s)
    deliveries = (deliveries_plan(prep, result, time_limit_s=time_limit_s)
                  if result.shipments else {"depots": []})
    seconds = time.perf_counter() - t0
    log.info("materials plan for change %s: %d incidents, %d shipments, %.2f s", change_id,
             len(data["incidents"]), len(result.shipments), seconds)
    return {"change_id": change_id, "situation": data, "materials": materials,
            "deliveries": deliveries, "seconds": round(seconds, 3)}


def record_situation_plan(engine: Engine, situation, plan, *, actor: str,
                          now: datetime | None = None) -> tuple[int, dict[str, str]]:
    """Store a situation's incidents and its plan as proposed, in one transaction.

    ``situation`` is a :class:`command.situation.Situation`, ``plan`` a dispatch
    :class:`~command.dispatch.plan.Plan` on its incident ids; the plan is saved with the
    store's incident ids. Returns (plan id, situation incident id -> store id).
    """
    from dataclasses import replace

    with store.session_scope(engine) as s:
        ids = {inc.id: store.create_incident(
            s, Incident("", inc.type, inc.lat, inc.lon, inc.priority, inc.grade,
                        description=f"{situation.name} {inc.id}".strip()), actor, now=now)
            for inc in situation.incidents}
        renamed = replace(
            plan, incident_ids=tuple(ids[i] for i in plan.incident_ids),
            assignments=tuple(replace(a, incident_id=ids[a.incident_id])
                              for a in plan.assignments),
            shortfalls=tuple(replace(x, incident_id=ids[x.incident_id])
                             for x in plan.shortfalls))
        payload = {**renamed.to_dict(), "situation_ids": ids}
        plan_id = store.save_plan(s, payload, list(ids.values()), actor, now=now)
    return plan_id, ids
