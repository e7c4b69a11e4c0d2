"""Solvers behind :mod:`command.dispatch.assign` (private): min-cost flow and CP-SAT.

Both work on *groups*: units of one capability whose ETA rows (to incidents and to
zones) are identical, e.g. the three engines of one fire station. Units in a group are
interchangeable, so the models count how many of a group go to each incident instead of
choosing among identical units; this removes the symmetry that would otherwise make
proofs of optimality slow on real fleets.

ETAs are rounded *down* to whole seconds for the solvers, so the integer objective never
exceeds the exact one and the solver's bound is a valid bound on the exact objective.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model

from command.dispatch._assign_core import Prepared

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Groups:
    """Interchangeable units. ``members[g]`` are unit indices (ascending); ``capk[g]`` the
    capability index; ``eta[g]`` the whole-second ETA row (-1 where unreachable);
    ``cand[i]`` the groups that may go to incident i, with their upper bounds."""

    members: tuple[np.ndarray, ...]
    capk: np.ndarray
    eta: np.ndarray
    cand: tuple[tuple[tuple[int, int], ...], ...]
    horizon: int

    @property
    def size(self) -> np.ndarray:
        return np.array([len(m) for m in self.members], dtype=np.int64)


def make_groups(prep: Prepared) -> Groups:
    useful = (prep.capk >= 0) & (prep.reach & (prep.demand[:, np.maximum(prep.capk, 0)].T > 0)
                                 ).any(axis=1)
    keys: dict[tuple, list[int]] = {}
    for u in np.flatnonzero(useful):
        key = (int(prep.capk[u]), prep.eta[u].tobytes(), prep.cover[u].tobytes())
        keys.setdefault(key, []).append(int(u))
    members = tuple(np.array(v, dtype=np.int64) for v in keys.values())
    capk = np.array([k[0] for k in keys], dtype=np.int64)
    rep = np.array([m[0] for m in members], dtype=np.int64)
    eta = np.where(prep.reach[rep], np.floor(np.where(prep.reach[rep], prep.eta[rep], 0)), -1)
    eta = eta.astype(np.int64).reshape(len(members), prep.m)
    cand: list[tuple[tuple[int, int], ...]] = []
    for i in range(prep.m):
        row = []
        for g in range(len(members)):
            d = prep.demand[i, capk[g]]
            if d > 0 and eta[g, i] >= 0:
                row.append((g, int(min(len(members[g]), d))))
        cand.append(tuple(row))
    return Groups(members=members, capk=capk, eta=eta, cand=tuple(cand),
                  horizon=int(math.ceil(prep.horizon_s)))


def counts_to_units(groups: Groups, counts: dict[tuple[int, int], int], n: int) -> np.ndarray:
    """Concrete units from per-(group, incident) counts: members in index order, incidents
    in index order."""
    to_inc = np.full(n, -1, dtype=np.int64)
    used = np.zeros(len(groups.members), dtype=np.int64)
    for (g, i), c in sorted(counts.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if c > 0:
            to_inc[groups.members[g][used[g]: used[g] + c]] = i
            used[g] += c
    return to_inc


def units_to_counts(groups: Groups, to_inc: np.ndarray) -> dict[tuple[int, int], int]:
    counts: dict[tuple[int, int], int] = {}
    for g, mem in enumerate(groups.members):
        for i in to_inc[mem]:
            if i >= 0:
                counts[(g, int(i))] = counts.get((g, int(i)), 0) + 1
    return counts


def solve_flow(prep: Prepared, groups: Groups) -> tuple[np.ndarray, int]:
    """Lexicographic min-cost flow: the most priority-weighted demand served, then the
    least priority-weighted sum of ETAs. Returns the solution and its served weight."""
    slots = [(i, k) for i in range(prep.m) for k in np.flatnonzero(prep.demand[i])]
    total = int(sum(prep.demand[i, k] for i, k in slots))
    if total == 0 or not groups.members:
        return np.full(prep.n, -1, dtype=np.int64), 0
    # BIG exceeds any weighted ETA sum, so one more weighted unit served always wins.
    big = int(sum(prep.w[i] * prep.demand[i, k] for i, k in slots)) * (groups.horizon + 1) + 1
    G = len(groups.members)
    source, sink = 0, 1
    slot_node = {s: 2 + G + j for j, s in enumerate(slots)}
    flow = min_cost_flow.SimpleMinCostFlow()
    size = groups.size
    for g in range(G):
        flow.add_arc_with_capacity_and_unit_cost(source, 2 + g, int(size[g]), 0)
    arcs: list[tuple[int, int, int]] = []
    for i, row in enumerate(groups.cand):
        for g, ub in row:
            k = int(groups.capk[g])
            cost = int(prep.w[i]) * (int(groups.eta[g, i]) - big)
            arcs.append((flow.add_arc_with_capacity_and_unit_cost(
                2 + g, slot_node[(i, k)], ub, cost), g, i))
    for (i, k), node in slot_node.items():
        flow.add_arc_with_capacity_and_unit_cost(node, sink, int(prep.demand[i, k]), 0)
    flow.add_arc_with_capacity_and_unit_cost(source, sink, total, 0)
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    status = flow.solve()
    if status != flow.OPTIMAL:  # cannot happen on a balanced network with a bypass arc
        raise RuntimeError(f"min-cost flow failed with status {status}")
    counts = {(g, i): int(flow.flow(a)) for a, g, i in arcs if flow.flow(a) > 0}
    served = sum(int(prep.w[i]) * c for (g, i), c in counts.items())
    return counts_to_units(groups, counts, prep.n), served


@dataclass(frozen=True)
class CpOutcome:
    status: str  # OPTIMAL, FEASIBLE, or the CP-SAT status name when there is no solution
    to_inc: np.ndarray | None
    objective: float | None  # integer model, seconds
    bound: float | None
    seconds: float


def solve_cpsat(prep: Prepared, groups: Groups, *, hint: np.ndarray, served_min: int,
                time_limit_s: float, seed: int, workers: int) -> CpOutcome:
    """The full model: first arrival + full complement (+ uncovered zones) with CP-SAT.

    ``served_min`` is the best priority-weighted demand served (from the flow); plans
    must serve at least that much, so time never buys a smaller response.
    """
    t0 = time.perf_counter()
    H = groups.horizon
    m, G = prep.m, len(groups.members)
    size = groups.size
    full_service = served_min == int((prep.demand.sum(axis=1) * prep.w).sum())

    model = cp_model.CpModel()
    # variables: n[g,i] units of group g sent to i; b[g,i] at least one; f[g,i] first unit
    n: dict[tuple[int, int], cp_model.IntVar] = {}
    b: dict[tuple[int, int], cp_model.IntVar] = {}
    f: dict[tuple[int, int], cp_model.IntVar] = {}
    for i, row in enumerate(groups.cand):
        for g, ub in row:
            b[g, i] = model.new_bool_var(f"sent_g{g}_i{i}")
            if ub == 1:
                n[g, i] = b[g, i]
            else:
                n[g, i] = model.new_int_var(0, ub, f"count_g{g}_i{i}")
                model.add(n[g, i] >= b[g, i])
                model.add(n[g, i] <= ub * b[g, i])
            f[g, i] = model.new_bool_var(f"first_g{g}_i{i}")
            model.add_implication(f[g, i], b[g, i])

    # constraints: a unit goes to one incident at most
    by_group: list[list[int]] = [[] for _ in range(G)]
    for (g, i) in n:
        by_group[g].append(i)
    for g, incs in enumerate(by_group):
        if sum(min(int(size[g]), int(prep.demand[i, groups.capk[g]])) for i in incs) > size[g]:
            model.add(sum(n[g, i] for i in incs) <= int(size[g]))

    # demand: never more than asked; at least the best weighted amount served overall
    served_terms = []
    first_terms, last_vars = [], []
    last_of: dict[int, cp_model.IntVar] = {}
    complete_of: dict[int, cp_model.IntVar] = {}
    for i in range(m):
        if not prep.has_demand[i]:
            continue
        w = int(prep.w[i])
        row = groups.cand[i]
        full_possible = True
        per_cap: dict[int, list[tuple[int, int]]] = {}
        for g, ub in row:
            per_cap.setdefault(int(groups.capk[g]), []).append((g, ub))
        for k in np.flatnonzero(prep.demand[i]):
            d = int(prep.demand[i, k])
            items = per_cap.get(int(k), [])
            reachable = sum(ub for _, ub in items)
            if reachable < d:
                full_possible = False
            expr = sum(n[g, i] for g, _ in items)
            if items:
                if full_service:
                    model.add(expr == d)
                elif reachable > d:
                    model.add(expr <= d)
                served_terms.append(w * expr)
        if not row:
            first_terms.append(w * H)
            last_vars.append(w * H)
            continue
        # first arrival: the designated first unit's ETA, or H when nobody goes
        fs = [f[g, i] for g, _ in row]
        if full_service:
            model.add_exactly_one(fs)
            first_terms.append(w * sum(int(groups.eta[g, i]) * f[g, i] for g, _ in row))
        else:
            model.add_at_most_one(fs)
            first_terms.append(w * (H + sum((int(groups.eta[g, i]) - H) * f[g, i]
                                            for g, _ in row)))
        # full complement: the latest unit sent when complete, else H
        if not full_possible:
            last_vars.append(w * H)
            continue
        # no plan brings the d-th unit of a capability earlier than the d-th nearest
        lb = 0
        for k, items in per_cap.items():
            etas = np.sort(np.repeat([groups.eta[g, i] for g, _ in items],
                                     [ub for _, ub in items]))
            lb = max(lb, int(etas[int(prep.demand[i, k]) - 1]))
        last = model.new_int_var(lb, H, f"full_complement_i{i}")
        last_of[i] = last
        for g, _ in row:
            model.add(last >= int(groups.eta[g, i]) * b[g, i])
        for k, items in per_cap.items():
            d = int(prep.demand[i, k])
            # the latest arrival is at least the mean of the units of one capability
            model.add(d * last >= sum(int(groups.eta[g, i]) * n[g, i] for g, _ in items))
        if not full_service:
            complete = model.new_bool_var(f"complete_i{i}")
            for k, items in per_cap.items():
                model.add(sum(n[g, i] for g, _ in items) >= int(prep.demand[i, k]) * complete)
            model.add(last >= H - H * complete)
            complete_of[i] = complete
        last_vars.append(w * last)
    if not full_service and served_terms:
        model.add(sum(served_terms) >= served_min)

    # coverage: a (zone, capability) pair is covered while one covering unit stays idle
    penalty = int(math.floor(prep.penalty_s))
    cover_vars = []
    always_idle = np.ones(prep.n, dtype=bool)
    for mem in groups.members:
        always_idle[mem] = False
    if penalty > 0:
        for p in range(len(prep.pairs)):
            if (prep.cover[:, p] & always_idle).any():
                continue  # a unit that goes nowhere covers it in every plan
            gs = [g for g in range(G) if prep.cover[groups.members[g][0], p]]
            y = model.new_bool_var(f"covered_z{prep.pairs[p][0]}_{prep.pairs[p][1]}")
            model.add(y <= sum(int(size[g]) - sum(n[g, i] for i in by_group[g]) for g in gs))
            cover_vars.append((p, gs, y))

    # objective
    model.minimize(sum(first_terms) + sum(last_vars)
                   + penalty * sum(1 - y for _, _, y in cover_vars))

    # hint: the best quick plan, translated to the model's variables
    counts = units_to_counts(groups, hint)
    for (g, i), var in n.items():
        c = counts.get((g, i), 0)
        if var is not b[g, i]:
            model.add_hint(var, c)
        model.add_hint(b[g, i], int(c > 0))
    for i, row in enumerate(groups.cand):
        sent = [g for g, _ in row if counts.get((g, i), 0) > 0]
        first = min(sent, key=lambda g: groups.eta[g, i]) if sent else None
        for g, _ in row:
            model.add_hint(f[g, i], int(g == first))
        complete = all(sum(counts.get((g, i), 0) for g, _ in row if groups.capk[g] == k)
                       >= prep.demand[i, k] for k in np.flatnonzero(prep.demand[i]))
        if i in complete_of:
            model.add_hint(complete_of[i], int(complete))
        if i in last_of:
            model.add_hint(last_of[i], max(groups.eta[g, i] for g in sent) if complete else H)
    idle_hint = hint < 0
    for p, gs, y in cover_vars:
        model.add_hint(y, int(any(idle_hint[groups.members[g]].any() for g in gs)))

    # time limit and solve
    solver = cp_model.CpSolver()
    remaining = time_limit_s - (time.perf_counter() - t0)
    if remaining <= 0.005:
        return CpOutcome("NOT_RUN", None, None, None, time.perf_counter() - t0)
    solver.parameters.max_time_in_seconds = remaining
    solver.parameters.random_seed = int(seed)
    solver.parameters.num_workers = int(workers)
    status = solver.solve(model)
    seconds = time.perf_counter() - t0

    # check status, copy the answer into plain data
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        log.info("assign: CP-SAT returned %s after %.3f s", name, seconds)
        return CpOutcome(name, None, None, None, seconds)
    found = {(g, i): int(solver.value(var)) for (g, i), var in n.items()}
    log.debug("assign: CP-SAT %s objective %.0f bound %.0f in %.3f s (%d groups)", name,
              solver.objective_value, solver.best_objective_bound, seconds, G)
    return CpOutcome(name, counts_to_units(groups, found, prep.n), solver.objective_value,
                     solver.best_objective_bound, seconds)
