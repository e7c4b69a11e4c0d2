"""The simulator's own data tables: times by incident type, run parameters, the hourly
shape of calls (``sim_times.csv``, ``sim_parameters.csv``, ``sim_hourly.csv`` in the data
set's folder; every row carries its source).

Owns: reading and checking those three files. Must not: simulate.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from command.errors import DataError, Problem
from command.model import INCIDENT_TYPES

__all__ = ["TypeTimes", "SimTables", "load_sim_tables", "PARAMETERS"]

#: Parameters ``sim_parameters.csv`` must define (name -> unit).
PARAMETERS: Mapping[str, str] = {
    "travel_sigma": "1", "hospital_handover_s": "s", "ed_stay_s": "s",
    "resupply_delay_s": "s", "coverage_interval_s": "s", "place_jitter_m": "m",
    "moveup_max_moves": "1", "moveup_max_move_s": "s", "moveup_cost_share": "1",
    "optimiser_time_limit_s": "s",
}


@dataclass(frozen=True)
class TypeTimes:
    """Times and shares of one incident type.

    ``standard`` is ``fire``, ``ems`` or ``""`` (no response standard);
    ``grade_share[g - 1]`` is the share of calls of grade ``g`` (1 most severe);
    on-scene times are lognormal with median ``on_scene_median_s`` and log-sd
    ``on_scene_sigma``; ``transport_share`` is the chance that an ambulance of the call
    conveys a patient to hospital.
    """

    incident_type: str
    standard: str
    grade_share: tuple[float, float, float, float]
    turnout_s: float
    on_scene_median_s: float
    on_scene_sigma: float
    transport_share: float


@dataclass(frozen=True)
class SimTables:
    times: Mapping[str, TypeTimes]
    parameters: Mapping[str, float]
    hourly_weight: tuple[float, ...]  # 24 values, mean 1

    def param(self, name: str) -> float:
        return float(self.parameters[name])


def _rows(path: Path) -> list[dict]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    except FileNotFoundError:
        raise DataError("A simulator table is missing.",
                        [Problem("file not found", file=str(path))]) from None


def _number(problems, file, row, field, raw, *, low=0.0, high=float("inf")) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        problems.append(Problem("must be a number", file=file, row=row, field=field, value=raw))
        return 0.0
    if not low <= value <= high:
        problems.append(Problem(f"must lie in [{low:g}, {high:g}]", file=file, row=row,
                                field=field, value=raw))
    return value


def load_sim_tables(resources_dir: str | Path) -> SimTables:
    """Read the simulator tables of a data set.

    Raises
    ------
    DataError
        Every problem of the three files at once (file, row, field, value).
    """
    folder = Path(resources_dir)
    problems: list[Problem] = []
    times: dict[str, TypeTimes] = {}
    f = str(folder / "sim_times.csv")
    for i, r in enumerate(_rows(folder / "sim_times.csv"), start=2):
        kind = r.get("incident_type", "")
        if kind not in INCIDENT_TYPES:
            problems.append(Problem("unknown incident type", file=f, row=i,
                                    field="incident_type", value=kind))
        if r.get("standard", "") not in ("fire", "ems", ""):
            problems.append(Problem("must be fire, ems or empty", file=f, row=i,
                                    field="standard", value=r.get("standard")))
        shares = tuple(_number(problems, f, i, f"grade{g}_share", r.get(f"grade{g}_share"),
                               high=1.0) for g in (1, 2, 3, 4))
        if abs(sum(shares) - 1.0) > 1e-6:
            problems.append(Problem("grade shares must add up to 1", file=f, row=i,
                                    field="grade4_share", value=r.get("grade4_share")))
        times[kind] = TypeTimes(
            incident_type=kind, standard=r.get("standard", ""), grade_share=shares,
            turnout_s=_number(problems, f, i, "turnout_s", r.get("turnout_s")),
            on_scene_median_s=_number(problems, f, i, "on_scene_median_s",
                                      r.get("on_scene_median_s"), low=1.0),
            on_scene_sigma=_number(problems, f, i, "on_scene_sigma", r.get("on_scene_sigma"),
                                   high=3.0),
            transport_share=_number(problems, f, i, "transport_share",
                                    r.get("transport_share"), high=1.0))
    missing = [k for k in INCIDENT_TYPES if k not in times]
    if missing:
        problems.append(Problem("no times for these incident types", file=f,
                                field="incident_type", value=", ".join(missing)))
    f = str(folder / "sim_parameters.csv")
    params = {}
    for i, r in enumerate(_rows(folder / "sim_parameters.csv"), start=2):
        params[r.get("name", "")] = _number(problems, f, i, "value", r.get("value"))
    for name in PARAMETERS:
        if name not in params:
            problems.append(Problem("parameter missing", file=f, field="name", value=name))
    f = str(folder / "sim_hourly.csv")
    weights = [0.0] * 24
    seen = set()
    for i, r in enumerate(_rows(folder / "sim_hourly.csv"), start=2):
        hour = int(_number(problems, f, i, "hour", r.get("hour"), high=23))
        seen.add(hour)
        weights[hour] = _number(problems, f, i, "weight", r.get("weight"))
    if len(seen) != 24 or sum(weights) <= 0:
        problems.append(Problem("one positive weight per hour 0-23 is needed", file=f,
                                field="hour", value=sorted(seen)))
    if problems:
        raise DataError("The simulator tables are invalid.", problems)
    mean = sum(weights) / 24.0
    return SimTables(times=times, parameters=params,
                     hourly_weight=tuple(w / mean for w in weights))
