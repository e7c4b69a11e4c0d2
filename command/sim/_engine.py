"""The SimPy run loop shared by the models: ``env.run()`` that also counts the events."""

from __future__ import annotations

import simpy

__all__ = ["run_counting"]


def run_counting(env: simpy.Environment) -> int:
    """Process every scheduled event of ``env`` (``env.run()`` without ``until``) and
    return how many were processed; counting costs one addition per event."""
    events = 0
    step = env.step
    try:
        while True:
            step()
            events += 1
    except simpy.core.EmptySchedule:
        pass
    return events
