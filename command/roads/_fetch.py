"""Download a real drivable network from OpenStreetMap (the only online code here).

osmnx is pointed at ``settings.overpass_url`` and ``settings.nominatim_url`` for the
duration of one call, with DNS-over-HTTPS off (otherwise osmnx may resolve names through
an outside service) and its HTTP cache under ``settings.cache_dir``; every osmnx setting
it touches, and ``socket.getaddrinfo`` (which osmnx replaces to pin a server's address),
is restored afterwards.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import socket
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from command.errors import Problem, RoadNetworkError

if TYPE_CHECKING:  # pragma: no cover
    from command.settings import Settings

__all__ = ["fetch_network", "validate_bbox"]

log = logging.getLogger(__name__)

_OX_SETTINGS = ("overpass_url", "nominatim_url", "doh_url_template", "overpass_rate_limit",
                "use_cache", "cache_folder", "log_console")


def validate_bbox(bbox: Sequence[float], *, field: str = "bbox"
                  ) -> tuple[float, float, float, float]:
    """``bbox`` as (W, S, E, N) degrees, or a RoadNetworkError naming ``field`` and value."""
    try:
        w, s, e, n = (float(x) for x in bbox)
    except (TypeError, ValueError):
        raise RoadNetworkError(f"{field} must be four numbers W S E N",
                               [Problem(rule="four numbers W S E N", field=field,
                                        value=bbox)]) from None
    value = f"{w} {s} {e} {n}"
    rules = []
    if not (-180 <= w <= 180 and -180 <= e <= 180):
        rules.append("W and E must be longitudes between -180 and 180")
    if not (-90 <= s <= 90 and -90 <= n <= 90):
        rules.append("S and N must be latitudes between -90 and 90")
    if not w < e:
        rules.append(f"W ({w}) must be less than E ({e})")
    if not s < n:
        rules.append(f"S ({s}) must be less than N ({n})")
    if rules:
        raise RoadNetworkError(f"invalid {field} {value}",
                               [Problem(rule=r, field=field, value=value) for r in rules])
    return w, s, e, n


@contextlib.contextmanager
def _osmnx_pointed_at(settings: Settings) -> Iterator[None]:
    import osmnx as ox

    saved = {name: getattr(ox.settings, name) for name in _OX_SETTINGS}
    saved_getaddrinfo = socket.getaddrinfo
    ox.settings.overpass_url = settings.overpass_url
    ox.settings.nominatim_url = settings.nominatim_url
    ox.settings.doh_url_template = None
    ox.settings.overpass_rate_limit = False
    ox.settings.use_cache = True
    ox.settings.cache_folder = str(Path(settings.cache_dir) / "osmnx-http")
    ox.settings.log_console = False
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(ox.settings, name, value)
        socket.getaddrinfo = saved_getaddrinfo


def _default_out(settings: Settings, place: str | None,
                 bbox: tuple[float, float, float, float] | None) -> Path:
    if place is not None:
        tag = "place-" + hashlib.sha1(place.encode()).hexdigest()[:10]
    else:
        tag = "bbox-" + "_".join(f"{x:.4f}" for x in bbox)  # type: ignore[union-attr]
    return Path(settings.cache_dir) / f"osm-{tag}.graphml"


def fetch_network(*, place: str | None = None, bbox: Sequence[float] | None = None,
                  settings: Settings, out: str | Path | None = None) -> Path:
    """Download the drivable OSM network of a place or bounding box and save GraphML.

    Parameters
    ----------
    place
        A Nominatim query that resolves to a polygon, e.g. "鄂州市, 湖北省, 中国".
    bbox
        (W, S, E, N) in degrees; give exactly one of ``place`` and ``bbox``.
    settings
        ``overpass_url``, ``nominatim_url`` and ``cache_dir`` (HTTP cache; default output
        folder).
    out
        Where to write the GraphML (default ``cache_dir/osm-<place or bbox>.graphml``).

    Returns
    -------
    Path
        The GraphML file; name it in ``road_network_file`` (``CC_ROAD_NETWORK_FILE``) to
        use it.

    Raises
    ------
    RoadNetworkError
        For bad arguments, an unreachable server or an empty answer.
    """
    if (place is None) == (bbox is None):
        raise RoadNetworkError("give either a place or a bounding box, not both or neither")
    if place is not None and not place.strip():
        raise RoadNetworkError("the place name is empty",
                               [Problem(rule="non-empty name", field="place", value=place)])
    box = validate_bbox(bbox) if bbox is not None else None
    target = Path(out) if out is not None else _default_out(settings, place, box)

    import networkx as nx
    import osmnx as ox
    import requests

    what = f"place {place!r}" if place is not None else f"bbox {box}"
    try:
        with _osmnx_pointed_at(settings):
            if place is not None:
                G = ox.graph_from_place(place, network_type="drive")
            else:
                G = ox.graph_from_bbox(box, network_type="drive")
    except requests.exceptions.RequestException as exc:
        raise RoadNetworkError(
            f"cannot download the road network of {what}: {type(exc).__name__} ({exc}); "
            f"check the connection and the servers {settings.nominatim_url} and "
            f"{settings.overpass_url}") from None
    except (ox._errors.InsufficientResponseError, ox._errors.ResponseStatusCodeError,
            TypeError, ValueError, nx.NetworkXException) as exc:
        raise RoadNetworkError(f"OpenStreetMap has no drivable network for {what}: {exc}"
                               ) from None
    from command.roads._build import save_graphml

    save_graphml(G, target)
    log.info("fetched %s: %d nodes, %d edges -> %s", what, len(G), G.number_of_edges(), target)
    return target

