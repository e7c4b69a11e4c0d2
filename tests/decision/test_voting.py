"""Voting methods on cases a reader can check by hand, the tie rule, a Condorcet example
where Borda and majority differ, and the refusals of bad ballots."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from command.decision.voting import (
    Ballot,
    approval,
    borda,
    check_ballots,
    condorcet_winner,
    count,
    majority,
    pairwise,
)
from command.errors import DataError

ABC = ["A", "B", "C"]


def _b(*rows):
    return [Ballot(f"v{i}", tuple(r[0]), r[1] if len(r) > 1 else 1.0)
            for i, r in enumerate(rows)]


def test_condorcet_example_where_borda_and_majority_differ():
    # 3 voters A > B > C, 2 voters B > C > A
    ballots = _b(("ABC",), ("ABC",), ("ABC",), ("BCA",), ("BCA",))
    m = majority(ABC, ballots)
    assert m.scores == {"A": 3, "B": 2, "C": 0} and m.winner == "A"
    assert m.share == pytest.approx(0.6) and m.is_majority
    b = borda(ABC, ballots)
    # A: 3*2 = 6; B: 3*1 + 2*2 = 7; C: 2*1 = 2
    assert b.scores == {"A": 6, "B": 7, "C": 2} and b.winner == "B"
    assert condorcet_winner(ABC, ballots) == "A"  # A beats B 3:2 and C 3:2
    p = pairwise(ABC, ballots)
    assert (p[("A", "B")], p[("B", "A")], p[("B", "C")], p[("C", "B")]) == (3, 2, 5, 0)


def test_weights_count():
    ballots = _b(("A", 1), ("A", 1), ("B", 3))
    m = majority(ABC, ballots)
    assert m.scores == {"A": 2, "B": 3, "C": 0} and m.winner == "B"
    assert m.share == pytest.approx(0.6) and m.weight_cast == 5


def test_plurality_without_majority():
    m = majority(ABC, _b(("A",), ("A",), ("B",), ("C",)))
    assert m.winner == "A" and m.share == 0.5 and not m.is_majority


def test_approval():
    a = approval(ABC, _b(("AB",), ("B",), ("CB",), ("A",)))
    assert a.scores == {"A": 2, "B": 3, "C": 1} and a.ranking == ("B", "A", "C")
    assert a.share == pytest.approx(0.75)


def test_borda_partial_rankings_score_the_rest_zero():
    b = borda(ABC, _b(("C",), ("BA",)))
    # C: 2; B: 2, A: 1
    assert b.scores == {"A": 1, "B": 2, "C": 2}


def test_tie_rule_is_the_options_order_and_the_tie_is_reported():
    ballots = _b(("AB",), ("BA",))
    b = borda(ABC, ballots)
    assert b.scores == {"A": 3, "B": 3, "C": 0}  # 2 + 1 each
    assert b.winner == "A" and b.tied == ("A", "B") and b.to_dict()["tie_broken"]
    # the same ballots with the options listed the other way round
    assert borda(["B", "A", "C"], ballots).winner == "B"
    m = majority(ABC, ballots)
    assert m.winner == "A" and m.tied == ("A", "B") and not m.is_majority
    # weights that only tie after rounding still tie
    m = majority(ABC, _b(("A", 0.1), ("A", 0.2), ("B", 0.3)))
    assert m.tied == ("A", "B")
    # no tie: a single option at the top
    assert majority(ABC, _b(("B",))).tied == ("B",)


def test_no_ballots_no_winner():
    m = majority(ABC, [])
    assert m.winner is None and m.tied == () and m.ballots == 0 and m.share is None


def test_condorcet_cycle_has_no_winner():
    assert condorcet_winner(ABC, _b(("ABC",), ("BCA",), ("CAB",))) is None


def test_count_checks_ballots():
    t = count("approval", ABC, [{"voter": "li", "choices": ["A", "C"]},
                                {"voter": "wang", "choices": "B", "weight": 2}])
    assert t.scores == {"A": 1, "B": 2, "C": 1}


def test_bad_ballots_are_refused_all_at_once():
    with pytest.raises(DataError) as exc:
        check_ballots(ABC, [{"voter": "li", "choices": ["A", "D"]},
                            {"voter": "li", "choices": ["B", "B"]},
                            {"voter": "", "choices": []},
                            {"voter": "x", "choices": ["A"], "weight": 0, "extra": 1}],
                      source="b.json")
    text = [str(p) for p in exc.value.problems]
    assert "b.json, row 1, field 'choices' (value 'D'): not an option (options: A, B, C)" in text
    assert "b.json, row 2, field 'voter' (value 'li'): this voter has a ballot already" in text
    assert "b.json, row 2, field 'choices' (value 'B'): option named twice on one ballot" in text
    assert any(t.startswith("b.json, row 3, field 'voter'") for t in text)
    assert any(t.startswith("b.json, row 3, field 'choices'") for t in text)
    assert any("row 4, field 'weight' (value 0)" in t for t in text)
    assert any("row 4, field 'extra'" in t for t in text)
    with pytest.raises(DataError, match="Unknown voting method"):
        count("range", ABC, [])


@given(st.lists(st.tuples(st.permutations(ABC), st.integers(1, 5)), max_size=12))
def test_scores_add_up(rows):
    ballots = [Ballot(f"v{i}", tuple(p), float(w)) for i, (p, w) in enumerate(rows)]
    cast = sum(b.weight for b in ballots)
    assert sum(majority(ABC, ballots).scores.values()) == pytest.approx(cast)
    assert sum(borda(ABC, ballots).scores.values()) == pytest.approx(3 * cast)
    assert sum(approval(ABC, ballots).scores.values()) == pytest.approx(3 * cast)
    w = condorcet_winner(ABC, ballots)
    if w is not None:  # a Condorcet winner is never last by Borda
        assert borda(ABC, ballots).ranking[-1] != w
