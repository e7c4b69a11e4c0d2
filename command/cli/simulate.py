"""``command-center simulate``: replicated simulation runs from the command line.

``simulate queue`` runs the bare M/M/c model (zero travel, exponential service) that
validates the engine and prints the simulated mean wait and probability of waiting, their
95% confidence intervals as ``[low, high]``, and the Erlang C values beside them. Rates
are per hour.

``simulate`` is a group: this module creates it with ``cli.group("simulate")`` and adds
``queue``; the city-simulation options (``--days``, ``--policy``, ``--compare`` ...) go
on ``cli.group_parser("simulate")`` from the module that owns them.
"""

from __future__ import annotations

import logging
import sys

from command.cli import CLI, emit
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


def register(cli: CLI) -> None:
    simulate = cli.group("simulate", help=SIMULATE_HELP)
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
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_queue)
