"""Material allocation: which reserve depot sends how much of which item to which
incident or shelter.

Input is plain arrays in a :class:`MaterialProblem` (stock per depot and item, demand per
point and item, a depot x point travel-time matrix, priorities and deadlines); output is
a :class:`MaterialResult` with the shipments, the demand left unmet and why, and the
shortages per item and the use of every depot. Nothing here reads files or knows the
road network: the caller computes travel times.

What counts. A shipment from depot d to point p arrives after ``travel_time_s[d, p]``;
it meets demand only if that is no later than the line's deadline. A shipment that
would arrive late is still planned and reported (``on_time=False``) when
``ship_late`` is true, because late goods are usually better than none, but it counts
as **unmet by the deadline** in every figure; it only ever uses stock that no on-time
shipment could use better (stage 2 below comes after stage 1).

The objective, in this order (lexicographic, each stage an LP solved with the previous
optimum kept as a constraint; see :mod:`command.dispatch._materials_lp`):

1. minimise the weighted demand unmet by the deadline, ``sum w[p, i] * unmet[p, i]``
   with ``w[p, i] = PRIORITY_WEIGHT[priority[p]] * item_weight[i]`` (the weights of
   team assignment: 8, 4, 2, 1 for priorities 1 to 4). Because the weight is per unit
   of the same item, a point of higher priority gets a scarce item before any point of
   lower priority that the same stock could reach in time;
2. minimise the weighted demand not delivered at all (late shipments fill what can);
3. minimise the weighted quantity x travel time, ``sum w * x * travel_time_s``
   (among equally good plans, the nearer depots ship).

Without depot capacities nothing links the items, so item weights scale the reported
figures but cannot change the plan; with ``depot_capacity`` and ``item_load`` (say,
what one depot can load and send in the first hours, in kg) the items compete and the
weights decide (breathing apparatus before quilts).

Solvers (measured in ``bench/materials_moveup.py``): ``auto`` solves every stage with
GLOP (simplex). Its answers are vertices, and without depot capacities every vertex is
whole (totally unimodular transportation structure), so countable items need no integer
variables; with capacities, blocks whose countable quantities come out fractional are
solved again with SCIP and integer quantities. ``glop`` and ``pdlp`` solve LPs only
(fractional countable quantities are then floored), ``scip`` always uses integers. If
stage 1 finds nothing within the time limit, the greedy plan is returned (``FALLBACK``).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from command.dispatch import _materials_lp as lp
from command.dispatch._cpsat import solver_deadline
from command.dispatch._result import RunAttributes, SolverRun
from command.dispatch._validate import check_solver_options
from command.dispatch._validate import checked_array as _array
from command.dispatch.assign import PRIORITY_WEIGHT
from command.dispatch.reasons import reason
from command.errors import DataError, Problem

__all__ = [
    "MATERIAL_METHODS",
    "UNMET_REASONS",
    "MaterialProblem",
    "Shipment",
    "UnmetLine",
    "ItemShortage",
    "DepotUse",
    "MaterialResult",
    "validate_material_problem",
    "allocate_materials",
    "greedy_materials",
]

log = logging.getLogger(__name__)

MATERIAL_METHODS: tuple[str, ...] = ("auto", "glop", "pdlp", "scip", "greedy")

#: Why demand is left unmet, checked in this order:
#: ``no_stock`` no depot holds the item; ``out_of_reach`` all the stock that can reach
#: the point by the deadline already goes there (often none); ``depot_capacity`` a depot
#: that could still send it on time has no loading capacity left; ``taken`` the stock
#: that can arrive in time went to other points (of higher or equal priority, or
#: needing it sooner).
UNMET_REASONS: tuple[str, ...] = ("no_stock", "out_of_reach", "depot_capacity", "taken")


@dataclass(frozen=True, eq=False)
class MaterialProblem:
    """Depots, items, demand points and travel times for one allocation decision.

    Parameters
    ----------
    depot_ids : tuple of str
        Reserve depots (D).
    item_ids : tuple of str
        Items (I).
    item_units : tuple of str
        Unit of each item's quantities (顶, 件, t ...), for display.
    stock : array_like
        (D, I) quantity of each item on hand at each depot, >= 0.
    point_ids : tuple of str
        Demand points (P): incidents and shelters.
    point_priority : tuple of int
        1 (highest) .. 4 per point; weights in :data:`PRIORITY_WEIGHT`.
    deadline_s : array_like
        (P,) seconds from now by which each point needs its items, or (P, I) per demand
        line; ``np.inf`` means no deadline.
    demand : array_like
        (P, I) quantity of each item needed at each point, >= 0.
    travel_time_s : array_like
        (D, P) seconds from each depot to each point, loading included if the caller
        wants it; ``np.inf`` where unreachable.
    item_weight : array_like, optional
        (I,) importance of one unit of each item (> 0; default 1).
    countable : tuple of bool
        Per item, whether quantities must be whole numbers (tents, breathing apparatus);
        empty: an item is countable when all its stock and demand are whole.
    item_load : array_like, optional
        (I,) load of one unit (e.g. kg) against ``depot_capacity``; default 0.
    depot_capacity : array_like, optional
        (D,) load each depot can dispatch for this plan (same unit as ``item_load``);
        ``np.inf`` for no limit (default).
    ship_late : bool
        Plan shipments that arrive after the deadline for demand nothing can meet in
        time (reported as late; they count as unmet by the deadline).
    """

    depot_ids: tuple[str, ...]
    item_ids: tuple[str, ...]
    item_units: tuple[str, ...]
    stock: Any
    point_ids: tuple[str, ...]
    point_priority: tuple[int, ...]
    deadline_s: Any
    demand: Any
    travel_time_s: Any
    item_weight: Any = None
    countable: tuple[bool, ...] = ()
    item_load: Any = None
    depot_capacity: Any = None
    ship_late: bool = True


@dataclass(frozen=True)
class Shipment:
    """``quantity`` of an item from a depot to a point; ``on_time`` when
    ``travel_time_s <= deadline_s`` (only then does it count toward the demand)."""

    depot_id: str
    point_id: str
    item_id: str
    quantity: float
    unit: str
    travel_time_s: float
    deadline_s: float
    on_time: bool


@dataclass(frozen=True)
class UnmetLine:
    """A demand line not fully met by its deadline; ``unmet = demand - delivered_on_time``
    and ``reason`` is one of :data:`UNMET_REASONS`, said in ``reason_zh`` and
    ``reason_en`` (rendered from ``reason_code`` ``dispatch.unmet.<reason>``)."""

    point_id: str
    item_id: str
    unit: str
    demand: float
    delivered_on_time: float
    delivered_late: float
    unmet: float
    deadline_s: float
    reason: str
    reason_zh: str = ""
    reason_en: str = ""
    reason_code: str = field(default="", compare=False)
    reason_params: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ItemShortage:
    """One item over all points and depots.

    ``unmet`` is demand minus what arrives in time; ``stock_deficit`` the part of the
    demand that no stock exists for at all (``max(0, demand - stock)``); the rest of
    ``unmet`` is stock that cannot arrive in time (too far, or taken by points of higher
    priority, or held back by depot capacity).
    """

    item_id: str
    unit: str
    demand: float
    stock: float
    delivered_on_time: float
    delivered_late: float
    unmet: float
    stock_deficit: float


@dataclass(frozen=True)
class DepotUse:
    """Stock of one item at one depot before and after the plan."""

    depot_id: str
    item_id: str
    unit: str
    stock: float
    shipped: float
    remaining: float


@dataclass(frozen=True)
class MaterialResult(RunAttributes):
    """The allocation plan and how it was found.

    Attributes
    ----------
    shipments : tuple of Shipment
        By point, item, travel time.
    unmet : tuple of UnmetLine
        Demand lines with ``unmet > 0``, by point and item.
    items : tuple of ItemShortage
        One per item, in ``item_ids`` order.
    depots : tuple of DepotUse
        One per (depot, item) with stock, in input order.
    run : SolverRun
        ``status`` ``OPTIMAL`` (every stage proven), ``FEASIBLE`` (a plan, a later
        stage not proven: the time limit, or a MIP stopped early) or ``FALLBACK`` (no
        stage-1 answer in time; the greedy plan); ``method`` what produced the plan:
        ``glop``, ``glop+scip`` (SCIP was run for whole quantities), ``pdlp``, ``scip``
        or ``greedy`` (the answer is the best plan found, so a solver stopped early can
        be beaten by greedy); ``objective`` the stage-1 figure ``unmet_weighted`` and
        ``bound`` ``unmet_bound``; ``seconds`` the wall time of the whole call; ``seed``
        None (nothing random). ``status``, ``method``, ``seconds``, ``unmet_weighted``
        and ``unmet_bound`` read these.
    undelivered_weighted : float
        ``sum w * (demand - delivered on time or late)`` (stage 2).
    weighted_quantity_s : float
        ``sum w * quantity * travel_time_s`` over the shipments (stage 3).
    demand_weighted : float
        ``sum w * demand``: ``unmet_weighted`` of a plan that ships nothing.

    ``unmet_weighted`` is ``sum w * unmet`` (stage 1); ``unmet_bound`` a lower bound on
    it over all plans (0.0 when unknown), equal to it when stage 1 was proven optimal.
    """

    shipments: tuple[Shipment, ...]
    unmet: tuple[UnmetLine, ...]
    items: tuple[ItemShortage, ...]
    depots: tuple[DepotUse, ...]
    run: SolverRun
    undelivered_weighted: float
    weighted_quantity_s: float
    demand_weighted: float

    unmet_weighted = property(lambda self: self.run.objective)
    unmet_bound = property(lambda self: self.run.bound)


# --------------------------------------------------------------------------- validation

def _ids(name: str, ids: tuple[str, ...], problems: list[Problem]) -> None:
    seen: set[str] = set()
    for x in ids:
        if x in seen:
            problems.append(Problem("duplicate id", field=name, value=x))
        seen.add(x)


def validate_material_problem(problem: MaterialProblem) -> None:
    """Check a :class:`MaterialProblem` before any solving.

    Raises
    ------
    DataError
        Listing every problem found, each naming the field (with its index) and the
        value: duplicate ids, lengths or shapes that do not match, a priority outside
        1-4, a negative, NaN or infinite stock or demand, a negative or NaN travel time
        or deadline, a weight that is not positive, a countable item with a fractional
        stock or demand, a negative load or capacity.
    """
    p = problem
    problems: list[Problem] = []
    n_d, n_i, n_p = len(p.depot_ids), len(p.item_ids), len(p.point_ids)
    for name in ("depot_ids", "item_ids", "point_ids"):
        _ids(name, getattr(p, name), problems)
    if len(p.item_units) != n_i:
        problems.append(Problem(f"needs one unit per item ({n_i})", field="item_units",
                                value=len(p.item_units)))
    if len(p.point_priority) != n_p:
        problems.append(Problem(f"needs one priority per point ({n_p})",
                                field="point_priority", value=len(p.point_priority)))
    for j, pr in enumerate(p.point_priority):
        if isinstance(pr, bool) or pr not in PRIORITY_WEIGHT:
            problems.append(Problem("must be 1, 2, 3 or 4", field=f"point_priority[{j}]",
                                    value=pr))
    qty = "a finite quantity >= 0"
    stock = _array(p.stock, (n_d, n_i), "stock", problems, allow_inf=False, what=qty)
    demand = _array(p.demand, (n_p, n_i), "demand", problems, allow_inf=False, what=qty)
    _array(p.travel_time_s, (n_d, n_p), "travel_time_s", problems, allow_inf=True,
           what="a number of seconds >= 0 (np.inf: unreachable)")
    dl = np.asarray(p.deadline_s, dtype=float) if _numeric(p.deadline_s) else None
    shape = (n_p, n_i) if dl is not None and dl.ndim == 2 else (n_p,)
    _array(p.deadline_s, shape, "deadline_s", problems, allow_inf=True,
           what="a number of seconds >= 0 (np.inf: no deadline)")
    if p.item_weight is not None:
        w = _array(p.item_weight, (n_i,), "item_weight", problems, allow_inf=False,
                   what="a finite weight > 0")
        if w is not None:
            for i in np.flatnonzero(w == 0):
                problems.append(Problem("must be a finite weight > 0",
                                        field=f"item_weight[{i}]", value=0.0))
    if p.countable:
        if len(p.countable) != n_i:
            problems.append(Problem(f"needs one flag per item ({n_i}) or none",
                                    field="countable", value=len(p.countable)))
        else:
            for i, c in enumerate(p.countable):
                if not c:
                    continue
                for name, a in (("stock", stock), ("demand", demand)):
                    if a is None:
                        continue
                    for r in np.flatnonzero(a[:, i] != np.round(a[:, i]))[:3]:
                        problems.append(Problem(
                            f"item {p.item_ids[i]!r} is countable: whole numbers only",
                            field=f"{name}[{r}, {i}]", value=float(a[r, i])))
    if p.item_load is not None:
        _array(p.item_load, (n_i,), "item_load", problems, allow_inf=False,
               what="a finite load >= 0")
    if p.depot_capacity is not None:
        _array(p.depot_capacity, (n_d,), "depot_capacity", problems, allow_inf=True,
               what="a load >= 0 (np.inf: no limit)")
    if problems:
        raise DataError("the material allocation problem is not valid", problems)


def _numeric(value: Any) -> bool:
    try:
        np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return False
    return True


# --------------------------------------------------------------------------- arrays

@dataclass(frozen=True, eq=False)
class _Prepared:
    problem: MaterialProblem
    stock: np.ndarray  # (D, I)
    demand: np.ndarray  # (P, I)
    travel_s: np.ndarray  # (D, P)
    deadline_s: np.ndarray  # (P, I)
    weight: np.ndarray  # (P, I) priority weight x item weight
    countable: np.ndarray  # (I,) bool
    item_load: np.ndarray  # (I,)
    depot_capacity: np.ndarray  # (D,)


def _prepare(problem: MaterialProblem) -> _Prepared:
    p = problem
    n_d, n_i, n_p = len(p.depot_ids), len(p.item_ids), len(p.point_ids)
    stock = np.asarray(p.stock, dtype=float).reshape(n_d, n_i)
    demand = np.asarray(p.demand, dtype=float).reshape(n_p, n_i)
    deadline = np.asarray(p.deadline_s, dtype=float)
    if deadline.ndim == 1:
        deadline = np.repeat(deadline[:, None], n_i, axis=1)
    item_w = (np.ones(n_i) if p.item_weight is None
              else np.asarray(p.item_weight, dtype=float))
    prio_w = np.array([PRIORITY_WEIGHT[int(x)] for x in p.point_priority], dtype=float)
    if p.countable:
        countable = np.array(p.countable, dtype=bool)
    else:
        countable = ((stock == np.round(stock)).all(axis=0)
                     & (demand == np.round(demand)).all(axis=0))
    return _Prepared(
        problem=p, stock=stock, demand=demand,
        travel_s=np.asarray(p.travel_time_s, dtype=float).reshape(n_d, n_p),
        deadline_s=deadline.reshape(n_p, n_i), weight=prio_w[:, None] * item_w[None, :],
        countable=countable,
        item_load=np.zeros(n_i) if p.item_load is None else np.asarray(p.item_load, float),
        depot_capacity=(np.full(n_d, np.inf) if p.depot_capacity is None
                        else np.asarray(p.depot_capacity, dtype=float)))


def _arcs(prep: _Prepared) -> lp.Arcs:
    return lp.build_arcs(prep.stock, prep.demand, prep.travel_s, prep.deadline_s,
                         prep.weight, prep.countable, prep.item_load, prep.depot_capacity,
                         ship_late=prep.problem.ship_late)


# --------------------------------------------------------------------------- results

def _result(prep: _Prepared, arcs: lp.Arcs, x: np.ndarray, *, status: str, method: str,
            on_time_bound: float, t0: float) -> MaterialResult:
    """Copy the arc quantities ``x`` into a result; every figure is recomputed here."""
    p = prep.problem
    n_d, n_i = prep.stock.shape
    n_p = prep.demand.shape[0]
    ship = x > 0
    d, pt, it, q = arcs.depot[ship], arcs.point[ship], arcs.item[ship], x[ship]
    t, on = arcs.travel_s[ship], arcs.on_time[ship]
    on_time = np.zeros((n_p, n_i))
    late = np.zeros((n_p, n_i))
    np.add.at(on_time, (pt[on], it[on]), q[on])
    np.add.at(late, (pt[~on], it[~on]), q[~on])
    shipped = np.zeros((n_d, n_i))
    np.add.at(shipped, (d, it), q)
    unmet = np.maximum(prep.demand - on_time, 0.0)
    undelivered = np.maximum(prep.demand - on_time - late, 0.0)
    w = prep.weight

    order = np.lexsort((t, it, pt))
    shipments = tuple(
        Shipment(depot_id=p.depot_ids[d[k]], point_id=p.point_ids[pt[k]],
                 item_id=p.item_ids[it[k]], quantity=float(q[k]), unit=p.item_units[it[k]],
                 travel_time_s=float(t[k]), deadline_s=float(prep.deadline_s[pt[k], it[k]]),
                 on_time=bool(on[k]))
        for k in order)

    remaining = prep.stock - shipped
    load_used = shipped @ prep.item_load
    lines = []
    for j, i in zip(*np.nonzero(unmet > 1e-9), strict=False):
        why = _reason(prep, j, i, float(on_time[j, i]), remaining, load_used)
        lines.append(UnmetLine(
            point_id=p.point_ids[j], item_id=p.item_ids[i], unit=p.item_units[i],
            demand=float(prep.demand[j, i]), delivered_on_time=float(on_time[j, i]),
            delivered_late=float(late[j, i]), unmet=float(unmet[j, i]),
            deadline_s=float(prep.deadline_s[j, i]),
            reason=why, **reason(f"dispatch.unmet.{why}").fields()))

    items = tuple(
        ItemShortage(item_id=p.item_ids[i], unit=p.item_units[i],
                     demand=float(prep.demand[:, i].sum()), stock=float(prep.stock[:, i].sum()),
                     delivered_on_time=float(on_time[:, i].sum()),
                     delivered_late=float(late[:, i].sum()), unmet=float(unmet[:, i].sum()),
                     stock_deficit=float(max(0.0, prep.demand[:, i].sum()
                                             - prep.stock[:, i].sum())))
        for i in range(n_i))
    depots = tuple(
        DepotUse(depot_id=p.depot_ids[k], item_id=p.item_ids[i], unit=p.item_units[i],
                 stock=float(prep.stock[k, i]), shipped=float(shipped[k, i]),
                 remaining=float(remaining[k, i]))
        for k in range(n_d) for i in range(n_i) if prep.stock[k, i] > 0 or shipped[k, i] > 0)

    demand_w = float((w * prep.demand).sum())
    unmet_w = float((w * unmet).sum())
    bound = max(0.0, demand_w - on_time_bound) if math.isfinite(on_time_bound) else 0.0
    return MaterialResult(
        shipments=shipments, unmet=tuple(lines), items=items, depots=depots,
        run=SolverRun(status=status, objective=unmet_w, bound=min(bound, unmet_w),
                      seconds=time.perf_counter() - t0, seed=None, method=method),
        undelivered_weighted=float((w * undelivered).sum()),
        weighted_quantity_s=float((w[pt, it] * q * t).sum()), demand_weighted=demand_w)


def _reason(prep: _Prepared, j: int, i: int, on_time_here: float, remaining: np.ndarray,
            load_used: np.ndarray) -> str:
    """Why line (point j, item i) is short; see :data:`UNMET_REASONS`."""
    holders = prep.stock[:, i] > 0
    if not holders.any():
        return "no_stock"
    in_time = holders & (prep.travel_s[:, j] <= prep.deadline_s[j, i])
    if prep.stock[in_time, i].sum() <= on_time_here + 1e-9:
        return "out_of_reach"  # everything that can come in time already comes here
    left = in_time & (remaining[:, i] > 1e-9)
    if left.any() and prep.item_load[i] > 0:
        full = load_used + prep.item_load[i] > prep.depot_capacity + 1e-9
        if (left & full).any():
            return "depot_capacity"
    return "taken"


# --------------------------------------------------------------------------- solving

def _point_order(prep: _Prepared) -> np.ndarray:
    """Points by priority, then earliest deadline, then input order."""
    prio = np.array(prep.problem.point_priority)
    return np.lexsort((np.arange(prio.size), prep.deadline_s.min(axis=1, initial=np.inf),
                       prio))


def _greedy_x(prep: _Prepared, arcs: lp.Arcs) -> np.ndarray:
    """Nearest-depot fill: points by priority, then deadline, then input order; each of
    their lines takes what it can from the nearest depots first (so on-time depots
    before late ones), within stock and depot capacity."""
    return lp.greedy_fill(arcs, prep.stock, prep.demand, prep.item_load,
                          prep.depot_capacity, _point_order(prep), on_time_first=False)


def greedy_materials(problem: MaterialProblem) -> MaterialResult:
    """The baseline: nearest-depot fill in priority order (see :func:`_greedy_x`).

    Raises
    ------
    DataError
        If the problem is not valid (see :func:`validate_material_problem`).
    """
    t0 = time.perf_counter()
    validate_material_problem(problem)
    prep = _prepare(problem)
    arcs = _arcs(prep)
    return _result(prep, arcs, _greedy_x(prep, arcs), status="FEASIBLE", method="greedy",
                   on_time_bound=math.inf, t0=t0)


def allocate_materials(problem: MaterialProblem, *, time_limit_s: float,
                       method: str = "auto") -> MaterialResult:
    """Decide the shipments (see the module docstring for the objective).

    Parameters
    ----------
    problem : MaterialProblem
    time_limit_s : float
        Wall-clock budget of the whole call, seconds (``Settings.solver_time_limit_s``).
    method : {"auto", "glop", "pdlp", "scip", "greedy"}

    Returns
    -------
    MaterialResult

    Raises
    ------
    DataError
        If the stocks, demand or travel times do not fit together, or the method or the
        time limit is wrong; no allocation is attempted then.
    """
    t0 = time.perf_counter()
    check_solver_options(method, MATERIAL_METHODS, time_limit_s, "allocate materials")
    validate_material_problem(problem)
    prep = _prepare(problem)
    arcs = _arcs(prep)
    x_greedy = _greedy_x(prep, arcs)
    if method == "greedy":
        return _result(prep, arcs, x_greedy, status="FEASIBLE", method="greedy",
                       on_time_bound=math.inf, t0=t0)
    out = lp.solve(arcs, prep.stock, prep.demand, prep.item_load, prep.depot_capacity,
                   _point_order(prep), method=method, ship_late=problem.ship_late,
                   deadline=solver_deadline(t0, time_limit_s, "materials"))
    if out.x is None:
        log.warning("materials: no plan from %s in %.2f s; returning the greedy plan",
                    method, time_limit_s)
        return _result(prep, arcs, x_greedy, status="FALLBACK", method="greedy",
                       on_time_bound=math.inf, t0=t0)
    # The answer is the best plan found, judged on the three stage objectives in order:
    # a solver stopped early can lose to greedy.
    name = method if method != "auto" else ("glop+scip" if out.used_mip else "glop")
    best, best_name, status = out.x, name, out.status
    if lp.better(lp.key(x_greedy, arcs), lp.key(out.x, arcs)):
        best, best_name, status = x_greedy, "greedy", "FEASIBLE"
    log.debug("materials: %s %s (%s) in %d solves, %d arcs", name, out.status, best_name,
              out.solves, arcs.depot.size)
    return _result(prep, arcs, best, status=status, method=best_name,
                   on_time_bound=out.bound_on_time, t0=t0)
