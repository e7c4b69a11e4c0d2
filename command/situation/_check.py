"""Checks of a situation against the data set and the road network.

Each check appends :class:`~command.errors.Problem` records (line, field, value, rule)
to a list so that :func:`command.situation.prepare` reports every problem at once.

Owns: duplicate ids, references to the data set (units, items, depots, shelters) and
snapping places to the road network. Must not: raise for a single problem, change the
network, or build dispatch problems.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from command import roads
from command.errors import Problem
from command.model import Dataset
from command.situation.schema import Situation
from command.yamlfile import Located

__all__ = ["reference_problems", "snap_places"]


def _duplicates(values: Sequence, path_of: Callable[[int], tuple], what: str,
                located: Located, problems: list[Problem]) -> None:
    seen: set = set()
    for i, v in enumerate(values):
        if v in seen:
            problems.append(located.problem(path_of(i), f"duplicate {what}", v))
        seen.add(v)


def reference_problems(sit: Situation, located: Located, dataset: Dataset) -> list[Problem]:
    """Duplicate incident, unit, shelter and mutual-aid ids; unknown units, items, depots
    and shelters; incidents with neither a response package nor ``demand``; shelters given
    more persons than they hold. In file order, one list."""
    problems: list[Problem] = []
    teams = {u.unit_id for u in dataset.teams}
    depots = {d.depot_id for d in dataset.depots}
    items = {i.item_id for i in dataset.items}
    shelters = {s.shelter_id: s for s in dataset.shelters}

    _duplicates([i.id for i in sit.incidents], lambda k: ("incidents", k, "id"), "incident id",
                located, problems)
    _duplicates([u.unit_id for u in sit.units], lambda k: ("units", k, "unit_id"), "unit id",
                located, problems)
    _duplicates([s.shelter_id for s in sit.shelters], lambda k: ("shelters", k, "shelter_id"),
                "shelter id", located, problems)
    _duplicates([a.id for a in sit.mutual_aid], lambda k: ("mutual_aid", k, "id"),
                "mutual-aid id", located, problems)
    for k, u in enumerate(sit.units):
        if u.unit_id not in teams:
            problems.append(located.problem(("units", k, "unit_id"),
                                            "unknown unit: no such unit_id in teams.csv",
                                            u.unit_id))
    for k, inc in enumerate(sit.incidents):
        if inc.demand is None and not dataset.package(inc.type, inc.grade):
            problems.append(located.problem(("incidents", k, "type"),
                                            "no response package for this type; give demand",
                                            inc.type))
        for item in (inc.materials or {}):
            if item not in items:
                problems.append(located.problem(("incidents", k, "materials", item),
                                                "unknown item: no such item_id in items.csv",
                                                item))
    for k, st in enumerate(sit.stocks):
        if st.depot_id not in depots:
            problems.append(located.problem(("stocks", k, "depot_id"), "unknown depot",
                                            st.depot_id))
        if st.item_id not in items:
            problems.append(located.problem(("stocks", k, "item_id"), "unknown item",
                                            st.item_id))
    for k, sh in enumerate(sit.shelters):
        if sh.shelter_id not in shelters:
            problems.append(located.problem(("shelters", k, "shelter_id"), "unknown shelter",
                                            sh.shelter_id))
        elif sh.persons > shelters[sh.shelter_id].capacity_persons:
            problems.append(located.problem(
                ("shelters", k, "persons"),
                f"more than the shelter's capacity ({shelters[sh.shelter_id].capacity_persons})",
                sh.persons))
    for k, v in enumerate(sit.vehicles):
        if v.depot_id not in depots:
            problems.append(located.problem(("vehicles", k, "depot_id"), "unknown depot",
                                            v.depot_id))
    return problems


def snap_places(net, places: list[tuple[tuple, float, float]], located: Located,
                max_m: float, problems: list[Problem]) -> list[int]:
    """The nearest node of ``net`` to each ``(path, lat, lon)``; a place farther than
    ``max_m`` metres from a road adds a problem at ``path`` (its node is still returned,
    so that the caller can carry on collecting problems)."""
    if not places:
        return []
    lat = np.array([p[1] for p in places])
    lon = np.array([p[2] for p in places])
    nodes, dist = roads.snap(net, lat, lon, max_distance_m=None)
    out = []
    for (path, la, lo), node, d in zip(places, np.atleast_1d(nodes), np.atleast_1d(dist),
                                   strict=True):
        if d > max_m:
            problems.append(located.problem(path, f"off the road network: {d:.0f} m from the "
                                            f"nearest road (at most {max_m:.0f} m)",
                                            f"{la}, {lo}"))
        out.append(int(node))
    return out
