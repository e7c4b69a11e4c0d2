"""Material allocation: hand-made cases checked by eye, validation, and properties of
random instances checked against an independent LP (scipy's HiGHS)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from command.dispatch.materials import (
    MaterialProblem,
    allocate_materials,
    greedy_materials,
    validate_material_problem,
)
from command.errors import DataError

INF = np.inf
MIN = 60.0


def problem(**kw) -> MaterialProblem:
    """Fill in ids and units from the shapes of ``stock`` and ``demand``."""
    stock = np.asarray(kw["stock"], dtype=float)
    demand = np.asarray(kw["demand"], dtype=float)
    kw.setdefault("depot_ids", tuple(f"D{k}" for k in range(stock.shape[0])))
    kw.setdefault("item_ids", tuple(f"item{k}" for k in range(stock.shape[1])))
    kw.setdefault("item_units", ("件",) * stock.shape[1])
    kw.setdefault("point_ids", tuple(f"P{k}" for k in range(demand.shape[0])))
    kw.setdefault("point_priority", (1,) * demand.shape[0])
    return MaterialProblem(**kw)


def shipped(result, depot, point, item="item0") -> float:
    return sum(s.quantity for s in result.shipments
               if (s.depot_id, s.point_id, s.item_id) == (depot, point, item))


# --------------------------------------------------------------------------- by eye

def test_only_the_nearer_depot_meets_the_deadline():
    # D0 is 10 min away with 5 units, D1 is 50 min away with 100; P0 needs 8 in 30 min.
    p = problem(stock=[[5], [100]], demand=[[8]], deadline_s=[30 * MIN],
                travel_time_s=[[10 * MIN], [50 * MIN]])
    r = allocate_materials(p, time_limit_s=2.0)
    assert r.status == "OPTIMAL"
    assert shipped(r, "D0", "P0") == 5 and shipped(r, "D1", "P0") == 3
    late = [s for s in r.shipments if not s.on_time]
    assert [(s.depot_id, s.quantity, s.travel_time_s) for s in late] == [("D1", 3.0, 3000.0)]
    (line,) = r.unmet
    assert (line.delivered_on_time, line.delivered_late, line.unmet) == (5.0, 3.0, 3.0)
    assert line.reason == "out_of_reach"  # all the stock that can come in time comes
    assert r.unmet_weighted == 8 * 3  # priority 1 weighs 8
    assert r.undelivered_weighted == 0
    assert r.weighted_quantity_s == 8 * (5 * 600 + 3 * 3000)

    no_late = allocate_materials(
        problem(stock=[[5], [100]], demand=[[8]], deadline_s=[30 * MIN],
                travel_time_s=[[10 * MIN], [50 * MIN]], ship_late=False), time_limit_s=2.0)
    assert [(s.depot_id, s.quantity) for s in no_late.shipments] == [("D0", 5.0)]
    assert no_late.unmet[0].unmet == 3 and no_late.undelivered_weighted == 8 * 3


def test_the_nearer_depot_ships_when_both_are_in_time():
    p = problem(stock=[[10], [100]], demand=[[8]], deadline_s=[60 * MIN],
                travel_time_s=[[40 * MIN], [20 * MIN]])
    r = allocate_materials(p, time_limit_s=2.0)
    assert [(s.depot_id, s.quantity, s.on_time) for s in r.shipments] == [("D1", 8.0, True)]
    assert r.unmet == () and r.unmet_weighted == 0


def test_shortage_reports_exactly_what_is_missing():
    # 30 tents in stock, 50 wanted (20 + 30): 20 are missing whatever the plan.
    p = problem(stock=[[12, 5], [18, 0]], demand=[[20, 2], [30, 0]],
                deadline_s=[2 * 3600, 4 * 3600], point_priority=(1, 2),
                item_ids=("tent", "generator"), item_units=("顶", "台"),
                travel_time_s=[[15 * MIN, 30 * MIN], [25 * MIN, 20 * MIN]])
    r = allocate_materials(p, time_limit_s=2.0)
    tent, gen = r.items
    assert (tent.demand, tent.stock, tent.delivered_on_time, tent.unmet,
            tent.stock_deficit) == (50, 30, 30, 20, 20)
    assert (gen.demand, gen.stock, gen.unmet, gen.stock_deficit) == (2, 5, 0, 0)
    # Priority 1 (P0) gets its 20 tents; P1 gets the 10 left and misses 20.
    assert [(u.point_id, u.item_id, u.unmet, u.reason) for u in r.unmet] == [
        ("P1", "tent", 20.0, "taken")]
    use = {(d.depot_id, d.item_id): (d.stock, d.shipped, d.remaining) for d in r.depots}
    assert use == {("D0", "tent"): (12, 12, 0), ("D0", "generator"): (5, 2, 3),
                   ("D1", "tent"): (18, 18, 0)}
    assert r.unmet_weighted == 4 * 20  # priority 2 weighs 4


def test_priority_decides_who_gets_scarce_items():
    # Ten breathing sets; P0 (priority 3) and P1 (priority 1) both want 8.
    p = problem(stock=[[10]], demand=[[8], [8]], point_priority=(3, 1),
                deadline_s=[3600, 3600], travel_time_s=[[5 * MIN, 25 * MIN]])
    r = allocate_materials(p, time_limit_s=2.0)
    assert shipped(r, "D0", "P1") == 8 and shipped(r, "D0", "P0") == 2
    assert [(u.point_id, u.unmet) for u in r.unmet] == [("P0", 6.0)]


def test_optimiser_beats_nearest_depot_greedy_when_points_compete():
    # P0 (priority 1) can be served in time from D0 or D1; P1 (priority 2) only from D0.
    # Greedy sends D0's stock to P0 (nearest) and starves P1; the optimiser does not.
    p = problem(stock=[[6], [6]], demand=[[6], [6]], point_priority=(1, 2),
                deadline_s=[30 * MIN, 30 * MIN],
                travel_time_s=[[10 * MIN, 20 * MIN], [15 * MIN, 45 * MIN]])
    g = greedy_materials(p)
    r = allocate_materials(p, time_limit_s=2.0)
    assert g.unmet_weighted == 4 * 6  # P1 misses all 6 (late from D1)
    assert r.unmet_weighted == 0 and r.status == "OPTIMAL"
    assert shipped(r, "D1", "P0") == 6 and shipped(r, "D0", "P1") == 6


def test_deadline_per_line_and_unreachable_depots():
    # Water is wanted within 20 min, quilts within 3 h; D1 cannot reach P0 at all.
    p = problem(stock=[[4, 50], [100, 100]], demand=[[10, 30]], item_ids=("water", "quilt"),
                deadline_s=[[20 * MIN, 3 * 3600]], travel_time_s=[[15 * MIN], [INF]])
    r = allocate_materials(p, time_limit_s=2.0)
    assert all(s.depot_id == "D0" for s in r.shipments)
    assert [(u.item_id, u.unmet, u.reason) for u in r.unmet] == [("water", 6.0, "out_of_reach")]
    assert {s.item_id: s.deadline_s for s in r.shipments} == {"water": 1200.0,
                                                              "quilt": 10800.0}


def test_no_stock_anywhere():
    p = problem(stock=[[0]], demand=[[3]], deadline_s=[INF], travel_time_s=[[60.0]])
    r = allocate_materials(p, time_limit_s=1.0)
    assert r.shipments == () and r.unmet[0].reason == "no_stock"
    assert r.items[0].stock_deficit == 3


def test_depot_capacity_lets_item_weights_decide():
    # One depot can load 105 kg: breathing sets (10 kg, weight 5) before quilts (2 kg,
    # weight 0.5); 8 sets take 80 kg and leave 25 kg: 12 whole quilts (the LP says 12.5).
    p = problem(stock=[[8, 40]], demand=[[8, 30]], item_ids=("scba", "quilt"),
                deadline_s=[3600], travel_time_s=[[600.0]], item_weight=[5.0, 0.5],
                item_load=[10.0, 2.0], depot_capacity=[105.0])
    r = allocate_materials(p, time_limit_s=2.0)
    assert {s.item_id: s.quantity for s in r.shipments} == {"scba": 8.0, "quilt": 12.0}
    assert r.status == "OPTIMAL" and r.method == "glop+scip"
    assert [(u.item_id, u.unmet, u.reason) for u in r.unmet] == [("quilt", 18.0,
                                                                   "depot_capacity")]
    glop = allocate_materials(p, time_limit_s=2.0, method="glop")
    assert {s.item_id: s.quantity for s in glop.shipments}["quilt"] == 12.0
    assert glop.status == "FEASIBLE"  # floored from 12.5: not proven by the LP
    # Continuous quilts (say, tonnes) may be split: 12.5 of them.
    cont = allocate_materials(
        problem(stock=[[8, 40]], demand=[[8, 30]], item_ids=("scba", "quilt"),
                deadline_s=[3600], travel_time_s=[[600.0]], item_weight=[5.0, 0.5],
                item_load=[10.0, 2.0], depot_capacity=[105.0], countable=(True, False)),
        time_limit_s=2.0)
    assert {s.item_id: s.quantity for s in cont.shipments}["quilt"] == pytest.approx(12.5)


def test_every_method_agrees_on_a_small_case():
    p = problem(stock=[[6], [6]], demand=[[6], [6]], point_priority=(1, 2),
                deadline_s=[30 * MIN, 30 * MIN],
                travel_time_s=[[10 * MIN, 20 * MIN], [15 * MIN, 45 * MIN]])
    for method in ("auto", "glop", "pdlp", "scip"):
        r = allocate_materials(p, time_limit_s=2.0, method=method)
        assert r.unmet_weighted == pytest.approx(0, abs=1e-6), method


# --------------------------------------------------------------------------- validation

def test_validation_names_field_and_value():
    p = problem(stock=[[5, -1]], demand=[[np.nan, 2]], deadline_s=[60.0, 60.0],
                travel_time_s=[[-3.0]], point_priority=(7,), item_weight=[1.0, 0.0])
    with pytest.raises(DataError) as err:
        validate_material_problem(p)
    text = str(err.value)
    for needle in ("stock[0, 1]", "-1.0", "demand[0, 0]", "nan", "point_priority[0]",
                   "deadline_s", "(1,)", "travel_time_s[0, 0]", "item_weight[1]"):
        assert needle in text, needle


def test_validation_shapes_ids_and_countable():
    p = problem(stock=[[1.5]], demand=[[1, 2]], deadline_s=[60.0], travel_time_s=[[1.0]],
                depot_ids=("A", "A"), countable=(True,), item_units=())
    with pytest.raises(DataError) as err:
        validate_material_problem(p)
    text = str(err.value)
    for needle in ("duplicate id", "item_units", "stock", "demand", "must have shape"):
        assert needle in text, needle
    with pytest.raises(DataError, match="whole numbers"):
        validate_material_problem(problem(stock=[[1.5]], demand=[[1]], deadline_s=[60.0],
                                          travel_time_s=[[1.0]], countable=(True,)))


def test_bad_method_and_time_limit_are_refused():
    p = problem(stock=[[1]], demand=[[1]], deadline_s=[60.0], travel_time_s=[[1.0]])
    with pytest.raises(DataError, match="method"):
        allocate_materials(p, time_limit_s=1.0, method="cplex")
    with pytest.raises(DataError, match="time_limit_s"):
        allocate_materials(p, time_limit_s=0)


# --------------------------------------------------------------------------- properties

@st.composite
def instances(draw, *, capacity: bool = False):
    n_d = draw(st.integers(1, 4))
    n_i = draw(st.integers(1, 3))
    n_p = draw(st.integers(1, 4))
    qty = st.integers(0, 12)
    stock = np.array(draw(st.lists(qty, min_size=n_d * n_i, max_size=n_d * n_i)),
                     float).reshape(n_d, n_i)
    demand = np.array(draw(st.lists(qty, min_size=n_p * n_i, max_size=n_p * n_i)),
                      float).reshape(n_p, n_i)
    times = st.one_of(st.integers(60, 3600).map(float), st.just(INF))
    travel = np.array(draw(st.lists(times, min_size=n_d * n_p, max_size=n_d * n_p)),
                      float).reshape(n_d, n_p)
    deadline = np.array(draw(st.lists(st.integers(300, 3600).map(float), min_size=n_p,
                                      max_size=n_p)))
    prio = tuple(draw(st.lists(st.integers(1, 4), min_size=n_p, max_size=n_p)))
    weight = draw(st.lists(st.sampled_from([1.0, 2.0, 3.5]), min_size=n_i, max_size=n_i))
    kw = {}
    if capacity:
        kw = dict(item_load=draw(st.lists(st.sampled_from([1.0, 2.5, 4.0]), min_size=n_i,
                                          max_size=n_i)),
                  depot_capacity=draw(st.lists(st.sampled_from([5.0, 13.0, 30.0, INF]),
                                               min_size=n_d, max_size=n_d)))
    return problem(stock=stock, demand=demand, travel_time_s=travel, deadline_s=deadline,
                   point_priority=prio, item_weight=weight,
                   ship_late=draw(st.booleans()), **kw)


def check_plan(p: MaterialProblem, r) -> None:
    """Invariants every plan must meet, recomputed from the problem's arrays."""
    stock = np.asarray(p.stock, float)
    demand = np.asarray(p.demand, float)
    travel = np.asarray(p.travel_time_s, float)
    deadline = np.asarray(p.deadline_s, float)
    d_ix = {x: k for k, x in enumerate(p.depot_ids)}
    p_ix = {x: k for k, x in enumerate(p.point_ids)}
    i_ix = {x: k for k, x in enumerate(p.item_ids)}
    out = np.zeros_like(stock)
    on = np.zeros_like(demand)
    late = np.zeros_like(demand)
    for s in r.shipments:
        d, j, i = d_ix[s.depot_id], p_ix[s.point_id], i_ix[s.item_id]
        assert s.quantity > 0
        assert s.quantity == round(s.quantity)  # every item here is countable
        assert s.travel_time_s == travel[d, j]  # read off the matrix, finite
        assert s.on_time == (travel[d, j] <= deadline[j])
        assert s.on_time or p.ship_late
        out[d, i] += s.quantity
        (on if s.on_time else late)[j, i] += s.quantity
    assert (out <= stock + 1e-9).all()  # never more than the stock: none below zero
    assert (on + late <= demand + 1e-9).all()
    if p.depot_capacity is not None:
        assert (out @ np.asarray(p.item_load) <= np.asarray(p.depot_capacity) + 1e-9).all()
    for u in r.depots:
        d, i = d_ix[u.depot_id], i_ix[u.item_id]
        assert u.remaining >= 0 and u.shipped + u.remaining == pytest.approx(u.stock)
        assert u.shipped == pytest.approx(out[d, i])
    unmet = np.zeros_like(demand)
    for u in r.unmet:
        j, i = p_ix[u.point_id], i_ix[u.item_id]
        assert u.delivered_on_time + u.unmet == pytest.approx(demand[j, i])
        assert u.delivered_on_time == pytest.approx(on[j, i])
        unmet[j, i] = u.unmet
    # Lines not listed are fully met in time: unmet + delivered in time = demand.
    assert np.allclose(unmet + on, demand)
    for k, it in enumerate(r.items):
        assert it.unmet == pytest.approx(demand[:, k].sum() - on[:, k].sum())
        assert it.stock_deficit == pytest.approx(max(0.0, demand[:, k].sum()
                                                     - stock[:, k].sum()))


def best_on_time_weight(p: MaterialProblem, *, whole: bool = False) -> float:
    """Maximum of sum w x over on-time arcs, by scipy's HiGHS (the LP, or with
    ``whole`` the MIP with integer quantities)."""
    stock = np.asarray(p.stock, float)
    demand = np.asarray(p.demand, float)
    travel = np.asarray(p.travel_time_s, float)
    deadline = np.asarray(p.deadline_s, float)
    prio_w = np.array([{1: 8, 2: 4, 3: 2, 4: 1}[x] for x in p.point_priority], float)
    arcs = [(d, j, i) for d in range(stock.shape[0]) for j in range(demand.shape[0])
            for i in range(stock.shape[1]) if travel[d, j] <= deadline[j]]
    if not arcs:
        return 0.0
    c = [-prio_w[j] * p.item_weight[i] for d, j, i in arcs]
    rows, rhs = [], []
    for d in range(stock.shape[0]):
        for i in range(stock.shape[1]):
            rows.append([1.0 if (a[0], a[2]) == (d, i) else 0.0 for a in arcs])
            rhs.append(stock[d, i])
    for j in range(demand.shape[0]):
        for i in range(stock.shape[1]):
            rows.append([1.0 if (a[1], a[2]) == (j, i) else 0.0 for a in arcs])
            rhs.append(demand[j, i])
    if p.depot_capacity is not None:
        for d in range(stock.shape[0]):
            rows.append([p.item_load[a[2]] if a[0] == d else 0.0 for a in arcs])
            rhs.append(min(p.depot_capacity[d], 1e9))
    if whole:
        res = milp(c, constraints=LinearConstraint(np.array(rows), -np.inf, rhs),
                   integrality=np.ones(len(arcs)), bounds=Bounds(0, np.inf))
    else:
        res = linprog(c, A_ub=rows, b_ub=rhs, bounds=(0, None), method="highs")
    assert res.status == 0
    return -res.fun


FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(instances())
def test_random_plans_are_feasible_and_optimal(p):
    r = allocate_materials(p, time_limit_s=5.0)
    assert r.status == "OPTIMAL"
    check_plan(p, r)
    demand_w = float((np.asarray(p.demand) * np.array(
        [[{1: 8, 2: 4, 3: 2, 4: 1}[x]] for x in p.point_priority])
        * np.asarray(p.item_weight)).sum())
    assert r.demand_weighted == pytest.approx(demand_w)
    # Whole stock and demand: the LP optimum is whole (total unimodularity), and it
    # matches an independent solver.
    assert r.unmet_weighted == pytest.approx(demand_w - best_on_time_weight(p), abs=1e-6)
    assert r.unmet_bound == pytest.approx(r.unmet_weighted, abs=1e-6)
    g = greedy_materials(p)
    check_plan(p, g)
    assert r.unmet_weighted <= g.unmet_weighted + 1e-9


@FAST
@given(instances(capacity=True))
def test_random_plans_with_depot_capacity_are_feasible(p):
    r = allocate_materials(p, time_limit_s=5.0)
    check_plan(p, r)
    assert r.unmet_weighted <= greedy_materials(p).unmet_weighted + 1e-9
    # Against scipy's HiGHS MIP: never better than the whole-number optimum, equal to
    # it when proven, and the LP bound below both.
    best = r.demand_weighted - best_on_time_weight(p, whole=True)
    assert r.unmet_weighted >= best - 1e-6
    assert r.unmet_bound <= best + 1e-6
    if r.status == "OPTIMAL":
        assert r.unmet_weighted == pytest.approx(best, abs=1e-6)
