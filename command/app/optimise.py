"""Solve a prepared situation: team assignment, materials, deliveries and move-up as data.

The steps the ``optimise ... --situation`` commands, the materials page and the tests
share: build the problem from a :class:`command.situation.Prepared`, solve it with the
time limit from settings, and return JSON-ready dicts with names the screen can show.

Every solver's dict carries the keys of :meth:`command.dispatch.SolverRun.to_dict` at
its top level: ``status`` (OPTIMAL, FEASIBLE, FALLBACK, INFEASIBLE, NOT_SOLVED),
``objective``, ``bound``, ``seconds``, ``seed`` and ``method``.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

import numpy as np

from command import roads
from command.dispatch import SolverRun
from command.dispatch.assign import assign, greedy_assign, weighted_full_complement_s
from command.dispatch.materials import MaterialResult, allocate_materials
from command.dispatch.moveup import plan_moveup
from command.dispatch.plan import Plan, plan_from_assignment
from command.dispatch.routing import solve_routing
from command.errors import RoadNetworkError
from command.situation import (
    Prepared,
    assignment_problem,
    delivery_problems,
    material_problem,
    moveup_problem,
)

__all__ = ["assignment_plan", "materials_plan", "deliveries_plan", "moveup_plan",
           "complete_plan", "combined_run"]


def _clean(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python, inf to None, tuples to lists."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return round(v, 3) if np.isfinite(v) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def assignment_plan(prep: Prepared, *, time_limit_s: float | None = None,
                    method: str = "auto") -> tuple[Plan, dict]:
    """The assignment plan of the situation and, for comparison, what greedy
    nearest-available dispatch would give (``greedy``: its priority-weighted
    full-complement arrival time, seconds). ``run`` in the second value is the solver
    run (:meth:`SolverRun.to_dict`; objective and bound in weighted seconds)."""
    problem = assignment_problem(prep)
    limit = prep.settings.solver_time_limit_s if time_limit_s is None else time_limit_s
    result = assign(problem, time_limit_s=limit, method=method)
    plan = plan_from_assignment(problem, result)
    greedy = greedy_assign(problem)
    extra = {
        "units_available": len(problem.unit_ids),
        "incidents": len(problem.incident_ids),
        "full_complement_s": round(weighted_full_complement_s(problem, result), 1),
        "greedy_full_complement_s": round(weighted_full_complement_s(problem, greedy), 1),
        "gap": result.gap,
        "uncovered": [list(u) for u in result.uncovered],
        "run": result.run.to_dict(),
    }
    return plan, _clean(extra)


def materials_plan(prep: Prepared, *, time_limit_s: float | None = None
                   ) -> tuple[MaterialResult, dict]:
    """The allocation of stocks to incidents and shelters, with shortages per item and
    the use of each depot."""
    problem = material_problem(prep)
    limit = prep.settings.solver_time_limit_s if time_limit_s is None else time_limit_s
    result = allocate_materials(problem, time_limit_s=limit)
    names = {i.item_id: (i.name_zh, i.name_en) for i in prep.dataset.items}
    data = {
        **result.run.to_dict(),
        "points": [{"point_id": p, "priority": pr} for p, pr in
                   zip(problem.point_ids, problem.point_priority, strict=False)],
        "shipments": [asdict(s) for s in result.shipments],
        "unmet": [asdict(u) for u in result.unmet],
        "shortages": [{**asdict(s), "name_zh": names[s.item_id][0],
                       "name_en": names[s.item_id][1]}
                      for s in result.items if getattr(s, "unmet", 0) > 0],
        "depots": [asdict(d) for d in result.depots],
        "unmet_weighted": result.unmet_weighted,
        "demand_weighted": result.demand_weighted,
    }
    return result, _clean(data)


def deliveries_plan(prep: Prepared, materials: MaterialResult, *,
                    time_limit_s: float | None = None) -> dict:
    """Truck routes per depot for an allocation: stops with arrival times, loads on
    board and whether each arrival meets the point's deadline. The top-level solver keys
    are :func:`combined_run` of the depots' routing runs (objective: total cost, s)."""
    limit = prep.settings.solver_time_limit_s if time_limit_s is None else time_limit_s
    out = []
    runs = []
    for d in delivery_problems(prep, materials.shipments):
        res = solve_routing(d["problem"], time_limit_s=limit)
        runs.append(res.run)
        depot_node = prep.depot_nodes[d["depot_id"]]
        routes = []
        for r in res.routes:
            if not r.stops:
                continue
            stops = []
            for k, node in enumerate(r.stops):
                pid = d["point_ids"][node - 1]
                arrival = None if r.arrival_s is None else r.arrival_s[k]
                deadline = d["deadline_s"][pid]
                stops.append({"point_id": pid, "load_kg": d["stop_load_kg"][node - 1],
                              "arrival_s": arrival,
                              "deadline_s": deadline,
                              "late": None if arrival is None else bool(arrival > deadline)})
            nodes = [depot_node] + [_point_node(prep, s["point_id"]) for s in stops]
            coords: list[list[float]] = []
            for a, b in zip(nodes, nodes[1:], strict=False):
                # each leg drawn on the network it was found on (a stop inside a closed
                # zone is reached on the entry network, as travel_s times it)
                net, leg = _leg(prep, a, b)
                points = [list(p) for p in roads.path_coords(net, leg)]
                coords.extend(points if not coords else points[1:])
            routes.append({"vehicle": r.vehicle, "load_kg": r.load, "stops": stops,
                           "return_s": r.return_s, "path": coords})
        out.append({"depot_id": d["depot_id"], "status": res.status,
                    "search_status": res.search_status,
                    "cost_s": res.cost, "seconds": res.seconds,
                    "unserved": sorted({d["point_ids"][n - 1] for n in res.unserved}),
                    "routes": routes})
    return _clean({**combined_run(runs).to_dict(), "depots": out})


#: Order of statuses from the worst: a combined run is as good as its worst part.
_WORST_FIRST = ("NOT_SOLVED", "INFEASIBLE", "FALLBACK", "FEASIBLE", "OPTIMAL")


def combined_run(runs: list[SolverRun], method: str = "routing") -> SolverRun:
    """One run for several independent solves (one per depot): the worst status, the
    sum of the objectives (None if one is missing), of the bounds (None if one is
    missing) and of the seconds; OPTIMAL with objective 0 for none."""
    if not runs:
        return SolverRun("OPTIMAL", 0.0, 0.0, 0.0, 0, method)

    def total(values):
        return None if any(v is None for v in values) else float(sum(values))

    return SolverRun(
        status=min((r.status for r in runs), key=_WORST_FIRST.index),
        objective=total([r.objective for r in runs]), bound=total([r.bound for r in runs]),
        seconds=float(sum(r.seconds for r in runs)), seed=runs[0].seed,
        method=runs[0].method)


def _leg(prep: Prepared, a: int, b: int) -> tuple[Any, list[int]]:
    """The network and the road path a -> b on it, entering a closed zone when the stop
    lies inside one (as :func:`command.situation.travel_s` times it)."""
    try:
        return prep.network, roads.shortest_path(prep.network, a, b)
    except RoadNetworkError:
        return prep.entry_network, roads.shortest_path(prep.entry_network, a, b)


def _point_node(prep: Prepared, point_id: str) -> int:
    ids = [i.id for i in prep.situation.incidents]
    if point_id in ids:
        return int(prep.incident_nodes[ids.index(point_id)])
    return prep.shelter_nodes[point_id]


def moveup_plan(prep: Prepared, busy_unit_ids=(), *, time_limit_s: float | None = None
                ) -> dict:
    """Which idle units should move to which base to restore coverage after the units
    in ``busy_unit_ids`` left, with minutes per move and coverage before and after."""
    problem = moveup_problem(prep, busy_unit_ids)
    limit = prep.settings.solver_time_limit_s if time_limit_s is None else time_limit_s
    result = plan_moveup(problem, time_limit_s=limit)
    return _clean({
        **result.run.to_dict(),
        "moves": [asdict(m) for m in result.moves],
        "before": asdict(result.before), "after": asdict(result.after),
        "move_minutes": result.move_minutes, "busy_units": sorted(busy_unit_ids),
    })


def complete_plan(prep: Prepared, *, time_limit_s: float | None = None) -> tuple[Plan, dict]:
    """One Plan with everything: the team assignment, the material allocations, the
    delivery routes and the move-ups after dispatching the plan's units.

    ``allocations`` are the shipments (depot, point, item, quantity, unit, travel,
    on time), ``routes`` one entry per truck route (depot, vehicle, stops with arrival,
    load and lateness, road path), ``moves`` the move-ups (unit, from, to, minutes).
    The second value adds the figures of each stage (shortages, coverage before and
    after, greedy comparison). When there is demand but the plan sends no unit and ships
    nothing, ``serves_nothing`` is true, the statuses read INFEASIBLE (never OPTIMAL)
    and ``warnings`` says what to check.
    """
    plan, extra = assignment_plan(prep, time_limit_s=time_limit_s)
    materials, mdata = materials_plan(prep, time_limit_s=time_limit_s)
    deliveries = deliveries_plan(prep, materials, time_limit_s=time_limit_s)
    moves = moveup_plan(prep, [a.unit_id for a in plan.assignments],
                        time_limit_s=time_limit_s)
    routes = [{"depot_id": d["depot_id"], **r} for d in deliveries["depots"]
              for r in d["routes"]]
    plan = replace(plan, allocations=tuple(mdata["shipments"]), routes=tuple(routes),
                   moves=tuple(moves["moves"]))
    figures = {**extra, "materials_status": mdata["status"], "shortages": mdata["shortages"],
               "unmet": mdata["unmet"],
               "unserved_stops": {d["depot_id"]: d["unserved"] for d in deliveries["depots"]
                                  if d["unserved"]},
               "moveup_status": moves["status"], "coverage_before": moves["before"],
               "coverage_after": moves["after"], "serves_nothing": False}
    wanted = bool(plan.assignments or plan.shortfalls) or mdata["demand_weighted"] > 0
    if wanted and not plan.assignments and not mdata["shipments"]:
        # Each solver may be right about its model and the plan still useless: the
        # inputs left nothing to send. It must not read OPTIMAL, nor be recorded unasked.
        figures.update(serves_nothing=True, solver_status="INFEASIBLE",
                       materials_status="INFEASIBLE", warnings=[{
                           "code": "plan.serves_nothing",
                           "text_zh": "本方案未派出任何力量、未调拨任何物资：请检查态势文件中的"
                                      "力量状态、库存、装车时间与时限",
                           "text_en": "The plan sends no unit and ships nothing: check the "
                                      "situation's unit statuses, stocks, loading time and "
                                      "deadlines"}])
    return plan, figures


def site_city(network, dataset, *, p: int, max_snap_distance_m: float, engine=None,
              time_limit_s: float, method: str = "auto", seed: int = 0) -> dict:
    """Where ``p`` standby posts serve the city's towns best (p-median over road travel
    times): demand at every town centre of the data set weighted by its population, or,
    with the store's ``engine``, by population x (1 + the risk points within 3 km)
    (:func:`command.risk.feeds.siting_weights`); candidate sites are the town centres.

    Returns
    -------
    dict
        The solver keys (``status``, ``objective`` in weighted seconds, ``bound``,
        ``seconds`` ...), ``p``, ``n``, ``risk_weighted``, ``sites`` (``area_id``,
        ``name_zh``, ``name_en``, ``lat``, ``lon``, ``weight``) and ``assignment`` (town ->
        its site and travel minutes).

    Raises
    ------
    DataError
        For ``p`` outside 1..towns, or a town off the road network.
    """
    from command.dispatch.siting import p_median
    from command.errors import DataError, Problem

    towns = [a for a in dataset.population if a.level == "town"]
    if not 1 <= p <= len(towns):
        raise DataError("cannot site that many posts", [Problem(
            f"between 1 and the {len(towns)} towns of the data set", field="p", value=p)])
    nodes, _dist = roads.snap(network, [a.lat for a in towns], [a.lon for a in towns],
                              max_distance_m=max_snap_distance_m)
    times = roads.travel_times_s(network, nodes, nodes)
    weights = np.array([float(a.population) for a in towns])
    points = []
    if engine is not None:
        from command.app.risk import register
        from command.risk.feeds import siting_weights

        points = register(engine)
        weights = siting_weights(towns, points)
    result = p_median(times, p, weights=weights, time_limit_s=time_limit_s, method=method,
                      seed=seed)
    chosen = list(result.facilities)
    nearest = [chosen[int(np.argmin(times[u, chosen]))] for u in range(len(towns))]
    return _clean({
        **result.run.to_dict(), "objective": result.objective, "bound": result.bound,
        "optimal": result.optimal, "gap": result.gap, "p": p, "n": len(towns),
        "risk_weighted": engine is not None, "risk_points": len(points),
        "sites": [{"area_id": towns[j].area_id, "name_zh": towns[j].name_zh,
                   "name_en": towns[j].name_en, "lat": towns[j].lat, "lon": towns[j].lon,
                   "weight": weights[j]} for j in chosen],
        "assignment": [{"area_id": a.area_id, "site": towns[s].area_id,
                        "minutes": times[u, s] / 60.0, "weight": weights[u]}
                       for u, (a, s) in enumerate(zip(towns, nearest))],
    })
