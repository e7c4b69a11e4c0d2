"""The command line: ``command-center`` (also ``python -m command``).

Each module in this package adapts one area of the core and defines
``register(cli: CLI) -> None``; :func:`main` discovers them, so adding a command never
touches this file. Commands only parse arguments, call the core, and print (JSON with
``--json``). Errors of the :class:`command.errors.CommandError` family are printed for
people and exit with status 2; so is running out of memory (a last guard behind the
budgets of :mod:`command.limits`); Ctrl-C exits with 130 and says that nothing was
written (the store writes in one transaction, reports through a temporary file).
Nothing else is caught.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import pkgutil
import sys
from collections.abc import Callable, Sequence
from typing import Any

from command.errors import CommandError

__all__ = ["CLI", "main", "emit"]


class CLI:
    """The parser under construction, handed to each module's ``register``.

    ``command(name)`` adds a top-level command; ``group(name)`` returns the sub-command
    set of a top-level command shared by several modules (``optimise``, ``scenario`` ...).
    A handler is ``fn(args, settings) -> int | None``.
    """

    def __init__(self, parser: argparse.ArgumentParser) -> None:
        self.parser = parser
        self._top = parser.add_subparsers(dest="command", metavar="COMMAND")
        self._groups: dict[str, argparse._SubParsersAction] = {}
        self._group_parsers: dict[str, argparse.ArgumentParser] = {}

    def command(self, name: str, *, help: str, handler: Callable | None = None,
                description: str | None = None) -> argparse.ArgumentParser:
        p = self._top.add_parser(name, help=help, description=description or help)
        if handler is not None:
            p.set_defaults(handler=handler)
        return p

    def group(self, name: str, *, help: str = "") -> argparse._SubParsersAction:
        if name not in self._groups:
            p = self._top.add_parser(name, help=help, description=help)
            p.set_defaults(handler=lambda args, settings, _p=p: _p.print_help() or 2)
            self._group_parsers[name] = p
            self._groups[name] = p.add_subparsers(dest=f"{name}_command", metavar="SUBCOMMAND")
        elif help and not self._group_parsers[name].description:
            self._group_parsers[name].description = help
        return self._groups[name]

    def group_parser(self, name: str) -> argparse.ArgumentParser:
        """The parser of a group itself, for options that apply without a sub-command."""
        self.group(name)
        return self._group_parsers[name]


def emit(data: Any, *, as_json: bool, text: Callable[[Any], str] | None = None) -> None:
    """Print ``data`` as JSON (UTF-8, not ASCII-escaped) or through ``text``."""
    if as_json or text is None:
        print(json.dumps(data, ensure_ascii=False, indent=None if as_json else 2, default=str))
    else:
        print(text(data))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="command-center",
        description="Emergency command decision support (Ezhou): data, roads, dispatch, "
        "simulation and the command screen.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    cli = CLI(parser)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(cli)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    from command.settings import from_env

    try:
        settings = from_env()
        rc = handler(args, settings)
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:  # Ctrl-C: stores write in one transaction, files atomically
        print("interrupted: nothing was written", file=sys.stderr)
        return 130
    except MemoryError:  # a last guard behind the budgets of docs/limits.md
        print("error: the input asks for more memory than this machine has; reduce it "
              "(docs/limits.md lists the budgets)", file=sys.stderr)
        return 2
    return int(rc or 0)
