"""Build a drivable networkx graph with emergency travel times from a file (osmnx).

OSM XML (.osm, .xml, optionally .gz or .bz2) goes through ``osmnx.graph_from_xml``, which
takes no network type, so the ways an emergency vehicle cannot use are dropped here
(:data:`DRIVABLE_RULES`) before the topology is simplified. GraphML goes through
``osmnx.load_graphml``. Either way the speeds and travel times are recomputed from the
settings, so the same file always gives the same times for the same settings.
"""

from __future__ import annotations

import contextlib
import gzip
import logging
import math
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from command.errors import Problem, RoadNetworkError

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

    from command.settings import Settings

__all__ = ["graph_from_file", "save_graphml", "add_travel_times", "DRIVABLE_RULES",
           "XML_SUFFIXES"]

log = logging.getLogger(__name__)

# Tag values that make a way unusable for an emergency vehicle. Close to osmnx's
# "drive_service" filter: service roads stay (fire engines do use them) except parking
# aisles, driveways and private ones; emergency_access roads stay, they exist for us.
DRIVABLE_RULES: dict[str, frozenset[str]] = {
    "highway": frozenset({
        "abandoned", "bridleway", "bus_guideway", "construction", "corridor", "cycleway",
        "elevator", "escalator", "footway", "no", "path", "pedestrian", "planned",
        "platform", "proposed", "raceway", "razed", "rest_area", "services", "steps",
        "track", "via_ferrata", "disused",
    }),
    "area": frozenset({"yes"}),
    "access": frozenset({"private", "no"}),
    "motor_vehicle": frozenset({"no", "private"}),
    "motorcar": frozenset({"no", "private"}),
    "service": frozenset({"parking", "parking_aisle", "driveway", "private", "drive-through"}),
}

XML_SUFFIXES = (".osm", ".xml", ".osm.gz", ".xml.gz", ".osm.bz2", ".xml.bz2")


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in XML_SUFFIXES + (".graphml",):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def _values(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [str(v) for v in value]
    return [str(value)]


def is_drivable(data: dict[str, Any]) -> bool:
    """Whether an edge with these OSM tags is open to an emergency vehicle."""
    highway = _values(data.get("highway"))
    if not highway or all(h in DRIVABLE_RULES["highway"] for h in highway):
        return False
    for tag in _OTHER_RULES:
        value = data.get(tag)
        if value is not None and all(v in DRIVABLE_RULES[tag] for v in _values(value)):
            return False
    return True


_OTHER_RULES = tuple(tag for tag in DRIVABLE_RULES if tag != "highway")


@contextlib.contextmanager
def _osm_tags() -> Iterator[None]:
    """Keep the tags the drivable filter reads (osmnx drops tags it was not asked for)."""
    import osmnx as ox

    saved = list(ox.settings.useful_tags_way)
    ox.settings.useful_tags_way = saved + [t for t in DRIVABLE_RULES if t not in saved]
    try:
        yield
    finally:
        ox.settings.useful_tags_way = saved


def _fail(path: Path, rule: str, *, row: int | None = None, value: Any = None
          ) -> RoadNetworkError:
    return RoadNetworkError(
        f"cannot load the road network {path}",
        [Problem(rule=rule, file=str(path), row=row, value=value)])


def _read_xml(path: Path) -> nx.MultiDiGraph:
    import xml.etree.ElementTree as ET
    import xml.sax

    import osmnx as ox

    try:
        with _osm_tags():
            return ox.graph_from_xml(path, simplify=False, retain_all=True)
    except xml.sax.SAXParseException as exc:
        raise _fail(path, f"not valid OSM XML: {exc.getMessage()} at line "
                          f"{exc.getLineNumber()}, column {exc.getColumnNumber()}",
                    row=exc.getLineNumber()) from None
    except ET.ParseError as exc:  # osmnx reads the root with ElementTree first
        line, column = exc.position
        message = str(exc).split(":")[0]
        raise _fail(path, f"not valid OSM XML: {message} at line {line}, column {column}",
                    row=line) from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise _fail(path, f"the compressed file is damaged or truncated ({exc})") from None
    except UnicodeDecodeError as exc:
        raise _fail(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except ox._errors.InsufficientResponseError:
        raise _fail(path, "the file holds no OSM nodes or ways") from None
    except (KeyError, ValueError) as exc:
        if "missing nodes" in str(exc) or isinstance(exc, KeyError):
            # osmnx looks up the coordinates of every node a way refers to
            raise _fail(path, "a way refers to a node without coordinates "
                              "(the file is clipped or incomplete)") from None
        raise _fail(path, f"malformed OSM data ({exc})") from None
    except OSError as exc:  # unreadable, or a .bz2 that is not bzip2
        raise _fail(path, f"cannot read the file ({exc})") from None


def _read_graphml(path: Path) -> nx.MultiDiGraph:
    import xml.etree.ElementTree as ET

    import osmnx as ox

    try:
        return ox.load_graphml(path)
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise _fail(path, f"not valid GraphML: {exc}", row=line) from None
    except (KeyError, ValueError, TypeError, OSError) as exc:
        raise _fail(path, f"not an osmnx GraphML road graph ({type(exc).__name__}: {exc})"
                    ) from None


def graph_from_file(path: str | Path, settings: Settings) -> nx.MultiDiGraph:
    """The drivable road graph of an OSM XML or GraphML file, with travel times.

    Parameters
    ----------
    path
        ``.osm``/``.xml`` (plain, ``.gz`` or ``.bz2``) or ``.graphml``.
    settings
        Supplies ``road_speeds_kmh``, ``fallback_speed_kmh`` and
        ``emergency_speed_factor``.

    Returns
    -------
    networkx.MultiDiGraph
        Simplified; the largest weakly connected part of the drivable ways; every edge
        has ``length`` (m), ``speed_kph`` and ``travel_time`` (s, emergency vehicle).

    Raises
    ------
    RoadNetworkError
        If the file is missing, empty, of an unknown type, malformed (the parser's
        message and line are given) or holds no drivable road.
    """
    import networkx as nx
    import osmnx as ox

    path = Path(path)
    if not path.is_file():
        raise _fail(path, "the file does not exist")
    if path.stat().st_size == 0:
        raise _fail(path, "the file is empty")
    kind = _suffix(path)
    if kind == ".graphml":
        G = _read_graphml(path)
    elif kind in XML_SUFFIXES:
        G = _read_xml(path)
    else:
        raise _fail(path, "unknown file type; use .osm, .osm.gz, .osm.bz2, .xml or .graphml",
                    value=path.name)
    n_raw = G.number_of_edges()
    G.remove_edges_from([(u, v, k) for u, v, k, d in G.edges(keys=True, data=True)
                         if not is_drivable(d)])
    G.remove_nodes_from(list(nx.isolates(G)))
    if G.number_of_edges() == 0:
        raise _fail(path, f"none of the {n_raw} road segments is drivable "
                          "(only footways, tracks, parking aisles ... or no ways at all)")
    if not nx.is_weakly_connected(G):  # the check is cheap, the copy is not
        G = ox.truncate.largest_component(G, strongly=False)
    if not G.graph.get("simplified"):
        G = ox.simplify_graph(G)
    # graph_from_xml sets no street_count (osmnx's own downloaders do)
    nx.set_node_attributes(G, ox.stats.count_streets_per_node(G), name="street_count")
    add_travel_times(G, settings)
    log.info("built %s: %d nodes, %d edges (%d raw segments)", path, len(G),
             G.number_of_edges(), n_raw)
    return G


def add_travel_times(G: nx.MultiDiGraph, settings: Settings) -> nx.MultiDiGraph:
    """Set ``speed_kph`` and the emergency ``travel_time`` (s) on every edge, in place.

    The speed is the edge's ``maxspeed`` where tagged, else the class speed from
    ``settings.road_speeds_kmh`` (a class missing there: the mean maxspeed of that class
    in the graph, else ``settings.fallback_speed_kmh``); that is osmnx's
    ``add_edge_speeds``. ``travel_time = length / (speed / 3.6) / emergency_speed_factor``.
    """
    import osmnx as ox

    # Simplification merges the tags of the joined ways into lists in set order, which
    # changes with the interpreter's hash seed; osmnx then takes the first class. Put
    # every list in a fixed order (classes slowest first, so a merged edge is timed at
    # its slowest class; other tags sorted) so that a build is the same in every run.
    speeds = {str(k): float(v) for k, v in settings.road_speeds_kmh.items()}
    for _, _, data in G.edges(data=True):
        for key, value in list(data.items()):
            if isinstance(value, (list, tuple, set)):
                values = sorted(set(value), key=str)
                if key == "highway":
                    values.sort(key=lambda h: (speeds.get(str(h), float(
                        settings.fallback_speed_kmh)), str(h)))
                data[key] = values
        if not data.get("highway"):  # GraphML may leave no highway at all
            data["highway"] = "road"
    ox.add_edge_speeds(G, hwy_speeds=dict(settings.road_speeds_kmh),
                       fallback=float(settings.fallback_speed_kmh))
    factor = float(settings.emergency_speed_factor)
    for _, _, data in G.edges(data=True):
        speed = float(data["speed_kph"])
        if not (math.isfinite(speed) and speed > 0):
            speed = float(settings.fallback_speed_kmh)
            data["speed_kph"] = speed
        data["travel_time"] = float(data["length"]) / (speed / 3.6) / factor
    G.graph["emergency_speed_factor"] = factor
    return G


def save_graphml(G: nx.MultiDiGraph, path: str | Path) -> Path:
    """Write ``G`` as GraphML (osmnx format, reloadable with :func:`graph_from_file`)."""
    import osmnx as ox

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ox.save_graphml(G, filepath=path)
    return path
