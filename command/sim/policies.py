"""Dispatch policies the simulator calls: which idle unit goes to which waiting call.

A policy is any object with ``name``, ``moveup`` (bool) and
``assign(view, calls) -> list[(unit index, call key)]``. The model passes it a
:class:`DispatchView` (idle units, their capabilities, ETAs from their posts at the
current hour) and the calls that still miss units (:class:`OpenCall`); the policy
returns the units to send. It never sees SimPy, so a new policy is a small class.

- :class:`NearestPolicy`: calls by priority then arrival; for each missing unit the
  nearest idle unit of that capability by road travel time (``greedy nearest available``).
- :class:`OptimiserPolicy`: builds a :class:`command.dispatch.assign.AssignmentProblem`
  of the waiting calls and the idle units of the capabilities they demand and calls
  :func:`command.dispatch.assign.assign` with a time limit (``flow`` by default: the
  min-cost flow plan polished by local search, deterministic on small problems; CP-SAT
  runs with ``method="auto"``).

Move-up (``moveup=True``) is :func:`moveup_moves`: after a dispatch, the idle engines and
ambulances are offered to :func:`command.dispatch.moveup.plan_moveup` with the posts of
their kind, the coverage zones (community grid cells, equal weight) and the current busy
share of each capability as the MEXCLP busy probability.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from command.model import CAPABILITIES

__all__ = ["OpenCall", "DispatchView", "Policy", "NearestPolicy", "OptimiserPolicy",
           "POLICIES", "make_policy", "moveup_moves"]

_CAP = {c: i for i, c in enumerate(CAPABILITIES)}


@dataclass
class OpenCall:
    """A call that still misses units: ``missing`` capability -> count."""

    key: int
    priority: int
    node: int
    missing: dict[str, int]


@dataclass
class DispatchView:
    """What a policy may read. ``eta_s(node)`` is the travel time (s, at the current
    hour, no noise) from each unit's post to ``node`` (``inf`` when unreachable)."""

    idle: np.ndarray  # bool per unit
    unit_cap: np.ndarray  # int index into CAPABILITIES
    unit_ids: tuple[str, ...]
    unit_capability: tuple[str, ...]
    eta_s: Callable[[int], np.ndarray]
    #: optional fast paths: unit indices per capability index, and
    #: ``eta_units(node, units)`` = ``eta_s(node)[units]``
    cap_units: dict[int, np.ndarray] | None = None
    eta_units: Callable[[int, np.ndarray], np.ndarray] | None = None

    def eta_of(self, node: int, units: np.ndarray) -> np.ndarray:
        if self.eta_units is not None:
            return self.eta_units(node, units)
        return self.eta_s(node)[units]

    def units_of(self, cap: int) -> np.ndarray:
        if self.cap_units is not None:
            return self.cap_units[cap]
        return np.flatnonzero(self.unit_cap == cap)


class Policy(Protocol):
    name: str
    moveup: bool

    def assign(self, view: DispatchView, calls: Sequence[OpenCall]) -> list[tuple[int, int]]:
        ...


@dataclass
class NearestPolicy:
    moveup: bool = False
    name: str = "nearest"

    def assign(self, view: DispatchView, calls: Sequence[OpenCall]) -> list[tuple[int, int]]:
        free = view.idle.copy()
        out = []
        if len(calls) > 1:
            calls = sorted(calls, key=lambda c: (c.priority, c.key))
        for call in calls:
            for cap, n in call.missing.items():
                if n <= 0:
                    continue
                units = view.units_of(_CAP[cap])
                cands = units[free[units]]
                if not cands.size:
                    continue
                e = view.eta_of(call.node, cands)
                if n == 1:  # the first nearest, as a stable sort would give
                    i = int(np.argmin(e))
                    if not np.isfinite(e[i]):
                        continue
                    chosen = cands[i:i + 1]
                else:
                    ok = np.isfinite(e)
                    cands, e = cands[ok], e[ok]
                    chosen = cands[np.argsort(e, kind="stable")[:n]]
                free[chosen] = False
                out.extend((int(u), call.key) for u in chosen)
        return out


@dataclass
class OptimiserPolicy:
    moveup: bool = False
    time_limit_s: float = 0.5
    method: str = "flow"
    name: str = "optimiser"

    def assign(self, view: DispatchView, calls: Sequence[OpenCall]) -> list[tuple[int, int]]:
        from command.dispatch.assign import AssignmentProblem, assign

        caps = {_CAP[c] for call in calls for c, n in call.missing.items() if n > 0}
        units = np.flatnonzero(view.idle & np.isin(view.unit_cap, list(caps)))
        if not units.size:
            return []
        calls = list(calls)
        eta = np.column_stack([view.eta_s(c.node)[units] for c in calls])
        demand = {(j, cap): n for j, c in enumerate(calls) for cap, n in c.missing.items()
                  if n > 0}
        problem = AssignmentProblem(
            unit_ids=tuple(view.unit_ids[u] for u in units),
            unit_capability=tuple(view.unit_capability[u] for u in units),
            incident_ids=tuple(str(c.key) for c in calls),
            incident_priority=tuple(int(c.priority) for c in calls),
            demand=demand, eta_s=eta)
        result = assign(problem, time_limit_s=self.time_limit_s, method=self.method,
                        workers=1)
        index = {view.unit_ids[u]: int(u) for u in units}
        return [(index[a.unit_id], int(a.incident_id)) for a in result.assignments]


POLICIES = ("nearest", "optimiser")


def make_policy(name: str, *, moveup: bool = False, time_limit_s: float = 0.5) -> Policy:
    """The policy called ``name`` (:data:`POLICIES`).

    Raises
    ------
    ValueError
        For an unknown name.
    """
    if name == "nearest":
        return NearestPolicy(moveup=moveup)
    if name == "optimiser":
        return OptimiserPolicy(moveup=moveup, time_limit_s=time_limit_s)
    raise ValueError(f"policy={name!r}: must be one of {', '.join(POLICIES)}")


def moveup_moves(*, idle: np.ndarray, unit_cap: np.ndarray, unit_ids, unit_capability,
                 unit_where: np.ndarray, post_kind: Sequence[str], open_posts: np.ndarray,
                 post_to_post_s: np.ndarray, post_to_zone_s: np.ndarray,
                 zone_weight: np.ndarray, busy_share: dict[str, float],
                 standard_s: dict[str, float], max_moves: int, max_move_s: float,
                 move_cost_share: float = 0.01
                 ) -> list[tuple[int, int]]:
    """Moves ``(unit, post)`` for the idle engines and ambulances (see the module
    docstring); posts of the kind a unit's own post has, among ``open_posts``."""
    from command.dispatch.moveup import MoveUpProblem, plan_moveup

    moves = []
    for cap in ("engine", "ambulance"):
        units = np.flatnonzero(idle & (unit_cap == _CAP[cap]))
        if units.size < 2:
            continue
        kinds = {post_kind[p] for p in unit_where[units]}
        posts = np.flatnonzero(open_posts & np.isin(np.asarray(post_kind), list(kinds)))
        p_index = {int(p): j for j, p in enumerate(posts)}
        if any(int(p) not in p_index for p in unit_where[units]):
            continue
        problem = MoveUpProblem(
            unit_ids=tuple(unit_ids[u] for u in units),
            unit_capability=tuple(unit_capability[u] for u in units),
            unit_post=tuple(p_index[int(p)] for p in unit_where[units]),
            post_ids=tuple(str(p) for p in posts), zone_ids=tuple(
                str(z) for z in range(zone_weight.size)),
            zone_weight=zone_weight,
            travel_time_s=post_to_post_s[np.ix_(unit_where[units], posts)],
            cover_time_s=post_to_zone_s[posts],
            standard_s={cap: standard_s[cap]},
            busy_probability={cap: float(min(0.95, max(0.0, busy_share.get(cap, 0.0))))},
            max_moves=max_moves, max_move_s=max_move_s,
            move_cost_per_min=move_cost_share * float(np.mean(zone_weight)))
        plan = plan_moveup(problem, time_limit_s=1.0, method="greedy")
        by_id = {unit_ids[u]: int(u) for u in units}
        moves.extend((by_id[m.unit_id], int(m.to_post_id)) for m in plan.moves)
    return moves
