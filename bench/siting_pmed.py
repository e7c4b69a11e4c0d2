"""p-median siting on the 40 OR-Library pmed instances: objective, proof and time.

    python bench/siting_pmed.py [--instances 1-40] [--time-limit 60] [--method auto] [--json]

For each instance: n, p, the published optimum (Beasley 1985, OR-Library ``pmedopt``),
our objective, the proven lower bound, whether optimality is proven, and the seconds
taken. As the baseline, in the same process on the same distance matrix, the plain
greedy-then-fast-interchange heuristic (no bound, no tree search): its objective, its
time and the ratio baseline / ours of the objectives (>= 1: how much worse the plain
heuristic is). Instances are read from ../shared/benchmarks/pmed; reading (shortest
paths) is not timed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from command.dispatch._siting_heuristic import greedy, interchange  # noqa: E402
from command.dispatch.instances import read_pmed  # noqa: E402
from command.dispatch.siting import p_median  # noqa: E402

PMED = Path(__file__).resolve().parents[1] / ".." / "shared" / "benchmarks" / "pmed"


def _instances(text: str) -> list[int]:
    chosen: list[int] = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-", 1)
            chosen.extend(range(int(a), int(b) + 1))
        elif part.strip():
            chosen.append(int(part))
    bad = [k for k in chosen if not 1 <= k <= 40]
    if bad:
        raise argparse.ArgumentTypeError(f"instances are numbered 1..40, not {bad}")
    return chosen


def _optima() -> dict[str, int]:
    rows = (PMED / "pmedopt.txt").read_text().splitlines()[1:]
    return {name: int(value) for name, value in (r.split() for r in rows if r.strip())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--instances", type=_instances, default=list(range(1, 41)),
                    help="e.g. 1-10 or 1,5,36-40 (default 1-40)")
    ap.add_argument("--time-limit", type=float, default=60.0,
                    help="seconds per instance (default 60)")
    ap.add_argument("--method", choices=("auto", "exact", "heuristic"), default="auto")
    ap.add_argument("--json", action="store_true", help="also print one JSON summary line")
    args = ap.parse_args(argv)
    if not PMED.is_dir():
        print(f"instances not found at {PMED.resolve()}", file=sys.stderr)
        return 2
    optimum = _optima()
    head = (f"{'instance':<9}{'n':>5}{'p':>5}{'optimum':>9}{'ours':>9}{'bound':>11}"
            f"{'proven':>8}{'s':>8}  {'method':<18}{'greedy+ic':>10}{'s':>7}{'ratio':>8}")
    print(head)
    print("-" * len(head))
    rows = []
    for k in args.instances:
        inst = read_pmed(PMED / f"pmed{k}.txt")
        opt = optimum[inst.name]
        result = p_median(inst.distance, inst.p, time_limit_s=args.time_limit,
                          method=args.method)
        t = time.perf_counter()
        _, base = interchange(inst.distance, greedy(inst.distance, inst.p))
        base_s = time.perf_counter() - t
        row = {"instance": inst.name, "n": inst.n, "p": inst.p, "optimum": opt,
               "objective": result.objective, "bound": result.bound,
               "proven": result.optimal, "seconds": result.seconds, "method": result.method,
               "baseline": base, "baseline_seconds": base_s,
               "ratio": base / result.objective}
        rows.append(row)
        mark = "" if result.objective == opt else "  <-- not the published optimum"
        print(f"{inst.name:<9}{inst.n:>5}{inst.p:>5}{opt:>9}{result.objective:>9.0f}"
              f"{result.bound:>11.2f}{'yes' if result.optimal else 'no':>8}"
              f"{result.seconds:>8.2f}  {result.method:<18}{base:>10.0f}{base_s:>7.2f}"
              f"{row['ratio']:>8.4f}{mark}", flush=True)
    hits = sum(r["objective"] == r["optimum"] for r in rows)
    proven = sum(r["proven"] for r in rows)
    base_hits = sum(r["baseline"] == r["optimum"] for r in rows)
    worst = max(rows, key=lambda r: r["ratio"])
    print("-" * len(head))
    print(f"published optimum reached: {hits}/{len(rows)}; proven optimal: {proven}/{len(rows)}; "
          f"max time {max(r['seconds'] for r in rows):.2f} s, total "
          f"{sum(r['seconds'] for r in rows):.1f} s (limit {args.time_limit:g} s each)")
    print(f"baseline greedy+interchange: optimum on {base_hits}/{len(rows)}, worst "
          f"{worst['instance']} {worst['baseline']:.0f} vs {worst['objective']:.0f} "
          f"(+{worst['ratio'] - 1:.2%}), total {sum(r['baseline_seconds'] for r in rows):.1f} s")
    if args.json:
        print(json.dumps({"reached": hits, "proven": proven, "instances": len(rows),
                          "max_seconds": max(r["seconds"] for r in rows), "rows": rows}))
    return 0 if hits == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
