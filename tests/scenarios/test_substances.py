"""Substance table: REFERENCE.md values, units, sources, lookups."""

import pytest

from command.errors import CommandError
from command.scenarios.substances import (
    LEVELS,
    SUBSTANCES,
    ScenarioError,
    get_substance,
    mg_m3_to_ppm,
    ppm_to_mg_m3,
)


def test_chlorine_levels_are_those_of_reference_md():
    # REFERENCE.md section 7 (H marks): IDLH 10 ppm (NIOSH 1994); AEGL-1/2/3 at 60 min
    # 0.50 / 2.0 / 20 ppm (NRC vol. 4); ERPG-1/2 1 / 3 ppm (Chlorine Institute); ERPG-3 20 (M)
    cl2 = get_substance("chlorine")
    expected = {"IDLH": 10.0, "AEGL-1": 0.50, "AEGL-2": 2.0, "AEGL-3": 20.0,
                "ERPG-1": 1.0, "ERPG-2": 3.0, "ERPG-3": 20.0}
    for level, ppm in expected.items():
        assert cl2.level(level).ppm == ppm
    for level in ("IDLH", "AEGL-2", "AEGL-3", "ERPG-2"):
        assert cl2.level(level).confidence == "H"
    assert cl2.level("ERPG-3").confidence == "M"


def test_ppm_to_mg_m3_at_25_c():
    # REFERENCE.md: Cl2 M = 70.90, 1 ppm = 2.90 mg/m3; NH3 M = 17.03, 1 ppm = 0.697 mg/m3
    cl2, nh3 = get_substance("Cl2"), get_substance("NH3")
    assert cl2.molar_mass_g_mol == pytest.approx(70.90, abs=0.01)
    assert nh3.molar_mass_g_mol == pytest.approx(17.03, abs=0.01)
    assert ppm_to_mg_m3(1.0, cl2.molar_mass_g_mol) == pytest.approx(2.90, abs=0.005)
    assert ppm_to_mg_m3(1.0, nh3.molar_mass_g_mol) == pytest.approx(0.697, abs=0.0005)
    assert cl2.level("AEGL-2").mg_m3 == pytest.approx(2.0 * 70.90 / 24.45, rel=1e-3)
    assert cl2.level("AEGL-2").g_m3 == pytest.approx(cl2.level("AEGL-2").mg_m3 / 1000)
    assert mg_m3_to_ppm(ppm_to_mg_m3(37.0, 64.06), 64.06) == pytest.approx(37.0, rel=1e-12)


def test_ammonia_idlh_is_300_ppm():
    assert get_substance("ammonia").level("IDLH").ppm == 300.0  # NIOSH 1994 (H)


def test_the_issue_substances_are_all_there():
    for name in ("chlorine", "ammonia", "carbon monoxide", "hydrogen sulphide",
                 "sulphur dioxide", "hydrogen chloride", "hydrogen fluoride",
                 "nitrogen dioxide", "phosgene"):
        s = get_substance(name)
        assert s.level("IDLH") is not None
        assert s.level("AEGL-3") is not None or s.why_missing("AEGL-3")


@pytest.mark.parametrize("key", sorted(SUBSTANCES))
def test_every_value_has_a_source_and_a_confidence_and_levels_rise(key):
    s = SUBSTANCES[key]
    for t in s.thresholds:
        assert t.level in LEVELS
        assert t.source and t.confidence in ("H", "M")
        assert t.ppm > 0
        assert t.mg_m3 == pytest.approx(ppm_to_mg_m3(t.ppm, s.molar_mass_g_mol), rel=1e-6)
    for family in ("AEGL", "ERPG"):
        vals = [s.level(f"{family}-{i}") for i in (1, 2, 3)]
        ppms = [v.ppm for v in vals if v is not None]
        assert ppms == sorted(ppms)
        for i, v in zip((1, 2, 3), vals):  # a gap is explained, never silent
            if v is None:
                assert s.why_missing(f"{family}-{i}")


def test_missing_values_are_none_with_a_reason():
    co = get_substance("CO")
    assert co.level("AEGL-1") is None
    assert "not recommended" in co.why_missing("AEGL-1")
    assert get_substance("SO2").level("AEGL-3") is None  # not confirmed: left empty


@pytest.mark.parametrize("name", ["chlorine", "Chlorine", "CL2", "7782-50-5", "氯气",
                                  "hydrogen sulfide", "H2S", "sulfur dioxide", "一氧化碳"])
def test_lookup_by_name_formula_cas_or_chinese(name):
    assert get_substance(name).key in SUBSTANCES


def test_unknown_substance_is_refused_with_the_known_ones():
    with pytest.raises(ScenarioError) as err:
        get_substance("unobtainium")
    assert isinstance(err.value, CommandError)
    assert "chlorine" in str(err.value)


def test_unknown_level_is_refused():
    with pytest.raises(ScenarioError, match="AEGL-1"):
        get_substance("chlorine").level("TEEL-9")
