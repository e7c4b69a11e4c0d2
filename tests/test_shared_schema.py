"""The shared strict base and field types (command/_schema.py): each rule once, the same
error in every input file, naming the field and the value.

(Named ``test_shared_schema`` because tests/scenarios/test_schema.py already holds the
basename ``test_schema`` and the tests folders are not packages.)"""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from command import _schema as shared
from command import resources
from command.errors import DataError
from command.model import INCIDENT_TYPES
from command.scenarios.schema import Place, Scenario
from command.sim.drills import DrillFile, IncidentInject
from command.situation import Situation
from command.yamlfile import Located, validate


class Probe(shared.StrictModel):
    lat: shared.Lat = 30.0
    lon: shared.Lon = 114.0
    x: shared.Finite = 0.0
    minutes: shared.Minutes = 1.0
    hour: shared.Hour = 0
    name: shared.Name = "a"
    slug: shared.Slug = "a-1"
    level: shared.Level = 1
    count: shared.Count = 0
    quantity: shared.Quantity = 0.0
    type: shared.IncidentType = "fire"
    capability: shared.Capability = "engine"


def problems(data: dict) -> list[tuple[str, object, str]]:
    with pytest.raises(DataError) as err:
        validate(Probe, Located("probe.yaml", data, {}), what="probe")
    return [(p.field, p.value, p.rule) for p in err.value.problems]


def test_a_latitude_of_91_is_refused_naming_the_field_and_the_value():
    assert problems({"lat": 91}) == [
        ("lat", 91, "latitude must be a number of degrees between -90 and 90")]
    assert problems({"lon": -180.5}) == [
        ("lon", -180.5, "longitude must be a number of degrees between -180 and 180")]


@pytest.mark.parametrize("field", ["lat", "lon", "x", "minutes", "quantity"])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_are_refused_naming_the_field(field, bad):
    ((name, value, rule),) = problems({field: bad})
    assert name == field and (value == bad or (math.isnan(value) and math.isnan(bad)))
    if field == "x":
        assert rule == "must be a finite number"


def test_an_unknown_key_is_refused_naming_it():
    assert [(f, v) for f, v, _ in problems({"colour": "red"})] == [("colour", "red")]
    assert "Extra inputs" in problems({"colour": "red"})[0][2]


def test_a_parsed_model_is_frozen():
    probe = Probe()
    with pytest.raises(ValidationError):
        probe.lat = 0.0


@pytest.mark.parametrize("data, field", [
    ({"level": 0}, "level"), ({"level": 5}, "level"), ({"hour": 24}, "hour"),
    ({"minutes": 0}, "minutes"), ({"count": -1}, "count"), ({"quantity": -0.5}, "quantity"),
    ({"name": ""}, "name"), ({"slug": "a b"}, "slug"),
])
def test_bounds(data, field):
    assert [f for f, _, _ in problems(data)] == [field]


def test_one_of_names_what_and_lists_the_allowed():
    assert problems({"type": "volcano"}) == [
        ("type", "volcano", "unknown incident type; one of: " + ", ".join(INCIDENT_TYPES))]
    check = shared.one_of(("a", "b"), "letter")
    assert check("a") == "a"
    with pytest.raises(ValueError, match=r"^unknown letter; one of: a, b$"):
        check("c")


def test_every_input_file_uses_the_one_base():
    for model in (Situation, Scenario, Place, DrillFile, IncidentInject,
                  *resources.ROW_MODELS.values()):
        assert issubclass(model, shared.StrictModel), model
        assert model.model_config["extra"] == "forbid" and model.model_config["frozen"]


def test_the_same_latitude_rule_in_situation_scenario_and_drill_files():
    rule = "latitude must be a number of degrees between -90 and 90"
    bad = 91.0
    sit = {"incidents": [{"id": "I1", "type": "fire", "lat": bad, "lon": 114.9}]}
    place = {"lat": bad, "lon": 114.9}
    inject = {"type": "fire", "lat": bad, "lon": 114.9}
    for model, data, field in ((Situation, sit, "incidents[0].lat"), (Place, place, "lat"),
                               (IncidentInject, inject, "lat")):
        with pytest.raises(DataError) as err:
            validate(model, Located("f.yaml", data, {}))
        assert [(p.field, p.value, p.rule) for p in err.value.problems] == [(field, bad, rule)]
