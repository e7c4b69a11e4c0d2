"""Theil-Sen trend and the time to a threshold."""

from __future__ import annotations

import numpy as np
import pytest

from command.errors import DataError
from command.warning.trend import predict_crossing, predict_from_times, read_series


def test_exact_line_crosses_where_it_should():
    t = np.arange(10) * 60.0
    y = 20 + 2.0 * t / 60.0  # 2 units per minute from 20
    p = predict_crossing(t, y, 100.0)
    assert p.rate_per_min == pytest.approx(2.0)
    assert p.minutes_to_threshold == pytest.approx((100 - 38) / 2.0)
    assert p.crossing_s == pytest.approx(40 * 60.0)


def test_flat_or_falling_never_crosses_and_above_crosses_now():
    t = np.arange(10.0)
    assert predict_crossing(t, 5 - 0.1 * t, 10).crossing_s is None
    assert predict_crossing(t, np.full(10, 5.0), 10).seconds_to_threshold is None
    p = predict_crossing(t, 11 + 0.1 * t, 10)
    assert p.seconds_to_threshold == 0.0 and p.crossing_s == 9.0


def test_one_wild_reading_does_not_move_the_slope():
    t = np.arange(12) * 10.0
    y = 1.0 + 0.5 * t / 10.0
    y[5] = 500.0
    assert predict_crossing(t, y, 20).rate_per_min == pytest.approx(3.0)


@pytest.mark.parametrize("seed", range(40))
def test_noisy_ramps_within_ten_percent_once_ten_readings_are_in(seed):
    """Noisy linear ramps: start, rate, interval and threshold drawn at random; the noise
    standard deviation is 20 % of the rise per reading; checked from the 10th reading
    until 10 readings before the crossing."""
    rng = np.random.default_rng(seed)
    start, rate_per_s = rng.uniform(0, 20), rng.uniform(0.01, 0.2)
    dt = rng.uniform(1, 30)
    threshold = start + rate_per_s * dt * rng.uniform(40, 100)  # crossed after 40-100 readings
    sd = 0.2 * rate_per_s * dt
    t = np.arange(200) * dt
    y = start + rate_per_s * t + rng.normal(0, sd, t.size)
    true_cross = (threshold - start) / rate_per_s
    for n in range(10, int(true_cross / dt) - 9):
        p = predict_crossing(t[:n], y[:n], threshold)
        remaining = true_cross - t[n - 1]
        assert p.seconds_to_threshold is not None
        assert abs(p.seconds_to_threshold - remaining) <= 0.10 * remaining, (n, remaining)


def test_series_csv(tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("time,value\n2026-12-04T08:00:00Z,1\n2026-12-04T08:01:00Z,2\n"
                 "2026-12-04T08:02:00+00:00,3\n", encoding="utf-8")
    times, values = read_series(f)
    p, at = predict_from_times(times, values, 10)
    assert at.isoformat() == "2026-12-04T08:09:00+00:00"
    assert p.rate_per_min == pytest.approx(1.0)
    bad = tmp_path / "b.csv"
    bad.write_text("time,value\n2026-12-04T08:00:00,1\nyesterday,x\n2026-12-04T08:00:00Z,nan\n",
                   encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_series(bad)
    assert len(err.value.problems) == 3
    assert "row 2" in str(err.value) and "'time'" in str(err.value)
