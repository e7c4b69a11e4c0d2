"""Threat zones of a continuous toxic release: how far downwind, and which ground.

For a level of concern (LOC, in g/m3) and a Gaussian plume (``dispersion``):

- the *downwind distance* is the furthest point on the ground centreline where the
  concentration equals the LOC, ``C(x_d, 0, 0) = LOC``, found with
  :func:`scipy.optimize.brentq` after a logarithmic scan (an elevated release also has a
  *near edge*, before which the plume has not yet come down to the LOC);
- the *footprint* is the set of ground points with ``C(x, y, 0) >= LOC``. Because the
  plume is Gaussian across the wind, its edge is known in closed form: at each x the
  half-width is ``sigma_y(x) sqrt(2 ln(C(x, 0, 0) / LOC))``; the polygon samples that edge
  (cosine spacing, dense at both ends) and is closed through the source for a ground-level
  release.

An instantaneous release (a Gaussian *puff*, ``dispersion.puff_concentration``) is
treated the same way with the ground-axis concentration at the moment the puff centre
passes, ``C(x) = 2 M / ((2 pi)^1.5 sigma_y^2 sigma_z) exp(-H^2 / 2 sigma_z^2)`` at
``t = x / u``; it is Gaussian across the wind too, so the footprint has the same closed
form (:func:`puff_extent`, :func:`puff_threat_zones`).

ALOHA's convention colours the zones red, orange and yellow for AEGL-3, AEGL-2 and
AEGL-1 (60 min); ERPG-3/2/1 take the same colours, IDLH is purple.

Local frame: ``x`` downwind, ``y`` across the wind, positive to the left of an observer
looking downwind. The wind direction is meteorological: the direction the wind blows
FROM, in degrees clockwise from north (a north wind, 0 deg, carries the plume south).
Local metres are turned into lon/lat with a local equirectangular projection about the
source (east = R cos(lat0) dlon, north = R dlat, R = 6 371 008.8 m, the IUGG mean earth
radius): within 20 km of the source its error is under 0.1 % of the distance, far below
the uncertainty of the plume itself.

Must not: close roads, count people or name agencies; the zone -> actions step does.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from command.errors import Problem
from command.scenarios.dispersion import (
    _common_problems,
    _finite,
    _plume,
    _plume_problems,
    _raise,
    _vertical_term,
    sigmas,
)
from command.scenarios.substances import Substance, get_substance

__all__ = [
    "EARTH_RADIUS_M",
    "ZONE_COLOURS",
    "X_MIN_M",
    "X_MAX_M",
    "ZoneExtent",
    "ThreatZone",
    "plume_extent",
    "puff_extent",
    "puff_threat_zones",
    "downwind_distance_m",
    "footprint_local",
    "local_to_lonlat",
    "threat_zones",
    "zones_geojson",
]

log = logging.getLogger(__name__)

EARTH_RADIUS_M = 6_371_008.8
ZONE_COLOURS = {"AEGL-3": "red", "AEGL-2": "orange", "AEGL-1": "yellow",
                "ERPG-3": "red", "ERPG-2": "orange", "ERPG-1": "yellow", "IDLH": "purple"}
X_MIN_M = 1.0        # closest distance examined; a zone reaching it reaches the source
X_MAX_M = 100_000.0  # a zone longer than this is reported as truncated there
_SCAN_POINTS = 600


@dataclass(frozen=True)
class ZoneExtent:
    """Where the ground centreline concentration is at or above the level of concern.

    ``far_m`` is the downwind distance; ``near_m`` the near edge (``X_MIN_M`` when the zone
    starts at the source). Both ``None`` when the plume never reaches the level on the
    ground. ``truncated`` means the level is still exceeded at ``X_MAX_M``.
    """

    loc_g_m3: float
    near_m: float | None
    far_m: float | None
    peak_x_m: float
    peak_g_m3: float
    truncated: bool


@dataclass(frozen=True)
class ThreatZone:
    """One coloured zone on the map, in local metres and in lon/lat."""

    level: str
    colour: str
    substance: str
    loc_ppm: float | None
    loc_g_m3: float | None
    loc_source: str
    distance_m: float | None
    near_m: float | None
    max_half_width_m: float
    area_m2: float
    truncated: bool
    polygon_local_m: tuple[tuple[float, float], ...]   # (x downwind, y left), closed ring
    polygon_lonlat: tuple[tuple[float, float], ...]    # (lon, lat), closed ring
    scheme: str
    note: str = ""


def _centreline(x, *, rate_g_s, wind_m_s, stability, height_m, scheme):
    x = np.asarray(x, dtype=float)
    sy, sz = sigmas(x, stability, scheme=scheme)
    return _plume(rate_g_s, wind_m_s, height_m, 0.0, 0.0, sy, sz)


def _check_release(rate_g_s, wind_m_s, stability, height_m, scheme, loc_g_m3=None):
    problems = _plume_problems(rate_g_s=rate_g_s, wind_m_s=wind_m_s, stability=stability,
                               height_m=height_m, scheme=scheme)
    if loc_g_m3 is not None and _finite(loc_g_m3, "loc_g_m3", problems) \
            and not float(loc_g_m3) > 0:
        problems.append(Problem(rule="the level of concern must be a positive concentration",
                                field="loc_g_m3", value=loc_g_m3))
    _raise(problems, "threat zone")


def _check_puff(mass_kg, wind_m_s, stability, height_m, scheme, loc_g_m3=None):
    problems = _common_problems(wind_m_s=wind_m_s, stability=stability, height_m=height_m,
                                scheme=scheme, model="puff")
    if _finite(mass_kg, "mass_kg", problems) and not float(mass_kg) > 0:
        problems.append(Problem(rule="released mass must be positive: nothing released, "
                                     "nothing to disperse", field="mass_kg", value=mass_kg))
    if loc_g_m3 is not None and _finite(loc_g_m3, "loc_g_m3", problems) \
            and not float(loc_g_m3) > 0:
        problems.append(Problem(rule="the level of concern must be a positive concentration",
                                field="loc_g_m3", value=loc_g_m3))
    _raise(problems, "threat zone")


def plume_extent(loc_g_m3: float, *, rate_g_s: float, wind_m_s: float, stability: str,
                 height_m: float = 0.0, scheme: str = "briggs-rural") -> ZoneExtent:
    """Near and far edge of the ground centreline where ``C(x, 0, 0) >= loc_g_m3``.

    Parameters
    ----------
    loc_g_m3 : float, > 0
        Level of concern, g/m3.
    rate_g_s, wind_m_s, stability, height_m, scheme : as ``dispersion.plume_concentration``.

    Returns
    -------
    ZoneExtent

    Notes
    -----
    The edges satisfy ``C = LOC`` to about 1e-12 relative. (The ISC3 sigma_z pieces
    join only to within 0.05 % at their breaks; a level falling inside such a step is
    reported at the break.)
    """
    _check_release(rate_g_s, wind_m_s, stability, height_m, scheme, loc_g_m3)
    stability = stability.strip().upper()
    return _extent(_plume_centre(rate_g_s, wind_m_s, stability, height_m, scheme),
                   float(loc_g_m3))


def _plume_centre(rate_g_s, wind_m_s, stability, height_m, scheme):
    """x -> ground centreline concentration (g/m3) of a continuous release."""
    q, u, h = float(rate_g_s), float(wind_m_s), float(height_m)
    return lambda x: _centreline(x, rate_g_s=q, wind_m_s=u, stability=stability, height_m=h,
                                 scheme=scheme)


def _puff_centre(mass_kg, stability, height_m, scheme):
    """x -> ground concentration (g/m3) on the axis as the puff centre passes x.

    At ``t = x / u`` the puff formula of :func:`dispersion.puff_concentration` (with
    ``sigma_x = sigma_y`` at the distance travelled) reduces to
    ``2 M / ((2 pi)^1.5 sy^2 sz) exp(-H^2 / 2 sz^2)``: the wind speed drops out.
    """
    m_g, h = float(mass_kg) * 1000.0, float(height_m)

    def c(x):
        sy, sz = sigmas(np.asarray(x, dtype=float), stability, scheme=scheme)
        return m_g / ((2 * np.pi) ** 1.5 * sy * sy * sz) * _vertical_term(0.0, h, sz)
    return c


def _extent(c, loc: float) -> ZoneExtent:
    """Near and far edge where the ground-axis concentration ``c(x)`` is >= ``loc``."""
    def f(x):  # relative excess over the LOC; its root is the zone edge
        return float(c(x)) / loc - 1.0

    grid = np.geomspace(X_MIN_M, X_MAX_M, _SCAN_POINTS)
    conc = c(grid)
    i = int(np.argmax(conc))
    peak_x, peak_c = float(grid[i]), float(conc[i])
    if 0 < i < len(grid) - 1:  # refine an interior maximum (elevated release)
        res = minimize_scalar(lambda x: -float(c(x)), bounds=(grid[i - 1], grid[i + 1]),
                              method="bounded", options={"xatol": 1e-6 * grid[i]})
        if -res.fun > peak_c:
            peak_x, peak_c = float(res.x), float(-res.fun)
    if peak_c < loc:
        return ZoneExtent(loc, None, None, peak_x, peak_c, False)

    # the refined peak joins the scan, so a narrow zone around it is never missed
    grid = np.unique(np.append(grid, peak_x))
    conc = c(grid)
    above = np.nonzero(conc >= loc)[0]
    # far edge: last scan point at or above the LOC, then the root in the next interval
    j = int(above[-1])
    if j == len(grid) - 1:
        far, truncated = X_MAX_M, True
    else:
        far = brentq(f, grid[j], grid[j + 1], xtol=1e-12, rtol=1e-13, maxiter=200)
        truncated = False
    # near edge: first scan point at or above the LOC (the source itself if that is the first)
    k = int(above[0])
    near = X_MIN_M if k == 0 else brentq(f, grid[k - 1], grid[k], xtol=1e-12, rtol=1e-13,
                                         maxiter=200)
    return ZoneExtent(loc, float(near), float(far), peak_x, peak_c, truncated)


def puff_extent(loc_g_m3: float, *, mass_kg: float, wind_m_s: float, stability: str,
                height_m: float = 0.0, scheme: str = "briggs-rural") -> ZoneExtent:
    """Near and far edge of the ground axis where the passing puff reaches ``loc_g_m3``.

    The concentration compared is the one at the moment the puff centre passes (its
    peak there, to within the growth of the sigmas during the passage); comparing a
    peak with a 60-min AEGL is conservative for a cloud that passes in minutes.

    Raises
    ------
    ScenarioError : a meaningless mass, wind, stability, height or level.
    """
    _check_puff(mass_kg, wind_m_s, stability, height_m, scheme, loc_g_m3)
    stability = stability.strip().upper()
    return _extent(_puff_centre(mass_kg, stability, height_m, scheme), float(loc_g_m3))


def downwind_distance_m(loc_g_m3: float, *, rate_g_s: float, wind_m_s: float, stability: str,
                        height_m: float = 0.0, scheme: str = "briggs-rural") -> float | None:
    """Furthest downwind distance (m) where the ground centreline reaches ``loc_g_m3``.

    ``None`` when the plume never reaches the level on the ground (an elevated release
    that dilutes first). See :func:`plume_extent`.
    """
    return plume_extent(loc_g_m3, rate_g_s=rate_g_s, wind_m_s=wind_m_s, stability=stability,
                        height_m=height_m, scheme=scheme).far_m


def footprint_local(extent: ZoneExtent, *, rate_g_s: float, wind_m_s: float, stability: str,
                    height_m: float = 0.0, scheme: str = "briggs-rural",
                    n: int = 121) -> tuple[tuple[float, float], ...]:
    """Closed ring (x downwind, y left) in m bounding ``C(x, y, 0) >= LOC``; empty if none.

    At each sampled x the half-width is ``sigma_y sqrt(2 ln(C(x,0,0) / LOC))``.
    """
    return _ring(extent, _plume_centre(rate_g_s, wind_m_s, stability.strip().upper(),
                                       height_m, scheme),
                 stability.strip().upper(), scheme, n)


def _ring(extent: ZoneExtent, c, stability: str, scheme: str, n: int = 121):
    """The closed footprint ring of an axis concentration ``c(x)`` that is Gaussian across
    the wind with the scheme's sigma_y (true of both the plume and the passing puff)."""
    if extent.far_m is None:
        return ()
    s = np.linspace(0.0, math.pi, n)
    x = extent.near_m + (extent.far_m - extent.near_m) * (1 - np.cos(s)) / 2
    sy, _ = sigmas(x, stability, scheme=scheme)
    ratio = np.maximum(c(x) / extent.loc_g_m3, 1.0)
    w = sy * np.sqrt(2.0 * np.log(ratio))
    upper = [(float(a), float(b)) for a, b in zip(x, w)]
    lower = [(float(a), float(-b)) for a, b in zip(x[::-1], w[::-1])]
    ring = upper + lower
    if extent.near_m <= X_MIN_M:  # the zone starts at the source: close it there
        ring = [(0.0, 0.0)] + ring
    ring.append(ring[0])
    return tuple(ring)


def _shoelace(ring) -> float:
    if len(ring) < 4:
        return 0.0
    a = np.asarray(ring)
    return float(abs(np.dot(a[:-1, 0], a[1:, 1]) - np.dot(a[1:, 0], a[:-1, 1])) / 2)


def local_to_lonlat(x_m, y_m, *, source_lon: float, source_lat: float,
                    wind_from_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Turn local plume coordinates into lon/lat (degrees).

    Parameters
    ----------
    x_m, y_m : float or arrays
        Downwind and crosswind-left distances from the source, m.
    source_lon, source_lat : float
        The source, degrees (WGS 84).
    wind_from_deg : float
        Direction the wind blows FROM, degrees clockwise from north.

    Returns
    -------
    (lon, lat) : arrays (floats for scalar input).
    """
    theta = math.radians(float(wind_from_deg))
    # unit vectors (east, north): downwind = opposite of "from"; left = downwind turned +90 deg
    d_e, d_n = -math.sin(theta), -math.cos(theta)
    l_e, l_n = -d_n, d_e
    x = np.asarray(x_m, dtype=float)
    y = np.asarray(y_m, dtype=float)
    east = x * d_e + y * l_e
    north = x * d_n + y * l_n
    lat = source_lat + np.degrees(north / EARTH_RADIUS_M)
    lon = source_lon + np.degrees(east / (EARTH_RADIUS_M * math.cos(math.radians(source_lat))))
    if lon.ndim == 0:
        return float(lon), float(lat)
    return lon, lat


def threat_zones(substance: str | Substance, *, rate_g_s: float, wind_m_s: float,
                 wind_from_deg: float, stability: str, source_lon: float, source_lat: float,
                 height_m: float = 0.0, scheme: str = "briggs-rural",
                 levels: tuple[str, ...] = ("AEGL-3", "AEGL-2", "AEGL-1")) -> tuple[ThreatZone, ...]:
    """The coloured threat zones of a continuous release of ``substance``.

    Parameters
    ----------
    substance : name or :class:`Substance`
    rate_g_s, wind_m_s, stability, height_m, scheme : the plume (see ``dispersion``).
    wind_from_deg : float
        Meteorological wind direction (blowing FROM), degrees clockwise from north.
    source_lon, source_lat : float
        The release point, degrees.
    levels : levels of concern, most severe first (default AEGL-3, -2, -1 at 60 min).

    Returns
    -------
    tuple of ThreatZone, in the order of ``levels``. A level with no value on file for the
    substance gives a zone with ``loc_ppm=None``, no polygon and a note saying why.

    Raises
    ------
    ScenarioError : unknown substance or level, or a meaningless release/weather input.
    """
    sub = substance if isinstance(substance, Substance) else get_substance(substance)
    _check_release(rate_g_s, wind_m_s, stability, height_m, scheme)
    _check_place(wind_from_deg, source_lon, source_lat)
    stability = stability.strip().upper()
    return _zones(sub, levels, _plume_centre(rate_g_s, wind_m_s, stability, height_m, scheme),
                  stability=stability, scheme=scheme, wind_from_deg=wind_from_deg,
                  source_lon=source_lon, source_lat=source_lat)


def puff_threat_zones(substance: str | Substance, *, mass_kg: float, wind_m_s: float,
                      wind_from_deg: float, stability: str, source_lon: float,
                      source_lat: float, height_m: float = 0.0, scheme: str = "briggs-rural",
                      levels: tuple[str, ...] = ("AEGL-3", "AEGL-2", "AEGL-1")
                      ) -> tuple[ThreatZone, ...]:
    """The coloured zones swept by an instantaneous release of ``mass_kg`` (a puff).

    Every ground point whose concentration reaches the level as the puff passes (see
    :func:`puff_extent`); otherwise as :func:`threat_zones`.
    """
    sub = substance if isinstance(substance, Substance) else get_substance(substance)
    _check_puff(mass_kg, wind_m_s, stability, height_m, scheme)
    _check_place(wind_from_deg, source_lon, source_lat)
    stability = stability.strip().upper()
    return _zones(sub, levels, _puff_centre(mass_kg, stability, height_m, scheme),
                  stability=stability, scheme=scheme, wind_from_deg=wind_from_deg,
                  source_lon=source_lon, source_lat=source_lat)


def _check_place(wind_from_deg, source_lon, source_lat) -> None:
    problems: list[Problem] = []
    for name, v, lo, hi in (("wind_from_deg", wind_from_deg, -360, 360),
                            ("source_lat", source_lat, -85, 85),
                            ("source_lon", source_lon, -180, 180)):
        if _finite(v, name, problems) and not lo <= float(v) <= hi:
            problems.append(Problem(rule=f"must lie between {lo} and {hi} degrees", field=name,
                                    value=v))
    _raise(problems, "threat zone")


def _zones(sub: Substance, levels, c, *, stability, scheme, wind_from_deg, source_lon,
           source_lat) -> tuple[ThreatZone, ...]:
    zones = []
    for level in levels:
        t = sub.level(level)
        colour = ZONE_COLOURS.get(level.strip().upper(), "grey")
        if t is None:
            why = sub.why_missing(level) or "no value on file"
            zones.append(ThreatZone(level=level, colour=colour, substance=sub.key, loc_ppm=None,
                                    loc_g_m3=None, loc_source="", distance_m=None, near_m=None,
                                    max_half_width_m=0.0, area_m2=0.0, truncated=False,
                                    polygon_local_m=(), polygon_lonlat=(), scheme=scheme,
                                    note=f"no {level} for {sub.name}: {why}"))
            continue
        ext = _extent(c, t.g_m3)
        ring = _ring(ext, c, stability, scheme)
        if ring:
            xs, ys = zip(*ring)
            lon, lat = local_to_lonlat(np.array(xs), np.array(ys), source_lon=source_lon,
                                       source_lat=source_lat, wind_from_deg=wind_from_deg)
            ring_ll = tuple((float(a), float(b)) for a, b in zip(lon, lat))
            half = float(max(abs(v) for v in ys))
        else:
            ring_ll, half = (), 0.0
        note = ""
        if ext.far_m is None:
            note = (f"the release never reaches {level} on the ground (peak "
                    f"{ext.peak_g_m3:.3g} g/m3 at {ext.peak_x_m:.0f} m)")
        elif ext.truncated:
            note = f"{level} still exceeded at {X_MAX_M:.0f} m; zone cut there"
        zones.append(ThreatZone(
            level=level, colour=colour, substance=sub.key, loc_ppm=t.ppm, loc_g_m3=t.g_m3,
            loc_source=f"{t.source} [{t.confidence}]", distance_m=ext.far_m,
            near_m=ext.near_m, max_half_width_m=half, area_m2=_shoelace(ring),
            truncated=ext.truncated, polygon_local_m=ring, polygon_lonlat=ring_ll,
            scheme=scheme, note=note))
        log.debug("zone %s %s: %s m", sub.key, level, ext.far_m)
    return tuple(zones)


def zones_geojson(zones: tuple[ThreatZone, ...]) -> dict:
    """A GeoJSON FeatureCollection of the zones (lon/lat polygons) for the map."""
    features = []
    for z in zones:
        if not z.polygon_lonlat:
            continue
        features.append({
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in z.polygon_lonlat]]},
            "properties": {"level": z.level, "colour": z.colour, "substance": z.substance,
                           "loc_ppm": z.loc_ppm, "loc_g_m3": z.loc_g_m3,
                           "loc_source": z.loc_source, "distance_m": z.distance_m,
                           "area_m2": z.area_m2, "scheme": z.scheme, "note": z.note},
        })
    return {"type": "FeatureCollection", "features": features}
