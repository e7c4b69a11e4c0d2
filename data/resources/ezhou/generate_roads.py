"""Generate the Ezhou road network (roads.osm.gz) from the curated backbone.yaml.

No OpenStreetMap extract of Ezhou is available offline, so the default network is built
from two layers:

1. the curated backbone (backbone.yaml): expressways, national and provincial roads
   between the town centres, the three Yangtze bridges, with names, OSM highway classes
   and refs;
2. around each centre a generated local street network sized by its population: a
   grid turned by a random angle, its junctions jittered and a few residential segments
   left out (main streets run through), named
   "<town>一路/二路 ..." (east–west) and "<town>一街/二街 ..." (north–south) and tagged
   ``generated=yes`` and ``source=illustrative``.

Streets never cross water: a street junction inside the river or a lake is dropped, and so
is every segment that touches water; of what is left only the part connected to the town
centre is kept, and the centre is a point of the backbone. Where a street crosses an
at-grade backbone road (trunk to tertiary) both get a shared junction; motorways and
their links pass over streets. Every way is two-way, so the network is strongly connected
when it is connected, which the script checks before writing.

The backbone itself is checked too: no backbone leg may touch the river or a lake unless
it is a bridge, two at-grade roads may only cross at a shared point, every centre must be
on the backbone. Any violation stops the script with the list of problems.

The output is deterministic for a given backbone and seed: the same bytes after
decompression (the gzip header carries no time or file name either).

Usage::

    python data/resources/ezhou/generate_roads.py [--out roads.osm.gz] [--seed N]
"""

from __future__ import annotations

import argparse
import gzip
import io
import math
import random
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import yaml
from shapely.geometry import LineString, Point, Polygon
from shapely.ops import unary_union
from shapely.prepared import prep
from shapely.strtree import STRtree

HERE = Path(__file__).resolve().parent
BACKBONE = HERE / "backbone.yaml"
DATASET = HERE / "dataset.yaml"
OUT = HERE / "roads.osm.gz"

#: Classes that meet other roads at grade (a crossing needs a shared junction).
AT_GRADE = frozenset({"trunk", "primary", "secondary", "tertiary", "unclassified", "residential"})

# Local equirectangular projection around the middle of the city: over 70 km its error is
# a few metres, far below the scale of the schematic backbone.
LAT0, LON0 = 30.35, 114.80
KY = 110_574.0  # m per degree of latitude at 30°N
KX = 111_320.0 * math.cos(math.radians(LAT0))  # m per degree of longitude


def to_xy(lat: float, lon: float) -> tuple[float, float]:
    return ((lon - LON0) * KX, (lat - LAT0) * KY)


def to_latlon(x: float, y: float) -> tuple[float, float]:
    return (LAT0 + y / KY, LON0 + x / KX)


class BackboneError(ValueError):
    """The backbone breaks one or more rules; the message lists them all."""


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 35 -> 三十五 (1 <= n <= 99)."""
    if not 1 <= n <= 99:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + ("" if ones == 0 else _DIGITS[ones])


@dataclass
class Network:
    """Nodes (metres, local projection) and ways under construction."""

    xy: list[tuple[float, float]] = field(default_factory=list)
    ways: list[dict[str, Any]] = field(default_factory=list)

    def add_node(self, x: float, y: float) -> int:
        self.xy.append((x, y))
        return len(self.xy)  # OSM ids start at 1


# -- backbone -------------------------------------------------------------------------


def _source_tag(text: str) -> str:
    head = str(text).split(":")[0].strip().lower()
    if head.startswith("public"):
        return "public"
    if head.startswith("approximate"):
        return "approximate"
    return "illustrative"


def _bridge_ends(river: LineString, spec: dict, placed: dict[str, float]) -> tuple[
        tuple[float, float], tuple[float, float], float]:
    """The right-bank (Ezhou) and left-bank ends of a bridge and its chainage (m)."""
    if "at" in spec:
        s = river.project(Point(to_xy(*spec["at"])))
    else:
        s = placed[spec["downstream_of"]] + float(spec["distance_m"])
    p = river.interpolate(s)
    a, b = river.interpolate(max(s - 50.0, 0.0)), river.interpolate(min(s + 50.0, river.length))
    tx, ty = b.x - a.x, b.y - a.y
    norm = math.hypot(tx, ty)
    tx, ty = tx / norm, ty / norm
    half = float(spec["length_m"]) / 2.0
    right = (p.x + ty * half, p.y - tx * half)  # right bank looking downstream
    left = (p.x - ty * half, p.y + tx * half)
    return right, left, s


def load_backbone(path: Path = BACKBONE) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def read_bbox(path: Path = DATASET) -> tuple[float, float, float, float]:
    """(W, S, E, N) of the network area from dataset.yaml."""
    with open(path, encoding="utf-8") as f:
        w, s, e, n = (float(v) for v in yaml.safe_load(f)["bbox"])
    return w, s, e, n


@dataclass
class Water:
    river_line: LineString
    river: Polygon
    lakes: list[tuple[str, Polygon]]
    all: Any  # union of river and lakes


def build_water(bb: dict[str, Any]) -> Water:
    river = bb["river"]
    line = LineString([to_xy(*p) for p in river["centreline"]])
    poly = line.buffer(float(river["width_m"]) / 2.0, cap_style="flat")
    lakes = [(lk["name"], Polygon([to_xy(*p) for p in lk["polygon"]])) for lk in bb["lakes"]]
    return Water(line, poly, lakes, unary_union([poly] + [p for _, p in lakes]))


def build_backbone(bb: dict[str, Any], water: Water, net: Network
                   ) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Add the backbone's points and ways to ``net``.

    Returns the id of every named point (centres, junctions, bridge ends) and the list of
    backbone ways (``nodes`` and ``tags``), validated against the backbone rules.
    """
    problems: list[str] = []
    points: dict[str, tuple[float, float]] = {}
    for kind in ("centres", "junctions"):
        for item in bb[kind]:
            if item["id"] in points:
                problems.append(f"{kind}: id {item['id']!r} appears twice")
            points[item["id"]] = to_xy(item["lat"], item["lon"])
    placed: dict[str, float] = {}
    bridge_ways: list[tuple[dict, str, str]] = []
    for spec in bb["bridges"]:
        right, left, s = _bridge_ends(water.river_line, spec, placed)
        placed[spec["id"]] = s
        for end, xy in (("_s", right), ("_n", left)):
            if water.river.contains(Point(xy)):
                problems.append(f"bridge {spec['name']}: its end {spec['id']}{end} is in the "
                                f"river; make length_m longer")
            points[spec["id"] + end] = xy
        bridge_ways.append((spec, spec["id"] + "_s", spec["id"] + "_n"))
    for pid, xy in points.items():
        if water.all.contains(Point(xy)):
            lat, lon = to_latlon(*xy)
            problems.append(f"point {pid} ({lat:.5f}, {lon:.5f}) lies in water")

    node_of = {pid: net.add_node(*xy) for pid, xy in points.items()}

    ways: list[dict[str, Any]] = []
    for spec, a, b in bridge_ways:
        tags = {"highway": spec["highway"], "name": spec["name"], "name:en": spec["name_en"],
                "bridge": "yes", "layer": "1", "oneway": "no",
                "source": _source_tag(spec.get("source", ""))}
        if spec.get("ref"):
            tags["ref"] = str(spec["ref"])
        ways.append({"nodes": [node_of[a], node_of[b]], "tags": tags, "label": spec["name"]})

    used: set[str] = set()
    for i, spec in enumerate(bb["ways"]):
        label = f"way {i + 1} ({spec['name']})"
        ids: list[int] = []
        for p in spec["points"]:
            if isinstance(p, str):
                if p not in node_of:
                    problems.append(f"{label}: unknown point {p!r}")
                    continue
                used.add(p)
                ids.append(node_of[p])
            else:
                ids.append(net.add_node(*to_xy(*p)))
        tags = {"highway": spec["highway"], "name": spec["name"], "oneway": "no",
                "source": _source_tag(spec.get("source", ""))}
        for key, tag in (("name_en", "name:en"), ("alt_name", "alt_name"), ("ref", "ref")):
            if spec.get(key):
                tags[tag] = str(spec[key])
        if spec.get("embankment"):
            tags["embankment"] = "yes"
        if spec.get("bridge"):
            tags["bridge"] = "yes"
        ways.append({"nodes": ids, "tags": tags, "label": label})

    for c in bb["centres"]:
        if c["id"] not in used:
            problems.append(f"centre {c['id']} is on no backbone way")

    # water: only bridges cross the river; only bridges or causeways cross a lake
    for w in ways:
        if w["tags"].get("bridge") == "yes":
            continue
        for u, v in zip(w["nodes"], w["nodes"][1:]):
            seg = LineString([net.xy[u - 1], net.xy[v - 1]])
            if seg.intersects(water.river):
                problems.append(f"{w['label']}: a leg crosses or touches the Yangtze "
                                f"(only bridges may)")
            if w["tags"].get("embankment") == "yes":
                continue
            for name, lake in water.lakes:
                if seg.intersects(lake):
                    problems.append(f"{w['label']}: a leg crosses {name} (mark a causeway "
                                    f"embankment: true, or move it)")

    # at-grade roads cross only at shared points
    segs: list[tuple[LineString, int, tuple[int, int]]] = []
    for k, w in enumerate(ways):
        if w["tags"]["highway"] in AT_GRADE and w["tags"].get("bridge") != "yes":
            for u, v in zip(w["nodes"], w["nodes"][1:]):
                segs.append((LineString([net.xy[u - 1], net.xy[v - 1]]), k, (u, v)))
    tree = STRtree([s for s, _, _ in segs])
    for i, (seg, k, uv) in enumerate(segs):
        for j in tree.query(seg, predicate="intersects"):
            if j <= i:
                continue
            seg2, k2, uv2 = segs[j]
            if set(uv) & set(uv2):
                continue
            problems.append(f"{ways[k]['label']} and {ways[k2]['label']} cross without a "
                            f"shared junction")
    if problems:
        raise BackboneError("backbone.yaml breaks the rules:\n" +
                            "\n".join(f"  - {p}" for p in problems))
    return node_of, ways


# -- generated streets ----------------------------------------------------------------


@dataclass
class Town:
    spec: dict[str, Any]
    cx: float
    cy: float
    west: float
    east: float
    south: float
    north: float
    spacing: float
    radius: float  # nominal size, for sharing space with neighbours


def plan_towns(bb: dict[str, Any]) -> list[Town]:
    meta = bb["meta"]
    towns = []
    for c in bb["centres"]:
        cx, cy = to_xy(c["lat"], c["lon"])
        n_nodes = max(float(c["population"]) / float(meta["people_per_node"]), 9.0)
        if "grid" in c:
            g = c["grid"]
            west, east, south, north = (float(g[k]) for k in ("west_m", "east_m",
                                                              "south_m", "north_m"))
        else:
            side = math.sqrt(float(c["population"]) / float(meta["density_per_km2"])) * 1000.0
            west = east = south = north = side / 2.0
        area = (west + east) * (south + north)
        spacing = math.sqrt(area / n_nodes)
        towns.append(Town(c, cx, cy, west, east, south, north, spacing, math.sqrt(area) / 2.0))
    return towns


def _owner_ok(x: float, y: float, town: Town, towns: list[Town]) -> bool:
    """Whether ``town`` claims the point (x, y): relative to their size, no other centre
    is closer. Keeps the street grids of neighbouring towns from overlapping."""
    mine = math.hypot(x - town.cx, y - town.cy) / town.radius
    for other in towns:
        if other is town:
            continue
        if math.hypot(x - other.cx, y - other.cy) / other.radius < mine:
            return False
    return True


@dataclass
class Grid:
    town: Town | None  # None for the village roads
    pos: dict[tuple[int, int], int]  # (i, j) -> node id
    edges: list[tuple[tuple[int, int], tuple[int, int]]]


def build_grid(town: Town, towns: list[Town], centre_node: int, net: Network,
               water: Water, bbox_xy: Polygon, meta: dict[str, Any], seed: int) -> Grid:
    rng = random.Random(f"{seed}:{town.spec['id']}")
    theta = math.radians(rng.uniform(-1.0, 1.0) * float(meta["max_rotation_deg"]))
    cos_t, sin_t = math.cos(theta), math.sin(theta)
    sp = town.spacing
    jitter = float(meta["jitter_share"]) * sp
    wet = prep(water.all.buffer(float(meta["water_margin_m"])))
    inside = prep(bbox_xy)

    i0, i1 = -int(town.west // sp), int(town.east // sp)
    j0, j1 = -int(town.south // sp), int(town.north // sp)
    pos: dict[tuple[int, int], int] = {}
    coords: dict[tuple[int, int], tuple[float, float]] = {}
    for j in range(j0, j1 + 1):
        for i in range(i0, i1 + 1):
            # draw the jitter for every slot, so a slot's place never depends on others
            dx, dy = rng.uniform(-jitter, jitter), rng.uniform(-jitter, jitter)
            if (i, j) == (0, 0):
                coords[(0, 0)] = (town.cx, town.cy)
                continue
            gx, gy = i * sp + dx, j * sp + dy
            x = town.cx + gx * cos_t - gy * sin_t
            y = town.cy + gx * sin_t + gy * cos_t
            p = Point(x, y)
            if not inside.contains(p) or wet.contains(p) or not _owner_ok(x, y, town, towns):
                continue
            coords[(i, j)] = (x, y)

    drop = float(meta["drop_share"])
    candidates = []
    for (i, j) in sorted(coords, key=lambda ij: (ij[1], ij[0])):
        for nb in ((i + 1, j), (i, j + 1)):
            r = rng.random()  # drawn for every candidate: stable streams
            if nb not in coords:
                continue
            if wet.intersects(LineString([coords[(i, j)], coords[nb]])):
                continue
            line = j if nb[1] == j else i
            if r < drop and (0, 0) not in ((i, j), nb) and not _main_line(town, line):
                continue
            candidates.append(((i, j), nb))
    # keep the part connected to the centre
    adj: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for a, b in candidates:
        adj[a].append(b)
        adj[b].append(a)
    seen = {(0, 0)}
    stack = [(0, 0)]
    while stack:
        a = stack.pop()
        for b in adj[a]:
            if b not in seen:
                seen.add(b)
                stack.append(b)
    for ij in sorted(seen, key=lambda ij: (ij[1], ij[0])):
        pos[ij] = centre_node if ij == (0, 0) else net.add_node(*coords[ij])
    edges = [(a, b) for a, b in candidates if a in seen]
    return Grid(town, pos, edges)


def _line_classes(town: Town) -> tuple[int, int]:
    """Every n-th line is a secondary / tertiary street; the rest are residential."""
    if town.spec["population"] >= 100_000:
        return 6, 3
    return 0, 4


def _main_line(town: Town, key: int) -> bool:
    """Main streets (secondary, tertiary) run through: no segment of theirs is left out."""
    sec, ter = _line_classes(town)
    return bool(sec and key % sec == 0) or key % ter == 0


def grid_ways(grid: Grid, splits: dict[tuple[int, int], list[tuple[float, int]]]
              ) -> list[dict[str, Any]]:
    """Ways of a grid: each row/column's runs of consecutive segments, with the junctions
    inserted where backbone roads cross them."""
    town = grid.town
    name, name_en = town.spec["name"], town.spec["name_en"]
    sec, ter = _line_classes(town)
    rows: dict[int, list] = defaultdict(list)
    cols: dict[int, list] = defaultdict(list)
    for a, b in grid.edges:
        (rows[a[1]] if a[1] == b[1] else cols[a[0]]).append((a, b))
    out = []
    for kind, lines in (("row", rows), ("col", cols)):
        keys = sorted(lines, reverse=(kind == "row"))  # rows numbered north to south
        for rank, key in enumerate(keys, start=1):
            edges = sorted(lines[key], key=lambda e: e[0][0] if kind == "row" else e[0][1])
            if sec and key % sec == 0:
                highway = "secondary"
            elif key % ter == 0:
                highway = "tertiary"
            else:
                highway = "residential"
            zh = f"{name}{chinese_number(min(rank, 99))}{'路' if kind == 'row' else '街'}"
            en = f"{name_en} {'Road' if kind == 'row' else 'Street'} {rank}"
            tags = {"highway": highway, "name": zh, "name:en": en,
                    "generated": "yes", "source": "illustrative"}
            run: list[int] = []
            last = None
            for a, b in edges:
                u, v = grid.pos[a], grid.pos[b]
                if last is None or last != u:
                    if len(run) >= 2:
                        out.append({"nodes": run, "tags": dict(tags)})
                    run = [u]
                run.extend(n for _, n in sorted(splits.get((u, v), [])))
                run.append(v)
                last = v
            if len(run) >= 2:
                out.append({"nodes": run, "tags": dict(tags)})
    return out


def municipal_outline(bb: dict[str, Any], water: Water) -> Polygon:
    """The land of the municipality: the river centreline up to ``rural.river_until``
    (鄂东大桥) closed by the schematic southern and western boundary
    (``rural.outline_south``)."""
    river = [to_xy(*p) for p in bb["river"]["centreline"]]
    cut = water.river_line.project(Point(to_xy(*bb["rural"]["river_until"])))
    north = [c for c in river if water.river_line.project(Point(c)) <= cut]
    north.append(tuple(water.river_line.interpolate(cut).coords[0]))
    south = [to_xy(*p) for p in bb["rural"]["outline_south"]]
    return Polygon(north + south).buffer(0)


def build_rural(bb: dict[str, Any], water: Water, grids: list[Grid], net: Network,
                bbox_xy: Polygon, seed: int) -> Grid:
    """The village-road grid: nodes on land inside the municipal outline and outside the
    towns' street areas; segments that touch water or a town's street area are left out.
    Its pieces join the rest of the network where they cross at-grade backbone roads
    (:func:`insert_crossings`); :func:`prune_rural` drops the pieces that do not."""
    spec = bb["rural"]
    sp = float(spec["spacing_m"])
    rng = random.Random(f"{seed}:rural")
    jitter = float(bb["meta"]["jitter_share"]) * sp
    area = municipal_outline(bb, water).intersection(bbox_xy)
    land = prep(area)
    wet = prep(water.all.buffer(float(bb["meta"]["water_margin_m"])))
    towns_area = unary_union([
        Polygon([net.xy[n - 1] for n in g.pos.values()]).convex_hull
        if len(g.pos) >= 3 else Point(net.xy[next(iter(g.pos.values())) - 1]).buffer(1.0)
        for g in grids])
    towns_near = prep(towns_area.buffer(sp / 4.0))
    w0, s0, e0, n0 = area.bounds
    coords: dict[tuple[int, int], tuple[float, float]] = {}
    for j in range(int(s0 // sp), int(n0 // sp) + 2):
        for i in range(int(w0 // sp), int(e0 // sp) + 2):
            x = i * sp + rng.uniform(-jitter, jitter)
            y = j * sp + rng.uniform(-jitter, jitter)
            p = Point(x, y)
            if land.contains(p) and not wet.contains(p) and not towns_near.contains(p):
                coords[(i, j)] = (x, y)
    drop = float(spec["drop_share"])
    blocked = prep(unary_union([water.all, towns_area]))
    edges = []
    for (i, j) in sorted(coords, key=lambda ij: (ij[1], ij[0])):
        for nb in ((i + 1, j), (i, j + 1)):
            r = rng.random()
            if nb not in coords or r < drop:
                continue
            if blocked.intersects(LineString([coords[(i, j)], coords[nb]])):
                continue
            edges.append(((i, j), nb))
    ends = sorted({ij for e in edges for ij in e}, key=lambda ij: (ij[1], ij[0]))
    pos = {ij: net.add_node(*coords[ij]) for ij in ends}
    return Grid(None, pos, edges)


def prune_rural(rural: Grid, splits: dict[tuple[int, int], list[tuple[float, int]]]) -> None:
    """Keep only the pieces of the village-road grid that meet the backbone."""
    parent: dict[tuple[int, int], tuple[int, int]] = {}

    def find(a):
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in rural.edges:
        parent[find(a)] = find(b)
    joined = {find(a) for a, b in rural.edges if splits.get((rural.pos[a], rural.pos[b]))}
    rural.edges = [(a, b) for a, b in rural.edges if find(a) in joined]


def rural_ways(rural: Grid, centres: list[dict[str, Any]], net: Network,
               splits: dict[tuple[int, int], list[tuple[float, int]]]) -> list[dict[str, Any]]:
    """One way per run of the village-road grid, named after the nearest centre."""
    out = []
    counter: dict[str, int] = defaultdict(int)
    centre_xy = [(c, to_xy(c["lat"], c["lon"])) for c in centres]
    rows: dict[int, list] = defaultdict(list)
    cols: dict[int, list] = defaultdict(list)
    for a, b in rural.edges:
        (rows[a[1]] if a[1] == b[1] else cols[a[0]]).append((a, b))
    for kind, lines in (("row", rows), ("col", cols)):
        for key in sorted(lines):
            edges = sorted(lines[key], key=lambda e: e[0][0] if kind == "row" else e[0][1])
            runs: list[list[int]] = []
            last = None
            for a, b in edges:
                u, v = rural.pos[a], rural.pos[b]
                if last != u:
                    runs.append([u])
                runs[-1].extend(n for _, n in sorted(splits.get((u, v), [])))
                runs[-1].append(v)
                last = v
            for run in runs:
                x, y = net.xy[run[len(run) // 2] - 1]
                c = min(centre_xy, key=lambda cx: math.hypot(cx[1][0] - x, cx[1][1] - y))[0]
                counter[c["id"]] += 1
                k = counter[c["id"]]
                out.append({"nodes": run, "tags": {
                    "highway": "unclassified", "name": f"{c['name']}村道{k}",
                    "name:en": f"{c['name_en']} Village Road {k}",
                    "generated": "yes", "source": "illustrative"}})
    return out


def insert_crossings(net: Network, backbone: list[dict[str, Any]], grids: list[Grid]
                     ) -> dict[tuple[int, int], list[tuple[float, int]]]:
    """Shared junctions where generated streets cross at-grade backbone roads.

    The backbone ways get the new nodes in place; the returned map gives, per street
    segment (u, v), the inserted nodes with their distance from u.
    """
    segs: list[tuple[LineString, int, int]] = []  # geometry, way index, leg index
    for k, w in enumerate(backbone):
        if w["tags"]["highway"] in AT_GRADE and w["tags"].get("bridge") != "yes":
            for leg, (u, v) in enumerate(zip(w["nodes"], w["nodes"][1:])):
                segs.append((LineString([net.xy[u - 1], net.xy[v - 1]]), k, leg))
    tree = STRtree([s for s, _, _ in segs])
    street_splits: dict[tuple[int, int], list[tuple[float, int]]] = defaultdict(list)
    leg_splits: dict[tuple[int, int], list[tuple[float, int]]] = defaultdict(list)
    for grid in grids:
        for a, b in grid.edges:
            u, v = grid.pos[a], grid.pos[b]
            street = LineString([net.xy[u - 1], net.xy[v - 1]])
            for j in sorted(tree.query(street, predicate="intersects")):
                road, k, leg = segs[j]
                hit = street.intersection(road)
                if hit.geom_type != "Point":
                    continue
                ends = [Point(c) for c in list(street.coords) + list(road.coords)]
                if min(hit.distance(e) for e in ends) < 1.0:
                    continue
                n = net.add_node(hit.x, hit.y)
                street_splits[(u, v)].append((street.project(hit), n))
                leg_splits[(k, leg)].append((road.project(hit), n))
    for k, w in enumerate(backbone):
        if not any(key[0] == k for key in leg_splits):
            continue
        nodes = [w["nodes"][0]]
        for leg, v in enumerate(w["nodes"][1:]):
            nodes.extend(n for _, n in sorted(leg_splits.get((k, leg), [])))
            nodes.append(v)
        w["nodes"] = nodes
    return street_splits


# -- output ---------------------------------------------------------------------------


def check_connected(ways: list[dict[str, Any]]) -> int:
    """Number of connected parts of the way graph (1 when everything is reachable)."""
    parent: dict[int, int] = {}

    def find(a: int) -> int:
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for w in ways:
        for u, v in zip(w["nodes"], w["nodes"][1:]):
            parent[find(u)] = find(v)
    return len({find(a) for a in parent})


def to_osm_xml(net: Network, ways: list[dict[str, Any]],
               bbox: tuple[float, float, float, float]) -> bytes:
    w, s, e, n = bbox
    used = sorted({u for way in ways for u in way["nodes"]})
    out = io.StringIO()
    out.write("<?xml version='1.0' encoding='UTF-8'?>\n")
    out.write('<osm version="0.6" generator="ezhou generate_roads.py">\n')
    out.write(f'  <bounds minlat="{s:.7f}" minlon="{w:.7f}" maxlat="{n:.7f}" '
              f'maxlon="{e:.7f}"/>\n')
    for u in used:
        lat, lon = to_latlon(*net.xy[u - 1])
        out.write(f'  <node id="{u}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>\n')
    for k, way in enumerate(ways, start=1):
        out.write(f'  <way id="{k}" version="1">\n')
        for u in way["nodes"]:
            out.write(f'    <nd ref="{u}"/>\n')
        for key in sorted(way["tags"]):
            out.write(f'    <tag k={quoteattr(key)} v={quoteattr(way["tags"][key])}/>\n')
        out.write("  </way>\n")
    out.write("</osm>\n")
    return out.getvalue().encode("utf-8")


def generate(*, backbone_path: Path = BACKBONE, dataset_path: Path = DATASET,
             seed: int | None = None) -> tuple[bytes, dict[str, int]]:
    """The OSM XML of the network (uncompressed) and a few counts."""
    bb = load_backbone(backbone_path)
    seed = int(bb["meta"]["seed"] if seed is None else seed)
    bbox = read_bbox(dataset_path)
    w, s, e, n = bbox
    bbox_xy = Polygon([to_xy(s, w), to_xy(s, e), to_xy(n, e), to_xy(n, w)])
    water = build_water(bb)
    net = Network()
    node_of, backbone = build_backbone(bb, water, net)
    towns = plan_towns(bb)
    grids = [build_grid(t, towns, node_of[t.spec["id"]], net, water, bbox_xy, bb["meta"], seed)
             for t in towns]
    rural = build_rural(bb, water, grids, net, bbox_xy, seed)
    splits = insert_crossings(net, backbone, grids + [rural])
    prune_rural(rural, splits)
    ways = [{"nodes": way["nodes"], "tags": way["tags"]} for way in backbone]
    for grid in grids:
        ways.extend(grid_ways(grid, splits))
    ways.extend(rural_ways(rural, bb["centres"], net, splits))
    parts = check_connected(ways)
    if parts != 1:
        raise BackboneError(f"the network falls into {parts} parts; every part must be "
                            f"reachable from every other")
    xml = to_osm_xml(net, ways, bbox)
    counts = {"nodes": len({u for way in ways for u in way["nodes"]}), "ways": len(ways),
              "generated_ways": sum(1 for way in ways if way["tags"].get("generated")),
              "bytes": len(xml)}
    return xml, counts


def write_gzip(data: bytes, path: Path) -> None:
    """gzip without a time stamp or file name in the header, so reruns give equal files."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    Path(path).write_bytes(buf.getvalue())


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT,
                        help="output .osm.gz (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=None,
                        help="random seed of the street grids (default: meta.seed)")
    parser.add_argument("--backbone", type=Path, default=BACKBONE)
    parser.add_argument("--dataset", type=Path, default=DATASET)
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        xml, counts = generate(backbone_path=args.backbone, dataset_path=args.dataset,
                               seed=args.seed)
    except BackboneError as exc:
        print(exc, file=sys.stderr)
        return 1
    write_gzip(xml, args.out)
    print(f"wrote {args.out}: {counts['nodes']} nodes, {counts['ways']} ways "
          f"({counts['generated_ways']} generated), {counts['bytes']} bytes of XML, "
          f"{args.out.stat().st_size} bytes compressed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
