"""Labelled synthetic sensor streams, for drills, tests and the benches.

Every stream is labelled with what it really is: ``normal`` (noise around the sensor's
typical value), ``alarm`` (a ramp from normal to above a threshold, the neighbour
following it at 75-100 %), or a fault: ``stale`` (a gap of 10 intervals), ``flat_line``
(the output frozen at its last value), ``out_of_range`` (three readings beyond the
physical range), ``spike`` (three single readings far off), ``drift`` (a slow climb of
one sensor that its neighbour does not follow). :func:`labelled_set` makes many of them;
:func:`score` runs :class:`~command.warning.analysis.Analyser` over each and counts real
alarms found, false alarms and faults raised as alarms.

:func:`scenario` gives the readings of a named drill for the whole registry
(``normal``, ``chlorine``: a chlorine leak ramp at HZ07 under a north-east wind,
``faults``: one of each fault), which ``command-center warning simulate`` publishes.

Randomness is an argument (``seed``); the same seed gives the same streams.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from command.warning.analysis import Analyser
from command.warning.messages import Reading
from command.warning.registry import SensorSpec

__all__ = ["LABELS", "SCENARIOS", "SimReading", "Stream", "typical", "labelled_set", "score",
           "scenario"]

LABELS: tuple[str, ...] = ("normal", "alarm", "stale", "flat_line", "out_of_range", "spike",
                           "drift")
SCENARIOS: tuple[str, ...] = ("normal", "chlorine", "faults")


@dataclass(frozen=True)
class SimReading:
    sensor_id: str
    measured_at: datetime
    value: float
    unit: str
    label: str

    def reading(self) -> Reading:
        return Reading(self.sensor_id, self.measured_at, self.value)


@dataclass(frozen=True)
class Stream:
    """One labelled stream: its sensors (a sensor and, for some, its neighbour) and
    their readings in time order."""

    stream_id: str
    label: str
    sensors: tuple[SensorSpec, ...]
    readings: tuple[SimReading, ...]


def typical(spec: SensorSpec) -> tuple[float, float]:
    """(usual value, noise standard deviation) of a sensor in normal operation."""
    if spec.thresholds is None:
        lo, hi = spec.physical_range
        base = spec.typical if spec.typical is not None else lo + 0.3 * (hi - lo)
        return base, 0.02 * (hi - lo) if spec.typical is None else 0.05 * abs(base) + 1e-3
    items = spec.thresholds.items()
    first, last = items[0][1], items[-1][1]
    if spec.typical is not None:
        base = spec.typical
    elif spec.kind in ("gas_lel", "toxic_ppm"):
        base = 0.3 * first
    else:
        base = first - 0.15 * (last - first)
    span = last - first if last > first else 0.1 * abs(first) + 1e-6
    sd = 0.08 * abs(base) if spec.kind in ("gas_lel", "toxic_ppm") else 0.02 * span
    return base, max(sd, 1e-3)


def _noise(rng, base, sd, n):
    return base + rng.normal(0.0, sd, n)


def _times(start: datetime, spec: SensorSpec, n: int) -> list[datetime]:
    return [start + timedelta(seconds=i * spec.interval_s) for i in range(n)]


def _ramp(rng, spec: SensorSpec, n: int, base: float, sd: float) -> np.ndarray:
    """Normal for a while, then a linear rise to 1.2-1.6 x a random grade's threshold."""
    items = spec.thresholds.items()
    target = items[int(rng.integers(len(items)))][1]
    peak = target * float(rng.uniform(1.2, 1.6)) if target > 0 else target + 4 * sd
    lo, hi = spec.physical_range
    peak = min(peak, lo + 0.95 * (hi - lo))
    lead = int(rng.integers(10, max(11, n // 3)))
    rise = int(rng.integers(15, max(16, n // 3)))
    x = _noise(rng, base, sd, n)
    for i in range(lead, n):
        f = min(1.0, (i - lead + 1) / rise)
        x[i] = base + f * (peak - base) + rng.normal(0.0, sd + 0.03 * f * abs(peak - base))
    return x


def _stream(rng, label: str, spec: SensorSpec, neighbour: SensorSpec | None, n: int,
            start: datetime, k: int) -> Stream:
    base, sd = typical(spec)
    lo, hi = spec.physical_range
    times = _times(start, spec, n)
    x = _noise(rng, base, sd, n)
    keep = np.ones(n, dtype=bool)
    if label == "alarm":
        x = _ramp(rng, spec, n, base, sd)
    elif label == "stale":
        gap = int(rng.integers(n // 3, n // 2))
        keep[gap:gap + 10] = False
    elif label == "flat_line":
        at = int(rng.integers(n // 4, n // 2))
        x[at:] = round(float(x[at]), 3)
    elif label == "out_of_range":
        for i in rng.choice(np.arange(5, n - 1), 3, replace=False):
            x[i] = hi + 0.2 * (hi - lo) if rng.random() < 0.5 else lo - 0.1 * (hi - lo) - 1.0
    elif label == "spike":
        top = spec.thresholds.items()[-1][1] if spec.thresholds else hi
        for i in rng.choice(np.arange(10, n - 2, 3), 3, replace=False):
            x[i] = min(max(2 * top, base + 3 * spec.step), lo + 0.98 * (hi - lo))
    elif label == "drift":
        first = spec.thresholds.items()[0][1]
        at = int(rng.integers(10, 20))
        rate = (first - base) / 80.0
        x[at:] += rate * np.arange(1, n - at + 1)
    sid = f"{spec.sensor_id}#{k}"
    nid = f"{neighbour.sensor_id}#{k}" if neighbour is not None else None
    s1 = spec.model_copy(update={"sensor_id": sid, "neighbour": nid})
    readings = [SimReading(sid, t, float(round(v, 4)), spec.unit, label)
                for t, v, ok in zip(times, x, keep) if ok]
    sensors = [s1]
    if neighbour is not None:
        nb_base, nb_sd = typical(neighbour)
        y = _noise(rng, nb_base, nb_sd, n)
        if label == "alarm":
            ratio = float(rng.uniform(0.75, 1.0))
            y = np.maximum(y, ratio * x + rng.normal(0.0, nb_sd, n))
        nt = _times(start + timedelta(seconds=float(rng.uniform(0, spec.interval_s))),
                    neighbour, n)
        readings += [SimReading(nid, t, float(round(v, 4)), neighbour.unit, "normal")
                     for t, v in zip(nt, y)]
        sensors.append(neighbour.model_copy(update={"sensor_id": nid, "neighbour": sid}))
    readings.sort(key=lambda r: (r.measured_at, r.sensor_id))
    return Stream(f"{label}-{sid}", label, tuple(sensors), tuple(readings))


def labelled_set(sensors: Sequence[SensorSpec], *, start: datetime, seed: int,
                 per_label: int = 20, n: int = 120) -> list[Stream]:
    """``per_label`` streams of each label over the given sensors (those with thresholds;
    drift only for those with a neighbour), ``n`` readings each."""
    rng = np.random.default_rng(seed)
    by_id = {s.sensor_id: s for s in sensors}
    usable = [s for s in sensors if s.thresholds is not None and s.kind != "wind_direction"]
    paired = [s for s in usable if s.neighbour in by_id]
    out = []
    k = 0
    for label in LABELS:
        pool = paired if label == "drift" else usable
        if not pool:
            continue
        for i in range(per_label):
            spec = pool[i % len(pool)]
            nb = by_id.get(spec.neighbour) if spec.neighbour else None
            out.append(_stream(rng, label, spec, nb, n, start, k))
            k += 1
    return out


def score(streams: Sequence[Stream]) -> dict:
    """Run the analyser over each stream alone and compare with the labels.

    Returns
    -------
    dict
        ``streams``, ``alarms_true`` (alarm streams), ``alarms_found`` (alarm streams
        with an alarm on the ramping sensor), ``false_alarms`` (other streams with an
        alarm), ``precision``, ``recall``, ``faults_as_alarms`` (fault streams with an
        alarm), ``faults_found`` (fault streams whose fault was raised, by label),
        ``fault_streams`` (by label).
    """
    tp = fp = fn = faults_as_alarms = 0
    found: dict[str, int] = {}
    total: dict[str, int] = {}
    for st in streams:
        sensors = {s.sensor_id: s for s in st.sensors}
        events = Analyser(sensors).run(r.reading() for r in st.readings)
        primary = st.sensors[0].sensor_id
        alarmed = any(e.kind == "alarm" and e.sensor_id == primary for e in events)
        if st.label == "alarm":
            tp, fn = tp + alarmed, fn + (not alarmed)
        else:
            fp += alarmed
            if st.label != "normal":
                faults_as_alarms += alarmed
                total[st.label] = total.get(st.label, 0) + 1
                hit = any(e.kind == "fault" and e.code == st.label and e.sensor_id == primary
                          for e in events)
                found[st.label] = found.get(st.label, 0) + hit
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"streams": len(streams), "alarms_true": tp + fn, "alarms_found": tp,
            "false_alarms": fp, "precision": precision, "recall": recall,
            "faults_as_alarms": faults_as_alarms, "faults_found": found,
            "fault_streams": total}


def scenario(name: str, sensors: Mapping[str, SensorSpec], *, start: datetime, seed: int,
             minutes: float = 5.0, site: str = "HZ07",
             wind_from_deg: float = 45.0, wind_m_s: float = 3.0) -> list[SimReading]:
    """The readings of drill ``name`` (one of :data:`SCENARIOS`) for every sensor of the
    registry over ``minutes``, in time order.

    ``chlorine``: the toxic-gas sensors of ``site`` ramp from normal to 1.5 x red from
    the end of the first third to two thirds of the time, then stay; wind sensors read
    ``wind_m_s`` from ``wind_from_deg``. ``faults``: the first sensors with thresholds
    get, in turn, a flat line, out-of-range readings, a spike and a gap.
    """
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; one of: {', '.join(SCENARIOS)}")
    rng = np.random.default_rng(seed)
    out: list[SimReading] = []
    faults = iter(("flat_line", "out_of_range", "spike", "stale"))
    for spec in sensors.values():
        n = max(2, int(minutes * 60 / spec.interval_s))
        times = _times(start, spec, n)
        base, sd = typical(spec)
        if spec.kind == "wind":
            base, sd = wind_m_s, 0.1 * wind_m_s
        elif spec.kind == "wind_direction":
            base, sd = wind_from_deg, 3.0
        x = _noise(rng, base, sd, n)
        label = "normal"
        if name == "chlorine" and spec.site == site and spec.kind == "toxic_ppm" \
                and spec.thresholds is not None:
            red = spec.thresholds.items()[-1][1]
            a, b = n // 3, 2 * n // 3
            for i in range(a, n):
                f = min(1.0, (i - a + 1) / max(1, b - a))
                x[i] = base + f * (1.5 * red - base) + rng.normal(0.0, sd * (1 + 3 * f))
            label = "alarm"
        elif name == "faults" and spec.thresholds is not None:
            code = next(faults, None)
            if code is not None:
                label = code
                st = _stream(rng, code, spec, None, n, start, 0)
                out += [SimReading(spec.sensor_id, r.measured_at, r.value, r.unit, code)
                        for r in st.readings]
                continue
        lo, hi = spec.physical_range
        if spec.kind == "wind_direction":
            x = np.mod(x, 360.0)
        else:
            x = np.clip(x, lo, hi)
        out += [SimReading(spec.sensor_id, t, float(round(v, 4)), spec.unit, label)
                for t, v in zip(times, x)]
    out.sort(key=lambda r: (r.measured_at, r.sensor_id))
    return out
