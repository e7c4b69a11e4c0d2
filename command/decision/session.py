"""A decision session as pure data and rules: its specification (question, options,
criteria, participants with roles and weights, method), the ballots each method takes,
and its lifecycle as a state machine.

The lifecycle::

    draft --open--> open --close--> closed
                    open --next_round--> open      (Delphi only: round r -> r + 1)

A session is edited only while ``draft``; ballots are taken only while ``open``, into the
current round (always 1 but for Delphi); a closed session is final. A participant votes
once per round: a second ballot in the same round replaces the first (so a judge may
revise an inconsistent AHP matrix), which the store enforces with a unique key.

Ballots, by method (option and criterion ids as :func:`check_spec` numbers them):

* majority ``{"choice": "o2"}``
* approval ``{"approve": ["o1", "o3"]}``
* borda ``{"ranking": ["o3", "o1", "o2"]}`` (full, or partial: best first)
* ahp ``{"matrices": {"options": M}}`` without criteria, or
  ``{"matrices": {"criteria": Mc, "c1": M1, "c2": M2, ...}}`` with them: Mc compares the
  criteria, each Mk the options under criterion k (matrices as :mod:`.ahp` checks them)
* delphi ``{"ratings": {"o1": 7, "o2": 3, ...}}`` (every option, 1 to 9)

Owns: what a valid session and ballot are, and which step leads where. Must not: touch
the store or the clock, or count (see :mod:`command.decision.tally`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from command.decision import ahp as _ahp
from command.decision import delphi as _delphi
from command.errors import DataError, Problem

__all__ = ["METHODS", "STATES", "ACTIONS", "PARTICIPANT_ROLES", "OPTION_KINDS", "MAX_OPTIONS",
           "MAX_WEIGHT", "Option", "Criterion", "Participant", "Spec", "Step", "check_spec",
           "advance", "check_open", "check_ballot", "ahp_checks", "choices_of"]

METHODS: tuple[str, ...] = ("majority", "approval", "borda", "ahp", "delphi")
STATES: tuple[str, ...] = ("draft", "open", "closed")
ACTIONS: tuple[str, ...] = ("open", "next_round", "close")
#: A participant's part in the session (not the system role): leaders decide, experts
#: advise, staff prepare; the weights say how much each counts.
PARTICIPANT_ROLES: tuple[str, ...] = ("leader", "expert", "staff")
#: Where an option comes from: typed in, a proposed dispatch plan (ref: plan id), an
#: evacuation radius of a scenario's zone (ref: scenario and metres) or a reserve depot.
OPTION_KINDS: tuple[str, ...] = ("text", "plan", "radius", "depot")
#: At most this many options or criteria (AHP's random index table ends at 10).
MAX_OPTIONS = _ahp.MAX_N
#: The largest weight of a participant (a leader counting for ten experts is plenty).
MAX_WEIGHT = 10.0


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    kind: str = "text"
    ref: Any = None

    def to_dict(self) -> dict:
        return {"id": self.id, "label": self.label, "kind": self.kind, "ref": self.ref}


@dataclass(frozen=True)
class Criterion:
    id: str
    label: str

    def to_dict(self) -> dict:
        return {"id": self.id, "label": self.label}


@dataclass(frozen=True)
class Participant:
    user: str
    role: str = "expert"
    weight: float = 1.0

    def to_dict(self) -> dict:
        return {"user": self.user, "role": self.role, "weight": self.weight}


@dataclass(frozen=True)
class Spec:
    """A checked session: options numbered ``o1``.., criteria ``c1``.."""

    question: str
    method: str
    options: tuple[Option, ...]
    criteria: tuple[Criterion, ...]
    participants: tuple[Participant, ...]

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)

    @property
    def criterion_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.criteria)


@dataclass(frozen=True)
class Step:
    """One accepted step of the lifecycle, for the store to record."""

    action: str
    from_: str
    to: str
    round: int


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _weight_ok(w: object) -> bool:
    return (not isinstance(w, bool) and isinstance(w, int | float)
            and 0 < w <= MAX_WEIGHT)


def check_spec(*, question: object, method: object, options: Sequence[object],
               criteria: Sequence[object] = (), participants: Sequence[object] = ()) -> Spec:
    """A session's specification, checked; every problem at once.

    Parameters
    ----------
    question
        The question put (non-empty text, at most 500 characters).
    method
        One of :data:`METHODS`.
    options
        2 to :data:`MAX_OPTIONS` options: a label, or a mapping with ``label`` and
        optionally ``kind`` (:data:`OPTION_KINDS`) and ``ref``. Labels differ.
    criteria
        Labels; for AHP none or 2 to :data:`MAX_OPTIONS` (other methods show them only).
    participants
        Mappings with ``user``, optionally ``role`` (:data:`PARTICIPANT_ROLES`, default
        expert) and ``weight`` (0 < w <= :data:`MAX_WEIGHT`, default 1); each user once.

    Raises
    ------
    DataError
        Naming the field (``question``, ``method``, ``options``, ``criteria``,
        ``participants``), the row (from 1) and the value.
    """
    problems: list[Problem] = []
    q = _text(question)
    if q is None or len(q) > 500:
        problems.append(Problem("required: the question, 1 to 500 characters",
                                field="question", value=question))
    if method not in METHODS:
        problems.append(Problem(f"one of {', '.join(METHODS)}", field="method", value=method))
    opts: list[Option] = []
    for row, raw in enumerate(options, start=1):
        spec = {"label": raw} if isinstance(raw, str) else raw
        if not isinstance(spec, Mapping):
            problems.append(Problem("an option is a label", field="options", row=row,
                                    value=raw))
            continue
        label, kind = _text(spec.get("label")), spec.get("kind", "text")
        if label is None or len(label) > 200:
            problems.append(Problem("required: a label of 1 to 200 characters",
                                    field="options", row=row, value=spec.get("label")))
        elif any(o.label == label for o in opts):
            problems.append(Problem("two options with the same label", field="options",
                                    row=row, value=label))
        if kind not in OPTION_KINDS:
            problems.append(Problem(f"kind: one of {', '.join(OPTION_KINDS)}", field="options",
                                    row=row, value=kind))
        opts.append(Option(f"o{row}", label or "", kind, spec.get("ref")))
    if not 2 <= len(opts) <= MAX_OPTIONS:
        problems.append(Problem(f"2 to {MAX_OPTIONS} options", field="options",
                                value=len(opts)))
    crits: list[Criterion] = []
    for row, raw in enumerate(criteria, start=1):
        label = _text(raw)
        if label is None or len(label) > 200:
            problems.append(Problem("required: a label of 1 to 200 characters",
                                    field="criteria", row=row, value=raw))
        elif any(c.label == label for c in crits):
            problems.append(Problem("two criteria with the same label", field="criteria",
                                    row=row, value=label))
        crits.append(Criterion(f"c{row}", label or ""))
    if len(crits) > MAX_OPTIONS or (method == "ahp" and len(crits) == 1):
        problems.append(Problem(f"none, or 2 to {MAX_OPTIONS} criteria", field="criteria",
                                value=len(crits)))
    people: list[Participant] = []
    for row, raw in enumerate(participants, start=1):
        if not isinstance(raw, Mapping):
            problems.append(Problem("a participant has a user, a role and a weight",
                                    field="participants", row=row, value=raw))
            continue
        user, role, weight = _text(raw.get("user")), raw.get("role", "expert"), \
            raw.get("weight", 1.0)
        if user is None:
            problems.append(Problem("required: the user's name", field="participants",
                                    row=row, value=raw.get("user")))
        elif any(p.user == user for p in people):
            problems.append(Problem("listed twice", field="participants", row=row, value=user))
        if role not in PARTICIPANT_ROLES:
            problems.append(Problem(f"role: one of {', '.join(PARTICIPANT_ROLES)}",
                                    field="participants", row=row, value=role))
        if not _weight_ok(weight):
            problems.append(Problem(f"weight: a number above 0, at most {MAX_WEIGHT:g}",
                                    field="participants", row=row, value=weight))
        people.append(Participant(user or "", role,
                                  float(weight) if _weight_ok(weight) else 1.0))
    if problems:
        raise DataError("The decision session is not valid.", problems)
    return Spec(q, method, tuple(opts), tuple(crits), tuple(people))  # type: ignore[arg-type]


def _refuse(message: str, rule: str, field: str, value: Any) -> DataError:
    return DataError(message, [Problem(rule, field=field, value=value)])


def advance(state: str, action: str, *, method: str, round_: int,
            ballots_in_round: int = 0) -> Step:
    """Check one step of a session's lifecycle.

    Raises
    ------
    DataError
        ``state`` unknown (field ``state``); ``action`` not allowed from it, ``next_round``
        for a method other than Delphi or before anyone rated in the round (field
        ``action``).
    """
    if state not in STATES:
        raise _refuse("Unknown session state.", f"one of {', '.join(STATES)}", "state", state)
    if action == "open" and state == "draft":
        return Step("open", "draft", "open", 1)
    if action == "close" and state == "open":
        return Step("close", "open", "closed", round_)
    if action == "next_round" and state == "open":
        if method != "delphi":
            raise _refuse("Only a Delphi session has rounds.", f"not for method '{method}'",
                          "action", action)
        if ballots_in_round < 1:
            raise _refuse("Nobody has rated in this round yet.",
                          f"round {round_} has no ratings", "action", action)
        return Step("next_round", "open", "open", round_ + 1)
    allowed = {"draft": "open", "open": "next_round (Delphi), close",
               "closed": "nothing (a closed session is final)"}[state]
    if action not in ACTIONS:
        raise _refuse("Unknown step.", f"one of {', '.join(ACTIONS)}", "action", action)
    raise _refuse(f"A session that is '{state}' cannot do this.",
                  f"from '{state}' only: {allowed}", "action", action)


def check_open(state: str) -> None:
    """Refuse a ballot unless the session is open.

    Raises
    ------
    DataError
        Field ``session``: not open yet, or closed (voting ended).
    """
    if state == "draft":
        raise _refuse("The session is not open yet.", "voting has not started", "session",
                      state)
    if state != "open":
        raise _refuse("The session is closed: voting has ended.", "no ballot after closing",
                      "session", state)


def _ids(value: object, options: Sequence[str], field: str, problems: list[Problem], *,
         minimum: int = 1) -> list[str]:
    if not isinstance(value, list | tuple) or len(value) < minimum:
        problems.append(Problem(f"a list of at least {minimum} option(s)", field=field,
                                value=value))
        return []
    out = []
    for v in value:
        if v not in options:
            problems.append(Problem(f"not an option (options: {', '.join(options)})",
                                    field=field, value=v))
        elif v in out:
            problems.append(Problem("named twice", field=field, value=v))
        else:
            out.append(v)
    return out


def check_ballot(method: str, ballot: object, *, options: Sequence[str],
                 criteria: Sequence[str] = ()) -> dict:
    """One participant's ballot for ``method``, checked and normalised (see the module's
    table of ballot shapes).

    Raises
    ------
    DataError
        Every problem, naming the field and the value: a missing or extra field, an
        unknown option, an option twice, a bad matrix (not square, not reciprocal, zero
        or negative, naming the matrix, row and column) or rating.
    """
    problems: list[Problem] = []
    if not isinstance(ballot, Mapping):
        raise _refuse("A ballot is a mapping.", "not a mapping", "ballot", ballot)
    need = {"majority": "choice", "approval": "approve", "borda": "ranking",
            "ahp": "matrices", "delphi": "ratings"}.get(method)
    if need is None:
        raise _refuse("Unknown method.", f"one of {', '.join(METHODS)}", "method", method)
    for extra in sorted(set(ballot) - {need}):
        problems.append(Problem(f"not a field of a {method} ballot (only '{need}')",
                                field=str(extra), value=ballot[extra]))
    value = ballot.get(need)
    out: dict[str, Any] = {}
    if method == "majority":
        if value not in options:
            problems.append(Problem(f"required: one option (options: {', '.join(options)})",
                                    field="choice", value=value))
        out["choice"] = value
    elif method in ("approval", "borda"):
        out[need] = _ids(value, options, need, problems)
    elif method == "delphi":
        try:
            out["ratings"] = _delphi.check_ratings(options, value, source="ratings")
        except DataError as exc:
            problems += exc.problems
    else:
        out["matrices"] = _check_matrices(value, options, criteria, problems)
    if problems:
        raise DataError(f"The {method} ballot is not valid.", problems)
    return out


def _check_matrices(value: object, options: Sequence[str], criteria: Sequence[str],
                    problems: list[Problem]) -> dict:
    names = ["criteria", *criteria] if criteria else ["options"]
    if not isinstance(value, Mapping):
        problems.append(Problem(f"matrices named {', '.join(names)}", field="matrices",
                                value=value))
        return {}
    out = {}
    for extra in sorted(set(value) - set(names)):
        problems.append(Problem(f"not a matrix of this session ({', '.join(names)})",
                                field="matrices", value=extra))
    for name in names:
        if name not in value:
            problems.append(Problem("missing", field="matrices", value=name))
            continue
        size = len(criteria) if name == "criteria" else len(options)
        try:
            a = _ahp.check_matrix(value[name], source=f"matrix {name}")
        except DataError as exc:
            problems += exc.problems
            continue
        if a.shape[0] != size:
            problems.append(Problem(f"compares {a.shape[0]} items; this session has {size}",
                                    file=f"matrix {name}", value=a.shape[0]))
            continue
        out[name] = a.tolist()
    return out


def ahp_checks(ballot: Mapping) -> dict[str, _ahp.AHPResult]:
    """Each matrix of a checked AHP ballot -> its priorities and consistency (what the
    participant is shown, with a prompt to revise those whose CR is above 0.1)."""
    return {name: _ahp.ahp(m, source=f"matrix {name}")
            for name, m in ballot["matrices"].items()}


def choices_of(method: str, ballot: Mapping) -> tuple[str, ...]:
    """A checked voting ballot as the option ids in order of preference (what
    :mod:`command.decision.voting` counts)."""
    if method == "majority":
        return (ballot["choice"],)
    return tuple(ballot["approve" if method == "approval" else "ranking"])
