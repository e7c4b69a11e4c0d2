"""Merging a library scenario (``scenario: NAME`` in a situation file) into a situation.

Owns: turning a scenario's consequences (:mod:`command.scenarios.consequences`) into
situation entries: its incidents at minute 0, the people inside its zones sent to its
shelters, and the mask of the roads its zones close. Must not: check the situation
against the data set (``_check``) or change the network it is given.
"""

from __future__ import annotations

from typing import Any

from command.errors import DataError
from command.model import Dataset
from command.settings import Settings
from command.situation.schema import IncidentIn, ShelterIn, Situation
from command.yamlfile import Located

__all__ = ["with_scenario"]


def with_scenario(sit: Situation, located: Located, network, dataset: Dataset,
                  settings: Settings) -> tuple[Situation, Any]:
    """The situation with a scenario's consequences: its zones' roads closed, its
    incidents (those at minute 0) added as ``S1``, ``S2`` ... with their response and
    material packages, and the people inside sent to its shelters, nearest first.

    Returns the updated situation and the boolean edge mask of the roads the scenario's
    zones close on ``network``.

    Raises
    ------
    DataError
        The scenario is not in the library (at the ``scenario`` field), or its file is
        invalid or does not fit the data set and network.
    """
    # Imported here: the consequence models (dispersion, fires, floods) add about 0.4 s
    # to the import, and only a situation that names a scenario needs them.
    from command.scenarios.consequences import closed_network, consequences
    from command.scenarios.library import find_scenario, scenario_dir
    from command.scenarios.schema import load_scenario

    try:
        path = find_scenario(sit.scenario, scenario_dir(settings.resources_dir))
    except DataError as exc:
        raise DataError(f"The situation {located.file} names an unknown scenario.",
                        [located.problem(("scenario",), p.rule, sit.scenario)
                         for p in exc.problems]) from None
    scenario = load_scenario(path, dataset=dataset, network=network,
                             max_snap_distance_m=settings.max_snap_distance_m)
    c = consequences(scenario, network, dataset, settings=settings)
    taken = {i.id for i in sit.incidents}
    added = []
    for k, inc in enumerate(i for i in c.incidents if i.at_min <= 0):
        iid = f"S{k + 1}"
        while iid in taken:
            iid += "'"
        added.append(IncidentIn(id=iid, type=inc.type, lat=inc.lat, lon=inc.lon,
                                grade=inc.grade, priority=inc.priority,
                                demand={cap: n for cap, n in inc.units.items()}))
    sheltered = {s.shelter_id for s in sit.shelters}
    left = c.population
    shelters = list(sit.shelters)
    for route in c.shelters:
        if left <= 0 or route.shelter_id in sheltered:
            continue
        persons = min(left, route.capacity_persons)
        shelters.append(ShelterIn(shelter_id=route.shelter_id, persons=persons))
        left -= persons
    updated = sit.model_copy(update={"incidents": list(sit.incidents) + added,
                                     "shelters": shelters})
    return updated, closed_network(network, c).edge_closed
