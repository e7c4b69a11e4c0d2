"""The periodic rating rule (command/risk/rating.py) on hand-made register points: each
point graded again by its own method from its stored inputs, self-inspected points kept
and flagged when their inspection is overdue, the grades each period covers, and bad
input named."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from command.errors import DataError
from command.i18n import t
from command.risk import gb18218_grade, lec_grade, ls_grade
from command.risk.rating import (
    PERIOD_GRADES,
    REVIEW_INTERVAL_DAYS,
    rate_points,
    regrade,
    why_text,
)

NOW = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)
COLOURS = {1: "red", 2: "orange", 3: "yellow", 4: "blue"}


@dataclass(frozen=True)
class Point:
    risk_id: str
    grade: str
    method: str
    inputs: dict = field(default_factory=dict)
    enterprise_id: str | None = None
    updated_at: datetime = NOW - timedelta(days=1)


# ammonia: Q 10 t, β 2 (Table 3); 150 people: α 2. 500 t: R = 2 x 2 x 50 = 200, 一级.
AMMONIA_500 = gb18218_grade([("ammonia", 500)], people=150).to_dict()
# 50 t, 150 people: R = 2 x 2 x 5 = 20, 三级 (yellow).
AMMONIA_50 = gb18218_grade([("ammonia", 50)], people=150).to_dict()


def _rate(points, period="year", **kw):
    return rate_points(points, period=period, now=NOW, gb18218_colours=COLOURS, **kw)


def test_a_stale_gb18218_grade_is_recomputed_from_its_inputs():
    points = [Point("RP-1", "blue", "gb18218", AMMONIA_500),  # stale: R 200 is red
              Point("RP-2", "yellow", "gb18218", AMMONIA_50)]  # right already
    result = _rate(points)
    assert result.reviewed == ("RP-1", "RP-2") and result.grades == PERIOD_GRADES["year"]
    (change,) = result.changes
    assert (change.risk_id, change.grade_from, change.grade_to) == ("RP-1", "blue", "red")
    assert (change.value_name, change.value) == ("R", 200)
    assert change.grading.grade == 1 and change.grading.values["S"] == 50
    assert why_text(change, "en") == (
        "recomputed by Major hazard installations for hazardous chemicals (GB 18218-2018) "
        "from the stored inputs: R = 200, so Red (was Blue)")
    assert why_text(change, "zh") == ("按危险化学品重大危险源辨识与分级（GB 18218-2018）以登记的"
                                      "输入重新计算：R = 200，等级应为红（原为蓝）")
    assert not result.overdue and not result.unrated


def test_lec_and_ls_points_are_graded_again_by_their_methods():
    lec = lec_grade(3, 10, 15).to_dict()  # D 450: extreme, red
    ls = ls_grade(2, 3).to_dict()  # R 6: blue
    result = _rate([Point("L1", "orange", "lec", lec), Point("S1", "yellow", "ls", ls)])
    got = {c.risk_id: (c.grade_to, c.value_name, c.value) for c in result.changes}
    assert got == {"L1": ("red", "D", 450), "S1": ("blue", "R", 6)}


def test_a_unit_below_the_threshold_takes_the_not_major_colour():
    small = gb18218_grade([("ammonia", 5)], people=150).to_dict()  # S 0.5: no grade
    assert regrade("gb18218", small, gb18218_colours=COLOURS)[0] == "blue"
    assert regrade("gb18218", small, gb18218_colours=COLOURS, not_major="yellow")[0] == "yellow"


def test_self_inspected_points_are_kept_and_flagged_when_overdue():
    old = NOW - timedelta(days=8)
    points = [Point("RP-E1", "red", "self-inspection", {"L": 5}, "E1"),
              Point("RP-E2", "red", "supervisor", {}, "E2"),
              Point("RP-E3", "orange", "self-inspection", {}, "E3", updated_at=old),
              Point("RP-E4", "blue", "self-inspection", {}, "E4", updated_at=old)]
    last = {"E1": NOW - timedelta(days=7), "E2": old}
    result = _rate(points, last_inspected=last)
    assert not result.changes and not result.unrated  # nobody re-grades an inspection
    # E1 at exactly 7 days is due, not overdue; E2 is a day late; E3 (no inspection on
    # file: counted from its grading 8 days ago) is within orange's 30 days
    assert [(o.risk_id, o.review_days, o.days_since) for o in result.overdue] == [
        ("RP-E2", 7, 8.0)]
    assert result.overdue[0].last_inspected_at == old
    later = rate_points(points, period="year", now=NOW + timedelta(days=23),
                        gb18218_colours=COLOURS, last_inspected=last)
    assert [o.risk_id for o in later.overdue] == ["RP-E1", "RP-E2", "RP-E3"]


def test_each_period_covers_its_grades():
    points = [Point(f"P-{g}", g, "self-inspection", {}, f"E-{g}",
                    updated_at=NOW - timedelta(days=400)) for g in REVIEW_INTERVAL_DAYS]
    assert _rate(points, "week").reviewed == ("P-red",)
    assert [o.risk_id for o in _rate(points, "month").overdue] == [
        "P-red", "P-orange", "P-yellow"]
    assert len(_rate(points, "year").overdue) == 4
    assert REVIEW_INTERVAL_DAYS == {"red": 7, "orange": 30, "yellow": 91, "blue": 365}


def test_inputs_that_no_longer_grade_are_reported_and_kept():
    bad = {"inputs": {"substances": [{"substance": "unobtainium", "quantity_t": 1}],
                      "people": 3}}
    result = _rate([Point("X1", "red", "gb18218", bad), Point("X2", "red", "lec", {}),
                    Point("X3", "red", "gb18218", AMMONIA_500)])
    assert [(u.risk_id, u.method) for u in result.unrated] == [("X1", "gb18218"),
                                                               ("X2", "lec")]
    assert "unobtainium" in result.unrated[0].problem
    assert "stored inputs unreadable" in result.unrated[1].problem
    assert not result.changes


def test_a_bad_period_is_named_and_a_naive_now_refused():
    with pytest.raises(DataError) as err:
        _rate([], "quarter")
    assert "field 'period' (value 'quarter')" in str(err.value)
    with pytest.raises(ValueError, match="now: .* has no time zone"):
        rate_points([], period="week", now=datetime(2026, 12, 3), gb18218_colours=COLOURS)


def test_the_reason_texts_exist_in_both_languages():
    for period in PERIOD_GRADES:
        assert t(f"rating.period.{period}", "zh") and t(f"rating.period.{period}", "en")
