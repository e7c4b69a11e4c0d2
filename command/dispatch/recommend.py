"""First-response recommendation: the capable available units for one incident, ranked
by road travel time from their bases, each with its ETA, road distance and reason.

This is the single-incident view the duty officer sees first; competing incidents are
the job of ``command.dispatch.assign``. One backward Dijkstra from the incident gives
every unit's ETA and route.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from command import roads
from command.dispatch.reasons import reason
from command.errors import DataError, Problem
from command.i18n import t
from command.model import INCIDENT_TYPES, Dataset

__all__ = ["UnitOption", "Recommendation", "recommend"]


@dataclass(frozen=True)
class UnitOption:
    unit_id: str
    name_zh: str
    name_en: str
    capability: str
    agency_id: str
    base_id: str
    base_name_zh: str
    base_name_en: str
    eta_s: float
    distance_m: float
    routed: bool  # among the nearest units that fill the response package
    reason_zh: str
    reason_en: str
    path: tuple[tuple[float, float], ...]  # (lat, lon) along the route; empty if not routed
    # the reason as a translation key and its values (see command.dispatch.reasons)
    reason_code: str = field(default="", compare=False)
    reason_params: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self, *, with_path: bool = False) -> dict:
        d = {k: getattr(self, k) for k in (
            "unit_id", "name_zh", "name_en", "capability", "agency_id", "base_id",
            "base_name_zh", "base_name_en", "routed", "reason_zh", "reason_en",
            "reason_code")}
        d["reason_params"] = dict(self.reason_params)
        d["base"] = self.base_id
        d["eta_s"] = round(self.eta_s, 1)
        d["distance_m"] = round(self.distance_m, 1)
        if with_path:
            d["path"] = [list(p) for p in self.path]
        return d


@dataclass(frozen=True)
class Recommendation:
    incident_type: str
    lat: float
    lon: float
    node: int
    snap_distance_m: float
    package: Mapping[str, int]  # capability -> units demanded
    options: tuple[UnitOption, ...]
    missing: Mapping[str, int]  # capability -> units the package lacks (none reachable)

    def to_dict(self, *, with_path: bool = False) -> dict:
        return {
            "incident_type": self.incident_type, "lat": self.lat, "lon": self.lon,
            "snap_distance_m": round(self.snap_distance_m, 1), "package": dict(self.package),
            "missing": dict(self.missing),
            "units": [o.to_dict(with_path=with_path) for o in self.options],
        }


def recommend(
    network: roads.RoadNetwork,
    dataset: Dataset,
    *,
    lat: float,
    lon: float,
    incident_type: str,
    grade: int = 4,
    unit_status: Mapping[str, str] | None = None,
    limit: int = 10,
    max_snap_distance_m: float,
) -> Recommendation:
    """Rank the capable available units for an incident at (lat, lon).

    Parameters
    ----------
    network : the road network (with any closures already applied).
    dataset : units, bases and response packages.
    incident_type : one of ``command.model.INCIDENT_TYPES``; its response package (for
        ``grade``) decides which capabilities are capable and how many are routed.
    unit_status : unit_id -> status from the store; units not ``available`` are skipped.
        None takes the data set's statuses.
    limit : at most this many units are listed, but never fewer than the package needs.
    max_snap_distance_m : farther than this from any road, the place is off the network.

    Returns
    -------
    Recommendation
        Units by ETA (s); the nearest ``count`` units of each demanded capability are
        ``routed`` and carry their route geometry.

    Raises
    ------
    DataError
        Unknown incident type, or a type without a response package.
    OffNetworkError
        The place is too far from the road network.
    """
    if incident_type not in INCIDENT_TYPES:
        raise DataError("unknown incident type", [Problem(
            "must be one of " + ", ".join(INCIDENT_TYPES), field="type", value=incident_type)])
    package = dataset.package(incident_type, grade)
    if not package:
        raise DataError("no response package", [Problem(
            "the data set has no response package for this type", field="type",
            value=incident_type)])
    node, dist = roads.snap(network, lat, lon, max_distance_m=max_snap_distance_m)
    node = int(node)
    status = unit_status or {}
    bases = {b.base_id: b for b in dataset.bases}
    units = [u for u in dataset.teams
             if u.capability in package and status.get(u.unit_id, u.status) == "available"]
    if not units:
        return Recommendation(incident_type, lat, lon, node, float(dist), dict(package), (),
                              dict(package))
    base_ids = sorted({u.base_id for u in units})
    base_nodes, _ = roads.snap(network, [bases[b].lat for b in base_ids],
                               [bases[b].lon for b in base_ids], max_distance_m=None)
    eta_by_base = dict(zip(base_ids, np.atleast_1d(
        roads.travel_times_to_s(network, node, base_nodes)).tolist(), strict=False))
    paths = dict(zip(base_ids, roads.paths_to(network, base_nodes, node), strict=False))

    reachable = sorted((u for u in units if np.isfinite(eta_by_base[u.base_id])),
                       key=lambda u: (eta_by_base[u.base_id], u.unit_id))
    nearest_eta: dict[str, float] = {}
    taken: dict[str, int] = {}
    chosen: list[tuple] = []
    for u in reachable:
        eta = eta_by_base[u.base_id]
        nearest_eta.setdefault(u.capability, eta)
        routed = taken.get(u.capability, 0) < package[u.capability]
        if routed:
            taken[u.capability] = taken.get(u.capability, 0) + 1
        chosen.append((u, eta, routed))
    needed = sum(package.values())
    listed = [c for c in chosen if c[2]] + [c for c in chosen if not c[2]]
    listed = listed[:max(limit, min(needed, len(listed)))]
    listed.sort(key=lambda c: (c[1], c[0].unit_id))

    options = []
    for u, eta, routed in listed:
        base = bases[u.base_id]
        path_nodes = paths[u.base_id]
        delta = (eta - nearest_eta[u.capability]) / 60.0
        if delta < 1e-9:
            why = reason("reason.nearest", capability={"term": f"cap.{u.capability}"},
                         eta_min=float(eta) / 60.0)
        else:
            why = reason("reason.next", delta_min=float(delta))
        options.append(UnitOption(
            unit_id=u.unit_id, name_zh=u.name_zh, name_en=_unit_name_en(u, base),
            capability=u.capability, agency_id=u.agency_id, base_id=u.base_id,
            base_name_zh=base.name_zh, base_name_en=base.name_en, eta_s=float(eta),
            distance_m=roads.path_length_m(network, path_nodes), routed=routed,
            path=tuple(roads.path_coords(network, path_nodes)) if routed else (),
            **why.fields()))
    missing = {c: n - taken.get(c, 0) for c, n in package.items() if taken.get(c, 0) < n}
    return Recommendation(incident_type, lat, lon, node, float(dist), dict(package),
                          tuple(options), missing)


def _unit_name_en(unit, base) -> str:
    return t("dispatch.unit_name", "en", base=base.name_en,
             capability=t(f"cap.{unit.capability}", "en"), unit_id=unit.unit_id)
