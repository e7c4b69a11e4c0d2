"""The dispatch problems a prepared situation poses, as plain arrays for :mod:`command.dispatch`.

Owns: :func:`assignment_problem`, :func:`material_problem`, :func:`delivery_problems`,
:func:`moveup_problem`, :func:`zone_weights` and :data:`COVERED_CAPABILITIES`. Travel times
come from :func:`command.situation.travel_s`, so closed zones are entered by responders.
Must not: check the situation (it trusts a :class:`~command.situation.Prepared`), solve
the problems (:mod:`command.app.optimise` does), or read files.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from command.dispatch.assign import AssignmentProblem
from command.dispatch.materials import MaterialProblem
from command.dispatch.moveup import MoveUpProblem
from command.dispatch.routing import RoutingProblem
from command.model import CAPABILITIES, Dataset, response_standards_s
from command.settings import Settings
from command.situation.prepared import Prepared, travel_s

__all__ = ["assignment_problem", "material_problem", "delivery_problems", "moveup_problem",
           "zone_weights", "COVERED_CAPABILITIES"]

#: Capabilities whose coverage of every town grid zone is the second objective.
COVERED_CAPABILITIES = ("engine", "ambulance")


def _standards(settings: Settings) -> dict[str, float]:
    return response_standards_s(fire_standard_s=settings.fire_standard_s,
                                ems_standard_s=settings.ems_standard_s)


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
