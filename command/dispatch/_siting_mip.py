"""Exact siting models solved with OR-Tools (SCIP through ``model_builder``).

Private to :mod:`command.dispatch.siting`. Each model is assembled as sparse arrays and
handed to OR-Tools in one call (``fill_model_from_sparse_data``), because building
hundreds of thousands of rows one Python call at a time would take longer than solving
them. Every function returns a :class:`MipOutcome` of plain numbers; no solver object
leaves this module.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder as mb

__all__ = ["MipOutcome", "solve_milp", "p_median_radius", "max_covering_mip", "cover_with_p"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MipOutcome:
    """What a MILP solve produced, in plain data.

    ``status`` is ``"optimal"``, ``"feasible"`` (time ran out with a solution),
    ``"infeasible"`` or ``"unknown"`` (time ran out without one). ``values`` holds the
    integer variables' values (rounded) when a solution exists, else ``None``.
    """

    status: str
    objective: float
    bound: float
    values: np.ndarray | None
    seconds: float


def solve_milp(objective: np.ndarray, matrix: sp.csr_matrix, row_lb: np.ndarray,
               row_ub: np.ndarray, var_lb: np.ndarray, var_ub: np.ndarray,
               integer: np.ndarray, *, maximize: bool, deadline: float,
               offset: float = 0.0) -> MipOutcome:
    """Solve ``min/max objective @ x + offset`` s.t. ``row_lb <= matrix @ x <= row_ub``.

    Parameters
    ----------
    integer : indices of the variables that must be integer; only their values are returned.
    deadline : ``time.perf_counter()`` value by which the solver must stop (model
        building counts too).
    offset : constant added to the objective.
    """
    t0 = time.perf_counter()
    model = mb.Model()
    model.helper.fill_model_from_sparse_data(
        np.asarray(var_lb, float), np.asarray(var_ub, float), np.asarray(objective, float),
        np.asarray(row_lb, float), np.asarray(row_ub, float), sp.csr_matrix(matrix, dtype=float))
    for j in integer:
        model.helper.set_var_integrality(int(j), True)
    model.helper.set_maximize(maximize)
    model.helper.set_objective_offset(float(offset))
    # SCIP measured against HiGHS on the reduced pmed models: SCIP as fast or faster.
    solver = mb.Solver("scip")
    # A proof is the point: no relative gap tolerance (SCIP's default is 1e-4).
    solver.set_solver_specific_parameters("limits/gap = 0\nlimits/absgap = 1e-6\n")
    solver.set_time_limit_in_seconds(max(0.01, deadline - time.perf_counter()))

    status = solver.solve(model)
    seconds = time.perf_counter() - t0
    if status == mb.SolveStatus.OPTIMAL:
        kind = "optimal"
    elif status == mb.SolveStatus.FEASIBLE:
        kind = "feasible"
    elif status == mb.SolveStatus.INFEASIBLE:
        kind = "infeasible"
    else:
        kind = "unknown"
    values = None
    objective_value = np.nan
    # No information is -inf for a minimisation (+inf for a maximisation); an infeasible
    # model is the opposite extreme.
    bound = -np.inf if not maximize else np.inf
    if kind == "infeasible":
        bound = -bound
    elif kind == "optimal":
        objective_value = bound = float(solver.objective_value)
    else:
        try:
            raw = float(solver.best_objective_bound)
        except TypeError:                  # pandas NA: stopped before any bound existed
            raw = np.nan
        if np.isfinite(raw):
            bound = raw
    if kind in ("optimal", "feasible"):
        idx = np.asarray(integer, dtype=np.intp)
        vals = solver.values([model.var_from_index(int(j)) for j in idx])
        values = np.rint(np.asarray(vals, dtype=float))
        objective_value = float(solver.objective_value)
    log.debug("SCIP %s: %d vars, %d rows, %d nonzeros, objective %s, bound %s, %.2f s",
              kind, matrix.shape[1], matrix.shape[0], matrix.nnz, objective_value, bound, seconds)
    return MipOutcome(kind, objective_value, bound, values, seconds)


def _with_side(matrix: sp.csr_matrix, row_lb: np.ndarray, row_ub: np.ndarray,
               side: tuple[np.ndarray, int] | None, n_var: int
               ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Add ``sum_{j in side[0]} y_j <= side[1]`` (site columns first) when ``side`` is set.

    The relocation models use it: of the sites opened, at most ``k`` may be new ones.
    """
    if side is None:
        return matrix, row_lb, row_ub
    cols, limit = side
    row = np.zeros(n_var)
    row[np.asarray(cols, dtype=np.intp)] = 1.0
    return (sp.vstack([matrix, sp.csr_matrix(row[None, :])], format="csr"),
            np.r_[row_lb, -np.inf], np.r_[row_ub, float(limit)])


def p_median_radius(cost: np.ndarray, p: int, *, usable: np.ndarray, fixed_open: np.ndarray,
                    radius: np.ndarray, deadline: float, cutoff: float = np.inf,
                    side: tuple[np.ndarray, int] | None = None,
                    ) -> tuple[MipOutcome, np.ndarray]:
    """The radius formulation of the p-median problem over the usable columns.

    For each demand ``u`` let ``D_u^1 < ... < D_u^K`` be the distinct costs of the usable
    sites within ``radius[u]``. Binary ``y_j`` opens site j; ``z_u^k`` is 1 when no open
    site costs ``D_u^k`` or less. Written as a chain (Elloumi 2010; Garcia, Labbe & Marin
    2011, *INFORMS J. Computing* 23:546-556)

        z_u^1 + sum_{c_uj = D^1} y_j >= 1,
        z_u^k - z_u^{k-1} + sum_{c_uj = D^k} y_j >= 0,     k = 2..K-1,
        -z_u^{K-1} + sum_{c_uj = D^K} y_j >= 0             (some site within the radius),
        min sum_u D_u^1 + sum_k (D_u^{k+1} - D_u^k) z_u^k,   sum_j y_j = p,

    so the model grows with the number of (demand, site) pairs kept, not with its square.
    Levels beyond the point where ``m - p + 1`` usable sites are within reach are cut off
    (some site there is always open).

    Parameters
    ----------
    cost : (n, m) weighted costs; rows with all-zero cost may be present (they are dropped).
    usable : (m,) bool, sites the model may open; ``fixed_open`` (subset) must be open.
    radius : (n,) the largest cost at which each demand may be served (``inf``: no limit).
    side : optional ``(positions among the usable columns, k)``: at most k of those open.

    Returns
    -------
    (outcome, usable column indices in the order of ``outcome.values``).
    """
    n, m = cost.shape
    cols = np.flatnonzero(usable)
    mu = len(cols)
    sub = cost[:, cols]
    within = sub <= radius[:, None]
    rows_u, pos = np.nonzero(within)
    vals = sub[rows_u, pos]
    order = np.lexsort((vals, rows_u))
    rows_u, pos, vals = rows_u[order], pos[order], vals[order]
    # Distinct levels per demand; a level starts where the demand or the value changes.
    first_of_u = np.r_[True, rows_u[1:] != rows_u[:-1]]
    new_level = first_of_u | np.r_[True, vals[1:] != vals[:-1]]
    level = np.cumsum(new_level) - 1                         # global level id of each pair
    idx = np.arange(len(rows_u))
    rank = idx - np.maximum.accumulate(np.where(first_of_u, idx, 0))   # position within u
    # Cut at the level where mu - p + 1 sites are within reach (rank mu - p): one of them
    # is always open, so deeper levels never bind.
    reach_cut = rank >= mu - p
    cut_level_of_u = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(cut_level_of_u, rows_u[reach_cut], level[reach_cut])
    keep = level <= cut_level_of_u[rows_u]
    rows_u, pos, vals, new_level = rows_u[keep], pos[keep], vals[keep], new_level[keep]
    level = np.cumsum(new_level) - 1
    level_value = vals[new_level]
    level_u = rows_u[new_level]
    n_levels = len(level_value)
    is_first = np.r_[True, level_u[1:] != level_u[:-1]] if n_levels else np.zeros(0, bool)
    is_last = np.r_[level_u[1:] != level_u[:-1], True] if n_levels else np.zeros(0, bool)
    demands_present = np.unique(level_u)
    if len(demands_present) < n:
        missing = np.setdiff1d(np.arange(n), demands_present)
        # A demand with no usable site within its radius: no solution in this region.
        log.debug("%d demands have no usable site within their radius", len(missing))
        return MipOutcome("infeasible", np.nan, np.inf, None, 0.0), cols
    # z variables: one per level that is not the last of its demand.
    z_of_level = np.full(n_levels, -1)
    has_z = ~is_last
    z_of_level[has_z] = mu + np.arange(int(has_z.sum()))
    n_var = mu + int(has_z.sum())
    next_value = np.r_[level_value[1:], 0.0]
    objective = np.zeros(n_var)
    objective[z_of_level[has_z]] = (next_value - level_value)[has_z]
    offset = float(level_value[is_first].sum())
    # Rows 0..n_levels-1: the chain; row n_levels: sum y = p.
    r_y, c_y = level, pos
    lv = np.arange(n_levels)
    r_z, c_z = lv[has_z], z_of_level[has_z]
    prev_ok = ~is_first
    r_zp, c_zp = lv[prev_ok], z_of_level[lv[prev_ok] - 1]
    data = np.r_[np.ones(len(r_y)), np.ones(len(r_z)), -np.ones(len(r_zp)), np.ones(mu)]
    rr = np.r_[r_y, r_z, r_zp, np.full(mu, n_levels)]
    cc = np.r_[c_y, c_z, c_zp, np.arange(mu)]
    matrix = sp.csr_matrix((data, (rr, cc)), shape=(n_levels + 1, n_var))
    row_lb = np.r_[is_first.astype(float), p]
    row_ub = np.r_[np.full(n_levels, np.inf), p]
    if np.isfinite(cutoff):
        # Only solutions cheaper than the cutoff matter: as a row it prunes every node
        # whose LP cannot beat it, long before the solver finds a good incumbent itself.
        matrix = sp.vstack([matrix, sp.csr_matrix(objective[None, :])], format="csr")
        row_lb = np.r_[row_lb, -np.inf]
        row_ub = np.r_[row_ub, cutoff - offset]
    matrix, row_lb, row_ub = _with_side(matrix, row_lb, row_ub, side, n_var)
    var_lb = np.zeros(n_var)
    var_lb[:mu] = fixed_open[cols].astype(float)
    var_ub = np.ones(n_var)
    log.debug("radius model: %d sites, %d levels, %d nonzeros", mu, n_levels, matrix.nnz)
    outcome = solve_milp(objective, matrix, row_lb, row_ub, var_lb, var_ub, np.arange(mu),
                         maximize=False, deadline=deadline, offset=offset)
    return outcome, cols


def max_covering_mip(cover: np.ndarray, weights: np.ndarray, p: int, *,
                     deadline: float, side: tuple[np.ndarray, int] | None = None
                     ) -> MipOutcome:
    """Maximal covering (Church & ReVelle 1974): open p sites, maximise covered weight.

    ``cover[u, j]`` is True when site j covers demand u. Variables: ``y_j`` (sites, the
    returned values) then ``x_u`` covered; ``x_u <= sum_{j covers u} y_j``; ``sum y = p``.
    """
    n, m = cover.shape
    rows, cols = np.nonzero(cover)
    data = np.r_[-np.ones(len(rows)), np.ones(n), np.ones(m)]
    rr = np.r_[rows, np.arange(n), np.full(m, n)]
    cc = np.r_[cols, m + np.arange(n), np.arange(m)]
    matrix = sp.csr_matrix((data, (rr, cc)), shape=(n + 1, m + n))
    row_lb = np.r_[np.full(n, -np.inf), p]
    row_ub = np.r_[np.zeros(n), p]
    objective = np.r_[np.zeros(m), weights]
    matrix, row_lb, row_ub = _with_side(matrix, row_lb, row_ub, side, m + n)
    return solve_milp(objective, matrix, row_lb, row_ub, np.zeros(m + n), np.ones(m + n),
                      np.arange(m), maximize=True, deadline=deadline)


def cover_with_p(cover: np.ndarray, p: int, *, deadline: float,
                 side: tuple[np.ndarray, int] | None = None) -> MipOutcome:
    """Can at most p sites cover every demand? A set-cover model with ``sum y <= p``.

    Used by the p-centre search: status ``"optimal"`` means yes (the values are a cover
    with the fewest sites), ``"infeasible"`` means no, anything else means undecided.
    """
    n, m = cover.shape
    rows, cols = np.nonzero(cover)
    data = np.r_[np.ones(len(rows)), np.ones(m)]
    rr = np.r_[rows, np.full(m, n)]
    cc = np.r_[cols, np.arange(m)]
    matrix = sp.csr_matrix((data, (rr, cc)), shape=(n + 1, m))
    matrix, row_lb, row_ub = _with_side(matrix, np.r_[np.ones(n), 0.0],
                                        np.r_[np.full(n, np.inf), p], side, m)
    return solve_milp(np.ones(m), matrix, row_lb, row_ub,
                      np.zeros(m), np.ones(m), np.arange(m), maximize=False,
                      deadline=deadline)
