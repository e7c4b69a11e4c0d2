"""Server-side context of one dashboard instance, kept on the Flask app (not in globals).

Callbacks call :func:`current` to get it; tests build a ``ScreenContext`` directly and
call the pages' plain functions with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from urllib.parse import parse_qs

import numpy as np
from sqlalchemy.engine import Engine

from command import roads, store
from command.model import Dataset
from command.resources import load_dataset
from command.settings import Settings

__all__ = ["KEY", "ScreenContext", "load", "current", "lang_from_search"]

KEY = "COMMAND_CONTEXT"


@dataclass(eq=False)
class ScreenContext:
    settings: Settings
    network: roads.RoadNetwork
    dataset: Dataset
    engine: Engine

    @cached_property
    def road_lines(self) -> tuple[np.ndarray, np.ndarray]:
        """Road polylines (lat, lon) with NaN separators, computed once per process."""
        return roads.edge_lines(self.network)

    @cached_property
    def bbox(self) -> tuple[float, float, float, float]:
        return tuple(roads.info(self.network)["bbox"])


def load(settings: Settings) -> ScreenContext:
    """Load the network (compact cache) and data set, and open the store, once."""
    return ScreenContext(settings=settings, network=roads.load_network(settings),
                         dataset=load_dataset(settings.resources_dir),
                         engine=store.engine_for(settings))


def current() -> ScreenContext:
    import flask

    return flask.current_app.config[KEY]


def lang_from_search(search: str | None, default: str = "zh") -> str:
    """The language of a page from its query string (``?lang=en``)."""
    values = parse_qs((search or "").lstrip("?")).get("lang", [default])
    return "en" if values[0] == "en" else "zh"
