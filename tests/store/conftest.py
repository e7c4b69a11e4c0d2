"""Fixtures of the store tests: every test runs on SQLite (a temporary file) and on the
PostgreSQL server at 127.0.0.1:5432 (database ``test``), each PostgreSQL test in its own
freshly created schema, so concurrent test runs sharing that database never meet.

No store test reads the wall clock: the clock stands still at :data:`PINNED_NOW` (an hour
when the UTC and Beijing dates differ) unless a test moves it or passes ``now=``."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
import time_machine

from command import model as m
from command.store import engine_for, upgrade

#: 00:00:20 on 4 December in Beijing, still 3 December in UTC.
PINNED_NOW = datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC)

PG_BASE_URL = os.environ.get("CC_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_reason() -> str | None:
    try:
        import psycopg

        dsn = PG_BASE_URL.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, connect_timeout=3) as conn:
            conn.execute("select 1")
    except Exception as exc:  # any failure means: no server to test against
        return f"PostgreSQL at {PG_BASE_URL} unreachable: {str(exc).strip().splitlines()[0]}"
    return None


_PG_SKIP = _pg_reason()


@pytest.fixture(autouse=True)
def pinned_clock():
    """The clock, standing still at :data:`PINNED_NOW`; ``move_to`` moves it."""
    with time_machine.travel(PINNED_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """A URL of an empty store (not migrated)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    if _PG_SKIP:
        if os.environ.get("CI"):  # CI starts PostgreSQL: its absence there is a failure
            pytest.fail(_PG_SKIP)
        pytest.skip(_PG_SKIP)
    import psycopg

    schema = f"cc_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    dsn = PG_BASE_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_BASE_URL}?options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def engine(db_url):
    """An engine on a migrated, empty store."""
    eng = engine_for(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


def make_dataset(**changes) -> m.Dataset:
    """A tiny city a reader can check by eye: 2 agencies, 2 bases, 4 units, 2 items in one
    depot, a hospital, a shelter, an enterprise with one hazard source, a 3-level grid."""
    src = "illustrative"
    data = dict(
        city="testville",
        agencies=(
            m.Agency("fire", "消防救援支队", "Fire brigade", "fire", "张三", "0711-119", src),
            m.Agency("health", "卫健委", "Health commission", "health", "李四", "0711-120", src),
        ),
        bases=(
            m.Base("B1", "一站", "Station 1", "fire_station", "fire", "鄂城区", 30.39, 114.89, src),
            m.Base("B2", "急救站", "EMS 1", "ems_station", "health", "华容区", 30.53, 114.73, src),
        ),
        teams=(
            m.Team("U1", "一站水罐车", "fire", "engine", 5, "B1"),
            m.Team("U2", "一站抢险车", "fire", "rescue", 4, "B1"),
            m.Team("U3", "一站第二水罐车", "fire", "engine", 5, "B1"),
            m.Team("A1", "救护车1", "health", "ambulance", 3, "B2"),
        ),
        items=(m.Item("tent", "帐篷", "tent", "顶", "each"),
               m.Item("water", "饮用水", "drinking water", "箱", "case")),
        depots=(m.Depot("D1", "市级储备库", "City depot", "city", "鄂城区", "fire", 30.38, 114.88,
                        src),),
        stocks=(m.Stock("D1", "tent", 200.0, src), m.Stock("D1", "water", 1500.0, src)),
        hospitals=(m.Hospital("H1", "鄂州市中心医院", "Ezhou Central Hospital", "三甲", "鄂城区",
                              30.39, 114.87, 1500, 60, True, True, True, src),),
        shelters=(m.Shelter("S1", "体育中心", "Sports centre", "鄂城区", 30.40, 114.86, 3000,
                            src),),
        enterprises=(m.Enterprise("E1", "某化工厂", "Chemical works", "chemical", "葛店", 30.50,
                                  114.60, 300, src),),
        hazard_sources=(m.HazardSource("HZ1", "E1", "液氯储罐", "液氯", "chlorine", "7782-50-5",
                                       "J1", 20.0, 5.0, 1200, 30.50, 114.60, src),),
        grid_cells=(  # deliberately children first: the loader orders them
            m.GridCell("G3", "community", "G2", "凤凰社区", "鄂城区", 30.39, 114.88, src),
            m.GridCell("G2", "town", "G1", "鄂城区", "鄂城区", 30.39, 114.89, src),
            m.GridCell("G1", "city", None, "鄂州市", "", 30.39, 114.89, src),
        ),
        grid_members=(m.GridMember("M1", "G3", "王五", "网格员", "13800000000", src),),
        population=(m.PopulationArea("P1", "鄂城区", "Echeng", "district", "鄂城区", 668000, 2020,
                                     30.39, 114.89, src),),
        response_packages=(m.ResponsePackageLine("fire", 4, "engine", 2, src),
                           m.ResponsePackageLine("fire", 4, "ambulance", 1, src)),
        incident_rates=(m.IncidentRate("fire", "鄂城区", 120.0, src),),
    )
    data.update(changes)
    return m.Dataset(**data)


@pytest.fixture
def dataset() -> m.Dataset:
    return make_dataset()


@pytest.fixture
def loaded(engine, dataset):
    """An engine on a store holding :func:`make_dataset`."""
    from command.store import init_db

    init_db(engine, dataset)
    return engine


@pytest.fixture
def make_city():
    """The :func:`make_dataset` factory, for tests that vary the tiny city."""
    return make_dataset
