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
from command.dispatch._cpsat import solve_cp_model

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
    if prep.caps:
        wanted = prep.demand[:, np.maximum(prep.capk, 0)].T > 0  # (n, m)
        useful = (prep.capk >= 0) & (prep.reach & wanted).any(axis=1)
    else:
        useful = np.zeros(prep.n, dtype=bool)
    keys: dict[tuple, list[int]] = {}
    for u in np.flatnonzero(useful):
        key = (int(prep.capk[u]), prep.eta[u].tobytes(), prep.cover[u].tobytes())
        keys.setdefault(key, []).append(int(u))
    members = tuple(np.array(v, dtype=np.int64) for v in keys.values())
    capk = np.array([k[0] for k in keys], dtype=np.int64)
    rep = np.array([m[0] for m in members], dtype=np.int64)
    reach = prep.reach[rep].reshape(len(members), prep.m)
    eta = np.where(reach, np.floor(np.where(reach, prep.eta[rep].reshape(reach.shape), 0)), -1)
    eta = eta.astype(np.int64)
    # Candidates, with an exact dominance rule: a group is not a candidate for incident i
    # when at least D_k units of its capability (D_k: its total demand over all
    # incidents) are strictly nearer to i and cover no zone it does not cover. In any
    # plan sending it, one of those units is idle and could go instead without making
    # any arrival later or any zone uncovered, so some optimal plan never sends it.
    total = prep.demand.sum(axis=0)
    cov = prep.cover[rep].reshape(len(members), prep.cover.shape[1])
    subset = ~(cov[:, None, :] & ~cov[None, :, :]).any(axis=2)  # [g', g]: cover g' <= g
    size = np.array([len(mm) for mm in members], dtype=np.int64)
    exact = prep.eta[rep].reshape(len(members), prep.m)
    cand: list[tuple[tuple[int, int], ...]] = []
    for i in range(prep.m):
        row = []
        for k in np.flatnonzero(prep.demand[i]):
            gs = np.flatnonzero((capk == k) & (eta[:, i] >= 0))
            e = exact[gs, i]
            # units in groups g' nearer than g whose cover is within g's, for every g
            dominated_by = size[gs] @ ((e[:, None] < e[None, :]) & subset[np.ix_(gs, gs)])
            d = int(prep.demand[i, k])
            row.extend((int(g), int(min(size[g], d)))
                       for g, c in zip(gs, dominated_by, strict=False) if c < total[k])
        cand.append(tuple(sorted(row)))
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
    status: str  # a SolverRun status: OPTIMAL, FEASIBLE, INFEASIBLE or NOT_SOLVED
    to_inc: np.ndarray | None
    objective: float | None  # integer model, seconds
    bound: float | None
    seconds: float


def solve_cpsat(prep: Prepared, groups: Groups, *, hint: np.ndarray, served_min: int,
                time_limit_s: float, seed: int, workers: int) -> CpOutcome:
    """The full model: first arrival + full complement (+ uncovered zones) with CP-SAT.

    ``served_min`` is the best priority-weighted demand served (from the flow); plans
    must serve at least that much, so time never buys a smaller response.

    Both arrival times are modelled as staircases over the distinct ETAs of the
    incident's candidates ``t_0 < t_1 < ...`` (plus the horizon H when the incident may
    stay incomplete): ``first = t_0 + sum_j (t_j - t_{j-1}) * o_j`` with ``o_j`` "no
    unit sent arrives before t_j", and ``full = t'_0 + sum_j (t'_j - t'_{j-1}) * a_j``
    with ``a_j`` "some unit sent arrives at t'_j or later". Unlike big-M max/min
    constraints this keeps the LP relaxation close to a transportation problem, which
    is what lets CP-SAT prove optimality on real surges.
    """
    t0 = time.perf_counter()
    H = groups.horizon
    m, G = prep.m, len(groups.members)
    size = groups.size
    full_service = served_min == int((prep.demand.sum(axis=1) * prep.w).sum())
    Sum, WSum = cp_model.LinearExpr.sum, cp_model.LinearExpr.weighted_sum
    hint_idx: list[int] = []
    hint_val: list[int] = []

    def hinted(var, value) -> None:
        hint_idx.append(var.index)
        hint_val.append(int(value))

    counts = units_to_counts(groups, hint)
    # plain Python numbers: numpy scalar access dominates the build time otherwise
    eta_l, capk_l, size_l = groups.eta.tolist(), groups.capk.tolist(), size.tolist()
    demand_l, w_l = prep.demand.tolist(), prep.w.tolist()
    model = cp_model.CpModel()
    # variables: n[g,i] units of group g sent to i; b[g,i] at least one of them
    n: dict[tuple[int, int], cp_model.IntVar] = {}
    b: dict[tuple[int, int], cp_model.IntVar] = {}
    for i, row in enumerate(groups.cand):
        for g, ub in row:
            c = counts.get((g, i), 0)
            b[g, i] = model.new_bool_var(f"sent_g{g}_i{i}")
            hinted(b[g, i], c > 0)
            if ub == 1:
                n[g, i] = b[g, i]
            else:
                n[g, i] = model.new_int_var(0, ub, f"count_g{g}_i{i}")
                hinted(n[g, i], c)
                model.add(n[g, i] >= b[g, i])
                model.add(n[g, i] <= ub * b[g, i])

    # constraints: a unit goes to one incident at most
    by_group: list[list[int]] = [[] for _ in range(G)]
    for (g, i) in n:
        by_group[g].append(i)
    used: list = [None] * G
    for g, incs in enumerate(by_group):
        if len(incs) == 1:
            used[g] = n[g, incs[0]]
        elif incs:
            used[g] = model.new_int_var(0, size_l[g], f"used_g{g}")
            model.add(used[g] == Sum([n[g, i] for i in incs]))
            hinted(used[g], sum(counts.get((g, i), 0) for i in incs))

    served_terms, served_weights = [], []
    objective: list = []
    weights: list[int] = []
    constant = 0
    for i in range(m):
        if not prep.has_demand[i]:
            continue
        w = w_l[i]
        row = groups.cand[i]
        eta = {g: eta_l[g][i] for g, _ in row}
        per_cap: dict[int, list[tuple[int, int]]] = {}
        for g, ub in sorted(row, key=lambda r: eta[r[0]]):
            per_cap.setdefault(capk_l[g], []).append((g, ub))
        demanded = [k for k, d in enumerate(demand_l[i]) if d > 0]
        full_possible = True
        for k in demanded:
            d = demand_l[i][k]
            items = per_cap.get(k, [])
            reachable = sum(ub for _, ub in items)
            full_possible &= reachable >= d
            if items:
                expr = Sum([n[g, i] for g, _ in items])
                if full_service:
                    model.add(expr == d)
                elif reachable > d:
                    model.add(expr <= d)
                served_terms.extend(n[g, i] for g, _ in items)
                served_weights.extend([w] * len(items))
        if not row:
            constant += (prep.a_first + prep.a_full) * w * H
            continue
        sent = [eta[g] for g, _ in row if counts.get((g, i), 0) > 0]
        complete = all(sum(counts.get((g, i), 0) for g, _ in per_cap.get(k, []))
                       >= demand_l[i][k] for k in demanded)
        first_hint = min(sent) if sent else H
        last_hint = max(sent) if sent and complete else H
        levels = sorted(set(eta.values()))
        at_level: dict[int, list[int]] = {}
        for g, _ in row:
            at_level.setdefault(eta[g], []).append(g)

        # first arrival: o_j = 1 when no unit sent arrives before lv[j]; o_0 = 1
        lv = levels + ([] if full_service else [H]) if prep.a_first else []
        constant += prep.a_first * w * (lv[0] if lv else 0)
        prev = None
        for j in range(1, len(lv)):
            o = model.new_bool_var(f"first_after_{lv[j]}s_i{i}")
            hinted(o, first_hint >= lv[j])
            below = [b[g, i] for g in at_level[lv[j - 1]]]
            model.add(Sum([o] + below) >= (1 if prev is None else prev))
            objective.append(o)
            weights.append(prep.a_first * w * (lv[j] - lv[j - 1]))
            prev = o

        # full complement: a_j = 1 when some unit sent arrives at lc[j] or later
        if not prep.a_full:
            continue
        if not full_possible:
            constant += prep.a_full * w * H
            continue
        # no plan brings the d-th unit of a capability earlier than the d-th nearest
        lb = 0
        for k, items in per_cap.items():
            etas = np.repeat([eta[g] for g, _ in items], [ub for _, ub in items])
            lb = max(lb, int(etas[demand_l[i][k] - 1]))
        lc = [lb] + [t for t in levels if t > lb] + ([] if full_service else [H])
        index = {t: j for j, t in enumerate(lc)}
        constant += prep.a_full * w * lb
        a = [None]
        for j in range(1, len(lc)):
            a.append(model.new_bool_var(f"full_at_{lc[j]}s_i{i}"))
            hinted(a[j], last_hint >= lc[j])
            objective.append(a[j])
            weights.append(prep.a_full * w * (lc[j] - lc[j - 1]))
            if j > 1:
                model.add_implication(a[j], a[j - 1])
        for g, _ in row:
            if eta[g] > lb:
                model.add_implication(b[g, i], a[index[eta[g]]])
        # in before lc[j] means every demanded unit in before lc[j]: count[k] >= d (1 - a_j),
        # written on running counts so the model stays linear in size
        for k, items in per_cap.items():
            d = demand_l[i][k]
            pos, running, running_hint = 0, None, 0
            for j in range(1, len(lc)):
                new = []
                while pos < len(items) and eta[items[pos][0]] < lc[j]:
                    new.append(n[items[pos][0], i])
                    running_hint += counts.get((items[pos][0], i), 0)
                    pos += 1
                if new:
                    var = model.new_int_var(0, d, f"count_k{k}_before_{lc[j]}s_i{i}")
                    model.add(var == Sum(new + ([running] if running is not None else [])))
                    hinted(var, min(d, running_hint))
                    running = var
                # the constraint at j implies the one at j-1 when no unit was added between
                nxt = lc[j + 1] if j + 1 < len(lc) else None
                if nxt is None or (pos < len(items) and eta[items[pos][0]] < nxt):
                    model.add(running + d * a[j] >= d)
        if not full_service:
            comp = model.new_bool_var(f"complete_i{i}")
            hinted(comp, complete)
            for k, items in per_cap.items():
                model.add(Sum([n[g, i] for g, _ in items]) >= demand_l[i][k] * comp)
            model.add(a[-1] + comp >= 1)
    if not full_service and served_terms:
        model.add(WSum(served_terms, served_weights) >= served_min)

    # coverage: a (zone, capability) pair is covered while one covering unit stays idle
    penalty = int(math.floor(prep.penalty_s))
    always_idle = np.ones(prep.n, dtype=bool)
    for g, mem in enumerate(groups.members):
        always_idle[mem] = not by_group[g]
    idle_hint = hint < 0
    if penalty > 0:
        for p in range(len(prep.pairs)):
            if (prep.cover[:, p] & always_idle).any():
                continue  # a unit that goes nowhere covers it in every plan
            gs = [g for g in range(G) if prep.cover[groups.members[g][0], p]]
            z, c = prep.pairs[p]
            y = model.new_bool_var(f"covered_z{z}_{c}")
            hinted(y, any(idle_hint[groups.members[g]].any() for g in gs))
            model.add(y + Sum([used[g] for g in gs]) <= int(size[gs].sum()))
            # uncovered costs the penalty: penalty * (1 - y)
            constant += penalty
            objective.append(y)
            weights.append(-penalty)

    # objective
    model.minimize(WSum(objective, weights) + constant)
    model.proto.solution_hint.vars.extend(hint_idx)
    model.proto.solution_hint.values.extend(hint_val)

    # time limit and solve
    # Measured on surges of 6-30 incidents: presolve (probing above all) spends most of a
    # 2 s budget on this model and finds nothing it cannot find faster while searching.
    build_s = time.perf_counter() - t0
    run, solver = solve_cp_model(model, time_limit_s=time_limit_s - build_s, seed=seed,
                                 workers=workers, parameters={"cp_model_presolve": False})
    seconds = time.perf_counter() - t0

    # check status, copy the answer into plain data
    if solver is None or run.objective is None:
        log.info("assign: CP-SAT returned %s after %.3f s", run.status, seconds)
        return CpOutcome(run.status, None, None, None, seconds)
    found = {(g, i): int(solver.value(var)) for (g, i), var in n.items()}
    log.debug("assign: CP-SAT %s objective %.0f bound %.0f in %.3f s (model %.3f s, %d groups,"
              " %d pairs)", run.status, run.objective, run.bound, seconds, build_s, G, len(n))
    return CpOutcome(run.status, counts_to_units(groups, found, prep.n), run.objective,
                     run.bound, seconds)
