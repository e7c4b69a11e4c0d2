"""The error of the consequence models: an input that makes no physical sense."""

from __future__ import annotations

from command.errors import CommandError

__all__ = ["ScenarioError"]


class ScenarioError(CommandError):
    """A scenario or model input is physically meaningless (the message says why)."""
