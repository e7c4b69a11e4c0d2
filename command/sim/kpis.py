"""KPIs of one simulated run: pure functions over :class:`command.sim.city.RunRecords`.

Definitions (times in the records are seconds; KPIs in minutes say so in their name):

- response (first unit): call to the arrival of its first unit; full complement: call
  to the arrival of the last unit of its response package. A call never reached counts
  as a miss of its standard and is left out of the means.
- share within standard: calls whose type has a standard (``sim_times.csv``: fire types
  against ``settings.fire_standard_s``, EMS types against ``settings.ems_standard_s``)
  with a first unit within it, over all such calls.
- utilisation: busy time (dispatch to back at post) of the units of the capabilities the
  run demanded, over their number x the period.
- waiting calls: share of calls with demand that could not get every unit at once.
- unmet material: share of material lines (call x item) not fully delivered from depots
  within their deadline.
- coverage: mean share of zones (community grid cells) with an idle engine within the fire
  standard (``coverage_fire``) and an idle ambulance within the EMS standard.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from command.sim.city import RunRecords
from command.sim.stats import share_within

__all__ = ["KPI_NAMES", "KPI_BOUNDS", "run_kpis", "by_group", "utilisation_by_capability", "missed_places"]

#: KPI name -> (unit, higher is better).
KPI_NAMES: dict[str, tuple[str, bool]] = {
    "calls": ("", True),
    "response_mean_min": ("min", False),
    "response_p50_min": ("min", False),
    "response_p90_min": ("min", False),
    "full_mean_min": ("min", False),
    "share_within_standard": ("", True),
    "share_within_fire": ("", True),
    "share_within_ems": ("", True),
    "utilisation": ("", False),
    "waiting_calls": ("", False),
    "unmet_material": ("", False),
    "coverage_fire": ("", True),
    "coverage_ems": ("", True),
    "bed_wait_mean_min": ("min", False),
}


def _mean(values) -> float:
    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    return float(arr.mean()) if arr.size else math.nan


def _within(calls: pd.DataFrame) -> float:
    std = calls[calls["standard_s"].notna() & (calls["demanded"] > 0)]
    if not len(std):
        return math.nan
    # share_within compares against one standard; the frame carries one per call
    return share_within((std["first_s"] - std["standard_s"]).to_numpy(), 0.0)


def _demanded_capabilities(rec: RunRecords) -> np.ndarray:
    caps = set(rec.trips["capability"]) if len(rec.trips) else set()
    return np.array([c in caps for c in rec.unit_capability])


#: The range each KPI can take: shares and coverage within [0, 1], the rest >= 0.
KPI_BOUNDS: dict[str, tuple[float, float]] = {
    k: ((0.0, 1.0) if k.startswith(("share_", "coverage_")) or k in (
        "utilisation", "waiting_calls", "unmet_material") else (0.0, math.inf))
    for k in KPI_NAMES}


def run_kpis(rec: RunRecords) -> dict[str, float]:
    """The KPIs of :data:`KPI_NAMES` for one run."""
    calls = rec.calls
    served = calls[calls["demanded"] > 0]
    first = served["first_s"].to_numpy(dtype=float)
    finite = first[np.isfinite(first)]
    mask = _demanded_capabilities(rec)
    busy = float((rec.trips["free_s"] - rec.trips["dispatch_s"]).sum()) if len(rec.trips) else 0.0
    mat = rec.materials
    return {
        "calls": float(len(calls)),
        "response_mean_min": _mean(first) / 60.0,
        "response_p50_min": float(np.percentile(finite, 50)) / 60.0 if finite.size else math.nan,
        "response_p90_min": float(np.percentile(finite, 90)) / 60.0 if finite.size else math.nan,
        "full_mean_min": _mean(served["full_s"]) / 60.0,
        "share_within_standard": _within(calls),
        "share_within_fire": _within(calls[calls["standard"] == "fire"]),
        "share_within_ems": _within(calls[calls["standard"] == "ems"]),
        "utilisation": busy / (mask.sum() * rec.horizon_s) if mask.any() else 0.0,
        "waiting_calls": float(served["waited"].mean()) if len(served) else math.nan,
        "unmet_material": (float((mat["met"] < mat["demanded"] - 1e-9).mean())
                           if len(mat) else 0.0),
        "coverage_fire": _mean(rec.coverage["fire_cover"]),
        "coverage_ems": _mean(rec.coverage["ems_cover"]),
        "bed_wait_mean_min": (_mean(rec.trips.loc[rec.trips["hospital"] >= 0, "bed_wait_s"])
                              / 60.0 if len(rec.trips) else math.nan),
    }


def by_group(rec: RunRecords, column: str) -> pd.DataFrame:
    """Per ``column`` value (``district`` or ``incident_type``): calls, mean first-unit
    response (min), share within standard."""
    rows = []
    calls = rec.calls[rec.calls["demanded"] > 0]
    for key, g in calls.groupby(column, sort=True):
        rows.append({column: key, "calls": len(g),
                     "response_mean_min": _mean(g["first_s"]) / 60.0,
                     "share_within_standard": _within(g)})
    return pd.DataFrame(rows, columns=[column, "calls", "response_mean_min",
                                       "share_within_standard"])


def utilisation_by_capability(rec: RunRecords) -> dict[str, float]:
    """Busy share of each capability's units over the period."""
    caps = pd.Series(rec.unit_capability).value_counts()
    busy = (rec.trips.assign(busy=rec.trips["free_s"] - rec.trips["dispatch_s"])
            .groupby("capability")["busy"].sum()) if len(rec.trips) else pd.Series(dtype=float)
    return {c: float(busy.get(c, 0.0) / (n * rec.horizon_s)) for c, n in caps.items()}


def missed_places(rec: RunRecords, *, cell_deg: float = 0.01) -> pd.DataFrame:
    """Calls that missed their standard, counted per cell of ``cell_deg`` degrees
    (about 1 km): columns ``lat``, ``lon`` (cell centre), ``count``."""
    c = rec.calls[rec.calls["standard_s"].notna() & (rec.calls["demanded"] > 0)]
    miss = c[~(c["first_s"] <= c["standard_s"])]
    if not len(miss):
        return pd.DataFrame(columns=["lat", "lon", "count"])
    lat = (np.floor(miss["lat"] / cell_deg) + 0.5) * cell_deg
    lon = (np.floor(miss["lon"] / cell_deg) + 0.5) * cell_deg
    out = pd.DataFrame({"lat": lat.round(5), "lon": lon.round(5)})
    return out.groupby(["lat", "lon"]).size().rename("count").reset_index()
