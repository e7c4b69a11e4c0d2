"""Heuristics for the p-median problem: greedy, fast interchange, and a perturbation search.

Private to :mod:`command.dispatch.siting`. Everything works on a weighted cost matrix
``cost[u, j] = weight[u] * dist[u, candidate j]`` (demand points in rows, candidate
sites in columns), so the weights never appear again below.

The interchange is the "fast interchange" of Whitaker (1983) in the matrix form of
Resende & Werneck (2003, *J. Heuristics* 10:59-88): for every pair (site to open ``i``,
open site to close ``r``) the change of cost is

    delta(i, r) = gain(i) + loss(i, r),
    gain(i)    = sum_u min(c_ui - d1_u, 0)
    loss(i, r) = sum_{u : nearest(u) = r} min(c_ui, d2_u) - min(c_ui, d1_u)

with ``d1``/``d2`` the cost to the nearest and second-nearest open site, which is exact
and costs O(n * m) per move instead of O(n * m * p).
"""

from __future__ import annotations

import time

import numpy as np

__all__ = ["greedy", "interchange", "solution_cost", "perturbation_search"]


def solution_cost(cost: np.ndarray, open_cols: np.ndarray) -> float:
    """Total cost when every demand point goes to its cheapest open column."""
    return float(cost[:, open_cols].min(axis=1).sum())


def greedy(cost: np.ndarray, p: int) -> np.ndarray:
    """Open ``p`` columns one at a time, each time the one that lowers the cost most.

    Returns the open columns (indices into ``cost``'s columns) in the order opened.
    """
    n, m = cost.shape
    current = np.full(n, np.inf)
    opened: list[int] = []
    is_open = np.zeros(m, dtype=bool)
    for _ in range(p):
        totals = np.minimum(cost, current[:, None]).sum(axis=0)
        totals[is_open] = np.inf
        j = int(np.argmin(totals))
        opened.append(j)
        is_open[j] = True
        current = np.minimum(current, cost[:, j])
    return np.asarray(opened, dtype=np.intp)


def _nearest_two(cost: np.ndarray, open_cols: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Position (in ``open_cols``) of the nearest open column, its cost, and the second cost."""
    sub = cost[:, open_cols]
    if len(open_cols) == 1:
        return np.zeros(len(cost), dtype=np.intp), sub[:, 0].copy(), np.full(len(cost), np.inf)
    part = np.argpartition(sub, 1, axis=1)[:, :2]
    rows = np.arange(len(cost))
    a, b = sub[rows, part[:, 0]], sub[rows, part[:, 1]]
    first_is_a = a <= b
    pos1 = np.where(first_is_a, part[:, 0], part[:, 1])
    return pos1, np.minimum(a, b), np.maximum(a, b)


def interchange(cost: np.ndarray, open_cols: np.ndarray, *, deadline: float = np.inf,
                tol: float = 1e-9) -> tuple[np.ndarray, float]:
    """Best-improvement swap local search from ``open_cols`` until no swap improves.

    Parameters
    ----------
    cost : (n, m) array, weighted cost of serving demand u from column j.
    open_cols : (p,) array of distinct column indices, the start solution.
    deadline : ``time.perf_counter()`` value after which the search stops early.
    tol : an improvement must exceed this to be taken (guards against float cycling).

    Returns
    -------
    (open columns, cost) of the local optimum.
    """
    open_cols = np.array(open_cols, dtype=np.intp)
    n, m = cost.shape
    p = len(open_cols)
    if p == m:
        return open_cols, solution_cost(cost, open_cols)
    is_open = np.zeros(m, dtype=bool)
    while time.perf_counter() < deadline:
        is_open[:] = False
        is_open[open_cols] = True
        pos1, d1, d2 = _nearest_two(cost, open_cols)
        cmin1 = np.minimum(cost, d1[:, None])
        gain = (cmin1 - d1[:, None]).sum(axis=0)                       # (m,)
        extra = np.minimum(cost, d2[:, None]) - cmin1                  # (n, m) >= 0
        # loss[r, i]: group the rows of `extra` by the nearest open site of each demand.
        order = np.argsort(pos1, kind="stable")
        counts = np.bincount(pos1, minlength=p)
        loss = np.zeros((p, m))
        nonempty = counts > 0
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))[nonempty]
        loss[nonempty] = np.add.reduceat(extra[order], starts, axis=0)
        delta = gain[None, :] + loss
        delta[:, is_open] = np.inf
        k = int(np.argmin(delta))
        r, i = divmod(k, m)
        if not delta[r, i] < -tol:
            break
        open_cols[r] = i
    return open_cols, solution_cost(cost, open_cols)


def perturbation_search(cost: np.ndarray, open_cols: np.ndarray, *, rng: np.random.Generator,
                        deadline: float, max_rounds: int, stop_at: float = -np.inf,
                        ) -> tuple[np.ndarray, float]:
    """Iterated local search: swap ``k`` random open columns out, re-optimise, keep if better.

    ``k`` grows from 1 to ``min(p, 5)`` while rounds fail and falls back to 1 after a
    success (a variable neighbourhood search in the sense of Hansen & Mladenovic 1997).
    Stops after ``max_rounds`` rounds, at ``deadline``, or when the cost reaches
    ``stop_at`` (a proven lower bound).
    """
    best, best_cost = interchange(cost, open_cols, deadline=deadline)
    n, m = cost.shape
    p = len(best)
    if p == m:
        return best, best_cost
    k_max, k = min(p, 5, m - p), 1
    for _ in range(max_rounds):
        if time.perf_counter() >= deadline or best_cost <= stop_at:
            break
        trial = best.copy()
        closed = np.setdiff1d(np.arange(m), trial)
        out = rng.choice(p, size=k, replace=False)
        trial[out] = rng.choice(closed, size=k, replace=False)
        trial, trial_cost = interchange(cost, trial, deadline=deadline)
        if trial_cost < best_cost - 1e-9:
            best, best_cost, k = trial, trial_cost, 1
        else:
            k = k + 1 if k < k_max else 1
    return best, best_cost
