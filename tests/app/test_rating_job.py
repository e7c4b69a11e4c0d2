"""Periodic rating over the Ezhou store (command/app/rating.py): a stale grade put right
with its history and audit entries, an overdue self-inspection listed, the periods'
grades, the HTML and CSV reports in zh and en, and a bad period that writes nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pytest

from command import store
from command.app import access, rating, risk
from command.errors import DataError
from command.store import risk as risk_store

T0 = datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC)  # 00:00:20 on 4 December in Beijing


def _last_change(engine) -> int:
    with store.session_scope(engine, read_only=True) as s:
        return store.last_change_id(s)


def _make_stale(engine, risk_id: str, grade: str) -> None:
    """Set a point's grade by hand, keeping its method and inputs (as if the table or
    the colour mapping had changed since it was graded)."""
    with store.session_scope(engine) as s:
        rec = risk_store.get_risk_point(s, risk_id)
        point = {k: v for k, v in asdict(rec).items()
                 if k not in ("method", "inputs", "updated_at", "updated_by")}
        risk_store.upsert_risk_point(s, {**point, "grade": grade}, method=rec.method,
                                     inputs=rec.inputs, reason="hand edit", actor="t", now=T0)


@pytest.fixture
def register(ezhou_store, ezhou_dataset):
    """The seeded register, RP-HZ04 (GB 18218 三级, yellow) made red by hand, and N05's
    self-inspection confirmed orange one hour after T0."""
    _settings, engine = ezhou_store
    risk.seed_register(engine, ezhou_dataset, now=T0)
    _make_stale(engine, "RP-HZ04", "red")
    officer = access.add_user(engine, name="officer-N05", role="enterprise",
                              password="a-good-password-1", actor="t", enterprise="N05",
                              dataset=ezhou_dataset)
    checklist = risk.checklist_of_enterprise(ezhou_dataset, "N05")
    answers = {i.id: "pass" for i in checklist.items} | {"HC02": "fail", "HC07": "fail"}
    rec = risk.submit_inspection(engine, ezhou_dataset, officer, answers, now=T0)
    risk.decide_inspection(engine, ezhou_dataset, rec.inspection_id, "confirm",
                           actor="supervisor", now=T0 + timedelta(hours=1))
    return engine


def test_a_monthly_rating_puts_a_stale_grade_right_and_lists_the_overdue(register):
    engine = register
    at = T0 + timedelta(days=40)
    report = rating.run_rating(engine, "month", actor="科长", now=at)
    assert report["grades"] == ["red", "orange", "yellow"] and report["at"] == at
    points = risk.register(engine)
    assert report["reviewed"] == sum(p.grade in ("red", "orange", "yellow") for p in points)
    (change,) = report["changes"]
    assert (change["risk_id"], change["from"], change["to"]) == ("RP-HZ04", "red", "yellow")
    assert change["value_name"] == "R" and change["why_en"].endswith("so Yellow (was Red)")
    hist = risk.history(engine, "RP-HZ04")
    assert (hist[-1].grade_from, hist[-1].grade_to, hist[-1].actor) == ("red", "yellow", "科长")
    assert hist[-1].reason == "periodic rating month: " + change["why_en"]
    assert hist[-1].at == at and hist[-1].method == "gb18218"
    # N05's inspection (submitted at T0) is 40 days old, orange asks for one every 30
    (late,) = report["overdue"]
    assert (late["risk_id"], late["grade"], late["review_days"]) == ("RP-N05", "orange", 30)
    assert late["last_inspected_at"] == T0 and late["days_since"] == 40.0
    assert report["unrated"] == []
    with store.session_scope(engine, read_only=True) as s:
        entries = store.list_audit(s, limit=2)
    run, graded = entries[0], entries[1]
    assert (run.action, run.actor, run.subject) == ("risk.rated", "科长", "rating:month")
    assert run.payload["changed"] == ["RP-HZ04"] and run.payload["overdue"] == ["RP-N05"]
    assert graded.action == "risk.graded" and graded.subject == "risk:RP-HZ04"
    # the same job again changes nothing, and still records that it ran
    again = rating.run_rating(engine, "month", actor="科长", now=at + timedelta(hours=1))
    assert again["changes"] == [] and [o["risk_id"] for o in again["overdue"]] == ["RP-N05"]


def test_the_weekly_job_covers_only_red_points(register):
    engine = register
    report = rating.run_rating(engine, "week", actor="cron", now=T0 + timedelta(days=40))
    assert report["grades"] == ["red"] and report["reviewed"] == 1
    assert [c["risk_id"] for c in report["changes"]] == ["RP-HZ04"]
    assert report["overdue"] == []  # RP-N05 is orange: the monthly job's


def test_a_bad_period_writes_nothing(register):
    engine = register
    before = _last_change(engine)
    with pytest.raises(DataError, match="field 'period' \\(value 'daily'\\)"):
        rating.run_rating(engine, "daily", actor="cron", now=T0)
    assert _last_change(engine) == before
    assert risk.register(engine, grade="red")[0].risk_id == "RP-HZ04"


def test_the_reports_in_html_and_csv(register):
    report = rating.run_rating(register, "month", actor="科长", now=T0 + timedelta(days=40))
    zh, en = rating.report_html(report, "zh"), rating.report_html(report, "en")
    assert "风险月度定期评级报告" in zh and "Risk register: monthly rating report" in en
    assert "等级应为黄（原为红）" in zh and "so Yellow (was Red)" in en
    assert "自查逾期" in zh and "Overdue inspections" in en
    assert "RP-N05" in zh and "2026-12-04" in zh  # the inspection's day in Beijing
    assert "<script" not in zh  # self-contained, nothing to fetch
    rows = list(csv.DictReader(io.StringIO(rating.report_csv(report))))
    assert tuple(rows[0]) == rating.REPORT_COLUMNS
    assert [(r["section"], r["risk_id"]) for r in rows] == [("change", "RP-HZ04"),
                                                            ("overdue", "RP-N05")]
    assert rows[0]["grade_from"] == "red" and rows[0]["grade_to"] == "yellow"
    assert rows[1]["last_inspected_at"] == T0.isoformat() and rows[1]["review_days"] == "30"
