"""Shared fixtures: the shipped Ezhou data set, its road network and a fresh store.

The network is built once per test session into a temporary cache (parsing the OSM XML
takes seconds); every store fixture gets its own SQLite file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from command.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EZHOU = REPO / "data" / "resources" / "ezhou"


def pytest_configure(config):
    # Tests never go online: osmnx is pointed at loopback wherever it is used.
    import os

    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture(scope="session")
def ezhou_cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ezhou-cache")


@pytest.fixture(scope="session")
def ezhou_settings(ezhou_cache_dir) -> Settings:
    """Settings on the shipped data set whose data_dir holds the session's network cache."""
    # The project's own data set is part of the checkout: missing is a failure, not a skip.
    assert (EZHOU / "roads.osm.gz").exists(), "the Ezhou data set is not in data/resources/ezhou"
    return Settings(data_dir=ezhou_cache_dir)


@pytest.fixture(scope="session")
def ezhou_network(ezhou_settings):
    from command import roads

    return roads.load_network(ezhou_settings)


@pytest.fixture(scope="session")
def ezhou_dataset(ezhou_settings):
    from command.resources import load_dataset

    return load_dataset(ezhou_settings.resources_dir)


@pytest.fixture
def ezhou_store(ezhou_settings, ezhou_dataset, tmp_path):
    """A fresh SQLite store loaded with the Ezhou data set; yields (settings, engine)."""
    from command import store

    settings = ezhou_settings.replace(database_url=f"sqlite:///{tmp_path / 'command.db'}")
    store.init_db(settings, ezhou_dataset, actor="test")
    engine = store.engine_for(settings)
    yield settings, engine
    engine.dispose()


def shared_benchmarks() -> Path:
    """../shared/benchmarks, or skip the test with the reason."""
    path = SHARED / "benchmarks"
    if not path.is_dir():
        pytest.skip(f"published benchmark instances not found at {path}")
    return path
