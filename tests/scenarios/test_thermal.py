"""Thermal radiation: a published BLEVE example, NUREG-1805 heat release, the distances."""

import json
import math

import numpy as np
import pytest

from command.cli import main
from command.scenarios.thermal import (
    POOL_FUELS,
    THRESHOLDS_KW_M2,
    ScenarioError,
    atmospheric_transmissivity,
    bleve_distances,
    bleve_flux_kw_m2,
    fireball,
    jet_fire_distances,
    jet_fire_flux_kw_m2,
    point_source_flux_kw_m2,
    pool_fire_distances,
    pool_fire_flux_kw_m2,
    pool_fire_heat_release_kw,
)

FT2_M2 = 0.09290304


def test_bleve_propane_tank_truck_example_within_5_percent():
    """Worked BLEVE example with the CCPS (1994) fireball correlations.

    "A liquefied propane tank truck whose volume is 22.7 m3 is involved in a traffic
    accident, and the tank truck is engulfed by fire from burning gasoline. The tank is
    90 % filled with propane. Assume that all of the propane will contribute to the
    fireball." Density 585.3 kg/m3, target at X = 100 m, surface emissive power 350 kW/m2
    (the CCPS suggestion for large hydrocarbon fireballs), view factor of a sphere resting
    on the ground to a vertical target, Fv = X (D/2)^2 / (X^2 + (D/2)^2)^(3/2).
    Published answers: m_f = 11957.7 kg, D_c = 132.6 m, t_c = 10.3 s, Fv = 0.255,
    q = 89.1 kW/m2 - worksheet "BLEVE Fireball Diameter, Duration and Radiation
    Estimation", A. Srivastava (Scribd document 529343808). The problem statement is the
    classic CCPS sample problem; its original page was not available to check.
    """
    mass = 22.7 * 585.3 * 0.90
    assert mass == pytest.approx(11957.7, rel=0.05)
    fb = fireball(mass)
    assert fb.diameter_m == pytest.approx(132.6, rel=0.05)
    assert fb.duration_s == pytest.approx(10.3, rel=0.05)
    radius = fb.diameter_m / 2
    q = bleve_flux_kw_m2(100.0, mass_kg=mass, surface_emissive_power_kw_m2=350.0,
                         centre_height_m=radius, target="vertical")
    assert q / 350.0 == pytest.approx(0.255, rel=0.05)  # the view factor
    assert q == pytest.approx(89.1, rel=0.05)
    # in fact all five figures agree to better than 0.1 %
    for got, want in ((mass, 11957.7), (fb.diameter_m, 132.6), (fb.duration_s, 10.3),
                      (q, 89.1)):
        assert got == pytest.approx(want, rel=1e-3)


@pytest.mark.parametrize("area_ft2, m2, dhc, kbeta, published_kw", [
    (2545.0, 0.045, 44_400, 2.1, 472_403.60),  # diesel row of NUREG-1805 Table 3-2
    (9.0, 0.033, 28_000, 2.6, 719.75),
])
def test_pool_heat_release_matches_nureg_1805_spreadsheet(area_ft2, m2, dhc, kbeta, published_kw):
    """Heat release rates printed by the NRC Fire Dynamics Tools (NUREG-1805, 2004),
    chapter 5 spreadsheet "Heat Flux Calculations, Wind Free, Point Source Radiation
    Model" (two published copies of the worksheet, inputs and HRR as shown)."""
    area = area_ft2 * FT2_M2
    diameter = math.sqrt(4 * area / math.pi)
    q = pool_fire_heat_release_kw(diameter, burning_rate_kg_m2_s=m2,
                                  heat_of_combustion_kj_kg=dhc, k_beta_per_m=kbeta)
    assert q == pytest.approx(published_kw, rel=1e-4)


def test_point_source_formula():
    q = point_source_flux_kw_m2(30.0, power_kw=50_000.0, radiated_fraction=0.3,
                                transmissivity=0.8, source_height_m=40.0)
    assert q == pytest.approx(0.8 * 0.3 * 50_000 / (4 * math.pi * (30.0**2 + 40.0**2)), rel=1e-12)


def test_bleve_radiated_fraction_form_is_the_point_source_model_for_a_facing_target():
    m, dhc, eta = 20_000.0, 46_350.0, 0.3
    fb = fireball(m)
    x = np.array([150.0, 400.0, 900.0])
    q = bleve_flux_kw_m2(x, mass_kg=m, heat_of_combustion_kj_kg=dhc, radiated_fraction=eta)
    r2 = x**2 + fb.centre_height_m**2
    np.testing.assert_allclose(q, eta * m * dhc / (4 * math.pi * r2 * fb.duration_s), rtol=1e-12)


def test_fireball_duration_law_changes_at_30_tonnes():
    small, big = fireball(29_999.0), fireball(30_000.0)
    assert small.duration_s == pytest.approx(0.45 * 29_999 ** (1 / 3))
    assert big.duration_s == pytest.approx(2.6 * 30_000 ** (1 / 6))
    assert big.duration_s == pytest.approx(small.duration_s, rel=0.04)
    assert big.centre_height_m == pytest.approx(0.75 * big.diameter_m)


def _check_distances(res, flux):
    d = [res.distances_m[t] for t in THRESHOLDS_KW_M2]  # 37.5, 12.5, 4
    assert d[0] < d[1] < d[2]
    for t, dist in zip(THRESHOLDS_KW_M2, d):
        assert flux(dist) == pytest.approx(t, rel=1e-6)
        assert flux(dist * 1.001) < t


def test_pool_fire_distances_hit_the_thresholds():
    fuel = POOL_FUELS["diesel"]
    kw = dict(diameter_m=15.0, burning_rate_kg_m2_s=fuel.burning_rate_kg_m2_s,
              heat_of_combustion_kj_kg=fuel.heat_of_combustion_kj_kg,
              k_beta_per_m=fuel.k_beta_per_m, radiated_fraction=0.3)
    res = pool_fire_distances(**kw)
    _check_distances(res, lambda x: pool_fire_flux_kw_m2(x, **kw))
    # with tau = 1 and the point on the ground the answer is closed-form
    p = res.details["heat_release_kw"]
    for t in THRESHOLDS_KW_M2:
        assert res.distances_m[t] == pytest.approx(math.sqrt(0.3 * p / (4 * math.pi * t)), rel=1e-9)


def test_jet_fire_distances_with_humid_air():
    kw = dict(release_rate_kg_s=8.0, heat_of_combustion_kj_kg=46_350.0, radiated_fraction=0.2,
              source_height_m=5.0, relative_humidity=0.7, temperature_c=30.0)
    res = jet_fire_distances(**kw)
    _check_distances(res, lambda x: jet_fire_flux_kw_m2(x, **kw))
    dry = jet_fire_distances(release_rate_kg_s=8.0, heat_of_combustion_kj_kg=46_350.0,
                             radiated_fraction=0.2, source_height_m=5.0)
    assert all(res.distances_m[t] < dry.distances_m[t] for t in THRESHOLDS_KW_M2)


@pytest.mark.parametrize("target", ["facing", "vertical"])
def test_bleve_distances_hit_the_thresholds(target):
    kw = dict(mass_kg=11_957.7, surface_emissive_power_kw_m2=350.0, target=target)
    res = bleve_distances(**kw)
    _check_distances(res, lambda x: bleve_flux_kw_m2(x, **kw))
    assert res.details["diameter_m"] == pytest.approx(132.6, rel=1e-3)


def test_a_flux_never_reached_is_none():
    res = bleve_distances(mass_kg=100.0, surface_emissive_power_kw_m2=30.0)
    assert res.distances_m[37.5] is None and res.distances_m[4.0] > 0


def test_transmissivity_is_a_fraction_that_falls_with_distance():
    tau = atmospheric_transmissivity(np.array([10.0, 100.0, 1000.0]), relative_humidity=0.5)
    assert np.all((tau > 0) & (tau <= 1)) and np.all(np.diff(tau) < 0)
    # CCPS: 2.02 (P_w X)^-0.09; 50 % RH at 25 degC gives P_w about 1560 Pa
    p_w = 0.5 * math.exp(23.18986 - 3816.42 / (298.15 - 46.13))
    assert tau[1] == pytest.approx(2.02 * (p_w * 100.0) ** -0.09)


@pytest.mark.parametrize("call, words", [
    (lambda: fireball(-5.0), "mass_kg"),
    (lambda: pool_fire_heat_release_kw(0.0, burning_rate_kg_m2_s=0.05,
                                       heat_of_combustion_kj_kg=4e4), "diameter_m"),
    (lambda: point_source_flux_kw_m2(10.0, power_kw=1e3, radiated_fraction=1.5), "fraction"),
    (lambda: bleve_flux_kw_m2(10.0, mass_kg=1e3), "surface_emissive_power"),
    (lambda: bleve_flux_kw_m2(10.0, mass_kg=1e3, surface_emissive_power_kw_m2=300,
                              target="sideways"), "facing"),
    (lambda: jet_fire_distances(release_rate_kg_s=-1.0, heat_of_combustion_kj_kg=4e4,
                                radiated_fraction=0.2), "release_rate_kg_s"),
])
def test_meaningless_thermal_inputs_are_refused(call, words):
    with pytest.raises(ScenarioError) as err:
        call()
    assert words in str(err.value)


def test_cli_thermal_bleve_json(capsys):
    rc = main(["scenario", "thermal", "--model", "bleve", "--mass-kg", "11957.7",
               "--sep-kw-m2", "350", "--target", "vertical", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    rows = {r["flux_kw_m2"]: r["distance_m"] for r in out["distances_m"]}
    assert set(rows) == {37.5, 12.5, 4.0}
    assert rows[37.5] < rows[12.5] < rows[4.0]
    direct = bleve_distances(mass_kg=11957.7, surface_emissive_power_kw_m2=350.0,
                             target="vertical")
    assert rows[4.0] == pytest.approx(direct.distances_m[4.0])


def test_cli_thermal_pool_with_a_named_fuel(capsys):
    assert main(["scenario", "thermal", "--model", "pool", "--fuel", "diesel",
                 "--diameter-m", "17.35", "--radiated-fraction", "0.3"]) == 0
    out = capsys.readouterr().out
    assert "4.0 kW/m2" in out and "heat_release_kw" in out


def test_cli_thermal_missing_inputs_exit_2(capsys):
    assert main(["scenario", "thermal", "--model", "jet", "--release-rate-kg-s", "5"]) == 2
    err = capsys.readouterr().err
    assert "--heat-of-combustion-kj-kg" in err and "--radiated-fraction" in err
