"""Gaussian plume (continuous release) and Gaussian puff (instantaneous release).

Both are the textbook neutral-density models: the material is carried by a uniform wind
``u`` along ``x`` and spreads as a Gaussian across the wind (``sigma_y``) and vertically
(``sigma_z``), with total reflection at the ground (an image source at ``-H``). They do
not treat dense gases (cold chlorine or ammonia flashing from a pressurised tank slumps
before it disperses), calm wind, buildings or terrain; for an operator's first picture
they are what ALOHA-type tools draw in the far field.

Coordinates: ``x`` downwind of the source (m), ``y`` across the wind (m), ``z`` above the
ground (m). ``H`` is the effective release height (stack height plus plume rise; plume
rise is not computed here). Every function is vectorised: ``x``, ``y``, ``z`` broadcast as
numpy arrays; scalars in give a float out.

Dispersion-coefficient schemes (named in every result):

``"briggs-rural"`` and ``"briggs-urban"``
    Briggs (1973) open-country and urban fits, as tabulated by Gifford (1976) and in
    *Fundamentals of Air Pollution* 3rd ed., Tables 19-6 and 19-7 (see
    ../shared/benchmarks/REFERENCE.md section 7). Stated valid for 100 m < x < 10 km.
    Outside that range the same formulas are applied unchanged (extrapolated: near the
    source they tend to sigma proportional to x, which is the right short-range
    behaviour; beyond 10 km the uncertainty grows) and :func:`within_validity` /
    ``PlumePoint.within_validity`` says so.
``"isc3"``
    The Pasquill-Gifford curves as fitted in EPA's ISC3 model, User's Guide vol. II
    (EPA-454/B-95-003b, 1995), Tables 1-1 (sigma_y) and 1-2 (sigma_z), x in km:
    ``sigma_y = 465.11628 x tan(0.017453293 (c - d ln x))`` and ``sigma_z = a x^b``
    piecewise, capped at 5000 m as the guide prescribes. Classes C and D are confirmed
    by REFERENCE.md; the full A-F tables were checked here against two independent
    transcriptions of the user's guide (the R package holstius/plume,
    ``PasquillGifford.exact``, and the R package puff, ``compute_sigma_vals``), which agree
    digit for digit. A distance exactly on a break takes the lower piece (x <= upper
    bound, as in the guide's "a.aa - b.bb km" rows); the fitted pieces join to within
    0.05 % at every break, which is also a check on the transcription.

Physically meaningless input (no wind for a plume, negative release, class "G", a
receptor upwind or underground ...) raises :class:`ScenarioError` with every problem
listed. Must not: know about substances, maps or roads (see ``zones``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from command.errors import Problem
from command.limits import check as check_range
from command.scenarios._errors import ScenarioError

__all__ = [
    "ScenarioError",
    "STABILITY_CLASSES",
    "SCHEMES",
    "BRIGGS_VALID_RANGE_M",
    "PlumePoint",
    "check_stability",
    "check_scheme",
    "sigma_briggs",
    "sigma_isc3",
    "sigmas",
    "within_validity",
    "plume_concentration",
    "plume_point",
    "puff_concentration",
    "puff_centre_ground_concentration",
]

STABILITY_CLASSES = ("A", "B", "C", "D", "E", "F")
SCHEMES = ("briggs-rural", "briggs-urban", "isc3")
BRIGGS_VALID_RANGE_M = (100.0, 10_000.0)

# Briggs (1973): sigma_y = ay*x*(1 + by*x)^-1/2 ; sigma_z = az*x*(1 + bz*x)^ez, x in m.
# (ay, by, az, bz, ez). Urban A and B share the "A-B" row, E and F the "E-F" row.
_BRIGGS_RURAL = {
    "A": (0.22, 0.0001, 0.20, 0.0, 0.0),
    "B": (0.16, 0.0001, 0.12, 0.0, 0.0),
    "C": (0.11, 0.0001, 0.08, 0.0002, -0.5),
    "D": (0.08, 0.0001, 0.06, 0.0015, -0.5),
    "E": (0.06, 0.0001, 0.03, 0.0003, -1.0),
    "F": (0.04, 0.0001, 0.016, 0.0003, -1.0),
}
_BRIGGS_URBAN = {
    "A": (0.32, 0.0004, 0.24, 0.001, 0.5),
    "B": (0.32, 0.0004, 0.24, 0.001, 0.5),
    "C": (0.22, 0.0004, 0.20, 0.0, 0.0),
    "D": (0.16, 0.0004, 0.14, 0.0003, -0.5),
    "E": (0.11, 0.0004, 0.08, 0.0015, -0.5),
    "F": (0.11, 0.0004, 0.08, 0.0015, -0.5),
}

# ISC3 Table 1-1: sigma_y = 465.11628 * x * tan(0.017453293 * (c - d ln x)), x in km.
_ISC3_SIGMA_Y = {
    "A": (24.1670, 2.5334),
    "B": (18.3330, 1.8096),
    "C": (12.5000, 1.0857),
    "D": (8.3330, 0.72382),
    "E": (6.2500, 0.54287),
    "F": (4.1667, 0.36191),
}
# ISC3 Table 1-2: sigma_z = a * x^b (m, x in km); rows are (upper bound of x in km, a, b).
_INF = math.inf
_ISC3_SIGMA_Z = {
    "A": ((0.10, 122.800, 0.94470), (0.15, 158.080, 1.05420), (0.20, 170.220, 1.09320),
          (0.25, 179.520, 1.12620), (0.30, 217.410, 1.26440), (0.40, 258.890, 1.40940),
          (0.50, 346.750, 1.72830), (_INF, 453.850, 2.11660)),
    "B": ((0.20, 90.673, 0.93198), (0.40, 98.483, 0.98332), (_INF, 109.300, 1.09710)),
    "C": ((_INF, 61.141, 0.91465),),
    "D": ((0.30, 34.459, 0.86974), (1.00, 32.093, 0.81066), (3.00, 32.093, 0.64403),
          (10.00, 33.504, 0.60486), (30.00, 36.650, 0.56589), (_INF, 44.053, 0.51179)),
    "E": ((0.10, 24.260, 0.83660), (0.30, 23.331, 0.81956), (1.00, 21.628, 0.75660),
          (2.00, 21.628, 0.63077), (4.00, 22.534, 0.57154), (10.00, 24.703, 0.50527),
          (20.00, 26.970, 0.46713), (40.00, 35.420, 0.37615), (_INF, 47.618, 0.29592)),
    "F": ((0.20, 15.209, 0.81558), (0.70, 14.457, 0.78407), (1.00, 13.953, 0.68465),
          (2.00, 13.953, 0.63227), (3.00, 14.823, 0.54503), (7.00, 16.187, 0.46490),
          (15.00, 17.836, 0.41507), (30.00, 22.651, 0.32681), (60.00, 27.074, 0.27436),
          (_INF, 34.219, 0.21716)),
}
_ISC3_SIGMA_Z_MAX_M = 5000.0  # "If the calculated value of sigma_z exceeds 5000 m, it is set to 5000 m."


@dataclass(frozen=True)
class PlumePoint:
    """The plume at one receptor: concentration and the sigmas used, with the scheme name."""

    concentration_g_m3: float
    sigma_y_m: float
    sigma_z_m: float
    scheme: str
    within_validity: bool
    x_m: float
    y_m: float
    z_m: float


# --- validation -----------------------------------------------------------------------

def check_stability(stability: str) -> str:
    """Return the stability class as "A".."F", or raise :class:`ScenarioError` saying why."""
    problem = _stability_problem(stability)
    if problem:
        raise ScenarioError("The dispersion model cannot run.", [problem])
    return str(stability).strip().upper()


def check_scheme(scheme: str) -> str:
    """Return a known dispersion scheme name, or raise :class:`ScenarioError`."""
    if scheme not in SCHEMES:
        raise ScenarioError("The dispersion model cannot run.", [Problem(
            rule=f"unknown dispersion-coefficient scheme; use one of {', '.join(SCHEMES)}",
            field="scheme", value=scheme)])
    return scheme


def _stability_problem(stability) -> Problem | None:
    s = str(stability).strip().upper() if isinstance(stability, str) else None
    if s in STABILITY_CLASSES:
        return None
    return Problem(
        rule="unknown Pasquill stability class: the classes are A (very unstable) to F "
             "(moderately stable); there is no class G in these dispersion curves, use F for "
             "the most stable nights",
        field="stability", value=stability)


def _finite(value, field: str, problems: list[Problem]) -> bool:
    try:
        ok = bool(np.all(np.isfinite(np.asarray(value, dtype=float))))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        problems.append(Problem(rule="must be a finite number", field=field, value=value))
    return ok


def _in_range(value, name: str, field: str, problems: list[Problem]) -> None:
    """A problem when the scalar ``value`` lies outside the validity range ``name`` of
    :data:`command.limits.RANGES` (arrays of receptors are not bounded here)."""
    if np.ndim(value) == 0:
        rule = check_range(name, float(value))
        if rule:
            problems.append(Problem(rule=f"outside the model's validity: {rule}", field=field,
                                    value=float(value)))


def _plume_problems(*, rate_g_s, wind_m_s, stability, height_m, scheme) -> list[Problem]:
    """What is wrong with a continuous release (rate, wind, class, height, scheme)."""
    problems = _common_problems(wind_m_s=wind_m_s, stability=stability, height_m=height_m,
                                scheme=scheme, model="plume")
    if not _finite(rate_g_s, "rate_g_s", problems):
        pass
    elif not float(rate_g_s) > 0:
        problems.append(Problem(rule="release rate must be positive: a zero or negative "
                                     "source emits nothing to disperse",
                                field="rate_g_s", value=rate_g_s))
    else:
        _in_range(rate_g_s, "rate_g_s", "rate_g_s", problems)
    return problems


def _common_problems(*, wind_m_s, stability, height_m, scheme, model: str) -> list[Problem]:
    problems: list[Problem] = []
    if not _finite(wind_m_s, "wind_m_s", problems):
        pass
    elif not float(wind_m_s) > 0:
        problems.append(Problem(
            rule=f"a Gaussian {model} needs wind: u > 0 (the wind carries and dilutes the "
                 "release; for calm air this model does not apply)",
            field="wind_m_s", value=wind_m_s))
    else:
        _in_range(wind_m_s, "wind_m_s", "wind_m_s", problems)
    p = _stability_problem(stability)
    if p:
        problems.append(p)
    if not _finite(height_m, "height_m", problems):
        pass
    elif float(height_m) < 0:
        problems.append(Problem(
            rule="release height must be zero or positive: a source below the ground does "
                 "not release into the air", field="height_m", value=height_m))
    else:
        _in_range(height_m, "release_height_m", "height_m", problems)
    if scheme not in SCHEMES:
        problems.append(Problem(
            rule=f"unknown dispersion-coefficient scheme; use one of {', '.join(SCHEMES)}",
            field="scheme", value=scheme))
    return problems


def _raise(problems: Iterable[Problem], what: str) -> None:
    problems = list(problems)
    if problems:
        raise ScenarioError(f"The {what} cannot be computed from these inputs.", problems)


def _receptor_problems(y_m, z_m, problems: list[Problem]) -> None:
    _finite(y_m, "y_m", problems)
    if _finite(z_m, "z_m", problems) and np.any(np.asarray(z_m, dtype=float) < 0):
        problems.append(Problem(rule="receptor height must be zero or positive: below the "
                                     "ground is not air", field="z_m",
                                value=_show(z_m)))


def _show(value):
    arr = np.asarray(value, dtype=float)
    return float(arr) if arr.ndim == 0 else f"array, min {arr.min():g}"


# --- dispersion coefficients ----------------------------------------------------------

def sigma_briggs(x_m, stability: str, *, urban: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Briggs (1973) sigma_y and sigma_z in m at downwind distance ``x_m`` (m).

    Parameters
    ----------
    x_m : float or array, > 0
    stability : "A".."F"
    urban : bool, keyword-only
        Urban (McElroy-Pooler based) instead of open-country coefficients.

    Returns
    -------
    (sigma_y_m, sigma_z_m) : arrays shaped like ``x_m``. Applied unchanged outside the
    stated 100 m - 10 km range (see :func:`within_validity`).
    """
    s = check_stability(stability)
    ay, by, az, bz, ez = (_BRIGGS_URBAN if urban else _BRIGGS_RURAL)[s]
    x = np.asarray(x_m, dtype=float)
    sy = ay * x / np.sqrt(1.0 + by * x)
    sz = az * x * (1.0 + bz * x) ** ez
    return sy, sz


def sigma_isc3(x_m, stability: str) -> tuple[np.ndarray, np.ndarray]:
    """Pasquill-Gifford sigma_y and sigma_z in m as fitted in ISC3 (x in m here).

    Parameters
    ----------
    x_m : float or array, > 0
    stability : "A".."F"

    Returns
    -------
    (sigma_y_m, sigma_z_m) : arrays shaped like ``x_m``; sigma_z capped at 5000 m.
    """
    s = check_stability(stability)
    x_km = np.asarray(x_m, dtype=float) / 1000.0
    c, d = _ISC3_SIGMA_Y[s]
    theta = 0.017453293 * (c - d * np.log(x_km))
    sy = 465.11628 * x_km * np.tan(theta)
    rows = _ISC3_SIGMA_Z[s]
    uppers = np.array([r[0] for r in rows])
    a = np.array([r[1] for r in rows])
    b = np.array([r[2] for r in rows])
    i = np.searchsorted(uppers, x_km, side="left")  # x <= upper bound -> that row
    sz = np.minimum(a[i] * x_km ** b[i], _ISC3_SIGMA_Z_MAX_M)
    return sy, sz


def sigmas(x_m, stability: str, *, scheme: str = "briggs-rural") -> tuple[np.ndarray, np.ndarray]:
    """sigma_y and sigma_z (m) at ``x_m`` for the named scheme (see module docstring)."""
    check_scheme(scheme)
    if scheme == "isc3":
        return sigma_isc3(x_m, stability)
    return sigma_briggs(x_m, stability, urban=(scheme == "briggs-urban"))


def within_validity(x_m, *, scheme: str = "briggs-rural"):
    """True where ``x_m`` lies in the range the scheme's coefficients were fitted for.

    Briggs: 100 m - 10 km. ISC3: the curves are defined from the source out (Turner's
    graphs run 100 m - 100 km; ISC3 applies them at every distance), so always True.
    """
    check_scheme(scheme)
    x = np.asarray(x_m, dtype=float)
    if scheme == "isc3":
        out = np.ones_like(x, dtype=bool)
    else:
        lo, hi = BRIGGS_VALID_RANGE_M
        out = (x >= lo) & (x <= hi)
    return bool(out) if out.ndim == 0 else out


# --- plume ----------------------------------------------------------------------------

def _vertical_term(z, h, sz):
    return np.exp(-((z - h) ** 2) / (2 * sz**2)) + np.exp(-((z + h) ** 2) / (2 * sz**2))


def _plume(rate_g_s, wind_m_s, height_m, y, z, sy, sz):
    return (rate_g_s / (2 * np.pi * wind_m_s * sy * sz)
            * np.exp(-(y**2) / (2 * sy**2)) * _vertical_term(z, height_m, sz))


def _scalar_or_array(arr):
    arr = np.asarray(arr, dtype=float)
    return float(arr) if arr.ndim == 0 else arr


def plume_concentration(x_m, y_m=0.0, z_m=0.0, *, rate_g_s: float, wind_m_s: float,
                        stability: str, height_m: float = 0.0,
                        scheme: str = "briggs-rural"):
    """Steady Gaussian plume concentration with ground reflection (g/m3).

    ``C = Q / (2 pi u sy sz) exp(-y^2 / 2sy^2) [exp(-(z-H)^2 / 2sz^2) + exp(-(z+H)^2 / 2sz^2)]``

    Parameters
    ----------
    x_m, y_m, z_m : float or arrays (broadcast together)
        Receptor downwind (> 0), crosswind and height above ground (>= 0), m.
    rate_g_s : float, > 0
        Continuous release rate, g/s.
    wind_m_s : float, > 0
        Mean wind speed at release height, m/s.
    stability : "A".."F"
    height_m : float, >= 0
        Effective release height H, m.
    scheme : "briggs-rural" (default), "briggs-urban" or "isc3"

    Returns
    -------
    float or ndarray : concentration in g/m3.

    Raises
    ------
    ScenarioError : with every meaningless input listed (x <= 0, u <= 0, Q <= 0, class
        not A-F, H < 0, z < 0, non-finite numbers).
    """
    problems = _plume_problems(rate_g_s=rate_g_s, wind_m_s=wind_m_s, stability=stability,
                               height_m=height_m, scheme=scheme)
    if _finite(x_m, "x_m", problems) and np.any(np.asarray(x_m, dtype=float) <= 0):
        problems.append(Problem(rule="downwind distance must be positive (x > 0): the plume "
                                     "formula holds only downwind of the source",
                                field="x_m", value=_show(x_m)))
    _receptor_problems(y_m, z_m, problems)
    _raise(problems, "plume concentration")
    x, y, z = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x_m, y_m, z_m)))
    sy, sz = sigmas(x, stability, scheme=scheme)
    return _scalar_or_array(_plume(float(rate_g_s), float(wind_m_s), float(height_m), y, z, sy, sz))


def plume_point(x_m: float, y_m: float = 0.0, z_m: float = 0.0, *, rate_g_s: float,
                wind_m_s: float, stability: str, height_m: float = 0.0,
                scheme: str = "briggs-rural") -> PlumePoint:
    """The plume at one receptor, with the sigmas and the scheme (what the CLI prints).

    The receptor must lie within the ranges ``receptor_x_m``, ``receptor_y_m`` and
    ``receptor_z_m`` of :data:`command.limits.RANGES` (besides the checks of
    :func:`plume_concentration`)."""
    problems: list[Problem] = []
    # only values that pass plume_concentration's own rules (x > 0, z >= 0, finite) are
    # range-checked here, so that each wrong value is reported once
    for value, name, field, low in ((x_m, "receptor_x_m", "x_m", 0.0),
                                    (y_m, "receptor_y_m", "y_m", -math.inf),
                                    (z_m, "receptor_z_m", "z_m", -0.0)):
        if _finite(value, field, []) and float(value) >= low and not (
                field == "x_m" and float(value) == 0):
            _in_range(value, name, field, problems)
    _raise(problems, "plume concentration")
    c = plume_concentration(x_m, y_m, z_m, rate_g_s=rate_g_s, wind_m_s=wind_m_s,
                            stability=stability, height_m=height_m, scheme=scheme)
    sy, sz = sigmas(float(x_m), stability, scheme=scheme)
    return PlumePoint(concentration_g_m3=float(c), sigma_y_m=float(sy), sigma_z_m=float(sz),
                      scheme=scheme, within_validity=bool(within_validity(x_m, scheme=scheme)),
                      x_m=float(x_m), y_m=float(y_m), z_m=float(z_m))


# --- puff -----------------------------------------------------------------------------

def puff_concentration(x_m, y_m, z_m, t_s, *, mass_kg: float, wind_m_s: float,
                       stability: str, height_m: float = 0.0,
                       scheme: str = "briggs-rural"):
    """Gaussian puff from an instantaneous release, with ground reflection (g/m3).

    ``C = M / ((2 pi)^3/2 sx sy sz) exp(-(x - u t)^2 / 2sx^2) exp(-y^2 / 2sy^2)
    [exp(-(z-H)^2 / 2sz^2) + exp(-(z+H)^2 / 2sz^2)]`` with ``sx = sy``.

    The sigmas are those of the chosen plume scheme evaluated at the distance the puff
    centre has travelled, ``u t``. This is an approximation: puff-specific curves (Slade
    1968) are narrower, so the concentrations here are lower near the centre and the
    cloud wider than those curves would give.

    Parameters
    ----------
    x_m, y_m, z_m, t_s : floats or arrays (broadcast)
        Receptor (any x; y; z >= 0) in m and time since release in s (> 0).
    mass_kg : float, > 0
        Mass released at t = 0, kg.
    wind_m_s, stability, height_m, scheme : as :func:`plume_concentration`.

    Returns
    -------
    float or ndarray : concentration in g/m3.
    """
    problems = _common_problems(wind_m_s=wind_m_s, stability=stability, height_m=height_m,
                                scheme=scheme, model="puff")
    if not _finite(mass_kg, "mass_kg", problems):
        pass
    elif not float(mass_kg) > 0:
        problems.append(Problem(rule="released mass must be positive", field="mass_kg",
                                value=mass_kg))
    else:
        _in_range(mass_kg, "toxic_mass_kg", "mass_kg", problems)
    if _finite(t_s, "t_s", problems) and np.any(np.asarray(t_s, dtype=float) <= 0):
        problems.append(Problem(rule="time since release must be positive (t > 0): at t = 0 "
                                     "the cloud has no size yet", field="t_s", value=_show(t_s)))
    _finite(x_m, "x_m", problems)
    _receptor_problems(y_m, z_m, problems)
    _raise(problems, "puff concentration")
    x, y, z, t = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x_m, y_m, z_m, t_s)))
    u = float(wind_m_s)
    travelled = u * t
    sy, sz = sigmas(travelled, stability, scheme=scheme)
    sx = sy
    c = (float(mass_kg) * 1000.0 / ((2 * np.pi) ** 1.5 * sx * sy * sz)
         * np.exp(-((x - travelled) ** 2) / (2 * sx**2))
         * np.exp(-(y**2) / (2 * sy**2)) * _vertical_term(z, float(height_m), sz))
    return _scalar_or_array(c)


def puff_centre_ground_concentration(x_m, *, mass_kg: float, wind_m_s: float, stability: str,
                                     height_m: float = 0.0, scheme: str = "briggs-rural"):
    """Ground concentration (g/m3) on the axis at ``x_m`` when the puff centre passes.

    That is :func:`puff_concentration` at ``(x, 0, 0, t = x / u)``; ``x_m`` must be > 0.
    """
    x = np.asarray(x_m, dtype=float)
    if not (np.all(np.isfinite(x)) and np.all(x > 0)):
        raise ScenarioError("The puff concentration cannot be computed from these inputs.", [
            Problem(rule="downwind distance must be positive (x > 0)", field="x_m",
                    value=_show(x_m))])
    try:
        u = float(wind_m_s)
    except (TypeError, ValueError):
        u = math.nan
    # with no usable wind, pass t = 1 s so that the wind problem is the one reported
    t = x / u if u > 0 else np.ones_like(x)
    return puff_concentration(x, 0.0, 0.0, t, mass_kg=mass_kg, wind_m_s=wind_m_s, stability=stability,
                              height_m=height_m, scheme=scheme)
