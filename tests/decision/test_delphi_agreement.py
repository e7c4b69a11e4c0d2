"""Delphi feedback and Kendall's W on small cases checked by hand."""

from __future__ import annotations

import pytest

from command.decision.agreement import choice_ranks, kendall_w, ranks
from command.decision.delphi import check_ratings, feedback, rank
from command.errors import DataError


def test_feedback_median_quartiles_and_consensus():
    fb = feedback(["o1", "o2"], [{"o1": 7, "o2": 2}, {"o1": 8, "o2": 9},
                                 {"o1": 7, "o2": 5}, {"o1": 8, "o2": 1}])
    o1, o2 = fb
    # o1: 7 7 8 8 -> median 7.5, q1 7, q3 8 (linear), IQR 1: consensus
    assert (o1.n, o1.median, o1.q1, o1.q3, o1.low, o1.high) == (4, 7.5, 7.0, 8.0, 7, 8)
    assert o1.iqr == 1.0 and o1.consensus
    # o2: 1 2 5 9 -> median 3.5, q1 1.75, q3 6
    assert (o2.median, o2.q1, o2.q3) == (3.5, 1.75, 6.0) and not o2.consensus
    assert rank(["o1", "o2"], fb) == ("o1", "o2")
    assert "user" not in str(o1.to_dict())  # anonymous: counts and quantiles only


def test_rank_ties_by_iqr_then_order():
    fb = feedback(["a", "b", "c"], [{"a": 5, "b": 5, "c": 5}, {"a": 5, "b": 7, "c": 5},
                                    {"a": 5, "b": 3, "c": 5}])
    assert rank(["a", "b", "c"], fb) == ("a", "c", "b")


def test_ratings_are_checked():
    with pytest.raises(DataError) as exc:
        check_ratings(["o1", "o2"], {"o1": 0, "o3": 5})
    text = [str(p) for p in exc.value.problems]
    assert any("'o1' (value 0): a whole number from 1 to 9" in t for t in text)
    assert any("'o3'" in t and "not an option" in t for t in text)
    assert any("'o2': not rated" in t for t in text)
    with pytest.raises(DataError):
        check_ratings(["o1"], {"o1": 2.5})


def test_kendall_w_perfect_none_and_hand_case():
    assert kendall_w([[1, 2, 3], [1, 2, 3], [1, 2, 3]]).w == pytest.approx(1.0)
    assert kendall_w([[1, 2, 3], [3, 2, 1]]).w == pytest.approx(0.0)
    # m = 3, n = 4; rank sums 4, 7, 8, 11; mean 7.5; S = 12.25+0.25+0.25+12.25 = 25
    # W = 12 * 25 / (9 * 60) = 0.5556
    c = kendall_w([[1, 2, 3, 4], [2, 1, 3, 4], [1, 4, 2, 3]])
    assert c.w == pytest.approx(300 / 540) and (c.m, c.n) == (3, 4)
    assert c.chi2 == pytest.approx(3 * 3 * 300 / 540)
    assert kendall_w([[1, 2]]) is None


def test_kendall_w_ties_are_corrected():
    # judge 2 ties the last two items: T = 2^3 - 2 = 6
    r = [[1, 2, 3], [1, 2.5, 2.5]]
    # sums 2, 4.5, 5.5; mean 4; S = 4 + 0.25 + 2.25 = 6.5; W = 12*6.5 / (4*24 - 2*6)
    assert kendall_w(r).w == pytest.approx(78 / 84)
    assert kendall_w([[1.5, 1.5], [1.5, 1.5]]) is None


def test_ranks_and_choice_ranks():
    assert ranks([3, 9, 3]) == [2.5, 1.0, 2.5]
    assert choice_ranks(["a", "b", "c"], [["b"], ["c", "a"]]) == [[2.5, 1.0, 2.5],
                                                                  [2.0, 3.0, 1.0]]
