"""A closed session's result for each method, with its diagnostics."""

from __future__ import annotations

import pytest

from command.decision.ahp import matrix_from_upper
from command.decision.tally import outcome

OPTS = ["o1", "o2", "o3"]


def test_borda_with_condorcet_and_agreement():
    ballots = {f"a{i}": {"ranking": ["o1", "o2", "o3"]} for i in range(3)}
    ballots |= {f"b{i}": {"ranking": ["o2", "o3", "o1"]} for i in range(2)}
    out = outcome("borda", OPTS, ballots=ballots)
    assert out.winner == "o2" and out.scores == {"o1": 6, "o2": 7, "o3": 2}
    assert out.diagnostics["condorcet_winner"] == "o1"
    assert 0 < out.diagnostics["agreement"]["kendall_w"] < 1
    maj = outcome("majority", OPTS, ballots={u: {"choice": b["ranking"][0]}
                                             for u, b in ballots.items()})
    assert maj.winner == "o1" and maj.diagnostics["majority"]


def test_weights_of_participants_count():
    ballots = {"li": {"choice": "o1"}, "wang": {"choice": "o2"}, "zhao": {"choice": "o2"}}
    out = outcome("majority", OPTS, ballots=ballots, weights={"li": 3})
    assert out.winner == "o1" and out.scores["o1"] == 3 and out.to_dict()["ballots"] == 3


def test_ahp_group_with_criteria():
    # both judges: criterion 1 three times criterion 2; under c1 o1 best, under c2 o3 best
    crit = ["c1", "c2"]
    m = {"criteria": [[1, 3], [1 / 3, 1]], "c1": matrix_from_upper(3, [3, 5, 2]),
         "c2": matrix_from_upper(3, [1, 1 / 5, 1 / 5])}
    cyc = {**m, "c1": [[1, 3, 1 / 3], [1 / 3, 1, 3], [3, 1 / 3, 1]]}
    out = outcome("ahp", OPTS, criteria=crit, ballots={"li": {"matrices": m},
                                                       "wang": {"matrices": m}})
    assert out.winner == "o1" and sum(out.scores.values()) == pytest.approx(1)
    assert out.diagnostics["criteria_weights"] == pytest.approx({"c1": 0.75, "c2": 0.25})
    assert out.diagnostics["inconsistent"] == []
    assert out.diagnostics["agreement"]["kendall_w"] == pytest.approx(1.0)
    out = outcome("ahp", OPTS, criteria=crit, ballots={"li": {"matrices": m},
                                                       "wang": {"matrices": cyc}})
    assert out.diagnostics["inconsistent"] == ["wang"]
    assert not out.diagnostics["participants"]["wang"]["consistent"]
    assert set(out.diagnostics["group"]) == {"criteria", "c1", "c2"}


def test_delphi_two_rounds():
    r1 = {"li": {"ratings": {"o1": 9, "o2": 2, "o3": 5}},
          "wang": {"ratings": {"o1": 3, "o2": 8, "o3": 5}}}
    r2 = {"li": {"ratings": {"o1": 8, "o2": 3, "o3": 5}},
          "wang": {"ratings": {"o1": 7, "o2": 4, "o3": 5}}}
    out = outcome("delphi", OPTS, ballots=r2, rounds=[r1, r2])
    assert out.winner == "o1" and out.scores == {"o1": 7.5, "o2": 3.5, "o3": 5.0}
    assert [f["median"] for f in out.diagnostics["rounds"][0]] == [6.0, 5.0, 5.0]
    assert out.diagnostics["consensus"] == {"o1": True, "o2": True, "o3": True}


def test_nothing_cast():
    for method in ("majority", "borda", "ahp", "delphi"):
        out = outcome(method, OPTS, ballots={})
        assert out.winner is None and out.ballots == 0
