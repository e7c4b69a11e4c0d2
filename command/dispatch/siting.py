"""Siting of standby posts and reserve depots: p-median, maximal covering and p-centre.

Every function takes a distance (or travel-time) matrix ``dist[u, j]``: demand point
``u`` in rows, candidate site ``j`` in columns (a square matrix when demand points and
sites are the same vertices, as in the OR-Library files). Units are the caller's: metres,
seconds or the abstract lengths of a benchmark; the objective comes back in the same unit
times the weight unit.

**Demand weights.** Population and risk enter only through ``weights``: for a grid of
demand cells use ``weights[u] = population[u] * risk_factor[grade[u]]`` (or the expected
incident rate of the cell, incidents/year), so that the p-median objective becomes
person-metres (or incident-seconds) of response and the maximal-covering objective the
population (or incidents) reached within the standard. Nothing else in the models
changes.

**How the p-median is solved** (``method="auto"``):

1. greedy then fast interchange (Whitaker 1983; Resende & Werneck 2003);
2. Lagrangian relaxation of the assignment constraints with subgradient optimisation
   (Beasley 1985), then interchange again from the relaxed solution; this gives a lower
   bound and often proves the incumbent optimal on its own;
3. reduced-cost fixing of sites and of (demand, site) pairs;
4. Lagrangian branch and bound on the reduced problem (fast when p is small and the LP
   gap is about 1%), then the radius formulation (Elloumi 2010) of the reduced problem
   solved by SCIP through OR-Tools (fast when the LP is nearly integral, large p).

**Existing sites.** Each model takes ``fixed``: columns that are open whatever the
answer (the stations a city has); ``p`` then counts the *new* sites among the other
candidates. The models need no change for it: with ``near[u]`` the distance from demand
``u`` to its nearest fixed site, opening new sites ``S`` costs exactly what opening ``S``
costs on ``min(dist, near)`` (a demand is served by a fixed site whenever no new one is
closer), so each model runs on that matrix over the free candidates and the fixed
columns are added back to the answer. :func:`relocate` moves at most ``k`` existing
sites: the number of open sites stays, at most ``k`` of them new (one more row in the
exact models). :func:`layout_cover` measures any layout: the weight share within a
radius and the weighted mean distance.

``method="exact"`` runs steps 1-3 then SCIP alone on the reduced radius model (the
OR-Tools route, useful as an independent check); ``method="heuristic"`` stops after
step 2, adding a seeded perturbation search while time remains, and reports the gap to
the Lagrangian bound. When optimality is not proven within the time limit the best
solution is returned with ``optimal=False`` and its gap to the best proven bound.

Owns: the models and their solution. Must not: read settings or files (the OR-Library
reader is :func:`command.dispatch.instances.read_pmed`); log, never print.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from command.dispatch._result import RunAttributes, SolverRun
from command.dispatch._siting_bnb import branch_and_bound
from command.dispatch._siting_heuristic import (
    greedy,
    interchange,
    perturbation_search,
    solution_cost,
)
from command.dispatch._siting_lagrange import fixings, relaxed_solution, subgradient
from command.dispatch._siting_mip import cover_with_p, max_covering_mip, p_median_radius
from command.errors import DataError, Problem

__all__ = [
    "SitingResult",
    "p_median",
    "max_covering",
    "p_center",
    "relocate",
    "LayoutCover",
    "layout_cover",
]

log = logging.getLogger(__name__)

#: Above this many kept (demand, site) pairs the SCIP model is not built (memory).
_MAX_MIP_PAIRS = 3_000_000


# --------------------------------------------------------------------------- data types


@dataclass(frozen=True)
class SitingResult(RunAttributes):
    """The answer of a siting model, in plain data.

    Attributes
    ----------
    problem : ``"p-median"``, ``"max-covering"`` or ``"p-center"``.
    facilities : every open site, sorted column indices of ``dist`` (the fixed ones too).
    fixed : the columns that were open whatever the answer (``fixed=``), sorted; the
        ``p`` new sites are :attr:`new`.
    assignment : for each demand row, the column of its nearest chosen site.
    gap : ``|objective - bound| / max(|objective|, 1e-12)``; 0 when proven.
    run : :class:`~command.dispatch.SolverRun` with ``objective`` (p-median: total
        weighted distance; max-covering: covered weight, maximised; p-centre: largest
        distance from a demand to its nearest site), ``bound`` (proven bound on the
        optimum: lower for p-median and p-centre, upper for max-covering), ``status``
        ``OPTIMAL`` or ``FEASIBLE`` (time ran out before a proof), ``method`` (what
        produced the proof or the answer: ``"lagrangian"``, ``"branch-and-bound"``,
        ``"scip"``, ``"heuristic"`` ...), ``seconds`` (wall-clock time spent) and
        ``seed`` (``None`` when the method draws nothing random). Each is also read
        as an attribute of the result, and ``optimal`` is ``status == "OPTIMAL"``.
    """

    problem: str
    facilities: tuple[int, ...]
    assignment: tuple[int, ...]
    gap: float
    run: SolverRun
    fixed: tuple[int, ...] = ()

    optimal = property(lambda self: self.run.status == "OPTIMAL")
    #: The sites the answer adds to the fixed ones (all of ``facilities`` without fixed).
    new = property(lambda self: tuple(f for f in self.facilities if f not in self.fixed))


# --------------------------------------------------------------------------- validation


def _prepare(dist: object, p: int, weights: object, candidates: object, *,
             time_limit_s: float, need_weights: bool = False
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check the common arguments; return (dist as float array, weights, candidate cols)."""
    problems: list[Problem] = []
    d = np.asarray(dist, dtype=float)
    if d.ndim != 2 or d.shape[0] == 0 or d.shape[1] == 0:
        raise DataError("the distance matrix must be a non-empty 2-D array",
                        [Problem(rule="shape (demands, sites)", field="dist", value=d.shape)])
    if not np.all(np.isfinite(d)) or (d < 0).any():
        problems.append(Problem(rule="distances must be finite and non-negative", field="dist"))
    n, m = d.shape
    if candidates is None:
        cand = np.arange(m)
    else:
        cand = np.asarray(candidates)
        if cand.ndim != 1 or len(cand) == 0 or not np.issubdtype(cand.dtype, np.integer):
            problems.append(Problem(rule="candidates must be a non-empty list of column indices",
                                    field="candidates"))
            cand = np.arange(m)
        elif cand.min() < 0 or cand.max() >= m or len(np.unique(cand)) != len(cand):
            problems.append(Problem(rule=f"candidates must be distinct columns in 0..{m - 1}",
                                    field="candidates"))
            cand = np.arange(m)
    if weights is None:
        if need_weights:
            problems.append(Problem(rule="weights are required", field="weights"))
        w = np.ones(n)
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != (n,):
            problems.append(Problem(rule=f"weights must have one value per demand row ({n})",
                                    field="weights", value=w.shape))
            w = np.ones(n)
        elif not np.all(np.isfinite(w)) or (w < 0).any():
            problems.append(Problem(rule="weights must be finite and non-negative",
                                    field="weights"))
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or not 1 <= p <= len(cand):
        problems.append(Problem(rule=f"p must be an integer between 1 and the number of "
                                     f"candidate sites ({len(cand)})", field="p", value=p))
    if not (isinstance(time_limit_s, (int, float)) and time_limit_s > 0):
        problems.append(Problem(rule="time limit must be a positive number of seconds",
                                field="time_limit_s", value=time_limit_s))
    if problems:
        raise DataError("invalid siting input", problems)
    return d, w, cand.astype(np.intp)


def _result(problem: str, d: np.ndarray, cand: np.ndarray, open_cols: np.ndarray, *,
            objective: float, bound: float, optimal: bool, method: str, t0: float,
            seed: int | None = None) -> SitingResult:
    facilities = np.sort(cand[np.asarray(open_cols, dtype=np.intp)])
    assignment = facilities[np.argmin(d[:, facilities], axis=1)]
    gap = 0.0 if optimal else abs(objective - bound) / max(abs(objective), 1e-12)
    return SitingResult(
        problem=problem, facilities=tuple(int(f) for f in facilities),
        assignment=tuple(int(a) for a in assignment), gap=float(gap),
        run=SolverRun(status="OPTIMAL" if optimal else "FEASIBLE",
                      objective=float(objective), bound=float(bound),
                      seconds=time.perf_counter() - t0, seed=seed, method=method))


def _reduce_fixed(dist: object, fixed: object, candidates: object
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """``(min(dist, near), free candidates, fixed)`` for the always-open columns, where
    ``near[u]`` is demand u's distance to its nearest fixed column; None without any
    fixed column. A bad ``dist`` is left for the model's own check to report."""
    if fixed is None or len(fixed) == 0:  # type: ignore[arg-type]
        return None
    d = np.asarray(dist, dtype=float)
    if d.ndim != 2 or 0 in d.shape:
        return None
    m = d.shape[1]
    fx = np.asarray(fixed)
    if (fx.ndim != 1 or not np.issubdtype(fx.dtype, np.integer) or fx.min() < 0
            or fx.max() >= m or len(np.unique(fx)) != len(fx)):
        raise DataError("invalid siting input", [Problem(
            rule=f"fixed must be distinct column indices in 0..{m - 1}", field="fixed",
            value=fixed if len(fx) <= 20 else f"{len(fx)} values")])
    cand = np.arange(m) if candidates is None else np.asarray(candidates)
    free = cand[~np.isin(cand, fx)] if cand.ndim == 1 else cand
    near = d[:, fx].min(axis=1)
    return np.minimum(d, near[:, None]), free, np.sort(fx).astype(np.intp)


def _add_fixed(result: SitingResult, dist: object, fx: np.ndarray) -> SitingResult:
    """The answer on the reduced matrix as an answer on ``dist``: the fixed columns
    open too, each demand assigned to its nearest open column."""
    d = np.asarray(dist, dtype=float)
    open_cols = np.union1d(fx, np.asarray(result.facilities, dtype=np.intp))
    assignment = open_cols[np.argmin(d[:, open_cols], axis=1)]
    return replace(result, facilities=tuple(int(f) for f in open_cols),
                   assignment=tuple(int(a) for a in assignment),
                   fixed=tuple(int(f) for f in fx))


# --------------------------------------------------------------------------- p-median


def p_median(dist: np.ndarray, p: int, *, weights: Sequence[float] | np.ndarray | None = None,
             candidates: Sequence[int] | np.ndarray | None = None,
             fixed: Sequence[int] | np.ndarray | None = None, time_limit_s: float,
             seed: int = 0, method: str = "auto") -> SitingResult:
    """Open ``p`` sites minimising the total weighted distance to the nearest open site.

    Parameters
    ----------
    dist : (n, m) array, distance from demand u to site j (any unit, finite, >= 0).
    p : number of sites to open, 1..number of candidates (without the fixed ones).
    weights : (n,) demand weights (population x risk factor, incidents/year ...);
        default 1 each.
    candidates : columns that may be opened; default all.
    fixed : columns open whatever the answer (existing sites); ``p`` counts new sites.
    time_limit_s : wall-clock budget in seconds (the answer arrives shortly after it).
    seed : seed of the perturbation search (``method="heuristic"`` only).
    method : ``"auto"`` (heuristic, Lagrangian bound, branch and bound, then SCIP),
        ``"exact"`` (heuristic, Lagrangian reduction, then SCIP only) or
        ``"heuristic"`` (no tree search; the gap to the Lagrangian bound is reported).

    Returns
    -------
    SitingResult with ``objective`` the total weighted distance and ``bound`` a proven
    lower bound; ``optimal`` is True when they meet (for integral weighted distances,
    when the bound exceeds ``objective - 1``; otherwise within 1e-9 relative).

    Raises
    ------
    DataError
        Bad shapes, negative or non-finite values, p out of range, unknown method.
    """
    if method not in ("auto", "exact", "heuristic"):
        raise DataError("invalid siting input", [Problem(
            rule="method must be 'auto', 'exact' or 'heuristic'", field="method", value=method)])
    reduced = _reduce_fixed(dist, fixed, candidates)
    if reduced is not None:
        return _add_fixed(p_median(reduced[0], p, weights=weights, candidates=reduced[1],
                                   time_limit_s=time_limit_s, seed=seed, method=method),
                          dist, reduced[2])
    t0 = time.perf_counter()
    deadline = t0 + float(time_limit_s)
    d, w, cand = _prepare(dist, p, weights, candidates, time_limit_s=time_limit_s)
    p = int(p)
    cost = w[:, None] * d[:, cand]
    m = cost.shape[1]
    integral = bool(np.all(cost == np.rint(cost)))

    def prune_gap(ub: float) -> float:
        # Nothing strictly better than ub can have a bound at or above ub - prune_gap.
        return 1.0 - 1e-6 if integral else 1e-9 * max(1.0, abs(ub))

    def finish(open_cols, ub, lb, how) -> SitingResult:
        proven = lb >= ub - prune_gap(ub)
        if proven:
            lb = ub if integral else max(min(lb, ub), ub - prune_gap(ub))
        return _result("p-median", d, cand, open_cols, objective=ub, bound=min(lb, ub),
                       optimal=proven,
                       method=how if proven or how == "heuristic" else f"{how} (time limit)",
                       t0=t0, seed=seed if method == "heuristic" else None)

    if p == m:
        every = np.arange(m)
        c = solution_cost(cost, every)
        return finish(every, c, c, "trivial")

    # 1. Greedy and fast interchange.
    best, ub = interchange(cost, greedy(cost, p), deadline=deadline)
    # 2. Lagrangian bound, then interchange from the relaxed solution of the best multipliers.
    lr = subgradient(cost, p, upper=ub, start_open=best,
                     deadline=t0 + 0.5 * float(time_limit_s), target=ub - prune_gap(ub))
    if lr.best_cost < ub:
        best, ub = lr.best_open, lr.best_cost
    trial, trial_cost = interchange(cost, relaxed_solution(cost, lr.lam, p), deadline=deadline)
    if trial_cost < ub - 1e-9:
        best, ub = trial, trial_cost
    lb = lr.bound
    log.debug("p-median n=%d m=%d p=%d: heuristic %.6g, Lagrangian bound %.6g after %d steps",
              cost.shape[0], m, p, ub, lb, lr.iterations)
    if lb >= ub - prune_gap(ub):
        return finish(best, ub, lb, "lagrangian")
    if method == "heuristic":
        best, ub = perturbation_search(cost, best, rng=np.random.default_rng(seed),
                                       deadline=deadline, max_rounds=200,
                                       stop_at=lb + prune_gap(lb))
        return finish(best, ub, lb, "heuristic")

    # 3-4. Before each stage, reduced-cost fixing says what every strictly better solution
    # must look like (with the incumbent as it stands); the stage searches only that.
    method_used = "lagrangian"
    stages = ("scip",) if method == "exact" else ("branch-and-bound", "scip")
    for k, stage in enumerate(stages):
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            break
        must_open, must_close, allowed = fixings(cost, p, lr.lam, ub - prune_gap(ub))
        usable = ~must_close
        if not (allowed.any(axis=1) | (w == 0)).all() or usable.sum() < p:
            # No strictly better solution exists: some demand would have no site left.
            return finish(best, ub, ub, method_used)
        budget = remaining if k == len(stages) - 1 else 0.6 * remaining
        method_used = stage
        if stage == "branch-and-bound":
            cols = np.flatnonzero(usable)
            out = branch_and_bound(cost[:, cols], p, best_open=None, best_cost=ub,
                                   lam=lr.lam, must_open=must_open[cols],
                                   must_close=np.zeros(len(cols), dtype=bool),
                                   gap_to_prune=prune_gap(ub),
                                   deadline=time.perf_counter() + budget)
            log.debug("branch and bound: %d nodes, proven=%s, best %.6g", out.nodes,
                      out.proven, out.best_cost)
            if out.best_open is not None and out.best_cost < ub - 1e-9:
                best, ub = cols[out.best_open], out.best_cost
            if out.proven:
                return finish(best, ub, ub, stage)
            lb = max(lb, min(out.bound, ub))
        else:
            radius = np.where(allowed, cost, -np.inf).max(axis=1)
            radius[w == 0] = -np.inf
            pairs = int((cost[:, usable] <= radius[:, None]).sum())
            if pairs > _MAX_MIP_PAIRS:
                log.info("reduced radius model too large (%d pairs); skipping SCIP", pairs)
                continue
            keep = w > 0
            # In "auto" the model only looks for strictly better solutions (cutoff row);
            # in "exact" it is left to find its own optimum of the reduced problem.
            cutoff = ub - prune_gap(ub) if method == "auto" else np.inf
            outcome, cols = p_median_radius(
                cost[keep], p, usable=usable, fixed_open=must_open, radius=radius[keep],
                deadline=time.perf_counter() + budget, cutoff=cutoff)
            if outcome.values is not None:
                chosen = cols[outcome.values[: len(cols)] > 0.5]
                c = solution_cost(cost, chosen)
                if c < ub - 1e-9:
                    best, ub = chosen, c
            if outcome.status in ("optimal", "infeasible"):
                # Every strictly better solution lies in the reduced model: its optimum
                # (or its emptiness) settles the question.
                return finish(best, ub, ub, stage)
            if np.isfinite(outcome.bound):
                lb = max(lb, min(outcome.bound, ub))
    return finish(best, ub, lb, method_used)


# --------------------------------------------------------------------------- covering


def max_covering(dist: np.ndarray, p: int, radius: float, *,
                 weights: Sequence[float] | np.ndarray,
                 candidates: Sequence[int] | np.ndarray | None = None,
                 fixed: Sequence[int] | np.ndarray | None = None,
                 time_limit_s: float) -> SitingResult:
    """Open ``p`` sites maximising the weight of demands within ``radius`` of one of them.

    Maximal covering location (Church & ReVelle 1974), solved exactly by SCIP.

    Parameters
    ----------
    dist : (n, m) distances, demand u to site j (same unit as ``radius``).
    p : number of sites to open.
    radius : coverage standard, e.g. the 300 s fire standard when ``dist`` holds seconds.
    weights : (n,) demand weights (population x risk factor); required.
    candidates : columns that may be opened; default all.
    fixed : columns open whatever the answer; ``p`` counts new sites; the objective
        counts what the fixed sites cover too.
    time_limit_s : wall-clock budget for the solver.

    Returns
    -------
    SitingResult with ``objective`` the covered weight and ``bound`` a proven upper
    bound; ``assignment`` gives each demand's nearest chosen site (covered or not).
    """
    reduced = _reduce_fixed(dist, fixed, candidates)
    if reduced is not None:
        return _add_fixed(max_covering(reduced[0], p, radius, weights=weights,
                                       candidates=reduced[1], time_limit_s=time_limit_s),
                          dist, reduced[2])
    t0 = time.perf_counter()
    d, w, cand = _prepare(dist, p, weights, candidates, time_limit_s=time_limit_s,
                          need_weights=True)
    if not (isinstance(radius, (int, float, np.floating, np.integer)) and radius >= 0):
        raise DataError("invalid siting input", [Problem(
            rule="radius must be a non-negative number", field="radius", value=radius)])
    p = int(p)
    cover = d[:, cand] <= radius
    coverable = float(w[cover.any(axis=1)].sum())
    # Greedy answer first: it is the fallback if the solver finds nothing in time.
    chosen: list[int] = []
    covered = np.zeros(len(w), dtype=bool)
    for _ in range(p):
        gains = (w[:, None] * (cover & ~covered[:, None])).sum(axis=0)
        gains[chosen] = -1.0
        j = int(np.argmax(gains))
        chosen.append(j)
        covered |= cover[:, j]
    best = np.asarray(chosen)
    best_value = float(w[covered].sum())
    bound = coverable
    optimal = best_value >= coverable - 1e-9
    method = "greedy"
    if not optimal:
        outcome = max_covering_mip(cover, w, p, deadline=t0 + float(time_limit_s))
        method = "scip"
        if outcome.values is not None:
            sol = np.flatnonzero(outcome.values > 0.5)
            value = float(w[cover[:, sol].any(axis=1)].sum())
            if value > best_value + 1e-9:
                best, best_value = sol, value
        if np.isfinite(outcome.bound):
            bound = min(bound, outcome.bound)
        optimal = outcome.status == "optimal" or best_value >= bound - 1e-9
        if optimal:
            bound = best_value
    return _result("max-covering", d, cand, best, objective=best_value, bound=bound,
                   optimal=optimal, method=method, t0=t0)


# --------------------------------------------------------------------------- p-centre


def p_center(dist: np.ndarray, p: int, *, candidates: Sequence[int] | np.ndarray | None = None,
             fixed: Sequence[int] | np.ndarray | None = None,
             time_limit_s: float) -> SitingResult:
    """Open ``p`` sites minimising the largest distance from a demand to its nearest site.

    Exact by binary search over the distinct distances: radius r is achievable when a
    set-cover model (SCIP) finds at most ``p`` sites covering every demand within r
    (Minieka 1970; Daskin 2013, ch. 5).

    Parameters
    ----------
    dist : (n, m) distances, demand u to site j.
    p : number of sites to open.
    candidates : columns that may be opened; default all.
    fixed : columns open whatever the answer; ``p`` counts new sites.
    time_limit_s : wall-clock budget; if it runs out, the best radius found is returned
        with ``bound`` the smallest distance not yet proven unachievable.

    Returns
    -------
    SitingResult with ``objective`` the largest demand-to-site distance and ``bound`` a
    proven lower bound on it.
    """
    reduced = _reduce_fixed(dist, fixed, candidates)
    if reduced is not None:
        return _add_fixed(p_center(reduced[0], p, candidates=reduced[1],
                                   time_limit_s=time_limit_s), dist, reduced[2])
    t0 = time.perf_counter()
    deadline = t0 + float(time_limit_s)
    d, _, cand = _prepare(dist, p, None, candidates, time_limit_s=time_limit_s)
    p = int(p)
    sub = d[:, cand]
    n, m = sub.shape
    # Greedy: each step opens the site that lowers the current largest distance most.
    current = np.full(n, np.inf)
    chosen: list[int] = []
    for _ in range(p):
        worst = np.maximum.reduce(np.minimum(sub, current[:, None]), axis=0)
        worst[chosen] = np.inf
        j = int(np.argmin(worst))
        chosen.append(j)
        current = np.minimum(current, sub[:, j])
    best = np.asarray(chosen)
    best_value = float(current.max())
    floor = float(sub.min(axis=1).max())              # every demand needs some site
    levels = np.unique(sub)
    levels = levels[(levels >= floor) & (levels <= best_value)]
    lo, hi = 0, len(levels) - 1       # levels[hi] is achievable; those below lo are not
    while lo < hi:
        if time.perf_counter() >= deadline:
            break
        mid = (lo + hi) // 2
        cover = sub <= levels[mid]
        outcome = cover_with_p(cover, p, deadline=deadline)
        if outcome.status == "optimal":
            sol = np.flatnonzero(outcome.values > 0.5)
            hi = int(np.searchsorted(levels, sub[:, sol].min(axis=1).max()))
            best = sol
        elif outcome.status == "infeasible":
            lo = mid + 1
        else:
            break                                     # undecided within the time left
    if len(best) < p:
        # Extra sites never raise the largest distance; spend them on the total distance.
        served = sub[:, best].min(axis=1)
        pool = np.setdiff1d(np.arange(m), best)
        while len(best) < p:
            totals = np.minimum(sub[:, pool], served[:, None]).sum(axis=0)
            j = int(pool[np.argmin(totals)])
            best = np.r_[best, j]
            served = np.minimum(served, sub[:, j])
            pool = pool[pool != j]
    value = float(sub[:, best].min(axis=1).max())
    bound = float(levels[lo])
    optimal = lo >= hi
    return _result("p-center", d, cand, best, objective=value,
                   bound=value if optimal else bound, optimal=optimal,
                   method="binary-search-scip", t0=t0)


# --------------------------------------------------------------------------- relocation

#: The problems :func:`relocate` knows.
PROBLEMS = ("p-median", "max-covering", "p-center")


def relocate(dist: np.ndarray, existing: Sequence[int] | np.ndarray, k: int, *,
             problem: str, weights: Sequence[float] | np.ndarray | None = None,
             radius: float | None = None,
             candidates: Sequence[int] | np.ndarray | None = None,
             time_limit_s: float) -> SitingResult:
    """Move at most ``k`` of the ``existing`` sites to other candidate columns.

    As many sites stay open as exist; at most ``k`` of them are new (a move that does
    not help is not made). One exact model over the existing and the other candidate
    columns with the row ``sum of new y <= k``: the radius formulation for the p-median,
    Church-ReVelle for the maximal covering, and the binary search over set covers for
    the p-centre (see the functions above).

    Parameters
    ----------
    dist : (n, m) distances, demand u to site j.
    existing : the columns open today (distinct).
    k : how many of them may move, 1..min(existing, other candidates).
    problem : ``"p-median"``, ``"max-covering"`` or ``"p-center"``.
    weights : (n,) demand weights (required for max-covering; default 1 each).
    radius : the coverage standard (max-covering only), same unit as ``dist``.
    candidates : columns a site may move to; default all (existing ones excluded).
    time_limit_s : wall-clock budget.

    Returns
    -------
    SitingResult with ``facilities`` the open sites after the moves (``fixed`` empty:
    the closed sites are ``existing`` minus ``facilities``), ``objective`` and ``bound``
    as for the model's own function, the layout of today as the fallback answer.

    Raises
    ------
    DataError
        Naming the field and value: unknown problem, bad existing columns, k out of
        range, missing weights or radius, and the checks of the other functions.
    """
    t0 = time.perf_counter()
    deadline = t0 + float(time_limit_s) if isinstance(time_limit_s, (int, float)) else t0
    if problem not in PROBLEMS:
        raise DataError("invalid siting input", [Problem(
            rule=f"problem must be one of {', '.join(PROBLEMS)}", field="problem",
            value=problem)])
    d0 = np.asarray(dist, dtype=float)
    m = d0.shape[1] if d0.ndim == 2 else 0
    ex = np.asarray(existing)
    if (ex.ndim != 1 or len(ex) == 0 or not np.issubdtype(ex.dtype, np.integer)
            or ex.min() < 0 or ex.max() >= m or len(np.unique(ex)) != len(ex)):
        raise DataError("invalid siting input", [Problem(
            rule=f"existing must be distinct column indices in 0..{max(m - 1, 0)}",
            field="existing", value=list(existing)[:20])])
    cand = np.arange(m) if candidates is None else np.asarray(candidates)
    others = cand[~np.isin(cand, ex)] if cand.ndim == 1 else cand
    cols = np.r_[ex, others].astype(np.intp)
    size = len(ex)
    # _prepare checks dist, weights, candidates and the time limit; "p" is the layout size.
    d, w, cols = _prepare(d0, size, weights, cols, time_limit_s=time_limit_s,
                          need_weights=problem == "max-covering")
    limit = min(size, len(cols) - size)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= limit:
        raise DataError("invalid siting input", [Problem(
            rule=f"k must be a whole number between 1 and {limit} (the existing sites, and "
                 f"the other candidates)", field="k", value=k)])
    sub = d[:, cols]
    side = (np.arange(size, len(cols)), int(k))
    today = np.arange(size)
    if problem == "p-median":
        cost = w[:, None] * sub
        best, value = today, solution_cost(cost, today)
        bound, optimal = 0.0, False
        keep = w > 0
        if keep.any():
            outcome, pos = p_median_radius(
                cost[keep], size, usable=np.ones(len(cols), dtype=bool),
                fixed_open=np.zeros(len(cols), dtype=bool),
                radius=np.full(int(keep.sum()), np.inf), deadline=deadline, side=side)
            if outcome.values is not None:
                chosen = pos[outcome.values[: len(pos)] > 0.5]
                c = solution_cost(cost, chosen)
                if c < value - 1e-9:
                    best, value = chosen, c
            optimal = outcome.status == "optimal"
            if np.isfinite(outcome.bound):
                bound = min(float(outcome.bound), value)
        else:
            optimal = True
        bound = value if optimal else bound
        return _result(problem, d, cols, best, objective=value, bound=bound,
                       optimal=optimal, method="scip", t0=t0)
    if problem == "max-covering":
        if radius is None or not (isinstance(radius, (int, float, np.floating, np.integer))
                                  and radius >= 0):
            raise DataError("invalid siting input", [Problem(
                rule="radius must be a non-negative number", field="radius", value=radius)])
        cover = sub <= radius
        best, value = today, float(w[cover[:, today].any(axis=1)].sum())
        bound = float(w[cover.any(axis=1)].sum())
        outcome = max_covering_mip(cover, w, size, deadline=deadline, side=side)
        if outcome.values is not None:
            sol = np.flatnonzero(outcome.values > 0.5)
            v = float(w[cover[:, sol].any(axis=1)].sum())
            if v > value + 1e-9:
                best, value = sol, v
        if np.isfinite(outcome.bound):
            bound = min(bound, float(outcome.bound))
        optimal = outcome.status == "optimal" or value >= bound - 1e-9
        return _result(problem, d, cols, best, objective=value,
                       bound=value if optimal else bound, optimal=optimal, method="scip",
                       t0=t0)
    # p-centre: binary search over the distinct distances, as p_center, with the side row.
    best = today
    best_value = float(sub[:, today].min(axis=1).max())
    floor = float(sub.min(axis=1).max())
    levels = np.unique(sub)
    levels = levels[(levels >= floor) & (levels <= best_value)]
    lo, hi = 0, len(levels) - 1
    while lo < hi and time.perf_counter() < deadline:
        mid = (lo + hi) // 2
        outcome = cover_with_p(sub <= levels[mid], size, deadline=deadline, side=side)
        if outcome.status == "optimal":
            sol = np.flatnonzero(outcome.values > 0.5)
            hi = int(np.searchsorted(levels, sub[:, sol].min(axis=1).max()))
            best = sol
        elif outcome.status == "infeasible":
            lo = mid + 1
        else:
            break
    # Keep the layout's size: the sites not moved stay open (they never raise the radius).
    spare = [j for j in today if j not in set(best.tolist())]
    best = np.r_[best, spare[: size - len(best)]].astype(np.intp)
    value = float(sub[:, best].min(axis=1).max())
    optimal = lo >= hi
    return _result(problem, d, cols, best, objective=value,
                   bound=value if optimal else float(levels[lo]), optimal=optimal,
                   method="binary-search-scip", t0=t0)


# --------------------------------------------------------------------------- measuring


@dataclass(frozen=True)
class LayoutCover:
    """How well one layout of sites serves the demands.

    Attributes
    ----------
    nearest : (n,) distance from each demand to its nearest open site (``inf`` with none).
    covered : (n,) bool, ``nearest <= radius``.
    share : covered weight over total weight (0..1).
    mean : weighted mean of ``nearest`` (``inf`` if a demand with weight is unserved).
    """

    nearest: np.ndarray
    covered: np.ndarray
    share: float
    mean: float


def layout_cover(dist: np.ndarray, open_cols: Sequence[int] | np.ndarray, *,
                 weights: Sequence[float] | np.ndarray, radius: float) -> LayoutCover:
    """The covered weight share within ``radius`` and the weighted mean distance of the
    layout ``open_cols`` (columns of ``dist``; demands in rows). Pure arithmetic: the
    yardstick the siting page and command print before and after a proposal."""
    d = np.asarray(dist, dtype=float)
    w = np.asarray(weights, dtype=float)
    cols = np.asarray(open_cols, dtype=np.intp)
    nearest = d[:, cols].min(axis=1) if len(cols) else np.full(d.shape[0], np.inf)
    covered = nearest <= radius
    total = float(w.sum())
    share = float(w[covered].sum() / total) if total > 0 else 0.0
    with np.errstate(invalid="ignore"):
        mean = float((w * nearest).sum() / total) if total > 0 else float("nan")
    return LayoutCover(nearest=nearest, covered=covered, share=share, mean=mean)
