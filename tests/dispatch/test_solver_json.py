"""Every solver's JSON output (``optimise assign|materials|moveup|site|deliveries
--json``) carries the same top-level keys ``status``, ``objective``, ``bound``,
``seconds``, ``seed`` and ``method`` (:class:`command.dispatch.SolverRun`), beside the
keys each command documented before; run on published instances and the shipped
situation file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from command.cli import main
from command.dispatch import RUN_STATUSES, SolverRun
from command.dispatch.instances import read_cvrplib_solution

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "benchmarks"
EXAMPLE = REPO / "data" / "resources" / "ezhou" / "situations" / "surge-echeng.yaml"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(),
                                  reason="the published instances live in ../shared/benchmarks,"
                                  " which is not on this machine")
RUN_KEYS = {"status", "objective", "bound", "seconds", "seed", "method"}


def run_json(capsys, *argv: str) -> dict:
    rc = main(["optimise", *argv, "--json"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 0, data
    assert set(data) >= RUN_KEYS
    assert data["status"] in RUN_STATUSES and isinstance(data["method"], str)
    assert data["seconds"] > 0
    return data


def test_solver_run_to_dict_and_status_vocabulary():
    run = SolverRun("FEASIBLE", 10.0, 8.0, 0.5, 3, "cpsat")
    assert run.to_dict() == {"status": "FEASIBLE", "objective": 10.0, "bound": 8.0,
                             "seconds": 0.5, "seed": 3, "method": "cpsat"}
    assert run.gap == pytest.approx(0.2)
    assert SolverRun("OPTIMAL", float("inf"), None, 0.0, None, "x").to_dict()["objective"] is None
    with pytest.raises(ValueError):
        SolverRun("optimal", 1.0, 1.0, 0.0, None, "x")


@needs_shared
def test_site_pmed1_reaches_the_published_optimum(capsys):
    data = run_json(capsys, "site", "--pmed", str(SHARED / "pmed" / "pmed1.txt"),
                    "--time-limit", "60")
    assert data["status"] == "OPTIMAL" and data["optimal"] is True
    assert data["objective"] == 5819 and data["bound"] == 5819  # Beasley 1985, pmedopt
    assert data["seed"] is None and data["gap"] == 0.0 and len(data["facilities"]) == 5


@needs_shared
def test_deliveries_cvrp_keeps_cost_and_reports_the_run(capsys):
    data = run_json(capsys, "deliveries", "--cvrp", str(SHARED / "vrp" / "cvrp" / "E-n13-k4.vrp"),
                    "--time-limit", "2")
    best = read_cvrplib_solution(SHARED / "vrp" / "cvrp" / "E-n13-k4.sol").cost
    assert data["status"] in ("OPTIMAL", "FEASIBLE") and data["violations"] == []
    assert data["objective"] == data["cost"] >= best
    assert data["bound"] is None and data["seed"] == 0
    assert data["search_status"] in ("optimal", "feasible")


@needs_shared
def test_deliveries_solomon_objective_is_the_truncated_cost(capsys):
    data = run_json(capsys, "deliveries", "--solomon",
                    str(SHARED / "vrp" / "solomon" / "C101.txt"), "--customers", "25",
                    "--time-limit", "2")
    assert data["status"] in ("OPTIMAL", "FEASIBLE") and data["unserved"] == []
    assert data["objective"] == pytest.approx(data["cost"]) and data["cost"] >= 191.3 - 1e-6


@pytest.fixture
def situation_env(monkeypatch, ezhou_settings):
    monkeypatch.setenv("CC_DATA_DIR", str(ezhou_settings.data_dir))


def test_assign_json_on_the_shipped_situation(capsys, situation_env):
    data = run_json(capsys, "assign", "--situation", str(EXAMPLE), "--time-limit", "1")
    assert data["status"] in ("OPTIMAL", "FEASIBLE", "FALLBACK")
    assert data["status"] == data["solver_status"] and data["plan_status"] == "proposed"
    assert data["objective"] == data["objective_s"]
    assert data["objective"] == pytest.approx(data["objective_terms"]["objective_s"], abs=1e-3)
    assert data["bound"] <= data["objective"] + 1e-6 and data["seed"] == 0
    for a in data["assignments"]:
        assert a["reason_zh"] and a["reason_en"] and a["reason_code"].startswith("dispatch.")
        assert isinstance(a["reason_params"], dict)


def test_materials_json_on_the_shipped_situation(capsys, situation_env):
    data = run_json(capsys, "materials", "--situation", str(EXAMPLE), "--time-limit", "1")
    assert data["objective"] == data["unmet_weighted"]
    assert 0 <= data["bound"] <= data["objective"] + 1e-6 and data["seed"] is None
    for line in data["unmet"]:
        assert line["reason_code"] == f"dispatch.unmet.{line['reason']}" and line["reason_en"]


def test_moveup_json_on_the_shipped_situation(capsys, situation_env):
    data = run_json(capsys, "moveup", "--situation", str(EXAMPLE), "--time-limit", "1")
    # maximised: the bound is an upper bound (to about 1e-6 of the total weight)
    if data["bound"] is not None:
        assert data["bound"] >= data["objective"] - 1e-3
    assert data["objective"] <= data["after"]["expected_weight"] + 1e-6


def test_deliveries_json_on_the_shipped_situation(capsys, situation_env):
    data = run_json(capsys, "deliveries", "--situation", str(EXAMPLE), "--time-limit", "1")
    assert data["bound"] is None and data["method"]
    assert data["objective"] == pytest.approx(sum(d["cost_s"] for d in data["depots"]),
                                              abs=0.01 * max(1, len(data["depots"])))
    assert {d["status"] for d in data["depots"]} <= set(RUN_STATUSES)
