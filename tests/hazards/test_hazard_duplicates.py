"""Possible duplicates by eye: same kind within 200 m flagged, other kind or 300 m not."""

import math

import pytest

from command.errors import DataError
from command.hazards.duplicates import NewReport, OpenHazard, possible_duplicates

LAT, LON = 30.3900, 114.8900  # Ezhou
M_PER_DEG_LAT = 6_371_008.8 * math.pi / 180  # the mean radius haversine_m uses, near enough


def north(metres):
    return LAT + metres / M_PER_DEG_LAT


def test_same_kind_near_is_flagged_nearest_first():
    new = NewReport("gas", LAT, LON)
    hazards = [
        OpenHazard("far", "gas", north(300), LON),
        OpenHazard("150m", "gas", north(150), LON),
        OpenHazard("other-kind", "fire_safety", north(10), LON),
        OpenHazard("50m", "gas", north(-50), LON, state="remediation"),
        OpenHazard("closed", "gas", north(20), LON, state="closed"),
        OpenHazard("rejected", "gas", north(20), LON, state="rejected"),
    ]
    found = possible_duplicates(new, hazards)
    assert [d.hazard.hazard_id for d in found] == ["50m", "150m"]
    assert found[0].distance_m == pytest.approx(50, abs=1)
    assert found[1].distance_m == pytest.approx(150, abs=1)


def test_radius_is_a_parameter():
    new = NewReport("crowd", LAT, LON)
    hazards = [OpenHazard("300m", "crowd", north(300), LON)]
    assert possible_duplicates(new, hazards) == ()
    assert [d.hazard.hazard_id for d in possible_duplicates(new, hazards, radius_m=350)] == \
        ["300m"]
    assert possible_duplicates(new, [OpenHazard("here", "crowd", LAT, LON)], radius_m=0)


def test_nothing_open():
    assert possible_duplicates(NewReport("other", LAT, LON), []) == ()


@pytest.mark.parametrize("new,hazards,radius,field", [
    (NewReport("ufo", LAT, LON), [], 200, "new.kind"),
    (NewReport("gas", 91.0, LON), [], 200, "new.lat"),
    (NewReport("gas", LAT, float("nan")), [], 200, "new.lon"),
    (NewReport("gas", LAT, LON), [], -1, "radius_m"),
    (NewReport("gas", LAT, LON), [OpenHazard("h1", "gas", LAT, 200.0)], 200, "hazard h1.lon"),
])
def test_bad_input_names_the_field(new, hazards, radius, field):
    with pytest.raises(DataError) as exc:
        possible_duplicates(new, hazards, radius_m=radius)
    assert [p.field for p in exc.value.problems] == [field]
