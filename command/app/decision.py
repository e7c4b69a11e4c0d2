"""Group decision use cases: the chair creates, opens and closes a session; participants
join by code and vote; the result, with its diagnostics, is kept and audited; a decided
option that is a dispatch plan goes for approval in one step.

Owns: options taken from the system (proposed live plans, evacuation radii of a
scenario's zones, reserve depots), join codes, the checks that need the store (users
exist, a participant has joined, the session is open), each use case's single
transaction with its audit entries, and the big screen's progress. Every input is checked
before anything is written: a bad one raises :class:`~command.errors.DataError` naming
the field and the value, and nothing is written. Must not: know about the web or the
command line, count by itself (see :mod:`command.decision.tally`), or read the clock
behind a caller's back (``now`` is an argument).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.engine import Engine

from command import store
from command.decision import ahp as _ahp
from command.decision import delphi
from command.decision.session import advance, ahp_checks, check_ballot, check_open, check_spec
from command.decision.tally import outcome
from command.errors import DataError, Problem, StoreError
from command.i18n import t
from command.store import decision as ds
from command.store import users as us

__all__ = ["OPTION_SOURCES", "system_options", "create_session", "open_session", "next_round",
           "close_session", "join_session", "cast_ballot", "Receipt", "progress",
           "list_sessions", "get_session", "send_for_approval", "default_role"]

#: Where options can be taken from besides typing them in.
OPTION_SOURCES: tuple[str, ...] = ("plan", "radius", "depot")
#: Digits of a join code: short enough to read off a wall and type on a phone.
CODE_DIGITS = 6


def default_role(system_role: str) -> str:
    """A participant's part from the system role of one who joins unlisted: the
    commander leads, experts advise, everyone else is staff."""
    return {"commander": "leader", "expert": "expert"}.get(system_role, "staff")


def _zone_label(z, scenario: str, lang: str) -> str:
    return t("decision.option.radius", lang, scenario=scenario, grade=t(f"grade.{z.grade}", lang),
             level=z.level, distance_m=round(z.distance_m), population=z.population)


def system_options(engine: Engine, dataset, *, kind: str, lang: str = "zh", network=None,
                   settings=None, scenario: str | None = None) -> list[dict]:
    """Options a session can take from the system, as ``{label, kind, ref}``.

    ``plan``: every proposed live plan (ref: plan id), newest first; ``depot``: every
    reserve depot of the data set (ref: depot id); ``radius``: the graded zones of
    ``scenario`` (a scenario id of the data set's library) with their reach from the
    source (ref: scenario, grade, metres), which needs ``network`` and ``settings``.

    Raises
    ------
    DataError
        For an unknown ``kind``, a missing or unknown scenario.
    """
    if kind == "plan":
        with store.session_scope(engine, read_only=True) as s:
            plans = store.list_plans(s, status="proposed", limit=50)
        return [{"label": t("decision.option.plan", lang, plan_id=p.plan_id,
                            incidents="、".join(p.incident_ids), n=len(p.assignments)),
                 "kind": "plan", "ref": p.plan_id} for p in plans]
    if kind == "depot":
        return [{"label": d.name_en if lang == "en" else d.name_zh, "kind": "depot",
                 "ref": d.depot_id} for d in dataset.depots]
    if kind == "radius":
        if not scenario:
            raise DataError("Choose a scenario.", [Problem("required for evacuation radii",
                                                           field="scenario", value=scenario)])
        from command.scenarios.consequences import consequences
        from command.scenarios.library import find_scenario, scenario_dir
        from command.scenarios.schema import load_scenario

        sc = load_scenario(find_scenario(scenario, scenario_dir(settings.resources_dir)),
                           dataset=dataset)
        c = consequences(sc, network, dataset, settings=settings)
        return [{"label": _zone_label(z, c.name_en if lang == "en" else c.name_zh, lang),
                 "kind": "radius",
                 "ref": {"scenario": c.scenario_id, "grade": z.grade,
                         "distance_m": round(z.distance_m, 1)}}
                for z in c.zones if z.distance_m is not None]
    raise DataError("Unknown source of options.",
                    [Problem(f"one of {', '.join(OPTION_SOURCES)}", field="kind", value=kind)])


def _new_code(s) -> str:
    while True:  # 10^6 codes: a clash is rare, and the unique key catches a race
        code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        if ds.session_by_code(s, code) is None:
            return code


def create_session(engine: Engine, *, question: str, method: str, options: Sequence,
                   criteria: Sequence = (), participants: Sequence = (), chair: str,
                   now: datetime | None = None) -> ds.SessionRecord:
    """A new session in ``draft`` with a fresh join code, chaired by ``chair``
    (``decision.created``).

    Raises
    ------
    DataError
        Every problem of the specification (see
        :func:`command.decision.session.check_spec`), a participant who is not a user,
        an option of kind ``plan`` naming no plan; nothing is written.
    """
    spec = check_spec(question=question, method=method, options=options, criteria=criteria,
                      participants=participants)
    with store.session_scope(engine) as s:
        problems = [Problem("no such user", field="participants", row=k, value=p.user)
                    for k, p in enumerate(spec.participants, start=1)
                    if us.get_user(s, p.user) is None]
        for k, o in enumerate(spec.options, start=1):
            if o.kind == "plan":
                try:
                    store.get_plan(s, int(o.ref))
                except (StoreError, TypeError, ValueError):
                    problems.append(Problem("no such plan", field="options", row=k,
                                            value=o.ref))
        if problems:
            raise DataError("The decision session was not created.", problems)
        return ds.create_session(
            s, code=_new_code(s), question=spec.question, method=spec.method,
            options=[o.to_dict() for o in spec.options],
            criteria=[c.to_dict() for c in spec.criteria],
            participants=[p.to_dict() for p in spec.participants], actor=chair, now=now)


def _step(engine: Engine, session_id: int, action: str, actor: str, now) -> ds.SessionRecord:
    with store.session_scope(engine) as s:
        rec = ds.get_session(s, session_id, lock="update")
        in_round = len(ds.list_votes(s, session_id, round_=rec.round))
        step = advance(rec.state, action, method=rec.method, round_=rec.round,
                       ballots_in_round=in_round)
        result = _result(s, rec) if step.to == "closed" else None
        return ds.set_state(s, session_id, action=action, to=step.to, round_=step.round,
                            actor=actor, result=result, expect=rec.state, now=now)


def open_session(engine: Engine, session_id: int, actor: str, *,
                 now: datetime | None = None) -> ds.SessionRecord:
    """Open a draft session for ballots (``decision.open``).

    Raises
    ------
    DataError
        If the session is not a draft. StoreError: no such session.
    """
    return _step(engine, session_id, "open", actor, now)


def next_round(engine: Engine, session_id: int, actor: str, *,
               now: datetime | None = None) -> ds.SessionRecord:
    """Start the next Delphi round (``decision.next_round``); participants then see the
    previous round's anonymous feedback.

    Raises
    ------
    DataError
        If the session is not an open Delphi session, or nobody rated in this round.
    """
    return _step(engine, session_id, "next_round", actor, now)


def close_session(engine: Engine, session_id: int, actor: str, *,
                  now: datetime | None = None) -> ds.SessionRecord:
    """Close an open session and count it; the result (winner, ranking, scores, tie,
    diagnostics) is kept on the session and in the ``decision.close`` audit entry.

    Raises
    ------
    DataError
        If the session is not open.
    """
    return _step(engine, session_id, "close", actor, now)


def _result(s, rec: ds.SessionRecord) -> dict:
    votes = ds.list_votes(s, rec.session_id)
    weights = {p.user_name: p.weight for p in ds.participants(s, rec.session_id)}
    options = [o["id"] for o in rec.options]
    criteria = [c["id"] for c in rec.criteria]
    rounds: dict[int, dict] = {}
    for v in votes:
        rounds.setdefault(v.round, {})[v.user_name] = v.ballot
    ordered = [rounds[r] for r in sorted(rounds)]
    last = ordered[-1] if ordered else {}
    out = outcome(rec.method, options, ballots=last, weights=weights, criteria=criteria,
                  rounds=ordered)
    return out.to_dict()


def join_session(engine: Engine, code: str, user, *,
                 now: datetime | None = None) -> tuple[ds.SessionRecord, ds.ParticipantRecord]:
    """``user`` (a :class:`command.app.access.User`) joins the session of ``code``: a
    listed participant keeps role and weight, anyone else joins with the part of their
    system role (:func:`default_role`) and weight 1.

    Raises
    ------
    DataError
        Field ``code``: no session has this code (nothing is written).
    """
    code = (code or "").strip()
    with store.session_scope(engine) as s:
        rec = ds.session_by_code(s, code) if code else None
        if rec is None:
            raise DataError("No session has this code.",
                            [Problem("check the code the chair shows", field="code",
                                     value=code)])
        part = ds.join(s, rec.session_id, user.name, role=default_role(user.role), weight=1.0,
                       now=now)
    return rec, part


class Receipt:
    """A ballot recorded: the stored vote and, for AHP, each matrix's priorities and
    consistency (those above CR 0.1 ask the participant to revise)."""

    __slots__ = ("vote", "consistency")

    def __init__(self, vote: ds.VoteRecord, consistency: dict[str, _ahp.AHPResult] | None):
        self.vote, self.consistency = vote, consistency

    @property
    def revise(self) -> list[str]:
        """The matrices whose CR is above the limit."""
        return [k for k, r in (self.consistency or {}).items() if not r.consistent]


def cast_ballot(engine: Engine, session_id: int, user_name: str, ballot: Mapping, *,
                now: datetime | None = None) -> Receipt:
    """Record ``user_name``'s ballot in the session's current round, replacing their
    earlier one of that round (``decision.vote``).

    Raises
    ------
    DataError
        Nothing is written when: the session is not open (field ``session``), the user
        has not joined (field ``user``), or the ballot is invalid (naming the field and
        value; see :func:`command.decision.session.check_ballot`).
    StoreError
        If there is no such session.
    """
    with store.session_scope(engine) as s:
        rec = ds.get_session(s, session_id, lock="share")
        check_open(rec.state)
        joined = {p.user_name for p in ds.participants(s, session_id) if p.joined_at}
        if user_name not in joined:
            raise DataError("Join the session with its code first.",
                            [Problem("not a participant who joined", field="user",
                                     value=user_name)])
        checked = check_ballot(rec.method, ballot, options=[o["id"] for o in rec.options],
                               criteria=[c["id"] for c in rec.criteria])
        vote = ds.cast_vote(s, session_id, user_name, round_=rec.round, ballot=checked, now=now)
    return Receipt(vote, ahp_checks(checked) if rec.method == "ahp" else None)


def get_session(engine: Engine, session_id: int) -> ds.SessionRecord:
    """Session ``session_id``.

    Raises
    ------
    StoreError
        If there is no such session.
    """
    with store.session_scope(engine, read_only=True) as s:
        return ds.get_session(s, session_id)


def list_sessions(engine: Engine, *, user_name: str | None = None,
                  state: str | None = None, limit: int = 30) -> list[ds.SessionRecord]:
    """Sessions, newest first: all, or those ``user_name`` joined or was listed in."""
    with store.session_scope(engine, read_only=True) as s:
        recs = ds.list_sessions(s, state=state, limit=limit)
        if user_name is not None:
            recs = [r for r in recs if any(p.user_name == user_name
                                           for p in ds.participants(s, r.session_id))]
    return recs


def progress(engine: Engine, session_id: int, *, user_name: str | None = None) -> dict:
    """What the chair, the big screen and a participant see of a session now.

    Returns
    -------
    dict
        ``session`` (the record), ``listed`` / ``joined`` / ``voted`` counts (voted: in
        the current round), ``voters`` (names of those who voted this round, for the
        chair), ``participants`` (name, role, weight, joined, voted), ``feedback`` (Delphi:
        the previous round's anonymous summary per option, else None), ``my_ballot`` (the
        ballot of ``user_name`` in the current round, or None).
    """
    with store.session_scope(engine, read_only=True) as s:
        rec = ds.get_session(s, session_id)
        people = ds.participants(s, session_id)
        votes = ds.list_votes(s, session_id)
    now_round = [v for v in votes if v.round == rec.round]
    voted = {v.user_name for v in now_round}
    feedback = None
    if rec.method == "delphi" and rec.round > 1:
        prev = [v.ballot["ratings"] for v in votes if v.round == rec.round - 1]
        feedback = [f.to_dict() for f in delphi.feedback([o["id"] for o in rec.options], prev)]
    mine = next((v.ballot for v in now_round if v.user_name == user_name), None)
    return {"session": rec, "listed": len(people),
            "joined": sum(p.joined_at is not None for p in people), "voted": len(voted),
            "voters": sorted(voted),
            "participants": [{"user": p.user_name, "role": p.role, "weight": p.weight,
                              "joined": p.joined_at is not None, "voted": p.user_name in voted}
                             for p in people],
            "feedback": feedback, "my_ballot": mine}


def send_for_approval(engine: Engine, session_id: int, actor: str, *,
                      now: datetime | None = None) -> int:
    """Send the decided plan of a closed session for approval on the command screen, in
    one transaction: when the plan is still proposed and the newest plan of its
    incidents, it stands as it is; otherwise a copy is proposed (the screen shows the
    newest plan of an incident), marked with the session. Audited as
    ``decision.sent_for_approval`` (and ``plan.proposed`` for a copy). Returns the plan
    id awaiting approval.

    Raises
    ------
    DataError
        Naming field ``session``: not closed, no winner, the winner is not a plan, the
        plan was decided already, or a plan was sent already; nothing is written.
    """
    with store.session_scope(engine) as s:
        rec = ds.get_session(s, session_id, lock="update")
        winner = (rec.result or {}).get("winner") if rec.state == "closed" else None
        option = next((o for o in rec.options if o["id"] == winner), None)
        why = None
        if rec.state != "closed":
            why = "close the session first"
        elif option is None:
            why = "the session has no decided option"
        elif option["kind"] != "plan":
            why = f"the decided option '{option['label']}' is not a dispatch plan"
        elif rec.sent_plan_id is not None:
            why = f"plan {rec.sent_plan_id} was sent already"
        if why is None:
            plan = store.get_plan(s, int(option["ref"]))
            if plan.status != "proposed" or plan.is_drill:
                why = (f"plan {plan.plan_id} is '{plan.status}'"
                       + (" (a drill)" if plan.is_drill else "") + ": nothing to approve")
        if why is not None:
            raise DataError("The plan was not sent for approval.",
                            [Problem(why, field="session", value=session_id)])
        newer = [p for i in plan.incident_ids
                 for p in store.list_plans(s, incident_id=i, limit=1)
                 if p.plan_id != plan.plan_id]
        plan_id = plan.plan_id
        if newer:
            plan_id = store.save_plan(s, {**plan.payload, "decision_session": session_id},
                                      plan.incident_ids, actor, now=now)
        ds.mark_sent(s, session_id, plan_id, actor=actor, now=now)
    return plan_id
