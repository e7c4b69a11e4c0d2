"""The double-random draw and the blacklist rules (command/risk/enforcement.py), pure.

Small cases checkable by eye, then hypothesis properties against an independent oracle:
a networkx maximum flow that says whether a set of enterprises can all be staffed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from command.errors import DataError
from command.risk.enforcement import (
    MAX_SEED,
    DrawEnterprise,
    Inspector,
    draw_inspections,
    draw_problems,
    is_blacklisted,
    listing_ends_at,
    listing_problems,
    listing_state,
)

ENTERPRISES = tuple(DrawEnterprise(f"E{k}", "鄂城区", "chemical") for k in range(1, 7))
INSPECTORS = tuple(Inspector(f"I{k}", "ema") for k in range(1, 7))


def _draw(enterprises=ENTERPRISES, inspectors=INSPECTORS, **kw):
    kw = {"n_enterprises": 3, "seed": 7, **kw}
    return draw_inspections(enterprises, inspectors, **kw)


# --- reproducible, random, exact on hand-made cases -------------------------------------

def test_the_same_seed_gives_the_same_draw_whatever_the_input_order():
    first = _draw(seed=20261203)
    again = _draw(tuple(reversed(ENTERPRISES)), tuple(reversed(INSPECTORS)), seed=20261203)
    assert again == first
    assert first.seed == 20261203 and len(first.enterprises) == 3 and not first.unstaffed
    assert [len(first.inspectors_of(e)) for e in first.enterprises] == [2, 2, 2]


def test_different_seeds_give_different_draws():
    draws = {(d.enterprises, d.pairs) for d in (_draw(seed=s) for s in range(20))}
    # 6 choose 3 in order x inspector pairs: twenty seeds all alike would be a broken rng
    assert len(draws) >= 15


def test_a_seed_always_draws_what_it_drew():
    # Pinned: the order of the random numbers is part of the method (module docstring);
    # if this changes, every published draw can no longer be re-run. The values are
    # numpy's own: default_rng(1).permutation(6)[:3], then the two cheapest of each row
    # of .integers(0, 2**31, (3, 6)) (no limit binds, so no flow is needed to check them).
    result = _draw(seed=1)
    assert result.enterprises == ("E5", "E1", "E3")
    assert [(p.enterprise_id, p.inspector_id) for p in result.pairs] == [
        ("E5", "I2"), ("E5", "I6"), ("E1", "I2"), ("E1", "I6"), ("E3", "I1"), ("E3", "I5")]


def test_a_conflict_is_never_drawn_and_too_few_inspectors_is_said():
    inspectors = (Inspector("I1", "ema", frozenset({"E1", "E2"})),
                  Inspector("I2", "ema", frozenset({"E1"})),
                  Inspector("I3", "fire"))
    result = _draw(ENTERPRISES[:2], inspectors, n_enterprises=2, seed=3)
    assert set(result.enterprises) == {"E1", "E2"}
    assert result.inspectors_of("E2") == ("I2", "I3")
    assert [(u.enterprise_id, u.reason, u.eligible_inspectors, u.needed)
            for u in result.unstaffed] == [("E1", "too_few_inspectors", 1, 2)]
    assert result.inspectors_of("E1") == ()


def test_the_previous_draw_is_not_repeated():
    previous = [("E1", "I1"), ("E1", "I2")]
    result = _draw(ENTERPRISES[:1], INSPECTORS[:3], n_enterprises=1, seed=5, previous=previous)
    assert result.inspectors_of("E1") == ()  # only I3 is left: one is not two
    assert result.unstaffed[0].reason == "too_few_inspectors"
    result = _draw(ENTERPRISES[:1], INSPECTORS[:4], n_enterprises=1, seed=5, previous=previous)
    assert result.inspectors_of("E1") == ("I3", "I4")


def test_the_limit_per_inspector_goes_to_the_enterprises_drawn_first():
    # 4 inspectors, each at most once: two enterprises staffed, the third waits for them
    result = _draw(ENTERPRISES[:3], INSPECTORS[:4], n_enterprises=3, seed=11,
                   max_per_inspector=1)
    first, second, third = result.enterprises
    assert {len(result.inspectors_of(first)), len(result.inspectors_of(second))} == {2}
    assert [(u.enterprise_id, u.reason, u.eligible_inspectors) for u in result.unstaffed] == \
        [(third, "inspectors_taken", 4)]
    assert Counter(p.inspector_id for p in result.pairs) == Counter(
        {"I1": 1, "I2": 1, "I3": 1, "I4": 1})


def test_staffing_finds_the_assignment_a_greedy_pick_would_miss():
    # E1 may have I1, I2, I3; E2 only I1, I2. Once each: E1 must leave I1 and I2 to E2,
    # which a first-come pick of E1's cheapest inspectors need not do.
    inspectors = (Inspector("I1", "ema"), Inspector("I2", "ema"),
                  Inspector("I3", "ema", frozenset({"E2"})), Inspector("I4", "ema",
                                                                   frozenset({"E2"})))
    for seed in range(30):
        result = _draw(ENTERPRISES[:2], inspectors, n_enterprises=2, seed=seed,
                       max_per_inspector=1)
        assert not result.unstaffed, seed
        assert result.inspectors_of("E2") == ("I1", "I2")


@pytest.mark.parametrize(("kw", "field", "value"), [
    ({"n_enterprises": 0}, "enterprises", 0),
    ({"n_enterprises": 7}, "enterprises", 7),
    ({"inspectors_per_enterprise": 0}, "inspectors", 0),
    ({"inspectors_per_enterprise": 7}, "inspectors", 7),
    ({"seed": -1}, "seed", -1),
    ({"seed": MAX_SEED + 1}, "seed", MAX_SEED + 1),
    ({"seed": 1.5}, "seed", 1.5),
    ({"seed": True}, "seed", True),
    ({"max_per_inspector": 0}, "max_per_inspector", 0),
])
def test_bad_input_names_the_field_and_the_value(kw, field, value):
    with pytest.raises(DataError) as err:
        _draw(**kw)
    assert f"field '{field}' (value {value!r})" in str(err.value)


def test_every_problem_at_once_and_duplicates_refused():
    problems = draw_problems(ENTERPRISES + ENTERPRISES[:1], INSPECTORS + INSPECTORS[:1],
                             n_enterprises=0, inspectors_per_enterprise=0, seed=-3)
    assert [(p.field, p.value) for p in problems] == [
        ("enterprises", 0), ("inspectors", 0), ("seed", -3), ("enterprise", "E1"),
        ("inspector", "I1")]


# --- properties against the oracle ----------------------------------------------------

def _staffable(enterprise_ids, inspectors, need, cap, forbidden) -> bool:
    """networkx oracle: can every enterprise of ``enterprise_ids`` get ``need`` distinct
    allowed inspectors, each inspector at most ``cap`` times?"""
    g = nx.DiGraph()
    for e in enterprise_ids:
        g.add_edge("s", ("e", e), capacity=need)
        for person in inspectors:
            if e not in person.excluded and (e, person.inspector_id) not in forbidden:
                g.add_edge(("e", e), ("i", person.inspector_id), capacity=1)
    for person in inspectors:
        g.add_edge(("i", person.inspector_id), "t", capacity=cap)
    return nx.maximum_flow_value(g, "s", "t") == need * len(enterprise_ids)


@st.composite
def instances(draw):
    n_ent = draw(st.integers(1, 7))
    n_insp = draw(st.integers(1, 7))
    ent_ids = [f"E{k}" for k in range(n_ent)]
    enterprises = [DrawEnterprise(e) for e in ent_ids]
    inspectors = [Inspector(f"I{k}", draw(st.sampled_from(["ema", "fire"])),
                            frozenset(draw(st.sets(st.sampled_from(ent_ids)))))
                  for k in range(n_insp)]
    previous = draw(st.sets(st.tuples(st.sampled_from(ent_ids),
                                      st.sampled_from([i.inspector_id for i in inspectors]))))
    return dict(
        enterprises=enterprises, inspectors=inspectors, previous=previous,
        n_enterprises=draw(st.integers(1, n_ent)),
        inspectors_per_enterprise=draw(st.integers(1, n_insp)),
        max_per_inspector=draw(st.none() | st.integers(1, 4)),
        seed=draw(st.integers(0, MAX_SEED)))


@settings(max_examples=150, deadline=None)
@given(instances())
def test_property_no_conflict_distinct_inspectors_and_true_reasons(kw):
    result = draw_inspections(**kw)
    assert result == draw_inspections(**kw)  # reproducible
    need, forbidden = kw["inspectors_per_enterprise"], kw["previous"]
    cap = kw["max_per_inspector"] or len(result.enterprises)
    by_id = {i.inspector_id: i for i in kw["inspectors"]}
    # never an excluded pair, never the previous draw's pair
    for p in result.pairs:
        assert p.enterprise_id not in by_id[p.inspector_id].excluded
        assert (p.enterprise_id, p.inspector_id) not in forbidden
        assert p.agency_id == by_id[p.inspector_id].agency_id
    # drawn: distinct, from the input; every one staffed in full or reported, not both
    assert len(set(result.enterprises)) == len(result.enterprises) == kw["n_enterprises"]
    unstaffed = {u.enterprise_id: u for u in result.unstaffed}
    for e in result.enterprises:
        got = result.inspectors_of(e)
        assert len(set(got)) == len(got)
        assert (len(got) == need) != (e in unstaffed)
    assert max(Counter(p.inspector_id for p in result.pairs).values(), default=0) <= cap
    # the whole draw staffed whenever it can be (exact, not greedy)
    if _staffable(result.enterprises, kw["inspectors"], need, cap, forbidden):
        assert not result.unstaffed
    # every reason is true: staffed before it + it cannot all be staffed
    staffed_before: list[str] = []
    for e in result.enterprises:
        if e in unstaffed:
            u = unstaffed[e]
            eligible = sum(e not in i.excluded and (e, i.inspector_id) not in forbidden
                           for i in kw["inspectors"])
            assert u.eligible_inspectors == eligible and u.needed == need
            assert (u.reason == "too_few_inspectors") == (eligible < need)
            assert not _staffable([*staffed_before, e], kw["inspectors"], need, cap, forbidden)
        else:
            staffed_before.append(e)


@settings(max_examples=60, deadline=None)
@given(instances(), st.integers(0, MAX_SEED))
def test_property_the_seed_is_recorded_and_alone_decides(kw, other_seed):
    result = draw_inspections(**kw)
    assert result.seed == kw["seed"]
    shuffled = {**kw, "enterprises": kw["enterprises"][::-1],
                "inspectors": kw["inspectors"][::-1]}
    assert draw_inspections(**shuffled) == result
    if other_seed != kw["seed"]:
        assert draw_inspections(**{**kw, "seed": other_seed}).seed == other_seed


# --- the blacklist rules -------------------------------------------------------------

T0 = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Entry:
    listed_at: datetime
    expires_at: datetime
    lifted_at: datetime | None = None


def test_an_entry_is_in_force_from_listing_to_expiry_or_lifting():
    entry = Entry(T0, T0 + timedelta(days=365))
    assert [listing_state(entry, T0 + d) for d in (
        timedelta(seconds=-1), timedelta(0), timedelta(days=364), timedelta(days=365))] == \
        ["pending", "active", "active", "expired"]
    lifted = Entry(T0, T0 + timedelta(days=365), lifted_at=T0 + timedelta(days=30))
    assert listing_ends_at(lifted) == T0 + timedelta(days=30)
    assert listing_state(lifted, T0 + timedelta(days=29)) == "active"
    assert listing_state(lifted, T0 + timedelta(days=30)) == "lifted"
    # lifting after the expiry changes nothing: it had expired
    late = Entry(T0, T0 + timedelta(days=10), lifted_at=T0 + timedelta(days=20))
    assert listing_ends_at(late) == T0 + timedelta(days=10)
    assert listing_state(late, T0 + timedelta(days=15)) == "expired"
    assert is_blacklisted([late, entry], T0 + timedelta(days=5))
    assert not is_blacklisted([late], T0 + timedelta(days=10))
    assert not is_blacklisted([], T0)


def test_listing_problems_name_field_and_value():
    ok = dict(enterprise_id="N01", reason="瞒报事故", listed_at=T0,
              expires_at=T0 + timedelta(days=1), decided_by="局长", known_enterprises=["N01"])
    assert listing_problems(**ok) == []
    bad = listing_problems(**{**ok, "enterprise_id": "X9", "reason": " ", "decided_by": "",
                              "expires_at": T0})
    assert [(p.field, p.value) for p in bad] == [
        ("enterprise", "X9"), ("reason", " "), ("decided_by", ""), ("until", T0.isoformat())]
    naive = listing_problems(**{**ok, "expires_at": datetime(2027, 1, 1)})
    assert [p.field for p in naive] == ["until"] and "has no time zone" in naive[0].rule
    overlap = listing_problems(**ok, current=[Entry(T0 - timedelta(days=5),
                                                    T0 + timedelta(hours=1))])
    assert [(p.field, p.value) for p in overlap] == [("enterprise", "N01")]
    assert "already listed until" in overlap[0].rule
    # an entry that has ended does not block a new one
    assert listing_problems(**ok, current=[Entry(T0 - timedelta(days=5), T0)]) == []
