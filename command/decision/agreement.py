"""Agreement among judges: Kendall's coefficient of concordance W.

``W = 12 S / (m^2 (n^3 - n) - m T)`` for m judges ranking n items, where ``S`` is the sum
of squared deviations of the items' rank sums from their mean and ``T = sum(t^3 - t)``
over every group of t tied ranks of every judge (the tie correction; Kendall & Babington
Smith 1939, Siegel & Castellan 1988 §9.4). W is 1 when every judge ranks alike and 0 when
the rankings cancel out. ``chi2 = m (n - 1) W`` with n - 1 degrees of freedom tests it
against chance (fair for n > 7; indicative below).

Owns: ranks from scores (ties share their mean rank) and W. Must not: know about ballots
or sessions (see :mod:`command.decision.tally`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Concordance", "ranks", "choice_ranks", "kendall_w"]


@dataclass(frozen=True)
class Concordance:
    """Kendall's W of ``m`` judges over ``n`` items, with its chi-square and p-value."""

    w: float
    m: int
    n: int
    chi2: float
    p_value: float

    def to_dict(self) -> dict:
        return {"kendall_w": self.w, "judges": self.m, "items": self.n, "chi2": self.chi2,
                "p_value": self.p_value}


def ranks(scores: Sequence[float], *, higher_is_better: bool = True) -> list[float]:
    """Ranks 1..n of ``scores`` (1 for the best); tied scores share their mean rank."""
    from scipy.stats import rankdata

    x = -np.asarray(scores, dtype=float) if higher_is_better else np.asarray(scores, float)
    return [float(r) for r in rankdata(x, method="average")]


def choice_ranks(options: Sequence[str], choice_lists: Sequence[Sequence[str]]
                 ) -> list[list[float]]:
    """Ballots (option ids best first) as rank rows over ``options``: the named options
    by position, the ones a ballot leaves out tied below them."""
    rows = []
    for choices in choice_lists:
        score = {o: float(len(choices) - k) for k, o in enumerate(choices)}
        rows.append(ranks([score.get(o, 0.0) for o in options]))
    return rows


def kendall_w(rankings: Sequence[Sequence[float]]) -> Concordance | None:
    """Kendall's W of ``rankings`` (one row of ranks per judge, ties as mean ranks, as
    :func:`ranks` gives); None with fewer than 2 judges or 2 items, or when every judge
    ties every item (nothing to agree on)."""
    from scipy.stats import chi2

    r = np.asarray(rankings, dtype=float)
    if r.ndim != 2 or r.shape[0] < 2 or r.shape[1] < 2:
        return None
    m, n = r.shape
    sums = r.sum(axis=0)
    s = float(((sums - sums.mean()) ** 2).sum())
    t = 0.0
    for row in r:
        _values, counts = np.unique(row, return_counts=True)
        t += float((counts ** 3 - counts).sum())
    denom = m * m * (n ** 3 - n) - m * t
    if denom <= 0:
        return None
    w = 12.0 * s / denom
    stat = m * (n - 1) * w
    return Concordance(float(w), m, n, float(stat), float(chi2.sf(stat, n - 1)))
