"""Risk early warning (风险预警, issue #14): sensor messages, thresholds, trends, faults
and alerts as pure code over plain data.

Layout: ``registry`` (sensor kinds, units, physical ranges, the sensor file schema),
``messages`` (one entrance for a sensor message: JSON in, a reading or a rejection with
its reason code out), ``thresholds`` (the 蓝 黄 橙 红 levels with hysteresis), ``trend``
(Theil-Sen rate over a window and the time to a threshold), ``faults`` (stale,
flat-line, out of range, spike, drift against a neighbour), ``analysis`` (the streaming
analyser: readings in, de-duplicated alarm and fault events out), ``alerts`` (the alert
lifecycle as a pure state machine), ``simulate`` (labelled synthetic streams for drills,
tests and the benches), ``mqtt`` (the paho-mqtt client glue).

Owns: the rules of warning. Must not: touch the store, pages or the CLI, combine with
other areas (the avoidance chain is :mod:`command.app.avoidance`), or read the clock
(callers pass ``now``).
"""

__all__ = ["registry", "messages", "thresholds", "trend", "faults", "analysis", "alerts",
           "simulate", "mqtt"]
