"""Periodic rating over the store: run a weekly, monthly or yearly job on the register,
write the grades it changes, and report what changed, why, and whose inspection is
overdue (HTML and CSV).

Owns: reading the register and the enterprises' last self-inspections, applying
:func:`command.risk.rating.rate_points`, writing each changed grade through
:func:`command.store.risk.upsert_risk_point` (its history row says "periodic rating
<period>" and why) and one audit entry for the run, all in one transaction; the report's
data and its renderings. Must not: decide a grade itself (the rule is in
:mod:`command.risk.rating`), know about the command line or the web, or read the clock
behind a caller's back (``now`` is an argument; None means the present instant).
"""

from __future__ import annotations

import csv
import html
import io
from datetime import datetime

from sqlalchemy.engine import Engine

from command import store
from command.app.risk import GB18218_COLOUR
from command.clock import as_utc, beijing, utc_now
from command.i18n import t
from command.risk import rating as rule
from command.store import risk as risk_store
from command.store.audit import append_audit

__all__ = ["run_rating", "report_html", "report_csv", "REPORT_COLUMNS"]

#: Inspections that count as the enterprise having inspected (a returned one was not
#: accepted, so the enterprise still owes one).
_COUNTED_STATES = ("submitted", "confirmed", "regraded")


def _last_inspections(session) -> dict[str, datetime]:
    last: dict[str, datetime] = {}
    for r in risk_store.list_inspections(session):
        if r.state in _COUNTED_STATES:
            last[r.enterprise_id] = max(last.get(r.enterprise_id, r.submitted_at),
                                        r.submitted_at)
    return last


def _point_data(rec) -> dict:
    """The fields of a register record that :func:`upsert_risk_point` takes."""
    skip = ("method", "inputs", "updated_at", "updated_by")
    return {f: getattr(rec, f) for f in rec.__dataclass_fields__ if f not in skip}


def _names(rec) -> dict:
    return {"risk_id": rec.risk_id, "name_zh": rec.name_zh, "name_en": rec.name_en,
            "district": rec.district, "method": rec.method}


def run_rating(engine: Engine, period: str, *, actor: str,
               now: datetime | None = None) -> dict:
    """Run the ``period`` rating job (``year``, ``month`` or ``week``) at ``now`` as
    ``actor``: changed grades are written with their history and audit entries, and one
    ``risk.rated`` audit entry records the run, in one transaction.

    Returns
    -------
    dict
        ``period``, ``at``, ``actor``, ``grades`` (covered), ``reviewed`` (count),
        ``changes`` (``risk_id``, names, ``district``, ``method``, ``from``, ``to``,
        ``value_name``, ``value``, ``why_zh``, ``why_en``), ``overdue`` (names,
        ``grade``, ``last_inspected_at``, ``review_days``, ``days_since``) and
        ``unrated`` (names, ``problem``).

    Raises
    ------
    DataError
        For a period that is not one of :data:`command.risk.rating.PERIODS`; nothing is
        written.
    ValueError
        For a naive ``now``; nothing is written.
    """
    period = rule.check_period(period)
    now = as_utc(now or utc_now(), field="now")
    with store.session_scope(engine) as s:
        points = risk_store.list_risk_points(s)
        by_id = {p.risk_id: p for p in points}
        result = rule.rate_points(points, period=period, now=now,
                                  gb18218_colours=GB18218_COLOUR,
                                  last_inspected=_last_inspections(s))
        changes = []
        for c in result.changes:
            rec = by_id[c.risk_id]
            why_en = rule.why_text(c, "en")
            risk_store.upsert_risk_point(
                s, {**_point_data(rec), "grade": c.grade_to}, method=rec.method,
                inputs=c.grading.to_dict(), reason=f"periodic rating {period}: {why_en}",
                actor=actor, now=now)
            changes.append({**_names(rec), "from": c.grade_from, "to": c.grade_to,
                            "value_name": c.value_name, "value": c.value,
                            "why_zh": rule.why_text(c, "zh"), "why_en": why_en})
        overdue = [{**_names(by_id[o.risk_id]), "grade": o.grade,
                    "last_inspected_at": o.last_inspected_at, "review_days": o.review_days,
                    "days_since": o.days_since} for o in result.overdue]
        unrated = [{**_names(by_id[u.risk_id]), "grade": by_id[u.risk_id].grade,
                    "problem": u.problem} for u in result.unrated]
        append_audit(s, actor=actor, action="risk.rated", subject=f"rating:{period}",
                     payload={"period": period, "reviewed": len(result.reviewed),
                              "changed": [c["risk_id"] for c in changes],
                              "overdue": [o["risk_id"] for o in overdue],
                              "unrated": [u["risk_id"] for u in unrated]}, at=now)
    return {"period": period, "at": now, "actor": actor, "grades": list(result.grades),
            "reviewed": len(result.reviewed), "changes": changes, "overdue": overdue,
            "unrated": unrated}


#: Columns of :func:`report_csv`; ``section`` is ``change``, ``overdue`` or ``unrated``.
REPORT_COLUMNS = ("section", "risk_id", "name_zh", "name_en", "district", "method",
                  "grade_from", "grade_to", "grade", "last_inspected_at", "review_days",
                  "days_since", "why_zh", "why_en")


def report_csv(report: dict) -> str:
    """The report as CSV (UTF-8, the columns of :data:`REPORT_COLUMNS`): one row per
    changed, overdue and unrated point. Times are ISO 8601 UTC."""
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=REPORT_COLUMNS, extrasaction="ignore")
    w.writeheader()
    for c in report["changes"]:
        w.writerow({**c, "section": "change", "grade_from": c["from"], "grade_to": c["to"]})
    for o in report["overdue"]:
        w.writerow({**o, "section": "overdue",
                    "last_inspected_at": o["last_inspected_at"].isoformat()})
    for u in report["unrated"]:
        w.writerow({**u, "section": "unrated", "why_en": u["problem"], "why_zh": u["problem"]})
    return out.getvalue()


def _table(head: list[str], rows: list[list[str]], empty: str) -> str:
    e = html.escape
    if not rows:
        return f"<p class=\"empty\">{e(empty)}</p>"
    return ("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
            + "</table>")


def report_html(report: dict, lang: str = "zh") -> str:
    """A self-contained HTML page of ``report`` in ``lang`` (``zh`` or ``en``): what
    changed and why, the overdue inspections, the points that did not grade."""
    lang = "en" if lang == "en" else "zh"
    e = html.escape

    def name(r: dict) -> str:
        return e(r["name_en" if lang == "en" else "name_zh"])

    def grade(g: str) -> str:
        return f"<span class=\"g-{e(g)}\">{e(t(f'grade.{g}', lang))}</span>"

    when = beijing(report["at"]).strftime("%Y-%m-%d %H:%M")
    title = t("rating.report.title", lang, period=t(f"rating.period.{report['period']}", lang))
    meta = t("rating.report.meta", lang, when=when, actor=report["actor"],
             grades=t("rating.list_sep", lang).join(t(f"grade.{g}", lang)
                                                     for g in report["grades"]),
             reviewed=report["reviewed"], changed=len(report["changes"]),
             overdue=len(report["overdue"]))
    col = [t(f"rating.col.{k}", lang) for k in ("risk", "name", "district", "method")]
    changes = _table(col + [t(f"rating.col.{k}", lang) for k in ("from", "to", "why")], [
        [e(c["risk_id"]), name(c), e(c["district"]), e(t(f"risk.short.{c['method']}", lang)),
         grade(c["from"]), grade(c["to"]), e(c[f"why_{lang}"])] for c in report["changes"]],
        t("rating.report.no_changes", lang))
    overdue = _table(col + [t(f"rating.col.{k}", lang) for k in (
        "grade", "last_inspected", "review_days", "days_since")], [
        [e(o["risk_id"]), name(o), e(o["district"]), e(t(f"risk.short.{o['method']}", lang)),
         grade(o["grade"]), beijing(o["last_inspected_at"]).strftime("%Y-%m-%d"),
         str(o["review_days"]), f"{o['days_since']:.0f}"] for o in report["overdue"]],
        t("rating.report.no_overdue", lang))
    unrated = _table(col + [t("rating.col.grade", lang), t("rating.col.problem", lang)], [
        [e(u["risk_id"]), name(u), e(u["district"]), e(t(f"risk.short.{u['method']}", lang)),
         grade(u["grade"]), e(u["problem"])] for u in report["unrated"]],
        t("rating.report.no_unrated", lang))
    return f"""<!DOCTYPE html>
<html lang="{'en' if lang == 'en' else 'zh-CN'}"><head><meta charset="utf-8">
<title>{e(title)}</title>
<style>body{{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:1.5em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px;
text-align:left}}th{{background:#eee}}.g-red{{color:#c62828;font-weight:700}}
.g-orange{{color:#ef6c00;font-weight:700}}.g-yellow{{color:#b59b00;font-weight:700}}
.g-blue{{color:#1565c0;font-weight:700}}.empty{{color:#666}}</style></head><body>
<h1>{e(title)}</h1><p>{e(meta)}</p>
<p><small>{e(t('rating.report.rule', lang))}</small></p>
<h2>{e(t('rating.report.changes', lang))}</h2>{changes}
<h2>{e(t('rating.report.overdue', lang))}</h2>{overdue}
<h2>{e(t('rating.report.unrated', lang))}</h2>{unrated}
</body></html>
"""
