"""Enforcement: the blacklist's rules and the double-random inspection draw (双随机).

Owns: when a blacklist entry is in force and when it ends; the checks of a new entry;
the draw of enterprises to inspect and of the inspectors who inspect them (双随机一公开:
random enterprises x random inspectors, drawn from a seed, published so anyone can
re-run it), with every conflict of interest excluded. Must not: read or write the store,
read the clock (every instant is an argument) or touch a global random state (the draw
makes its own ``numpy`` Generator from the seed and records the seed).

The draw, step by step (the order of the random numbers is part of the result: changing
it changes what every seed gives, so old draws could no longer be re-run):

1. Enterprises and inspectors are sorted by id, so the order they were given in does
   not matter. A Generator is made from ``seed``.
2. ``rng.permutation`` orders the enterprises; the first ``n_enterprises`` are drawn,
   in that order (the draw order).
3. ``rng.integers`` gives every (drawn enterprise, inspector) pair a random cost.
4. Staffing in the draw order (the lottery gives priority): an enterprise is staffed if
   it and every enterprise staffed before it can all get ``inspectors_per_enterprise``
   distinct inspectors without a conflict and within ``max_per_inspector``; checked
   exactly by a maximum flow (OR-Tools). So when the whole draw can be staffed it is,
   and an enterprise left out has a reason that is true: too few inspectors without a
   conflict, or the ones it could have are taken by enterprises drawn before it.
5. Which inspectors: the minimum-cost flow (OR-Tools) over the random costs among all
   assignments of the staffed enterprises. When no inspector's limit binds, each
   enterprise gets the inspectors of lowest cost among those allowed to it: a uniformly
   random subset (ties of the integer costs aside).

A pair is never excluded by chance: it has no arc in either network, so no solution
can contain it.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np

from command.clock import as_utc
from command.errors import DataError, Problem
from command.i18n import t

__all__ = ["MAX_SEED", "METHOD", "UNSTAFFED_REASONS", "DrawEnterprise", "Inspector", "Pair",
           "Unstaffed", "DrawResult", "draw_problems", "draw_inspections", "unstaffed_text", "Listing",
           "listing_ends_at", "listing_state", "is_blacklisted", "listing_problems"]

#: Seeds are stored as a signed 64-bit integer (PostgreSQL ``bigint``).
MAX_SEED = 2**63 - 1
# Costs in [0, 2**31): large enough that ties are rare, small enough that the sum over
# any draw fits the solver's 64-bit costs.
_COST_HIGH = 2**31
UNSTAFFED_REASONS = ("too_few_inspectors", "inspectors_taken")
METHOD = ("seeded permutation of enterprises; staffing in draw order checked by maximum "
          "flow; inspectors by minimum-cost flow over seeded random costs (OR-Tools)")


@dataclass(frozen=True)
class DrawEnterprise:
    """An enterprise that may be drawn."""

    enterprise_id: str
    district: str = ""
    industry: str = ""


@dataclass(frozen=True)
class Inspector:
    """An inspector who may be drawn, with the enterprises they must not inspect
    (conflicts of interest: a former employer, a relative working there ...)."""

    inspector_id: str
    agency_id: str
    excluded: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Pair:
    """One inspector sent to one enterprise."""

    enterprise_id: str
    inspector_id: str
    agency_id: str


@dataclass(frozen=True)
class Unstaffed:
    """A drawn enterprise that got no inspectors, and why.

    ``reason`` is ``too_few_inspectors`` (only ``eligible_inspectors`` have no conflict
    with it, fewer than ``needed``) or ``inspectors_taken`` (enough have no conflict, but
    their limit is used up by enterprises drawn before it)."""

    enterprise_id: str
    reason: str
    eligible_inspectors: int
    needed: int


@dataclass(frozen=True)
class DrawResult:
    """A draw: its seed and rules, the enterprises drawn (in draw order), the pairs (by
    draw order, then inspector id) and the enterprises that could not be staffed."""

    seed: int
    n_enterprises: int
    inspectors_per_enterprise: int
    max_per_inspector: int | None
    enterprises: tuple[str, ...]
    pairs: tuple[Pair, ...]
    unstaffed: tuple[Unstaffed, ...]
    method: str = METHOD

    def inspectors_of(self, enterprise_id: str) -> tuple[str, ...]:
        """The inspectors sent to ``enterprise_id`` (empty when it was not staffed)."""
        return tuple(p.inspector_id for p in self.pairs if p.enterprise_id == enterprise_id)


def _int_problem(value, field: str, low: int, high: int | None = None) -> Problem | None:
    try:
        if isinstance(value, bool):
            raise TypeError
        number = operator.index(value)
    except TypeError:
        return Problem("must be a whole number", field=field, value=value)
    if number < low or (high is not None and number > high):
        rule = f"must be at least {low}" if high is None else f"must be {low} to {high}"
        return Problem(rule, field=field, value=value)
    return None


def _duplicates(ids: Iterable[str]) -> list[str]:
    return sorted(i for i, count in Counter(ids).items() if count > 1)


def draw_problems(enterprises: Sequence[DrawEnterprise], inspectors: Sequence[Inspector], *,
                  n_enterprises, inspectors_per_enterprise, seed,
                  max_per_inspector=None) -> list[Problem]:
    """Everything wrong with the input of a draw, at once (empty when it can be drawn).

    Fields are named as the command line names them: ``enterprises`` (how many),
    ``inspectors`` (per enterprise), ``seed``, ``max_per_inspector``.
    """
    problems = []
    for field, value, have, what in (
            ("enterprises", n_enterprises, len(enterprises), "eligible enterprises"),
            ("inspectors", inspectors_per_enterprise, len(inspectors), "active inspectors")):
        problem = _int_problem(value, field, 1)
        if problem is None and value > have:
            problem = Problem(f"larger than the {have} {what}", field=field, value=value)
        if problem is not None:
            problems.append(problem)
    problems += [p for p in (
        _int_problem(seed, "seed", 0, MAX_SEED),
        None if max_per_inspector is None else _int_problem(max_per_inspector,
                                                            "max_per_inspector", 1),
    ) if p is not None]
    problems += [Problem("listed twice", field="enterprise", value=e)
                 for e in _duplicates(e.enterprise_id for e in enterprises)]
    problems += [Problem("listed twice", field="inspector", value=i)
                 for i in _duplicates(i.inspector_id for i in inspectors)]
    return problems


def _max_flow(allowed: Sequence[Sequence[int]], n_inspectors: int, need: int, cap: int) -> int:
    """Largest number of (enterprise, inspector) pairs: each enterprise at most ``need``,
    each inspector at most ``cap``, only the ``allowed`` pairs."""
    from ortools.graph.python import max_flow

    k = len(allowed)
    source, sink = 0, k + n_inspectors + 1
    tails, heads, caps = _network(allowed, n_inspectors, need, cap)
    solver = max_flow.SimpleMaxFlow()
    solver.add_arcs_with_capacity(tails, heads, caps)
    status = solver.solve(source, sink)
    if status != solver.OPTIMAL:  # cannot happen on this bounded network: a bug if it does
        raise RuntimeError(f"maximum flow of the inspection draw ended with status {status}")
    return solver.optimal_flow()


def _network(allowed: Sequence[Sequence[int]], n_inspectors: int, need: int,
             cap: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arcs source -> enterprise (need), enterprise -> allowed inspector (1: distinct),
    inspector -> sink (cap). Nodes: 0 source, 1..k enterprises, then inspectors, sink."""
    k = len(allowed)
    sink = k + n_inspectors + 1
    tails = [0] * k + [1 + e for e, row in enumerate(allowed) for _ in row] \
        + [k + 1 + i for i in range(n_inspectors)]
    heads = list(range(1, k + 1)) + [k + 1 + i for row in allowed for i in row] \
        + [sink] * n_inspectors
    caps = [need] * k + [1] * sum(len(row) for row in allowed) + [cap] * n_inspectors
    return np.array(tails), np.array(heads), np.array(caps)


def _cheapest(allowed: Sequence[Sequence[int]], costs: Sequence[Sequence[int]],
              n_inspectors: int, need: int, cap: int) -> list[list[int]]:
    """The minimum-cost assignment of ``need`` inspectors to every enterprise (it exists:
    the staffing step checked it); per enterprise the chosen inspector indices."""
    from ortools.graph.python import min_cost_flow

    k = len(allowed)
    tails, heads, caps = _network(allowed, n_inspectors, need, cap)
    unit_costs = np.array([0] * k + [int(c) for row in costs for c in row]
                          + [0] * n_inspectors)
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, unit_costs)
    solver.set_node_supply(0, need * k)
    solver.set_node_supply(k + n_inspectors + 1, -need * k)
    status = solver.solve()
    if status != solver.OPTIMAL:  # staffing proved it feasible: a bug if it is not
        raise RuntimeError(f"minimum-cost flow of the inspection draw ended with status {status}")
    flows = solver.flows(arcs)
    chosen: list[list[int]] = [[] for _ in range(k)]
    arc = k
    for e, row in enumerate(allowed):
        for i in row:
            if flows[arc]:
                chosen[e].append(i)
            arc += 1
    return chosen


def draw_inspections(enterprises: Sequence[DrawEnterprise], inspectors: Sequence[Inspector], *,
                     n_enterprises: int, inspectors_per_enterprise: int = 2, seed: int,
                     max_per_inspector: int | None = None,
                     previous: Iterable[tuple[str, str]] = ()) -> DrawResult:
    """Draw ``n_enterprises`` enterprises and ``inspectors_per_enterprise`` distinct
    inspectors for each (the method is in the module docstring).

    Parameters
    ----------
    enterprises
        The enterprises that may be drawn (already filtered: district, industry ...).
    inspectors
        The active inspectors, each with the enterprises they must not inspect.
    n_enterprises
        How many enterprises to draw (1 to ``len(enterprises)``).
    inspectors_per_enterprise
        Distinct inspectors sent to each (two in 双随机一公开 practice: an inspection is
        made by at least two law-enforcement officers).
    seed
        0 to :data:`MAX_SEED`; the same input and seed give the same draw.
    max_per_inspector
        The most enterprises one inspector is sent to in this draw; None: no limit.
    previous
        ``(enterprise_id, inspector_id)`` pairs of the previous draw: nobody inspects the
        same enterprise twice in a row.

    Returns
    -------
    DrawResult
        Every pair respects every exclusion; enterprises that could not be staffed are
        in ``unstaffed`` with the reason.

    Raises
    ------
    DataError
        With every problem of :func:`draw_problems`.
    """
    problems = draw_problems(enterprises, inspectors, n_enterprises=n_enterprises,
                             inspectors_per_enterprise=inspectors_per_enterprise, seed=seed,
                             max_per_inspector=max_per_inspector)
    if problems:
        raise DataError("the inspection draw cannot be made", problems)
    n, need, seed = operator.index(n_enterprises), operator.index(inspectors_per_enterprise), \
        operator.index(seed)
    cap = n if max_per_inspector is None else min(operator.index(max_per_inspector), n)
    ents = sorted(enterprises, key=lambda e: e.enterprise_id)
    insp = sorted(inspectors, key=lambda i: i.inspector_id)
    forbidden = set(previous)
    rng = np.random.default_rng(seed)
    drawn = [ents[j].enterprise_id for j in rng.permutation(len(ents))[:n]]
    costs = rng.integers(0, _COST_HIGH, size=(n, len(insp)))

    staffed: list[int] = []  # positions in ``drawn``
    allowed_of: list[list[int]] = []
    unstaffed: list[Unstaffed] = []
    for pos, enterprise_id in enumerate(drawn):
        allowed = [i for i, person in enumerate(insp)
                   if enterprise_id not in person.excluded
                   and (enterprise_id, person.inspector_id) not in forbidden]
        if len(allowed) < need:
            unstaffed.append(Unstaffed(enterprise_id, "too_few_inspectors", len(allowed), need))
            continue
        trial = [*allowed_of, allowed]
        # Without a binding limit every enterprise with enough inspectors is staffable.
        if cap < len(trial) and _max_flow(trial, len(insp), need, cap) < need * len(trial):
            unstaffed.append(Unstaffed(enterprise_id, "inspectors_taken", len(allowed), need))
            continue
        staffed.append(pos)
        allowed_of.append(allowed)

    chosen = _cheapest(allowed_of, [[costs[pos][i] for i in allowed]
                                    for pos, allowed in zip(staffed, allowed_of)],
                       len(insp), need, cap) if staffed else []
    pairs = tuple(Pair(drawn[pos], insp[i].inspector_id, insp[i].agency_id)
                  for pos, picks in zip(staffed, chosen)
                  for i in sorted(picks, key=lambda i: insp[i].inspector_id))
    return DrawResult(seed, n, need, max_per_inspector, tuple(drawn), pairs, tuple(unstaffed))


def unstaffed_text(unstaffed: Unstaffed, lang: str = "zh") -> str:
    """Why ``unstaffed`` got no inspectors, for people (``lang`` 'zh' or 'en')."""
    return t(f"enforcement.unstaffed.{unstaffed.reason}", lang,
             eligible=unstaffed.eligible_inspectors, needed=unstaffed.needed)


# --- the blacklist ----------------------------------------------------------------------

class Listing(Protocol):
    """What the blacklist rules read of an entry (the store's record has it)."""

    listed_at: datetime
    expires_at: datetime
    lifted_at: datetime | None


def listing_ends_at(entry: Listing) -> datetime:
    """When ``entry`` stops being in force: its expiry, or its lifting if earlier."""
    if entry.lifted_at is not None and entry.lifted_at < entry.expires_at:
        return entry.lifted_at
    return entry.expires_at


def listing_state(entry: Listing, at: datetime) -> str:
    """``pending`` (listed from a later instant), ``active``, ``expired`` or ``lifted``
    at instant ``at`` (aware). In force from ``listed_at`` (included) to
    :func:`listing_ends_at` (excluded)."""
    at = as_utc(at, field="at")
    if at < entry.listed_at:
        return "pending"
    if at < listing_ends_at(entry):
        return "active"
    return "lifted" if listing_ends_at(entry) == entry.lifted_at else "expired"


def is_blacklisted(entries: Iterable[Listing], at: datetime) -> bool:
    """Whether any of ``entries`` (one enterprise's) is in force at ``at``."""
    return any(listing_state(e, at) == "active" for e in entries)


def listing_problems(*, enterprise_id: str, reason: str, listed_at: datetime,
                     expires_at: datetime | None, decided_by: str, known_enterprises: Iterable[str],
                     current: Iterable[Listing] = ()) -> list[Problem]:
    """Everything wrong with a new blacklist entry, at once.

    ``current`` holds the enterprise's entries already kept: a new one may not overlap
    one that has not ended (lift or let it expire first). ``expires_at`` None: not
    known (its text was refused already), so nothing is checked against it.
    """
    problems = []
    if enterprise_id not in set(known_enterprises):
        problems.append(Problem("no such enterprise in the data set", field="enterprise",
                                value=enterprise_id))
    if not (reason or "").strip():
        problems.append(Problem("say why the enterprise is listed", field="reason",
                                value=reason))
    if not (decided_by or "").strip():
        problems.append(Problem("say who decided", field="decided_by", value=decided_by))
    times_ok = expires_at is not None
    for name, value in (("listed_at", listed_at), ("until", expires_at)):
        if value is None:
            continue
        try:
            as_utc(value, field=name)
        except ValueError as exc:
            problems.append(Problem(str(exc), field=name, value=str(value)))
            times_ok = False
    if times_ok and expires_at <= listed_at:
        problems.append(Problem(f"must be after the listing ({listed_at.isoformat()})",
                                field="until", value=expires_at.isoformat()))
    if times_ok:
        for entry in current:
            if listing_ends_at(entry) > listed_at and entry.listed_at < expires_at:
                problems.append(Problem(
                    f"already listed until {listing_ends_at(entry).isoformat()}: lift that "
                    "entry first", field="enterprise", value=enterprise_id))
    return problems
