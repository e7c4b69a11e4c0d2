"""What the liaison rules share: a refusal naming one field and its value."""

from __future__ import annotations

from typing import Any

from command.errors import DataError, Problem

__all__ = ["refuse"]


def refuse(message: str, rule: str, field: str, value: Any) -> DataError:
    """A :class:`DataError` with one problem (``field``, ``value``, ``rule``)."""
    return DataError(message, [Problem(rule, field=field, value=value)])
