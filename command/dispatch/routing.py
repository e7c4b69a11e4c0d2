"""Delivery routing: vehicles with capacities and time windows from depots (OR-Tools routing).

The generic entry point is :func:`solve_routing`: a caller passes plain arrays (an arc
cost matrix, a travel-time matrix in seconds, demands, vehicle capacities, time windows)
in a :class:`RoutingProblem` and gets a :class:`RoutingResult` with routes, arrival times,
loads, cost, status and the stops that could not be served. The product's deliveries
from reserve depots to incidents and shelters call it with road travel-time matrices.

The same solver is checked on published instances: :func:`solve_cvrp` (CVRPLIB, TSPLIB
rounding) and :func:`solve_vrptw` (Solomon, arcs truncated to one decimal), with
:func:`route_cost` and :func:`check_solution` recomputing cost and feasibility from the
routes alone, independently of the solver. Readers of the instance files live in
:mod:`command.dispatch.instances`.
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from command.dispatch._result import RunAttributes, SolverRun
from command.dispatch.instances import CvrpSolution, RoutingInstance
from command.errors import DataError, Problem

__all__ = [
    "RoutingProblem",
    "Route",
    "RoutingResult",
    "ROUTING_STATUS",
    "solve_routing",
    "check_routing",
    "solve_cvrp",
    "solve_vrptw",
    "route_cost",
    "check_solution",
]

log = logging.getLogger(__name__)

_FIRST_SOLUTION = routing_enums_pb2.FirstSolutionStrategy.Value
_STATUS = routing_enums_pb2.RoutingSearchStatus.Value

#: The routing search's own outcome -> the :class:`SolverRun` status. ``partial`` (some
#: stops left unserved at their drop penalty) is a valid plan of the model, so FEASIBLE;
#: a time-out before any plan and an invalid model are NOT_SOLVED.
ROUTING_STATUS = {"optimal": "OPTIMAL", "feasible": "FEASIBLE", "partial": "FEASIBLE",
                  "infeasible": "INFEASIBLE", "timeout": "NOT_SOLVED",
                  "invalid": "NOT_SOLVED"}


# --------------------------------------------------------------------------- data

@dataclass(frozen=True, eq=False)
class RoutingProblem:
    """A vehicle-routing problem as plain arrays; nodes are numbered 0..n-1.

    Nodes that are the start or end of some vehicle are depots; every other node is a
    stop to be visited once by one vehicle.

    Parameters
    ----------
    cost : array_like
        (n, n) non-negative arc costs (any unit: metres, seconds, yuan). Floats are
        multiplied by ``cost_scale`` and rounded to integers for the solver.
    demands : array_like
        (n,) non-negative whole load units delivered at each node (0 at depots).
    vehicle_capacities : sequence of int
        Capacity of each vehicle in load units; its length is the fleet size.
    vehicle_starts : int or sequence of int
        Start node (depot) of each vehicle, or one node for all. Default node 0.
    vehicle_ends : int or sequence of int, optional
        End node of each vehicle; None means back to its start.
    travel_time_s : array_like, optional
        (n, n) travel times in seconds. Needed for time windows and arrival times.
    time_windows_s : array_like, optional
        (n, 2) earliest and latest start of service at each node, seconds. At a depot it
        bounds the departure and the return of its vehicles.
    service_time_s : array_like, optional
        (n,) time spent at each node before leaving it, seconds.
    max_vehicles : int, optional
        At most this many vehicles may be used (default: the whole fleet).
    vehicle_fixed_cost : float
        Cost added per vehicle used, in cost units (0: minimise cost only).
    allow_drop : bool
        If True a stop may be left unserved at ``drop_penalty``; the result lists it.
        If False every stop must be served or there is no solution.
    drop_penalty : float or array_like, optional
        Penalty per unserved stop in cost units (scalar or (n,)). None: a penalty larger
        than the cost of any complete plan, so the solver serves as many stops as it can.
    return_to_depot : bool
        False for open routes: the arc back to the end depot costs nothing and takes no
        time (deliveries that stay at the last stop).
    cost_scale, time_scale : float
        Resolution of the integer solver: costs and times are multiplied by these and
        rounded. 1 keeps whole seconds; 10 keeps tenths.
    """

    cost: Any
    demands: Any
    vehicle_capacities: Sequence[int]
    vehicle_starts: int | Sequence[int] = 0
    vehicle_ends: int | Sequence[int] | None = None
    travel_time_s: Any = None
    time_windows_s: Any = None
    service_time_s: Any = None
    max_vehicles: int | None = None
    vehicle_fixed_cost: float = 0.0
    allow_drop: bool = True
    drop_penalty: Any = None
    return_to_depot: bool = True
    cost_scale: float = 1.0
    time_scale: float = 1.0


@dataclass(frozen=True)
class Route:
    """One vehicle's tour.

    Attributes
    ----------
    vehicle : int
        Index of the vehicle in ``vehicle_capacities``.
    start, end : int
        Depot nodes where it starts and ends.
    stops : tuple of int
        Nodes visited in order, depots excluded.
    load : int
        Total load delivered on the route (what the vehicle leaves the depot with).
    load_on_arrival : tuple of int
        Load on board on arrival at each stop (deliveries: it decreases along the route).
    cost : float
        Arc cost of the route in the problem's cost unit (open routes: without the
        return arc).
    departure_s : float or None
        Departure from the start depot (its earliest time), seconds; None without a
        travel-time matrix.
    arrival_s, service_start_s : tuple of float or None
        Arrival at each stop and start of service there (later when the vehicle waits
        for a time window to open), seconds, on the earliest schedule.
    return_s : float or None
        Arrival back at the end depot; None for open routes or without travel times.
    """

    vehicle: int
    start: int
    end: int
    stops: tuple[int, ...]
    load: int
    load_on_arrival: tuple[int, ...]
    cost: float
    departure_s: float | None = None
    arrival_s: tuple[float, ...] | None = None
    service_start_s: tuple[float, ...] | None = None
    return_s: float | None = None


@dataclass(frozen=True)
class RoutingResult(RunAttributes):
    """The answer of :func:`solve_routing` (or of the instance wrappers).

    Attributes
    ----------
    routes : tuple of Route
        Used vehicles only, by vehicle index.
    cost : float
        Total arc cost of the routes recomputed from the cost matrix (drop penalties
        and vehicle fixed costs not included).
    penalty : float
        Sum of the drop penalties of the unserved stops, cost units.
    vehicles_used : int
    unserved : tuple of int
        Stops left out (only possible with ``allow_drop``).
    search_status : str
        The search's own word: ``"optimal"`` (proven), ``"feasible"`` (every stop
        served, not proven optimal), ``"partial"`` (some stops unserved),
        ``"infeasible"`` (no plan exists or none found), ``"timeout"`` (no plan found
        within the time limit), ``"invalid"``; :data:`ROUTING_STATUS` maps it to
        ``run.status``.
    seconds_to_best : float
        When the best plan was found, from the start of the search.
    first_solution : str
        The first-solution strategy used.
    run : SolverRun
        ``objective`` = ``cost``, ``bound`` None (the search proves nothing), ``status``
        (also read as ``status``), ``seconds`` wall time of the search, ``seed``,
        ``method`` the first-solution strategy, ``+GLS`` with guided local search.
    """

    routes: tuple[Route, ...]
    cost: float
    penalty: float
    vehicles_used: int
    unserved: tuple[int, ...]
    search_status: str
    seconds_to_best: float
    first_solution: str
    run: SolverRun

    def node_routes(self) -> list[list[int]]:
        """The routes as lists of stop nodes (depots excluded)."""
        return [list(r.stops) for r in self.routes]


# --------------------------------------------------------------------------- validation

@dataclass(frozen=True, eq=False)
class _Arrays:
    """A validated problem: numpy arrays and integer solver data."""

    n: int
    cost: np.ndarray
    demand: np.ndarray
    capacity: np.ndarray
    starts: list[int]
    ends: list[int]
    stops: np.ndarray
    travel: np.ndarray | None
    windows: np.ndarray | None
    service: np.ndarray | None
    penalty: np.ndarray | None


def _vehicle_nodes(value, count: int, field: str, n: int, problems: list[Problem]) -> list[int]:
    nodes = [int(value)] * count if np.isscalar(value) else [int(v) for v in value]
    if len(nodes) != count:
        problems.append(Problem(f"needs one node per vehicle ({count})", field=field,
                                value=len(nodes)))
        return [0] * count
    for v in nodes:
        if not 0 <= v < n:
            problems.append(Problem(f"must be a node 0..{n - 1}", field=field, value=v))
            return [0] * count
    return nodes


def _prepare(p: RoutingProblem) -> _Arrays:
    problems: list[Problem] = []

    def matrix(value, field: str) -> np.ndarray | None:
        try:
            m = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            problems.append(Problem("must be a numeric matrix", field=field))
            return None
        if m.ndim != 2 or m.shape[0] != m.shape[1]:
            problems.append(Problem("must be a square (n, n) matrix", field=field,
                                    value=m.shape))
            return None
        if not np.all(np.isfinite(m)) or np.any(m < 0):
            bad = np.argwhere(~np.isfinite(m) | (m < 0))[0]
            problems.append(Problem("must be finite and non-negative", field=field,
                                    value=f"[{bad[0]}, {bad[1]}] = {m[bad[0], bad[1]]}"))
        return m

    cost = matrix(p.cost, "cost")
    if cost is None:
        raise DataError("invalid routing problem", problems)
    n = cost.shape[0]
    demand = np.asarray(p.demands, dtype=float).reshape(-1)
    if demand.shape != (n,):
        problems.append(Problem(f"needs one value per node ({n})", field="demands",
                                value=demand.shape))
        demand = np.zeros(n)
    elif np.any(demand < 0) or np.any(demand != np.round(demand)):
        i = int(np.flatnonzero((demand < 0) | (demand != np.round(demand)))[0])
        problems.append(Problem("must be whole and non-negative", field=f"demands[{i}]",
                                value=demand[i]))
    capacity = np.asarray(p.vehicle_capacities, dtype=float).reshape(-1)
    if capacity.size == 0:
        problems.append(Problem("needs at least one vehicle", field="vehicle_capacities"))
    elif np.any(capacity < 0) or np.any(capacity != np.round(capacity)):
        problems.append(Problem("must be whole and non-negative", field="vehicle_capacities",
                                value=list(capacity)))
    m = int(capacity.size)
    starts = _vehicle_nodes(p.vehicle_starts, m, "vehicle_starts", n, problems)
    ends = starts if p.vehicle_ends is None else _vehicle_nodes(p.vehicle_ends, m,
                                                                 "vehicle_ends", n, problems)
    depots = sorted(set(starts) | set(ends))
    for d in depots:
        if demand[d] != 0:
            problems.append(Problem("a depot's demand must be 0", field=f"demands[{d}]",
                                    value=demand[d]))
    depot_set = set(depots)
    stops = np.array([i for i in range(n) if i not in depot_set], dtype=int)

    travel = windows = service = None
    if p.travel_time_s is not None:
        travel = matrix(p.travel_time_s, "travel_time_s")
        if travel is not None and travel.shape != (n, n):
            problems.append(Problem(f"must be ({n}, {n}) like cost", field="travel_time_s",
                                    value=travel.shape))
    if p.time_windows_s is not None:
        windows = np.asarray(p.time_windows_s, dtype=float)
        if windows.shape != (n, 2):
            problems.append(Problem(f"must be ({n}, 2): earliest, latest",
                                    field="time_windows_s", value=windows.shape))
        elif np.any(windows[:, 0] > windows[:, 1]) or np.any(windows < 0):
            i = int(np.flatnonzero((windows[:, 0] > windows[:, 1])
                                   | np.any(windows < 0, axis=1))[0])
            problems.append(Problem("earliest must be >= 0 and not after latest",
                                    field=f"time_windows_s[{i}]", value=list(windows[i])))
        if p.travel_time_s is None:
            problems.append(Problem("time windows need a travel-time matrix",
                                    field="travel_time_s"))
    if p.service_time_s is not None:
        service = np.asarray(p.service_time_s, dtype=float).reshape(-1)
        if service.shape != (n,) or np.any(service < 0):
            problems.append(Problem(f"needs {n} non-negative values", field="service_time_s"))
    if p.max_vehicles is not None and not p.max_vehicles >= 1:
        problems.append(Problem("must be at least 1", field="max_vehicles",
                                value=p.max_vehicles))
    if p.cost_scale <= 0 or p.time_scale <= 0:
        problems.append(Problem("scales must be positive", field="cost_scale/time_scale",
                                value=(p.cost_scale, p.time_scale)))
    if p.vehicle_fixed_cost < 0:
        problems.append(Problem("must not be negative", field="vehicle_fixed_cost",
                                value=p.vehicle_fixed_cost))
    penalty = None
    if p.allow_drop and p.drop_penalty is not None:
        penalty = np.broadcast_to(np.asarray(p.drop_penalty, dtype=float), (n,)).copy()
        if np.any(penalty < 0):
            problems.append(Problem("must not be negative", field="drop_penalty"))
    if problems:
        raise DataError("invalid routing problem", problems)
    if travel is not None and service is None:
        service = np.zeros(n)
    return _Arrays(n=n, cost=cost, demand=demand.astype(np.int64),
                   capacity=capacity.astype(np.int64), starts=starts, ends=list(ends),
                   stops=stops, travel=travel, windows=windows, service=service,
                   penalty=penalty)


# --------------------------------------------------------------------------- schedule

def _schedule(a: _Arrays, start: int, stops: Sequence[int], end: int, open_route: bool):
    """Earliest schedule of one route: departure, arrivals, service starts, return (s)."""
    if a.travel is None:
        return None, None, None, None
    departure = float(a.windows[start, 0]) if a.windows is not None else 0.0
    t, here = departure, start
    arrivals, starts = [], []
    for s in stops:
        # The solver's transit from a node is its service time plus the travel time.
        t = t + float(a.service[here] + a.travel[here, s])
        arrivals.append(t)
        if a.windows is not None:
            t = max(t, float(a.windows[s, 0]))
        starts.append(t)
        here = s
    ret = None if open_route else t + float(a.service[here] + a.travel[here, end])
    return departure, tuple(arrivals), tuple(starts), ret


def _make_route(a: _Arrays, vehicle: int, stops: list[int], open_route: bool) -> Route:
    start, end = a.starts[vehicle], a.ends[vehicle]
    path = [start, *stops] + ([] if open_route else [end])
    cost = math.fsum(a.cost[i, j] for i, j in zip(path, path[1:], strict=False))
    load = int(sum(int(a.demand[s]) for s in stops))
    on_board, left = [], load
    for s in stops:
        on_board.append(left)
        left -= int(a.demand[s])
    dep, arr, srv, ret = _schedule(a, start, stops, end, open_route)
    return Route(vehicle=vehicle, start=start, end=end, stops=tuple(stops), load=load,
                 load_on_arrival=tuple(on_board), cost=cost, departure_s=dep, arrival_s=arr,
                 service_start_s=srv, return_s=ret)


# --------------------------------------------------------------------------- solver

def _strategy(name: str, has_windows: bool) -> tuple[str, int]:
    if name == "auto":
        # Measured with 10 s limits: on R101, RC101, R201, RC201 parallel cheapest
        # insertion ended at a total of 5859 against 5968 for path cheapest arc and 5962
        # for local cheapest insertion; on M-n101-k10 path cheapest arc reached the
        # optimum 820 where savings stopped at 830 and parallel insertion at 876.
        name = "PARALLEL_CHEAPEST_INSERTION" if has_windows else "PATH_CHEAPEST_ARC"
    try:
        return name, _FIRST_SOLUTION.Value(name)
    except ValueError:
        raise DataError("unknown first-solution strategy",
                        [Problem(f"must be 'auto' or one of "
                                 f"{', '.join(_FIRST_SOLUTION.keys()[2:])}",
                                 field="first_solution", value=name)]) from None


def solve_routing(problem: RoutingProblem, *, time_limit_s: float, seed: int = 0,
                  first_solution: str = "auto", local_search: bool = True) -> RoutingResult:
    """Plan vehicle routes with OR-Tools routing: a first solution, then guided local search.

    Parameters
    ----------
    problem : RoutingProblem
        Plain arrays; see its docstring for units.
    time_limit_s : float
        Wall-clock limit of the search, seconds. Guided local search uses all of it.
    seed : int
        Seed of the constraint solver's random generator (``Solver.ReSeed``). The
        metaheuristic itself is deterministic, so with a fixed limit on an idle machine
        the same seed gives the same routes; a loaded machine may stop the search
        elsewhere.
    first_solution : str
        ``"auto"`` (parallel cheapest insertion with time windows, path cheapest arc
        otherwise) or the name of an OR-Tools ``FirstSolutionStrategy``.
    local_search : bool
        False returns the first solution without improvement (a baseline).

    Returns
    -------
    RoutingResult
        Routes with arrival times (earliest schedule) and loads; cost recomputed from the
        cost matrix in its own unit.

    Raises
    ------
    DataError
        If the arrays are inconsistent (shapes, negative values, depot demand ...).
    """
    a = _prepare(problem)
    strategy_name, strategy = _strategy(first_solution, a.windows is not None)
    n_vehicles = len(a.starts)
    open_routes = not problem.return_to_depot
    method = strategy_name + ("+GLS" if local_search else "")

    def result(routes, cost, penalty, unserved, status, seconds, seconds_to_best):
        return RoutingResult(
            routes=routes, cost=cost, penalty=penalty, vehicles_used=len(routes),
            unserved=unserved, search_status=status, seconds_to_best=seconds_to_best,
            first_solution=strategy_name,
            run=SolverRun(status=ROUTING_STATUS[status], objective=cost if routes or not
                          unserved else None, bound=None, seconds=seconds, seed=seed,
                          method=method))

    if a.stops.size == 0:
        return result((), 0.0, 0.0, (), "optimal", 0.0, 0.0)

    # data: integer matrices for the solver; open routes ride home for free.
    cost_int = np.rint(a.cost * problem.cost_scale).astype(np.int64)
    end_nodes = sorted(set(a.ends))
    if open_routes:
        cost_int[:, end_nodes] = 0

    # model
    manager = pywrapcp.RoutingIndexManager(a.n, n_vehicles, a.starts, a.ends)
    routing = pywrapcp.RoutingModel(manager)
    routing.solver().ReSeed(int(seed))
    cost_cb = routing.RegisterTransitMatrix(cost_int.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)
    if problem.vehicle_fixed_cost:
        routing.SetFixedCostOfAllVehicles(
            int(round(problem.vehicle_fixed_cost * problem.cost_scale)))

    # constraints: capacity (one commodity).
    demand_cb = routing.RegisterUnaryTransitVector(a.demand.tolist())
    routing.AddDimensionWithVehicleCapacity(demand_cb, 0, a.capacity.tolist(), True,
                                            "Load")

    # constraints: time, when there is a travel-time matrix.
    if a.travel is not None:
        ts = problem.time_scale
        travel_int = np.rint(a.travel * ts).astype(np.int64)
        service_int = np.rint(a.service * ts).astype(np.int64)
        transit = travel_int + service_int[:, None]
        if open_routes:
            transit[:, end_nodes] = 0
        if a.windows is not None:
            lo = np.ceil(a.windows[:, 0] * ts - 1e-6).astype(np.int64)
            hi = np.floor(a.windows[:, 1] * ts + 1e-6).astype(np.int64)
            horizon = int(max(hi.max(), lo.max() + transit.max() * (a.n + 1)))
        else:
            lo = hi = None
            horizon = int(transit.max() * (a.n + 1) + 1)
        time_cb = routing.RegisterTransitMatrix(transit.tolist())
        routing.AddDimension(time_cb, horizon, horizon, False, "Time")
        time_dim = routing.GetDimensionOrDie("Time")
        if lo is not None:
            for node in a.stops:
                time_dim.CumulVar(manager.NodeToIndex(int(node))).SetRange(int(lo[node]),
                                                                          int(hi[node]))
            for v in range(n_vehicles):
                s, e = a.starts[v], a.ends[v]
                time_dim.CumulVar(routing.Start(v)).SetRange(int(lo[s]), int(hi[s]))
                if not open_routes:
                    time_dim.CumulVar(routing.End(v)).SetRange(int(lo[e]), int(hi[e]))
        for v in range(n_vehicles):
            routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.Start(v)))
            routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))

    if problem.max_vehicles is not None and problem.max_vehicles < n_vehicles:
        routing.SetMaximumNumberOfActiveVehicles(int(problem.max_vehicles))

    # objective: arc costs, plus a penalty per unserved stop when dropping is allowed.
    penalty_int = None
    if problem.allow_drop:
        if a.penalty is None:
            # More than any complete plan can cost, so serving one more stop always wins.
            big = int(cost_int.max() * (a.n + n_vehicles) + 1
                      + max(0, int(problem.vehicle_fixed_cost * problem.cost_scale))
                      * n_vehicles)
            penalty_int = np.full(a.n, max(big, 1), dtype=np.int64)
        else:
            penalty_int = np.rint(a.penalty * problem.cost_scale).astype(np.int64)
        for node in a.stops:
            routing.AddDisjunction([manager.NodeToIndex(int(node))], int(penalty_int[node]))

    # time limit and search parameters
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = strategy
    if local_search:
        params.local_search_metaheuristic = (
            routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH)
    else:
        params.solution_limit = 1
    params.time_limit.FromMilliseconds(max(1, int(round(time_limit_s * 1000))))

    best = {"cost": None, "t": 0.0}
    t0 = time.perf_counter()

    def on_solution() -> None:
        value = routing.CostVar().Value()
        if best["cost"] is None or value < best["cost"]:
            best["cost"], best["t"] = value, time.perf_counter() - t0

    routing.AddAtSolutionCallback(on_solution)

    # solve
    solution = routing.SolveWithParameters(params)
    seconds = time.perf_counter() - t0
    raw_status = routing.status()

    # check status
    if solution is None:
        status = {_STATUS.ROUTING_FAIL_TIMEOUT: "timeout",
                  _STATUS.ROUTING_INVALID: "invalid"}.get(raw_status, "infeasible")
        log.info("routing: no solution (%s) after %.2f s", _STATUS.Name(raw_status), seconds)
        return result((), 0.0, 0.0, tuple(int(s) for s in a.stops), status, seconds, seconds)

    # copy the answer into plain data
    routes = []
    served: set[int] = set()
    for v in range(n_vehicles):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        stops = []
        while not routing.IsEnd(index):
            stops.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        if stops:
            routes.append(_make_route(a, v, stops, open_routes))
            served.update(stops)
    unserved = tuple(int(s) for s in a.stops if int(s) not in served)
    penalty = 0.0
    if unserved and penalty_int is not None:
        penalty = float(sum(int(penalty_int[s]) for s in unserved)) / problem.cost_scale
    if unserved:
        status = "partial"
    elif raw_status == _STATUS.ROUTING_OPTIMAL:
        status = "optimal"
    else:
        status = "feasible"
    total = math.fsum(r.cost for r in routes)
    log.info("routing: %d stops, %d vehicles, cost %.6g, %d unserved, %s in %.2f s",
             a.stops.size, len(routes), total, len(unserved), status, seconds)
    return result(tuple(routes), total, penalty, unserved, status, seconds, best["t"])


def check_routing(problem: RoutingProblem, result: RoutingResult, *,
                  tolerance_s: float = 1e-6) -> list[str]:
    """Recompute a result against its problem and list every broken rule (empty if none).

    Checks: each stop at most once (and listed as unserved otherwise), routes start and
    end at their vehicle's depots, loads within capacity, at most ``max_vehicles``
    vehicles, service starts inside the time windows and returns before the depot closes
    (earliest schedule, ``tolerance_s`` for the solver's rounding to ``time_scale``), and
    the reported cost equals the recomputed one.
    """
    a = _prepare(problem)
    issues: list[str] = []
    counts = Counter(s for r in result.routes for s in r.stops)
    stop_set = set(int(s) for s in a.stops)
    for s, c in sorted(counts.items()):
        if s not in stop_set:
            issues.append(f"node {s} is a depot or does not exist but is visited")
        elif c > 1:
            issues.append(f"stop {s} is visited {c} times")
    for s in sorted(stop_set - set(counts)):
        if s not in result.unserved:
            issues.append(f"stop {s} is neither visited nor reported unserved")
    if not problem.allow_drop and result.unserved:
        issues.append(f"stops {list(result.unserved)} unserved but dropping is not allowed")
    vehicles = [r.vehicle for r in result.routes]
    if len(set(vehicles)) != len(vehicles):
        issues.append("a vehicle has two routes")
    if problem.max_vehicles is not None and len(vehicles) > problem.max_vehicles:
        issues.append(f"{len(vehicles)} vehicles used, at most {problem.max_vehicles}")
    total = 0.0
    for r in result.routes:
        if not 0 <= r.vehicle < len(a.starts) or any(s not in stop_set for s in r.stops):
            continue
        if (r.start, r.end) != (a.starts[r.vehicle], a.ends[r.vehicle]):
            issues.append(f"vehicle {r.vehicle} starts/ends at {r.start}/{r.end}, "
                          f"not its depots {a.starts[r.vehicle]}/{a.ends[r.vehicle]}")
        load = int(sum(a.demand[list(r.stops)]))
        if load > a.capacity[r.vehicle]:
            issues.append(f"vehicle {r.vehicle} carries {load} > capacity "
                          f"{a.capacity[r.vehicle]}")
        again = _make_route(a, r.vehicle, list(r.stops), not problem.return_to_depot)
        total += again.cost
        if a.windows is not None:
            for s, t in zip(r.stops, again.service_start_s, strict=False):
                if t > a.windows[s, 1] + tolerance_s:
                    issues.append(f"vehicle {r.vehicle} starts service at stop {s} at "
                                  f"{t:.6g} s, after its window closes at {a.windows[s, 1]:.6g}")
            if again.return_s is not None and again.return_s > a.windows[r.end, 1] + tolerance_s:
                issues.append(f"vehicle {r.vehicle} returns at {again.return_s:.6g} s, after "
                              f"depot {r.end} closes at {a.windows[r.end, 1]:.6g}")
    if not math.isclose(total, result.cost, rel_tol=1e-9, abs_tol=1e-6):
        issues.append(f"reported cost {result.cost:.9g} differs from recomputed {total:.9g}")
    return issues


# --------------------------------------------------------------------------- instances

def _instance_problem(instance: RoutingInstance, vehicles: int | None) -> RoutingProblem:
    fleet = vehicles or instance.vehicles or instance.n - 1
    capacities = [instance.capacity] * fleet
    if not instance.has_time_windows:
        return RoutingProblem(cost=instance.distance_units, demands=instance.demand,
                              vehicle_capacities=capacities)
    # Solomon: travel time = truncated distance; work in tenths so the solver is exact.
    return RoutingProblem(
        cost=instance.distance, demands=instance.demand, vehicle_capacities=capacities,
        travel_time_s=instance.distance,
        time_windows_s=np.column_stack([instance.ready_time, instance.due_time]),
        service_time_s=instance.service_time,
        cost_scale=instance.distance_scale, time_scale=instance.distance_scale)


def _solve_instance(instance: RoutingInstance, time_limit_s: float, seed: int,
                    vehicles: int | None, first_solution: str,
                    local_search: bool) -> RoutingResult:
    result = solve_routing(_instance_problem(instance, vehicles), time_limit_s=time_limit_s,
                           seed=seed, first_solution=first_solution,
                           local_search=local_search)
    cost = route_cost(instance, result.node_routes())
    return replace(result, cost=cost, run=replace(result.run, objective=cost))


def solve_cvrp(instance: RoutingInstance, *, time_limit_s: float, seed: int = 0,
               vehicles: int | None = None, first_solution: str = "auto",
               local_search: bool = True) -> RoutingResult:
    """Solve a CVRPLIB instance with :func:`solve_routing`.

    The fleet is ``vehicles`` identical vehicles of the instance's capacity (default: the
    instance's vehicle count, else one per customer). Routes hold customer numbers
    (= node indices, depot 0 excluded); ``cost`` is :func:`route_cost` of the routes,
    so it follows the instance's rounding rule exactly.
    """
    return _solve_instance(instance, time_limit_s, seed, vehicles, first_solution,
                           local_search)


def solve_vrptw(instance: RoutingInstance, *, time_limit_s: float, seed: int = 0,
                vehicles: int | None = None, first_solution: str = "auto",
                local_search: bool = True) -> RoutingResult:
    """Solve a Solomon VRPTW instance (minimum total distance) with :func:`solve_routing`.

    Distances and travel times are the instance's arcs truncated to one decimal (the
    CVRPLIB/DIMACS rule); the solver works in tenths, so time windows are met exactly
    under that rule. Arrival times in the result are in the file's time unit. The fleet
    is the file's NUMBER of vehicles unless ``vehicles`` is given.
    """
    if not instance.has_time_windows:
        raise DataError("not a VRPTW instance",
                        [Problem("has no time windows; use solve_cvrp", file=instance.path)])
    return _solve_instance(instance, time_limit_s, seed, vehicles, first_solution,
                           local_search)


def _check_customers(instance: RoutingInstance, routes: Sequence[Sequence[int]]) -> None:
    problems = [Problem(f"customer number must be 1..{instance.n - 1}", file=instance.path,
                        field=f"route {k + 1}", value=c)
                for k, r in enumerate(routes) for c in r
                if not (isinstance(c, (int, np.integer)) and 1 <= c < instance.n)]
    if problems:
        raise DataError(f"routes do not fit instance {instance.name}", problems)


def route_cost(instance: RoutingInstance, routes: Sequence[Sequence[int]]) -> float:
    """Total length of ``routes`` (customer numbers, depot excluded) under the instance's
    own rounding rule, summed exactly in units of ``1/distance_scale``.

    Raises
    ------
    DataError
        If a route names a customer the instance does not have.
    """
    _check_customers(instance, routes)
    d = instance.distance_units
    total = 0
    for r in routes:
        if r:
            path = [0, *r, 0]
            total += int(sum(int(d[i, j]) for i, j in zip(path, path[1:], strict=False)))
    return total / instance.distance_scale


def check_solution(instance: RoutingInstance,
                   result: RoutingResult | CvrpSolution | Sequence[Sequence[int]]) -> list[str]:
    """List every way the routes break the instance's rules (empty list: feasible).

    Checks, from the routes alone: every customer served exactly once; no more routes
    than the instance's vehicles; each route's demand within capacity; for VRPTW, service
    starting no later than each due date (waiting when early) and the return before the
    depot's due date, with exact arithmetic in the instance's rounding; and, when the
    argument carries a cost, that it equals :func:`route_cost`.
    """
    if isinstance(result, RoutingResult):
        routes, claimed = result.node_routes(), result.cost
    elif isinstance(result, CvrpSolution):
        routes, claimed = [list(r) for r in result.routes], result.cost
    else:
        routes, claimed = [list(r) for r in result], None
    issues: list[str] = []
    n = instance.n
    counts = Counter(c for r in routes for c in r)
    for c, k in sorted(counts.items()):
        if not 1 <= c < n:
            issues.append(f"customer {c} does not exist (1..{n - 1})")
        elif k > 1:
            issues.append(f"customer {c} is served {k} times")
    for c in range(1, n):
        if c not in counts:
            issues.append(f"customer {c} is not served")
    used = [r for r in routes if r]
    if instance.vehicles is not None and len(used) > instance.vehicles:
        issues.append(f"{len(used)} routes but only {instance.vehicles} vehicles")
    valid = [r for r in used if all(1 <= c < n for c in r)]
    for k, r in enumerate(valid, start=1):
        load = int(sum(int(instance.demand[c]) for c in r))
        if load > instance.capacity:
            issues.append(f"route {k} carries {load} > capacity {instance.capacity}")
    if instance.has_time_windows:
        scale = instance.distance_scale
        ready = np.rint(instance.ready_time * scale).astype(np.int64)
        due = np.rint(instance.due_time * scale).astype(np.int64)
        service = np.rint(instance.service_time * scale).astype(np.int64)
        d = instance.distance_units
        for k, r in enumerate(valid, start=1):
            t, here = int(ready[0]), 0
            for c in r:
                t = max(t + int(service[here]) + int(d[here, c]), int(ready[c]))
                if t > due[c]:
                    issues.append(f"route {k}: service at customer {c} starts at "
                                  f"{t / scale:g}, after its due date {due[c] / scale:g}")
                here = c
            back = t + int(service[here]) + int(d[here, 0])
            if back > due[0]:
                issues.append(f"route {k}: back at the depot at {back / scale:g}, after "
                              f"{due[0] / scale:g}")
    if claimed is not None and not any(i.startswith("customer") and "exist" in i
                                       for i in issues):
        actual = route_cost(instance, valid)
        if not math.isclose(actual, claimed, abs_tol=1e-9):
            issues.append(f"claimed cost {claimed:g} differs from recomputed {actual:g}")
    return issues
