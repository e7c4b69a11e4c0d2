"""Mutual aid between agencies: one agency asks another for help.

The lifecycle::

    (new) --request--> requested --accept--> accepted --depart--> en_route --arrive--> done
                       requested --decline--> declined

Who: the requesting agency's officer (or the command centre on its behalf) requests; the
asked agency's officer accepts, declines, departs and arrives; an agency never asks
itself.

Owns: the states, the steps and who, by agency, takes each. Must not: touch the store or
the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from command.clock import as_utc
from command.liaison._common import refuse

__all__ = ["STATES", "OPEN_STATES", "ACTIONS", "Step", "advance"]

STATES: tuple[str, ...] = ("requested", "accepted", "en_route", "done", "declined")
OPEN_STATES: tuple[str, ...] = ("requested", "accepted", "en_route")
ACTIONS: tuple[str, ...] = ("request", "accept", "decline", "depart", "arrive")

# (action, from) -> (to, whose step: "from" the requesting agency, "to" the asked one)
_RULES: dict[tuple[str, str | None], tuple[str, str]] = {
    ("request", None): ("requested", "from"),
    ("accept", "requested"): ("accepted", "to"),
    ("decline", "requested"): ("declined", "to"),
    ("depart", "accepted"): ("en_route", "to"),
    ("arrive", "en_route"): ("done", "to"),
}


@dataclass(frozen=True)
class Step:
    action: str
    from_: str | None
    to: str
    note: str
    at: datetime


def advance(state: str | None, action: str, *, from_agency: str, to_agency: str,
            actor_agency: str | None, note: str = "", now: datetime) -> Step:
    """Check one step of a mutual-aid request.

    ``actor_agency`` is the officer's agency, or None for the command centre (which may
    take any step on an agency's behalf, e.g. when it took the call by phone).

    Raises
    ------
    DataError
        Naming the field: ``action`` not allowed from ``state``; ``agency`` (not the
        requesting or asked agency, as the step needs); ``to_agency`` equal to the
        requesting agency; ``note`` missing on a request.
    """
    at = as_utc(now, field="now")
    rule = _RULES.get((action, state))
    if rule is None:
        nexts = ", ".join(a for (a, s) in _RULES if s == state) or "nothing (final)"
        raise refuse("This step is not allowed now.",
                      f"from '{state or 'new'}' only: {nexts}", "action", action)
    to, whose = rule
    if action == "request":
        if from_agency == to_agency:
            raise refuse("An agency does not ask itself for aid.", "another agency",
                          "to_agency", to_agency)
        if not note.strip():
            raise refuse("Say what is needed.", "required: what, how many, where", "note",
                          note)
    owner = from_agency if whose == "from" else to_agency
    if actor_agency is not None and actor_agency != owner:
        raise refuse("This step is the other agency's.",
                      f"only {owner}'s liaison officer may {action}", "agency", actor_agency)
    return Step(action, state, to, note.strip(), at)
