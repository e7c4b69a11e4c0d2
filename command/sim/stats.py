"""Statistics of simulation output: confidence intervals across replications, paired
comparisons under common random numbers, quantiles and shares within a standard.

Owns: pure functions over arrays and DataFrames. Must not: run a simulation, or know what
a KPI means (a response time, a wait and a utilisation are all just numbers here).

Replications are independent, so the mean of one KPI over ``n`` replications has the
Student-t interval ``mean +- t(1 - a/2, n - 1) s / sqrt(n)`` (Law, *Simulation Modeling
and Analysis*, 9.4.1). Two variants run with common random numbers are compared through
the per-replication differences, whose variance is smaller than that of either variant
(Law 10.2.1, paired-t); independent runs are compared with Welch's interval (Law 10.2.2).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _scipy_stats

__all__ = [
    "Estimate",
    "mean_ci",
    "paired_difference_ci",
    "welch_difference_ci",
    "quantiles",
    "share_within",
    "summarise_replications",
]


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence interval.

    ``low`` and ``high`` are NaN when the interval is undefined (a single replication).
    """

    mean: float
    low: float
    high: float
    std: float
    n: int
    confidence: float = 0.95

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the closed interval [low, high]."""
        return bool(self.low <= value <= self.high)

    def interval(self) -> list[float]:
        """``[low, high]``, the form the command line prints."""
        return [self.low, self.high]

    def as_dict(self) -> dict[str, float | int | list[float]]:
        return {"mean": self.mean, "ci": self.interval(), "std": self.std, "n": self.n,
                "confidence": self.confidence}


def _as_1d(values: Iterable[float], name: str) -> np.ndarray:
    arr = np.asarray(list(values) if not hasattr(values, "__len__") else values, dtype=float)
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a one-dimensional sequence, got shape {arr.shape}")
    return arr


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence={confidence!r}: must lie strictly between 0 and 1")


def _t_estimate(arr: np.ndarray, confidence: float) -> Estimate:
    n = int(arr.size)
    mean = float(arr.mean())
    if n < 2:
        return Estimate(mean, math.nan, math.nan, math.nan, n, confidence)
    std = float(arr.std(ddof=1))
    half = float(_scipy_stats.t.ppf(0.5 + confidence / 2.0, n - 1)) * std / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, std, n, confidence)


def mean_ci(values: Sequence[float], *, confidence: float = 0.95,
            bounds: tuple[float, float] | None = None) -> Estimate:
    """Mean of independent observations (one per replication) with its Student-t interval.

    Parameters
    ----------
    values : sequence of float
        One value per replication; NaN values are not allowed (decide first what a
        replication without data means for the KPI).
    confidence : float
        Two-sided confidence level, default 0.95.
    bounds : (float, float), optional
        The range the quantity can take (a share: (0, 1); a time: (0, inf)); the
        interval is cut to it, since the t interval of few replications can reach values
        the quantity never has.

    Returns
    -------
    Estimate
        With ``low = high = NaN`` when there is a single value.

    Raises
    ------
    ValueError
        If ``values`` is empty, not one-dimensional or holds NaN, or ``confidence`` is
        not in (0, 1).
    """
    _check_confidence(confidence)
    arr = _as_1d(values, "values")
    if arr.size == 0:
        raise ValueError("values: at least one replication is needed")
    if np.isnan(arr).any():
        raise ValueError(f"values: {int(np.isnan(arr).sum())} NaN value(s); "
                         "a KPI must be defined in every replication")
    est = _t_estimate(arr, confidence)
    if bounds is not None and est.n > 1:
        lo, hi = bounds
        est = dataclasses.replace(est, low=min(max(est.low, lo), hi),
                                  high=max(min(est.high, hi), lo))
    return est


def paired_difference_ci(a: Sequence[float], b: Sequence[float], *,
                         confidence: float = 0.95) -> Estimate:
    """Mean of ``a - b`` over paired replications (common random numbers), paired-t interval.

    Replication ``k`` of ``a`` and of ``b`` must share their random numbers (same seed
    stream); then an interval excluding 0 says the variants really differ.

    Parameters
    ----------
    a, b : sequence of float
        Per-replication values of the two variants, same length, in the same order.
    confidence : float
        Two-sided confidence level, default 0.95.

    Returns
    -------
    Estimate
        Of the difference ``a - b``.

    Raises
    ------
    ValueError
        If the lengths differ, or as :func:`mean_ci`.
    """
    arr_a, arr_b = _as_1d(a, "a"), _as_1d(b, "b")
    if arr_a.size != arr_b.size:
        raise ValueError(f"a and b: paired comparisons need the same number of replications "
                         f"(got {arr_a.size} and {arr_b.size})")
    return mean_ci(arr_a - arr_b, confidence=confidence)


def welch_difference_ci(a: Sequence[float], b: Sequence[float], *,
                        confidence: float = 0.95) -> Estimate:
    """Difference of means ``mean(a) - mean(b)`` of independent samples, Welch interval.

    For runs that do not share random numbers (another simulator, another seed); the
    samples may differ in size and variance. ``std`` of the result is the standard error
    of the difference and ``n`` the Welch-Satterthwaite degrees of freedom, rounded down.

    Raises
    ------
    ValueError
        If either sample has fewer than two values, or as :func:`mean_ci`.
    """
    _check_confidence(confidence)
    arr_a, arr_b = _as_1d(a, "a"), _as_1d(b, "b")
    for name, arr in (("a", arr_a), ("b", arr_b)):
        if arr.size < 2:
            raise ValueError(f"{name}: at least two replications are needed, got {arr.size}")
        if np.isnan(arr).any():
            raise ValueError(f"{name}: NaN values; a KPI must be defined in every replication")
    va, vb = arr_a.var(ddof=1) / arr_a.size, arr_b.var(ddof=1) / arr_b.size
    diff = float(arr_a.mean() - arr_b.mean())
    se = math.sqrt(va + vb)
    if se == 0.0:
        return Estimate(diff, diff, diff, 0.0, arr_a.size + arr_b.size - 2, confidence)
    dof = (va + vb) ** 2 / (va ** 2 / (arr_a.size - 1) + vb ** 2 / (arr_b.size - 1))
    half = float(_scipy_stats.t.ppf(0.5 + confidence / 2.0, dof)) * se
    return Estimate(diff, diff - half, diff + half, se, int(dof), confidence)


def quantiles(values: Sequence[float], qs: Sequence[float] = (0.5, 0.9, 0.95)) -> dict[float, float]:
    """Empirical quantiles (linear interpolation, numpy's default) of the finite values.

    Parameters
    ----------
    values : sequence of float
        Observations; NaN and infinite values are left out.
    qs : sequence of float
        Probabilities in [0, 1].

    Returns
    -------
    dict
        ``{q: value}``; every value is NaN when no finite observation remains.

    Raises
    ------
    ValueError
        If a probability lies outside [0, 1].
    """
    probs = [float(q) for q in qs]
    bad = [q for q in probs if not 0.0 <= q <= 1.0]
    if bad:
        raise ValueError(f"qs: probabilities must lie in [0, 1], got {bad}")
    arr = _as_1d(values, "values")
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        return {q: math.nan for q in probs}
    return dict(zip(probs, (float(v) for v in np.quantile(arr, probs))))


def share_within(values: Sequence[float], standard: float) -> float:
    """Share of observations at or below ``standard`` (e.g. response times within 300 s).

    NaN counts as a miss: a call that was never served did not meet the standard.

    Returns
    -------
    float
        In [0, 1]; NaN when ``values`` is empty.
    """
    arr = _as_1d(values, "values")
    if arr.size == 0:
        return math.nan
    return float(np.count_nonzero(arr <= standard) / arr.size)


def summarise_replications(frame: pd.DataFrame, columns: Sequence[str], *,
                           by: Sequence[str] | str | None = None,
                           replication: str = "replication",
                           confidence: float = 0.95) -> pd.DataFrame:
    """Mean and interval of KPI columns across replications, optionally per group.

    Parameters
    ----------
    frame : DataFrame
        One row per replication (and per group, e.g. per zone): the KPI values of that
        replication.
    columns : sequence of str
        KPI columns to summarise.
    by : str or sequence of str, optional
        Group columns (``"zone"``, ``["zone", "incident_type"]``); None for one row.
    replication : str
        The replication column; each group must hold each replication at most once.
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    DataFrame
        One row per group and KPI: the group columns, ``kpi``, ``mean``, ``low``,
        ``high``, ``std``, ``n``. Rows with NaN KPI values are left out of that KPI.

    Raises
    ------
    ValueError
        If a column is missing or a replication repeats within a group.
    """
    _check_confidence(confidence)
    groups = [by] if isinstance(by, str) else list(by or [])
    missing = [c for c in [*columns, *groups, replication] if c not in frame.columns]
    if missing:
        raise ValueError(f"frame: missing column(s) {missing}")
    if frame.duplicated([*groups, replication]).any():
        raise ValueError(f"frame: a replication appears twice within a group of {groups}")
    rows = []
    grouped = frame.groupby(groups, sort=True, dropna=False) if groups else [((), frame)]
    for key, part in grouped:
        key = key if isinstance(key, tuple) else (key,)
        for col in columns:
            arr = part[col].to_numpy(dtype=float)
            arr = arr[~np.isnan(arr)]
            if arr.size == 0:
                continue
            est = _t_estimate(arr, confidence)
            rows.append({**dict(zip(groups, key)), "kpi": col, "mean": est.mean,
                         "low": est.low, "high": est.high, "std": est.std, "n": est.n})
    return pd.DataFrame(rows, columns=[*groups, "kpi", "mean", "low", "high", "std", "n"])
