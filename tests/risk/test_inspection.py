"""Self-inspection scoring (checkable by eye) and its lifecycle; the checklists as data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from command.errors import DataError
from command.risk.checklists import INDUSTRY_OF, checklist_for, load_checklists
from command.risk.inspection import (
    LIKELIHOOD_STEPS,
    TRANSITIONS,
    likelihood_of_share,
    next_state,
    score,
)


def _answers(checklist, **overrides):
    return {**{i.id: "pass" for i in checklist.items}, **overrides}


def test_every_checklist_loads_and_every_industry_maps_to_one():
    lists = load_checklists()
    assert {"hazardous_chemicals", "metallurgy", "mining", "fireworks", "construction",
            "crowded_places"} <= set(lists)
    assert set(INDUSTRY_OF.values()) <= set(lists)
    for c in lists.values():
        assert all(i.measure.zh and i.measure.en and i.basis for i in c.items)


def test_all_passed_gives_the_inherent_risk():
    c = checklist_for("hazardous_chemicals")  # inherent severity 4
    p = score(c, _answers(c))
    assert (p.likelihood, p.severity, p.r, p.colour) == (1, 4, 4, "blue")
    assert p.measures == () and p.failed == ()


def test_failed_items_raise_likelihood_and_severity_and_each_gets_its_measure():
    c = checklist_for("hazardous_chemicals")  # total weight 18
    # HC02 (severity 5, weight 3) and HC07 (2, 1) fail: share 4/18 = 0.22 -> L 3; S 5
    p = score(c, _answers(c, HC02="fail", HC07="fail"))
    assert (p.failed_weight, p.applicable_weight) == (4, 18)
    assert (p.likelihood, p.severity, p.r, p.colour) == (3, 5, 15, "orange")
    assert [m.item_id for m in p.measures] == ["HC02", "HC07"]  # most severe first
    assert "检测报警" in p.measures[0].measure_zh and p.measures[0].basis
    # not applicable items leave the denominator: 4 / (18 - 3) = 0.27 -> L 4, R 20 red
    p = score(c, _answers(c, HC02="fail", HC07="fail", HC01="na"))
    assert (p.applicable_weight, p.likelihood, p.r, p.colour) == (15, 4, 20, "red")


@pytest.mark.parametrize("share,level", [(0.0, 1), (0.01, 2), (0.10, 2), (0.11, 3),
                                         (0.25, 3), (0.26, 4), (0.50, 4), (0.51, 5), (1.0, 5)])
def test_likelihood_steps_at_their_bounds(share, level):
    assert likelihood_of_share(share) == level


@given(st.floats(0, 1), st.floats(0, 1))
def test_likelihood_never_falls_as_more_fails(a, b):
    lo, hi = sorted((a, b))
    assert likelihood_of_share(lo) <= likelihood_of_share(hi)
    assert 1 <= likelihood_of_share(hi) <= LIKELIHOOD_STEPS[-1][1]


def test_bad_answers_are_named_all_at_once():
    c = checklist_for("metallurgy")
    answers = _answers(c, MT01="maybe", HC01="fail")  # a chemicals item on a steel checklist
    del answers["MT02"]
    with pytest.raises(DataError) as err:
        score(c, answers)
    fields = {(p.field, p.value) for p in err.value.problems}
    assert ("answers.MT01", "maybe") in fields and ("answers.HC01", "fail") in fields
    assert ("answers.MT02", None) in fields
    with pytest.raises(DataError, match="nothing to grade"):
        score(c, {i.id: "na" for i in c.items})
    with pytest.raises(DataError, match="unknown industry"):
        checklist_for("textiles")


def test_the_lifecycle_allows_only_its_steps():
    assert next_state("submitted", "confirm") == "confirmed"
    assert next_state("submitted", "return") == "returned"
    for state in ("confirmed", "regraded", "returned"):
        with pytest.raises(DataError, match="this step is not allowed now"):
            next_state(state, "confirm")
    assert {a for (_s, a) in TRANSITIONS} == {"confirm", "regrade", "return"}
