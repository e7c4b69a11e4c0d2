"""The situation file's schema: pydantic models, and reading a file or a mapping into them.

Every field type comes from :mod:`command._schema`, so a latitude, a capability or a
grade is checked here exactly as in scenario and drill files; every number with a
physical or operational bound (capacities, fleets, times, persons, quantities) names
its range in :data:`command.limits.RANGES` beside the field; :func:`load_situation`
reports every schema problem at once with its line, field and value.

Owns: :class:`Situation` and its parts, :func:`load_situation`,
:func:`situation_from_dict`. Must not: look at the data set or the road network (that is
:mod:`command.situation.prepared`), nor solve anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, model_validator

from command._schema import (
    Capability,
    Count,
    Hour,
    IncidentType,
    Lat,
    Level,
    Lon,
    Minutes,
    Name,
    Quantity,
    StrictModel,
    UnitStatus,
    bounded,
)
from command.yamlfile import Located, load_model, validate

__all__ = ["Situation", "IncidentIn", "UnitIn", "AidIn", "StockIn", "ShelterIn", "ClosuresIn",
           "VehiclesIn", "DeliveryIn", "MoveUpIn", "load_situation", "situation_from_dict"]


class IncidentIn(StrictModel):
    """An open incident. ``demand`` (capability -> units) and ``materials`` (item ->
    quantity) replace the data set's response and material packages when given."""

    id: Name
    type: IncidentType
    lat: Lat
    lon: Lon
    grade: Level = 4
    priority: Level = 2
    demand: dict[Capability, Annotated[Count, bounded("demand_units")]] | None = None
    materials: dict[Name, Annotated[Quantity, bounded("material_quantity")]] | None = None
    deadline_min: Annotated[Minutes, bounded("deadline_min")] | None = None


class UnitIn(StrictModel):
    """A unit whose status or position differs from the data set (default: at its base)."""

    unit_id: Name
    status: UnitStatus = "available"
    lat: Lat | None = None
    lon: Lon | None = None

    @model_validator(mode="after")
    def _both(self):
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon of the unit's position, or neither")
        return self


class AidIn(StrictModel):
    """A mutual-aid unit outside the city's fleet that can be requested."""

    id: Name
    capability: Capability
    lat: Lat
    lon: Lon


class StockIn(StrictModel):
    depot_id: Name
    item_id: Name
    quantity: Annotated[Quantity, bounded("material_quantity")]


class ShelterIn(StrictModel):
    shelter_id: Name
    persons: Annotated[Count, bounded("shelter_persons")]
    priority: Level = 3
    deadline_min: Annotated[Minutes, bounded("deadline_min")] | None = None


class ClosuresIn(StrictModel):
    """Roads closed by name or reference, and areas closed as polygons of [lon, lat]."""

    roads: list[Name] = []
    polygons: list[list[tuple[Lon, Lat]]] = []

    @model_validator(mode="after")
    def _rings(self):
        for ring in self.polygons:
            if len(ring) < 3:
                raise ValueError("a closure polygon needs at least 3 corners")
        return self


class VehiclesIn(StrictModel):
    depot_id: Name
    count: Annotated[int, bounded("vehicle_count")]
    capacity_kg: Annotated[float, bounded("truck_capacity_kg")]


class DeliveryIn(StrictModel):
    """Default fleet of depots that ``vehicles`` does not list, and stop times."""

    trucks_per_depot: Annotated[int, bounded("trucks_per_depot")] = 2
    truck_capacity_kg: Annotated[float, bounded("truck_capacity_kg")] = 5000.0
    loading_min: Annotated[float, bounded("loading_min")] = 15.0
    unloading_min: Annotated[float, bounded("unloading_min")] = 10.0


class MoveUpIn(StrictModel):
    max_moves: Annotated[int, bounded("max_moves")] | None = None
    max_move_min: Annotated[float, bounded("max_move_min")] | None = None
    busy_probability: dict[Capability, Annotated[float, Field(ge=0, lt=1)]] = {}


class Situation(StrictModel):
    name: str = ""
    scenario: Name | None = None
    hour: Hour | None = None
    coverage: bool = True
    incidents: list[IncidentIn] = []
    units: list[UnitIn] = []
    mutual_aid: list[AidIn] = []
    closures: ClosuresIn = ClosuresIn()
    stocks: list[StockIn] = []
    shelters: list[ShelterIn] = []
    vehicles: list[VehiclesIn] = []
    delivery: DeliveryIn = DeliveryIn()
    moveup: MoveUpIn = MoveUpIn()


def load_situation(path: str | Path) -> tuple[Situation, Located]:
    """Read and validate a situation file (YAML or JSON).

    Raises
    ------
    DataError
        Every schema problem at once, each naming the line, the field and the value
        (an unknown field, an unknown incident type or capability, a negative demand,
        a latitude out of range ...).
    """
    return load_model(Situation, path, what="situation file")


def situation_from_dict(data: Mapping[str, Any], *, name: str = "<situation>") -> tuple[
    Situation, Located]:
    """The same validation for a situation built in code (tests, benches, the screen)."""
    located = Located(name, dict(data), {})
    return validate(Situation, located, what="situation"), located
