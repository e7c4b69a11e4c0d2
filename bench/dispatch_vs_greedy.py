"""Benefit of the assignment optimiser over greedy nearest-available dispatch on surges.

    python bench/dispatch_vs_greedy.py --cases 200 --seed N [--time-limit S]
                                       [--no-coverage] [--full-only] [--json]

Each case is a surge on the Ezhou road network: a centre drawn uniformly among the
network's nodes inside the three districts' area, then 5 to 8 incidents (uniform) at
nodes drawn uniformly within 5 km (straight line) of it; each incident's type drawn from
the Ezhou incident mix (``incident_rates.csv``, all districts summed), grade 4 and the
type's default priority (``command.model.DEFAULT_PRIORITY``); demand from the response
packages; the whole default fleet available at its bases. The generator knows nothing of
either method. Both methods solve the same :class:`AssignmentProblem` built by
:func:`command.situation.assignment_problem` (road ETAs, town-zone coverage as the
second objective unless ``--no-coverage``); the optimiser is ``assign`` with the time
limit from settings, exactly as the command screen calls it (with its default
full-complement guard: a plan never has a later full complement than greedy's).
``--full-only`` drops the first-arrival term and coverage, so the optimiser minimises the
compared figure alone:
the ceiling of what any assignment can gain over greedy on these surges.

The figure is priority-weighted full-complement arrival time (``sum_i w_i x`` arrival of
incident i's last demanded unit; unserved demand counts at the horizon), greedy
``G`` against optimiser ``O``; improvement ``(G - O) / G`` per case. Printed as the last
line (``--json``): ``mean_improvement``, ``ci95`` (t interval over cases), ``median``,
``worse_cases`` (``O > G`` by more than 0.5 s), ``cases``, ``seconds`` per solve.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from command import roads  # noqa: E402
from command.dispatch.assign import assign, greedy_assign, weighted_full_complement_s  # noqa: E402
from command.model import DEFAULT_PRIORITY  # noqa: E402
from command.resources import load_dataset  # noqa: E402
from command.roads._routing import haversine_m  # noqa: E402
from command.settings import from_env  # noqa: E402
from command.sim.stats import mean_ci  # noqa: E402
from command.situation import assignment_problem, prepare, situation_from_dict  # noqa: E402

RADIUS_M = 5000.0


def incident_mix(dataset) -> tuple[list[str], np.ndarray]:
    per_type: dict[str, float] = {}
    for r in dataset.incident_rates:
        per_type[r.incident_type] = per_type.get(r.incident_type, 0.0) + r.per_year
    types = sorted(t for t, v in per_type.items() if v > 0 and dataset.package(t, 4))
    p = np.array([per_type[t] for t in types])
    return types, p / p.sum()


def city_nodes(net, dataset) -> np.ndarray:
    """Nodes inside the bounding box of the city's own places (bases, grid cells):
    keeps the 黄州 strip across the river out of the centres."""
    lats = [g.lat for g in dataset.grid_cells] + [b.lat for b in dataset.bases]
    lons = [g.lon for g in dataset.grid_cells] + [b.lon for b in dataset.bases]
    inside = ((net.node_lat >= min(lats)) & (net.node_lat <= max(lats))
              & (net.node_lon >= min(lons)) & (net.node_lon <= max(lons)))
    return np.flatnonzero(inside)


def surge(rng, net, nodes, types, p) -> dict:
    centre = int(rng.choice(nodes))
    d = haversine_m(net.node_lat[centre], net.node_lon[centre],
                          net.node_lat, net.node_lon)
    near = np.flatnonzero(d <= RADIUS_M)
    k = int(rng.integers(5, 9))
    picked = rng.choice(near, size=k, replace=len(near) < k)
    incidents = []
    for j, node in enumerate(picked):
        t = str(rng.choice(types, p=p))
        incidents.append({"id": f"I{j + 1}", "type": t, "grade": 4,
                          "priority": DEFAULT_PRIORITY[t],
                          "lat": float(net.node_lat[node]), "lon": float(net.node_lon[node])})
    return {"name": f"surge at node {centre}", "incidents": incidents}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=None,
                    help="optimiser time limit, s (default: settings solver_time_limit_s)")
    ap.add_argument("--no-coverage", action="store_true",
                    help="drop the zone-coverage objective (arrival times only)")
    ap.add_argument("--full-only", action="store_true",
                    help="optimise the full-complement term alone (no first arrival, no "
                    "coverage): the ceiling of the improvement")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.cases < 1:
        ap.error(f"--cases must be at least 1, not {args.cases}")

    settings = from_env()
    limit = settings.solver_time_limit_s if args.time_limit is None else args.time_limit
    net = roads.load_network(settings)
    dataset = load_dataset(settings.resources_dir)
    types, p = incident_mix(dataset)
    nodes = city_nodes(net, dataset)
    rng = np.random.default_rng(args.seed)

    improvements, greedy_s, opt_s, solve_s, statuses = [], [], [], [], {}
    worse = 0
    t_all = time.perf_counter()
    for case in range(args.cases):
        sit = surge(rng, net, nodes, types, p)
        sit["coverage"] = not (args.no_coverage or args.full_only)
        prep = prepare(*situation_from_dict(sit), net, dataset, settings)
        problem = assignment_problem(prep)
        if args.full_only:
            problem = dataclasses.replace(problem, first_arrival_weight=0)
        g = weighted_full_complement_s(problem, greedy_assign(problem))
        t0 = time.perf_counter()
        result = assign(problem, time_limit_s=limit)
        solve_s.append(time.perf_counter() - t0)
        o = weighted_full_complement_s(problem, result)
        statuses[result.status] = statuses.get(result.status, 0) + 1
        greedy_s.append(g)
        opt_s.append(o)
        improvements.append((g - o) / g if g > 0 else 0.0)
        if o > g + 0.5:
            worse += 1
        if not args.json and (case + 1) % 20 == 0:
            print(f"{case + 1:4d} cases  mean improvement so far "
                  f"{np.mean(improvements):.4f}", flush=True)
    est = mean_ci(improvements)
    out = {
        "cases": args.cases, "seed": args.seed,
        "coverage": not (args.no_coverage or args.full_only), "full_only": args.full_only,
        "time_limit_s": limit,
        "mean_improvement": round(est.mean, 4),
        "ci95": [round(est.low, 4), round(est.high, 4)],
        "median": round(float(np.median(improvements)), 4),
        "share_improved": round(float(np.mean(np.array(improvements) > 1e-9)), 4),
        "max_improvement": round(float(np.max(improvements)), 4),
        "worse_cases": worse,
        "greedy_mean_s": round(float(np.mean(greedy_s)), 1),
        "optimiser_mean_s": round(float(np.mean(opt_s)), 1),
        "solver_status": statuses,
        "solve_seconds_mean": round(float(np.mean(solve_s)), 3),
        "solve_seconds_max": round(float(np.max(solve_s)), 3),
        "wall_seconds": round(time.perf_counter() - t_all, 1),
    }
    if not args.json:
        print(f"optimiser vs greedy on {args.cases} surges: mean improvement "
              f"{out['mean_improvement']:.1%} (95% CI {out['ci95'][0]:.1%} .. "
              f"{out['ci95'][1]:.1%}), median {out['median']:.1%}, worse in "
              f"{worse} cases")
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
