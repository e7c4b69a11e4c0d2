"""Scenarios on the live screen: load one (its incidents recorded with proposed plans,
its zones and closures drawn on every screen), clear it, and say which is active.

Owns: the ``scenario.loaded`` / ``scenario.cleared`` audit entries, whose newest says
which scenario is active. Must not: compute consequences for display (see
:func:`command.app.screen.scenario_overlay`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from command import store
from command.app import incidents
from command.model import Dataset

__all__ = ["SCENARIO_SUBJECT", "scenario_ids", "load_scenario", "clear_scenario",
           "active_scenario"]


def scenario_ids(settings) -> list[str]:
    """The ids (file stems) of the data set's scenario library, sorted."""
    from command.scenarios.library import list_scenarios, scenario_dir

    return [p.stem for p in list_scenarios(scenario_dir(settings.resources_dir))]


#: Audit subject of scenario loads and clears: the newest entry says which one is active.
SCENARIO_SUBJECT = "scenario"


def load_scenario(engine: Engine, network, dataset: Dataset, settings, name: str,
                  actor: str, *, now: datetime | None = None) -> tuple[str, list[str]]:
    """Put scenario ``name`` (an id of the data set's library, or a YAML path) on the
    live screen: its incidents are recorded with proposed plans, recommended on the
    network with the scenario's roads closed, and a ``scenario.loaded`` entry names it
    so every screen draws its zones and closures. Returns (scenario id, incident ids).

    Raises
    ------
    DataError
        For an unknown scenario or an invalid file (naming file, field and value).
    """
    from command.scenarios.consequences import closed_network, consequences
    from command.scenarios.library import find_scenario, scenario_dir
    from command.scenarios.schema import load_scenario as read_scenario

    scenario = read_scenario(find_scenario(name, scenario_dir(settings.resources_dir)),
                             dataset=dataset, network=network)
    c = consequences(scenario, network, dataset, settings=settings)
    closed = closed_network(network, c)
    ids = []
    for inc in c.incidents:
        incident_id, _plan, _rec = incidents.create_and_recommend(
            engine, closed, dataset, incident_type=inc.type, lat=inc.lat, lon=inc.lon,
            priority=inc.priority, grade=inc.grade, actor=actor, limit=settings.recommend_limit,
            max_snap_distance_m=settings.max_snap_distance_m, now=now)
        ids.append(incident_id)
    with store.session_scope(engine) as s:
        store.append_audit(s, actor=actor, action="scenario.loaded", subject=SCENARIO_SUBJECT,
                     payload={"scenario": c.scenario_id, "incident_ids": ids}, at=now)
    return c.scenario_id, ids


def clear_scenario(engine: Engine, actor: str, *, now: datetime | None = None) -> None:
    """Take the scenario's zones and closures off the live screen (its incidents stay
    until they are closed)."""

    with store.session_scope(engine) as s:
        store.append_audit(s, actor=actor, action="scenario.cleared", subject=SCENARIO_SUBJECT,
                           at=now)


def active_scenario(engine: Engine) -> str | None:
    """The id of the scenario on the live screen, or None."""
    with store.session_scope(engine, read_only=True) as s:
        last = store.list_audit(s, limit=1, subject=SCENARIO_SUBJECT)
    return last[0].payload["scenario"] if last and last[0].action == "scenario.loaded" else None
