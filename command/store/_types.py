"""Column types of the store: every time is aware UTC at the boundary.

:class:`UTCDateTime` is the type of every datetime column. Binding converts an aware
datetime, in any zone, to UTC and refuses a naive one (its zone cannot be known: Beijing
and UTC are eight hours apart); reading returns aware UTC. Query parameters compared with
such a column (``since=`` ...) go through the same conversion, so they compare correctly
whatever zone they were given in.

Storage is what ``DateTime(timezone=True)`` stored before this type existed, so existing
databases and the initial migration stay valid: ``timestamptz`` on PostgreSQL, naive UTC
text on SQLite (which has no zone).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from command.clock import UTC, as_utc, utc_now
from command.errors import StoreError

__all__ = ["UTCDateTime", "utc", "stamp"]


def utc(value: datetime, *, field: str) -> datetime:
    """``value`` as aware UTC, for the store.

    Raises
    ------
    StoreError
        If ``value`` is naive or not a datetime; the message names ``field`` and the value.
    """
    try:
        return as_utc(value, field=field)
    except ValueError as exc:
        raise StoreError(str(exc)) from None


def stamp(now: datetime | None, *, field: str = "now") -> datetime:
    """The time a change is recorded at: ``now`` as aware UTC, or the clock if None.

    Every store function that records a time takes ``now`` and passes it here, so callers
    and tests pin it and the store never reads the clock behind their back.

    Raises
    ------
    StoreError
        If ``now`` is naive (the message names ``field``).
    """
    return utc_now() if now is None else utc(now, field=field)


class UTCDateTime(TypeDecorator):
    """A ``DateTime(timezone=True)`` column that takes and gives aware UTC only.

    Parameters
    ----------
    column
        ``table.column``, named in the error for a naive value. :mod:`._tables` sets it
        for every column of this type.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def __init__(self, column: str = "time") -> None:
        super().__init__()
        self.column = column

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = utc(value, field=self.column)
        # SQLite's DATETIME writes the wall-clock digits and drops the zone: give it UTC
        # digits, as the store always wrote.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        # SQLite gives back the naive UTC it stored; PostgreSQL an aware time in the
        # session's zone.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
