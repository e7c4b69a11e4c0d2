"""The compact cache of a built network: one uncompressed .npz of its arrays.

Parsing OSM XML and simplifying takes seconds; reading the arrays back takes
milliseconds. The cache file is named after the source path and carries a key made of
the source file's SHA-256 and the speed settings; a different key (the file was edited,
a speed changed, the cache format moved on) means the network is rebuilt and the cache
replaced. Writes go to a temporary file that is renamed into place, so a reader never
sees half a cache.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from command.errors import RoadNetworkError
from command.roads._network import RoadNetwork

if TYPE_CHECKING:  # pragma: no cover
    from command.settings import Settings

__all__ = ["load_network", "cache_path", "cache_key", "file_sha256", "save_cache",
           "read_cache"]

log = logging.getLogger(__name__)

# Bump when the arrays or the way they are built change, so old caches are rebuilt.
CACHE_FORMAT = 3

Progress = Callable[[float, str], None]

_ARRAYS = [f.name for f in dataclasses.fields(RoadNetwork)
           if f.name not in ("source", "source_hash", "time_factor")]
# Text columns repeat a few hundred values over tens of thousands of edges: stored as a
# vocabulary and int32 codes they take a fraction of the space of fixed-width unicode.
_TEXT = ("edge_name", "edge_ref", "edge_highway")


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cache_key(source_hash: str, settings: Settings) -> str:
    """The key a cache must carry to serve ``settings`` for a source with this hash."""
    speeds = {
        "road_speeds_kmh": {str(k): float(v) for k, v in sorted(settings.road_speeds_kmh.items())},
        "fallback_speed_kmh": float(settings.fallback_speed_kmh),
        "emergency_speed_factor": float(settings.emergency_speed_factor),
        "format": CACHE_FORMAT,
    }
    text = source_hash + json.dumps(speeds, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def cache_path(settings: Settings) -> Path:
    """The cache file of the network named by ``settings.roads_source``."""
    source = Path(settings.roads_source).resolve()
    tag = hashlib.sha1(str(source).encode()).hexdigest()[:12]
    stem = source.name.split(".")[0] or "roads"
    return Path(settings.cache_dir) / f"roads-{stem}-{tag}.npz"


def save_cache(net: RoadNetwork, path: Path, key: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".tmp.npz")
    os.close(fd)
    try:
        arrays = {name: getattr(net, name) for name in _ARRAYS if name not in _TEXT}
        for name in _TEXT:
            vocab, codes = np.unique(getattr(net, name), return_inverse=True)
            arrays[f"{name}__vocab"] = vocab
            arrays[f"{name}__codes"] = codes.astype(np.int32)
        np.savez(tmp, **arrays, source=np.array(net.source),
                 source_hash=np.array(net.source_hash), cache_key=np.array(key))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def read_cache(path: Path, key: str | None = None) -> RoadNetwork | None:
    """The network stored at ``path``, or None if it is absent, unreadable or carries a
    different key."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            if key is not None and str(z["cache_key"]) != key:
                log.info("road cache %s is stale", path)
                return None
            arrays = {name: z[name] for name in _ARRAYS if name not in _TEXT}
            for name in _TEXT:
                arrays[name] = z[f"{name}__vocab"][z[f"{name}__codes"]]
            return RoadNetwork(**arrays, source=str(z["source"]),
                               source_hash=str(z["source_hash"]))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        log.warning("road cache %s is unreadable (%s); rebuilding", path, exc)
        return None


def load_network(settings: Settings, *, progress: Progress | None = None,
                 rebuild: bool = False) -> RoadNetwork:
    """The road network named by ``settings.roads_source``, from the cache when valid.

    Parameters
    ----------
    settings
        ``roads_source`` names the file; ``cache_dir`` holds the cache; the speed
        settings are part of the cache key.
    progress
        Called as ``progress(fraction, message)`` with fraction in [0, 1] while a
        network is built.
    rebuild
        Build from the source even if the cache is valid (``roads build``).

    Returns
    -------
    RoadNetwork
        Free-flow emergency times, nothing closed.

    Raises
    ------
    RoadNetworkError
        If the source file is missing or cannot be built (see ``graph_from_file``).
    """
    from command.roads._build import graph_from_file
    from command.roads._network import network_from_graph

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    source = Path(settings.roads_source)
    if not source.is_file():
        raise RoadNetworkError(
            f"the road network file {source} does not exist; set CC_ROAD_NETWORK_FILE or "
            "run `command-center roads fetch`")
    report(0.0, f"checking {source.name}")
    digest = file_sha256(source)
    key = cache_key(digest, settings)
    path = cache_path(settings)
    if not rebuild:
        net = read_cache(path, key)
        if net is not None:
            report(1.0, "loaded from cache")
            return net
    t0 = time.perf_counter()
    report(0.05, f"parsing {source.name}")
    G = graph_from_file(source, settings)
    report(0.8, "building arrays")
    net = network_from_graph(G, source=str(source), source_hash=digest)
    report(0.95, "writing cache")
    try:
        save_cache(net, path, key)
    except OSError as exc:  # a read-only data folder must not stop the product
        log.warning("cannot write the road cache %s: %s", path, exc)
    log.info("built road network from %s in %.1f s", source, time.perf_counter() - t0)
    report(1.0, "done")
    return net
