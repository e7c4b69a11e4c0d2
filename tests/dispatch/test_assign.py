"""Team assignment: hand-made cases checked by eye, then invariants on random instances.

Priority weights are 1 -> 8, 2 -> 4, 3 -> 2, 4 -> 1. The objective of a plan is
sum_i w_i (first_i + full_i) + 60 s per uncovered (zone, capability); an incident that
gets nobody counts the horizon H (the longest finite ETA + 1 s) for both terms.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from command.dispatch.assign import (
    PRIORITY_WEIGHT,
    AssignmentProblem,
    assign,
    assignment_objective_s,
    greedy_assign,
    validate_problem,
    weighted_first_arrival_s,
    weighted_full_complement_s,
)
from command.errors import DataError
from command.model import response_standards_s

INF = np.inf
STANDARDS = response_standards_s(fire_standard_s=300, ems_standard_s=720)


def engines(etas, priorities=(1, 1), **kw) -> AssignmentProblem:
    """Engines only; every incident demands one engine."""
    etas = np.asarray(etas, dtype=float)
    n, m = etas.shape
    return AssignmentProblem(
        unit_ids=tuple("ABCDEFGH"[:n]), unit_capability=("engine",) * n,
        incident_ids=tuple(f"I{i + 1}" for i in range(m)), incident_priority=tuple(priorities),
        demand={(i, "engine"): 1 for i in range(m)}, eta_s=etas, **kw)


def plan(result) -> dict[str, str]:
    return {a.unit_id: a.incident_id for a in result.assignments}


# --------------------------------------------------------------------------- by eye

# A is 1 min from I1 and 2 min from I2; B is 3 min from I1 but 15 min from I2.
CLASSIC = [[60, 120], [180, 900]]


def test_greedy_loses_when_the_nearest_unit_is_needed_elsewhere():
    p = engines(CLASSIC)
    g = greedy_assign(p)
    assert plan(g) == {"A": "I1", "B": "I2"}
    # 8 * (60 + 60) + 8 * (900 + 900)
    assert g.objective_s == 15360.0
    assert g.full_complement_s == 8 * 60 + 8 * 900 == weighted_full_complement_s(p, g)

    r = assign(p, time_limit_s=5.0, method="cpsat")
    assert plan(r) == {"B": "I1", "A": "I2"}
    assert r.status == "OPTIMAL" and r.method == "cpsat"
    # 8 * (180 + 180) + 8 * (120 + 120)
    assert r.objective_s == 4800.0 == assignment_objective_s(p, r)
    assert r.full_complement_s == 2400.0 == weighted_full_complement_s(p, r)
    assert r.first_arrival_s == 2400.0 == weighted_first_arrival_s(p, r)
    assert r.bound_s == pytest.approx(4800.0)


def test_classic_reasons_say_why_the_nearest_unit_was_not_sent():
    r = assign(engines(CLASSIC), time_limit_s=5.0)
    by_unit = {a.unit_id: a for a in r.assignments}
    b = by_unit["B"]
    assert b.eta_s == 180.0 and b.next_best_unit_id is None and b.next_best_eta_s is None
    assert b.reason_en == ("The nearer A (1.0 min) is needed at I2, so this unit goes, "
                           "arriving in 3.0 min; no other fire engine available")
    assert b.reason_zh == ("更近的A（1.0 分钟）需派往 I2，故派本车，预计 3.0 分钟到达；"
                           "无其他可用水罐/泡沫消防车")
    assert by_unit["A"].reason_en.startswith("Nearest available fire engine, arriving in 2.0 min")


def test_next_best_is_the_nearest_idle_unit_of_the_capability():
    # C is idle after the plan; it is 5 min from I1 and 2.5 min from I2.
    p = engines([[60, 120], [180, 900], [300, 150]])
    r = assign(p, time_limit_s=5.0)
    # Optimal: A -> I1, C -> I2: 8 * 120 + 8 * 300 = 3360 (B -> I1, A -> I2 costs 4800).
    assert plan(r) == {"A": "I1", "C": "I2"} and r.objective_s == 3360.0
    by_unit = {a.unit_id: a for a in r.assignments}
    assert (by_unit["A"].next_best_unit_id, by_unit["A"].next_best_eta_s) == ("B", 180.0)
    assert (by_unit["C"].next_best_unit_id, by_unit["C"].next_best_eta_s) == ("B", 900.0)
    assert by_unit["C"].reason_en == ("The nearer A (2.0 min) is needed at I1, so this unit "
                                      "goes, arriving in 2.5 min; next best B 15.0 min")


def test_unit_names_appear_in_reasons():
    p = engines([[60, 120], [180, 900], [300, 150]],
                unit_names_zh=("甲车", "鄂城中队危化车", "丙车"))
    r = assign(p, time_limit_s=5.0)
    a = next(x for x in r.assignments if x.unit_id == "A")
    assert a.reason_zh == ("最近的可用水罐/泡沫消防车，预计 1.0 分钟到达；"
                           "次优 鄂城中队危化车 3.0 分钟")


def test_first_arrival_and_full_complement_of_a_package():
    # One priority-2 incident (w = 4) needs 2 engines and 1 ambulance.
    p = AssignmentProblem(
        unit_ids=("E1", "E2", "E3", "M1"), unit_capability=("engine",) * 3 + ("ambulance",),
        incident_ids=("X",), incident_priority=(2,),
        demand={(0, "engine"): 2, (0, "ambulance"): 1},
        eta_s=np.array([[240.0], [90.0], [400.0], [300.0]]))
    r = assign(p, time_limit_s=5.0)
    assert plan(r) == {"E1": "X", "E2": "X", "M1": "X"}
    assert r.first_arrival_s == 4 * 90 and r.full_complement_s == 4 * 300
    assert r.status == "OPTIMAL" and r.shortfalls == ()
    e1 = next(a for a in r.assignments if a.unit_id == "E1")
    assert e1.reason_en.startswith("The incident needs 2 x fire engine; this one ranks 2")
    assert (e1.next_best_unit_id, e1.next_best_eta_s) == ("E3", 400.0)


def test_priority_wins_and_the_shortfall_names_mutual_aid():
    # One hazmat unit for two incidents: priority 1 (w 8) gets it over priority 3 (w 2),
    # although it is nearer the second.
    p = AssignmentProblem(
        unit_ids=("H1", "E1"), unit_capability=("hazmat", "engine"),
        incident_ids=("I1", "I2"), incident_priority=(1, 3),
        demand={(0, "hazmat"): 1, (0, "engine"): 1, (1, "hazmat"): 1},
        eta_s=np.array([[300.0, 100.0], [200.0, 50.0]]),
        aid_unit_ids=("AH", "AH2"), aid_capability=("hazmat", "hazmat"),
        aid_eta_s=np.array([[900.0, 600.0], [800.0, 1200.0]]))
    for result in (assign(p, time_limit_s=5.0), greedy_assign(p)):
        assert plan(result) == {"H1": "I1", "E1": "I1"}
        assert result.served_weight == 16 and result.demand_weight == 18
        # I1: 8 * (200 + 300); I2 gets nobody: 2 * (H + H), H = 300 + 1
        assert result.objective_s == 8 * 500 + 2 * 602
        (s,) = result.shortfalls
        assert (s.incident_id, s.capability, s.missing) == ("I2", "hazmat", 1)
        assert s.aid_options == (("AH", 600.0),)
        assert s.reason_en == ("No hazmat unit free: all 1 that can reach it are committed (I1); "
                               "nearest mutual aid AH 10.0 min")


def test_unreachable_units_are_never_sent_and_the_shortfall_says_so():
    p = AssignmentProblem(
        unit_ids=("M1", "M2"), unit_capability=("ambulance", "ambulance"),
        incident_ids=("I1", "I2"), incident_priority=(2, 2),
        demand={(0, "ambulance"): 1, (1, "ambulance"): 1},
        eta_s=np.array([[INF, 200.0], [INF, 100.0]]))
    for result in (assign(p, time_limit_s=5.0), greedy_assign(p)):
        assert plan(result) == {"M2": "I2"}
        (s,) = result.shortfalls
        assert s.incident_id == "I1" and s.missing == 1 and s.aid_options == ()
        assert s.reason_en == "No ambulance can reach it; no mutual-aid option known"
        assert s.reason_zh == "没有能到达的救护车；无可用的增援选项"


def _coverage_problem(e2_eta_s: float, guard: bool = False) -> AssignmentProblem:
    # E1 is the only engine within 300 s of zone Z1; Z2 is out of everyone's reach, so
    # it does not count. One priority-4 incident (w 1) needs one engine. Without the
    # full-complement guard, coverage may delay the arrival (a trade-off at the penalty).
    return AssignmentProblem(full_complement_guard=guard,
        unit_ids=("E1", "E2"), unit_capability=("engine", "engine"),
        incident_ids=("I1",), incident_priority=(4,), demand={(0, "engine"): 1},
        eta_s=np.array([[100.0], [e2_eta_s]]),
        zone_ids=("Z1", "Z2"), eta_zone_s=np.array([[200.0, 900.0], [900.0, 900.0]]),
        zone_required=(("engine",), ("engine",)), standard_s=STANDARDS)


def test_coverage_keeps_a_zone_covered_when_it_costs_less_than_the_penalty():
    # E1: 100 + 100 + 60 (Z1 uncovered) = 260; E2 at 120 s: 240 -> send E2.
    r = assign(_coverage_problem(120.0), time_limit_s=5.0)
    assert plan(r) == {"E2": "I1"} and r.objective_s == 240.0 and r.uncovered == ()
    (a,) = r.assignments
    assert (a.next_best_unit_id, a.next_best_eta_s) == ("E1", 100.0)
    assert a.reason_en == ("The nearer E1 (1.7 min) stays to keep zone Z1 covered; this unit "
                           "arrives in 2.0 min; next best E1 1.7 min")
    # The greedy baseline does not look at coverage.
    g = greedy_assign(_coverage_problem(120.0))
    assert plan(g) == {"E1": "I1"} and g.objective_s == 260.0
    assert g.uncovered == (("Z1", "engine"),) and g.coverage_s == 60.0


def test_guard_keeps_the_full_complement_no_later_than_greedy():
    # The same trade-off with the guard (the default): sending E2 would make the full
    # complement 20 s later than greedy's E1, so E1 goes and Z1 stays uncovered.
    r = assign(_coverage_problem(120.0, guard=True), time_limit_s=5.0)
    g = greedy_assign(_coverage_problem(120.0, guard=True))
    assert plan(r) == {"E1": "I1"} and r.full_complement_s == g.full_complement_s == 100.0
    assert r.status == "FEASIBLE"  # the unguarded optimum (E2, 240) was set aside
    assert r.uncovered == (("Z1", "engine"),)
    assert AssignmentProblem.__dataclass_fields__["full_complement_guard"].default is True


def test_guard_never_sends_fewer_units_than_the_optimum():
    # Greedy sends U1 (0 s) to I0 and nothing can reach I1 then; the optimum sends U0
    # to I0 (2 s) and U1 to I1: a later full complement at I0, but one more incident
    # served. The guard keeps the plan that serves more (found by hypothesis).
    p = AssignmentProblem(
        unit_ids=("U0", "U1"), unit_capability=("ambulance", "ambulance"),
        incident_ids=("I0", "I1", "I2"), incident_priority=(1, 1, 1),
        demand={(0, "ambulance"): 1, (1, "ambulance"): 1, (1, "hazmat"): 1},
        eta_s=np.array([[2.0, np.inf, np.inf], [0.0, 0.0, np.inf]]))
    r, g = assign(p, time_limit_s=2.0), greedy_assign(p)
    assert plan(r) == {"U0": "I0", "U1": "I1"} and r.served_weight == 16 > g.served_weight
    assert r.bound_s is None or r.bound_s <= r.objective_s + 1e-6


def test_coverage_gives_way_when_it_costs_more_than_the_penalty():
    # E2 at 140 s: 280 > 260 -> send E1 and leave Z1 uncovered.
    r = assign(_coverage_problem(140.0), time_limit_s=5.0)
    assert plan(r) == {"E1": "I1"} and r.objective_s == 260.0
    assert r.uncovered == (("Z1", "engine"),)


def test_weights_can_drop_the_first_arrival_term():
    p = engines(CLASSIC, first_arrival_weight=0)
    r = assign(p, time_limit_s=5.0)
    assert r.objective_s == r.full_complement_s == 8 * 180 + 8 * 120


def test_greedy_serves_priority_then_creation_order():
    # One ambulance; I1 (priority 2) was created before I2 and I3 (priority 1).
    p = AssignmentProblem(
        unit_ids=("M1", "M2"), unit_capability=("ambulance",) * 2,
        incident_ids=("I1", "I2", "I3"), incident_priority=(2, 1, 1),
        demand={(i, "ambulance"): 1 for i in range(3)},
        eta_s=np.array([[100.0, 300.0, 300.0], [100.0, 400.0, 400.0]]))
    assert plan(greedy_assign(p)) == {"M1": "I2", "M2": "I3"}


def test_fallback_when_the_solver_has_no_time():
    r = assign(engines(CLASSIC), time_limit_s=1e-4)
    assert r.status == "FALLBACK" and r.method in ("flow", "greedy")
    assert sorted(plan(r)) == ["A", "B"]
    assert r.bound_s == 8 * (60 + 60) + 8 * (120 + 120)  # each incident as if alone


def test_flow_method_is_a_heuristic_with_a_status():
    r = assign(engines(CLASSIC), time_limit_s=5.0, method="flow")
    assert r.method in ("flow", "greedy") and r.status in ("OPTIMAL", "FEASIBLE")
    assert r.objective_s == 4800.0  # the swap of the local search finds it


def test_auto_proves_optimality_without_the_solver_when_the_bound_is_met():
    r = assign(engines([[60, 900], [900, 120]]), time_limit_s=5.0)
    assert r.status == "OPTIMAL" and r.method in ("flow", "greedy")
    assert r.objective_s == r.bound_s == 8 * 120 + 8 * 240


# --------------------------------------------------------------------------- validation

def _valid(**changes) -> AssignmentProblem:
    base = dict(unit_ids=("A", "B"), unit_capability=("engine", "ambulance"),
                incident_ids=("I1",), incident_priority=(1,),
                demand={(0, "engine"): 1, (0, "ambulance"): 1},
                eta_s=np.array([[60.0], [90.0]]))
    base.update(changes)
    return AssignmentProblem(**base)


@pytest.mark.parametrize("changes, field, value", [
    (dict(demand={(0, "engine"): -1}), "demand[(0, 'engine')]", "-1"),
    (dict(demand={(3, "engine"): 1}), "demand", "(3, 'engine')"),
    (dict(eta_s=np.zeros((2, 2))), "eta_s", "(2, 2)"),
    (dict(eta_s=np.array([[60.0], [np.nan]])), "eta_s[1, 0]", "nan"),
    (dict(eta_s=np.array([[-5.0], [90.0]])), "eta_s[0, 0]", "-5.0"),
    (dict(unit_capability=("engine", "spaceship")), "unit_capability[1]", "spaceship"),
    (dict(demand={(0, "spaceship"): 1}), "demand[(0, 'spaceship')]", "spaceship"),
    (dict(incident_priority=(7,)), "incident_priority[0]", "7"),
    (dict(unit_ids=("A", "A")), "unit_ids", "'A'"),
    (dict(zone_ids=("Z",), eta_zone_s=np.zeros((2, 1)), zone_required=(("ladder",),)),
     "standard_s", "ladder"),
])
def test_bad_problems_are_refused_naming_field_and_value(changes, field, value):
    with pytest.raises(DataError) as err:
        validate_problem(_valid(**changes))
    assert f"field '{field}'" in str(err.value) and value in str(err.value)
    with pytest.raises(DataError):
        assign(_valid(**changes), time_limit_s=1.0)


def test_every_problem_is_reported_at_once():
    with pytest.raises(DataError) as err:
        validate_problem(_valid(demand={(0, "engine"): -2}, incident_priority=(0,)))
    assert len(err.value.problems) == 2


def test_bad_method_and_time_limit():
    with pytest.raises(DataError, match="method"):
        assign(_valid(), time_limit_s=1.0, method="magic")
    with pytest.raises(DataError, match="time_limit_s"):
        assign(_valid(), time_limit_s=0)


def test_the_weights_live_in_one_place():
    assert PRIORITY_WEIGHT == {1: 8, 2: 4, 3: 2, 4: 1}


# --------------------------------------------------------------------------- properties

CAPS = ("engine", "ambulance", "hazmat")


@st.composite
def problems(draw, max_units=8, max_incidents=3, zones=True):
    n = draw(st.integers(1, max_units))
    m = draw(st.integers(1, max_incidents))
    caps = tuple(draw(st.sampled_from(CAPS)) for _ in range(n))
    prio = tuple(draw(st.integers(1, 4)) for _ in range(m))
    demand = {}
    for i in range(m):
        for c in CAPS:
            d = draw(st.integers(0, 2))
            if d:
                demand[(i, c)] = d
    cell = st.one_of(st.integers(0, 1200).map(float), st.just(INF))
    eta = np.array([[draw(cell) for _ in range(m)] for _ in range(n)], dtype=float)
    kw = {}
    if zones and draw(st.booleans()):
        z = draw(st.integers(1, 3))
        kw = dict(zone_ids=tuple(f"Z{j}" for j in range(z)),
                  eta_zone_s=np.array([[float(draw(st.integers(0, 1000))) for _ in range(z)]
                                       for _ in range(n)]),
                  zone_required=(("engine", "ambulance"),) * z, standard_s=STANDARDS,
                  uncovered_penalty_s=float(draw(st.sampled_from([0, 60, 500]))))
    aid = draw(st.integers(0, 2))
    if aid:
        kw.update(aid_unit_ids=tuple(f"X{a}" for a in range(aid)),
                  aid_capability=tuple(draw(st.sampled_from(CAPS)) for _ in range(aid)),
                  aid_eta_s=np.array([[draw(cell) for _ in range(m)] for _ in range(aid)]))
    return AssignmentProblem(
        unit_ids=tuple(f"U{u}" for u in range(n)), unit_capability=caps,
        incident_ids=tuple(f"I{i}" for i in range(m)), incident_priority=prio,
        demand=demand, eta_s=eta, **kw)


def check_plan(p: AssignmentProblem, r) -> None:
    """The invariants every plan must keep, recomputed from the matrices."""
    unit = {u: j for j, u in enumerate(p.unit_ids)}
    inc = {x: i for i, x in enumerate(p.incident_ids)}
    sent = [a.unit_id for a in r.assignments]
    assert len(sent) == len(set(sent)), "a unit is used twice"
    count: dict[tuple[int, str], int] = {}
    for a in r.assignments:
        u, i = unit[a.unit_id], inc[a.incident_id]
        assert p.unit_capability[u] == a.capability, "capability mismatch"
        assert a.eta_s == p.eta_s[u, i] and np.isfinite(a.eta_s), "ETA not from the matrix"
        count[(i, a.capability)] = count.get((i, a.capability), 0) + 1
        idle = [v for v in range(len(p.unit_ids)) if p.unit_ids[v] not in sent
                and p.unit_capability[v] == a.capability and np.isfinite(p.eta_s[v, i])]
        if a.next_best_unit_id is None:
            assert not idle
        else:
            v = unit[a.next_best_unit_id]
            assert v in idle and a.next_best_eta_s == p.eta_s[v, i]
            assert a.next_best_eta_s == min(p.eta_s[x, i] for x in idle)
            if not p.zone_ids or p.uncovered_penalty_s == 0:
                # nothing else to gain: an idle unit nearer than the one sent is a waste
                assert a.next_best_eta_s >= a.eta_s
        assert f"{a.eta_s / 60:.1f}" in a.reason_en and f"{a.eta_s / 60:.1f}" in a.reason_zh
    for key, c in count.items():
        assert c <= p.demand.get(key, 0), "demand over-served"
    missing = {(s.incident_id, s.capability): s.missing for s in r.shortfalls}
    for (i, c), d in p.demand.items():
        got = count.get((i, c), 0)
        assert missing.get((p.incident_ids[i], c), 0) == d - got
    for s in r.shortfalls:
        assert all(p.aid_capability[p.aid_unit_ids.index(a)] == s.capability
                   for a, _ in s.aid_options)
        assert len(s.aid_options) <= s.missing
    assert weighted_full_complement_s(p, r) == pytest.approx(r.full_complement_s)
    assert weighted_first_arrival_s(p, r) == pytest.approx(r.first_arrival_s)
    if r.bound_s is not None:
        assert r.bound_s <= r.objective_s + 1e-6


def brute_force(p: AssignmentProblem) -> tuple[int, float]:
    """Best (served weight, objective) over every plan, written independently."""
    n, m = len(p.unit_ids), len(p.incident_ids)
    eta = np.asarray(p.eta_s, dtype=float)
    finite = eta[np.isfinite(eta)]
    H = float(np.floor(finite.max()) + 1) if finite.size else 1.0
    w = [PRIORITY_WEIGHT[x] for x in p.incident_priority]
    pairs = []
    for z, req in enumerate(p.zone_required):
        for c in req:
            coverers = [u for u in range(n) if p.unit_capability[u] == c
                        and p.eta_zone_s[u, z] <= p.standard_s[c]]
            if coverers:
                pairs.append(coverers)
    best = None
    for choice in itertools.product(range(-1, m), repeat=n):
        count: dict[tuple[int, str], int] = {}
        ok = True
        for u, i in enumerate(choice):
            if i < 0:
                continue
            key = (i, p.unit_capability[u])
            count[key] = count.get(key, 0) + 1
            if count[key] > p.demand.get(key, 0) or not np.isfinite(eta[u, i]):
                ok = False
                break
        if not ok:
            continue
        served = sum(w[i] * c for (i, _), c in count.items())
        total = 0.0
        for i in range(m):
            if not any(d > 0 for (j, _), d in p.demand.items() if j == i):
                continue
            etas = [eta[u, i] for u in range(n) if choice[u] == i]
            complete = all(count.get((j, c), 0) >= d for (j, c), d in p.demand.items() if j == i)
            total += w[i] * ((min(etas) if etas else H) + (max(etas) if etas and complete else H))
        total += p.uncovered_penalty_s * sum(all(choice[u] >= 0 for u in cov) for cov in pairs)
        key = (-served, total)
        if best is None or key < best:
            best = key
    return -best[0], best[1]


FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FAST
@given(problems())
def test_property_optimiser_plans_are_feasible_and_explained(p):
    r = assign(p, time_limit_s=5.0, workers=1)
    check_plan(p, r)


@FAST
@given(problems())
def test_property_greedy_plans_are_feasible_and_explained(p):
    check_plan(p, greedy_assign(p))


@FAST
@given(problems())
def test_property_fallback_plans_are_feasible(p):
    r = assign(p, time_limit_s=1e-4)
    assert r.status in ("FALLBACK", "OPTIMAL", "FEASIBLE")
    check_plan(p, r)


@FAST
@given(problems())
def test_property_optimiser_never_worse_than_greedy(p):
    r = assign(p, time_limit_s=5.0, workers=1)
    g = greedy_assign(p)
    assert r.served_weight >= g.served_weight
    if r.served_weight == g.served_weight:
        assert r.objective_s <= g.objective_s + 1e-9


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_units=6, max_incidents=2))
def test_property_optimal_means_optimal(p):
    """On whole-second ETAs the model is exact, so OPTIMAL must match brute force. (The
    full-complement guard may hand back greedy's plan instead; it has its own tests.)"""
    p = dataclasses.replace(p, full_complement_guard=False)
    r = assign(p, time_limit_s=5.0, method="cpsat", workers=1)
    assert r.status == "OPTIMAL"
    served, objective = brute_force(p)
    assert r.served_weight == served
    assert r.objective_s == pytest.approx(objective)


@pytest.mark.parametrize("seed", range(8))
def test_random_float_instances_beat_or_match_greedy(seed):
    """Fractional ETAs (the model rounds them down) on surges of 6 incidents."""
    rng = np.random.default_rng(seed)
    n, m = 40, 6
    units, incidents = rng.uniform(0, 20_000, (n, 2)), rng.uniform(5_000, 15_000, (m, 2))
    eta = 60 + 1.35 * np.linalg.norm(units[:, None] - incidents[None], axis=2) / 12.5
    caps = tuple(rng.choice(["engine", "engine", "ambulance", "hazmat"], n))
    demand = {(i, "engine"): int(rng.integers(1, 3)) for i in range(m)}
    demand.update({(i, "ambulance"): 1 for i in range(m)})
    demand[(0, "hazmat")] = 1
    p = AssignmentProblem(unit_ids=tuple(f"U{u}" for u in range(n)), unit_capability=caps,
                          incident_ids=tuple(f"I{i}" for i in range(m)),
                          incident_priority=tuple(int(x) for x in rng.integers(1, 5, m)),
                          demand=demand, eta_s=eta, full_complement_guard=False)
    r, g = assign(p, time_limit_s=5.0, workers=1), greedy_assign(p)
    check_plan(p, r)
    assert r.served_weight >= g.served_weight
    assert r.objective_s <= g.objective_s + 1e-9
    assert r.status == "OPTIMAL"
    # with the guard the plan never has a later full complement than greedy
    guarded = assign(dataclasses.replace(p, full_complement_guard=True), time_limit_s=5.0,
                     workers=1)
    check_plan(p, guarded)
    assert guarded.full_complement_s <= g.full_complement_s + 1e-6
    assert guarded.objective_s <= g.objective_s + 1e-9
    assert (guarded.status == "OPTIMAL") == (r.full_complement_s <= g.full_complement_s + 1e-6)
