"""Flood inundation: a water level over an elevation grid, or a given polygon.

The model is the "bathtub with connectivity" used for first-look flood maps: a cell of
the elevation grid is flooded when its ground lies below the water level AND it is
joined to the breach point through other such cells (4-neighbour, rook connectivity: two
cells touching only at a corner do not pass water, which keeps a one-cell embankment
diagonal watertight). Its depth is ``level - ground``. Nothing here models flow in time,
friction or the volume that really passes a breach: the flooded area is the area the
water *could* reach at that level, an upper bound for planning.

The grid is an ESRI ASCII grid (``.asc``: ``ncols``, ``nrows``, ``xllcorner``,
``yllcorner``, ``cellsize`` in degrees of lon/lat, optional ``NODATA_value``, then the rows
from north to south) so that a reader can check it by eye and any GIS can draw it.
Cells with no data never flood. Cell areas use the local equirectangular metres of the
grid's centre latitude (see ``zones.EARTH_RADIUS_M``).

Depth bands give the zone grades (:data:`DEPTH_BANDS_M`): red where the water is at
least 1.5 m deep (over a standing adult's chest: rescue by boat only), orange from
0.5 m (cars float and walking is unsafe), yellow where there is any water. These
thresholds are judgement after the usual depth-hazard reasoning, not a Chinese
standard; change them per call with ``bands_m``.

Must not: close roads, count people or name agencies (``consequences`` does).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from command.errors import DataError, Problem
from command.scenarios._errors import ScenarioError
from command.scenarios.zones import EARTH_RADIUS_M

__all__ = [
    "DEPTH_BANDS_M",
    "ElevationGrid",
    "Inundation",
    "read_ascii_grid",
    "write_ascii_grid",
    "inundation",
    "depth_polygons",
    "flood_geojson",
]

#: (grade, minimum depth in m) from the most severe band; yellow is "any water".
DEPTH_BANDS_M: tuple[tuple[str, float], ...] = (("red", 1.5), ("orange", 0.5), ("yellow", 0.0))

_HEADER = ("ncols", "nrows", "xllcorner", "yllcorner", "cellsize")


@dataclass(frozen=True, eq=False)
class ElevationGrid:
    """Ground elevation (m) on a regular lon/lat grid; row 0 is the northern row.

    ``west``/``south`` are the outer corner of the grid (``xllcorner``/``yllcorner``),
    ``cell_deg`` the side of a cell in degrees; NaN marks no data.
    """

    west: float
    south: float
    cell_deg: float
    elevation_m: np.ndarray  # (nrows, ncols)
    source: str = ""

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.elevation_m.shape)  # type: ignore[return-value]

    @property
    def north(self) -> float:
        return self.south + self.cell_deg * self.elevation_m.shape[0]

    @property
    def east(self) -> float:
        return self.west + self.cell_deg * self.elevation_m.shape[1]

    def cell_of(self, lat: float, lon: float) -> tuple[int, int] | None:
        """(row, col) of the cell holding the point, or None outside the grid."""
        col = int(math.floor((lon - self.west) / self.cell_deg))
        row = int(math.floor((self.north - lat) / self.cell_deg))
        nrows, ncols = self.elevation_m.shape
        if 0 <= row < nrows and 0 <= col < ncols:
            return row, col
        return None

    def cell_area_m2(self) -> float:
        lat0 = math.radians((self.south + self.north) / 2)
        side = math.radians(self.cell_deg) * EARTH_RADIUS_M
        return side * side * math.cos(lat0)


@dataclass(frozen=True, eq=False)
class Inundation:
    """Which cells flood and how deep (m; 0 where dry), for one water level."""

    grid: ElevationGrid
    level_m: float
    breach_cell: tuple[int, int]
    flooded: np.ndarray  # bool (nrows, ncols)
    depth_m: np.ndarray  # float (nrows, ncols), 0 where dry

    @property
    def cells(self) -> int:
        return int(self.flooded.sum())

    @property
    def area_m2(self) -> float:
        return self.cells * self.grid.cell_area_m2()

    @property
    def volume_m3(self) -> float:
        return float(self.depth_m.sum()) * self.grid.cell_area_m2()

    @property
    def max_depth_m(self) -> float:
        return float(self.depth_m.max()) if self.cells else 0.0


def read_ascii_grid(path: str | Path) -> ElevationGrid:
    """Read an ESRI ASCII grid of ground elevations (m) in lon/lat degrees.

    Raises
    ------
    DataError : naming the file, the line and the value of every problem found.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError("Cannot read the elevation grid.", [Problem(str(exc), file=str(path))]
                        ) from None
    head: dict[str, float] = {}
    i = 0
    problems: list[Problem] = []
    while i < len(lines) and lines[i].strip() and lines[i].split()[0][0].isalpha():
        key, *rest = lines[i].split()
        try:
            head[key.lower()] = float(rest[0])
        except (IndexError, ValueError):
            problems.append(Problem("a header line is 'name number'", file=str(path), row=i + 1,
                                    field=key, value=" ".join(rest)))
        i += 1
    for key in _HEADER:
        if key not in head:
            problems.append(Problem("missing header line", file=str(path), field=key))
    if problems:
        raise DataError("The elevation grid is malformed.", problems)
    nrows, ncols = int(head["nrows"]), int(head["ncols"])
    rows = []
    for j, line in enumerate(lines[i:], start=i + 1):
        if not line.strip():
            continue
        try:
            rows.append([float(v) for v in line.split()])
        except ValueError as exc:
            problems.append(Problem(f"not a number: {exc}", file=str(path), row=j))
            continue
        if len(rows[-1]) != ncols:
            problems.append(Problem(f"expected {ncols} values", file=str(path), row=j,
                                    value=len(rows[-1])))
    if len(rows) != nrows and not problems:
        problems.append(Problem(f"expected {nrows} rows of values", file=str(path),
                                field="nrows", value=len(rows)))
    if head["cellsize"] <= 0:
        problems.append(Problem("the cell size must be positive", file=str(path),
                                field="cellsize", value=head["cellsize"]))
    if problems:
        raise DataError("The elevation grid is malformed.", problems)
    z = np.array(rows, dtype=float)
    if "nodata_value" in head:
        z[z == head["nodata_value"]] = np.nan
    return ElevationGrid(west=head["xllcorner"], south=head["yllcorner"],
                         cell_deg=head["cellsize"], elevation_m=z, source=str(path))


def write_ascii_grid(path: str | Path, grid: ElevationGrid, *, decimals: int = 2) -> Path:
    """Write ``grid`` as an ESRI ASCII grid (NODATA -9999)."""
    path = Path(path)
    nrows, ncols = grid.shape
    out = [f"ncols {ncols}", f"nrows {nrows}", f"xllcorner {grid.west:.6f}",
           f"yllcorner {grid.south:.6f}", f"cellsize {grid.cell_deg:.6f}", "NODATA_value -9999"]
    for row in grid.elevation_m:
        out.append(" ".join("-9999" if not np.isfinite(v) else f"{v:.{decimals}f}" for v in row))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def inundation(grid: ElevationGrid, *, level_m: float, breach_lat: float,
               breach_lon: float) -> Inundation:
    """Cells below ``level_m`` joined to the breach cell through such cells (rook).

    Parameters
    ----------
    grid : ElevationGrid
    level_m : float
        Water level, m, in the datum of the grid.
    breach_lat, breach_lon : float
        Where the water comes in (the breach, on the landward side), degrees.

    Returns
    -------
    Inundation : empty (no cell) when the breach cell's ground is at or above the level.

    Raises
    ------
    ScenarioError : the level is not a finite number, or the breach is outside the grid.
    """
    from scipy.ndimage import label

    problems = []
    if not (isinstance(level_m, (int, float)) and math.isfinite(level_m)):
        problems.append(Problem("the water level must be a finite number (m)",
                                field="water_level_m", value=level_m))
    cell = grid.cell_of(breach_lat, breach_lon)
    if cell is None:
        problems.append(Problem(
            f"the breach must lie on the elevation grid (lon {grid.west:.4f}-{grid.east:.4f}, "
            f"lat {grid.south:.4f}-{grid.north:.4f})", field="breach",
            value=(breach_lat, breach_lon)))
    if problems:
        raise ScenarioError("The flood cannot be computed from these inputs.", problems)
    z = grid.elevation_m
    below = np.isfinite(z) & (z < float(level_m))
    flooded = np.zeros_like(below)
    if below[cell]:
        labels, _ = label(below)  # default structure: 4-neighbour (rook) connectivity
        flooded = labels == labels[cell]
    depth = np.where(flooded, float(level_m) - np.nan_to_num(z, nan=float(level_m)), 0.0)
    return Inundation(grid=grid, level_m=float(level_m), breach_cell=cell, flooded=flooded,
                      depth_m=depth)


def depth_polygons(flood: Inundation, *, bands_m: tuple[tuple[str, float], ...] = DEPTH_BANDS_M
                   ) -> list[tuple[str, float, object]]:
    """For each band (grade, minimum depth m) the shapely geometry (lon/lat) of the cells
    at least that deep (any water for a minimum of 0); empty bands are left out."""
    import shapely

    g = flood.grid
    out = []
    for grade, min_depth in bands_m:
        rows, cols = np.nonzero(_band_mask(flood, min_depth))
        if rows.size == 0:
            continue
        west = g.west + cols * g.cell_deg
        north = g.north - rows * g.cell_deg
        boxes = shapely.box(west, north - g.cell_deg, west + g.cell_deg, north)
        out.append((grade, float(min_depth), shapely.union_all(boxes)))
    return out


def flood_geojson(flood: Inundation, *, bands_m: tuple[tuple[str, float], ...] = DEPTH_BANDS_M
                  ) -> dict:
    """GeoJSON FeatureCollection of the depth bands (MultiPolygon/Polygon, lon/lat)."""
    import shapely.geometry

    features = []
    for grade, min_depth, geom in depth_polygons(flood, bands_m=bands_m):
        features.append({"type": "Feature", "geometry": shapely.geometry.mapping(geom),
                         "properties": {"grade": grade, "min_depth_m": min_depth,
                                        "level_m": flood.level_m,
                                        "area_m2": _band_mask(flood, min_depth).sum()
                                        * flood.grid.cell_area_m2()}})
    return {"type": "FeatureCollection", "features": features}


def _band_mask(flood: Inundation, min_depth: float) -> np.ndarray:
    return flood.flooded & (flood.depth_m >= min_depth) if min_depth > 0 else flood.flooded
