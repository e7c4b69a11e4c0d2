"""Scenario files: every shipped one validates; bad ones name the file, field and value."""

from pathlib import Path

import pytest
import yaml

from command.errors import DataError
from command.scenarios.library import find_scenario, list_scenarios, scenario_dir
from command.scenarios.schema import load_scenario

EZHOU = Path(__file__).resolve().parents[2] / "data" / "resources" / "ezhou"
LIBRARY = list_scenarios(scenario_dir(EZHOU))

GOOD = {
    "id": "probe",
    "name": {"zh": "测试", "en": "probe"},
    "description": {"zh": "测试", "en": "probe"},
    "illustrative": True,
    "place": {"hazard_source": "HZ07"},
    "weather": {"wind_m_s": 3.0, "wind_from_deg": 45, "stability": "D"},
    "hazards": [{"type": "toxic_release", "mode": "continuous", "substance": "chlorine",
                 "rate_g_s": 100.0}],
    "incidents": [{"type": "hazmat_leak", "grade": 3}],
}


def write(tmp_path, data, name="probe"):
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_library_has_at_least_six_scenarios_each_with_provenance():
    assert len(LIBRARY) >= 6
    for path in LIBRARY:
        s = load_scenario(path)
        assert s.id == path.stem
        assert s.sources or s.illustrative


def test_every_shipped_scenario_validates_against_the_data_set_and_network(
        ezhou_dataset, ezhou_network, ezhou_settings):
    for path in LIBRARY:
        load_scenario(path, dataset=ezhou_dataset, network=ezhou_network,
                      max_snap_distance_m=ezhou_settings.max_snap_distance_m)


def test_a_good_file_loads(tmp_path, ezhou_dataset, ezhou_network):
    s = load_scenario(write(tmp_path, GOOD), dataset=ezhou_dataset, network=ezhou_network,
                      max_snap_distance_m=2000.0)
    assert s.hazards[0].substance == "chlorine" and s.weather.stability == "D"


def problems_of(tmp_path, change, **kw):
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    change(data)
    path = write(tmp_path, data)
    with pytest.raises(DataError) as e:
        load_scenario(path, **kw)
    assert str(path) in str(e.value)
    return e.value.problems, str(e.value)


@pytest.mark.parametrize("change, field, value, words", [
    (lambda d: d["hazards"][0].update(substance="unobtainium"), "hazards[0].substance",
     "unobtainium", "known substances"),
    (lambda d: d["hazards"][0].update(rate_g_s=-5.0), "hazards[0].rate_g_s", -5.0,
     "must be positive"),
    (lambda d: d["weather"].update(wind_m_s=0.0), "weather.wind_m_s", 0.0, "calm air"),
    (lambda d: d["weather"].update(stability="G"), "weather.stability", "G", "no class G"),
    (lambda d: d.update(colour="red"), "colour", "red", "Extra inputs"),
    (lambda d: d["hazards"][0].update(colour="red"), "hazards[0].colour", "red", "Extra inputs"),
    (lambda d: d.pop("illustrative"), "", None, "illustrative: true"),
])
def test_bad_values_are_refused_naming_the_field_and_the_value(tmp_path, change, field, value,
                                                               words):
    problems, message = problems_of(tmp_path, change)
    p = next(p for p in problems if (p.field or "") == field)
    assert p.value == value
    assert words in p.rule
    assert p.row is not None and p.file.endswith("probe.yaml")


def test_a_place_off_the_network_is_refused(tmp_path, ezhou_dataset, ezhou_network):
    # inside the data set's area but in the middle of 梁子湖, far from any road
    def far(d):
        d["place"] = {"lat": 30.05, "lon": 114.53}
    problems, message = problems_of(tmp_path, far, dataset=ezhou_dataset,
                                    network=ezhou_network, max_snap_distance_m=500.0)
    assert problems[0].field == "place" and "off the road network" in problems[0].rule
    assert problems[0].value == (30.05, 114.53)

    def outside(d):
        d["place"] = {"lat": 31.5, "lon": 114.7}
    problems, _ = problems_of(tmp_path, outside, dataset=ezhou_dataset)
    assert "off the network area" in problems[0].rule


def test_unknown_references_are_named(tmp_path, ezhou_dataset, ezhou_network):
    def refs(d):
        d["place"] = {"enterprise": "N99"}
        d["affected_roads"] = {"names": ["不存在的路"]}
    problems, _ = problems_of(tmp_path, refs, dataset=ezhou_dataset, network=ezhou_network)
    by_field = {p.field: p for p in problems}
    assert by_field["place.enterprise"].value == "N99"
    assert by_field["affected_roads.names[0]"].value == "不存在的路"


def test_find_scenario_by_name_or_path(tmp_path):
    assert find_scenario("chlorine-gedian", scenario_dir(EZHOU)).name == "chlorine-gedian.yaml"
    path = write(tmp_path, GOOD)
    assert find_scenario(str(path), scenario_dir(EZHOU)) == path
    with pytest.raises(DataError) as e:
        find_scenario("no-such", scenario_dir(EZHOU))
    assert "chlorine-gedian" in str(e.value)
