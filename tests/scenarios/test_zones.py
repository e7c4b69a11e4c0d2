"""Threat zones: distances that hit the level, footprints on its contour, map projection."""

import math

import numpy as np
import pytest

from command.scenarios.dispersion import STABILITY_CLASSES, ScenarioError, plume_concentration
from command.scenarios.substances import get_substance
from command.scenarios.zones import (
    X_MIN_M,
    downwind_distance_m,
    local_to_lonlat,
    plume_extent,
    threat_zones,
    zones_geojson,
)

# an illustrative release near the Gedian chemical park of Ezhou (position rounded)
SRC = dict(source_lon=114.70, source_lat=30.40)
CL2_AEGL2_G_M3 = 2.0 * 70.906 / 24.45 / 1000  # 2.0 ppm of chlorine in g/m3


def haversine_m(lon1, lat1, lon2, lat2):
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


@pytest.mark.parametrize("scheme", ["briggs-rural", "briggs-urban", "isc3"])
@pytest.mark.parametrize("stability", STABILITY_CLASSES)
def test_distance_gives_the_level_of_concern_on_the_centreline(stability, scheme):
    kw = dict(rate_g_s=500.0, wind_m_s=2.5, stability=stability, height_m=0.0, scheme=scheme)
    d = downwind_distance_m(CL2_AEGL2_G_M3, **kw)
    c = plume_concentration(d, 0.0, 0.0, **kw)
    assert c == pytest.approx(CL2_AEGL2_G_M3, rel=1e-6)
    # beyond it the ground centreline is below the level, just before it above
    assert plume_concentration(d * 1.01, **kw) < CL2_AEGL2_G_M3 < plume_concentration(d * 0.99, **kw)


@pytest.mark.parametrize("stability", STABILITY_CLASSES)
def test_elevated_release_has_near_and_far_edges_at_the_level(stability):
    kw = dict(rate_g_s=2000.0, wind_m_s=3.0, stability=stability, height_m=30.0)
    loc = 0.5 * plume_extent(1e9, **kw).peak_g_m3  # half the ground maximum
    ext = plume_extent(loc, **kw)
    assert X_MIN_M < ext.near_m < ext.peak_x_m < ext.far_m
    for edge in (ext.near_m, ext.far_m):
        assert plume_concentration(edge, **kw) == pytest.approx(loc, rel=1e-6)
    assert not ext.truncated


def test_a_level_above_the_ground_maximum_gives_no_zone():
    kw = dict(rate_g_s=100.0, wind_m_s=5.0, stability="C", height_m=80.0)
    ext = plume_extent(1e9, **kw)
    assert ext.far_m is None and ext.near_m is None
    # the reported maximum is the maximum of the ground centreline
    x = np.geomspace(10, 100_000, 20_000)
    assert ext.peak_g_m3 == pytest.approx(plume_concentration(x, **kw).max(), rel=1e-4)
    assert downwind_distance_m(ext.peak_g_m3 * 1.01, **kw) is None


def test_footprint_edge_lies_on_the_level_and_inside_is_above():
    kw = dict(rate_g_s=800.0, wind_m_s=3.0, stability="D", height_m=0.0, scheme="briggs-rural")
    (zone,) = threat_zones("chlorine", wind_from_deg=0.0, levels=("AEGL-2",), **SRC, **kw)
    ring = np.array(zone.polygon_local_m)
    assert tuple(ring[0]) == tuple(ring[-1])  # closed
    loc = zone.loc_g_m3
    edge = ring[(np.abs(ring[:, 1]) > 1.0) & (ring[:, 0] > 50)]
    c = plume_concentration(edge[:, 0], edge[:, 1], 0.0, **kw)
    np.testing.assert_allclose(c, loc, rtol=1e-9)
    inside = plume_concentration(edge[:, 0], 0.5 * edge[:, 1], 0.0, **kw)
    outside = plume_concentration(edge[:, 0], 1.5 * edge[:, 1], 0.0, **kw)
    assert np.all(inside > loc) and np.all(outside < loc)
    assert zone.distance_m == pytest.approx(ring[:, 0].max(), rel=1e-9)
    assert zone.max_half_width_m == pytest.approx(np.abs(ring[:, 1]).max())
    assert 0 < zone.area_m2 < 2 * zone.distance_m * zone.max_half_width_m


def test_zones_are_coloured_and_nested():
    zones = threat_zones("chlorine", rate_g_s=1000.0, wind_m_s=3.0, wind_from_deg=45.0,
                         stability="D", **SRC)
    assert [(z.level, z.colour) for z in zones] == [("AEGL-3", "red"), ("AEGL-2", "orange"),
                                                    ("AEGL-1", "yellow")]
    d = [z.distance_m for z in zones]
    a = [z.area_m2 for z in zones]
    assert d[0] < d[1] < d[2] and a[0] < a[1] < a[2]
    assert all("NRC" in z.loc_source for z in zones)


@pytest.mark.parametrize("wind_from, lat_sign, lon_sign", [(0.0, -1, 0), (180.0, +1, 0),
                                                           (270.0, 0, +1), (90.0, 0, -1)])
def test_meteorological_wind_direction(wind_from, lat_sign, lon_sign):
    lon, lat = local_to_lonlat(1000.0, 0.0, wind_from_deg=wind_from, **SRC)
    dlat, dlon = lat - SRC["source_lat"], lon - SRC["source_lon"]
    assert np.sign(round(dlat, 9)) == lat_sign
    assert np.sign(round(dlon, 9)) == lon_sign
    assert haversine_m(SRC["source_lon"], SRC["source_lat"], lon, lat) == pytest.approx(1000.0,
                                                                                         rel=1e-3)


def test_crosswind_positive_is_left_of_downwind():
    # wind from the north: the plume goes south; looking south, left is east
    lon, lat = local_to_lonlat(0.0, 500.0, wind_from_deg=0.0, **SRC)
    assert lon > SRC["source_lon"] and lat == pytest.approx(SRC["source_lat"])


def test_lonlat_polygon_keeps_the_distances():
    (zone,) = threat_zones("ammonia", rate_g_s=3000.0, wind_m_s=2.0, wind_from_deg=120.0,
                           stability="E", levels=("AEGL-2",), **SRC)
    local = np.array(zone.polygon_local_m)
    far = int(np.argmax(local[:, 0]))
    lon, lat = zone.polygon_lonlat[far]
    assert haversine_m(SRC["source_lon"], SRC["source_lat"], lon, lat) == pytest.approx(
        zone.distance_m, rel=1e-3)
    # the far tip lies downwind: bearing 300 deg (wind from 120 deg)
    y = math.sin(math.radians(lon - SRC["source_lon"])) * math.cos(math.radians(lat))
    x = (math.cos(math.radians(SRC["source_lat"])) * math.sin(math.radians(lat))
         - math.sin(math.radians(SRC["source_lat"])) * math.cos(math.radians(lat))
         * math.cos(math.radians(lon - SRC["source_lon"])))
    assert math.degrees(math.atan2(y, x)) % 360 == pytest.approx(300.0, abs=0.1)


def test_level_missing_for_the_substance_gives_an_explained_empty_zone():
    zones = threat_zones("carbon monoxide", rate_g_s=5000.0, wind_m_s=2.0, wind_from_deg=0,
                         stability="F", **SRC)
    aegl1 = zones[2]
    assert aegl1.level == "AEGL-1" and aegl1.loc_ppm is None
    assert aegl1.polygon_lonlat == () and "not recommended" in aegl1.note
    assert zones[1].distance_m is not None


def test_other_levels_of_concern():
    zones = threat_zones("hydrogen sulphide", rate_g_s=500.0, wind_m_s=2.0, wind_from_deg=0,
                         stability="D", levels=("IDLH", "ERPG-2"), **SRC)
    assert [z.colour for z in zones] == ["purple", "orange"]
    # H2S IDLH 100 ppm is above ERPG-2 30 ppm: a shorter zone
    assert zones[0].distance_m < zones[1].distance_m


def test_geojson_feature_collection():
    zones = threat_zones("chlorine", rate_g_s=1000.0, wind_m_s=3.0, wind_from_deg=200.0,
                         stability="D", **SRC)
    gj = zones_geojson(zones)
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == 3
    f = gj["features"][0]
    ring = f["geometry"]["coordinates"][0]
    assert f["geometry"]["type"] == "Polygon" and ring[0] == ring[-1]
    assert f["properties"]["colour"] == "red" and f["properties"]["level"] == "AEGL-3"


@pytest.mark.parametrize("bad, field", [
    (dict(rate_g_s=-5.0), "rate_g_s"),
    (dict(wind_m_s=0.0), "wind_m_s"),
    (dict(stability="G"), "stability"),
    (dict(height_m=-1.0), "height_m"),
    (dict(source_lat=95.0), "source_lat"),
])
def test_zone_refusals(bad, field):
    kw = dict(rate_g_s=100.0, wind_m_s=3.0, wind_from_deg=0.0, stability="D", height_m=0.0,
              **SRC)
    with pytest.raises(ScenarioError) as err:
        threat_zones("chlorine", **{**kw, **bad})
    assert any(p.field == field for p in err.value.problems)


def test_unknown_substance_for_zones():
    with pytest.raises(ScenarioError, match="Unknown substance"):
        threat_zones("kryptonite", rate_g_s=1.0, wind_m_s=1.0, wind_from_deg=0, stability="D",
                     **SRC)


def test_substance_object_is_accepted():
    sub = get_substance("phosgene")
    zones = threat_zones(sub, rate_g_s=10.0, wind_m_s=2.0, wind_from_deg=0, stability="F",
                         levels=("AEGL-3",), **SRC)
    assert zones[0].substance == "phosgene" and zones[0].distance_m > 0
