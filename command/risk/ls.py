"""LS risk matrix (风险矩阵法): R = L x S, likelihood L and severity S each scored 1-5.

The colour bands are configuration, because no national standard sets them: each province
or industry guide sets its own (../shared/benchmarks/REFERENCE.md 5c, confidence M/L).
Two variants are kept:

- :data:`PRD_BANDS`, the default: 20-25 红, 15-19 橙, 9-14 黄, 1-8 蓝, as in the PRD of
  the qieqiesitan/digital-emergency-plan-generator repository;
- :data:`SHANDONG_BANDS`: 20-25 重大 (红), 15-16 较大 (橙), 9-12 一般 (黄), 1-8 低 (蓝),
  the variant quoted for Shandong's DB37/T 2882 family (we could not read the standard).

The products of two scores 1-5 are only 1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20 and
25; R is never 7, 11, 13, 14, 17, 18 or 19. The two variants therefore colour every
reachable R alike; they differ only in how they write the ranges. A band set must give
every reachable R exactly one colour, and is refused otherwise.

Must not: read settings or files (callers pass a band set), or store a grade.
"""

from __future__ import annotations

from dataclasses import dataclass

from command.errors import DataError, Problem
from command.risk._values import whole
from command.risk.result import COLOURS, RiskGrade

__all__ = [
    "LS_SCORES",
    "LS_PRODUCTS",
    "LSBand",
    "LSBands",
    "PRD_BANDS",
    "SHANDONG_BANDS",
    "LS_BAND_SETS",
    "ls_colour",
    "ls_grade",
]

LS_SCORES = (1, 2, 3, 4, 5)
LS_PRODUCTS = tuple(sorted({lv * sv for lv in LS_SCORES for sv in LS_SCORES}))


@dataclass(frozen=True)
class LSBand:
    """R from ``r_min`` to ``r_max`` (both inclusive) takes ``colour``."""

    colour: str
    r_min: int
    r_max: int


@dataclass(frozen=True)
class LSBands:
    """A named set of LS colour bands with its source; checked on construction.

    Raises
    ------
    ValueError
        When a colour is not one of red/orange/yellow/blue, a range is empty or outside
        1..25, two ranges overlap, or some reachable R has no band.
    """

    name: str
    source: str
    bands: tuple[LSBand, ...]

    def __post_init__(self) -> None:
        seen: dict[int, str] = {}
        for band in self.bands:
            if band.colour not in COLOURS:
                raise ValueError(f"{self.name}: unknown colour {band.colour!r}")
            if not 1 <= band.r_min <= band.r_max <= 25:
                raise ValueError(f"{self.name}: band {band} is not within 1..25")
            for r in range(band.r_min, band.r_max + 1):
                if r in seen:
                    raise ValueError(f"{self.name}: R = {r} is in two bands")
                seen[r] = band.colour
        missing = [r for r in LS_PRODUCTS if r not in seen]
        if missing:
            raise ValueError(f"{self.name}: no band for R = {missing}")


PRD_BANDS = LSBands(
    name="prd",
    source="LS bands 20-25 red, 15-19 orange, 9-14 yellow, 1-8 blue: PRD of "
    "qieqiesitan/digital-emergency-plan-generator (REFERENCE.md 5c); no national standard "
    "sets them",
    bands=(LSBand("red", 20, 25), LSBand("orange", 15, 19), LSBand("yellow", 9, 14),
           LSBand("blue", 1, 8)),
)

SHANDONG_BANDS = LSBands(
    name="shandong",
    source="LS bands 20-25 重大 red, 15-16 较大 orange, 9-12 一般 yellow, 1-8 低 blue: as "
    "quoted for Shandong DB37/T 2882 (the standard itself not read; REFERENCE.md 5c)",
    bands=(LSBand("red", 20, 25), LSBand("orange", 15, 16), LSBand("yellow", 9, 12),
           LSBand("blue", 1, 8)),
)

LS_BAND_SETS = {b.name: b for b in (PRD_BANDS, SHANDONG_BANDS)}


def ls_colour(r: int, bands: LSBands = PRD_BANDS) -> str:
    """The colour of a matrix value ``r`` (one of :data:`LS_PRODUCTS`) under ``bands``.

    Raises
    ------
    DataError
        When ``r`` is not a product of two scores 1-5.
    """
    if r not in LS_PRODUCTS:
        raise DataError("not an LS matrix value",
                        [Problem(f"must be one of {list(LS_PRODUCTS)}", field="R", value=r)])
    return next(b.colour for b in bands.bands if b.r_min <= r <= b.r_max)


def ls_grade(likelihood: object, severity: object, *, bands: LSBands = PRD_BANDS) -> RiskGrade:
    """Grade by the LS matrix: R = L x S and its colour.

    Parameters
    ----------
    likelihood, severity
        L and S, whole numbers 1-5 (or their text, e.g. ``"4"``).
    bands
        The colour bands; :data:`PRD_BANDS` by default.

    Returns
    -------
    RiskGrade
        ``values = {"R": L*S}``, ``colour`` from ``bands``.

    Raises
    ------
    DataError
        Naming each of L and S that is not a whole number 1-5, with its value.
    """
    problems = []
    scores = {}
    for name, value in (("L", likelihood), ("S", severity)):
        score, problem = whole(value, name)
        if problem is None and score not in LS_SCORES:
            problem = Problem("must be a whole number from 1 to 5", field=name, value=value)
        if problem is not None:
            problems.append(problem)
        scores[name] = score
    if problems:
        raise DataError("the LS matrix cannot grade these scores", problems)
    r = scores["L"] * scores["S"]
    return RiskGrade(
        method="ls",
        standard=f"LS risk matrix R = L x S (风险矩阵法), bands '{bands.name}': {bands.source}",
        inputs={"L": scores["L"], "S": scores["S"], "bands": bands.name},
        values={"R": r},
        colour=ls_colour(r, bands),
    )
