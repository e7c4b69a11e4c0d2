"""Team assignment: which units go to which of several simultaneous incidents.

Input is plain arrays in an :class:`AssignmentProblem` (unit capabilities, incident
priorities, demand per incident and capability, a unit x incident ETA matrix, and
optionally zone coverage data and outside mutual-aid units); output is an
:class:`AssignmentResult` with one explained :class:`Assignment` per unit sent and one
:class:`Shortfall` per demand that cannot be met. Nothing here reads files or knows the
road network: the caller computes ETAs.

The objective, in this order (lexicographic):

1. Serve as much priority-weighted demand as the fleet and the roads allow (each unit
   sent counts the weight of its incident). Exact, by min-cost flow.
2. Minimise ``sum_i w_i * (first_i + full_i) + penalty * uncovered``, seconds, where
   ``w`` is :data:`PRIORITY_WEIGHT`, ``first_i`` the ETA of incident i's first unit,
   ``full_i`` the ETA of the last unit of its demanded package (its full complement),
   both the horizon (:attr:`AssignmentProblem.unserved_s`) when they never come, and
   ``uncovered`` the number of (zone, capability) pairs left with no idle unit of that
   capability within its standard time. Coverage is a *small weight*, not a strict
   second level: each uncovered pair costs ``uncovered_penalty_s`` (default 60 s) of
   weighted arrival time, so the optimiser keeps a zone covered when that delays the
   incidents by less than the penalty, and not otherwise. Set the penalty to 0 to
   ignore coverage. Pairs no unit could cover even with nobody dispatched are not
   counted ("where the fleet allows").

Methods: ``greedy`` (nearest available unit per demanded slot, incidents by priority:
the baseline), ``flow`` (min-cost flow on the priority-weighted sum of ETAs, optimal for
step 1, then a local search of swaps and replacements on the real objective, from both
the flow and the greedy plan), ``cpsat`` (the full model with OR-Tools CP-SAT,
warm-started from the ``flow`` plan) and ``auto`` (``cpsat`` unless the ``flow`` plan
already meets the lower bound). The answer is the best of the plans found, judged on the
exact float ETAs, and a plan is always returned within the time limit: if CP-SAT finds
nothing in time the quick plan is returned with status ``FALLBACK``.

Measured (``bench/assign_speed.py``): min-cost flow takes 10-30 ms even at 500 units and
is exact for the served demand but blind to the first/full-complement structure; local
search recovers most of that in a few hundred ms; CP-SAT closes the rest and proves
optimality on surges of 5-15 incidents within about a second.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from command.dispatch import _assign_core as core
from command.dispatch._assign_explain import explain_assignments, explain_shortfalls
from command.dispatch._assign_solve import make_groups, solve_cpsat, solve_flow
from command.dispatch._cpsat import default_workers, solver_deadline
from command.dispatch._result import RunAttributes, SolverRun
from command.dispatch._validate import check_solver_options
from command.errors import DataError, Problem
from command.model import CAPABILITIES

__all__ = [
    "PRIORITY_WEIGHT",
    "STATUSES",
    "METHODS",
    "AssignmentProblem",
    "Assignment",
    "Shortfall",
    "AssignmentResult",
    "validate_problem",
    "assign",
    "greedy_assign",
    "weighted_first_arrival_s",
    "weighted_full_complement_s",
    "assignment_objective_s",
]

log = logging.getLogger(__name__)

#: Priority (1 highest .. 4 lowest) -> weight of the incident's arrival times.
PRIORITY_WEIGHT: Mapping[int, int] = core.PRIORITY_WEIGHT
#: The statuses an assignment can end with (see :mod:`command.dispatch._result`).
STATUSES: tuple[str, ...] = ("OPTIMAL", "FEASIBLE", "FALLBACK")
METHODS: tuple[str, ...] = ("auto", "cpsat", "flow", "greedy")


@dataclass(frozen=True, eq=False)
class AssignmentProblem:
    """Units, incidents and travel times for one assignment decision.

    Parameters
    ----------
    unit_ids : tuple of str
        The available units (n). Units busy elsewhere are left out by the caller.
    unit_capability : tuple of str
        One capability per unit, from :data:`command.model.CAPABILITIES`.
    incident_ids : tuple of str
        The incidents (m), in creation order (the greedy baseline breaks priority ties
        by this order).
    incident_priority : tuple of int
        1 (highest) .. 4 per incident; weights in :data:`PRIORITY_WEIGHT`.
    demand : mapping
        ``(incident index, capability) -> number of units``; missing keys mean 0.
    eta_s : array_like
        (n, m) travel time of each unit to each incident, seconds; ``np.inf`` where the
        unit cannot reach the incident (it is then never sent there).
    zone_ids : tuple of str
        Grid zones whose coverage is the second objective; empty for none.
    eta_zone_s : array_like, optional
        (n, len(zone_ids)) travel time of each unit to each zone centre, seconds.
    zone_required : tuple of tuple of str
        Per zone, the capabilities that should stay within their standard time of it,
        e.g. ``("engine", "ambulance")``.
    standard_s : mapping
        Capability -> standard response time, seconds (see
        :func:`command.model.response_standards_s`).
    uncovered_penalty_s : float
        Weighted arrival seconds one uncovered (zone, capability) pair costs.
    unit_names_zh, unit_names_en : tuple of str
        Display names for the reasons (default: the unit ids).
    aid_unit_ids, aid_capability : tuple of str
        Outside (mutual-aid) units that could be requested, and their capabilities.
    aid_eta_s : array_like, optional
        (len(aid_unit_ids), m) their travel times to the incidents, seconds.
    unserved_s : float, optional
        Arrival time counted for a first unit or full complement that never comes
        (default: one second more than the longest finite ETA in ``eta_s``).
    first_arrival_weight, full_complement_weight : int
        Relative weights of the two arrival terms in the objective (default 1 and 1;
        0 drops a term, e.g. ``first_arrival_weight=0`` to optimise the full complement
        alone).
    full_complement_guard : bool
        Never return a plan whose priority-weighted full-complement arrival is later than
        that of greedy nearest-available dispatch (default True): the optimum of the
        objective can trade a later full complement for an earlier first unit; with the
        guard such a plan is replaced by the best plan found that serves as much demand
        and keeps the full complement no later than greedy's (its status is then
        FEASIBLE). A plan that sends more of the demanded units than greedy is kept.
    """

    unit_ids: tuple[str, ...]
    unit_capability: tuple[str, ...]
    incident_ids: tuple[str, ...]
    incident_priority: tuple[int, ...]
    demand: Mapping[tuple[int, str], int]
    eta_s: Any
    zone_ids: tuple[str, ...] = ()
    eta_zone_s: Any = None
    zone_required: tuple[tuple[str, ...], ...] = ()
    standard_s: Mapping[str, float] = field(default_factory=dict)
    uncovered_penalty_s: float = 60.0
    unit_names_zh: tuple[str, ...] = ()
    unit_names_en: tuple[str, ...] = ()
    aid_unit_ids: tuple[str, ...] = ()
    aid_capability: tuple[str, ...] = ()
    aid_eta_s: Any = None
    unserved_s: float | None = None
    first_arrival_weight: int = 1
    full_complement_weight: int = 1
    full_complement_guard: bool = True


@dataclass(frozen=True)
class Assignment:
    """One unit sent to one incident, with the figures behind the choice.

    ``next_best_unit_id`` is the nearest unit of the same capability left idle by the
    plan (None if there is none); its ETA is to the same incident. ``reason_zh`` and
    ``reason_en`` are rendered from ``reason_code`` (a key of
    :mod:`command.texts.dispatch`) and ``reason_params`` (JSON data).
    """

    unit_id: str
    incident_id: str
    capability: str
    eta_s: float
    next_best_unit_id: str | None
    next_best_eta_s: float | None
    reason_zh: str
    reason_en: str
    reason_code: str = field(default="", compare=False)
    reason_params: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Shortfall:
    """Demand the plan cannot meet: ``missing`` units of ``capability`` at an incident.

    ``aid_options`` are the nearest outside units of that capability, ``(unit_id,
    eta_s)``, nearest first, at most ``missing`` of them (empty without aid data).
    The reason is rendered from ``reason_code`` and ``reason_params``.
    """

    incident_id: str
    capability: str
    missing: int
    aid_options: tuple[tuple[str, float], ...]
    reason_zh: str
    reason_en: str
    reason_code: str = field(default="", compare=False)
    reason_params: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class AssignmentResult(RunAttributes):
    """The plan and how it was found.

    Attributes
    ----------
    assignments : tuple of Assignment
        By incident, capability, ETA.
    shortfalls : tuple of Shortfall
    run : SolverRun
        ``status`` ``OPTIMAL`` (proven, with ETAs rounded down to whole seconds in the
        model), ``FEASIBLE`` (a plan, not proven optimal) or ``FALLBACK`` (the solver
        found nothing in time; the quick plan of ``method`` is returned); ``method``
        what produced the plan: ``cpsat``, ``flow`` or ``greedy``; ``objective``
        (seconds) ``first_arrival_weight * first_arrival_s + full_complement_weight *
        full_complement_s + coverage_s`` on the exact ETAs; ``bound`` (seconds) a lower
        bound on it over plans serving as much weighted demand; ``seconds`` the wall
        time of the whole call; ``seed``. The same values are read as ``status``,
        ``method``, ``objective_s``, ``bound_s``, ``seconds`` and ``seed``.
    first_arrival_s, full_complement_s : float
        The two arrival terms, priority-weighted seconds.
    coverage_s : float
        ``uncovered_penalty_s`` times the number of uncovered pairs.
    uncovered : tuple of (zone_id, capability)
    served_weight, demand_weight : int
        Priority-weighted units sent and demanded.
    """

    assignments: tuple[Assignment, ...]
    shortfalls: tuple[Shortfall, ...]
    run: SolverRun
    first_arrival_s: float
    full_complement_s: float
    coverage_s: float
    uncovered: tuple[tuple[str, str], ...]
    served_weight: int
    demand_weight: int

    objective_s = property(lambda self: self.run.objective)
    bound_s = property(lambda self: self.run.bound)

    @property
    def gap(self) -> float | None:
        """Relative gap between objective and bound (0 when proven optimal)."""
        if self.bound_s is None or self.objective_s <= 0:
            return None
        return max(0.0, (self.objective_s - self.bound_s) / self.objective_s)


# --------------------------------------------------------------------------- validation

def _matrix(value: Any, shape: tuple[int, int], name: str, problems: list[Problem]
            ) -> np.ndarray | None:
    """``value`` as a float matrix of ``shape`` with entries >= 0 (np.inf allowed), or
    None after recording what is wrong."""
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        problems.append(Problem("must be a numeric matrix", field=name, value=type(value).__name__))
        return None
    if a.shape != shape:
        problems.append(Problem(f"must have shape {shape} (units x columns)", field=name,
                                value=a.shape))
        return None
    bad = np.argwhere(np.isnan(a) | (a < 0))
    for r, c in bad[:5]:
        problems.append(Problem("must be a non-negative number of seconds (np.inf: unreachable)",
                                field=f"{name}[{r}, {c}]", value=float(a[r, c])))
    return None if bad.size else a


def validate_problem(problem: AssignmentProblem) -> None:
    """Check an :class:`AssignmentProblem` before any solving.

    Raises
    ------
    DataError
        Listing every problem found (field and value): lengths that do not match,
        duplicate ids, an unknown capability, a priority outside 1-4, a negative or
        non-integer demand or one naming an unknown incident, an ETA matrix of the wrong
        shape or with negative or NaN entries, coverage or mutual-aid data that do not
        fit, a missing standard time.
    """
    p = problem
    problems: list[Problem] = []
    n, m = len(p.unit_ids), len(p.incident_ids)
    for name, ids in (("unit_ids", p.unit_ids), ("incident_ids", p.incident_ids),
                      ("zone_ids", p.zone_ids), ("aid_unit_ids", p.aid_unit_ids)):
        seen = set()
        for x in ids:
            if x in seen:
                problems.append(Problem("duplicate id", field=name, value=x))
            seen.add(x)
    if len(p.unit_capability) != n:
        problems.append(Problem(f"needs one capability per unit ({n})", field="unit_capability",
                                value=len(p.unit_capability)))
    for u, c in enumerate(p.unit_capability):
        if c not in CAPABILITIES:
            problems.append(Problem(f"unknown capability (one of {', '.join(CAPABILITIES)})",
                                    field=f"unit_capability[{u}]", value=c))
    if len(p.incident_priority) != m:
        problems.append(Problem(f"needs one priority per incident ({m})",
                                field="incident_priority", value=len(p.incident_priority)))
    for i, pr in enumerate(p.incident_priority):
        if isinstance(pr, bool) or pr not in PRIORITY_WEIGHT:
            problems.append(Problem("must be 1, 2, 3 or 4", field=f"incident_priority[{i}]",
                                    value=pr))
    for key, d in dict(p.demand).items():
        if not (isinstance(key, tuple) and len(key) == 2):
            problems.append(Problem("keys are (incident index, capability)", field="demand",
                                    value=key))
            continue
        i, c = key
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < m:
            problems.append(Problem(f"incident index must be 0..{m - 1}", field="demand",
                                    value=key))
        if c not in CAPABILITIES:
            problems.append(Problem("unknown capability", field=f"demand[{key!r}]", value=c))
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 0:
            problems.append(Problem("must be a whole number >= 0", field=f"demand[{key!r}]",
                                    value=d))
    eta = _matrix(p.eta_s, (n, m), "eta_s", problems)
    z = len(p.zone_ids)
    if z:
        if p.eta_zone_s is None:
            problems.append(Problem("is needed when zone_ids are given", field="eta_zone_s"))
        else:
            _matrix(p.eta_zone_s, (n, z), "eta_zone_s", problems)
        if len(p.zone_required) != z:
            problems.append(Problem(f"needs one tuple of capabilities per zone ({z})",
                                    field="zone_required", value=len(p.zone_required)))
        for j, caps in enumerate(p.zone_required):
            for c in caps:
                if c not in CAPABILITIES:
                    problems.append(Problem("unknown capability", field=f"zone_required[{j}]",
                                            value=c))
                elif c not in p.standard_s:
                    problems.append(Problem("no standard time for this capability",
                                            field="standard_s", value=c))
    for c, s in dict(p.standard_s).items():
        if not (isinstance(s, (int, float)) and math.isfinite(s) and s > 0):
            problems.append(Problem("must be a positive number of seconds",
                                    field=f"standard_s[{c!r}]", value=s))
    if not (isinstance(p.uncovered_penalty_s, (int, float))
            and math.isfinite(p.uncovered_penalty_s) and p.uncovered_penalty_s >= 0):
        problems.append(Problem("must be a number of seconds >= 0", field="uncovered_penalty_s",
                                value=p.uncovered_penalty_s))
    for name, names in (("unit_names_zh", p.unit_names_zh), ("unit_names_en", p.unit_names_en)):
        if names and len(names) != n:
            problems.append(Problem(f"needs one name per unit ({n}) or none", field=name,
                                    value=len(names)))
    a = len(p.aid_unit_ids)
    if len(p.aid_capability) != a:
        problems.append(Problem(f"needs one capability per aid unit ({a})",
                                field="aid_capability", value=len(p.aid_capability)))
    for j, c in enumerate(p.aid_capability):
        if c not in CAPABILITIES:
            problems.append(Problem("unknown capability", field=f"aid_capability[{j}]", value=c))
    if a:
        if p.aid_eta_s is None:
            problems.append(Problem("is needed when aid_unit_ids are given", field="aid_eta_s"))
        else:
            _matrix(p.aid_eta_s, (a, m), "aid_eta_s", problems)
    if p.unserved_s is not None and eta is not None:
        finite = eta[np.isfinite(eta)]
        longest = float(finite.max()) if finite.size else 0.0
        if not (isinstance(p.unserved_s, (int, float)) and p.unserved_s > longest):
            problems.append(Problem(f"must exceed the longest finite ETA ({longest:g} s)",
                                    field="unserved_s", value=p.unserved_s))
    for name in ("first_arrival_weight", "full_complement_weight"):
        v = getattr(p, name)
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
            problems.append(Problem("must be a whole number >= 0", field=name, value=v))
    if p.first_arrival_weight == 0 and p.full_complement_weight == 0:
        problems.append(Problem("at least one arrival term must count",
                                field="first_arrival_weight", value=0))
    if problems:
        raise DataError("the assignment problem is not valid", problems)


# --------------------------------------------------------------------------- results

#: Seconds of weighted full-complement arrival the guard tolerates (float noise).
_GUARD_TOL_S = 1e-6


def _guarded(prep: core.Prepared, candidates, g_full: float, served: int, deadline: float
             ) -> tuple[np.ndarray, core.Score, str] | None:
    """The best plan among ``candidates`` (name, plan) that serves as much weighted
    demand (``served``) and has a full-complement term no later than greedy's
    ``g_full``; None when there is none (the guard never trades units sent for time:
    a plan that sends more of what is demanded stands even when its full complement
    is later)."""
    best = None
    for name, sol in candidates:
        sol, score = core.polish(prep, sol, core.evaluate(prep, sol), deadline - 0.02)
        if score.full_s > g_full + _GUARD_TOL_S or score.served_weight < served:
            continue
        if best is None or score.key() < best[1].key():
            best = (sol, score, name)
    return best


def _result(prep: core.Prepared, to_inc: np.ndarray, score: core.Score, *, status: str,
            method: str, bound: float | None, t0: float, seed: int) -> AssignmentResult:
    p = prep.problem
    return AssignmentResult(
        assignments=tuple(Assignment(**r) for r in explain_assignments(prep, to_inc)),
        shortfalls=tuple(Shortfall(**r) for r in explain_shortfalls(prep, to_inc)),
        run=SolverRun(status=status, objective=score.objective_s, bound=bound,
                      seconds=time.perf_counter() - t0, seed=seed, method=method),
        first_arrival_s=score.first_s, full_complement_s=score.full_s,
        coverage_s=score.coverage_s,
        uncovered=tuple((p.zone_ids[z], c) for z, c in score.uncovered),
        served_weight=score.served_weight,
        demand_weight=int((prep.demand.sum(axis=1) * prep.w).sum()))


def _to_inc(prep: core.Prepared, result: AssignmentResult) -> np.ndarray:
    """The plan of ``result`` as a unit -> incident index array."""
    p = prep.problem
    unit = {u: j for j, u in enumerate(p.unit_ids)}
    inc = {x: i for i, x in enumerate(p.incident_ids)}
    to_inc = np.full(prep.n, -1, dtype=np.int64)
    for a in result.assignments:
        to_inc[unit[a.unit_id]] = inc[a.incident_id]
    return to_inc


def _score(problem: AssignmentProblem, result: AssignmentResult) -> core.Score:
    prep = core.prepare(problem)
    return core.evaluate(prep, _to_inc(prep, result))


def weighted_first_arrival_s(problem: AssignmentProblem, result: AssignmentResult) -> float:
    """Sum over incidents of priority weight x ETA of the first unit sent, seconds
    (the horizon ``unserved_s`` for an incident that gets nobody)."""
    return _score(problem, result).first_s


def weighted_full_complement_s(problem: AssignmentProblem, result: AssignmentResult) -> float:
    """Sum over incidents of priority weight x ETA of the last unit of the demanded
    package, seconds (the horizon when the package is not complete). The figure the
    optimiser and the greedy baseline are compared on."""
    return _score(problem, result).full_s


def assignment_objective_s(problem: AssignmentProblem, result: AssignmentResult) -> float:
    """The whole objective of ``result``'s plan, recomputed from the matrices."""
    return _score(problem, result).objective_s


# --------------------------------------------------------------------------- solving

def greedy_assign(problem: AssignmentProblem, *, seed: int = 0) -> AssignmentResult:
    """Nearest-available dispatch, the baseline: incidents by priority, then creation
    order; for each demanded unit, the nearest free unit of that capability.

    Raises
    ------
    DataError
        If the problem is not valid (see :func:`validate_problem`).
    """
    t0 = time.perf_counter()
    validate_problem(problem)
    prep = core.prepare(problem)
    to_inc = core.greedy(prep)
    return _result(prep, to_inc, core.evaluate(prep, to_inc), status="FEASIBLE",
                   method="greedy", bound=core.lower_bound(prep), t0=t0, seed=seed)


def assign(problem: AssignmentProblem, *, time_limit_s: float, method: str = "auto",
           seed: int = 0, workers: int | None = None) -> AssignmentResult:
    """Decide which units go to which incidents (see the module docstring).

    Parameters
    ----------
    problem : AssignmentProblem
    time_limit_s : float
        Wall-clock budget of the whole call, seconds (``Settings.solver_time_limit_s``).
        CP-SAT stops 0.25 s early (a fifth of short budgets) to absorb its own overrun
        and the writing of the reasons; measured: 300 units x 30 incidents in 1.86-2.02 s
        for a 2 s budget on a 2-core machine at load average 4-5.
    method : {"auto", "cpsat", "flow", "greedy"}
    seed : int
        CP-SAT's random seed, recorded in the result. With more than one worker CP-SAT
        may still find different plans of equal quality from run to run.
    workers : int, optional
        CP-SAT search workers (default: the number of CPUs, at most 8).

    Returns
    -------
    AssignmentResult

    Raises
    ------
    DataError
        If the problem is not valid, or the method or time limit is unknown or not
        positive; nothing is solved then.
    """
    t0 = time.perf_counter()
    check_solver_options(method, METHODS, time_limit_s, "assign")
    validate_problem(problem)
    prep = core.prepare(problem)
    deadline = t0 + float(time_limit_s)

    lb = core.lower_bound(prep)
    g_sol = core.greedy(prep)
    g_full = core.evaluate(prep, g_sol).full_s
    candidates: list[tuple[str, np.ndarray]] = [("greedy", g_sol)]

    def done(to_inc, score, status, used, bound):
        to_inc, score = core.polish(prep, to_inc, score, deadline - 0.02)
        if problem.full_complement_guard and score.full_s > g_full + _GUARD_TOL_S:
            guarded = _guarded(prep, candidates, g_full, score.served_weight, deadline)
            if guarded is not None:
                to_inc, score, used = guarded
                status = "FEASIBLE"
        return _result(prep, to_inc, score, status=status, method=used, bound=bound, t0=t0,
                       seed=seed)

    if method == "greedy":
        return done(g_sol, core.evaluate(prep, g_sol), "FEASIBLE", "greedy", lb)
    groups = make_groups(prep)
    f_sol, served_best = solve_flow(prep, groups)
    # Local search from both quick plans, within a quarter of the budget: on heavy
    # surges it closes most of the distance to the optimum in a few hundred ms.
    ls_deadline = t0 + 0.25 * float(time_limit_s)
    found = [("flow", core.local_search(prep, f_sol, ls_deadline)),
             ("greedy", core.local_search(prep, g_sol, ls_deadline))]
    candidates.extend(found)
    scored = [(core.evaluate(prep, sol).key(), j, name, sol)
              for j, (name, sol) in enumerate(found)]
    _, _, best_method, best = min(scored, key=lambda r: (r[0], r[1]))
    best_score = core.evaluate(prep, best)
    proven = (best_score.served_weight == served_best
              and best_score.objective_s <= lb + 1e-9)
    if method == "flow" or (method == "auto" and proven):
        return done(best, best_score, "OPTIMAL" if proven else "FEASIBLE", best_method, lb)

    out = solve_cpsat(prep, groups, hint=best, served_min=served_best,
                      time_limit_s=solver_deadline(t0, time_limit_s, "assign")
                      - time.perf_counter(), seed=seed, workers=default_workers(workers))
    if out.to_inc is None:
        log.warning("assign: no CP-SAT plan in %.2f s (%s); returning the %s plan",
                    time_limit_s, out.status, best_method)
        return done(best, best_score, "FALLBACK", best_method, lb)
    c_score = core.evaluate(prep, out.to_inc)
    bound = max(lb, float(out.bound)) if out.bound is not None else lb
    # The model rounds ETAs down; on the exact ETAs the warm start can still be better.
    if c_score.key() <= best_score.key():
        best, best_score = out.to_inc, c_score
    candidates.append(("cpsat", out.to_inc))
    return done(best, best_score, out.status, "cpsat", bound)
