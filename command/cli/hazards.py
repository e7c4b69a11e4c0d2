"""``command-center hazards ...`` and ``grids ...``: the hidden-hazard closed loop and the
grid's daily reports and summaries from the command line.

A command that changes something acts as a named user of the store (``--actor NAME``),
checked like a log-in (known, enabled) and against the role matrix; the lifecycle then
checks that the role may take the step. An illegal step, a role that may not take it or
bad data exits 2 with a message naming the field and the value, and nothing is written.
``hazards escalate --now ISO`` is the escalation job for cron and tests (the dashboard's
server runs it on its own schedule). Add ``--json`` for machine-readable output.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from command.cli import CLI, emit
from command.cli._guard import output_problem, range_problems, write_text_atomic
from command.cli.risk_enforce import _jsonable, _store
from command.errors import DataError

HAZARDS_HELP = ("the hidden-hazard closed loop (排查-登记-评估-报告-监控-治理-销账): report, "
                "advance, show, list, escalate")
GRIDS_HELP = "grid management: daily reports and the day's roll-up per level"


def _now(value: str | None, field: str = "--now") -> datetime | None:
    from command.clock import as_utc
    from command.errors import DataError, Problem

    if value is None:
        return None
    try:
        return as_utc(datetime.fromisoformat(value), field=field)
    except ValueError as exc:
        raise DataError("Not a time with a zone.", [Problem(
            f"an ISO 8601 time with its zone, such as 2026-12-03T08:00:00+08:00 ({exc})",
            field=field, value=value)]) from None


def _uploads(paths: list[str] | None):
    from command.app.hazards import MAX_EVIDENCE_BYTES, Upload
    from command.errors import DataError, Problem

    out = []
    for p in paths or ():
        path = Path(p)
        try:
            size = path.stat().st_size
            if size > MAX_EVIDENCE_BYTES:  # refuse before reading a huge file into memory
                raise DataError("The evidence file is refused.", [Problem(
                    f"the file has {size / 2**20:.1f} MiB, over the limit of "
                    f"{MAX_EVIDENCE_BYTES // 2**20} MiB", field="--evidence", value=p)])
            out.append(Upload(path.name, path.read_bytes()))
        except OSError as exc:
            raise DataError("The evidence file cannot be read.", [Problem(
                exc.strerror or str(exc), field="--evidence", value=p)]) from None
    return out


def _reader(engine, actor: str | None):
    from command.app.access import User, acting_user

    if actor:
        return acting_user(engine, actor, "page.hazards")
    # the operator at the machine: reads like the centre's staff, changes nothing
    return User("cli", "command line", "staff")


def _kinds(args, settings) -> int:
    from command.hazards.kinds import KINDS
    from command.i18n import t

    rows = [{"kind": k, "name_zh": t(f"hazard.kind.{k}", "zh"),
             "name_en": t(f"hazard.kind.{k}", "en")} for k in KINDS]
    emit(rows, as_json=args.json,
         text=lambda d: "\n".join(f"{r['kind']:<22}{r['name_zh']}  {r['name_en']}" for r in d))
    return 0


def _report(args, settings) -> int:
    from command.app import hazards
    from command.app.access import acting_user

    problems = range_problems(args, {"--lat": "lat_deg", "--lon": "lon_deg"})
    if problems:  # before the store is opened
        raise DataError("The place of the report is not a place.", problems)
    evidence = _uploads(args.evidence)
    with _store(settings) as engine:
        user = acting_user(engine, args.actor, "hazard.report")
        out = hazards.report_hazard(engine, settings, user=user, grid_id=args.cell,
                                    kind=args.kind, description=args.description,
                                    lat=args.lat, lon=args.lon, note=args.note,
                                    evidence=evidence)
    emit(_jsonable(out) if args.json else out, as_json=args.json, text=lambda d: (
        f"{d['hazard_id']} {d['state']}"
        + "".join(f"\n  possible duplicate: {x['hazard_id']} ({x['distance_m']:.0f} m)"
                  for x in d["possible_duplicates"])))
    return 0


def _advance(args, settings) -> int:
    from command.app import hazards
    from command.app.access import acting_user
    from command.i18n import t

    fields = {k: v for k, v in (("level", args.level), ("reason", args.reason),
                                ("responsible", args.responsible),
                                ("measures", args.measures),
                                ("budget_yuan", args.budget)) if v is not None}
    if args.deadline is not None:
        fields["deadline"] = args.deadline
    evidence = _uploads(args.evidence)
    with _store(settings) as engine:
        user = acting_user(engine, args.actor, "hazard.advance")
        note = args.note
        if note is None:  # the step's name is the note when none is given
            from command.hazards.lifecycle import ACTIONS, STATES
            note = (t(f"hazard.action.{args.to}", settings.language) if args.to in ACTIONS
                    else t(f"hazard.state.{args.to}", settings.language) if args.to in STATES
                    else "")
        out = hazards.advance_hazard(engine, settings, args.id, args.to, user=user, note=note,
                                     fields=fields, evidence=evidence)
    emit(_jsonable(out) if args.json else out, as_json=args.json,
         text=lambda d: f"{d['hazard_id']} {d['from']} -> {d['state']}")
    return 0


def _show_text(d: dict) -> str:
    from command.clock import beijing

    lines = [f"{d['hazard_id']} {d['state']} ({d['kind']}, {d['grid_id']} {d['cell']})",
             f"  {d['description']}"]
    if d["due_at"]:
        late = " OVERDUE" if d["overdue"] else ""
        lines.append(f"  due {beijing(d['due_at']):%Y-%m-%d %H:%M} Beijing{late}; "
                     f"escalated to {d['escalation_level']}")
    for e in d["timeline"]:
        files = "".join(f" [{f['filename']} {f['sha256'][:12]}]" for f in e["evidence"])
        lines.append(f"  {beijing(e['at']):%Y-%m-%d %H:%M} {e['action']:<10} "
                     f"{e['from'] or '-'} -> {e['to']} by {e['actor']} ({e['role']}): "
                     f"{e['note']}{files}")
    return "\n".join(lines)


def _show(args, settings) -> int:
    from command.app import hazards

    with _store(settings) as engine:
        d = hazards.detail(engine, args.id, user=_reader(engine, args.actor))
    emit(_jsonable(d) if args.json else d, as_json=args.json, text=_show_text)
    return 0


def _list(args, settings) -> int:
    from command.app import hazards
    from command.clock import beijing

    with _store(settings) as engine:
        cards = hazards.hazards_for(engine, user=_reader(engine, args.actor),
                                    grid_id=args.cell, kind=args.kind, overdue=args.overdue,
                                    open_only=args.open)
    emit(_jsonable(cards) if args.json else cards, as_json=args.json, text=lambda d: "\n".join(
        f"{c['hazard_id']}  {c['state']:<12}{c['kind']:<20}{c['grid_id']:<18}"
        + (f"due {beijing(c['due_at']):%m-%d %H:%M}" if c["due_at"] else "")
        + (" OVERDUE" if c["overdue"] else "") for c in d) or "(none)")
    return 0


def _escalate(args, settings) -> int:
    from command.app import hazards

    now = _now(args.now)
    with _store(settings) as engine:
        made = hazards.escalate(engine, now=now)
    emit(_jsonable(made) if args.json else made, as_json=args.json, text=lambda d: "\n".join(
        f"{x['hazard_id']} -> {x['level']}: {', '.join(x['notified']) or '(nobody to tell)'}"
        for x in d) or "nothing to escalate")
    return 0


def _summary(args, settings) -> int:
    from command.app import grids
    from command.app.access import acting_user
    from command.errors import DataError, Problem

    day = grids.parse_day(args.date)
    if args.out and not args.out.lower().endswith((".html", ".htm", ".csv")):
        raise DataError("Unknown export format.", [Problem("must end in .html or .csv",
                                                           field="--out", value=args.out)])
    if args.out and (p := output_problem(args.out, "--out")):
        raise DataError("The export cannot be written.", [p])
    with _store(settings) as engine:
        user = acting_user(engine, args.actor, "page.grids") if args.actor else None
        rows = grids.day_summaries(engine, day, level=args.level, user=user,
                                   now=_now(args.now))
        if args.keep:
            grids.keep_day(engine, day, now=_now(args.now), actor=args.actor or "cli")
    if args.out:
        text = (grids.summaries_csv(rows) if args.out.lower().endswith(".csv")
                else grids.summaries_html(rows, day=day, lang=settings.language))
        write_text_atomic(Path(args.out), text)
        print(f"written: {args.out}", file=sys.stderr)
    data = [grids.figures(x) for x in rows]
    emit(data, as_json=args.json, text=lambda d: grids.summaries_csv(rows).rstrip())
    return 0


def _daily(args, settings) -> int:
    from command.app import grids
    from command.app.access import acting_user

    with _store(settings) as engine:
        user = acting_user(engine, args.actor, "grid.daily_report")
        out = grids.file_daily_report(engine, user=user, grid_id=args.cell,
                                      patrol_done=not args.no_patrol,
                                      hazards_found=args.found, issues=args.issues,
                                      member_id=args.member)
    emit(_jsonable(out) if args.json else out, as_json=args.json, text=lambda d: (
        f"{d['grid_id']} {d['date']} {d['member_id']}"
        + (" (replaces the earlier report)" if d["replaced"] else "")))
    return 0


def register(cli: CLI) -> None:
    from command.hazards.lifecycle import ACTIONS, LEVELS, REJECT_REASONS, STATES
    from command.hazards.rollup import LEVELS as GRID_LEVELS

    group = cli.group("hazards", help=HAZARDS_HELP)
    p = group.add_parser("kinds", help="the hazard kinds (ids and names)")
    p.set_defaults(handler=_kinds)
    p.add_argument("--json", action="store_true", help="print JSON")

    p = group.add_parser(
        "report", help="report a hazard found in a community grid cell",
        description="Report a hazard found (state 'found'): prints hazard_id, state and "
        "possible duplicates (open hazards of the same kind within 200 m).")
    p.set_defaults(handler=_report)
    p.add_argument("--cell", required=True, help="community grid cell id (GM-...)")
    p.add_argument("--kind", required=True, help="hazard kind (see `hazards kinds`)")
    p.add_argument("--description", required=True, help="what was found, where")
    p.add_argument("--actor", required=True, help="the store user reporting it")
    p.add_argument("--lat", type=float, help="latitude (default: the cell's centre)")
    p.add_argument("--lon", type=float, help="longitude (default: the cell's centre)")
    p.add_argument("--note", help="note of the step (default: the description)")
    p.add_argument("--evidence", action="append", metavar="FILE",
                   help="a photo (JPEG, PNG, WebP) or PDF, at most 10 MiB; repeatable")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = group.add_parser(
        "advance", help="take one step of a hazard's closed loop",
        description="Move hazard ID to state (or by action) --to, as --actor. Steps and the "
        f"roles that take them: see docs/hazards.md. States: {', '.join(STATES)}; actions: "
        f"{', '.join(ACTIONS)}. An illegal step or role exits 2 and changes nothing.")
    p.set_defaults(handler=_advance)
    p.add_argument("id", help="hazard id (HZ-YYYYMMDD-NNNN)")
    p.add_argument("--to", required=True, help="target state or action")
    p.add_argument("--actor", required=True, help="the store user taking the step")
    p.add_argument("--note", help="note of the step (default: the step's name)")
    p.add_argument("--level", help=f"assess: {' | '.join(LEVELS)}")
    p.add_argument("--reason", help="assess: why; reject: "
                   f"{' | '.join(REJECT_REASONS)}")
    p.add_argument("--deadline", help="remediate: ISO 8601 time with zone, in the future")
    p.add_argument("--responsible", help="remediate: the person responsible (a user name "
                   "is told in their inbox)")
    p.add_argument("--measures", help="remediate: the measures ordered")
    p.add_argument("--budget", type=float, help="remediate: budget in yuan")
    p.add_argument("--evidence", action="append", metavar="FILE",
                   help="a photo (JPEG, PNG, WebP) or PDF, at most 10 MiB; repeatable")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = group.add_parser("show", help="one hazard: state, deadline and timeline")
    p.set_defaults(handler=_show)
    p.add_argument("id", help="hazard id")
    p.add_argument("--actor", help="see it as this store user (default: the centre's view)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = group.add_parser("list", help="hazards, newest first")
    p.set_defaults(handler=_list)
    p.add_argument("--overdue", action="store_true", help="only open hazards past their due "
                   "time")
    p.add_argument("--open", action="store_true", help="only open hazards")
    p.add_argument("--cell", help="only under this grid cell")
    p.add_argument("--kind", help="only of this kind")
    p.add_argument("--actor", help="list as this store user (default: the centre's view)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = group.add_parser(
        "escalate", help="the escalation job: overdue hazards go up the grid, people are told",
        description="Escalate every open hazard past its due time one grid level (community "
        "-> town -> district -> city) at once and one more per further day, each level once, "
        "and deliver the messages. For cron and tests; the dashboard's server runs it "
        "every 5 minutes.")
    p.set_defaults(handler=_escalate)
    p.add_argument("--now", help="the time to run at (ISO 8601 with zone; default: now)")
    p.add_argument("--json", action="store_true", help="print JSON")

    group = cli.group("grids", help=GRIDS_HELP)
    p = group.add_parser(
        "summary", help="the roll-up of a Beijing day per grid level",
        description="Counts per cell of the day: reports expected, received, missing; "
        "patrols; hazards found and new; open by state and kind; overdue; closed on time "
        "and late; on-time closure rate. Every level is the exact sum of the one below.")
    p.set_defaults(handler=_summary)
    p.add_argument("--date", required=True, help="the Beijing date, YYYY-MM-DD")
    p.add_argument("--level", choices=GRID_LEVELS, help="only cells of this level")
    p.add_argument("--out", help="also write it to FILE.csv or FILE.html")
    p.add_argument("--keep", action="store_true", help="keep the day's roll-up in the store")
    p.add_argument("--actor", help="as this store user (a grid member sees their cells)")
    p.add_argument("--now", help="as of this time (ISO 8601 with zone; default: now)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = group.add_parser("report", help="file a community cell's daily report (today, Beijing)")
    p.set_defaults(handler=_daily)
    p.add_argument("--cell", required=True, help="community grid cell id")
    p.add_argument("--actor", required=True, help="the grid member (store user) filing it")
    p.add_argument("--member", help="the cell's member reporting (default: its only one)")
    p.add_argument("--found", type=int, default=0, help="hazards found on the patrol")
    p.add_argument("--no-patrol", action="store_true", help="the patrol was not done")
    p.add_argument("--issues", default="", help="other issues, as text")
    p.add_argument("--json", action="store_true", help="print JSON")
