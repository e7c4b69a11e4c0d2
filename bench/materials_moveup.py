"""Material allocation and move-up: time and quality of the optimisers against simple
baselines run in the same process on the same instances.

    python bench/materials_moveup.py [--time-limit 2.0] [--seeds 3] [--workers N]
                                     [--skip-materials] [--skip-moveup] [--json]

Materials. Random instances on a 30 km x 30 km square: D depots x 20 items x P points
(D in 10/30/60, P in 10/30/100), travel time 10 min loading + straight distance x 1.35 at
40 km/h, 2 % of depot-point pairs unreachable; each point wants 40 % of the items (1-59
each); each item is held by half the depots, total stock 60-120 % of its demand (so
some items are short); priorities 1-4, deadlines 30-60 min for priorities 1-2 and 1-4 h
for 3-4; item weights 1-5. The ``cap`` rows add depot loading capacities (2-20 t) and
item loads (1-50 kg): items then compete for a depot's trucks. Baseline: greedy
nearest-depot fill in priority order (``greedy_materials``). ``unmet`` is the
priority- and item-weighted demand not met by its deadline as a share of all weighted
demand; ``ratio`` optimiser / greedy unmet; ``gap`` (unmet - bound) / demand.
A second table compares the solvers (GLOP, PDLP, SCIP) on the middle size.

Move-up. n idle units (55 % engines, 45 % ambulances) x J posts x 200 zones (weights
gamma(2, 1)) on the same square; 30 % of the posts have just lost their units (the
idle units start at the others); standards 5 min (engines, busy probability 0.3) and
12 min (ambulances, 0.5); response and move times by straight distance x 1.35 at
40 km/h (+ 1 min turnout for responses). Baselines: no move, and the greedy best
single move. ``E`` is the expected covered weight (MEXCLP), ``obj`` E minus the move
cost; ``gain_ratio`` is (optimiser E - no-move E) / (greedy E - no-move E).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from command.dispatch.materials import (  # noqa: E402
    MaterialProblem,
    allocate_materials,
    greedy_materials,
)
from command.dispatch.moveup import MoveUpProblem, plan_moveup  # noqa: E402

SIDE_M = 30_000.0
SPEED_M_S = 40 / 3.6
DETOUR = 1.35


def _seconds(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return DETOUR * np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2) / SPEED_M_S


def material_problem(n_depots: int, n_items: int, n_points: int, rng: np.random.Generator,
                     *, capacity: bool = False) -> MaterialProblem:
    depots = rng.uniform(0, SIDE_M, (n_depots, 2))
    points = rng.uniform(0, SIDE_M, (n_points, 2))
    travel = 600.0 + _seconds(depots, points)
    travel[rng.uniform(size=travel.shape) < 0.02] = np.inf
    demand = np.where(rng.uniform(size=(n_points, n_items)) < 0.4,
                      rng.integers(1, 60, (n_points, n_items)), 0).astype(float)
    share = rng.uniform(size=(n_depots, n_items)) * (rng.uniform(size=(n_depots, n_items)) < 0.5)
    total = demand.sum(axis=0) * rng.uniform(0.6, 1.2, n_items)
    stock = np.floor(share / np.maximum(share.sum(axis=0), 1e-9) * total)
    prio = tuple(int(x) for x in rng.integers(1, 5, n_points))
    deadline = np.where(np.array(prio) <= 2, rng.uniform(1800, 3600, n_points),
                        rng.uniform(3600, 4 * 3600, n_points))
    kw = {}
    if capacity:
        kw = dict(item_load=rng.uniform(1, 50, n_items),
                  depot_capacity=rng.uniform(2000, 20000, n_depots))
    return MaterialProblem(
        depot_ids=tuple(f"D{k:02d}" for k in range(n_depots)),
        item_ids=tuple(f"I{k:02d}" for k in range(n_items)), item_units=("件",) * n_items,
        stock=stock, point_ids=tuple(f"P{k:03d}" for k in range(n_points)),
        point_priority=prio, deadline_s=deadline, demand=demand, travel_time_s=travel,
        item_weight=rng.uniform(1, 5, n_items), **kw)


def moveup_problem(n_units: int, n_posts: int, n_zones: int,
                   rng: np.random.Generator) -> MoveUpProblem:
    posts = rng.uniform(0, SIDE_M, (n_posts, 2))
    zones = rng.uniform(0, SIDE_M, (n_zones, 2))
    caps = rng.choice(["engine", "ambulance"], size=n_units, p=[0.55, 0.45])
    emptied = rng.uniform(size=n_posts) < 0.3
    start = rng.choice(np.flatnonzero(~emptied), size=n_units)
    post_post = _seconds(posts, posts)
    return MoveUpProblem(
        unit_ids=tuple(f"U{k:03d}" for k in range(n_units)), unit_capability=tuple(caps),
        unit_post=tuple(int(j) for j in start),
        post_ids=tuple(f"S{j:03d}" for j in range(n_posts)),
        zone_ids=tuple(f"Z{z:03d}" for z in range(n_zones)),
        zone_weight=rng.gamma(2.0, 1.0, n_zones), travel_time_s=post_post[start],
        cover_time_s=60.0 + _seconds(posts, zones),
        standard_s={"engine": 300.0, "ambulance": 720.0},
        busy_probability={"engine": 0.3, "ambulance": 0.5})


def bench_materials(args) -> list[dict]:
    rows = []
    print("materials: optimiser (auto) vs greedy nearest-depot fill, "
          f"time limit {args.time_limit:g} s")
    print(f"{'depots':>6} {'items':>5} {'points':>6} {'cap':>3} {'seed':>4} {'arcs':>6} "
          f"{'status':>8} {'method':>9} {'sec':>6} {'greedy_s':>8} {'unmet':>7} "
          f"{'greedy':>7} {'ratio':>6} {'gap':>6} {'time_ratio':>10}")
    sizes = [(d, p, False) for d in (10, 30, 60) for p in (10, 30, 100)]
    sizes += [(10, 10, True), (30, 30, True), (60, 100, True)]
    for n_d, n_p, cap in sizes:
        for seed in range(args.seeds):
            prob = material_problem(n_d, 20, n_p, np.random.default_rng(7919 * n_d + n_p
                                                                       + 100_003 * seed),
                                    capacity=cap)
            t = time.perf_counter()
            g = greedy_materials(prob)
            g_s = time.perf_counter() - t
            t = time.perf_counter()
            r = allocate_materials(prob, time_limit_s=args.time_limit)
            r_s = time.perf_counter() - t
            dw = r.demand_weighted
            arcs = int(np.sum((np.asarray(prob.stock)[:, None, :] > 0)
                              & (np.asarray(prob.demand)[None, :, :] > 0)
                              & np.isfinite(np.asarray(prob.travel_time_s))[:, :, None]))
            row = dict(depots=n_d, items=20, points=n_p, capacity=cap, seed=seed, arcs=arcs,
                       status=r.status, method=r.method, seconds=round(r_s, 3),
                       greedy_seconds=round(g_s, 4), unmet_share=r.unmet_weighted / dw,
                       greedy_unmet_share=g.unmet_weighted / dw,
                       ratio=r.unmet_weighted / g.unmet_weighted if g.unmet_weighted else 1.0,
                       gap=(r.unmet_weighted - r.unmet_bound) / dw,
                       weighted_quantity_s=r.weighted_quantity_s,
                       greedy_weighted_quantity_s=g.weighted_quantity_s)
            rows.append(row)
            print(f"{n_d:>6} {20:>5} {n_p:>6} {'yes' if cap else 'no':>3} {seed:>4} "
                  f"{arcs:>6} {r.status:>8} {r.method:>9} {r_s:>6.3f} {g_s:>8.4f} "
                  f"{row['unmet_share']:>7.2%} {row['greedy_unmet_share']:>7.2%} "
                  f"{row['ratio']:>6.3f} {row['gap']:>6.2%} {r_s / g_s:>10.1f}", flush=True)
    print(f"\n{'depots':>6} {'points':>6} {'cap':>3} {'mean_s':>7} {'max_s':>6} "
          f"{'optimal':>7} {'unmet':>7} {'greedy':>7} {'mean_ratio':>10}")
    for n_d, n_p, cap in sizes:
        rs = [r for r in rows if (r["depots"], r["points"], r["capacity"]) == (n_d, n_p, cap)]
        print(f"{n_d:>6} {n_p:>6} {'yes' if cap else 'no':>3} "
              f"{statistics.mean(r['seconds'] for r in rs):>7.3f} "
              f"{max(r['seconds'] for r in rs):>6.3f} "
              f"{sum(r['status'] == 'OPTIMAL' for r in rs):>5}/{len(rs)} "
              f"{statistics.mean(r['unmet_share'] for r in rs):>7.2%} "
              f"{statistics.mean(r['greedy_unmet_share'] for r in rs):>7.2%} "
              f"{statistics.mean(r['ratio'] for r in rs):>10.3f}")

    print(f"\nsolvers on 30 depots x 20 items x 30 points (seed 0), time limit "
          f"{args.time_limit:g} s; unmet relative to GLOP, lower is better")
    print(f"{'cap':>3} {'solver':>7} {'status':>8} {'method':>9} {'sec':>6} {'unmet':>7} "
          f"{'vs_glop':>7} {'qty_s_vs_glop':>13}")
    for cap in (False, True):
        prob = material_problem(30, 20, 30, np.random.default_rng(7919 * 30 + 30), capacity=cap)
        base = None
        for solver in ("glop", "auto", "pdlp", "scip"):
            t = time.perf_counter()
            r = allocate_materials(prob, time_limit_s=args.time_limit, method=solver)
            s = time.perf_counter() - t
            base = base or r
            print(f"{'yes' if cap else 'no':>3} {solver:>7} {r.status:>8} {r.method:>9} "
                  f"{s:>6.3f} {r.unmet_weighted / r.demand_weighted:>7.2%} "
                  f"{r.unmet_weighted / base.unmet_weighted:>7.3f} "
                  f"{r.weighted_quantity_s / base.weighted_quantity_s:>13.3f}")
            rows.append(dict(solver_comparison=True, capacity=cap, solver=solver,
                             status=r.status, method=r.method, seconds=round(s, 3),
                             unmet_share=r.unmet_weighted / r.demand_weighted))
    return rows


def bench_moveup(args) -> list[dict]:
    rows = []
    print(f"\nmove-up: CP-SAT vs no move and greedy single moves, 200 zones, time limit "
          f"{args.time_limit:g} s")
    print(f"{'units':>5} {'posts':>5} {'seed':>4} {'status':>8} {'method':>6} {'sec':>6} "
          f"{'greedy_s':>8} {'E_stay':>7} {'E_greedy':>8} {'E_opt':>7} {'obj_greedy':>10} "
          f"{'obj_opt':>8} {'moves':>5} {'g_moves':>7} {'min':>6} {'cover_stay':>10} "
          f"{'cover_opt':>9} {'gain_ratio':>10} {'time_ratio':>10}")
    for n, n_posts in ((50, 30), (50, 100), (150, 30), (150, 100)):
        for seed in range(args.seeds):
            prob = moveup_problem(n, n_posts, 200, np.random.default_rng(104_729 * n + n_posts
                                                                         + 7 * seed))
            t = time.perf_counter()
            g = plan_moveup(prob, time_limit_s=args.time_limit, method="greedy")
            g_s = time.perf_counter() - t
            t = time.perf_counter()
            r = plan_moveup(prob, time_limit_s=args.time_limit, seed=seed,
                            workers=args.workers)
            r_s = time.perf_counter() - t
            e0 = r.before.expected_weight
            gain_ratio = ((r.after.expected_weight - e0) / (g.after.expected_weight - e0)
                          if g.after.expected_weight > e0 else float("nan"))
            row = dict(units=n, posts=n_posts, zones=200, seed=seed, status=r.status,
                       method=r.method, seconds=round(r_s, 3), greedy_seconds=round(g_s, 4),
                       expected_stay=e0, expected_greedy=g.after.expected_weight,
                       expected_opt=r.after.expected_weight, objective_greedy=g.objective,
                       objective_opt=r.objective, bound=r.bound, moves=len(r.moves),
                       greedy_moves=len(g.moves), move_minutes=r.move_minutes,
                       covered_share_stay=r.before.zones_covered_share,
                       covered_share_opt=r.after.zones_covered_share,
                       gain_ratio=gain_ratio)
            rows.append(row)
            print(f"{n:>5} {n_posts:>5} {seed:>4} {r.status:>8} {r.method:>6} {r_s:>6.3f} "
                  f"{g_s:>8.4f} {e0:>7.1f} {g.after.expected_weight:>8.1f} "
                  f"{r.after.expected_weight:>7.1f} {g.objective:>10.2f} {r.objective:>8.2f} "
                  f"{len(r.moves):>5} {len(g.moves):>7} {r.move_minutes:>6.0f} "
                  f"{r.before.zones_covered_share:>10.1%} {r.after.zones_covered_share:>9.1%} "
                  f"{gain_ratio:>10.3f} {r_s / g_s:>10.1f}", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=2.0)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--workers", type=int, default=None, help="CP-SAT workers (move-up)")
    ap.add_argument("--skip-materials", action="store_true")
    ap.add_argument("--skip-moveup", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    out = {"time_limit_s": args.time_limit}
    if not args.skip_materials:
        out["materials"] = bench_materials(args)
    if not args.skip_moveup:
        out["moveup"] = bench_moveup(args)
    if args.json:
        print(json.dumps(out, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
