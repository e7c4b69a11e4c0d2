"""The strict pydantic base and the field types shared by every input file.

Situation files (:mod:`command.situation`), scenario files (:mod:`command.scenarios`),
drill files (:mod:`command.sim.drills`) and the data set's CSV rows
(:mod:`command.resources`) are all parsed into models built on :class:`StrictModel`
(unknown keys refused, instances frozen) with the types below, so that a rule such as
"a latitude is a finite number of degrees between -90 and 90" or "an incident type is
one of :data:`command.model.INCIDENT_TYPES`" is written once and reads the same in every
file's errors. A number with a physical or operational range takes its type from
:func:`bounded`, which checks the range of :data:`command.limits.RANGES` named after the
field (``truck_capacity_kg: Annotated[float, bounded("truck_capacity_kg")]`` reads
"must be a finite number between 50 and 50,000 kg (...)" when it fails).
:func:`command.yamlfile.validate` turns a failed rule into a
:class:`~command.errors.Problem` naming the line, field and value.

Owns: the base model, the common annotated types and the validator factories.
Must not: read files, know any one file's layout, or import above the lowest layer
(only :mod:`command.model` for the domain vocabularies and :mod:`command.limits` for the
ranges).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from command.limits import RANGES
from command.model import CAPABILITIES, INCIDENT_TYPES, UNIT_STATUSES

__all__ = [
    "StrictModel",
    "finite",
    "one_of",
    "Finite",
    "Lat",
    "Lon",
    "Positive",
    "Minutes",
    "Hour",
    "Name",
    "Slug",
    "Level",
    "Count",
    "Quantity",
    "NonNegative",
    "IncidentType",
    "Capability",
    "UnitStatus",
    "bounded",
]


class StrictModel(BaseModel):
    """Base of every input-file model: an unknown key is an error (a misspelt field must
    not be silently ignored) and a parsed value cannot be changed afterwards."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def finite(value: float) -> float:
    """``value`` unless it is NaN or infinite.

    Raises
    ------
    ValueError
        "must be a finite number".
    """
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


def one_of(allowed: Iterable[str], what: str) -> Callable[[str], str]:
    """A validator that accepts only the names in ``allowed``; its error names ``what``
    and lists the allowed names, e.g. "unknown capability; one of: engine, ladder"."""
    allowed = tuple(allowed)

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"unknown {what}; one of: {', '.join(allowed)}")
        return value

    return check


def bounded(name: str) -> AfterValidator:
    """A validator for the range ``name`` of :data:`command.limits.RANGES`: the value
    must be finite and inside the range; the error states the range, its unit and its
    reason. Use as ``Annotated[float, bounded("wind_m_s")]`` (or ``int`` for counts)."""
    rng = RANGES[name]

    def check(value):
        if value is not None and not rng.accepts(value):
            raise ValueError(rng.rule())
        return value

    return AfterValidator(check)


def _degrees(what: str, limit: float) -> Callable[[float], float]:
    # One check for range and finiteness, so that NaN (which fails no ge/le bound in
    # pydantic's order of checks) gets the same plain message as 91.
    def check(value: float) -> float:
        if not (math.isfinite(value) and -limit <= value <= limit):
            raise ValueError(f"{what} must be a number of degrees between {-limit:g} "
                             f"and {limit:g}")
        return value

    return check


#: Any finite number.
Finite = Annotated[float, AfterValidator(finite)]
#: WGS84 latitude, degrees north.
Lat = Annotated[float, AfterValidator(_degrees("latitude", 90))]
#: WGS84 longitude, degrees east.
Lon = Annotated[float, AfterValidator(_degrees("longitude", 180))]
#: A finite number more than 0 (a capacity, a rate).
Positive = Annotated[float, Field(gt=0), AfterValidator(finite)]
#: A duration in minutes, more than 0.
Minutes = Positive
#: An hour of the day, 0-23.
Hour = Annotated[int, Field(ge=0, le=23)]
#: An id or a name: not empty.
Name = Annotated[str, Field(min_length=1)]
#: A file id (a scenario's or drill's): letters, digits, '-' and '_'.
Slug = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")]
#: A grade or priority, 1 (the most severe or urgent) to 4.
Level = Annotated[int, Field(ge=1, le=4)]
#: A whole number of things, 0 or more.
Count = Annotated[int, Field(ge=0)]
#: A finite number, 0 or more (a time since the start, an amount).
NonNegative = Annotated[float, Field(ge=0), AfterValidator(finite)]
#: An amount of an item, 0 or more, in the item's unit.
Quantity = NonNegative
#: One of :data:`command.model.INCIDENT_TYPES`.
IncidentType = Annotated[str, AfterValidator(one_of(INCIDENT_TYPES, "incident type"))]
#: One of :data:`command.model.CAPABILITIES`.
Capability = Annotated[str, AfterValidator(one_of(CAPABILITIES, "capability"))]
#: One of :data:`command.model.UNIT_STATUSES`.
UnitStatus = Annotated[str, AfterValidator(one_of(UNIT_STATUSES, "unit status"))]
