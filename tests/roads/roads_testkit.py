"""Helpers shared by the road tests: a grid network generator and an independent
great-circle distance. Not collected by pytest (no test_ prefix)."""

from __future__ import annotations

import math
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TINY = FIXTURES / "tiny.osm"
REPO = Path(__file__).resolve().parents[2]

R_M = 6_371_009.0


def gc_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance, written out independently of the engine."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * R_M * math.asin(math.sqrt(a))


CLASSES = ["primary", "secondary", "tertiary", "residential", "residential", "unclassified",
           "trunk", "living_street", "service"]


def write_grid_osm(path: Path, n: int, *, seed: int, lat0: float = 30.35,
                   lon0: float = 114.80, spacing_deg: float = 0.002) -> Path:
    """An n x n street grid as OSM XML, irregular enough to exercise the engine.

    Coordinates are jittered; each row and column is one way with a random class; about
    a quarter of them are one-way (alternating directions); every column carries an
    extra point between junctions (removed by simplification); a few segments are
    footways (dropped) and a few maxspeed tags override the class speed.
    """
    rng = np.random.default_rng(seed)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="grid">']
    node_id = {}
    nid = 1
    for i in range(n):
        for j in range(n):
            lat = lat0 + i * spacing_deg + rng.uniform(-0.2, 0.2) * spacing_deg
            lon = lon0 + j * spacing_deg + rng.uniform(-0.2, 0.2) * spacing_deg
            node_id[i, j] = nid
            lines.append(f'<node id="{nid}" lat="{lat:.7f}" lon="{lon:.7f}"/>')
            nid += 1
    mids = {}
    for j in range(n):
        for i in range(n - 1):
            lat = lat0 + (i + 0.5) * spacing_deg
            lon = lon0 + j * spacing_deg + rng.uniform(-0.3, 0.3) * spacing_deg
            mids[i, j] = nid
            lines.append(f'<node id="{nid}" lat="{lat:.7f}" lon="{lon:.7f}"/>')
            nid += 1
    wid = 1

    def way(refs: list[int], tags: dict[str, str]) -> None:
        nonlocal wid
        nds = "".join(f'<nd ref="{r}"/>' for r in refs)
        tg = "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())
        lines.append(f'<way id="{wid}">{nds}{tg}</way>')
        wid += 1

    for i in range(n):
        refs = [node_id[i, j] for j in range(n)]
        tags = {"highway": str(rng.choice(CLASSES)), "name": f"Row {i}"}
        if rng.random() < 0.25:
            tags["oneway"] = "yes"
            if i % 2:
                refs.reverse()
        if rng.random() < 0.15:
            tags["maxspeed"] = str(int(rng.choice([30, 40, 60])))
        way(refs, tags)
    for j in range(n):
        refs = []
        for i in range(n):
            refs.append(node_id[i, j])
            if i < n - 1:
                refs.append(mids[i, j])
        tags = {"highway": str(rng.choice(CLASSES)), "name": f"Column {j}"}
        if rng.random() < 0.25:
            tags["oneway"] = "yes"
            if j % 2:
                refs.reverse()
        way(refs, tags)
    for _ in range(max(1, n // 3)):
        i, j = rng.integers(0, n - 1, size=2)
        way([node_id[i, j], node_id[i + 1, j + 1]], {"highway": "footway"})
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
