"""Drill files: a scripted period with timed injects, checked before anything runs.

A drill file (YAML) says how long the drill lasts, when it starts, which policy plays,
how many random background calls come at the same time, and its injects, each at a time
``at`` (``"HH:MM"`` from the start, hours may pass 24, or a number of minutes)::

    id: bridge-out-echeng
    name: {zh: 鄂黄大桥封闭, en: Ehuang bridge closed}
    days: 1
    start_hour: 8
    policy: nearest            # or optimiser
    moveup: false
    background_per_day: 59     # omit for the data set's rates, 0 for none
    injects:
      - at: "00:30"
        incident: {type: fire, grade: 2, lat: 30.39, lon: 114.89, label: 商场火灾}
      - at: "01:00"
        close_roads: {roads: [鄂黄大桥], until: "05:00"}   # or polygon: GeoJSON
      - at: "02:00"
        lose_unit: {units: [F01-ENG1]}
      - at: "02:00"
        lose_station: {base: F03}
      - at: "03:00"
        surge: {multiplier: 3, duration_min: 120, types: [traffic_accident]}
      - at: "04:00"
        scenario: chlorine-gedian    # a scenario of the library: its incidents, closures

Checks, all reported at once with file, line, field and value (:class:`DataError`):
the schema (unknown fields refused), times (format, not negative, within the drill,
``until`` after ``at``), unknown incident types, units, stations, roads, scenarios, and
places farther than ``settings.max_snap_distance_m`` from a road.

Owns: reading drill and scenario files into a :class:`Drill` (resolved: times in
seconds, places as nodes, closures as edge masks). Must not: simulate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from command._schema import (
    Hour,
    IncidentType,
    Lat,
    Level,
    Lon,
    Minutes,
    Slug,
    StrictModel,
    bounded,
)
from command.errors import CommandError, DataError, Problem
from command.sim.arrivals import Surge, priority_of
from command.sim.policies import POLICIES
from command.yamlfile import Located, read_mapping, validate

__all__ = ["DrillFile", "Drill", "DrillIncident", "DrillClosure", "DrillLoss", "load_drill",
           "list_drills", "drill_dir", "scenario_script", "parse_time_s"]

_TIME = re.compile(r"^(\d{1,3}):([0-5]\d)$")


def parse_time_s(value: Any) -> float:
    """``"HH:MM"`` or minutes (number) -> seconds.

    Raises
    ------
    ValueError
        For anything else, or a negative number.
    """
    if isinstance(value, bool):
        raise ValueError("a time is 'HH:MM' or a number of minutes")
    if isinstance(value, (int, float)):
        if not (np.isfinite(value) and value >= 0):
            raise ValueError("a time in minutes must be 0 or more")
        return float(value) * 60.0
    m = _TIME.match(str(value).strip())
    if not m:
        raise ValueError("a time is 'HH:MM' (hours may pass 24) or a number of minutes")
    return (int(m.group(1)) * 60 + int(m.group(2))) * 60.0


class _Time(StrictModel):
    @field_validator("at", "until", mode="before", check_fields=False)
    @classmethod
    def _time(cls, v):
        if v is None:
            return v
        parse_time_s(v)
        return v


class IncidentInject(StrictModel):
    type: IncidentType
    grade: Level = 3
    lat: Lat
    lon: Lon
    label: str = ""


class ClosureInject(_Time):
    roads: list[str] = []
    polygon: dict | None = None
    until: str | float | None = None

    @model_validator(mode="after")
    def _one(self):
        if not self.roads and self.polygon is None:
            raise ValueError("give roads (names) or a polygon")
        return self


class UnitLossInject(StrictModel):
    units: list[str] = Field(min_length=1)


class StationLossInject(StrictModel):
    base: str


class SurgeInject(StrictModel):
    multiplier: float = Field(gt=0, le=100)
    duration_min: Annotated[Minutes, bounded("surge_duration_min")]
    types: list[IncidentType] = []
    districts: list[str] = []


_KINDS = ("incident", "close_roads", "lose_unit", "lose_station", "surge", "scenario")


class Inject(_Time):
    at: str | float
    incident: IncidentInject | None = None
    close_roads: ClosureInject | None = None
    lose_unit: UnitLossInject | None = None
    lose_station: StationLossInject | None = None
    surge: SurgeInject | None = None
    scenario: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self):
        given = [k for k in _KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"an inject holds exactly one of {', '.join(_KINDS)} "
                             f"(got {', '.join(given) or 'none'})")
        return self


class DrillFile(StrictModel):
    """The schema of a drill file (see the module docstring)."""

    id: Slug | None = None
    name: str | dict[str, str] = ""
    description: str | dict[str, str] = ""
    days: float = Field(default=1.0, gt=0, le=31)
    start_hour: Hour = 0
    policy: Literal[POLICIES] | None = None  # type: ignore[valid-type]
    moveup: bool | None = None
    background_per_day: Annotated[float, bounded("calls_per_day")] | None = None
    injects: list[Inject] = Field(min_length=1)


@dataclass(frozen=True)
class DrillIncident:
    t_s: float
    incident_type: str
    grade: int
    priority: int
    district: str
    lat: float
    lon: float
    node: int
    label: str


@dataclass(frozen=True)
class DrillClosure:
    start_s: float
    end_s: float | None
    mask: np.ndarray
    label: str


@dataclass(frozen=True)
class DrillLoss:
    t_s: float
    unit_ids: tuple[str, ...]
    base_ids: tuple[str, ...]
    label: str


@dataclass(frozen=True)
class Drill:
    """A checked drill, resolved against one network and data set."""

    drill_id: str
    name_zh: str
    name_en: str
    days: float
    start_hour: int
    policy: str | None
    moveup: bool | None
    background_per_day: float | None
    incidents: tuple[DrillIncident, ...]
    closures: tuple[DrillClosure, ...]
    losses: tuple[DrillLoss, ...]
    surges: tuple[Surge, ...]
    file: str = ""


def drill_dir(resources_dir: str | Path) -> Path:
    return Path(resources_dir) / "drills"


def list_drills(resources_dir: str | Path) -> list[Path]:
    d = drill_dir(resources_dir)
    return sorted(d.glob("*.yaml")) if d.is_dir() else []


def _names(value) -> tuple[str, str]:
    if isinstance(value, dict):
        zh = value.get("zh") or value.get("en") or ""
        return zh, value.get("en") or zh
    return str(value), str(value)


def _district(dataset, lat: float, lon: float) -> str:
    cells = [c for c in dataset.grid_cells if c.level in ("community", "town")]
    if not cells:
        return ""
    d2 = [(c.lat - lat) ** 2 + ((c.lon - lon) * np.cos(np.radians(lat))) ** 2 for c in cells]
    return cells[int(np.argmin(d2))].district


def _scenario_parts(name: str, at_s: float, *, network, dataset, settings):
    """(incidents as (t_s, type, grade, lat, lon, label), closures (start_s, mask, label))
    of a library scenario played from ``at_s``."""
    from command.scenarios.consequences import consequences
    from command.scenarios.library import find_scenario, scenario_dir
    from command.scenarios.schema import load_scenario

    path = find_scenario(name, scenario_dir(settings.resources_dir))
    scenario = load_scenario(path, dataset=dataset, network=network,
                             max_snap_distance_m=settings.max_snap_distance_m)
    cons = consequences(scenario, network, dataset, settings=settings)
    incidents = [(at_s + i.at_min * 60.0, i.type, int(i.grade), i.lat, i.lon,
                  i.place_zh or cons.name_zh) for i in cons.incidents]
    closures = []
    if cons.closed_edges.size:
        mask = np.zeros(network.n_edges, dtype=bool)
        mask[cons.closed_edges] = True
        closures.append((at_s, mask, cons.name_zh))
    for minute, names, edges in cons.timed_closures:
        mask = np.zeros(network.n_edges, dtype=bool)
        mask[edges] = True
        closures.append((at_s + minute * 60.0, mask, ";".join(names)))
    return cons, incidents, closures


def _resolve(model: DrillFile, located: Located, *, network, dataset, settings,
             drill_id: str) -> Drill:
    from command.errors import RoadNetworkError
    from command.roads import close_polygon, close_roads, snap

    problems: list[Problem] = []
    horizon_s = model.days * 86400.0
    units = {t.unit_id for t in dataset.teams}
    bases = {b.base_id for b in dataset.bases}
    districts = {r.district for r in dataset.incident_rates}
    incidents, closures, losses, surges = [], [], [], []
    empty = np.zeros(network.n_edges, dtype=bool)
    for i, inj in enumerate(model.injects):
        path = ("injects", i)
        at_s = parse_time_s(inj.at)
        if at_s >= horizon_s:
            problems.append(located.problem(path + ("at",), f"after the end of the drill "
                                            f"({model.days:g} days)", inj.at))
        if inj.incident is not None:
            x = inj.incident
            incidents.append((at_s, x.type, x.grade, x.lat, x.lon, x.label, path + ("incident",)))
        elif inj.close_roads is not None:
            c = inj.close_roads
            end_s = parse_time_s(c.until) if c.until is not None else None
            if end_s is not None and end_s <= at_s:
                problems.append(located.problem(path + ("close_roads", "until"),
                                                "must come after 'at'", c.until))
            mask = empty
            try:
                net = network.derive(edge_closed=empty.copy())
                if c.roads:
                    net = close_roads(net, c.roads)
                if c.polygon is not None:
                    net = close_polygon(net, c.polygon)
                mask = np.asarray(net.edge_closed)
            except RoadNetworkError as exc:
                for p in exc.problems or [Problem(str(exc))]:
                    problems.append(located.problem(
                        path + ("close_roads", "polygon" if p.field == "polygon" else "roads"),
                        p.rule, p.value))
            closures.append(DrillClosure(at_s, end_s, mask, ";".join(c.roads) or "polygon"))
        elif inj.lose_unit is not None:
            for j, u in enumerate(inj.lose_unit.units):
                if u not in units:
                    problems.append(located.problem(path + ("lose_unit", "units", j),
                                                    "unknown unit", u))
            losses.append(DrillLoss(at_s, tuple(inj.lose_unit.units), (), "lose_unit"))
        elif inj.lose_station is not None:
            if inj.lose_station.base not in bases:
                problems.append(located.problem(path + ("lose_station", "base"),
                                                "unknown station (base id)",
                                                inj.lose_station.base))
            losses.append(DrillLoss(at_s, (), (inj.lose_station.base,), "lose_station"))
        elif inj.surge is not None:
            s = inj.surge
            for j, d in enumerate(s.districts):
                if d not in districts:
                    problems.append(located.problem(path + ("surge", "districts", j),
                                                    "unknown district", d))
            surges.append(Surge(at_s, s.duration_min * 60.0, s.multiplier, tuple(s.types),
                                tuple(s.districts)))
        elif inj.scenario is not None:
            try:
                _, s_inc, s_close = _scenario_parts(inj.scenario, at_s, network=network,
                                                    dataset=dataset, settings=settings)
            except CommandError as exc:
                problems.append(located.problem(path + ("scenario",), str(exc).splitlines()[0],
                                                inj.scenario))
                continue
            incidents.extend(x + (path + ("scenario",),) for x in s_inc)
            closures.extend(DrillClosure(t, None, m, label) for t, m, label in s_close)
    resolved = []
    if incidents:
        lat = np.array([x[3] for x in incidents])
        lon = np.array([x[4] for x in incidents])
        node, dist = snap(network, lat, lon, max_distance_m=None)
        limit = float(settings.max_snap_distance_m)
        for x, n, d in zip(incidents, node, dist, strict=True):
            if d > limit:
                problems.append(located.problem(
                    x[6] + (("lat",) if x[6][-1] == "incident" else ()),
                    f"off the road network: {d:,.0f} m from the nearest road (limit "
                    f"{limit:,.0f} m)", (round(x[3], 6), round(x[4], 6))))
            resolved.append(DrillIncident(x[0], x[1], int(x[2]), priority_of(x[1], int(x[2])),
                                          _district(dataset, x[3], x[4]), float(x[3]),
                                          float(x[4]), int(n), x[5]))
    if problems:
        raise DataError(f"The drill file {located.file} is invalid; nothing was run.", problems)
    zh, en = _names(model.name or drill_id)
    return Drill(drill_id=drill_id, name_zh=zh, name_en=en, days=float(model.days),
                 start_hour=model.start_hour, policy=model.policy, moveup=model.moveup,
                 background_per_day=model.background_per_day,
                 incidents=tuple(sorted(resolved, key=lambda x: x.t_s)),
                 closures=tuple(closures), losses=tuple(losses), surges=tuple(surges),
                 file=located.file)


def load_drill(path: str | Path, *, network, dataset, settings) -> Drill:
    """Read, check and resolve a drill file (see the module docstring).

    Raises
    ------
    DataError
        Every problem at once, each naming the file, line, field and value; nothing is
        run then.
    """
    located = read_mapping(path, what="drill file")
    model = validate(DrillFile, located, what="drill file")
    return _resolve(model, located, network=network, dataset=dataset, settings=settings,
                    drill_id=model.id or Path(path).stem)


def scenario_script(scenario: str | Path, *, network, dataset, settings) -> Drill:
    """A library scenario (name or path) as a one-day drill from midnight: its incidents
    at their minutes, its closures from the start (timed ones at their minute), the data
    set's background rates."""
    cons, incidents, closures = _scenario_parts(str(scenario), 0.0, network=network,
                                                dataset=dataset, settings=settings)
    node, _ = snap_nodes(network, incidents)
    return Drill(
        drill_id=cons.scenario_id, name_zh=cons.name_zh, name_en=cons.name_en, days=1.0,
        start_hour=0, policy=None, moveup=None, background_per_day=None,
        incidents=tuple(sorted((DrillIncident(t, k, g, priority_of(k, g),
                                              _district(dataset, la, lo), la, lo, int(n), lab)
                                for (t, k, g, la, lo, lab), n in zip(incidents, node,
                                                                   strict=True)),
                               key=lambda x: x.t_s)),
        closures=tuple(DrillClosure(t, None, m, label) for t, m, label in closures),
        losses=(), surges=(), file=str(scenario))


def snap_nodes(network, incidents) -> tuple[np.ndarray, np.ndarray]:
    from command.roads import snap

    if not incidents:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return snap(network, [x[3] for x in incidents], [x[4] for x in incidents],
                max_distance_m=None)
