"""Travel times on CSR arrays agree with networkx Dijkstra on the same graph, to 1e-6 s:
on a generated grid always, and on the default Ezhou network when its file exists."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from roads_testkit import write_grid_osm

from command.roads import (
    close_roads,
    graph_from_file,
    network_from_graph,
    path_length_m,
    shortest_path,
    snap,
    travel_times_s,
    travel_times_to_s,
)
from command.settings import Settings


def _nx_times(G: nx.MultiDiGraph, net, sources, targets) -> np.ndarray:
    """networkx reference: single-source Dijkstra weighted by travel_time."""
    order = {osmid: i for i, osmid in enumerate(net.node_osmid.tolist())}
    out = np.full((len(sources), len(targets)), np.inf)
    for i, s in enumerate(sources):
        dist = nx.single_source_dijkstra_path_length(G, int(net.node_osmid[s]),
                                                     weight="travel_time")
        for j, t in enumerate(targets):
            osmid = int(net.node_osmid[t])
            if osmid in dist:
                out[i, j] = dist[osmid]
    assert len(order) == len(G)
    return out


def _check_agreement(G, net, rng, n_sources=12, n_targets=200):
    sources = rng.choice(net.n_nodes, size=n_sources, replace=False)
    targets = rng.choice(net.n_nodes, size=min(n_targets, net.n_nodes), replace=False)
    want = _nx_times(G, net, sources, targets)
    got = travel_times_s(net, sources, targets)
    np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
    fin = np.isfinite(want)
    assert np.max(np.abs(got[fin] - want[fin])) < 1e-6
    # the backward form gives the same matrix
    back = travel_times_to_s(net, targets, sources)
    np.testing.assert_allclose(back[fin], want[fin], atol=1e-6)
    return sources, targets, want


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    path = write_grid_osm(tmp_path_factory.mktemp("grid") / "grid.osm", 30, seed=7)
    G = graph_from_file(path, Settings())
    return G, network_from_graph(G, source=str(path))


def test_grid_agrees_with_networkx(grid):
    G, net = grid
    # the points between junctions were simplified away, and so were the corners where
    # two two-way streets meet (two neighbours, no junction)
    assert 30 * 30 - 4 <= net.n_nodes <= 30 * 30
    assert net.n_edges == G.number_of_edges()
    _check_agreement(G, net, np.random.default_rng(1))


def test_grid_paths_are_consistent(grid):
    G, net = grid
    rng = np.random.default_rng(2)
    for s, t in rng.choice(net.n_nodes, size=(10, 2)):
        want_time, want_path = nx.single_source_dijkstra(
            G, int(net.node_osmid[s]), int(net.node_osmid[t]), weight="travel_time")
        path = shortest_path(net, int(s), int(t))
        # the sum of edge times along our path is the optimum networkx finds
        times = [min(d["travel_time"] for d in G[int(net.node_osmid[a])][int(net.node_osmid[b])].values())
                 for a, b in zip(path[:-1], path[1:])]
        assert sum(times) == pytest.approx(want_time, abs=1e-6)
        assert path_length_m(net, path) > 0 or s == t


def test_grid_closure_agrees_with_networkx(grid):
    G, net = grid
    closed = close_roads(net, ["Row 10", "Column 5"])
    H = G.copy()
    H.remove_edges_from([(u, v, k) for u, v, k, d in G.edges(keys=True, data=True)
                         if d.get("name") in ("Row 10", "Column 5")])
    assert closed.edge_closed.sum() == G.number_of_edges() - H.number_of_edges()
    _check_agreement(H, closed, np.random.default_rng(3), n_sources=8)


def test_default_network_agrees_with_networkx():
    settings = Settings()
    assert settings.roads_source.is_file(), f"{settings.roads_source} is missing"
    G = graph_from_file(settings.roads_source, settings)
    net = network_from_graph(G, source=str(settings.roads_source))
    assert net.n_edges == G.number_of_edges()
    _check_agreement(G, net, np.random.default_rng(4), n_sources=10, n_targets=500)
    # a central Ezhou place (the recommend example) snaps within the limit
    idx, dist = snap(net, 30.39, 114.89, max_distance_m=settings.max_snap_distance_m)
    assert float(dist) < settings.max_snap_distance_m and net.main_component[idx]
