"""Drill files: the shipped drills run; bad files are refused before running, with the
line and field named; the CLI runs drills and the city simulation."""

from __future__ import annotations

import json
import textwrap

import pytest

from command.cli import main
from command.errors import DataError
from command.sim import list_drills, load_drill, run_experiment


def test_three_drills_ship_and_run(ezhou_network, ezhou_dataset, ezhou_settings):
    paths = list_drills(ezhou_settings.resources_dir)
    assert len(paths) >= 3
    for path in paths:
        drill = load_drill(path, network=ezhou_network, dataset=ezhou_dataset,
                           settings=ezhou_settings)
        r = run_experiment(ezhou_network, ezhou_dataset, ezhou_settings, drill=drill,
                           replications=1, seed=1)
        assert r.days == drill.days and r.source == f"drill:{drill.drill_id}"
        assert r.variants[0].kpis["calls"].mean >= len(drill.incidents) >= 1


def _write(tmp_path, body: str):
    path = tmp_path / "d.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def _problems(path, ezhou_network, ezhou_dataset, ezhou_settings):
    with pytest.raises(DataError) as err:
        load_drill(path, network=ezhou_network, dataset=ezhou_dataset, settings=ezhou_settings)
    return [(p.row, p.field, p.value) for p in err.value.problems]


def test_unknown_unit_off_network_and_late_time_are_named(tmp_path, ezhou_network,
                                                          ezhou_dataset, ezhou_settings):
    path = _write(tmp_path, """\
        days: 1
        injects:
          - at: "00:30"
            lose_unit: {units: [F01-ENG1, NOPE-9]}
          - at: "24:10"
            lose_station: {base: F01}
          - at: 30
            incident: {type: fire, grade: 2, lat: 31.5, lon: 116.0}
          - at: "01:00"
            close_roads: {roads: [没有这条路], until: "00:30"}
        """)
    got = _problems(path, ezhou_network, ezhou_dataset, ezhou_settings)
    assert (4, "injects[0].lose_unit.units[1]", "NOPE-9") in got
    assert (5, "injects[1].at", "24:10") in got
    assert any(row == 8 and field == "injects[2].incident.lat" for row, field, _ in got)
    assert (10, "injects[3].close_roads.until", "00:30") in got
    assert any(field == "injects[3].close_roads.roads" and value == "没有这条路"
               for _, field, value in got)


def test_schema_errors_name_line_and_field(tmp_path, ezhou_network, ezhou_dataset,
                                           ezhou_settings):
    path = _write(tmp_path, """\
        days: 1
        colour: red
        injects:
          - at: "7h"
            incident: {type: fire, lat: 30.39, lon: 114.89}
          - at: "01:00"
            incident: {type: volcano, lat: 30.39, lon: 114.89}
          - at: "02:00"
            incident: {type: fire, lat: 30.39, lon: 114.89}
            surge: {multiplier: 2, duration_min: 60}
        """)
    got = _problems(path, ezhou_network, ezhou_dataset, ezhou_settings)
    fields = {(row, field) for row, field, _ in got}
    assert (2, "colour") in fields
    assert (4, "injects[0].at") in fields
    assert (7, "injects[1].incident.type") in fields
    assert (8, "injects[2]") in fields  # two kinds in one inject


def test_station_loss_takes_units_away(ezhou_network, ezhou_dataset, ezhou_settings,
                                       tmp_path):
    ems = [b.base_id for b in ezhou_dataset.bases if b.kind == "ems_station"]
    body = "days: 0.5\nbackground_per_day: 200\ninjects:\n" + "".join(
        f"  - at: 0\n    lose_station: {{base: {b}}}\n" for b in ems[:8])
    lost = _write(tmp_path, body)
    kept = tmp_path / "k.yaml"
    kept.write_text("days: 0.5\nbackground_per_day: 200\ninjects:\n"
                    "  - at: \"11:00\"\n    lose_unit: {units: [E01-AMB1]}\n", encoding="utf-8")
    out = [run_experiment(ezhou_network, ezhou_dataset, ezhou_settings, drill=p,
                          replications=2, seed=4) for p in (kept, lost)]
    a, b = (r.variants[0].kpis for r in out)
    assert b["share_within_ems"].mean < a["share_within_ems"].mean
    assert b["coverage_ems"].mean < a["coverage_ems"].mean


def test_cli_drill_and_simulate(capsys, ezhou_settings, monkeypatch):
    monkeypatch.setenv("CC_DATA_DIR", str(ezhou_settings.data_dir))
    path = list_drills(ezhou_settings.resources_dir)[0]
    assert main(["drill", str(path), "--replications", "2", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["source"].startswith("drill:") and d["replications"] == 2
    assert main(["simulate", "--days", "0.2", "--replications", "2", "--seed", "3",
                 "--compare", "nearest,optimiser", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert [v["policy"] for v in d["variants"]] == ["nearest", "optimiser"]
    assert {r["kpi"] for r in d["comparisons"]} >= {"response_mean_min"}
    assert main(["simulate", "--days", "0.2", "--compare", "nearest,fastest"]) == 2
    assert "fastest" in capsys.readouterr().err
    assert main(["simulate", "queue", "--arrival-rate", "2", "--service-rate", "1",
                 "--servers", "4", "--hours", "20", "--replications", "2", "--json"]) == 0
    assert "mean_wait_ci95" in json.loads(capsys.readouterr().out)
