"""Sensor kinds and the sensor registry file.

A sensor sits at a site (a hazard source of the data set, or another monitored place
such as the Yangtze gauge), measures one kind of quantity in one unit, has up to four
alarm thresholds (蓝 黄 橙 红, rising) with a hysteresis, a calibration date and the
interval at which it is expected to report. Some sensors have a neighbour (a second
sensor of the same kind at the same site) for the drift check.

The registry file (``data/resources/ezhou/sensors.yaml``) is parsed with pydantic at the
boundary (:func:`load_registry`); every problem is reported at once with its line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from command._schema import Finite, Lat, Lon, Name, NonNegative, Positive, StrictModel, one_of
from command.errors import DataError

__all__ = ["KINDS", "Kind", "Thresholds", "SensorSpec", "Registry", "load_registry",
           "GRADES"]

#: Alarm grades, least severe first (the national colours; 蓝 is the lowest).
GRADES: tuple[str, ...] = ("blue", "yellow", "orange", "red")


@dataclass(frozen=True)
class Kind:
    """What a kind of sensor measures: its unit and the physically possible range (a
    reading outside it is a fault of the sensor, not a measurement)."""

    name: str
    unit: str
    low: float
    high: float


#: kind -> Kind. Ranges are those of common industrial transmitters: a catalytic or
#: infrared combustible-gas head reads 0-100 %LEL; an electrochemical toxic-gas cell
#: 0-1000 ppm at most (chlorine cells are 0-20 or 0-50 ppm; the range per sensor is its
#: ``range``); tank level 0-100 %; river stage in metres above the gauge datum (Wusong
#: datum for the Yangtze at Ezhou).
KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("gas_lel", "%LEL", 0.0, 100.0),
    Kind("toxic_ppm", "ppm", 0.0, 1000.0),
    Kind("temperature", "°C", -50.0, 600.0),
    Kind("pressure", "MPa", 0.0, 40.0),
    Kind("tank_level", "%", 0.0, 100.0),
    Kind("water_level", "m", 0.0, 50.0),
    Kind("wind", "m/s", 0.0, 75.0),
    Kind("wind_direction", "deg", 0.0, 360.0),
)}


class Thresholds(StrictModel):
    """Alarm thresholds in the sensor's unit, rising: a reading at or above ``red`` is
    red. A grade may be left out (a sensor with only 黄 and 红, say)."""

    blue: Finite | None = None
    yellow: Finite | None = None
    orange: Finite | None = None
    red: Finite | None = None

    @model_validator(mode="after")
    def _rising(self):
        given = [(g, getattr(self, g)) for g in GRADES if getattr(self, g) is not None]
        if not given:
            raise ValueError("give at least one threshold (blue, yellow, orange, red)")
        for (g1, v1), (g2, v2) in zip(given, given[1:]):
            if not v1 < v2:
                raise ValueError(f"thresholds rise from blue to red: {g1} {v1:g} is not "
                                 f"below {g2} {v2:g}")
        return self

    def items(self) -> list[tuple[str, float]]:
        """(grade, value) of the given thresholds, least severe first."""
        return [(g, float(getattr(self, g))) for g in GRADES if getattr(self, g) is not None]


class SensorSpec(StrictModel):
    """One sensor of the registry."""

    sensor_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$", max_length=64)]
    name_zh: Name
    name_en: Name
    site: Name  # a hazard_id of the data set, or another monitored place
    hazard_id: str | None = None  # the hazard source it watches, when it watches one
    kind: Annotated[str, AfterValidator(one_of(tuple(KINDS), "sensor kind"))]
    unit: Name
    substance: str | None = None  # toxic and combustible gas: what it detects
    lat: Lat
    lon: Lon
    thresholds: Thresholds | None = None
    hysteresis: NonNegative = 0.0  # units: a grade clears below its threshold minus this
    range: tuple[Finite, Finite] | None = None  # the transmitter's range; default the kind's
    calibrated_on: date
    interval_s: Positive  # expected reporting interval
    neighbour: str | None = None  # a second sensor of the same kind at the same site
    drift_tolerance: NonNegative = 0.0  # units: |a - b| beyond this + drift_share x min(a, b)
    drift_share: NonNegative = 0.5
    spike_step: Positive | None = None  # units: a one-reading jump larger than this is suspect
    typical: Finite | None = None  # units: the usual reading (simulator, display)
    source: Name

    @model_validator(mode="after")
    def _unit(self):
        if self.unit != KINDS[self.kind].unit:
            raise ValueError(f"a {self.kind} sensor reports in {KINDS[self.kind].unit}, "
                             f"not {self.unit}")
        lo, hi = self.physical_range
        if not lo < hi:
            raise ValueError("range is (low, high) with low below high")
        return self

    @property
    def physical_range(self) -> tuple[float, float]:
        """(low, high): readings outside are sensor faults."""
        k = KINDS[self.kind]
        return (float(self.range[0]), float(self.range[1])) if self.range else (k.low, k.high)

    @property
    def step(self) -> float:
        """The jump (units) beyond which one reading is a suspect spike: ``spike_step`` or
        a quarter of the span from the lowest to the highest threshold (of the range
        without thresholds)."""
        if self.spike_step is not None:
            return float(self.spike_step)
        if self.thresholds is not None and len(self.thresholds.items()) > 1:
            items = self.thresholds.items()
            return 0.25 * (items[-1][1] - items[0][1])
        lo, hi = self.physical_range
        return 0.25 * (hi - lo)


class Registry(StrictModel):
    """The registry file: provenance and the sensors."""

    illustrative: bool = False
    sources: list[str] = []
    sensors: list[SensorSpec]

    @model_validator(mode="after")
    def _references(self):
        ids = [s.sensor_id for s in self.sensors]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"sensor ids appear twice: {', '.join(twice)}")
        by_id = {s.sensor_id: s for s in self.sensors}
        for s in self.sensors:
            if s.neighbour is None:
                continue
            n = by_id.get(s.neighbour)
            if n is None:
                raise ValueError(f"sensor {s.sensor_id}: neighbour {s.neighbour} is not in "
                                 "the registry")
            if n.kind != s.kind:
                raise ValueError(f"sensor {s.sensor_id}: neighbour {s.neighbour} measures "
                                 f"{n.kind}, not {s.kind}")
        return self

    def by_id(self) -> dict[str, SensorSpec]:
        return {s.sensor_id: s for s in self.sensors}


def load_registry(path: str | Path, *, hazard_ids: set[str] | None = None) -> Registry:
    """The sensor registry file, validated (with ``hazard_ids``, every ``hazard_id`` must
    be one of them).

    Raises
    ------
    DataError
        Naming the line, field and value of every problem, all at once.
    """
    from command.yamlfile import load_model

    reg, located = load_model(Registry, path, what="sensor registry")
    if hazard_ids is not None:
        problems = [located.problem(("sensors", i, "hazard_id"), "no such hazard source in "
                                    "the data set", s.hazard_id)
                    for i, s in enumerate(reg.sensors)
                    if s.hazard_id is not None and s.hazard_id not in hazard_ids]
        if problems:
            raise DataError(f"The sensor registry {path} is invalid.", problems)
    return reg

