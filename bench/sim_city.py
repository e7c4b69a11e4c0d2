"""Speed of the city simulation against a bare SimPy loop doing the same events.

The model: Ezhou data set, ``--per-day`` calls a day (default 300), road travel times
(precomputed per closure state), nearest-available dispatch, hospitals, materials,
coverage sampling. Measured: simulated incident-days per second over ``--days`` days
(calls generation and the SimPy run; the one-off world build, the Dijkstra tables, is
printed apart).

The bare loop replays the same event structure from the model's own records with no
model logic: one timeout per call arrival; per unit trip a timeout to the scene, one on
scene, for a conveyance a timeout to hospital, a bed request, a handover timeout and a
patient-stay timeout, then a timeout back; one process with one timeout per depot
resupply (as the model) and one timeout per coverage sample. Its durations are the
model's, so the event calendar is the same size (the two event counts are printed).

    .venv/bin/python bench/sim_city.py [--days 5] [--per-day 300] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import simpy

from command.resources import load_dataset
from command.roads import load_network
from command.settings import from_env
from command.sim._engine import run_counting
from command.sim._tables import load_sim_tables
from command.sim.arrivals import generate_calls
from command.sim.city import run_city
from command.sim.policies import make_policy
from command.sim.world import build_world


def bare_loop(rec) -> int:
    """The model's events without the model: returns the events processed."""
    env = simpy.Environment()
    beds = simpy.Resource(env, capacity=10_000)
    trips = rec.trips.sort_values("dispatch_s")
    scene = trips["arrive_s"].to_numpy() - trips["dispatch_s"].to_numpy()
    total = trips["free_s"].to_numpy() - trips["dispatch_s"].to_numpy()
    conveyed = trips["hospital"].to_numpy() >= 0
    call_t = rec.calls["t_s"].to_numpy()
    on_scene = np.maximum(1.0, 0.5 * (total - scene))
    by_call = trips.groupby("call").indices

    def patient():
        yield env.timeout(14400.0)

    def trip(i):
        yield env.timeout(scene[i])
        yield env.timeout(on_scene[i])
        if conveyed[i]:
            yield env.timeout(600.0)
            req = beds.request()
            yield req
            yield env.timeout(900.0)
            beds.release(req)
            env.process(patient())
        yield env.timeout(max(1.0, total[i] - scene[i] - on_scene[i]))

    def resupply():
        yield env.timeout(43200.0)

    def arrivals():
        for k, t in enumerate(call_t):
            if t > env.now:
                yield env.timeout(t - env.now)
            if k in resupplied:
                env.process(resupply())
            for i in by_call.get(k, ()):
                env.process(trip(i))

    def every(n, step):
        for _ in range(n):
            yield env.timeout(step)

    met = rec.materials.groupby("call")["met"].sum() if len(rec.materials) else None
    resupplied = set() if met is None else set(met.index[met.gt(0)].tolist())
    env.process(arrivals())
    env.process(every(len(rec.coverage), 900.0))
    return run_counting(env)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=float, default=5.0)
    ap.add_argument("--per-day", type=float, default=300.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    settings = from_env()
    network = load_network(settings)
    dataset = load_dataset(settings.resources_dir)
    tables = load_sim_tables(settings.resources_dir)
    t0 = time.perf_counter()
    world = build_world(network, dataset, settings, tables)
    build_s = time.perf_counter() - t0
    model_s, bare_s = [], []
    events = bare_events = calls = 0
    for r in range(args.repeat):
        a, tr, sv = (np.random.default_rng(s) for s in
                     np.random.SeedSequence(args.seed + r).spawn(3))
        t0 = time.perf_counter()
        c = generate_calls(dataset, network, tables, days=args.days, rng=a,
                           per_day=args.per_day)
        rec = run_city(world, c, make_policy("nearest"), horizon_s=args.days * 86400.0,
                       travel_rng=tr, service_rng=sv)
        model_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        bare_events = bare_loop(rec)
        bare_s.append(time.perf_counter() - t0)
        events, calls = rec.events, len(rec.calls)
    m, b = min(model_s), min(bare_s)
    print(f"{'':28}{'model':>12}{'bare SimPy':>12}")
    print(f"{'calls per run':28}{calls:>12d}{calls:>12d}")
    print(f"{'events per run':28}{events:>12d}{bare_events:>12d}")
    print(f"{'seconds per run (best of ' + str(args.repeat) + ')':28}{m:>12.3f}{b:>12.3f}")
    print(f"{'incident-days per second':28}{args.days / m:>12.1f}{args.days / b:>12.1f}")
    print(f"{'events per second':28}{events / m:>12.0f}{bare_events / b:>12.0f}")
    print(f"ratio model / bare (incident-days per second): {b / m:.3f}  (target >= 0.333)")
    print(f"world build (travel tables, once per closure state): {build_s:.3f} s; "
          f"{args.per_day:g} calls/day x {args.days:g} days")


if __name__ == "__main__":
    main()
