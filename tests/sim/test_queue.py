"""The M/M/c queue: Erlang C inside the intervals, a peer simulator (ciw), an independent
recurrence on the same random numbers, common random numbers, Dask, and the command."""

from __future__ import annotations

import heapq
import json
import random

import numpy as np
import pytest

from command.cli import main
from command.sim.erlang import mmc_theory
from command.sim.queue import (
    CALL_COLUMNS,
    dask_client,
    mean_wait_s,
    mmc_calls,
    p_wait,
    replication_streams,
    simulate_mmc,
    utilisation,
)
from command.sim.stats import mean_ci, paired_difference_ci, welch_difference_ci

# (lambda /h, mu /h, c): utilisation 0.5, 0.83 and 0.9. Replication length and count keep
# each case to about two seconds while the intervals stay within about 20% of the value.
THEORY_CASES = [(6.0, 4.0, 3), (10.0, 3.0, 4), (18.0, 5.0, 4)]
HOURS, REPLICATIONS, SEED = 120.0, 20, 2024


@pytest.mark.parametrize("lam, mu, c", THEORY_CASES)
def test_intervals_contain_erlang_c(lam, mu, c):
    result = simulate_mmc(lam, mu, c, HOURS, REPLICATIONS, SEED)
    theory = mmc_theory(lam, mu, c)
    assert 0.5 <= theory.utilisation <= 0.9
    assert result.mean_wait_s.contains(theory.mean_wait_s), (result.mean_wait_s, theory)
    assert result.p_wait.contains(theory.p_wait), (result.p_wait, theory)
    assert result.utilisation.contains(theory.utilisation), (result.utilisation, theory)
    # The intervals are informative: a model off by a quarter would be caught.
    assert result.mean_wait_s.half_width < 0.25 * theory.mean_wait_s
    assert result.p_wait.half_width < 0.05
    assert result.mean_wait_s.n == REPLICATIONS
    assert result.calls == pytest.approx(lam * HOURS * REPLICATIONS, rel=0.03)


def _fcfs_by_recurrence(gaps_s, services_s, servers, stop_s):
    """Start times of FCFS c-server queue from the same numbers, without SimPy: each call
    starts at max(arrival, earliest time a server frees)."""
    arrivals = np.cumsum(gaps_s)
    arrivals = arrivals[arrivals < stop_s]
    free = [0.0] * servers
    starts = []
    for arrival, service in zip(arrivals, services_s):
        earliest = heapq.heappop(free)
        start = max(arrival, earliest)
        starts.append(start)
        heapq.heappush(free, start + service)
    return arrivals, np.array(starts)


@pytest.mark.parametrize("servers", [1, 3])
def test_records_match_an_independent_recurrence(servers):
    lam, mu, hours, warmup_h = 9.0, 4.0, 30.0, 5.0
    a_seq, s_seq = replication_streams(7, 1)[0]
    calls = mmc_calls(lam, mu, servers, hours=hours, warmup_h=warmup_h,
                      arrival_rng=np.random.default_rng(a_seq),
                      service_rng=np.random.default_rng(s_seq))
    # One draw of 20000 gives the same numbers as the model's blocks of draws.
    gaps = np.random.default_rng(a_seq).exponential(3600.0 / lam, 20000)
    services = np.random.default_rng(s_seq).exponential(3600.0 / mu, 20000)
    arrivals, starts = _fcfs_by_recurrence(gaps, services, servers, (warmup_h + hours) * 3600)
    keep = arrivals >= warmup_h * 3600
    assert list(calls.columns) == list(CALL_COLUMNS)
    assert calls["call"].tolist() == np.flatnonzero(keep).tolist()
    np.testing.assert_allclose(calls["arrival_s"], arrivals[keep], rtol=1e-12)
    np.testing.assert_allclose(calls["start_s"], starts[keep], rtol=1e-12)
    np.testing.assert_allclose(calls["service_s"], services[: len(arrivals)][keep], rtol=1e-12)
    np.testing.assert_allclose(calls["end_s"] - calls["start_s"], calls["service_s"], rtol=1e-9)
    assert (calls["wait_s"] >= 0).all()
    assert calls.attrs["events"] > 5 * len(calls)


def test_kpis_by_hand():
    import pandas as pd

    calls = pd.DataFrame({"call": [0, 1, 2, 3], "arrival_s": [0.0, 10.0, 20.0, 30.0],
                          "start_s": [0.0, 15.0, 20.0, 36.0], "end_s": [20.0, 30.0, 40.0, 50.0],
                          "wait_s": [0.0, 5.0, 0.0, 6.0], "service_s": [20.0, 15.0, 20.0, 14.0]})
    assert mean_wait_s(calls) == 2.75
    assert p_wait(calls) == 0.5
    assert utilisation(calls, servers=2, hours=60.0 / 3600.0) == pytest.approx(69.0 / 120.0)


def test_same_seed_same_numbers_different_seed_different():
    a = simulate_mmc(10.0, 3.0, 4, 20.0, 4, 99)
    b = simulate_mmc(10.0, 3.0, 4, 20.0, 4, 99)
    c = simulate_mmc(10.0, 3.0, 4, 20.0, 4, 100)
    assert a.per_replication.equals(b.per_replication)
    assert a == b  # every estimate equal, wall time aside
    assert not np.allclose(a.per_replication["mean_wait_s"], c.per_replication["mean_wait_s"])
    assert a.seed == 99 and c.seed == 100
    # Replications within one run are different streams.
    assert a.per_replication["mean_wait_s"].nunique() == 4


def test_common_random_numbers_across_variants():
    # Adding a server changes nothing about who arrives when, or how long each service is.
    a_seq, s_seq = replication_streams(5, 1)[0]
    four = mmc_calls(10.0, 3.0, 4, hours=20.0, arrival_rng=np.random.default_rng(a_seq),
                     service_rng=np.random.default_rng(s_seq))
    five = mmc_calls(10.0, 3.0, 5, hours=20.0, arrival_rng=np.random.default_rng(a_seq),
                     service_rng=np.random.default_rng(s_seq))
    assert four["arrival_s"].equals(five["arrival_s"])
    assert four["service_s"].equals(five["service_s"])
    assert (five["wait_s"] <= four["wait_s"] + 1e-9).all()  # FCFS with more servers
    # Replicated, a faster service against the base: the replications of the two
    # variants move together, so the paired interval is far narrower than Welch's.
    base = simulate_mmc(10.0, 3.0, 4, 40.0, 10, 5).per_replication["mean_wait_s"]
    faster = simulate_mmc(10.0, 3.3, 4, 40.0, 10, 5).per_replication["mean_wait_s"]
    assert np.corrcoef(base, faster)[0, 1] > 0.8
    gain = paired_difference_ci(base, faster)
    loose = welch_difference_ci(base, faster)
    theory_gain = mmc_theory(10.0, 3.0, 4).mean_wait_s - mmc_theory(10.0, 3.3, 4).mean_wait_s
    assert gain.low > 0 and gain.half_width < 0.6 * loose.half_width
    assert gain.contains(theory_gain)


def test_progress_and_warmup_default():
    seen = []
    result = simulate_mmc(6.0, 4.0, 3, 10.0, 3, 1, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert result.warmup_h == 1.0


def test_dask_gives_the_serial_numbers():
    serial = simulate_mmc(10.0, 3.0, 4, 20.0, 6, 42)
    seen = []
    with dask_client(processes=False, n_workers=2) as client:
        distributed = simulate_mmc(10.0, 3.0, 4, 20.0, 6, 42, client=client,
                                   progress=lambda d, t: seen.append(d))
    assert distributed.per_replication.equals(serial.per_replication)
    assert distributed == serial
    assert sorted(seen) == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("kwargs, text", [
    (dict(arrival_rate_h=0.0), "arrival_rate_h=0.0"),
    (dict(service_rate_h=-1.0), "service_rate_h=-1.0"),
    (dict(servers=0), "servers=0"),
    (dict(replications=0), "replications=0"),
    (dict(hours=float("inf")), "hours=inf"),
    (dict(warmup_h=-2.0), "warmup_h=-2.0"),
    (dict(arrival_rate_h=0.001, hours=1.0), "no call after the warm-up"),
])
def test_core_errors_name_the_parameter(kwargs, text):
    args = dict(arrival_rate_h=6.0, service_rate_h=4.0, servers=3, hours=5.0, replications=2,
                seed=0) | kwargs
    with pytest.raises(ValueError) as info:
        simulate_mmc(**args)
    assert text in str(info.value)


def test_unstable_queue_simulates_but_has_no_theory():
    result = simulate_mmc(20.0, 4.0, 4, 5.0, 2, 0)
    assert result.utilisation.mean > 1.0
    with pytest.raises(ValueError, match="utilisation 1.25"):
        result.theory()


# ------------------------------------------------------------------------- peer: ciw

def _ciw_replications(lam, mu, c, hours, warmup_h, replications, seed):
    """Mean wait (s) and P(wait) per replication of the same M/M/c in ciw (time in hours).

    ciw seeds the global `random` module and its own `ciw.rng`; both are restored so the
    rest of the test session is unaffected.
    """
    import ciw

    saved_random, saved_rng = random.getstate(), getattr(ciw, "rng", None)
    waits, shares = [], []
    try:
        for k in range(replications):
            ciw.seed(seed + k)
            network = ciw.create_network(
                arrival_distributions=[ciw.dists.Exponential(rate=lam)],
                service_distributions=[ciw.dists.Exponential(rate=mu)],
                number_of_servers=[c])
            sim = ciw.Simulation(network)
            # Run past the window so every call arriving in it has been served.
            sim.simulate_until_max_time(warmup_h + hours + 10.0)
            w = np.array([r.waiting_time for r in sim.get_all_records()
                          if warmup_h <= r.arrival_date < warmup_h + hours])
            waits.append(w.mean() * 3600.0)
            shares.append((w > 0).mean())
    finally:
        random.setstate(saved_random)
        if saved_rng is not None:
            ciw.rng = saved_rng
    return np.array(waits), np.array(shares)


def test_ciw_agrees_within_confidence_intervals():
    lam, mu, c, hours, reps = 10.0, 3.0, 4, 100.0, 20
    random.seed(1234)
    expected_next = random.random()
    random.seed(1234)
    ciw_wait, ciw_share = _ciw_replications(lam, mu, c, hours, 10.0, reps, seed=300)
    assert random.random() == expected_next  # ciw's global seeding was undone
    ours = simulate_mmc(lam, mu, c, hours, reps, 300, warmup_h=10.0)
    theory = mmc_theory(lam, mu, c)
    for our_values, peer_values, exact in (
            (ours.per_replication["mean_wait_s"], ciw_wait, theory.mean_wait_s),
            (ours.per_replication["p_wait"], ciw_share, theory.p_wait)):
        diff = welch_difference_ci(our_values, peer_values)
        assert diff.contains(0.0), diff
        assert mean_ci(peer_values).contains(exact)
        # The comparison can see a real gap: a quarter of the value is outside it.
        assert diff.half_width < 0.25 * exact


# ------------------------------------------------------------------------- the command

def test_cli_json(capsys):
    rc = main(["simulate", "queue", "--arrival-rate", "10", "--service-rate", "3", "--servers",
               "4", "--hours", "50", "--replications", "5", "--seed", "8", "--json"])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    for key in ("mean_wait_s", "p_wait", "mean_wait_ci95", "p_wait_ci95",
                "theory_mean_wait_s", "theory_p_wait"):
        assert key in data
    low, high = data["mean_wait_ci95"]
    assert low < data["mean_wait_s"] < high
    low, high = data["p_wait_ci95"]
    assert 0.0 <= low < data["p_wait"] < high <= 1.0
    assert data["theory_p_wait"] == pytest.approx(0.6577217, abs=1e-7)
    assert data["theory_mean_wait_s"] == pytest.approx(1183.899, abs=1e-3)
    direct = simulate_mmc(10.0, 3.0, 4, 50.0, 5, 8)
    assert data["mean_wait_s"] == direct.mean_wait_s.mean
    assert data["p_wait_ci95"] == direct.p_wait.interval()


def test_cli_text(capsys):
    assert main(["simulate", "queue", "--arrival-rate", "6", "--service-rate", "4",
                 "--servers", "3", "--hours", "10", "--replications", "3"]) == 0
    out = capsys.readouterr().out
    assert "mean_wait_s" in out and "Erlang C" in out and "142.11" in out


@pytest.mark.parametrize("argv, fragments", [
    (["--arrival-rate", "18", "--service-rate", "4", "--servers", "4"],
     ["--arrival-rate", "18 / (4 x 4) = 1.125", "below 1"]),
    (["--arrival-rate", "16", "--service-rate", "4", "--servers", "4"], ["= 1 must be below 1"]),
    (["--arrival-rate", "0", "--service-rate", "-3", "--servers", "0"],
     ["'--arrival-rate' (value 0.0)", "'--service-rate' (value -3.0)", "'--servers' (value 0)"]),
    (["--arrival-rate", "6", "--service-rate", "4", "--servers", "3", "--replications", "1"],
     ["'--replications' (value 1)"]),
    (["--arrival-rate", "0.01", "--service-rate", "4", "--servers", "3", "--hours", "10"],
     ["'--hours'", "less than one call"]),
])
def test_cli_refuses_bad_options(capsys, argv, fragments):
    assert main(["simulate", "queue", *argv, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    for fragment in fragments:
        assert fragment in captured.err


@pytest.mark.slow
def test_cli_parallel_on_a_local_cluster(capsys):
    # Worker processes on a LocalCluster give the serial numbers; stdout stays pure JSON.
    argv = ["simulate", "queue", "--arrival-rate", "10", "--service-rate", "3", "--servers",
            "4", "--hours", "20", "--replications", "4", "--seed", "8", "--json"]
    assert main(argv) == 0
    serial = json.loads(capsys.readouterr().out)
    assert main([*argv, "--parallel"]) == 0
    parallel = json.loads(capsys.readouterr().out)
    for key in ("mean_wait_s", "mean_wait_ci95", "p_wait", "p_wait_ci95", "events"):
        assert parallel[key] == serial[key]
