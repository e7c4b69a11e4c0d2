"""LEC: the petrol-station values of REFERENCE.md 5b, the boundary rule at 20, 70, 160 and
320, the published scales only, configurable colours, and a property over all scales."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from command.errors import DataError
from command.risk.lec import (
    LEC_SCALES,
    LECColours,
    lec_band,
    lec_grade,
    lec_scale,
)


@pytest.mark.parametrize(("lv", "e", "c", "d", "band", "band_zh", "colour", "colour_zh"), [
    (3, 10, 15, 450, "extreme", "极其危险，不能继续作业", "red", "红"),        # fire, explosion
    (1, 6, 15, 90, "significant", "显著危险，需要整改", "yellow", "黄"),       # electric shock
    (6, 6, 3, 108, "significant", "显著危险，需要整改", "yellow", "黄"),       # vehicle injury
    (1, 1, 15, 15, "slight", "稍有危险，可以接受", "blue", "蓝"),              # fall from height
    (1, 0.5, 40, 20, "slight", "稍有危险，可以接受", "blue", "蓝"),            # collapse
])
def test_petrol_station_assessment(lv, e, c, d, band, band_zh, colour, colour_zh):
    g = lec_grade(lv, e, c).to_dict()
    assert (g["D"], g["band"], g["band_zh"], g["colour"], g["colour_zh"]) == (
        d, band, band_zh, colour, colour_zh)
    assert g["inputs"] == {"L": lv, "E": e, "C": c} and g["method"] == "lec"


@pytest.mark.parametrize(("d", "band"), [
    (0, "slight"), (20, "slight"), ("20.000001", "moderate"),
    (70, "moderate"), ("70.000001", "significant"),
    (160, "significant"), ("160.000001", "high"),
    (320, "high"), ("320.000001", "extreme"), (10_000, "extreme"),
])
def test_a_band_holds_its_upper_end_not_its_lower(d, band):
    assert lec_band(d) == band


@pytest.mark.parametrize(("lv", "e", "c", "d", "colour"), [
    (1, 0.5, 40, 20, "blue"), (1, 10, 7, 70, "blue"), (3, 6, 3, 54, "blue"),
    (6, 3, 7, 126, "yellow"), (10, 3, 7, 210, "orange"), (6, 6, 15, 540, "red"),
])
def test_boundaries_reached_by_scale_values(lv, e, c, d, colour):
    g = lec_grade(lv, e, c)
    assert (g.values["D"], g.colour) == (d, colour)


def test_decimal_products_are_exact():
    assert lec_grade("0.1", 6, 7).values["D"] == 4.2  # in floats 0.1 * 6 * 7 is 4.200000000000001
    assert lec_grade(0.2, 0.5, 100).values["D"] == 10


@pytest.mark.parametrize(("args", "field", "value"), [
    ((7, 6, 15), "L", 7), ((2, 6, 15), "L", 2), ((3, 4, 15), "E", 4), ((3, 6, 50), "C", 50),
    ((3, 6, "x"), "C", "x"), ((3, "nan", 15), "E", "nan"), ((True, 6, 15), "L", True),
])
def test_values_off_the_scales_are_refused_naming_field_and_value(args, field, value):
    with pytest.raises(DataError) as err:
        lec_grade(*args)
    assert [(p.field, p.value) for p in err.value.problems] == [(field, value)]


def test_every_bad_factor_is_reported_at_once():
    with pytest.raises(DataError) as err:
        lec_grade(7, 4, 50)
    assert [p.field for p in err.value.problems] == ["L", "E", "C"]


def test_negative_d_refused():
    with pytest.raises(DataError, match="negative"):
        lec_band(-1)


def test_colours_are_configuration():
    strict = LECColours(moderate="yellow")
    assert lec_grade(3, 6, 3, colours=strict).colour == "yellow"  # D = 54
    assert lec_grade(3, 6, 3).colour == "blue"
    with pytest.raises(ValueError, match="purple"):
        LECColours(extreme="purple")


def test_scales_carry_their_meanings():
    assert [v.value for v in lec_scale("L")] == [10, 6, 3, 1, 0.5, 0.2, 0.1]
    assert [v.value for v in lec_scale("E")] == [10, 6, 3, 2, 1, 0.5]
    assert [v.value for v in lec_scale("C")] == [100, 40, 15, 7, 3, 1]
    assert lec_scale("L")[0].meaning_zh == "完全可以预料"
    assert lec_scale("C")[2].meaning_en == "Very serious, one death"


_ALL = list(itertools.product(*LEC_SCALES.values()))


@given(st.sampled_from(_ALL), st.sampled_from(_ALL))
def test_a_larger_d_never_gets_a_milder_colour(a, b):
    order = ["blue", "yellow", "orange", "red"]
    ga, gb = lec_grade(*a), lec_grade(*b)
    da = Fraction(str(a[0])) * Fraction(str(a[1])) * Fraction(str(a[2]))
    assert ga.values["D"] == float(da)
    if ga.values["D"] <= gb.values["D"]:
        assert order.index(ga.colour) <= order.index(gb.colour)
