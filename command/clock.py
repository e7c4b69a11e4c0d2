"""Time: one clock, aware UTC everywhere inside, Beijing time for people.

Owns: reading the clock, turning any datetime into aware UTC (refusing naive ones,
whose zone nobody can know), and the command centre's day (Beijing, UTC+8, no DST).
Must not: format times for display (pages do that with :func:`beijing`) or read
settings.

Every function that needs "now" takes it as a keyword argument ``now`` whose default
is :func:`utc_now`, so tests pin it (time-machine) and nothing reads the wall clock
behind their back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

__all__ = ["UTC", "BEIJING", "utc_now", "as_utc", "beijing", "beijing_date",
           "beijing_day_start"]

UTC = UTC
#: China Standard Time: the command centre's clock and "today" (one zone, no DST).
BEIJING = timezone(timedelta(hours=8), "CST")


def utc_now() -> datetime:
    """The clock, as aware UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime, *, field: str = "time") -> datetime:
    """``value`` as aware UTC.

    Raises
    ------
    ValueError
        If ``value`` is naive: a time without a zone could be Beijing's or UTC's, eight
        hours apart, so it is refused rather than guessed (the message names ``field``).
    """
    if not isinstance(value, datetime):
        raise ValueError(f"{field}: expected a date and time, got {value!r}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"{field}: {value.isoformat()} has no time zone "
                         "(give it in UTC, e.g. 2026-12-03T06:00:00+00:00)")
    return value.astimezone(UTC)


def beijing(value: datetime) -> datetime:
    """``value`` (aware) in Beijing time, for display."""
    return as_utc(value).astimezone(BEIJING)


def beijing_date(now: datetime) -> date:
    """The command centre's date at ``now`` (aware)."""
    return beijing(now).date()


def beijing_day_start(now: datetime) -> datetime:
    """Midnight Beijing time starting the command centre's day at ``now``, as aware
    UTC (16:00 UTC of the previous UTC day)."""
    local = beijing(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return local.astimezone(UTC)
