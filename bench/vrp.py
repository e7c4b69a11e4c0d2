"""Delivery routing on published instances: our solver against the best known values.

For each CVRPLIB and Solomon instance in ../shared/benchmarks/vrp/ this prints the best
known value, our cost after guided local search, the gap, the time limit and when the
best plan was found; and, as a baseline run in the same process, OR-Tools' first
solution alone (PATH_CHEAPEST_ARC, no local search) with the ratio baseline / ours.

    python bench/vrp.py [--time-limit 30] [--only A-n32-k5 C101.25 ...] [--json]

Instance names: CVRPLIB names, Solomon names, and NAME.25 / NAME.50 for the first 25 or
50 customers of a Solomon file. Costs follow each family's rounding rule (CVRPLIB:
nearest integer per arc; Solomon: each arc truncated to one decimal).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from command.dispatch.instances import read_cvrplib, read_solomon  # noqa: E402
from command.dispatch.routing import check_solution, solve_cvrp, solve_vrptw  # noqa: E402

VRP = ROOT / ".." / "shared" / "benchmarks" / "vrp"
DEFAULT = ["E-n13-k4", "P-n16-k8", "B-n31-k5", "A-n32-k5", "M-n101-k10",
           "C101.25", "R101.25", "RC101.25", "C101", "R101", "RC101", "C201", "R201", "RC201"]


def best_known() -> dict[str, float]:
    with open(VRP / "best_known.csv", newline="") as f:
        return {row["instance"]: float(row["best_known"]) for row in csv.DictReader(f)}


def load(name: str):
    if (VRP / "cvrp" / f"{name}.vrp").exists():
        return read_cvrplib(VRP / "cvrp" / f"{name}.vrp"), solve_cvrp
    base, _, customers = name.partition(".")
    return (read_solomon(VRP / "solomon" / f"{base}.txt",
                         customers=int(customers) if customers else None), solve_vrptw)


def run(name: str, best: float | None, time_limit_s: float, seed: int) -> dict:
    instance, solve = load(name)
    ours = solve(instance, time_limit_s=time_limit_s, seed=seed)
    first = solve(instance, time_limit_s=time_limit_s, seed=seed,
                  first_solution="PATH_CHEAPEST_ARC", local_search=False)
    row = {
        "instance": name, "customers": instance.n - 1, "best_known": best,
        "cost": ours.cost, "vehicles": ours.vehicles_used,
        "gap_pct": None if best is None else 100.0 * (ours.cost - best) / best,
        "seconds": ours.seconds, "seconds_to_best": ours.seconds_to_best,
        "unserved": len(ours.unserved), "violations": len(check_solution(instance, ours)),
        "first_cost": first.cost, "first_vehicles": first.vehicles_used,
        "first_unserved": len(first.unserved),
        "first_gap_pct": None if best is None else 100.0 * (first.cost - best) / best,
        "first_seconds": first.seconds,
        "ratio": first.cost / ours.cost if ours.cost else None,
    }
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per instance")
    parser.add_argument("--only", nargs="+", default=DEFAULT, metavar="NAME")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="also print the rows as JSON")
    args = parser.parse_args(argv)
    if not VRP.is_dir():
        print(f"published instances not found at {VRP}", file=sys.stderr)
        return 2
    known = best_known()
    head = (f"{'instance':<11} {'n':>4} {'best':>8} {'ours':>8} {'veh':>3} {'gap%':>6} "
            f"{'limit s':>7} {'best@s':>6} {'bad':>3} | {'first':>8} {'gap%':>6} "
            f"{'unsrv':>5} {'s':>5} {'first/ours':>10}")
    print(f"OR-Tools guided local search, {args.time_limit:g} s per instance; baseline: "
          "first solution only (PATH_CHEAPEST_ARC)")
    print(head)
    print("-" * len(head))
    rows = []
    for name in args.only:
        row = run(name, known.get(name), args.time_limit, args.seed)
        rows.append(row)
        gap = "" if row["gap_pct"] is None else f"{row['gap_pct']:.2f}"
        fgap = "" if row["first_gap_pct"] is None else f"{row['first_gap_pct']:.2f}"
        print(f"{name:<11} {row['customers']:>4} {row['best_known'] or '':>8} "
              f"{row['cost']:>8g} {row['vehicles']:>3} {gap:>6} {row['seconds']:>7.1f} "
              f"{row['seconds_to_best']:>6.2f} {row['violations'] + row['unserved']:>3} | "
              f"{row['first_cost']:>8g} {fgap:>6} {row['first_unserved']:>5} "
              f"{row['first_seconds']:>5.2f} {row['ratio']:>10.3f}", flush=True)
    gaps = [r["gap_pct"] for r in rows if r["gap_pct"] is not None]
    ratios = [r["ratio"] for r in rows if r["ratio"]]
    print(f"mean gap {sum(gaps) / len(gaps):.2f}% (max {max(gaps):.2f}%); mean first-solution "
          f"cost / ours = {sum(ratios) / len(ratios):.3f}")
    if args.json:
        print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
