"""Validation helpers shared by the dispatch optimisers' boundary checks."""

from __future__ import annotations

from typing import Any

import numpy as np

from command.errors import Problem


def checked_array(value: Any, shape: tuple[int, ...], name: str, problems: list[Problem], *,
           allow_inf: bool, what: str) -> np.ndarray | None:
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        problems.append(Problem("must be numeric", field=name, value=type(value).__name__))
        return None
    if a.shape != shape:
        problems.append(Problem(f"must have shape {shape}", field=name, value=a.shape))
        return None
    bad = np.isnan(a) | (a < 0) | (np.isinf(a) if not allow_inf else False)
    for idx in np.argwhere(bad)[:5]:
        where = ", ".join(str(int(k)) for k in idx)
        problems.append(Problem(f"must be {what}", field=f"{name}[{where}]",
                                value=float(a[tuple(idx)])))
    return a




def check_solver_options(method: str, methods: tuple[str, ...], time_limit_s: Any,
                         what: str) -> None:
    """Refuse an unknown method or a non-positive time limit before any solving.

    Raises
    ------
    DataError
        Naming each bad option and its value; ``what`` says what could not be done.
    """
    from command.errors import DataError

    bad = []
    if method not in methods:
        bad.append(Problem(f"must be one of {', '.join(methods)}", field="method",
                           value=method))
    if not (isinstance(time_limit_s, (int, float)) and time_limit_s > 0):
        bad.append(Problem("must be a positive number of seconds", field="time_limit_s",
                           value=time_limit_s))
    if bad:
        raise DataError(f"cannot {what}", bad)
