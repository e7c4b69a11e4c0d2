"""``command-center users``: add, list, disable and enable users, and set passwords.

Passwords never appear on the command line: they come from a prompt (typed twice) or
from the first line of ``--password-file``. The acting user in the audit log is
``--actor`` (default ``cli``: whoever has a shell on the server).
"""

from __future__ import annotations

import getpass
from pathlib import Path

from command.cli import CLI, emit


def _password(args) -> str:
    from command.errors import DataError, Problem

    if args.password_file:
        path = Path(args.password_file)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError("the password file cannot be read",
                            [Problem(str(exc), file=str(path), field="--password-file")]) from None
        if not lines or not lines[0]:
            raise DataError("the password file is empty",
                            [Problem("the first line must hold the password", file=str(path),
                                     field="--password-file")])
        return lines[0]
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise DataError("the two passwords differ",
                        [Problem("type the same password twice", field="password")])
    return first


def _engine(settings):
    from command.errors import StoreError
    from command.store import engine_for
    from command.store._engine import current_revision, safe_url

    engine = engine_for(settings)
    if current_revision(engine) is None:
        raise StoreError(f"the store at {safe_url(engine)} is not initialised: "
                         "run `command-center db init`")
    return engine


def _add(args, settings) -> int:
    from command.app.access import add_user
    from command.resources import load_dataset

    engine = _engine(settings)
    try:
        user = add_user(engine, name=args.name, role=args.role, password=_password(args),
                        actor=args.actor, display_name=args.display_name, agency=args.agency,
                        enterprise=args.enterprise, grid=args.grid,
                        dataset=load_dataset(settings.resources_dir))
    finally:
        engine.dispose()
    emit({"name": user.name, "role": user.role}, as_json=args.json,
         text=lambda d: f"user {d['name']} added ({d['role']})")
    return 0


def _list(args, settings) -> int:
    from command.app.access import list_users

    engine = _engine(settings)
    try:
        users = list_users(engine)
    finally:
        engine.dispose()

    def text(rows) -> str:
        out = [f"{'name':<22}{'role':<14}{'scope':<12}{'state':<10}created (UTC)"]
        for u in rows:
            scope = u["agency_id"] or u["enterprise_id"] or u["grid_id"] or ""
            state = "enabled" if u["enabled"] else "disabled"
            if u["locked_until"]:
                state += " locked"
            out.append(f"{u['name']:<22}{u['role']:<14}{scope:<12}{state:<10}"
                       f"{u['created_at']:%Y-%m-%d %H:%M}")
        return "\n".join(out)

    emit([{**u, "locked_until": u["locked_until"] and u["locked_until"].isoformat(),
           "created_at": u["created_at"].isoformat()} for u in users] if args.json else users,
         as_json=args.json, text=text)
    return 0


def _disable(args, settings) -> int:
    from command.app.access import disable_user, enable_user

    engine = _engine(settings)
    try:
        (enable_user if args.users_command == "enable" else disable_user)(
            engine, args.name, actor=args.actor)
    finally:
        engine.dispose()
    done = "enabled" if args.users_command == "enable" else "disabled"
    emit({"name": args.name, "state": done}, as_json=args.json,
         text=lambda d: f"user {d['name']} {d['state']}")
    return 0


def _passwd(args, settings) -> int:
    from command.app.access import set_password

    engine = _engine(settings)
    try:
        set_password(engine, args.name, _password(args), actor=args.actor)
    finally:
        engine.dispose()
    emit({"name": args.name, "password": "set"}, as_json=args.json,
         text=lambda d: f"password of {d['name']} set; its sessions have ended")
    return 0


def register(cli: CLI) -> None:
    from command.access import ROLES

    group = cli.group("users", help="people who may log in to the dashboard, with their roles")

    def common(p, *, password: bool = False):
        p.add_argument("--actor", default="cli", help="who does it, for the audit log")
        p.add_argument("--json", action="store_true", help="print JSON")
        if password:
            p.add_argument("--password-file", metavar="FILE",
                           help="read the password from the first line of FILE instead of "
                                "a prompt")

    p = group.add_parser("add", help="add a user with a role")
    p.add_argument("name", help="log-in name: letters, digits, - _ .")
    p.add_argument("--role", required=True, choices=ROLES, help="the user's role")
    p.add_argument("--display-name", help="full name shown on screens (default: NAME)")
    p.add_argument("--agency", help="the agency of a liaison officer (agencies.csv id)")
    p.add_argument("--enterprise", help="the enterprise of its safety officer")
    p.add_argument("--grid", help="the grid cell of a grid member")
    common(p, password=True)
    p.set_defaults(handler=_add)
    p = group.add_parser("list", help="every user with role, scope and state")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_list)
    for name, text in (("disable", "disable a user (its sessions end at once)"),
                       ("enable", "enable a disabled or locked user again")):
        p = group.add_parser(name, help=text)
        p.add_argument("name")
        common(p)
        p.set_defaults(handler=_disable)
    p = group.add_parser("passwd", help="set a user's password (its sessions end)")
    p.add_argument("name")
    common(p, password=True)
    p.set_defaults(handler=_passwd)
