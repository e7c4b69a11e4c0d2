"""The one shape of a solver's answer: :class:`SolverRun` (status, objective, bound,
seconds, seed, method), carried as ``.run`` by every dispatch result.

Status vocabulary (one, upper case, for every solver):

``OPTIMAL``
    The objective is proven optimal (``bound`` equals it, within the solver's
    tolerance).
``FEASIBLE``
    A valid answer, not proven optimal (time ran out, or the method is a heuristic).
``FALLBACK``
    The exact solver found nothing in time; the quick heuristic plan (greedy, flow) is
    returned so that an answer always arrives.
``INFEASIBLE``
    Proven: no answer satisfies the constraints.
``NOT_SOLVED``
    No answer and no proof (time limit before a first solution, invalid model).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

__all__ = ["RUN_STATUSES", "SolverRun", "RunAttributes"]

RUN_STATUSES: tuple[str, ...] = ("OPTIMAL", "FEASIBLE", "FALLBACK", "INFEASIBLE",
                                 "NOT_SOLVED")


@dataclass(frozen=True)
class SolverRun:
    """How one solver call went.

    Attributes
    ----------
    status : str
        One of :data:`RUN_STATUSES`.
    objective : float or None
        The answer's objective in the solver's documented unit (assignment: weighted
        seconds; materials: weighted unmet demand; move-up: expected covered weight;
        siting: the model's objective; routing: the arc cost), None without an answer.
    bound : float or None
        A proven bound on the optimum (lower when minimising, upper when maximising),
        None when the method gives none.
    seconds : float
        Wall time of the whole call.
    seed : int or None
        The random seed used, None when the method draws nothing random.
    method : str
        What produced the answer (``cpsat``, ``greedy``, ``glop``, ``lagrangian`` ...).
    """

    status: str
    objective: float | None
    bound: float | None
    seconds: float
    seed: int | None
    method: str

    def __post_init__(self) -> None:
        if self.status not in RUN_STATUSES:
            raise ValueError(f"status {self.status!r} is not one of {', '.join(RUN_STATUSES)}")

    @property
    def gap(self) -> float | None:
        """``|objective - bound| / |objective|`` (0 when proven optimal), None when
        either is unknown or the objective is 0 without a proof."""
        if self.status == "OPTIMAL":
            return 0.0
        if self.objective is None or self.bound is None or self.objective == 0:
            return None
        return abs(self.objective - self.bound) / abs(self.objective)

    def to_dict(self) -> dict:
        """JSON data: the six keys every solver's JSON output carries at the top level
        (a non-finite number becomes None)."""
        out = asdict(self)
        for key in ("objective", "bound"):
            v = out[key]
            out[key] = None if v is None or not math.isfinite(v) else float(v)
        return out


class RunAttributes:
    """Base of the result dataclasses: their ``run`` read as plain attributes, the names
    the results had before :class:`SolverRun` (``result.status`` is
    ``result.run.status``)."""

    __slots__ = ()
    run: SolverRun

    status = property(lambda self: self.run.status)
    objective = property(lambda self: self.run.objective)
    bound = property(lambda self: self.run.bound)
    seconds = property(lambda self: self.run.seconds)
    seed = property(lambda self: self.run.seed)
    method = property(lambda self: self.run.method)
