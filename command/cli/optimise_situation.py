"""``command-center optimise assign|materials|moveup --situation FILE`` (and the
``--situation`` mode of ``optimise deliveries``, which lives with the CVRP mode).

Each reads a situation file (YAML or JSON, see :mod:`command.situation` and
``docs/situations.md``), checks it against the data set and the road network before
anything is solved, and prints the plan: JSON with ``--json``, a short table otherwise.
The JSON of every solver carries ``status``, ``objective``, ``bound``, ``seconds``,
``seed`` and ``method`` at the top level (:class:`command.dispatch.SolverRun`).

* ``assign``: the team assignment Plan (assignments with ETA, next-best unit and reason
  in zh and en; shortfalls with mutual-aid options; explanations; solver status) and
  the greedy nearest-available figure for comparison; ``objective`` is ``objective_s``
  (weighted seconds), the plan's figures are in ``objective_terms`` and its status
  (proposed) in ``plan_status``.
* ``materials``: shipments, unmet lines, shortages per item, depot use.
* ``moveup``: after dispatching the assignment plan's units, which idle units move to
  which base, the minutes of each move and coverage before and after.
* ``plan``: all of it as one Plan (assignments, allocations, routes, moves,
  explanations, solver status); ``--record`` stores the situation's incidents and the
  plan as proposed, for the duty officer to approve, modify or reject.
"""

from __future__ import annotations

from command.cli import CLI, emit
from command.cli.optimise_deliveries import OPTIMISE_HELP, _positive


def load_prepared(path: str, settings):
    """Situation file -> Prepared (data set and road network from settings)."""
    from command.resources import load_dataset
    from command.roads import load_network
    from command.situation import load_situation, prepare

    situation, located = load_situation(path)
    dataset = load_dataset(settings.resources_dir)
    network = load_network(settings)
    return prepare(situation, located, network, dataset, settings)


def _limit(args, settings) -> float:
    return settings.solver_time_limit_s if args.time_limit is None else args.time_limit


def _assign_text(d: dict) -> str:
    lines = [f"status {d['solver_status']}  method {d['method']}  "
             f"full complement {d['full_complement_s']:.0f} s (greedy "
             f"{d['greedy_full_complement_s']:.0f} s)"]
    for a in d["assignments"]:
        nb = "" if a["next_best_unit_id"] is None else \
            f"  next {a['next_best_unit_id']} {a['next_best_eta_s'] / 60:.1f} min"
        lines.append(f"{a['incident_id']:<8} {a['capability']:<12} {a['unit_id']:<12} "
                     f"{a['eta_s'] / 60:5.1f} min{nb}  {a['reason_zh']}")
    for s in d["shortfalls"]:
        lines.append(f"{s['incident_id']:<8} {s['capability']:<12} missing {s['missing']}  "
                     f"{s['reason_zh']}")
    return "\n".join(lines)


def _assign(args, settings) -> int:
    from command.app.optimise import assignment_plan

    prep = load_prepared(args.situation, settings)
    plan, extra = assignment_plan(prep, time_limit_s=_limit(args, settings),
                                  method=args.method)
    data = {**plan.to_dict(), **extra}
    data.update(plan_status=plan.status, objective_terms=data["objective"],
                objective_s=extra["run"]["objective"], **extra["run"],
                situation=prep.situation.name)
    emit(data, as_json=args.json, text=_assign_text)
    return 0


def _materials_text(d: dict) -> str:
    lines = [f"status {d['status']}  method {d['method']}  unmet (weighted) "
             f"{d['unmet_weighted']:g} of {d['demand_weighted']:g}"]
    for s in d["shipments"]:
        lines.append(f"{s['depot_id']:<5} -> {s['point_id']:<6} {s['item_id']:<12} "
                     f"{s['quantity']:>9g} {s['unit']:<3} {s['travel_time_s'] / 60:6.1f} min"
                     f"{'' if s['on_time'] else '  LATE'}")
    for s in d["shortages"]:
        lines.append(f"shortage {s['item_id']:<12} unmet {s['unmet']:g} {s['unit']} "
                     f"(no stock for {s['stock_deficit']:g})")
    return "\n".join(lines)


def _materials(args, settings) -> int:
    from command.app.optimise import materials_plan

    prep = load_prepared(args.situation, settings)
    _, data = materials_plan(prep, time_limit_s=_limit(args, settings))
    emit({**data, "situation": prep.situation.name}, as_json=args.json, text=_materials_text)
    return 0


def _moveup_text(d: dict) -> str:
    lines = [f"status {d['status']}  coverage {d['before']['expected_weight']:.0f} -> "
             f"{d['after']['expected_weight']:.0f} (of {d['after']['total_weight']:.0f}); "
             f"{len(d['moves'])} moves, {d['move_minutes']:.1f} min"]
    for m in d["moves"]:
        lines.append(f"{m['unit_id']:<12} {m['capability']:<10} {m['from_post_id']} -> "
                     f"{m['to_post_id']}  {m['minutes']:.1f} min")
    return "\n".join(lines)


def _moveup(args, settings) -> int:
    from command.app.optimise import assignment_plan, moveup_plan

    prep = load_prepared(args.situation, settings)
    limit = _limit(args, settings)
    busy: list[str] = []
    if prep.situation.incidents and not args.no_dispatch:
        plan, _ = assignment_plan(prep, time_limit_s=limit)
        busy = [a.unit_id for a in plan.assignments]
    data = moveup_plan(prep, busy, time_limit_s=limit)
    emit({**data, "situation": prep.situation.name}, as_json=args.json, text=_moveup_text)
    return 0


def _plan_text(d: dict) -> str:
    lines = [_assign_text(d)]
    lines.append(f"materials {d['materials_status']}: {len(d['allocations'])} shipments, "
                 f"{len(d['shortages'])} items short; {len(d['routes'])} truck routes; "
                 f"move-up {d['moveup_status']}: {len(d['moves'])} moves")
    if d.get("plan_id") is not None:
        lines.append(f"recorded: plan {d['plan_id']} for incidents "
                     f"{', '.join(d['recorded_incidents'])}")
    return "\n".join(lines)


def _plan(args, settings) -> int:
    from command.app.optimise import complete_plan

    prep = load_prepared(args.situation, settings)
    plan, figures = complete_plan(prep, time_limit_s=_limit(args, settings))
    data = {**plan.to_dict(), **figures, "situation": prep.situation.name}
    if args.record and figures.get("serves_nothing") and not args.confirm_empty:
        from command.errors import CommandError, Problem

        raise CommandError("The plan serves nothing; nothing was recorded.", [Problem(
            figures["warnings"][0]["text_en"] + "; pass --confirm-empty to record it anyway",
            file=args.situation, field="--record")])
    if args.record:
        from command import store
        from command.app.situations import record_situation_plan

        plan_id, ids = record_situation_plan(store.engine_for(settings), prep.situation, plan,
                                             actor=args.actor)
        data.update(plan_id=plan_id, recorded_incidents=list(ids.values()))
    emit(data, as_json=args.json, text=_plan_text)
    return 0


def add_common(p) -> None:
    p.add_argument("--situation", metavar="FILE", required=True,
                   help="situation file (YAML or JSON; see docs/situations.md)")
    p.add_argument("--time-limit", type=_positive, default=None, metavar="S",
                   help="solver time limit in seconds (default: settings "
                   "solver_time_limit_s)")
    p.add_argument("--json", action="store_true", help="print JSON")


def register(cli: CLI) -> None:
    optimise = cli.group("optimise", help=OPTIMISE_HELP)
    p = optimise.add_parser(
        "assign", help="which teams go to which incidents (CP-SAT / min-cost flow)",
        description="Assign available teams to the situation's incidents: minimise the "
        "priority-weighted arrival of each incident's first unit and full complement, then "
        "keep an engine and an ambulance within the standard time of every town zone.")
    add_common(p)
    p.add_argument("--method", choices=("auto", "cpsat", "flow", "greedy"), default="auto",
                   help="solver (default auto: CP-SAT with the greedy plan as fallback)")
    p.set_defaults(handler=_assign)
    p = optimise.add_parser(
        "materials", help="allocate reserve stocks to incidents and shelters",
        description="Allocate depot stocks to the incidents' material packages and the "
        "shelters' rations: minimise unmet priority-weighted demand by the deadlines, "
        "then delivery time; report shortages per item and depot use.")
    add_common(p)
    p.set_defaults(handler=_materials)
    p = optimise.add_parser(
        "moveup", help="move idle teams to restore coverage after a dispatch",
        description="Dispatch the assignment plan, then move idle engines and ambulances "
        "between bases to maximise expected coverage of the town zones (MEXCLP); prints "
        "each move with its minutes and coverage before and after.")
    add_common(p)
    p.add_argument("--no-dispatch", action="store_true",
                   help="plan move-up for the situation as it is, without dispatching")
    p.set_defaults(handler=_moveup)
    p = optimise.add_parser(
        "plan", help="the whole plan: teams, materials, deliveries and move-up",
        description="Solve the situation's team assignment, material allocation, delivery "
        "routes and move-up, and print them as one Plan; --record stores the incidents and "
        "the proposed plan (audited) for the duty officer's decision.")
    add_common(p)
    p.add_argument("--record", action="store_true",
                   help="store the situation's incidents and the plan as proposed")
    p.add_argument("--actor", default="cli", help="who records it (audit log; default cli)")
    p.add_argument("--confirm-empty", action="store_true",
                   help="with --record: record a plan that sends no unit and ships nothing")
    p.set_defaults(handler=_plan)
