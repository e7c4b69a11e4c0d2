"""Hypothesis over the input schemas (issue #20): a valid situation, scenario or drill
with one value replaced by anything (NaN, infinities, huge and tiny numbers, negative
numbers, words, lists, mappings, nothing). The schema either accepts it, and then a
bounded number lies in its documented range, or refuses it with a DataError whose
problem names the field that was changed; nothing else is raised."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from command.errors import DataError
from command.limits import check
from command.scenarios.schema import load_scenario
from command.sim.drills import DrillFile
from command.situation import situation_from_dict
from command.yamlfile import Located, field_path, load_yaml, validate

EZHOU = Path(__file__).resolve().parents[2] / "data" / "resources" / "ezhou"
SITUATION = load_yaml(EZHOU / "situations" / "surge-echeng.yaml")[0]
SITUATION["delivery"] = {"trucks_per_depot": 2, "truck_capacity_kg": 5000, "loading_min": 15,
                         "unloading_min": 10}
SITUATION["vehicles"] = [{"depot_id": "D01", "count": 3, "capacity_kg": 8000}]
SITUATION["incidents"][0].update(deadline_min=60, demand={"engine": 2},
                                 materials={"foam": 1.5})
SCENARIOS = {p.stem: load_yaml(p)[0]
             for p in sorted((EZHOU / "scenarios").glob("*.yaml"))}
DRILL = load_yaml(EZHOU / "drills" / "station-loss-surge.yaml")[0]

HOSTILE = st.one_of(
    st.sampled_from([float("nan"), float("inf"), float("-inf"), 1e308, -1e308, 1e-300,
                     -1.0, 0.0, 0, -1, 10 ** 30, 2 ** 63, True, None, "", "abc", [], {},
                     [1, 2], {"a": 1}]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-10 ** 20, max_value=10 ** 20),
    st.text(max_size=5))

# path in the file -> range name (None: checked by the schema without a named range)
SITUATION_PATHS = {
    ("hour",): None,
    ("incidents", 0, "lat"): "lat_deg", ("incidents", 0, "lon"): "lon_deg",
    ("incidents", 0, "grade"): None, ("incidents", 0, "priority"): None,
    ("incidents", 0, "deadline_min"): "deadline_min",
    ("incidents", 0, "demand", "engine"): "demand_units",
    ("incidents", 0, "materials", "foam"): "material_quantity",
    ("shelters", 0, "persons"): "shelter_persons",
    ("vehicles", 0, "count"): "vehicle_count",
    ("vehicles", 0, "capacity_kg"): "truck_capacity_kg",
    ("delivery", "trucks_per_depot"): "trucks_per_depot",
    ("delivery", "truck_capacity_kg"): "truck_capacity_kg",
    ("delivery", "loading_min"): "loading_min", ("delivery", "unloading_min"): "unloading_min",
    ("moveup", "max_moves"): "max_moves", ("moveup", "max_move_min"): "max_move_min",
    ("moveup", "busy_probability", "engine"): None,
    ("mutual_aid", 0, "lat"): "lat_deg",
    ("closures", "polygons"): None,
}


def _set(data, path, value):
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _get(model, path):
    for part in path:
        model = model[part] if isinstance(part, int) or isinstance(model, dict) else getattr(
            model, part)
    return model


def _assert_named(exc: DataError, path: tuple):
    want = field_path(path)
    fields = [p.field or "" for p in exc.problems]
    assert any(f == want or f.startswith(want) or want.startswith(f) and f for f in fields), \
        (want, fields)


# count_case is stateless between examples, so a function-scoped fixture is safe here
SLOW = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]


@settings(max_examples=300, deadline=None, suppress_health_check=SLOW)
@given(path=st.sampled_from(sorted(SITUATION_PATHS, key=str)), value=HOSTILE)
def test_situation_fields(path, value, count_case):
    count_case("situation schema (hypothesis)")
    data = copy.deepcopy(SITUATION)
    _set(data, path, value)
    try:
        situation, _ = situation_from_dict(data)
    except DataError as exc:
        _assert_named(exc, path)
        return
    name, got = SITUATION_PATHS[path], _get(situation, path)
    if name is not None and got is not None:  # None: an optional field left out
        assert check(name, got) is None, (path, value)


SCENARIO_PATHS = {
    "chlorine-gedian": {("weather", "wind_m_s"): "wind_m_s",
                        ("weather", "wind_from_deg"): None,
                        ("hazards", 0, "rate_g_s"): "rate_g_s",
                        ("hazards", 0, "height_m"): "release_height_m",
                        ("injects", 0, "at_min"): "inject_at_min"},
    "lpg-tanker-wue-expressway": {("hazards", 0, "mass_kg"): "bleve_mass_kg",
                                  ("hazards", 0, "heat_of_combustion_kj_kg"):
                                      "heat_of_combustion_kj_kg",
                                  ("hazards", 0, "radiated_fraction"): None,
                                  ("place", "lat"): "lat_deg"},
    "crowd-yanglan-lake": {("hazards", 0, "radius_m"): "cordon_radius_m"},
    "yangtze-breach-echeng": {("hazards", 0, "water_level_m"): "water_level_m"},
}
SCENARIO_CASES = sorted((stem, path) for stem, paths in SCENARIO_PATHS.items() for path in paths)


def test_the_scenario_paths_exist():
    for stem, path in SCENARIO_CASES:
        _get(SCENARIOS[stem], path)


@settings(max_examples=200, deadline=None, suppress_health_check=SLOW)
@given(case=st.sampled_from(SCENARIO_CASES), value=HOSTILE)
def test_scenario_fields(case, value, count_case):
    count_case("scenario schema (hypothesis)")
    stem, path = case
    data = copy.deepcopy(SCENARIOS[stem])
    _set(data, path, value)
    with tempfile.TemporaryDirectory() as folder:
        f = Path(folder) / f"{stem}.yaml"
        f.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        if (EZHOU / "scenarios" / "yangtze-breach-elevation.asc").exists():
            (Path(folder) / "yangtze-breach-elevation.asc").symlink_to(
                EZHOU / "scenarios" / "yangtze-breach-elevation.asc")
        try:
            scenario = load_scenario(f)
        except DataError as exc:
            _assert_named(exc, path)
            return
    name, got = SCENARIO_PATHS[stem][path], _get(scenario.model_dump(), path)
    if name is not None and got is not None:
        assert check(name, got) is None, (path, value)


DRILL_PATHS = {("days",): "sim_days", ("start_hour",): None,
               ("background_per_day",): "calls_per_day",
               ("injects", 2, "surge", "multiplier"): None,
               ("injects", 2, "surge", "duration_min"): "surge_duration_min",
               ("injects", 3, "incident", "lat"): "lat_deg"}


@settings(max_examples=200, deadline=None, suppress_health_check=SLOW)
@given(path=st.sampled_from(sorted(DRILL_PATHS, key=str)), value=HOSTILE)
def test_drill_fields(path, value, count_case):
    count_case("drill schema (hypothesis)")
    data = copy.deepcopy(DRILL)
    _set(data, path, value)
    try:
        drill = validate(DrillFile, Located("drill.yaml", data, {}), what="drill file")
    except DataError as exc:
        _assert_named(exc, path)
        return
    name, got = DRILL_PATHS[path], _get(drill.model_dump(), path)
    if name is not None and got is not None:
        assert check(name, got) is None, (path, value)
