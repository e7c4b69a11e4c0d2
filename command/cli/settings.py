"""``command-center settings``: every setting with its value, unit and reason."""

from __future__ import annotations

from command.cli import CLI, emit


def _show(args, settings) -> int:
    rows = settings.describe()
    emit(rows, as_json=args.json,
         text=lambda rs: "\n".join(f"{r['name']:<24} {r['value']!s:<40} [{r['unit']}] {r['why']}"
                                   for r in rs))
    return 0


def register(cli: CLI) -> None:
    p = cli.command("settings", help="show every setting with its value, unit and reason",
                    handler=_show)
    p.add_argument("--json", action="store_true", help="print JSON")
