"""Alarm levels with hysteresis.

A reading's level is the most severe grade whose threshold it reaches (``none`` below
all of them). Going up is immediate; going down needs the value to fall below the
current grade's threshold *minus the hysteresis*, so a reading that hovers around a
threshold does not flip the alarm on and off (the usual dead band of alarm units).
"""

from __future__ import annotations

from command.warning.registry import GRADES, Thresholds

__all__ = ["LEVELS", "RANK", "raw_level", "level_of", "next_threshold"]

#: Levels, lowest first.
LEVELS: tuple[str, ...] = ("none", *GRADES)
RANK: dict[str, int] = {lv: i for i, lv in enumerate(LEVELS)}


def raw_level(value: float, thresholds: Thresholds) -> str:
    """The most severe grade whose threshold ``value`` reaches, or ``none``."""
    level = "none"
    for grade, limit in thresholds.items():
        if value >= limit:
            level = grade
    return level


def level_of(value: float, thresholds: Thresholds, *, previous: str = "none",
             hysteresis: float = 0.0) -> str:
    """The level of ``value`` given the ``previous`` level and the ``hysteresis`` (in the
    sensor's unit): up at once, down only below threshold minus hysteresis."""
    raw = raw_level(value, thresholds)
    if RANK[raw] >= RANK[previous]:
        return raw
    limits = dict(thresholds.items())
    for grade in reversed(LEVELS[RANK[raw] + 1:RANK[previous] + 1]):
        if grade in limits and value >= limits[grade] - hysteresis:
            return grade
    return raw


def next_threshold(level: str, thresholds: Thresholds) -> tuple[str, float] | None:
    """The next grade above ``level`` and its threshold, or None at the top."""
    for grade, limit in thresholds.items():
        if RANK[grade] > RANK[level]:
            return grade, limit
    return None
