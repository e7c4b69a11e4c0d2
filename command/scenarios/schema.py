"""The scenario file: what happens where, in what weather, and what it calls for.

A scenario is a YAML file (one per scenario; the Ezhou library is in
``data/resources/ezhou/scenarios/``) validated here with pydantic v2, unknown keys
refused. ``docs/scenarios.md`` describes every field; in short::

    id: chlorine-gedian                 # the file's stem; letters, digits, '-' and '_'
    name: {zh: ..., en: ...}
    description: {zh: ..., en: ...}
    sources: [...]                      # where the numbers come from, or
    illustrative: true                  # made up so that the drill has something there
    place: {hazard_source: HZ07}        # or {enterprise: N01} or {lat: .., lon: ..}
    weather: {wind_m_s: 2.5, wind_from_deg: 45, stability: D}   # FROM, degrees from north
    hazards:                            # at least one; each may have its own place
      - {type: toxic_release, mode: continuous, substance: chlorine, rate_g_s: 1500, height_m: 2}
      - {type: toxic_release, mode: instantaneous, substance: ammonia, mass_kg: 500}
      - {type: pool_fire, diameter_m: 20, fuel: diesel, radiated_fraction: 0.35}
      - {type: jet_fire, release_rate_kg_s: 5, heat_of_combustion_kj_kg: 46000,
         radiated_fraction: 0.3}
      - {type: bleve, mass_kg: 20000, heat_of_combustion_kj_kg: 46000, radiated_fraction: 0.3}
      - {type: flood, water_level_m: 24.0, elevation_grid: file.asc, breach: {lat: .., lon: ..}}
      - {type: flood, polygon: [[lon, lat], ...], grade: orange}
      - {type: cordon, radius_m: 300, grade: yellow}       # crowd or plain incident
    incidents:                          # their demand comes from the response packages
      - {type: hazmat_leak, grade: 2, priority: 1}
    injects:                            # timed events, minutes after the start
      - {at_min: 20, text: {zh: .., en: ..}, close_roads: [316国道]}
    affected_roads: {names: [...], polygons: [[[lon, lat], ...]]}

:func:`load_scenario` reads and validates a file; every problem is reported at once as a
:class:`~command.errors.DataError` whose problems name the file, the line, the field
(a dotted path such as ``hazards[0].rate_g_s``), the value and the rule. With a data set
and a road network it also checks what the file refers to: enterprises and hazard
sources that exist, places inside the network area and within the snapping distance of
a road, incident types that have a response package, road names that exist.

Must not: compute consequences (``consequences``) or read the store.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, PrivateAttr, field_validator, model_validator

from command._schema import (
    IncidentType,
    Lat,
    Level,
    Lon,
    Name,
    NonNegative,
    Slug,
    StrictModel,
    bounded,
    one_of,
)
from command.errors import DataError, Problem
from command.limits import check as check_range
from command.model import RISK_GRADES
from command.scenarios._errors import ScenarioError
from command.scenarios.dispersion import STABILITY_CLASSES
from command.scenarios.substances import LEVELS, get_substance
from command.scenarios.thermal import POOL_FUELS
from command.yamlfile import Located, read_mapping, validate

__all__ = [
    "HAZARD_TYPES",
    "GRADES",
    "Text",
    "Place",
    "Weather",
    "ToxicRelease",
    "PoolFire",
    "JetFire",
    "Bleve",
    "Flood",
    "Cordon",
    "Hazard",
    "IncidentSpec",
    "Inject",
    "AffectedRoads",
    "Scenario",
    "ResolvedPlace",
    "load_scenario",
    "check_references",
    "resolve_place",
    "place_paths",
]

HAZARD_TYPES = ("toxic_release", "pool_fire", "jet_fire", "bleve", "flood", "cordon")
#: Zone grades, most severe first (the national colours; blue is the lowest risk grade).
GRADES = RISK_GRADES
Grade = Literal["red", "orange", "yellow", "blue"]


class Text(StrictModel):
    """A text a person reads, in Simplified Chinese and English."""

    zh: Name
    en: Name


class Place(StrictModel):
    """Exactly one of: ``lat`` and ``lon`` (degrees), ``enterprise`` (an enterprise_id of
    the data set) or ``hazard_source`` (a hazard_id); ``name`` labels it on the map."""

    lat: Lat | None = None
    lon: Lon | None = None
    enterprise: str | None = None
    hazard_source: str | None = None
    name: Text | None = None

    @model_validator(mode="after")
    def _one_kind(self):
        kinds = [(self.lat is not None or self.lon is not None), self.enterprise is not None,
                 self.hazard_source is not None]
        if sum(kinds) != 1:
            raise ValueError("a place is exactly one of: lat and lon; enterprise; hazard_source")
        if kinds[0] and (self.lat is None or self.lon is None):
            raise ValueError("give both lat and lon")
        return self


class Weather(StrictModel):
    """Wind speed (m/s, at 10 m), the direction it blows FROM (degrees clockwise from
    north: 0 = a north wind, which carries a plume south) and the Pasquill class A-F."""

    wind_m_s: float
    wind_from_deg: float
    stability: str

    @field_validator("wind_m_s")
    @classmethod
    def _wind(cls, v):
        if not (math.isfinite(v) and v > 0):
            raise ValueError("wind speed must be positive: a Gaussian plume or puff is carried "
                             "and diluted by the wind, and in calm air (0 m/s) the model does "
                             "not apply")
        return _in_range("wind_m_s", "the wind speed", v)

    @field_validator("wind_from_deg")
    @classmethod
    def _direction(cls, v):
        if not (math.isfinite(v) and 0 <= v <= 360):
            raise ValueError("the direction the wind blows from is 0-360 degrees clockwise "
                             "from north")
        return v

    @field_validator("stability")
    @classmethod
    def _stability(cls, v):
        s = str(v).strip().upper()
        if s not in STABILITY_CLASSES:
            raise ValueError("the Pasquill stability classes are A (very unstable) to F "
                             "(moderately stable); there is no class G in these dispersion "
                             "curves, use F for the most stable nights")
        return s


def _in_range(name: str, what: str, v):
    """``v`` unless it lies outside the range ``name`` of :data:`command.limits.RANGES`
    (the models' validity ranges), in which case the error states the range."""
    rule = None if v is None else check_range(name, v)
    if rule:
        raise ValueError(f"{what} {rule}")
    return v


def _positive(what: str, why: str, name: str):
    """More than 0 (with the physics of why), then within the range ``name``."""
    def check(cls, v):
        if v is not None and not (math.isfinite(v) and v > 0):
            raise ValueError(f"{what} must be positive: {why}")
        return _in_range(name, what, v)
    return classmethod(check)


class _Hazard(StrictModel):
    place: Place | None = None  # default: the scenario's place
    name: Text | None = None


class ToxicRelease(_Hazard):
    """A toxic gas release: ``continuous`` at ``rate_g_s`` (Gaussian plume) or
    ``instantaneous`` of ``mass_kg`` (Gaussian puff), from ``height_m`` (effective height)."""

    type: Literal["toxic_release"]
    mode: Literal["continuous", "instantaneous"]
    substance: str
    rate_g_s: float | None = None
    mass_kg: float | None = None
    height_m: float = 0.0
    duration_min: float | None = None
    scheme: Literal["briggs-rural", "briggs-urban", "isc3"] = "briggs-rural"
    levels: tuple[str, ...] = ("AEGL-3", "AEGL-2", "AEGL-1")

    _rate = field_validator("rate_g_s")(_positive(
        "the release rate", "a zero or negative source emits nothing to disperse", "rate_g_s"))
    _mass = field_validator("mass_kg")(_positive(
        "the released mass", "nothing released, nothing to disperse", "toxic_mass_kg"))
    _duration = field_validator("duration_min")(_positive(
        "the duration", "minutes of release", "release_duration_min"))

    @field_validator("substance")
    @classmethod
    def _substance(cls, v):
        try:
            return get_substance(v).key
        except ScenarioError as exc:
            raise ValueError(exc.problems[0].rule) from None

    @field_validator("height_m")
    @classmethod
    def _height(cls, v):
        if not (math.isfinite(v) and v >= 0):
            raise ValueError("release height must be zero or positive: a source below the "
                             "ground does not release into the air")
        return _in_range("release_height_m", "the release height", v)

    @field_validator("levels")
    @classmethod
    def _levels(cls, v):
        bad = [lv for lv in v if lv.strip().upper() not in LEVELS]
        if bad or not v:
            raise ValueError(f"levels of concern are some of {', '.join(LEVELS)}, most "
                             "severe first")
        return tuple(lv.strip().upper() for lv in v)

    @model_validator(mode="after")
    def _amount(self):
        if self.mode == "continuous" and (self.rate_g_s is None or self.mass_kg is not None):
            raise ValueError("a continuous release gives rate_g_s (g/s) and no mass_kg")
        if self.mode == "instantaneous" and (self.mass_kg is None or self.rate_g_s is not None):
            raise ValueError("an instantaneous release gives mass_kg (kg) and no rate_g_s")
        return self


class _Thermal(_Hazard):
    radiated_fraction: float | None = None
    heat_of_combustion_kj_kg: float | None = None

    _hc = field_validator("heat_of_combustion_kj_kg")(_positive(
        "the heat of combustion", "a fuel that releases no heat makes no fire",
        "heat_of_combustion_kj_kg"))

    @field_validator("radiated_fraction")
    @classmethod
    def _fraction(cls, v):
        if v is not None and not (math.isfinite(v) and 0 < v <= 1):
            raise ValueError("the radiated fraction is a share of the heat released: "
                             "more than 0, at most 1")
        return v


class PoolFire(_Thermal):
    """A burning pool of ``diameter_m`` (point-source model); ``fuel`` fills the burning
    rate, heat of combustion and k*beta from NUREG-1805."""

    type: Literal["pool_fire"]
    diameter_m: float
    fuel: Annotated[str, AfterValidator(one_of(sorted(POOL_FUELS), "pool fuel"))] | None = None
    burning_rate_kg_m2_s: float | None = None
    k_beta_per_m: float | None = None
    radiated_fraction: float

    _d = field_validator("diameter_m")(_positive("the pool diameter", "metres",
                                                 "pool_diameter_m"))
    _b = field_validator("burning_rate_kg_m2_s")(_positive("the burning rate", "kg/m2/s",
                                                           "burning_rate_kg_m2_s"))
    _k = field_validator("k_beta_per_m")(_positive("k*beta", "1/m", "k_beta_per_m"))

    @model_validator(mode="after")
    def _enough(self):
        if self.fuel is None and (self.burning_rate_kg_m2_s is None
                                  or self.heat_of_combustion_kj_kg is None):
            raise ValueError("give a fuel, or burning_rate_kg_m2_s and "
                             "heat_of_combustion_kj_kg")
        return self


class JetFire(_Thermal):
    """A jet fire burning ``release_rate_kg_s`` (point-source model)."""

    type: Literal["jet_fire"]
    release_rate_kg_s: float
    heat_of_combustion_kj_kg: float
    radiated_fraction: float
    source_height_m: float = 0.0

    _r = field_validator("release_rate_kg_s")(_positive(
        "the release rate", "a jet fire needs fuel flowing", "jet_release_rate_kg_s"))

    @field_validator("source_height_m")
    @classmethod
    def _height(cls, v):
        return _in_range("fire_height_m", "the source height", v)


class Bleve(_Thermal):
    """A BLEVE fireball of ``mass_kg`` of fuel (CCPS 1994); the emissive power from
    ``sep_kw_m2`` or from the radiated fraction and heat of combustion."""

    type: Literal["bleve"]
    mass_kg: float
    sep_kw_m2: float | None = None

    _m = field_validator("mass_kg")(_positive("the mass in the fireball", "kg of fuel",
                                              "bleve_mass_kg"))
    _s = field_validator("sep_kw_m2")(_positive("the surface emissive power", "kW/m2",
                                                "sep_kw_m2"))

    @model_validator(mode="after")
    def _enough(self):
        if self.sep_kw_m2 is None and (self.radiated_fraction is None
                                       or self.heat_of_combustion_kj_kg is None):
            raise ValueError("give sep_kw_m2, or radiated_fraction and "
                             "heat_of_combustion_kj_kg")
        return self


class Flood(_Hazard):
    """Water over land: a ``water_level_m`` over an ``elevation_grid`` (ESRI ASCII grid,
    path relative to the scenario file) entering at ``breach`` (default: the place); or a
    given ``polygon`` ([lon, lat] ring) with its ``grade``."""

    type: Literal["flood"]
    water_level_m: float | None = None
    elevation_grid: str | None = None
    breach: Place | None = None
    polygon: list[tuple[Lon, Lat]] | None = None
    grade: Grade = "orange"

    @field_validator("water_level_m")
    @classmethod
    def _level(cls, v):
        return _in_range("water_level_m", "the water level", v)

    @model_validator(mode="after")
    def _one_way(self):
        by_level = self.water_level_m is not None or self.elevation_grid is not None
        if by_level == (self.polygon is not None):
            raise ValueError("a flood is either water_level_m with elevation_grid, or polygon")
        if by_level and (self.water_level_m is None or self.elevation_grid is None):
            raise ValueError("a flood by level needs both water_level_m and elevation_grid")
        if self.polygon is not None and len(self.polygon) < 3:
            raise ValueError("a polygon needs at least 3 [lon, lat] points")
        return self


class Cordon(_Hazard):
    """A plain incident area (crowd, aircraft wreck, collapse ...): a circle of
    ``radius_m`` about the place, of one ``grade``."""

    type: Literal["cordon"]
    radius_m: float
    grade: Grade = "yellow"

    _r = field_validator("radius_m")(_positive("the cordon radius", "metres",
                                               "cordon_radius_m"))


Hazard = Annotated[ToxicRelease | PoolFire | JetFire | Bleve | Flood | Cordon,
                   Field(discriminator="type")]


class IncidentSpec(StrictModel):
    """An incident the scenario raises: its demand is the data set's response package
    (and material package) for ``type`` and ``grade`` (1 特别重大 ... 4 一般)."""

    type: IncidentType
    grade: Level
    priority: Level = 2
    place: Place | None = None
    description: Text | None = None


class Inject(StrictModel):
    """A timed event ``at_min`` minutes after the start: a message, and optionally a new
    incident and roads to close."""

    at_min: Annotated[NonNegative, bounded("inject_at_min")]
    text: Text
    incident: IncidentSpec | None = None
    close_roads: list[str] = []


class AffectedRoads(StrictModel):
    """Roads closed besides those inside the zones: by name or ref, or by polygon."""

    names: list[str] = []
    polygons: list[list[tuple[Lon, Lat]]] = []

    @field_validator("polygons")
    @classmethod
    def _rings(cls, v):
        if any(len(r) < 3 for r in v):
            raise ValueError("a polygon needs at least 3 [lon, lat] points")
        return v


class Scenario(StrictModel):
    """One scenario; see the module docstring. ``file`` is where it was read from."""

    id: Slug
    name: Text
    description: Text
    sources: list[str] = []
    illustrative: bool = False
    place: Place
    weather: Weather | None = None
    hazards: list[Hazard] = Field(min_length=1)
    incidents: list[IncidentSpec] = []
    injects: list[Inject] = []
    affected_roads: AffectedRoads = AffectedRoads()

    _file: Path | None = PrivateAttr(default=None)

    @property
    def file(self) -> Path | None:
        return self._file

    @model_validator(mode="after")
    def _provenance_and_weather(self):
        if not self.sources and not self.illustrative:
            raise ValueError("say where the scenario comes from (sources: [...]) or mark it "
                             "illustrative: true")
        if self.weather is None and any(h.type == "toxic_release" for h in self.hazards):
            raise ValueError("a toxic release needs the weather (wind_m_s, wind_from_deg, "
                             "stability)")
        return self


# --- places ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ResolvedPlace:
    """A place as coordinates, with its label and district (from the data set)."""

    lat: float
    lon: float
    name_zh: str
    name_en: str
    district: str
    enterprise_id: str | None = None


def resolve_place(place: Place, dataset) -> ResolvedPlace:
    """Coordinates, label and district of ``place`` (a lat/lon place gets the district
    of the nearest town of the data set's population table).

    Raises
    ------
    DataError : an enterprise or hazard source the data set does not have.
    """
    label = place.name
    if place.hazard_source is not None:
        hz = {h.hazard_id: h for h in dataset.hazard_sources}.get(place.hazard_source)
        if hz is None:
            raise DataError("Unknown hazard source.", [Problem(
                "no such hazard_id in hazard_sources.csv", field="hazard_source",
                value=place.hazard_source)])
        ent = {e.enterprise_id: e for e in dataset.enterprises}.get(hz.enterprise_id)
        return ResolvedPlace(hz.lat, hz.lon, label.zh if label else hz.name_zh,
                             label.en if label else f"{hz.substance_en} ({hz.hazard_id})",
                             ent.district if ent else _district(dataset, hz.lat, hz.lon),
                             hz.enterprise_id)
    if place.enterprise is not None:
        ent = {e.enterprise_id: e for e in dataset.enterprises}.get(place.enterprise)
        if ent is None:
            raise DataError("Unknown enterprise.", [Problem(
                "no such enterprise_id in enterprises.csv", field="enterprise",
                value=place.enterprise)])
        return ResolvedPlace(ent.lat, ent.lon, label.zh if label else ent.name_zh,
                             label.en if label else ent.name_en, ent.district,
                             ent.enterprise_id)
    lat, lon = float(place.lat), float(place.lon)
    return ResolvedPlace(lat, lon, label.zh if label else f"{lat:.4f}, {lon:.4f}",
                         label.en if label else f"{lat:.4f}, {lon:.4f}",
                         _district(dataset, lat, lon))


def _district(dataset, lat: float, lon: float) -> str:
    towns = [p for p in dataset.population if p.level == "town"] or list(dataset.population)
    if not towns:
        return ""
    coslat = math.cos(math.radians(lat))
    best = min(towns, key=lambda p: (p.lat - lat) ** 2 + ((p.lon - lon) * coslat) ** 2)
    return best.district


def place_paths(scenario: Scenario):
    """Every place of a scenario with its path in the file: yields (path, place)."""
    yield ("place",), scenario.place
    for i, h in enumerate(scenario.hazards):
        if h.place is not None:
            yield ("hazards", i, "place"), h.place
        if isinstance(h, Flood) and h.breach is not None:
            yield ("hazards", i, "breach"), h.breach
    for i, inc in enumerate(scenario.incidents):
        if inc.place is not None:
            yield ("incidents", i, "place"), inc.place
    for i, inj in enumerate(scenario.injects):
        if inj.incident is not None and inj.incident.place is not None:
            yield ("injects", i, "incident", "place"), inj.incident.place


# --- loading ---------------------------------------------------------------------------

_TAGS = "|".join(HAZARD_TYPES)
_TAG_RE = re.compile(rf"\.({_TAGS})(?=\.|$)")


def _path_of(field: str) -> tuple:
    out: list = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", field):
        out.append(int(index) if index else name)
    return tuple(out)


def _untagged(problem: Problem, located: Located) -> Problem:
    """pydantic puts the discriminator ('toxic_release' ...) in the path of an error in a
    hazard; the file has no such key, so take it out and find the line again."""
    if not problem.field or not _TAG_RE.search(problem.field):
        return problem
    field = _TAG_RE.sub("", problem.field)
    return replace(problem, field=field, row=located.line(_path_of(field)))


def load_scenario(source: str | Path, *, dataset=None, network=None,
                  max_snap_distance_m: float | None = None) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    source : path of a YAML (or JSON) file.
    dataset : command.model.Dataset, optional
        When given, references (enterprises, hazard sources, incident types with a
        response package, the network area) are checked too.
    network : command.roads.RoadNetwork, optional
        When given, road names must exist and every place must lie within
        ``max_snap_distance_m`` of a road.

    Returns
    -------
    Scenario (``scenario.file`` is the path).

    Raises
    ------
    DataError : every problem at once, each naming the file, line, field and value.
    """
    located = read_mapping(source, what="scenario file")
    try:
        scenario = validate(Scenario, located, what="scenario file")
    except DataError as exc:
        raise DataError(f"The scenario file {located.file} is invalid.",
                        [_untagged(p, located) for p in exc.problems]) from None
    scenario._file = Path(source)
    problems = check_references(scenario, located, dataset=dataset, network=network,
                                max_snap_distance_m=max_snap_distance_m)
    if problems:
        raise DataError(f"The scenario file {located.file} is invalid.", problems)
    return scenario


def check_references(scenario: Scenario, located: Located, *, dataset=None, network=None,
                     max_snap_distance_m: float | None = None) -> list[Problem]:
    """What the scenario refers to, against the data set and the road network."""
    problems: list[Problem] = []
    if scenario.file is not None and scenario.file.stem != scenario.id:
        problems.append(located.problem(("id",), f"the id must be the file's name "
                                                 f"('{scenario.file.stem}')", scenario.id))
    for i, h in enumerate(scenario.hazards):
        if isinstance(h, Flood) and h.elevation_grid is not None:
            grid = grid_path(scenario, h)
            if not grid.is_file():
                problems.append(located.problem(("hazards", i, "elevation_grid"),
                                                f"no such file ({grid})", h.elevation_grid))
    if dataset is not None:
        problems += _dataset_problems(scenario, located, dataset, network, max_snap_distance_m)
    if network is not None:
        known = set()
        for labels in (network.edge_name, network.edge_ref):
            for v in set(labels.tolist()):
                known.update(str(v).split(";"))
        wanted = [(("affected_roads", "names", j), n)
                  for j, n in enumerate(scenario.affected_roads.names)]
        wanted += [(("injects", i, "close_roads", j), n) for i, inj in enumerate(scenario.injects)
                   for j, n in enumerate(inj.close_roads)]
        problems += [located.problem(path, "no road of that name or ref in the network", n)
                     for path, n in wanted if n not in known]
    return problems


def _dataset_problems(scenario, located, dataset, network, max_snap_distance_m):
    problems = []
    bbox = dataset.meta.get("bbox")
    for path, place in place_paths(scenario):
        try:
            r = resolve_place(place, dataset)
        except DataError as exc:
            p = exc.problems[0]
            problems.append(located.problem(path + (p.field,), p.rule, p.value))
            continue
        if bbox is not None:
            w, s, e, n = bbox
            if not (w <= r.lon <= e and s <= r.lat <= n):
                problems.append(located.problem(
                    path, f"the place is off the network area (lon {w}-{e}, lat {s}-{n})",
                    (r.lat, r.lon)))
                continue
        if network is not None and max_snap_distance_m is not None:
            from command.roads import snap

            _, d = snap(network, r.lat, r.lon, max_distance_m=None)
            if float(d) > max_snap_distance_m:
                problems.append(located.problem(
                    path, f"the place is off the road network: {float(d):,.0f} m from the "
                          f"nearest road (limit {max_snap_distance_m:,.0f} m)", (r.lat, r.lon)))
    incidents = [(("incidents", i), inc) for i, inc in enumerate(scenario.incidents)]
    incidents += [(("injects", i, "incident"), inj.incident)
                  for i, inj in enumerate(scenario.injects) if inj.incident is not None]
    for path, inc in incidents:
        if not dataset.package(inc.type, inc.grade):
            problems.append(located.problem(path + ("type",), "the data set has no response "
                                            "package for this incident type", inc.type))
    return problems


def grid_path(scenario: Scenario, flood: Flood) -> Path:
    """The elevation grid of a flood, relative to the scenario file."""
    p = Path(flood.elevation_grid)
    if not p.is_absolute() and scenario.file is not None:
        p = scenario.file.parent / p
    return p
