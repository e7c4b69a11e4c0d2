"""Arrays, exact scoring, the greedy heuristic and the CP-SAT model behind
:mod:`command.dispatch.moveup` (private).

A plan is an integer array ``post`` with one entry per idle unit: the index of the post
the unit should be at. Everything is scored here on floats by :func:`evaluate`; CP-SAT
works on the same objective scaled to integers (see :func:`solve_cpsat`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from ortools.sat.python import cp_model

from command.dispatch._cpsat import solve_cp_model

if TYPE_CHECKING:  # pragma: no cover
    from command.dispatch.moveup import MoveUpProblem

log = logging.getLogger(__name__)

#: CP-SAT objective units for the largest possible expected coverage (all capabilities,
#: every zone covered with certainty). Terms worth less than half a unit are dropped,
#: so the model is exact to about 1e-7 of the total weight.
SCALE_UNITS = 1e7


@dataclass(frozen=True, eq=False)
class Prepared:
    """The problem as arrays, computed once per call.

    Attributes
    ----------
    caps : capabilities of the idle units, in first-seen order.
    capk : (n,) index of each unit's capability in ``caps``.
    cover : (C, J, Z) bool, a unit of capability c at post j reaches zone z within the
        capability's standard time.
    q : (C,) busy probability per capability.
    w : (Z,) zone weights.
    current : (n,) post index each unit is at now.
    allowed : (n, J) bool, the unit may end at the post (its own post, or a reachable
        post within the move limit).
    cost : (n, J) move cost in weight units (``cost_per_min`` x minutes; 0 to stay).
    capacity : (J,) float, units a post can hold (np.inf: no limit).
    max_moves : int or None.
    """

    problem: MoveUpProblem
    caps: tuple[str, ...]
    capk: np.ndarray
    cover: np.ndarray
    q: np.ndarray
    w: np.ndarray
    current: np.ndarray
    travel_s: np.ndarray
    allowed: np.ndarray
    cost: np.ndarray
    cost_per_min: float
    capacity: np.ndarray
    max_moves: int | None

    @property
    def n(self) -> int:
        return self.capk.size

    @property
    def n_posts(self) -> int:
        return self.cover.shape[1]


def prepare(problem: MoveUpProblem) -> Prepared:
    p = problem
    n, n_posts, n_zones = len(p.unit_ids), len(p.post_ids), len(p.zone_ids)
    caps = tuple(dict.fromkeys(p.unit_capability))
    capk = np.array([caps.index(c) for c in p.unit_capability], dtype=np.int64)
    cover_s = np.asarray(p.cover_time_s, dtype=float).reshape(n_posts, n_zones)
    cover = np.stack([cover_s <= float(p.standard_s[c]) for c in caps]) if caps else \
        np.zeros((0, n_posts, n_zones), dtype=bool)
    w = np.asarray(p.zone_weight, dtype=float).reshape(n_zones)
    travel = np.asarray(p.travel_time_s, dtype=float).reshape(n, n_posts)
    current = np.asarray(p.unit_post, dtype=np.int64).reshape(n)
    allowed = np.isfinite(travel)
    if p.max_move_s is not None:
        allowed &= travel <= float(p.max_move_s)
    allowed[np.arange(n), current] = True
    per_min = (float(p.move_cost_per_min) if p.move_cost_per_min is not None
               else 0.01 * float(w.mean()) if n_zones else 0.0)
    cost = np.where(allowed, per_min * np.where(np.isfinite(travel), travel, 0.0) / 60.0, 0.0)
    cost[np.arange(n), current] = 0.0
    capacity = (np.full(n_posts, np.inf) if p.post_capacity is None
                else np.asarray(p.post_capacity, dtype=float).reshape(n_posts))
    return Prepared(problem=p, caps=caps, capk=capk, cover=cover,
                    q=np.array([float(p.busy_probability[c]) for c in caps]), w=w,
                    current=current, travel_s=travel, allowed=allowed, cost=cost,
                    cost_per_min=per_min, capacity=capacity, max_moves=p.max_moves)


@dataclass(frozen=True)
class Score:
    """Exact terms of one plan."""

    expected: np.ndarray  # (C,) expected covered weight per capability
    covered: np.ndarray  # (C, Z) bool, at least one unit within the standard
    move_cost: float  # weight units
    move_minutes: float
    moves: int

    @property
    def objective(self) -> float:
        return float(self.expected.sum()) - self.move_cost


def counts(prep: Prepared, post: np.ndarray) -> np.ndarray:
    """(C, Z) number of units of each capability covering each zone."""
    k = np.zeros(prep.cover.shape[::2], dtype=np.int64)
    for c in range(len(prep.caps)):
        units = post[prep.capk == c]
        if units.size:
            k[c] = prep.cover[c][units].sum(axis=0)
    return k


def evaluate(prep: Prepared, post: np.ndarray) -> Score:
    """Expected coverage (MEXCLP, Daskin 1983): a zone of weight w covered by k units of
    a capability whose units are busy with probability q counts ``w (1 - q**k)``."""
    k = counts(prep, post)
    expected = ((1.0 - prep.q[:, None] ** k) * prep.w[None, :]).sum(axis=1)
    moved = post != prep.current
    minutes = float(prep.travel_s[moved, post[moved]].sum() / 60.0)
    return Score(expected=expected, covered=k > 0,
                 move_cost=float(prep.cost[np.arange(prep.n), post].sum()),
                 move_minutes=minutes, moves=int(moved.sum()))


def feasible(prep: Prepared, post: np.ndarray) -> bool:
    """Allowed posts only, post capacities and the move limit respected."""
    if not prep.allowed[np.arange(prep.n), post].all():
        return False
    if (np.bincount(post, minlength=prep.n_posts) > prep.capacity).any():
        return False
    moves = int((post != prep.current).sum())
    return prep.max_moves is None or moves <= prep.max_moves


def move_gains(prep: Prepared, post: np.ndarray, k: np.ndarray) -> np.ndarray:
    """(n, J) change of the objective if unit u alone ended at post j instead of
    ``post[u]`` (``k`` are the counts of ``post``).

    Moving a unit of capability c from post a to post b changes the count only in the
    zones one post covers and the other does not: with k units covering zone z, one more
    is worth ``w q^k (1 - q)`` and one fewer costs ``w q^(k-1) (1 - q)``.
    """
    gains = np.empty((prep.n, prep.n_posts))
    for c in range(len(prep.caps)):
        units = np.flatnonzero(prep.capk == c)
        if not units.size:
            continue
        q, kc, cov = prep.q[c], k[c], prep.cover[c].astype(float)  # cov: (J, Z)
        add = prep.w * q ** kc * (1.0 - q)
        lose = np.where(kc > 0, prep.w * q ** np.maximum(kc - 1, 0) * (1.0 - q), 0.0)
        here = prep.cover[c][post[units]]  # (n_c, Z)
        gains[units] = (~here * add) @ cov.T - (here * lose) @ (1.0 - cov).T
    rows = np.arange(prep.n)
    return gains - (prep.cost - prep.cost[rows, post][:, None])


def greedy(prep: Prepared) -> np.ndarray:
    """Best single move at a time while it gains: the baseline and CP-SAT's warm start.

    A unit that already moved may move again (its cost is then counted from where it
    started); at most ``max_moves`` units end away from their post, and posts hold at
    most their capacity.
    """
    post = prep.current.copy()
    if prep.n == 0 or prep.w.sum() <= 0:
        return post
    rows = np.arange(prep.n)
    k = counts(prep, post)
    occupancy = np.bincount(post, minlength=prep.n_posts).astype(float)
    while True:
        gain = move_gains(prep, post, k)
        ok = prep.allowed & (occupancy < prep.capacity)[None, :]
        ok[rows, post] = False
        if prep.max_moves is not None and int((post != prep.current).sum()) >= prep.max_moves:
            ok[post == prep.current] = False  # no one else may leave
        gain = np.where(ok, gain, -np.inf)
        u, j = np.unravel_index(int(np.argmax(gain)), gain.shape)
        if not gain[u, j] > 1e-12:
            return post
        c = prep.capk[u]
        k[c] += prep.cover[c][j].astype(np.int64) - prep.cover[c][post[u]].astype(np.int64)
        occupancy[post[u]] -= 1
        occupancy[j] += 1
        post[u] = j


@dataclass(frozen=True)
class CpOutcome:
    status: str
    post: np.ndarray | None
    bound: float | None  # upper bound on the objective, weight units (approximate)
    seconds: float


def unit_groups(prep: Prepared) -> list[np.ndarray]:
    """Units that are interchangeable: same capability, same post, same travel times
    (units of one station, usually). The model counts them instead of naming them."""
    groups: dict[tuple, list[int]] = {}
    for u in range(prep.n):
        key = (int(prep.capk[u]), int(prep.current[u]), prep.travel_s[u].tobytes(),
               prep.allowed[u].tobytes())
        groups.setdefault(key, []).append(u)
    return [np.array(g, dtype=np.int64) for g in groups.values()]


def solve_cpsat(prep: Prepared, *, hint: np.ndarray, time_limit_s: float, seed: int,
                workers: int) -> CpOutcome:
    """Maximal expected coverage with move costs, the MEXCLP linearisation.

    Variables: ``f[g, j]`` (how many units of group g, see :func:`unit_groups`, end at
    post j; a group of one unit is Daskin's placement variable), ``x[c, j]`` (units of
    capability c at post j) and ``y[c, z, k]`` (zone z has at least k units of
    capability c within the standard). Daskin's (1983) objective
    ``sum w_z (1 - q) q^(k-1) y[c, z, k]`` has coefficients that fall with k, so an
    optimum fills ``y`` in order and ``sum_k y[c, z, k]`` equals the number of covering
    units (up to its cap K), whose value is ``w_z (1 - q^K)``. Constraint
    ``sum_k y[c, z, k] <= sum_{j covers z} x[c, j]``. Move cost ``cost[g, j] f[g, j]``
    is subtracted, as in the relocation models of Gendreau, Laporte & Semet (2001).
    Coefficients are scaled so the whole weight is :data:`SCALE_UNITS` and rounded;
    ``K`` stops where the rounded coefficient is zero.
    """
    t0 = time.perf_counter()
    n_caps = len(prep.caps)
    total = float(prep.w.sum()) * n_caps
    scale = SCALE_UNITS / total
    groups = unit_groups(prep)

    # model and variables
    model = cp_model.CpModel()
    f: dict[tuple[int, int], cp_model.IntVar] = {}
    for g, members in enumerate(groups):
        u = members[0]
        for j in np.flatnonzero(prep.allowed[u]):
            f[g, int(j)] = model.new_int_var(0, members.size, f"group{g}_to_post{j}")
            model.add_hint(f[g, int(j)], int((hint[members] == j).sum()))
    by_group: dict[int, list] = {g: [] for g in range(len(groups))}
    by_post: dict[int, list] = {j: [] for j in range(prep.n_posts)}
    by_cap_post: dict[tuple[int, int], list] = {}
    for (g, j), var in f.items():
        by_group[g].append(var)
        by_post[j].append((var, groups[g].size))
        by_cap_post.setdefault((int(prep.capk[groups[g][0]]), j), []).append(
            (var, groups[g].size))

    # constraints: every unit somewhere, post capacity, move limit
    for g, members in enumerate(groups):
        model.add(sum(by_group[g]) == members.size)
    for j in range(prep.n_posts):
        most = sum(size for _, size in by_post[j])
        if np.isfinite(prep.capacity[j]) and most > prep.capacity[j]:
            model.add(sum(var for var, _ in by_post[j]) <= int(prep.capacity[j]))
    if prep.max_moves is not None:
        away = [var for (g, j), var in f.items() if j != prep.current[groups[g][0]]]
        if sum(groups[g].size for (g, j) in f if j != prep.current[groups[g][0]]) \
                > prep.max_moves:
            model.add(sum(away) <= int(prep.max_moves))

    k_hint = counts(prep, hint)
    objective, weights, levels = [], [], 0
    for c in range(n_caps):
        q = float(prep.q[c])
        n_c = int((prep.capk == c).sum())
        x, most = {}, {}
        for j in range(prep.n_posts):
            members = by_cap_post.get((c, j), [])
            if members:
                most[j] = sum(size for _, size in members)
                x[j] = model.new_int_var(0, most[j], f"cap{c}_at_post{j}")
                model.add(x[j] == sum(var for var, _ in members))
                model.add_hint(x[j], int(((hint == j) & (prep.capk == c)).sum()))
        for z in np.flatnonzero(prep.w > 0):
            posts = [int(j) for j in np.flatnonzero(prep.cover[c][:, z]) if int(j) in x]
            if not posts:
                continue
            reach = min(n_c, sum(most[j] for j in posts))
            ys = []
            for k in range(1, reach + 1):
                coef = round(scale * prep.w[z] * (1.0 - q) * q ** (k - 1))
                if coef <= 0:
                    break  # later terms are smaller still
                y = model.new_bool_var(f"zone{z}_cap{c}_covered_{k}x")
                model.add_hint(y, int(k <= k_hint[c, z]))
                ys.append(y)
                levels += 1
                objective.append(y)
                weights.append(coef)
            if ys:
                model.add(sum(ys) <= sum(x[j] for j in posts))
    for (g, j), var in f.items():
        cost = round(scale * prep.cost[groups[g][0], j])
        if cost:
            objective.append(var)
            weights.append(-cost)

    # objective (the hint above is complete: placements, counts and levels)
    model.maximize(cp_model.LinearExpr.weighted_sum(objective, weights))

    # time limit and solve
    # Probing in presolve took 4 s of a 5 s limit at 150 units x 100 posts and left no
    # time to search; without it the same instances are solved to optimality.
    build_s = time.perf_counter() - t0
    run, solver = solve_cp_model(model, time_limit_s=time_limit_s - build_s, seed=seed,
                                 workers=workers, parameters={"cp_model_probing_level": 0})
    seconds = time.perf_counter() - t0

    # check status, copy the answer into plain data
    if solver is None or run.objective is None:
        log.info("moveup: CP-SAT returned %s after %.3f s", run.status, seconds)
        return CpOutcome(run.status, None, None, seconds)
    post = prep.current.copy()
    for g, members in enumerate(groups):
        # Interchangeable units: which of them moves does not change the objective.
        here = int(prep.current[members[0]])
        targets = [j for (gg, j), var in f.items() if gg == g and j != here
                   for _ in range(int(solver.value(var)))]
        for u, j in zip(members[::-1], targets, strict=False):
            post[u] = j
    log.debug("moveup: CP-SAT %s objective %.0f bound %.0f in %.3f s (model %.3f s, "
              "%d groups of %d units, %d coverage levels)", run.status, run.objective,
              run.bound, seconds, build_s, len(groups), prep.n, levels)
    return CpOutcome(run.status, post, run.bound / scale, seconds)
