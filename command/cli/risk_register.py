"""``command-center risk register``: the risk register, filtered, as text, JSON or CSV."""

from __future__ import annotations

from pathlib import Path

from command.cli import CLI, emit
from command.cli._guard import output_problem, write_text_atomic
from command.cli.risk_grade import RISK_HELP
from command.errors import DataError


def _register(args, settings) -> int:
    from command.app.risk import register, register_csv
    from command.store import engine_for

    if args.csv and (p := output_problem(args.csv, "--csv")):
        raise DataError("The register cannot be written.", [p])
    engine = engine_for(settings)
    try:
        points = register(engine, district=args.district, grade=args.grade,
                          industry=args.industry, text=args.search)
    finally:
        engine.dispose()
    if args.csv:
        write_text_atomic(Path(args.csv), register_csv(points))
    rows = [{"risk_id": p.risk_id, "name_zh": p.name_zh, "name_en": p.name_en,
             "district": p.district, "industry": p.industry, "grade": p.grade,
             "method": p.method, "updated_at": p.updated_at.isoformat(),
             "updated_by": p.updated_by} for p in points]

    def text(rs) -> str:
        lines = [f"{r['risk_id']:<10} {r['grade']:<7} {r['method']:<16} {r['district']:<6} "
                 f"{r['name_zh']}" for r in rs]
        return "\n".join(lines) if lines else "no risk point matches"

    emit(rows, as_json=args.json, text=text)
    return 0


def register(cli: CLI) -> None:
    group = cli.group("risk", help=RISK_HELP)
    p = group.add_parser("register", help="the risk register, most severe first")
    p.add_argument("--district", help="only this district (e.g. 鄂城区)")
    p.add_argument("--grade", help="only this grade: red, orange, yellow or blue")
    p.add_argument("--industry", help="only this industry (as in enterprises.csv)")
    p.add_argument("--search", help="only points whose name, hazard or department holds this")
    p.add_argument("--csv", metavar="FILE", help="also write the rows to FILE as CSV")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_register)
