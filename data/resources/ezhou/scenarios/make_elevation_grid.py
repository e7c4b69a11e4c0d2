"""Write ``yangtze-breach-elevation.asc``: an ILLUSTRATIVE ground-elevation grid of the
south bank of the Yangtze at 鄂城, for the embankment-breach scenario.

No public elevation data of Ezhou were available offline, so this grid is made up from
simple rules; it is NOT survey data and must never be read as the real ground:

- area lon 114.86-115.00, lat 30.34-30.42, cells of 0.002 deg (about 190 m x 220 m);
- the river: within 700 m of the Yangtze centreline of ``../backbone.yaml`` (the network's
  own river, 1.4 km wide) there is no ground (NODATA);
- the embankment (长江干堤): the next 250 m, crest 29.0 m;
- behind it the ground rises from 19.0 m by 1.2 m per km away from the river;
- the hills 西山 and 莲花山 (positions from ``../shelters.csv``, the scenic-area
  shelters) as Gaussian bumps of 40 m and 30 m (sigma 500 m);
- 洋澜湖 (polygon of ``../backbone.yaml``) at 16.5 m, its surface;
- a deterministic ripple of +-0.6 m so that the flood edge is not a straight line.

Heights are metres above an illustrative datum. Run with the project's Python:
``.venv/bin/python data/resources/ezhou/scenarios/make_elevation_grid.py``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import yaml

from command.scenarios.flood import ElevationGrid, write_ascii_grid
from command.scenarios.zones import EARTH_RADIUS_M

HERE = Path(__file__).resolve().parent
WEST, SOUTH, CELL, NCOLS, NROWS = 114.86, 30.34, 0.002, 70, 40
RIVER_HALF_WIDTH_M, EMBANKMENT_M, CREST_M = 700.0, 250.0, 29.0
BASE_M, SLOPE_M_PER_KM, LAKE_M = 19.0, 1.2, 16.5
HILLS = {"S01": 40.0, "S04": 30.0}  # shelter ids of the 西山 and 莲花山 scenic areas
HILL_SIGMA_M = 500.0


def _xy(lat, lon, lat0):
    k = math.radians(1.0) * EARTH_RADIUS_M
    return np.asarray(lon) * k * math.cos(math.radians(lat0)), np.asarray(lat) * k


def _distance_to_polyline_m(lat, lon, line, lat0):
    px, py = _xy(lat, lon, lat0)
    best = np.full(px.shape, np.inf)
    for (a_lat, a_lon), (b_lat, b_lon) in zip(line[:-1], line[1:]):
        ax, ay = _xy(a_lat, a_lon, lat0)
        bx, by = _xy(b_lat, b_lon, lat0)
        dx, dy = bx - ax, by - ay
        s = np.clip(((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
        best = np.minimum(best, np.hypot(px - ax - s * dx, py - ay - s * dy))
    return best


def build() -> ElevationGrid:
    import csv

    import shapely

    backbone = yaml.safe_load((HERE.parent / "backbone.yaml").read_text(encoding="utf-8"))
    centreline = backbone["river"]["centreline"]  # [lat, lon]
    lake = next(x for x in backbone["lakes"] if x["name"] == "洋澜湖")
    shelters = {r["shelter_id"]: r for r in
                csv.DictReader((HERE.parent / "shelters.csv").open(encoding="utf-8"))}
    rows = np.arange(NROWS)
    cols = np.arange(NCOLS)
    lat = (SOUTH + CELL * NROWS) - (rows + 0.5) * CELL  # row 0 is the northern row
    lon = WEST + (cols + 0.5) * CELL
    lon2, lat2 = np.meshgrid(lon, lat)
    lat0 = SOUTH + CELL * NROWS / 2
    d = _distance_to_polyline_m(lat2, lon2, centreline, lat0)
    z = BASE_M + SLOPE_M_PER_KM * np.maximum(d - RIVER_HALF_WIDTH_M - EMBANKMENT_M, 0) / 1000
    for sid, height in HILLS.items():
        s = shelters[sid]
        hx, hy = _xy(float(s["lat"]), float(s["lon"]), lat0)
        px, py = _xy(lat2, lon2, lat0)
        z += height * np.exp(-((px - hx) ** 2 + (py - hy) ** 2) / (2 * HILL_SIGMA_M ** 2))
    z += 0.6 * np.sin(lon2 * 900.0) * np.cos(lat2 * 700.0)
    ring = shapely.Polygon([(p[1], p[0]) for p in lake["polygon"]])
    z[shapely.contains_xy(ring, lon2, lat2)] = LAKE_M
    z[d < RIVER_HALF_WIDTH_M + EMBANKMENT_M] = CREST_M
    z[d < RIVER_HALF_WIDTH_M] = np.nan
    return ElevationGrid(WEST, SOUTH, CELL, np.round(z, 2), source="illustrative")


if __name__ == "__main__":
    out = write_ascii_grid(HERE / "yangtze-breach-elevation.asc", build())
    print(f"wrote {out}")
