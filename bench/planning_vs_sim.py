"""Siting on the city against the simulator: the static cover of a layout (every unit
idle) beside the simulator's coverage KPI for the same layouts, and the solve times.

    python bench/planning_vs_sim.py [--replications 10] [--seed 1] [--per-day N] [--json]

For engines and ambulances, maximal covering with p = 2 new sites beside the existing
ones (``command.app.planning.site_plan``, listed candidates); today's layout and the
proposal (its drill variant: one unit at each new post) run in the simulator for one day
with common random numbers. Printed per layout: the static share of community cells
within the standard (``cells_covered_share``), the simulated ``coverage_fire`` /
``coverage_ems`` mean and 95% interval, whether the static figure lies in it, and the
paired difference after - before with its interval. The static figure assumes every unit
idle; the simulated one counts only idle units, so at the data set's call rate a new
post with one unit covers a little less than the static figure says (busy time), and
the gap shrinks with ``--per-day``. The ratio printed is the static solve time over one
simulated replication of the two variants (baseline in the same process).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    from command import roads, sim
    from command.app.drills import variant_kwargs
    from command.app.planning import site_plan
    from command.resources import load_dataset
    from command.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-day", type=float, default=None,
                        help="calls per day (default: the data set's rates, ~59)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = Settings()
    network = roads.load_network(settings)
    dataset = load_dataset(settings.resources_dir)
    rows = []
    for cap, kpi in (("engine", "coverage_fire"), ("ambulance", "coverage_ems")):
        t0 = time.perf_counter()
        plan = site_plan(network, dataset, settings, problem="mclp", capability=cap, p=2,
                         mode="add", candidates="listed")
        solve_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = sim.run_experiment(
            network, dataset, settings, days=1, replications=args.replications,
            seed=args.seed, per_day=args.per_day,
            variants=[sim.Variant(name="today"), sim.Variant(**variant_kwargs(plan["variant"]))])
        sim_s = (time.perf_counter() - t0) / args.replications
        diff = result.comparisons[(result.comparisons["kpi"] == kpi)].iloc[0]
        for layout, name in (("before", "today"), ("after", "siting")):
            est = result.variant(name).kpis[kpi]
            static = plan[layout]["cells_covered_share"]
            rows.append({"capability": cap, "layout": layout, "static": static,
                         "sim_mean": round(est.mean, 4), "sim_ci95": [round(est.low, 4),
                                                                     round(est.high, 4)],
                         "within": bool(est.low - 1e-3 <= static <= est.high + 1e-3),
                         "paired_difference": round(float(diff["difference"]), 4),
                         "paired_ci95": [round(float(diff["low"]), 4),
                                         round(float(diff["high"]), 4)],
                         "optimal": plan["optimal"], "solve_s": round(solve_s, 3),
                         "sim_s_per_replication": round(sim_s, 3),
                         "ratio_solve_to_replication": round(solve_s / sim_s, 3)})
    if args.json:
        print(json.dumps(rows))
        return
    print(f"{'cap':<10}{'layout':<8}{'static':>8}{'sim mean':>10}  {'95% CI':<18}{'in':>4}"
          f"{'after-before [CI]':>28}{'solve s':>9}{'ratio':>7}")
    for r in rows:
        ci = f"[{r['sim_ci95'][0]:.4f}, {r['sim_ci95'][1]:.4f}]"
        pd_ = (f"{r['paired_difference']:+.4f} [{r['paired_ci95'][0]:+.4f}, "
               f"{r['paired_ci95'][1]:+.4f}]")
        print(f"{r['capability']:<10}{r['layout']:<8}{r['static']:>8.4f}{r['sim_mean']:>10.4f}  "
              f"{ci:<18}{'yes' if r['within'] else 'no':>4}{pd_:>28}{r['solve_s']:>9.2f}"
              f"{r['ratio_solve_to_replication']:>7.2f}")


if __name__ == "__main__":
    main()
