"""``command-center db``: initialise, migrate and inspect the store."""

from __future__ import annotations

from command.cli import CLI, emit


def _init(args, settings) -> int:
    from command.errors import DataError
    from command.store import init_db

    try:
        from command.resources import load_dataset
    except ImportError as exc:
        raise DataError(f"the data set loader is missing ({exc}); reinstall the product") from exc

    dataset = load_dataset(settings.resources_dir)
    report = init_db(settings, dataset, actor=args.actor)
    accounts = _first_accounts(settings, dataset)
    if accounts is not None:
        report["first_accounts"] = accounts
    report["risk_register"] = _seed_register(settings, dataset)
    report["demo_inspectors"] = _demo_inspectors(settings, dataset)
    report["sensors"] = _seed_sensors(settings, dataset)

    def text(r) -> str:
        lines = [f"{r['city']} data set in {r['url']} (revision {r['revision']}): "
                 + (f"{r['changes']} change(s), audit entry {r['audit_id']}" if r["changes"]
                    else "already up to date, nothing written")]
        for name, t in r["tables"].items():
            lines.append(f"  {name:<18} {t['rows']:>6} rows  +{t['inserted']} ~{t['updated']} "
                         f"-{t['deleted']}")
        if "first_accounts" in r:
            a = r["first_accounts"]
            lines += ["", "First log-in (shown once; also in " + a["password_file"] + ", "
                      "readable by you only):",
                      f"  user {a['users'][0]}, password {a['password']}"]
            if len(a["users"]) > 1:
                lines.append(f"  demo accounts with the same password: {', '.join(a['users'][1:])}")
            lines.append("  change it on the 我的账户 / My account page, or with "
                         "`command-center users passwd admin`")
        return "\n".join(lines)

    emit(report, as_json=args.json, text=text)
    return 0


def _first_accounts(settings, dataset) -> dict | None:
    """On a store without users: the administrator (and the data set's demo accounts)
    with a new random password, written to a file only the owner can read."""
    import os

    from command.app.access import first_accounts
    from command.store import engine_for

    engine = engine_for(settings)
    try:
        made = first_accounts(engine, demo=bool(dataset.meta.get("demo_accounts")),
                              dataset=dataset)
    finally:
        engine.dispose()
    if made is None:
        return None
    path = settings.data_dir / "first-password.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"{made['password']}\nusers: {' '.join(made['users'])}\n")
    os.chmod(path, 0o600)
    return {**made, "password_file": str(path)}


def _seed_register(settings, dataset) -> int:
    """The data set's major hazard sources into the risk register (GB 18218 grades);
    how many entries were written (0 when they are there already)."""
    from command.app.risk import seed_register
    from command.store import engine_for

    engine = engine_for(settings)
    try:
        return seed_register(engine, dataset, actor="cli")
    finally:
        engine.dispose()


def _demo_inspectors(settings, dataset) -> int:
    from command.app.enforcement import demo_inspectors
    from command.store import engine_for

    engine = engine_for(settings)
    try:
        return demo_inspectors(engine, dataset)
    finally:
        engine.dispose()


def _seed_sensors(settings, dataset) -> int:
    """The early warning's sensor registry (``sensors.yaml``) into the store; how many
    sensors changed."""
    from command.app.warning import seed_sensors
    from command.store import engine_for

    engine = engine_for(settings)
    try:
        return seed_sensors(engine, settings, dataset, actor="cli")
    finally:
        engine.dispose()


def _upgrade(args, settings) -> int:
    from command.store._engine import engine_for, safe_url, upgrade

    engine = engine_for(settings)
    try:
        revision = upgrade(engine)
    finally:
        engine.dispose()
    emit({"url": safe_url(engine), "revision": revision}, as_json=args.json,
         text=lambda r: f"{r['url']} at revision {r['revision']}")
    return 0


def _audit(args, settings) -> int:
    from command.errors import StoreError
    from command.store import list_audit, session_scope, verify_audit
    from command.store._engine import current_revision, engine_for, safe_url

    engine = engine_for(settings)
    try:
        if current_revision(engine) is None:
            raise StoreError(f"the store at {safe_url(engine)} is not initialised: "
                             "run `command-center db init`")
        with session_scope(engine) as session:
            entries = list_audit(session, limit=args.limit)
            result = None
            if args.verify:
                ok, bad = verify_audit(session)
                result = {"ok": ok, "first_bad_id": bad}
    finally:
        engine.dispose()
    data = {"entries": [{"id": e.audit_id, "at": e.at.isoformat(), "actor": e.actor,
                         "action": e.action, "subject": e.subject, "payload": e.payload,
                         "hash": e.hash} for e in entries]}
    if result is not None:
        data["verify"] = result

    def text(d) -> str:
        lines = [f"{e['id']:>6} {e['at'][:19]} {e['actor']:<16} {e['action']:<18} {e['subject']}"
                 for e in d["entries"]]
        if "verify" in d:
            v = d["verify"]
            lines.append("audit chain intact" if v["ok"]
                         else f"AUDIT CHAIN BROKEN at entry {v['first_bad_id']}")
        return "\n".join(lines) if lines else "the audit log is empty"

    emit(data, as_json=args.json, text=text)
    return 1 if result is not None and not result["ok"] else 0


def _status(args, settings) -> int:
    from command.store import last_change_id, session_scope, table_counts
    from command.store._engine import current_revision, engine_for, head_revision, safe_url

    engine = engine_for(settings)
    try:
        revision = current_revision(engine)
        data = {"url": safe_url(engine), "revision": revision, "head": head_revision()}
        if revision is not None:
            with session_scope(engine) as session:
                data["tables"] = table_counts(session)
                data["last_change_id"] = last_change_id(session)
    finally:
        engine.dispose()

    def text(d) -> str:
        lines = [f"{d['url']}: revision {d['revision'] or 'none (run `db init`)'}"
                 f" (code head {d['head']})"]
        if "tables" in d:
            lines.append(f"  last change id {d['last_change_id']}")
            lines += [f"  {k:<20} {v:>7}" for k, v in d["tables"].items()]
        return "\n".join(lines)

    emit(data, as_json=args.json, text=text)
    return 0


def register(cli: CLI) -> None:
    group = cli.group("db", help="initialise, migrate and inspect the store")
    p = group.add_parser("init", help="migrate the store and load the city data set "
                         "(idempotent: a second run writes nothing)")
    p.add_argument("--actor", default="cli", help="who loads it, for the audit log")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_init)
    p = group.add_parser("upgrade", help="run the store migrations to the newest revision")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_upgrade)
    p = group.add_parser("audit", help="show the newest audit entries; --verify checks the "
                         "hash chain (exit 1 if broken)")
    p.add_argument("--verify", action="store_true", help="recompute the whole hash chain")
    p.add_argument("--limit", type=int, default=20, help="how many entries (default 20)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_audit)
    p = group.add_parser("status", help="revision and rows per table")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_status)
