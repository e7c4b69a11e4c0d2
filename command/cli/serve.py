"""``command-center serve``: the dashboard on settings.host:settings.port, with the
application's periodic jobs (:mod:`command.app.schedule`) in the same process."""

from __future__ import annotations

from command.cli import CLI
from command.errors import CommandError


def _serve(args, settings) -> int:
    try:
        from dashboard.app import create_app
    except ImportError as exc:  # the dashboard is part of the install; say what is missing
        raise CommandError(f"the dashboard cannot start: {exc}") from exc
    changes = {k: v for k, v in (("host", args.host), ("port", args.port),
                                 ("language", args.lang)) if v is not None}
    settings = settings.replace(**changes)
    app = create_app(settings)
    scheduler = None
    if not args.no_jobs:
        # the periodic jobs (escalation, message delivery, the daily grid roll-up) run in
        # the server process, never in a page callback
        from command.app.schedule import Scheduler, standard_jobs
        from command.store import engine_for

        scheduler = Scheduler(standard_jobs(engine_for(settings)))
        scheduler.start()
    print(f"serving the command screen on http://{settings.host}:{settings.port}/", flush=True)
    try:
        app.run(host=settings.host, port=settings.port, debug=args.debug)
    finally:
        if scheduler is not None:
            scheduler.stop()
    return 0


def register(cli: CLI) -> None:
    p = cli.command("serve", help="serve the dashboard (default http://127.0.0.1:8050)",
                    handler=_serve)
    p.add_argument("--host", help="bind address (default from settings: 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default from settings: 8050)")
    p.add_argument("--lang", choices=["zh", "en"], help="default interface language")
    p.add_argument("--debug", action="store_true", help="Dash debug mode (reloads on edits)")
    p.add_argument("--no-jobs", action="store_true",
                   help="do not run the periodic jobs (hazard escalation every 5 min, message "
                   "delivery, the daily grid roll-up) in this process")
