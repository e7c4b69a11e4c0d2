"""Risk feeds response (command/risk/feeds.py): incident-rate multipliers per district and
siting demand weights from the register, checked by hand on tiny inputs, and the weights
moving a p-median post toward people living near severe risks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from command.dispatch.siting import p_median
from command.model import IncidentRate
from command.risk.feeds import (
    GRADE_WEIGHTS,
    district_multipliers,
    risk_weighted_rates,
    siting_weights,
)


@dataclass(frozen=True)
class P:
    district: str
    grade: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Place:
    area_id: str
    lat: float
    lon: float
    population: int


POINTS = [P("鄂城区", "red", 30.40, 114.84), P("鄂城区", "yellow", 30.40, 114.85),
          P("华容区", "blue", 30.50, 114.65)]


def test_district_multipliers_add_the_grade_weights():
    assert GRADE_WEIGHTS == {"red": 1.0, "orange": 0.5, "yellow": 0.2, "blue": 0.05}
    assert district_multipliers(POINTS) == pytest.approx({"鄂城区": 2.2, "华容区": 1.05})
    assert district_multipliers([]) == {}


def test_only_the_industrial_rates_of_districts_with_points_are_scaled():
    rates = (IncidentRate("industrial_fire", "鄂城区", 33.2, "t"),
             IncidentRate("hazmat_leak", "华容区", 4.96, "t"),
             IncidentRate("medical", "鄂城区", 12448.8, "t"),
             IncidentRate("industrial_fire", "梁子湖区", 1.51, "t"))
    out = risk_weighted_rates(rates, POINTS)
    assert [r.per_year for r in out] == pytest.approx([33.2 * 2.2, 4.96 * 1.05, 12448.8, 1.51])
    assert out[2] is rates[2] and out[3] is rates[3]
    assert out[0].source == "t; x 2.2 from the risk register (docs/risk.md)"
    assert [(r.incident_type, r.district) for r in out] == [
        (r.incident_type, r.district) for r in rates]


def test_siting_weights_count_the_points_within_the_radius():
    places = [Place("a", 30.40, 114.84, 1000),  # both 鄂城区 points within 1 km
              Place("b", 30.50, 114.65, 2000),  # the blue point on it
              Place("c", 30.30, 115.00, 500)]  # nothing within 3 km
    w = siting_weights(places, POINTS)
    assert w == pytest.approx([1000 * 2.2, 2000 * 1.05, 500])
    # a smaller radius leaves out the yellow point ~960 m east of place a
    assert siting_weights(places, POINTS, radius_m=500)[0] == pytest.approx(2000)
    assert siting_weights(places, []) == pytest.approx([1000, 2000, 500])


def test_the_weights_pull_a_post_toward_people_near_severe_risk():
    # three places on a line, 0 - 1 - 2 km apart in travel; one post. With the people
    # alone the middle place wins; a red risk at the east end moves the post there.
    places = [Place("w", 30.0, 114.00, 100), Place("m", 30.0, 114.50, 120),
              Place("e", 30.0, 115.00, 100)]
    dist = np.array([[0, 1, 2], [1, 0, 1], [2, 1, 0]], dtype=float)
    plain = p_median(dist, 1, time_limit_s=5.0, weights=siting_weights(places, []))
    assert plain.facilities == (1,)
    red = [P("x", "red", 30.0, 115.0), P("x", "red", 30.0, 115.001)]
    weighted = p_median(dist, 1, time_limit_s=5.0, weights=siting_weights(places, red))
    assert weighted.facilities == (2,)
