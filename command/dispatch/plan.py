"""Plans as data: what the optimiser proposes and the commander decides on.

A :class:`Plan` gathers the assignments (with their reasons), the unmet demand, and
room for material allocations, delivery routes and move-ups, with the solver's status
and objective values and the seed. It is immutable and converts to and from JSON data
(:meth:`Plan.to_dict`, :meth:`Plan.from_dict`) without loss, so the store can keep it and
the screen can show it. :func:`apply_decision` returns the plan as decided: approved,
rejected, or modified (units swapped, removed or added) after checking that a swap keeps
the capability and no unit is used twice. Writing the decision to the store and the
audit log is ``command.store.plans``'s job, not this module's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from command.dispatch import _assign_core as core
from command.dispatch._assign_explain import explain_assignments, explain_shortfalls
from command.dispatch.assign import Assignment, AssignmentProblem, AssignmentResult, Shortfall
from command.dispatch.reasons import Reason, reason
from command.errors import DataError, Problem

__all__ = ["PLAN_STATUSES", "DECISIONS", "Explanation", "Plan", "plan_from_assignment",
           "apply_decision"]

PLAN_STATUSES: tuple[str, ...] = ("proposed", "approved", "modified", "rejected")
#: Decision -> the status it leads to (the same words as ``command.store.plans``).
DECISIONS: Mapping[str, str] = {"approve": "approved", "modify": "modified", "reject": "rejected"}
_CHANGE_KINDS = ("replace", "remove", "add")


@dataclass(frozen=True)
class Explanation:
    """A plan-level sentence for the screen: ``subject`` is ``"plan"``, an incident id
    or ``"zone:<id>"``; ``reason_code`` and ``reason_params`` are the
    :class:`~command.dispatch.Reason` it was rendered from (empty in plans stored before
    reasons had codes)."""

    subject: str
    text_zh: str
    text_en: str
    reason_code: str = field(default="", compare=False)
    reason_params: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, subject: str, why: Reason) -> Explanation:
        return cls(subject, why.render("zh"), why.render("en"), why.code, dict(why.params))


@dataclass(frozen=True)
class Plan:
    """One dispatch plan.

    Attributes
    ----------
    created_at : datetime
        Timezone-aware.
    incident_ids : tuple of str
    assignments : tuple of Assignment
    shortfalls : tuple of Shortfall
        Demand not met, with mutual-aid options.
    allocations, routes, moves : tuple of mapping
        Material allocations, delivery routes and move-ups as JSON data (empty until
        those optimisers fill them).
    explanations : tuple of Explanation
    solver_status : str
        ``OPTIMAL``, ``FEASIBLE`` or ``FALLBACK`` (see ``AssignmentResult``).
    method : str
    objective : mapping of str to float or None
        ``objective_s``, ``bound_s``, ``first_arrival_s``, ``full_complement_s``,
        ``coverage_s``, ``served_weight``, ``demand_weight``, ``seconds``.
    seed : int
    status : str
        One of :data:`PLAN_STATUSES`.
    changes : mapping, optional
        The modification applied, as given to :func:`apply_decision`.
    plan_id : int, optional
        The store's id once saved.
    """

    created_at: datetime
    incident_ids: tuple[str, ...]
    assignments: tuple[Assignment, ...]
    shortfalls: tuple[Shortfall, ...] = ()
    allocations: tuple[Mapping[str, Any], ...] = ()
    routes: tuple[Mapping[str, Any], ...] = ()
    moves: tuple[Mapping[str, Any], ...] = ()
    explanations: tuple[Explanation, ...] = ()
    solver_status: str = "FEASIBLE"
    method: str = ""
    objective: Mapping[str, float | None] = field(default_factory=dict)
    seed: int = 0
    status: str = "proposed"
    changes: Mapping[str, Any] | None = None
    plan_id: int | None = None

    def to_dict(self) -> dict:
        """JSON data (str, int, float, bool, None, lists, dicts); ``created_at`` in ISO
        8601 with its offset."""
        return {
            "plan_id": self.plan_id,
            "created_at": self.created_at.isoformat(),
            "incident_ids": list(self.incident_ids),
            "assignments": [asdict(a) for a in self.assignments],
            "shortfalls": [{**asdict(s), "aid_options": [list(o) for o in s.aid_options]}
                           for s in self.shortfalls],
            "allocations": [dict(x) for x in self.allocations],
            "routes": [dict(x) for x in self.routes],
            "moves": [dict(x) for x in self.moves],
            "explanations": [asdict(e) for e in self.explanations],
            "solver_status": self.solver_status,
            "method": self.method,
            "objective": dict(self.objective),
            "seed": self.seed,
            "status": self.status,
            "changes": None if self.changes is None else dict(self.changes),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        """The plan written by :meth:`to_dict`.

        Raises
        ------
        DataError
            Naming the missing or malformed field.
        """
        def need(key: str) -> Any:
            if key not in data:
                raise DataError("not a plan", [Problem("is missing", file="plan", field=key)])
            return data[key]

        try:
            created = datetime.fromisoformat(need("created_at"))
        except (TypeError, ValueError):
            raise DataError("not a plan", [Problem("must be an ISO 8601 time", file="plan",
                                                   field="created_at",
                                                   value=data.get("created_at"))]) from None
        try:
            assignments = tuple(Assignment(**a) for a in need("assignments"))
            shortfalls = tuple(
                Shortfall(**{**s, "aid_options": tuple((str(u), float(e))
                                                       for u, e in s["aid_options"])})
                for s in data.get("shortfalls", ()))
            explanations = tuple(Explanation(**e) for e in data.get("explanations", ()))
        except (TypeError, KeyError, ValueError) as exc:
            raise DataError("not a plan", [Problem(f"malformed entry ({exc})", file="plan",
                                                   field="assignments/shortfalls/explanations")]
                            ) from None
        status = data.get("status", "proposed")
        if status not in PLAN_STATUSES:
            raise DataError("not a plan", [Problem(f"must be one of {', '.join(PLAN_STATUSES)}",
                                                   file="plan", field="status", value=status)])
        changes = data.get("changes")
        return cls(
            plan_id=data.get("plan_id"), created_at=created,
            incident_ids=tuple(need("incident_ids")), assignments=assignments,
            shortfalls=shortfalls,
            allocations=tuple(dict(x) for x in data.get("allocations", ())),
            routes=tuple(dict(x) for x in data.get("routes", ())),
            moves=tuple(dict(x) for x in data.get("moves", ())),
            explanations=explanations, solver_status=str(need("solver_status")),
            method=str(data.get("method", "")), objective=dict(data.get("objective", {})),
            seed=int(data.get("seed", 0)), status=status,
            changes=None if changes is None else dict(changes))


def _objective(result_like: Mapping[str, Any]) -> dict[str, float | None]:
    return {k: (None if v is None else float(v) if isinstance(v, float) else v)
            for k, v in result_like.items()}


def _explanations(problem: AssignmentProblem, assignments, shortfalls, uncovered,
                  status: str, seconds: float | None) -> tuple[Explanation, ...]:
    n_inc = len({a.incident_id for a in assignments})
    missing = sum(s.missing for s in shortfalls)
    clauses = [reason("dispatch.plan.sent", units=len(assignments), incidents=n_inc)]
    if missing:
        clauses.append(reason("dispatch.plan.missing", missing=missing))
    if uncovered:
        clauses.append(reason("dispatch.plan.uncovered", pairs=len(uncovered)))
    if seconds is not None:
        clauses.append(reason("dispatch.plan.solver", status=status, seconds=float(seconds)))
    out = [Explanation.of("plan", reason("dispatch.plan.summary", clauses=clauses))]
    out += [Explanation(s.incident_id, s.reason_zh, s.reason_en, s.reason_code,
                        dict(s.reason_params)) for s in shortfalls]
    out += [Explanation.of(f"zone:{z}", reason("dispatch.plan.zone_uncovered", zone=z,
                                                capability=c))
            for z, c in uncovered]
    return tuple(out)


def plan_from_assignment(problem: AssignmentProblem, result: AssignmentResult, *,
                         created_at: datetime | None = None,
                         plan_id: int | None = None) -> Plan:
    """A proposed :class:`Plan` from an assignment result (``created_at`` defaults to
    now, UTC)."""
    created = created_at or datetime.now(UTC)
    objective = _objective({
        "objective_s": result.objective_s, "bound_s": result.bound_s,
        "first_arrival_s": result.first_arrival_s,
        "full_complement_s": result.full_complement_s, "coverage_s": result.coverage_s,
        "served_weight": result.served_weight, "demand_weight": result.demand_weight,
        "seconds": result.seconds})
    return Plan(created_at=created, incident_ids=tuple(problem.incident_ids),
                assignments=result.assignments, shortfalls=result.shortfalls,
                explanations=_explanations(problem, result.assignments, result.shortfalls,
                                           result.uncovered, result.status, result.seconds),
                solver_status=result.status, method=result.method, objective=objective,
                seed=result.seed, plan_id=plan_id)


def _modified(plan: Plan, changes: Mapping[str, Any], problem: AssignmentProblem) -> Plan:
    p = problem
    unit = {u: j for j, u in enumerate(p.unit_ids)}
    inc = {x: i for i, x in enumerate(p.incident_ids)}
    problems: list[Problem] = []
    current = {a.unit_id: a for a in plan.assignments}
    for a in plan.assignments:
        if a.unit_id not in unit or a.incident_id not in inc:
            problems.append(Problem("is not in the problem the plan is checked against",
                                    file="plan", field="assignments",
                                    value=f"{a.unit_id}->{a.incident_id}"))
    if problems:
        raise DataError("the modification cannot be checked", problems)
    to_inc = {a.unit_id: a.incident_id for a in plan.assignments}
    note: dict[str, str | None] = {}

    def check_new(new: Any, incident_id: str, capability: str | None, where: str) -> bool:
        if not isinstance(new, str) or new not in unit:
            problems.append(Problem("no such unit", file="changes", field=where, value=new))
            return False
        before = len(problems)
        if new in to_inc:
            problems.append(Problem(f"unit already goes to {to_inc[new]}: a unit is used once",
                                    file="changes", field=where, value=new))
        cap = p.unit_capability[unit[new]]
        if capability is not None and cap != capability:
            problems.append(Problem(f"is a {cap}, not a {capability}: a swap keeps the "
                                    "capability", file="changes", field=where, value=new))
        if not math.isfinite(float(np.asarray(p.eta_s)[unit[new], inc[incident_id]])):
            problems.append(Problem(f"cannot reach {incident_id}", file="changes", field=where,
                                    value=new))
        return len(problems) == before

    for old, new in dict(changes.get("replace") or {}).items():
        where = f"replace[{old!r}]"
        if old not in current or old not in to_inc:
            problems.append(Problem("is not in the plan", file="changes", field=where, value=old))
            continue
        a = current[old]
        if check_new(new, a.incident_id, a.capability, where):
            del to_inc[old]
            to_inc[new] = a.incident_id
            note[new] = old
    for old in list(changes.get("remove") or []):
        if old not in to_inc:
            problems.append(Problem("is not in the plan", file="changes", field="remove",
                                    value=old))
            continue
        del to_inc[old]
    for j, item in enumerate(list(changes.get("add") or [])):
        where = f"add[{j}]"
        if not isinstance(item, Mapping) or item.get("incident_id") not in plan.incident_ids:
            problems.append(Problem("needs unit_id and one of the plan's incident ids",
                                    file="changes", field=where, value=item))
            continue
        if check_new(item.get("unit_id"), item["incident_id"], None, where):
            to_inc[item["unit_id"]] = item["incident_id"]
            note[item["unit_id"]] = None
    if problems:
        raise DataError("the modification was refused", problems)

    prep = core.prepare(problem)
    arr = np.full(prep.n, -1, dtype=np.int64)
    for u, x in to_inc.items():
        arr[unit[u]] = inc[x]
    score = core.evaluate(prep, arr)
    rows = []
    for r in explain_assignments(prep, arr):
        if r["unit_id"] in note:
            old = note[r["unit_id"]]
            base = Reason(r["reason_code"], r["reason_params"])
            why = (reason("dispatch.plan.replaced", old=old, reason=base) if old
                   else reason("dispatch.plan.added", reason=base))
            r = {**r, **why.fields()}
        rows.append(Assignment(**r))
    shortfalls = tuple(Shortfall(**s) for s in explain_shortfalls(prep, arr))
    uncovered = tuple((p.zone_ids[z], c) for z, c in score.uncovered)
    objective = {**dict(plan.objective), "objective_s": score.objective_s,
                 "first_arrival_s": score.first_s, "full_complement_s": score.full_s,
                 "coverage_s": score.coverage_s, "served_weight": score.served_weight}
    return replace(plan, assignments=tuple(rows), shortfalls=shortfalls, objective=objective,
                   explanations=_explanations(problem, rows, shortfalls, uncovered,
                                              plan.solver_status, None))


def apply_decision(plan: Plan, decision: str, changes: Mapping[str, Any] | None = None, *,
                   problem: AssignmentProblem | None = None) -> Plan:
    """The plan after the commander's decision.

    Parameters
    ----------
    plan : Plan
        A proposed plan.
    decision : {"approve", "modify", "reject"}
    changes : mapping, optional
        For ``modify`` only, in the store's form: ``{"replace": {old_unit_id:
        new_unit_id}, "remove": [unit_id, ...], "add": [{"unit_id": ..., "incident_id":
        ...}, ...]}``.
    problem : AssignmentProblem
        Needed for ``modify``: the units' capabilities and ETAs, to check the change and
        to recompute ETAs, next-best units, reasons, shortfalls and objective values.

    Returns
    -------
    Plan
        With ``status`` approved, modified or rejected and ``changes`` recorded.

    Raises
    ------
    DataError
        If the plan was decided already, the decision is unknown, changes come with a
        decision other than ``modify`` (or are missing for it), or a change is refused: an
        unknown unit, a swap to another capability, a unit used twice, a unit that cannot
        reach the incident. The message names each change refused.
    """
    if decision not in DECISIONS:
        raise DataError("unknown decision", [Problem(f"must be one of {', '.join(DECISIONS)}",
                                                     field="decision", value=decision)])
    if plan.status != "proposed":
        raise DataError(f"the plan was {plan.status} already",
                        [Problem("only a proposed plan can be decided", field="status",
                                 value=plan.status)])
    if decision != "modify":
        if changes:
            raise DataError("changes are only for a modification",
                            [Problem("must be empty unless the decision is modify",
                                     field="changes", value=dict(changes))])
        return replace(plan, status=DECISIONS[decision])
    if not changes:
        raise DataError("a modification needs changes",
                        [Problem("is empty", field="changes", value=changes)])
    unknown = sorted(set(changes) - set(_CHANGE_KINDS))
    if unknown:
        raise DataError("unknown change", [Problem(f"use {', '.join(_CHANGE_KINDS)}",
                                                   field="changes", value=k) for k in unknown])
    if problem is None:
        raise DataError("a modification is checked against the assignment problem",
                        [Problem("is needed for modify", field="problem")])
    modified = _modified(plan, changes, problem)
    return replace(modified, status="modified", changes=_json_changes(changes))


def _json_changes(changes: Mapping[str, Any]) -> dict:
    out: dict[str, Any] = {}
    if changes.get("replace"):
        out["replace"] = {str(k): v for k, v in dict(changes["replace"]).items()}
    if changes.get("remove"):
        out["remove"] = list(changes["remove"])
    if changes.get("add"):
        out["add"] = [dict(a) for a in changes["add"]]
    return out
