"""The linear programmes behind :mod:`command.dispatch.materials` (private).

One variable per arc ``(depot d, point p, item i)`` with stock of ``i`` at ``d``, demand
of ``i`` at ``p`` and a finite travel time: the quantity shipped. Rows:

- stock: ``sum_p x[d, p, i] <= stock[d, i]``;
- demand line: ``sum_d x[d, p, i] <= demand[p, i]`` (on-time and late together: nothing
  is shipped beyond what was asked for);
- depot capacity (optional): ``sum_{p, i} load[i] x[d, p, i] <= capacity[d]``.

Three stages, each an LP (or a MIP with integer quantities for countable items), each
keeping the optimum of the previous ones as a constraint (lexicographic optimisation):

1. maximise ``sum w x`` over on-time arcs (= minimise priority- and item-weighted demand
   unmet by the deadline);
2. with stage 1 kept, maximise ``sum w x`` over all arcs (deliver late what cannot come
   in time; skipped when late shipments are not allowed);
3. with stage 2 kept, minimise ``sum w t x`` (weighted quantity x travel seconds).

How an optimum is kept. With GLOP, exactly, by complementary slackness: given the stage's
optimal dual solution, a plan is optimal for the stage if and only if every variable with
a non-zero reduced cost stays at its bound and every row with a non-zero dual stays
tight; so the next stage fixes those variables and makes those rows equalities, which
is the stage's optimal face with no tolerance to exploit (the rule multi-objective LP
solvers use). SCIP gives no duals (and PDLP only approximate ones): there the optimum
``S`` becomes a row ``objective <= S + tol``, ``tol = rel_tol * max(1, |S|)`` with
``rel_tol`` 1e-9 for SCIP and 1e-6 for PDLP, whose answers are accurate to about 1e-8.

Without depot capacities the items share nothing, so each item is solved as its own
(small) block; the lexicographic optimum of the whole is the union of the blocks' optima
because every stage objective is a sum over items.

Integrality. Within one item the stock and demand rows form the incidence matrix of a
bipartite graph, which is totally unimodular; with whole stock and demand every vertex of
the stage-1 polytope is integral, and so is every vertex of its optimal face (a face of
an integral polyhedron); fixing variables at whole bounds and making rows equalities
keeps it so. The simplex (GLOP) returns vertices, so countable items come out whole
without any integer variable. Depot capacities with item loads break this; the ``auto``
method then re-solves the blocks whose countable quantities came out fractional with
SCIP and integer variables.

The models go through OR-Tools' linear-solver wrapper ``model_builder_helper`` (the
engine under ``pywraplp`` and ``model_builder``) because it takes the constraint matrix
as one scipy CSR array: building 100 000 arcs costs milliseconds instead of the
seconds that one ``SetCoefficient`` call per entry takes.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder_helper as mbh

log = logging.getLogger(__name__)

#: Relative tolerance of a kept stage optimum, per solver (see the module docstring).
REL_TOL: dict[str, float] = {"glop": 1e-9, "scip": 1e-9, "pdlp": 1e-6}
#: Solver parameters: SCIP stops at a relative gap of 1e-4 (the default 0 spends the
#: time limit proving the last 0.01 % and leaves nothing for the later stages); PDLP is
#: asked for 1e-8 (its default 1e-4 leaves visible slack in the kept optima).
_PARAMS: dict[str, str] = {
    "scip": "limits/gap = 1e-4",
    "pdlp": ("termination_criteria { simple_optimality_criteria { "
             "eps_optimal_relative: 1e-8 eps_optimal_absolute: 1e-8 } }"),
}
#: A countable quantity this close to a whole number counts as whole (else: the MIP).
INT_TOL = 1e-6
#: ``repair`` rounds countable quantities this close to a whole number (PDLP's answers
#: are this far off), floors the others, and floors again any row rounding overshot.
ROUND_TOL = 1e-4


@dataclass(frozen=True, eq=False)
class Arcs:
    """The arcs of a problem as parallel arrays (one entry per shipping variable)."""

    depot: np.ndarray  # (A,) int
    point: np.ndarray  # (A,) int
    item: np.ndarray  # (A,) int
    travel_s: np.ndarray  # (A,) float, finite
    on_time: np.ndarray  # (A,) bool
    weight: np.ndarray  # (A,) float, priority weight x item weight of the line
    upper: np.ndarray  # (A,) float, min(stock, demand[, capacity / load])
    countable: np.ndarray  # (A,) bool


def build_arcs(stock: np.ndarray, demand: np.ndarray, travel_s: np.ndarray,
               deadline_s: np.ndarray, line_weight: np.ndarray, countable: np.ndarray,
               item_load: np.ndarray, depot_capacity: np.ndarray, *,
               ship_late: bool) -> Arcs:
    """Every useful arc, vectorised. ``deadline_s`` and ``line_weight`` are (P, I)."""
    d, p, i = np.nonzero((stock[:, None, :] > 0) & (demand[None, :, :] > 0)
                         & np.isfinite(travel_s)[:, :, None])
    t = travel_s[d, p]
    on = t <= deadline_s[p, i]
    if not ship_late:
        keep = on
        d, p, i, t, on = d[keep], p[keep], i[keep], t[keep], on[keep]
    upper = np.minimum(stock[d, i], demand[p, i])
    load = item_load[i]
    with np.errstate(divide="ignore"):
        cap_units = np.where(load > 0, depot_capacity[d] / np.where(load > 0, load, 1.0),
                             np.inf)
    upper = np.minimum(upper, cap_units)
    return Arcs(depot=d, point=p, item=i, travel_s=t, on_time=on,
                weight=line_weight[p, i], upper=upper, countable=countable[i])


@dataclass(frozen=True)
class BlockOutcome:
    x: np.ndarray | None  # None: stage 1 found nothing in time
    optimal: bool  # every stage solved to optimality
    complete: bool  # every stage solved
    bound_on_time: float  # upper bound on sum w x over the block's on-time arcs
    solves: int


@dataclass(frozen=True)
class Outcome:
    """What the stages found for all blocks together."""

    x: np.ndarray | None  # (A,) shipped quantities; None when stage 1 failed somewhere
    status: str  # OPTIMAL (every stage of every block) | FEASIBLE | NOT_SOLVED
    bound_on_time: float  # upper bound on sum w x over on-time arcs (math.inf: unknown)
    used_mip: bool  # SCIP was run for whole quantities
    solves: int  # LP/MIP solves run


def _rows(arcs: Arcs, idx: np.ndarray, stock: np.ndarray, demand: np.ndarray,
          item_load: np.ndarray, depot_capacity: np.ndarray, with_capacity: bool):
    """CSR matrix and right-hand sides of the block ``idx``'s rows."""
    a = idx.size
    cols = np.arange(a)
    n_items = stock.shape[1]
    s_key, s_row = np.unique(arcs.depot[idx] * n_items + arcs.item[idx], return_inverse=True)
    l_key, l_row = np.unique(arcs.point[idx] * n_items + arcs.item[idx], return_inverse=True)
    rows = [s_row, s_key.size + l_row]
    vals = [np.ones(a), np.ones(a)]
    rhs = [stock[s_key // n_items, s_key % n_items], demand[l_key // n_items, l_key % n_items]]
    n_rows = s_key.size + l_key.size
    if with_capacity:
        d = arcs.depot[idx]
        limited = np.isfinite(depot_capacity[d]) & (item_load[arcs.item[idx]] > 0)
        c_key, c_row = np.unique(d[limited], return_inverse=True)
        rows.append(n_rows + c_row)
        vals.append(item_load[arcs.item[idx][limited]])
        cols = np.r_[cols, cols, cols[limited]]
        rhs.append(depot_capacity[c_key])
        n_rows += c_key.size
    else:
        cols = np.r_[cols, cols]
    matrix = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), cols)),
                           shape=(n_rows, a))
    return matrix, np.concatenate(rhs)


def _solve_stages(arcs: Arcs, idx: np.ndarray, matrix: sp.csr_matrix, rhs: np.ndarray, *,
                  solver: str, integer: bool, ship_late: bool, deadline: float,
                  hint: np.ndarray | None = None) -> BlockOutcome:
    """Run the stages on one block, each in a fresh model (data -> model -> bounds and
    rows -> objective -> time limit -> solve -> status -> values).

    How a stage's optimum is kept for the next: with GLOP by complementary slackness
    (fix every variable whose reduced cost is not zero at its value, make every row whose
    dual is not zero an equality); with SCIP and PDLP by a row ``obj <= value + tol``.
    """
    w = arcs.weight[idx]
    t = arcs.travel_s[idx]
    # Minimisation throughout: "maximise w x" is "minimise -w x".
    objectives = [-(w * arcs.on_time[idx])]
    if ship_late and not arcs.on_time[idx].all():
        objectives.append(-w)
    objectives.append(w * t)
    by_duals = solver == "glop" and not integer
    lower = np.zeros(idx.size)
    upper = arcs.upper[idx].astype(float)
    row_lo = np.full(rhs.size, -np.inf)
    kept_rows: list[np.ndarray] = []
    kept_hi: list[float] = []
    x: np.ndarray | None = None
    bound, optimal, done, solves = math.inf, True, 0, 0
    for stage, c in enumerate(objectives, start=1):
        started = time.perf_counter()
        if deadline - started <= 0.002:
            break
        c = np.asarray(c, dtype=float)
        a_mat = (sp.vstack([matrix, sp.csr_matrix(np.vstack(kept_rows))], format="csr")
                 if kept_rows else matrix)
        model = mbh.ModelBuilderHelper()
        model.fill_model_from_sparse_data(lower, upper, c,
                                          np.r_[row_lo, np.full(len(kept_hi), -np.inf)],
                                          np.r_[rhs, kept_hi].astype(float), a_mat)
        if integer:
            for v in np.flatnonzero(arcs.countable[idx]):
                model.set_var_integrality(int(v), True)
            # A warm start: the caller's plan, then the previous stage's (feasible here).
            start = x if x is not None else hint
            if start is not None:
                for v, val in enumerate(start.tolist()):
                    model.add_hint(v, float(val))
        s = mbh.ModelSolverHelper(solver)
        if solver in _PARAMS:
            s.set_solver_specific_parameters(_PARAMS[solver])
        left = len(objectives) - stage + 1
        # Stage 1 decides most; it gets half of the time when later stages follow.
        budget = (deadline - time.perf_counter()) * (0.5 if stage == 1 and left > 1
                                                      else 1.0 / left)
        if solver == "scip":
            # SCIP overruns its limit by its set-up and presolve (measured: up to
            # 0.3 s at 50 000 arcs).
            budget -= 0.01 + 6e-6 * idx.size
        if budget <= 0.001:
            break
        s.set_time_limit_in_seconds(budget)
        s.solve(model)
        solves += 1
        status = s.status()
        if not s.has_solution() or status not in (mbh.SolveStatus.OPTIMAL,
                                                  mbh.SolveStatus.FEASIBLE):
            log.info("materials: stage %d of a block of %d arcs ended %s", stage, idx.size,
                     status.name)
            break
        x = np.asarray(s.variable_values(), dtype=float)
        done = stage
        value = float(c @ x)
        is_opt = status == mbh.SolveStatus.OPTIMAL
        if integer:
            # SCIP says OPTIMAL at its gap limit; only a closed gap is a proof here.
            is_opt &= value <= float(s.best_objective_bound()) + 1e-9 * max(1.0, abs(value))
        optimal &= is_opt
        if stage == 1:
            if integer:  # SCIP stops at its gap limit: its bound is the proof
                bound = -float(s.best_objective_bound())
            elif is_opt:
                bound = -value
        if stage == len(objectives):
            break
        if by_duals and is_opt:
            eps = 1e-9 * max(1.0, float(np.abs(c).max(initial=0.0)))
            fix = np.abs(np.asarray(s.reduced_costs())) > eps
            lower[fix] = upper[fix] = np.clip(x[fix], lower[fix], upper[fix])
            tight = np.abs(np.asarray(s.dual_values())[:rhs.size]) > eps
            row_lo[tight] = rhs[tight]
        else:
            # Not proven (time or gap limit): later stages keep at least what was found.
            kept_rows.append(c)
            kept_hi.append(value + REL_TOL[solver] * max(1.0, abs(value)))
    complete = x is not None and done == len(objectives)
    return BlockOutcome(x, complete and optimal, complete, bound, solves)


def repair(x: np.ndarray, arcs: Arcs, stock: np.ndarray, demand: np.ndarray,
           item_load: np.ndarray, depot_capacity: np.ndarray) -> np.ndarray:
    """Make ``x`` exactly feasible: clip to the bounds, scale down every row that is over
    (each pass only lowers quantities, so rows fixed earlier stay fixed), then make
    countable quantities whole (nearly whole values are rounded, others floored; if
    rounding up overshoots a row, that row's arcs are floored)."""
    x = np.clip(x, 0.0, arcs.upper)
    n_items = stock.shape[1]

    def scale(key: np.ndarray, coef: np.ndarray, cap: np.ndarray) -> None:
        used = np.bincount(key, weights=coef * x, minlength=cap.size)
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(used > cap, cap / used, 1.0)
        x[:] = x * f[key]

    s_key = arcs.depot * n_items + arcs.item
    l_key = arcs.point * n_items + arcs.item
    scale(s_key, np.ones_like(x), stock.ravel())
    scale(l_key, np.ones_like(x), demand.ravel())
    load = item_load[arcs.item]
    scale(arcs.depot, load, depot_capacity.astype(float))

    c = arcs.countable
    before = x.copy()
    near = np.abs(x - np.round(x)) <= ROUND_TOL
    x[c] = np.where(near[c], np.round(x[c]), np.floor(x[c]))
    for key, coef, cap in ((s_key, np.ones_like(x), stock.ravel()),
                           (l_key, np.ones_like(x), demand.ravel()),
                           (arcs.depot, load, depot_capacity.astype(float))):
        used = np.bincount(key, weights=coef * x, minlength=cap.size)
        over = used > cap + 1e-9 * np.maximum(1.0, cap)
        if over.any():
            # Floors only lower what already fitted before rounding, so the row fits.
            hit = over[key] & c
            x[hit] = np.floor(before[hit])
    return x


def key(x: np.ndarray, arcs: Arcs) -> tuple[float, float, float]:
    """The three stage objectives of plan ``x`` (all minimised), for comparing plans."""
    wx = arcs.weight * x
    return (-float(wx[arcs.on_time].sum()), -float(wx.sum()),
            float((wx * arcs.travel_s).sum()))


def better(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """``a`` is lexicographically better than ``b`` beyond rounding noise."""
    for u, v in zip(a, b, strict=False):
        tol = 1e-9 * max(1.0, abs(u), abs(v))
        if u < v - tol:
            return True
        if u > v + tol:
            return False
    return False


def greedy_fill(arcs: Arcs, stock: np.ndarray, demand: np.ndarray, item_load: np.ndarray,
                depot_capacity: np.ndarray, point_order: np.ndarray,
                x0: np.ndarray | None = None, *, on_time_first: bool) -> np.ndarray:
    """Ship what stock and capacity still allow, points in ``point_order``, each line
    from its nearest depots first, whole units for countable items.

    From nothing (``x0=None``, ``on_time_first=False``) this is the greedy baseline:
    nearest depots first means on-time depots before late ones for each line. As a
    repair after flooring an LP plan (``on_time_first=True``) it first fills on-time
    arcs for every point, then late ones.
    """
    x = np.zeros(arcs.depot.size) if x0 is None else x0.copy()
    left = stock.copy()
    np.subtract.at(left, (arcs.depot, arcs.item), x)
    need = demand.copy()
    np.subtract.at(need, (arcs.point, arcs.item), x)
    cap_left = depot_capacity.astype(float).copy()
    np.subtract.at(cap_left, arcs.depot, item_load[arcs.item] * x)
    rank = np.empty(demand.shape[0], dtype=np.int64)
    rank[point_order] = np.arange(point_order.size)
    passes = [arcs.on_time, ~arcs.on_time] if on_time_first else [np.ones_like(arcs.on_time)]
    for mask in passes:
        sel = np.flatnonzero(mask)
        sel = sel[np.lexsort((arcs.travel_s[sel], arcs.item[sel], rank[arcs.point[sel]]))]
        for a in sel.tolist():
            p, i, d = int(arcs.point[a]), int(arcs.item[a]), int(arcs.depot[a])
            take = min(need[p, i], left[d, i])
            if take <= 1e-12:
                continue
            load = item_load[i]
            if load > 0:
                take = min(take, cap_left[d] / load)
            if arcs.countable[a]:
                take = math.floor(take + INT_TOL)
            if take <= 1e-12:
                continue
            x[a] += take
            need[p, i] -= take
            left[d, i] -= take
            cap_left[d] -= take * load
    return x


def solve(arcs: Arcs, stock: np.ndarray, demand: np.ndarray, item_load: np.ndarray,
          depot_capacity: np.ndarray, point_order: np.ndarray, *, method: str,
          ship_late: bool, deadline: float) -> Outcome:
    """Solve all blocks by ``method`` ("auto", "glop", "pdlp" or "scip") before
    ``deadline`` (a ``time.perf_counter()`` value).

    Countable quantities that come out fractional (depot capacities) are floored and
    the stock and capacity this frees are filled again by :func:`greedy_fill`; with
    ``auto`` and time left, SCIP then searches whole plans from that one (a warm start)
    and its plan is kept if better.
    """
    coupled = bool(np.isfinite(depot_capacity).any() and (item_load > 0).any())
    if coupled:
        blocks = [np.arange(arcs.depot.size)]
    else:
        order = np.argsort(arcs.item, kind="stable")
        cuts = np.flatnonzero(np.diff(arcs.item[order])) + 1
        blocks = [b for b in np.split(order, cuts) if b.size]
    first = "glop" if method == "auto" else method
    x = np.zeros(arcs.depot.size)
    optimal, used_mip, solves, bound = True, False, 0, 0.0
    for b, idx in enumerate(blocks):
        # What is left is shared evenly between the blocks still to solve.
        share = (deadline - time.perf_counter()) / (len(blocks) - b)
        matrix, rhs = _rows(arcs, idx, stock, demand, item_load, depot_capacity, coupled)
        out = _solve_stages(arcs, idx, matrix, rhs, solver=first, integer=first == "scip",
                            ship_late=ship_late, deadline=time.perf_counter() + share)
        solves += out.solves
        if out.x is None:
            return Outcome(None, "NOT_SOLVED", math.inf, used_mip, solves)
        x[idx] = out.x
        bound += out.bound_on_time
        optimal &= out.optimal
    cnt = arcs.countable
    fractional = cnt & (np.abs(x - np.round(x)) > INT_TOL)
    x = repair(x, arcs, stock, demand, item_load, depot_capacity)
    if fractional.any():
        # Flooring is no longer the LP optimum; the MIP may prove a whole plan optimal.
        optimal = False
        x = greedy_fill(arcs, stock, demand, item_load, depot_capacity, point_order, x,
                        on_time_first=True)
        idx = np.unique(np.concatenate([bl for bl in blocks if fractional[bl].any()]))
        if method == "auto" and deadline - time.perf_counter() > 0.05:
            used_mip = True
            matrix, rhs = _rows(arcs, idx, stock, demand, item_load, depot_capacity, coupled)
            mip = _solve_stages(arcs, idx, matrix, rhs, solver="scip", integer=True,
                                ship_late=ship_late, deadline=deadline, hint=x[idx])
            solves += mip.solves
            if mip.x is not None:
                xm = x.copy()
                xm[idx] = mip.x
                xm = repair(xm, arcs, stock, demand, item_load, depot_capacity)
                if better(key(xm, arcs), key(x, arcs)) or mip.optimal:
                    x, optimal = xm, mip.optimal
    return Outcome(x, "OPTIMAL" if optimal else "FEASIBLE", bound, used_mip, solves)
