"""Snapping and routing on the CSR arrays of a :class:`RoadNetwork`.

Travel times come from ``scipy.sparse.csgraph.dijkstra``: one run per source on the CSR
matrix, or one run per target on its transpose when the question is "how long from each
of these places to here". Times are seconds; unreachable is ``np.inf``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from command.errors import OffNetworkError, Problem, RoadNetworkError
from command.roads._network import EARTH_RADIUS_M, RoadNetwork

__all__ = ["snap", "travel_times_s", "travel_times_to_s", "shortest_path", "paths_to",
           "path_coords", "path_length_m", "haversine_m"]


def haversine_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    """Great-circle distance in metres (same radius as osmnx edge lengths)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def snap(net: RoadNetwork, lat: Any, lon: Any, *, max_distance_m: float | None,
         main_component_only: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The nearest network node of each place.

    Parameters
    ----------
    lat, lon
        Degrees (WGS84); scalars or arrays of one shape.
    max_distance_m
        A place farther than this from its nearest node is off the network; None means
        no limit (use ``settings.max_snap_distance_m`` for operator input).
    main_component_only
        Snap only to nodes of the largest strongly connected component, so that a place
        can both be reached and be left (a dead-end fragment would give infinite ETAs).

    Returns
    -------
    (node_index, distance_m)
        Arrays shaped like the input: node indices (int64) and the great-circle distance
        from each place to its node.

    Raises
    ------
    OffNetworkError
        Naming every place (coordinate and distance) farther than ``max_distance_m``, or
        a coordinate that is not a finite number.
    """
    lat_a, lon_a = np.broadcast_arrays(np.asarray(lat, dtype=float),
                                       np.asarray(lon, dtype=float))
    shape = lat_a.shape
    flat_lat, flat_lon = lat_a.ravel(), lon_a.ravel()
    bad = ~(np.isfinite(flat_lat) & np.isfinite(flat_lon)
            & (np.abs(flat_lat) <= 90) & (np.abs(flat_lon) <= 180))
    if bad.any():
        raise OffNetworkError(
            "a place has no valid coordinates",
            [Problem(rule="latitude must be -90..90 and longitude -180..180",
                     field="lat, lon", value=(float(a), float(b)))
             for a, b in zip(flat_lat[bad], flat_lon[bad])])
    tree_main, main_idx, tree_all = net._snap_tree
    tree, index = (tree_main, main_idx) if main_component_only else (tree_all, None)
    k = min(4, tree.n)
    _, cand = tree.query(net.local_xy_m(flat_lat, flat_lon), k=k)
    cand = cand.reshape(flat_lat.size, k)
    nodes = cand if index is None else index[cand]
    # the plane is an approximation; pick the truly nearest of a few candidates
    dist = haversine_m(flat_lat[:, None], flat_lon[:, None],
                       net.node_lat[nodes], net.node_lon[nodes])
    best = np.argmin(dist, axis=1)
    rows = np.arange(flat_lat.size)
    node, dist_m = nodes[rows, best], dist[rows, best]
    if max_distance_m is not None:
        far = dist_m > max_distance_m
        if far.any():
            problems = [Problem(rule=f"{d:,.0f} m from the nearest road "
                                     f"(limit {max_distance_m:,.0f} m)",
                                field="lat, lon", value=(round(float(a), 6), round(float(b), 6)))
                        for a, b, d in zip(flat_lat[far], flat_lon[far], dist_m[far])]
            first = problems[0]
            raise OffNetworkError(
                f"the place {first.value[0]}, {first.value[1]} is off the road network "
                f"({dist_m[far][0]:,.0f} m from the nearest road, limit "
                f"{max_distance_m:,.0f} m)", problems)
    return node.reshape(shape).astype(np.int64), dist_m.reshape(shape)


def _indices(net: RoadNetwork, nodes: Any, what: str) -> tuple[np.ndarray, bool]:
    arr = np.asarray(nodes)
    scalar = arr.ndim == 0
    arr = np.atleast_1d(arr).astype(np.int64, copy=False).ravel()
    if arr.size and (arr.min() < 0 or arr.max() >= net.n_nodes):
        wrong = arr[(arr < 0) | (arr >= net.n_nodes)]
        raise RoadNetworkError(f"{what}: node index {int(wrong[0])} is not in the network "
                               f"(0..{net.n_nodes - 1})")
    return arr, scalar


def _shape(result: np.ndarray, src_scalar: bool, tgt_scalar: bool) -> np.ndarray:
    if src_scalar and tgt_scalar:
        return result[0, 0]
    if src_scalar:
        return result[0]
    if tgt_scalar:
        return result[:, 0]
    return result


def travel_times_s(net: RoadNetwork, sources: Any, targets: Any = None, *,
                   limit_s: float = np.inf) -> np.ndarray:
    """Travel times (s) from ``sources`` to ``targets`` over open roads.

    Parameters
    ----------
    sources, targets
        Node indices (scalars or 1-D); ``targets=None`` means every node.
    limit_s
        Stop searching beyond this time; farther nodes come back as ``inf``.

    Returns
    -------
    ndarray
        ``[source, target]`` (shape (S, T), or (S, N)); a scalar source or target drops
        its axis. Unreachable is ``np.inf``. When there are fewer targets than sources
        the searches run backwards from the targets; the answer is the same.
    """
    from scipy.sparse.csgraph import dijkstra

    src, s_scalar = _indices(net, sources, "sources")
    if targets is None:
        d = dijkstra(net.csr, directed=True, indices=src, limit=limit_s)
        return d[0] if s_scalar else d
    tgt, t_scalar = _indices(net, targets, "targets")
    if tgt.size < src.size:
        d = dijkstra(net.csr_reverse, directed=True, indices=tgt, limit=limit_s)[:, src].T
    else:
        d = dijkstra(net.csr, directed=True, indices=src, limit=limit_s)[:, tgt]
    return _shape(np.ascontiguousarray(d), s_scalar, t_scalar)


def travel_times_to_s(net: RoadNetwork, targets: Any, sources: Any = None, *,
                      limit_s: float = np.inf) -> np.ndarray:
    """Travel times (s) from ``sources`` (default every node) to each of ``targets``.

    One Dijkstra per target on the transposed CSR: the form for many units heading to
    one incident. The result is indexed ``[source, target]`` like
    :func:`travel_times_s`: shape (S, T) or (N, T); a scalar drops its axis, so
    ``travel_times_to_s(net, incident_node, unit_nodes)`` is one ETA per unit.
    """
    from scipy.sparse.csgraph import dijkstra

    tgt, t_scalar = _indices(net, targets, "targets")
    d = dijkstra(net.csr_reverse, directed=True, indices=tgt, limit=limit_s)
    if sources is None:
        d = d.T
        return np.ascontiguousarray(d[:, 0] if t_scalar else d)
    src, s_scalar = _indices(net, sources, "sources")
    return _shape(np.ascontiguousarray(d[:, src].T), s_scalar, t_scalar)


def _walk(pred_row: np.ndarray, start: int, stop: int) -> list[int]:
    out = [start]
    node = start
    while node != stop:
        node = int(pred_row[node])
        if node < 0:
            return []
        out.append(node)
    return out


def shortest_path(net: RoadNetwork, source: int, target: int) -> list[int]:
    """The fastest route from ``source`` to ``target`` as a list of node indices.

    Raises
    ------
    RoadNetworkError
        If no open road leads from source to target (closures can cut a place off).
    """
    from scipy.sparse.csgraph import dijkstra

    (s,), _ = _indices(net, source, "source")
    (t,), _ = _indices(net, target, "target")
    if s == t:
        return [int(s)]
    _, pred = dijkstra(net.csr, directed=True, indices=int(s), return_predecessors=True)
    path = _walk(pred, int(t), int(s))
    if not path:
        raise RoadNetworkError(f"no open road leads from node {s} to node {t}")
    return path[::-1]


def paths_to(net: RoadNetwork, sources: Any, target: int) -> list[list[int]]:
    """Fastest routes from each source to one target, from a single backward search.

    Returns
    -------
    list of list of int
        One node list per source (source first, target last); an empty list where the
        target cannot be reached.
    """
    from scipy.sparse.csgraph import dijkstra

    src, _ = _indices(net, sources, "sources")
    (t,), _ = _indices(net, target, "target")
    # a predecessor in the reversed graph is the next node towards the target
    _, nxt = dijkstra(net.csr_reverse, directed=True, indices=int(t),
                      return_predecessors=True)
    return [_walk(nxt, int(s), int(t)) for s in src]


def _path_edges(net: RoadNetwork, nodes: list[int]) -> np.ndarray:
    """The edge used between each consecutive pair of nodes (the fastest open one)."""
    csr, edge_of = net._csr_and_edge
    indptr, indices = csr.indptr, csr.indices
    out = np.empty(max(len(nodes) - 1, 0), dtype=np.int64)
    for i, (a, b) in enumerate(zip(nodes[:-1], nodes[1:])):
        lo, hi = indptr[a], indptr[a + 1]
        hit = np.flatnonzero(indices[lo:hi] == b)
        if hit.size == 0:
            raise RoadNetworkError(f"nodes {a} and {b} are not joined by an open road")
        out[i] = edge_of[lo + hit[0]]
    return out


def path_coords(net: RoadNetwork, nodes: list[int]) -> list[tuple[float, float]]:
    """(lat, lon) points along a node path, following each road's drawn geometry."""
    if len(nodes) == 0:
        return []
    if len(nodes) == 1:
        n = nodes[0]
        return [(float(net.node_lat[n]), float(net.node_lon[n]))]
    coords: list[tuple[float, float]] = []
    off = net.edge_geom_offset
    for e in _path_edges(net, nodes):
        lat = net.geom_lat[off[e]:off[e + 1]]
        lon = net.geom_lon[off[e]:off[e + 1]]
        pts = list(zip(lat.tolist(), lon.tolist()))
        coords.extend(pts[1:] if coords and coords[-1] == pts[0] else pts)
    return coords


def path_length_m(net: RoadNetwork, nodes: list[int]) -> float:
    """Road length (m) of a node path, along the edges the travel times used."""
    if len(nodes) < 2:
        return 0.0
    return float(net.edge_length_m[_path_edges(net, nodes)].sum())
