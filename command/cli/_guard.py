"""Checks every command runs on its arguments before any work starts.

The command line is a boundary like a file: each number is checked against its range
in :data:`command.limits.RANGES`, the work it asks for against a budget of
:data:`command.limits.BUDGETS` (``--allow-large`` lifts a soft budget), and a file it
will write (``--report``, ``--out``, ``--csv``) must be writable before the run, not
after it. Problems are returned, so that a command reports all of them at once.
:func:`write_text_atomic` writes through a temporary file in the same folder, so that an
interrupted command (Ctrl-C) leaves either the old file or the new one, never half.

Not a command module (the leading underscore keeps it out of the registry).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from command.errors import Problem
from command.limits import check, over_budget

__all__ = ["range_problems", "output_problem", "budget_problem", "add_allow_large",
           "write_text_atomic"]


def range_problems(args: Any, flags: Mapping[str, str], *,
                   already: Iterable[Problem] = ()) -> list[Problem]:
    """A problem for each ``--flag`` (key) whose value lies outside its range (value:
    the range's name); flags that are unset (None) or that already have a problem in
    ``already`` are skipped, so that each wrong value is reported once."""
    seen = {p.field for p in already}
    out = []
    for flag, name in flags.items():
        value = getattr(args, flag.lstrip("-").replace("-", "_"), None)
        if value is None or flag in seen:
            continue
        rule = check(name, value)
        if rule:
            out.append(Problem(rule, field=flag, value=value))
    return out


def output_problem(path: str | os.PathLike | None, flag: str) -> Problem | None:
    """None when ``path`` can be written (its folder exists and is writable, it is not a
    folder, and if it exists it is writable), else the problem naming ``flag``."""
    if path is None:
        return None
    p = Path(path)
    folder = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        return Problem("is a folder; give a file name", field=flag, value=str(path))
    if folder.exists() and not folder.is_dir():
        return Problem(f"{folder} is a file, not a folder", field=flag, value=str(path))
    if not folder.is_dir():
        return Problem(f"the folder {folder} does not exist; create it or choose another",
                       field=flag, value=str(path))
    try:  # the real test (permissions, read-only mounts, /proc ...), as the writer will
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return Problem(f"the folder {folder} cannot be written ({exc.strerror or exc})",
                       field=flag, value=str(path))
    if p.exists() and not os.access(p, os.W_OK):
        return Problem("the file exists and cannot be written", field=flag, value=str(path))
    return None


def budget_problem(name: str, estimate: float, *, allow_large: bool, field: str,
                   what: str) -> Problem | None:
    """None when ``estimate`` is within the budget ``name`` or ``allow_large`` is set
    (and the budget is not a hard one), else the problem naming the estimate and the
    budget."""
    rule = None if allow_large else over_budget(name, estimate, what=what)
    return None if rule is None else Problem(rule, field=field, value=round(estimate))


def add_allow_large(p) -> None:
    p.add_argument("--allow-large", action="store_true",
                   help="run even when the estimated work exceeds its budget "
                   "(docs/limits.md)")


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same folder,
    renamed into place at the end: an interrupted write leaves no half file."""
    p = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".part", dir=p.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # as open() would have made it, not mkstemp's 0600
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
