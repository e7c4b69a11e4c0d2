"""Lagrangian branch and bound for the p-median problem (after Beasley 1985).

Private to :mod:`command.dispatch.siting`. Each node fixes some sites open and some
closed, re-optimises the Lagrangian multipliers from its parent's (a few dozen
subgradient steps), prunes when the bound reaches the incumbent, fixes more sites by
reduced costs, and branches on the open site of the relaxed solution whose closing
would raise the bound most. It needs no LP: for few medians (p = 5 or 10 on 500-900
vertices) the LP gap is about 1% and an LP-based solver spends its time re-solving a
large degenerate LP, while a node here costs a few milliseconds.

The subgradient steps run in float32 over the node's open-able columns only (twice the
speed); every decision that matters for the proof (prune, fix) is taken on a float64
evaluation of the node's best multipliers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from command.dispatch._siting_heuristic import interchange

__all__ = ["BnbOutcome", "branch_and_bound"]


@dataclass(frozen=True)
class BnbOutcome:
    """Best sites found (column indices; ``None`` if nothing beat the incumbent given),
    their cost, the proven bound and the number of nodes explored."""

    best_open: np.ndarray | None
    best_cost: float
    bound: float
    proven: bool
    nodes: int


def _relaxed(sub: np.ndarray, lam: np.ndarray, k: int, forced: np.ndarray, buf: np.ndarray
             ) -> tuple[float, np.ndarray, np.ndarray]:
    """Bound, rho and the relaxed choice over the node's columns ``sub``.

    ``forced`` marks the columns that must be open; ``k`` more are chosen among the rest.
    """
    np.subtract(sub, lam[:, None].astype(sub.dtype, copy=False), out=buf)
    np.minimum(buf, 0.0, out=buf)
    rho = buf.sum(axis=0, dtype=np.float64)
    rest = np.where(forced, np.inf, rho)
    chosen = np.argpartition(rest, k - 1)[:k] if k > 0 else np.zeros(0, dtype=np.intp)
    bound = float(lam.sum() + rho[forced].sum() + rest[chosen].sum())
    return bound, rho, chosen


def branch_and_bound(cost: np.ndarray, p: int, *, best_open: np.ndarray | None, best_cost: float,
                     lam: np.ndarray, must_open: np.ndarray, must_close: np.ndarray,
                     gap_to_prune: float, deadline: float, node_iterations: int = 20,
                     polish_nodes: int = 20) -> BnbOutcome:
    """Prove ``best_cost`` optimal or find a cheaper solution.

    Parameters
    ----------
    cost : (n, m) weighted costs.
    best_open, best_cost : the incumbent (columns of ``cost``, or ``None`` when it uses
        columns left out of ``cost``) and its cost.
    lam : multipliers from the root subgradient run.
    must_open, must_close : (m,) bool, root fixings valid for every improving solution.
    gap_to_prune : a node is closed when its bound is >= incumbent - ``gap_to_prune``
        (just under 1 for integer costs: nothing strictly better can hide there).
    deadline : ``time.perf_counter()`` value; when reached, the answer is unproven and
        ``bound`` is the smallest bound among the nodes left open.
    node_iterations : subgradient steps per node (warm-started from the parent).
    polish_nodes : the relaxed solutions of the first this-many nodes (and of every
        100th after) are improved by interchange; the dive down the tree passes near
        good solutions, and finding the optimum early is what lets the bound close.
    """
    n, m = cost.shape
    cost32 = cost.astype(np.float32)
    best_open = None if best_open is None else np.array(best_open)
    best_cost = float(best_cost)
    # Stack of (must be open, must be closed, multipliers, parent bound): depth first.
    stack = [(must_open.copy(), must_close.copy(), lam.astype(float), -np.inf)]
    nodes = 0
    while stack:
        if time.perf_counter() >= deadline:
            open_bound = min(b for *_, b in stack)
            return BnbOutcome(best_open, best_cost, min(open_bound, best_cost), False, nodes)
        is1, is0, lam, parent_bound = stack.pop()
        nodes += 1
        threshold = best_cost - gap_to_prune
        n_open = int(is1.sum())
        if parent_bound >= threshold or n_open > p or int((~is0).sum()) < p:
            continue
        cols = np.flatnonzero(~is0)                  # the node's columns
        forced = is1[cols]
        k = p - n_open
        sub64 = cost[:, cols]
        sub32 = cost32[:, cols]
        buf32 = np.empty_like(sub32)
        # A demand never pays more than its cheapest forced-open site, and capping its
        # multiplier there never lowers the bound (every relaxed solution holds that site).
        cap = sub64[:, forced].min(axis=1) if n_open else None
        if cap is not None:
            lam = np.minimum(lam, cap)
        f = 1.0 if nodes > 1 else 2.0
        node_best, node_lam, stall = -np.inf, lam, 0
        for _ in range(node_iterations):
            bound, rho, chosen = _relaxed(sub32, lam, k, forced, buf32)
            if bound > node_best:
                node_best, node_lam, stall = bound, lam, 0
            else:
                stall += 1
                if stall >= 5:
                    f, stall = f / 2.0, 0
            open_now = np.r_[np.flatnonzero(forced), chosen]
            served = sub64[:, open_now]
            feasible = float(served.min(axis=1).sum())
            if feasible < best_cost - 1e-9:
                best_open, best_cost = cols[open_now], feasible
                threshold = best_cost - gap_to_prune
            if node_best >= threshold + 1e-3 * gap_to_prune or f < 1e-3:
                break
            g = 1.0 - (served < lam[:, None]).sum(axis=1)
            norm = float(g @ g)
            if norm == 0.0:
                break
            lam = lam + f * (best_cost - bound) / norm * g
            if cap is not None:
                lam = np.minimum(lam, cap)
        # Decisions on an exact (float64) evaluation of the best multipliers.
        lam = node_lam
        bound, rho, chosen = _relaxed(sub64, lam, k, forced, np.empty_like(sub64))
        if bound >= threshold:
            continue
        if nodes <= polish_nodes or nodes % 100 == 0:
            start = cols[np.r_[np.flatnonzero(forced), chosen]]
            polished, polished_cost = interchange(cost, start, deadline=deadline)
            if polished_cost < best_cost - 1e-9:
                best_open, best_cost = polished, polished_cost
                threshold = best_cost - gap_to_prune
                if bound >= threshold:
                    continue
        free = ~forced
        in_set = np.zeros(len(cols), dtype=bool)
        in_set[chosen] = True
        sorted_free = np.sort(rho[free])
        rho_k = sorted_free[k - 1] if k > 0 else -np.inf
        rho_k1 = sorted_free[k] if k < len(sorted_free) else np.inf
        # Opening a free site outside the relaxed set swaps out the k-th cheapest; closing
        # one inside swaps in the (k+1)-th.
        close_now = free & ~in_set & (bound + rho - rho_k >= threshold)
        open_now = in_set & (bound + rho_k1 - rho >= threshold)
        is0 = is0.copy()
        is1 = is1.copy()
        is0[cols[close_now]] = True
        is1[cols[open_now]] = True
        still_free = ~(is1 | is0)
        n_open = int(is1.sum())
        n_free = int(still_free.sum())
        if n_open > p or n_open + n_free < p:
            continue
        if n_open == p or n_open + n_free == p:
            leaf = np.flatnonzero(is1 | still_free)
            leaf_cost = float(cost[:, leaf].min(axis=1).sum())
            if leaf_cost < best_cost - 1e-9:
                best_open, best_cost = leaf, leaf_cost
            continue
        # Branch on the relaxed solution's free open site whose closing costs the bound most.
        candidates = cols[chosen]
        candidates = candidates[still_free[candidates]]
        if len(candidates) == 0:
            candidates = np.flatnonzero(still_free)
        rho_full = np.full(m, np.inf)
        rho_full[cols] = rho
        j = int(candidates[np.argmin(rho_full[candidates])])
        closed = is0.copy()
        closed[j] = True
        opened = is1.copy()
        opened[j] = True
        stack.append((is1, closed, lam.copy(), bound))
        stack.append((opened, is0, lam.copy(), bound))
    return BnbOutcome(best_open, best_cost, best_cost, True, nodes)
