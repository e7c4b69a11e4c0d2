"""The result of a closed session, one shape for every method, with its diagnostics.

* voting (majority, approval, Borda): the :mod:`.voting` count with participants'
  weights; diagnostics: the winner's share and whether it is a true majority, whether
  the tie rule decided, the Condorcet winner of the same ballots (for Borda: it may
  differ), and Kendall's W of the ballots read as rankings (named options above the rest,
  the rest tied).
* AHP: each matrix is the weighted geometric mean of the participants' matrices; the
  options' global priorities are the criteria's priorities times the options' under each
  criterion (or the one options matrix without criteria); diagnostics: each group
  matrix's CR, each participant's largest CR, who was above 0.1, and Kendall's W of the
  participants' own priorities.
* Delphi: the last round's medians rank the options (:func:`.delphi.rank`); diagnostics:
  each round's anonymous feedback, consensus per option, and Kendall's W of the last
  round's ratings.

Owns: combining ballots into an :class:`Outcome`. Must not: check ballots (they come
checked, see :mod:`.session`) or know who may see what.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from command.decision import agreement, delphi, voting
from command.decision import ahp as _ahp
from command.decision.session import choices_of

__all__ = ["Outcome", "outcome"]


@dataclass(frozen=True)
class Outcome:
    """A session's result: ``scores`` by option id (votes, points, priorities or median
    ratings), ``ranking`` best first, ``tied`` the options sharing the top (more than one:
    the tie rule decided), ``winner`` None when nothing was cast."""

    method: str
    winner: str | None
    ranking: tuple[str, ...]
    scores: dict[str, float]
    tied: tuple[str, ...]
    ballots: int
    diagnostics: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"method": self.method, "winner": self.winner, "ranking": list(self.ranking),
                "scores": dict(self.scores), "tied": list(self.tied),
                "tie_broken": len(self.tied) > 1, "ballots": self.ballots,
                "diagnostics": self.diagnostics}


def _w(concordance) -> dict | None:
    return None if concordance is None else concordance.to_dict()


def _top(options: Sequence[str], scores: Mapping[str, float]) -> tuple[tuple[str, ...],
                                                                       tuple[str, ...]]:
    order = {o: i for i, o in enumerate(options)}
    key = {o: round(scores[o], 9) for o in options}
    ranking = tuple(sorted(options, key=lambda o: (-key[o], order[o])))
    return ranking, tuple(o for o in ranking if key[o] == key[ranking[0]])


def outcome(method: str, options: Sequence[str], *, ballots: Mapping[str, Mapping],
            weights: Mapping[str, float] | None = None, criteria: Sequence[str] = (),
            rounds: Sequence[Mapping[str, Mapping]] = ()) -> Outcome:
    """Count a session.

    Parameters
    ----------
    method
        One of :data:`command.decision.session.METHODS`.
    options, criteria
        Ids in the session's order.
    ballots
        user -> checked ballot (the last round's for Delphi).
    weights
        user -> weight (missing: 1). Not used by Delphi.
    rounds
        Delphi only: every round's ballots, first to last (the last equals ``ballots``).
    """
    options = list(options)
    weights = weights or {}
    users = sorted(ballots)
    if method in voting.VOTING_METHODS:
        cast = [voting.Ballot(u, choices_of(method, ballots[u]), float(weights.get(u, 1.0)))
                for u in users]
        tally = {"majority": voting.majority, "approval": voting.approval,
                 "borda": voting.borda}[method](options, cast)
        diag = {"share": tally.share, "majority": tally.is_majority,
                "weight_cast": tally.weight_cast,
                "condorcet_winner": voting.condorcet_winner(options, cast),
                "agreement": _w(agreement.kendall_w(agreement.choice_ranks(options,
                                                               [b.choices for b in cast])))}
        return Outcome(method, tally.winner, tally.ranking, dict(tally.scores), tally.tied,
                       tally.ballots, diag)
    if method == "ahp":
        return _ahp_outcome(options, list(criteria), ballots, users, weights)
    if method == "delphi":
        return _delphi_outcome(options, ballots, rounds or [ballots])
    raise ValueError(f"unknown method {method!r}")


def _global(options: Sequence[str], criteria: Sequence[str],
            results: Mapping[str, _ahp.AHPResult]) -> np.ndarray:
    if not criteria:
        return np.array(results["options"].weights)
    wc = results["criteria"].weights
    return sum(wc[k] * np.array(results[c].weights) for k, c in enumerate(criteria))


def _ahp_outcome(options, criteria, ballots, users, weights) -> Outcome:
    if not users:
        return Outcome("ahp", None, tuple(options), {o: 0.0 for o in options}, (), 0,
                       {"group": {}, "participants": {}, "inconsistent": [],
                        "agreement": None})
    names = ["criteria", *criteria] if criteria else ["options"]
    w = [float(weights.get(u, 1.0)) for u in users]
    group = {name: _ahp.ahp(_ahp.group_matrix([ballots[u]["matrices"][name] for u in users],
                                              w, source=f"matrix {name}"),
                            source=f"matrix {name}")
             for name in names}
    g = _global(options, criteria, group)
    scores = {o: float(g[k]) for k, o in enumerate(options)}
    ranking, tied = _top(options, scores)
    own, rows, inconsistent = {}, [], []
    for u in users:
        res = {name: _ahp.ahp(ballots[u]["matrices"][name]) for name in names}
        worst = max(r.cr for r in res.values())
        own[u] = {"max_cr": worst, "consistent": worst <= _ahp.CR_LIMIT}
        if worst > _ahp.CR_LIMIT:
            inconsistent.append(u)
        rows.append(agreement.ranks(list(_global(options, criteria, res))))
    diag = {"group": {name: {"weights": list(r.weights), "lambda_max": r.lambda_max,
                             "ci": r.ci, "cr": r.cr, "consistent": r.consistent}
                      for name, r in group.items()},
            "criteria_weights": (dict(zip(criteria, group["criteria"].weights))
                                 if criteria else None),
            "participants": own, "inconsistent": inconsistent,
            "agreement": _w(agreement.kendall_w(rows))}
    return Outcome("ahp", ranking[0], ranking, scores, tied, len(users), diag)


def _delphi_outcome(options, ballots, rounds) -> Outcome:
    per_round = [delphi.feedback(options, [b["ratings"] for b in r.values()]) for r in rounds]
    last = per_round[-1]
    ranking = delphi.rank(options, last)
    by = {f.option: f for f in last}
    scores = {o: (by[o].median if by[o].median is not None else 0.0) for o in options}
    top = by[ranking[0]]
    tied = tuple(o for o in ranking if by[o].median == top.median and by[o].iqr == top.iqr) \
        if ballots else ()
    rows = [agreement.ranks([b["ratings"][o] for o in options]) for b in ballots.values()]
    diag = {"rounds": [[f.to_dict() for f in fb] for fb in per_round],
            "consensus": {f.option: f.consensus for f in last},
            "agreement": _w(agreement.kendall_w(rows))}
    return Outcome("delphi", ranking[0] if ballots else None, ranking, scores, tied,
                   len(ballots), diag)
