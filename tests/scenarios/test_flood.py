"""Flood inundation on tiny hand-made grids whose answer can be checked by eye."""

import numpy as np
import pytest

from command.errors import DataError
from command.scenarios._errors import ScenarioError
from command.scenarios.flood import (
    ElevationGrid,
    flood_geojson,
    inundation,
    read_ascii_grid,
    write_ascii_grid,
)

# 5 x 5, rows north to south. A ridge of 5 m splits a west basin from an east one; the
# east basin touches the west only at a corner (diagonal), which must not pass water.
Z = np.array([
    [1.0, 1.0, 5.0, 1.0, 1.0],
    [1.0, 0.5, 5.0, 1.0, 1.0],
    [1.0, 1.0, 5.0, 5.0, 5.0],
    [5.0, 5.0, 1.0, 0.2, 5.0],
    [np.nan, 1.0, 5.0, 5.0, 5.0],
])
GRID = ElevationGrid(west=114.0, south=30.0, cell_deg=0.01, elevation_m=Z)


def centre(row, col):
    return 30.05 - (row + 0.5) * 0.01, 114.0 + (col + 0.5) * 0.01


def test_only_cells_below_the_level_joined_to_the_breach_flood():
    lat, lon = centre(0, 0)
    f = inundation(GRID, level_m=2.0, breach_lat=lat, breach_lon=lon)
    expected = np.array([
        [1, 1, 0, 0, 0],
        [1, 1, 0, 0, 0],
        [1, 1, 0, 0, 0],
        [0, 0, 0, 0, 0],   # (3,2) and (3,3) are low but behind the ridge
        [0, 0, 0, 0, 0],   # (4,1) touches (3,2)? no: (4,1) is low but (3,1) is 5 m
    ], dtype=bool)
    assert (f.flooded == expected).all()
    assert f.depth_m[1, 1] == pytest.approx(1.5)
    assert f.depth_m[0, 0] == pytest.approx(1.0)
    assert f.depth_m[3, 3] == 0.0
    assert f.cells == 6
    assert f.volume_m3 == pytest.approx((5 * 1.0 + 1.5) * GRID.cell_area_m2())


def test_a_diagonal_touch_does_not_pass_water_and_nodata_never_floods():
    lat, lon = centre(3, 3)
    f = inundation(GRID, level_m=2.0, breach_lat=lat, breach_lon=lon)
    assert set(zip(*np.nonzero(f.flooded))) == {(3, 2), (3, 3)}
    assert f.max_depth_m == pytest.approx(1.8)
    # a level over the ridge joins everything except the no-data cell
    g = inundation(GRID, level_m=6.0, breach_lat=lat, breach_lon=lon)
    assert g.cells == 24 and not g.flooded[4, 0]


def test_a_breach_on_high_ground_floods_nothing_and_one_off_the_grid_is_refused():
    lat, lon = centre(0, 2)
    assert inundation(GRID, level_m=2.0, breach_lat=lat, breach_lon=lon).cells == 0
    with pytest.raises(ScenarioError) as e:
        inundation(GRID, level_m=2.0, breach_lat=31.0, breach_lon=114.0)
    assert "breach" in str(e.value)


def test_depth_bands_are_nested_polygons_of_the_flooded_cells(tmp_path):
    lat, lon = centre(0, 0)
    f = inundation(GRID, level_m=2.0, breach_lat=lat, breach_lon=lon)
    fc = flood_geojson(f, bands_m=(("orange", 1.2), ("yellow", 0.0)))
    grades = [feat["properties"]["grade"] for feat in fc["features"]]
    assert grades == ["orange", "yellow"]
    area = GRID.cell_area_m2()
    assert fc["features"][0]["properties"]["area_m2"] == pytest.approx(area)  # only (1,1)
    assert fc["features"][1]["properties"]["area_m2"] == pytest.approx(6 * area)
    ring = fc["features"][0]["geometry"]["coordinates"][0]
    assert {tuple(map(lambda v: round(v, 6), p)) for p in ring} == {
        (114.01, 30.03), (114.02, 30.03), (114.02, 30.04), (114.01, 30.04)}


def test_the_ascii_grid_round_trips_and_bad_files_name_the_line(tmp_path):
    path = write_ascii_grid(tmp_path / "g.asc", GRID)
    back = read_ascii_grid(path)
    assert np.array_equal(np.isnan(back.elevation_m), np.isnan(Z))
    assert np.allclose(np.nan_to_num(back.elevation_m), np.nan_to_num(Z))
    assert (back.west, back.south, back.cell_deg) == (114.0, 30.0, 0.01)
    bad = tmp_path / "bad.asc"
    bad.write_text(path.read_text().replace("0.50", "x"), encoding="utf-8")
    with pytest.raises(DataError) as e:
        read_ascii_grid(bad)
    assert e.value.problems[0].row == 8 and str(bad) in str(e.value)
