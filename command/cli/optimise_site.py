"""``command-center optimise site``: where standby posts and reserve depots should go.

``--pmed FILE`` solves an OR-Library p-median instance (first line ``n m p``, then
``i j cost`` edges numbered from 1, the last copy of a repeated pair winning, distances
being shortest paths) and prints ``objective``, ``bound``, ``optimal`` (true only when
proven), ``gap``, ``status`` (OPTIMAL or FEASIBLE), ``method``, ``seed``, ``seconds``,
``p``, ``n`` and ``facilities`` (1-based vertex numbers as in the file). The input modes
are one mutually exclusive group, so a situation-file mode can be added beside it.

``--city --problem pmedian|mclp|pcentre --capability CAP --p N`` sites any capability on
the city's community grid cells (``command.app.planning``, ``docs/planning.md``): ``p``
new sites beside the existing ones with ``--fixed-existing``, ``p`` existing sites moved
with ``--relocate``, else ``p`` sites of all; it prints ``sites``, ``objective``,
``bound``, ``optimal``, ``seconds`` and ``before`` / ``after`` (covered population share
and mean travel minutes). ``--city --posts N`` keeps its older meaning (posts among town
centres, :func:`command.app.optimise.site_city`).
"""

from __future__ import annotations

from command.cli import CLI, emit
from command.cli._guard import add_allow_large
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


def _city(args, settings) -> int:
    from command import roads
    from command.app.optimise import site_city
    from command.resources import load_dataset

    network = roads.load_network(settings)
    dataset = load_dataset(settings.resources_dir)
    if args.risk_weighted:
        from command.cli.risk_enforce import _store

        with _store(settings) as engine:
            data = site_city(network, dataset, p=args.posts,
                             max_snap_distance_m=settings.max_snap_distance_m, engine=engine,
                             time_limit_s=args.time_limit, method=args.method, seed=args.seed)
    else:
        data = site_city(network, dataset, p=args.posts,
                             max_snap_distance_m=settings.max_snap_distance_m, time_limit_s=args.time_limit,
                         method=args.method, seed=args.seed)

    def text(d) -> str:
        weighting = (f"population x risk ({d['risk_points']} register points)"
                     if d["risk_weighted"] else "population")
        lines = [f"{d['p']} posts among {d['n']} towns, demand weighted by {weighting}",
                 f"objective {d['objective']} (weighted s)  bound {d['bound']}  "
                 f"{d['status']}  {d['seconds']:.2f} s"]
        lines += [f"  {x['area_id']:<8} {x['name_zh']}  {x['lat']:.4f}, {x['lon']:.4f}"
                  for x in d["sites"]]
        return "\n".join(lines)

    emit(data, as_json=args.json, text=text)
    return 0


#: Options of the planning mode (``--city --problem ...``), as written on the command line.
_PLAN_OPTIONS = ("problem", "capability", "p", "fixed_existing", "relocate", "radius_min",
                 "hour", "close_road", "candidates")


def _given(args) -> list[str]:
    return [name for name in _PLAN_OPTIONS if getattr(args, name) not in (None, False, [])]


def _plan_text(d: dict) -> str:
    def layout(x):
        return (f"{x['covered_share']:.1%} of the population within {d['standard_min']:g} min, "
                f"mean {x['mean_minutes']:.2f} min ({x['sites']} sites)"
                if d["standard_min"] is not None else
                f"mean {x['mean_minutes']:.2f} min ({x['sites']} sites)")

    proof = "proven optimal" if d["optimal"] else f"not proven (gap {d['gap']:.4%})"
    lines = [f"{d['problem']} {d['capability']} mode {d['mode']} p {d['p']}"
             + (f" hour {d['hour']} (x{d['congestion_factor']:g})" if d["hour"] is not None
                else ""),
             f"objective {d['objective']}  bound {d['bound']}  {proof}  {d['seconds']:.2f} s",
             f"before: {layout(d['before'])}", f"after:  {layout(d['after'])}"]
    lines += [f"  + {x['id']:<24} {x['name_zh']}  {x['lat']:.4f}, {x['lon']:.4f}"
              for x in d["sites"]]
    lines += [f"  - {x['id']:<24} {x['name_zh']}" for x in d["closed"]]
    return "\n".join(lines)


def _plan(args, settings) -> int:
    from command import roads
    from command.app.planning import site_plan
    from command.resources import load_dataset

    network = roads.load_network(settings)
    dataset = load_dataset(settings.resources_dir)
    mode = "relocate" if args.relocate else "add" if args.fixed_existing else "choose"
    kwargs = dict(problem=args.problem, capability=args.capability, p=args.p, mode=mode,
                  radius_min=args.radius_min, hour=args.hour,
                  closed_roads=tuple(args.close_road or ()),
                  candidates=args.candidates or "all", time_limit_s=args.time_limit)
    if args.risk_weighted:
        from command.app.risk import register
        from command.cli.risk_enforce import _store

        with _store(settings) as engine:
            data = site_plan(network, dataset, settings, risk_points=register(engine),
                             **kwargs)
    else:
        data = site_plan(network, dataset, settings, **kwargs)
    emit(data, as_json=args.json, text=_plan_text)
    return 0


def _site(args, settings) -> int:
    from command.dispatch.instances import read_pmed
    from command.dispatch.siting import p_median
    from command.errors import DataError, Problem

    given = _given(args)
    if args.city:
        if given and args.posts is not None:
            raise DataError("--posts and the siting options do not go together", [Problem(
                "use --p with --problem and --capability", field="--posts", value=args.posts)])
        if given:
            missing = [f"--{n}" for n in ("problem", "capability", "p")
                       if getattr(args, n) is None]
            if missing:
                raise DataError("the siting needs more options", [
                    Problem("required with --problem/--capability/--p", field=m)
                    for m in missing])
            if args.fixed_existing and args.relocate:
                raise DataError("choose one mode", [Problem(
                    "--fixed-existing adds p sites, --relocate moves p: not both",
                    field="--relocate")])
            return _plan(args, settings)
        if args.posts is None:
            raise DataError("how many posts?", [Problem("required with --city",
                                                         field="--posts")])
        return _city(args, settings)
    if args.posts is not None or args.risk_weighted or given:
        bad = ("--posts" if args.posts is not None else "--risk-weighted"
               if args.risk_weighted else "--" + given[0].replace("_", "-"))
        raise DataError("the options do not fit --pmed", [Problem(
            "only with --city", field=bad, value=args.posts)])

    instance = read_pmed(args.pmed, allow_large=args.allow_large)
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
        "(1-based vertex numbers as in the file). --city --posts N sites N standby posts "
        "among the data set's towns (weighted by population, or by population and risk "
        "with --risk-weighted) and prints the sites and each town's travel minutes. "
        "--city --problem pmedian|mclp|pcentre --capability CAP --p N sites CAP on the "
        "community grid cells (population by district; docs/planning.md): p new sites "
        "beside the existing ones (--fixed-existing), p existing ones moved (--relocate) "
        "or p of all candidates, and prints sites, objective, bound, optimal, seconds and "
        "before/after (covered population share, mean travel minutes).")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--pmed", metavar="FILE", help="an OR-Library pmed file")
    source.add_argument("--city", action="store_true",
                        help="the city by road travel times: with --posts, demand and "
                        "candidate sites at the town centres; with --problem/--capability/--p, "
                        "demand at the community grid cells and sites among the existing "
                        "ones, candidate_sites.csv and cell centres")
    p.add_argument("--posts", type=int, metavar="N", help="--city: how many posts to open")
    p.add_argument("--risk-weighted", action="store_true",
                   help="--city: weight each town (or cell) by population x (1 + the risk register's "
                   "points within 3 km: red 1, orange 0.5, yellow 0.2, blue 0.05); needs "
                   "the store (`db init`)")
    p.add_argument("--problem", choices=("pmedian", "mclp", "pcentre"),
                   help="--city: p-median (mean response), maximal covering within the "
                   "standard, or p-centre (worst case)")
    p.add_argument("--capability", metavar="CAP",
                   help="--city: what to site: a unit capability (engine, ambulance, "
                   "hazmat ...), depot, or depot:ITEM (the depots stocking ITEM)")
    p.add_argument("--p", type=int, metavar="N",
                   help="--city: how many sites to open (new ones with --fixed-existing, "
                   "moved ones with --relocate)")
    p.add_argument("--fixed-existing", action="store_true",
                   help="--city: keep the existing sites of CAP open and add N new ones")
    p.add_argument("--relocate", action="store_true",
                   help="--city: move at most N existing sites (as many stay open)")
    p.add_argument("--radius-min", type=float, metavar="M",
                   help="--city: the covering standard in minutes (default: 5 fire, 12 EMS "
                   "from settings; depots: the shortest material deadline)")
    p.add_argument("--hour", type=int, metavar="H",
                   help="--city: hour of day 0-23 for the congestion factor "
                   "(settings.congestion_factors; default free flow)")
    p.add_argument("--close-road", action="append", metavar="NAME",
                   help="--city: a road closed by name or reference (repeatable)")
    p.add_argument("--candidates", choices=("all", "listed"),
                   help="--city: listed = existing sites and candidate_sites.csv; all (the "
                   "default) adds the road node of every community cell centre")
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
    add_allow_large(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_site)
