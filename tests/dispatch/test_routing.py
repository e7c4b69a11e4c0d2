"""Delivery routing: readers, the generic OR-Tools solver, published instances, the CLI."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from command.dispatch.instances import read_cvrplib, read_cvrplib_solution, read_solomon
from command.dispatch.routing import (
    RoutingProblem,
    check_routing,
    check_solution,
    route_cost,
    solve_cvrp,
    solve_routing,
    solve_vrptw,
)
from command.errors import DataError

BENCH = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks" / "vrp"
needs_bench = pytest.mark.skipif(not BENCH.is_dir(),
                                 reason=f"published VRP instances not found at {BENCH}")

# CVRPLIB optima (REFERENCE.md section 3) and the time limit that is enough for each.
CVRP = [("E-n13-k4", 247, 2.0), ("P-n16-k8", 450, 2.0), ("B-n31-k5", 672, 2.0),
        ("A-n32-k5", 784, 4.0),
        pytest.param("M-n101-k10", 820, 20.0, marks=pytest.mark.slow)]
SOLOMON = ["C101", "R101", "RC101", "C201", "R201", "RC201"]


# --------------------------------------------------------------------------- readers

@needs_bench
@pytest.mark.parametrize("name", ["E-n13-k4", "P-n16-k8", "B-n31-k5", "A-n32-k5", "M-n101-k10"])
def test_published_cvrp_solution_cost_is_recomputed(name):
    instance = read_cvrplib(BENCH / "cvrp" / f"{name}.vrp")
    solution = read_cvrplib_solution(BENCH / "cvrp" / f"{name}.sol")
    assert route_cost(instance, solution.routes) == solution.cost
    assert check_solution(instance, solution) == []


@needs_bench
@pytest.mark.parametrize("name", SOLOMON)
def test_published_solomon_solution_cost_and_windows(name):
    instance = read_solomon(BENCH / "solomon" / f"{name}.txt")
    solution = read_cvrplib_solution(BENCH / "solomon" / f"{name}.sol")
    assert route_cost(instance, solution.routes) == solution.cost
    assert check_solution(instance, solution) == []


@needs_bench
def test_euc_2d_rounds_each_arc_to_nearest_integer():
    inst = read_cvrplib(BENCH / "cvrp" / "A-n32-k5.vrp")
    # nodes 1 (82, 76) and 2 (96, 44): sqrt(14^2 + 32^2) = 34.93 -> 35
    assert inst.distance_units[0, 1] == 35
    assert (inst.n, inst.capacity, inst.vehicles, inst.demand[0]) == (32, 100, 5, 0)
    assert np.array_equal(inst.distance_units, inst.distance_units.T)


@needs_bench
def test_explicit_lower_row_and_the_other_layouts_agree(tmp_path):
    inst = read_cvrplib(BENCH / "cvrp" / "E-n13-k4.vrp")
    d = inst.distance_units
    assert (d[1, 0], d[2, 0], d[2, 1], d[12, 11]) == (9, 14, 21, 10)
    n = inst.n
    layouts = {
        "FULL_MATRIX": [d[i, j] for i in range(n) for j in range(n)],
        "UPPER_ROW": [d[i, j] for i in range(n) for j in range(i + 1, n)],
        "LOWER_DIAG_ROW": [d[i, j] for i in range(n) for j in range(i + 1)],
        "UPPER_DIAG_ROW": [d[i, j] for i in range(n) for j in range(i, n)],
    }
    text = (BENCH / "cvrp" / "E-n13-k4.vrp").read_text()
    head, rest = text.split("EDGE_WEIGHT_SECTION")
    tail = rest[rest.index("DEMAND_SECTION"):]
    for fmt, values in layouts.items():
        f = tmp_path / f"E-{fmt}.vrp"
        f.write_text(head.replace("LOWER_ROW", fmt) + "EDGE_WEIGHT_SECTION\n"
                     + " ".join(map(str, values)) + "\n" + tail)
        assert np.array_equal(read_cvrplib(f).distance_units, d), fmt


@needs_bench
def test_solomon_truncates_each_arc_to_one_decimal_and_reads_crlf():
    raw = (BENCH / "solomon" / "C101.txt").read_bytes()
    assert b"\r\n" in raw
    inst = read_solomon(BENCH / "solomon" / "C101.txt", customers=25)
    # depot (40, 50) to customer 1 (45, 68): sqrt(349) = 18.68 -> 18.6
    assert inst.distance[0, 1] == 18.6
    assert (inst.n, inst.capacity, inst.vehicles, inst.name) == (26, 200, 25, "C101.25")
    assert (inst.ready_time[1], inst.due_time[1], inst.service_time[1]) == (912, 967, 90)


VRP_TEXT = """NAME : tiny-k2
TYPE : CVRP
DIMENSION : 4
EDGE_WEIGHT_TYPE : EUC_2D
CAPACITY : 10
NODE_COORD_SECTION
1 0 0
2 3 4
3 6 8
4 0 5
DEMAND_SECTION
1 4
2 5
3 0
4 7
DEPOT_SECTION
3
-1
EOF
"""


def test_depot_is_moved_to_node_zero_and_vehicles_come_from_the_name(tmp_path):
    f = tmp_path / "tiny-k2.vrp"
    f.write_text(VRP_TEXT)
    inst = read_cvrplib(f)
    assert inst.node_ids == (3, 1, 2, 4)
    assert list(inst.demand) == [0, 4, 5, 7]
    assert inst.vehicles == 2
    assert inst.distance_units[0, 1] == 10 and inst.distance_units[0, 2] == 5
    f.write_text(VRP_TEXT.replace("CAPACITY : 10", "CAPACITY : 10\nVEHICLES : 3"))
    assert read_cvrplib(f).vehicles == 3


# --------------------------------------------------------------------------- malformed

def _error(fn, *args, **kwargs) -> str:
    with pytest.raises(DataError) as info:
        fn(*args, **kwargs)
    return str(info.value)


def test_malformed_cvrplib_files_name_file_line_and_field(tmp_path):
    f = tmp_path / "bad.vrp"
    f.write_text(VRP_TEXT.replace("CAPACITY : 10\n", ""))
    msg = _error(read_cvrplib, f)
    assert "bad.vrp" in msg and "CAPACITY" in msg and "missing" in msg

    f.write_text(VRP_TEXT.replace("2 5\n", "2 five\n"))
    msg = _error(read_cvrplib, f)
    assert "row 13" in msg and "DEMAND_SECTION" in msg and "five" in msg

    f.write_text(VRP_TEXT.replace("4 0 5\n", "").replace("2 5\n", "2 -5\n"))
    msg = _error(read_cvrplib, f)  # both problems at once
    assert "NODE_COORD_SECTION" in msg and "1 node(s) missing" in msg and "negative" in msg

    f.write_text(VRP_TEXT.replace("EUC_2D", "GEO"))
    assert "EDGE_WEIGHT_TYPE" in _error(read_cvrplib, f)

    f.write_text(VRP_TEXT.replace("3\n-1", "3 1\n-1"))
    assert "exactly one depot" in _error(read_cvrplib, f)

    f.write_text(VRP_TEXT.replace("4 7\n", "4 70\n"))
    assert "exceeds the vehicle capacity" in _error(read_cvrplib, f)

    assert "cannot be opened" in _error(read_cvrplib, tmp_path / "missing.vrp")


@needs_bench
def test_explicit_matrix_with_wrong_count(tmp_path):
    text = (BENCH / "cvrp" / "E-n13-k4.vrp").read_text()
    f = tmp_path / "short.vrp"
    f.write_text(text.replace("    14    16    12    12    20     8    10    10\n", ""))
    msg = _error(read_cvrplib, f)
    assert "LOWER_ROW for DIMENSION 13 needs 78 values, found 70" in msg


SOLOMON_TEXT = ("T1\r\n\r\nVEHICLE\r\nNUMBER     CAPACITY\r\n  2         10\r\n\r\nCUSTOMER\r\n"
                "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\r\n"
                " \r\n"
                "    0      0         0          0          0       100          0\r\n"
                "    1      3         4          5          0        50          1\r\n"
                "    2      6         8          5         10        60          1\r\n")


def test_malformed_solomon_and_solution_files(tmp_path):
    f = tmp_path / "T1.txt"
    f.write_text(SOLOMON_TEXT, newline="")
    inst = read_solomon(f)
    assert inst.n == 3 and inst.distance[1, 2] == 5.0
    broken = SOLOMON_TEXT.replace("10        60          1", "10")
    f.write_text(broken.replace("5          0        50", "5          60       50"), newline="")
    msg = _error(read_solomon, f)
    assert "row 12" in msg and "expected 7 fields" in msg
    assert "row 11" in msg and "READY TIME is after DUE DATE" in msg
    f.write_text(SOLOMON_TEXT, newline="")
    assert "between 1 and 2" in _error(read_solomon, f, customers=5)

    s = tmp_path / "x.sol"
    s.write_text("Route #1: 1 2\nRoute #2: 3 x\nCost 10\n")
    msg = _error(read_cvrplib_solution, s)
    assert "row 2" in msg and "Route" in msg
    s.write_text("Route #1: 1 2\n")
    assert "no 'Cost' line" in _error(read_cvrplib_solution, s)
    s.write_text("Route #1: 1 2\nRoute #1: 1 2\nCost 5\n")  # repeated block read once
    assert read_cvrplib_solution(s).routes == ((1, 2),)

    assert "customer number must be 1..2" in _error(route_cost, inst, [[1, 3]])


# --------------------------------------------------------------------------- generic solver

def _line_problem(**kw) -> RoutingProblem:
    """Depot at 0 and stops A=1, B=2, C=3 at 10, 20, 30 on a line; times = distances (s)."""
    x = np.array([0.0, 10.0, 20.0, 30.0])
    d = np.abs(x[:, None] - x[None, :])
    windows = np.array([[0, 1000], [50, 1000], [0, 22], [0, 1000]], dtype=float)
    base = dict(cost=d, demands=[0, 1, 1, 1], vehicle_capacities=[5], travel_time_s=d,
                time_windows_s=windows)
    base.update(kw)
    return RoutingProblem(**base)


def test_time_window_forces_the_order():
    # B closes at 22 s, so it must come first; A opens at 50 s, so C goes before A:
    # 0 -> B(20) -> C(30) -> A(50) -> 0(60) is the only plan of cost 60.
    problem = _line_problem()
    result = solve_routing(problem, time_limit_s=0.5)
    assert result.node_routes() == [[2, 3, 1]]
    r = result.routes[0]
    assert r.arrival_s == (20.0, 30.0, 50.0) and r.service_start_s == (20.0, 30.0, 50.0)
    assert r.return_s == 60.0 and r.cost == 60.0 == result.cost
    assert r.load == 3 and r.load_on_arrival == (3, 2, 1)
    assert result.status == "FEASIBLE" and result.search_status == "feasible"
    assert result.unserved == ()
    assert check_routing(problem, result) == []
    # Without the windows the nearest-first order is as good and the routes change.
    free = solve_routing(_line_problem(time_windows_s=None), time_limit_s=0.5)
    assert free.cost == 60.0 and free.node_routes() != [[2, 3, 1]]


def test_waiting_and_service_times():
    problem = _line_problem(service_time_s=[0, 5, 0, 0],
                            time_windows_s=[[0, 1000], [0, 1000], [40, 1000], [0, 1000]])
    result = solve_routing(problem, time_limit_s=0.5)
    r = result.routes[0]
    assert check_routing(problem, result) == []
    stops = list(r.stops)
    # Whatever order, B cannot start before 40 s.
    assert r.service_start_s[stops.index(2)] >= 40.0
    assert result.cost == 60.0


def test_unreachable_stop_is_reported_unserved():
    # A closes at 5 s but is 10 s away: it cannot be served.
    problem = _line_problem(time_windows_s=[[0, 1000], [0, 5], [0, 1000], [0, 1000]])
    result = solve_routing(problem, time_limit_s=0.5)
    assert result.unserved == (1,) and result.search_status == "partial"
    assert result.status == "FEASIBLE"
    assert sorted(result.node_routes()[0]) == [2, 3]
    # The automatic penalty outweighs any complete plan (at most (n + vehicles) arcs).
    assert result.penalty > 5 * 30 and result.penalty > result.cost
    assert check_routing(problem, result) == []
    strict = solve_routing(replace(problem, allow_drop=False), time_limit_s=0.5)
    assert strict.search_status in ("infeasible", "timeout") and strict.routes == ()
    assert strict.status in ("INFEASIBLE", "NOT_SOLVED") and strict.run.objective is None


def test_capacity_splits_routes_and_max_vehicles_drops():
    problem = _line_problem(time_windows_s=None, demands=[0, 3, 3, 3],
                            vehicle_capacities=[6, 6])
    result = solve_routing(problem, time_limit_s=0.5)
    assert result.vehicles_used == 2 and result.unserved == ()
    assert all(r.load <= 6 for r in result.routes)
    # Best split: {C} alone (60) and {A, B} (40), or {A} and {B, C}: 20 + 60 = 80.
    assert result.cost == 80.0
    assert check_routing(problem, result) == []
    one = solve_routing(replace(problem, max_vehicles=1), time_limit_s=0.5)
    assert one.vehicles_used == 1 and len(one.unserved) == 1
    assert check_routing(replace(problem, max_vehicles=1), one) == []


def test_two_depots_and_open_routes():
    # Depots at 0 and 100; stops at 10, 20 (near depot 0) and 90 (near depot 4).
    x = np.array([0.0, 10.0, 20.0, 90.0, 100.0])
    d = np.abs(x[:, None] - x[None, :])
    problem = RoutingProblem(cost=d, demands=[0, 1, 1, 1, 0], vehicle_capacities=[5, 5],
                             vehicle_starts=[0, 4], travel_time_s=d)
    result = solve_routing(problem, time_limit_s=0.5)
    by_vehicle = {r.vehicle: sorted(r.stops) for r in result.routes}
    assert by_vehicle == {0: [1, 2], 1: [3]}
    assert result.cost == 40.0 + 20.0
    open_problem = replace(problem, return_to_depot=False)
    opened = solve_routing(open_problem, time_limit_s=0.5)
    assert opened.cost == 20.0 + 10.0
    r0 = next(r for r in opened.routes if r.vehicle == 0)
    assert r0.stops == (1, 2) and r0.arrival_s == (10.0, 20.0) and r0.return_s is None
    assert check_routing(open_problem, opened) == []


def test_check_routing_catches_a_tampered_plan():
    problem = _line_problem()
    result = solve_routing(problem, time_limit_s=0.5)
    wrong_order = replace(result.routes[0], stops=(1, 2, 3))
    issues = check_routing(problem, replace(result, routes=(wrong_order,)))
    assert any("stop 2" in i and "window" in i for i in issues)
    assert any("reported cost" not in i for i in issues)
    issues = check_routing(problem, replace(result, cost=59.0))
    assert issues == ["reported cost 59 differs from recomputed 60"]


@st.composite
def _random_problems(draw):
    n = draw(st.integers(3, 8))
    xy = np.array(draw(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)),
                                min_size=n, max_size=n)), dtype=float)
    d = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)))
    demands = [0] + draw(st.lists(st.integers(0, 6), min_size=n - 1, max_size=n - 1))
    capacities = draw(st.lists(st.integers(4, 15), min_size=1, max_size=3))
    ready = draw(st.lists(st.integers(0, 80), min_size=n, max_size=n))
    width = draw(st.lists(st.integers(5, 120), min_size=n, max_size=n))
    windows = np.column_stack([ready, np.add(ready, width)]).astype(float)
    windows[0] = (0, 400)
    service = [0] + draw(st.lists(st.integers(0, 5), min_size=n - 1, max_size=n - 1))
    return RoutingProblem(cost=d, demands=demands, vehicle_capacities=capacities,
                          travel_time_s=d, time_windows_s=windows, service_time_s=service,
                          return_to_depot=draw(st.booleans()))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_random_problems())
def test_random_plans_respect_capacity_and_windows(problem):
    result = solve_routing(problem, time_limit_s=0.1)
    assert result.status in ("FEASIBLE", "OPTIMAL")
    assert check_routing(problem, result) == []
    for r in result.routes:
        for s, t in zip(r.stops, r.service_start_s, strict=False):
            assert problem.time_windows_s[s][0] <= t <= problem.time_windows_s[s][1]


def test_bad_problem_arrays_are_clear_errors():
    msg = _error(solve_routing, _line_problem(demands=[0, 1, -1, 1]), time_limit_s=0.1)
    assert "demands[2]" in msg
    msg = _error(solve_routing, _line_problem(cost=np.ones((3, 4))), time_limit_s=0.1)
    assert "square" in msg
    msg = _error(solve_routing, _line_problem(demands=[2, 1, 1, 1]), time_limit_s=0.1)
    assert "depot" in msg
    msg = _error(solve_routing, _line_problem(travel_time_s=None), time_limit_s=0.1)
    assert "travel-time" in msg
    msg = _error(solve_routing, _line_problem(), time_limit_s=0.1, first_solution="NOPE")
    assert "first_solution" in msg


# --------------------------------------------------------------------------- published instances

@needs_bench
@pytest.mark.parametrize("name,best,limit_s", CVRP)
def test_cvrp_within_one_percent_of_best_known(name, best, limit_s):
    instance = read_cvrplib(BENCH / "cvrp" / f"{name}.vrp")
    result = solve_cvrp(instance, time_limit_s=limit_s)
    assert check_solution(instance, result) == []
    # Below the proven optimum would mean the distances are rounded wrongly.
    assert best <= result.cost <= 1.01 * best
    assert result.vehicles_used <= instance.vehicles


@needs_bench
def test_solomon_c101_first_25_customers():
    instance = read_solomon(BENCH / "solomon" / "C101.txt", customers=25)
    result = solve_vrptw(instance, time_limit_s=2.0)
    assert check_solution(instance, result) == []
    assert 191.3 <= result.cost <= 1.01 * 191.3
    assert result.vehicles_used == 3
    # Arrival times are in the file's unit and respect the windows.
    for r in result.routes:
        for c, start in zip(r.stops, r.service_start_s, strict=False):
            assert instance.ready_time[c] <= start <= instance.due_time[c]


@needs_bench
@pytest.mark.slow
def test_solomon_c101_100_customers():
    instance = read_solomon(BENCH / "solomon" / "C101.txt")
    result = solve_vrptw(instance, time_limit_s=12.0)
    assert check_solution(instance, result) == []
    assert 827.3 <= result.cost <= 1.01 * 827.3
    assert result.vehicles_used == 10


# --------------------------------------------------------------------------- CLI

def _run_cli(argv: list[str]) -> int:
    # Only this module's commands, so the test does not depend on the other CLI modules.
    from command.cli import CLI, optimise_deliveries

    parser = argparse.ArgumentParser(prog="command-center")
    optimise_deliveries.register(CLI(parser))
    args = parser.parse_args(argv)
    return args.handler(args, None)


@needs_bench
def test_cli_cvrp_json(capsys):
    rc = _run_cli(["optimise", "deliveries", "--cvrp", str(BENCH / "cvrp" / "E-n13-k4.vrp"),
                   "--time-limit", "2", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert out["cost"] == 247 and out["vehicles"] == 4 and out["violations"] == []
    assert sorted(c for r in out["routes"] for c in r) == list(range(1, 13))
    assert out["seconds"] > 0


@needs_bench
def test_cli_solomon_text_and_option_errors(capsys):
    rc = _run_cli(["optimise", "deliveries", "--solomon", str(BENCH / "solomon" / "C101.txt"),
                   "--customers", "25", "--time-limit", "1"])
    text = capsys.readouterr().out
    assert rc == 0 and "Cost 191.3" in text and "Route #3:" in text
    with pytest.raises(SystemExit):
        _run_cli(["optimise", "deliveries", "--cvrp", "a.vrp", "--solomon", "b.txt"])
    with pytest.raises(SystemExit):
        _run_cli(["optimise", "deliveries", "--cvrp", "a.vrp", "--time-limit", "0"])
    with pytest.raises(DataError):
        _run_cli(["optimise", "deliveries", "--cvrp", "a.vrp", "--customers", "5"])
