"""LEC job-hazard method (作业条件危险性评价法): D = L x E x C, after Graham and Kinney.

Source: the value scales and bands below are the ones in Chinese safety texts (aqrzj.com,
xiaomilidoc and others that agree), after Kinney & Wiruth (1976), *Practical risk analysis
for safety management* (../shared/benchmarks/REFERENCE.md 5b, confidence H).
Only the published scale values are accepted:

- L, likelihood: 10, 6, 3, 1, 0.5, 0.2, 0.1;
- E, exposure: 10, 6, 3, 2, 1, 0.5;
- C, consequence: 100, 40, 15, 7, 3, 1;

their meanings in Chinese and English are in :mod:`command.texts.risk`
(``risk.lec.l.<value>`` ...), listed by :func:`lec_scale`.

**Boundary rule.** The texts write the bands as ranges that share their ends (">320,
160-320, 70-160, 20-70, <20"). Here a band holds its upper end and not its lower one:
D <= 20 slight, 20 < D <= 70 moderate, 70 < D <= 160 significant, 160 < D <= 320 high,
D > 320 extreme. This is the one rule consistent with every worked value of the published
petrol-station assessment (aqrzj.com doc 348231): 450 极其危险, 90 and 108 显著危险,
15 稍有危险 and 1 x 0.5 x 40 = 20 稍有危险 (so 20 is not "20-70 一般危险"). Of the four
boundaries only 20 and 70 are products of scale values (1 x 0.5 x 40, 1 x 10 x 7); 160
and 320 are not, so :func:`lec_band` takes any D for them.

**Colours** (:class:`LECColours`): >320 red, 160-320 orange, 70-160 yellow, the two
lowest bands blue, by default: common practice, and the thresholds in the PRD of
qieqiesitan/digital-emergency-plan-generator (REFERENCE.md 5b, confidence M).

Must not: read settings or files, or store a grade.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from command.errors import DataError, Problem
from command.i18n import t
from command.risk._values import exact, fmt
from command.risk.result import COLOURS, RiskGrade

__all__ = [
    "LEC_SCALES",
    "LEC_BANDS",
    "LECBand",
    "LECColours",
    "DEFAULT_LEC_COLOURS",
    "ScaleValue",
    "lec_scale",
    "lec_band",
    "lec_grade",
]

# Factor -> its published values, most severe first (the key is the field named in errors).
LEC_SCALES: dict[str, tuple[float, ...]] = {
    "L": (10, 6, 3, 1, 0.5, 0.2, 0.1),
    "E": (10, 6, 3, 2, 1, 0.5),
    "C": (100, 40, 15, 7, 3, 1),
}
_EXACT_SCALES = {k: {Fraction(str(v)): v for v in vs} for k, vs in LEC_SCALES.items()}

STANDARD = ("LEC D = L x E x C (作业条件危险性评价法, Graham-Kinney; Kinney & Wiruth 1976), "
            "the scales and bands of the Chinese safety texts; a band holds its "
            "upper end: D <= 20 稍有危险")


@dataclass(frozen=True)
class LECBand:
    """D in (``d_above``, ``d_max``]; ``None`` for an open end."""

    key: str
    d_above: float | None
    d_max: float | None


# Most severe first; the keys name the labels risk.lec.band.<key>.
LEC_BANDS = (
    LECBand("extreme", 320, None),      # 极其危险，不能继续作业
    LECBand("high", 160, 320),          # 高度危险，需立即整改
    LECBand("significant", 70, 160),    # 显著危险，需要整改
    LECBand("moderate", 20, 70),        # 一般危险，需要注意
    LECBand("slight", None, 20),        # 稍有危险，可以接受
)


@dataclass(frozen=True)
class LECColours:
    """The colour of each LEC band: configuration, with the default of REFERENCE.md 5b.

    Raises
    ------
    ValueError
        When a colour is not one of red/orange/yellow/blue.
    """

    extreme: str = "red"
    high: str = "orange"
    significant: str = "yellow"
    moderate: str = "blue"
    slight: str = "blue"
    source: str = ("LEC colours >320 red, 160-320 orange, 70-160 yellow, <=70 blue: common "
                   "practice and the PRD of qieqiesitan/digital-emergency-plan-generator "
                   "(REFERENCE.md 5b)")

    def __post_init__(self) -> None:
        for band in LEC_BANDS:
            if getattr(self, band.key) not in COLOURS:
                raise ValueError(f"LEC band {band.key}: unknown colour "
                                 f"{getattr(self, band.key)!r}")

    def of(self, band: str) -> str:
        return getattr(self, band)


DEFAULT_LEC_COLOURS = LECColours()


@dataclass(frozen=True)
class ScaleValue:
    """One value of an LEC scale with its meaning."""

    value: float
    meaning_zh: str
    meaning_en: str


def lec_scale(factor: str) -> tuple[ScaleValue, ...]:
    """The published values of ``factor`` ("L", "E" or "C") with their meanings."""
    return tuple(ScaleValue(v, t(_meaning_key(factor, v), "zh"), t(_meaning_key(factor, v), "en"))
                 for v in LEC_SCALES[factor])


def _meaning_key(factor: str, value: float) -> str:
    return f"risk.lec.{factor.lower()}.{value:g}"


def lec_band(d: object) -> str:
    """The band key of a danger value D under the boundary rule of this module.

    Parameters
    ----------
    d
        D = L x E x C (any non-negative number or its text, not only products of scale
        values).

    Raises
    ------
    DataError
        When D is not a non-negative number.
    """
    value, problem = exact(d, "D")
    if problem is None and value < 0:
        problem = Problem("must not be negative", field="D", value=d)
    if problem is not None:
        raise DataError("not an LEC danger value", [problem])
    for band in LEC_BANDS:
        if (band.d_above is None or value > band.d_above) and (
                band.d_max is None or value <= band.d_max):
            return band.key
    raise AssertionError("LEC_BANDS cover every D >= 0")  # pragma: no cover


def lec_grade(likelihood: object, exposure: object, consequence: object, *,
              colours: LECColours = DEFAULT_LEC_COLOURS) -> RiskGrade:
    """Grade by LEC: D = L x E x C, its band and colour.

    Parameters
    ----------
    likelihood, exposure, consequence
        L, E and C, each one of its published scale values (:data:`LEC_SCALES`), as a
        number or its text.
    colours
        The colour of each band; :data:`DEFAULT_LEC_COLOURS` by default.

    Returns
    -------
    RiskGrade
        ``values = {"D": ...}`` (exact product of the decimals), ``band`` and ``colour``.

    Raises
    ------
    DataError
        Naming each of L, E and C that is not on its scale, with its value.
    """
    problems = []
    factors: dict[str, Fraction] = {}
    for name, value in (("L", likelihood), ("E", exposure), ("C", consequence)):
        number, problem = exact(value, name)
        if problem is None and number not in _EXACT_SCALES[name]:
            scale = ", ".join(f"{v:g}" for v in LEC_SCALES[name])
            problem = Problem(f"must be one of the published values {scale}",
                              field=name, value=value)
        if problem is not None:
            problems.append(problem)
        factors[name] = number
    if problems:
        raise DataError("LEC cannot grade these values", problems)
    d = factors["L"] * factors["E"] * factors["C"]
    band = lec_band(d)
    return RiskGrade(
        method="lec",
        standard=STANDARD,
        inputs={k: _EXACT_SCALES[k][v] for k, v in factors.items()},
        values={"D": fmt(d)},
        band=band,
        colour=colours.of(band),
    )
