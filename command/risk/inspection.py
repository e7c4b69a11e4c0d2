"""Self-inspection (企业自查): score a filled-in checklist into a proposed grade with its
working shown, list a measure for every failed item, and the lifecycle of a submission.

Scoring, the project's own documented rule on top of the LS matrix (docs/risk.md):

- the likelihood L comes from the weighted share of failed controls among those that
  apply: 0 -> 1, up to 10 % -> 2, up to 25 % -> 3, up to 50 % -> 4, above -> 5 (more
  failed controls, more likely an accident);
- the severity S is the industry's inherent severity, raised to the severity of the
  worst failed control;
- R = L x S and its colour by the LS bands of :mod:`command.risk.ls`.

Lifecycle (a pure state machine): ``submitted`` -> ``confirmed`` (the supervisor
accepts the proposed grade), ``regraded`` (the supervisor sets another grade, with a
reason) or ``returned`` (back to the enterprise, with a reason; it submits anew). Only
confirmed or regraded inspections enter the register.

Owns: scoring and the allowed transitions. Must not: touch the store or know who is
logged in (the application layer checks the role and writes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from command.errors import DataError, Problem
from command.risk.checklists import Checklist
from command.risk.ls import ls_grade

__all__ = ["ANSWERS", "Measure", "Proposal", "score", "STATES", "TRANSITIONS", "next_state",
           "likelihood_of_share", "LIKELIHOOD_STEPS"]

#: What an item may be answered.
ANSWERS = ("pass", "fail", "na")

#: (upper bound of the failed weight share, L): the first step whose bound the share does
#: not exceed gives L.
LIKELIHOOD_STEPS: tuple[tuple[float, int], ...] = ((0.0, 1), (0.10, 2), (0.25, 3), (0.50, 4),
                                                    (1.0, 5))


@dataclass(frozen=True)
class Measure:
    """The improvement to make for one failed item."""

    item_id: str
    text_zh: str
    text_en: str
    measure_zh: str
    measure_en: str
    severity: int
    basis: str


@dataclass(frozen=True)
class Proposal:
    """A scored self-inspection: the grade proposed and how it was reached."""

    industry: str
    answered: int
    failed: tuple[str, ...]
    failed_weight: int
    applicable_weight: int
    likelihood: int
    severity: int
    r: int
    colour: str
    measures: tuple[Measure, ...]

    @property
    def failed_share(self) -> float:
        return self.failed_weight / self.applicable_weight if self.applicable_weight else 0.0

    def working(self) -> dict:
        """The method's working, as stored with the grade (JSON data)."""
        return {"method": "ls", "rule": "self-inspection", "industry": self.industry,
                "failed": list(self.failed), "failed_weight": self.failed_weight,
                "applicable_weight": self.applicable_weight,
                "failed_share": round(self.failed_share, 4), "L": self.likelihood,
                "S": self.severity, "R": self.r, "colour": self.colour}


def likelihood_of_share(share: float) -> int:
    """L (1-5) of a failed weight share in [0, 1] (see :data:`LIKELIHOOD_STEPS`)."""
    for bound, level in LIKELIHOOD_STEPS:
        if share <= bound:
            return level
    return LIKELIHOOD_STEPS[-1][1]


def score(checklist: Checklist, answers: Mapping[str, str]) -> Proposal:
    """Score ``answers`` (item id -> ``pass`` | ``fail`` | ``na``) on ``checklist``.

    Raises
    ------
    DataError
        Every problem at once: an item of another checklist (or industry), an answer
        that is not one of :data:`ANSWERS`, an item left unanswered, or nothing that
        applies.
    """
    problems = []
    known = {i.id for i in checklist.items}
    for item_id, answer in answers.items():
        if item_id not in known:
            problems.append(Problem(f"not an item of the {checklist.industry} checklist",
                                    field=f"answers.{item_id}", value=answer))
        elif answer not in ANSWERS:
            problems.append(Problem(f"answer one of: {', '.join(ANSWERS)}",
                                    field=f"answers.{item_id}", value=answer))
    for item in checklist.items:
        if item.id not in answers:
            problems.append(Problem("every item needs an answer", field=f"answers.{item.id}",
                                    value=None))
    if not problems and all(a == "na" for a in answers.values()):
        problems.append(Problem("no item applies: nothing to grade", field="answers",
                                value="na"))
    if problems:
        raise DataError(f"the {checklist.industry} self-inspection cannot be scored", problems)
    failed = [i for i in checklist.items if answers[i.id] == "fail"]
    applicable = sum(i.weight for i in checklist.items if answers[i.id] != "na")
    failed_weight = sum(i.weight for i in failed)
    likelihood = likelihood_of_share(failed_weight / applicable)
    severity = max([checklist.inherent_severity] + [i.severity for i in failed])
    grade = ls_grade(likelihood, severity)
    measures = tuple(Measure(i.id, i.text.zh, i.text.en, i.measure.zh, i.measure.en,
                             i.severity, i.basis)
                     for i in sorted(failed, key=lambda i: (-i.severity, i.id)))
    return Proposal(checklist.industry, sum(a != "na" for a in answers.values()),
                    tuple(i.id for i in failed), failed_weight, applicable, likelihood,
                    severity, int(likelihood * severity), grade.colour, measures)


# --- lifecycle ------------------------------------------------------------------------------

STATES = ("submitted", "confirmed", "regraded", "returned")
#: (state, action) -> next state.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("submitted", "confirm"): "confirmed",
    ("submitted", "regrade"): "regraded",
    ("submitted", "return"): "returned",
}


def next_state(state: str, action: str) -> str:
    """The state after ``action`` on a submission in ``state``.

    Raises
    ------
    DataError
        For an action not allowed in that state (naming both).
    """
    nxt = TRANSITIONS.get((state, action))
    if nxt is None:
        allowed = [a for (s, a) in TRANSITIONS if s == state]
        raise DataError("this step is not allowed now", [Problem(
            f"a {state} self-inspection can only be: {', '.join(allowed) or 'nothing more'}",
            field="action", value=action)])
    return nxt
