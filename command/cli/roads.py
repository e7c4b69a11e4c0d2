"""``command-center roads``: info, build and fetch of the road network."""

from __future__ import annotations

import sys
import time
from typing import Any

from command.cli import CLI, emit
from command.cli._guard import output_problem
from command.errors import RoadNetworkError


def _bar(fraction: float, message: str) -> None:
    """Render load progress on stderr (a terminal only; quiet in pipes and tests)."""
    if not sys.stderr.isatty():
        return
    width = 30
    done = int(round(fraction * width))
    sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {message:<40}")
    if fraction >= 1.0:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _info_text(d: dict[str, Any]) -> str:
    w, s, e, n = d["bbox"]
    lines = [
        f"source                    {d['source']}",
        f"nodes                     {d['nodes']:,}",
        f"edges (directed)          {d['edges']:,}",
        f"strongly connected share  {d['strongly_connected_share']:.4f}",
        f"road length               {d['total_km']:,.1f} km",
        f"bbox W S E N              {w} {s} {e} {n}",
    ]
    lines += [f"  {hw:<22}  {km:,.1f} km" for hw, km in d["km_by_highway"].items()]
    return "\n".join(lines)


def _info(args, settings) -> int:
    from command.roads import info, load_network

    net = load_network(settings, progress=_bar)
    emit(info(net), as_json=args.json, text=_info_text)
    return 0


def _build(args, settings) -> int:
    from command.roads import cache_path, info, load_network

    t0 = time.perf_counter()
    net = load_network(settings, progress=_bar, rebuild=True)
    seconds = time.perf_counter() - t0
    d = info(net)
    result = {"seconds": round(seconds, 3), "nodes": d["nodes"], "edges": d["edges"],
              "cache": str(cache_path(settings)), "source": d["source"]}
    emit(result, as_json=args.json,
         text=lambda r: f"built {r['nodes']:,} nodes, {r['edges']:,} edges from {r['source']} "
                        f"in {r['seconds']:.2f} s; cache {r['cache']}")
    return 0


def _fetch(args, settings) -> int:
    from command.roads import fetch_network
    from command.roads._fetch import validate_bbox

    bbox = validate_bbox(args.bbox, field="--bbox") if args.bbox is not None else None
    if args.out and (p := output_problem(args.out, "--out")):  # before going online
        raise RoadNetworkError("The network cannot be saved there.", [p])
    path = fetch_network(place=args.place, bbox=bbox, settings=settings, out=args.out)
    emit({"path": str(path)}, as_json=args.json,
         text=lambda r: f"saved {r['path']}\nuse it with: CC_ROAD_NETWORK_FILE={r['path']}")
    return 0


def register(cli: CLI) -> None:
    group = cli.group("roads", help="the road network: summary, cache rebuild, OSM download")

    p = group.add_parser("info", help="nodes, edges, connectivity, length and extent",
                         description="Summary of the road network in use (settings: "
                                     "road_network_file, or the data set's roads.osm.gz).")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_info)

    p = group.add_parser("build", help="rebuild the road network cache from its source file",
                         description="Parse the source file again, rewrite the cache and "
                                     "print the seconds it took.")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_build)

    p = group.add_parser("fetch", help="download a real drivable network from OpenStreetMap",
                         description="Download with osmnx (network_type drive) from the "
                                     "Overpass and Nominatim servers in settings and save "
                                     "GraphML. The only command that goes online.")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--place", help='a place name, e.g. "鄂州市, 湖北省, 中国"')
    where.add_argument("--bbox", nargs=4, type=float, metavar=("W", "S", "E", "N"),
                       help="bounding box in degrees: west south east north")
    p.add_argument("--out", help="GraphML file to write (default: under the cache folder)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_fetch)
