"""``command-center optimise site``: where standby posts and reserve depots should go.

``--pmed FILE`` solves an OR-Library p-median instance (first line ``n m p``, then
``i j cost`` edges numbered from 1, the last copy of a repeated pair winning, distances
being shortest paths) and prints ``objective``, ``bound``, ``optimal`` (true only when
proven), ``gap``, ``status`` (OPTIMAL or FEASIBLE), ``method``, ``seed``, ``seconds``,
``p``, ``n`` and ``facilities`` (1-based vertex numbers as in the file). The input modes
are one mutually exclusive group, so a situation-file mode can be added beside it.
"""

from __future__ import annotations

from command.cli import CLI, emit
from command.cli.optimise_deliveries import OPTIMISE_HELP, _positive

#: Siting is planning, not live dispatch: it may take longer than an assignment.
DEFAULT_TIME_LIMIT_S = 60.0


def _number(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(float(x), 6)


def _text(data: dict) -> str:
    proof = "proven optimal" if data["optimal"] else f"not proven (gap {data['gap']:.4%})"
    return "\n".join([
        f"instance {data['instance']}  n {data['n']}  p {data['p']}",
        f"objective {data['objective']}  bound {data['bound']}  {proof}",
        f"method {data['method']}  seconds {data['seconds']:.2f}",
        "facilities " + " ".join(str(f) for f in data["facilities"]),
    ])


def _site(args, settings) -> int:
    from command.dispatch.instances import read_pmed
    from command.dispatch.siting import p_median

    instance = read_pmed(args.pmed)
    result = p_median(instance.distance, instance.p, time_limit_s=args.time_limit,
                      method=args.method, seed=args.seed)
    data = {
        "instance": instance.name,
        "n": instance.n,
        "p": instance.p,
        **result.run.to_dict(),
        "objective": _number(result.objective),
        "bound": _number(result.bound),
        "optimal": result.optimal,
        "gap": result.gap,
        "seconds": round(result.seconds, 3),
        "facilities": [f + 1 for f in result.facilities],
    }
    emit(data, as_json=args.json, text=_text)
    return 0


def register(cli: CLI) -> None:
    optimise = cli.group("optimise", help=OPTIMISE_HELP)
    p = optimise.add_parser(
        "site", help="siting of standby posts and depots (p-median, exact where provable)",
        description="Choose sites. --pmed solves an OR-Library p-median file and prints "
        "objective, bound, optimal (true when proven), seconds, p, n and facilities "
        "(1-based vertex numbers as in the file).")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--pmed", metavar="FILE", help="an OR-Library pmed file")
    p.add_argument("--time-limit", type=_positive, default=DEFAULT_TIME_LIMIT_S, metavar="S",
                   help=f"wall-clock budget in seconds (default {DEFAULT_TIME_LIMIT_S:g}); "
                   "if optimality is not proven by then, the best answer and its gap are "
                   "printed")
    p.add_argument("--method", choices=("auto", "heuristic", "exact"), default="auto",
                   help="auto: heuristic, Lagrangian bound, branch and bound, then SCIP; "
                   "exact: heuristic, Lagrangian reduction, then SCIP only; heuristic: no "
                   "tree search, gap to the Lagrangian bound (default auto)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the heuristic's perturbation search (default 0)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_site)
