"""Move-up: after a dispatch, which idle units should move to which posts so that the
city stays covered, and what each move costs in minutes.

Input is plain arrays in a :class:`MoveUpProblem` (idle units with their capability and
post, a unit x post travel-time matrix, a post x zone response-time matrix, zone weights,
standard times and busy probabilities per capability); output is a
:class:`MoveUpResult` with the moves and the coverage before and after. Nothing here
reads files or knows the road network: the caller computes the times.

Formulas
--------
Expected coverage, the maximal expected covering location problem (MEXCLP; Daskin, M.
S., 1983, "A maximum expected covering location model: formulation, properties and
heuristic solution", Transportation Science 17(1): 48-70). A zone z with demand weight
``w_z`` that ``k`` units of one capability can reach within that capability's standard
time is served with probability ``1 - q**k`` when each unit is busy, independently, with
probability ``q``; its expected covered weight is ``w_z (1 - q**k)``. Capabilities are
independent services, so the expected coverage of a plan is

    E = sum over capabilities c, zones z of  w_z (1 - q_c ** k_cz).

The move-up objective subtracts a small cost per minute of every move, as relocation
models do (Gendreau, M., Laporte, G. & Semet, F., 2001, "A dynamic model and parallel
tabu search heuristic for real-time ambulance relocation", Parallel Computing 27(12):
1641-1653):

    maximise  E - move_cost_per_min * sum of the minutes moved.

``move_cost_per_min`` defaults to 1 % of the mean zone weight per minute, so a 10-minute
move must gain a tenth of an average zone's weight in expected coverage. Staying costs
nothing, so the plan never has less expected coverage than staying put.

The exact model is the MEXCLP linearisation with ``y[c, z, k]`` variables, solved by
CP-SAT with a warm start from a greedy plan (best single move while it gains); see
:func:`command.dispatch._moveup_model.solve_cpsat`. Whatever the method, the answer is the
better of the plans found, scored on the exact floats.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from command.dispatch import _moveup_model as core
from command.dispatch._cpsat import default_workers, solver_deadline
from command.dispatch._result import RunAttributes, SolverRun
from command.dispatch._validate import check_solver_options
from command.dispatch._validate import checked_array as _array
from command.errors import DataError, Problem
from command.model import CAPABILITIES

__all__ = [
    "MOVEUP_METHODS",
    "MoveUpProblem",
    "Move",
    "CapabilityCoverage",
    "Coverage",
    "MoveUpResult",
    "validate_moveup_problem",
    "plan_moveup",
    "coverage_of",
]

log = logging.getLogger(__name__)

MOVEUP_METHODS: tuple[str, ...] = ("auto", "cpsat", "greedy")


@dataclass(frozen=True, eq=False)
class MoveUpProblem:
    """Idle units, posts, zones and times for one move-up decision.

    Parameters
    ----------
    unit_ids, unit_capability : tuple of str
        The idle units (n) and their capabilities (:data:`command.model.CAPABILITIES`);
        units on a job are left out by the caller.
    unit_post : tuple of int
        Index into ``post_ids`` of the post each unit is at (or returning to).
    post_ids : tuple of str
        Candidate posts (J): stations and standby points.
    zone_ids : tuple of str
        Demand zones (Z).
    zone_weight : array_like
        (Z,) demand weight of each zone (expected calls, population x risk ...), >= 0.
    travel_time_s : array_like
        (n, J) seconds for each unit to reach each post; ``np.inf`` where it cannot.
        The entry of a unit's own post is ignored (staying costs nothing).
    cover_time_s : array_like
        (J, Z) response time from each post to each zone, seconds (``np.inf``: never).
    standard_s : mapping
        Capability -> standard response time, seconds; a unit covers a zone when
        ``cover_time_s[post, zone] <= standard_s[capability]``.
    busy_probability : mapping
        Capability -> probability q in [0, 1) that a unit of it is busy (MEXCLP).
    move_cost_per_min : float, optional
        Weight of expected coverage one minute of moving costs (default: 1 % of the mean
        zone weight).
    max_moves : int, optional
        At most this many units end away from their post.
    max_move_s : float, optional
        No unit is sent to a post farther than this.
    post_capacity : array_like, optional
        (J,) units each post can hold.
    """

    unit_ids: tuple[str, ...]
    unit_capability: tuple[str, ...]
    unit_post: tuple[int, ...]
    post_ids: tuple[str, ...]
    zone_ids: tuple[str, ...]
    zone_weight: Any
    travel_time_s: Any
    cover_time_s: Any
    standard_s: Mapping[str, float]
    busy_probability: Mapping[str, float]
    move_cost_per_min: float | None = None
    max_moves: int | None = None
    max_move_s: float | None = None
    post_capacity: Any = None


@dataclass(frozen=True)
class Move:
    """One unit sent from its post to another; ``minutes = travel_time_s / 60``."""

    unit_id: str
    capability: str
    from_post_id: str
    to_post_id: str
    travel_time_s: float
    minutes: float


@dataclass(frozen=True)
class CapabilityCoverage:
    """Coverage by the idle units of one capability.

    ``expected_weight`` is ``sum_z w_z (1 - q**k_z)``; ``zones_covered_share`` the share
    of zones (by count) with at least one unit within the standard time.
    """

    capability: str
    units: int
    standard_s: float
    busy_probability: float
    expected_weight: float
    zones_covered_share: float


@dataclass(frozen=True)
class Coverage:
    """Coverage of one placement of the idle units.

    ``expected_weight`` sums the capabilities (at most ``total_weight`` = zone weight
    x number of capabilities); ``zones_covered_share`` is the share of zones with at
    least one unit of *every* capability within its standard.
    """

    expected_weight: float
    total_weight: float
    zones_covered_share: float
    by_capability: tuple[CapabilityCoverage, ...]


@dataclass(frozen=True)
class MoveUpResult(RunAttributes):
    """The move-up plan and how it was found.

    Attributes
    ----------
    moves : tuple of Move
        By capability, then unit order.
    post_ids : tuple of str
        Where each unit (in ``unit_ids`` order) should be.
    before, after : Coverage
        Staying put, and after the moves.
    move_minutes : float
        Total minutes of all moves.
    move_cost_per_min : float
        The cost used (the default filled in).
    run : SolverRun
        ``objective`` (expected covered weight) ``after.expected_weight -
        move_cost_per_min * move_minutes``; ``bound`` CP-SAT's upper bound on it, None
        without CP-SAT (the model's coefficients are rounded to 1e-7 of the total
        weight, so the bound holds to about 1e-6 of it); ``status`` ``OPTIMAL``
        (proven by CP-SAT, on the rounded coefficients), ``FEASIBLE`` or ``FALLBACK``
        (CP-SAT found nothing in time; the greedy plan); ``method`` ``cpsat``,
        ``greedy`` or ``stay`` (nothing to gain); ``seconds``; ``seed``. Also read as
        ``objective``, ``bound``, ``status``, ``method``, ``seconds`` and ``seed``.
    """

    moves: tuple[Move, ...]
    post_ids: tuple[str, ...]
    before: Coverage
    after: Coverage
    move_minutes: float
    move_cost_per_min: float
    run: SolverRun


# --------------------------------------------------------------------------- validation

def validate_moveup_problem(problem: MoveUpProblem) -> None:
    """Check a :class:`MoveUpProblem` before any solving.

    Raises
    ------
    DataError
        Listing every problem found (field and value): duplicate ids, lengths or shapes
        that do not match, an unknown capability or one without a standard time or busy
        probability, a post index out of range, negative or NaN times or weights, a busy
        probability outside [0, 1), negative limits or costs, posts already over
        capacity.
    """
    p = problem
    problems: list[Problem] = []
    n, n_posts, n_zones = len(p.unit_ids), len(p.post_ids), len(p.zone_ids)
    for name in ("unit_ids", "post_ids", "zone_ids"):
        seen: set[str] = set()
        for x in getattr(p, name):
            if x in seen:
                problems.append(Problem("duplicate id", field=name, value=x))
            seen.add(x)
    if len(p.unit_capability) != n:
        problems.append(Problem(f"needs one capability per unit ({n})",
                                field="unit_capability", value=len(p.unit_capability)))
    for u, c in enumerate(p.unit_capability):
        if c not in CAPABILITIES:
            problems.append(Problem("unknown capability", field=f"unit_capability[{u}]",
                                    value=c))
            continue
        s = p.standard_s.get(c)
        if s is None:
            problems.append(Problem("no standard time for this capability",
                                    field="standard_s", value=c))
        q = p.busy_probability.get(c)
        if q is None:
            problems.append(Problem("no busy probability for this capability",
                                    field="busy_probability", value=c))
    for c, s in dict(p.standard_s).items():
        if not (isinstance(s, (int, float)) and math.isfinite(s) and s > 0):
            problems.append(Problem("must be a positive number of seconds",
                                    field=f"standard_s[{c!r}]", value=s))
    for c, q in dict(p.busy_probability).items():
        if not (isinstance(q, (int, float)) and 0 <= q < 1):
            problems.append(Problem("must be a probability in [0, 1)",
                                    field=f"busy_probability[{c!r}]", value=q))
    if len(p.unit_post) != n:
        problems.append(Problem(f"needs one post index per unit ({n})", field="unit_post",
                                value=len(p.unit_post)))
    posts_ok = len(p.unit_post) == n
    for u, j in enumerate(p.unit_post):
        if isinstance(j, bool) or not isinstance(j, (int, np.integer)) or not 0 <= j < n_posts:
            problems.append(Problem(f"must be a post index 0..{n_posts - 1}",
                                    field=f"unit_post[{u}]", value=j))
            posts_ok = False
    _array(p.zone_weight, (n_zones,), "zone_weight", problems, allow_inf=False,
           what="a finite weight >= 0")
    _array(p.travel_time_s, (n, n_posts), "travel_time_s", problems, allow_inf=True,
           what="a number of seconds >= 0 (np.inf: unreachable)")
    _array(p.cover_time_s, (n_posts, n_zones), "cover_time_s", problems, allow_inf=True,
           what="a number of seconds >= 0 (np.inf: never)")
    if p.move_cost_per_min is not None and not (
            isinstance(p.move_cost_per_min, (int, float))
            and math.isfinite(p.move_cost_per_min) and p.move_cost_per_min >= 0):
        problems.append(Problem("must be a finite weight >= 0", field="move_cost_per_min",
                                value=p.move_cost_per_min))
    if p.max_moves is not None and (isinstance(p.max_moves, bool)
                                    or not isinstance(p.max_moves, (int, np.integer))
                                    or p.max_moves < 0):
        problems.append(Problem("must be a whole number >= 0", field="max_moves",
                                value=p.max_moves))
    if p.max_move_s is not None and not (isinstance(p.max_move_s, (int, float))
                                         and p.max_move_s > 0):
        problems.append(Problem("must be a positive number of seconds", field="max_move_s",
                                value=p.max_move_s))
    if p.post_capacity is not None:
        cap = _array(p.post_capacity, (n_posts,), "post_capacity", problems, allow_inf=True,
                     what="a number of units >= 0 (np.inf: no limit)")
        if cap is not None and posts_ok:
            now = np.bincount(np.asarray(p.unit_post, dtype=np.int64), minlength=n_posts)
            for j in np.flatnonzero(now > cap):
                problems.append(Problem(f"holds {now[j]} idle units already",
                                        field=f"post_capacity[{j}]", value=float(cap[j])))
    if problems:
        raise DataError("the move-up problem is not valid", problems)


# --------------------------------------------------------------------------- results

def _coverage(prep: core.Prepared, score: core.Score) -> Coverage:
    p = prep.problem
    n_zones = prep.w.size

    def share(covered: np.ndarray) -> float:
        return float(covered.sum()) / n_zones if n_zones else 1.0

    by_cap = tuple(
        CapabilityCoverage(capability=c, units=int((prep.capk == k).sum()),
                           standard_s=float(p.standard_s[c]),
                           busy_probability=float(prep.q[k]),
                           expected_weight=float(score.expected[k]),
                           zones_covered_share=share(score.covered[k]))
        for k, c in enumerate(prep.caps))
    return Coverage(expected_weight=float(score.expected.sum()),
                    total_weight=float(prep.w.sum()) * len(prep.caps),
                    zones_covered_share=share(score.covered.all(axis=0)),
                    by_capability=by_cap)


def coverage_of(problem: MoveUpProblem, post_ids: tuple[str, ...] | None = None) -> Coverage:
    """Coverage of the idle units where they are, or at ``post_ids`` (one per unit).

    Raises
    ------
    DataError
        If the problem is not valid, or a post id is unknown.
    """
    validate_moveup_problem(problem)
    prep = core.prepare(problem)
    if post_ids is None:
        post = prep.current
    else:
        index = {x: j for j, x in enumerate(problem.post_ids)}
        bad = [Problem("unknown post", field=f"post_ids[{u}]", value=x)
               for u, x in enumerate(post_ids) if x not in index]
        if bad or len(post_ids) != prep.n:
            raise DataError("cannot score this placement", bad or [Problem(
                f"needs one post per unit ({prep.n})", field="post_ids", value=len(post_ids))])
        post = np.array([index[x] for x in post_ids], dtype=np.int64)
    return _coverage(prep, core.evaluate(prep, post))


def _result(prep: core.Prepared, post: np.ndarray, *, status: str, method: str,
            bound: float | None, t0: float, seed: int) -> MoveUpResult:
    p = prep.problem
    score = core.evaluate(prep, post)
    moved = [u for u in np.flatnonzero(post != prep.current)]
    moved.sort(key=lambda u: (int(prep.capk[u]), int(u)))
    moves = tuple(
        Move(unit_id=p.unit_ids[u], capability=p.unit_capability[u],
             from_post_id=p.post_ids[prep.current[u]], to_post_id=p.post_ids[post[u]],
             travel_time_s=float(prep.travel_s[u, post[u]]),
             minutes=float(prep.travel_s[u, post[u]]) / 60.0)
        for u in moved)
    return MoveUpResult(
        moves=moves, post_ids=tuple(p.post_ids[j] for j in post),
        before=_coverage(prep, core.evaluate(prep, prep.current)),
        after=_coverage(prep, score), move_minutes=score.move_minutes,
        move_cost_per_min=prep.cost_per_min,
        run=SolverRun(status=status, objective=score.objective, bound=bound,
                      seconds=time.perf_counter() - t0, seed=seed, method=method))


# --------------------------------------------------------------------------- solving

def plan_moveup(problem: MoveUpProblem, *, time_limit_s: float, method: str = "auto",
                seed: int = 0, workers: int | None = None) -> MoveUpResult:
    """Decide where each idle unit should be (see the module docstring).

    Parameters
    ----------
    problem : MoveUpProblem
    time_limit_s : float
        Wall-clock budget of the whole call, seconds (``Settings.solver_time_limit_s``).
    method : {"auto", "cpsat", "greedy"}
        ``greedy`` is the best-single-move heuristic alone; ``auto`` and ``cpsat`` run
        CP-SAT from the greedy plan.
    seed : int
        CP-SAT's random seed, recorded in the result.
    workers : int, optional
        CP-SAT search workers (default: the number of CPUs, at most 8).

    Returns
    -------
    MoveUpResult

    Raises
    ------
    DataError
        For an invalid move-up problem, an unknown method or a time limit that is not
        positive (nothing is solved).
    """
    t0 = time.perf_counter()
    check_solver_options(method, MOVEUP_METHODS, time_limit_s, "plan move-up")
    validate_moveup_problem(problem)
    prep = core.prepare(problem)
    if prep.n == 0 or prep.w.sum() <= 0:
        return _result(prep, prep.current.copy(), status="OPTIMAL", method="stay",
                       bound=0.0 if prep.n == 0 else None, t0=t0, seed=seed)
    g_post = core.greedy(prep)
    if method == "greedy":
        return _result(prep, g_post, status="FEASIBLE", method="greedy", bound=None, t0=t0,
                       seed=seed)
    out = core.solve_cpsat(prep, hint=g_post,
                           time_limit_s=solver_deadline(t0, time_limit_s, "moveup")
                           - time.perf_counter(), seed=seed, workers=default_workers(workers))
    if out.post is None:
        log.warning("moveup: no CP-SAT plan in %.2f s (%s); returning the greedy plan",
                    time_limit_s, out.status)
        return _result(prep, g_post, status="FALLBACK", method="greedy", bound=None, t0=t0,
                       seed=seed)
    # CP-SAT optimises a rounded objective; on the exact floats greedy can still win.
    c_obj = core.evaluate(prep, out.post).objective
    g_obj = core.evaluate(prep, g_post).objective
    if g_obj > c_obj + 1e-12:
        return _result(prep, g_post, status="FEASIBLE", method="greedy", bound=out.bound,
                       t0=t0, seed=seed)
    return _result(prep, out.post, status=out.status, method="cpsat", bound=out.bound,
                   t0=t0, seed=seed)
