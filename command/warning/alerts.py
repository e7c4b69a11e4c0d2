"""The alert lifecycle as a pure state machine.

An alert is opened when a sensor's level rises to a grade; while it is not yet resolved
the same sensor's alerts are one alert (a higher grade raises it, it is not a new one).

::

    open ──ack──> acknowledged ──clear──> resolved
     │  ^             │
     │  └─higher grade┘        (a higher grade needs a new acknowledgement)
     └──not acknowledged within ack_timeout──> escalated ──ack──> acknowledged

``clear`` (the reading fell back below every threshold) resolves an acknowledged alert;
an alert nobody acknowledged stays open (``cleared`` set) until somebody does: an alarm
that went away by itself still needs a person to have seen it. Escalation repeats every
``ack_timeout_s`` while nobody acknowledges (``escalations`` counts them; the first goes
to the commander, see :data:`ESCALATE_TO`).

Functions return a new :class:`Alert` or raise :class:`AlertError` naming the alert,
its state and the step refused.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from command.errors import CommandError
from command.warning.thresholds import RANK

__all__ = ["STATES", "Alert", "AlertError", "open_alert", "raise_level", "acknowledge",
           "clear", "escalation_due", "escalate", "ESCALATE_TO"]

STATES: tuple[str, ...] = ("open", "escalated", "acknowledged", "resolved")
#: Who an escalation reaches, by how many times the alert has been escalated.
ESCALATE_TO: tuple[str, ...] = ("commander", "commander")


class AlertError(CommandError):
    """A step the alert's state does not allow."""


@dataclass(frozen=True)
class Alert:
    """One alert as plain data (times aware UTC)."""

    sensor_id: str
    level: str
    state: str
    opened_at: datetime
    raised_at: datetime  # when it reached its current level
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    escalations: int = 0
    escalated_at: datetime | None = None
    cleared: bool = False
    resolved_at: datetime | None = None
    alert_id: int | None = None


def open_alert(sensor_id: str, level: str, *, now: datetime) -> Alert:
    """A new alert at ``level``."""
    if level not in RANK or level == "none":
        raise AlertError(f"an alert has a grade (blue, yellow, orange, red), not {level!r}")
    return Alert(sensor_id, level, "open", now, now)


def _refuse(a: Alert, step: str) -> AlertError:
    return AlertError(f"alert {a.alert_id or a.sensor_id} is {a.state}: it cannot be {step}")


def raise_level(a: Alert, level: str, *, now: datetime) -> Alert:
    """The alert at a higher ``level`` (a lower or equal one changes nothing); an
    acknowledged alert is open again."""
    if a.state == "resolved":
        raise _refuse(a, "raised")
    if RANK[level] <= RANK[a.level]:
        return a
    state = "open" if a.state == "acknowledged" else a.state
    return replace(a, level=level, raised_at=now, state=state, cleared=False)


def acknowledge(a: Alert, user: str, *, now: datetime) -> Alert:
    """``user`` has seen it; resolved at once when its condition has cleared."""
    if a.state not in ("open", "escalated"):
        raise _refuse(a, "acknowledged")
    if not user:
        raise AlertError("an acknowledgement needs the user who gives it")
    done = a.cleared
    return replace(a, state="resolved" if done else "acknowledged", acknowledged_by=user,
                   acknowledged_at=now, resolved_at=now if done else None)


def clear(a: Alert, *, now: datetime) -> Alert:
    """The readings fell below every threshold."""
    if a.state == "resolved":
        return a
    if a.state == "acknowledged":
        return replace(a, state="resolved", cleared=True, resolved_at=now)
    return replace(a, cleared=True)


def escalation_due(a: Alert, *, now: datetime, ack_timeout_s: float) -> bool:
    """Whether nobody acknowledged it within ``ack_timeout_s`` of its opening, its
    last raise or its last escalation."""
    if a.state not in ("open", "escalated"):
        return False
    since = max(t for t in (a.raised_at, a.escalated_at) if t is not None)
    return (now - since).total_seconds() >= ack_timeout_s


def escalate(a: Alert, *, now: datetime, ack_timeout_s: float) -> Alert:
    """The alert escalated (one more time) if due, else unchanged."""
    if not escalation_due(a, now=now, ack_timeout_s=ack_timeout_s):
        return a
    return replace(a, state="escalated", escalations=a.escalations + 1, escalated_at=now)
