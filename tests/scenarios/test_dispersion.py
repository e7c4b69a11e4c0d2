"""Gaussian plume and puff: published examples, the tabulated coefficients, the formula."""

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from command.cli import main
from command.errors import CommandError
from command.scenarios.dispersion import (
    STABILITY_CLASSES,
    ScenarioError,
    plume_concentration,
    plume_point,
    puff_centre_ground_concentration,
    puff_concentration,
    sigma_briggs,
    sigma_isc3,
    sigmas,
    within_validity,
)

BENCH = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks"

# Briggs (1973) as tabulated in Fundamentals of Air Pollution 3rd ed., Tables 19-6/19-7
# (REFERENCE.md section 7), written out here independently of the module.
BRIGGS = {
    False: {  # open country
        "A": (lambda x: 0.22 * x * (1 + 0.0001 * x) ** -0.5, lambda x: 0.20 * x),
        "B": (lambda x: 0.16 * x * (1 + 0.0001 * x) ** -0.5, lambda x: 0.12 * x),
        "C": (lambda x: 0.11 * x * (1 + 0.0001 * x) ** -0.5, lambda x: 0.08 * x * (1 + 0.0002 * x) ** -0.5),
        "D": (lambda x: 0.08 * x * (1 + 0.0001 * x) ** -0.5, lambda x: 0.06 * x * (1 + 0.0015 * x) ** -0.5),
        "E": (lambda x: 0.06 * x * (1 + 0.0001 * x) ** -0.5, lambda x: 0.03 * x * (1 + 0.0003 * x) ** -1),
        "F": (lambda x: 0.04 * x * (1 + 0.0001 * x) ** -0.5, lambda x: 0.016 * x * (1 + 0.0003 * x) ** -1),
    },
    True: {  # urban
        "A": (lambda x: 0.32 * x * (1 + 0.0004 * x) ** -0.5, lambda x: 0.24 * x * (1 + 0.001 * x) ** 0.5),
        "B": (lambda x: 0.32 * x * (1 + 0.0004 * x) ** -0.5, lambda x: 0.24 * x * (1 + 0.001 * x) ** 0.5),
        "C": (lambda x: 0.22 * x * (1 + 0.0004 * x) ** -0.5, lambda x: 0.20 * x),
        "D": (lambda x: 0.16 * x * (1 + 0.0004 * x) ** -0.5, lambda x: 0.14 * x * (1 + 0.0003 * x) ** -0.5),
        "E": (lambda x: 0.11 * x * (1 + 0.0004 * x) ** -0.5, lambda x: 0.08 * x * (1 + 0.0015 * x) ** -0.5),
        "F": (lambda x: 0.11 * x * (1 + 0.0004 * x) ** -0.5, lambda x: 0.08 * x * (1 + 0.0015 * x) ** -0.5),
    },
}
XS = [100.0, 250.0, 1000.0, 3000.0, 10_000.0]


def reference_plume(q, u, h, x, y, z, sy, sz):
    """The plume with ground reflection, term by term with math (no numpy)."""
    lateral = math.exp(-y * y / (2 * sy * sy))
    vertical = math.exp(-(z - h) ** 2 / (2 * sz * sz)) + math.exp(-(z + h) ** 2 / (2 * sz * sz))
    return q / (2 * math.pi * u * sy * sz) * lateral * vertical


# --- published example ----------------------------------------------------------------

def test_turner_example_1_with_isc3_within_5_percent():
    # Turner, Workbook of Atmospheric Dispersion Estimates (AP-26, 1970), example 1:
    # 3 g/s NOx from a burning dump at ground level, class D, u = 7 m/s, x = 3 km:
    # chi = 1.1e-5 g/m3 (REFERENCE.md section 7).
    c = plume_concentration(3000.0, rate_g_s=3.0, wind_m_s=7.0, stability="D", height_m=0.0,
                            scheme="isc3")
    assert c == pytest.approx(1.1e-5, rel=0.05)
    sy, sz = sigma_isc3(3000.0, "D")
    # the workbook's graphs read 190 m and 65 m; REFERENCE.md's ISC3 check: 184.6 and 65.1
    assert float(sy) == pytest.approx(184.6, abs=0.1)
    assert float(sz) == pytest.approx(65.1, abs=0.1)


def test_turner_example_1_with_briggs_rural_matches_reference_check():
    # REFERENCE.md: Briggs-rural gives sigma_y 210.5, sigma_z 76.8 and chi = 8.4e-6 (24 % lower)
    p = plume_point(3000.0, rate_g_s=3.0, wind_m_s=7.0, stability="D")
    assert p.scheme == "briggs-rural"
    assert p.sigma_y_m == pytest.approx(210.5, abs=0.05)
    assert p.sigma_z_m == pytest.approx(76.8, abs=0.05)
    assert p.concentration_g_m3 == pytest.approx(8.4e-6, rel=0.01)


# --- coefficients ---------------------------------------------------------------------

@pytest.mark.parametrize("urban", [False, True])
@pytest.mark.parametrize("stability", STABILITY_CLASSES)
def test_briggs_coefficients_match_the_tabulated_formulas(stability, urban):
    fy, fz = BRIGGS[urban][stability]
    sy, sz = sigma_briggs(np.array(XS), stability, urban=urban)
    for x, a, b in zip(XS, sy, sz):
        assert a == pytest.approx(fy(x), rel=1e-12)
        assert b == pytest.approx(fz(x), rel=1e-12)


def _parse_briggs_cell(cell: str):
    m = re.match(r"\s*([\d.]+)x(?:\(1\+([\d.]+)x\)\^([+-])(½|1))?", cell)
    a = float(m.group(1))
    if not m.group(2):
        return lambda x: a * x
    b = float(m.group(2))
    e = (0.5 if m.group(4) == "½" else 1.0) * (-1 if m.group(3) == "-" else 1)
    return lambda x: a * x * (1 + b * x) ** e


def test_briggs_coefficients_match_reference_md_table_text():
    """Parse the Briggs table of REFERENCE.md itself and compare at several x."""
    ref = BENCH / "REFERENCE.md"
    if not ref.exists():
        pytest.skip(f"{ref} is absent (shared benchmarks folder not mounted)")
    text = ref.read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        m = re.match(r"\|\s*([A-F])\s*\|(.+)\|\s*$", line)
        if m and "x" in m.group(2):
            cells = [c.strip() for c in m.group(2).split("|")]
            if len(cells) == 4:
                rows[m.group(1)] = cells
    assert set(rows) == set(STABILITY_CLASSES)
    for s in STABILITY_CLASSES:
        for urban, (cy, cz) in ((False, rows[s][0:2]), (True, rows[s][2:4])):
            if cy.startswith("(as"):  # "(as A-B)" / "(as E-F)": the first class of the pair
                first = cy[4]
                cy, cz = rows[first][2], rows[first][3]
            fy, fz = _parse_briggs_cell(cy), _parse_briggs_cell(cz)
            sy, sz = sigma_briggs(np.array(XS), s, urban=urban)
            np.testing.assert_allclose(sy, [fy(x) for x in XS], rtol=1e-12)
            np.testing.assert_allclose(sz, [fz(x) for x in XS], rtol=1e-12)


def test_isc3_class_c_and_d_sigma_z_as_in_reference_md():
    # REFERENCE.md: class C one pair (61.141, 0.91465); class D piecewise.
    x_km = np.array([0.2, 0.5, 2.0, 5.0, 20.0, 50.0])
    _, sz_c = sigma_isc3(x_km * 1000, "C")
    np.testing.assert_allclose(sz_c, 61.141 * x_km**0.91465, rtol=1e-12)
    d_pairs = [(34.459, 0.86974), (32.093, 0.81066), (32.093, 0.64403), (33.504, 0.60486),
               (36.650, 0.56589), (44.053, 0.51179)]
    _, sz_d = sigma_isc3(x_km * 1000, "D")
    expected = [a * x**b for x, (a, b) in zip(x_km, d_pairs)]
    np.testing.assert_allclose(sz_d, expected, rtol=1e-12)


@pytest.mark.parametrize("stability", STABILITY_CLASSES)
def test_isc3_sigma_z_pieces_join_at_every_break(stability):
    """A mistyped coefficient would open a gap where the fitted pieces meet."""
    from command.scenarios.dispersion import _ISC3_SIGMA_Z

    rows = _ISC3_SIGMA_Z[stability]
    for (upper, a, b), (_, a2, b2) in zip(rows, rows[1:]):
        assert a2 * upper**b2 == pytest.approx(a * upper**b, rel=5e-4)
    # and the function follows the table on both sides of each break
    for upper, a, b in rows[:-1]:
        _, below = sigma_isc3(upper * 1000 * (1 - 1e-9), stability)
        assert float(below) == pytest.approx(min(a * upper**b, 5000.0), rel=1e-6)


def test_isc3_sigma_y_formula_and_sigma_z_cap():
    sy, sz = sigma_isc3(np.array([500.0, 20_000.0]), "A")
    x = np.array([0.5, 20.0])
    expected = 465.11628 * x * np.tan(0.017453293 * (24.1670 - 2.5334 * np.log(x)))
    np.testing.assert_allclose(sy, expected, rtol=1e-12)
    assert sz[1] == 5000.0  # ISC3: sigma_z above 5000 m is set to 5000 m


def test_validity_range_is_reported():
    assert within_validity(50.0) is False
    assert within_validity(5000.0) is True
    assert within_validity(20_000.0, scheme="briggs-urban") is False
    assert within_validity(20_000.0, scheme="isc3") is True
    assert plume_point(50.0, rate_g_s=1, wind_m_s=2, stability="D").within_validity is False


# --- the formula ----------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["briggs-rural", "briggs-urban"])
def test_concentration_equals_the_plume_formula_with_reflection(scheme):
    rng = np.random.default_rng(20261129)
    urban = scheme == "briggs-urban"
    for _ in range(200):
        s = STABILITY_CLASSES[rng.integers(6)]
        q, u, h = rng.uniform(0.1, 5000), rng.uniform(0.5, 15), rng.uniform(0, 120)
        x, y, z = rng.uniform(100, 10_000), rng.uniform(-500, 500), rng.uniform(0, 80)
        fy, fz = BRIGGS[urban][s]
        want = reference_plume(q, u, h, x, y, z, fy(x), fz(x))
        got = plume_concentration(x, y, z, rate_g_s=q, wind_m_s=u, stability=s, height_m=h,
                                  scheme=scheme)
        if want > 1e-300:
            assert got == pytest.approx(want, rel=1e-9)


def test_isc3_concentration_equals_the_formula_with_its_sigmas():
    x = np.array([150.0, 800.0, 2500.0, 12_000.0])
    for s in STABILITY_CLASSES:
        sy, sz = sigma_isc3(x, s)
        got = plume_concentration(x, 30.0, 2.0, rate_g_s=50, wind_m_s=4, stability=s,
                                  height_m=25, scheme="isc3")
        want = [reference_plume(50, 4, 25, xi, 30.0, 2.0, a, b) for xi, a, b in zip(x, sy, sz)]
        np.testing.assert_allclose(got, want, rtol=1e-9)


def test_vectorised_over_arrays():
    x = np.linspace(200, 5000, 7)[:, None]
    y = np.linspace(-100, 100, 5)[None, :]
    c = plume_concentration(x, y, 0.0, rate_g_s=10, wind_m_s=3, stability="C")
    assert c.shape == (7, 5)
    assert c[3, 1] == pytest.approx(plume_concentration(float(x[3, 0]), float(y[0, 1]),
                                                        rate_g_s=10, wind_m_s=3, stability="C"))


@pytest.mark.parametrize("scheme", ["briggs-rural", "briggs-urban"])
@pytest.mark.parametrize("stability", STABILITY_CLASSES)
def test_concentration_decreases_downwind_beyond_the_maximum(stability, scheme):
    x = np.geomspace(10, 50_000, 3000)
    c = plume_concentration(x, rate_g_s=100, wind_m_s=4, stability=stability, height_m=40,
                            scheme=scheme)
    i = int(np.argmax(c))
    assert 0 < i < len(x) - 1  # an elevated release has an interior maximum
    assert np.all(np.diff(c[i:]) < 0)
    # a ground-level release decreases from the source on
    g = plume_concentration(x, rate_g_s=100, wind_m_s=4, stability=stability, scheme=scheme)
    assert np.all(np.diff(g) < 0)


def test_symmetric_in_y():
    y = np.array([5.0, 40.0, 250.0])
    for scheme in ("briggs-rural", "briggs-urban", "isc3"):
        left = plume_concentration(1200.0, y, 1.5, rate_g_s=20, wind_m_s=2.5, stability="E",
                                   height_m=10, scheme=scheme)
        right = plume_concentration(1200.0, -y, 1.5, rate_g_s=20, wind_m_s=2.5, stability="E",
                                    height_m=10, scheme=scheme)
        np.testing.assert_array_equal(left, right)
        assert np.all(np.diff(left) < 0)


def test_stability_is_case_insensitive():
    a = plume_concentration(500, rate_g_s=1, wind_m_s=2, stability="d")
    b = plume_concentration(500, rate_g_s=1, wind_m_s=2, stability="D")
    assert a == b


# --- refusals -------------------------------------------------------------------------

GOOD = dict(rate_g_s=10.0, wind_m_s=3.0, stability="D", height_m=5.0)


@pytest.mark.parametrize("change, field, words", [
    ({"rate_g_s": -1.0}, "rate_g_s", "must be positive"),
    ({"rate_g_s": 0.0}, "rate_g_s", "must be positive"),
    ({"wind_m_s": 0.0}, "wind_m_s", "a Gaussian plume needs wind: u > 0"),
    ({"wind_m_s": -2.0}, "wind_m_s", "a Gaussian plume needs wind: u > 0"),
    ({"stability": "G"}, "stability", "no class G"),
    ({"stability": "dd"}, "stability", "A (very unstable) to F"),
    ({"height_m": -3.0}, "height_m", "zero or positive"),
    ({"rate_g_s": float("nan")}, "rate_g_s", "finite"),
])
def test_meaningless_plume_inputs_are_refused(change, field, words):
    with pytest.raises(ScenarioError) as err:
        plume_concentration(1000.0, **{**GOOD, **change})
    assert isinstance(err.value, CommandError)
    assert words in str(err.value)
    assert any(p.field == field for p in err.value.problems)


@pytest.mark.parametrize("x, z, field", [(0.0, 0.0, "x_m"), (-50.0, 0.0, "x_m"),
                                         (np.array([100.0, -1.0]), 0.0, "x_m"),
                                         (100.0, -2.0, "z_m")])
def test_receptors_upwind_or_underground_are_refused(x, z, field):
    with pytest.raises(ScenarioError) as err:
        plume_concentration(x, 0.0, z, **GOOD)
    assert [p.field for p in err.value.problems] == [field]


def test_every_problem_is_reported_at_once():
    with pytest.raises(ScenarioError) as err:
        plume_concentration(-1.0, rate_g_s=-1, wind_m_s=0, stability="G", height_m=-1)
    assert {p.field for p in err.value.problems} == {"x_m", "rate_g_s", "wind_m_s",
                                                     "stability", "height_m"}


def test_unknown_scheme_is_refused():
    with pytest.raises(ScenarioError, match="scheme"):
        sigmas(100.0, "D", scheme="pasquill-1961")


# --- puff -----------------------------------------------------------------------------

@pytest.mark.parametrize("height_m", [0.0, 30.0])
def test_puff_conserves_mass_above_the_ground(height_m):
    """With total ground reflection the integral over z >= 0 is the released mass."""
    mass_kg, u, t = 50.0, 3.0, 400.0
    sy, sz = sigmas(u * t, "D")
    sy, sz = float(sy), float(sz)
    xs = np.linspace(u * t - 6 * sy, u * t + 6 * sy, 81)
    ys = np.linspace(-6 * sy, 6 * sy, 81)
    zs = np.linspace(0.0, height_m + 7 * sz, 81)
    X, Y, Z = np.meshgrid(xs, ys, zs, indexing="ij")
    c = puff_concentration(X, Y, Z, t, mass_kg=mass_kg, wind_m_s=u, stability="D",
                           height_m=height_m)
    total_g = np.trapezoid(np.trapezoid(np.trapezoid(c, zs, axis=2), ys, axis=1), xs)
    assert total_g == pytest.approx(mass_kg * 1000.0, rel=1e-3)


def test_puff_matches_its_formula_at_the_centre():
    m, u, t = 2.0, 2.0, 300.0
    sy, sz = (float(v) for v in sigmas(u * t, "F", scheme="isc3"))
    want = m * 1000 / ((2 * math.pi) ** 1.5 * sy * sy * sz) * 2  # ground, H = 0: image doubles
    got = puff_centre_ground_concentration(u * t, mass_kg=m, wind_m_s=u, stability="F",
                                           scheme="isc3")
    assert got == pytest.approx(want, rel=1e-12)


def test_puff_refusals():
    with pytest.raises(ScenarioError, match="t > 0"):
        puff_concentration(10.0, 0.0, 0.0, 0.0, mass_kg=1, wind_m_s=2, stability="D")
    with pytest.raises(ScenarioError, match="needs wind"):
        puff_centre_ground_concentration(100.0, mass_kg=1, wind_m_s=0, stability="D")
    with pytest.raises(ScenarioError, match="mass"):
        puff_concentration(10.0, 0.0, 0.0, 5.0, mass_kg=-1, wind_m_s=2, stability="D")


# --- command line ---------------------------------------------------------------------

def test_cli_plume_turner_example_json(capsys):
    rc = main(["scenario", "plume", "--rate-g-s", "3", "--wind-m-s", "7", "--stability", "D",
               "--height-m", "0", "--x-m", "3000", "--sigma", "isc3", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["scheme"] == "isc3"
    assert out["concentration_g_m3"] == pytest.approx(1.1e-5, rel=0.05)
    assert out["sigma_y_m"] == pytest.approx(184.6, abs=0.1)
    assert out["sigma_z_m"] == pytest.approx(65.1, abs=0.1)


def test_cli_plume_default_is_briggs_open_country_and_urban_on_request(capsys):
    assert main(["scenario", "plume", "--rate-g-s", "3", "--wind-m-s", "7", "--stability", "D",
                 "--x-m", "3000", "--json"]) == 0
    rural = json.loads(capsys.readouterr().out)
    assert rural["scheme"] == "briggs-rural"
    assert rural["concentration_g_m3"] == pytest.approx(8.44e-6, rel=0.01)
    assert main(["scenario", "plume", "--rate-g-s", "3", "--wind-m-s", "7", "--stability", "D",
                 "--x-m", "3000", "--urban", "--json"]) == 0
    urban = json.loads(capsys.readouterr().out)
    assert urban["scheme"] == "briggs-urban"
    fy, fz = BRIGGS[True]["D"]
    assert urban["sigma_y_m"] == pytest.approx(fy(3000.0), rel=1e-12)
    assert urban["sigma_z_m"] == pytest.approx(fz(3000.0), rel=1e-12)


def test_cli_plume_text_output(capsys):
    assert main(["scenario", "plume", "--rate-g-s", "3", "--wind-m-s", "7", "--stability", "D",
                 "--x-m", "3000", "--y-m", "50", "--z-m", "2"]) == 0
    out = capsys.readouterr().out
    for key in ("concentration_g_m3", "sigma_y_m", "sigma_z_m", "briggs-rural"):
        assert key in out


@pytest.mark.parametrize("argv, words", [
    (["--wind-m-s", "0", "--stability", "D"], "needs wind"),
    (["--wind-m-s", "3", "--stability", "G"], "no class G"),
    (["--wind-m-s", "3", "--stability", "D", "--urban", "--sigma", "isc3"], "open country"),
])
def test_cli_plume_refusals_exit_2_with_the_reason(argv, words, capsys):
    rc = main(["scenario", "plume", "--rate-g-s", "3", "--x-m", "100", *argv])
    assert rc == 2
    assert words in capsys.readouterr().err
