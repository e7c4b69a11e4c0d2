"""``command-center optimise deliveries``: vehicle routes for deliveries.

``--cvrp FILE`` solves a CVRPLIB instance (TSPLIB EUC_2D arcs rounded to the nearest
integer, as the published best known values use); ``--solomon FILE`` a Solomon VRPTW
instance (arcs truncated to one decimal). Both print ``cost``, ``routes`` (customer
numbers as in ``.sol`` files: 1..n-1, depot excluded), ``seconds`` and ``vehicles``.
The input modes are one mutually exclusive group, so a ``--situation FILE`` mode can be
added beside them.
"""

from __future__ import annotations

import argparse

from command.cli import CLI, emit
from command.errors import DataError, Problem

OPTIMISE_HELP = "optimisation: assignment, materials, deliveries, siting, move-up"


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def _text(data: dict) -> str:
    lines = [f"instance {data['instance']}  ({data['rounding']})"]
    lines += [f"Route #{k}: {' '.join(str(c) for c in r)}"
              for k, r in enumerate(data["routes"], start=1)]
    lines.append(f"Cost {data['cost']:g}")
    lines.append(f"vehicles {data['vehicles']}  status {data['status']}  "
                 f"seconds {data['seconds']:.2f} (best found at {data['seconds_to_best']:.2f})")
    if data["unserved"]:
        lines.append(f"unserved customers: {' '.join(str(c) for c in data['unserved'])}")
    if data["violations"]:
        lines += [f"violation: {v}" for v in data["violations"]]
    return "\n".join(lines)


def _deliveries(args, settings) -> int:
    from command.dispatch.routing import (check_solution, read_cvrplib, read_solomon,
                                          solve_cvrp, solve_vrptw)

    if args.customers is not None and not args.solomon:
        raise DataError("invalid options", [Problem("--customers only applies to --solomon",
                                                    field="--customers",
                                                    value=args.customers)])
    if args.cvrp:
        instance = read_cvrplib(args.cvrp)
        result = solve_cvrp(instance, time_limit_s=args.time_limit, seed=args.seed)
    else:
        instance = read_solomon(args.solomon, customers=args.customers)
        result = solve_vrptw(instance, time_limit_s=args.time_limit, seed=args.seed)
    # Node indices are the .sol customer numbers: the readers put the depot at node 0.
    data = {
        "instance": instance.name,
        "rounding": instance.rounding,
        "cost": result.cost,
        "routes": result.node_routes(),
        "seconds": round(result.seconds, 3),
        "seconds_to_best": round(result.seconds_to_best, 3),
        "vehicles": result.vehicles_used,
        "status": result.status,
        "unserved": list(result.unserved),
        "seed": result.seed,
        "violations": check_solution(instance, result),
    }
    emit(data, as_json=args.json, text=_text)
    return 0 if not data["violations"] else 1


def register(cli: CLI) -> None:
    optimise = cli.group("optimise", help=OPTIMISE_HELP)
    p = optimise.add_parser(
        "deliveries", help="vehicle routes with capacities and time windows (OR-Tools)",
        description="Plan delivery routes. --cvrp and --solomon solve published instances "
        "and print cost, routes (customer numbers as in .sol files), seconds and vehicles.")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--cvrp", metavar="FILE",
                        help="a CVRPLIB .vrp file (TSPLIB rounding: nearest integer per arc)")
    source.add_argument("--solomon", metavar="FILE",
                        help="a Solomon VRPTW .txt file (arcs truncated to one decimal)")
    p.add_argument("--customers", type=int, metavar="N",
                   help="with --solomon: keep only the first N customers (25, 50 ...)")
    p.add_argument("--time-limit", type=_positive, default=30.0, metavar="S",
                   help="search time in seconds; guided local search uses all of it "
                   "(default 30)")
    p.add_argument("--seed", type=int, default=0, help="solver random seed (default 0)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_deliveries)
