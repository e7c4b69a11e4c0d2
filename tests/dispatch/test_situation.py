"""Situation files: validation with lines and fields, checks against the data set and the
network before solving, and the problems and plans built from them."""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path

import numpy as np
import pytest

from command import roads
from command.app.optimise import assignment_plan, deliveries_plan, materials_plan, moveup_plan
from command.cli import main
from command.dispatch.assign import greedy_assign, weighted_full_complement_s
from command.errors import DataError
from command.situation import (
    assignment_problem,
    load_situation,
    material_problem,
    moveup_problem,
    prepare,
    situation_from_dict,
    zone_weights,
)

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "data" / "resources" / "ezhou" / "situations" / "surge-echeng.yaml"


def write(tmp_path, text: str) -> Path:
    p = tmp_path / "situation.yaml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def example(ezhou_network, ezhou_dataset, ezhou_settings):
    situation, located = load_situation(EXAMPLE)
    return prepare(situation, located, ezhou_network, ezhou_dataset, ezhou_settings)


def problems_of(exc: DataError) -> list:
    return [(p.row, p.field, p.value) for p in exc.problems]


# --------------------------------------------------------------------------- schema

def test_schema_errors_name_line_field_and_value(tmp_path):
    path = write(tmp_path, """\
        name: bad
        incidents:
          - {id: I1, type: fire, lat: 30.39, lon: 114.89}
          - id: I2
            type: volcano
            lat: 30.38
            lon: 114.90
            demand: {engine: -1}
        colour: red
        """)
    with pytest.raises(DataError) as err:
        load_situation(path)
    got = problems_of(err.value)
    assert (5, "incidents[1].type", "volcano") in got
    assert (8, "incidents[1].demand.engine", -1) in got
    assert (9, "colour", "red") in got
    assert str(path) in str(err.value)


def test_not_yaml_and_missing_file(tmp_path):
    with pytest.raises(DataError, match="not valid YAML"):
        load_situation(write(tmp_path, "incidents: [\n"))
    with pytest.raises(DataError, match="No such situation file"):
        load_situation(tmp_path / "nope.yaml")
    with pytest.raises(DataError, match="mapping"):
        load_situation(write(tmp_path, "- 1\n- 2\n"))


def test_unknown_unit_offnetwork_incident_and_unknown_road_refused_before_solving(
        tmp_path, ezhou_network, ezhou_dataset, ezhou_settings):
    path = write(tmp_path, """\
        incidents:
          - {id: I1, type: fire, lat: 30.39, lon: 114.89}
          - {id: I2, type: fire, lat: 30.65, lon: 115.15}
        units:
          - {unit_id: NO-SUCH-UNIT, status: out_of_service}
        closures: {roads: [不存在的路]}
        shelters:
          - {shelter_id: S01, persons: 999999}
        """)
    situation, located = load_situation(path)
    with pytest.raises(DataError) as err:
        prepare(situation, located, ezhou_network, ezhou_dataset, ezhou_settings)
    got = {(p.row, p.field): p for p in err.value.problems}
    assert got[(5, "units[0].unit_id")].value == "NO-SUCH-UNIT"
    off = got[(3, "incidents[1]")]
    assert "off the road network" in off.rule and "30.65" in str(off.value)
    assert got[(6, "closures.roads[0]")].value == "不存在的路"
    assert "capacity" in got[(8, "shelters[0].persons")].rule
    assert "nothing was solved" in str(err.value)


# --------------------------------------------------------------------------- problems

def test_assignment_problem_from_the_example(example, ezhou_dataset):
    p = assignment_problem(example)
    # F01-ENG1 is out of service in the file; every other unit is available
    assert "F01-ENG1" not in p.unit_ids
    assert len(p.unit_ids) == len(ezhou_dataset.teams) - 1
    assert p.incident_ids == ("I1", "I2", "I3", "I4", "I5", "I6")
    assert p.incident_priority == (1, 2, 1, 2, 3, 2)
    # demand from the response packages of the data set
    hazmat3 = ezhou_dataset.package("hazmat_leak", 3)
    assert {c: n for (k, c), n in p.demand.items() if k == 0} == hazmat3
    # ETAs are road times from each unit's base on the closed, hour-17 network
    k = p.unit_ids.index("F03-ENG1")
    node = example.base_nodes["F03"]
    assert p.eta_s[k, 0] == pytest.approx(
        roads.travel_times_s(example.network, node, int(example.incident_nodes[0])))
    assert p.zone_ids and p.eta_zone_s.shape == (len(p.unit_ids), len(p.zone_ids))
    assert p.aid_unit_ids == ("HG-HAZ1",)


def test_closure_of_the_bridge_changes_eta_across_the_river(ezhou_network, ezhou_dataset,
                                                            ezhou_settings):
    # a fire in 黄州 (north bank) reached from the 鄂城 stations
    base = {"incidents": [{"id": "N1", "type": "fire", "lat": 30.445, "lon": 114.875}],
            "coverage": False}
    open_ = prepare(*situation_from_dict(base), ezhou_network, ezhou_dataset, ezhou_settings)
    closed = prepare(*situation_from_dict({**base, "closures": {"roads": ["鄂黄长江大桥"]}}),
                     ezhou_network, ezhou_dataset, ezhou_settings)
    a, b = assignment_problem(open_), assignment_problem(closed)
    k = a.unit_ids.index("F01-ENG2")
    assert b.eta_s[k, 0] > a.eta_s[k, 0] + 120  # the detour costs minutes


def test_plan_is_feasible_and_explained(example):
    plan, extra = assignment_plan(example, time_limit_s=2.0)
    problem = assignment_problem(example)
    used = [a.unit_id for a in plan.assignments]
    assert len(used) == len(set(used))
    caps = dict(zip(problem.unit_ids, problem.unit_capability, strict=False))
    col = {i: k for k, i in enumerate(problem.incident_ids)}
    row = {u: k for k, u in enumerate(problem.unit_ids)}
    sent: dict = {}
    for a in plan.assignments:
        assert caps[a.unit_id] == a.capability
        assert a.eta_s == pytest.approx(problem.eta_s[row[a.unit_id], col[a.incident_id]])
        assert a.reason_zh and a.reason_en
        sent[(col[a.incident_id], a.capability)] = sent.get(
            (col[a.incident_id], a.capability), 0) + 1
    for key, n in problem.demand.items():
        missing = sum(s.missing for s in plan.shortfalls
                      if (col[s.incident_id], s.capability) == key)
        assert sent.get(key, 0) + missing == n
    assert plan.solver_status in ("OPTIMAL", "FEASIBLE")
    assert extra["full_complement_s"] <= extra["greedy_full_complement_s"] + 1e-6
    g = greedy_assign(problem)
    assert extra["greedy_full_complement_s"] == pytest.approx(
        weighted_full_complement_s(problem, g), abs=0.1)


def test_material_problem_shelter_rations_and_allocation(example, ezhou_dataset):
    p = material_problem(example)
    assert p.point_ids[-1] == "S01"
    tents = p.demand[p.point_ids.index("S01"), p.item_ids.index("tent")]
    rations = {r.item_id: r.per_100_persons for r in ezhou_dataset.shelter_rations}
    assert tents == math.ceil(rations["tent"] * 1200 / 100) == 300
    suits = p.demand[p.point_ids.index("I1"), p.item_ids.index("chem_suit")]
    assert suits == ezhou_dataset.material_package("hazmat_leak", 3)["chem_suit"][0]
    result, data = materials_plan(example, time_limit_s=2.0)
    stock = dict(zip(((d.depot_id, d.item_id) for d in result.depots),
                     (d.stock for d in result.depots), strict=False))
    shipped: dict = {}
    for s in result.shipments:
        shipped[(s.depot_id, s.item_id)] = shipped.get((s.depot_id, s.item_id), 0) + s.quantity
    for key, q in shipped.items():
        assert q <= stock[key] + 1e-9  # no stock below zero
    assert data["unmet_weighted"] == pytest.approx(result.unmet_weighted, abs=1e-3)


def test_deliveries_carry_every_shipment_within_truck_capacity(example, ezhou_dataset):
    result, _ = materials_plan(example, time_limit_s=2.0)
    plan = deliveries_plan(example, result, time_limit_s=1.0)
    kg = {r.item_id: r.kg_per_unit for r in ezhou_dataset.item_loads}
    want: dict = {}
    for s in result.shipments:
        want[(s.depot_id, s.point_id)] = want.get((s.depot_id, s.point_id), 0) + \
            s.quantity * kg[s.item_id]
    cap = example.situation.delivery.truck_capacity_kg
    carried: dict = {}
    for d in plan["depots"]:
        for r in d["routes"]:
            assert r["load_kg"] <= cap
            assert r["path"] and len(r["path"][0]) == 2
            arrivals = [s["arrival_s"] for s in r["stops"]]
            assert arrivals == sorted(arrivals)
            for s in r["stops"]:
                carried[(d["depot_id"], s["point_id"])] = carried.get(
                    (d["depot_id"], s["point_id"]), 0) + s["load_kg"]
        for pid in d["unserved"]:
            carried.setdefault((d["depot_id"], pid), None)
    for key, w in want.items():
        if carried.get(key) is not None and not any(
                key[1] in d["unserved"] for d in plan["depots"] if d["depot_id"] == key[0]):
            assert carried[key] == pytest.approx(math.ceil(w), abs=1)


def test_zone_weights_share_the_district_population(ezhou_dataset):
    zones = tuple(g.grid_id for g in ezhou_dataset.grid_cells if g.level == "town")
    w = dict(zip(zones, zone_weights(ezhou_dataset, zones), strict=False))
    district = {p.district: p.population for p in ezhou_dataset.population
                if p.level == "district"}
    cells = {g.grid_id: g.district for g in ezhou_dataset.grid_cells}
    # 鄂城区's four city streets have no population row: they share what the district
    # leaves after its named towns, so the district adds up
    assert sum(v for z, v in w.items() if cells[z] == "鄂城区") == pytest.approx(district["鄂城区"])
    named = sum(p.population for p in ezhou_dataset.population
                if p.level == "town" and p.district == "鄂城区" and p.name_zh != "鄂城城区")
    assert w["GT-fenghuang"] == pytest.approx((district["鄂城区"] - named) / 4)
    assert w["GT-gedian"] == 85000


def test_moveup_after_dispatch(example):
    plan, _ = assignment_plan(example, time_limit_s=2.0)
    busy = [a.unit_id for a in plan.assignments]
    p = moveup_problem(example, busy)
    assert not set(busy) & set(p.unit_ids)
    data = moveup_plan(example, busy, time_limit_s=2.0)
    assert len(data["moves"]) <= example.situation.moveup.max_moves
    assert data["after"]["expected_weight"] >= data["before"]["expected_weight"] - 1e-6
    for m in data["moves"]:
        assert m["minutes"] <= example.situation.moveup.max_move_min + 1e-9


# --------------------------------------------------------------------------- CLI

@pytest.mark.parametrize("command,keys", [
    ("assign", {"assignments", "shortfalls", "solver_status", "greedy_full_complement_s"}),
    ("materials", {"shipments", "shortages", "unmet", "depots"}),
    ("moveup", {"moves", "before", "after"}),
    ("deliveries", {"depots", "materials_status"}),
])
def test_cli_json(command, keys, capsys, monkeypatch, ezhou_settings):
    monkeypatch.setenv("CC_DATA_DIR", str(ezhou_settings.data_dir))
    rc = main(["optimise", command, "--situation", str(EXAMPLE), "--time-limit", "1", "--json"])
    out = capsys.readouterr().out
    assert rc == 0
    data = json.loads(out)
    assert keys <= set(data)
    assert data["situation"].startswith("鄂城")


def test_cli_bad_situation_exits_2_with_the_field(tmp_path, capsys, monkeypatch,
                                                   ezhou_settings):
    monkeypatch.setenv("CC_DATA_DIR", str(ezhou_settings.data_dir))
    path = write(tmp_path, "incidents:\n  - {id: I1, type: fire, lat: 30.39, lon: 114.89, "
                           "demand: {engine: -2}}\n")
    assert main(["optimise", "assign", "--situation", str(path)]) == 2
    err = capsys.readouterr().err
    assert "incidents[0].demand.engine" in err and "-2" in err and "row 2" in err


def test_empty_value_is_null_and_reported_by_field(tmp_path):
    path = write(tmp_path, "name:\nincidents:\n  - {id: I1, type: fire, lat:, lon: 114.89}\n")
    with pytest.raises(DataError) as err:
        load_situation(path)
    got = problems_of(err.value)
    assert any(f == "incidents[0].lat" and row == 3 for row, f, _ in got)
    assert any(f == "name" and row == 1 for row, f, _ in got)  # an empty name is not text


def test_a_scenario_brings_closures_incidents_and_evacuees(ezhou_network, ezhou_dataset,
                                                           ezhou_settings):
    from command.scenarios.consequences import consequences
    from command.scenarios.library import find_scenario, scenario_dir
    from command.scenarios.schema import load_scenario

    prep = prepare(*situation_from_dict({"scenario": "chlorine-gedian", "coverage": False}),
                   ezhou_network, ezhou_dataset, ezhou_settings)
    scenario = load_scenario(find_scenario("chlorine-gedian",
                                           scenario_dir(ezhou_settings.resources_dir)))
    c = consequences(scenario, ezhou_network, ezhou_dataset, settings=ezhou_settings)
    # the zone's edges are closed in the prepared network
    assert len(c.closed_edges) > 0 and prep.network.edge_closed[c.closed_edges].all()
    first = [i for i in c.incidents if i.at_min <= 0]
    assert [i.type for i in prep.situation.incidents] == [i.type for i in first]
    assert prep.situation.incidents[0].id == "S1"
    assert sum(s.persons for s in prep.situation.shelters) == min(
        c.population, sum(r.capacity_persons for r in c.shelters))
    plan, _ = assignment_plan(prep, time_limit_s=1.0)
    assert {a.incident_id for a in plan.assignments} == {i.id for i in prep.situation.incidents}


def test_unknown_scenario_is_named(tmp_path, ezhou_network, ezhou_dataset, ezhou_settings):
    path = write(tmp_path, "scenario: no-such-scenario\n")
    with pytest.raises(DataError) as err:
        prepare(*load_situation(path), ezhou_network, ezhou_dataset, ezhou_settings)
    assert (1, "scenario", "no-such-scenario") in problems_of(err.value)


def test_incident_inside_a_closed_area_is_reached_and_others_avoid_it(
        ezhou_network, ezhou_dataset, ezhou_settings):
    lat, lon, d = 30.391, 114.887, 0.004
    ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]]
    base = {"incidents": [{"id": "IN", "type": "fire", "lat": lat, "lon": lon}],
            "coverage": False}
    open_ = assignment_problem(prepare(*situation_from_dict(base), ezhou_network,
                                       ezhou_dataset, ezhou_settings))
    closed_prep = prepare(*situation_from_dict({**base, "closures": {"polygons": [ring]}}),
                          ezhou_network, ezhou_dataset, ezhou_settings)
    closed = assignment_problem(closed_prep)
    # the closed network cuts the incident off; responders are let in over the zone's roads
    assert not np.isfinite(roads.travel_times_s(closed_prep.network, closed_prep.unit_nodes,
                                                int(closed_prep.incident_nodes[0]))).any()
    assert np.isfinite(closed.eta_s).all()
    np.testing.assert_allclose(closed.eta_s, open_.eta_s)


def test_complete_plan_fills_allocations_routes_and_moves(example):
    from command.app.optimise import complete_plan

    plan, figures = complete_plan(example, time_limit_s=1.0)
    assert plan.assignments and plan.allocations and plan.routes
    assert len(plan.moves) <= example.situation.moveup.max_moves
    shipped = {(a["depot_id"], a["point_id"]) for a in plan.allocations}
    assert {(r["depot_id"], s["point_id"]) for r in plan.routes for s in r["stops"]} <= shipped
    busy = {a.unit_id for a in plan.assignments}
    assert not busy & {m["unit_id"] for m in plan.moves}  # no dispatched unit moves up
    again = type(plan).from_dict(json.loads(json.dumps(plan.to_dict())))
    assert again.allocations == plan.allocations and again.moves == plan.moves
    assert figures["materials_status"] in ("OPTIMAL", "FEASIBLE")


def test_cli_plan_record_stores_incidents_and_a_proposed_plan(ezhou_store, capsys,
                                                              monkeypatch):
    from command import store

    settings, engine = ezhou_store
    monkeypatch.setenv("CC_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    rc = main(["optimise", "plan", "--situation", str(EXAMPLE), "--time-limit", "1",
               "--record", "--actor", "planner-1", "--json"])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    with store.session_scope(engine, read_only=True) as s:
        rec = store.get_plan(s, data["plan_id"])
        incidents = {i.incident_id: i for i in store.list_incidents(s)}
        audit = store.list_audit(s, limit=20)
    assert rec.status == "proposed"
    assert set(rec.incident_ids) == set(data["recorded_incidents"]) <= set(incidents)
    assert len(rec.incident_ids) == 6
    assert {a["unit_id"] for a in rec.payload["assignments"]} == \
        {a["unit_id"] for a in data["assignments"]}
    assert any(e.actor == "planner-1" for e in audit)
    # the duty officer approves it: its units are dispatched
    with store.session_scope(engine) as s:
        store.decide_plan(s, rec.plan_id, "approve", "指挥长")
        status = {u.unit_id: u.status for u in store.list_units(s)}
    assert all(status[a["unit_id"]] == "dispatched" for a in rec.payload["assignments"])
