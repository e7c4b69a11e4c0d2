"""The hidden-hazard closed loop (排查-登记-评估-报告-监控-治理-销账) as a pure state machine.

Owns: the states, the table of allowed transitions (which action leads from which state to
which, which roles may take it, which data it needs), and the check of one step,
:func:`advance`. Must not: touch the store, the audit log, files or the clock (``now`` is
an argument), or know about pages and the CLI; the store records the :class:`Transition`
this module returns, with the authenticated user, in one transaction.

The loop::

    (new) --find--> found --register--> registered --assess--> assessed --report--> reported
      --monitor--> monitored --remediate--> remediation --verify--> verified --close--> closed

    found | registered | assessed --reject--> rejected        (duplicate, not a hazard)
    closed --reopen--> reopened --remediate--> remediation    (it came back: fix it again)

Choices, and why:

* A hazard that does not exist yet has the state ``None``; the one way out of it is
  ``find`` (a grid member's or an enterprise's report), so the start is a row of the table
  like any other and the property test covers it.
* ``reopen`` leads from ``closed`` only, and a reopened hazard goes straight to
  ``remediation`` with a new deadline: it was registered, assessed and reported the first
  time, and asking for all that again would let it sit unfixed. ``rejected`` is final: a
  report wrongly rejected is reported again (and flagged as a possible duplicate of
  nothing open, so it goes through).
* A hazard may be rejected only before it is reported upwards; after that, the people it
  was reported to have taken it on, and it ends by being closed.
* Roles are :data:`command.model.ROLES`, the vocabulary the role matrix of
  :mod:`command.access.roles` also uses. The video wall never acts; the administrator
  manages users, not hazards.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from command.clock import as_utc
from command.errors import DataError, Problem
from command.model import ROLES

__all__ = [
    "STATES",
    "FINAL_STATES",
    "OPEN_STATES",
    "ACTIONS",
    "ACTING_ROLES",
    "LEVELS",
    "REJECT_REASONS",
    "OPTIONAL_FIELDS",
    "Rule",
    "TRANSITIONS",
    "Transition",
    "rule_for",
    "advance",
    "allowed_next",
    "is_overdue",
    "STATE_DUE",
    "due_at",
]

#: Every state of a hazard, in the order of the loop (then the side states).
STATES: tuple[str, ...] = ("found", "registered", "assessed", "reported", "monitored",
                           "remediation", "verified", "closed", "rejected", "reopened")
#: States a hazard leaves only by being reopened (closed) or never (rejected).
FINAL_STATES: frozenset[str] = frozenset({"closed", "rejected"})
#: States of an open hazard: the ones the board shows and duplicates are looked for in.
OPEN_STATES: tuple[str, ...] = tuple(s for s in STATES if s not in FINAL_STATES)

#: Every action, in the order of the loop.
ACTIONS: tuple[str, ...] = ("find", "register", "assess", "report", "monitor", "remediate",
                            "verify", "close", "reject", "reopen")

#: Every role of the system (:data:`command.model.ROLES`); the table below says which act.
ACTING_ROLES: tuple[str, ...] = ROLES

#: Assessment levels: 重大隐患 and 一般隐患.
LEVELS: tuple[str, ...] = ("major", "general")
#: Why a report is rejected.
REJECT_REASONS: tuple[str, ...] = ("duplicate", "not_a_hazard")
#: Data any transition may carry besides the ones it needs; the store checks its value
#: (an evidence file: its kind, size and hash).
OPTIONAL_FIELDS: frozenset[str] = frozenset({"evidence"})


@dataclass(frozen=True)
class Rule:
    """One allowed transition: ``action`` leads from ``source`` to ``target``.

    ``source`` is ``None`` for a hazard not yet known. ``needs`` are the data fields the
    step requires besides the note every step requires.
    """

    action: str
    source: str | None
    target: str
    roles: frozenset[str]
    needs: tuple[str, ...] = ()


def _rule(action: str, source: str | None, target: str, roles: tuple[str, ...],
          needs: tuple[str, ...] = ()) -> Rule:
    return Rule(action, source, target, frozenset(roles), needs)


# Who does what: people in the field report; the command centre's staff (and the duty
# officer, who takes calls and runs the shift) register, reject and pass a hazard on;
# experts and staff assess; staff and the commander order remediation, verify and close
# (销账 is a decision, so not the duty officer's alone).
_REPORTERS = ("grid_member", "enterprise", "staff", "duty_officer")
_DESK = ("staff", "duty_officer")
_DESK_AND_LEAD = ("staff", "duty_officer", "commander")
_LEAD = ("staff", "commander")
_ASSESSORS = ("staff", "expert")
_REMEDIATION_NEEDS = ("deadline", "responsible", "measures", "budget_yuan")

#: The allowed transitions; nothing else is.
TRANSITIONS: tuple[Rule, ...] = (
    _rule("find", None, "found", _REPORTERS),
    _rule("register", "found", "registered", _DESK),
    _rule("assess", "registered", "assessed", _ASSESSORS, ("level", "reason")),
    _rule("report", "assessed", "reported", _DESK),
    _rule("monitor", "reported", "monitored", _DESK_AND_LEAD),
    _rule("remediate", "monitored", "remediation", _LEAD, _REMEDIATION_NEEDS),
    _rule("verify", "remediation", "verified", _LEAD),
    _rule("close", "verified", "closed", _LEAD),
    _rule("reject", "found", "rejected", _DESK_AND_LEAD, ("reason",)),
    _rule("reject", "registered", "rejected", _DESK_AND_LEAD, ("reason",)),
    _rule("reject", "assessed", "rejected", _DESK_AND_LEAD, ("reason",)),
    _rule("reopen", "closed", "reopened", _LEAD),
    _rule("remediate", "reopened", "remediation", _LEAD, _REMEDIATION_NEEDS),
)

# One rule per (source, action) and per (source, target), so a step may be named by
# either; checked here, once, rather than trusted.
_BY_ACTION: dict[tuple[str | None, str], Rule] = {(r.source, r.action): r for r in TRANSITIONS}
_BY_TARGET: dict[tuple[str | None, str], Rule] = {(r.source, r.target): r for r in TRANSITIONS}
assert len(_BY_ACTION) == len(_BY_TARGET) == len(TRANSITIONS)


@dataclass(frozen=True)
class Transition:
    """One accepted step, for the store and the audit log to record.

    ``from_`` is ``None`` for a newly found hazard; ``data`` holds the checked data (the
    note stripped, a deadline as aware UTC, the budget as a float); ``at`` is ``now`` as
    aware UTC.
    """

    from_: str | None
    to: str
    action: str
    role: str
    data: Mapping[str, Any]
    at: datetime


def _refuse(message: str, rule: str, field: str, value: Any) -> DataError:
    return DataError(message, [Problem(rule, field=field, value=value)])


def _check_state(state: object) -> str | None:
    if state is not None and (not isinstance(state, str) or state not in STATES):
        raise _refuse("Unknown hazard state.", f"not a hazard state (one of {', '.join(STATES)})",
                      "state", state)
    return state


def _check_role(role: object) -> str:
    if not isinstance(role, str) or role not in ACTING_ROLES:
        raise _refuse("Unknown role.", f"not a role (one of {', '.join(ACTING_ROLES)})",
                      "role", role)
    return role


def _aware(value: object, field: str) -> datetime:
    try:
        return as_utc(value, field=field)  # type: ignore[arg-type]
    except ValueError as exc:
        raise _refuse("A time without a zone, or not a time.", str(exc), field, value) from None


def rule_for(state: str | None, action_or_target: str) -> Rule:
    """The rule leading out of ``state`` by an action or to a target state.

    Raises
    ------
    DataError
        If ``state`` is unknown (field ``state``), or nothing leads out of it by that
        action or to that state (field ``to``).
    """
    state = _check_state(state)
    found = (_BY_ACTION.get((state, action_or_target))
             or _BY_TARGET.get((state, action_or_target)))
    if found is None:
        known = action_or_target in ACTIONS or action_or_target in STATES
        where = "a new hazard" if state is None else f"state '{state}'"
        nexts = ", ".join(r.target for r in TRANSITIONS if r.source == state) or "nothing"
        rule = (f"not allowed from {where} (allowed: {nexts})" if known
                else f"neither an action ({', '.join(ACTIONS)}) nor a state")
        raise _refuse("Illegal hazard transition.", rule, "to", action_or_target)
    return found


def _text(data: Mapping[str, Any], field: str, problems: list[Problem]) -> str | None:
    value = data.get(field)
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem("required: a non-empty text", field=field, value=value))
        return None
    return value.strip()


def _choice(data: Mapping[str, Any], field: str, choices: tuple[str, ...],
            problems: list[Problem]) -> str | None:
    value = data.get(field)
    if value not in choices:
        problems.append(Problem(f"required: one of {', '.join(choices)}", field=field,
                                value=value))
        return None
    return value


def _check_data(rule: Rule, data: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The checked data of one step; every problem of it at once."""
    problems: list[Problem] = []
    out: dict[str, Any] = {}
    for field in sorted(set(data) - set(rule.needs) - {"note"} - OPTIONAL_FIELDS):
        problems.append(Problem(f"not a field of '{rule.action}'", field=field,
                                value=data[field]))
    out["note"] = _text(data, "note", problems)
    if rule.action == "assess":
        out["level"] = _choice(data, "level", LEVELS, problems)
        out["reason"] = _text(data, "reason", problems)
    elif rule.action == "reject":
        out["reason"] = _choice(data, "reason", REJECT_REASONS, problems)
    elif rule.action == "remediate":
        out["deadline"] = _deadline(data.get("deadline"), now, problems)
        out["responsible"] = _text(data, "responsible", problems)
        out["measures"] = _text(data, "measures", problems)
        out["budget_yuan"] = _budget(data.get("budget_yuan"), problems)
    for field in OPTIONAL_FIELDS & set(data):
        out[field] = data[field]
    if problems:
        raise DataError(f"The data of '{rule.action}' is missing or wrong.", problems)
    return out


def _deadline(value: object, now: datetime, problems: list[Problem]) -> datetime | None:
    try:
        # a form or a command line gives ISO 8601 text; it must carry its zone
        when = datetime.fromisoformat(value) if isinstance(value, str) else value
        deadline = as_utc(when, field="deadline")  # type: ignore[arg-type]
    except ValueError as exc:
        problems.append(Problem(f"required: an aware date and time ({exc})", field="deadline",
                                value=value))
        return None
    if deadline <= now:
        problems.append(Problem(f"must be after now ({now.isoformat()})", field="deadline",
                                value=value))
        return None
    return deadline


def _budget(value: object, problems: list[Problem]) -> float | None:
    # bool is an int to Python, but True yuan is a typo, not a budget
    if (isinstance(value, bool) or not isinstance(value, int | float)
            or not math.isfinite(value) or value < 0):
        problems.append(Problem("required: a number of yuan >= 0", field="budget_yuan",
                                value=value))
        return None
    return float(value)


def advance(state: str | None, action_or_target: str, *, role: str,
            data: Mapping[str, Any], now: datetime) -> Transition:
    """Check one step of a hazard and return it, or refuse it.

    Parameters
    ----------
    state
        The hazard's state, ``None`` for a hazard being reported (found).
    action_or_target
        The action (``"assess"``) or the state to go to (``"assessed"``).
    role
        The role of the authenticated user taking the step.
    data
        ``note`` (every step); ``level`` (major | general) and ``reason`` for assess;
        ``reason`` (duplicate | not_a_hazard) for reject; ``deadline`` (aware, or ISO 8601
        text with its zone; after ``now``), ``responsible``, ``measures`` and
        ``budget_yuan`` (>= 0) for remediate;
        optionally ``evidence`` (checked by the store). Nothing else.
    now
        The time of the step (aware; kept as UTC).

    Returns
    -------
    Transition
        The accepted step.

    Raises
    ------
    DataError
        With a :class:`~command.errors.Problem` naming the field and value: ``state``
        unknown, ``to`` not allowed from the state, ``role`` unknown or not allowed to
        take the step, ``now`` naive, or a data field missing or wrong (all of them).
    """
    at = _aware(now, "now")
    rule = rule_for(state, action_or_target)
    role = _check_role(role)
    if role not in rule.roles:
        raise _refuse("This role may not take this step.",
                      f"may not {rule.action} (allowed: {', '.join(sorted(rule.roles))})",
                      "role", role)
    if not isinstance(data, Mapping):
        raise _refuse("The data of a step is a mapping of fields.", "not a mapping",
                      "data", data)
    checked = _check_data(rule, data, at)
    return Transition(from_=rule.source, to=rule.target, action=rule.action, role=role,
                      data=MappingProxyType(checked), at=at)


def allowed_next(state: str | None, role: str) -> tuple[Rule, ...]:
    """The steps ``role`` may take from ``state``, in table order (for a page's buttons).

    Raises
    ------
    DataError
        If ``state`` or ``role`` is unknown.
    """
    state = _check_state(state)
    role = _check_role(role)
    return tuple(r for r in TRANSITIONS if r.source == state and role in r.roles)


def is_overdue(deadline: datetime | None, now: datetime) -> bool:
    """Whether a remediation deadline has passed at ``now`` (no deadline: never overdue).

    The caller decides which states count (a closed hazard's deadline no longer matters).

    Raises
    ------
    DataError
        If ``deadline`` or ``now`` is naive.
    """
    if deadline is None:
        return False
    return _aware(deadline, "deadline") < _aware(now, "now")


#: How long a hazard may stay in a state before it is overdue (the deadline of the next
#: step), except ``remediation``, whose deadline the remediation order sets. Registering
#: and passing a report on take a day; assessing, ordering remediation and accepting it
#: take three (an expert has to go and look).
STATE_DUE: Mapping[str, timedelta] = MappingProxyType({
    "found": timedelta(days=1),
    "registered": timedelta(days=3),
    "assessed": timedelta(days=1),
    "reported": timedelta(days=1),
    "monitored": timedelta(days=3),
    "verified": timedelta(days=3),
    "reopened": timedelta(days=1),
})


def due_at(step: Transition) -> datetime | None:
    """When the state ``step`` reached is overdue: the remediation deadline for
    ``remediation``, the step's time plus :data:`STATE_DUE` for the others, None for a
    closed or rejected hazard."""
    if step.to == "remediation":
        return step.data["deadline"]
    wait = STATE_DUE.get(step.to)
    return None if wait is None else step.at + wait
