"""``command-center optimise deliveries``: vehicle routes for deliveries.

``--cvrp FILE`` solves a CVRPLIB instance (TSPLIB EUC_2D arcs rounded to the nearest
integer, as the published best known values use); ``--solomon FILE`` a Solomon VRPTW
instance (arcs truncated to one decimal). Both print ``cost``, ``routes`` (customer
numbers as in ``.sol`` files: 1..n-1, depot excluded), ``seconds`` and ``vehicles``,
with the solver keys ``status`` (OPTIMAL, FEASIBLE, INFEASIBLE, NOT_SOLVED; the search's
own word in ``search_status``), ``objective`` (= ``cost``), ``bound`` (none: the search
proves nothing), ``seed`` and ``method``.
``--situation FILE`` allocates the reserve stocks to the situation's incidents and
shelters (as ``optimise materials``) and routes each depot's trucks to its points over
the road network: ``routes`` per depot with stops, arrival times, loads and lateness.
"""

from __future__ import annotations

import argparse

from command.cli import CLI, emit
from command.cli._guard import add_allow_large
from command.errors import DataError, Problem
from command.limits import check

OPTIMISE_HELP = "optimisation: assignment, materials, deliveries, siting, move-up"


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    rule = check("time_limit_s", value)
    if rule:
        raise argparse.ArgumentTypeError(f"{text!r} {rule}")
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


def _situation_text(data: dict) -> str:
    lines = [f"materials {data['materials_status']}; {len(data['depots'])} depots ship"]
    for d in data["depots"]:
        for r in d["routes"]:
            stops = ", ".join(
                f"{s['point_id']} {s['arrival_s'] / 60:.0f} min{' LATE' if s['late'] else ''}"
                for s in r["stops"])
            lines.append(f"{d['depot_id']:<5} truck {r['vehicle']}  {r['load_kg']} kg  {stops}")
        if d["unserved"]:
            lines.append(f"{d['depot_id']:<5} unserved: {', '.join(d['unserved'])}")
    return "\n".join(lines)


def _situation(args, settings) -> int:
    from command.app.optimise import deliveries_plan, materials_plan
    from command.cli.optimise_situation import load_prepared

    prep = load_prepared(args.situation, settings)
    limit = settings.solver_time_limit_s if args.time_limit is None else args.time_limit
    materials, mdata = materials_plan(prep, time_limit_s=limit)
    data = deliveries_plan(prep, materials, time_limit_s=limit)
    data.update(situation=prep.situation.name, materials_status=mdata["status"],
                shortages=mdata["shortages"])
    emit(data, as_json=args.json, text=_situation_text)
    return 0


def _deliveries(args, settings) -> int:
    if args.situation:
        return _situation(args, settings)
    if args.time_limit is None:
        args.time_limit = 30.0
    from command.dispatch.instances import read_cvrplib, read_solomon
    from command.dispatch.routing import check_solution, solve_cvrp, solve_vrptw

    if args.customers is not None and not args.solomon:
        raise DataError("invalid options", [Problem("--customers only applies to --solomon",
                                                    field="--customers",
                                                    value=args.customers)])
    if args.cvrp:
        instance = read_cvrplib(args.cvrp, allow_large=args.allow_large)
        result = solve_cvrp(instance, time_limit_s=args.time_limit, seed=args.seed)
    else:
        instance = read_solomon(args.solomon, customers=args.customers,
                                allow_large=args.allow_large)
        result = solve_vrptw(instance, time_limit_s=args.time_limit, seed=args.seed)
    # Node indices are the .sol customer numbers: the readers put the depot at node 0.
    data = {
        "instance": instance.name,
        "rounding": instance.rounding,
        **result.run.to_dict(),
        "cost": result.cost,
        "routes": result.node_routes(),
        "seconds": round(result.seconds, 3),
        "seconds_to_best": round(result.seconds_to_best, 3),
        "vehicles": result.vehicles_used,
        "search_status": result.search_status,
        "unserved": list(result.unserved),
        "violations": check_solution(instance, result),
    }
    emit(data, as_json=args.json, text=_text)
    return 0 if not data["violations"] else 1


def register(cli: CLI) -> None:
    optimise = cli.group("optimise", help=OPTIMISE_HELP)
    p = optimise.add_parser(
        "deliveries", help="vehicle routes with capacities and time windows (OR-Tools)",
        description="Plan delivery routes. --cvrp and --solomon solve published instances "
        "and print cost, routes (customer numbers as in .sol files), seconds and vehicles; "
        "--situation allocates reserve stocks and routes the depots' trucks.")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--cvrp", metavar="FILE",
                        help="a CVRPLIB .vrp file (TSPLIB rounding: nearest integer per arc)")
    source.add_argument("--solomon", metavar="FILE",
                        help="a Solomon VRPTW .txt file (arcs truncated to one decimal)")
    source.add_argument("--situation", metavar="FILE",
                        help="a situation file: allocate stocks, then route each depot's "
                        "trucks (see docs/situations.md)")
    p.add_argument("--customers", type=int, metavar="N",
                   help="with --solomon: keep only the first N customers (25, 50 ...)")
    p.add_argument("--time-limit", type=_positive, default=None, metavar="S",
                   help="search time in seconds; guided local search uses all of it "
                   "(default 30 for --cvrp/--solomon, settings solver_time_limit_s for "
                   "--situation)")
    p.add_argument("--seed", type=int, default=0, help="solver random seed (default 0)")
    add_allow_large(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_deliveries)
