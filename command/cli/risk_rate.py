"""``command-center risk rate --period year|month|week``: a periodic rating job.

Re-rates the register's points the period covers (:mod:`command.app.rating`), writes the
grades that change with their history, prints what changed and why and whose inspection
is overdue (JSON with ``--json``), and with ``--report FILE.html`` or ``FILE.csv`` writes
the report. A scheduler (cron, a systemd timer) runs it weekly, monthly and yearly. The
acting user in the audit log is ``--actor`` (default ``cli``). Bad options exit 2 naming
the field and the value, before anything is written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from command.cli import CLI, emit
from command.cli._guard import output_problem, write_text_atomic
from command.cli.risk_enforce import _jsonable, _store
from command.cli.risk_grade import RISK_HELP


def _text(report: dict, lang: str) -> str:
    from command.clock import beijing
    from command.i18n import t

    sep = t("rating.list_sep", lang)
    lines = [t("rating.report.title", lang, period=t(f"rating.period.{report['period']}", lang)),
             t("rating.report.meta", lang, when=beijing(report["at"]).strftime("%Y-%m-%d %H:%M"),
               actor=report["actor"], reviewed=report["reviewed"],
               grades=sep.join(t(f"grade.{g}", lang) for g in report["grades"]),
               changed=len(report["changes"]), overdue=len(report["overdue"]))]
    for key, rows, line in (
            ("changes", report["changes"], lambda c: f"{c['risk_id']:<10} {c[f'why_{lang}']}"),
            ("overdue", report["overdue"], lambda o: (
                f"{o['risk_id']:<10} {t('grade.' + o['grade'], lang)} "
                f"{beijing(o['last_inspected_at']):%Y-%m-%d} {o['days_since']:.0f} / "
                f"{o['review_days']}")),
            ("unrated", report["unrated"], lambda u: f"{u['risk_id']:<10} {u['problem']}")):
        if rows:
            lines.append(t(f"rating.report.{key}", lang))
            lines += ["  " + line(r) for r in rows]
    return "\n".join(lines)


def _rate(args, settings) -> int:
    from command.app import rating
    from command.errors import DataError, Problem
    from command.i18n import t
    from command.risk.rating import check_period

    problems = []
    try:
        check_period(args.period)
    except DataError as exc:
        problems += exc.problems
    if args.report and not args.report.lower().endswith((".html", ".htm", ".csv")):
        problems.append(Problem("must end in .html or .csv", field="--report",
                                value=args.report))
    elif args.report and (p := output_problem(args.report, "--report")):
        problems.append(p)  # before the run: the rating is stored, the report must follow
    if problems:
        raise DataError("the rating job cannot run with these options", problems)
    lang = settings.language
    with _store(settings) as engine:
        report = rating.run_rating(engine, args.period, actor=args.actor)
    if args.report:
        text = (rating.report_csv(report) if args.report.lower().endswith(".csv")
                else rating.report_html(report, lang))
        write_text_atomic(Path(args.report), text)
    emit(_jsonable(report) if args.json else report, as_json=args.json,
         text=lambda d: _text(d, lang))
    if args.report and not args.json:
        print(t("rating.cli.report_written", lang, path=args.report), file=sys.stderr)
    return 0


def register(cli: CLI) -> None:
    group = cli.group("risk", help=RISK_HELP)
    p = group.add_parser(
        "rate", help="periodic rating: re-rate the register for a year, month or week",
        description="Re-rate the register's points the period covers (week: red; month: "
        "red, orange, yellow; year: all) by their own methods from their stored inputs, "
        "write the grades that change, and list what changed and why and the "
        "self-inspections that are overdue (docs/risk.md).")
    p.add_argument("--period", required=True, metavar="year|month|week",
                   help="the job: year, month or week")
    p.add_argument("--report", metavar="FILE",
                   help="also write the report to FILE (.html or .csv)")
    p.add_argument("--actor", default="cli", help="who runs the job, for the audit log")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_rate)
