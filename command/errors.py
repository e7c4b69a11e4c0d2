"""One exception hierarchy for everything a person can get wrong.

Each error carries a list of :class:`Problem` records (file, row, field, value, rule) so that
all problems of one input are reported at once, and a message a command-centre operator
can read. Engineers' details go to the log, not into these messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Problem",
    "CommandError",
    "SettingsError",
    "DataError",
    "RoadNetworkError",
    "OffNetworkError",
    "StoreError",
    "AccessError",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is, what value, which rule it breaks."""

    rule: str
    file: str | None = None
    row: int | None = None
    field: str | None = None
    value: Any = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field '{self.field}'")
        head = ", ".join(where)
        val = "" if self.value is None else f" (value {self.value!r})"
        return f"{head}{val}: {self.rule}" if head else f"{self.rule}{val}"


class CommandError(Exception):
    """Base of every error the product reports to a person."""

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        self.problems = list(problems)
        if self.problems:
            message = message + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(message)


class SettingsError(CommandError):
    """A setting or environment override is unknown or invalid."""


class DataError(CommandError):
    """A data file (CSV, YAML, OSM) is missing, malformed or inconsistent."""


class RoadNetworkError(CommandError):
    """The road network cannot be loaded, built or queried."""


class OffNetworkError(RoadNetworkError):
    """A place lies too far from any road of the network."""


class StoreError(CommandError):
    """The store cannot be reached, or a write was refused."""


class AccessError(CommandError):
    """The acting user may not do this (unknown, disabled, or not allowed by the role
    matrix or by what the user's scope covers)."""
