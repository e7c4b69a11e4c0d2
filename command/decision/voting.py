"""Weighted voting: majority (plurality of first choices), approval and Borda count, and
the pairwise majorities behind a Condorcet winner.

A ballot names options by id, in order of preference: ``choices``. Each method reads it
its own way, so one set of ballots can be counted by all three (and the results compared):

* **majority**: the first choice scores the voter's weight. The winner has the most; the
  result says whether that is a true majority (more than half the weight cast).
* **approval**: every option named scores the voter's weight (order does not matter).
* **Borda count**: with n options, the option ranked k-th (from 0) scores ``n - 1 - k``
  times the weight; options a ballot leaves out score 0 on it (a partial ranking ranks
  what it names above everything else, and says nothing among the rest).

**Tie rule** (every method): options with equal scores keep the order in which the
options were listed (the chair's order, or the file's), so the result is always the
same for the same input; :attr:`Tally.tied` lists every option sharing the top score,
and when it holds more than one the chair knows the winner was decided by that order and
may decide otherwise. Scores are compared after rounding to 9 decimals, so weights such
as 0.1 + 0.2 tie with 0.3.

Owns: checking ballots against the options and counting them. Must not: know who may
vote or when (see :mod:`command.decision.session`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from command.errors import DataError, Problem

__all__ = ["VOTING_METHODS", "Ballot", "Tally", "check_ballots", "count", "majority",
           "approval", "borda", "pairwise", "condorcet_winner"]

VOTING_METHODS: tuple[str, ...] = ("majority", "approval", "borda")

_DECIMALS = 9


@dataclass(frozen=True)
class Ballot:
    """One voter's ballot: ``choices`` are option ids in order of preference."""

    voter: str
    choices: tuple[str, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class Tally:
    """The count of one method.

    ``scores`` maps every option (in the options' order) to its points; ``ranking`` is
    best first (ties in the options' order); ``tied`` the options sharing the top score;
    ``winner`` None when nothing was cast. ``share`` is the winner's score over the
    weight cast (for majority: more than 0.5 is a true majority).
    """

    method: str
    scores: dict[str, float]
    ranking: tuple[str, ...]
    winner: str | None
    tied: tuple[str, ...]
    ballots: int
    weight_cast: float
    share: float | None

    @property
    def is_majority(self) -> bool:
        """Whether the winner holds more than half of the weight cast."""
        return self.share is not None and self.share > 0.5

    def to_dict(self) -> dict:
        return {"method": self.method, "scores": dict(self.scores),
                "ranking": list(self.ranking), "winner": self.winner,
                "tied": list(self.tied), "tie_broken": len(self.tied) > 1,
                "ballots": self.ballots, "weight_cast": self.weight_cast,
                "share": self.share, "majority": self.is_majority}


def check_ballots(options: Sequence[str], ballots: Sequence[object], *,
                  source: str = "ballots") -> tuple[Ballot, ...]:
    """Ballots from plain data (mappings with ``voter``, ``choices`` and optionally
    ``weight``, or :class:`Ballot`), checked against ``options``.

    Raises
    ------
    DataError
        Every problem at once, naming the ballot (row, from 1), the field and the value:
        no options or a repeated option id, a voter missing or voting twice, no choice, a
        choice that is not an option or named twice, a weight that is not a positive
        number.
    """
    problems: list[Problem] = []
    known = list(options)
    if not known:
        problems.append(Problem("no options to vote on", file=source, field="options"))
    for o in sorted({o for o in known if known.count(o) > 1}):
        problems.append(Problem("option listed twice", file=source, field="options", value=o))
    out: list[Ballot] = []
    voters: set[str] = set()
    for row, raw in enumerate(ballots, start=1):
        if isinstance(raw, Ballot):
            raw = {"voter": raw.voter, "choices": list(raw.choices), "weight": raw.weight}
        if not isinstance(raw, Mapping):
            problems.append(Problem("a ballot is a mapping with voter and choices",
                                    file=source, row=row, value=raw))
            continue
        where = dict(file=source, row=row)
        for extra in sorted(set(raw) - {"voter", "choices", "weight"}):
            problems.append(Problem("not a field of a ballot (voter, choices, weight)",
                                    field=extra, value=raw[extra], **where))
        voter = raw.get("voter")
        if not isinstance(voter, str) or not voter.strip():
            problems.append(Problem("required: the voter's name", field="voter", value=voter,
                                    **where))
        elif voter in voters:
            problems.append(Problem("this voter has a ballot already", field="voter",
                                    value=voter, **where))
        else:
            voters.add(voter)
        weight = raw.get("weight", 1.0)
        if isinstance(weight, bool) or not isinstance(weight, int | float) \
                or not math.isfinite(weight) or weight <= 0:
            problems.append(Problem("a weight is a positive number", field="weight",
                                    value=weight, **where))
        choices = raw.get("choices")
        if isinstance(choices, str):
            choices = [choices]
        if not isinstance(choices, Sequence) or not choices:
            problems.append(Problem("required: at least one option", field="choices",
                                    value=choices, **where))
            continue
        seen: set = set()
        for c in choices:
            if c not in known:
                problems.append(Problem(f"not an option (options: {', '.join(map(str, known))})",
                                        field="choices", value=c, **where))
            elif c in seen:
                problems.append(Problem("option named twice on one ballot", field="choices",
                                        value=c, **where))
            seen.add(c)
        out.append(Ballot(str(voter), tuple(choices), float(weight)
                          if isinstance(weight, int | float) else 1.0))
    if problems:
        raise DataError("The ballots cannot be counted.", problems)
    return tuple(out)


def _tally(method: str, options: Sequence[str], scores: dict[str, float],
           ballots: Sequence[Ballot], share_of: float | None) -> Tally:
    order = {o: i for i, o in enumerate(options)}
    key = {o: round(s, _DECIMALS) for o, s in scores.items()}
    ranking = tuple(sorted(options, key=lambda o: (-key[o], order[o])))
    cast = float(sum(b.weight for b in ballots))
    if not ballots:
        return Tally(method, scores, ranking, None, (), 0, 0.0, None)
    top = key[ranking[0]]
    tied = tuple(o for o in ranking if key[o] == top)
    share = None if share_of is None else (scores[ranking[0]] / share_of if share_of else None)
    return Tally(method, scores, ranking, ranking[0], tied, len(ballots), cast, share)


def majority(options: Sequence[str], ballots: Sequence[Ballot]) -> Tally:
    """Weighted plurality of first choices; ``share`` is the winner's share of the
    weight cast (a true majority above 0.5). Ballots as :func:`check_ballots` gives."""
    scores = {o: 0.0 for o in options}
    for b in ballots:
        scores[b.choices[0]] += b.weight
    return _tally("majority", options, scores, ballots, sum(b.weight for b in ballots))


def approval(options: Sequence[str], ballots: Sequence[Ballot]) -> Tally:
    """Weighted approval: each option named scores the voter's weight; ``share`` is the
    winner's approval over the weight cast."""
    scores = {o: 0.0 for o in options}
    for b in ballots:
        for c in set(b.choices):
            scores[c] += b.weight
    return _tally("approval", options, scores, ballots, sum(b.weight for b in ballots))


def borda(options: Sequence[str], ballots: Sequence[Ballot]) -> Tally:
    """Weighted Borda count: rank k (from 0) scores ``n - 1 - k`` times the weight,
    options left off a ballot 0; ``share`` is the winner's points over the most any
    option could have had (``(n - 1)`` times the weight cast)."""
    n = len(options)
    scores = {o: 0.0 for o in options}
    for b in ballots:
        for k, c in enumerate(b.choices):
            scores[c] += (n - 1 - k) * b.weight
    most = (n - 1) * sum(b.weight for b in ballots)
    return _tally("borda", options, scores, ballots, most)


_METHODS = {"majority": majority, "approval": approval, "borda": borda}


def count(method: str, options: Sequence[str], ballots: Sequence[object], *,
          source: str = "ballots") -> Tally:
    """Check ``ballots`` (plain data) against ``options`` and count them by ``method``.

    Raises
    ------
    DataError
        For an unknown method (field ``method``) or bad ballots (as :func:`check_ballots`).
    """
    if method not in _METHODS:
        raise DataError("Unknown voting method.",
                        [Problem(f"one of {', '.join(VOTING_METHODS)}", field="method",
                                 value=method)])
    return _METHODS[method](list(options), check_ballots(options, ballots, source=source))


def pairwise(options: Sequence[str], ballots: Sequence[Ballot]) -> dict[tuple[str, str], float]:
    """(a, b) -> the weight of the ballots that rank ``a`` above ``b`` (an option named
    on a ballot is above every option it leaves out; two left out are not compared)."""
    out = {(a, b): 0.0 for a in options for b in options if a != b}
    for ballot in ballots:
        pos = {c: k for k, c in enumerate(ballot.choices)}
        for a in options:
            for b in options:
                if a != b and a in pos and pos[a] < pos.get(b, math.inf):
                    out[(a, b)] += ballot.weight
    return out


def condorcet_winner(options: Sequence[str], ballots: Sequence[Ballot]) -> str | None:
    """The option that beats every other in a pairwise majority, or None (a cycle or a
    pairwise tie, or no ballots)."""
    if not ballots:
        return None
    p = pairwise(options, ballots)
    for a in options:
        if all(round(p[(a, b)], _DECIMALS) > round(p[(b, a)], _DECIMALS)
               for b in options if b != a):
            return a
    return None
