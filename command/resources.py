"""Load and validate a city data set (``data/resources/<city>/``) into a :class:`Dataset`.

This module is the one entrance for the data set files: ``dataset.yaml`` (city, network
area, districts, the list of files) and the CSV files it lists, one per type of
:mod:`command.model` with exactly the dataclass field names as columns. Each CSV is read
with pandas as text and every row is parsed into a pydantic row model; then ids must be
unique, references must resolve (agency, base, depot, item, enterprise, grid parent),
capabilities, incident types, unit statuses and districts must be known, quantities must
not be negative, every place must lie inside the network area of ``dataset.yaml``, and
every ``source`` must say where its values come from ("public: <where>",
"approximate: <why>" or "illustrative").

Every problem is collected (file, row as numbered in the file with the header as row 1,
field, value, rule) and raised at once as one :class:`~command.errors.DataError`; nothing
is returned half-checked. The core trusts a :class:`Dataset` from here.

It does not read the road network (:mod:`command.roads` does) and writes nothing
(:mod:`command.store` loads a Dataset into the store).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ConfigDict, ValidationError

from command import model
from command._schema import (
    Capability,
    IncidentType,
    StrictModel,
    UnitStatus,
    bounded,
    finite,
    one_of,
)
from command.errors import DataError, Problem

__all__ = ["load_dataset", "load_candidate_sites", "dataset_bbox", "read_dataset_yaml",
           "FILES", "ROW_MODELS", "CANDIDATE_SITES",
           "SOURCE_RULE"]

log = logging.getLogger(__name__)

DATASET_YAML = "dataset.yaml"

#: Dataset attribute -> model dataclass, in loading order.
FILES: dict[str, type] = {
    "agencies": model.Agency,
    "bases": model.Base,
    "teams": model.Team,
    "items": model.Item,
    "depots": model.Depot,
    "stocks": model.Stock,
    "hospitals": model.Hospital,
    "shelters": model.Shelter,
    "enterprises": model.Enterprise,
    "hazard_sources": model.HazardSource,
    "grid_cells": model.GridCell,
    "grid_members": model.GridMember,
    "population": model.PopulationArea,
    "response_packages": model.ResponsePackageLine,
    "incident_rates": model.IncidentRate,
    "material_packages": model.MaterialPackageLine,
    "shelter_rations": model.ShelterRation,
    "item_loads": model.ItemLoad,
}

_SOURCE_RE = re.compile(r"^(public( \(weak\))?: \S.*|approximate: \S.*|illustrative(\b.*)?)$",
                        re.DOTALL)
SOURCE_RULE = ('must start with "public: <where>", "approximate: <why>" or "illustrative"')


# -- field types: each says in plain words what it accepts ------------------------------


def _text(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise ValueError("must not be empty")
    return value


def _number(value: Any) -> Any:
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("must not be empty")
        try:
            value = float(value)
        except ValueError:
            raise ValueError("must be a number") from None
    if isinstance(value, float):
        finite(value)
    return value


def _whole(value: Any) -> Any:
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("must not be empty")
        try:
            number = float(value)
        except ValueError:
            raise ValueError("must be a whole number") from None
        if not number.is_integer():
            raise ValueError("must be a whole number")
        return int(number)
    return value


def _boolean(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError("must be true or false")


def _not_negative(value: float) -> float:
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _positive(value: float) -> float:
    if value <= 0:
        raise ValueError("must be greater than 0")
    return value


def _source(value: str) -> str:
    if not _SOURCE_RE.match(value):
        raise ValueError(SOURCE_RULE)
    return value


def _in_range(low: int, high: int) -> Callable[[int], int]:
    def check(value: int) -> int:
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}")
        return value

    return check


Text = Annotated[str, AfterValidator(_text)]
Id = Text
Source = Annotated[str, AfterValidator(_source)]
Number = Annotated[float, BeforeValidator(_number)]
Degrees = Number  # WGS84; the network-area check comes after parsing
NonNegative = Annotated[float, BeforeValidator(_number), AfterValidator(_not_negative)]
Positive = Annotated[float, BeforeValidator(_number), AfterValidator(_positive)]
Count = Annotated[int, BeforeValidator(_whole), AfterValidator(_not_negative)]
Flag = Annotated[bool, BeforeValidator(_boolean)]
AgencyKind = Annotated[str, AfterValidator(one_of(model.AGENCY_KINDS, "agency kind"))]
DepotLevel = Annotated[str, AfterValidator(one_of(("city", "district", "enterprise"),
                                                  "depot level"))]
GridLevel = Annotated[str, AfterValidator(one_of(("city", "town", "community"), "grid level"))]
AreaLevel = Annotated[str, AfterValidator(one_of(("district", "town"), "area level"))]
Grade = Annotated[int, BeforeValidator(_whole), AfterValidator(_in_range(1, 4))]
Year = Annotated[int, BeforeValidator(_whole), AfterValidator(_in_range(1950, 2100))]


def _optional(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


OptionalId = Annotated[str | None, BeforeValidator(_optional)]


class _Row(StrictModel):
    # CSV cells are text; spaces around a value are not part of it.
    model_config = ConfigDict(str_strip_whitespace=True)


# -- one row model per file (the fields are those of the model dataclass) -------------


class AgencyRow(_Row):
    agency_id: Id
    name_zh: Text
    name_en: Text
    kind: AgencyKind
    contact_name: Text
    contact_phone: Text
    source: Source


class BaseRow(_Row):
    base_id: Id
    name_zh: Text
    name_en: Text
    kind: Text
    agency_id: Id
    district: Text
    lat: Degrees
    lon: Degrees
    source: Source


class TeamRow(_Row):
    unit_id: Id
    name_zh: Text
    agency_id: Id
    capability: Capability
    crew: Annotated[int, BeforeValidator(_whole), AfterValidator(_positive), bounded("crew")]
    base_id: Id
    status: UnitStatus = "available"
    source: Source = "illustrative"


class ItemRow(_Row):
    item_id: Id
    name_zh: Text
    name_en: Text
    unit: Text
    unit_en: Text


class DepotRow(_Row):
    depot_id: Id
    name_zh: Text
    name_en: Text
    level: DepotLevel
    district: Text
    agency_id: Id
    lat: Degrees
    lon: Degrees
    source: Source


class StockRow(_Row):
    depot_id: Id
    item_id: Id
    quantity: Annotated[NonNegative, bounded("material_quantity")]
    source: Source


class HospitalRow(_Row):
    hospital_id: Id
    name_zh: Text
    name_en: Text
    grade: Text
    district: Text
    lat: Degrees
    lon: Degrees
    beds: Annotated[Count, bounded("beds")]
    emergency_beds: Annotated[Count, bounded("beds")]
    burn: Flag
    trauma: Flag
    poisoning: Flag
    source: Source


class ShelterRow(_Row):
    shelter_id: Id
    name_zh: Text
    name_en: Text
    district: Text
    lat: Degrees
    lon: Degrees
    capacity_persons: Annotated[Count, bounded("shelter_persons")]
    source: Source


class EnterpriseRow(_Row):
    enterprise_id: Id
    name_zh: Text
    name_en: Text
    industry: Text
    district: Text
    lat: Degrees
    lon: Degrees
    employees: Annotated[Count, bounded("people")]
    source: Source


class HazardSourceRow(_Row):
    hazard_id: Id
    enterprise_id: Id
    name_zh: Text
    substance_zh: Text
    substance_en: Text
    cas: str  # empty where GB 18218 gives none (煤气, mixtures)
    hazard_class: Text
    quantity_t: Annotated[NonNegative, bounded("quantity_t")]
    critical_quantity_t: Annotated[Positive, bounded("quantity_t")]
    people_500m: Annotated[Count, bounded("people")]
    lat: Degrees
    lon: Degrees
    source: Source


class GridCellRow(_Row):
    grid_id: Id
    level: GridLevel
    parent_id: OptionalId = None
    name_zh: Text
    district: Text
    lat: Degrees
    lon: Degrees
    source: Source


class GridMemberRow(_Row):
    member_id: Id
    grid_id: Id
    name_zh: Text
    role: Text
    phone: Text
    source: Source


class PopulationRow(_Row):
    area_id: Id
    name_zh: Text
    name_en: Text
    level: AreaLevel
    district: Text
    population: Annotated[Count, bounded("people")]
    year: Year
    lat: Degrees
    lon: Degrees
    source: Source


class ResponsePackageRow(_Row):
    incident_type: IncidentType
    grade: Grade
    capability: Capability
    count: Annotated[int, BeforeValidator(_whole), AfterValidator(_positive)]
    source: Source


class IncidentRateRow(_Row):
    incident_type: IncidentType
    district: Text
    per_year: Annotated[NonNegative, bounded("per_year")]
    source: Source


class MaterialPackageRow(_Row):
    incident_type: IncidentType
    grade: Grade
    item_id: Id
    quantity: Annotated[Positive, bounded("material_quantity")]
    deadline_min: Annotated[Positive, bounded("deadline_min")]
    source: Source


class ShelterRationRow(_Row):
    item_id: Id
    per_100_persons: Annotated[Positive, bounded("per_100_persons")]
    deadline_min: Annotated[Positive, bounded("deadline_min")]
    source: Source


class ItemLoadRow(_Row):
    item_id: Id
    kg_per_unit: Annotated[Positive, bounded("kg_per_unit")]
    source: Source


class CandidateSiteRow(_Row):
    site_id: Id
    name_zh: Text
    name_en: Text
    kind: Text
    district: Text
    lat: Degrees
    lon: Degrees
    source: Source


#: Dataset attribute -> pydantic row model.
ROW_MODELS: dict[str, type[_Row]] = {
    "agencies": AgencyRow,
    "bases": BaseRow,
    "teams": TeamRow,
    "items": ItemRow,
    "depots": DepotRow,
    "stocks": StockRow,
    "hospitals": HospitalRow,
    "shelters": ShelterRow,
    "enterprises": EnterpriseRow,
    "hazard_sources": HazardSourceRow,
    "grid_cells": GridCellRow,
    "grid_members": GridMemberRow,
    "population": PopulationRow,
    "response_packages": ResponsePackageRow,
    "incident_rates": IncidentRateRow,
    "material_packages": MaterialPackageRow,
    "shelter_rations": ShelterRationRow,
    "item_loads": ItemLoadRow,
    # not a table of the Dataset: read on its own by load_candidate_sites
    "candidate_sites": CandidateSiteRow,
}

#: The optional file of candidate sites in a data set folder (not listed in dataset.yaml).
CANDIDATE_SITES = "candidate_sites.csv"

for _attr, _cls in FILES.items():  # a change of command.model must not slip past the loader
    if list(ROW_MODELS[_attr].model_fields) != [f.name for f in fields(_cls)]:
        raise TypeError(f"the row model of '{_attr}' does not match {_cls.__name__}")

#: Primary key columns per file.
KEYS: dict[str, tuple[str, ...]] = {
    "agencies": ("agency_id",),
    "bases": ("base_id",),
    "teams": ("unit_id",),
    "items": ("item_id",),
    "depots": ("depot_id",),
    "stocks": ("depot_id", "item_id"),
    "hospitals": ("hospital_id",),
    "shelters": ("shelter_id",),
    "enterprises": ("enterprise_id",),
    "hazard_sources": ("hazard_id",),
    "grid_cells": ("grid_id",),
    "grid_members": ("member_id",),
    "population": ("area_id",),
    "response_packages": ("incident_type", "grade", "capability"),
    "incident_rates": ("incident_type", "district"),
    "material_packages": ("incident_type", "grade", "item_id"),
    "shelter_rations": ("item_id",),
    "item_loads": ("item_id",),
    "candidate_sites": ("site_id",),
}

#: (file, column) -> (target file, target key column).
REFERENCES: dict[tuple[str, str], tuple[str, str]] = {
    ("bases", "agency_id"): ("agencies", "agency_id"),
    ("teams", "agency_id"): ("agencies", "agency_id"),
    ("teams", "base_id"): ("bases", "base_id"),
    ("depots", "agency_id"): ("agencies", "agency_id"),
    ("stocks", "depot_id"): ("depots", "depot_id"),
    ("stocks", "item_id"): ("items", "item_id"),
    ("material_packages", "item_id"): ("items", "item_id"),
    ("shelter_rations", "item_id"): ("items", "item_id"),
    ("item_loads", "item_id"): ("items", "item_id"),
    ("hazard_sources", "enterprise_id"): ("enterprises", "enterprise_id"),
    ("grid_cells", "parent_id"): ("grid_cells", "grid_id"),
    ("grid_members", "grid_id"): ("grid_cells", "grid_id"),
}

_PARENT_LEVEL = {"city": None, "town": "city", "community": "town"}


# -- dataset.yaml ---------------------------------------------------------------------


def _dataset_dir(path: str | Path) -> Path:
    path = Path(path)
    return path.parent if path.name == DATASET_YAML else path


def read_dataset_yaml(path: str | Path) -> dict[str, Any]:
    """The checked contents of ``dataset.yaml`` in the data set folder ``path``.

    Raises
    ------
    DataError
        If the folder or the file is missing, the YAML is malformed, or ``city``,
        ``bbox`` (W S E N), ``districts`` or ``files`` are missing or wrong.
    """
    from command.yamlfile import load_yaml

    folder = _dataset_dir(path)
    file = folder / DATASET_YAML
    if not folder.is_dir():
        raise DataError(f"the data set folder {folder} does not exist",
                        [Problem("no such folder", file=str(folder))])
    if not file.is_file():
        raise DataError(f"the data set has no {DATASET_YAML}",
                        [Problem("file is missing", file=str(file))])
    meta, _ = load_yaml(file, what=DATASET_YAML)  # bounded: depth, aliases, size
    if not isinstance(meta, dict):
        raise DataError(f"{DATASET_YAML} cannot be read",
                        [Problem("must be a mapping of keys to values", file=str(file))])
    problems: list[Problem] = []
    if not str(meta.get("city") or "").strip():
        problems.append(Problem("the city name is missing", file=str(file), field="city"))
    bbox = meta.get("bbox")
    try:
        w, s, e, n = (float(v) for v in bbox)
        if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
            raise ValueError
    except (TypeError, ValueError):
        problems.append(Problem("must be four numbers W S E N with W < E and S < N",
                                file=str(file), field="bbox", value=bbox))
    districts = meta.get("districts")
    if not isinstance(districts, list) or not all(isinstance(d, dict) and d.get("name")
                                                  for d in districts):
        problems.append(Problem("must be a list of {name, name_en}", file=str(file),
                                field="districts", value=districts))
    files = meta.get("files")
    if not isinstance(files, dict):
        problems.append(Problem("must map each table to its CSV file", file=str(file),
                                field="files", value=files))
    else:
        for attr in FILES:
            if not files.get(attr):
                problems.append(Problem(f"no file is named for the table '{attr}'",
                                        file=str(file), field=f"files.{attr}"))
        for attr in files:
            if attr not in FILES:
                problems.append(Problem(f"unknown table; the tables are {', '.join(FILES)}",
                                        file=str(file), field=f"files.{attr}"))
    if not isinstance(meta.get("demo_accounts", False), bool):
        problems.append(Problem("must be true or false", file=str(file), field="demo_accounts",
                                value=meta.get("demo_accounts")))
    if problems:
        raise DataError(f"{DATASET_YAML} of the data set {folder} is not valid", problems)
    meta["bbox"] = (w, s, e, n)
    return meta


def dataset_bbox(path: str | Path) -> tuple[float, float, float, float]:
    """The network area (W, S, E, N degrees) from the data set's ``dataset.yaml``."""
    return read_dataset_yaml(path)["bbox"]


# -- CSV files ------------------------------------------------------------------------


def _read_csv(file: Path, attr: str, problems: list[Problem]) -> list[tuple[int, dict]] | None:
    """Rows as (row number in the file, {column: text}); None when unreadable."""
    import pandas as pd

    name = file.name
    if not file.is_file():
        problems.append(Problem("file is missing", file=name))
        return None
    try:
        # blank lines are kept (and skipped below) so that row numbers match the file
        frame = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8",
                            skip_blank_lines=False, index_col=False)
    except pd.errors.EmptyDataError:
        problems.append(Problem("the file is empty (no header row)", file=name, row=1))
        return None
    except pd.errors.ParserError as exc:
        problems.append(Problem(f"not a valid CSV file ({exc})".replace("\n", " "), file=name))
        return None
    except UnicodeDecodeError as exc:
        problems.append(Problem(f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                                file=name))
        return None
    expected = list(ROW_MODELS[attr].model_fields)
    columns = [str(c) for c in frame.columns]
    ok = True
    for column in expected:
        if column not in columns:
            problems.append(Problem("missing column", file=name, row=1, field=column))
            ok = False
    for column in columns:
        if column not in expected:
            problems.append(Problem(f"unknown column; the columns are {', '.join(expected)}",
                                    file=name, row=1, field=column))
            ok = False
    dupes = [c for c, k in Counter(columns).items() if k > 1]
    for column in dupes:
        problems.append(Problem("the column appears twice", file=name, row=1, field=column))
    if not ok:
        return None
    frame = frame.fillna("")  # short rows: missing trailing cells
    return [(i + 2, values) for i, values in enumerate(frame[expected].to_dict("records"))
            if any(str(v).strip() for v in values.values())]


def _parse_rows(name: str, attr: str, raw: list[tuple[int, dict]],
                problems: list[Problem]) -> list[tuple[int, _Row]]:
    row_model = ROW_MODELS[attr]
    parsed = []
    for row, values in raw:
        try:
            parsed.append((row, row_model.model_validate(values)))
        except ValidationError as exc:
            for err in exc.errors():
                column = str(err["loc"][0]) if err["loc"] else None
                rule = err["msg"].removeprefix("Value error, ")
                problems.append(Problem(rule, file=name, row=row, field=column,
                                        value=values.get(column) if column else None))
    return parsed


# -- cross-file checks ----------------------------------------------------------------


def _check_keys(names: dict[str, str], rows: dict[str, list[tuple[int, _Row]]],
                problems: list[Problem]) -> None:
    for attr, items in rows.items():
        key = KEYS[attr]
        first: dict[tuple, int] = {}
        for row, item in items:
            value = tuple(getattr(item, k) for k in key)
            if value in first:
                problems.append(Problem(f"duplicate id; first at row {first[value]}",
                                        file=names[attr], row=row, field=",".join(key),
                                        value="/".join(str(v) for v in value)))
            else:
                first[value] = row


def _check_references(names: dict[str, str], rows: dict[str, list[tuple[int, _Row]]],
                      problems: list[Problem]) -> None:
    for (attr, column), (target, target_column) in REFERENCES.items():
        if attr not in rows or target not in rows:
            continue
        known = {getattr(item, target_column) for _, item in rows[target]}
        for row, item in rows[attr]:
            value = getattr(item, column)
            if value is not None and value not in known:
                problems.append(Problem(f"no such {target_column} in {names[target]}",
                                        file=names[attr], row=row, field=column, value=value))
    if "grid_cells" in rows:
        level = {item.grid_id: item.level for _, item in rows["grid_cells"]}
        for row, item in rows["grid_cells"]:
            want = _PARENT_LEVEL[item.level]
            if want is None and item.parent_id is not None:
                problems.append(Problem("a city cell has no parent", file=names["grid_cells"],
                                        row=row, field="parent_id", value=item.parent_id))
            elif want is not None and item.parent_id is None:
                problems.append(Problem(f"a {item.level} cell needs a parent {want} cell",
                                        file=names["grid_cells"], row=row, field="parent_id",
                                        value=""))
            elif want is not None and item.parent_id in level and level[item.parent_id] != want:
                problems.append(Problem(f"the parent of a {item.level} cell must be a {want} "
                                        f"cell, not a {level[item.parent_id]} cell",
                                        file=names["grid_cells"], row=row, field="parent_id",
                                        value=item.parent_id))
    if "hospitals" in rows:
        for row, item in rows["hospitals"]:
            if item.emergency_beds > item.beds:
                problems.append(Problem(f"more emergency beds than beds ({item.beds})",
                                        file=names["hospitals"], row=row,
                                        field="emergency_beds", value=item.emergency_beds))


def _check_places(names: dict[str, str], rows: dict[str, list[tuple[int, _Row]]],
                  bbox: tuple[float, float, float, float], districts: set[str],
                  problems: list[Problem]) -> None:
    w, s, e, n = bbox
    area = f"outside the network area (W S E N) {w:g} {s:g} {e:g} {n:g}"
    for attr, items in rows.items():
        fields_ = ROW_MODELS[attr].model_fields
        for row, item in items:
            if "lat" in fields_:
                if not s <= item.lat <= n:
                    problems.append(Problem(area, file=names[attr], row=row, field="lat",
                                            value=item.lat))
                if not w <= item.lon <= e:
                    problems.append(Problem(area, file=names[attr], row=row, field="lon",
                                            value=item.lon))
            if "district" in fields_ and item.district not in districts:
                problems.append(Problem(f"unknown district; the districts are "
                                        f"{', '.join(sorted(districts))}", file=names[attr],
                                        row=row, field="district", value=item.district))


# -- the entrance ---------------------------------------------------------------------


def load_dataset(path: str | Path) -> model.Dataset:
    """Read, validate and cross-check a city data set.

    Parameters
    ----------
    path
        The data set folder (holding ``dataset.yaml``), or the ``dataset.yaml`` itself.

    Returns
    -------
    Dataset
        Every table as a tuple of model dataclasses in file order; ``city`` from
        ``dataset.yaml``; ``meta`` holds ``city_en``, ``bbox`` (W, S, E, N degrees),
        ``districts`` (name -> English name), ``files`` (table -> file name), ``path``
        (the folder), ``road_network`` (the network file, if named) and ``provenance``.

    Raises
    ------
    DataError
        With one :class:`~command.errors.Problem` per thing wrong: a missing file or
        column, an unparsable or out-of-range value, an unknown capability, incident
        type, status or district, a duplicate id, a dangling reference, a place outside
        the network area, a ``source`` without provenance.
    """
    meta = read_dataset_yaml(path)
    folder = _dataset_dir(path)
    names = {attr: str(meta["files"][attr]) for attr in FILES}
    districts = {str(d["name"]) for d in meta["districts"]} | {str(meta["city"])}
    problems: list[Problem] = []
    rows: dict[str, list[tuple[int, _Row]]] = {}
    for attr in FILES:
        raw = _read_csv(folder / names[attr], attr, problems)
        if raw is not None:
            rows[attr] = _parse_rows(names[attr], attr, raw, problems)
    _check_keys(names, rows, problems)
    _check_references(names, rows, problems)
    _check_places(names, rows, meta["bbox"], districts, problems)
    if problems:
        log.info("data set %s: %d problems", folder, len(problems))
        raise DataError(f"the data set {folder} has {len(problems)} problem"
                        f"{'' if len(problems) == 1 else 's'}; nothing was loaded", problems)
    tables = {attr: tuple(FILES[attr](**item.model_dump()) for _, item in rows[attr])
              for attr in FILES}
    road = meta.get("road_network")
    info = {
        "city_en": meta.get("city_en", ""),
        "bbox": meta["bbox"],
        "districts": {str(d["name"]): str(d.get("name_en", "")) for d in meta["districts"]},
        "files": names,
        "path": str(folder),
        "road_network": str(folder / road) if road else None,
        "provenance": meta.get("provenance", ""),
        "demo_accounts": bool(meta.get("demo_accounts", False)),
    }
    dataset = model.Dataset(city=str(meta["city"]), meta=info, **tables)
    log.info("data set %s (%s): %s", dataset.city, folder,
             ", ".join(f"{len(v)} {k}" for k, v in tables.items()))
    return dataset


def load_candidate_sites(path: str | Path) -> tuple[model.CandidateSite, ...]:
    """The data set's candidate sites (``candidate_sites.csv`` beside ``dataset.yaml``),
    checked like every table (columns, values, unique ids, places inside the network
    area, known districts, provenance); an empty tuple when the file is absent (a data set
    need not have one).

    Raises
    ------
    DataError
        With one problem per thing wrong, as :func:`load_dataset`.
    """
    meta = read_dataset_yaml(path)
    file = _dataset_dir(path) / CANDIDATE_SITES
    if not file.is_file():
        return ()
    problems: list[Problem] = []
    names = {"candidate_sites": CANDIDATE_SITES}
    rows: dict[str, list[tuple[int, _Row]]] = {}
    raw = _read_csv(file, "candidate_sites", problems)
    if raw is not None:
        rows["candidate_sites"] = _parse_rows(CANDIDATE_SITES, "candidate_sites", raw, problems)
    _check_keys(names, rows, problems)
    districts = {str(d["name"]) for d in meta["districts"]} | {str(meta["city"])}
    _check_places(names, rows, meta["bbox"], districts, problems)
    if problems:
        raise DataError(f"{file} has {len(problems)} problem"
                        f"{'' if len(problems) == 1 else 's'}", problems)
    return tuple(model.CandidateSite(**item.model_dump())
                 for _, item in rows["candidate_sites"])
