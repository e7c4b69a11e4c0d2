"""command/situation as a package: the public names are the documented ones, importable
from the package as before the split; each module says what it owns and must not do;
the checks against the data set report every problem in file order."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import command.situation as situation
from command.situation import situation_from_dict
from command.situation._check import reference_problems

PUBLIC = {"Situation", "Prepared", "load_situation", "situation_from_dict", "prepare",
          "travel_s", "assignment_problem", "material_problem", "delivery_problems",
          "moveup_problem", "zone_weights", "COVERED_CAPABILITIES"}
MODULES = {"schema", "_check", "_scenario", "prepared", "problems"}


def test_the_public_names_are_the_documented_ones():
    assert set(situation.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(situation, name) is not None
        assert f"`{name}`" in situation.__doc__, f"{name} is not in the package docstring"
    # the function, not the module of the same job, answers to command.situation.prepare
    assert callable(situation.prepare) and situation.prepare.__name__ == "prepare"
    assert situation.COVERED_CAPABILITIES == ("engine", "ambulance")


def test_each_module_owns_a_job_and_says_what_it_must_not_do():
    found = {m.name for m in pkgutil.iter_modules(situation.__path__)}
    assert found == MODULES
    exported = set()
    for name in sorted(found):
        module = importlib.import_module(f"command.situation.{name}")
        assert module.__doc__ and "Must not" in module.__doc__, name
        assert module.__all__, name
        exported |= set(module.__all__)
    assert exported >= PUBLIC


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_names_come_from_one_module(name):
    obj = getattr(situation, name)
    if callable(obj):
        assert obj.__module__.startswith("command.situation.")


def test_reference_problems_in_file_order(ezhou_dataset):
    sit, located = situation_from_dict({
        "incidents": [{"id": "I1", "type": "fire", "lat": 30.39, "lon": 114.89,
                       "materials": {"NO-ITEM": 1}},
                      {"id": "I1", "type": "fire", "lat": 30.39, "lon": 114.89}],
        "units": [{"unit_id": "NO-UNIT"}],
        "stocks": [{"depot_id": "NO-DEPOT", "item_id": "NO-ITEM", "quantity": 1}],
        "vehicles": [{"depot_id": "NO-DEPOT", "count": 1, "capacity_kg": 100}],
    })
    got = [(p.field, p.value, p.rule) for p in reference_problems(sit, located, ezhou_dataset)]
    assert got == [
        ("incidents[1].id", "I1", "duplicate incident id"),
        ("units[0].unit_id", "NO-UNIT", "unknown unit: no such unit_id in teams.csv"),
        ("incidents[0].materials.NO-ITEM", "NO-ITEM",
         "unknown item: no such item_id in items.csv"),
        ("stocks[0].depot_id", "NO-DEPOT", "unknown depot"),
        ("stocks[0].item_id", "NO-ITEM", "unknown item"),
        ("vehicles[0].depot_id", "NO-DEPOT", "unknown depot"),
    ]


def test_a_clean_situation_has_no_reference_problems(ezhou_dataset):
    team = ezhou_dataset.teams[0]
    sit, located = situation_from_dict({
        "incidents": [{"id": "I1", "type": "fire", "lat": 30.39, "lon": 114.89}],
        "units": [{"unit_id": team.unit_id, "status": "out_of_service"}]})
    assert reference_problems(sit, located, ezhou_dataset) == []
