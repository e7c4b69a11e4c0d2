"""RoadNetwork: the immutable array form of a road graph, and what is derived from it.

Every query (snapping, travel times, paths, closures, drawing) runs on these arrays.
Derived structures (the CSR matrix of open edges, its transpose, the KD-tree for
snapping) are computed on first use and cached on the instance; since a network never
changes, a closure produces a new network with its own CSR ("one CSR per closure state")
while node-only structures such as the KD-tree are handed on.
"""

from __future__ import annotations

import ast
import dataclasses
import logging
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from command.errors import Problem, RoadNetworkError

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx
    from scipy.sparse import csr_matrix
    from scipy.spatial import cKDTree

__all__ = ["RoadNetwork", "network_from_graph", "info", "edge_lines"]

log = logging.getLogger(__name__)

EARTH_RADIUS_M = 6_371_009.0  # mean Earth radius, the value osmnx uses for great circles

# Structures that depend only on the nodes (and the full edge set), not on closures or
# travel-time factors; a derived network inherits them instead of recomputing.
_NODE_CACHES = ("_projection", "_snap_tree", "main_component")


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """A directed road network as numpy arrays (node and edge indices are positions).

    Attributes
    ----------
    node_osmid : int64 (N,)
        OpenStreetMap id of each node.
    node_lat, node_lon : float64 (N,)
        WGS84 degrees.
    edge_u, edge_v : int64 (E,)
        Tail and head node index of each directed edge.
    edge_length_m : float64 (E,)
        Length along the road.
    edge_time_s : float64 (E,)
        Emergency-vehicle travel time: length / (class speed x emergency factor), times
        the congestion factor of the hour when one was applied (see ``time_factor``).
    edge_speed_kmh : float64 (E,)
        Free-flow speed of the road (maxspeed where tagged, else by highway class).
    edge_name, edge_ref : str (E,)
        Road name and route reference ('' if none; several joined with ';').
    edge_highway : str (E,)
        OSM highway class (the first one where simplification merged several; this is
        also the class osmnx used for the speed).
    edge_geom_offset : int64 (E + 1,)
        Edge ``i`` is drawn through ``geom_lat/geom_lon[offset[i]:offset[i + 1]]``,
        oriented from ``u`` to ``v``.
    geom_lat, geom_lon : float64
        Flat geometry coordinates of all edges.
    edge_closed : bool (E,)
        Closed edges carry no traffic; every travel time avoids them.
    source : str
        Where the network came from (file path or description).
    source_hash : str
        SHA-256 of the source file's content ('' if unknown).
    time_factor : float
        Congestion multiplier applied to ``edge_time_s`` (1.0 = free flow).
    """

    node_osmid: np.ndarray
    node_lat: np.ndarray
    node_lon: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length_m: np.ndarray
    edge_time_s: np.ndarray
    edge_speed_kmh: np.ndarray
    edge_name: np.ndarray
    edge_ref: np.ndarray
    edge_highway: np.ndarray
    edge_geom_offset: np.ndarray
    geom_lat: np.ndarray
    geom_lon: np.ndarray
    edge_closed: np.ndarray
    source: str = ""
    source_hash: str = ""
    time_factor: float = 1.0

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    # -- sizes -------------------------------------------------------------------------
    @property
    def n_nodes(self) -> int:
        return int(self.node_osmid.shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.edge_u.shape[0])

    def __repr__(self) -> str:
        return (f"RoadNetwork({self.n_nodes} nodes, {self.n_edges} edges, "
                f"{int(self.edge_closed.sum())} closed, source={self.source!r})")

    # -- cached derived data -----------------------------------------------------------
    @cached_property
    def _csr_and_edge(self) -> tuple[csr_matrix, np.ndarray]:
        """CSR matrix of travel times over open edges (parallel edges: the minimum) and,
        aligned with its ``data``, the index of the edge that supplies each entry."""
        from scipy.sparse import csr_matrix

        n = self.n_nodes
        open_ = np.flatnonzero(~self.edge_closed & (self.edge_u != self.edge_v))
        u, v, t = self.edge_u[open_], self.edge_v[open_], self.edge_time_s[open_]
        # sort by (u, v, time) so the first of each (u, v) run is the fastest edge
        order = np.lexsort((t, v, u))
        u, v, t, idx = u[order], v[order], t[order], open_[order]
        first = np.ones(u.shape[0], dtype=bool)
        first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
        u, v, t, idx = u[first], v[first], t[first], idx[first]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(u, minlength=n), out=indptr[1:])
        # explicit zero times (zero-length edges) stay stored entries: csgraph treats
        # stored zeros of a sparse matrix as edges
        mat = csr_matrix((t, v, indptr), shape=(n, n))
        return mat, idx

    @property
    def csr(self) -> csr_matrix:
        """Travel times (s) over open edges as a ``scipy.sparse.csr_matrix`` (N x N)."""
        return self._csr_and_edge[0]

    @cached_property
    def csr_reverse(self) -> csr_matrix:
        """The transposed CSR: Dijkstra on it gives times *to* a node from everywhere."""
        return self.csr.transpose().tocsr()

    @cached_property
    def _projection(self) -> tuple[float, float, float]:
        """Local equirectangular projection (lat0, lon0, metres per degree of longitude)."""
        lat0 = float(np.mean(self.node_lat)) if self.n_nodes else 0.0
        lon0 = float(np.mean(self.node_lon)) if self.n_nodes else 0.0
        return lat0, lon0, np.radians(1.0) * EARTH_RADIUS_M * np.cos(np.radians(lat0))

    def local_xy_m(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Coordinates in metres on a local plane centred on the network, shape (..., 2)."""
        lat0, lon0, m_per_deg_lon = self._projection
        m_per_deg_lat = np.radians(1.0) * EARTH_RADIUS_M
        return np.stack([(np.asarray(lon) - lon0) * m_per_deg_lon,
                         (np.asarray(lat) - lat0) * m_per_deg_lat], axis=-1)

    @cached_property
    def main_component(self) -> np.ndarray:
        """Boolean mask of the nodes in the largest strongly connected component of the
        network with every edge open (closures do not move where places snap to)."""
        return _largest_scc_mask(self.n_nodes, self.edge_u, self.edge_v)

    @cached_property
    def _snap_tree(self) -> tuple[cKDTree, np.ndarray, cKDTree]:
        """KD-trees on local x/y: main-component nodes (with their indices) and all nodes."""
        from scipy.spatial import cKDTree

        xy = self.local_xy_m(self.node_lat, self.node_lon)
        main = np.flatnonzero(self.main_component)
        return cKDTree(xy[main]), main, cKDTree(xy)

    @property
    def kdtree(self) -> cKDTree:
        """``scipy.spatial.cKDTree`` of all nodes on local metric x/y (see ``local_xy_m``)."""
        return self._snap_tree[2]

    def derive(self, **changes: Any) -> RoadNetwork:
        """A copy with ``changes`` to its fields that keeps node-only cached structures."""
        new = dataclasses.replace(self, **changes)
        for name in _NODE_CACHES:
            if name in self.__dict__:
                new.__dict__[name] = self.__dict__[name]
        return new


def _largest_scc_mask(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if n == 0:
        return np.zeros(0, dtype=bool)
    adj = coo_matrix((np.ones(u.shape[0]), (u, v)), shape=(n, n)).tocsr()
    _, labels = connected_components(adj, directed=True, connection="strong")
    return labels == np.argmax(np.bincount(labels))


# -- building from a networkx graph -----------------------------------------------------

def _as_list(value: Any) -> list:
    """osmnx attributes may be a value, a list (after simplification) or, from GraphML,
    the string form of a list."""
    if value is None:
        return []
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return [value]
    if isinstance(value, (list, tuple, set)):
        return [v for v in value if v is not None and str(v) != "nan"]
    if isinstance(value, float) and np.isnan(value):
        return []
    return [value]


def _joined(value: Any) -> str:
    seen: list[str] = []
    for item in _as_list(value):
        for part in str(item).split(";"):
            part = part.strip()
            if part and part not in seen:
                seen.append(part)
    return ";".join(seen)


def network_from_graph(G: nx.MultiDiGraph, *, source: str = "",
                       source_hash: str = "") -> RoadNetwork:
    """The array form of a graph built by :func:`graph_from_file`.

    Parameters
    ----------
    G
        An osmnx-style MultiDiGraph: nodes with ``x``/``y`` (lon/lat), edges with
        ``length`` (m) and ``travel_time`` (s); optional ``speed_kph``, ``name``,
        ``ref``, ``highway`` and ``geometry`` (a LineString in lon/lat).
    source, source_hash
        Recorded on the network.

    Raises
    ------
    RoadNetworkError
        If the graph is empty or an edge lacks ``length`` or ``travel_time``.
    """
    nodes = sorted(G.nodes)
    if not nodes or G.number_of_edges() == 0:
        raise RoadNetworkError(f"the road network {source or 'graph'} has no roads")
    index = {n: i for i, n in enumerate(nodes)}
    node_lat = np.array([float(G.nodes[n]["y"]) for n in nodes])
    node_lon = np.array([float(G.nodes[n]["x"]) for n in nodes])

    us, vs, lengths, times, speeds, names, refs, highways = [], [], [], [], [], [], [], []
    glat: list[float] = []
    glon: list[float] = []
    offsets = [0]
    problems: list[Problem] = []
    for u, v, data in G.edges(data=True):
        if "length" not in data or "travel_time" not in data:
            if len(problems) < 5:
                problems.append(Problem(rule="edge has no length or travel_time",
                                        file=source or None, field="edge", value=(u, v)))
            continue
        iu, iv = index[u], index[v]
        us.append(iu)
        vs.append(iv)
        lengths.append(float(data["length"]))
        times.append(float(data["travel_time"]))
        speeds.append(float(data.get("speed_kph", np.nan)))
        names.append(_joined(data.get("name")))
        refs.append(_joined(data.get("ref")))
        hw = _as_list(data.get("highway"))
        highways.append(str(hw[0]) if hw else "")
        geom = data.get("geometry")
        if geom is not None:
            xs, ys = geom.xy
            xs, ys = list(xs), list(ys)
            # osmnx orients geometry u -> v; a GraphML from elsewhere may not
            du = (xs[0] - node_lon[iu]) ** 2 + (ys[0] - node_lat[iu]) ** 2
            dv = (xs[0] - node_lon[iv]) ** 2 + (ys[0] - node_lat[iv]) ** 2
            if dv < du:
                xs.reverse()
                ys.reverse()
        else:
            xs, ys = [node_lon[iu], node_lon[iv]], [node_lat[iu], node_lat[iv]]
        glon.extend(xs)
        glat.extend(ys)
        offsets.append(offsets[-1] + len(xs))
    if problems:
        raise RoadNetworkError(
            "the road graph lacks travel times; build it with graph_from_file", problems)

    def text(values: list[str]) -> np.ndarray:
        return np.array(values, dtype=str) if values else np.zeros(0, dtype="<U1")

    n_edges = len(us)
    return RoadNetwork(
        node_osmid=np.array(nodes, dtype=np.int64),
        node_lat=node_lat,
        node_lon=node_lon,
        edge_u=np.array(us, dtype=np.int64),
        edge_v=np.array(vs, dtype=np.int64),
        edge_length_m=np.array(lengths),
        edge_time_s=np.array(times),
        edge_speed_kmh=np.array(speeds),
        edge_name=text(names),
        edge_ref=text(refs),
        edge_highway=text(highways),
        edge_geom_offset=np.array(offsets, dtype=np.int64),
        geom_lat=np.array(glat, dtype=float),
        geom_lon=np.array(glon, dtype=float),
        edge_closed=np.zeros(n_edges, dtype=bool),
        source=source,
        source_hash=source_hash,
    )


# -- summaries and drawing --------------------------------------------------------------

def distinct_segments(net: RoadNetwork, edges: np.ndarray | None = None) -> np.ndarray:
    """Indices of the edges that are distinct road segments: a two-way road appears as
    u->v and v->u with the same length; only the first of such a pair is kept.

    Two edges are the same segment when they join the same two nodes (either direction)
    and their lengths agree to 0.1 m.
    """
    idx = np.arange(net.n_edges) if edges is None else np.asarray(edges, dtype=np.int64)
    a = np.minimum(net.edge_u[idx], net.edge_v[idx])
    b = np.maximum(net.edge_u[idx], net.edge_v[idx])
    dm = np.rint(net.edge_length_m[idx] * 10).astype(np.int64)
    keys = np.stack([a, b, dm], axis=1)
    _, first = np.unique(keys, axis=0, return_index=True)
    return idx[np.sort(first)]


def info(net: RoadNetwork) -> dict[str, Any]:
    """Summary figures of a network.

    Returns
    -------
    dict
        ``nodes``, ``edges`` (directed), ``closed_edges``, ``strongly_connected_share``
        (largest strongly connected component over open edges / nodes),
        ``total_km`` (length of distinct road segments: a two-way road counts once, see
        :func:`distinct_segments`), ``bbox`` [W, S, E, N] in degrees, ``km_by_highway``,
        ``source``, ``source_hash`` and ``time_factor``.
    """
    from scipy.sparse.csgraph import connected_components

    n = net.n_nodes
    if n:
        _, labels = connected_components(net.csr, directed=True, connection="strong")
        share = float(np.bincount(labels).max() / n)
    else:
        share = 0.0
    seg = distinct_segments(net)
    km_by_class: dict[str, float] = {}
    for hw, km in zip(net.edge_highway[seg], net.edge_length_m[seg] / 1000.0):
        km_by_class[str(hw)] = km_by_class.get(str(hw), 0.0) + float(km)
    return {
        "nodes": n,
        "edges": net.n_edges,
        "closed_edges": int(net.edge_closed.sum()),
        "strongly_connected_share": round(share, 6),
        "total_km": round(float(net.edge_length_m[seg].sum()) / 1000.0, 3),
        "bbox": [round(float(x), 6) for x in (net.node_lon.min(), net.node_lat.min(),
                                               net.node_lon.max(), net.node_lat.max())],
        "km_by_highway": {k: round(v, 3) for k, v in
                          sorted(km_by_class.items(), key=lambda kv: -kv[1])},
        "source": net.source,
        "source_hash": net.source_hash,
        "time_factor": net.time_factor,
    }


def edge_lines(net: RoadNetwork, *, edges: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """Road geometry as one polyline list with NaN separators, for a single map trace.

    Parameters
    ----------
    edges
        A boolean mask or index array of the edges to draw (default all); each distinct
        road segment is drawn once (see :func:`distinct_segments`).

    Returns
    -------
    (lats, lons)
        float64 arrays of equal length; a NaN ends each segment.
    """
    if edges is None:
        sel = distinct_segments(net)
    else:
        edges = np.asarray(edges)
        idx = np.flatnonzero(edges) if edges.dtype == bool else edges.astype(np.int64)
        sel = distinct_segments(net, idx)
    start = net.edge_geom_offset[sel]
    count = net.edge_geom_offset[sel + 1] - start
    if sel.size == 0:
        return np.zeros(0), np.zeros(0)
    # output positions: each segment's points followed by one NaN
    out_len = int(count.sum() + sel.size)
    seg_start_out = np.concatenate([[0], np.cumsum(count + 1)[:-1]])
    within = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    out_pos = np.repeat(seg_start_out, count) + within
    src = np.repeat(start, count) + within
    lats = np.full(out_len, np.nan)
    lons = np.full(out_len, np.nan)
    lats[out_pos] = net.geom_lat[src]
    lons[out_pos] = net.geom_lon[src]
    return lats, lons
