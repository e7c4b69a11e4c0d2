"""An agency's task: its lifecycle, and the tasks a decided dispatch plan gives each
agency.

The lifecycle::

    (new) --issue--> issued --acknowledge--> acknowledged --report--> in_progress
      in_progress --report--> in_progress        (another progress report)
      acknowledged | in_progress --complete--> done
      issued | acknowledged | in_progress --cancel--> cancelled

Who: the command centre issues and cancels (``side="centre"``); only the liaison officer
of the task's agency acknowledges, reports and completes it (``side="agency"`` with the
officer's agency equal to the task's). A report carries a note and a percentage (0 to
100); completing is a report of 100 %.

Owns: the states, the allowed steps and their data, the age of an unacknowledged task,
and the split of a plan's assignments by agency. Must not: touch the store or the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from command.clock import as_utc
from command.liaison._common import refuse

__all__ = ["STATES", "OPEN_STATES", "ACTIONS", "Step", "advance", "age_s", "plan_tasks"]

STATES: tuple[str, ...] = ("issued", "acknowledged", "in_progress", "done", "cancelled")
#: States of a task still to be done.
OPEN_STATES: tuple[str, ...] = ("issued", "acknowledged", "in_progress")
ACTIONS: tuple[str, ...] = ("issue", "acknowledge", "report", "complete", "cancel")

# (action, from state) -> (to state, the side that takes it)
_RULES: dict[tuple[str, str | None], tuple[str, str]] = {
    ("issue", None): ("issued", "centre"),
    ("acknowledge", "issued"): ("acknowledged", "agency"),
    ("report", "acknowledged"): ("in_progress", "agency"),
    ("report", "in_progress"): ("in_progress", "agency"),
    ("complete", "acknowledged"): ("done", "agency"),
    ("complete", "in_progress"): ("done", "agency"),
    ("cancel", "issued"): ("cancelled", "centre"),
    ("cancel", "acknowledged"): ("cancelled", "centre"),
    ("cancel", "in_progress"): ("cancelled", "centre"),
}


@dataclass(frozen=True)
class Step:
    """One accepted step of a task: ``progress_pct`` is set by reports (100 when done)."""

    action: str
    from_: str | None
    to: str
    note: str
    progress_pct: int | None
    at: datetime


def advance(state: str | None, action: str, *, side: str, task_agency: str,
            actor_agency: str | None, note: str = "", progress_pct: object = None,
            now: datetime) -> Step:
    """Check one step of a task.

    Parameters
    ----------
    state
        The task's state (None for a task being issued).
    action
        One of :data:`ACTIONS`.
    side
        ``centre`` (the command centre) or ``agency`` (a liaison officer).
    task_agency, actor_agency
        The task's agency and the officer's (None for the centre).
    note, progress_pct
        A report's note and percentage (0 to 100, whole); ``complete`` sets 100.

    Raises
    ------
    DataError
        Naming the field: ``action`` not allowed from ``state``; ``side`` not the one
        that takes it; ``agency`` (an officer of another agency); ``progress_pct``.
    """
    at = as_utc(now, field="now")
    rule = _RULES.get((action, state))
    if rule is None:
        nexts = ", ".join(a for (a, s) in _RULES if s == state) or "nothing"
        raise refuse("This step is not allowed now.",
                      f"from '{state or 'new'}' only: {nexts}", "action", action)
    to, who = rule
    if side != who:
        taker = "the command centre" if who == "centre" else "the task's agency"
        raise refuse("This step is not yours to take.", f"'{action}' is taken by {taker}",
                      "side", side)
    if who == "agency" and actor_agency != task_agency:
        raise refuse("This task belongs to another agency.",
                      f"only {task_agency}'s liaison officer may {action} it", "agency",
                      actor_agency)
    pct: int | None = None
    if action == "report":
        if isinstance(progress_pct, bool) or not isinstance(progress_pct, int | float) \
                or progress_pct != int(progress_pct) or not 0 <= progress_pct < 100:
            raise refuse("Progress is a whole percentage below 100 (complete the task "
                          "for 100).", "0 to 99", "progress_pct", progress_pct)
        pct = int(progress_pct)
        if not note.strip():
            raise refuse("A progress report needs a note.", "required", "note", note)
    elif action == "complete":
        pct = 100
    return Step(action, state, to, note.strip(), pct, at)


def age_s(issued_at: datetime, now: datetime) -> float:
    """Seconds since a task was issued (what the command screen shows for an
    unacknowledged task)."""
    return max(0.0, (as_utc(now, field="now") - as_utc(issued_at, field="issued_at"))
               .total_seconds())


def plan_tasks(assignments: Iterable[Mapping[str, Any]],
               unit_agency: Mapping[str, str]) -> dict[str, list[dict]]:
    """A decided plan's assignments split by the agency of each unit: agency id -> its
    assignments (unit, incident, capability, ETA), in the plan's order. Units the data set
    no longer knows are left out (their agency cannot be told)."""
    out: dict[str, list[dict]] = {}
    for a in assignments:
        agency = unit_agency.get(a.get("unit_id"))
        if agency is None:
            continue
        out.setdefault(agency, []).append(
            {k: a.get(k) for k in ("unit_id", "incident_id", "capability", "eta_s")})
    return out
