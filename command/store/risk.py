"""The risk register, its grade history and the enterprises' self-inspections.

Owns: the ``risk_points``, ``risk_grade_history`` and ``self_inspections`` tables and
their reads and writes; every change writes its history row and audit entry in the same
transaction, so no grade exists that cannot be traced to a method, its inputs, who set
it and why. Must not: grade anything (see :mod:`command.risk`) or check roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from command.errors import StoreError
from command.model import RISK_GRADES
from command.store._tables import Base, _name_time_columns, _time
from command.store._types import stamp
from command.store.audit import append_audit, to_json_data

__all__ = ["RiskPointRecord", "GradeChange", "InspectionRecord", "upsert_risk_point",
           "list_risk_points", "get_risk_point", "grade_history", "add_inspection",
           "get_inspection", "list_inspections", "decide_inspection"]

_GRADES = ", ".join(f"'{g}'" for g in RISK_GRADES)



class RiskPointRow(Base):
    __tablename__ = "risk_points"
    risk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False)
    district: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    industry: Mapped[str] = mapped_column(String(100), nullable=False)
    enterprise_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("enterprises.enterprise_id"), nullable=True, index=True)
    hazard_type: Mapped[str] = mapped_column(String(100), nullable=False)
    department: Mapped[str] = mapped_column(String(200), nullable=False)
    responsible: Mapped[str] = mapped_column(String(100), nullable=False)
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    grade: Mapped[str] = mapped_column(String(10), nullable=False, index=True)
    method: Mapped[str] = mapped_column(String(40), nullable=False)
    inputs: Mapped[dict] = mapped_column(JSON, nullable=False)
    controls: Mapped[str] = mapped_column(Text, nullable=False)
    source: Mapped[str] = mapped_column(String(40), nullable=False)
    updated_at: Mapped[datetime] = _time(nullable=False)
    updated_by: Mapped[str] = mapped_column(String(100), nullable=False)
    __table_args__ = (CheckConstraint(f"grade IN ({_GRADES})", name="grade"),)


class RiskGradeRow(Base):
    __tablename__ = "risk_grade_history"
    change_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    risk_id: Mapped[str] = mapped_column(String(64), ForeignKey("risk_points.risk_id"),
                                         nullable=False, index=True)
    at: Mapped[datetime] = _time(nullable=False)
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
    grade_from: Mapped[str | None] = mapped_column(String(10), nullable=True)
    grade_to: Mapped[str] = mapped_column(String(10), nullable=False)
    method: Mapped[str] = mapped_column(String(40), nullable=False)
    inputs: Mapped[dict] = mapped_column(JSON, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)


class SelfInspectionRow(Base):
    __tablename__ = "self_inspections"
    inspection_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("enterprises.enterprise_id"), nullable=False, index=True)
    industry: Mapped[str] = mapped_column(String(40), nullable=False)
    answers: Mapped[dict] = mapped_column(JSON, nullable=False)
    proposal: Mapped[dict] = mapped_column(JSON, nullable=False)
    proposed_grade: Mapped[str] = mapped_column(String(10), nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    submitted_at: Mapped[datetime] = _time(nullable=False)
    submitted_by: Mapped[str] = mapped_column(String(100), nullable=False)
    decided_at: Mapped[datetime | None] = _time(nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    final_grade: Mapped[str | None] = mapped_column(String(10), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    __table_args__ = (
        CheckConstraint("state IN ('submitted', 'confirmed', 'regraded', 'returned')",
                        name="state"),
    )


_name_time_columns()


@dataclass(frozen=True)
class RiskPointRecord:
    risk_id: str
    name_zh: str
    name_en: str
    district: str
    industry: str
    enterprise_id: str | None
    hazard_type: str
    department: str
    responsible: str
    lat: float
    lon: float
    grade: str
    method: str
    inputs: dict
    controls: str
    source: str
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class GradeChange:
    change_id: int
    risk_id: str
    at: datetime
    actor: str
    grade_from: str | None
    grade_to: str
    method: str
    inputs: dict
    reason: str


@dataclass(frozen=True)
class InspectionRecord:
    inspection_id: int
    enterprise_id: str
    industry: str
    answers: dict
    proposal: dict
    proposed_grade: str
    state: str
    submitted_at: datetime
    submitted_by: str
    decided_at: datetime | None
    decided_by: str | None
    final_grade: str | None
    reason: str | None


_POINT_FIELDS = tuple(RiskPointRecord.__dataclass_fields__)


def _point(row: RiskPointRow) -> RiskPointRecord:
    return RiskPointRecord(*(getattr(row, f) for f in _POINT_FIELDS))


def upsert_risk_point(session: Session, point: dict, *, method: str, inputs: dict,
                      reason: str, actor: str, now: datetime | None = None
                      ) -> tuple[RiskPointRecord, bool]:
    """Enter a risk point into the register, or regrade it: ``point`` holds the fields of
    :class:`RiskPointRecord` but ``method``, ``inputs``, ``updated_at`` and
    ``updated_by``. A history row (grade from, grade to, method, inputs, reason, who)
    and an audit entry are written when the point is new or its grade changes; nothing
    is written when nothing changes.

    Returns
    -------
    (record, changed)
    """
    now = stamp(now)
    if point["grade"] not in RISK_GRADES:
        raise StoreError(f"grade {point['grade']!r}: one of {', '.join(RISK_GRADES)}")
    row = session.get(RiskPointRow, point["risk_id"])
    before = None if row is None else row.grade
    data = to_json_data(dict(inputs))
    if row is not None and before == point["grade"] and row.method == method \
            and row.inputs == data:
        return _point(row), False
    if row is None:
        row = RiskPointRow(risk_id=point["risk_id"])
        session.add(row)
    for key, value in point.items():
        setattr(row, key, value)
    row.method, row.inputs, row.updated_at, row.updated_by = method, data, now, actor
    session.flush()
    session.add(RiskGradeRow(risk_id=row.risk_id, at=now, actor=actor, grade_from=before,
                             grade_to=row.grade, method=method, inputs=data, reason=reason))
    append_audit(session, actor=actor, action="risk.graded", subject=f"risk:{row.risk_id}",
                 payload={"from": before, "to": row.grade, "method": method, "reason": reason},
                 at=now)
    return _point(row), True


def get_risk_point(session: Session, risk_id: str) -> RiskPointRecord:
    row = session.get(RiskPointRow, risk_id)
    if row is None:
        raise StoreError(f"no risk point '{risk_id}'")
    return _point(row)


def list_risk_points(session: Session, *, district: str | None = None,
                     grade: str | None = None, industry: str | None = None,
                     text: str | None = None) -> list[RiskPointRecord]:
    """The register, most severe first, filtered by district, grade, industry and a text
    found in the name, the hazard type or the responsible department."""
    stmt = select(RiskPointRow)
    if district:
        stmt = stmt.where(RiskPointRow.district == district)
    if grade:
        stmt = stmt.where(RiskPointRow.grade == grade)
    if industry:
        stmt = stmt.where(RiskPointRow.industry == industry)
    rows = [_point(r) for r in session.scalars(stmt)]
    if text:
        needle = text.strip().lower()
        rows = [r for r in rows if any(needle in str(v).lower() for v in (
            r.name_zh, r.name_en, r.hazard_type, r.department, r.risk_id))]
    rank = {g: i for i, g in enumerate(RISK_GRADES)}
    return sorted(rows, key=lambda r: (rank[r.grade], r.risk_id))


def grade_history(session: Session, risk_id: str) -> list[GradeChange]:
    """Every grade change of ``risk_id``, oldest first."""
    rows = session.scalars(select(RiskGradeRow).where(RiskGradeRow.risk_id == risk_id)
                           .order_by(RiskGradeRow.change_id))
    return [GradeChange(r.change_id, r.risk_id, r.at, r.actor, r.grade_from, r.grade_to,
                        r.method, r.inputs, r.reason) for r in rows]


def _inspection(row: SelfInspectionRow) -> InspectionRecord:
    return InspectionRecord(*(getattr(row, f) for f in InspectionRecord.__dataclass_fields__))


def add_inspection(session: Session, *, enterprise_id: str, industry: str, answers: dict,
                   proposal: dict, proposed_grade: str, actor: str,
                   now: datetime | None = None) -> InspectionRecord:
    """Store a submitted self-inspection with its scored proposal, audited."""
    now = stamp(now)
    row = SelfInspectionRow(enterprise_id=enterprise_id, industry=industry,
                            answers=dict(answers), proposal=to_json_data(dict(proposal)),
                            proposed_grade=proposed_grade, state="submitted",
                            submitted_at=now, submitted_by=actor)
    session.add(row)
    session.flush()
    append_audit(session, actor=actor, action="inspection.submitted",
                 subject=f"inspection:{row.inspection_id}",
                 payload={"enterprise_id": enterprise_id, "proposed": proposed_grade}, at=now)
    return _inspection(row)


def get_inspection(session: Session, inspection_id: int) -> InspectionRecord:
    row = session.get(SelfInspectionRow, inspection_id)
    if row is None:
        raise StoreError(f"no self-inspection {inspection_id}")
    return _inspection(row)


def list_inspections(session: Session, *, state: str | None = None,
                     enterprise_id: str | None = None) -> list[InspectionRecord]:
    """Self-inspections, newest first."""
    stmt = select(SelfInspectionRow).order_by(SelfInspectionRow.inspection_id.desc())
    if state:
        stmt = stmt.where(SelfInspectionRow.state == state)
    if enterprise_id:
        stmt = stmt.where(SelfInspectionRow.enterprise_id == enterprise_id)
    return [_inspection(r) for r in session.scalars(stmt)]


def decide_inspection(session: Session, inspection_id: int, *, state: str,
                      final_grade: str | None, reason: str | None, actor: str,
                      now: datetime | None = None) -> InspectionRecord:
    """Record the supervisor's decision (the new ``state`` comes from the lifecycle in
    :mod:`command.risk.inspection`), audited."""
    now = stamp(now)
    row = session.get(SelfInspectionRow, inspection_id)
    if row is None:
        raise StoreError(f"no self-inspection {inspection_id}")
    row.state, row.final_grade, row.reason = state, final_grade, reason
    row.decided_at, row.decided_by = now, actor
    append_audit(session, actor=actor, action=f"inspection.{state}",
                 subject=f"inspection:{inspection_id}",
                 payload={"grade": final_grade, "reason": reason}, at=now)
    return _inspection(row)
