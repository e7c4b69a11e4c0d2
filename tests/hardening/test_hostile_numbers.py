"""Every example of issue #20's "Why" that is a number or a size: refused within 30 s
and 3 GB with a message naming the file or the field and the allowed range, no
traceback, and the store unchanged (each run in a subprocess with those limits)."""

from __future__ import annotations

from pathlib import Path

import pytest

from command.cli._guard import budget_problem, output_problem
from command.limits import BUDGETS, RANGES, check

H = Path(__file__).resolve().parents[1] / "data" / "hostile"
SURGE = Path(__file__).resolve().parents[2] / "data/resources/ezhou/situations/surge-echeng.yaml"
DRILL = Path(__file__).resolve().parents[2] / "data/resources/ezhou/drills/station-loss-surge.yaml"

# (id, argv, words the error must hold)
WHY = [
    ("capacity .inf", ["optimise", "deliveries", "--situation",
                       H / "situation-capacity-inf.yaml"],
     ["situation-capacity-inf.yaml", "delivery.truck_capacity_kg", "inf", "50,000 kg"]),
    ("capacity 1e-6 kg", ["optimise", "deliveries", "--situation",
                          H / "situation-capacity-tiny.yaml"],
     ["delivery.truck_capacity_kg", "1e-06", "between 50 and 50,000 kg"]),
    ("a million trucks", ["optimise", "deliveries", "--situation",
                          H / "situation-million-trucks.yaml"],
     ["vehicles[0].count", "1000000", "between 1 and 200 trucks"]),
    ("loading .inf, recorded", ["optimise", "plan", "--record", "--situation",
                                H / "situation-loading-inf.yaml"],
     ["delivery.loading_min", "between 0 and 240 min"]),
    ("BLEVE of 1e30 kg", ["scenario", "zones", H / "scenario-bleve-huge.yaml"],
     ["scenario-bleve-huge.yaml", "hazards[0].mass_kg", "5,000,000 kg"]),
    ("cordon of 10,000 km", ["scenario", "zones", H / "scenario-cordon-huge.yaml"],
     ["hazards[0].radius_m", "20,000 m"]),
    ("plume in a 1e-300 m/s wind", ["scenario", "plume", "--wind-m-s", "1e-300", "--rate-g-s",
                                    "100", "--stability", "D", "--x-m", "500"],
     ["--wind-m-s", "1e-300", "between 0.5 and 50 m/s"]),
    ("1e9 calls a day", ["simulate", "--per-day", "1e9", "--replications", "2"],
     ["--per-day", "10,000 calls/day"]),
    ("a million replications", ["simulate", "--replications", "1000000"],
     ["--replications", "10,000 replications"]),
    ("queue for 1e9 hours", ["simulate", "queue", "--arrival-rate", "5", "--service-rate", "3",
                             "--servers", "2", "--hours", "1e9"],
     ["--hours", "1,000,000 h"]),
    ("queue beyond its budget", ["simulate", "queue", "--arrival-rate", "5", "--service-rate",
                                 "3", "--servers", "2", "--hours", "1e5"],
     ["--hours", "budget", "--allow-large"]),
    ("city simulation beyond its budget", ["simulate", "--replications", "5000"],
     ["--replications", "budget", "--allow-large"]),
    ("unwritable --report", ["simulate", "--days", "0.05", "--replications", "2", "--report",
                             "/nonexistent/folder/r.html"],
     ["--report", "/nonexistent/folder does not exist"]),
    ("drill with an unwritable --report", ["drill", DRILL, "--report", "/proc/r.html"],
     ["--report", "cannot be written"]),
    ("a --report that is a folder", ["simulate", "--days", "0.05", "--report", "/tmp"],
     ["--report", "must end in .html or .csv"]),
    ("pmed header of 200,000 nodes", ["optimise", "site", "--pmed",
                                      H / "pmed-huge-header.txt"],
     ["pmed-huge-header.txt", "row 1", "cannot join n = 200000"]),
    ("pmed matrix over the budget", ["optimise", "site", "--pmed",
                                     H / "pmed-huge-matrix.txt"],
     ["pmed-huge-matrix.txt", "field 'n'", "budget", "--allow-large"]),
    ("CVRP demand nan", ["optimise", "deliveries", "--cvrp", H / "cvrp-demand-nan.vrp"],
     ["cvrp-demand-nan.vrp", "row 13", "DEMAND_SECTION", "not a finite number"]),
    ("closure polygon over the city", ["optimise", "plan", "--record", "--situation",
                                       H / "situation-closure-city.yaml"],
     ["closures.polygons[0]", "30,448", "draw the closed area itself"]),
    ("a plan that serves nothing, recorded", ["optimise", "plan", "--record", "--situation",
                                              H / "situation-serves-nothing.yaml"],
     ["--record", "sends no unit", "--confirm-empty"]),
]


@pytest.mark.parametrize("case, argv, words", WHY, ids=[w[0] for w in WHY])
def test_why_examples_are_refused(case, argv, words, run_cli, store_state, count_case):
    count_case("numbers and sizes (CLI)")
    before = store_state()
    rc, out, err, seconds = run_cli(*map(str, argv))
    assert rc == 2, (out, err)
    assert "Traceback" not in err and "bad_alloc" not in err
    for w in words:
        assert w in err, (w, err)
    assert store_state() == before


def test_a_valid_situation_still_plans(run_cli, store_state, count_case):
    count_case("valid inputs (CLI)")
    before = store_state()
    rc, out, err, _ = run_cli("optimise", "deliveries", "--situation", str(SURGE), "--json")
    assert rc == 0, err
    assert '"depots"' in out
    assert store_state() == before


def test_every_range_has_a_unit_or_is_a_share_and_a_reason():
    for r in RANGES.values():
        assert r.reason and r.low < r.high, r.name
        assert check(r.name, r.high) is None and check(r.name, float("nan"))
        assert check(r.name, r.high * 2 + 1) and check(r.name, r.low - 1)
        assert (check(r.name, r.low) is None) != r.low_open
        assert str(r.interval) in check(r.name, float("inf"))


def test_budgets_name_allow_large_unless_hard():
    for b in BUDGETS.values():
        p = budget_problem(b.name, b.limit * 2, allow_large=False, field="--x", what="work")
        assert p is not None and p.field == "--x"
        assert ("--allow-large" in p.rule) != b.hard
        assert budget_problem(b.name, b.limit, allow_large=False, field="--x", what="w") is None
    assert budget_problem("sim_calls", 1e12, allow_large=True, field="--x", what="w") is None


def test_output_paths_are_checked_before_the_run(tmp_path):
    assert output_problem(tmp_path / "r.html", "--report") is None
    assert "is a folder" in output_problem(tmp_path, "--report").rule
    assert "does not exist" in output_problem(tmp_path / "no" / "r.html", "--report").rule
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        import os

        if os.geteuid() != 0:  # root writes anywhere
            assert "cannot be written" in output_problem(locked / "r.csv", "--out").rule
    finally:
        locked.chmod(0o700)
