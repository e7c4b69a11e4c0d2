"""Fixtures of the dashboard tests."""

import pytest

from dashboard.context import ScreenContext


@pytest.fixture
def ctx(ezhou_store, ezhou_network, ezhou_dataset):
    """A screen context on a fresh store loaded with the Ezhou data set."""
    settings, engine = ezhou_store
    return ScreenContext(settings=settings, network=ezhou_network, dataset=ezhou_dataset,
                         engine=engine)
