"""A situation: what is going on now, as a file, and the dispatch problems it poses.

A situation file (YAML or JSON) lists the open incidents, units whose status or place
differs from the data set, mutual-aid units, road closures, stock counts that differ
from the data set, shelters taking evacuees, delivery vehicles and move-up limits. The
``optimise assign|materials|deliveries|moveup --situation FILE`` commands, the benefit
bench and the tests read it. ``scenario: NAME`` brings in a scenario of the library
(``command.scenarios``): its zones' roads are closed, its incidents added, and the
people inside its zones sent to its shelters.

:func:`load_situation` reads and validates the file (pydantic; every error names the
line, field and value); :func:`prepare` checks it against the data set and the road
network (unknown unit, depot, item, shelter or road; a place off the network) before
anything is solved, and returns a :class:`Prepared` from which
:func:`assignment_problem`, :func:`material_problem`, :func:`delivery_problems` and
:func:`moveup_problem` build the plain-array problems of :mod:`command.dispatch`.

The modules, by job:

- :mod:`.schema`: the file's pydantic models (:class:`Situation` and its parts),
  :func:`load_situation`, :func:`situation_from_dict`;
- :mod:`._scenario`: merging a library scenario into a situation;
- :mod:`._check`: the checks against the data set and snapping to the road network;
- :mod:`.prepared`: :class:`Prepared`, :func:`prepare`, :func:`travel_s`;
- :mod:`.problems`: the dispatch problem builders above, :func:`zone_weights` and
  :data:`COVERED_CAPABILITIES`.

Must not: solve (:mod:`command.app.optimise`), write the store, or know of pages.

Example::

    name: 鄂城 surge
    hour: 17
    incidents:
      - {id: I1, type: hazmat_leak, grade: 3, priority: 1, lat: 30.391, lon: 114.887}
      - {id: I2, type: fire, lat: 30.382, lon: 114.902, demand: {engine: 3}}
    units:
      - {unit_id: F01-ENG1, status: out_of_service}
    closures: {roads: [鄂黄长江大桥]}
    shelters:
      - {shelter_id: S01, persons: 1200}
"""

from command.situation.prepared import Prepared, prepare, travel_s
from command.situation.problems import (
    COVERED_CAPABILITIES,
    assignment_problem,
    delivery_problems,
    material_problem,
    moveup_problem,
    zone_weights,
)
from command.situation.schema import Situation, load_situation, situation_from_dict

__all__ = ["Situation", "Prepared", "load_situation", "situation_from_dict", "prepare",
           "travel_s",
           "assignment_problem", "material_problem", "delivery_problems", "moveup_problem",
           "zone_weights", "COVERED_CAPABILITIES"]
