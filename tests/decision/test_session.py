"""The session's specification, its ballots and its lifecycle (a pure state machine)."""

from __future__ import annotations

import itertools

import pytest

from command.decision.ahp import matrix_from_upper
from command.decision.session import (
    ACTIONS,
    METHODS,
    STATES,
    advance,
    ahp_checks,
    check_ballot,
    check_open,
    check_spec,
)
from command.errors import DataError


def _spec(**kw):
    base = dict(question="撤离半径取多少？", method="borda",
                options=["500 m", {"label": "1000 m", "kind": "radius", "ref": 1000}, "2000 m"],
                criteria=["安全", "代价"],
                participants=[{"user": "li", "role": "leader", "weight": 2},
                              {"user": "wang"}])
    base.update(kw)
    return check_spec(**base)


def test_a_spec_numbers_its_options_and_criteria():
    s = _spec()
    assert s.option_ids == ("o1", "o2", "o3") and s.criterion_ids == ("c1", "c2")
    assert s.options[1].kind == "radius" and s.options[1].ref == 1000
    assert [(p.user, p.role, p.weight) for p in s.participants] == [
        ("li", "leader", 2.0), ("wang", "expert", 1.0)]


def test_a_bad_spec_names_every_problem():
    with pytest.raises(DataError) as exc:
        check_spec(question=" ", method="dice", options=["a", "a", {"label": "b", "kind": "x"}],
                   criteria=["k"], participants=[{"user": "li", "weight": 0},
                                                 {"user": "li", "role": "boss"}])
    fields = [(p.field, p.row, p.value) for p in exc.value.problems]
    assert ("question", None, " ") in fields and ("method", None, "dice") in fields
    assert ("options", 2, "a") in fields and ("options", 3, "x") in fields
    assert ("participants", 1, 0) in fields and ("participants", 2, "li") in fields
    assert ("participants", 2, "boss") in fields
    with pytest.raises(DataError, match="criteria"):
        _spec(method="ahp", criteria=["only one"])
    with pytest.raises(DataError):
        _spec(options=["one"])


def test_lifecycle_every_state_and_action():
    allowed = {("draft", "open"): "open", ("open", "close"): "closed"}
    for state, action in itertools.product(STATES, ACTIONS):
        for method in METHODS:
            if (state, action) in allowed:
                step = advance(state, action, method=method, round_=1)
                assert step.to == allowed[(state, action)]
            elif (state, action) == ("open", "next_round") and method == "delphi":
                assert advance(state, action, method=method, round_=2,
                               ballots_in_round=3).round == 3
                with pytest.raises(DataError, match="Nobody has rated"):
                    advance(state, action, method=method, round_=2)
            else:
                with pytest.raises(DataError):
                    advance(state, action, method=method, round_=1, ballots_in_round=5)
    with pytest.raises(DataError, match="Unknown session state"):
        advance("paused", "open", method="borda", round_=1)


def test_ballots_only_while_open():
    check_open("open")
    with pytest.raises(DataError, match="not open yet"):
        check_open("draft")
    with pytest.raises(DataError, match="closed: voting has ended"):
        check_open("closed")


OPTS = ["o1", "o2", "o3"]


def test_ballot_shapes():
    assert check_ballot("majority", {"choice": "o2"}, options=OPTS) == {"choice": "o2"}
    assert check_ballot("approval", {"approve": ["o3", "o1"]}, options=OPTS) == {
        "approve": ["o3", "o1"]}
    assert check_ballot("borda", {"ranking": ["o2"]}, options=OPTS) == {"ranking": ["o2"]}
    assert check_ballot("delphi", {"ratings": {"o1": 9, "o2": 1, "o3": 5}}, options=OPTS) == {
        "ratings": {"o1": 9, "o2": 1, "o3": 5}}
    m = matrix_from_upper(3, [3, 5, 2])
    b = check_ballot("ahp", {"matrices": {"options": m}}, options=OPTS)
    assert ahp_checks(b)["options"].consistent


def test_a_ballot_naming_an_unknown_option_is_refused():
    with pytest.raises(DataError) as exc:
        check_ballot("majority", {"choice": "o9"}, options=OPTS)
    assert exc.value.problems[0].field == "choice" and exc.value.problems[0].value == "o9"
    with pytest.raises(DataError) as exc:
        check_ballot("borda", {"ranking": ["o1", "o1", "x"], "note": 1}, options=OPTS)
    assert {(p.field, p.value) for p in exc.value.problems} == {
        ("ranking", "o1"), ("ranking", "x"), ("note", 1)}


def test_ahp_ballot_with_criteria_needs_every_matrix_of_the_right_size():
    crit = ["c1", "c2"]
    good = {"criteria": [[1, 3], [1 / 3, 1]], "c1": matrix_from_upper(3, [1, 2, 2]),
            "c2": matrix_from_upper(3, [1 / 3, 1, 3])}
    assert set(check_ballot("ahp", {"matrices": good}, options=OPTS, criteria=crit)[
        "matrices"]) == {"criteria", "c1", "c2"}
    bad = {"criteria": [[1, 3], [3, 1]], "c1": [[1, 2], [0.5, 1]], "zz": []}
    with pytest.raises(DataError) as exc:
        check_ballot("ahp", {"matrices": bad}, options=OPTS, criteria=crit)
    text = "\n".join(str(p) for p in exc.value.problems)
    assert "matrix criteria, row 1, field 'column 2' (value 3): not reciprocal" in text
    assert "matrix c1 (value 2): compares 2 items; this session has 3" in text
    assert "field 'matrices' (value 'c2'): missing" in text
    assert "field 'matrices' (value 'zz'): not a matrix of this session" in text
    with pytest.raises(DataError, match="positive"):
        check_ballot("ahp", {"matrices": {"options": [[1, 0, 1], [1, 1, 1], [1, 1, 1]]}},
                     options=OPTS)
