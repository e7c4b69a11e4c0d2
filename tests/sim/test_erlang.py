"""Erlang B/C against the values of REFERENCE.md 4c and the Erlang-C call-centre example."""

from __future__ import annotations

import math

import pytest

from command.sim.erlang import (
    erlang_b,
    erlang_c,
    mmc_mean_queue_length,
    mmc_mean_wait,
    mmc_p_wait,
    mmc_p_wait_longer,
    mmc_theory,
    mmc_utilisation,
)

# (A Erlang, m servers, Erlang B, Erlang C) as printed in REFERENCE.md 4c (5 decimals).
REFERENCE_4C = [
    (5.0, 10, 0.01838, 0.03611),
    (25.0, 30, 0.05260, 0.24989),
    (2.5, 7, 0.00998, 0.01544),
    (1.5, 3, 0.13433, 0.23684),
]


@pytest.mark.parametrize("load, m, b, c", REFERENCE_4C)
def test_reference_table(load, m, b, c):
    assert erlang_b(load, m) == pytest.approx(b, abs=5e-6)
    assert erlang_c(load, m) == pytest.approx(c, abs=5e-6)


def test_smallest_m_below_one_percent_loss():
    # neoprimate IEOR notes: 7 lines for 2.5 E at B < 1%, since B(2.5, 6) = 0.0282.
    assert erlang_b(2.5, 6) == pytest.approx(0.0282, abs=5e-5)
    assert min(m for m in range(1, 20) if erlang_b(2.5, m) < 0.01) == 7


def test_mm3_of_larson_odoni():
    # lambda = 1.5, mu = 1, N = 3: Wq = 0.15789 and Lq = 0.23684 in service-time units.
    assert mmc_mean_wait(1.5, 1.0, 3) == pytest.approx(0.15789, abs=5e-6)
    assert mmc_mean_queue_length(1.5, 1.0, 3) == pytest.approx(0.23684, abs=5e-6)
    assert mmc_utilisation(1.5, 1.0, 3) == 0.5
    # P0 = 4/19 from the hypercube section: 1 - C = P0 + P1 + P2 = (4 + 6 + 4.5) / 19.
    assert 1 - mmc_p_wait(1.5, 1.0, 3) == pytest.approx(14.5 / 19)


def test_call_centre_example():
    # 360 calls per half hour, 4-min handle time, 55 agents, 15-s target; rates per second.
    lam, mu, agents = 360 / 1800, 1 / 240, 55
    assert lam / mu == pytest.approx(48.0)
    assert mmc_utilisation(lam, mu, agents) == pytest.approx(0.8727, abs=5e-5)
    assert mmc_p_wait(lam, mu, agents) == pytest.approx(0.2387, abs=5e-5)
    assert mmc_mean_wait(lam, mu, agents) == pytest.approx(8.18, abs=5e-3)
    assert 1 - mmc_p_wait_longer(lam, mu, agents, 15.0) == pytest.approx(0.846, abs=5e-4)


def test_theory_record_per_hour_in_seconds():
    # The same call centre with rates per hour: 720 calls/h, 15 services/h per agent.
    t = mmc_theory(720.0, 15.0, 55)
    assert t.load_erl == pytest.approx(48.0)
    assert t.p_wait == pytest.approx(0.2387, abs=5e-5)
    assert t.mean_wait_s == pytest.approx(8.18, abs=5e-3)
    assert 1 - t.p_wait_longer(15.0) == pytest.approx(0.846, abs=5e-4)
    assert t.mean_queue_length == pytest.approx(720.0 * t.mean_wait_s / 3600.0)


def test_closed_forms_on_small_cases():
    # M/M/1: C = rho, Wq = rho / (mu - lambda).
    assert erlang_c(0.75, 1) == pytest.approx(0.75)
    assert mmc_mean_wait(3.0, 4.0, 1) == pytest.approx(0.75 / 1.0)
    # B(A, 1) = A / (1 + A); B from the direct sum for a moderate case.
    assert erlang_b(3.0, 1) == pytest.approx(0.75)
    a, m = 7.3, 9
    direct = (a ** m / math.factorial(m)) / sum(a ** k / math.factorial(k) for k in range(m + 1))
    assert erlang_b(a, m) == pytest.approx(direct, rel=1e-12)
    assert erlang_b(0.0, 4) == 0.0 and erlang_c(0.0, 4) == 0.0


def test_large_systems_are_stable():
    # A^m / m! overflows floats here; the recursion does not.
    b = erlang_b(950.0, 1000)
    c = erlang_c(950.0, 1000)
    assert 0.0 < b < c < 1.0
    assert math.isfinite(mmc_mean_wait(950.0, 1.0, 1000))


def test_tail_is_monotone_and_starts_at_c():
    c = mmc_p_wait(10.0, 3.0, 4)
    assert mmc_p_wait_longer(10.0, 3.0, 4, 0.0) == pytest.approx(c)
    tails = [mmc_p_wait_longer(10.0, 3.0, 4, t) for t in (0.0, 0.1, 0.5, 2.0)]
    assert tails == sorted(tails, reverse=True)


@pytest.mark.parametrize("call, names", [
    (lambda: erlang_c(10.0, 10), ["load_erl=10.0", "servers=10"]),
    (lambda: erlang_c(12.0, 10), ["load_erl=12.0", "utilisation 1.2"]),
    (lambda: mmc_mean_wait(18.0, 4.0, 4), ["load_erl=4.5", "servers=4"]),
    (lambda: erlang_b(-1.0, 3), ["load_erl=-1.0"]),
    (lambda: erlang_b(1.0, 0), ["servers=0"]),
    (lambda: erlang_b(1.0, 2.5), ["servers=2.5"]),
    (lambda: mmc_p_wait(0.0, 1.0, 2), ["arrival_rate=0.0"]),
    (lambda: mmc_p_wait(1.0, -2.0, 2), ["service_rate=-2.0"]),
    (lambda: mmc_p_wait_longer(1.0, 2.0, 2, -1.0), ["wait=-1.0"]),
])
def test_errors_name_the_parameter(call, names):
    with pytest.raises(ValueError) as info:
        call()
    for name in names:
        assert name in str(info.value)
