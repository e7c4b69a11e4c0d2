"""``command-center drill FILE``: check a drill file and run it in simulated time.

The file is checked first (unknown units, stations, roads or incident types, places off
the road network, bad times: every problem with its line and field); nothing runs until
it is valid. Then each replication plays the injects over random background calls and
prints the KPIs with 95% intervals (``--json`` for JSON, ``--report`` for HTML/CSV).
"""

from __future__ import annotations

from command.cli import CLI
from command.cli.simulate import (
    SimulationOptionsError,
    _city_problems,
    add_run_options,
    calls_budget_problem,
    emit_result,
    run_with_options,
)

__all__ = ["register"]


def _drill(args, settings) -> int:
    from command.resources import load_dataset
    from command.roads import load_network
    from command.sim import load_drill

    args.days, args.compare, args.add_units = 1.0, None, None
    # checked here, before the run, so that a bad file costs no simulation
    dataset = load_dataset(settings.resources_dir)
    drill = load_drill(args.file, network=load_network(settings), dataset=dataset,
                       settings=settings)
    args.policy = args.policy or drill.policy or "nearest"
    problems = _city_problems(args)
    if not problems:
        budget = calls_budget_problem(args, dataset, days=drill.days, variants=1,
                                      per_day=drill.background_per_day)
        problems += [budget] if budget else []
    if problems:
        raise SimulationOptionsError("The drill cannot run with these options.", problems)
    result = run_with_options(args, settings, drill=drill, replications=args.replications,
                              seed=args.seed, policy=args.policy,
                              moveup=args.moveup or bool(drill.moveup), per_day=args.per_day)
    emit_result(args, result)
    return 0


def register(cli: CLI) -> None:
    p = cli.command("drill", help="check and run a drill file (timed injects) in simulated "
                    "time", handler=_drill)
    p.add_argument("file", metavar="FILE", help="drill file (YAML)")
    add_run_options(p, days=False)
    p.set_defaults(policy=None)  # the drill file's policy unless one is given
