"""Liaison use cases: tasks for each agency (from decided plans and from the commander),
their acknowledgement and progress, mutual aid between agencies, messages, each
officer's board and the command screen's list of unacknowledged tasks.

Owns: whose agency a user speaks for (a liaison officer: the agency of their account,
:data:`command.access.SCOPED_ROLES`; the command centre: any, on an agency's behalf),
the tasks a decided plan gives each agency of its units (issued in the transaction that
decides the plan, see :func:`issue_plan_tasks`), and each use case's single transaction
with its audit entries. Every input is checked before anything is written. Must not: know
about the web or the command line, or read the clock behind a caller's back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from command import store
from command.clock import as_utc, utc_now
from command.errors import DataError, Problem
from command.liaison import aid as aid_rules
from command.liaison import tasks as task_rules
from command.store import liaison as ls

__all__ = ["CENTRE_ROLES", "agency_scope", "issue_plan_tasks", "issue_task", "step_task",
           "request_aid", "step_aid", "send_message", "board", "unacknowledged"]

#: Roles that act for the command centre (issue and cancel tasks, act on an agency's
#: behalf, see every board).
CENTRE_ROLES = frozenset({"commander", "duty_officer", "staff"})


def agency_scope(user, agency_id: str | None = None) -> str | None:
    """The agency ``user`` acts for: a liaison officer their own (asking for another is
    refused); the centre the agency it names (None: every agency).

    Raises
    ------
    DataError
        Field ``agency``: a liaison officer naming another agency, or one without an
        agency in their account.
    """
    if user.role == "liaison":
        if not user.agency_id:
            raise DataError("This liaison account has no agency.",
                            [Problem("ask an administrator to set it", field="agency",
                                     value=None)])
        if agency_id not in (None, user.agency_id):
            raise DataError("A liaison officer sees only their own agency.",
                            [Problem(f"only {user.agency_id}", field="agency",
                                     value=agency_id)])
        return user.agency_id
    return agency_id


def _side(user) -> tuple[str, str | None]:
    return ("agency", user.agency_id) if user.role == "liaison" else ("centre", None)


def issue_plan_tasks(s: Session, plan: store.PlanRecord, actor: str, *,
                     now: datetime | None = None) -> list[ls.TaskRecord]:
    """In session ``s`` (the transaction that decides ``plan``): give each agency whose
    units an approved or modified live plan sends one task listing its units, unless it
    has one from this plan already. Returns the tasks issued."""
    if plan.is_drill or plan.status not in ("approved", "modified"):
        return []
    unit_agency = {u.unit_id: u.agency_id for u in store.list_units(s)}
    out = []
    for agency, items in task_rules.plan_tasks(plan.assignments, unit_agency).items():
        if ls.task_for_plan(s, plan.plan_id, agency) is None:
            out.append(ls.issue_task(s, agency_id=agency, title="", source="plan",
                                     detail=items, plan_id=plan.plan_id,
                                     incident_id=items[0].get("incident_id"), actor=actor,
                                     now=now))
    return out


def _known_agency(dataset, agency_id: object, field: str) -> list[Problem]:
    if agency_id not in {a.agency_id for a in dataset.agencies}:
        return [Problem("no such agency in the data set", field=field, value=agency_id)]
    return []


def _text(value: object, field: str, limit: int = 500) -> list[Problem]:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        return [Problem(f"required: 1 to {limit} characters", field=field, value=value)]
    return []


def issue_task(engine: Engine, dataset, *, agency_id: str, title: str, user,
               incident_id: str | None = None, now: datetime | None = None) -> ls.TaskRecord:
    """The commander's task for ``agency_id`` (``liaison.task_issued``).

    Raises
    ------
    DataError
        An unknown agency, an empty title, a user who is not the centre (field
        ``side``); nothing is written.
    """
    now = as_utc(now or utc_now(), field="now")
    side, actor_agency = _side(user)
    task_rules.advance(None, "issue", side=side, task_agency=agency_id,
                       actor_agency=actor_agency, now=now)
    problems = _known_agency(dataset, agency_id, "agency") + _text(title, "title")
    if problems:
        raise DataError("The task was not issued.", problems)
    with store.session_scope(engine) as s:
        return ls.issue_task(s, agency_id=agency_id, title=title.strip(), actor=user.name,
                             incident_id=incident_id or None, now=now)


def step_task(engine: Engine, task_id: int, action: str, user, *, note: str = "",
              progress_pct: object = None, now: datetime | None = None) -> ls.TaskRecord:
    """Acknowledge, report on, complete (the task's agency) or cancel (the centre) a
    task (``liaison.task_<action>``).

    Raises
    ------
    DataError
        The step is not allowed from the task's state, or not this user's (another
        agency's officer, the centre acknowledging), or a bad report; nothing is written.
    StoreError
        No such task.
    """
    now = as_utc(now or utc_now(), field="now")
    side, actor_agency = _side(user)
    with store.session_scope(engine) as s:
        task = ls.get_task(s, task_id, lock=True)
        step = task_rules.advance(task.state, action, side=side, task_agency=task.agency_id,
                                  actor_agency=actor_agency, note=note or "",
                                  progress_pct=progress_pct, now=now)
        return ls.update_task(s, task_id, action=action, to=step.to, actor=user.name,
                              expect=task.state, note=step.note,
                              progress_pct=step.progress_pct, now=now)


def request_aid(engine: Engine, dataset, user, *, to_agency: str, what: str,
                from_agency: str | None = None, incident_id: str | None = None,
                now: datetime | None = None) -> ls.AidRecord:
    """Ask ``to_agency`` for mutual aid, for the user's agency (a liaison officer) or
    for ``from_agency`` (the centre on its behalf): ``liaison.aid_request``.

    Raises
    ------
    DataError
        Unknown agencies, an agency asking itself, nothing said about what is needed;
        nothing is written.
    """
    now = as_utc(now or utc_now(), field="now")
    side, actor_agency = _side(user)
    source = actor_agency if side == "agency" else from_agency
    problems = _known_agency(dataset, source, "from_agency") + _known_agency(
        dataset, to_agency, "to_agency")
    if problems:
        raise DataError("The request was not sent.", problems)
    step = aid_rules.advance(None, "request", from_agency=source, to_agency=to_agency,
                             actor_agency=actor_agency, note=what or "", now=now)
    with store.session_scope(engine) as s:
        return ls.request_aid(s, from_agency=source, to_agency=to_agency, what=step.note,
                              actor=user.name, incident_id=incident_id or None, now=now)


def step_aid(engine: Engine, aid_id: int, action: str, user, *, note: str = "",
             now: datetime | None = None) -> ls.AidRecord:
    """Accept, decline, depart or arrive on a request (the asked agency, or the centre
    on its behalf): ``liaison.aid_<action>``.

    Raises
    ------
    DataError
        The step is not allowed now or is the other agency's; nothing is written.
    """
    now = as_utc(now or utc_now(), field="now")
    _side_, actor_agency = _side(user)
    with store.session_scope(engine) as s:
        rec = ls.get_aid(s, aid_id)
        step = aid_rules.advance(rec.state, action, from_agency=rec.from_agency,
                                 to_agency=rec.to_agency, actor_agency=actor_agency,
                                 note=note or "", now=now)
        return ls.update_aid(s, aid_id, action=action, to=step.to, actor=user.name,
                             expect=rec.state, note=step.note, now=now)


def send_message(engine: Engine, dataset, user, *, agency_id: str | None, text: str,
                 now: datetime | None = None) -> ls.MessageRecord:
    """A message from the centre to one agency, or to every agency (None).

    Raises
    ------
    DataError
        An unknown agency or empty text; nothing is written.
    """
    problems = _text(text, "text") + (_known_agency(dataset, agency_id, "agency")
                                      if agency_id else [])
    if problems:
        raise DataError("The message was not sent.", problems)
    with store.session_scope(engine) as s:
        return ls.send_message(s, agency_id=agency_id or None, text=text.strip(),
                               actor=user.name, now=now)


def board(engine: Engine, user, *, agency_id: str | None = None,
          now: datetime | None = None) -> dict:
    """What an agency's board shows: ``agency`` (the one in scope, see
    :func:`agency_scope`), its ``tasks`` (newest first; each with ``age_s`` since
    issued), ``units``, ``messages``, mutual-aid requests ``aid_out`` (it asked) and
    ``aid_in`` (it was asked), and the shared situation: ``incidents`` (open, live) and
    the store's ``change_id``.

    Raises
    ------
    DataError
        As :func:`agency_scope`.
    """
    agency = agency_scope(user, agency_id)
    now = as_utc(now or utc_now(), field="now")
    with store.session_scope(engine, read_only=True) as s:
        tasks = ls.list_tasks(s, agency_id=agency)
        units = store.list_units(s, agency_id=agency) if agency else []
        messages = ls.list_messages(s, agency_id=agency)
        aids = ls.list_aid(s, agency_id=agency)
        incidents = [i for i in store.list_incidents(s) if i.status == "open"]
        change = store.last_change_id(s)
    return {"agency": agency, "now": now,
            "tasks": [(tk, task_rules.age_s(tk.issued_at, now)) for tk in tasks],
            "units": units, "messages": messages,
            "aid_out": [a for a in aids if agency is None or a.from_agency == agency],
            "aid_in": [a for a in aids if agency is not None and a.to_agency == agency],
            "incidents": incidents, "change_id": change}


def unacknowledged(engine: Engine, *, now: datetime | None = None) -> list[dict]:
    """Tasks not yet acknowledged, oldest first: ``task`` and ``age_s`` (seconds since
    issued), for the command screen."""
    now = as_utc(now or utc_now(), field="now")
    with store.session_scope(engine, read_only=True) as s:
        tasks = ls.list_tasks(s, states=("issued",))
    rows = [{"task": tk, "age_s": task_rules.age_s(tk.issued_at, now)} for tk in tasks]
    return sorted(rows, key=lambda r: -r["age_s"])
