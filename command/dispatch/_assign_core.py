"""Arrays and exact scoring behind :mod:`command.dispatch.assign` (private).

A solution is an integer array ``to_inc`` with one entry per unit: the index of the
incident the unit goes to, or -1 when it stays idle. Everything here works on the float
ETAs of the problem; the integer rounding used by CP-SAT lives in ``_assign_solve``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from command.model import CAPABILITIES

if TYPE_CHECKING:  # pragma: no cover
    from command.dispatch.assign import AssignmentProblem

#: Weight of an incident in the objective by priority (1 highest .. 4 lowest). Each step
#: up doubles the weight, so one minute at a priority-1 incident counts as eight at a
#: priority-4 one. The only place these numbers live; see ``assign.PRIORITY_WEIGHT``.
PRIORITY_WEIGHT: dict[int, int] = {1: 8, 2: 4, 3: 2, 4: 1}


@dataclass(frozen=True, eq=False)
class Prepared:
    """The problem as arrays, computed once per call.

    Attributes
    ----------
    eta : (n, m) float array, np.inf where a unit cannot reach an incident.
    reach : (n, m) bool array, eta is finite.
    w : (m,) int array, priority weights.
    caps : demanded capabilities, in :data:`CAPABILITIES` order.
    capk : (n,) int array, index of each unit's capability in ``caps`` (-1: not demanded).
    demand : (m, K) int array, units of ``caps[k]`` demanded by incident i.
    has_demand : (m,) bool array.
    horizon_s : arrival counted for a first unit or full complement that never comes.
    pairs : (zone index, capability) pairs whose coverage counts in the objective: those
        that some unit can cover with nobody dispatched ("where the fleet allows").
    cover : (n, P) bool array, unit u is of the pair's capability and within its standard.
    penalty_s : seconds of weighted arrival time one uncovered pair costs.
    """

    problem: AssignmentProblem
    eta: np.ndarray
    reach: np.ndarray
    w: np.ndarray
    caps: tuple[str, ...]
    capk: np.ndarray
    demand: np.ndarray
    has_demand: np.ndarray
    horizon_s: float
    pairs: tuple[tuple[int, str], ...]
    cover: np.ndarray
    penalty_s: float
    a_first: int = 1
    a_full: int = 1

    @property
    def n(self) -> int:
        return self.eta.shape[0]

    @property
    def m(self) -> int:
        return self.eta.shape[1]


@dataclass(frozen=True)
class Score:
    """Exact terms of one solution, seconds (weighted by priority)."""

    first_s: float
    full_s: float
    uncovered: tuple[tuple[int, str], ...]
    coverage_s: float
    served_weight: int
    a_first: int = 1
    a_full: int = 1

    @property
    def objective_s(self) -> float:
        return self.a_first * self.first_s + self.a_full * self.full_s + self.coverage_s

    def key(self) -> tuple[int, float]:
        """Lexicographic order: more priority-weighted demand served, then less time."""
        return (-self.served_weight, self.objective_s)


def horizon(problem: AssignmentProblem) -> float:
    """The arrival time counted when a unit or the full complement never comes."""
    if problem.unserved_s is not None:
        return float(problem.unserved_s)
    eta = np.asarray(problem.eta_s, dtype=float)
    finite = eta[np.isfinite(eta)]
    return float(math.floor(finite.max()) + 1) if finite.size else 1.0


def prepare(problem: AssignmentProblem) -> Prepared:
    eta = np.asarray(problem.eta_s, dtype=float).reshape(len(problem.unit_ids),
                                                         len(problem.incident_ids))
    m = eta.shape[1]
    demanded = {c for (_, c), d in problem.demand.items() if d > 0}
    caps = tuple(c for c in CAPABILITIES if c in demanded)
    index = {c: k for k, c in enumerate(caps)}
    capk = np.array([index.get(c, -1) for c in problem.unit_capability], dtype=np.int64)
    demand = np.zeros((m, len(caps)), dtype=np.int64)
    for (i, c), d in problem.demand.items():
        if d > 0:
            demand[i, index[c]] += int(d)
    w = np.array([PRIORITY_WEIGHT[int(p)] for p in problem.incident_priority], dtype=np.int64)

    pairs: list[tuple[int, str]] = []
    columns: list[np.ndarray] = []
    if problem.zone_ids:
        ez = np.asarray(problem.eta_zone_s, dtype=float).reshape(len(problem.unit_ids),
                                                                 len(problem.zone_ids))
        unit_cap = np.array(problem.unit_capability, dtype=object)
        for z, required in enumerate(problem.zone_required):
            for c in required:
                col = (unit_cap == c) & (ez[:, z] <= float(problem.standard_s[c]))
                if col.any():
                    pairs.append((z, c))
                    columns.append(col)
    cover = (np.stack(columns, axis=1) if columns
             else np.zeros((eta.shape[0], 0), dtype=bool))
    return Prepared(problem=problem, eta=eta, reach=np.isfinite(eta), w=w, caps=caps,
                    capk=capk, demand=demand, has_demand=demand.sum(axis=1) > 0,
                    horizon_s=horizon(problem), pairs=tuple(pairs), cover=cover,
                    penalty_s=float(problem.uncovered_penalty_s),
                    a_first=int(problem.first_arrival_weight),
                    a_full=int(problem.full_complement_weight))


def evaluate(prep: Prepared, to_inc: np.ndarray) -> Score:
    """Score ``to_inc`` on the float ETAs (the definition every method is judged by).

    First arrival of an incident: the smallest ETA of the units sent to it, or the
    horizon when none is sent. Full complement: the largest ETA of the units sent when
    every demanded capability is met in number, else the horizon (it never arrives).
    Incidents that demand nothing count zero.
    """
    m, H = prep.m, prep.horizon_s
    units = np.flatnonzero(to_inc >= 0)
    inc = to_inc[units]
    e = prep.eta[units, inc]
    lo = np.full(m, np.inf)
    hi = np.full(m, -np.inf)
    np.minimum.at(lo, inc, e)
    np.maximum.at(hi, inc, e)
    count = np.zeros_like(prep.demand)
    k = prep.capk[units]
    ok = k >= 0
    np.add.at(count, (inc[ok], k[ok]), 1)
    full = (count >= prep.demand).all(axis=1)
    first = np.where(np.isfinite(lo), lo, H)
    last = np.where(full & np.isfinite(hi), hi, H)
    first = np.where(prep.has_demand, first, 0.0)
    last = np.where(prep.has_demand, last, 0.0)
    served = int((np.minimum(count, prep.demand).sum(axis=1) * prep.w).sum())
    if prep.pairs:
        idle = to_inc < 0
        covered = (prep.cover & idle[:, None]).any(axis=0)
        uncovered = tuple(p for p, ok_ in zip(prep.pairs, covered, strict=False) if not ok_)
    else:
        uncovered = ()
    return Score(first_s=float((prep.w * first).sum()), full_s=float((prep.w * last).sum()),
                 uncovered=uncovered, coverage_s=prep.penalty_s * len(uncovered),
                 served_weight=served, a_first=prep.a_first, a_full=prep.a_full)


def greedy(prep: Prepared) -> np.ndarray:
    """Nearest-available dispatch: incidents by priority then creation (index) order;
    for each demanded unit the nearest capable unit still free (ties: lower index)."""
    to_inc = np.full(prep.n, -1, dtype=np.int64)
    free = np.ones(prep.n, dtype=bool)
    order = sorted(range(prep.m), key=lambda i: (int(prep.problem.incident_priority[i]), i))
    for i in order:
        for k in np.flatnonzero(prep.demand[i]):
            cand = np.flatnonzero((prep.capk == k) & free & prep.reach[:, i])
            pick = cand[np.argsort(prep.eta[cand, i], kind="stable")[: prep.demand[i, k]]]
            to_inc[pick] = i
            free[pick] = False
    return to_inc


def lower_bound(prep: Prepared) -> float:
    """A bound on the objective of any plan: every incident served as if alone.

    First arrival >= the nearest unit of any demanded capability; full complement >=
    the d-th nearest unit of each capability demanded d times (the horizon when fewer
    than d can reach it); uncovered zones cost >= 0.
    """
    total = 0.0
    H = prep.horizon_s
    for i in np.flatnonzero(prep.has_demand):
        nearest, last = H, 0.0
        for k in np.flatnonzero(prep.demand[i]):
            e = np.sort(prep.eta[(prep.capk == k) & prep.reach[:, i], i])
            d = prep.demand[i, k]
            if e.size:
                nearest = min(nearest, float(e[0]))
            last = max(last, float(e[d - 1]) if e.size >= d else H)
        total += prep.w[i] * (prep.a_first * nearest + prep.a_full * last)
    return float(total)


def polish(prep: Prepared, to_inc: np.ndarray, score: Score, deadline: float
           ) -> tuple[np.ndarray, Score]:
    """Swap an assigned unit for a strictly nearer idle unit of its capability whenever
    the exact score does not get worse; repeat until none is left (or the deadline).

    This removes ties the integer model cannot see (it rounds ETAs down to whole seconds)
    and guarantees that a unit left idle is no nearer than the one sent, unless keeping
    it idle keeps a zone covered.
    """
    to_inc = to_inc.copy()
    changed = True
    while changed and time.perf_counter() < deadline:
        changed = False
        for u in np.flatnonzero(to_inc >= 0):
            i, k = to_inc[u], prep.capk[u]
            idle = np.flatnonzero((to_inc < 0) & (prep.capk == k) & prep.reach[:, i]
                                  & (prep.eta[:, i] < prep.eta[u, i]))
            for v in idle[np.argsort(prep.eta[idle, i], kind="stable")]:
                trial = to_inc.copy()
                trial[v], trial[u] = i, -1
                s = evaluate(prep, trial)
                if s.key() <= score.key():
                    to_inc, score, changed = trial, s, True
                    break
    return to_inc, score


def local_search(prep: Prepared, to_inc: np.ndarray, deadline: float) -> np.ndarray:
    """Improve a plan by single moves that keep the number of units per incident and
    capability: swap two units of one capability between incidents, or replace a unit
    sent by an idle one. First improvement, until no move improves or the deadline.

    Each move changes the first and last arrival of at most two incidents, so a move is
    scored in O(1) from each incident's sorted ETAs; coverage (when it counts) from the
    number of idle units covering each (zone, capability) pair.
    """
    eta = prep.eta
    w = prep.w.tolist()
    H = prep.horizon_s
    a1, a2 = prep.a_first, prep.a_full
    to_inc = to_inc.copy()
    complete = (core_counts(prep, to_inc) >= prep.demand).all(axis=1).tolist()
    capk = prep.capk.tolist()
    members: list[list[int]] = [[] for _ in range(prep.m)]
    for u in np.flatnonzero(to_inc >= 0).tolist():
        members[int(to_inc[u])].append(u)
    cover = prep.cover
    use_cover = prep.penalty_s > 0 and cover.shape[1] > 0
    idle_cover = (cover & (to_inc < 0)[:, None]).sum(axis=0) if use_cover else None

    def cost(i: int, etas: list[float]) -> float:
        if not etas:
            return (a1 + a2) * H * w[i] if prep.has_demand[i] else 0.0
        return w[i] * (a1 * min(etas) + a2 * (max(etas) if complete[i] else H))

    def cover_delta(out_idle: int, into_idle: int) -> float:
        # unit ``out_idle`` leaves the idle pool, ``into_idle`` joins it
        after = idle_cover - cover[out_idle] + cover[into_idle]
        before_unc = int((idle_cover == 0).sum())
        return prep.penalty_s * (int((after == 0).sum()) - before_unc)

    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for i in range(prep.m):
            if time.perf_counter() >= deadline:
                break
            for u in list(members[i]):
                if to_inc[u] != i:
                    continue
                k = capk[u]
                rest_i = [eta[x, i] for x in members[i] if x != u]
                base_i = cost(i, rest_i + [eta[u, i]])
                # swap with a unit of the same capability at another incident
                for j in range(prep.m):
                    if j == i:
                        continue
                    base_j = None
                    for v in members[j]:
                        if capk[v] != k or not (prep.reach[v, i] and prep.reach[u, j]):
                            continue
                        if base_j is None:
                            base_j = cost(j, [eta[x, j] for x in members[j]])
                        rest_j = [eta[x, j] for x in members[j] if x != v]
                        delta = (cost(i, rest_i + [eta[v, i]]) + cost(j, rest_j + [eta[u, j]])
                                 - base_i - base_j)
                        if delta < -1e-9:
                            members[i].remove(u)
                            members[j].remove(v)
                            members[i].append(v)
                            members[j].append(u)
                            to_inc[u], to_inc[v] = j, i
                            improved = True
                            break
                    if to_inc[u] != i:
                        break
                if to_inc[u] != i:
                    continue
                # replace by an idle unit of the same capability
                idle = np.flatnonzero((to_inc < 0) & (prep.capk == k) & prep.reach[:, i])
                for v in idle[np.argsort(eta[idle, i], kind="stable")].tolist():
                    delta = cost(i, rest_i + [eta[v, i]]) - base_i
                    if use_cover:
                        delta += cover_delta(v, u)
                    if delta < -1e-9:
                        members[i].remove(u)
                        members[i].append(v)
                        to_inc[u], to_inc[v] = -1, i
                        if use_cover:
                            idle_cover = idle_cover - cover[v] + cover[u]
                        improved = True
                        break
    return to_inc


def core_counts(prep: Prepared, to_inc: np.ndarray) -> np.ndarray:
    """Units sent per incident and demanded capability, (m, K)."""
    count = np.zeros_like(prep.demand)
    units = np.flatnonzero((to_inc >= 0) & (prep.capk >= 0))
    np.add.at(count, (to_inc[units], prep.capk[units]), 1)
    return count
