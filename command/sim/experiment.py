"""What-if experiments: variants of the city x replications with common random numbers,
in process or on Dask, summarised with 95% confidence intervals and paired differences.

Streams: replication ``k`` of seed ``s`` takes ``SeedSequence(s).spawn(R)[k].spawn(3)``
as (arrivals, travel noise, service times). Every variant of replication ``k`` uses the
same three, so all variants see the same calls at the same places and instants with the
same random times (:mod:`command.sim.city`); the difference of a KPI between two
variants in replication ``k`` is then a paired observation
(:func:`command.sim.stats.paired_difference_ci`).

Must not: read the environment or write to the store; the dashboard's drills page calls
:func:`run_experiment` from a background thread.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from command.sim._tables import SimTables, load_sim_tables
from command.sim.arrivals import CALL_COLUMNS, Sites, district_sites, generate_calls
from command.sim.city import Closure, UnitLoss, run_city
from command.sim.kpis import (
    KPI_BOUNDS,
    KPI_NAMES,
    by_group,
    missed_places,
    run_kpis,
    utilisation_by_capability,
)
from command.sim.policies import make_policy
from command.sim.stats import Estimate, mean_ci, paired_difference_ci
from command.sim.world import World, build_world

__all__ = ["Variant", "VariantResult", "ExperimentResult", "run_experiment",
           "experiment_streams"]

log = logging.getLogger(__name__)

#: Response-time samples kept per variant for the distributions (an even thinning).
MAX_SAMPLES = 5000


@dataclass(frozen=True)
class Variant:
    """A what-if: changes to the city, and optionally its own policy.

    Parameters
    ----------
    name
        Shown in tables and charts.
    remove_bases
        Base (station) ids taken away with their units.
    add_units
        ``(base_id, capability, count)`` extra units.
    close_roads
        Road names or references, or GeoJSON-like polygons (lon/lat), closed for the run
        (a bridge: its name).
    move_depots
        ``(depot_id, lat, lon)``.
    add_bases
        ``(base_id, lat, lon)``: a new post (a proposed station or standby post) that
        ``add_units`` may name.
    remove_units
        ``(base_id, capability)``: the units of that capability leave the base (a
        relocation takes them to a new post).
    policy, moveup
        Override the experiment's policy for this variant (compare policies with two
        variants that change nothing else).
    """

    name: str
    remove_bases: Sequence[str] = ()
    add_units: Sequence[tuple] = ()
    close_roads: Sequence[Any] = ()
    move_depots: Sequence[tuple] = ()
    policy: str | None = None
    moveup: bool | None = None
    add_bases: Sequence[tuple] = ()
    remove_units: Sequence[tuple] = ()

    def changes(self) -> dict:
        out = {"remove_bases": list(self.remove_bases),
               "add_units": [list(a) for a in self.add_units],
               "close_roads": [c if isinstance(c, str) else "polygon" for c in self.close_roads],
               "move_depots": [list(m) for m in self.move_depots]}
        if self.add_bases or self.remove_units:
            out["add_bases"] = [list(b) for b in self.add_bases]
            out["remove_units"] = [list(r) for r in self.remove_units]
        return out


@dataclass(frozen=True)
class VariantResult:
    name: str
    policy: str
    moveup: bool
    changes: dict
    kpis: dict[str, Estimate]
    per_replication: pd.DataFrame
    by_district: pd.DataFrame
    by_type: pd.DataFrame
    utilisation_by_capability: dict[str, float]
    coverage: pd.DataFrame  # hour, fire_cover, ems_cover (means over replications)
    response_min: list[float]
    missed: pd.DataFrame  # lat, lon, count (summed over replications)
    events: int


@dataclass(frozen=True)
class ExperimentResult:
    """Variants x replications; ``comparisons`` are paired differences of each variant
    against the first (the baseline): ``variant - baseline`` per KPI."""

    variants: tuple[VariantResult, ...]
    comparisons: pd.DataFrame
    days: float
    replications: int
    seed: int
    policy: str
    per_day: float | None
    source: str
    standards_s: dict[str, float]
    seconds: float = field(compare=False, default=0.0)

    def variant(self, name: str) -> VariantResult:
        return next(v for v in self.variants if v.name == name)

    def to_dict(self) -> dict:
        """JSON-ready (NaN becomes None); the dashboard's contract (docs/pages.md)."""
        def num(x):
            if x is None:
                return None
            x = float(x)
            return None if not math.isfinite(x) else round(x, 6)

        def est(e: Estimate) -> dict:
            return {"mean": num(e.mean), "ci95": [num(e.low), num(e.high)], "std": num(e.std),
                    "n": e.n}

        def records(frame: pd.DataFrame) -> list[dict]:
            return [{k: (num(v) if isinstance(v, (float, np.floating)) else
                         int(v) if isinstance(v, (np.integer,)) else v)
                     for k, v in row.items()} for row in frame.to_dict("records")]

        return {
            "variants": [{
                "name": v.name, "policy": v.policy, "moveup": v.moveup, "changes": v.changes,
                "kpis": {k: est(e) for k, e in v.kpis.items()},
                "per_replication": records(v.per_replication),
                "response_min": [round(x, 3) for x in v.response_min],
                "missed": records(v.missed),
                "by_district": records(v.by_district),
                "by_type": records(v.by_type),
                "utilisation_by_capability": {k: num(x) for k, x in
                                              v.utilisation_by_capability.items()},
                "coverage": records(v.coverage),
                "events": v.events,
            } for v in self.variants],
            "comparisons": records(self.comparisons),
            "days": self.days, "replications": self.replications, "seed": self.seed,
            "policy": self.policy, "per_day": self.per_day, "source": self.source,
            "standards_min": {k: s / 60.0 for k, s in self.standards_s.items()},
            "seconds": round(self.seconds, 3),
        }


def experiment_streams(seed: int, replications: int) -> list[tuple]:
    """(arrivals, travel, service) seed sequences of each replication."""
    return [tuple(child.spawn(3)) for child in np.random.SeedSequence(seed).spawn(replications)]


# --------------------------------------------------------------------- one replication

def _world(network, dataset, settings, tables, variant: Variant) -> World:
    return build_world(network, dataset, settings, tables, remove_bases=variant.remove_bases,
                       add_units=variant.add_units, close_roads=variant.close_roads,
                       move_depots=variant.move_depots, add_bases=variant.add_bases,
                       remove_units=variant.remove_units)


def _script_events(world: World, script) -> tuple[list[Closure], list[UnitLoss]]:
    if script is None:
        return [], []
    closures = [Closure(c.start_s, c.end_s, c.mask, c.label) for c in script.closures]
    index = {u: i for i, u in enumerate(world.unit_ids)}
    posts = {p: i for i, p in enumerate(world.post_ids)}
    losses = [UnitLoss(x.t_s, tuple(index[u] for u in x.unit_ids if u in index),
                       tuple(posts[b] for b in x.base_ids if b in posts), x.label)
              for x in script.losses]
    return closures, losses


def _calls(dataset, network, tables, *, days, per_day, script, rng, sites) -> pd.DataFrame:
    surges = script.surges if script is not None else ()
    start_hour = script.start_hour if script is not None else 0
    background = generate_calls(dataset, network, tables, days=days, rng=rng,
                                per_day=per_day, surges=surges, start_hour=start_hour,
                                sites=sites)
    if script is None or not script.incidents:
        return background
    fixed = pd.DataFrame([{c: getattr(i, c) for c in CALL_COLUMNS} for i in script.incidents])
    both = pd.concat([fixed, background], ignore_index=True)
    return both.sort_values("t_s", kind="stable").reset_index(drop=True)


def _replicate(world: World, variant: Variant, policy: str, moveup: bool, *, days: float,
               per_day: float | None, script, streams, k: int, sites: Sites | None = None
               ) -> dict:
    arrivals, travel, service = (np.random.default_rng(s) for s in streams)
    calls = _calls(world.dataset, world.network, world.tables, days=days, per_day=per_day,
                   script=script, rng=arrivals, sites=sites)
    closures, losses = _script_events(world, script)
    time_limit = world.tables.param("optimiser_time_limit_s")
    rec = run_city(world, calls, make_policy(policy, moveup=moveup, time_limit_s=time_limit),
                   horizon_s=days * 86400.0, travel_rng=travel, service_rng=service,
                   closures=closures, losses=losses,
                   start_hour=script.start_hour if script is not None else 0)
    cov = rec.coverage.assign(hour=(rec.coverage["t_s"] // 3600).astype(int))
    first = rec.calls.loc[rec.calls["demanded"] > 0, "first_s"].to_numpy(dtype=float)
    return {"variant": variant.name, "replication": k, "kpis": run_kpis(rec),
            "by_district": by_group(rec, "district"), "by_type": by_group(rec, "incident_type"),
            "utilisation": utilisation_by_capability(rec),
            "coverage": cov.groupby("hour")[["fire_cover", "ems_cover"]].mean().reset_index(),
            "first_min": first[np.isfinite(first)] / 60.0, "missed": missed_places(rec),
            "events": rec.events, "calls_signature": _signature(rec.calls)}


def _signature(calls: pd.DataFrame) -> str:
    """A digest of the calls (times, types, places): equal across variants under CRN."""
    import hashlib

    cols = calls.loc[:, ["t_s", "incident_type", "grade", "node"]].to_numpy().astype(str)
    return hashlib.sha1("|".join(",".join(r) for r in cols).encode()).hexdigest()[:16]


def _task(network, dataset, settings, tables, variant, policy, moveup, days, per_day, script,
          streams, k) -> dict:
    world = _world(network, dataset, settings, tables, variant)
    return _replicate(world, variant, policy, moveup, days=days, per_day=per_day,
                      script=script, streams=streams, k=k)


# ----------------------------------------------------------------------- the experiment

def _summarise(name, policy, moveup, changes, rows: list[dict], confidence) -> VariantResult:
    rows = sorted(rows, key=lambda r: r["replication"])
    per = pd.DataFrame([{"replication": r["replication"], **r["kpis"],
                         "calls_signature": r["calls_signature"]} for r in rows])
    kpis = {}
    for k in KPI_NAMES:
        values = per[k].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        kpis[k] = (mean_ci(values, confidence=confidence, bounds=KPI_BOUNDS[k]) if values.size else
                   Estimate(math.nan, math.nan, math.nan, math.nan, 0, confidence))

    def pooled(key: str, column: str) -> pd.DataFrame:
        frame = pd.concat([r[key] for r in rows], ignore_index=True)
        if not len(frame):
            return frame
        return (frame.assign(w=frame["calls"])
                .groupby(column).apply(lambda g: pd.Series({
                    "calls_per_replication": g["calls"].sum() / len(rows),
                    "response_mean_min": np.average(g["response_mean_min"].fillna(0),
                                                    weights=g["calls"]),
                    "share_within_standard": g["share_within_standard"].mean()}),
                                       include_groups=False).reset_index())

    util = pd.DataFrame([r["utilisation"] for r in rows]).mean().to_dict()
    coverage = pd.concat([r["coverage"] for r in rows]).groupby("hour").mean().reset_index()
    first = np.concatenate([r["first_min"] for r in rows]) if rows else np.array([])
    if first.size > MAX_SAMPLES:
        first = first[np.linspace(0, first.size - 1, MAX_SAMPLES).astype(int)]
    missed_frames = [r["missed"] for r in rows if len(r["missed"])]
    missed = (pd.concat(missed_frames).groupby(["lat", "lon"])["count"].sum().reset_index()
              if missed_frames else pd.DataFrame(columns=["lat", "lon", "count"]))
    return VariantResult(name=name, policy=policy, moveup=moveup, changes=changes, kpis=kpis,
                         per_replication=per, by_district=pooled("by_district", "district"),
                         by_type=pooled("by_type", "incident_type"),
                         utilisation_by_capability={k: float(v) for k, v in util.items()},
                         coverage=coverage, response_min=[float(x) for x in first],
                         missed=missed, events=int(sum(r["events"] for r in rows)))


def _comparisons(variants: Sequence[VariantResult], confidence: float) -> pd.DataFrame:
    rows = []
    base = variants[0]
    for v in variants[1:]:
        for k in KPI_NAMES:
            a = v.per_replication[k].to_numpy(dtype=float)
            b = base.per_replication[k].to_numpy(dtype=float)
            ok = np.isfinite(a) & np.isfinite(b)
            if ok.sum() < 1:
                continue
            e = paired_difference_ci(a[ok], b[ok], confidence=confidence)
            rows.append({"variant": v.name, "baseline": base.name, "kpi": k,
                         "difference": e.mean, "low": e.low, "high": e.high, "n": e.n})
    return pd.DataFrame(rows, columns=["variant", "baseline", "kpi", "difference", "low",
                                       "high", "n"])


def run_experiment(network, dataset, settings, *, variants: Sequence[Variant] | None = None,
                   days: float = 1.0, replications: int = 5, seed: int = 0,
                   policy: str = "nearest", moveup: bool = False,
                   per_day: float | None = None, drill: Any = None, scenario: Any = None,
                   progress: Callable[[int, int], None] | None = None, client: Any = None,
                   parallel: bool = False, confidence: float = 0.95,
                   tables: SimTables | None = None) -> ExperimentResult:
    """Run every variant for ``replications`` replications of ``days`` days.

    Parameters
    ----------
    network, dataset, settings
        The road network, data set and settings (standards, congestion, solver limits).
    variants
        What-ifs; the first is the baseline of the comparisons. Default: one baseline.
    days
        Simulated days per replication (> 0); a drill sets its own duration.
    replications
        >= 1 (>= 2 for intervals).
    seed
        Root seed (see the module docstring); recorded in the result.
    policy, moveup
        Dispatch policy (``nearest`` or ``optimiser``) and move-up, unless a variant
        sets its own.
    per_day
        Target mean random calls per day; None keeps the data set's rates (~59 a day
        for Ezhou); 0 only the drill's injected incidents.
    drill
        A drill file path or a :class:`command.sim.drills.Drill`: its injects are
        played in every replication of every variant.
    scenario
        A scenario file path or name (``command.scenarios``): its incidents and closures
        are played like a drill's.
    progress
        ``progress(done, total)`` after each finished replication.
    client
        A dask.distributed Client to run the replications on; ``parallel=True`` starts
        a LocalCluster (``command.sim.queue.dask_client``) for this call; otherwise
        everything runs in this process.

    Returns
    -------
    ExperimentResult

    Raises
    ------
    ValueError
        A bad number or policy (named).
    DataError
        A variant or drill that names what does not exist (field and value named).
    """
    from command.sim.drills import Drill, load_drill, scenario_script

    started = time.perf_counter()
    if not (isinstance(replications, (int, np.integer)) and replications >= 1):
        raise ValueError(f"replications={replications!r}: must be a whole number >= 1")
    tables = tables or load_sim_tables(settings.resources_dir)
    script, source = None, "rates"
    if drill is not None:
        script = drill if isinstance(drill, Drill) else load_drill(drill, network=network,
                                                                    dataset=dataset,
                                                                    settings=settings)
        source = f"drill:{script.drill_id}"
    elif scenario is not None:
        script = scenario_script(scenario, network=network, dataset=dataset, settings=settings)
        source = f"scenario:{script.drill_id}"
    if script is not None:
        days = script.days
        if per_day is None:
            per_day = script.background_per_day
        policy = script.policy or policy
        moveup = script.moveup if script.moveup is not None else moveup
    if not (isinstance(days, (int, float)) and 0 < days <= 366):
        raise ValueError(f"days={days!r}: must be a number of days in (0, 366]")
    variants = list(variants or [Variant(name="baseline")])
    names = [v.name for v in variants]
    if len(set(names)) != len(names):
        raise ValueError(f"variants: names must differ (got {names})")
    specs = [(v, v.policy or policy, bool(moveup if v.moveup is None else v.moveup))
             for v in variants]
    for _, p, _ in specs:
        make_policy(p)
    streams = experiment_streams(seed, replications)
    total = len(variants) * replications
    rows: dict[str, list[dict]] = {v.name: [] for v in variants}
    done = 0

    def tick():
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    owned = None
    if client is None and parallel:
        from command.sim.queue import dask_client

        owned = dask_client(getattr(settings, "dask_scheduler", None))
        client = owned.__enter__()
    try:
        if client is not None:
            from distributed import as_completed

            shared = client.scatter([network, dataset, settings, tables, script],
                                    broadcast=True)
            futures = [client.submit(_task, *shared[:4], v, p, m, float(days), per_day,
                                     shared[4], st, k, pure=False)
                       for v, p, m in specs for k, st in enumerate(streams)]
            for future in as_completed(futures):
                row = future.result()
                rows[row["variant"]].append(row)
                tick()
        else:
            sites = district_sites(dataset)
            for v, p, m in specs:
                world = _world(network, dataset, settings, tables, v)
                for k, st in enumerate(streams):
                    rows[v.name].append(_replicate(world, v, p, m, days=float(days),
                                                   per_day=per_day, script=script,
                                                   streams=st, k=k, sites=sites))
                    tick()
    finally:
        if owned is not None:
            owned.__exit__(None, None, None)
    results = tuple(_summarise(v.name, p, m, v.changes(), rows[v.name], confidence)
                    for v, p, m in specs)
    seconds = time.perf_counter() - started
    log.info("experiment: %d variants x %d replications x %g days in %.1f s",
             len(variants), replications, days, seconds)
    return ExperimentResult(
        variants=results, comparisons=_comparisons(results, confidence), days=float(days),
        replications=int(replications), seed=int(seed), policy=policy, per_day=per_day,
        source=source, standards_s={"fire": float(settings.fire_standard_s),
                                    "ems": float(settings.ems_standard_s)},
        seconds=seconds)
