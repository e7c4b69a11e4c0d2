"""The one result shape: every method gives the same keys, traceable to method and standard."""

from __future__ import annotations

import dataclasses

import pytest

from command.risk import RiskGrade, gb18218_grade, lec_grade, ls_grade


def test_every_method_gives_the_same_keys():
    results = [ls_grade(2, 3), lec_grade(1, 6, 15),
               gb18218_grade([("ammonia", 50)], people=120)]
    common = {"method", "method_zh", "method_en", "standard", "inputs", "grade", "grade_zh",
              "grade_en", "band", "band_zh", "band_en", "colour", "colour_zh", "colour_en"}
    for r in results:
        d = r.to_dict()
        assert common <= set(d), r.method
        assert d["standard"] and d["inputs"]
    assert [r.to_dict()["method_en"] for r in results] == [
        "Risk matrix (LS)", "Job hazard analysis (LEC)",
        "Major hazard installations for hazardous chemicals (GB 18218-2018)"]


def test_result_is_frozen_and_to_dict_is_a_copy():
    r = gb18218_grade([("ammonia", 50)], people=120)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.grade = 1
    d = r.to_dict()
    d["substances"][0]["beta"] = 99
    assert r.to_dict()["substances"][0]["beta"] == 2


@pytest.mark.parametrize("kwargs", [{"method": "ahp"}, {"method": "ls", "colour": "green"},
                                    {"method": "gb18218", "grade": 5}])
def test_impossible_results_refused(kwargs):
    with pytest.raises(ValueError):
        RiskGrade(standard="x", **kwargs)
