"""Recommendation on the hand-made network of tests/roads/fixtures/tiny.osm.

Node A (30.400, 114.800) to B (30.410, 114.800) is 0.01 degree due north on a primary road
(50 km/h x 1.2 emergency factor): R x 0.01 rad / (60 / 3.6) s.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from command import roads
from command.dispatch.recommend import recommend
from command.errors import DataError, OffNetworkError
from command.model import Base, Dataset, ResponsePackageLine, Team
from command.settings import Settings

TINY = Path(__file__).resolve().parents[1] / "roads" / "fixtures" / "tiny.osm"
R_M = 6_371_009.0  # osmnx's mean earth radius
A_TO_B_S = R_M * math.radians(0.01) / (50 / 3.6 * 1.2)


@pytest.fixture(scope="module")
def net():
    return roads.network_from_graph(roads.graph_from_file(TINY, Settings()))


def _base(base_id, lat, lon):
    return Base(base_id, f"{base_id}站", f"{base_id} station", "fire_station", "fire", "鄂城区",
                lat, lon, "illustrative")


@pytest.fixture(scope="module")
def dataset():
    bases = (_base("A", 30.400, 114.800), _base("C", 30.420, 114.800),
             _base("F", 30.400, 114.810))
    teams = (
        Team("E-A1", "A站水罐车", "fire", "engine", 5, "A"),
        Team("E-C1", "C站水罐车", "fire", "engine", 5, "C"),
        Team("E-F1", "F站水罐车", "fire", "engine", 5, "F"),
        Team("AMB-F", "F站救护车", "health", "ambulance", 3, "F"),
        Team("POL-A", "A站巡警", "police", "police", 2, "A"),
    )
    packages = (
        ResponsePackageLine("fire", 4, "engine", 2, "illustrative"),
        ResponsePackageLine("fire", 4, "ambulance", 1, "illustrative"),
    )
    return Dataset(city="test", bases=bases, teams=teams, response_packages=packages)


def test_units_ranked_by_road_eta_with_package_routed(net, dataset):
    # the incident at node B: A is one primary-road hop south of it
    rec = recommend(net, dataset, lat=30.410, lon=114.800, incident_type="fire",
                    max_snap_distance_m=500)
    ids = [o.unit_id for o in rec.options]
    assert "POL-A" not in ids  # police is not in the fire package
    assert set(ids) == {"E-A1", "E-C1", "E-F1", "AMB-F"}
    etas = [o.eta_s for o in rec.options]
    assert etas == sorted(etas)
    a1 = next(o for o in rec.options if o.unit_id == "E-A1")
    assert a1.eta_s == pytest.approx(A_TO_B_S, rel=1e-9)
    assert a1.distance_m == pytest.approx(R_M * math.radians(0.01), rel=1e-6)
    # the ETA of every unit is the engine's own travel time from its base
    for o in rec.options:
        base = dataset.base(o.base_id)
        (bn,), _ = roads.snap(net, [base.lat], [base.lon], max_distance_m=None)
        assert o.eta_s == pytest.approx(float(roads.travel_times_s(net, bn, rec.node)), abs=1e-6)
    routed = {o.unit_id for o in rec.options if o.routed}
    engines = sorted((o for o in rec.options if o.capability == "engine"), key=lambda o: o.eta_s)
    assert routed == {engines[0].unit_id, engines[1].unit_id, "AMB-F"}
    assert all(len(o.path) >= 2 for o in rec.options if o.routed)
    assert not rec.missing
    assert "最短" in engines[0].reason_zh and "slower" in engines[-1].reason_en
    # A and C are both one 0.01-degree hop from B: a tie, both "nearest"
    assert engines[1].eta_s == pytest.approx(engines[0].eta_s) and "最短" in engines[1].reason_zh


def test_busy_units_are_skipped_and_shortfall_reported(net, dataset):
    rec = recommend(net, dataset, lat=30.410, lon=114.800, incident_type="fire",
                    unit_status={"E-A1": "dispatched", "E-C1": "on_scene"},
                    max_snap_distance_m=500)
    assert [o.unit_id for o in rec.options if o.capability == "engine"] == ["E-F1"]
    assert rec.missing == {"engine": 1}


def test_off_network_and_unknown_type_are_refused(net, dataset):
    with pytest.raises(OffNetworkError, match="30.5"):
        recommend(net, dataset, lat=30.5, lon=114.8, incident_type="fire",
                  max_snap_distance_m=500)
    with pytest.raises(DataError, match="volcano"):
        recommend(net, dataset, lat=30.41, lon=114.8, incident_type="volcano",
                  max_snap_distance_m=500)
    with pytest.raises(DataError, match="no response package"):
        recommend(net, dataset, lat=30.41, lon=114.8, incident_type="flood",
                  max_snap_distance_m=500)
