"""Team assignment: speed and quality of the optimiser against greedy nearest-available.

    python bench/assign_speed.py [--time-limit 2.0] [--seeds 3] [--incidents 30]
                                 [--sizes 50,100,200,300,500] [--no-coverage] [--json]

Random instances on a 30 km x 30 km square: units at bases (two to four units of mixed
capabilities per base, the fleet mix of a mid-sized Chinese city), incidents in a surge
(within 8 km of a random point), response packages by incident type, ETAs from straight
distance x 1.35 (road detour) at 45 km/h plus 60 s turnout, 1 % of unit-incident pairs
unreachable (np.inf), and a 6 x 6 grid of zones that should keep an engine within
300 s and an ambulance within 720 s. The greedy baseline runs in the same process on the
same instance. ``ratio`` is optimiser / greedy on priority-weighted full-complement
arrival time; ``improve`` on the whole objective (both arrival terms and coverage);
``margin_ms`` is the time limit + 100 ms minus the wall time of the call (it must stay
positive).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from command.model import response_standards_s

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from command.dispatch.assign import (  # noqa: E402
    AssignmentProblem,
    assign,
    greedy_assign,
)

FLEET_MIX = {"engine": 0.30, "ambulance": 0.24, "police": 0.12, "rescue": 0.08, "ladder": 0.06,
             "hazmat": 0.05, "traffic": 0.05, "medical_team": 0.03, "gas_repair": 0.03,
             "power_repair": 0.02, "water_rescue": 0.02}
PACKAGES = {
    "fire": ({"engine": 2, "ladder": 1, "ambulance": 1}, 0.30),
    "hazmat_leak": ({"hazmat": 1, "engine": 2, "ambulance": 1}, 0.10),
    "traffic_accident": ({"police": 1, "traffic": 1, "rescue": 1, "ambulance": 1}, 0.25),
    "medical": ({"ambulance": 1}, 0.20),
    "gas_leak": ({"gas_repair": 1, "engine": 1, "police": 1}, 0.10),
    "collapse": ({"rescue": 2, "engine": 1, "ambulance": 2, "medical_team": 1}, 0.05),
}
SPEED_M_S = 45 / 3.6
DETOUR = 1.35
TURNOUT_S = 60.0


def _eta(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)
    return TURNOUT_S + DETOUR * d / SPEED_M_S


def random_problem(n_units: int, n_incidents: int, rng: np.random.Generator, *,
                   coverage: bool = True) -> AssignmentProblem:
    side = 30_000.0
    n_bases = max(1, n_units // 3)
    bases = rng.uniform(0, side, size=(n_bases, 2))
    at = rng.integers(0, n_bases, size=n_units)
    units = bases[at]
    caps = list(FLEET_MIX)
    unit_cap = tuple(rng.choice(caps, size=n_units, p=np.array(list(FLEET_MIX.values()))
                                / sum(FLEET_MIX.values())))
    centre = rng.uniform(8_000, side - 8_000, size=2)
    r = 8_000 * np.sqrt(rng.uniform(0, 1, n_incidents))
    phi = rng.uniform(0, 2 * np.pi, n_incidents)
    inc = centre + np.c_[r * np.cos(phi), r * np.sin(phi)]
    eta = _eta(units, inc)
    eta[rng.uniform(size=eta.shape) < 0.01] = np.inf
    types = list(PACKAGES)
    mix = np.array([PACKAGES[t][1] for t in types])
    kinds = rng.choice(len(types), size=n_incidents, p=mix / mix.sum())
    demand = {(i, c): d for i, k in enumerate(kinds) for c, d in PACKAGES[types[k]][0].items()}
    kw = {}
    if coverage:
        g = (np.arange(6) + 0.5) * side / 6
        zones = np.array([(x, y) for x in g for y in g])
        kw = dict(zone_ids=tuple(f"Z{j:02d}" for j in range(len(zones))),
                  eta_zone_s=_eta(units, zones),
                  zone_required=(("engine", "ambulance"),) * len(zones),
                  standard_s=response_standards_s(fire_standard_s=300, ems_standard_s=720))
    return AssignmentProblem(
        unit_ids=tuple(f"U{u:03d}" for u in range(n_units)), unit_capability=unit_cap,
        incident_ids=tuple(f"I{i:02d}" for i in range(n_incidents)),
        incident_priority=tuple(int(x) for x in rng.integers(1, 5, size=n_incidents)),
        demand=demand, eta_s=eta, **kw)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=2.0)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--incidents", type=int, default=30)
    ap.add_argument("--sizes", default="50,100,200,300,500")
    ap.add_argument("--no-coverage", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    head = (f"{'teams':>5} {'inc':>3} {'seed':>4} {'method':>6} {'status':>8} {'sec':>6} "
            f"{'margin_ms':>9} {'greedy_s':>7} {'full_cplt':>10} {'greedy_fc':>10} "
            f"{'ratio':>6} {'improve':>7} {'gap':>6} {'unmet':>5}")
    print(head)
    for n in sizes:
        for seed in range(args.seeds):
            problem = random_problem(n, args.incidents, np.random.default_rng(1000 * n + seed),
                                     coverage=not args.no_coverage)
            t = time.perf_counter()
            g = greedy_assign(problem)
            greedy_s = time.perf_counter() - t
            t = time.perf_counter()
            r = assign(problem, time_limit_s=args.time_limit, seed=seed)
            wall = time.perf_counter() - t
            margin_ms = (args.time_limit + 0.1 - wall) * 1000
            ratio = r.full_complement_s / g.full_complement_s
            improve = 1 - r.objective_s / g.objective_s
            row = dict(teams=n, incidents=args.incidents, seed=seed, method=r.method,
                       status=r.status, seconds=round(wall, 3), margin_ms=round(margin_ms, 1),
                       greedy_seconds=round(greedy_s, 4),
                       full_complement_s=round(r.full_complement_s, 1),
                       greedy_full_complement_s=round(g.full_complement_s, 1),
                       ratio=round(ratio, 4), improvement=round(improve, 4),
                       gap=None if r.gap is None else round(r.gap, 4),
                       unmet=sum(s.missing for s in r.shortfalls),
                       objective_s=round(r.objective_s, 1),
                       greedy_objective_s=round(g.objective_s, 1))
            rows.append(row)
            print(f"{n:>5} {args.incidents:>3} {seed:>4} {r.method:>6} {r.status:>8} "
                  f"{wall:>6.3f} {margin_ms:>9.1f} {greedy_s:>7.4f} {r.full_complement_s:>10.0f} "
                  f"{g.full_complement_s:>10.0f} {ratio:>6.3f} {improve:>7.1%} "
                  f"{(r.gap or 0):>6.2%} {row['unmet']:>5}", flush=True)
    print()
    print(f"{'teams':>5} {'mean_s':>7} {'max_s':>7} {'min_margin_ms':>13} {'optimal':>8} "
          f"{'mean_ratio':>10} {'mean_improve':>12}")
    summary = []
    for n in sizes:
        rs = [r for r in rows if r["teams"] == n]
        s = dict(teams=n, mean_seconds=statistics.mean(r["seconds"] for r in rs),
                 max_seconds=max(r["seconds"] for r in rs),
                 min_margin_ms=min(r["margin_ms"] for r in rs),
                 optimal=f"{sum(r['status'] == 'OPTIMAL' for r in rs)}/{len(rs)}",
                 mean_ratio=statistics.mean(r["ratio"] for r in rs),
                 mean_improvement=statistics.mean(r["improvement"] for r in rs))
        summary.append(s)
        print(f"{n:>5} {s['mean_seconds']:>7.3f} {s['max_seconds']:>7.3f} "
              f"{s['min_margin_ms']:>13.1f} {s['optimal']:>8} {s['mean_ratio']:>10.3f} "
              f"{s['mean_improvement']:>12.1%}")
    # the methods side by side on the 300-team instances (or the middle size)
    n_cmp = 300 if 300 in sizes else sizes[len(sizes) // 2]
    print(f"\nmethods on {n_cmp} teams x {args.incidents} incidents "
          f"(objective relative to greedy, lower is better)")
    print(f"{'seed':>4} {'method':>7} {'status':>8} {'sec':>6} {'objective_s':>12} "
          f"{'vs_greedy':>9}")
    for seed in range(args.seeds):
        rng = np.random.default_rng(1000 * n_cmp + seed)
        problem = random_problem(n_cmp, args.incidents, rng, coverage=not args.no_coverage)
        g = greedy_assign(problem)
        for method in ("greedy", "flow", "cpsat"):
            t = time.perf_counter()
            r = assign(problem, time_limit_s=args.time_limit, method=method, seed=seed)
            wall = time.perf_counter() - t
            print(f"{seed:>4} {method:>7} {r.status:>8} {wall:>6.3f} {r.objective_s:>12.0f} "
                  f"{r.objective_s / g.objective_s:>9.3f}")
    worst = min(r["margin_ms"] for r in rows if r["teams"] == 300) if 300 in sizes else None
    if worst is not None:
        print(f"\n300 x {args.incidents}: slowest call left {worst:.1f} ms of the "
              f"{args.time_limit:g} s + 100 ms allowance "
              f"({'within' if worst > 0 else 'OVER'} the limit)")
    if args.json:
        print(json.dumps({"time_limit_s": args.time_limit, "rows": rows, "summary": summary}))
    return 0 if all(r["margin_ms"] > 0 for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
