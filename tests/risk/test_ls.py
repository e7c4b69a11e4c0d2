"""LS matrix: every band of both variants, the refusals, and the band-set checks."""

from __future__ import annotations

import pytest

from command.errors import DataError
from command.risk.ls import (
    LS_PRODUCTS,
    PRD_BANDS,
    SHANDONG_BANDS,
    LSBand,
    LSBands,
    ls_colour,
    ls_grade,
)


@pytest.mark.parametrize(("lv", "s", "r", "colour"), [
    (5, 5, 25, "red"), (4, 5, 20, "red"),                          # red 20-25
    (3, 5, 15, "orange"), (4, 4, 16, "orange"),                    # orange 15-19
    (3, 3, 9, "yellow"), (2, 5, 10, "yellow"), (3, 4, 12, "yellow"),  # yellow 9-14
    (1, 1, 1, "blue"), (2, 3, 6, "blue"), (2, 4, 8, "blue"),          # blue 1-8
])
def test_prd_bands(lv, s, r, colour):
    d = ls_grade(lv, s).to_dict()
    assert (d["R"], d["colour"]) == (r, colour)
    assert d["inputs"] == {"L": lv, "S": s, "bands": "prd"} and "qieqiesitan" in d["standard"]


@pytest.mark.parametrize(("lv", "s", "colour"), [
    (4, 5, "red"), (5, 5, "red"), (3, 5, "orange"), (4, 4, "orange"),
    (3, 3, "yellow"), (3, 4, "yellow"), (2, 4, "blue"), (1, 1, "blue"),
])
def test_shandong_bands(lv, s, colour):
    assert ls_grade(lv, s, bands=SHANDONG_BANDS).colour == colour


def test_the_two_variants_agree_on_every_reachable_r():
    assert LS_PRODUCTS == (1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20, 25)
    assert [ls_colour(r, PRD_BANDS) for r in LS_PRODUCTS] == [
        ls_colour(r, SHANDONG_BANDS) for r in LS_PRODUCTS]


@pytest.mark.parametrize(("lv", "s", "field", "value"), [
    (0, 3, "L", 0), (6, 3, "L", 6), (3, 0, "S", 0), (3, 9, "S", 9), (2.5, 3, "L", 2.5),
    ("x", 3, "L", "x"), (3, None, "S", None),
])
def test_out_of_scale_refused_naming_field_and_value(lv, s, field, value):
    with pytest.raises(DataError) as err:
        ls_grade(lv, s)
    assert [(p.field, p.value) for p in err.value.problems] == [(field, value)]


def test_text_scores_are_read():
    assert ls_grade("4", " 5 ").values["R"] == 20


def test_unreachable_r_refused():
    with pytest.raises(DataError):
        ls_colour(7)


@pytest.mark.parametrize(("bands", "words"), [
    ((LSBand("red", 15, 25), LSBand("blue", 1, 15)), "two bands"),
    ((LSBand("red", 20, 25), LSBand("blue", 1, 8)), "no band"),
    ((LSBand("purple", 1, 25),), "unknown colour"),
    ((LSBand("red", 0, 25),), "within 1..25"),
])
def test_bad_band_sets_refused(bands, words):
    with pytest.raises(ValueError, match=words):
        LSBands(name="bad", source="test", bands=bands)
