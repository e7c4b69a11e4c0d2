"""A situation: what is going on now, as a file, and the dispatch problems it poses.

A situation file (YAML or JSON) lists the open incidents, units whose status or place
differs from the data set, mutual-aid units, road closures, stock counts that differ
from the data set, shelters taking evacuees, delivery vehicles and move-up limits. The
``optimise assign|materials|deliveries|moveup --situation FILE`` commands, the benefit
bench and the tests read it. ``scenario: NAME`` brings in a scenario of the library
(``command.scenarios``): its zones' roads are closed, its incidents added, and the
people inside its zones sent to its shelters.

:func:`load_situation` reads and validates the file (pydantic; every error names the
line, field and value); :func:`prepare` checks it against the data set and the road
network (unknown unit, depot, item, shelter or road; a place off the network) before
anything is solved, and returns a :class:`Prepared` from which
:func:`assignment_problem`, :func:`material_problem`, :func:`delivery_problems` and
:func:`moveup_problem` build the plain-array problems of :mod:`command.dispatch`.

Example::

    name: 鄂城 surge
    hour: 17
    incidents:
      - {id: I1, type: hazmat_leak, grade: 3, priority: 1, lat: 30.391, lon: 114.887}
      - {id: I2, type: fire, lat: 30.382, lon: 114.902, demand: {engine: 3}}
    units:
      - {unit_id: F01-ENG1, status: out_of_service}
    closures: {roads: [鄂黄长江大桥]}
    shelters:
      - {shelter_id: S01, persons: 1200}
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Mapping

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from command import roads
from command.dispatch.assign import AssignmentProblem
from command.dispatch.materials import MaterialProblem
from command.dispatch.moveup import MoveUpProblem
from command.dispatch.routing import RoutingProblem
from command.errors import DataError, Problem, RoadNetworkError
from command.model import (CAPABILITIES, INCIDENT_TYPES, UNIT_STATUSES, Dataset,
                           response_standards_s)
from command.settings import Settings
from command.yamlfile import Located, load_model

__all__ = ["Situation", "Prepared", "load_situation", "situation_from_dict", "prepare",
           "travel_s",
           "assignment_problem", "material_problem", "delivery_problems", "moveup_problem",
           "zone_weights", "COVERED_CAPABILITIES"]

#: Capabilities whose coverage of every town grid zone is the second objective.
COVERED_CAPABILITIES = ("engine", "ambulance")


def _finite(v: float) -> float:
    if not math.isfinite(v):
        raise ValueError("must be a finite number")
    return v


def _one_of(allowed, what):
    def check(v: str) -> str:
        if v not in allowed:
            raise ValueError(f"unknown {what}; one of: {', '.join(allowed)}")
        return v
    return check


Finite = Annotated[float, AfterValidator(_finite)]
Lat = Annotated[float, Field(ge=-90, le=90), AfterValidator(_finite)]
Lon = Annotated[float, Field(ge=-180, le=180), AfterValidator(_finite)]
Level = Annotated[int, Field(ge=1, le=4)]
Name = Annotated[str, Field(min_length=1)]
IncidentType = Annotated[str, AfterValidator(_one_of(INCIDENT_TYPES, "incident type"))]
Capability = Annotated[str, AfterValidator(_one_of(CAPABILITIES, "capability"))]
Status = Annotated[str, AfterValidator(_one_of(UNIT_STATUSES, "unit status"))]
Count = Annotated[int, Field(ge=0)]
Quantity = Annotated[float, Field(ge=0), AfterValidator(_finite)]
Minutes = Annotated[float, Field(gt=0), AfterValidator(_finite)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IncidentIn(_Strict):
    """An open incident. ``demand`` (capability -> units) and ``materials`` (item ->
    quantity) replace the data set's response and material packages when given."""

    id: Name
    type: IncidentType
    lat: Lat
    lon: Lon
    grade: Level = 4
    priority: Level = 2
    demand: dict[Capability, Count] | None = None
    materials: dict[Name, Quantity] | None = None
    deadline_min: Minutes | None = None


class UnitIn(_Strict):
    """A unit whose status or position differs from the data set (default: at its base)."""

    unit_id: Name
    status: Status = "available"
    lat: Lat | None = None
    lon: Lon | None = None

    @model_validator(mode="after")
    def _both(self):
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon of the unit's position, or neither")
        return self


class AidIn(_Strict):
    """A mutual-aid unit outside the city's fleet that can be requested."""

    id: Name
    capability: Capability
    lat: Lat
    lon: Lon


class StockIn(_Strict):
    depot_id: Name
    item_id: Name
    quantity: Quantity


class ShelterIn(_Strict):
    shelter_id: Name
    persons: Count
    priority: Level = 3
    deadline_min: Minutes | None = None


class ClosuresIn(_Strict):
    """Roads closed by name or reference, and areas closed as polygons of [lon, lat]."""

    roads: list[Name] = []
    polygons: list[list[tuple[Lon, Lat]]] = []

    @model_validator(mode="after")
    def _rings(self):
        for ring in self.polygons:
            if len(ring) < 3:
                raise ValueError("a closure polygon needs at least 3 corners")
        return self


class VehiclesIn(_Strict):
    depot_id: Name
    count: Annotated[int, Field(ge=1)]
    capacity_kg: Annotated[float, Field(gt=0), AfterValidator(_finite)]


class DeliveryIn(_Strict):
    """Default fleet of depots that ``vehicles`` does not list, and stop times."""

    trucks_per_depot: Count = 2
    truck_capacity_kg: Annotated[float, Field(gt=0)] = 5000.0
    loading_min: Annotated[float, Field(ge=0)] = 15.0
    unloading_min: Annotated[float, Field(ge=0)] = 10.0


class MoveUpIn(_Strict):
    max_moves: Count | None = None
    max_move_min: Minutes | None = None
    busy_probability: dict[Capability, Annotated[float, Field(ge=0, lt=1)]] = {}


class Situation(_Strict):
    name: str = ""
    scenario: Name | None = None
    hour: Annotated[int, Field(ge=0, le=23)] | None = None
    coverage: bool = True
    incidents: list[IncidentIn] = []
    units: list[UnitIn] = []
    mutual_aid: list[AidIn] = []
    closures: ClosuresIn = ClosuresIn()
    stocks: list[StockIn] = []
    shelters: list[ShelterIn] = []
    vehicles: list[VehiclesIn] = []
    delivery: DeliveryIn = DeliveryIn()
    moveup: MoveUpIn = MoveUpIn()


def load_situation(path: str | Path) -> tuple[Situation, Located]:
    """Read and validate a situation file (YAML or JSON).

    Raises
    ------
    DataError
        Every schema problem at once, each naming the line, the field and the value
        (an unknown field, an unknown incident type or capability, a negative demand,
        a latitude out of range ...).
    """
    return load_model(Situation, path, what="situation file")


def situation_from_dict(data: Mapping[str, Any], *, name: str = "<situation>") -> tuple[
        Situation, Located]:
    """The same validation for a situation built in code (tests, benches, the screen)."""
    from command.yamlfile import validate
    located = Located(name, dict(data), {})
    return validate(Situation, located, what="situation"), located


# ------------------------------------------------------------------------- preparing

@dataclass(frozen=True)
class Prepared:
    """A situation checked against the data set and the network, with its places snapped.

    ``network`` has the situation's closures and hour applied; ``entry_network`` only the
    closures by road name and the hour: responders reach a place *inside* a closed zone
    over the zone's roads (see :func:`travel_s`). Units and incidents are in file order; ``unit_*`` arrays cover every unit of the fleet with its live status.
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


def _snap_places(net, places: list[tuple[tuple, float, float]], located: Located,
                 max_m: float, problems: list[Problem]) -> list[int]:
    if not places:
        return []
    lat = np.array([p[1] for p in places])
    lon = np.array([p[2] for p in places])
    nodes, dist = roads.snap(net, lat, lon, max_distance_m=None)
    out = []
    for (path, la, lo), node, d in zip(places, np.atleast_1d(nodes), np.atleast_1d(dist)):
        if d > max_m:
            problems.append(located.problem(path, f"off the road network: {d:.0f} m from the "
                                            f"nearest road (at most {max_m:.0f} m)",
                                            f"{la}, {lo}"))
        out.append(int(node))
    return out


def _duplicates(values, path_of, what: str, located: Located, problems: list[Problem]):
    seen: set = set()
    for i, v in enumerate(values):
        if v in seen:
            problems.append(located.problem(path_of(i), f"duplicate {what}", v))
        seen.add(v)


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
    problems: list[Problem] = []
    net = network
    zone_closed = None
    if sit.scenario is not None:
        sit, zone_closed = _with_scenario(sit, located, network, dataset, settings)
    teams = {u.unit_id: u for u in dataset.teams}
    depots = {d.depot_id: d for d in dataset.depots}
    items = {i.item_id for i in dataset.items}
    shelters = {s.shelter_id: s for s in dataset.shelters}
    bases = {b.base_id: b for b in dataset.bases}

    _duplicates([i.id for i in sit.incidents], lambda k: ("incidents", k, "id"), "incident id",
                located, problems)
    _duplicates([u.unit_id for u in sit.units], lambda k: ("units", k, "unit_id"), "unit id",
                located, problems)
    _duplicates([s.shelter_id for s in sit.shelters], lambda k: ("shelters", k, "shelter_id"),
                "shelter id", located, problems)
    _duplicates([a.id for a in sit.mutual_aid], lambda k: ("mutual_aid", k, "id"),
                "mutual-aid id", located, problems)
    for k, u in enumerate(sit.units):
        if u.unit_id not in teams:
            problems.append(located.problem(("units", k, "unit_id"),
                                            "unknown unit: no such unit_id in teams.csv",
                                            u.unit_id))
    for k, inc in enumerate(sit.incidents):
        if inc.demand is None and not dataset.package(inc.type, inc.grade):
            problems.append(located.problem(("incidents", k, "type"),
                                            "no response package for this type; give demand",
                                            inc.type))
        for item in (inc.materials or {}):
            if item not in items:
                problems.append(located.problem(("incidents", k, "materials", item),
                                                "unknown item: no such item_id in items.csv",
                                                item))
    for k, st in enumerate(sit.stocks):
        if st.depot_id not in depots:
            problems.append(located.problem(("stocks", k, "depot_id"), "unknown depot",
                                            st.depot_id))
        if st.item_id not in items:
            problems.append(located.problem(("stocks", k, "item_id"), "unknown item",
                                            st.item_id))
    for k, sh in enumerate(sit.shelters):
        if sh.shelter_id not in shelters:
            problems.append(located.problem(("shelters", k, "shelter_id"), "unknown shelter",
                                            sh.shelter_id))
        elif sh.persons > shelters[sh.shelter_id].capacity_persons:
            problems.append(located.problem(
                ("shelters", k, "persons"),
                f"more than the shelter's capacity ({shelters[sh.shelter_id].capacity_persons})",
                sh.persons))
    for k, v in enumerate(sit.vehicles):
        if v.depot_id not in depots:
            problems.append(located.problem(("vehicles", k, "depot_id"), "unknown depot",
                                            v.depot_id))

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
    for ring in sit.closures.polygons:
        coords = [list(p) for p in ring]
        if coords[0] != coords[-1]:
            coords.append(coords[0])
        net = roads.close_polygon(net, {"type": "Polygon", "coordinates": [coords]})
    if zone_closed is not None:
        net = roads.close_edges(net, zone_closed)

    max_m = settings.max_snap_distance_m
    inc_nodes = _snap_places(net, [(("incidents", k), i.lat, i.lon)
                                   for k, i in enumerate(sit.incidents)], located, max_m, problems)
    moved = {u.unit_id: (k, u) for k, u in enumerate(sit.units) if u.lat is not None}
    moved_nodes = dict(zip(moved, _snap_places(
        net, [(("units", k), u.lat, u.lon) for k, u in moved.values()], located, max_m,
        problems)))
    aid_nodes = _snap_places(net, [(("mutual_aid", k), a.lat, a.lon)
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
        return {getattr(p, key): int(x) for p, x in zip(places, np.atleast_1d(n))}

    base_nodes = nodes_of(bases.values(), "base_id")
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
        depot_nodes=nodes_of(depots.values(), "depot_id"),
        shelter_nodes=nodes_of(shelters.values(), "shelter_id"),
        base_nodes=base_nodes,
        zone_ids=tuple(z.grid_id for z in zones),
        zone_nodes=np.array([zone_nodes[z.grid_id] for z in zones], dtype=int),
    )


def _with_scenario(sit: Situation, located: Located, network, dataset: Dataset,
                   settings: Settings) -> tuple[Situation, Any]:
    """The situation with a scenario's consequences: its zones' roads closed, its
    incidents (those at minute 0) added as ``S1``, ``S2`` ... with their response and
    material packages, and the people inside sent to its shelters, nearest first."""
    from command.scenarios.consequences import closed_network, consequences
    from command.scenarios.library import find_scenario, scenario_dir
    from command.scenarios.schema import load_scenario

    try:
        path = find_scenario(sit.scenario, scenario_dir(settings.resources_dir))
    except DataError as exc:
        raise DataError(f"The situation {located.file} names an unknown scenario.",
                        [located.problem(("scenario",), p.rule, sit.scenario)
                         for p in exc.problems]) from None
    scenario = load_scenario(path, dataset=dataset, network=network,
                             max_snap_distance_m=settings.max_snap_distance_m)
    c = consequences(scenario, network, dataset, settings=settings)
    taken = {i.id for i in sit.incidents}
    added = []
    for k, inc in enumerate(i for i in c.incidents if i.at_min <= 0):
        iid = f"S{k + 1}"
        while iid in taken:
            iid += "'"
        added.append(IncidentIn(id=iid, type=inc.type, lat=inc.lat, lon=inc.lon,
                                grade=inc.grade, priority=inc.priority,
                                demand={cap: n for cap, n in inc.units.items()}))
    sheltered = {s.shelter_id for s in sit.shelters}
    left = c.population
    shelters = list(sit.shelters)
    for route in c.shelters:
        if left <= 0 or route.shelter_id in sheltered:
            continue
        persons = min(left, route.capacity_persons)
        shelters.append(ShelterIn(shelter_id=route.shelter_id, persons=persons))
        left -= persons
    updated = sit.model_copy(update={"incidents": list(sit.incidents) + added,
                                     "shelters": shelters})
    return updated, closed_network(network, c).edge_closed


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


def _standards(settings: Settings) -> dict[str, float]:
    return response_standards_s(fire_standard_s=settings.fire_standard_s,
                              ems_standard_s=settings.ems_standard_s)


# ------------------------------------------------------------------------- problems

def assignment_problem(prep: Prepared, *, coverage: bool | None = None) -> AssignmentProblem:
    """Team assignment for every incident of the situation and every available unit.

    ETAs are road travel times from each unit's position; coverage (the second
    objective) asks every town grid zone to keep an engine and an ambulance within the
    standard time (``settings.fire_standard_s``, ``ems_standard_s``) unless the
    situation or ``coverage`` turns it off.
    """
    sit = prep.situation
    avail = prep.available()
    unit_nodes = prep.unit_nodes[avail]
    eta = travel_s(prep, unit_nodes, prep.incident_nodes)
    demand = {(k, c): n for k in range(len(sit.incidents))
              for c, n in prep.incident_demand(k).items()}
    use_cov = sit.coverage if coverage is None else coverage
    names = {u.unit_id: u.name_zh for u in prep.dataset.teams}
    zone_kw: dict[str, Any] = {}
    if use_cov and len(prep.zone_ids) and len(avail):
        zone_kw = dict(zone_ids=prep.zone_ids,
                       eta_zone_s=travel_s(prep, unit_nodes, prep.zone_nodes),
                       zone_required=tuple(COVERED_CAPABILITIES for _ in prep.zone_ids))
    aid_kw: dict[str, Any] = {}
    if sit.mutual_aid and len(prep.incident_nodes):
        aid_kw = dict(aid_unit_ids=tuple(a.id for a in sit.mutual_aid),
                      aid_capability=tuple(a.capability for a in sit.mutual_aid),
                      aid_eta_s=travel_s(prep, prep.aid_nodes, prep.incident_nodes))
    ids = tuple(prep.unit_ids[i] for i in avail)
    return AssignmentProblem(
        unit_ids=ids,
        unit_capability=tuple(prep.unit_capability[i] for i in avail),
        incident_ids=tuple(i.id for i in sit.incidents),
        incident_priority=tuple(i.priority for i in sit.incidents),
        demand=demand, eta_s=eta, standard_s=_standards(prep.settings),
        unit_names_zh=tuple(names[u] for u in ids), unit_names_en=ids,
        **zone_kw, **aid_kw)


def _stock_matrix(prep: Prepared) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray]:
    ds = prep.dataset
    depot_ids = tuple(d.depot_id for d in ds.depots)
    item_ids = tuple(i.item_id for i in ds.items)
    di = {d: k for k, d in enumerate(depot_ids)}
    ii = {i: k for k, i in enumerate(item_ids)}
    stock = np.zeros((len(depot_ids), len(item_ids)))
    for s in ds.stocks:
        stock[di[s.depot_id], ii[s.item_id]] = s.quantity
    for s in prep.situation.stocks:
        stock[di[s.depot_id], ii[s.item_id]] = s.quantity
    return depot_ids, item_ids, stock


def _material_points(prep: Prepared) -> list[tuple[str, int, int, dict[str, tuple[float, float]]]]:
    """(point id, node, priority, item -> (quantity, deadline min)) per incident and shelter."""
    sit, ds = prep.situation, prep.dataset
    out = []
    for k, inc in enumerate(sit.incidents):
        package = ds.material_package(inc.type, inc.grade)
        if inc.materials is not None:
            default_dl = min((dl for _, dl in package.values()), default=60.0)
            need = {i: (q, package.get(i, (0.0, default_dl))[1])
                    for i, q in inc.materials.items() if q > 0}
        else:
            need = dict(package)
        if inc.deadline_min is not None:
            need = {i: (q, inc.deadline_min) for i, (q, _) in need.items()}
        if need:
            out.append((inc.id, int(prep.incident_nodes[k]), inc.priority, need))
    for sh in sit.shelters:
        if sh.persons <= 0:
            continue
        need = {r.item_id: (math.ceil(r.per_100_persons * sh.persons / 100.0),
                            sh.deadline_min or r.deadline_min) for r in ds.shelter_rations}
        out.append((sh.shelter_id, prep.shelter_nodes[sh.shelter_id], sh.priority, need))
    return out


def material_problem(prep: Prepared) -> MaterialProblem:
    """Allocation of the depots' stocks to the incidents' material packages (or their
    ``materials``) and to the shelters' rations for the persons they take in.

    Travel time from a depot to a point is the road time plus the situation's loading
    time; deadlines are per demand line.
    """
    ds = prep.dataset
    depot_ids, item_ids, stock = _stock_matrix(prep)
    ii = {i: k for k, i in enumerate(item_ids)}
    points = _material_points(prep)
    demand = np.zeros((len(points), len(item_ids)))
    deadline = np.full((len(points), len(item_ids)), np.inf)
    for p, (_, _, _, need) in enumerate(points):
        for item, (q, dl) in need.items():
            demand[p, ii[item]] = q
            deadline[p, ii[item]] = dl * 60.0
    dnodes = [prep.depot_nodes[d] for d in depot_ids]
    if points:
        travel = travel_s(prep, dnodes, [p[1] for p in points]) + \
            prep.situation.delivery.loading_min * 60.0
    else:
        travel = np.zeros((len(depot_ids), 0))
    loads = _item_kg(ds, item_ids)
    return MaterialProblem(
        depot_ids=depot_ids, item_ids=item_ids,
        item_units=tuple(i.unit for i in ds.items), stock=stock,
        point_ids=tuple(p[0] for p in points), point_priority=tuple(p[2] for p in points),
        deadline_s=deadline, demand=demand, travel_time_s=travel, item_load=loads)


def _item_kg(ds: Dataset, item_ids: tuple[str, ...]) -> np.ndarray:
    kg = {r.item_id: r.kg_per_unit for r in ds.item_loads}
    return np.array([kg.get(i, 0.0) for i in item_ids], dtype=float)


def delivery_problems(prep: Prepared, shipments) -> list[dict]:
    """One vehicle-routing problem per depot that ships something.

    ``shipments`` are the :class:`~command.dispatch.materials.Shipment` records of an
    allocation. Each depot's loads go to its points by its trucks (``vehicles`` of the
    situation, or the ``delivery`` defaults); a point's load is the weight of what it
    gets from that depot (``item_loads.csv``). Arrivals against the earliest
    deadline of the point's lines are reported, not imposed: a late delivery beats none.
    A point's load larger than a truck is split into several stops.
    Returns dicts with ``depot_id``, ``point_ids`` (per stop node 1..n),
    ``stop_load_kg`` (per stop), ``load_kg`` and ``deadline_s`` (per point),
    ``problem`` (a :class:`RoutingProblem`, node 0 the depot).
    """
    sit, ds = prep.situation, prep.dataset
    item_kg = {r.item_id: r.kg_per_unit for r in ds.item_loads}
    points = {p[0]: p for p in _material_points(prep)}
    by_depot: dict[str, dict[str, float]] = {}
    for s in shipments:
        by_depot.setdefault(s.depot_id, {}).setdefault(s.point_id, 0.0)
        by_depot[s.depot_id][s.point_id] += s.quantity * item_kg.get(s.item_id, 0.0)
    fleets = {v.depot_id: (v.count, v.capacity_kg) for v in sit.vehicles}
    out = []
    d = sit.delivery
    for depot_id, loads in by_depot.items():
        count, cap = fleets.get(depot_id, (d.trucks_per_depot, d.truck_capacity_kg))
        if count <= 0:
            continue
        # A point whose load exceeds one truck gets several stops at its place.
        pids: list[str] = []
        load = [0]
        for p in sorted(loads):
            left = int(math.ceil(loads[p]))
            while True:
                part = min(left, int(cap))
                pids.append(p)
                load.append(part)
                left -= part
                if left <= 0:
                    break
        nodes = [prep.depot_nodes[depot_id]] + [points[p][1] for p in pids]
        tt = travel_s(prep, nodes, nodes)
        finite = np.isfinite(tt)
        tt = np.where(finite, tt, 10 * np.nanmax(np.where(finite, tt, 0)) + 1e6)
        problem = RoutingProblem(
            cost=tt, demands=load, vehicle_capacities=[int(cap)] * count,
            travel_time_s=tt, time_windows_s=None,
            service_time_s=[d.loading_min * 60.0] + [d.unloading_min * 60.0] * len(pids),
            allow_drop=True)
        out.append({"depot_id": depot_id, "point_ids": pids, "stop_load_kg": load[1:],
                    "load_kg": {p: round(loads[p], 1) for p in loads},
                    "deadline_s": {p: min(dl for _, dl in points[p][3].values()) * 60.0
                                   for p in loads},
                    "problem": problem})
    return out


def zone_weights(dataset: Dataset, zone_ids: tuple[str, ...]) -> np.ndarray:
    """Population of each town grid zone: the town's population when a population row
    has the zone's name, otherwise an equal share of what the district's population
    leaves after its named towns."""
    cells = {g.grid_id: g for g in dataset.grid_cells}
    towns = {p.name_zh: p.population for p in dataset.population if p.level == "town"}
    districts = {p.district: p.population for p in dataset.population if p.level == "district"}
    named = {z: towns[cells[z].name_zh] for z in zone_ids if cells[z].name_zh in towns}
    rest: dict[str, list[str]] = {}
    for z in zone_ids:
        if z not in named:
            rest.setdefault(cells[z].district, []).append(z)
    out = dict(named)
    for district, zs in rest.items():
        used = sum(v for z, v in named.items() if cells[z].district == district)
        left = max(districts.get(district, 0) - used, 0)
        for z in zs:
            out[z] = left / len(zs)
    return np.array([float(out[z]) for z in zone_ids])


def moveup_problem(prep: Prepared, busy_unit_ids=()) -> MoveUpProblem:
    """Move-up after a dispatch: the available units not in ``busy_unit_ids``, the bases
    as posts, the town grid zones weighted by population, the standard times. Only units
    with a standard time (fire and EMS capabilities) take part."""
    busy = set(busy_unit_ids)
    standards = _standards(prep.settings)
    idle = [i for i in prep.available() if prep.unit_ids[i] not in busy
            and prep.unit_capability[i] in standards]
    post_ids = tuple(sorted(prep.base_nodes))
    post_nodes = [prep.base_nodes[b] for b in post_ids]
    pi = {b: k for k, b in enumerate(post_ids)}
    unit_nodes = prep.unit_nodes[idle] if idle else np.zeros(0, dtype=int)
    travel = travel_s(prep, unit_nodes, post_nodes)
    cover = travel_s(prep, post_nodes, prep.zone_nodes)
    mu = prep.situation.moveup
    busy_p = {c: 0.0 for c in CAPABILITIES}
    busy_p.update(mu.busy_probability)
    return MoveUpProblem(
        unit_ids=tuple(prep.unit_ids[i] for i in idle),
        unit_capability=tuple(prep.unit_capability[i] for i in idle),
        unit_post=tuple(pi[prep.unit_post[i]] for i in idle),
        post_ids=post_ids, zone_ids=prep.zone_ids,
        zone_weight=zone_weights(prep.dataset, prep.zone_ids),
        travel_time_s=travel, cover_time_s=cover,
        standard_s=standards,
        busy_probability=busy_p, max_moves=mu.max_moves,
        max_move_s=None if mu.max_move_min is None else mu.max_move_min * 60.0)
