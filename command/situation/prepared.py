"""A situation checked against the data set and the road network: :class:`Prepared`.

:func:`prepare` merges a named scenario, runs every check (:mod:`._check`), applies the
situation's closures and hour to the network and snaps every place to a node;
:func:`travel_s` times journeys on the result, letting responders into closed zones.

Owns: :class:`Prepared`, :func:`prepare`, :func:`travel_s`. Must not: build or solve
dispatch problems (:mod:`command.situation.problems`), nor read files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from command import roads
from command.errors import DataError, Problem, RoadNetworkError
from command.model import Dataset
from command.settings import Settings
from command.situation._check import reference_problems, snap_places
from command.situation._scenario import with_scenario
from command.situation.schema import Situation
from command.yamlfile import Located

__all__ = ["Prepared", "prepare", "travel_s"]


@dataclass(frozen=True)
class Prepared:
    """A situation checked against the data set and the network, with its places snapped.

    ``network`` has the situation's closures and hour applied; ``entry_network`` only the
    closures by road name and the hour: responders reach a place *inside* a closed zone
    over the zone's roads (see :func:`travel_s`). Units and incidents are in file order;
    ``unit_*`` arrays cover every unit of the fleet with its live status.
    """

    situation: Situation
    dataset: Dataset
    settings: Settings
    network: Any
    entry_network: Any
    incident_nodes: np.ndarray
    unit_ids: tuple[str, ...]
    unit_capability: tuple[str, ...]
    unit_status: tuple[str, ...]
    unit_nodes: np.ndarray
    unit_post: tuple[str, ...]  # base id each unit belongs to
    aid_nodes: np.ndarray
    depot_nodes: Mapping[str, int]
    shelter_nodes: Mapping[str, int]
    base_nodes: Mapping[str, int]
    zone_ids: tuple[str, ...]
    zone_nodes: np.ndarray

    def incident_demand(self, k: int) -> dict[str, int]:
        inc = self.situation.incidents[k]
        if inc.demand is not None:
            return {c: n for c, n in inc.demand.items() if n > 0}
        return self.dataset.package(inc.type, inc.grade)

    def available(self) -> np.ndarray:
        """Indices of the units free to be sent."""
        return np.array([i for i, s in enumerate(self.unit_status) if s == "available"],
                        dtype=int)


#: A closure polygon may close at most this share of the road edges: the worst floods
#: of record closed parts of a city, never nine roads in ten; beyond it no route is left.
MAX_CLOSURE_SHARE = 0.9


def _closed(sit: Situation, located: Located, network, settings: Settings, zone_closed,
            problems: list[Problem]) -> tuple[Any, Any]:
    """(network with every closure and the hour, network with road-name closures and the
    hour only); an unknown road name adds a problem."""
    net = network
    if sit.closures.roads:
        try:
            net = roads.close_roads(net, sit.closures.roads)
        except RoadNetworkError as exc:
            unknown = {str(p.value) for p in exc.problems}
            for k, name in enumerate(sit.closures.roads):
                if name in unknown:
                    problems.append(located.problem(("closures", "roads", k),
                                                    "no road of that name or reference", name))
    if sit.hour is not None:
        net = roads.at_hour(net, sit.hour, congestion_factors=settings.congestion_factors)
    entry = net
    for k, ring in enumerate(sit.closures.polygons):
        coords = [list(p) for p in ring]
        if coords[0] != coords[-1]:
            coords.append(coords[0])
        before = int(net.edge_closed.sum())
        net = roads.close_polygon(net, {"type": "Polygon", "coordinates": [coords]})
        closed = int(net.edge_closed.sum()) - before
        if closed > MAX_CLOSURE_SHARE * net.n_edges:
            problems.append(located.problem(
                ("closures", "polygons", k),
                f"the closure polygon closes {closed:,} of the network's {net.n_edges:,} "
                f"road edges ({closed / net.n_edges:.0%}); a closure is an area to keep "
                f"traffic out of, and above {MAX_CLOSURE_SHARE:.0%} of the city no road is "
                "left to route on: draw the closed area itself", None))
    if zone_closed is not None:
        net = roads.close_edges(net, zone_closed)
    return net, entry


def prepare(situation: Situation, located: Located, network, dataset: Dataset,
            settings: Settings) -> Prepared:
    """Check ``situation`` against the data set and the road network, apply its closures
    and hour, and snap every place. Nothing is solved here.

    Raises
    ------
    DataError
        Every problem at once: duplicate incident or unit ids, an unknown unit, depot,
        item, shelter or road name, an incident without a response package and without
        ``demand``, a place farther than ``settings.max_snap_distance_m`` from a road.
    """
    sit = situation
    zone_closed = None
    if sit.scenario is not None:
        sit, zone_closed = with_scenario(sit, located, network, dataset, settings)
    problems = reference_problems(sit, located, dataset)
    net, entry = _closed(sit, located, network, settings, zone_closed, problems)

    max_m = settings.max_snap_distance_m
    inc_nodes = snap_places(net, [(("incidents", k), i.lat, i.lon)
                                  for k, i in enumerate(sit.incidents)], located, max_m, problems)
    moved = {u.unit_id: (k, u) for k, u in enumerate(sit.units) if u.lat is not None}
    moved_nodes = dict(zip(moved, snap_places(
        net, [(("units", k), u.lat, u.lon) for k, u in moved.values()], located, max_m,
        problems), strict=True))
    aid_nodes = snap_places(net, [(("mutual_aid", k), a.lat, a.lon)
                                  for k, a in enumerate(sit.mutual_aid)], located, max_m, problems)
    if problems:
        raise DataError(f"The situation {located.file} does not fit the data set or the "
                        "road network; nothing was solved.", problems)

    def nodes_of(places, key: str) -> dict[str, int]:
        places = list(places)
        if not places:
            return {}
        n, _ = roads.snap(net, [p.lat for p in places], [p.lon for p in places],
                          max_distance_m=None)
        return {getattr(p, key): int(x) for p, x in zip(places, np.atleast_1d(n), strict=True)}

    base_nodes = nodes_of(dataset.bases, "base_id")
    status = {u.unit_id: u.status for u in dataset.teams}
    status.update({u.unit_id: u.status for u in sit.units})
    fleet = list(dataset.teams)
    zones = [g for g in dataset.grid_cells if g.level == "town"]
    zone_nodes = nodes_of(zones, "grid_id")
    return Prepared(
        situation=sit, dataset=dataset, settings=settings, network=net, entry_network=entry,
        incident_nodes=np.array(inc_nodes, dtype=int),
        unit_ids=tuple(u.unit_id for u in fleet),
        unit_capability=tuple(u.capability for u in fleet),
        unit_status=tuple(status[u.unit_id] for u in fleet),
        unit_nodes=np.array([moved_nodes.get(u.unit_id, base_nodes[u.base_id]) for u in fleet],
                            dtype=int),
        unit_post=tuple(u.base_id for u in fleet),
        aid_nodes=np.array(aid_nodes, dtype=int),
        depot_nodes=nodes_of(dataset.depots, "depot_id"),
        shelter_nodes=nodes_of(dataset.shelters, "shelter_id"),
        base_nodes=base_nodes,
        zone_ids=tuple(z.grid_id for z in zones),
        zone_nodes=np.array([zone_nodes[z.grid_id] for z in zones], dtype=int),
    )


def travel_s(prep: Prepared, sources, targets) -> np.ndarray:
    """Road travel times (S, T) on the situation's network; a target (or source) that no
    source reaches (lies inside a closed zone) is timed on ``entry_network`` instead:
    responders and supplies go in, while through traffic avoids the zone."""
    src = np.asarray(sources, dtype=int).ravel()
    tgt = np.asarray(targets, dtype=int).ravel()
    if src.size == 0 or tgt.size == 0:
        return np.zeros((src.size, tgt.size))
    t = np.asarray(roads.travel_times_s(prep.network, src, tgt), dtype=float).reshape(
        src.size, tgt.size)
    if prep.entry_network is prep.network:
        return t
    cols = ~np.isfinite(t).any(axis=0)
    rows = ~np.isfinite(t).any(axis=1)
    if cols.any() or rows.any():
        e = np.asarray(roads.travel_times_s(prep.entry_network, src, tgt), dtype=float
                       ).reshape(src.size, tgt.size)
        t[:, cols] = e[:, cols]
        t[rows, :] = e[rows, :]
    return t

