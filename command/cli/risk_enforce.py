"""``command-center risk draw | blacklist | inspectors``: enforcement.

The double-random inspection draw (双随机: random enterprises x random inspectors, from
a seed, kept and re-runnable), the blacklist of enterprises, and the inspectors with the
enterprises they must not inspect. Commands parse arguments, call
:mod:`command.app.enforcement` and print (JSON with ``--json``); the acting user in the
audit log is ``--actor`` (default ``cli``). Texts for people are in the interface
language (``CC_LANGUAGE``), times in Beijing time.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

from command.cli import CLI, emit

_GROUP_HELP = "risk assessment: grading, the register, enforcement (blacklist, inspection draws)"


@contextlib.contextmanager
def _store(settings) -> Iterator:
    """An engine on the initialised store, disposed afterwards."""
    from command.errors import StoreError
    from command.store import engine_for
    from command.store._engine import current_revision, safe_url

    engine = engine_for(settings)
    try:
        if current_revision(engine) is None:
            raise StoreError(f"the store at {safe_url(engine)} is not initialised: "
                             "run `command-center db init`")
        yield engine
    finally:
        engine.dispose()


def _when(value) -> str:
    from command.clock import beijing

    return beijing(value).strftime("%Y-%m-%d %H:%M")


def _jsonable(value):
    """Datetimes as ISO text (UTC), everything else as it is."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else value


# --- risk draw ----------------------------------------------------------------------------

def _draw_text(d: dict, lang: str) -> str:
    from command.i18n import t
    from command.risk.enforcement import Unstaffed, unstaffed_text

    lines = [t("enforcement.draw.title", lang, draw_id=d["draw_id"]),
             t("enforcement.draw.summary", lang, seed=d["seed"], n=len(d["enterprises"]),
               m=d["inspectors_per_enterprise"], when=_when(d["drawn_at"]),
               actor=d["drawn_by"])]
    unstaffed = {u["enterprise_id"]: Unstaffed(**u) for u in d["unstaffed"]}
    lines.append(f"{t('enforcement.draw.enterprise', lang):<12}"
                 f"{t('enforcement.draw.inspectors', lang)}")
    for e in d["enterprises"]:
        names = [f"{p['inspector_id']} ({p['agency_id']})" for p in d["pairs"]
                 if p["enterprise_id"] == e]
        rest = ", ".join(names) if names else (
            f"{t('enforcement.draw.unstaffed', lang)}: {unstaffed_text(unstaffed[e], lang)}")
        lines.append(f"{e:<12}{rest}")
    return "\n".join(lines)


def _draw(args, settings) -> int:
    from command.app import enforcement as app
    from command.errors import DataError, Problem
    from command.i18n import t

    if args.replay is None and args.enterprises is None:
        raise DataError("the inspection draw cannot be made",
                        [Problem("say how many enterprises to draw", field="enterprises")])
    with _store(settings) as engine:
        if args.replay is not None:
            check = app.replay_draw(engine, args.replay)
            same = t("enforcement.draw.replay_" + ("same" if check["same"] else "differs"),
                     settings.language)
            emit(check, as_json=args.json,
                 text=lambda d: t("enforcement.draw.replay", settings.language, same=same))
            return 0 if check["same"] else 1
        seed = args.seed
        if seed is None:  # unpredictable, and recorded with the draw like any other seed
            from command.risk.enforcement import MAX_SEED

            seed = secrets.randbelow(MAX_SEED + 1)
        drawn = app.run_draw(engine, enterprises=args.enterprises, inspectors=args.inspectors,
                             seed=seed, actor=args.actor,
                             max_per_inspector=args.max_per_inspector, district=args.district,
                             industry=args.industry, avoid_previous=not args.allow_repeat)
    emit(_jsonable(drawn) if args.json else drawn, as_json=args.json,
         text=lambda d: _draw_text(d, settings.language))
    return 0


# --- risk blacklist -----------------------------------------------------------------------

def _blacklist_text(rows: list[dict], lang: str) -> str:
    from command.i18n import t

    if not rows:
        return t("enforcement.blacklist.empty", lang)
    out = [f"{t('enforcement.draw.enterprise', lang):<12}"
           f"{t('enforcement.blacklist.state', lang):<10}"
           f"{t('enforcement.blacklist.until', lang):<18}"
           f"{t('enforcement.blacklist.decided_by', lang):<14}"
           f"{t('enforcement.blacklist.reason', lang)}"]
    out += [f"{r['enterprise_id']:<12}{t('enforcement.state.' + r['state'], lang):<10}"
            f"{_when(r['ends_at']):<18}{r['decided_by']:<14}{r['reason']}" for r in rows]
    return "\n".join(out)


def _blacklist(args, settings) -> int:
    from command.app import enforcement as app
    from command.i18n import t

    lang = settings.language
    with _store(settings) as engine:
        if args.blacklist_command == "list":
            rows = app.list_blacklist(engine, enterprise=args.enterprise,
                                      in_force=not args.all)
            emit(_jsonable(rows) if args.json else rows, as_json=args.json,
                 text=lambda d: _blacklist_text(d, lang))
            return 0
        if args.blacklist_command == "add":
            row = app.add_to_blacklist(engine, args.enterprise, reason=args.reason,
                                       until=args.until, actor=args.actor,
                                       decided_by=args.decided_by)
            key = "enforcement.blacklist.listed"
        else:
            row = app.lift_from_blacklist(engine, args.enterprise, reason=args.reason,
                                          actor=args.actor)
            key = "enforcement.blacklist.lifted"
    emit(_jsonable(row) if args.json else row, as_json=args.json,
         text=lambda d: t(key, lang, enterprise=d["enterprise_id"], until=_when(d["ends_at"])))
    return 0


# --- risk inspectors ----------------------------------------------------------------------

def _inspectors_text(rows: list[dict], lang: str) -> str:
    from command.i18n import t

    if not rows:
        return t("enforcement.inspectors.empty", lang)
    out = [f"{'id':<12}{t('enforcement.inspectors.name', lang):<12}"
           f"{t('enforcement.inspectors.agency', lang):<14}"
           f"{t('enforcement.inspectors.active', lang):<12}"
           f"{t('enforcement.inspectors.excluded', lang)}"]
    for r in rows:
        state = t("enforcement.inspectors.active" if r["active"]
                  else "enforcement.inspectors.inactive", lang)
        excluded = ", ".join(f"{x['enterprise_id']} ({x['reason']})" for x in r["exclusions"])
        out.append(f"{r['inspector_id']:<12}{r['name']:<12}{r['agency_id']:<14}{state:<12}"
                   f"{excluded}")
    return "\n".join(out)


def _exclusions(values: list[str]) -> dict[str, str]:
    """``ENTERPRISE`` or ``ENTERPRISE=REASON`` -> {enterprise: reason}."""
    from command.app.enforcement import DEFAULT_EXCLUSION_REASON

    out = {}
    for value in values or ():
        enterprise, _, reason = value.partition("=")
        out[enterprise.strip()] = reason.strip() or DEFAULT_EXCLUSION_REASON
    return out


def _inspectors(args, settings) -> int:
    from command.app import enforcement as app
    from command.i18n import t

    lang = settings.language
    with _store(settings) as engine:
        if args.inspectors_command == "list":
            rows = app.list_inspectors(engine)
            emit(rows, as_json=args.json, text=lambda d: _inspectors_text(d, lang))
            return 0
        row = app.add_inspector(engine, args.id, name=args.name, agency=args.agency,
                                actor=args.actor, exclude=_exclusions(args.exclude))
    emit(row, as_json=args.json,
         text=lambda d: t("enforcement.inspectors.added", lang, inspector=d["inspector_id"],
                          agency=d["agency_id"], n=len(d["exclusions"])))
    return 0


def register(cli: CLI) -> None:
    group = cli.group("risk", help=_GROUP_HELP)

    def common(p, *, writes: bool = True) -> None:
        p.add_argument("--json", action="store_true", help="print JSON")
        if writes:
            p.add_argument("--actor", default="cli", help="who does it, for the audit log")

    p = group.add_parser("draw", help="double-random inspection draw: random enterprises x "
                                      "random inspectors, from a seed (kept and audited)")
    p.add_argument("--enterprises", type=int, metavar="N",
                   help="how many enterprises to draw")
    p.add_argument("--inspectors", type=int, default=2, metavar="M",
                   help="distinct inspectors per enterprise (default 2)")
    p.add_argument("--seed", type=int, metavar="S",
                   help="the seed (0 to 2**63-1); the same store and seed give the same "
                        "draw; default: a new random seed, recorded")
    p.add_argument("--max-per-inspector", type=int, metavar="K",
                   help="the most enterprises one inspector is sent to (default: no limit)")
    p.add_argument("--district", help="draw only enterprises of this district")
    p.add_argument("--industry", help="draw only enterprises of this industry")
    p.add_argument("--allow-repeat", action="store_true",
                   help="allow an inspector the enterprise they inspected in the previous "
                        "draw")
    p.add_argument("--replay", type=int, metavar="ID",
                   help="re-run kept draw ID from its seed and input and say whether it "
                        "gives the same pairs (exit 1 if not)")
    common(p)
    p.set_defaults(handler=_draw)

    bl = group.add_parser("blacklist", help="the blacklist of enterprises")
    bl.set_defaults(handler=lambda args, settings, _p=bl: _p.print_help() or 2)
    sub = bl.add_subparsers(dest="blacklist_command", metavar="SUBCOMMAND")
    p = sub.add_parser("list", help="entries in force (all with --all)")
    p.add_argument("--all", action="store_true", help="also expired and lifted entries")
    p.add_argument("--enterprise", help="only this enterprise's entries")
    common(p, writes=False)
    p.set_defaults(handler=_blacklist)
    p = sub.add_parser("add", help="put an enterprise on the blacklist until a date")
    p.add_argument("enterprise", help="enterprise id (enterprises.csv)")
    p.add_argument("--reason", required=True, help="why it is listed")
    p.add_argument("--until", required=True, metavar="DATE",
                   help="last day listed (Beijing), or a date and time with its zone")
    p.add_argument("--decided-by", help="who decided (default: --actor)")
    common(p)
    p.set_defaults(handler=_blacklist)
    p = sub.add_parser("lift", help="take an enterprise off the blacklist now")
    p.add_argument("enterprise", help="enterprise id")
    p.add_argument("--reason", required=True, help="why it is lifted")
    common(p)
    p.set_defaults(handler=_blacklist)

    ins = group.add_parser("inspectors", help="inspectors who may be drawn, with the "
                                              "enterprises they must not inspect")
    ins.set_defaults(handler=lambda args, settings, _p=ins: _p.print_help() or 2)
    sub = ins.add_subparsers(dest="inspectors_command", metavar="SUBCOMMAND")
    p = sub.add_parser("list", help="every inspector with agency, state and exclusions")
    common(p, writes=False)
    p.set_defaults(handler=_inspectors)
    p = sub.add_parser("add", help="add an inspector")
    p.add_argument("id", help="inspector id: letters, digits, - _ .")
    p.add_argument("--name", required=True, help="full name")
    p.add_argument("--agency", required=True, help="agency id (agencies.csv)")
    p.add_argument("--exclude", action="append", metavar="ENTERPRISE[=REASON]",
                   help="an enterprise they must not inspect (conflict of interest); "
                        "repeat for more")
    common(p)
    p.set_defaults(handler=_inspectors)
