"""Hazard kinds (隐患类别) as data.

Owns: the ids of the kinds a hidden hazard can be of, and the check that a kind is one
of them. Must not: hold display names (they are the texts ``hazard.kind.<id>`` of
:mod:`command.texts.hazards`) or touch the store.
"""

from __future__ import annotations

from command.errors import DataError, Problem

__all__ = ["KINDS", "check_kind"]

#: Every hazard kind, in the order pages and ``hazards kinds`` list them ("other" last,
#: so a report that fits nowhere still has a home).
KINDS: tuple[str, ...] = (
    "fire_safety",
    "electrical",
    "gas",
    "hazardous_chemicals",
    "structural",
    "special_equipment",
    "road_traffic",
    "flood_control",
    "crowd",
    "other",
)


def check_kind(kind: object, *, field: str = "kind") -> str:
    """``kind`` if it is one of :data:`KINDS`.

    Raises
    ------
    DataError
        Naming ``field`` and the value, if ``kind`` is not a known kind.
    """
    if not isinstance(kind, str) or kind not in KINDS:
        raise DataError("Unknown hazard kind.",
                        [Problem(f"not a hazard kind (one of {', '.join(KINDS)})",
                                 field=field, value=kind)])
    return kind
