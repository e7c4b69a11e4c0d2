"""Domain types: the plain, immutable data every part of the core passes around.

Nothing here loads files, talks to the store or knows about the web; see
``command.resources`` for loading and validation and ``command.store`` for persistence.
Coordinates are WGS84 degrees (``lat``, ``lon``); quantities carry their unit in the name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

__all__ = [
    "CAPABILITIES",
    "INCIDENT_TYPES",
    "AGENCY_KINDS",
    "UNIT_STATUSES",
    "FIRE_CAPABILITIES",
    "EMS_CAPABILITIES",
    "response_standards_s",
    "RISK_GRADES",
    "ROLES",
    "GRADE_RANK",
    "Agency",
    "Base",
    "Team",
    "Item",
    "Depot",
    "Stock",
    "Hospital",
    "Shelter",
    "Enterprise",
    "HazardSource",
    "GridCell",
    "GridMember",
    "PopulationArea",
    "ResponsePackageLine",
    "IncidentRate",
    "Incident",
    "Dataset",
    "CandidateSite",
]

#: What a unit can do; a unit has exactly one capability.
CAPABILITIES: tuple[str, ...] = (
    "engine",  # 水罐/泡沫消防车 fire engine
    "ladder",  # 登高平台/云梯车 aerial ladder
    "rescue",  # 抢险救援车 heavy rescue
    "hazmat",  # 危化品/防化洗消 hazmat
    "ambulance",  # 120 救护车
    "police",  # 公安巡警
    "traffic",  # 交警
    "water_rescue",  # 水上救援
    "mine_rescue",  # 矿山/隧道救援
    "power_repair",  # 电力抢修
    "gas_repair",  # 燃气抢修
    "medical_team",  # 医疗救援队
)

#: Incident types known to the response packages.
INCIDENT_TYPES: tuple[str, ...] = (
    "fire",
    "highrise_fire",
    "industrial_fire",
    "hazmat_leak",
    "gas_leak",
    "traffic_accident",
    "medical",
    "mass_casualty",
    "flood",
    "water_rescue",
    "collapse",
    "mine_accident",
    "power_outage",
    "crowd",
    "aviation",
)

#: Priority (1 highest .. 4) a call of each type gets when nobody sets one: threats to
#: many lives first (hazmat, high-rise and industrial fires, mass casualties, collapse,
#: aviation, mines), then fires, accidents and rescues, then single medical calls and
#: outages. A judgement in the spirit of 分级响应, not a published table.
DEFAULT_PRIORITY: dict[str, int] = {
    "hazmat_leak": 1, "highrise_fire": 1, "industrial_fire": 1, "mass_casualty": 1,
    "collapse": 1, "aviation": 1, "mine_accident": 1,
    "fire": 2, "gas_leak": 2, "traffic_accident": 2, "water_rescue": 2, "flood": 2,
    "crowd": 2,
    "medical": 3, "power_outage": 3,
}

AGENCY_KINDS: tuple[str, ...] = (
    "emergency_management",
    "fire",
    "health",
    "police",
    "traffic",
    "transport",
    "environment",
    "water",
    "meteorology",
    "utility",
    "enterprise",
    "district",
)

UNIT_STATUSES: tuple[str, ...] = (
    "available",
    "dispatched",
    "en_route",
    "on_scene",
    "returning",
    "out_of_service",
)

#: Capabilities that answer to the fire-service response standard (GB 51054 / 城市消防站
#: 建设标准: 5 min from call to arrival); ``settings.fire_standard_s``.
FIRE_CAPABILITIES: tuple[str, ...] = ("engine", "ladder", "rescue", "hazmat", "water_rescue")
#: Capabilities that answer to the EMS (120) standard; ``settings.ems_standard_s``.
EMS_CAPABILITIES: tuple[str, ...] = ("ambulance", "medical_team")


def response_standards_s(*, fire_standard_s: float, ems_standard_s: float) -> dict[str, float]:
    """Standard response time per capability, seconds: fire-service capabilities
    (:data:`FIRE_CAPABILITIES`) get ``fire_standard_s``, ambulances and medical teams
    (:data:`EMS_CAPABILITIES`) ``ems_standard_s``; other capabilities have no standard
    and are absent. The one definition the dispatch, the simulator and the live screen
    share."""
    out = {c: float(fire_standard_s) for c in FIRE_CAPABILITIES}
    out.update({c: float(ems_standard_s) for c in EMS_CAPABILITIES})
    return out


#: The roles of the people who use the system (what each may do is the role matrix of
#: :mod:`command.access.roles`; names in both languages are the texts ``role.<id>``).
ROLES: tuple[str, ...] = ("commander", "duty_officer", "staff", "planner", "expert",
                          "liaison", "enterprise", "grid_member", "admin", "wall")

#: The national four-colour risk grades (红 橙 黄 蓝), most severe first.
RISK_GRADES: tuple[str, ...] = ("red", "orange", "yellow", "blue")
#: Rank of each grade: 0 is the most severe.
GRADE_RANK: dict[str, int] = {g: i for i, g in enumerate(RISK_GRADES)}

Source = str  # "public: <where>", "approximate: <why>" or "illustrative"


@dataclass(frozen=True)
class Agency:
    agency_id: str
    name_zh: str
    name_en: str
    kind: str
    contact_name: str
    contact_phone: str
    source: Source


@dataclass(frozen=True)
class Base:
    """A place units start from: fire station, 120 station, police post, enterprise team base."""

    base_id: str
    name_zh: str
    name_en: str
    kind: str
    agency_id: str
    district: str
    lat: float
    lon: float
    source: Source


@dataclass(frozen=True)
class Team:
    """One unit (a vehicle with its crew); ``capability`` is one of :data:`CAPABILITIES`."""

    unit_id: str
    name_zh: str
    agency_id: str
    capability: str
    crew: int
    base_id: str
    status: str = "available"
    source: Source = "illustrative"


@dataclass(frozen=True)
class Item:
    item_id: str
    name_zh: str
    name_en: str
    unit: str  # 顶, 床, 瓶, 个, 台, t ...
    unit_en: str


@dataclass(frozen=True)
class Depot:
    depot_id: str
    name_zh: str
    name_en: str
    level: Literal["city", "district", "enterprise"]
    district: str
    agency_id: str
    lat: float
    lon: float
    source: Source


@dataclass(frozen=True)
class Stock:
    depot_id: str
    item_id: str
    quantity: float
    source: Source


@dataclass(frozen=True)
class Hospital:
    hospital_id: str
    name_zh: str
    name_en: str
    grade: str
    district: str
    lat: float
    lon: float
    beds: int
    emergency_beds: int
    burn: bool
    trauma: bool
    poisoning: bool
    source: Source


@dataclass(frozen=True)
class Shelter:
    shelter_id: str
    name_zh: str
    name_en: str
    district: str
    lat: float
    lon: float
    capacity_persons: int
    source: Source


@dataclass(frozen=True)
class Enterprise:
    enterprise_id: str
    name_zh: str
    name_en: str
    industry: str
    district: str
    lat: float
    lon: float
    employees: int
    source: Source


@dataclass(frozen=True)
class HazardSource:
    """A stored dangerous substance at a site (GB 18218-2018 identification input)."""

    hazard_id: str
    enterprise_id: str
    name_zh: str
    substance_zh: str
    substance_en: str
    cas: str
    hazard_class: str  # GB 18218 Table 4 class, e.g. "W2", "J1", or "toxic_gas"
    quantity_t: float  # design maximum inventory q, t
    critical_quantity_t: float  # Q from GB 18218-2018 Table 1 or 2, t
    people_500m: int  # resident population within 500 m of the site boundary (for alpha)
    lat: float
    lon: float
    source: Source


@dataclass(frozen=True)
class GridCell:
    """A cell of the three-level grid (city, district/town, community)."""

    grid_id: str
    level: Literal["city", "town", "community"]
    parent_id: str | None
    name_zh: str
    district: str
    lat: float
    lon: float
    source: Source


@dataclass(frozen=True)
class GridMember:
    member_id: str
    grid_id: str
    name_zh: str
    role: str
    phone: str
    source: Source


@dataclass(frozen=True)
class PopulationArea:
    """Resident population of a district or town with its centre."""

    area_id: str
    name_zh: str
    name_en: str
    level: Literal["district", "town"]
    district: str
    population: int
    year: int
    lat: float
    lon: float
    source: Source


@dataclass(frozen=True)
class CandidateSite:
    """A place a new station, standby post or depot could go (public land: a town hall,
    a school, a park); read by :func:`command.resources.load_candidate_sites`."""

    site_id: str
    name_zh: str
    name_en: str
    kind: str
    district: str
    lat: float
    lon: float
    source: Source


@dataclass(frozen=True)
class ResponsePackageLine:
    """How many units of one capability an incident type and grade calls for."""

    incident_type: str
    grade: int  # 1 = most severe (特别重大) ... 4 = general (一般)
    capability: str
    count: int
    source: Source


@dataclass(frozen=True)
class MaterialPackageLine:
    """How much of one item an incident type and grade needs, and by when (minutes)."""

    incident_type: str
    grade: int
    item_id: str
    quantity: float
    deadline_min: float
    source: Source


@dataclass(frozen=True)
class ShelterRation:
    """What a shelter needs of one item per 100 sheltered persons, and by when (minutes)."""

    item_id: str
    per_100_persons: float
    deadline_min: float
    source: Source


@dataclass(frozen=True)
class ItemLoad:
    """Weight of one unit of an item (its ``unit``), for loading delivery trucks."""

    item_id: str
    kg_per_unit: float
    source: Source


@dataclass(frozen=True)
class IncidentRate:
    """Expected yearly number of incidents of one type in one district (the incident mix)."""

    incident_type: str
    district: str
    per_year: float
    source: Source


@dataclass(frozen=True)
class Incident:
    incident_id: str
    incident_type: str
    lat: float
    lon: float
    priority: int = 2  # 1 highest .. 4 lowest
    grade: int = 4
    description: str = ""
    created_at: datetime | None = None
    status: str = "open"


@dataclass(frozen=True)
class Dataset:
    """Everything in one city's data set, validated and cross-referenced."""

    city: str
    agencies: tuple[Agency, ...] = ()
    bases: tuple[Base, ...] = ()
    teams: tuple[Team, ...] = ()
    items: tuple[Item, ...] = ()
    depots: tuple[Depot, ...] = ()
    stocks: tuple[Stock, ...] = ()
    hospitals: tuple[Hospital, ...] = ()
    shelters: tuple[Shelter, ...] = ()
    enterprises: tuple[Enterprise, ...] = ()
    hazard_sources: tuple[HazardSource, ...] = ()
    grid_cells: tuple[GridCell, ...] = ()
    grid_members: tuple[GridMember, ...] = ()
    population: tuple[PopulationArea, ...] = ()
    response_packages: tuple[ResponsePackageLine, ...] = ()
    incident_rates: tuple[IncidentRate, ...] = ()
    material_packages: tuple[MaterialPackageLine, ...] = ()
    shelter_rations: tuple[ShelterRation, ...] = ()
    item_loads: tuple[ItemLoad, ...] = ()
    meta: dict = field(default_factory=dict, compare=False)

    def base(self, base_id: str) -> Base:
        return self._index("bases", "base_id")[base_id]

    def _index(self, attr: str, key: str) -> dict:
        return {getattr(x, key): x for x in getattr(self, attr)}

    def package(self, incident_type: str, grade: int = 4) -> dict[str, int]:
        """Capability -> count for an incident type and grade (falls back to the nearest
        less severe grade that is defined)."""
        lines = [p for p in self.response_packages if p.incident_type == incident_type]
        if not lines:
            return {}
        grades = sorted({p.grade for p in lines})
        chosen = min(grades, key=lambda g: (abs(g - grade), -g))
        return {p.capability: p.count for p in lines if p.grade == chosen}

    def material_package(self, incident_type: str, grade: int = 4) -> dict[str, tuple[float, float]]:
        """Item -> (quantity, deadline in minutes) for an incident type and grade, with
        the same grade fallback as :meth:`package`; empty when none is defined."""
        lines = [p for p in self.material_packages if p.incident_type == incident_type]
        if not lines:
            return {}
        grades = sorted({p.grade for p in lines})
        chosen = min(grades, key=lambda g: (abs(g - grade), -g))
        return {p.item_id: (p.quantity, p.deadline_min) for p in lines if p.grade == chosen}
