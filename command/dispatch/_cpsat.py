"""The CP-SAT call every dispatch model shares, and the solver time reserve (private).

:func:`solve_cp_model` sets the time limit, seed and workers, solves, and maps the
status into :data:`command.dispatch._result.RUN_STATUSES`; the model reads its values
off the returned solver. :func:`solver_deadline` is the one place where a solver's
share of a call's time budget is decided.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

from ortools.sat.python import cp_model

from command.dispatch._result import SolverRun

__all__ = ["RESERVE_S", "default_workers", "solver_deadline", "solve_cp_model"]

#: Seconds of a call's budget kept back from its solver, capped at a fifth of the budget.
#: ``assign``: CP-SAT overran its own limit by up to 100 ms on a loaded 2-core machine
#: (300-500 units, load average 4-5), and copying out the plan and writing the reasons
#: takes 10-40 ms, more under load. ``moveup``: CP-SAT overruns by up to ~70 ms at 150
#: units x 100 posts, then the plan is copied into the result. ``materials``: copying the
#: LP plan into the result.
RESERVE_S: Mapping[str, float] = {"assign": 0.25, "moveup": 0.1, "materials": 0.05}

#: Below this many seconds CP-SAT is not started: it could not return a solution.
_MIN_SOLVE_S = 0.005


def solver_deadline(t0: float, time_limit_s: float, solver: str) -> float:
    """The ``time.perf_counter()`` instant by which ``solver`` (a key of
    :data:`RESERVE_S`) must stop, for a call that started at ``t0`` with a budget of
    ``time_limit_s`` seconds."""
    limit = float(time_limit_s)
    return t0 + limit - min(RESERVE_S[solver], 0.2 * limit)


def default_workers(workers: int | None) -> int:
    """CP-SAT search workers: ``workers`` if given, else the CPUs, at most 8."""
    return int(workers) if workers else max(1, min(8, os.cpu_count() or 1))


_STATUS = {cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE",
           cp_model.INFEASIBLE: "INFEASIBLE"}


def solve_cp_model(model: cp_model.CpModel, *, time_limit_s: float, seed: int,
                   workers: int | None, parameters: Mapping[str, Any] | None = None,
                   method: str = "cpsat") -> tuple[SolverRun, cp_model.CpSolver | None]:
    """Solve ``model`` with CP-SAT within ``time_limit_s`` seconds.

    Parameters
    ----------
    model : CpModel
        Built, with its objective (and hint) set.
    time_limit_s : float
        Seconds left for the search; at or below 5 ms the model is not solved.
    seed : int
        CP-SAT's ``random_seed``.
    workers : int, optional
        Search workers (default :func:`default_workers`).
    parameters : mapping, optional
        Further ``SatParameters`` fields, e.g. ``{"cp_model_presolve": False}``.
    method : str
        Recorded in the run.

    Returns
    -------
    (SolverRun, CpSolver or None)
        The run (objective and bound in the model's own integer units, None without a
        solution; ``seconds`` of the solve alone) and the solver to read values from
        (None when the model was not solved). Status: OPTIMAL, FEASIBLE, INFEASIBLE or
        NOT_SOLVED (time limit before a first solution, invalid model).
    """
    t0 = time.perf_counter()
    if time_limit_s <= _MIN_SOLVE_S:
        return SolverRun("NOT_SOLVED", None, None, 0.0, int(seed), method), None
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_s)
    solver.parameters.random_seed = int(seed)
    solver.parameters.num_workers = default_workers(workers)
    for name, value in dict(parameters or {}).items():
        setattr(solver.parameters, name, value)
    code = solver.solve(model)
    status = _STATUS.get(code, "NOT_SOLVED")
    found = status in ("OPTIMAL", "FEASIBLE")
    run = SolverRun(status=status,
                    objective=float(solver.objective_value) if found else None,
                    bound=float(solver.best_objective_bound) if found else None,
                    seconds=time.perf_counter() - t0, seed=int(seed), method=method)
    return run, solver
