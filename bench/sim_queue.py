"""The M/M/c queue model: events per second against a bare SimPy loop and against ciw.

    python bench/sim_queue.py [--hours 200] [--replications 10] [--seed 1]
                              [--cases 6/4/3,10/3/4,18/5/4] [--repeat 5] [--dask] [--json]

For each case ``lambda/mu/c`` (rates per hour) three programs simulate the same queue,
in this process, one after the other:

- ``ours``: :func:`command.sim.queue.simulate_mmc` (serial): SimPy processes, one record
  per call, DataFrame, warm-up cut, KPIs and Student-t intervals.
- ``bare``: the same SimPy processes on the same random numbers (so exactly the same
  events), with no records, no DataFrame and no KPIs: the cost of SimPy alone.
- ``ciw``: the same M/M/c in ciw (its own random numbers, so about the same number of
  calls, not the same ones).
- with ``--dask``: ``ours`` on a local Dask cluster of process workers (one per core),
  started once before the cases; its start-up time is printed apart.

``events/s`` counts SimPy events processed (ciw has no SimPy events: it shows calls/s
only). ``ratio`` is calls per second of the row over the ``bare`` row of the same case.
Each timing is the best of ``--repeat`` rounds; ``bare`` and ``ours`` take turns within
a round, so a change in the machine's load hits both alike.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import random
import sys
import time
from pathlib import Path

import numpy as np
import simpy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from command.sim._engine import run_counting  # noqa: E402
from command.sim.erlang import mmc_theory  # noqa: E402
from command.sim.queue import dask_client, replication_streams, simulate_mmc  # noqa: E402

_BLOCK = 4096  # the same block draws as the model, so the bare loop sees the same numbers


def _stream(rng, mean):
    while True:
        yield from rng.exponential(mean, _BLOCK).tolist()


def bare_simpy(lam: float, mu: float, c: int, stop_s: float, streams) -> tuple[int, int]:
    """The M/M/c events in SimPy with nothing kept: returns (calls, events)."""
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=c)
    gaps = _stream(np.random.default_rng(streams[0]), 3600.0 / lam)
    services = _stream(np.random.default_rng(streams[1]), 3600.0 / mu)
    calls = 0

    def call(service_s):
        with servers.request() as req:
            yield req
            yield env.timeout(service_s)

    def source():
        nonlocal calls
        for gap in gaps:
            yield env.timeout(gap)
            if env.now >= stop_s:
                return
            env.process(call(next(services)))
            calls += 1

    env.process(source())
    events = run_counting(env)  # runs the calls: count them after
    return calls, events


def ciw_run(lam: float, mu: float, c: int, hours: float, replications: int, seed: int) -> int:
    import ciw

    saved = random.getstate()
    calls = 0
    try:
        for k in range(replications):
            ciw.seed(seed + k)
            network = ciw.create_network(
                arrival_distributions=[ciw.dists.Exponential(rate=lam)],
                service_distributions=[ciw.dists.Exponential(rate=mu)],
                number_of_servers=[c])
            sim = ciw.Simulation(network)
            sim.simulate_until_max_time(hours)
            calls += len(sim.get_all_records())
    finally:
        random.setstate(saved)
    return calls


def _best(fns: dict, repeat: int) -> dict:
    """Best wall time of each program, the programs taking turns in every round, so a
    change in the machine's load hits them alike."""
    best = {name: (float("inf"), None) for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            out = fn()
            secs = time.perf_counter() - t0
            if secs < best[name][0]:
                best[name] = (secs, out)
    return best


def bench_case(lam, mu, c, *, hours, replications, seed, repeat, client=None):
    warmup_h = 0.1 * hours
    streams = replication_streams(seed, replications)
    stop_s = (warmup_h + hours) * 3600.0

    def bare_all():
        totals = [bare_simpy(lam, mu, c, stop_s, s) for s in streams]
        return sum(t[0] for t in totals), sum(t[1] for t in totals)

    timed = _best({
        "bare": bare_all,
        "ours": lambda: simulate_mmc(lam, mu, c, hours, replications, seed, warmup_h=warmup_h),
    }, repeat)
    bare_s, (bare_calls, bare_events) = timed["bare"]
    seconds, result = timed["ours"]
    assert bare_events == result.events, "the bare loop must process the same events"
    rows = []
    rows.append(("bare", bare_s, bare_calls, bare_events))
    # `ours` counts KPIs on the calls after the warm-up, but simulates all of them.
    rows.append(("ours", seconds, bare_calls, result.events))
    ciw_s, ciw_calls = _best({"ciw": lambda: ciw_run(lam, mu, c, warmup_h + hours,
                                                     replications, seed)}, repeat)["ciw"]
    rows.append(("ciw", ciw_s, ciw_calls, None))
    if client is not None:
        dask_s, dres = _best({"dask": lambda: simulate_mmc(
            lam, mu, c, hours, replications, seed, warmup_h=warmup_h, client=client)},
            repeat)["dask"]
        assert dres == result, "the Dask run must give the serial numbers"
        rows.append(("ours+dask", dask_s, bare_calls, dres.events))
    theory = mmc_theory(lam, mu, c)
    out = []
    for name, secs, calls, events in rows:
        out.append({
            "case": f"{lam:g}/{mu:g}/{c}", "rho": round(theory.utilisation, 3), "program": name,
            "seconds": round(secs, 3), "calls": calls,
            "calls_per_s": round(calls / secs), "events": events,
            "events_per_s": round(events / secs) if events else None,
            "ratio": round((calls / secs) / (bare_calls / bare_s), 3),
        })
    out[1]["mean_wait_s"] = round(result.mean_wait_s.mean, 1)
    out[1]["mean_wait_ci95"] = [round(v, 1) for v in result.mean_wait_s.interval()]
    out[1]["theory_mean_wait_s"] = round(theory.mean_wait_s, 1)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=200.0)
    ap.add_argument("--replications", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", default="6/4/3,10/3/4,18/5/4")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--dask", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    rows = []
    with contextlib.ExitStack() as stack:
        client, startup_s = None, None
        if args.dask:
            logging.getLogger("distributed").setLevel(logging.WARNING)
            t0 = time.perf_counter()
            client = stack.enter_context(dask_client(processes=True))
            client.wait_for_workers(1)
            startup_s = time.perf_counter() - t0
            workers = len(client.scheduler_info()["workers"])
        for case in args.cases.split(","):
            lam, mu, c = case.split("/")
            rows += bench_case(float(lam), float(mu), int(c), hours=args.hours,
                               replications=args.replications, seed=args.seed,
                               repeat=args.repeat, client=client)
    if args.json:
        print(json.dumps({"rows": rows, "dask_startup_s": startup_s}))
        return 0
    print(f"M/M/c, {args.replications} replications x {args.hours:g} h (+10% warm-up), "
          f"seed {args.seed}, best of {args.repeat}")
    print(f"{'case':>10} {'rho':>6} {'program':>10} {'seconds':>8} {'calls':>8} "
          f"{'calls/s':>9} {'events/s':>9} {'ratio':>6}")
    for r in rows:
        eps = f"{r['events_per_s']:>9}" if r["events_per_s"] else f"{'-':>9}"
        print(f"{r['case']:>10} {r['rho']:>6} {r['program']:>10} {r['seconds']:>8.3f} "
              f"{r['calls']:>8} {r['calls_per_s']:>9} {eps} {r['ratio']:>6.3f}")
    if startup_s is not None:
        print(f"ours+dask: a LocalCluster of {workers} process workers, started once in "
              f"{startup_s:.2f} s (not in the rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
