"""One entrance for sensor messages: bytes off the wire in, a reading or a rejection out.

A message is a JSON object::

    {"sensor_id": "HZ07-CL2-01", "value": 0.42, "unit": "ppm",
     "measured_at": "2026-12-04T08:00:05Z"}

``measured_at`` is ISO 8601 with a zone (a naive time is refused: nobody can tell which
clock it was). A gateway (an RTU reading many sensors) may send a JSON array of such
objects in one message, up to :data:`MAX_BATCH`; each element is judged on its own. A
reading is refused, never stored, with one reason code:

=================  ==============================================================
``bad_json``       not UTF-8 JSON, or not an object
``bad_schema``     a field missing, of the wrong type, or an unknown field
``unknown_sensor`` ``sensor_id`` not in the registry
``wrong_unit``     ``unit`` is not the sensor's unit
``not_finite``     ``value`` is NaN or infinite
``naive_time``     ``measured_at`` without a zone
``future_time``    ``measured_at`` more than ``max_future_s`` after the receiver's now
=================  ==============================================================

A value outside the physical range is *not* refused here: it is what the sensor said,
and :mod:`command.warning.faults` raises it as a fault of the sensor.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import ConfigDict, ValidationError

from command._schema import StrictModel
from command.warning.registry import SensorSpec

__all__ = ["REASONS", "MAX_BATCH", "Reading", "Rejected", "parse_message", "parse_payload",
           "encode_message", "encode_batch"]

#: Most readings in one gateway message.
MAX_BATCH = 5000

REASONS: tuple[str, ...] = ("bad_json", "bad_schema", "unknown_sensor", "wrong_unit",
                            "not_finite", "naive_time", "future_time")


class _Message(StrictModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=True, strict=False)

    sensor_id: str
    value: float
    unit: str
    measured_at: datetime


@dataclass(frozen=True)
class Reading:
    """A valid reading: ``measured_at`` aware UTC, ``value`` in the sensor's unit."""

    sensor_id: str
    measured_at: datetime
    value: float


@dataclass(frozen=True)
class Rejected:
    """A refused message: the reason code, a detail for engineers, and the sensor when
    it could be read."""

    reason: str
    detail: str
    sensor_id: str | None = None


def parse_message(payload: bytes | str, sensors: Mapping[str, SensorSpec], *,
                  now: datetime, max_future_s: float = 60.0) -> Reading | Rejected:
    """Validate one message against the registry at ``now`` (aware).

    Never raises for bad input: every problem becomes a :class:`Rejected` with its code
    (see the module docstring).
    """
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, ValueError) as exc:
        return Rejected("bad_json", str(exc)[:200])
    if not isinstance(data, dict):
        return Rejected("bad_json", f"a JSON object is expected, not {type(data).__name__}")
    return _judge(data, sensors, now=now, max_future_s=max_future_s)


def parse_payload(payload: bytes | str, sensors: Mapping[str, SensorSpec], *,
                  now: datetime, max_future_s: float = 60.0) -> list[Reading | Rejected]:
    """One message: a reading object or a gateway's array of them; one result per
    reading (a payload that is not JSON, or an array too long, is one ``bad_json``)."""
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, ValueError) as exc:
        return [Rejected("bad_json", str(exc)[:200])]
    if isinstance(data, dict):
        return [_judge(data, sensors, now=now, max_future_s=max_future_s)]
    if not isinstance(data, list) or not data or len(data) > MAX_BATCH:
        return [Rejected("bad_json", "a JSON object or an array of 1 to "
                         f"{MAX_BATCH} objects is expected")]
    return [_judge(d, sensors, now=now, max_future_s=max_future_s) if isinstance(d, dict)
            else Rejected("bad_schema", f"[{i}]: an object is expected")
            for i, d in enumerate(data)]


def _judge(data: dict, sensors: Mapping[str, SensorSpec], *, now: datetime,
           max_future_s: float) -> Reading | Rejected:
    sid = data.get("sensor_id") if isinstance(data.get("sensor_id"), str) else None
    try:
        msg = _Message.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        return Rejected("bad_schema", f"{'.'.join(map(str, err['loc']))}: {err['msg']}", sid)
    spec = sensors.get(msg.sensor_id)
    if spec is None:
        return Rejected("unknown_sensor", msg.sensor_id, msg.sensor_id)
    if msg.unit != spec.unit:
        return Rejected("wrong_unit", f"{msg.unit!r}, the sensor reports in {spec.unit!r}",
                        msg.sensor_id)
    if not math.isfinite(msg.value):
        return Rejected("not_finite", repr(msg.value), msg.sensor_id)
    if msg.measured_at.tzinfo is None or msg.measured_at.utcoffset() is None:
        return Rejected("naive_time", msg.measured_at.isoformat(), msg.sensor_id)
    at = msg.measured_at.astimezone(UTC)
    if (at - now).total_seconds() > max_future_s:
        return Rejected("future_time", f"{at.isoformat()} is after {now.isoformat()}",
                        msg.sensor_id)
    return Reading(msg.sensor_id, at, float(msg.value))


def _obj(sensor_id: str, measured_at: datetime, value: float, unit: str) -> dict:
    at = measured_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return {"sensor_id": sensor_id, "value": value, "unit": unit, "measured_at": at}


def encode_message(sensor_id: str, measured_at: datetime, value: float, unit: str) -> bytes:
    """The JSON message of one reading (what the simulator and replay publish)."""
    return json.dumps(_obj(sensor_id, measured_at, value, unit), allow_nan=True).encode()


def encode_batch(readings) -> bytes:
    """A gateway's message: (sensor id, time, value, unit) tuples as one JSON array."""
    return json.dumps([_obj(*r) for r in readings], allow_nan=True).encode()
