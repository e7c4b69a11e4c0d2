"""From a scenario to actions: zones, closed roads, people, shelters, agencies, demand.

Public API (pure: plain data in, plain data out; no Dash, no store)::

    consequences(scenario, network, dataset, *, settings=None) -> Consequences
    closed_network(network, consequences) -> RoadNetwork        # for dispatch / simulator
    hazard_zones(scenario, dataset) -> tuple[Zone, ...]
    node_population(network, dataset) -> np.ndarray             # persons per node

``Consequences.to_dict()`` is JSON-ready; ``Consequences.geojson(lang)`` is the map layer
(zones as polygons with their grade 红/橙/黄 and a zh/en label). ``timed_closures`` lists
the roads the injects close, with their minute, for the simulator.

Methods
-------
Zones
    toxic release: the AEGL-3/2/1 (60 min) footprints of a Gaussian plume (continuous)
    or puff (instantaneous) - ``zones``; pool fire, jet fire, BLEVE: circles at the
    ground distances to 37.5 / 12.5 / 4 kW/m2 - ``thermal``; flood: the depth bands
    1.5 / 0.5 / 0 m of the inundation - ``flood`` - or the given polygon; cordon: a
    circle of the given radius. Grades: red, orange, yellow in that order.
Closed roads
    every edge whose drawn geometry touches the union of the zones
    (``roads.close_polygon``), plus ``affected_roads`` (names, polygons). ``closed_km``
    counts each two-way road segment once.
Population inside
    each town's resident population (``population.csv``, town rows) is spread evenly
    over the junctions of its own streets: the Ezhou generator made one junction per
    148 residents and named the streets after the town (``鄂城一路`` ...), so the nodes
    touched by an edge whose name starts with the town's name (its 镇/乡/城区 suffix
    dropped, a numeral next: ``花湖机场一路`` is not 花湖's; village roads ``…村道``
    excluded) carry the town; a town with no such
    street (a real OSM network) takes the unassigned nodes within 3 km of its centre.
    The residents inside a zone are the sum over the nodes inside it; the employees of
    the enterprises (``enterprises.csv``) whose site is inside are added as workers on
    site. Travellers and crowds are not in it.
Shelters and evacuation
    shelters outside every zone, by driving time from the evacuation origin (the node
    inside the zones nearest to the population-weighted centre of the people inside,
    else the hazard's place), on the network with the zone's *entries* closed: an edge
    touching a zone stays open only when it starts inside (evacuees drive out, nobody
    drives in). Nearest first, until their capacity holds the people inside (at least
    one, at most ``max_shelters``).
Agencies to notify
    by hazard type (:data:`NOTIFY_KINDS`, agency kinds of ``agencies.csv``), plus the
    government of the district of each hazard's place and the enterprise itself when
    the place is an enterprise or one of its hazard sources.
Incidents
    each incident's units from the data set's response package and materials from its
    material package for its type and grade (``Dataset.package``,
    ``Dataset.material_package``); inject incidents keep their minute.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np

from command.i18n import t
from command.model import GRADE_RANK
from command.scenarios.flood import depth_polygons, inundation, read_ascii_grid
from command.scenarios.schema import (
    Bleve,
    Cordon,
    Flood,
    JetFire,
    PoolFire,
    ResolvedPlace,
    Scenario,
    ToxicRelease,
    grid_path,
    resolve_place,
)
from command.scenarios.substances import get_substance
from command.scenarios.thermal import (
    POOL_FUELS,
    THRESHOLDS_KW_M2,
    bleve_distances,
    jet_fire_distances,
    pool_fire_distances,
)
from command.scenarios.zones import (
    EARTH_RADIUS_M,
    local_to_lonlat,
    puff_threat_zones,
    threat_zones,
)

__all__ = [
    "NOTIFY_KINDS",
    "Zone",
    "Route",
    "IncidentDemand",
    "Consequences",
    "hazard_zones",
    "node_population",
    "consequences",
    "closed_network",
]

log = logging.getLogger(__name__)

#: Agency kinds (``command.model.AGENCY_KINDS``) notified for each hazard type.
NOTIFY_KINDS: dict[str, tuple[str, ...]] = {
    "toxic_release": ("emergency_management", "fire", "health", "police", "traffic",
                      "environment", "meteorology"),
    "pool_fire": ("emergency_management", "fire", "health", "police", "traffic",
                  "environment"),
    "jet_fire": ("emergency_management", "fire", "health", "police", "traffic", "utility"),
    "bleve": ("emergency_management", "fire", "health", "police", "traffic", "transport",
              "utility"),
    "flood": ("emergency_management", "water", "meteorology", "fire", "health", "police",
              "traffic", "transport", "utility"),
    "cordon": ("emergency_management", "police", "health", "traffic"),
}
_THERMAL_GRADES = dict(zip(THRESHOLDS_KW_M2, ("red", "orange", "yellow")))
_TOWN_RADIUS_M = 3000.0  # fallback reach of a town without named streets
_CIRCLE_POINTS = 72
_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Zone:
    """One graded area of one hazard. ``geometry`` is a GeoJSON Polygon/MultiPolygon."""

    hazard_index: int
    hazard_type: str
    level: str  # "AEGL-2", "12.5 kW/m2", "depth >= 0.5 m", "cordon", "polygon"
    grade: str  # red / orange / yellow / blue
    label_zh: str
    label_en: str
    geometry: dict
    area_m2: float
    distance_m: float | None
    basis: str  # model and where the threshold comes from
    population: int = 0  # residents inside this zone (see the method above)


@dataclass(frozen=True)
class Route:
    """An evacuation route to a shelter outside the zones."""

    shelter_id: str
    name_zh: str
    name_en: str
    capacity_persons: int
    eta_s: float
    distance_m: float
    nodes: tuple[int, ...]
    coords: tuple[tuple[float, float], ...]  # (lat, lon)


@dataclass(frozen=True)
class IncidentDemand:
    """An incident of the scenario and what its response package asks for."""

    type: str
    grade: int
    priority: int
    lat: float
    lon: float
    place_zh: str
    place_en: str
    at_min: float
    units: dict[str, int]
    materials: dict[str, tuple[float, float]]  # item -> (quantity, deadline min)


@dataclass(frozen=True)
class Consequences:
    """Everything a scenario implies, ready for the map, dispatch and the simulator."""

    scenario_id: str
    name_zh: str
    name_en: str
    illustrative: bool
    sources: tuple[str, ...]
    zones: tuple[Zone, ...]
    closed_edges: np.ndarray  # int64 edge indices closed at the start
    closed_km: float
    population: int  # residents + workers on site
    population_by_area: dict[str, int]  # town or enterprise -> persons
    population_method: str
    evacuation_origin: int | None
    shelters: tuple[Route, ...]
    shelter_capacity: int
    agencies: tuple[dict, ...]
    incidents: tuple[IncidentDemand, ...]
    timed_closures: tuple[tuple[float, tuple[str, ...], np.ndarray], ...]
    notes: tuple[str, ...] = field(default=())
    residents: int = 0

    def geojson(self, lang: str = "zh") -> dict:
        """The zones as a GeoJSON FeatureCollection, least severe first (drawn below)."""
        feats = []
        for z in sorted(self.zones, key=lambda z: -GRADE_RANK[z.grade]):
            feats.append({"type": "Feature", "geometry": z.geometry, "properties": {
                "grade": z.grade, "grade_label": t(f"grade.{z.grade}", lang),
                "label": z.label_en if lang == "en" else z.label_zh,
                "label_zh": z.label_zh, "label_en": z.label_en, "level": z.level,
                "hazard_type": z.hazard_type, "hazard_index": z.hazard_index,
                "area_m2": z.area_m2, "distance_m": z.distance_m,
                "population": z.population, "basis": z.basis}})
        return {"type": "FeatureCollection", "features": feats}

    def to_dict(self, lang: str = "zh") -> dict:
        """JSON-ready dict of everything (arrays as lists)."""
        return {
            "scenario": self.scenario_id, "name_zh": self.name_zh, "name_en": self.name_en,
            "illustrative": self.illustrative, "sources": list(self.sources),
            "zones": self.geojson(lang),
            "closed_edges": {"count": int(self.closed_edges.size),
                             "km": round(self.closed_km, 3),
                             "edges": self.closed_edges.tolist()},
            "population": {"inside": self.population, "residents": self.residents,
                           "by_area": self.population_by_area,
                           "method": self.population_method},
            "evacuation": {"origin_node": self.evacuation_origin,
                           "capacity_persons": self.shelter_capacity,
                           "shelters": [{"shelter_id": r.shelter_id, "name_zh": r.name_zh,
                                         "name_en": r.name_en,
                                         "capacity_persons": r.capacity_persons,
                                         "eta_s": round(r.eta_s, 1),
                                         "distance_m": round(r.distance_m, 1),
                                         "path": [[round(a, 6), round(b, 6)]
                                                  for a, b in r.coords]}
                                        for r in self.shelters]},
            "agencies": list(self.agencies),
            "incidents": [{"type": i.type, "grade": i.grade, "priority": i.priority,
                           "lat": i.lat, "lon": i.lon, "place_zh": i.place_zh,
                           "place_en": i.place_en, "at_min": i.at_min, "units": i.units,
                           "materials": {k: {"quantity": q, "deadline_min": d}
                                         for k, (q, d) in i.materials.items()}}
                          for i in self.incidents],
            "timed_closures": [{"at_min": m, "roads": list(n), "edges": e.tolist()}
                               for m, n, e in self.timed_closures],
            "notes": list(self.notes),
        }





# --- zones -------------------------------------------------------------------------------

def _ring_geometry(ring_lonlat) -> dict:
    return {"type": "Polygon", "coordinates": [[[float(a), float(b)] for a, b in ring_lonlat]]}


def _circle(lat: float, lon: float, radius_m: float) -> dict:
    a = np.linspace(0.0, 2 * math.pi, _CIRCLE_POINTS + 1)
    lons, lats = local_to_lonlat(radius_m * np.cos(a), radius_m * np.sin(a), source_lon=lon,
                                 source_lat=lat, wind_from_deg=0.0)
    lons[-1], lats[-1] = lons[0], lats[0]
    return _ring_geometry(zip(lons, lats))


def _area_m2(geometry: dict) -> float:
    """Area of a lon/lat GeoJSON polygon in m2 (equirectangular about its centre)."""
    import shapely
    from shapely.geometry import shape

    g = shape(geometry)
    lon0, lat0 = g.centroid.x, g.centroid.y
    k = math.radians(1.0) * EARTH_RADIUS_M
    c = math.cos(math.radians(lat0))
    return float(shapely.transform(g, lambda xy: (xy - [lon0, lat0]) * [k * c, k]).area)


def _toxic(i, h: ToxicRelease, place: ResolvedPlace, weather) -> list[Zone]:
    sub = get_substance(h.substance)
    common = dict(wind_m_s=weather.wind_m_s, wind_from_deg=weather.wind_from_deg,
                  stability=weather.stability, source_lon=place.lon, source_lat=place.lat,
                  height_m=h.height_m, scheme=h.scheme, levels=h.levels)
    if h.mode == "continuous":
        tz = threat_zones(sub, rate_g_s=h.rate_g_s, **common)
        model = f"Gaussian plume ({h.scheme}), {h.rate_g_s:g} g/s"
    else:
        tz = puff_threat_zones(sub, mass_kg=h.mass_kg, **common)
        model = f"Gaussian puff ({h.scheme}), {h.mass_kg:g} kg"
    out = []
    for z in tz:
        if not z.polygon_lonlat:
            continue
        grade = z.colour if z.colour in GRADE_RANK else "red"
        values = dict(level=z.level, ppm=z.loc_ppm)
        out.append(Zone(i, h.type, z.level, grade,
                        t("scenarios.zone.toxic", "zh", substance=sub.name_zh, **values),
                        t("scenarios.zone.toxic", "en", substance=sub.name, **values),
                        _ring_geometry(z.polygon_lonlat), z.area_m2, z.distance_m,
                        f"{model}; {z.level} {z.loc_ppm:g} ppm: {z.loc_source}"))
    return out


def _thermal(i, h, place: ResolvedPlace) -> list[Zone]:
    if isinstance(h, PoolFire):
        fuel = POOL_FUELS.get(h.fuel) if h.fuel else None
        res = pool_fire_distances(
            diameter_m=h.diameter_m,
            burning_rate_kg_m2_s=h.burning_rate_kg_m2_s or fuel.burning_rate_kg_m2_s,
            heat_of_combustion_kj_kg=h.heat_of_combustion_kj_kg or fuel.heat_of_combustion_kj_kg,
            k_beta_per_m=h.k_beta_per_m or (fuel.k_beta_per_m if fuel else None),
            radiated_fraction=h.radiated_fraction)
        model = f"pool fire, point source, D = {h.diameter_m:g} m"
    elif isinstance(h, JetFire):
        res = jet_fire_distances(release_rate_kg_s=h.release_rate_kg_s,
                                 heat_of_combustion_kj_kg=h.heat_of_combustion_kj_kg,
                                 radiated_fraction=h.radiated_fraction,
                                 source_height_m=h.source_height_m)
        model = f"jet fire, point source, {h.release_rate_kg_s:g} kg/s"
    else:
        res = bleve_distances(mass_kg=h.mass_kg,
                              heat_of_combustion_kj_kg=h.heat_of_combustion_kj_kg,
                              radiated_fraction=h.radiated_fraction,
                              surface_emissive_power_kw_m2=h.sep_kw_m2)
        model = f"BLEVE fireball (CCPS 1994), {h.mass_kg:g} kg"
    out = []
    for flux, d in res.distances_m.items():
        if d is None:
            continue
        geom = _circle(place.lat, place.lon, d)
        values = dict(flux=flux)
        out.append(Zone(i, h.type, f"{flux:g} kW/m2", _THERMAL_GRADES[flux],
                        t("scenarios.zone.thermal", "zh",
                          hazard=t(f"scenarios.hazard.{h.type}", "zh"), **values),
                        t("scenarios.zone.thermal", "en",
                          hazard=t(f"scenarios.hazard.{h.type}", "en"), **values),
                        geom, math.pi * d * d, d, f"{model}; {flux:g} kW/m2"))
    return out


def _flood(i, h: Flood, place: ResolvedPlace, scenario: Scenario, dataset) -> list[Zone]:
    import shapely.geometry

    if h.polygon is not None:
        ring = list(h.polygon) + ([] if tuple(h.polygon[0]) == tuple(h.polygon[-1])
                                  else [h.polygon[0]])
        geom = _ring_geometry(ring)
        return [Zone(i, h.type, "polygon", h.grade, t("scenarios.zone.flood_any", "zh"),
                     t("scenarios.zone.flood_any", "en"), geom, _area_m2(geom), None,
                     "given polygon")]
    breach = resolve_place(h.breach, dataset) if h.breach is not None else place
    grid = read_ascii_grid(grid_path(scenario, h))
    flood = inundation(grid, level_m=h.water_level_m, breach_lat=breach.lat,
                       breach_lon=breach.lon)
    out = []
    for grade, depth, geom in depth_polygons(flood):
        g = shapely.geometry.mapping(geom)
        key = "scenarios.zone.flood_depth" if depth > 0 else "scenarios.zone.flood_any"
        out.append(Zone(i, h.type, f"depth >= {depth:g} m", grade,
                        t(key, "zh", depth=depth), t(key, "en", depth=depth), g,
                        _area_m2(g), None,
                        f"level {h.water_level_m:g} m over {grid.source} "
                        f"(connected cells below the level)"))
    return out


def hazard_zones(scenario: Scenario, dataset) -> tuple[Zone, ...]:
    """The graded zones of every hazard of ``scenario`` (places resolved on ``dataset``)."""
    zones: list[Zone] = []
    for i, h in enumerate(scenario.hazards):
        place = resolve_place(h.place or scenario.place, dataset)
        if isinstance(h, ToxicRelease):
            zones += _toxic(i, h, place, scenario.weather)
        elif isinstance(h, (PoolFire, JetFire, Bleve)):
            zones += _thermal(i, h, place)
        elif isinstance(h, Flood):
            zones += _flood(i, h, place, scenario, dataset)
        elif isinstance(h, Cordon):
            geom = _circle(place.lat, place.lon, h.radius_m)
            zones.append(Zone(i, h.type, "cordon", h.grade,
                              t("scenarios.zone.cordon", "zh", radius=h.radius_m),
                              t("scenarios.zone.cordon", "en", radius=h.radius_m),
                              geom, math.pi * h.radius_m ** 2, h.radius_m, "given radius"))
    return tuple(zones)


# --- population --------------------------------------------------------------------------

def _town_key(name_zh: str) -> str:
    for suffix in ("城区", "街道", "镇", "乡"):
        if name_zh.endswith(suffix) and len(name_zh) > len(suffix):
            return name_zh[: -len(suffix)]
    return name_zh


def node_population(network, dataset) -> tuple[np.ndarray, np.ndarray, list]:
    """Residents per network node (see the module docstring for the method).

    Returns
    -------
    (persons, town, towns) : float array (N,) of persons per node; int array (N,) of the
    index in ``towns`` each node belongs to (-1: none); the town rows used.
    """
    from command.roads._routing import haversine_m

    towns = [p for p in dataset.population if p.level == "town"]
    town_of = np.full(network.n_nodes, -1, dtype=np.int64)
    names = network.edge_name.astype(str)
    village = np.char.find(names, "村道") >= 0
    for k, p in enumerate(towns):
        key = _town_key(p.name_zh)
        hit = np.char.startswith(names, key) & ~village
        # '<town>一路': a numeral follows the town's name ('花湖机场一路' is not 花湖's)
        hit[hit] = np.isin(np.array([n[len(key):len(key) + 1] for n in names[hit]]),
                           list(_NUMERALS))
        if hit.any():
            town_of[network.edge_u[hit]] = k
            town_of[network.edge_v[hit]] = k
    for k, p in enumerate(towns):
        if not (town_of == k).any():
            near = haversine_m(network.node_lat, network.node_lon, p.lat, p.lon) <= _TOWN_RADIUS_M
            town_of[near & (town_of < 0)] = k
    counts = np.bincount(town_of[town_of >= 0], minlength=len(towns))
    pop = np.array([p.population for p in towns], dtype=float)
    persons = np.zeros(network.n_nodes)
    has = town_of >= 0
    persons[has] = pop[town_of[has]] / np.maximum(counts[town_of[has]], 1)
    return persons, town_of, towns


# --- actions -----------------------------------------------------------------------------

def _union(zones):
    import shapely
    from shapely.geometry import shape

    return shapely.union_all([shape(z.geometry) for z in zones]) if zones else None


def _inside_nodes(network, geom) -> np.ndarray:
    import shapely

    if geom is None:
        return np.zeros(network.n_nodes, dtype=bool)
    shapely.prepare(geom)
    return shapely.contains_xy(geom, network.node_lon, network.node_lat)


def _agencies(scenario: Scenario, dataset, places) -> tuple[dict, ...]:
    chosen: dict[str, dict] = {}

    def add(agency, reason):
        row = chosen.setdefault(agency.agency_id, {
            "agency_id": agency.agency_id, "name_zh": agency.name_zh,
            "name_en": agency.name_en, "kind": agency.kind,
            "contact_phone": agency.contact_phone, "reasons": []})
        if reason not in row["reasons"]:
            row["reasons"].append(reason)

    ents = {e.enterprise_id: e for e in dataset.enterprises}
    for h, place in zip(scenario.hazards, places):
        for a in dataset.agencies:
            if a.kind in NOTIFY_KINDS[h.type]:
                add(a, h.type)
            elif a.kind == "district" and place.district and a.name_zh.startswith(place.district):
                add(a, "district")
            elif (a.kind == "enterprise" and place.enterprise_id in ents
                  and a.name_zh == ents[place.enterprise_id].name_zh):
                add(a, "enterprise")
    return tuple(chosen.values())


def _incidents(scenario: Scenario, dataset) -> tuple[IncidentDemand, ...]:
    items = [(0.0, inc) for inc in scenario.incidents]
    items += [(inj.at_min, inj.incident) for inj in scenario.injects if inj.incident]
    out = []
    for at_min, inc in items:
        p = resolve_place(inc.place or scenario.place, dataset)
        out.append(IncidentDemand(inc.type, inc.grade, inc.priority, p.lat, p.lon, p.name_zh,
                                  p.name_en, float(at_min), dataset.package(inc.type, inc.grade),
                                  dataset.material_package(inc.type, inc.grade)))
    return tuple(out)


def _road_mask(network, names=(), polygons=()) -> np.ndarray:
    from command.roads import close_polygon, close_roads, reopen_all

    base = reopen_all(network)
    net = base
    if names:
        net = close_roads(net, list(names))
    for ring in polygons:
        net = close_polygon(net, {"type": "Polygon", "coordinates": [list(map(list, ring))
                                                                     + [list(ring[0])]]})
    return net.edge_closed.copy()


def _evacuation(network, closed, inside, persons, origin_fallback, dataset, zone_geom,
                population, max_shelters):
    import shapely

    from command.roads import path_coords, path_length_m, shortest_path, travel_times_s

    if inside.any() and persons[inside].sum() > 0:
        w = persons * inside
        lat_c = float((w * network.node_lat).sum() / w.sum())
        lon_c = float((w * network.node_lon).sum() / w.sum())
        idx = np.flatnonzero(inside)
        d = (network.node_lat[idx] - lat_c) ** 2 + ((network.node_lon[idx] - lon_c)
                                                     * math.cos(math.radians(lat_c))) ** 2
        origin = int(idx[np.argmin(d)])
    else:
        origin = origin_fallback
    # entries closed, exits open: an edge stays open when it starts inside the zone
    evac = network.derive(edge_closed=network.edge_closed | (closed & ~inside[network.edge_u]))
    outside = [s for s in dataset.shelters
               if zone_geom is None or not shapely.contains_xy(zone_geom, s.lon, s.lat)]
    if not outside:
        return origin, ()
    from command.roads import snap

    nodes, _ = snap(network, [s.lat for s in outside], [s.lon for s in outside],
                    max_distance_m=None)
    eta = travel_times_s(evac, origin, nodes)
    routes, capacity = [], 0
    for j in np.argsort(eta, kind="stable"):
        if not np.isfinite(eta[j]) or len(routes) >= max_shelters:
            break
        if routes and capacity >= population:
            break
        s = outside[j]
        path = shortest_path(evac, origin, int(nodes[j]))
        routes.append(Route(s.shelter_id, s.name_zh, s.name_en, s.capacity_persons,
                            float(eta[j]), path_length_m(evac, path), tuple(path),
                            tuple(path_coords(evac, path))))
        capacity += s.capacity_persons
    return origin, tuple(routes)


def consequences(scenario: Scenario, network, dataset, *, settings=None,
                 max_shelters: int = 5) -> Consequences:
    """Everything ``scenario`` implies on ``network`` with ``dataset`` (see the module
    docstring for the methods).

    Parameters
    ----------
    scenario : Scenario (``schema.load_scenario``)
    network : command.roads.RoadNetwork (its own closures are kept)
    dataset : command.model.Dataset
    settings : command.settings.Settings, optional
        ``max_snap_distance_m`` bounds how far a place may be from a road (default: no
        bound; ``load_scenario`` checks places when given the network).
    max_shelters : most shelters proposed.

    Returns
    -------
    Consequences

    Raises
    ------
    ScenarioError, DataError, RoadNetworkError : inputs the models or the network refuse.
    """
    from command.roads import close_polygon, close_roads, snap

    zones = hazard_zones(scenario, dataset)
    places = [resolve_place(h.place or scenario.place, dataset) for h in scenario.hazards]
    geom = _union(zones)
    inside = _inside_nodes(network, geom)
    persons, town_of, towns = node_population(network, dataset)

    zones = tuple(_with_population(z, network, persons) for z in zones)
    population = int(round(float(persons[inside].sum())))
    by_area: dict[str, int] = {}
    for k in np.unique(town_of[inside & (town_of >= 0)]):
        n = int(round(float(persons[inside & (town_of == k)].sum())))
        if n:
            by_area[towns[int(k)].name_zh] = n

    residents = population
    if geom is not None:  # workers on site: employees of the enterprises inside
        import shapely

        for e in dataset.enterprises:
            if shapely.contains_xy(geom, e.lon, e.lat):
                by_area[e.name_zh] = e.employees
                population += e.employees

    closed = np.zeros(network.n_edges, dtype=bool)
    if geom is not None:
        closed |= close_polygon(network.derive(edge_closed=np.zeros(network.n_edges, bool)),
                                geom).edge_closed
    roads = scenario.affected_roads
    if roads.names or roads.polygons:
        closed |= _road_mask(network, roads.names, roads.polygons)
    closed_idx = np.flatnonzero(closed).astype(np.int64)

    limit = getattr(settings, "max_snap_distance_m", None)
    first = places[0]
    (fallback,), _ = snap(network, [first.lat], [first.lon], max_distance_m=limit)
    origin, routes = _evacuation(network, closed, inside, persons, int(fallback), dataset, geom,
                                 population, max_shelters)
    timed = []
    for inj in scenario.injects:
        if inj.close_roads:
            mask = close_roads(network.derive(edge_closed=np.zeros(network.n_edges, bool)),
                               inj.close_roads).edge_closed
            timed.append((float(inj.at_min), tuple(inj.close_roads), np.flatnonzero(mask)))
    notes = []
    if not zones:
        notes.append("no hazard reaches a level of concern: no zone")
    return Consequences(
        scenario_id=scenario.id, name_zh=scenario.name.zh, name_en=scenario.name.en,
        illustrative=scenario.illustrative, sources=tuple(scenario.sources), zones=zones,
        closed_edges=closed_idx, closed_km=_distinct_km(network, closed_idx),
        population=population, population_by_area=by_area,
        residents=residents,
        population_method="town residents (population.csv) spread evenly over the junctions "
                          "of the town's streets, summed over the nodes inside the zones; plus "
                          "the employees of the enterprises inside (enterprises.csv)",
        evacuation_origin=origin, shelters=routes,
        shelter_capacity=sum(r.capacity_persons for r in routes),
        agencies=_agencies(scenario, dataset, places), incidents=_incidents(scenario, dataset),
        timed_closures=tuple(timed), notes=tuple(notes))


def _distinct_km(network, edges: np.ndarray) -> float:
    # a two-way road is two directed edges; count its length once (as ``roads info`` does)
    from command.roads import distinct_segments

    return float(network.edge_length_m[distinct_segments(network, edges)].sum()) / 1000.0


def _with_population(z: Zone, network, persons) -> Zone:
    from dataclasses import replace

    from shapely.geometry import shape

    inside = _inside_nodes(network, shape(z.geometry))
    return replace(z, population=int(round(float(persons[inside].sum()))))


def closed_network(network, consequences: Consequences, *, at_min: float | None = None):
    """``network`` with the scenario's roads closed (a new RoadNetwork; the old one is
    untouched). With ``at_min``, the inject closures due by that minute are added too."""
    mask = np.zeros(network.n_edges, dtype=bool)
    mask[consequences.closed_edges] = True
    if at_min is not None:
        for minute, _, edges in consequences.timed_closures:
            if minute <= at_min:
                mask[edges] = True
    return network.derive(edge_closed=network.edge_closed | mask)
