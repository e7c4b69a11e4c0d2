"""command.resources: the shipped Ezhou data set loads whole, and bad input is refused
with every problem named (file, row as numbered in the file, field, value, rule)."""

from __future__ import annotations

import csv
import dataclasses
import shutil
from pathlib import Path

import pytest

from command import model
from command.errors import DataError
from command.resources import FILES, SOURCE_RULE, dataset_bbox, load_dataset

REPO = Path(__file__).resolve().parents[1]
EZHOU = REPO / "data" / "resources" / "ezhou"
GB18218 = REPO.parent / "shared" / "benchmarks" / "gb18218"

# Fields that may legitimately be empty: the city cell has no parent; GB 18218 gives no
# CAS number for 煤气 and class-only substances such as explosives.
MAY_BE_EMPTY = {("grid_cells", "parent_id"), ("hazard_sources", "cas")}


@pytest.fixture(scope="module")
def dataset() -> model.Dataset:
    return load_dataset(EZHOU)


# -- the real data set ----------------------------------------------------------------


def test_counts_meet_the_issue(dataset):
    assert len(dataset.bases) >= 35
    assert len(dataset.teams) >= 120
    assert len(dataset.items) >= 15
    assert dataset.city == "鄂州市"
    assert dataset.meta["city_en"] == "Ezhou"


def test_every_table_and_field_is_populated(dataset):
    for attr in FILES:
        rows = getattr(dataset, attr)
        assert rows, f"{attr} is empty"
        for row in rows:
            for f in dataclasses.fields(row):
                value = getattr(row, f.name)
                if (attr, f.name) in MAY_BE_EMPTY:
                    continue
                assert value is not None and value != "", (attr, row, f.name)


def test_meta_bbox_is_the_dataset_yaml_area(dataset):
    assert dataset_bbox(EZHOU) == (114.50, 29.98, 115.16, 30.66)
    assert dataset_bbox(EZHOU / "dataset.yaml") == dataset.meta["bbox"]
    assert Path(dataset.meta["road_network"]) == EZHOU / "roads.osm.gz"


def test_every_capability_has_units_and_every_type_a_package(dataset):
    caps = {t.capability for t in dataset.teams}
    assert caps == set(model.CAPABILITIES)
    for incident_type in model.INCIDENT_TYPES:
        grades = {p.grade for p in dataset.response_packages if p.incident_type == incident_type}
        assert grades == {1, 2, 3, 4}, incident_type
    # the example of the brief: a general hazmat leak
    assert dataset.package("hazmat_leak", 4) == {"hazmat": 1, "engine": 2, "ambulance": 1}
    # a grade-1 package never asks for more units than the city has
    have = {c: sum(t.capability == c for t in dataset.teams) for c in model.CAPABILITIES}
    for p in dataset.response_packages:
        assert p.count <= have[p.capability], p


def test_incident_rates_cover_every_type_and_district(dataset):
    districts = {"鄂城区", "华容区", "梁子湖区"}
    pairs = {(r.incident_type, r.district) for r in dataset.incident_rates}
    assert pairs == {(t, d) for t in model.INCIDENT_TYPES for d in districts}
    per_day = sum(r.per_year for r in dataset.incident_rates) / 365
    assert 20 < per_day < 200  # a city of about a million: tens of calls a day


def test_population_uses_the_published_district_figures(dataset):
    districts = {p.name_zh: p for p in dataset.population if p.level == "district"}
    assert {k: v.population for k, v in districts.items()} == {
        "鄂城区": 691_600, "华容区": 254_500, "梁子湖区": 126_100}
    assert all(p.source.startswith("public:") and p.year == 2023 for p in districts.values())
    towns = [p for p in dataset.population if p.level == "town"]
    echeng = sum(p.population for p in towns if p.district == "鄂城区")
    assert abs(echeng - 691_600) / 691_600 < 0.02


def test_grid_has_three_levels_and_a_member_per_cell(dataset):
    levels = {c.level for c in dataset.grid_cells}
    assert levels == {"city", "town", "community"}
    cities = [c for c in dataset.grid_cells if c.level == "city"]
    assert len(cities) == 1 and cities[0].parent_id is None
    assert {m.grid_id for m in dataset.grid_members} == {c.grid_id for c in dataset.grid_cells}


def test_hazard_quantities_use_gb18218_critical_quantities(dataset):
    if not GB18218.is_dir():
        pytest.skip(f"GB 18218 tables not found at {GB18218}")
    with open(GB18218 / "table1_critical_quantities.csv", encoding="utf-8") as f:
        table1 = list(csv.DictReader(f))
    with open(GB18218 / "table2_class_critical_quantities.csv", encoding="utf-8") as f:
        table2 = {r["symbol"]: float(r["critical_quantity_t"].split()[0])
                  for r in csv.DictReader(f)}
    by_cas = {}
    for r in table1:
        for cas in filter(None, (c.split("(")[0].strip() for c in r["cas"].split(";"))):
            by_cas[cas] = float(r["critical_quantity_t"])
    by_name = {r["name_zh"]: float(r["critical_quantity_t"]) for r in table1}
    for h in dataset.hazard_sources:
        if h.cas and h.cas in by_cas:
            assert h.critical_quantity_t == by_cas[h.cas], h.hazard_id
        elif any(name.startswith(h.substance_zh) for name in by_name):
            name = next(n for n in by_name if n.startswith(h.substance_zh))
            assert h.critical_quantity_t == by_name[name], h.hazard_id
        else:  # not named in Table 1: the class quantity of Table 2
            assert h.critical_quantity_t == table2[h.hazard_class], h.hazard_id


# -- bad input ------------------------------------------------------------------------


@pytest.fixture
def copy(tmp_path) -> Path:
    """The data set's YAML and CSV files in a folder of their own."""
    dst = tmp_path / "ezhou"
    shutil.copytree(EZHOU, dst, ignore=shutil.ignore_patterns("*.gz", "*.py", "__pycache__"))
    return dst


def _rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _write(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def set_cell(path: Path, file_row: int, column: str, value: str) -> None:
    """Set one cell; ``file_row`` counts the header as row 1, like the error messages."""
    rows = _rows(path)
    rows[file_row - 1][rows[0].index(column)] = value
    _write(path, rows)


def _problems(folder: Path) -> tuple[str, list]:
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    return str(info.value), info.value.problems


def _find(problems, file, field):
    return [p for p in problems if p.file == file and p.field == field]


def test_unknown_capability_names_file_row_field_value(copy):
    set_cell(copy / "teams.csv", 4, "capability", "laser")
    message, problems = _problems(copy)
    (p,) = _find(problems, "teams.csv", "capability")
    assert (p.row, p.value) == (4, "laser")
    assert "unknown capability" in p.rule and "engine" in p.rule
    assert "teams.csv, row 4, field 'capability' (value 'laser')" in message


def test_negative_stock_is_refused(copy):
    set_cell(copy / "stocks.csv", 7, "quantity", "-5")
    message, problems = _problems(copy)
    (p,) = _find(problems, "stocks.csv", "quantity")
    assert (p.row, p.value, p.rule) == (7, "-5", "must not be negative")
    assert "stocks.csv, row 7, field 'quantity' (value '-5')" in message


def test_place_outside_the_network_area(copy):
    set_cell(copy / "bases.csv", 3, "lat", "40.0")
    message, problems = _problems(copy)
    (p,) = _find(problems, "bases.csv", "lat")
    assert (p.row, p.value) == (3, 40.0)
    assert p.rule == "outside the network area (W S E N) 114.5 29.98 115.16 30.66"
    assert "bases.csv, row 3, field 'lat' (value 40.0): outside the network area" in message


def test_missing_column(copy):
    rows = _rows(copy / "teams.csv")
    k = rows[0].index("crew")
    _write(copy / "teams.csv", [r[:k] + r[k + 1:] for r in rows])
    message, problems = _problems(copy)
    (p,) = _find(problems, "teams.csv", "crew")
    assert (p.row, p.rule) == (1, "missing column")
    assert "teams.csv, row 1, field 'crew': missing column" in message


def test_row_numbers_count_blank_lines_and_short_rows(copy):
    path = copy / "stocks.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "")  # a blank line as the file's row 4
    lines[5] = "D01,tent"  # row 6: too few cells
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, problems = _problems(copy)
    assert {(p.row, p.field, p.rule) for p in problems} == {
        (6, "quantity", "must not be empty"), (6, "source", SOURCE_RULE)}


def test_duplicate_id(copy):
    first = _rows(copy / "bases.csv")[1][0]
    set_cell(copy / "bases.csv", 10, "base_id", first)
    _, problems = _problems(copy)
    (p,) = _find(problems, "bases.csv", "base_id")
    assert (p.row, p.value, p.rule) == (10, first, "duplicate id; first at row 2")


def test_many_problems_are_reported_at_once(copy):
    set_cell(copy / "teams.csv", 4, "capability", "laser")
    set_cell(copy / "teams.csv", 5, "base_id", "NO-SUCH-BASE")
    set_cell(copy / "stocks.csv", 7, "quantity", "-5")
    set_cell(copy / "bases.csv", 3, "lat", "40.0")
    set_cell(copy / "hospitals.csv", 2, "burn", "yes")
    set_cell(copy / "depots.csv", 2, "source", "trust me")
    set_cell(copy / "incident_rates.csv", 2, "incident_type", "meteor")
    rows = _rows(copy / "shelters.csv")
    _write(copy / "shelters.csv", [r[:-1] for r in rows])  # drop the source column
    message, problems = _problems(copy)
    seen = {(p.file, p.row, p.field) for p in problems}
    assert {("teams.csv", 4, "capability"), ("teams.csv", 5, "base_id"),
            ("stocks.csv", 7, "quantity"), ("bases.csv", 3, "lat"),
            ("hospitals.csv", 2, "burn"), ("depots.csv", 2, "source"),
            ("incident_rates.csv", 2, "incident_type"),
            ("shelters.csv", 1, "source")} <= seen
    assert f"has {len(problems)} problems; nothing was loaded" in message
    by = {(p.file, p.field): p for p in problems}
    assert by[("teams.csv", "base_id")].rule == "no such base_id in bases.csv"
    assert by[("hospitals.csv", "burn")].rule == "must be true or false"
    assert by[("depots.csv", "source")].rule.startswith('must start with "public: <where>"')


def test_missing_file_is_named(copy):
    (copy / "items.csv").unlink()
    message, problems = _problems(copy)
    assert [(p.file, p.rule) for p in problems] == [("items.csv", "file is missing")]
    assert "items.csv" in message


def test_missing_dataset_yaml_and_folder(tmp_path):
    with pytest.raises(DataError, match="no dataset.yaml"):
        load_dataset(tmp_path)
    with pytest.raises(DataError, match="does not exist"):
        load_dataset(tmp_path / "nowhere")


def test_bad_bbox_in_dataset_yaml(copy):
    text = (copy / "dataset.yaml").read_text(encoding="utf-8")
    (copy / "dataset.yaml").write_text(
        text.replace("bbox: [114.50, 29.98, 115.16, 30.66]", "bbox: [115.16, 29.98, 114.5]"),
        encoding="utf-8")
    message, problems = _problems(copy)
    assert [p.field for p in problems] == ["bbox"]
    assert "W S E N" in message


def test_grid_levels_and_unknown_district(copy):
    rows = _rows(copy / "grid_cells.csv")
    town = next(i for i, r in enumerate(rows) if r[1] == "town") + 1
    community = next(i for i, r in enumerate(rows) if r[1] == "community") + 1
    set_cell(copy / "grid_cells.csv", community, "parent_id", "GC-EZ")
    set_cell(copy / "grid_cells.csv", town, "district", "武昌区")
    _, problems = _problems(copy)
    by = {(p.row, p.field): p for p in problems if p.file == "grid_cells.csv"}
    assert by[(community, "parent_id")].rule == ("the parent of a community cell must be a "
                                                 "town cell, not a city cell")
    assert by[(town, "district")].value == "武昌区"
    assert "unknown district" in by[(town, "district")].rule


def test_tiny_valid_data_set_loads_in_file_order(copy):
    """Only one team left: the loader keeps what it was given, in order."""
    rows = _rows(copy / "teams.csv")
    _write(copy / "teams.csv", rows[:2])
    dataset = load_dataset(copy)
    assert [t.unit_id for t in dataset.teams] == [rows[1][0]]
    assert dataset.teams[0].crew == int(rows[1][4])


def test_material_packages_cover_items_and_grade_fallback(dataset):
    items = {i.item_id for i in dataset.items}
    assert {p.item_id for p in dataset.material_packages} <= items
    assert {r.item_id for r in dataset.shelter_rations} <= items
    # grade 2 hazmat doubles grade 3 which doubles grade 4
    g4, g2 = dataset.material_package("hazmat_leak", 4), dataset.material_package("hazmat_leak", 2)
    assert g2["chem_suit"][0] == 4 * g4["chem_suit"][0] == 24
    assert g2["chem_suit"][1] == g4["chem_suit"][1] == 30
    assert dataset.material_package("no_such_type") == {}


def test_default_priority_covers_every_incident_type():
    assert set(model.DEFAULT_PRIORITY) == set(model.INCIDENT_TYPES)
    assert set(model.DEFAULT_PRIORITY.values()) <= {1, 2, 3, 4}
