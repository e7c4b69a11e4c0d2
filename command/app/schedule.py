"""The application's periodic jobs and the small scheduler that runs them.

Owns: the jobs every installation runs (hazard escalation every five minutes, delivery of
waiting messages every minute, keeping yesterday's grid roll-up once after Beijing
midnight) and :class:`Scheduler`, one daemon thread that runs each job when it is due.
The server process (``command-center serve``) starts it; no page callback runs a job.
A job that fails is logged and tried again at its next time; it never stops the others.

Must not: know about the web. Tests call :meth:`Scheduler.run_due` with a pinned ``now``
instead of starting the thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from command.app import grids, hazards
from command.app.notify import Channel, deliver_pending
from command.clock import as_utc, utc_now

__all__ = ["Job", "Scheduler", "standard_jobs"]

log = logging.getLogger(__name__)


@dataclass
class Job:
    """A job: its name, how often it runs, and what it does at ``now``."""

    name: str
    every: timedelta
    run: Callable[[datetime], object]
    next_at: datetime | None = None


class Scheduler:
    """Runs :class:`Job` s when due, in one daemon thread (:meth:`start`, :meth:`stop`)."""

    def __init__(self, jobs: list[Job], *, tick_s: float = 5.0,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.jobs = list(jobs)
        self.tick_s = tick_s
        self.clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_due(self, now: datetime) -> list[str]:
        """Run every job due at ``now`` (a job never run is due); the names of those run."""
        now = as_utc(now, field="now")
        ran = []
        for job in self.jobs:
            if job.next_at is not None and now < job.next_at:
                continue
            job.next_at = now + job.every
            try:
                job.run(now)
            except Exception:  # one failing job must not stop the others
                log.exception("scheduled job %s failed", job.name)
            ran.append(job.name)
        return ran

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_due(self.clock())
            self._stop.wait(self.tick_s)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="jobs", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None


def standard_jobs(engine: Engine, *,
                  channels: Mapping[str, Channel] | None = None) -> list[Job]:
    """The jobs of an installation: escalate (5 min), deliver messages (1 min), keep
    yesterday's grid roll-up (checked hourly, kept once)."""
    return [
        Job("hazards.escalate", timedelta(minutes=5),
            lambda now: hazards.escalate(engine, now=now, channels=channels)),
        Job("notifications.deliver", timedelta(minutes=1),
            lambda now: deliver_pending(engine, channels=channels, now=now)),
        Job("grids.keep_yesterday", timedelta(hours=1),
            lambda now: grids.keep_yesterday(engine, now=now)),
    ]
