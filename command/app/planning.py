"""Planning the city's cover: where stations, standby posts and reserve depots should go,
measured before and after, and handed to the simulator as a drill variant.

The siting problem on the city (``docs/planning.md``):

- **Demand**: the community grid cells (the simulator's coverage zones). A cell's
  population is its district's (``population.csv``) divided by the district's number of
  community cells (the grid rule is one cell per ~12,000 residents, so the cells of a
  district are equal). With the risk register the weight is
  ``population x (1 + Σ grade weight of the register's points within 3 km)``
  (:func:`command.risk.feeds.siting_weights`); the before/after figures stay in people.
- **Sites**: the existing bases holding units of the capability (for ``depot``, the
  reserve depots; ``depot:ITEM``, the depots stocking that item), the data set's
  candidate list (``candidate_sites.csv``, illustrative public land), and, with
  ``candidates="all"``, the road node of every community cell centre.
- **Travel**: road time from site to cell on the emergency network, at an hour's
  congestion factor (``settings.congestion_factors``; free flow without an hour) and
  with roads closed by name. A cell a closure cuts off is reached at the open network's
  time, as in the simulator (responders pass the cordon).
- **Standard**: the fire standard for fire capabilities, the EMS standard for
  ambulances and medical teams (``settings``), the shortest material deadline of the
  data set for depots; ``radius_min`` overrides it.
- **Problems**: ``pmedian`` (mean response), ``mclp`` (population within the
  standard) and ``pcentre`` (worst case), in three modes: ``add`` p new sites to the
  existing ones (kept open), ``choose`` p of all candidates, ``relocate`` at most p
  existing sites (:mod:`command.dispatch.siting`).

Owns: the city's siting problem and its answer as JSON-ready data, the drill variant of
a proposal. Must not: write the store (the register is only read) or know about Dash.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from command import roads
from command.app.optimise import _clean
from command.errors import DataError, Problem
from command.model import CAPABILITIES, EMS_CAPABILITIES, FIRE_CAPABILITIES, Dataset

__all__ = ["PROBLEMS", "MODES", "DemandPoint", "Site", "CityProblem", "demand_points",
           "capabilities", "city_problem", "site_plan", "site_hours", "drill_variant"]

#: Command-line names of the problems -> the solvers' names.
PROBLEMS = {"pmedian": "p-median", "mclp": "max-covering", "pcentre": "p-center"}
#: add: p new sites beside the existing (kept); choose: p of all; relocate: move <= p.
MODES = ("add", "choose", "relocate")
#: A cell no road reaches even on the open network (a data error): a day, not infinity,
#: so the models stay finite and such a cell is never covered.
_UNREACHABLE_S = 86_400.0
#: Units placed at a proposed new post of the drill variant, unless said otherwise.
UNITS_PER_SITE = 1


@dataclass(frozen=True)
class DemandPoint:
    grid_id: str
    name_zh: str
    district: str
    lat: float
    lon: float
    population: float


@dataclass(frozen=True)
class Site:
    """A place a site could be: ``kind`` existing | candidate | cell; ``site_id`` the
    base, depot, candidate or grid cell id."""

    site_id: str
    kind: str
    name_zh: str
    name_en: str
    lat: float
    lon: float
    units: int = 0


@dataclass(frozen=True)
class CityProblem:
    """The siting problem of one capability on the city at one hour and closure state."""

    capability: str
    demand: tuple[DemandPoint, ...]
    sites: tuple[Site, ...]
    existing: np.ndarray           # indices into sites
    times_s: np.ndarray            # (demand, site) road seconds, site -> cell
    population: np.ndarray         # (demand,) persons
    weights: np.ndarray            # (demand,) the models' weights (risk-weighted or people)
    standard_s: float | None
    hour: int | None
    factor: float
    risk_points: int


def demand_points(dataset: Dataset) -> tuple[DemandPoint, ...]:
    """The community grid cells with their population: the district's population over
    its number of community cells (the town cells when a data set has no community
    level)."""
    cells = [c for c in dataset.grid_cells if c.level == "community"] or \
        [c for c in dataset.grid_cells if c.level == "town"]
    per_district = Counter(c.district for c in cells)
    people = {a.district: float(a.population) for a in dataset.population
              if a.level == "district"}
    return tuple(DemandPoint(c.grid_id, c.name_zh, c.district, c.lat, c.lon,
                             people.get(c.district, 0.0) / per_district[c.district])
                 for c in cells)


def capabilities(dataset: Dataset) -> list[str]:
    """What can be sited: every capability some unit of the data set has, then ``depot``
    and ``depot:ITEM`` for every item held in stock."""
    held = {t.capability for t in dataset.teams if t.status != "out_of_service"}
    items = sorted({s.item_id for s in dataset.stocks if s.quantity > 0})
    return [c for c in CAPABILITIES if c in held] + ["depot"] + [f"depot:{i}" for i in items]


def _existing(dataset: Dataset, capability: str) -> list[Site]:
    if capability.startswith("depot"):
        item = capability.partition(":")[2]
        holding = {s.depot_id for s in dataset.stocks if s.quantity > 0
                   and (not item or s.item_id == item)}
        return [Site(d.depot_id, "existing", d.name_zh, d.name_en, d.lat, d.lon)
                for d in dataset.depots if d.depot_id in holding]
    count = Counter(t.base_id for t in dataset.teams
                    if t.capability == capability and t.status != "out_of_service")
    return [Site(b.base_id, "existing", b.name_zh, b.name_en, b.lat, b.lon, count[b.base_id])
            for b in dataset.bases if count[b.base_id]]


def _standard_s(dataset: Dataset, settings, capability: str,
                radius_min: float | None) -> float | None:
    if radius_min is not None:
        return float(radius_min) * 60.0
    if capability in FIRE_CAPABILITIES:
        return float(settings.fire_standard_s)
    if capability in EMS_CAPABILITIES:
        return float(settings.ems_standard_s)
    if capability.startswith("depot"):
        item = capability.partition(":")[2]
        deadlines = [m.deadline_min for m in dataset.material_packages
                     if not item or m.item_id == item]
        return 60.0 * min(deadlines) if deadlines else None
    return None


def _check(dataset: Dataset, *, problem: str, capability: str, p: Any, mode: str,
           radius_min: Any, hour: Any) -> None:
    problems = []
    if problem not in PROBLEMS:
        problems.append(Problem(f"one of {', '.join(PROBLEMS)}", field="problem", value=problem))
    known = capabilities(dataset)
    if capability not in known:
        problems.append(Problem(f"one of {', '.join(known)}", field="capability",
                                value=capability))
    if mode not in MODES:
        problems.append(Problem(f"one of {', '.join(MODES)}", field="mode", value=mode))
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 1:
        problems.append(Problem("a whole number of sites, 1 or more", field="p", value=p))
    if radius_min is not None and not (isinstance(radius_min, (int, float))
                                       and not isinstance(radius_min, bool)
                                       and np.isfinite(radius_min) and radius_min > 0):
        problems.append(Problem("minutes above zero", field="radius_min", value=radius_min))
    if hour is not None and not (isinstance(hour, (int, np.integer)) and 0 <= hour <= 23):
        problems.append(Problem("an hour of the day 0-23", field="hour", value=hour))
    if problems:
        raise DataError("the siting cannot be set up", problems)


def city_problem(network, dataset: Dataset, settings, *, capability: str,
                 hour: int | None = None, closed_roads=(), candidates: str = "all",
                 risk_points=None, radius_min: float | None = None) -> CityProblem:
    """Demand, sites and road travel times of ``capability`` on the city.

    Parameters
    ----------
    hour
        Hour of day for ``settings.congestion_factors``; None: free flow.
    closed_roads
        Road names or references closed for the whole computation.
    candidates
        ``"listed"``: existing sites and ``candidate_sites.csv``; ``"all"``: those and
        the road node of every community cell centre.
    risk_points
        The risk register's points (:func:`command.app.risk.register`) to weight demand
        by; None: population.
    """
    from command.resources import load_candidate_sites
    from command.risk.feeds import siting_weights

    if candidates not in ("listed", "all"):
        raise DataError("the siting cannot be set up", [
            Problem("listed or all", field="candidates", value=candidates)])
    demand = demand_points(dataset)
    existing = _existing(dataset, capability)
    listed = [Site(c.site_id, "candidate", c.name_zh, c.name_en, c.lat, c.lon)
              for c in load_candidate_sites(dataset.meta.get("path") or settings.resources_dir)]
    cells = ([Site(d.grid_id, "cell", d.name_zh, d.name_zh, d.lat, d.lon) for d in demand]
             if candidates == "all" else [])
    sites = tuple(existing + listed + cells)
    open_net = network
    if hour is not None:
        open_net = roads.at_hour(network, hour, congestion_factors=settings.congestion_factors)
    net = roads.close_roads(open_net, list(closed_roads)) if closed_roads else open_net
    demand_node, _ = roads.snap(net, [d.lat for d in demand], [d.lon for d in demand],
                                max_distance_m=None)
    site_node, _ = roads.snap(net, [s.lat for s in sites], [s.lon for s in sites],
                              max_distance_m=settings.max_snap_distance_m)
    times = np.atleast_2d(roads.travel_times_s(net, site_node, demand_node)).T
    if closed_roads:
        cut = ~np.isfinite(times)
        if cut.any():
            free = np.atleast_2d(roads.travel_times_s(open_net, site_node, demand_node)).T
            times[cut] = free[cut]
    times = np.where(np.isfinite(times), times, _UNREACHABLE_S)
    population = np.array([d.population for d in demand])
    points = list(risk_points) if risk_points is not None else []
    weights = siting_weights(demand, points) if points else population.copy()
    return CityProblem(
        capability=capability, demand=demand, sites=sites,
        existing=np.arange(len(existing)), times_s=times, population=population,
        weights=np.asarray(weights, dtype=float),
        standard_s=_standard_s(dataset, settings, capability, radius_min),
        hour=hour, factor=float(net.time_factor), risk_points=len(points))


def _layout(cp: CityProblem, open_cols, radius_s: float) -> dict:
    from command.dispatch.siting import layout_cover

    people = layout_cover(cp.times_s, open_cols, weights=cp.population, radius=radius_s)
    cells = layout_cover(cp.times_s, open_cols, weights=np.ones(len(cp.demand)),
                         radius=radius_s)
    return {"covered_share": people.share, "mean_minutes": people.mean / 60.0,
            "covered_population": float(cp.population[people.covered].sum()),
            "cells_covered_share": cells.share, "sites": len(open_cols),
            "_nearest": people.nearest, "_covered": people.covered}


def _site_dict(cp: CityProblem, j: int) -> dict:
    s = cp.sites[j]
    return {"id": s.site_id, "kind": s.kind, "name_zh": s.name_zh, "name_en": s.name_en,
            "lat": s.lat, "lon": s.lon, "units": s.units}


def site_plan(network, dataset: Dataset, settings, *, problem: str, capability: str, p: int,
              mode: str = "add", radius_min: float | None = None, hour: int | None = None,
              closed_roads=(), candidates: str = "all", risk_points=None,
              time_limit_s: float = 60.0, units_per_site: int = UNITS_PER_SITE) -> dict:
    """Solve one siting problem on the city and measure the layout before and after.

    Returns
    -------
    dict
        The solver keys (``status``, ``objective``, ``bound``, ``seconds``, ``seed``,
        ``method``) and ``optimal``, ``gap``; the question (``problem``, ``capability``,
        ``mode``, ``p``, ``hour``, ``congestion_factor``, ``standard_min``,
        ``risk_weighted``, ``risk_points``, ``candidates``); ``sites`` (the new sites:
        ``id``, ``kind``, ``name_zh``, ``name_en``, ``lat``, ``lon``), ``closed`` (existing
        sites given up), ``existing``; ``before`` and ``after`` (``covered_share`` of the
        population within the standard, ``mean_minutes`` population-weighted to the
        nearest site, ``covered_population``, ``cells_covered_share`` — the simulator's
        coverage KPI with every unit idle —, ``sites``); ``demand`` per cell (minutes
        before and after, covered before and after); ``newly_covered`` (grid ids) and
        ``variant`` (the drill variant, or None for depots that cannot be simulated).

    Raises
    ------
    DataError
        Naming the field and value: unknown problem, capability or mode, p below 1 or
        above the candidates, a radius of zero or below, an hour outside 0-23, and no
        standard for a covering problem.
    """
    from command.dispatch import siting

    _check(dataset, problem=problem, capability=capability, p=p, mode=mode,
           radius_min=radius_min, hour=hour)
    cp = city_problem(network, dataset, settings, capability=capability, hour=hour,
                      closed_roads=closed_roads, candidates=candidates,
                      risk_points=risk_points, radius_min=radius_min)
    n_sites, n_existing = len(cp.sites), len(cp.existing)
    limit = {"add": n_sites - n_existing, "choose": n_sites,
             "relocate": min(n_existing, n_sites - n_existing)}[mode]
    if p > limit:
        what = {"add": "candidate sites besides the existing ones",
                "choose": "candidate sites", "relocate": "existing sites (and other candidates)"}
        raise DataError("the siting cannot be set up", [Problem(
            f"at most {limit}: the {what[mode]} of {capability}", field="p", value=p)])
    if cp.standard_s is None and problem == "mclp":
        raise DataError("the siting cannot be set up", [Problem(
            f"{capability} has no response standard: give the radius in minutes",
            field="radius_min", value=radius_min)])
    radius_s = cp.standard_s if cp.standard_s is not None else np.inf
    kind = PROBLEMS[problem]
    fixed = cp.existing if mode == "add" else None
    if mode == "relocate":
        result = siting.relocate(cp.times_s, cp.existing, p, problem=kind, weights=cp.weights,
                                 radius=radius_s if problem == "mclp" else None,
                                 time_limit_s=time_limit_s)
    elif problem == "pmedian":
        result = siting.p_median(cp.times_s, p, weights=cp.weights, fixed=fixed,
                                 time_limit_s=time_limit_s)
    elif problem == "mclp":
        result = siting.max_covering(cp.times_s, p, radius_s, weights=cp.weights, fixed=fixed,
                                     time_limit_s=time_limit_s)
    else:
        result = siting.p_center(cp.times_s, p, fixed=fixed, time_limit_s=time_limit_s)
    opened = [int(j) for j in result.facilities]
    before = _layout(cp, cp.existing, radius_s)
    after = _layout(cp, opened, radius_s)
    new = [j for j in opened if j not in set(cp.existing.tolist())]
    closed = [int(j) for j in cp.existing if int(j) not in set(opened)]
    demand = [{"grid_id": d.grid_id, "name_zh": d.name_zh, "district": d.district,
               "lat": d.lat, "lon": d.lon, "population": d.population,
               "weight": cp.weights[u],
               "before_min": before["_nearest"][u] / 60.0, "after_min": after["_nearest"][u] / 60.0,
               "covered_before": bool(before["_covered"][u]),
               "covered_after": bool(after["_covered"][u])}
              for u, d in enumerate(cp.demand)]
    for layout in (before, after):
        del layout["_nearest"], layout["_covered"]
    data = {
        **result.run.to_dict(), "objective": result.objective, "bound": result.bound,
        "optimal": result.optimal, "gap": result.gap,
        "problem": problem, "capability": capability, "mode": mode, "p": p, "hour": hour,
        "congestion_factor": cp.factor,
        "standard_min": None if cp.standard_s is None else cp.standard_s / 60.0,
        "risk_weighted": risk_points is not None, "risk_points": cp.risk_points,
        "candidates": candidates, "closed_roads": list(closed_roads),
        "sites": [_site_dict(cp, j) for j in new],
        "closed": [_site_dict(cp, j) for j in closed],
        "existing": [_site_dict(cp, int(j)) for j in cp.existing],
        "before": before, "after": after, "demand": demand,
        "newly_covered": [d["grid_id"] for d in demand
                          if d["covered_after"] and not d["covered_before"]],
    }
    data["variant"] = drill_variant(data, units_per_site=units_per_site)
    return _clean(data)


def site_hours(network, dataset: Dataset, settings, *, hours=(3, 18), **kwargs) -> list[dict]:
    """:func:`site_plan` at each of ``hours`` (night and day by default): where the
    answer moves when the roads are congested (``settings.congestion_factors``). Hours
    with the same factor share one solve (the travel times are the same)."""
    factors = settings.congestion_factors
    by_factor: dict[float, dict] = {}
    out = []
    for h in hours:
        f = float(factors.get(int(h), 1.0)) if isinstance(h, (int, np.integer)) else h
        if f not in by_factor:
            by_factor[f] = site_plan(network, dataset, settings, hour=h, **kwargs)
        out.append({**by_factor[f], "hour": h})
    return out


def drill_variant(plan: dict, *, units_per_site: int = UNITS_PER_SITE,
                  name: str | None = None) -> dict | None:
    """The proposal as a variant of the drills page (``name`` and ``changes`` as
    :func:`command.app.drills.variant_kwargs` reads them): each new site a new post
    (``add_base``) with ``units_per_site`` units of the capability (a relocation moves the
    closed post's units there, ``remove_units``); a relocated depot moves
    (``move_depot``). None where the simulator cannot play it (new depots)."""
    cap = plan["capability"]
    closed, new = list(plan["closed"]), list(plan["sites"])
    if cap.startswith("depot"):
        if plan["mode"] != "relocate" or not new:
            return None
        changes = [{"kind": "move_depot", "depot_id": c["id"], "lat": s["lat"], "lon": s["lon"]}
                   for c, s in zip(closed, new, strict=False)]
        return {"name": name or "siting", "changes": changes}
    changes: list[dict] = [{"kind": "remove_units", "base_id": c["id"], "capability": cap}
                           for c in closed]
    moved = [c["units"] for c in closed]
    for k, s in enumerate(new):
        base_id = f"NEW{k + 1}"
        count = moved[k] if k < len(moved) else units_per_site
        changes.append({"kind": "add_base", "base_id": base_id, "lat": s["lat"],
                        "lon": s["lon"], "name": s["name_zh"]})
        changes.append({"kind": "add_units", "base_id": base_id, "capability": cap,
                        "count": int(max(1, count))})
    return {"name": name or "siting", "changes": changes}
