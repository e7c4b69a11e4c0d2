"""Risk feeds response: the register turned into the simulator's incident rates and the
siting models' demand weights, by documented formulas (docs/risk.md, "Risk feeds
response").

- **Incident rates.** Each district's yearly rate of the industrial incident types
  (:data:`INDUSTRIAL_TYPES`) is multiplied by ``1 + Σ w(grade)`` over the district's risk
  points; other types keep their rate. ``w`` (:data:`GRADE_WEIGHTS`) is red 1.0, orange
  0.5, yellow 0.2, blue 0.05: a red point adds as many expected industrial incidents as
  the district's whole base rate, a blue one 5% of it.
- **Siting weights.** A demand place weighs ``population x (1 + Σ w(grade))`` over the
  risk points within ``radius_m`` of it (3 km by default: what an engine covers in the
  5-minute fire standard at about 36 km/h in town), so the p-median and covering models
  of :mod:`command.dispatch.siting` pull posts toward people living near severe risks.

The weights and the radius are the project's choice (no standard sets them); they are
arguments, so a planner can try others.

Owns: the formulas. Must not: read the store, settings or the data set (the caller
passes the register's points, the data set's rates and places).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

import numpy as np

__all__ = ["GRADE_WEIGHTS", "INDUSTRIAL_TYPES", "SITING_RADIUS_M", "district_multipliers",
           "risk_weighted_rates", "siting_weights"]

#: Weight of one risk point by grade (project's choice, docs/risk.md).
GRADE_WEIGHTS: Mapping[str, float] = {"red": 1.0, "orange": 0.5, "yellow": 0.2, "blue": 0.05}

#: The incident types a register point makes more likely: fires and leaks of plants and
#: stores, and mine accidents (the others follow people, not hazard sources).
INDUSTRIAL_TYPES = ("industrial_fire", "hazmat_leak", "mine_accident")

#: Radius within which a risk point adds to a demand place's weight, m.
SITING_RADIUS_M = 3000.0


class GradedPoint(Protocol):
    district: str
    grade: str
    lat: float
    lon: float


class Place(Protocol):
    lat: float
    lon: float
    population: float


def district_multipliers(points: Iterable[GradedPoint], *,
                         weights: Mapping[str, float] = GRADE_WEIGHTS) -> dict[str, float]:
    """District -> ``1 + Σ weights[grade]`` of its points (districts without points are
    absent: their multiplier is 1)."""
    out: dict[str, float] = {}
    for p in points:
        out[p.district] = out.get(p.district, 1.0) + weights[p.grade]
    return out


def risk_weighted_rates(rates: Sequence, points: Iterable[GradedPoint], *,
                        weights: Mapping[str, float] = GRADE_WEIGHTS,
                        types: Sequence[str] = INDUSTRIAL_TYPES) -> tuple:
    """The data set's incident rates (:class:`command.model.IncidentRate`) with each
    district's industrial types scaled by :func:`district_multipliers`.

    Returns
    -------
    tuple
        New ``IncidentRate`` records in the same order (``per_year`` scaled, the source
        saying so); the others unchanged.
    """
    factor = district_multipliers(points, weights=weights)
    out = []
    for r in rates:
        k = factor.get(r.district, 1.0) if r.incident_type in types else 1.0
        out.append(r if k == 1.0 else dataclasses.replace(
            r, per_year=r.per_year * k,
            source=f"{r.source}; x {k:g} from the risk register (docs/risk.md)"))
    return tuple(out)


def siting_weights(places: Sequence[Place], points: Iterable[GradedPoint], *,
                   radius_m: float = SITING_RADIUS_M,
                   weights: Mapping[str, float] = GRADE_WEIGHTS) -> np.ndarray:
    """Demand weight of each place: ``population x (1 + Σ weights[grade])`` over the risk
    points within ``radius_m`` (great-circle) of it.

    Returns
    -------
    ndarray
        One weight per place, in the order of ``places`` (the ``weights=`` of
        :func:`command.dispatch.siting.p_median` and its siblings).
    """
    from command.roads._routing import haversine_m

    pts = list(points)
    pop = np.array([float(x.population) for x in places])
    if not pts or not len(places):
        return pop
    lat = np.array([x.lat for x in places])[:, None]
    lon = np.array([x.lon for x in places])[:, None]
    near = haversine_m(lat, lon, np.array([p.lat for p in pts])[None, :],
                       np.array([p.lon for p in pts])[None, :]) <= radius_m
    w = np.array([weights[p.grade] for p in pts])
    return pop * (1.0 + near @ w)
