"""From a scenario to actions, on the shipped Ezhou data set and network."""

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from command import roads
from command.scenarios.consequences import closed_network, consequences, node_population
from command.scenarios.library import list_scenarios, scenario_dir
from command.scenarios.schema import load_scenario

EZHOU = Path(__file__).resolve().parents[2] / "data" / "resources" / "ezhou"
NAMES = [p.stem for p in list_scenarios(scenario_dir(EZHOU))]


@pytest.fixture(scope="module")
def results(ezhou_network, ezhou_dataset, ezhou_settings):
    out = {}
    for name in NAMES:
        s = load_scenario(scenario_dir(EZHOU) / f"{name}.yaml")
        out[name] = consequences(s, ezhou_network, ezhou_dataset, settings=ezhou_settings)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_every_scenario_has_zones_closures_people_agencies_and_shelters(results, name,
                                                                       ezhou_network,
                                                                       ezhou_dataset):
    c = results[name]
    assert c.zones and all(z.grade in ("red", "orange", "yellow") for z in c.zones)
    assert c.closed_edges.size > 0 and c.closed_km > 0
    assert c.population > 0
    assert {"ema"} <= {a["agency_id"] for a in c.agencies}
    assert c.shelters and all(np.isfinite(r.eta_s) for r in c.shelters)
    assert c.incidents and all(i.units for i in c.incidents)
    # every closed edge touches a zone or is a named affected road
    union = shapely.union_all([shape(z.geometry) for z in c.zones])
    e = int(c.closed_edges[0])
    off = ezhou_network.edge_geom_offset
    line = shapely.LineString(list(zip(ezhou_network.geom_lon[off[e]:off[e + 1]],
                                       ezhou_network.geom_lat[off[e]:off[e + 1]])))
    assert line.intersects(union)
    # no proposed shelter lies inside a zone
    shelters = {s.shelter_id: s for s in ezhou_dataset.shelters}
    for r in c.shelters:
        s = shelters[r.shelter_id]
        assert not union.contains(shapely.Point(s.lon, s.lat))
        assert r.nodes[0] == c.evacuation_origin
    json.dumps(c.to_dict())  # JSON-ready
    fc = c.geojson("en")
    assert fc["features"][0]["properties"]["label"] and fc["features"][0]["properties"]["grade_label"]


def test_closing_the_zone_changes_travel_times_through_it(results, ezhou_network):
    c = results["ammonia-power-station"]
    closed = closed_network(ezhou_network, c)
    assert int(closed.edge_closed.sum()) == c.closed_edges.size
    assert not ezhou_network.edge_closed.any()  # the original is untouched
    # a pair of nodes whose fastest path used a closed edge, both ends outside the zone
    union = shapely.union_all([shape(z.geometry) for z in c.zones])
    inside = shapely.contains_xy(union, ezhou_network.node_lon, ezhou_network.node_lat)
    hit = c.closed_edges[~inside[ezhou_network.edge_u[c.closed_edges]]
                         & ~inside[ezhou_network.edge_v[c.closed_edges]]]
    found = False
    for e in hit[:50]:
        a = int(ezhou_network.edge_u[e])
        b_candidates = np.flatnonzero(~inside & ezhou_network.main_component)[::97]
        before = roads.travel_times_s(ezhou_network, a, b_candidates)
        after = roads.travel_times_s(closed, a, b_candidates)
        worse = np.flatnonzero(after > before + 1e-6)
        if worse.size:
            b = int(b_candidates[worse[0]])
            path = roads.shortest_path(ezhou_network, a, b)
            closed_pairs = set(zip(ezhou_network.edge_u[c.closed_edges].tolist(),
                                   ezhou_network.edge_v[c.closed_edges].tolist()))
            assert any(pair in closed_pairs for pair in zip(path[:-1], path[1:]))
            assert after[worse[0]] > before[worse[0]]
            found = True
            break
    assert found


def test_timed_closures_join_at_their_minute(results, ezhou_network):
    c = results["chlorine-gedian"]
    (minute, names, edges), = c.timed_closures
    assert minute == 25 and names == ("316国道",)
    early = closed_network(ezhou_network, c, at_min=10)
    late = closed_network(ezhou_network, c, at_min=30)
    assert int(early.edge_closed.sum()) == c.closed_edges.size
    assert late.edge_closed[edges].all() and late.edge_closed.sum() > early.edge_closed.sum()


def test_population_is_spread_over_the_towns_streets(ezhou_network, ezhou_dataset):
    persons, town_of, towns = node_population(ezhou_network, ezhou_dataset)
    assert persons.sum() == pytest.approx(sum(t.population for t in towns))
    for k, t in enumerate(towns):
        assert persons[town_of == k].sum() == pytest.approx(t.population)
    # 黄州 (across the river, not in population.csv) carries nobody
    north = ezhou_network.node_lat > 30.44
    east_bank = (ezhou_network.node_lon > 114.87) & north
    assert persons[east_bank].sum() < 0.01 * persons.sum()


def test_the_toxic_zones_are_nested_and_carry_their_level(results):
    c = results["chlorine-gedian"]
    by_level = {z.level: z for z in c.zones}
    assert list(by_level) == ["AEGL-3", "AEGL-2", "AEGL-1"]
    assert by_level["AEGL-3"].distance_m < by_level["AEGL-2"].distance_m < by_level["AEGL-1"].distance_m
    assert shape(by_level["AEGL-1"].geometry).buffer(1e-9).contains(shape(by_level["AEGL-2"].geometry))
    assert by_level["AEGL-2"].population <= by_level["AEGL-1"].population
    assert "2 ppm" in by_level["AEGL-2"].label_en
