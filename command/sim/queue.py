"""The bare M/M/c queue in SimPy: the yardstick that validates the simulation engine.

Owns: Poisson arrivals to ``c`` identical servers (a :class:`simpy.Resource`, first come
first served) with exponential service and zero travel; one flat record per call; KPI
functions over those records; replications with common random numbers, optionally in
parallel through Dask. Must not: know about the city, read settings, or print.

Randomness: replication ``k`` of seed ``s`` draws its arrivals and its service times from
two separate :class:`numpy.random.Generator` streams, children of
``SeedSequence(s).spawn(R)[k]``. Two variants run with the same seed therefore see the
same arrival instants and the same service requirement for the ``n``-th call (service
times are drawn in arrival order, not when a server frees), so their per-replication
differences can be compared with :func:`command.sim.stats.paired_difference_ci`.

Time inside the model is in seconds; rates are per hour. Arrivals stop at
``warmup_h + hours``; the calls still present are then served to completion, so late
calls are not censored. Calls arriving before ``warmup_h`` are discarded from the KPIs
(the system starts empty, which biases early waits downward).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import simpy

from command.sim._engine import run_counting
from command.sim.erlang import MMcTheory, mmc_theory
from command.sim.stats import Estimate, mean_ci

__all__ = [
    "CALL_COLUMNS",
    "QueueResult",
    "dask_client",
    "mean_wait_s",
    "mmc_calls",
    "p_wait",
    "replication_streams",
    "simulate_mmc",
    "utilisation",
]

log = logging.getLogger(__name__)

#: Columns of the per-call records returned by :func:`mmc_calls`.
CALL_COLUMNS = ("call", "arrival_s", "start_s", "end_s", "wait_s", "service_s")

# Random numbers are drawn in blocks: one numpy call per block instead of one per call.
# The block size is part of the stream's definition, so it is fixed here.
_BLOCK = 4096


# ---------------------------------------------------------------------------- the model

def _exponential_stream(rng: np.random.Generator, mean: float) -> Iterator[float]:
    while True:
        yield from rng.exponential(mean, _BLOCK).tolist()


def _call(env: simpy.Environment, servers: simpy.Resource, number: int, service_s: float,
          records: list) -> Iterator[simpy.Event]:
    arrival_s = env.now
    with servers.request() as request:
        yield request
        start_s = env.now
        yield env.timeout(service_s)
    records.append((number, arrival_s, start_s, env.now, service_s))


def _arrivals(env: simpy.Environment, servers: simpy.Resource, gaps: Iterator[float],
              services: Iterator[float], stop_s: float, records: list) -> Iterator[simpy.Event]:
    for number, gap_s in enumerate(gaps):
        yield env.timeout(gap_s)
        if env.now >= stop_s:
            return
        env.process(_call(env, servers, number, next(services), records))


def _run(arrival_rate_h: float, service_rate_h: float, servers: int, stop_s: float,
         arrival_rng: np.random.Generator, service_rng: np.random.Generator
         ) -> tuple[list[tuple], int]:
    env = simpy.Environment()
    resource = simpy.Resource(env, capacity=servers)
    records: list[tuple] = []
    env.process(_arrivals(env, resource,
                          _exponential_stream(arrival_rng, 3600.0 / arrival_rate_h),
                          _exponential_stream(service_rng, 3600.0 / service_rate_h),
                          stop_s, records))
    return records, run_counting(env)


def replication_streams(seed: int, replications: int
                        ) -> list[tuple[np.random.SeedSequence, np.random.SeedSequence]]:
    """The (arrivals, services) seed sequences of each replication of ``seed``.

    Replication ``k`` gets the same pair for any model parameters, which is what makes
    runs of different variants with the same seed common-random-number runs.
    """
    children = np.random.SeedSequence(seed).spawn(replications)
    return [tuple(child.spawn(2)) for child in children]  # type: ignore[misc]


def mmc_calls(arrival_rate_h: float, service_rate_h: float, servers: int, *, hours: float,
              warmup_h: float = 0.0, arrival_rng: np.random.Generator,
              service_rng: np.random.Generator) -> pd.DataFrame:
    """Simulate one run of the M/M/c queue and return one record per call.

    Parameters
    ----------
    arrival_rate_h : float
        Calls per hour, > 0.
    service_rate_h : float
        Services per hour per server (1 / mean service time), > 0.
    servers : int
        Number of servers, >= 1.
    hours : float
        Length of the observed period after the warm-up, hours.
    warmup_h : float
        Warm-up hours whose calls are simulated but not returned.
    arrival_rng, service_rng : numpy.random.Generator
        Separate streams for inter-arrival and service times.

    Returns
    -------
    DataFrame
        Columns :data:`CALL_COLUMNS` (times in seconds from the start of the run, the
        warm-up included), one row per call arriving in
        ``[warmup_h, warmup_h + hours)``, in arrival order; ``call`` numbers count from
        the first call of the run. ``attrs["events"]`` holds the SimPy events processed.
    """
    records, events = _run(arrival_rate_h, service_rate_h, servers,
                           (warmup_h + hours) * 3600.0, arrival_rng, service_rng)
    calls = _records_frame(records, warmup_h * 3600.0)
    calls.attrs["events"] = events
    return calls


def _records_frame(records: list[tuple], warmup_s: float) -> pd.DataFrame:
    raw = pd.DataFrame.from_records(records, columns=["call", "arrival_s", "start_s", "end_s",
                                                      "service_s"])
    raw = raw[raw["arrival_s"] >= warmup_s].sort_values("call", kind="stable")
    raw["wait_s"] = raw["start_s"] - raw["arrival_s"]
    return raw.loc[:, list(CALL_COLUMNS)].reset_index(drop=True)


# ------------------------------------------------------------------------------- KPIs

def mean_wait_s(calls: pd.DataFrame) -> float:
    """Mean time from arrival to start of service, seconds (NaN without calls)."""
    return float(calls["wait_s"].mean()) if len(calls) else float("nan")


def p_wait(calls: pd.DataFrame) -> float:
    """Share of calls that found every server busy (waited a positive time)."""
    return float((calls["wait_s"] > 0.0).mean()) if len(calls) else float("nan")


def utilisation(calls: pd.DataFrame, servers: int, hours: float) -> float:
    """Offered work of the observed calls over the server capacity of the period.

    ``sum(service_s) / (servers * hours * 3600)``: an estimate of ``lambda / (c mu)``
    that counts each call's whole service, also the part after the period ends.
    """
    return float(calls["service_s"].sum()) / (servers * hours * 3600.0)


# ----------------------------------------------------------------------- replications

def _replicate(arrival_rate_h: float, service_rate_h: float, servers: int, hours: float,
               warmup_h: float, replication: int,
               streams: tuple[np.random.SeedSequence, np.random.SeedSequence]) -> dict:
    calls = mmc_calls(arrival_rate_h, service_rate_h, servers, hours=hours, warmup_h=warmup_h,
                      arrival_rng=np.random.default_rng(streams[0]),
                      service_rng=np.random.default_rng(streams[1]))
    return {
        "replication": replication,
        "calls": len(calls),
        "mean_wait_s": mean_wait_s(calls),
        "p_wait": p_wait(calls),
        "utilisation": utilisation(calls, servers, hours),
        "events": calls.attrs["events"],
    }


@dataclass(frozen=True)
class QueueResult:
    """Replicated M/M/c run: inputs, per-replication KPIs and their confidence intervals.

    ``per_replication`` has one row per replication: ``replication``, ``calls``,
    ``mean_wait_s``, ``p_wait``, ``utilisation``, ``events``. ``seconds`` is wall time.
    """

    arrival_rate_h: float
    service_rate_h: float
    servers: int
    hours: float
    warmup_h: float
    replications: int
    seed: int
    mean_wait_s: Estimate
    p_wait: Estimate
    utilisation: Estimate
    per_replication: pd.DataFrame = field(compare=False, repr=False)
    events: int = 0
    calls: int = 0
    seconds: float = field(default=0.0, compare=False)

    def theory(self) -> MMcTheory:
        """The Erlang C values of the same queue.

        Raises
        ------
        ValueError
            If the queue is unstable (utilisation >= 1): there is no steady state.
        """
        return mmc_theory(self.arrival_rate_h, self.service_rate_h, self.servers)


def _check(arrival_rate_h, service_rate_h, servers, hours, replications, warmup_h,
           confidence) -> None:
    for name, value in (("arrival_rate_h", arrival_rate_h), ("service_rate_h", service_rate_h),
                        ("hours", hours)):
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name}={value!r}: must be a positive finite number")
    if not (np.isfinite(warmup_h) and warmup_h >= 0):
        raise ValueError(f"warmup_h={warmup_h!r}: must be a finite number of at least 0")
    for name, value in (("servers", servers), ("replications", replications)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name}={value!r}: must be a whole number of at least 1")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r}: must lie strictly between 0 and 1")


def simulate_mmc(arrival_rate_h: float, service_rate_h: float, servers: int, hours: float,
                 replications: int, seed: int, *, warmup_h: float | None = None,
                 confidence: float = 0.95, client: Any = None, parallel: bool = False,
                 progress: Callable[[int, int], None] | None = None) -> QueueResult:
    """Replicate the M/M/c queue and estimate mean wait and probability of waiting.

    Parameters
    ----------
    arrival_rate_h : float
        Calls per hour, > 0.
    service_rate_h : float
        Services per hour per server, > 0. Utilisation ``lambda / (c mu)`` may be >= 1
        (the run is finite), but then :meth:`QueueResult.theory` has nothing to compare.
    servers : int
        Number of servers, >= 1.
    hours : float
        Observed hours per replication, after the warm-up.
    replications : int
        Independent replications, >= 1 (>= 2 for an interval).
    seed : int
        Root seed; see the module docstring for the streams derived from it.
    warmup_h : float, optional
        Hours simulated and discarded at the start of each replication; default 10% of
        ``hours``.
    confidence : float
        Level of the Student-t intervals across replications, default 0.95.
    client : dask.distributed.Client, optional
        Run the replications as tasks on this client.
    parallel : bool
        Without ``client``: start a local Dask cluster (one single-threaded worker
        process per core) for this call. Needs the ``cluster`` extra.
    progress : callable, optional
        ``progress(done, total)`` after each finished replication.

    Returns
    -------
    QueueResult
        The same numbers for the same arguments, serial or parallel.

    Raises
    ------
    ValueError
        If a parameter is out of range (the message names it), or a replication has no
        call after its warm-up (lengthen ``hours``).
    ModuleNotFoundError
        If ``parallel`` is asked for without Dask installed.
    """
    if warmup_h is None:
        warmup_h = 0.1 * hours
    _check(arrival_rate_h, service_rate_h, servers, hours, replications, warmup_h, confidence)
    started = time.perf_counter()
    tasks = [(float(arrival_rate_h), float(service_rate_h), int(servers), float(hours),
              float(warmup_h), k, streams)
             for k, streams in enumerate(replication_streams(seed, replications))]
    if client is not None:
        rows = _run_on_dask(client, tasks, progress)
    elif parallel:
        with dask_client() as local:
            rows = _run_on_dask(local, tasks, progress)
    else:
        rows = []
        for task in tasks:
            rows.append(_replicate(*task))
            if progress is not None:
                progress(len(rows), len(tasks))
    per_rep = pd.DataFrame(rows).sort_values("replication").reset_index(drop=True)
    empty = per_rep.loc[per_rep["calls"] == 0, "replication"].tolist()
    if empty:
        raise ValueError(f"hours={hours!r}: replication(s) {empty} had no call after the "
                         "warm-up; simulate more hours")
    seconds = time.perf_counter() - started
    log.info("M/M/%d lambda=%g/h mu=%g/h: %d replications of %g h in %.2f s",
             servers, arrival_rate_h, service_rate_h, replications, hours, seconds)
    return QueueResult(
        arrival_rate_h=float(arrival_rate_h),
        service_rate_h=float(service_rate_h),
        servers=int(servers),
        hours=float(hours),
        warmup_h=float(warmup_h),
        replications=int(replications),
        seed=seed,
        mean_wait_s=mean_ci(per_rep["mean_wait_s"], confidence=confidence),
        p_wait=mean_ci(per_rep["p_wait"], confidence=confidence),
        utilisation=mean_ci(per_rep["utilisation"], confidence=confidence),
        per_replication=per_rep,
        events=int(per_rep["events"].sum()),
        calls=int(per_rep["calls"].sum()),
        seconds=seconds,
    )


def _run_on_dask(client: Any, tasks: list[tuple], progress) -> list[dict]:
    from distributed import as_completed

    futures = [client.submit(_replicate, *task, pure=False) for task in tasks]
    rows = []
    for future in as_completed(futures):
        rows.append(future.result())
        if progress is not None:
            progress(len(rows), len(tasks))
    return rows


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, *, processes: bool = True,
                n_workers: int | None = None) -> Iterator[Any]:
    """A Dask client for replications: on ``scheduler``, or on a fresh LocalCluster.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``, the ``dask_scheduler``
        setting); None starts a LocalCluster for the duration of the ``with`` block.
    processes : bool
        LocalCluster workers as processes (real parallelism for this pure-Python model)
        or threads (cheap to start; used by tests).
    n_workers : int, optional
        LocalCluster workers; default one per core.

    Raises
    ------
    ModuleNotFoundError
        If ``dask[distributed]`` (the ``cluster`` extra) is not installed.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ModuleNotFoundError(
            "parallel replications need Dask: install the 'cluster' extra "
            "(pip install 'ezhou-command[cluster]')") from exc
    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
        return
    # Loopback only, and the HTTP servers (always started) on free ports: the defaults,
    # 0.0.0.0:8787 and 0.0.0.0:random, would expose them and collide with a second cluster.
    # Thread workers talk in-process (inproc://), where a host is not allowed.
    where = {"host": "127.0.0.1"} if processes else {}
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=processes,
                      dashboard_address="127.0.0.1:0",
                      worker_dashboard_address="127.0.0.1:0", **where) as cluster, \
            Client(cluster) as client:
        yield client
