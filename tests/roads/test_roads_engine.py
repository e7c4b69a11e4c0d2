"""The road engine on the hand-made network of fixtures/tiny.osm.

Every expected time is written out by hand: length / (class speed / 3.6 x 1.2), with
lengths from the great-circle formula in roads_testkit (A-B-M-C and F-D-E run due north,
so their lengths are R x 0.01 degrees in radians).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from roads_testkit import R_M, TINY, gc_m
from shapely.geometry import Polygon, box

from command.errors import OffNetworkError, RoadNetworkError
from command.roads import (
    at_hour,
    close_polygon,
    close_roads,
    edge_lines,
    graph_from_file,
    info,
    network_from_graph,
    path_coords,
    path_length_m,
    paths_to,
    reopen_all,
    save_graphml,
    shortest_path,
    snap,
    travel_times_s,
    travel_times_to_s,
)
from command.settings import Settings

FACTOR = 1.2
P = {  # node coordinates of the fixture, osm id -> (lat, lon)
    1: (30.400, 114.800), 2: (30.410, 114.800), 3: (30.420, 114.800), 4: (30.410, 114.810),
    5: (30.420, 114.810), 6: (30.400, 114.810), 9: (30.415, 114.800), 11: (30.395, 114.795),
    12: (30.400, 114.815), 13: (30.425, 114.800),
}
NORTH_001 = R_M * math.radians(0.01)  # 0.01 degree due north


def t(length_m: float, kmh: float) -> float:
    return length_m / (kmh / 3.6 * FACTOR)


def L(a: int, b: int) -> float:
    return gc_m(*P[a], *P[b])


@pytest.fixture(scope="module")
def graph():
    return graph_from_file(TINY, Settings())


@pytest.fixture(scope="module")
def net(graph):
    return network_from_graph(graph, source=str(TINY))


def node(net, osmid: int) -> int:
    return int(np.flatnonzero(net.node_osmid == osmid)[0])


def tt(net, a: int, b: int) -> float:
    return float(travel_times_s(net, node(net, a), node(net, b)))


def test_drivable_filter_and_simplification(net):
    # footway, parking aisle, private road and the lone hospital node are gone; the
    # interior point 9 of the primary road is simplified away
    assert sorted(net.node_osmid.tolist()) == [1, 2, 3, 4, 5, 6, 11, 12, 13]
    assert net.n_edges == 19  # nine two-way segments and one one-way
    assert L(1, 2) == pytest.approx(NORTH_001, rel=1e-12)


def test_exact_travel_times(net):
    # A -> C straight up the primary road (50 km/h)
    assert tt(net, 1, 3) == pytest.approx(t(2 * NORTH_001, 50), abs=1e-6)
    # the one-way secondary D -> E (40 km/h)
    assert tt(net, 4, 5) == pytest.approx(t(NORTH_001, 40), abs=1e-6)
    # E -> D cannot use it: E -C (tertiary 35) - B (primary 50) - D (residential 25)
    expected = t(L(5, 3), 35) + t(NORTH_001, 50) + t(L(2, 4), 25)
    assert tt(net, 5, 4) == pytest.approx(expected, abs=1e-6)
    # the bridge is a trunk road tagged maxspeed=60: the tag wins over the class's 70
    assert tt(net, 1, 6) == pytest.approx(t(L(1, 6), 60), abs=1e-6)
    # dead end on a living street (10 km/h) and back to the start
    assert tt(net, 12, 6) == pytest.approx(t(L(12, 6), 10), abs=1e-6)
    assert tt(net, 4, 4) == 0.0


def test_matrix_shapes_and_directions(net):
    ids = [node(net, i) for i in (1, 4, 5, 13)]
    m = travel_times_s(net, ids, ids)
    assert m.shape == (4, 4)
    for i, a in enumerate(ids):
        for j, b in enumerate(ids):
            assert m[i, j] == pytest.approx(float(travel_times_s(net, a, b)), abs=1e-9)
    # fewer targets than sources runs backwards; same answer
    back = travel_times_s(net, ids, ids[:1])
    np.testing.assert_allclose(back, m[:, :1], atol=1e-9)
    full = travel_times_s(net, ids[0])
    assert full.shape == (net.n_nodes,)
    to = travel_times_to_s(net, ids[2], ids)
    np.testing.assert_allclose(to, m[:, 2], atol=1e-9)
    assert travel_times_to_s(net, ids[2]).shape == (net.n_nodes,)
    assert travel_times_to_s(net, ids[:2]).shape == (net.n_nodes, 2)
    # a time limit stops the search
    limited = travel_times_s(net, ids[0], limit_s=100.0)
    assert np.isinf(limited).sum() > 0 and np.nanmin(limited) == 0.0
    with pytest.raises(RoadNetworkError, match="node index 99"):
        travel_times_s(net, 99)


def test_paths_and_geometry(net):
    a, c = node(net, 1), node(net, 3)
    path = shortest_path(net, a, c)
    assert [int(net.node_osmid[i]) for i in path] == [1, 2, 3]
    coords = path_coords(net, path)
    # the drawn route passes through the simplified-away point 9
    assert coords == [P[1], P[2], P[9], P[3]]
    assert path_length_m(net, path) == pytest.approx(2 * NORTH_001, abs=1e-6)
    routes = paths_to(net, [node(net, 5), node(net, 12)], node(net, 4))
    assert [[int(net.node_osmid[i]) for i in r] for r in routes] == [[5, 3, 2, 4], [12, 6, 4]]
    assert shortest_path(net, a, a) == [a]


def test_snap_and_off_network(net):
    # 50 m east of D
    lat, lon = 30.410, 114.810 + 50 / (R_M * math.radians(1) * math.cos(math.radians(30.41)))
    idx, dist = snap(net, lat, lon, max_distance_m=2000)
    assert int(net.node_osmid[idx]) == 4
    assert float(dist) == pytest.approx(50.0, rel=1e-3)
    idx, dist = snap(net, [30.4001, 30.4249], [114.8001, 114.8001], max_distance_m=2000)
    assert [int(net.node_osmid[i]) for i in idx] == [1, 13]
    assert idx.shape == (2,)
    with pytest.raises(OffNetworkError) as err:
        snap(net, [30.40, 31.0], [114.80, 115.5], max_distance_m=2000)
    msg = str(err.value)
    assert "31.0, 115.5" in msg and "limit 2,000 m" in msg
    assert len(err.value.problems) == 1
    with pytest.raises(OffNetworkError, match="valid coordinates"):
        snap(net, float("nan"), 114.8, max_distance_m=2000)


def test_close_by_name_and_ref_reroutes(net):
    detour = t(L(1, 6), 60) + t(NORTH_001, 70) + t(NORTH_001, 40) + t(L(5, 3), 35)
    for name in ("建设大道", "G316"):
        closed = close_roads(net, name)
        assert int(closed.edge_closed.sum()) == 4
        assert tt(closed, 1, 3) == pytest.approx(detour, abs=1e-6)
        assert tt(net, 1, 3) == pytest.approx(t(2 * NORTH_001, 50), abs=1e-6)  # untouched
        assert [int(closed.node_osmid[i]) for i in
                shortest_path(closed, node(net, 1), node(net, 3))] == [1, 6, 4, 5, 3]
    assert tt(reopen_all(close_roads(net, "建设大道")), 1, 3) == pytest.approx(
        t(2 * NORTH_001, 50), abs=1e-6)
    with pytest.raises(RoadNetworkError, match="Nowhere Road"):
        close_roads(net, ["East Road", "Nowhere Road"])


def test_close_polygon_reroutes(net):
    # a small box around point 9, the middle of B-C; it touches only that segment
    zone = box(114.799, 30.414, 114.801, 30.416)
    closed = close_polygon(net, zone)
    assert int(closed.edge_closed.sum()) == 2
    expected = t(L(1, 6), 60) + t(NORTH_001, 70) + t(NORTH_001, 40) + t(L(5, 3), 35)
    assert tt(closed, 1, 3) == pytest.approx(expected, abs=1e-6)
    # A -> B is outside the zone and keeps its time
    assert tt(closed, 1, 2) == pytest.approx(t(NORTH_001, 50), abs=1e-6)
    # GeoJSON mapping, Feature form; closures accumulate
    feature = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[
        [114.8095, 30.401], [114.8105, 30.401], [114.8105, 30.405], [114.8095, 30.405],
        [114.8095, 30.401]]]}}
    both = close_polygon(closed, feature)
    assert int(both.edge_closed.sum()) == 4  # plus F-D both ways
    assert math.isinf(tt(both, 1, 3)) is False
    assert tt(both, 1, 3) > tt(closed, 1, 3)
    with pytest.raises(RoadNetworkError, match="polygon"):
        close_polygon(net, {"type": "Point", "coordinates": [114.8, 30.4]})


def test_closure_can_cut_off_a_place(net):
    # the only road to dead end 13
    cut = close_polygon(net, Polygon([(114.799, 30.422), (114.801, 30.422),
                                      (114.801, 30.424), (114.799, 30.424)]))
    assert math.isinf(tt(cut, 1, 13))
    with pytest.raises(RoadNetworkError, match="no open road"):
        shortest_path(cut, node(net, 1), node(net, 13))
    assert paths_to(cut, [node(net, 13)], node(net, 1)) == [[]]


def test_congestion_by_hour(net):
    rush = at_hour(net, 8, congestion_factors={8: 1.5})
    assert tt(rush, 1, 3) == pytest.approx(1.5 * t(2 * NORTH_001, 50), abs=1e-6)
    assert tt(at_hour(rush, 3, congestion_factors={8: 1.5}), 1, 3) == pytest.approx(
        t(2 * NORTH_001, 50), abs=1e-6)
    with pytest.raises(RoadNetworkError, match="hour"):
        at_hour(net, 24, congestion_factors={})


def test_info_and_lines(net):
    d = info(net)
    segs = [(1, 2), (2, 3), (2, 4), (4, 5), (3, 5), (1, 6), (6, 4), (1, 11), (6, 12), (3, 13)]
    total_m = sum(L(a, b) for a, b in segs)
    assert d["nodes"] == 9 and d["edges"] == 19 and d["closed_edges"] == 0
    assert d["total_km"] == pytest.approx(total_m / 1000, abs=1e-3)
    assert d["strongly_connected_share"] == 1.0
    assert d["bbox"] == [114.795, 30.395, 114.815, 30.425]
    lats, lons = edge_lines(net)
    # ten segments; B-C has three points, the others two; a NaN after each
    assert lats.shape == lons.shape == (2 * 10 + 1 + 10,)
    assert int(np.isnan(lats).sum()) == 10 and np.isnan(lats[-1])
    closed_lats, _ = edge_lines(net, edges=close_roads(net, "Test Lane").edge_closed)
    assert closed_lats.shape == (3,)
    assert sorted(closed_lats[:2].tolist()) == [30.41, 30.41]
    cut = close_polygon(net, box(114.799, 30.414, 114.801, 30.416))
    assert info(cut)["closed_edges"] == 2


def test_graphml_round_trip(graph, net, tmp_path):
    path = save_graphml(graph, tmp_path / "tiny.graphml")
    again = network_from_graph(graph_from_file(path, Settings()))
    np.testing.assert_array_equal(again.node_osmid, net.node_osmid)
    np.testing.assert_array_equal(again.edge_u, net.edge_u)
    np.testing.assert_array_equal(again.edge_v, net.edge_v)
    np.testing.assert_allclose(again.edge_time_s, net.edge_time_s, atol=1e-9)
    np.testing.assert_allclose(again.geom_lat, net.geom_lat)
    assert again.edge_name.tolist() == net.edge_name.tolist()


def test_speed_settings_change_times(net):
    faster = Settings(road_speeds_kmh={**Settings().road_speeds_kmh, "primary": 60.0},
                      emergency_speed_factor=1.5)
    fast = network_from_graph(graph_from_file(TINY, faster))
    assert tt(fast, 1, 3) == pytest.approx(2 * NORTH_001 / (60 / 3.6 * 1.5), abs=1e-6)


def test_network_is_immutable(net):
    with pytest.raises(ValueError):
        net.edge_time_s[0] = 1.0
    closed = close_roads(net, "East Road")
    assert closed._snap_tree is net._snap_tree  # node structures are shared
    assert not net.edge_closed.any()
