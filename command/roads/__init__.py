"""The road network engine: load or fetch a network, snap places, travel times, closures.

This package owns the road graph and every question asked of it (where is the nearest
road, how long does it take to drive from A to B, which roads does a hazard zone close).
It does not know about units, incidents or the store; callers pass node indices and
coordinates in and get arrays of seconds and metres back.

Layout: ``_build`` turns an OSM XML or GraphML file into a networkx graph with travel
times (osmnx); ``_network`` holds :class:`RoadNetwork`, the immutable array form every
query runs on; ``_cache`` keeps a compact .npz of those arrays so that a cold process
does not re-parse XML; ``_routing`` snaps and runs Dijkstra on CSR arrays with
``scipy.sparse.csgraph``; ``_closures`` closes and reopens roads; ``_fetch`` downloads
real OpenStreetMap data (the only code here that goes online).

osmnx and networkx are imported lazily, so ``import command.roads`` and a load from the
cache stay fast.
"""

from command.roads._build import DRIVABLE_RULES, graph_from_file, save_graphml
from command.roads._cache import cache_path, load_network
from command.roads._closures import at_hour, close_edges, close_polygon, close_roads, reopen_all
from command.roads._fetch import fetch_network
from command.roads._network import (
                                     RoadNetwork,
                                     distinct_segments,
                                     edge_lines,
                                     info,
                                     network_from_graph,
)
from command.roads._routing import (
                                     path_coords,
                                     path_length_m,
                                     paths_to,
                                     shortest_path,
                                     snap,
                                     travel_times_s,
                                     travel_times_to_s,
)

__all__ = [
    "RoadNetwork",
    "graph_from_file",
    "network_from_graph",
    "distinct_segments",
    "save_graphml",
    "load_network",
    "cache_path",
    "snap",
    "travel_times_s",
    "travel_times_to_s",
    "shortest_path",
    "paths_to",
    "path_coords",
    "path_length_m",
    "close_polygon",
    "close_roads",
    "close_edges",
    "reopen_all",
    "at_hour",
    "edge_lines",
    "info",
    "fetch_network",
    "DRIVABLE_RULES",
]
