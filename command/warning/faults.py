"""Sensor fault rules: a fault is the sensor's problem, never an alarm.

=================  ===================================================================
``stale``          no reading for more than ``STALE_INTERVALS`` expected intervals
``flat_line``      the last ``FLAT_READINGS`` readings exactly equal (a frozen output:
                   a live analogue signal always carries some noise)
``out_of_range``   a reading outside the physical range (the kind's, or the sensor's
                   ``range``): a broken loop (below 4 mA) or a saturated head
``spike``          one reading jumps more than the sensor's ``step`` from the last
                   accepted reading and the next one comes back within ``step``: one
                   reading, held for one interval before it is judged
``drift``          the sensor and its neighbour (same kind, same site) differ by more
                   than ``drift_tolerance + drift_share x min(a, b)`` for
                   ``DRIFT_READINGS`` readings in a row; raised on the one of the two
                   that moved further from its own earlier median
=================  ===================================================================

While a sensor has an active flat-line, drift or out-of-range fault its readings raise
no alarm; a spike reading is never used for an alarm. The functions here are the rules
on plain numbers; :mod:`command.warning.analysis` applies them to a stream.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

__all__ = ["FAULT_CODES", "STALE_INTERVALS", "FLAT_READINGS", "DRIFT_READINGS",
           "out_of_range", "is_stale", "is_flat", "diverges", "SUPPRESSING"]

FAULT_CODES: tuple[str, ...] = ("stale", "flat_line", "out_of_range", "spike", "drift")
#: Faults during which a sensor raises no alarm.
SUPPRESSING: frozenset[str] = frozenset({"flat_line", "drift", "out_of_range", "stale"})
STALE_INTERVALS = 3.0
FLAT_READINGS = 12
DRIFT_READINGS = 5


def out_of_range(value: float, low: float, high: float) -> bool:
    """Whether ``value`` is outside [``low``, ``high``]."""
    return not (low <= value <= high)


def is_stale(last_at: datetime | None, now: datetime, interval_s: float, *,
             intervals: float = STALE_INTERVALS) -> bool:
    """Whether a sensor last heard at ``last_at`` is overdue at ``now``."""
    return last_at is not None and (now - last_at).total_seconds() > intervals * interval_s


def is_flat(values: Sequence[float], *, n: int = FLAT_READINGS) -> bool:
    """Whether the last ``n`` values are exactly equal."""
    if len(values) < n:
        return False
    tail = list(values)[-n:]
    return max(tail) == min(tail)


def diverges(a: float, b: float, *, tolerance: float, share: float) -> bool:
    """Whether two neighbours' readings differ by more than ``tolerance + share x
    min(a, b)`` (a leak reaches both; the relative term lets them read differently in
    a plume)."""
    return abs(a - b) > tolerance + share * max(0.0, min(a, b))
