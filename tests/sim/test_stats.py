"""Confidence intervals, paired comparisons, quantiles and shares within a standard."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from command.sim.stats import (
    Estimate,
    mean_ci,
    paired_difference_ci,
    quantiles,
    share_within,
    summarise_replications,
    welch_difference_ci,
)


def test_mean_ci_by_hand():
    # mean 3, s = sqrt(2.5) = 1.58114, t(0.975, 4) = 2.776445: half-width 1.963243.
    est = mean_ci([1, 2, 3, 4, 5])
    assert est.mean == 3.0 and est.n == 5
    assert est.std == pytest.approx(math.sqrt(2.5))
    assert est.half_width == pytest.approx(1.963243, abs=1e-6)
    assert est.interval() == pytest.approx([1.036757, 4.963243], abs=1e-6)
    assert est.contains(1.1) and not est.contains(5.0)


def test_mean_ci_matches_scipy_and_levels():
    x = np.random.default_rng(3).normal(10.0, 2.0, 17)
    for level in (0.8, 0.95, 0.99):
        low, high = sps.t.interval(level, len(x) - 1, loc=x.mean(), scale=sps.sem(x))
        est = mean_ci(x, confidence=level)
        assert (est.low, est.high) == pytest.approx((low, high))
    assert mean_ci(x, confidence=0.99).half_width > mean_ci(x, confidence=0.8).half_width


def test_single_replication_has_no_interval():
    est = mean_ci([4.2])
    assert est.mean == 4.2 and est.n == 1
    assert math.isnan(est.low) and math.isnan(est.high) and not est.contains(4.2)


def test_constant_values_give_a_point_interval():
    est = mean_ci([0.0, 0.0, 0.0])
    assert (est.low, est.mean, est.high) == (0.0, 0.0, 0.0)


def test_coverage_is_close_to_nominal():
    # 4000 intervals of 8 normal draws each: the 95% interval covers the true mean about
    # 95% of the time (binomial sd 0.34%), an 80% interval about 80%.
    rng = np.random.default_rng(20240601)
    samples = rng.normal(5.0, 3.0, size=(4000, 8))
    cover95 = np.mean([mean_ci(row).contains(5.0) for row in samples])
    cover80 = np.mean([mean_ci(row, confidence=0.8).contains(5.0) for row in samples])
    assert 0.94 <= cover95 <= 0.96
    assert 0.78 <= cover80 <= 0.82


def test_paired_difference_matches_scipy_and_beats_unpaired():
    # Common random numbers: both variants see the same noise, so the paired interval is
    # much narrower than Welch's on the same numbers.
    rng = np.random.default_rng(7)
    common = rng.normal(100.0, 20.0, 30)
    a = common + rng.normal(0.0, 1.0, 30)
    b = common - 2.0 + rng.normal(0.0, 1.0, 30)
    paired = paired_difference_ci(a, b)
    ref = sps.ttest_rel(a, b).confidence_interval(0.95)
    assert (paired.low, paired.high) == pytest.approx((ref.low, ref.high))
    assert paired.low > 0.0  # the 2.0 difference is detected
    welch = welch_difference_ci(a, b)
    assert welch.contains(0.0)  # ... but not without pairing
    assert paired.half_width < welch.half_width / 5


def test_welch_matches_scipy():
    rng = np.random.default_rng(11)
    a, b = rng.normal(0.0, 1.0, 12), rng.normal(0.5, 3.0, 25)
    est = welch_difference_ci(a, b)
    ref = sps.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert (est.low, est.high) == pytest.approx((ref.low, ref.high))
    assert est.mean == pytest.approx(a.mean() - b.mean())


def test_quantiles_and_share_within():
    times = [60.0, 120.0, 180.0, 240.0, 300.0, 360.0, 420.0, 480.0, 540.0, math.nan]
    q = quantiles(times, (0.0, 0.5, 1.0))
    assert q == {0.0: 60.0, 0.5: 300.0, 1.0: 540.0}
    # 5 of 10 calls at or below 300 s; the unserved (NaN) call is a miss.
    assert share_within(times, 300.0) == 0.5
    assert math.isnan(share_within([], 300.0))
    assert all(math.isnan(v) for v in quantiles([math.nan], (0.5,)).values())


def test_summarise_replications_by_group():
    frame = pd.DataFrame({
        "replication": [0, 1, 2, 0, 1, 2],
        "zone": ["A", "A", "A", "B", "B", "B"],
        "response_s": [1.0, 2.0, 3.0, 10.0, 10.0, 10.0],
        "within": [0.5, 0.5, math.nan, 1.0, 0.9, 0.8],
    })
    out = summarise_replications(frame, ["response_s", "within"], by="zone")
    row = out[(out.zone == "A") & (out.kpi == "response_s")].iloc[0]
    ref = mean_ci([1.0, 2.0, 3.0])
    assert (row["mean"], row["low"], row["high"], row["n"]) == pytest.approx(
        (ref.mean, ref.low, ref.high, 3))
    assert out[(out.zone == "A") & (out.kpi == "within")].iloc[0]["n"] == 2
    assert out[(out.zone == "B") & (out.kpi == "response_s")].iloc[0][["low", "high"]].tolist() \
        == [10.0, 10.0]
    overall = summarise_replications(frame.query("zone == 'A'"), ["response_s"])
    assert list(overall.columns) == ["kpi", "mean", "low", "high", "std", "n"]


@pytest.mark.parametrize("call, text", [
    (lambda: mean_ci([]), "values"),
    (lambda: mean_ci([1.0, math.nan]), "NaN"),
    (lambda: mean_ci([1.0, 2.0], confidence=1.0), "confidence=1.0"),
    (lambda: paired_difference_ci([1.0, 2.0], [1.0]), "same number of replications"),
    (lambda: welch_difference_ci([1.0], [1.0, 2.0]), "a: at least two"),
    (lambda: quantiles([1.0], (1.5,)), "qs"),
    (lambda: summarise_replications(pd.DataFrame({"replication": [0, 0], "x": [1, 2]}), ["x"]),
     "twice"),
    (lambda: summarise_replications(pd.DataFrame({"replication": [0]}), ["x"]), "['x']"),
])
def test_errors_are_clear(call, text):
    with pytest.raises(ValueError, match=None) as info:
        call()
    assert text in str(info.value)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=40))
def test_interval_brackets_the_mean(values):
    est = mean_ci(values)
    assert est.low <= est.mean <= est.high
    assert isinstance(est, Estimate) and est.n == len(values)
    shifted = mean_ci([v + 1000.0 for v in values])
    assert shifted.half_width == pytest.approx(est.half_width, rel=1e-6, abs=1e-6)


def test_mean_ci_bounds_cut_the_interval_to_the_quantity_s_range():
    from command.sim.stats import mean_ci

    raw = mean_ci([0.8, 1.0])  # two replications: the t interval is wide
    assert raw.low < 0 and raw.high > 1
    cut = mean_ci([0.8, 1.0], bounds=(0.0, 1.0))
    assert (cut.low, cut.high) == (0.0, 1.0) and cut.mean == raw.mean == 0.9
    times = mean_ci([1.0, 9.0], bounds=(0.0, float("inf")))
    assert times.low == 0.0 and times.high == mean_ci([1.0, 9.0]).high > 9.0
