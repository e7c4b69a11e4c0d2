"""The streaming analyser: readings in, de-duplicated alarm and fault events out.

One :class:`Analyser` holds the recent state of every sensor of a registry (a window of
accepted readings, its level, its active faults, a suspect reading awaiting the next).
:meth:`Analyser.observe` takes one valid reading, :meth:`Analyser.tick` checks for stale
sensors at ``now``; both return only *changes* (an alarm rises, lowers or clears; a
fault appears or clears), so a stream that stays red gives one event, not one per
reading. The order of the rules for a reading:

1. a reading not after the sensor's last one is ignored (a redelivered message);
2. out of physical range: an ``out_of_range`` fault, the reading is not used;
3. a jump larger than the sensor's ``step`` is held until the next reading: if that
   one comes back, the held one was a ``spike`` (fault, dropped); else both are used;
4. the accepted reading joins the window: flat-line and drift rules run;
5. unless a suppressing fault is active, the level with hysteresis gives the alarm.

This class is the one place with state in the package (it is a running process's
memory); everything it decides is in the pure rules of :mod:`~command.warning.faults`
and :mod:`~command.warning.thresholds`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median

from command.warning import faults as rules
from command.warning.messages import Reading
from command.warning.registry import SensorSpec
from command.warning.thresholds import RANK, level_of

__all__ = ["Event", "Analyser", "WINDOW"]

#: Accepted readings kept per sensor (trend, flat-line and drift use their tail).
WINDOW = 60


@dataclass(frozen=True)
class Event:
    """A change of a sensor's state.

    ``kind``: ``alarm`` (the level rose to ``level``), ``alarm_lowered`` (fell to a
    lower grade), ``alarm_cleared`` (back to none), ``fault`` (``code`` appeared),
    ``fault_cleared``. ``value``: the reading that caused it (None for a stale tick).
    """

    kind: str
    sensor_id: str
    at: datetime
    level: str | None = None
    code: str | None = None
    value: float | None = None


@dataclass
class _State:
    spec: SensorSpec
    window: deque = field(default_factory=lambda: deque(maxlen=WINDOW))  # (at, value)
    last_at: datetime | None = None
    level: str = "none"
    faults: set = field(default_factory=set)
    pending: tuple | None = None  # a suspect (at, value)
    diverging: int = 0


class Analyser:
    """The running state of every sensor of ``sensors`` (sensor id -> spec)."""

    def __init__(self, sensors: Mapping[str, SensorSpec]) -> None:
        self._s = {sid: _State(spec) for sid, spec in sensors.items()}

    # -- reading -------------------------------------------------------------------------
    def observe(self, reading: Reading) -> list[Event]:
        """Events caused by one valid reading of a known sensor."""
        st = self._s[reading.sensor_id]
        at, v = reading.measured_at, reading.value
        if st.last_at is not None and at <= st.last_at:
            return []
        st.last_at = at
        out: list[Event] = []
        sid = st.spec.sensor_id
        if "stale" in st.faults:
            st.faults.discard("stale")
            out.append(Event("fault_cleared", sid, at, code="stale", value=v))
        lo, hi = st.spec.physical_range
        if rules.out_of_range(v, lo, hi):
            st.pending = None
            if "out_of_range" not in st.faults:
                st.faults.add("out_of_range")
                out.append(Event("fault", sid, at, code="out_of_range", value=v))
            return out
        if "out_of_range" in st.faults:
            st.faults.discard("out_of_range")
            out.append(Event("fault_cleared", sid, at, code="out_of_range", value=v))
        step = st.spec.step
        if st.pending is not None:
            p_at, p_v = st.pending
            st.pending = None
            last = st.window[-1][1] if st.window else p_v
            if abs(v - last) <= step:
                out.append(Event("fault", sid, p_at, code="spike", value=p_v))
                out.append(Event("fault_cleared", sid, at, code="spike", value=v))
            else:
                out += self._accept(st, p_at, p_v)
        if st.window and abs(v - st.window[-1][1]) > step:
            st.pending = (at, v)
            return out
        return out + self._accept(st, at, v)

    def _accept(self, st: _State, at: datetime, v: float) -> list[Event]:
        sid = st.spec.sensor_id
        st.window.append((at, v))
        out: list[Event] = []
        values = [x for _, x in st.window]
        flat = rules.is_flat(values)
        out += self._set_fault(st, "flat_line", flat, at, v)
        out += self._drift(st, at, v)
        if st.faults & rules.SUPPRESSING or st.spec.thresholds is None:
            return out
        new = level_of(v, st.spec.thresholds, previous=st.level, hysteresis=st.spec.hysteresis)
        if new != st.level:
            kind = ("alarm" if RANK[new] > RANK[st.level]
                    else "alarm_cleared" if new == "none" else "alarm_lowered")
            st.level = new
            out.append(Event(kind, sid, at, level=new, value=v))
        return out

    def _set_fault(self, st: _State, code: str, on: bool, at: datetime,
                   v: float | None) -> list[Event]:
        if on and code not in st.faults:
            st.faults.add(code)
            return [Event("fault", st.spec.sensor_id, at, code=code, value=v)]
        if not on and code in st.faults:
            st.faults.discard(code)
            return [Event("fault_cleared", st.spec.sensor_id, at, code=code, value=v)]
        return []

    def _drift(self, st: _State, at: datetime, v: float) -> list[Event]:
        spec = st.spec
        nb = self._s.get(spec.neighbour) if spec.neighbour else None
        if nb is None or not nb.window or nb.faults - {"drift"}:
            return []
        nb_at, nb_v = nb.window[-1]
        if abs((at - nb_at).total_seconds()) > rules.STALE_INTERVALS * spec.interval_s:
            return []
        if rules.diverges(v, nb_v, tolerance=spec.drift_tolerance, share=spec.drift_share):
            st.diverging += 1
        else:
            st.diverging = 0
        if st.diverging >= rules.DRIFT_READINGS and "drift" not in st.faults \
                and "drift" not in nb.faults:
            if _moved(st) >= _moved(nb):
                return self._set_fault(st, "drift", True, at, v)
            return []
        if st.diverging == 0 and "drift" in st.faults:
            return self._set_fault(st, "drift", False, at, v)
        return []

    # -- clock ---------------------------------------------------------------------------
    def tick(self, now: datetime) -> list[Event]:
        """``stale`` faults of the sensors overdue at ``now``."""
        out = []
        for st in self._s.values():
            if "stale" not in st.faults and rules.is_stale(st.last_at, now,
                                                           st.spec.interval_s):
                st.faults.add("stale")
                out.append(Event("fault", st.spec.sensor_id, now, code="stale"))
        return out

    # -- reading the state ---------------------------------------------------------------
    def level(self, sensor_id: str) -> str:
        return self._s[sensor_id].level

    def active_faults(self, sensor_id: str) -> frozenset[str]:
        return frozenset(self._s[sensor_id].faults)

    def recent(self, sensor_id: str) -> list[tuple[datetime, float]]:
        return list(self._s[sensor_id].window)

    def run(self, readings: Iterable[Reading]) -> list[Event]:
        """Every event of ``readings`` in order, with a stale tick at each reading's time."""
        out = []
        for r in readings:
            out += self.tick(r.measured_at)
            out += self.observe(r)
        return out


def _moved(st: _State) -> float:
    """How far a sensor's last readings moved from its own earlier median."""
    values = [x for _, x in st.window]
    if len(values) < 2 * rules.DRIFT_READINGS:
        return 0.0
    half = len(values) // 2
    return abs(median(values[-rules.DRIFT_READINGS:]) - median(values[:half]))
