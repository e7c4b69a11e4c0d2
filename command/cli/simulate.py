"""``command-center simulate``: replicated simulation runs from the command line.

``simulate queue`` runs the bare M/M/c model (zero travel, exponential service) that
validates the engine and prints the simulated mean wait and probability of waiting, their
95% confidence intervals as ``[low, high]``, and the Erlang C values beside them. Rates
are per hour.

``simulate`` itself (no sub-command) runs the city model (:func:`command.sim.run_experiment`):
``--days D --policy nearest|optimiser --replications R --seed S`` and ``--compare
nearest,optimiser`` (one variant per policy, common random numbers, paired differences),
``--remove-base``/``--add-units``/``--close-road`` for a what-if against the baseline,
``--json`` and ``--report FILE.html`` (or ``.csv``). Replications run on Dask (the
``dask_scheduler`` setting, or a local cluster) with ``--parallel``. ``--risk-weighted``
scales each district's industrial incident rates by the risk points of the register in
the store (:func:`command.risk.feeds.risk_weighted_rates`, docs/risk.md).
"""

from __future__ import annotations

import logging
import sys

from command.cli import CLI, emit
from command.cli._guard import (
    add_allow_large,
    budget_problem,
    output_problem,
    range_problems,
    write_text_atomic,
)
from command.errors import CommandError, Problem

SIMULATE_HELP = "simulation: replicated runs of the response model and the M/M/c check"

__all__ = ["SimulationOptionsError", "register"]


class SimulationOptionsError(CommandError):
    """Simulation options that describe no valid run."""


def _validate(args) -> None:
    problems = []
    for flag, value in (("--arrival-rate", args.arrival_rate),
                        ("--service-rate", args.service_rate),
                        ("--hours", args.hours)):
        if not (value > 0 and value != float("inf")):
            problems.append(Problem("must be a positive number", field=flag, value=value))
    if args.warmup is not None and not (0 <= args.warmup < float("inf")):
        problems.append(Problem("must be 0 or more hours", field="--warmup", value=args.warmup))
    if args.servers < 1:
        problems.append(Problem("must be at least 1", field="--servers", value=args.servers))
    if args.replications < 2:
        problems.append(Problem("at least 2 replications are needed for a confidence "
                                "interval", field="--replications", value=args.replications))
    if args.seed < 0:
        problems.append(Problem("must be 0 or more", field="--seed", value=args.seed))
    problems += range_problems(args, {"--arrival-rate": "queue_rate_h",
                                      "--service-rate": "queue_rate_h",
                                      "--hours": "queue_hours", "--warmup": "queue_warmup_h",
                                      "--servers": "servers",
                                      "--replications": "replications"}, already=problems)
    if not problems:
        warmup = 0.1 * args.hours if args.warmup is None else args.warmup
        p = budget_problem("queue_arrivals",
                           args.arrival_rate * (args.hours + warmup) * args.replications,
                           allow_large=args.allow_large, field="--hours",
                           what="arrival rate x (hours + warm-up) x replications")
        if p:
            problems.append(p)
    if not problems:
        rho = args.arrival_rate / (args.servers * args.service_rate)
        if rho >= 1:
            problems.append(Problem(
                f"utilisation = arrival rate / (servers x service rate) = {args.arrival_rate:g} "
                f"/ ({args.servers} x {args.service_rate:g}) = {rho:.4g} must be below 1, or "
                "the queue grows without bound and has no steady state; add servers or "
                "lower the arrival rate", field="--arrival-rate", value=args.arrival_rate))
        elif args.arrival_rate * args.hours < 1:
            problems.append(Problem(
                f"{args.arrival_rate:g} calls/h over {args.hours:g} h is less than one call "
                "per replication; simulate more hours", field="--hours", value=args.hours))
    if problems:
        raise SimulationOptionsError("The queue simulation cannot run with these options.",
                                     problems)


def _progress_bar(enabled: bool):
    if not enabled:
        return None, None
    from tqdm import tqdm

    bar = tqdm(total=0, unit="rep", desc="replications", file=sys.stderr, leave=False)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return update, bar


def _text(d: dict) -> str:
    def ci(key: str, fmt: str) -> str:
        low, high = d[key]
        return f"[{low:{fmt}}, {high:{fmt}}]"

    return "\n".join([
        f"M/M/{d['servers']}  arrival {d['arrival_rate_h']:g}/h  service {d['service_rate_h']:g}/h"
        f"  utilisation {d['theory_utilisation']:.4f}",
        f"{d['replications']} replications x {d['hours']:g} h (warm-up {d['warmup_h']:g} h), "
        f"seed {d['seed']}, {d['calls']} calls, {d['seconds']:.2f} s",
        f"{'':12}{'simulated':>12}  {'95% interval':>22}  {'Erlang C':>10}",
        f"{'mean_wait_s':12}{d['mean_wait_s']:12.2f}  {ci('mean_wait_ci95', '.2f'):>22}  "
        f"{d['theory_mean_wait_s']:10.2f}",
        f"{'p_wait':12}{d['p_wait']:12.4f}  {ci('p_wait_ci95', '.4f'):>22}  "
        f"{d['theory_p_wait']:10.4f}",
    ])


def _quiet_dask(verbose: bool) -> None:
    """Dask logs every connection at INFO; the operator needs none of it."""
    if verbose:
        return
    try:
        import distributed  # noqa: F401  (importing it sets its loggers to INFO)
    except ImportError:
        return
    logging.getLogger("distributed").setLevel(logging.WARNING)


def _queue(args, settings) -> int:
    _validate(args)
    from command.sim.queue import dask_client, simulate_mmc

    progress, bar = _progress_bar(not args.json and sys.stderr.isatty())
    options = dict(warmup_h=args.warmup, progress=progress)
    try:
        if args.parallel:
            _quiet_dask(args.verbose)
            try:
                with dask_client(settings.dask_scheduler) as client:
                    result = simulate_mmc(args.arrival_rate, args.service_rate, args.servers,
                                          args.hours, args.replications, args.seed,
                                          client=client, **options)
            except ModuleNotFoundError as exc:
                raise SimulationOptionsError(str(exc), [Problem(
                    "needs the 'cluster' extra", field="--parallel", value=True)]) from exc
        else:
            result = simulate_mmc(args.arrival_rate, args.service_rate, args.servers,
                                  args.hours, args.replications, args.seed, **options)
    finally:
        if bar is not None:
            bar.close()
    theory = result.theory()
    data = {
        "mean_wait_s": result.mean_wait_s.mean,
        "mean_wait_ci95": result.mean_wait_s.interval(),
        "p_wait": result.p_wait.mean,
        "p_wait_ci95": result.p_wait.interval(),
        "theory_mean_wait_s": theory.mean_wait_s,
        "theory_p_wait": theory.p_wait,
        "theory_utilisation": theory.utilisation,
        "utilisation": result.utilisation.mean,
        "arrival_rate_h": result.arrival_rate_h,
        "service_rate_h": result.service_rate_h,
        "servers": result.servers,
        "hours": result.hours,
        "warmup_h": result.warmup_h,
        "replications": result.replications,
        "seed": result.seed,
        "calls": result.calls,
        "events": result.events,
        "seconds": round(result.seconds, 3),
    }
    emit(data, as_json=args.json, text=_text)
    return 0


# ------------------------------------------------------------------------ the city model

def _city_problems(args) -> list[Problem]:
    from command.sim.policies import POLICIES

    problems = []
    if not (0 < args.days <= 366):
        problems.append(Problem("must be a number of days in (0, 366]", field="--days",
                                value=args.days))
    if args.replications < 1:
        problems.append(Problem("must be at least 1", field="--replications",
                                value=args.replications))
    if args.seed < 0:
        problems.append(Problem("must be 0 or more", field="--seed", value=args.seed))
    if args.per_day is not None and args.per_day < 0:
        problems.append(Problem("must be 0 or more calls a day", field="--per-day",
                                value=args.per_day))
    for p in ([args.policy] + (args.compare.split(",") if args.compare else [])):
        if p.strip() not in POLICIES:
            problems.append(Problem(f"must be one of {', '.join(POLICIES)}",
                                    field="--compare" if p != args.policy else "--policy",
                                    value=p))
    for raw in args.add_units or []:
        parts = raw.split(":")
        if len(parts) != 3 or not parts[2].isdigit():
            problems.append(Problem("write BASE:CAPABILITY:COUNT, e.g. F03:engine:2",
                                    field="--add-units", value=raw))
    if args.report and not args.report.lower().endswith((".html", ".htm", ".csv")):
        problems.append(Problem("must end in .html or .csv", field="--report",
                                value=args.report))
    elif args.report:
        p = output_problem(args.report, "--report")
        if p:
            problems.append(p)
    problems += range_problems(args, {"--days": "sim_days", "--replications": "replications",
                                      "--per-day": "calls_per_day"}, already=problems)
    return problems


def calls_budget_problem(args, dataset, *, days: float, variants: int,
                         per_day: float | None = None) -> Problem | None:
    """The ``sim_calls`` budget against calls a day (``--per-day``, else ``per_day`` or
    the data set's rates) x days x replications x variants."""
    if per_day is None:
        per_day = args.per_day
    if per_day is None:
        per_day = sum(r.per_year for r in dataset.incident_rates) / 365.0
    return budget_problem("sim_calls", per_day * days * args.replications * variants,
                          allow_large=args.allow_large, field="--replications",
                          what="calls a day x days x replications x variants")


def city_variants(args) -> list:
    """The variants the options ask for: one per ``--compare`` policy, or the baseline
    and (when any change is given) the what-if."""
    from command.sim import Variant

    if args.compare:
        return [Variant(name=p.strip(), policy=p.strip()) for p in args.compare.split(",")]
    variants = [Variant(name="baseline")]
    changes = dict(remove_bases=list(args.remove_base or []),
                   add_units=[(b, c, int(n)) for b, c, n in
                              (u.split(":") for u in args.add_units or [])],
                   close_roads=list(args.close_road or []))
    if any(changes.values()):
        variants.append(Variant(name="what-if", **changes))
    return variants


def experiment_text(d: dict, lang: str = "zh") -> str:
    """The experiment as a table people read: each variant's KPIs with 95% intervals,
    then the paired differences against the baseline."""
    from command.i18n import t
    from command.sim.kpis import KPI_NAMES

    def fmt(x):
        return "—" if x is None else f"{x:.4g}"

    lines = [t("sim.cli.header", lang, source=d["source"], days=f"{d['days']:g}",
               reps=d["replications"], seed=d["seed"], seconds=d["seconds"])]
    if d.get("risk_weighted"):
        w = d["risk_weighted"]
        lines.append(t("feeds.cli.weighted", lang, n=w["points"], multipliers=", ".join(
            f"{k} x{v:.3g}" for k, v in sorted(w["multipliers"].items())) or "—"))
    for v in d["variants"]:
        lines.append("")
        lines.append(t("sim.cli.variant", lang, name=v["name"], policy=v["policy"],
                       moveup=t("sim.cli.moveup", lang) if v["moveup"] else ""))
        for k in KPI_NAMES:
            e = v["kpis"][k]
            lines.append(f"  {t('sim.kpi.' + k, lang):28} {fmt(e['mean']):>10}  "
                         f"[{fmt(e['ci95'][0])}, {fmt(e['ci95'][1])}]")
    if d["comparisons"]:
        lines.append("")
        for r in d["comparisons"]:
            if r["kpi"] in ("response_mean_min", "response_p90_min", "share_within_standard",
                            "utilisation", "waiting_calls", "coverage_fire", "coverage_ems"):
                head = t("sim.cli.difference", lang, variant=r["variant"], baseline=r["baseline"])
                lines.append(f"  {head} {t('sim.kpi.' + r['kpi'], lang):24} "
                             f"{fmt(r['difference']):>10}  [{fmt(r['low'])}, {fmt(r['high'])}]")
    return "\n".join(lines)


def write_report(result, path: str, lang: str) -> None:
    from pathlib import Path

    from command.sim import report_csv, report_html

    text = report_csv(result) if path.lower().endswith(".csv") else report_html(result, lang=lang)
    write_text_atomic(Path(path), text)


def run_with_options(args, settings, *, dataset=None, **kwargs):
    """Run :func:`command.sim.run_experiment` with the CLI's progress bar and Dask
    options; the network and (unless given) the data set are loaded here."""
    from command.resources import load_dataset
    from command.roads import load_network
    from command.sim import run_experiment

    network = load_network(settings)
    dataset = dataset or load_dataset(settings.resources_dir)
    progress, bar = _progress_bar(not args.json and sys.stderr.isatty())
    try:
        if args.parallel:
            _quiet_dask(args.verbose)
            from command.sim.queue import dask_client
            try:
                with dask_client(settings.dask_scheduler) as client:
                    return run_experiment(network, dataset, settings, progress=progress,
                                          client=client, **kwargs)
            except ModuleNotFoundError as exc:
                raise SimulationOptionsError(str(exc), [Problem(
                    "needs the 'cluster' extra", field="--parallel", value=True)]) from exc
        return run_experiment(network, dataset, settings, progress=progress, **kwargs)
    finally:
        if bar is not None:
            bar.close()


def risk_weighted_dataset(settings):
    """The data set weighted by the store's register (see
    :func:`command.app.risk.risk_weighted`)."""
    from command.app.risk import risk_weighted
    from command.cli.risk_enforce import _store
    from command.resources import load_dataset

    with _store(settings) as engine:
        return risk_weighted(engine, load_dataset(settings.resources_dir))


def emit_result(args, result, extra: dict | None = None) -> None:
    from command.i18n import t

    data = {**result.to_dict(), **(extra or {})}
    if args.report:
        write_report(result, args.report, args.lang)
    emit(data, as_json=args.json, text=lambda d: experiment_text(d, args.lang))
    if args.report and not args.json:
        print(t("sim.cli.report_written", args.lang, path=args.report), file=sys.stderr)


def _city(args, settings) -> int:
    problems = _city_problems(args)
    if problems:
        raise SimulationOptionsError("The simulation cannot run with these options.", problems)
    dataset, extra = None, None
    if args.risk_weighted:
        dataset, weighted = risk_weighted_dataset(settings)
        extra = {"risk_weighted": weighted}
    else:
        from command.resources import load_dataset

        dataset = load_dataset(settings.resources_dir)
    variants = city_variants(args)
    p = calls_budget_problem(args, dataset, days=args.days, variants=len(variants))
    if p:
        raise SimulationOptionsError("The simulation is too large.", [p])
    result = run_with_options(args, settings, dataset=dataset, variants=variants,
                              days=args.days, replications=args.replications, seed=args.seed,
                              policy=args.policy, moveup=args.moveup, per_day=args.per_day)
    emit_result(args, result, extra)
    return 0


def add_run_options(p, *, days: bool = True) -> None:
    """Options shared by ``simulate`` and ``drill``."""
    from command.sim.policies import POLICIES

    if days:
        p.add_argument("--days", type=float, default=1.0, metavar="D",
                       help="simulated days per replication (default 1)")
    p.add_argument("--policy", default="nearest", choices=POLICIES,
                   help="dispatch policy (default nearest)")
    p.add_argument("--moveup", action="store_true", help="move idle units up after dispatches")
    p.add_argument("--replications", type=int, default=5, metavar="R",
                   help="replications (default 5; at least 2 for intervals)")
    p.add_argument("--seed", type=int, default=0, metavar="S",
                   help="root random seed; the same seed gives the same numbers (default 0)")
    p.add_argument("--per-day", type=float, default=None, metavar="N",
                   help="mean random calls a day (default: the data set's rates, ~59 for "
                   "Ezhou)")
    p.add_argument("--parallel", action="store_true",
                   help="run replications on Dask (the dask_scheduler setting, or a local "
                   "cluster)")
    p.add_argument("--report", metavar="FILE", help="write an HTML (.html) or CSV (.csv) report")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the text")
    add_allow_large(p)
    p.add_argument("--json", action="store_true", help="print JSON")


def register(cli: CLI) -> None:
    simulate = cli.group("simulate", help=SIMULATE_HELP)
    g = cli.group_parser("simulate")
    add_run_options(g)
    g.add_argument("--compare", metavar="P1,P2",
                   help="compare policies (e.g. nearest,optimiser) with common random numbers")
    g.add_argument("--remove-base", action="append", metavar="BASE",
                   help="what-if: take a station and its units away (repeatable)")
    g.add_argument("--add-units", action="append", metavar="BASE:CAP:N",
                   help="what-if: add N units of a capability at a base (repeatable)")
    g.add_argument("--close-road", action="append", metavar="NAME",
                   help="what-if: close a road or bridge by name or reference (repeatable)")
    g.add_argument("--risk-weighted", action="store_true",
                   help="scale each district's industrial incident rates by 1 + the grade "
                   "weights of its risk points in the register (docs/risk.md)")
    g.set_defaults(handler=_city)
    p = simulate.add_parser(
        "queue", help="the bare M/M/c queue against Erlang C (validates the engine)",
        description="Simulate an M/M/c queue (Poisson arrivals, exponential service, zero "
        "travel, first come first served) over independent replications and print the mean "
        "wait and probability of waiting with 95%% confidence intervals beside the Erlang C "
        "values. Rates are per hour.")
    p.add_argument("--arrival-rate", type=float, required=True, metavar="L",
                   help="calls per hour")
    p.add_argument("--service-rate", type=float, required=True, metavar="M",
                   help="services per hour per server (1 / mean service time)")
    p.add_argument("--servers", type=int, required=True, metavar="C", help="number of servers")
    p.add_argument("--hours", type=float, default=200.0, metavar="H",
                   help="observed hours per replication after the warm-up (default 200)")
    p.add_argument("--warmup", type=float, default=None, metavar="H",
                   help="warm-up hours discarded per replication (default 10%% of --hours)")
    p.add_argument("--replications", type=int, default=20, metavar="R",
                   help="independent replications, at least 2 (default 20)")
    p.add_argument("--seed", type=int, default=0, metavar="S",
                   help="root random seed; the same seed gives the same numbers (default 0)")
    p.add_argument("--parallel", action="store_true",
                   help="run replications on Dask (the dask_scheduler setting, or a local "
                   "cluster); needs the 'cluster' extra")
    add_allow_large(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_queue)
