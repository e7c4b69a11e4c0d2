"""Invariants of travel times and closures (hypothesis), and snapping to the main
strongly connected component."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from roads_testkit import write_grid_osm

from command.roads import (
    close_edges,
    graph_from_file,
    network_from_graph,
    reopen_all,
    snap,
    travel_times_s,
)
from command.settings import Settings


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    path = write_grid_osm(tmp_path_factory.mktemp("grid") / "g.osm", 12, seed=11)
    return network_from_graph(graph_from_file(path, Settings()))


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_closing_roads_never_makes_a_trip_faster(net, data):
    seed = data.draw(st.integers(0, 2**32 - 1))
    share = data.draw(st.floats(0.0, 0.3))
    rng = np.random.default_rng(seed)
    mask = rng.random(net.n_edges) < share
    closed = close_edges(net, mask)
    src = rng.choice(net.n_nodes, size=5, replace=False)
    before = travel_times_s(net, src)
    after = travel_times_s(closed, src)
    assert np.all(after >= before - 1e-9)
    np.testing.assert_array_equal(travel_times_s(reopen_all(closed), src), before)


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=st.integers(0, 10_000), b=st.integers(0, 10_000), c=st.integers(0, 10_000))
def test_triangle_inequality_and_backward_form(net, a, b, c):
    a, b, c = (x % net.n_nodes for x in (a, b, c))
    m = travel_times_s(net, [a, b, c], [a, b, c])
    assert m[0, 2] <= m[0, 1] + m[1, 2] + 1e-9
    assert np.all(np.diag(m) == 0)
    np.testing.assert_allclose(travel_times_s(net, [a, b, c], [c]), m[:, 2:3], atol=1e-9)


def test_snap_avoids_a_one_way_trap():
    # a two-way triangle 1-2-3 and a one-way spur 3 -> 4: node 4 can be reached but not
    # left, so a place next to it snaps to 3 unless asked for any node
    G = nx.MultiDiGraph(crs="epsg:4326")
    coords = {1: (30.40, 114.80), 2: (30.40, 114.81), 3: (30.41, 114.805), 4: (30.42, 114.805)}
    for n, (lat, lon) in coords.items():
        G.add_node(n, y=lat, x=lon)
    for u, v in [(1, 2), (2, 1), (2, 3), (3, 2), (1, 3), (3, 1), (3, 4)]:
        G.add_edge(u, v, length=1000.0, travel_time=60.0)
    net = network_from_graph(G)
    assert net.main_component.tolist() == [True, True, True, False]
    idx, dist = snap(net, 30.4199, 114.805, max_distance_m=None)
    assert int(net.node_osmid[idx]) == 3 and float(dist) > 1000
    idx, dist = snap(net, 30.4199, 114.805, max_distance_m=50, main_component_only=False)
    assert int(net.node_osmid[idx]) == 4 and float(dist) < 20
