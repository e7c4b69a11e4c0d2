"""Periodic rating (定期评级): the rule that re-rates the register's points each week,
month or year, and lists what changed and why, and whose inspection is overdue.

The rule, point by point (docs/risk.md, "Periodic rating"):

- A job of a period covers the grades it can keep to their review interval
  (:data:`PERIOD_GRADES`): the weekly job the red points, the monthly job the red, orange
  and yellow ones, the yearly job all four colours.
- A point graded by a method with inputs (GB 18218-2018, LEC, LS) is graded again by that
  method from its stored inputs; when the colour differs from the register's, it is a
  :class:`Change` with the working that explains it.
- A point that comes from an enterprise's self-inspection (confirmed or regraded by a
  supervisor) keeps its grade: nobody but the enterprise and the supervisor can re-grade
  it. When its last inspection is older than its grade's review interval
  (:data:`REVIEW_INTERVAL_DAYS`) it is :class:`Overdue`.
- A point whose stored inputs no longer grade (a renamed substance, a hand-made entry) is
  :class:`Unrated` with the problem, and keeps its grade.

安委办〔2016〕11号 (标本兼治遏制重特大事故工作指南) asks that risks be graded in four
colours and controlled in proportion: the higher the risk, the closer and more often it
is watched. The intervals here (red weekly, orange monthly, yellow quarterly, blue yearly)
follow that spirit; the numbers themselves are the project's choice, not the document's.

Owns: the rule and its result shape. Must not: touch the store, read the clock ("now" is
an argument) or the data set; the register colour of a GB 18218 grade is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from command.clock import as_utc
from command.errors import DataError, Problem
from command.i18n import t
from command.model import RISK_GRADES
from command.risk.gb18218 import gb18218_grade
from command.risk.lec import lec_grade
from command.risk.ls import LS_BAND_SETS, PRD_BANDS, ls_grade
from command.risk.result import RiskGrade

__all__ = ["PERIODS", "REVIEW_INTERVAL_DAYS", "PERIOD_GRADES", "INSPECTED_METHODS",
           "RatedPoint", "Change", "Overdue", "Unrated", "RatingResult", "check_period",
           "regrade", "rate_points", "why_text"]

#: The periods of the rating jobs.
PERIODS = ("year", "month", "week")

#: Days between two reviews of a point, by grade: the project's choice in the spirit of
#: 安委办〔2016〕11号 (higher risk, closer watch): red weekly, orange monthly, yellow
#: quarterly, blue yearly.
REVIEW_INTERVAL_DAYS: Mapping[str, int] = {"red": 7, "orange": 30, "yellow": 91, "blue": 365}

#: The grades each job covers: those it reviews at least as often as their interval asks
#: (a quarterly yellow review is kept by the monthly job, within a month of falling due).
PERIOD_GRADES: Mapping[str, tuple[str, ...]] = {
    "week": ("red",), "month": ("red", "orange", "yellow"), "year": tuple(RISK_GRADES)}

#: Methods of points that come from a self-inspection: kept, and checked for overdue.
INSPECTED_METHODS = ("self-inspection", "supervisor")


class RatedPoint(Protocol):
    """What the rule reads of a register point (:class:`command.store.risk.RiskPointRecord`)."""

    risk_id: str
    grade: str
    method: str
    inputs: Mapping[str, Any]
    enterprise_id: str | None
    updated_at: datetime


@dataclass(frozen=True)
class Change:
    """A point whose grade the rating changes, with the working that explains it.

    Attributes
    ----------
    value_name, value
        The number that decides the colour (``R`` for GB 18218 and LS, ``D`` for LEC).
    grading
        The new :class:`RiskGrade` (its ``to_dict()`` becomes the point's inputs).
    """

    risk_id: str
    grade_from: str
    grade_to: str
    method: str
    value_name: str
    value: float
    grading: RiskGrade = field(repr=False)


@dataclass(frozen=True)
class Overdue:
    """A self-inspected point whose last inspection is older than its review interval.

    ``last_inspected_at`` is the last self-inspection of its enterprise (or, without one,
    when the point was last graded); ``days_since`` counts whole and part days to now."""

    risk_id: str
    grade: str
    last_inspected_at: datetime
    review_days: int
    days_since: float


@dataclass(frozen=True)
class Unrated:
    """A point whose stored inputs do not grade any more; it keeps its grade."""

    risk_id: str
    method: str
    problem: str


@dataclass(frozen=True)
class RatingResult:
    """The outcome of one rating job at ``at`` (aware UTC).

    ``reviewed`` lists the ids of the points the period covers; ``changes``, ``overdue``
    and ``unrated`` are among them, in the register's order."""

    period: str
    at: datetime
    grades: tuple[str, ...]
    reviewed: tuple[str, ...]
    changes: tuple[Change, ...] = ()
    overdue: tuple[Overdue, ...] = ()
    unrated: tuple[Unrated, ...] = ()


def check_period(period: object) -> str:
    """``period`` if it is one of :data:`PERIODS`.

    Raises
    ------
    DataError
        Naming the field ``period`` and the value otherwise.
    """
    if period not in PERIODS:
        raise DataError("no such rating period", [Problem(
            f"one of: {', '.join(PERIODS)}", field="period", value=period)])
    return str(period)


def regrade(method: str, inputs: Mapping[str, Any], *, gb18218_colours: Mapping[int, str],
            not_major: str = "blue") -> tuple[str, RiskGrade]:
    """Grade a point again by ``method`` from its stored ``inputs`` (a
    :meth:`RiskGrade.to_dict`): (register colour, grading).

    ``gb18218_colours`` maps a GB 18218 grade (1-4) to its register colour; a unit that
    is not a major hazard installation (S < 1) gets ``not_major``.

    Raises
    ------
    DataError
        The method's own errors (unknown substance, a score off its scale ...).
    KeyError, TypeError
        Inputs that are not a grading's ``to_dict()``.
    """
    given = inputs["inputs"]
    if method == "gb18218":
        graded = gb18218_grade([(s["substance"], s["quantity_t"]) for s in given["substances"]],
                               people=given["people"])
        return gb18218_colours.get(graded.grade, not_major), graded
    if method == "lec":
        graded = lec_grade(given["L"], given["E"], given["C"])
    elif method == "ls":
        graded = ls_grade(given["L"], given["S"],
                          bands=LS_BAND_SETS[given.get("bands") or PRD_BANDS.name])
    else:
        raise KeyError(f"no grading method {method!r}")
    return graded.colour, graded


def _decisive(graded: RiskGrade) -> tuple[str, float]:
    name = "D" if graded.method == "lec" else "R"
    return name, graded.values[name]


def rate_points(points: Iterable[RatedPoint], *, period: str, now: datetime,
                gb18218_colours: Mapping[int, str], not_major: str = "blue",
                last_inspected: Mapping[str, datetime] | None = None) -> RatingResult:
    """Re-rate ``points`` for a ``period`` job at ``now`` (see the module docstring).

    Parameters
    ----------
    points
        Register points, in the register's order.
    period
        ``"year"``, ``"month"`` or ``"week"``.
    now
        The instant of the job (aware).
    gb18218_colours, not_major
        The register colour of a GB 18218 grade, and of a unit that is not major.
    last_inspected
        Enterprise id -> its last self-inspection (aware); a self-inspected point of an
        enterprise missing here counts from when it was last graded.

    Raises
    ------
    DataError
        For a period that is not one of :data:`PERIODS`.
    ValueError
        For a naive ``now`` (a programming error: callers pass aware times).
    """
    period = check_period(period)
    now = as_utc(now, field="now")
    last_inspected = last_inspected or {}
    grades = PERIOD_GRADES[period]
    reviewed, changes, overdue, unrated = [], [], [], []
    for p in points:
        if p.grade not in grades:
            continue
        reviewed.append(p.risk_id)
        if p.method in INSPECTED_METHODS:
            last = as_utc(last_inspected.get(p.enterprise_id or "", p.updated_at))
            days = (now - last).total_seconds() / 86400.0
            if days > REVIEW_INTERVAL_DAYS[p.grade]:
                overdue.append(Overdue(p.risk_id, p.grade, last, REVIEW_INTERVAL_DAYS[p.grade],
                                       round(days, 2)))
            continue
        try:
            colour, graded = regrade(p.method, p.inputs, gb18218_colours=gb18218_colours,
                                     not_major=not_major)
        except DataError as exc:
            unrated.append(Unrated(p.risk_id, p.method, "; ".join(
                [str(exc).split("\n")[0]] + [str(x) for x in exc.problems])))
            continue
        except (KeyError, TypeError) as exc:  # not a grading's to_dict(): say so, go on
            unrated.append(Unrated(p.risk_id, p.method, f"stored inputs unreadable: {exc}"))
            continue
        if colour != p.grade:
            name, value = _decisive(graded)
            changes.append(Change(p.risk_id, p.grade, colour, p.method, name, value, graded))
    return RatingResult(period, now, grades, tuple(reviewed), tuple(changes), tuple(overdue),
                        tuple(unrated))


def why_text(change: Change, lang: str) -> str:
    """Why ``change`` happened, for people in ``lang``."""
    return t("rating.why.recomputed", lang, method=t(f"risk.method.{change.method}", lang),
             name=change.value_name, value=f"{change.value:g}",
             before=t(f"grade.{change.grade_from}", lang),
             after=t(f"grade.{change.grade_to}", lang))
