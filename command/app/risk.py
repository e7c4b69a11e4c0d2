"""Risk assessment use cases: the register (seeded from the data set's major hazard
sources, filtered, exported), enterprises' self-inspections and their confirmation.

Owns: who a self-inspection belongs to (an enterprise officer inspects only their own
enterprise), turning a confirmed or regraded inspection into a register entry with its
history, and the GB 18218 grade of every major hazard source as its register entry.
Must not: grade by itself (see :mod:`command.risk`) or know about the web.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.engine import Engine

from command import store
from command.errors import DataError, Problem
from command.model import RISK_GRADES, Dataset
from command.risk.checklists import checklist_for, industry_of
from command.risk.gb18218 import find_substance, gb18218_grade
from command.risk.inspection import next_state, score
from command.store import risk as risk_store

__all__ = ["GB18218_COLOUR", "seed_register", "district_outlines", "risk_weighted", "register",
           "history", "register_csv",
           "submit_inspection", "decide_inspection", "inspections", "checklist_of_enterprise"]

#: The register colour of a GB 18218-2018 grade. The standard sets grades, not colours;
#: this mapping (一级 red ... 四级 blue) follows 安委办〔2016〕11号's four levels, most
#: severe first, and is the project's documented choice (docs/risk.md).
GB18218_COLOUR = {1: "red", 2: "orange", 3: "yellow", 4: "blue"}


def _enterprise(dataset: Dataset, enterprise_id: str | None):
    return next((e for e in dataset.enterprises if e.enterprise_id == enterprise_id), None)


def _substance_of(h) -> str:
    """The GB 18218 lookup of a hazard source: its CAS number or Chinese name when Table 1
    lists it, else its hazard class (Table 2 and 4: e.g. kerosene, W5.3)."""
    for query in (h.cas, h.substance_zh, h.hazard_class):
        if query:
            try:
                find_substance(query)
            except DataError:
                continue
            return query
    return h.cas or h.substance_zh  # gb18218_grade then names what is missing


def seed_register(engine: Engine, dataset: Dataset, *, actor: str = "system",
                  now: datetime | None = None) -> int:
    """Enter every major hazard source of the data set into the register, graded by GB
    18218-2018 from its substance, design inventory and the people within 500 m.
    Idempotent: a source whose grade and inputs are unchanged writes nothing. Returns
    how many entries were written."""
    written = 0
    with store.session_scope(engine) as s:
        for h in dataset.hazard_sources:
            grade = gb18218_grade([(_substance_of(h), h.quantity_t)], people=h.people_500m)
            ent = _enterprise(dataset, h.enterprise_id)
            point = {"risk_id": f"RP-{h.hazard_id}", "name_zh": h.name_zh,
                     "name_en": f"{ent.name_en if ent else h.enterprise_id}: {h.substance_en}",
                     "district": ent.district if ent else "", "industry":
                     ent.industry if ent else "", "enterprise_id": h.enterprise_id,
                     "hazard_type": "major_hazard_source", "department": "应急管理局",
                     "responsible": ent.name_zh if ent else h.enterprise_id,
                     "lat": h.lat, "lon": h.lon,
                     "grade": GB18218_COLOUR.get(grade.grade, "blue"),
                     "controls": "", "source": "dataset"}
            _rec, changed = risk_store.upsert_risk_point(
                s, point, method="gb18218", inputs=grade.to_dict(),
                reason="GB 18218-2018 grade of the data set's major hazard source", actor=actor,
                now=now)
            written += changed
    return written


def district_outlines(resources_dir) -> list[dict]:
    """The data set's district outlines (``districts.geojson``, WGS84; see its build
    script) as lines to draw: ``name_zh``, ``name_en``, ``lat`` and ``lon`` lists with
    None between rings. [] when the data set has no outlines."""
    import json
    from pathlib import Path

    path = Path(resources_dir) / "districts.geojson"
    if not path.is_file():
        return []
    out = []
    for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
        lat, lon = [], []
        for poly in f["geometry"]["coordinates"]:
            for ring in poly:
                lon += [p[0] for p in ring] + [None]
                lat += [p[1] for p in ring] + [None]
        out.append({"name_zh": f["properties"]["name"], "name_en": f["properties"]["name_en"],
                    "lat": lat, "lon": lon})
    return out


def risk_weighted(engine: Engine, dataset: Dataset) -> tuple[Dataset, dict]:
    """The data set with its industrial incident rates scaled by the register in the
    store (:func:`command.risk.feeds.risk_weighted_rates`), and what was applied:
    ``points`` (register size) and ``multipliers`` by district."""
    import dataclasses

    from command.risk.feeds import district_multipliers, risk_weighted_rates

    points = register(engine)
    rates = risk_weighted_rates(dataset.incident_rates, points)
    return dataclasses.replace(dataset, incident_rates=rates), {
        "points": len(points), "multipliers": district_multipliers(points)}


def register(engine: Engine, *, district: str | None = None, grade: str | None = None,
             industry: str | None = None, text: str | None = None) -> list:
    """The register, most severe first (see :func:`command.store.risk.list_risk_points`).

    Raises
    ------
    DataError
        For a grade that is not one of the four colours.
    """
    if grade and grade not in RISK_GRADES:
        raise DataError("unknown grade", [Problem(f"one of: {', '.join(RISK_GRADES)}",
                                                  field="grade", value=grade)])
    with store.session_scope(engine, read_only=True) as s:
        return risk_store.list_risk_points(s, district=district, grade=grade,
                                           industry=industry, text=text)


def history(engine: Engine, risk_id: str) -> list:
    """Every grade change of a risk point, oldest first."""
    with store.session_scope(engine, read_only=True) as s:
        risk_store.get_risk_point(s, risk_id)
        return risk_store.grade_history(s, risk_id)


REGISTER_COLUMNS = ("risk_id", "name_zh", "name_en", "district", "industry", "enterprise_id",
                    "hazard_type", "grade", "method", "department", "responsible", "lat",
                    "lon", "updated_at", "updated_by")


def register_csv(points) -> str:
    """Register rows as CSV text (UTF-8 with the columns of :data:`REGISTER_COLUMNS`)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(REGISTER_COLUMNS)
    for p in points:
        w.writerow([getattr(p, c).isoformat() if c == "updated_at" else getattr(p, c)
                    for c in REGISTER_COLUMNS])
    return out.getvalue()


def checklist_of_enterprise(dataset: Dataset, enterprise_id: str):
    """The checklist an enterprise fills in (by its industry).

    Raises
    ------
    DataError
        For an unknown enterprise, or an industry without a checklist.
    """
    ent = _enterprise(dataset, enterprise_id)
    if ent is None:
        raise DataError("unknown enterprise", [Problem("not in the data set",
                                                       field="enterprise_id",
                                                       value=enterprise_id)])
    industry = industry_of(ent.industry)
    if industry is None:
        raise DataError("no checklist for this enterprise's industry",
                        [Problem("no checklist maps to this industry", field="industry",
                                 value=ent.industry)])
    return checklist_for(industry)


def submit_inspection(engine: Engine, dataset: Dataset, user, answers: Mapping[str, str], *,
                      industry: str | None = None, now: datetime | None = None):
    """An enterprise officer submits their enterprise's self-inspection: scored, stored
    as ``submitted`` with its proposal (grade, working, measures), audited as the user.

    ``industry`` (optional) is the checklist the form was filled in on: it must be the
    enterprise's own.

    Raises
    ------
    DataError
        The user belongs to no enterprise; a checklist of another industry; any answer
        problem (see :func:`command.risk.inspection.score`). Nothing is written.
    """
    if not getattr(user, "enterprise_id", None):
        raise DataError("only an enterprise's safety officer submits its self-inspection",
                        [Problem("this user belongs to no enterprise", field="user",
                                 value=user.name)])
    checklist = checklist_of_enterprise(dataset, user.enterprise_id)
    if industry is not None and industry != checklist.industry:
        raise DataError("a checklist of another industry", [Problem(
            f"this enterprise fills in the {checklist.industry} checklist",
            field="industry", value=industry)])
    proposal = score(checklist, dict(answers))
    data = {**proposal.working(), "measures": [m.__dict__ for m in proposal.measures]}
    with store.session_scope(engine) as s:
        return risk_store.add_inspection(s, enterprise_id=user.enterprise_id,
                                         industry=checklist.industry, answers=dict(answers),
                                         proposal=data, proposed_grade=proposal.colour,
                                         actor=user.name, now=now)


def decide_inspection(engine: Engine, dataset: Dataset, inspection_id: int, action: str, *,
                      actor: str, grade: str | None = None, reason: str | None = None,
                      now: datetime | None = None):
    """The supervisor's decision on a submitted self-inspection: ``confirm`` (the
    proposed grade enters the register), ``regrade`` (``grade`` enters it instead, with
    ``reason``) or ``return`` (back to the enterprise, with ``reason``). Register entry,
    its history row and the audit entries are written in one transaction.

    Raises
    ------
    DataError
        A step the lifecycle does not allow now, a regrade without a grade of the four
        colours or without a reason, a return without a reason. Nothing is written.
    """
    problems = []
    if action == "regrade" and grade not in RISK_GRADES:
        problems.append(Problem(f"one of: {', '.join(RISK_GRADES)}", field="grade", value=grade))
    if action in ("regrade", "return") and not (reason or "").strip():
        problems.append(Problem("say why", field="reason", value=reason))
    if problems:
        raise DataError(f"self-inspection {inspection_id} not decided", problems)
    with store.session_scope(engine) as s:
        rec = risk_store.get_inspection(s, inspection_id)
        state = next_state(rec.state, action)
        final = (grade if action == "regrade" else rec.proposed_grade
                 if action == "confirm" else None)
        out = risk_store.decide_inspection(s, inspection_id, state=state, final_grade=final,
                                           reason=reason, actor=actor, now=now)
        if final is not None:
            ent = _enterprise(dataset, rec.enterprise_id)
            why = (f"self-inspection {inspection_id} confirmed" if action == "confirm"
                   else f"self-inspection {inspection_id} regraded: {reason}")
            risk_store.upsert_risk_point(
                s, {"risk_id": f"RP-{rec.enterprise_id}",
                    "name_zh": f"{ent.name_zh}（企业自查）", "name_en":
                    f"{ent.name_en} (self-inspection)", "district": ent.district,
                    "industry": ent.industry, "enterprise_id": ent.enterprise_id,
                    "hazard_type": rec.industry, "department": "应急管理局",
                    "responsible": ent.name_zh, "lat": ent.lat, "lon": ent.lon,
                    "grade": final, "controls": "; ".join(
                        m["measure_zh"] for m in rec.proposal.get("measures", [])),
                    "source": "self-inspection"},
                method="self-inspection" if action == "confirm" else "supervisor",
                inputs={**rec.proposal, "inspection_id": inspection_id}, reason=why,
                actor=actor, now=now)
    return out


def inspections(engine: Engine, *, state: str | None = None,
                enterprise_id: str | None = None) -> list:
    """Self-inspections, newest first."""
    with store.session_scope(engine, read_only=True) as s:
        return risk_store.list_inspections(s, state=state, enterprise_id=enterprise_id)
