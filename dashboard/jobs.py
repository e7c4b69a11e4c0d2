"""Background jobs of the dashboard: long solves and simulation runs keyed by what they
answer, run on a small thread pool, polled by the pages (dcc.Interval) for progress."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Job", "Jobs", "jobs_of", "materials_jobs", "materials_key"]

log = logging.getLogger(__name__)


@dataclass
class Job:
    """One piece of background work: its state, progress (0..1) and result."""

    key: str
    state: str = "running"  # running | done | error
    progress: float = 0.0
    result: Any = None
    error: BaseException | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    def set_progress(self, done: float, total: float = 1.0, *_args) -> None:
        self.progress = max(0.0, min(1.0, float(done) / float(total or 1.0)))


class Jobs:
    """Background jobs keyed by what they answer (a store change id, a drill's
    definition), so a repeated request finds the running or finished job instead of
    starting another. Keeps the ``keep`` newest jobs; a thread pool of ``workers``
    threads runs them (the machine's cores are shared with the server)."""

    def __init__(self, *, workers: int = 1, keep: int = 8) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pages-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._keep = keep
        self._lock = threading.Lock()

    def get(self, key: str) -> Job | None:
        with self._lock:
            return self._jobs.get(key)

    def start(self, key: str, fn: Callable[..., Any], *args,
              with_progress: bool = False, **kwargs) -> Job:
        """The job for ``key``: the existing one, or ``fn(*args, **kwargs)`` started now
        (with ``progress=job.set_progress`` added when ``with_progress``)."""
        with self._lock:
            job = self._jobs.get(key)
            if job is not None:
                return job
            job = Job(key)
            self._jobs[key] = job
            while len(self._jobs) > self._keep:
                old_key, old = next(iter(self._jobs.items()))
                if old.state == "running":
                    break
                del self._jobs[old_key]
        if with_progress:
            kwargs["progress"] = job.set_progress
        self._pool.submit(self._run, job, fn, args, kwargs)
        return job

    @staticmethod
    def _run(job: Job, fn, args, kwargs) -> None:
        try:
            job.result = fn(*args, **kwargs)
            job.progress, job.state = 1.0, "done"
        except Exception as exc:  # shown to the person; the traceback goes to the log
            log.exception("background job %s failed", job.key)
            job.error, job.state = exc, "error"
        finally:
            job.finished = time.monotonic()


def jobs_of(config: dict, key: str = "PAGES_JOBS") -> Jobs:
    """The app's job runner, kept in the Flask config (one per app, no module state)."""
    jobs = config.get(key)
    if jobs is None:
        jobs = config.setdefault(key, Jobs())
    return jobs


def materials_jobs(config: dict) -> Jobs:
    """The runner of the materials plans: the material reserves page starts one per
    store state, the command screen reads the finished one for its shortage KPI."""
    return jobs_of(config, "PAGES_JOBS_MATERIALS")


def materials_key(change_id: int) -> str:
    """The job key of the materials plan of one store state."""
    return f"materials:{change_id}"
