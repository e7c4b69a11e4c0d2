"""What the live command screen reads: one snapshot of the store, its KPIs, the road
paths of units under way and the overlay of the active scenario.

Owns: reading the live (non-drill) state in one read-only session, the "share within
standard" KPI over the command centre's day (Beijing), and derived geometry that only
depends on inputs that never change (routes from a base to an incident, a scenario's
zones), cached in bounded LRU caches. Must not: write anything, or render.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy.engine import Engine

from command import roads, store
from command.app.liaison import unacknowledged
from command.app.scenarios import active_scenario
from command.clock import as_utc, beijing_day_start, utc_now
from command.model import response_standards_s

__all__ = ["LiveSnapshot", "live_snapshot", "StandardShare", "share_within_standard",
           "change_id", "route_coords", "ScenarioOverlay", "scenario_overlay",
           "liaison_pending", "avoidance_panel", "AVOIDANCE_PREFIX"]


#: Audit entries that are not about the response (accounts, log-ins, refusals, risk
#: grading, inspections, enforcement, training), or that have their own panel or screen
#: (liaison tasks, decision sessions and their ballots): in the audit log, not on the
#: wall's operational ticker.
_OFF_TICKER = frozenset({"login", "logout", "user", "access", "password", "risk",
                         "inspection", "inspector", "blacklist", "quiz", "liaison",
                         "decision", "fault", "sensors"})


def change_id(engine: Engine) -> int:
    """The store's last change id: the screens poll it and redraw only when it moves."""
    with store.session_scope(engine, read_only=True) as s:
        return store.last_change_id(s)


def liaison_pending(engine: Engine, *, now: datetime | None = None) -> list[dict]:
    """Liaison tasks no agency has acknowledged yet, oldest first, each with ``age_s``
    since it was issued (:func:`command.app.liaison.unacknowledged`): the screen's panel."""
    return unacknowledged(engine, now=now)


@dataclass(frozen=True)
class LiveSnapshot:
    """Everything the live screen shows, read in one read-only session (live data only:
    drill incidents and plans are left out)."""

    change_id: int
    now: datetime
    incidents: list  # open live IncidentRecord, newest first
    today: list  # live IncidentRecord created today (Beijing), open or closed
    units: list  # UnitRecord by agency
    plans: dict  # incident id -> newest live PlanRecord naming it
    audit: list  # newest live AuditEntry first (``audit_limit`` of them)
    arrivals: dict  # incident id -> first 'on_scene' time today (UTC)


def live_snapshot(engine: Engine, *, audit_limit: int = 12, now: datetime | None = None,
                  plan_limit: int = 500) -> LiveSnapshot:
    """Read the live situation (see :class:`LiveSnapshot`) at ``now`` (aware; the clock
    by default). "Today" is the command centre's day, from midnight Beijing time
    (:func:`command.clock.beijing_day_start`); first arrivals come from the unit status
    history (:func:`command.store.first_arrivals`)."""
    now = as_utc(now or utc_now(), field="now")
    day_start = beijing_day_start(now)
    with store.session_scope(engine, read_only=True) as s:
        change_id = store.last_change_id(s)
        all_live = store.list_incidents(s)
        units = store.list_units(s)
        plans: dict[str, store.PlanRecord] = {}
        for p in store.list_plans(s, limit=plan_limit):  # newest first
            for i in p.incident_ids:
                plans.setdefault(i, p)
        arrivals = store.first_arrivals(s, since=day_start)
        ticker, before = [], None
        while len(ticker) < audit_limit:
            page = store.list_audit(s, limit=max(4 * audit_limit, 50), before_id=before)
            ticker.extend(e for e in page if not e.payload.get("is_drill")
                          and e.action.split(".", 1)[0] not in _OFF_TICKER)
            if len(page) < max(4 * audit_limit, 50):
                break
            before = page[-1].audit_id
        ticker = ticker[:audit_limit]
    return LiveSnapshot(change_id=change_id, now=now,
                        incidents=[i for i in all_live if i.status == "open"],
                        today=[i for i in all_live if i.created_at >= day_start],
                        units=units, plans=plans, audit=ticker, arrivals=arrivals)


@dataclass(frozen=True)
class StandardShare:
    """Share of today's incidents reached within their response standard."""

    within: int
    missed: int
    pending: int

    @property
    def share(self) -> float | None:
        n = self.within + self.missed
        return self.within / n if n else None


def share_within_standard(snapshot: LiveSnapshot, settings) -> StandardShare:
    """Today's incidents whose first unit arrived within the standard.

    An incident counts when its decided plan (approved or modified) holds a unit with a
    response standard (fire-service capabilities ``settings.fire_standard_s``,
    ambulances and medical teams ``settings.ems_standard_s``); its standard is the
    smallest of those. Response time is from the incident's creation to the first
    ``on_scene`` status event of any unit on it (the unit status history). Within: that
    time <= the standard. Missed: longer, or no arrival yet and the standard has passed.
    Pending (not in the share): no arrival yet, standard not passed.
    """
    std = response_standards_s(fire_standard_s=settings.fire_standard_s,
                             ems_standard_s=settings.ems_standard_s)
    within = missed = pending = 0
    for inc in snapshot.today:
        plan = snapshot.plans.get(inc.incident_id)
        if plan is None or plan.status not in ("approved", "modified"):
            continue
        limits = [std[a["capability"]] for a in plan.assignments
                  if a.get("incident_id") == inc.incident_id and a.get("capability") in std]
        if not limits:
            continue
        limit_s = min(limits)
        arrived = snapshot.arrivals.get(inc.incident_id)
        if arrived is not None:
            ok = (arrived - inc.created_at).total_seconds() <= limit_s
            within, missed = within + ok, missed + (not ok)
        elif (snapshot.now - inc.created_at).total_seconds() > limit_s:
            missed += 1
        else:
            pending += 1
    return StandardShare(within, missed, pending)


def route_coords(network, *, to_lat: float, to_lon: float, from_lat: float,
                 from_lon: float) -> list[tuple[float, float]]:
    """The road path (lat, lon) from a place (a unit's base) to another (an incident),
    shortest by travel time on ``network``; [] when unreachable. Bases and incidents do
    not move, so paths are kept in a bounded LRU cache (per network object)."""
    return list(_route(network, round(to_lat, 6), round(to_lon, 6), round(from_lat, 6),
                       round(from_lon, 6)))


@lru_cache(maxsize=2048)
def _route(network, to_lat, to_lon, from_lat, from_lon) -> tuple:
    target, _ = roads.snap(network, to_lat, to_lon, max_distance_m=None)
    source, _ = roads.snap(network, [from_lat], [from_lon], max_distance_m=None)
    nodes = roads.paths_to(network, source, int(target))[0]
    return tuple(map(tuple, roads.path_coords(network, nodes))) if nodes else ()


@dataclass(frozen=True)
class ScenarioOverlay:
    """The active scenario as the map draws it."""

    scenario_id: str
    name_zh: str
    name_en: str
    zones_geojson: dict  # lang -> GeoJSON FeatureCollection of the graded zones
    closed_lat: tuple  # closed road lines with NaN separators
    closed_lon: tuple


def scenario_overlay(engine: Engine, network, dataset, settings) -> ScenarioOverlay | None:
    """Zones and closed roads of the scenario active on the live screen, or None.

    The consequence models take a second or two; the overlay of a scenario only depends
    on the scenario file, the network and the data set, so it is kept in an LRU cache.
    """
    scenario_id = active_scenario(engine)
    if scenario_id is None:
        return None
    if scenario_id.startswith(AVOIDANCE_PREFIX):
        return _chain_overlay(engine, network, int(scenario_id[len(AVOIDANCE_PREFIX):]))
    return _overlay(scenario_id, _Same(network, dataset, settings))


#: The active "scenario" of an avoidance chain is ``avoidance-<chain id>``.
AVOIDANCE_PREFIX = "avoidance-"


def _chain_overlay(engine: Engine, network, chain_id: int) -> ScenarioOverlay | None:
    """The zone and closed roads of an avoidance chain as far as it got (not cached: its
    steps arrive one by one)."""
    import numpy as np

    from command.app.avoidance import chain_overlay

    o = chain_overlay(engine, chain_id)
    if o is None:
        return None
    edges = np.asarray(o["edges"], dtype=np.int64)
    lat, lon = roads.edge_lines(network, edges=edges) if edges.size else ((), ())
    return ScenarioOverlay(f"{AVOIDANCE_PREFIX}{chain_id}", o["name_zh"], o["name_en"],
                           o["geojson"], tuple(lat), tuple(lon))


def avoidance_panel(engine: Engine, *, max_age_s: float = 24 * 3600.0,
                    now: datetime | None = None):
    """The newest avoidance chain for the command screen's panel (None when there is
    none, or it ended more than ``max_age_s`` ago)."""
    from command.app.avoidance import latest_chain

    now = as_utc(now or utc_now(), field="now")
    chain = latest_chain(engine)
    if chain is None:
        return None
    end = chain.finished_at or now
    return chain if (now - end).total_seconds() <= max_age_s else None


class _Same:
    """Inputs compared by identity: settings and data sets hold dicts (unhashable), and
    the same loaded objects serve a whole process."""

    __slots__ = ("objects",)

    def __init__(self, *objects) -> None:
        self.objects = objects

    def __hash__(self) -> int:
        return hash(tuple(map(id, self.objects)))

    def __eq__(self, other) -> bool:
        return isinstance(other, _Same) and all(
            a is b for a, b in zip(self.objects, other.objects, strict=True))


@lru_cache(maxsize=8)
def _overlay(scenario_id: str, inputs: _Same) -> ScenarioOverlay:
    from command.scenarios.consequences import consequences
    from command.scenarios.library import find_scenario, scenario_dir
    from command.scenarios.schema import load_scenario

    network, dataset, settings = inputs.objects
    sc = load_scenario(find_scenario(scenario_id, scenario_dir(settings.resources_dir)),
                       dataset=dataset)
    c = consequences(sc, network, dataset, settings=settings)
    lat, lon = roads.edge_lines(network, edges=c.closed_edges)
    return ScenarioOverlay(scenario_id, c.name_zh, c.name_en,
                           {"zh": c.geojson("zh"), "en": c.geojson("en")},
                           tuple(lat), tuple(lon))
