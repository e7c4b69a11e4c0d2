"""Lagrangian lower bound for the p-median problem and the variable fixing it allows.

Private to :mod:`command.dispatch.siting`. Relaxing the assignment constraints
``sum_j x_uj = 1`` with multipliers ``lam_u`` (Beasley 1985, *EJOR* 21:270-273; Beasley
1993, *EJOR* 65:383-399) leaves

    L(lam) = sum_u lam_u + (sum of the p smallest rho_j),  rho_j = sum_u min(0, c_uj - lam_u),

a lower bound for every ``lam``; subgradient optimisation pushes it up. The same numbers
say what opening a site, closing a site or serving demand u from site j would cost the
bound at least, which is how sites and pairs are fixed before the exact model is built.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

__all__ = ["LagrangeResult", "subgradient", "fixings", "relaxed_solution"]


@dataclass(frozen=True)
class LagrangeResult:
    """Best bound found, its multipliers, and the best feasible solution seen on the way."""

    bound: float
    lam: np.ndarray
    iterations: int
    best_open: np.ndarray
    best_cost: float


def _evaluate(cost: np.ndarray, lam: np.ndarray, p: int, buf: np.ndarray
              ) -> tuple[float, np.ndarray, np.ndarray]:
    np.subtract(cost, lam[:, None], out=buf)
    np.minimum(buf, 0.0, out=buf)
    rho = buf.sum(axis=0)
    chosen = np.argpartition(rho, p - 1)[:p] if p < len(rho) else np.arange(len(rho))
    return float(lam.sum() + rho[chosen].sum()), rho, chosen


def relaxed_solution(cost: np.ndarray, lam: np.ndarray, p: int) -> np.ndarray:
    """The p columns the relaxation opens for multipliers ``lam`` (a good restart point)."""
    return _evaluate(cost, lam, p, np.empty_like(cost, dtype=float))[2]


def subgradient(cost: np.ndarray, p: int, *, upper: float, start_open: np.ndarray,
                deadline: float, target: float, max_iter: int = 3000,
                ) -> LagrangeResult:
    """Maximise L(lam) by subgradient steps (Held, Wolfe & Crowder 1974 step rule).

    Parameters
    ----------
    cost : (n, m) weighted cost matrix.
    p : number of sites to open.
    upper : cost of a known feasible solution (the step size aims at it).
    start_open : that solution's open columns; its service costs start the multipliers.
    deadline : ``time.perf_counter()`` value to stop at.
    target : stop as soon as the bound reaches this (it proves ``upper`` optimal).
    max_iter : hard cap on iterations.
    """
    n, m = cost.shape
    lam = cost[:, start_open].min(axis=1).astype(float)
    buf = np.empty_like(cost, dtype=float)
    best_bound, best_lam = -np.inf, lam.copy()
    best_open, best_cost = np.array(start_open), float(upper)
    f, stall, it = 2.0, 0, 0
    while it < max_iter and time.perf_counter() < deadline:
        it += 1
        bound, rho, chosen = _evaluate(cost, lam, p, buf)
        if bound > best_bound + 1e-9:
            best_bound, best_lam, stall = bound, lam.copy(), 0
        else:
            stall += 1
            if stall >= 20:
                f, stall = f / 2.0, 0
        # The relaxed solution's sites are a feasible answer too (a Lagrangian heuristic).
        feasible = float(cost[:, chosen].min(axis=1).sum())
        if feasible < best_cost - 1e-9:
            best_open, best_cost = np.array(chosen), feasible
        if best_bound >= target or f < 1e-4:
            break
        served = (cost[:, chosen] < lam[:, None]).sum(axis=1)
        g = 1.0 - served
        norm = float(g @ g)
        if norm == 0.0:          # the relaxed solution is feasible and so optimal for L
            break
        step = f * (min(upper, best_cost) - bound) / norm
        if step <= 0:
            break
        lam = lam + step * g
    return LagrangeResult(bound=best_bound, lam=best_lam, iterations=it,
                          best_open=best_open, best_cost=best_cost)


def fixings(cost: np.ndarray, p: int, lam: np.ndarray, threshold: float
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sites and pairs that no solution cheaper than ``threshold`` can use otherwise.

    A solution costing less than ``threshold`` must have every site in ``must_open`` open,
    every site in ``must_close`` closed, and must serve each demand u from a site j with
    ``allowed[u, j]`` (its nearest open site, one of them when several tie).

    Returns
    -------
    must_open, must_close : (m,) bool arrays.
    allowed : (n, m) bool array.
    """
    n, m = cost.shape
    buf = np.empty_like(cost, dtype=float)
    bound, rho, chosen = _evaluate(cost, lam, p, buf)
    in_set = np.zeros(m, dtype=bool)
    in_set[chosen] = True
    order = np.sort(rho)
    rho_p = order[p - 1]
    rho_p1 = order[p] if p < m else np.inf
    # Opening j outside the relaxed set swaps it for the p-th cheapest; closing j inside
    # swaps in the (p+1)-th.
    open_penalty = np.where(in_set, 0.0, rho - rho_p)
    close_penalty = np.where(in_set, rho_p1 - rho, np.inf)
    must_close = bound + open_penalty >= threshold
    must_open = in_set & (bound + close_penalty >= threshold)
    pair_penalty = np.maximum(cost - lam[:, None], 0.0) + open_penalty[None, :]
    allowed = (bound + pair_penalty < threshold) & ~must_close[None, :]
    return must_open, must_close, allowed
