"""The static city a simulation runs in: units, posts, hospitals, depots, zones, and the
road travel times between them for each closure state.

Owns: turning the data set, the road network and a variant's changes (stations removed,
units added, roads closed, depots moved) into arrays the model indexes, and the travel
tables of a closure state, computed once per state and kept. Must not: simulate.

Travel tables (seconds, free flow of the emergency-vehicle network; the model multiplies
by the hour's congestion factor and by a lognormal noise per trip):

- ``from_post[p, n]``: post (base) ``p`` to every node (one forward Dijkstra per post);
- ``to_post[n, p]``: every node to post ``p`` (one backward Dijkstra per post);
- ``to_hospital[n, h]``: every node to hospital ``h``;
- ``from_depot[d, n]``: depot ``d`` to every node.

So a dispatch is a column lookup, not a search: units are dispatched from their post
(a unit on a move-up drive: from the post it heads for or left, see
:mod:`command.sim.city`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from command.errors import DataError, OffNetworkError, Problem
from command.model import CAPABILITIES, Dataset
from command.sim._tables import SimTables

__all__ = ["TravelTables", "World", "build_world"]

log = logging.getLogger(__name__)

#: Capabilities measured against the fire standard, and against the EMS standard.


@dataclass(frozen=True)
class TravelTables:
    from_post: np.ndarray
    to_post: np.ndarray
    to_hospital: np.ndarray
    from_depot: np.ndarray


def travel_tables(net, post_node, hospital_node, depot_node) -> TravelTables:
    from command.roads import travel_times_s, travel_times_to_s

    return TravelTables(
        from_post=np.atleast_2d(travel_times_s(net, np.asarray(post_node))),
        to_post=travel_times_to_s(net, np.asarray(post_node)).reshape(net.n_nodes, -1),
        to_hospital=travel_times_to_s(net, np.asarray(hospital_node)).reshape(net.n_nodes, -1),
        from_depot=(np.atleast_2d(travel_times_s(net, np.asarray(depot_node)))
                    if len(depot_node) else np.zeros((0, net.n_nodes))))


@dataclass(eq=False)
class World:
    """Everything static about one variant of the city (see the module docstring).

    Units are indexed 0..U-1, posts (bases) 0..P-1, hospitals, depots and zones (the
    community grid cells, the coverage zones) likewise.
    """

    network: Any
    settings: Any
    tables: SimTables
    dataset: Dataset
    unit_ids: tuple[str, ...]
    unit_capability: tuple[str, ...]
    unit_cap: np.ndarray  # int index into CAPABILITIES
    unit_post: np.ndarray  # home post index
    post_ids: tuple[str, ...]
    post_kind: tuple[str, ...]
    post_node: np.ndarray
    hospital_ids: tuple[str, ...]
    hospital_node: np.ndarray
    hospital_beds: np.ndarray
    depot_ids: tuple[str, ...]
    depot_node: np.ndarray
    stock: dict  # (depot index, item_id) -> quantity
    zone_ids: tuple[str, ...]
    zone_node: np.ndarray
    zone_lat: np.ndarray
    zone_lon: np.ndarray
    zone_district: tuple[str, ...]
    zone_weight: np.ndarray
    changes: dict = field(default_factory=dict)
    _travel: dict = field(default_factory=dict, repr=False)

    def travel(self, closed: np.ndarray | None = None) -> TravelTables:
        """The travel tables with the world's own closures plus ``closed`` (edge mask)."""
        net = self.network
        if closed is not None and closed.any():
            net = net.derive(edge_closed=net.edge_closed | closed)
        key = hashlib.sha1(np.packbits(net.edge_closed).tobytes()).hexdigest()
        if key not in self._travel:
            self._travel[key] = travel_tables(net, self.post_node, self.hospital_node,
                                              self.depot_node)
        return self._travel[key]

    @property
    def fire_standard_s(self) -> float:
        return float(self.settings.fire_standard_s)

    @property
    def ems_standard_s(self) -> float:
        return float(self.settings.ems_standard_s)


def _close(network, close: Sequence[Any], problems: list) -> Any:
    from command.errors import RoadNetworkError
    from command.roads import close_polygon, close_roads

    for i, c in enumerate(close):
        try:
            network = close_roads(network, c) if isinstance(c, str) else close_polygon(network, c)
        except RoadNetworkError as exc:
            problems.extend(Problem(p.rule, field=f"close_roads[{i}]", value=p.value)
                            for p in exc.problems)
    return network


def build_world(network, dataset: Dataset, settings, tables: SimTables, *,
                remove_bases: Sequence[str] = (), add_units: Sequence[tuple] = (),
                close_roads: Sequence[Any] = (), move_depots: Sequence[tuple] = (),
                add_bases: Sequence[tuple] = (), remove_units: Sequence[tuple] = ()) -> World:
    """The world of a variant.

    Parameters
    ----------
    remove_bases
        Base ids whose units are taken away (the base is no longer a post).
    add_units
        ``(base_id, capability, count)``: extra units at a base (an added one too).
    add_bases
        ``(base_id, lat, lon)``: a new post (kind ``proposed``), snapped to the road
        network within ``settings.max_snap_distance_m``.
    remove_units
        ``(base_id, capability)``: that base's units of that capability are taken away.
    close_roads
        Road names or references (str), or polygons (GeoJSON-like, lon/lat) to close for
        the whole run.
    move_depots
        ``(depot_id, lat, lon)``: a depot at a new place (its stock moves with it).

    Raises
    ------
    DataError
        Naming every unknown base, capability, depot or road, or a bad count or place.
    """
    from command.roads import snap

    problems: list[Problem] = []
    bases = {b.base_id: b for b in dataset.bases}
    added: dict[str, tuple[float, float]] = {}
    for i, (b, lat, lon) in enumerate(add_bases):
        if b in bases or b in added or not str(b).strip():
            problems.append(Problem("a new base needs an id of its own",
                                    field=f"add_bases[{i}].base_id", value=b))
        for name, v, lo, hi in (("lat", lat, -90, 90), ("lon", lon, -180, 180)):
            if not (isinstance(v, (int, float, np.floating)) and lo <= float(v) <= hi):
                problems.append(Problem(f"must be degrees {lo}..{hi}",
                                        field=f"add_bases[{i}].{name}", value=v))
        added[b] = (lat, lon)
    for i, (b, cap) in enumerate(remove_units):
        if b not in bases:
            problems.append(Problem("unknown base", field=f"remove_units[{i}].base_id", value=b))
        if cap not in CAPABILITIES:
            problems.append(Problem("unknown capability",
                                    field=f"remove_units[{i}].capability", value=cap))
    for i, b in enumerate(remove_bases):
        if b not in bases:
            problems.append(Problem("unknown base", field=f"remove_bases[{i}]", value=b))
    for i, (b, cap, count) in enumerate(add_units):
        if (b not in bases and b not in added) or b in remove_bases:
            problems.append(Problem("unknown or removed base", field=f"add_units[{i}].base_id",
                                    value=b))
        if cap not in CAPABILITIES:
            problems.append(Problem("unknown capability", field=f"add_units[{i}].capability",
                                    value=cap))
        if not (isinstance(count, (int, np.integer)) and 1 <= count <= 100):
            problems.append(Problem("must be a whole number 1-100",
                                    field=f"add_units[{i}].count", value=count))
    depots = {d.depot_id: d for d in dataset.depots}
    moved = {}
    for i, (d, lat, lon) in enumerate(move_depots):
        if d not in depots:
            problems.append(Problem("unknown depot", field=f"move_depots[{i}].depot_id", value=d))
        moved[d] = (float(lat), float(lon))
    network = _close(network, close_roads, problems)
    if problems:
        raise DataError("The variant cannot be built.", problems)

    removed = set(remove_bases)
    post_bases = [b for b in dataset.bases if b.base_id not in removed]
    post_index = {b.base_id: i for i, b in enumerate(post_bases)}
    post_node, _ = snap(network, [b.lat for b in post_bases], [b.lon for b in post_bases],
                        max_distance_m=None)
    if added:
        try:
            new_node, _ = snap(network, [float(p[0]) for p in added.values()],
                               [float(p[1]) for p in added.values()],
                               max_distance_m=settings.max_snap_distance_m)
        except OffNetworkError as exc:
            raise DataError("A new base is off the road network.", [
                Problem(p.rule, field="add_bases", value=p.value) for p in exc.problems]
            ) from None
        for b in added:
            post_index[b] = len(post_index)
        post_node = np.r_[np.asarray(post_node, dtype=np.int64), np.asarray(new_node)]
    gone = {(b, c) for b, c in remove_units}
    units = [(t.unit_id, t.capability, post_index[t.base_id]) for t in dataset.teams
             if t.base_id in post_index and t.status != "out_of_service"
             and (t.base_id, t.capability) not in gone]
    for b, cap, count in add_units:
        for k in range(int(count)):
            units.append((f"{b}-{cap}-ADD{k + 1}", cap, post_index[b]))
    cap_index = {c: i for i, c in enumerate(CAPABILITIES)}
    hospitals = list(dataset.hospitals)
    h_node, _ = snap(network, [h.lat for h in hospitals], [h.lon for h in hospitals],
                     max_distance_m=None)
    d_place = [moved.get(d.depot_id, (d.lat, d.lon)) for d in dataset.depots]
    try:
        d_node, _ = snap(network, [p[0] for p in d_place], [p[1] for p in d_place],
                         max_distance_m=settings.max_snap_distance_m if moved else None)
    except OffNetworkError as exc:
        raise DataError("A moved depot is off the road network.", [
            Problem(p.rule, field="move_depots", value=p.value) for p in exc.problems]) from None
    d_idx = {d.depot_id: i for i, d in enumerate(dataset.depots)}
    stock = {}
    for s in dataset.stocks:
        if s.depot_id in d_idx:
            key = (d_idx[s.depot_id], s.item_id)
            stock[key] = stock.get(key, 0.0) + float(s.quantity)
    cells = [c for c in dataset.grid_cells if c.level == "community"] or \
        [c for c in dataset.grid_cells if c.level == "town"]
    z_node, _ = snap(network, [c.lat for c in cells], [c.lon for c in cells],
                     max_distance_m=None)
    world = World(
        network=network, settings=settings, tables=tables, dataset=dataset,
        unit_ids=tuple(u[0] for u in units), unit_capability=tuple(u[1] for u in units),
        unit_cap=np.array([cap_index[u[1]] for u in units], dtype=np.int64),
        unit_post=np.array([u[2] for u in units], dtype=np.int64),
        post_ids=tuple(b.base_id for b in post_bases) + tuple(added),
        post_kind=tuple(b.kind for b in post_bases) + ("proposed",) * len(added),
        post_node=np.asarray(post_node, dtype=np.int64),
        hospital_ids=tuple(h.hospital_id for h in hospitals),
        hospital_node=np.asarray(h_node, dtype=np.int64),
        hospital_beds=np.array([max(1, h.emergency_beds) for h in hospitals], dtype=np.int64),
        depot_ids=tuple(d.depot_id for d in dataset.depots),
        depot_node=np.asarray(d_node, dtype=np.int64), stock=stock,
        zone_ids=tuple(c.grid_id for c in cells), zone_node=np.asarray(z_node, dtype=np.int64),
        zone_lat=np.array([c.lat for c in cells]), zone_lon=np.array([c.lon for c in cells]),
        zone_district=tuple(c.district for c in cells),
        zone_weight=np.ones(len(cells)),
        changes={"remove_bases": list(remove_bases), "add_units": [list(a) for a in add_units],
                 "close_roads": [c if isinstance(c, str) else "polygon" for c in close_roads],
                 "move_depots": [list(m) for m in move_depots],
                 "add_bases": [list(b) for b in add_bases],
                 "remove_units": [list(r) for r in remove_units]})
    world.travel()
    return world
