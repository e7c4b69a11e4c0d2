"""Possible duplicates: open hazards of the same kind near a new report.

Owns: the rule "same kind, open, within a radius" and the great-circle distance it uses.
Must not: read the store (the caller passes the open hazards in) or decide anything: a
flagged report is shown to the person registering it, who rejects it as a duplicate or
registers it anyway.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from command.errors import DataError, Problem
from command.hazards.kinds import check_kind
from command.hazards.lifecycle import OPEN_STATES
from command.roads._routing import haversine_m

__all__ = ["NewReport", "OpenHazard", "PossibleDuplicate", "DEFAULT_RADIUS_M",
           "possible_duplicates"]

#: How near counts as "the same place": a building and its neighbours, not the block.
DEFAULT_RADIUS_M = 200.0


@dataclass(frozen=True)
class NewReport:
    """A hazard being reported: its kind and where it is (WGS 84 degrees)."""

    kind: str
    lat: float
    lon: float


@dataclass(frozen=True)
class OpenHazard:
    """A known hazard: its id, kind, place and state (only open states are compared)."""

    hazard_id: str
    kind: str
    lat: float
    lon: float
    state: str = "found"


@dataclass(frozen=True)
class PossibleDuplicate:
    """An open hazard the new report may repeat, and how far from it it is."""

    hazard: OpenHazard
    distance_m: float


def _check_place(lat: object, lon: object, where: str) -> list[Problem]:
    problems = []
    for field, value, limit in (("lat", lat, 90.0), ("lon", lon, 180.0)):
        ok = (isinstance(value, int | float) and not isinstance(value, bool)
              and math.isfinite(value) and -limit <= value <= limit)
        if not ok:
            problems.append(Problem(f"not a {field}itude in [-{limit:g}, {limit:g}]",
                                    field=f"{where}.{field}", value=value))
    return problems


def possible_duplicates(new: NewReport, open_hazards: Iterable[OpenHazard], *,
                        radius_m: float = DEFAULT_RADIUS_M) -> tuple[PossibleDuplicate, ...]:
    """The open hazards of ``new``'s kind within ``radius_m`` of it, nearest first.

    Parameters
    ----------
    new
        The report being made.
    open_hazards
        Hazards to compare with; those in a closed or rejected state are skipped (the
        caller may pass all it has).
    radius_m
        Great-circle distance in metres (boundary included).

    Raises
    ------
    DataError
        If the kind of ``new`` is unknown, a place is not a latitude/longitude, or
        ``radius_m`` is negative.
    """
    check_kind(new.kind, field="new.kind")
    problems = _check_place(new.lat, new.lon, "new")
    if (isinstance(radius_m, bool) or not isinstance(radius_m, int | float)
            or not math.isfinite(radius_m) or radius_m < 0):
        problems.append(Problem("must be a distance in metres >= 0", field="radius_m",
                                value=radius_m))
    candidates = [h for h in open_hazards if h.kind == new.kind and h.state in OPEN_STATES]
    for h in candidates:
        problems += _check_place(h.lat, h.lon, f"hazard {h.hazard_id}")
    if problems:
        raise DataError("Cannot look for duplicates.", problems)
    if not candidates:
        return ()
    dist = haversine_m(new.lat, new.lon, np.array([h.lat for h in candidates]),
                       np.array([h.lon for h in candidates]))
    # stable sort: equally near hazards keep the caller's order (oldest first, usually)
    order = np.argsort(dist, kind="stable")
    return tuple(PossibleDuplicate(candidates[i], float(dist[i])) for i in order
                 if dist[i] <= radius_m)
