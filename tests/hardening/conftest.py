"""Fixtures of the hostile-input suite: a store to keep unchanged, the command line run
in a subprocess with a time and memory limit, and the count of cases per kind.

Every case asserts the same four things (issue #20): a non-zero exit (2, the CLI's
CommandError exit), a message naming the file or the field, no traceback, bounded time
and memory; and the store is the same before and after. At the end of the session the
number of cases of each kind is printed.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HOSTILE = REPO / "tests" / "data" / "hostile"
#: The acceptance bounds: refused within 30 s and 3 GB.
TIME_LIMIT_S = 30
MEMORY_LIMIT_B = 3 * 1024 ** 3

_COUNTS = pytest.StashKey[Counter]()


def pytest_configure(config):
    config.stash[_COUNTS] = Counter()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    counts = config.stash.get(_COUNTS, None)
    if not counts:
        return
    terminalreporter.section("hostile inputs: cases per kind")
    for kind, n in sorted(counts.items()):
        terminalreporter.write_line(f"  {kind:<28} {n:>6}")
    terminalreporter.write_line(f"  {'total':<28} {sum(counts.values()):>6}")


@pytest.fixture
def count_case(request):
    """``count_case(kind, n=1)``: add cases of ``kind`` to the session's summary."""
    counts = request.config.stash[_COUNTS]

    def add(kind: str, n: int = 1) -> None:
        counts[kind] += n

    return add


@pytest.fixture(scope="session")
def hostile_env(ezhou_network, ezhou_cache_dir, ezhou_dataset, tmp_path_factory) -> dict:
    """Environment of a command line on the Ezhou data set, its built road cache, and a
    store of its own (SQLite, loaded with the data set)."""
    from command import store

    url = f"sqlite:///{tmp_path_factory.mktemp('hostile-store') / 'command.db'}"
    store.init_db(url, ezhou_dataset, actor="test")
    return {"CC_DATA_DIR": str(ezhou_cache_dir), "DATABASE_URL": url}


@pytest.fixture(scope="session")
def store_state(hostile_env):
    """``store_state()``: rows per table and the last audit id of the hostile store."""
    import sqlalchemy as sa

    engine = sa.create_engine(hostile_env["DATABASE_URL"])

    def state() -> dict:
        with engine.connect() as conn:
            names = sa.inspect(conn).get_table_names()
            return {n: conn.execute(sa.text(f'SELECT COUNT(*) FROM "{n}"')).scalar()
                    for n in names}

    yield state
    engine.dispose()


def _limits() -> None:  # in the child, before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_B, MEMORY_LIMIT_B))


@pytest.fixture(scope="session")
def run_cli(hostile_env):
    """``run_cli(*args) -> (returncode, stdout, stderr, seconds)``: ``command-center``
    in a subprocess with at most 30 s and 3 GB of address space (a timeout fails the
    test with the command line)."""
    env = {**os.environ, **hostile_env, "PYTHONPATH": str(REPO)}
    env.pop("CC_LANGUAGE", None)

    def run(*args: str):
        start = time.monotonic()
        try:
            p = subprocess.run([sys.executable, "-m", "command", *args], cwd=REPO, env=env,
                               capture_output=True, text=True, timeout=TIME_LIMIT_S,
                               preexec_fn=_limits)
        except subprocess.TimeoutExpired:
            pytest.fail(f"command-center {' '.join(args)} ran longer than {TIME_LIMIT_S} s")
        return p.returncode, p.stdout, p.stderr, time.monotonic() - start

    return run


@pytest.fixture
def cli_env(monkeypatch, hostile_env):
    """The hostile store's environment for in-process ``command.cli.main`` calls."""
    for key, value in hostile_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("CC_LANGUAGE", raising=False)
    return hostile_env
