"""Calls of a simulated period: Poisson arrivals by district, incident type and hour.

Rates. ``dataset.incident_rates`` gives yearly counts by type and district (about 59
calls a day for Ezhou). The rate of (type, district) in hour ``h`` of the day is
``per_year / 365 / 24 x hourly_weight[h] x scale x surge(t)``, where ``hourly_weight``
(``sim_hourly.csv``, mean 1) is the diurnal shape of calls, ``scale`` turns the data set's
~59 a day into a target (``per_day``) and ``surge(t)`` is the product of the surge
multipliers of a drill in force at ``t``. The rate is constant within each simulated hour
(and within each piece cut by a surge's start or end), so a Poisson count per piece with
uniform instants inside it is an exact non-homogeneous Poisson process.

Places. A call of a district lands near one of the district's community grid cells
(``grid_cells.csv``, level ``community``; each cell stands for about 12,000 residents, so
an equal weight per cell is a weight by population), drawn uniformly, then moved by a
normal offset of ``place_jitter_m`` in each direction and snapped to the nearest node of
the road network's main component. A district without community cells falls back to its
town cells, then to its population areas.

Grades are drawn from ``grade_share`` of ``sim_times.csv``; priority is
:data:`command.model.DEFAULT_PRIORITY`, one level more urgent for grades 1 and 2.

Must not: simulate, or draw from any stream but the one passed in (common random
numbers: the same stream gives the same calls whatever the variant).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from command.model import DEFAULT_PRIORITY, Dataset
from command.sim._tables import SimTables

__all__ = ["CALL_COLUMNS", "Surge", "Sites", "district_sites", "calls_per_day",
           "generate_calls", "priority_of"]

#: Columns of the calls frame.
CALL_COLUMNS = ("t_s", "incident_type", "grade", "priority", "district", "lat", "lon",
                "node", "label")

_M_PER_DEG_LAT = 111_320.0


@dataclass(frozen=True)
class Surge:
    """Rates times ``multiplier`` from ``start_s`` for ``duration_s`` (optionally only for
    some incident types and districts; empty means all)."""

    start_s: float
    duration_s: float
    multiplier: float
    incident_types: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()

    def applies(self, incident_type: str, district: str) -> bool:
        return ((not self.incident_types or incident_type in self.incident_types)
                and (not self.districts or district in self.districts))


@dataclass(frozen=True)
class Sites:
    """Candidate centres of calls per district (degrees)."""

    lat: dict[str, np.ndarray]
    lon: dict[str, np.ndarray]


def district_sites(dataset: Dataset) -> Sites:
    """Community grid cells per district (fallback: town cells, population areas)."""
    wanted = {r.district for r in dataset.incident_rates}
    by_level: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for c in dataset.grid_cells:
        by_level.setdefault((c.district, c.level), []).append((c.lat, c.lon))
    for a in dataset.population:
        by_level.setdefault((a.district, "population"), []).append((a.lat, a.lon))
    lat: dict[str, list] = {}
    lon: dict[str, list] = {}
    for d in sorted(wanted):
        for level in ("community", "town", "population"):
            if by_level.get((d, level)):
                lat[d] = [p[0] for p in by_level[(d, level)]]
                lon[d] = [p[1] for p in by_level[(d, level)]]
                break
    return Sites({d: np.asarray(v) for d, v in lat.items()},
                 {d: np.asarray(v) for d, v in lon.items()})


def calls_per_day(dataset: Dataset) -> float:
    """The data set's expected calls per day (sum of the yearly rates / 365)."""
    return sum(r.per_year for r in dataset.incident_rates) / 365.0


def priority_of(incident_type: str, grade: int) -> int:
    base = DEFAULT_PRIORITY.get(incident_type, 2)
    return max(1, base - 1) if grade <= 2 else base


def _pieces(horizon_s: float, surges: Sequence[Surge]) -> list[tuple[float, float]]:
    cuts = {float(h) * 3600.0 for h in range(int(np.ceil(horizon_s / 3600.0)) + 1)}
    for s in surges:
        cuts.update((s.start_s, s.start_s + s.duration_s))
    cuts = sorted(c for c in cuts if 0.0 <= c <= horizon_s) + [horizon_s]
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def generate_calls(dataset: Dataset, network, tables: SimTables, *, days: float,
                   rng: np.random.Generator, per_day: float | None = None,
                   surges: Sequence[Surge] = (), start_hour: int = 0,
                   sites: Sites | None = None) -> pd.DataFrame:
    """Random calls over ``days`` (see the module docstring).

    Parameters
    ----------
    dataset, network
        The data set (rates, grid cells) and the road network (snapping).
    tables
        The simulator tables (hourly shape, grade shares, place jitter).
    days
        Length of the period, days (> 0).
    rng
        The arrivals stream.
    per_day
        Target mean calls per day (before surges); None keeps the data set's rates;
        0 gives no random calls.
    surges
        Rate multipliers in force over parts of the period.
    start_hour
        Hour of the day at ``t = 0``.

    Returns
    -------
    DataFrame
        Columns :data:`CALL_COLUMNS`, sorted by ``t_s`` (seconds from the start).
    """
    from command.roads import snap

    horizon_s = float(days) * 86400.0
    base = calls_per_day(dataset)
    scale = 1.0 if per_day is None else (float(per_day) / base if base > 0 else 0.0)
    sites = sites or district_sites(dataset)
    rates = [(r.incident_type, r.district, r.per_year / 365.0 / 86400.0 * scale)
             for r in dataset.incident_rates if r.per_year > 0 and r.district in sites.lat]
    if not rates or scale <= 0:
        return pd.DataFrame({c: [] for c in CALL_COLUMNS})
    base_rate = np.array([x[2] for x in rates])
    t_parts, k_parts = [], []
    for a, b in _pieces(horizon_s, surges):
        hour = (start_hour + int(a // 3600.0)) % 24
        rate = base_rate * tables.hourly_weight[hour]
        for s in surges:
            if s.start_s <= a < s.start_s + s.duration_s:
                mask = np.array([s.applies(kind, d) for kind, d, _ in rates])
                rate = np.where(mask, rate * s.multiplier, rate)
        counts = rng.poisson(rate * (b - a))
        n = int(counts.sum())
        if n:
            k_parts.append(np.repeat(np.arange(len(rates)), counts))
            t_parts.append(rng.uniform(a, b, n))
    if not t_parts:
        return pd.DataFrame({c: [] for c in CALL_COLUMNS})
    t = np.concatenate(t_parts)
    k = np.concatenate(k_parts)
    order = np.argsort(t, kind="stable")
    t, k = t[order], k[order]
    n = t.size
    kinds = [rates[i][0] for i in k]
    districts = [rates[i][1] for i in k]
    u_site, u_grade = rng.random(n), rng.random(n)
    jitter = rng.normal(0.0, tables.param("place_jitter_m"), (n, 2))
    lat = np.empty(n)
    lon = np.empty(n)
    d_of_rate = np.array([x[1] for x in rates])
    for d in set(districts):
        rows = np.flatnonzero(d_of_rate[k] == d)
        s_lat, s_lon = sites.lat[d], sites.lon[d]
        j = np.minimum((u_site[rows] * s_lat.size).astype(np.int64), s_lat.size - 1)
        lat[rows] = s_lat[j] + jitter[rows, 0] / _M_PER_DEG_LAT
        lon[rows] = s_lon[j] + jitter[rows, 1] / (_M_PER_DEG_LAT * np.cos(np.radians(s_lat[j])))
    cum = np.cumsum([tables.times[x[0]].grade_share for x in rates], axis=1)[k]
    grade = np.minimum((u_grade[:, None] >= cum).sum(axis=1), 3) + 1
    node, _ = snap(network, lat, lon, max_distance_m=None)
    prio = {(kind, g): priority_of(kind, g) for kind in set(kinds) for g in range(1, 5)}
    return pd.DataFrame({
        "t_s": t, "incident_type": kinds, "grade": grade,
        "priority": [prio[x] for x in zip(kinds, grade.tolist())],
        "district": districts, "lat": lat, "lon": lon, "node": node.astype(np.int64),
        "label": [""] * n})
