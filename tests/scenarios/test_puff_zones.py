"""Threat zones of an instantaneous release (Gaussian puff)."""

import pytest

from command.scenarios._errors import ScenarioError
from command.scenarios.dispersion import puff_centre_ground_concentration, puff_concentration
from command.scenarios.zones import puff_extent, puff_threat_zones

KW = dict(mass_kg=500.0, wind_m_s=2.0, stability="E", height_m=0.0, scheme="briggs-urban")


def test_the_far_edge_is_where_the_passing_puff_equals_the_level():
    loc = 0.01  # g/m3
    ext = puff_extent(loc, **KW)
    c = puff_centre_ground_concentration(ext.far_m, **KW)
    assert c == pytest.approx(loc, rel=1e-6)
    assert puff_centre_ground_concentration(ext.far_m * 1.01, **KW) < loc


def test_the_footprint_edge_is_on_the_level_across_the_wind():
    z = puff_threat_zones("ammonia", wind_from_deg=0.0, source_lon=114.85, source_lat=30.42,
                          **KW)
    aegl2 = next(x for x in z if x.level == "AEGL-2")
    # the widest point of the footprint: C(x, y, 0, t = x/u) = LOC
    x, y = max(aegl2.polygon_local_m, key=lambda p: p[1])
    c = puff_concentration(x, y, 0.0, x / KW["wind_m_s"], **KW)
    assert c == pytest.approx(aegl2.loc_g_m3, rel=1e-3)
    # a north wind carries the cloud south
    assert min(lat for _, lat in aegl2.polygon_lonlat) < 30.42 - 0.005


def test_a_meaningless_mass_is_refused():
    with pytest.raises(ScenarioError) as e:
        puff_extent(0.01, **{**KW, "mass_kg": -1.0})
    assert "mass_kg" in str(e.value)
