"""Siting with existing sites: ``fixed=`` (add p new sites to those open) and
:func:`relocate` (move at most k of them), each checked against brute force over every
choice on small random instances, and :func:`layout_cover` by hand."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from command.dispatch.siting import (
    layout_cover,
    max_covering,
    p_center,
    p_median,
    relocate,
)
from command.errors import DataError

PROBLEMS = ("p-median", "max-covering", "p-center")


def value(problem: str, dist, weights, radius, sites) -> float:
    """The objective of a layout, by its definition."""
    nearest = dist[:, sorted(sites)].min(axis=1)
    if problem == "p-median":
        return float(weights @ nearest)
    if problem == "max-covering":
        return float(weights[nearest <= radius].sum())
    return float(nearest.max())


def best(problem: str, values) -> float:
    return max(values) if problem == "max-covering" else min(values)


def instance(seed: int):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(6, 13)), int(rng.integers(6, 10))
    dist = rng.integers(1, 60, size=(n, m)).astype(float)
    weights = rng.integers(1, 10, size=n).astype(float)
    radius = float(np.median(dist))
    return rng, dist, weights, radius


def solve(problem, dist, p, weights, radius, **kw):
    if problem == "p-median":
        return p_median(dist, p, weights=weights, time_limit_s=20, **kw)
    if problem == "max-covering":
        return max_covering(dist, p, radius, weights=weights, time_limit_s=20, **kw)
    return p_center(dist, p, time_limit_s=20, **kw)


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("seed", range(8))
def test_choose_p_of_all_is_the_brute_force_optimum(problem, seed):
    rng, dist, weights, radius = instance(seed)
    p = int(rng.integers(1, 4))
    result = solve(problem, dist, p, weights, radius)
    oracle = best(problem, [value(problem, dist, weights, radius, s)
                            for s in itertools.combinations(range(dist.shape[1]), p)])
    assert result.optimal and result.objective == pytest.approx(oracle)
    assert len(result.facilities) == p and result.fixed == ()


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("seed", range(8))
def test_adding_to_fixed_sites_is_the_brute_force_optimum(problem, seed):
    rng, dist, weights, radius = instance(100 + seed)
    m = dist.shape[1]
    fixed = sorted(rng.choice(m, size=int(rng.integers(1, 3)), replace=False).tolist())
    free = [j for j in range(m) if j not in fixed]
    p = int(rng.integers(1, 4))
    result = solve(problem, dist, p, weights, radius, fixed=fixed)
    oracle = best(problem, [value(problem, dist, weights, radius, set(fixed) | set(s))
                            for s in itertools.combinations(free, p)])
    assert result.optimal and result.objective == pytest.approx(oracle)
    assert result.fixed == tuple(fixed) and set(fixed) <= set(result.facilities)
    assert len(result.new) == p and not set(result.new) & set(fixed)
    # the objective is that of the whole layout, and each demand is served by its nearest
    assert result.objective == pytest.approx(
        value(problem, dist, weights, radius, result.facilities))
    assert all(dist[u, a] == dist[u, list(result.facilities)].min()
               for u, a in enumerate(result.assignment))


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("seed", range(8))
def test_relocating_k_is_the_brute_force_optimum(problem, seed):
    rng, dist, weights, radius = instance(200 + seed)
    m = dist.shape[1]
    existing = sorted(rng.choice(m, size=int(rng.integers(2, 4)), replace=False).tolist())
    others = [j for j in range(m) if j not in existing]
    k = int(rng.integers(1, min(len(existing), len(others)) + 1))
    result = relocate(dist, existing, k, problem=problem, weights=weights, radius=radius,
                      time_limit_s=20)
    layouts = [(set(existing) - set(out)) | set(into)
               for moves in range(k + 1)
               for out in itertools.combinations(existing, moves)
               for into in itertools.combinations(others, moves)]
    oracle = best(problem, [value(problem, dist, weights, radius, s) for s in layouts])
    assert result.optimal and result.objective == pytest.approx(oracle)
    opened = set(result.facilities)
    assert len(opened) == len(existing) and len(opened - set(existing)) <= k
    assert result.objective == pytest.approx(value(problem, dist, weights, radius, opened))


def test_relocating_never_does_worse_than_today():
    _, dist, weights, radius = instance(7)
    today = value("p-median", dist, weights, radius, [0, 1])
    result = relocate(dist, [0, 1], 1, problem="p-median", weights=weights, time_limit_s=20)
    assert result.objective <= today


def test_candidates_limit_the_new_sites():
    _, dist, weights, radius = instance(3)
    result = p_median(dist, 1, weights=weights, fixed=[0], candidates=[0, 4, 5],
                      time_limit_s=10)
    assert set(result.new) <= {4, 5}


@pytest.mark.parametrize("call, field", [
    (lambda d, w: p_median(d, 1, weights=w, fixed=[0, 0], time_limit_s=5), "fixed"),
    (lambda d, w: p_median(d, 1, weights=w, fixed=[99], time_limit_s=5), "fixed"),
    (lambda d, w: p_median(d, 99, weights=w, fixed=[0], time_limit_s=5), "'p'"),
    (lambda d, w: relocate(d, [0, 1], 0, problem="p-median", weights=w, time_limit_s=5), "'k'"),
    (lambda d, w: relocate(d, [0, 1], 1, problem="nope", weights=w, time_limit_s=5), "problem"),
    (lambda d, w: relocate(d, [], 1, problem="p-median", weights=w, time_limit_s=5),
     "existing"),
    (lambda d, w: relocate(d, [0], 1, problem="max-covering", weights=w, time_limit_s=5),
     "radius"),
])
def test_bad_input_names_the_field(call, field):
    _, dist, weights, _ = instance(1)
    with pytest.raises(DataError, match=field):
        call(dist, weights)


def test_layout_cover_by_hand():
    dist = np.array([[1.0, 9.0], [4.0, 2.0], [8.0, 7.0]])
    w = np.array([1.0, 2.0, 1.0])
    one = layout_cover(dist, [0], weights=w, radius=5.0)
    assert one.covered.tolist() == [True, True, False]
    assert one.share == pytest.approx(3 / 4) and one.mean == pytest.approx((1 + 8 + 8) / 4)
    both = layout_cover(dist, [0, 1], weights=w, radius=5.0)
    assert both.nearest.tolist() == [1.0, 2.0, 7.0]
    assert both.mean == pytest.approx((1 + 4 + 7) / 4)
    none = layout_cover(dist, [], weights=w, radius=5.0)
    assert none.share == 0.0 and not none.covered.any()


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), radius=st.floats(0, 60), extra=st.integers(1, 3))
def test_adding_sites_never_lowers_the_cover(seed, radius, extra):
    """Property: whatever the layout, adding sites keeps every covered demand covered and
    never raises any demand's distance; so the solvers' proposals never lower cover."""
    rng, dist, weights, _ = instance(seed)
    m = dist.shape[1]
    base = rng.choice(m, size=int(rng.integers(1, m)), replace=False)
    more = np.union1d(base, rng.choice(m, size=min(extra, m), replace=False))
    before = layout_cover(dist, base, weights=weights, radius=radius)
    after = layout_cover(dist, more, weights=weights, radius=radius)
    assert after.share >= before.share and after.mean <= before.mean
    assert np.all(after.covered >= before.covered)
    free = [j for j in range(m) if j not in base]
    if free:
        proposal = max_covering(dist, 1, radius, weights=weights, fixed=base.tolist(),
                                time_limit_s=10)
        assert layout_cover(dist, proposal.facilities, weights=weights,
                            radius=radius).share >= before.share
