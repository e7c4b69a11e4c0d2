"""Write the derived tables of the Ezhou data set from the curated files beside them.

The curated files (agencies, bases, items, depots, hospitals, shelters, enterprises,
hazard sources, backbone.yaml) are edited by hand. The tables below follow from them by
rules that are easier to read, check and change here than row by row:

- teams.csv: the units of every base from :data:`UNITS` (illustrative rosters);
- stocks.csv: the stock of every depot from :data:`STOCK` (illustrative quantities);
- population.csv: the three districts with their published end-of-2023 figures and the
  towns of backbone.yaml (approximate unless noted);
- grid_cells.csv and grid_members.csv: the three-level grid (city, town or street,
  community grid) with one grid member per cell; the community cells sit on the town's
  generated streets of roads.osm.gz, spread out by farthest-point sampling;
- response_packages.csv: the units each incident type calls for at each grade,
  :data:`PACKAGES` (illustrative, after typical fire-rescue 力量调派 practice);
- incident_rates.csv: yearly incidents per type and district from rates per 100,000
  residents, :data:`RATES_PER_100K` (illustrative; the basis is given there).

Run it after generate_roads.py whenever a curated file changes::

    python data/resources/ezhou/build_tables.py [--out DIR]

The output is deterministic (no randomness; rows in a fixed order).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import math
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent

# -- teams ----------------------------------------------------------------------------

#: capability -> (code in unit ids, Chinese name of the vehicle or team, crew per unit).
#: Crews: a Chinese fire engine rides 5 (一车五人); an ambulance driver, doctor and
#: nurse; a mine rescue squad 9; the rest typical small crews. Illustrative.
CAPABILITY_UNITS: dict[str, tuple[str, str, int]] = {
    "engine": ("ENG", "水罐泡沫消防车", 5),
    "ladder": ("LAD", "登高平台消防车", 3),
    "rescue": ("RES", "抢险救援车", 5),
    "hazmat": ("HAZ", "防化洗消车", 5),
    "ambulance": ("AMB", "救护车", 3),
    "police": ("POL", "巡逻警车", 2),
    "traffic": ("TRF", "交通执勤车", 2),
    "water_rescue": ("WAT", "水上救援艇组", 4),
    "mine_rescue": ("MIN", "矿山救护小队", 9),
    "power_repair": ("PWR", "电力抢修车", 4),
    "gas_repair": ("GAS", "燃气抢修车", 3),
    "medical_team": ("MED", "医疗救援队", 8),
}

#: base_id -> units by capability (illustrative: no public roster exists). Urban
#: stations carry more engines and the aerial ladders; the special service station and
#: the development-zone station the hazmat units; every hospital EMS station more
#: ambulances than a township one.
UNITS: dict[str, dict[str, int]] = {
    "F01": {"engine": 3, "ladder": 2, "rescue": 2, "hazmat": 2},
    "F02": {"engine": 3, "ladder": 1, "rescue": 1},
    "F03": {"engine": 3, "ladder": 1, "rescue": 1},
    "F04": {"engine": 2, "ladder": 1, "rescue": 1},
    "F05": {"engine": 3, "ladder": 1, "rescue": 1, "hazmat": 1},
    "F06": {"engine": 2, "rescue": 1},
    "F07": {"engine": 2, "ladder": 1, "rescue": 1},
    "F08": {"engine": 2, "rescue": 1},
    "F09": {"engine": 2, "rescue": 1},
    "F10": {"engine": 2, "rescue": 1},
    "F11": {"engine": 2, "rescue": 1},
    "F12": {"engine": 2, "rescue": 1},
    "F13": {"engine": 2, "rescue": 1},
    "W01": {"water_rescue": 3},
    "W02": {"water_rescue": 2},
    "E01": {"ambulance": 4, "medical_team": 2},
    "E02": {"ambulance": 2, "medical_team": 1},
    "E03": {"ambulance": 2},
    "E04": {"ambulance": 3, "medical_team": 1},
    "E05": {"ambulance": 2},
    "E06": {"ambulance": 2},
    "E07": {"ambulance": 2},
    "E08": {"ambulance": 2},
    "E09": {"ambulance": 2},
    "E10": {"ambulance": 2},
    "E11": {"ambulance": 2},
    "E12": {"ambulance": 2},
    "P01": {"police": 4},
    "P02": {"police": 4},
    "P03": {"police": 3},
    "P04": {"police": 2},
    "P05": {"police": 3},
    "P06": {"police": 2},
    "T01": {"traffic": 4},
    "T02": {"traffic": 3},
    "T03": {"traffic": 2},
    "T04": {"traffic": 2},
    "T05": {"traffic": 2},
    "X01": {"engine": 3, "ladder": 1, "rescue": 1},
    "X02": {"hazmat": 2, "ambulance": 1},
    "X03": {"engine": 2},
    "X04": {"engine": 3, "rescue": 1, "ambulance": 1},
    "X05": {"mine_rescue": 3},
    "X06": {"hazmat": 2, "engine": 1},
    "U01": {"power_repair": 4},
    "U02": {"power_repair": 2},
    "U03": {"power_repair": 1},
    "G01": {"gas_repair": 3},
    "G02": {"gas_repair": 2},
    "R01": {"rescue": 2},
    "M01": {"rescue": 2, "water_rescue": 1},
}

#: Capabilities whose units belong to another agency than their base's.
UNIT_AGENCY = {"medical_team": "health"}

# -- stocks ---------------------------------------------------------------------------

_DISTRICT_STOCK = {"tent": 200, "quilt": 1500, "folding_bed": 500, "water": 1000,
                   "food": 1000, "sandbag": 30000, "pump": 10, "generator": 6,
                   "lighting": 5, "life_jacket": 500, "boat": 5, "raincoat": 800,
                   "medical_kit": 100, "stretcher": 30}

#: depot_id -> item_id -> quantity in the item's unit (illustrative). District reserves
#: are the same list scaled by the district's size; 梁子湖 keeps more boats.
STOCK: dict[str, dict[str, float]] = {
    "D01": {"tent": 800, "quilt": 5000, "folding_bed": 2000, "water": 3000, "food": 3000,
            "generator": 20, "lighting": 15, "raincoat": 2000, "medical_kit": 300,
            "stretcher": 100, "life_jacket": 500},
    "D02": {"sandbag": 200000, "pump": 60, "generator": 20, "lighting": 20,
            "life_jacket": 3000, "boat": 30, "raincoat": 3000, "tent": 100},
    "D03": {"foam": 60, "absorbent": 5000, "chem_suit": 80, "scba": 200, "gas_detector": 60,
            "decon_agent": 10, "lighting": 10, "generator": 10, "boat": 10,
            "life_jacket": 300},
    "D04": {"medical_kit": 2000, "stretcher": 500, "tent": 50, "folding_bed": 500,
            "water": 500},
    "D05": {k: v * 1.0 for k, v in _DISTRICT_STOCK.items()},
    "D06": {k: v * 0.6 for k, v in _DISTRICT_STOCK.items()},
    "D07": {**{k: v * 0.5 for k, v in _DISTRICT_STOCK.items()}, "boat": 8, "life_jacket": 600},
    "D08": {k: v * 0.5 for k, v in _DISTRICT_STOCK.items()},
    "D09": {k: v * 0.4 for k, v in _DISTRICT_STOCK.items()},
    "D10": {"foam": 30, "absorbent": 2000, "chem_suit": 40, "scba": 120, "gas_detector": 80,
            "decon_agent": 5, "medical_kit": 100, "stretcher": 20},
    "D11": {"foam": 10, "absorbent": 1000, "chem_suit": 20, "scba": 40, "gas_detector": 30,
            "medical_kit": 40},
    "D12": {"foam": 40, "absorbent": 1500, "scba": 40, "medical_kit": 200, "stretcher": 60,
            "lighting": 6, "generator": 4},
    "D13": {"scba": 60, "gas_detector": 50, "medical_kit": 60, "stretcher": 30,
            "lighting": 8, "generator": 3, "pump": 10},
    "D14": {"foam": 15, "absorbent": 3000, "chem_suit": 40, "scba": 60, "gas_detector": 40,
            "decon_agent": 8},
}

# -- population and grid --------------------------------------------------------------

#: Published district populations, end of 2023 (10k persons: 69.16, 25.45, 12.61).
DISTRICT_POPULATION = {
    "echeng": (691_600, "鄂城区", "Echeng District"),
    "huarong": (254_500, "华容区", "Huarong District"),
    "liangzihu": (126_100, "梁子湖区", "Liangzihu District"),
}
DISTRICT_POPULATION_SOURCE = ("public: end of 2023, Ezhou statistics bureau via news pages "
                              "(ezhou-facts): 69.16 / 25.45 / 12.61 x 10k persons")

#: The urban centre's four street offices: (id, name, English, share of the urban
#: population, approximate position). Shares and positions approximate.
URBAN_STREETS = [
    ("fenghuang", "凤凰街道", "Fenghuang Street", 0.33, (30.390, 114.930)),
    ("gulou", "古楼街道", "Gulou Street", 0.28, (30.401, 114.898)),
    ("xishan", "西山街道", "Xishan Street", 0.21, (30.396, 114.868)),
    ("fankou", "樊口街道", "Fankou Street", 0.18, (30.405, 114.850)),
]

#: One community grid per this many residents (at least two per town or street).
PEOPLE_PER_COMMUNITY_GRID = 12_000

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"

# -- response packages ----------------------------------------------------------------

#: incident type -> grade (1 most severe .. 4 general) -> capability -> units.
#: Illustrative, after typical Chinese fire-rescue 力量调派 practice: a general incident
#: gets the first-alarm units of the nearest station (two engines), each grade up roughly
#: doubles the fire units and adds EMS, police, traffic and specialists.
PACKAGES: dict[str, dict[int, dict[str, int]]] = {
    "fire": {
        4: {"engine": 2, "rescue": 1},
        3: {"engine": 4, "ladder": 1, "rescue": 1, "ambulance": 1},
        2: {"engine": 8, "ladder": 2, "rescue": 2, "ambulance": 2, "police": 2, "traffic": 1},
        1: {"engine": 14, "ladder": 3, "rescue": 3, "hazmat": 1, "ambulance": 4,
            "medical_team": 1, "police": 4, "traffic": 2}},
    "highrise_fire": {
        4: {"engine": 2, "ladder": 1, "rescue": 1},
        3: {"engine": 4, "ladder": 2, "rescue": 2, "ambulance": 1},
        2: {"engine": 8, "ladder": 3, "rescue": 3, "ambulance": 3, "police": 2, "traffic": 1},
        1: {"engine": 14, "ladder": 5, "rescue": 4, "ambulance": 6, "medical_team": 2,
            "police": 4, "traffic": 2}},
    "industrial_fire": {
        4: {"engine": 3, "rescue": 1},
        3: {"engine": 5, "ladder": 1, "rescue": 1, "hazmat": 1, "ambulance": 1},
        2: {"engine": 10, "ladder": 2, "rescue": 2, "hazmat": 2, "ambulance": 2, "police": 2,
            "traffic": 1},
        1: {"engine": 16, "ladder": 3, "rescue": 3, "hazmat": 4, "ambulance": 4,
            "medical_team": 1, "police": 4, "traffic": 2}},
    "hazmat_leak": {
        4: {"hazmat": 1, "engine": 2, "ambulance": 1},
        3: {"hazmat": 2, "engine": 3, "rescue": 1, "ambulance": 2, "police": 1},
        2: {"hazmat": 4, "engine": 6, "rescue": 2, "ambulance": 4, "medical_team": 1,
            "police": 3, "traffic": 2},
        1: {"hazmat": 6, "engine": 10, "rescue": 3, "ambulance": 8, "medical_team": 2,
            "police": 6, "traffic": 3}},
    "gas_leak": {
        4: {"gas_repair": 1, "engine": 1},
        3: {"gas_repair": 1, "engine": 2, "rescue": 1, "police": 1},
        2: {"gas_repair": 2, "engine": 4, "rescue": 1, "hazmat": 1, "ambulance": 2,
            "police": 2, "traffic": 1},
        1: {"gas_repair": 3, "engine": 6, "rescue": 2, "hazmat": 2, "ambulance": 4,
            "police": 4, "traffic": 2}},
    "traffic_accident": {
        4: {"traffic": 1, "ambulance": 1},
        3: {"traffic": 2, "ambulance": 2, "rescue": 1, "engine": 1},
        2: {"traffic": 3, "ambulance": 4, "rescue": 2, "engine": 2, "police": 2,
            "medical_team": 1},
        1: {"traffic": 5, "ambulance": 8, "rescue": 3, "engine": 3, "hazmat": 1, "police": 3,
            "medical_team": 2}},
    "medical": {
        4: {"ambulance": 1},
        3: {"ambulance": 2},
        2: {"ambulance": 3, "medical_team": 1},
        1: {"ambulance": 5, "medical_team": 2}},
    "mass_casualty": {
        4: {"ambulance": 3, "police": 1},
        3: {"ambulance": 6, "medical_team": 1, "police": 2, "traffic": 1},
        2: {"ambulance": 10, "medical_team": 2, "police": 4, "traffic": 2, "rescue": 1},
        1: {"ambulance": 16, "medical_team": 4, "police": 6, "traffic": 3, "rescue": 2,
            "engine": 2}},
    "flood": {
        4: {"rescue": 1, "water_rescue": 1},
        3: {"rescue": 2, "water_rescue": 2, "engine": 1, "power_repair": 1},
        2: {"rescue": 3, "water_rescue": 3, "engine": 2, "ambulance": 2, "power_repair": 2,
            "police": 2},
        1: {"rescue": 4, "water_rescue": 5, "engine": 4, "ambulance": 4, "medical_team": 1,
            "power_repair": 3, "police": 4, "traffic": 2}},
    "water_rescue": {
        4: {"water_rescue": 1, "ambulance": 1},
        3: {"water_rescue": 2, "ambulance": 1, "rescue": 1},
        2: {"water_rescue": 3, "ambulance": 2, "rescue": 1, "police": 1},
        1: {"water_rescue": 5, "ambulance": 3, "rescue": 2, "medical_team": 1, "police": 2}},
    "collapse": {
        4: {"rescue": 1, "engine": 1, "ambulance": 1},
        3: {"rescue": 2, "engine": 2, "ambulance": 2, "police": 1},
        2: {"rescue": 4, "engine": 3, "ladder": 1, "ambulance": 4, "medical_team": 1,
            "police": 2, "gas_repair": 1, "power_repair": 1},
        1: {"rescue": 6, "engine": 4, "ladder": 2, "ambulance": 6, "medical_team": 2,
            "police": 4, "traffic": 2, "gas_repair": 1, "power_repair": 1}},
    "mine_accident": {
        4: {"mine_rescue": 1, "ambulance": 1},
        3: {"mine_rescue": 2, "ambulance": 2, "rescue": 1},
        2: {"mine_rescue": 3, "ambulance": 3, "rescue": 2, "medical_team": 1, "police": 1},
        1: {"mine_rescue": 3, "ambulance": 5, "rescue": 3, "medical_team": 2, "police": 2,
            "engine": 2}},
    "power_outage": {
        4: {"power_repair": 1},
        3: {"power_repair": 2, "police": 1},
        2: {"power_repair": 3, "police": 1, "traffic": 1},
        1: {"power_repair": 5, "police": 2, "traffic": 2, "rescue": 1}},
    "crowd": {
        4: {"police": 2},
        3: {"police": 4, "ambulance": 1, "traffic": 1},
        2: {"police": 8, "ambulance": 2, "traffic": 2, "medical_team": 1},
        1: {"police": 12, "ambulance": 4, "traffic": 4, "medical_team": 2, "rescue": 1}},
    "aviation": {
        4: {"engine": 2, "rescue": 1, "ambulance": 1},
        3: {"engine": 4, "rescue": 2, "ambulance": 3, "police": 1},
        2: {"engine": 6, "rescue": 3, "hazmat": 1, "ambulance": 6, "medical_team": 1,
            "police": 3, "traffic": 2},
        1: {"engine": 10, "rescue": 4, "hazmat": 2, "ambulance": 10, "medical_team": 3,
            "police": 5, "traffic": 3}},
}
PACKAGE_SOURCE = ("illustrative: after typical Chinese fire-rescue 力量调派 practice "
                  "(first alarm = nearest station, escalation by grade); not an Ezhou plan")

# -- incident rates -------------------------------------------------------------------

#: incident type -> (incidents per 100,000 residents per year, district multipliers,
#: basis). Illustrative orders of magnitude, not Ezhou statistics. The fire figure
#: follows the national count of roughly 75-83 x 10^4 fires a year for 1.41 x 10^9
#: people (2021-2022, 应急管理部 press releases, recalled, not checked): about 55 per
#: 100,000, split into ordinary, high-rise and industrial fires. 120 EMS dispatches of
#: Chinese cities run at roughly 1.5-3 per 100 residents a year; 1,800 per 100,000 is
#: taken. The rest are judgement. Multipliers shift industry to 鄂城 and 华容 (葛店),
#: water rescue to the lake district; mines and the airport are in 鄂城区 only.
RATES_PER_100K: dict[str, tuple[float, dict[str, float]]] = {
    "fire": (48.0, {}),
    "highrise_fire": (2.0, {"echeng": 1.3, "huarong": 0.9, "liangzihu": 0.2}),
    "industrial_fire": (4.0, {"echeng": 1.2, "huarong": 1.3, "liangzihu": 0.3}),
    "hazmat_leak": (1.5, {"echeng": 1.2, "huarong": 1.3, "liangzihu": 0.2}),
    "gas_leak": (15.0, {"echeng": 1.1, "huarong": 1.0, "liangzihu": 0.5}),
    "traffic_accident": (120.0, {"echeng": 1.0, "huarong": 1.1, "liangzihu": 0.8}),
    "medical": (1800.0, {}),
    "mass_casualty": (0.5, {}),
    "flood": (3.0, {"echeng": 1.0, "huarong": 1.0, "liangzihu": 1.5}),
    "water_rescue": (4.0, {"echeng": 0.9, "huarong": 0.9, "liangzihu": 2.0}),
    "collapse": (1.0, {"echeng": 1.1, "huarong": 1.0, "liangzihu": 0.7}),
    "mine_accident": (0.4, {"echeng": 1.0, "huarong": 0.0, "liangzihu": 0.0}),
    "power_outage": (20.0, {}),
    "crowd": (1.0, {"echeng": 1.2, "huarong": 0.9, "liangzihu": 0.5}),
    "aviation": (0.03, {"echeng": 1.0, "huarong": 0.0, "liangzihu": 0.0}),
}
RATE_SOURCE = ("illustrative: rate per 100,000 residents x the district's 2023 population "
               "(basis in build_tables.py RATES_PER_100K)")


# -- helpers --------------------------------------------------------------------------


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _write_csv(path: Path, columns: list[str], rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(row[k]) for k in columns})
            n += 1
    return n


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if not value.is_integer() else str(int(value))
    return str(value)


def _street_nodes(roads: Path) -> dict[str, list[tuple[float, float]]]:
    """Town name -> (lat, lon) of the junctions of its generated streets."""
    with gzip.open(roads) as fh:
        root = ET.parse(fh).getroot()
    where = {n.get("id"): (float(n.get("lat")), float(n.get("lon"))) for n in root.iter("node")}
    towns: dict[str, set[str]] = defaultdict(set)
    for way in root.iter("way"):
        tags = {t.get("k"): t.get("v") for t in way.iter("tag")}
        if tags.get("generated") == "yes" and tags.get("highway") != "unclassified":
            town = tags["name"].rstrip("路街").rstrip("零一二三四五六七八九十")
            towns[town].update(nd.get("ref") for nd in way.iter("nd"))
    return {t: sorted(where[i] for i in ids) for t, ids in towns.items()}


def _m(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = (a[0] - b[0]) * 110_574.0
    dx = (a[1] - b[1]) * 111_320.0 * math.cos(math.radians(a[0]))
    return math.hypot(dx, dy)


def _spread(points: list[tuple[float, float]], start: tuple[float, float], k: int
            ) -> list[tuple[float, float]]:
    """k points of ``points`` spread out by farthest-point sampling, the first nearest
    ``start`` (deterministic: ties go to the earlier point)."""
    first = min(points, key=lambda p: _m(p, start))
    chosen = [first]
    dist = [_m(p, first) for p in points]
    while len(chosen) < min(k, len(points)):
        i = max(range(len(points)), key=lambda j: dist[j])
        chosen.append(points[i])
        dist = [min(d, _m(p, points[i])) for d, p in zip(dist, points)]
    return chosen


# -- builders -------------------------------------------------------------------------


def build_teams(bases: list[dict[str, str]]) -> list[dict[str, Any]]:
    by_id = {b["base_id"]: b for b in bases}
    unknown = sorted(set(UNITS) - set(by_id))
    if unknown:
        raise SystemExit(f"UNITS names bases that bases.csv does not have: {unknown}")
    rows = []
    for base_id, units in UNITS.items():
        base = by_id[base_id]
        for capability, count in units.items():
            code, name, crew = CAPABILITY_UNITS[capability]
            for n in range(1, count + 1):
                rows.append({"unit_id": f"{base_id}-{code}{n}",
                             "name_zh": f"{base['name_zh']}{name}{n}",
                             "agency_id": UNIT_AGENCY.get(capability, base["agency_id"]),
                             "capability": capability, "crew": crew, "base_id": base_id,
                             "status": "available",
                             "source": "illustrative: no public roster; composition by "
                                       "station type (build_tables.py UNITS)"})
    return rows


def build_stocks(items: list[dict[str, str]]) -> list[dict[str, Any]]:
    order = [i["item_id"] for i in items]
    rows = []
    for depot_id, stock in STOCK.items():
        for item_id in sorted(stock, key=order.index):
            rows.append({"depot_id": depot_id, "item_id": item_id,
                         "quantity": float(round(stock[item_id])),
                         "source": "illustrative: reserve quantities made up "
                                   "(build_tables.py STOCK)"})
    return rows


def build_population(bb: dict[str, Any]) -> list[dict[str, Any]]:
    centres = {c["id"]: c for c in bb["centres"]}
    seats = {"echeng": "echeng", "huarong": "huarong", "liangzihu": "taihe"}
    rows = []
    for district, (people, name, name_en) in DISTRICT_POPULATION.items():
        seat = centres[seats[district]]
        rows.append({"area_id": f"district-{district}", "name_zh": name, "name_en": name_en,
                     "level": "district", "district": name, "population": people,
                     "year": 2023, "lat": seat["lat"], "lon": seat["lon"],
                     "source": DISTRICT_POPULATION_SOURCE})
    for c in bb["centres"]:
        if c.get("census") is False or c["district"] not in DISTRICT_POPULATION:
            continue
        source = c.get("population_source") or (
            "approximate: no public town figure found; a share of the district's 2023 total")
        rows.append({"area_id": f"town-{c['id']}", "name_zh": _town_name(c),
                     "name_en": c["name_en"],
                     "level": "town", "district": DISTRICT_POPULATION[c["district"]][1],
                     "population": int(c["population"]), "year": 2023, "lat": c["lat"],
                     "lon": c["lon"], "source": " ".join(str(source).split())})
    return rows


def _town_name(c: dict[str, Any]) -> str:
    if c["id"] == "echeng":
        return "鄂城城区"
    return c["name"] + ("乡" if c["id"] in ("shawo", "putuan", "linjiang") else "镇")


def build_grid(bb: dict[str, Any], roads: Path) -> tuple[list[dict], list[dict]]:
    streets = _street_nodes(roads)
    centres = [c for c in bb["centres"]
               if c.get("census") is not False and c["district"] in DISTRICT_POPULATION]
    city = next(c for c in centres if c["id"] == "echeng")
    cells: list[dict[str, Any]] = [{
        "grid_id": "GC-EZ", "level": "city", "parent_id": None, "name_zh": "鄂州市",
        "district": "鄂州市", "lat": city["lat"], "lon": city["lon"],
        "source": "illustrative: the city-level grid of 网格化管理"}]
    towns: list[tuple[str, str, str, int, tuple[float, float], list]] = []
    for c in centres:
        district = DISTRICT_POPULATION[c["district"]][1]
        nodes = streets[c["name"]]
        if c["id"] == "echeng":
            seeds = [s[4] for s in URBAN_STREETS]
            parts: dict[int, list] = defaultdict(list)
            for p in nodes:
                parts[min(range(len(seeds)), key=lambda i: _m(p, seeds[i]))].append(p)
            for i, (sid, name, _en, share, seed) in enumerate(URBAN_STREETS):
                towns.append((sid, name, district, int(c["population"] * share), seed, parts[i]))
        else:
            towns.append((c["id"], _town_name(c), district, int(c["population"]),
                          (c["lat"], c["lon"]), nodes))
    members: list[dict[str, Any]] = []
    members.append(_member("GC-EZ", "市级网格长", 0))
    k = 1
    for tid, name, district, people, seed, nodes in towns:
        centre = _spread(nodes, seed, 1)[0]
        gid = f"GT-{tid}"
        cells.append({"grid_id": gid, "level": "town", "parent_id": "GC-EZ", "name_zh": name,
                      "district": district, "lat": round(centre[0], 6),
                      "lon": round(centre[1], 6),
                      "source": "illustrative: one town (street) grid per town or street "
                                "office; placed on its streets"})
        members.append(_member(gid, "镇(街道)网格长", k))
        k += 1
        n = max(2, round(people / PEOPLE_PER_COMMUNITY_GRID))
        for j, p in enumerate(_spread(nodes, seed, n), start=1):
            cid = f"GM-{tid}-{j:02d}"
            cells.append({"grid_id": cid, "level": "community", "parent_id": gid,
                          "name_zh": f"{name}第{j}网格", "district": district,
                          "lat": round(p[0], 6), "lon": round(p[1], 6),
                          "source": f"illustrative: one community grid per "
                                    f"{PEOPLE_PER_COMMUNITY_GRID} residents; placed on the "
                                    f"town's streets"})
            members.append(_member(cid, "专职网格员", k))
            k += 1
    return cells, members


def _member(grid_id: str, role: str, k: int) -> dict[str, Any]:
    return {"member_id": f"M-{grid_id}", "grid_id": grid_id,
            "name_zh": f"{_SURNAMES[k % len(_SURNAMES)]}某", "role": role,
            "phone": f"0711-0{k:06d}",
            "source": "illustrative: name and phone made up (not a real number)"}


def build_packages() -> list[dict[str, Any]]:
    rows = []
    for incident_type, grades in PACKAGES.items():
        for grade in sorted(grades):
            for capability, count in grades[grade].items():
                rows.append({"incident_type": incident_type, "grade": grade,
                             "capability": capability, "count": count,
                             "source": PACKAGE_SOURCE})
    return rows


def build_rates() -> list[dict[str, Any]]:
    rows = []
    for incident_type, (per_100k, factor) in RATES_PER_100K.items():
        for district, (people, name, _en) in DISTRICT_POPULATION.items():
            per_year = per_100k * factor.get(district, 1.0) * people / 100_000
            rows.append({"incident_type": incident_type, "district": name,
                         "per_year": round(per_year, 2), "source": RATE_SOURCE})
    return rows


COLUMNS = {
    "teams": ["unit_id", "name_zh", "agency_id", "capability", "crew", "base_id", "status",
              "source"],
    "stocks": ["depot_id", "item_id", "quantity", "source"],
    "population": ["area_id", "name_zh", "name_en", "level", "district", "population", "year",
                   "lat", "lon", "source"],
    "grid_cells": ["grid_id", "level", "parent_id", "name_zh", "district", "lat", "lon",
                   "source"],
    "grid_members": ["member_id", "grid_id", "name_zh", "role", "phone", "source"],
    "response_packages": ["incident_type", "grade", "capability", "count", "source"],
    "incident_rates": ["incident_type", "district", "per_year", "source"],
}


def build(src: Path = HERE, out: Path = HERE) -> dict[str, int]:
    """Write the derived tables from the curated files in ``src`` into ``out``."""
    with open(src / "backbone.yaml", encoding="utf-8") as f:
        bb = yaml.safe_load(f)
    cells, members = build_grid(bb, src / "roads.osm.gz")
    tables = {
        "teams": build_teams(_read_csv(src / "bases.csv")),
        "stocks": build_stocks(_read_csv(src / "items.csv")),
        "population": build_population(bb),
        "grid_cells": cells,
        "grid_members": members,
        "response_packages": build_packages(),
        "incident_rates": build_rates(),
    }
    out.mkdir(parents=True, exist_ok=True)
    return {name: _write_csv(out / f"{name}.csv", COLUMNS[name], rows)
            for name, rows in tables.items()}


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE,
                        help="folder to write the tables into (default: beside this script)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    counts = build(HERE, args.out)
    print(", ".join(f"{n} {name}" for name, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
