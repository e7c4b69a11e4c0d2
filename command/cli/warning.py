"""``command-center warning``: the risk early warning from the command line.

``ingest`` is the long-running process that subscribes to the sensors over MQTT and
writes readings, alarms and faults (never inside the dashboard); ``simulate`` and
``replay`` publish drill readings to the broker; ``predict`` fits a CSV series;
``escalate`` is the job a scheduler runs every minute; ``sensors`` lists the registry
with each sensor's state. Every command takes ``--json``.
"""

from __future__ import annotations

import sys

from command.cli import CLI, emit

HELP = "risk early warning: sensors over MQTT, thresholds, trends, faults, alerts"


def _predict(args, settings) -> int:
    import math

    from command.cli._guard import range_problems
    from command.errors import DataError, Problem
    from command.warning.trend import predict_from_times, read_series

    problems = ([Problem("must be a finite number", field="--threshold", value=args.threshold)]
                if not math.isfinite(args.threshold) else [])
    problems += range_problems(args, {"--threshold": "sensor_threshold",
                                      "--window": "trend_window"}, already=problems)
    if problems:
        raise DataError("cannot predict", problems)
    times, values = read_series(args.csv)
    p, at = predict_from_times(times, values, args.threshold, window=args.window)
    data = {"crossing_at": at.isoformat().replace("+00:00", "Z") if at else None,
            "rate_per_min": p.rate_per_min,
            "minutes_to_threshold": p.minutes_to_threshold,
            "threshold": args.threshold, "readings_used": p.n,
            "last_at": times[-1].isoformat().replace("+00:00", "Z"),
            "method": "Theil-Sen over the last readings (window)"}

    def text(d):
        if d["crossing_at"] is None:
            return (f"rate {d['rate_per_min']:.4g} per min: the trend does not reach "
                    f"{d['threshold']:g}")
        return (f"crosses {d['threshold']:g} at {d['crossing_at']} "
                f"(in {d['minutes_to_threshold']:.1f} min; rate {d['rate_per_min']:.4g} per min)")

    emit(data, as_json=args.json, text=text)
    return 0


def _sensors(args, settings) -> int:
    from command.app import warning as app
    from command.cli.risk_enforce import _jsonable, _store

    with _store(settings) as engine:
        rows = app.sensor_states(engine)
    emit(_jsonable(rows), as_json=args.json, text=lambda rs: "\n".join(
        f"{r['sensor_id']:<14} {r['kind']:<14} {r['site']:<10} {r['state']:<8} "
        f"{'' if r['value'] is None else format(r['value'], 'g')} {r['unit']}"
        for r in rs))
    return 0


def _escalate(args, settings) -> int:
    from command.app import warning as app
    from command.cli.risk_enforce import _jsonable, _store

    now = _time(args.now, "--now")
    with _store(settings) as engine:
        done = app.escalate_due(engine, now=now, ack_timeout_s=settings.alert_ack_timeout_s)
    emit(_jsonable({"escalated": done}), as_json=args.json,
         text=lambda d: f"{len(d['escalated'])} alert(s) escalated" + "".join(
             f"\n  alert {a['alert_id']} {a['sensor_id']} {a['level']} x{a['escalations']}"
             for a in d["escalated"]))
    return 0


def _time(text: str | None, field: str):
    from datetime import datetime

    from command.clock import utc_now
    from command.errors import DataError, Problem

    if text is None:
        return utc_now()
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if at.tzinfo is None:
            raise ValueError
    except ValueError:
        raise DataError("bad time", [Problem("an ISO 8601 time with a zone, e.g. "
                                             "2026-12-04T08:00:00Z", field=field,
                                             value=text)]) from None
    return at


def _check(args, flags: dict[str, str]) -> None:
    """Refuse out-of-range numbers before connecting to anything."""
    from command.cli._guard import range_problems
    from command.errors import DataError

    problems = range_problems(args, flags)
    if problems:
        raise DataError("the command cannot run with these options", problems)


def _ingest(args, settings) -> int:
    from command.app.warning_ingest import run_ingest

    _check(args, {"--port": "mqtt_port", "--seconds": "run_seconds"})

    settings = settings.replace(
        mqtt_host=args.host or settings.mqtt_host, mqtt_port=args.port or settings.mqtt_port)
    report = run_ingest(settings, seconds=args.seconds, chain=not args.no_chain)
    emit(report, as_json=args.json, text=lambda r: (
        f"received {r['received']}, stored {r['stored']}, duplicates {r['duplicates']}, "
        f"rejected {r['rejected']} {r['rejected_by_reason']}, events {r['events']}"))
    return 0


def _publish(readings, settings, args) -> dict:
    from command.app.warning_ingest import publish_readings

    return publish_readings(readings, host=args.host or settings.mqtt_host,
                            port=args.port or settings.mqtt_port, speed=args.speed,
                            progress=None if args.json else lambda n: print(
                                f"\r{n} published", end="", file=sys.stderr))


def _simulate(args, settings) -> int:
    from command.app.warning import load_sensor_registry
    from command.warning.simulate import scenario

    _check(args, {"--port": "mqtt_port", "--seed": "random_seed",
                  "--minutes": "stream_minutes"})
    start = _time(None, "--start")  # publishing stamps each reading with its own time
    sensors = load_sensor_registry(settings).by_id()
    readings = scenario(args.scenario, sensors, start=start, seed=args.seed,
                        minutes=args.minutes)
    report = {"scenario": args.scenario, "seed": args.seed, "readings": len(readings),
              **_publish(readings, settings, args)}
    emit(report, as_json=args.json, text=lambda r: f"\n{r['published']} readings of "
         f"'{r['scenario']}' published in {r['seconds']:.1f} s")
    return 0


def _replay(args, settings) -> int:
    from command.app.warning_ingest import read_replay

    _check(args, {"--port": "mqtt_port"})
    readings = read_replay(args.file)
    report = {"file": str(args.file), "readings": len(readings),
              **_publish(readings, settings, args)}
    emit(report, as_json=args.json, text=lambda r: f"\n{r['published']} readings of "
         f"{r['file']} published in {r['seconds']:.1f} s")
    return 0


def _speed(text: str) -> float:
    import argparse
    import math

    v = float(text)
    if not (math.isfinite(v) and v > 0):
        raise argparse.ArgumentTypeError("a positive number (1 = real time, 10 = ten times "
                                         "faster; 0 is not allowed)")
    return v


def register(cli: CLI) -> None:
    group = cli.group("warning", help=HELP)

    p = group.add_parser("predict", help="when a series' trend reaches a threshold "
                         "(Theil-Sen over a window): crossing_at, rate_per_min, "
                         "minutes_to_threshold")
    p.add_argument("--csv", required=True, help="CSV with columns time,value "
                   "(ISO 8601 times with a zone)")
    p.add_argument("--threshold", type=float, required=True, help="the threshold (rising)")
    p.add_argument("--window", type=int, default=30, help="last readings used (default 30)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_predict)

    p = group.add_parser("sensors", help="the sensor registry with each sensor's latest "
                         "reading, level and faults")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_sensors)

    p = group.add_parser("escalate", help="escalate the alerts nobody acknowledged in time "
                         "(a scheduler runs it every minute)")
    p.add_argument("--now", help="the time to judge at (ISO 8601; default: the clock)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_escalate)

    p = group.add_parser("ingest", help="subscribe to the sensors over MQTT (QoS 1, "
                         "persistent session) and write readings, alarms, faults and the "
                         "avoidance chain; runs until stopped")
    p.add_argument("--host", help="broker address (default: the mqtt_host setting)")
    p.add_argument("--port", type=int, help="broker port (default: the mqtt_port setting)")
    p.add_argument("--seconds", type=float, help="stop after this long (default: run on)")
    p.add_argument("--no-chain", action="store_true",
                   help="do not start the avoidance chain on red alerts")
    p.add_argument("--json", action="store_true", help="print the final counts as JSON")
    p.set_defaults(handler=_ingest)

    for name, hlp, handler in (
            ("simulate", "publish a drill stream of the registry's sensors to MQTT", _simulate),
            ("replay", "publish the readings of a CSV file (measured_at,sensor_id,value,unit) "
                       "to MQTT, in their time order", _replay)):
        p = group.add_parser(name, help=hlp)
        if name == "simulate":
            from command.warning.simulate import SCENARIOS

            p.add_argument("--scenario", required=True, choices=SCENARIOS,
                           help="normal, chlorine (a leak ramp at HZ07) or faults")
            p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
            p.add_argument("--minutes", type=float, default=5.0,
                           help="minutes of readings (default 5)")
        else:
            p.add_argument("file", help="CSV file")
        p.add_argument("--speed", type=_speed, default=1.0,
                       help="how many times faster than real time (default 1)")
        p.add_argument("--host", help="broker address (default: the mqtt_host setting)")
        p.add_argument("--port", type=int, help="broker port (default: the mqtt_port setting)")
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(handler=handler)
