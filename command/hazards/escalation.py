"""Escalation of overdue hazards up the grid: community -> town -> district -> city.

Owns: the levels and the rule of when a hazard is due at which level. Must not: read the
store, pick the people to notify or read the clock (``now`` is an argument); the
escalation job of :mod:`command.app.hazards` records each level once (the store refuses a
second record of the same hazard and level).

The rule: a hazard past its deadline goes up one level at once, and one more level for
every further :data:`STEP` it stays overdue, up to the city. A level once reached is kept
(the higher level goes on watching a hazard that was late once), so a later deadline
missed takes it up from there. A job that did not run for days catches up: every level
passed is returned, each to be recorded and notified once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from command.clock import as_utc
from command.errors import DataError, Problem

__all__ = ["LEVELS", "STEP", "levels_due"]

#: The grid levels a hazard climbs, from where it is found to the top. The district sits
#: between the town (street) cells and the city, as the district government does.
LEVELS: tuple[str, ...] = ("community", "town", "district", "city")
#: How long a hazard stays overdue at one level before it goes up the next.
STEP = timedelta(days=1)


def levels_due(current: str, due: datetime | None, now: datetime) -> tuple[str, ...]:
    """The levels above ``current`` a hazard with deadline ``due`` must be escalated to at
    ``now``, lowest first; empty when it is not overdue or is at the top already.

    Raises
    ------
    DataError
        For an unknown level, or a naive time.
    """
    if current not in LEVELS:
        raise DataError("Unknown grid level.", [Problem(
            f"not a level (one of {', '.join(LEVELS)})", field="escalation_level",
            value=current)])
    if due is None:
        return ()
    try:
        due, now = as_utc(due, field="due_at"), as_utc(now, field="now")
    except ValueError as exc:
        raise DataError("A time without a zone.", [Problem(str(exc))]) from None
    if now <= due:
        return ()
    target = min(len(LEVELS) - 1, 1 + int((now - due) / STEP))
    return LEVELS[LEVELS.index(current) + 1: target + 1]
