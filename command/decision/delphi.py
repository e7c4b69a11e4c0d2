"""Delphi rounds: experts rate every option, see the group's anonymous feedback (median
and spread), and rate again until the ratings settle.

Ratings are whole numbers on :data:`SCALE` (1 to 9, as RAND/UCLA appropriateness panels
use). Between rounds each option's feedback is the number of ratings, the median, the
quartiles (linear interpolation, numpy's default), the interquartile range and the
lowest and highest rating; no name and no single rating is shown. An option has reached
consensus when its IQR is at most :data:`CONSENSUS_IQR`. Every expert counts once:
Delphi gives each an equal, anonymous voice, so participants' weights are not used.

The result ranks options by the median of the last round, then by the smaller IQR, then
by the options' order (the tie rule of :mod:`command.decision.voting`).

Owns: checking ratings, the feedback of a round and the final ranking. Must not: know
about rounds in the store or who rated what (the store keeps that).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from command.errors import DataError, Problem

__all__ = ["SCALE", "CONSENSUS_IQR", "Feedback", "check_ratings", "feedback", "rank"]

#: The lowest and highest rating.
SCALE = (1, 9)
#: An option whose ratings' IQR is at most this has reached consensus (a common Delphi
#: criterion on a 9-point scale; von der Gracht 2012 reviews others).
CONSENSUS_IQR = 1.0


@dataclass(frozen=True)
class Feedback:
    """The anonymous summary of one option's ratings in one round."""

    option: str
    n: int
    median: float | None
    q1: float | None
    q3: float | None
    low: int | None
    high: int | None

    @property
    def iqr(self) -> float | None:
        return None if self.q1 is None else self.q3 - self.q1

    @property
    def consensus(self) -> bool:
        return self.iqr is not None and self.iqr <= CONSENSUS_IQR

    def to_dict(self) -> dict:
        return {"option": self.option, "n": self.n, "median": self.median, "q1": self.q1,
                "q3": self.q3, "iqr": self.iqr, "low": self.low, "high": self.high,
                "consensus": self.consensus}


def check_ratings(options: Sequence[str], ratings: object, *,
                  source: str = "ratings") -> dict[str, int]:
    """One expert's ratings: every option rated once with a whole number on
    :data:`SCALE`.

    Raises
    ------
    DataError
        Every problem at once: not a mapping, an unknown option, an option not rated, a
        rating off the scale or not a whole number.
    """
    if not isinstance(ratings, Mapping):
        raise DataError("Ratings are option -> rating.",
                        [Problem("not a mapping", file=source, value=ratings)])
    problems = []
    lo, hi = SCALE
    for o, v in ratings.items():
        if o not in options:
            problems.append(Problem("not an option", file=source, field=str(o), value=v))
        elif isinstance(v, bool) or not isinstance(v, int | float) or v != int(v) \
                or not lo <= v <= hi:
            problems.append(Problem(f"a whole number from {lo} to {hi}", file=source,
                                    field=str(o), value=v))
    for o in options:
        if o not in ratings:
            problems.append(Problem("not rated", file=source, field=o))
    if problems:
        raise DataError("The ratings are not valid.", problems)
    return {o: int(ratings[o]) for o in options}


def feedback(options: Sequence[str], rounds_ratings: Sequence[Mapping[str, int]]
             ) -> tuple[Feedback, ...]:
    """The feedback of one round: for each option (in order), its ratings' summary over
    the experts' ``rounds_ratings`` (each option -> rating, as :func:`check_ratings`)."""
    out = []
    for o in options:
        xs = np.array([r[o] for r in rounds_ratings if o in r], dtype=float)
        if xs.size == 0:
            out.append(Feedback(o, 0, None, None, None, None, None))
            continue
        q1, med, q3 = (float(v) for v in np.percentile(xs, [25, 50, 75]))
        out.append(Feedback(o, int(xs.size), med, q1, q3, int(xs.min()), int(xs.max())))
    return tuple(out)


def rank(options: Sequence[str], fb: Sequence[Feedback]) -> tuple[str, ...]:
    """Options best first: higher median, then smaller IQR, then the options' order;
    options nobody rated last."""
    order = {o: i for i, o in enumerate(options)}
    by = {f.option: f for f in fb}

    def key(o):
        f = by.get(o)
        if f is None or f.median is None:
            return (1, 0.0, 0.0, order[o])
        return (0, -f.median, f.iqr, order[o])

    return tuple(sorted(options, key=key))
