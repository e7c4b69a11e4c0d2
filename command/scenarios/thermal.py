"""Thermal radiation from pool fires, jet fires and BLEVE fireballs.

The models are the simple ones of the CCPS *Guidelines for Chemical Process Quantitative
Risk Analysis* and *Guidelines for Evaluating the Characteristics of VCEs, Flash Fires
and BLEVEs* (1994), and of NUREG-1805 (2004) chapter 5:

Point source
    ``q = tau eta P / (4 pi r^2)``: a fraction ``eta`` of the heat released ``P`` (kW)
    is radiated evenly from one point; ``r`` is the distance from that point (at
    ``source_height_m`` above the ground) to the target, ``tau`` the atmospheric
    transmissivity. Good beyond a few flame diameters, optimistic close in.
Pool fire
    ``P = m'' dHc (1 - exp(-k beta D)) pi D^2 / 4`` (Babrauskas's burning rate of large
    pools; without ``k_beta`` the bracket is 1).
Jet fire
    ``P = m_dot dHc`` for a release of ``m_dot`` kg/s burning as a jet.
BLEVE fireball (CCPS 1994)
    ``D_max = 5.8 M^(1/3)``; duration ``t = 0.45 M^(1/3)`` for M < 30 000 kg and
    ``2.6 M^(1/6)`` above (the two agree to 4 % at 30 t); centre height ``0.75 D_max``.
    Flux ``q = tau E F`` with the surface emissive power either given (CCPS suggests
    about 350 kW/m2 for large hydrocarbon fireballs) or from the radiated fraction,
    ``E = eta M dHc / (pi D^2 t)``. The view factor of the sphere is ``(D/2)^2 / r^2``
    for a target facing the fireball, which makes the radiated-fraction form exactly the
    point-source model ``tau eta M dHc / (4 pi r^2 t)``; for a vertical target at ground
    distance X it is ``(D/2)^2 X / r^3``.

Reference distances are those to 37.5, 12.5 and 4 kW/m2 (process equipment damage /
high lethality; 1 % lethality in about a minute and piloted ignition of wood; pain
within about 20 s) - the thresholds used by ALOHA and the CCPS guidelines.

Transmissivity: 1 by default (conservative); with a relative humidity the CCPS
correlation ``tau = 2.02 (P_w X)^-0.09`` is used, with ``P_w`` the partial pressure of
water (Pa) and ``X`` the path length through air (m).

Must not: decide what a zone implies (closures, people, agencies).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from command.errors import Problem
from command.limits import RANGES
from command.limits import check as check_range
from command.scenarios._errors import ScenarioError

__all__ = [
    "THRESHOLDS_KW_M2",
    "THRESHOLD_MEANINGS",
    "POOL_FUELS",
    "PoolFuel",
    "Fireball",
    "ThermalResult",
    "atmospheric_transmissivity",
    "point_source_flux_kw_m2",
    "pool_fire_heat_release_kw",
    "pool_fire_flux_kw_m2",
    "jet_fire_flux_kw_m2",
    "fireball",
    "bleve_flux_kw_m2",
    "distance_to_flux_m",
    "pool_fire_distances",
    "jet_fire_distances",
    "bleve_distances",
]

THRESHOLDS_KW_M2 = (37.5, 12.5, 4.0)
THRESHOLD_MEANINGS = {
    37.5: "damage to process equipment; high lethality",
    12.5: "1 % lethality in about 1 min; piloted ignition of wood",
    4.0: "pain within about 20 s; first-degree burns",
}
_MAX_DISTANCE_M = 100_000.0


@dataclass(frozen=True)
class PoolFuel:
    """Large-pool burning data: mass burning rate, heat of combustion, k*beta."""

    name: str
    burning_rate_kg_m2_s: float
    heat_of_combustion_kj_kg: float
    k_beta_per_m: float
    source: str


_NUREG = "NUREG-1805 (2004) Table 3-2, via the FDT chapter 5 spreadsheet"
POOL_FUELS = {f.name: f for f in (
    PoolFuel("methanol", 0.017, 20_000, 100.0, _NUREG),
    PoolFuel("ethanol", 0.015, 26_800, 100.0, _NUREG),
    PoolFuel("butane", 0.078, 45_700, 2.7, _NUREG),
    PoolFuel("benzene", 0.085, 40_100, 2.7, _NUREG),
    PoolFuel("hexane", 0.074, 44_700, 1.9, _NUREG),
    PoolFuel("heptane", 0.101, 44_600, 1.1, _NUREG),
    PoolFuel("xylene", 0.090, 40_800, 1.4, _NUREG),
    PoolFuel("acetone", 0.041, 25_800, 1.9, _NUREG),
    PoolFuel("diesel", 0.045, 44_400, 2.1, _NUREG),
)}


@dataclass(frozen=True)
class Fireball:
    """BLEVE fireball geometry (CCPS 1994)."""

    mass_kg: float
    diameter_m: float
    duration_s: float
    centre_height_m: float


@dataclass(frozen=True)
class ThermalResult:
    """Distances (m, from the fire centre along the ground) to each flux threshold.

    ``distances_m`` maps 37.5, 12.5 and 4.0 kW/m2 to a distance, or to None when the
    flux never reaches that level; ``details`` holds the model's intermediate values.
    """

    model: str
    distances_m: dict[float, float | None]
    details: dict = field(default_factory=dict)


# --- validation -----------------------------------------------------------------------

def _check(**named) -> None:
    """named: field -> (value, kind) with kind 'pos' (> 0), 'nonneg' (>= 0), 'frac' (0, 1]."""
    problems = []
    for name, (value, kind) in named.items():
        if value is None:
            continue
        try:
            arr = np.asarray(value, dtype=float)
            finite = bool(np.all(np.isfinite(arr)))
        except (TypeError, ValueError):
            finite = False
        if not finite:
            problems.append(Problem(rule="must be a finite number", field=name, value=value))
            continue
        if kind == "pos" and not np.all(arr > 0):
            problems.append(Problem(rule="must be positive", field=name, value=value))
        elif kind == "nonneg" and not np.all(arr >= 0):
            problems.append(Problem(rule="must be zero or positive", field=name, value=value))
        elif kind == "frac" and not np.all((arr > 0) & (arr <= 1)):
            problems.append(Problem(rule="must be a fraction in (0, 1]", field=name, value=value))
    if problems:
        raise ScenarioError("The thermal radiation cannot be computed from these inputs.",
                            problems)


def _validity(**named) -> None:
    """named: field -> (value, range name of :data:`command.limits.RANGES`). Finite scalar
    values outside their range are refused with the range (the models' validity)."""
    problems = []
    for name, (value, range_name) in named.items():
        if value is None or np.ndim(value) != 0:
            continue
        try:
            v = float(value)
        except (TypeError, ValueError):
            continue
        if not np.isfinite(v):
            problems.append(Problem(rule="must be a finite number", field=name, value=v))
            continue
        if v <= 0 and RANGES[range_name].low >= 0:
            continue  # the model's own checks say "positive" with the physics
        rule = check_range(range_name, v)
        if rule:
            problems.append(Problem(rule=f"outside the model's validity: {rule}", field=name,
                                    value=v))
    if problems:
        raise ScenarioError("The thermal radiation cannot be computed from these inputs.",
                            problems)


def _common_validity(transmissivity, relative_humidity, temperature_c) -> dict:
    return dict(transmissivity=(transmissivity, "transmissivity"),
                relative_humidity=(relative_humidity, "relative_humidity"),
                temperature_c=(temperature_c, "temperature_c"))


def _out(arr):
    arr = np.asarray(arr, dtype=float)
    return float(arr) if arr.ndim == 0 else arr


# --- building blocks ------------------------------------------------------------------

def atmospheric_transmissivity(path_m, *, relative_humidity: float,
                               temperature_c: float = 25.0):
    """CCPS transmissivity ``2.02 (P_w X)^-0.09``, clipped to (0, 1].

    Parameters
    ----------
    path_m : float or array, m of air between flame surface and target (> 0).
    relative_humidity : fraction (0, 1].
    temperature_c : air temperature, degC; the saturation pressure of water is
        ``exp(23.18986 - 3816.42 / (T - 46.13))`` Pa with T in K (CCPS).
    """
    _check(relative_humidity=(relative_humidity, "frac"), temperature_c=(temperature_c, "nonneg"))
    t_k = temperature_c + 273.15
    p_w = relative_humidity * math.exp(23.18986 - 3816.42 / (t_k - 46.13))
    x = np.maximum(np.asarray(path_m, dtype=float), 1e-3)
    return _out(np.minimum(2.02 * (p_w * x) ** -0.09, 1.0))


def _tau(path_m, transmissivity, relative_humidity, temperature_c):
    if relative_humidity is None:
        return transmissivity
    return atmospheric_transmissivity(path_m, relative_humidity=relative_humidity,
                                      temperature_c=temperature_c)


def point_source_flux_kw_m2(distance_m, *, power_kw: float, radiated_fraction: float,
                            transmissivity: float = 1.0, source_height_m: float = 0.0,
                            relative_humidity: float | None = None,
                            temperature_c: float = 25.0):
    """Radiant flux (kW/m2) at ground distance ``distance_m`` from a point source.

    ``q = tau eta P / (4 pi r^2)``, ``r = sqrt(X^2 + h^2)``.
    """
    _check(distance_m=(distance_m, "nonneg"), power_kw=(power_kw, "pos"),
           radiated_fraction=(radiated_fraction, "frac"), transmissivity=(transmissivity, "frac"),
           source_height_m=(source_height_m, "nonneg"))
    x = np.asarray(distance_m, dtype=float)
    r2 = x**2 + source_height_m**2
    tau = _tau(np.sqrt(r2), transmissivity, relative_humidity, temperature_c)
    with np.errstate(divide="ignore"):
        q = tau * radiated_fraction * power_kw / (4 * np.pi * r2)
    return _out(q)


def pool_fire_heat_release_kw(diameter_m: float, *, burning_rate_kg_m2_s: float,
                              heat_of_combustion_kj_kg: float,
                              k_beta_per_m: float | None = None) -> float:
    """Heat release of a circular pool fire, kW: ``m'' dHc (1 - e^(-k beta D)) pi D^2 / 4``."""
    _check(diameter_m=(diameter_m, "pos"), burning_rate_kg_m2_s=(burning_rate_kg_m2_s, "pos"),
           heat_of_combustion_kj_kg=(heat_of_combustion_kj_kg, "pos"),
           k_beta_per_m=(k_beta_per_m, "pos"))
    area = math.pi * diameter_m**2 / 4
    size = 1.0 if k_beta_per_m is None else 1.0 - math.exp(-k_beta_per_m * diameter_m)
    return burning_rate_kg_m2_s * heat_of_combustion_kj_kg * size * area


def pool_fire_flux_kw_m2(distance_m, *, diameter_m: float, burning_rate_kg_m2_s: float,
                         heat_of_combustion_kj_kg: float, radiated_fraction: float,
                         k_beta_per_m: float | None = None, transmissivity: float = 1.0,
                         source_height_m: float = 0.0, relative_humidity: float | None = None,
                         temperature_c: float = 25.0):
    """Point-source flux (kW/m2) of a pool fire at ground distance ``distance_m`` from its centre."""
    p = pool_fire_heat_release_kw(diameter_m, burning_rate_kg_m2_s=burning_rate_kg_m2_s,
                                  heat_of_combustion_kj_kg=heat_of_combustion_kj_kg,
                                  k_beta_per_m=k_beta_per_m)
    return point_source_flux_kw_m2(distance_m, power_kw=p, radiated_fraction=radiated_fraction,
                                   transmissivity=transmissivity, source_height_m=source_height_m,
                                   relative_humidity=relative_humidity,
                                   temperature_c=temperature_c)


def jet_fire_flux_kw_m2(distance_m, *, release_rate_kg_s: float, heat_of_combustion_kj_kg: float,
                        radiated_fraction: float, transmissivity: float = 1.0,
                        source_height_m: float = 0.0, relative_humidity: float | None = None,
                        temperature_c: float = 25.0):
    """Point-source flux (kW/m2) of a jet fire burning ``release_rate_kg_s``."""
    _check(release_rate_kg_s=(release_rate_kg_s, "pos"),
           heat_of_combustion_kj_kg=(heat_of_combustion_kj_kg, "pos"))
    return point_source_flux_kw_m2(distance_m, power_kw=release_rate_kg_s * heat_of_combustion_kj_kg,
                                   radiated_fraction=radiated_fraction,
                                   transmissivity=transmissivity, source_height_m=source_height_m,
                                   relative_humidity=relative_humidity,
                                   temperature_c=temperature_c)


def fireball(mass_kg: float) -> Fireball:
    """CCPS (1994) BLEVE fireball: diameter 5.8 M^(1/3), duration, centre at 0.75 D."""
    _check(mass_kg=(mass_kg, "pos"))
    d = 5.8 * mass_kg ** (1 / 3)
    t = 0.45 * mass_kg ** (1 / 3) if mass_kg < 30_000 else 2.6 * mass_kg ** (1 / 6)
    return Fireball(mass_kg=float(mass_kg), diameter_m=d, duration_s=t, centre_height_m=0.75 * d)


def bleve_flux_kw_m2(distance_m, *, mass_kg: float, heat_of_combustion_kj_kg: float | None = None,
                     radiated_fraction: float | None = None,
                     surface_emissive_power_kw_m2: float | None = None,
                     transmissivity: float = 1.0, centre_height_m: float | None = None,
                     target: str = "facing", relative_humidity: float | None = None,
                     temperature_c: float = 25.0):
    """Flux (kW/m2) from a BLEVE fireball at ground distance ``distance_m``.

    Give either ``surface_emissive_power_kw_m2`` or both ``heat_of_combustion_kj_kg`` and
    ``radiated_fraction``. ``centre_height_m`` defaults to 0.75 D (CCPS); ``target`` is
    "facing" (normal towards the fireball centre, the worst case) or "vertical".
    """
    _check(distance_m=(distance_m, "nonneg"), transmissivity=(transmissivity, "frac"),
           centre_height_m=(centre_height_m, "nonneg"),
           surface_emissive_power_kw_m2=(surface_emissive_power_kw_m2, "pos"),
           heat_of_combustion_kj_kg=(heat_of_combustion_kj_kg, "pos"),
           radiated_fraction=(radiated_fraction, "frac"))
    fb = fireball(mass_kg)
    e = _emissive_power(fb, heat_of_combustion_kj_kg, radiated_fraction,
                        surface_emissive_power_kw_m2)
    if target not in ("facing", "vertical"):
        raise ScenarioError("Unknown target orientation.", [Problem(
            rule='use "facing" or "vertical"', field="target", value=target)])
    h = fb.centre_height_m if centre_height_m is None else centre_height_m
    radius = fb.diameter_m / 2
    x = np.asarray(distance_m, dtype=float)
    r = np.sqrt(x**2 + h**2)
    view = radius**2 / r**2
    if target == "vertical":
        view = view * x / r
    tau = _tau(np.maximum(r - radius, 1e-3), transmissivity, relative_humidity, temperature_c)
    # inside the fireball the view factor formula does not hold; the flux is E itself
    q = np.where(r > radius, tau * e * view, e)
    return _out(q)


def _emissive_power(fb: Fireball, heat_kj_kg, fraction, sep) -> float:
    if sep is not None:
        return float(sep)
    if heat_kj_kg is None or fraction is None:
        raise ScenarioError("The fireball needs its emissive power.", [Problem(
            rule="give surface_emissive_power_kw_m2, or heat_of_combustion_kj_kg together "
                 "with radiated_fraction", field="surface_emissive_power_kw_m2", value=None)])
    return fraction * fb.mass_kg * heat_kj_kg / (math.pi * fb.diameter_m**2 * fb.duration_s)


# --- distances ------------------------------------------------------------------------

def distance_to_flux_m(flux: Callable[[np.ndarray], np.ndarray], threshold_kw_m2: float, *,
                       max_distance_m: float = _MAX_DISTANCE_M) -> float | None:
    """Furthest ground distance (m) at which ``flux(x) >= threshold_kw_m2``.

    A logarithmic scan from 0.01 m finds the last point at or above the threshold and
    :func:`scipy.optimize.brentq` the crossing after it. ``None`` if the flux never
    reaches the threshold; ``max_distance_m`` if it is still above there.
    """
    _check(threshold_kw_m2=(threshold_kw_m2, "pos"))
    grid = np.concatenate([[0.0], np.geomspace(1e-2, max_distance_m, 800)])
    q = np.asarray(flux(grid), dtype=float)
    above = np.nonzero(q >= threshold_kw_m2)[0]
    if above.size == 0:
        return None
    j = int(above[-1])
    if j == len(grid) - 1:
        return float(max_distance_m)
    from scipy.optimize import brentq  # lazily: keeps the CLI's start-up fast

    return float(brentq(lambda x: float(flux(np.asarray(x))) / threshold_kw_m2 - 1.0,
                        grid[j], grid[j + 1], xtol=1e-12, rtol=1e-13, maxiter=200))


def _distances(flux, thresholds) -> dict[float, float | None]:
    return {float(t): distance_to_flux_m(flux, t) for t in thresholds}


def pool_fire_distances(*, diameter_m: float, burning_rate_kg_m2_s: float,
                        heat_of_combustion_kj_kg: float, radiated_fraction: float,
                        k_beta_per_m: float | None = None, transmissivity: float = 1.0,
                        source_height_m: float = 0.0, relative_humidity: float | None = None,
                        temperature_c: float = 25.0,
                        thresholds=THRESHOLDS_KW_M2) -> ThermalResult:
    """Distances from a pool fire's centre to each flux threshold (point-source model)."""
    _validity(diameter_m=(diameter_m, "pool_diameter_m"),
              burning_rate_kg_m2_s=(burning_rate_kg_m2_s, "burning_rate_kg_m2_s"),
              heat_of_combustion_kj_kg=(heat_of_combustion_kj_kg, "heat_of_combustion_kj_kg"),
              k_beta_per_m=(k_beta_per_m, "k_beta_per_m"),
              source_height_m=(source_height_m, "fire_height_m"),
              **_common_validity(transmissivity, relative_humidity, temperature_c))
    p = pool_fire_heat_release_kw(diameter_m, burning_rate_kg_m2_s=burning_rate_kg_m2_s,
                                  heat_of_combustion_kj_kg=heat_of_combustion_kj_kg,
                                  k_beta_per_m=k_beta_per_m)
    kw = dict(power_kw=p, radiated_fraction=radiated_fraction, transmissivity=transmissivity,
              source_height_m=source_height_m, relative_humidity=relative_humidity,
              temperature_c=temperature_c)
    point_source_flux_kw_m2(1.0, **kw)  # validates the inputs once, before the scan
    return ThermalResult("pool", _distances(lambda x: point_source_flux_kw_m2(x, **kw), thresholds),
                         {"heat_release_kw": p, "diameter_m": diameter_m,
                          "radiated_fraction": radiated_fraction})


def jet_fire_distances(*, release_rate_kg_s: float, heat_of_combustion_kj_kg: float,
                       radiated_fraction: float, transmissivity: float = 1.0,
                       source_height_m: float = 0.0, relative_humidity: float | None = None,
                       temperature_c: float = 25.0,
                       thresholds=THRESHOLDS_KW_M2) -> ThermalResult:
    """Distances from a jet fire to each flux threshold (point-source model)."""
    _validity(release_rate_kg_s=(release_rate_kg_s, "jet_release_rate_kg_s"),
              heat_of_combustion_kj_kg=(heat_of_combustion_kj_kg, "heat_of_combustion_kj_kg"),
              source_height_m=(source_height_m, "fire_height_m"),
              **_common_validity(transmissivity, relative_humidity, temperature_c))
    _check(release_rate_kg_s=(release_rate_kg_s, "pos"),
           heat_of_combustion_kj_kg=(heat_of_combustion_kj_kg, "pos"))
    p = release_rate_kg_s * heat_of_combustion_kj_kg
    kw = dict(power_kw=p, radiated_fraction=radiated_fraction, transmissivity=transmissivity,
              source_height_m=source_height_m, relative_humidity=relative_humidity,
              temperature_c=temperature_c)
    point_source_flux_kw_m2(1.0, **kw)
    return ThermalResult("jet", _distances(lambda x: point_source_flux_kw_m2(x, **kw), thresholds),
                         {"heat_release_kw": p, "radiated_fraction": radiated_fraction})


def bleve_distances(*, mass_kg: float, heat_of_combustion_kj_kg: float | None = None,
                    radiated_fraction: float | None = None,
                    surface_emissive_power_kw_m2: float | None = None,
                    transmissivity: float = 1.0, centre_height_m: float | None = None,
                    target: str = "facing", relative_humidity: float | None = None,
                    temperature_c: float = 25.0, thresholds=THRESHOLDS_KW_M2) -> ThermalResult:
    """Ground distances from the point below a BLEVE fireball to each flux threshold."""
    _validity(mass_kg=(mass_kg, "bleve_mass_kg"),
              heat_of_combustion_kj_kg=(heat_of_combustion_kj_kg, "heat_of_combustion_kj_kg"),
              surface_emissive_power_kw_m2=(surface_emissive_power_kw_m2, "sep_kw_m2"),
              centre_height_m=(centre_height_m, "fire_height_m"),
              **_common_validity(transmissivity, relative_humidity, temperature_c))
    kw = dict(mass_kg=mass_kg, heat_of_combustion_kj_kg=heat_of_combustion_kj_kg,
              radiated_fraction=radiated_fraction,
              surface_emissive_power_kw_m2=surface_emissive_power_kw_m2,
              transmissivity=transmissivity, centre_height_m=centre_height_m, target=target,
              relative_humidity=relative_humidity, temperature_c=temperature_c)
    bleve_flux_kw_m2(1.0, **kw)
    fb = fireball(mass_kg)
    e = _emissive_power(fb, heat_of_combustion_kj_kg, radiated_fraction,
                        surface_emissive_power_kw_m2)
    return ThermalResult("bleve", _distances(lambda x: bleve_flux_kw_m2(x, **kw), thresholds),
                         {"diameter_m": fb.diameter_m, "duration_s": fb.duration_s,
                          "centre_height_m": fb.centre_height_m if centre_height_m is None
                          else centre_height_m,
                          "surface_emissive_power_kw_m2": e, "target": target})
