"""Closing and reopening roads, and time-of-day congestion.

Each function returns a new :class:`RoadNetwork`; the old one is untouched, so a plan
and a what-if can hold different closure states side by side. Travel times computed on
the new network avoid closed edges.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from command.errors import Problem, RoadNetworkError
from command.roads._network import RoadNetwork

__all__ = ["close_polygon", "close_roads", "close_edges", "reopen_all", "at_hour",
           "as_polygon"]

log = logging.getLogger(__name__)


def as_polygon(polygon: Any) -> Any:
    """A shapely (Multi)Polygon from a shapely geometry or a GeoJSON-like mapping
    (a Polygon/MultiPolygon geometry, or a Feature holding one), lon/lat degrees.

    Raises
    ------
    RoadNetworkError
        If the value is not a polygon or is empty/invalid.
    """
    import shapely
    from shapely.geometry import shape

    geom = polygon
    if isinstance(polygon, Mapping):
        data = polygon.get("geometry", polygon) if polygon.get("type") == "Feature" else polygon
        try:
            geom = shape(data)
        except (KeyError, ValueError, TypeError, AttributeError,
                shapely.errors.ShapelyError) as exc:
            raise RoadNetworkError("the closure area is not a GeoJSON polygon",
                                   [Problem(rule=str(exc), field="polygon",
                                            value=str(polygon)[:120])]) from None
    if not isinstance(geom, shapely.Geometry) or geom.geom_type not in ("Polygon",
                                                                        "MultiPolygon"):
        raise RoadNetworkError("the closure area must be a polygon (lon/lat)",
                               [Problem(rule="not a Polygon or MultiPolygon",
                                        field="polygon", value=str(polygon)[:120])])
    if geom.is_empty:
        raise RoadNetworkError("the closure area is empty",
                               [Problem(rule="empty polygon", field="polygon")])
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    return geom


def close_edges(net: RoadNetwork, mask: np.ndarray) -> RoadNetwork:
    """A network with the edges in boolean ``mask`` closed as well."""
    mask = np.asarray(mask, dtype=bool)
    return net.derive(edge_closed=net.edge_closed | mask)


def close_polygon(net: RoadNetwork, polygon: Any) -> RoadNetwork:
    """Close every edge whose drawn geometry touches ``polygon``.

    Parameters
    ----------
    polygon
        A shapely Polygon/MultiPolygon in lon/lat, or a GeoJSON-like mapping of one.

    Returns
    -------
    RoadNetwork
        A new network; previously closed edges stay closed.
    """
    import shapely

    poly = as_polygon(polygon)
    w, s, e, n = poly.bounds
    off = net.edge_geom_offset
    # bounding boxes of every edge's geometry narrow the exact test to a few edges
    starts = off[:-1]
    lon_min = np.minimum.reduceat(net.geom_lon, starts)
    lon_max = np.maximum.reduceat(net.geom_lon, starts)
    lat_min = np.minimum.reduceat(net.geom_lat, starts)
    lat_max = np.maximum.reduceat(net.geom_lat, starts)
    cand = np.flatnonzero((lon_max >= w) & (lon_min <= e) & (lat_max >= s) & (lat_min <= n))
    hit = np.zeros(net.n_edges, dtype=bool)
    if cand.size:
        counts = off[cand + 1] - off[cand]
        within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        pts = np.repeat(off[cand], counts) + within
        coords = np.column_stack([net.geom_lon[pts], net.geom_lat[pts]])
        lines = shapely.linestrings(coords, indices=np.repeat(np.arange(cand.size), counts))
        shapely.prepare(poly)
        hit[cand[shapely.intersects(lines, poly)]] = True
    log.info("closure polygon closes %d edges", int(hit.sum()))
    return close_edges(net, hit)


def close_roads(net: RoadNetwork, names: str | Iterable[str]) -> RoadNetwork:
    """Close every edge whose name or route reference equals one of ``names``.

    A merged edge carrying several names or refs ('A;B') matches any of them.

    Raises
    ------
    RoadNetworkError
        Naming the names that match no road, so a typo does not pass silently.
    """
    wanted = [names] if isinstance(names, str) else list(names)
    wanted = [w.strip() for w in wanted if w and w.strip()]
    if not wanted:
        raise RoadNetworkError("no road name given to close")
    hit = np.zeros(net.n_edges, dtype=bool)
    unknown = []
    for name in wanted:
        found = np.zeros(net.n_edges, dtype=bool)
        for label in (net.edge_name, net.edge_ref):
            exact = label == name
            multi = np.char.find(label, ";") >= 0
            if multi.any():
                exact[multi] |= np.array([name in str(v).split(";") for v in label[multi]])
            found |= exact
        if not found.any():
            unknown.append(name)
        hit |= found
    if unknown:
        raise RoadNetworkError(
            "no road of that name or reference in the network",
            [Problem(rule="unknown road", field="name", value=u) for u in unknown])
    log.info("closing %s: %d edges", ", ".join(wanted), int(hit.sum()))
    return close_edges(net, hit)


def reopen_all(net: RoadNetwork) -> RoadNetwork:
    """The network with every road open again."""
    return net.derive(edge_closed=np.zeros(net.n_edges, dtype=bool))


def at_hour(net: RoadNetwork, hour: int, *, congestion_factors: Mapping[int, float]
            ) -> RoadNetwork:
    """Travel times for an hour of the day: free-flow times x ``congestion_factors[hour]``
    (1.0 for an hour not listed; ``settings.congestion_factors`` holds the table).

    Raises
    ------
    RoadNetworkError
        If ``hour`` is not 0..23.
    """
    if not (isinstance(hour, (int, np.integer)) and 0 <= hour <= 23):
        raise RoadNetworkError("the hour must be 0-23",
                               [Problem(rule="hour of day 0-23", field="hour", value=hour)])
    factor = float(congestion_factors.get(int(hour), 1.0))
    free_flow = net.edge_time_s / net.time_factor
    return net.derive(edge_time_s=free_flow * factor, time_factor=factor)
