"""Toxic substances and their levels of concern, each value with its source.

For every substance: molar mass, AEGL-1/2/3 for 60 min exposure, ERPG-1/2/3 (1 h by
definition) and NIOSH IDLH, in ppm and mg/m3 (at 25 degC and 1 atm, where one mole of gas
fills 24.45 L). Each value carries the source it was taken from and a confidence mark in
the sense of ../shared/benchmarks/REFERENCE.md:

- ``H``: a primary or authoritative source seen (the NRC AEGL volume or NIOSH IDLH page
  text, or REFERENCE.md's H entries), or two independent sources that agree;
- ``M``: one secondary source, or the well-known value as remembered; worth one more
  look against the EPA AEGL table, the AIHA ERPG handbook or the NIOSH IDLH page before
  it is relied on in court;
- a value that could not be found is ``None`` (with a note), never guessed. "NR" in the
  AEGL tables (not recommended, insufficient data) is also ``None``.

Molar masses are computed from IUPAC standard atomic weights (H 1.008, C 12.011,
N 14.007, O 15.999, F 18.998, S 32.06, Cl 35.45).

Must not: compute dispersion (that is ``dispersion``) or choose zone colours (``zones``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from command.errors import Problem
from command.scenarios._errors import ScenarioError

__all__ = [
    "MOLAR_VOLUME_L_25C",
    "Threshold",
    "Substance",
    "SUBSTANCES",
    "LEVELS",
    "get_substance",
    "ppm_to_mg_m3",
    "mg_m3_to_ppm",
]

MOLAR_VOLUME_L_25C = 24.45  # L/mol of an ideal gas at 25 degC and 101.325 kPa

LEVELS = ("AEGL-1", "AEGL-2", "AEGL-3", "ERPG-1", "ERPG-2", "ERPG-3", "IDLH")


def ppm_to_mg_m3(ppm: float, molar_mass_g_mol: float) -> float:
    """mg/m3 = ppm x M / 24.45 (25 degC, 1 atm)."""
    return ppm * molar_mass_g_mol / MOLAR_VOLUME_L_25C


def mg_m3_to_ppm(mg_m3: float, molar_mass_g_mol: float) -> float:
    """ppm = mg/m3 x 24.45 / M (25 degC, 1 atm)."""
    return mg_m3 * MOLAR_VOLUME_L_25C / molar_mass_g_mol


@dataclass(frozen=True)
class Threshold:
    """One level of concern: the value in ppm and mg/m3, where it comes from, how sure."""

    level: str
    ppm: float
    mg_m3: float
    source: str
    confidence: str  # "H" or "M" (see module docstring)
    note: str = ""

    @property
    def g_m3(self) -> float:
        return self.mg_m3 / 1000.0


@dataclass(frozen=True)
class Substance:
    """A toxic gas with its levels of concern (``None`` where none is published or found)."""

    key: str
    name: str
    name_zh: str
    formula: str
    cas: str
    molar_mass_g_mol: float
    thresholds: tuple[Threshold, ...]
    missing: tuple[tuple[str, str], ...] = ()  # (level, why there is no value)
    aliases: tuple[str, ...] = field(default=())

    def level(self, level: str) -> Threshold | None:
        """The threshold for ``level`` ("AEGL-2", "ERPG-3", "IDLH" ...) or None."""
        want = level.strip().upper()
        for t in self.thresholds:
            if t.level == want:
                return t
        if want not in LEVELS:
            raise ScenarioError("Unknown level of concern.", [Problem(
                rule=f"use one of {', '.join(LEVELS)}", field="level", value=level)])
        return None

    def why_missing(self, level: str) -> str | None:
        for lv, why in self.missing:
            if lv == level.strip().upper():
                return why
        return None


def _molar_mass(**atoms: int) -> float:
    weights = {"H": 1.008, "C": 12.011, "N": 14.007, "O": 15.999, "F": 18.998,
               "S": 32.06, "Cl": 35.45}
    return round(sum(weights[a] * n for a, n in atoms.items()), 3)


_AEGL_NOTE = "60-min value"


def _substance(key, name, name_zh, formula, cas, molar_mass, values, missing=(), aliases=()):
    thresholds = tuple(
        Threshold(level=lv, ppm=float(ppm), mg_m3=ppm_to_mg_m3(ppm, molar_mass),
                  source=src, confidence=conf, note=note)
        for lv, ppm, src, conf, note in values)
    return Substance(key=key, name=name, name_zh=name_zh, formula=formula, cas=cas,
                     molar_mass_g_mol=molar_mass, thresholds=thresholds,
                     missing=tuple(missing), aliases=tuple(aliases))


# Sources, in the words used below:
#   REF7            ../shared/benchmarks/REFERENCE.md section 7 (with its own H/M marks)
#   NRC AEGL vol. n National Research Council, Acute Exposure Guideline Levels for
#                   Selected Airborne Chemicals, volume n (National Academies Press)
#   NIOSH IDLH 1994 NIOSH, Documentation for IDLH Concentrations (May 1994), revised value
#   AIHA ERPG       AIHA Emergency Response Planning Guidelines handbook
#   NO2017          Nitric Oxide 71:1-13 (2017), Table 3 (H2S limits, citing NRC, AIHA, NIOSH)
_M_NOTE = "as remembered; one more look before relying on it"

SUBSTANCES: dict[str, Substance] = {s.key: s for s in (
    _substance(
        "chlorine", "Chlorine", "氯气", "Cl2", "7782-50-5", _molar_mass(Cl=2),
        [("AEGL-1", 0.50, "NRC AEGL vol. 4 (via REF7)", "H", _AEGL_NOTE),
         ("AEGL-2", 2.0, "NRC AEGL vol. 4 (via REF7)", "H", _AEGL_NOTE),
         ("AEGL-3", 20.0, "NRC AEGL vol. 4 (via REF7)", "H", _AEGL_NOTE),
         ("ERPG-1", 1.0, "AIHA ERPG (Chlorine Institute, via REF7)", "H", ""),
         ("ERPG-2", 3.0, "AIHA ERPG (Chlorine Institute, via REF7)", "H", ""),
         ("ERPG-3", 20.0, "AIHA ERPG (via REF7)", "M", "REF7 marks it M"),
         ("IDLH", 10.0, "NIOSH IDLH 1994 (CDC IDLH page, via REF7)", "H", "")],
        aliases=("cl2", "氯", "氯气")),
    _substance(
        "ammonia", "Ammonia", "氨", "NH3", "7664-41-7", _molar_mass(N=1, H=3),
        [("AEGL-1", 30.0, "NRC AEGL vol. 6 (via REF7)", "M", _AEGL_NOTE + "; REF7 marks it M"),
         ("AEGL-2", 160.0, "NRC AEGL vol. 6 (via REF7)", "M", _AEGL_NOTE + "; REF7 marks it M"),
         ("AEGL-3", 1100.0, "NRC AEGL vol. 6 (via REF7)", "M", _AEGL_NOTE + "; REF7 marks it M"),
         ("ERPG-1", 25.0, "AIHA ERPG, current edition (via REF7)", "M",
          "1988 edition 25 / 200 / 1000 ppm per the NIOSH IDLH documentation"),
         ("ERPG-2", 150.0, "AIHA ERPG, current edition (via REF7)", "M", "1988 edition: 200 ppm"),
         ("ERPG-3", 750.0, "AIHA ERPG, current edition (via REF7)", "M", "1988 edition: 1000 ppm"),
         ("IDLH", 300.0, "NIOSH IDLH 1994 (CDC IDLH page, via REF7)", "H", "")],
        aliases=("nh3", "液氨", "氨气")),
    _substance(
        "carbon_monoxide", "Carbon monoxide", "一氧化碳", "CO", "630-08-0", _molar_mass(C=1, O=1),
        [("AEGL-2", 83.0, "NRC AEGL vol. 8 (2010)", "M", _AEGL_NOTE + "; " + _M_NOTE),
         ("AEGL-3", 330.0, "NRC AEGL vol. 8 (2010)", "M", _AEGL_NOTE + "; " + _M_NOTE),
         ("ERPG-1", 200.0, "AIHA ERPG", "M", _M_NOTE),
         ("ERPG-2", 350.0, "AIHA ERPG", "M", _M_NOTE),
         ("ERPG-3", 500.0, "AIHA ERPG", "M", _M_NOTE),
         ("IDLH", 1200.0, "NIOSH IDLH 1994 (revised from 1500 ppm)", "H",
          "CDC IDLH page and a second transcription agree")],
        missing=(("AEGL-1", "not recommended (NR) in NRC AEGL vol. 8: CO has no warning "
                            "properties at that level"),),
        aliases=("co", "高炉煤气", "煤气")),
    _substance(
        "hydrogen_sulphide", "Hydrogen sulphide", "硫化氢", "H2S", "7783-06-4", _molar_mass(H=2, S=1),
        [("AEGL-1", 0.51, "NRC AEGL vol. 9 (2010), via NO2017 Table 3", "M", _AEGL_NOTE),
         ("AEGL-2", 27.0, "NRC AEGL vol. 9 (2010), via NO2017 Table 3", "M", _AEGL_NOTE),
         ("AEGL-3", 50.0, "NRC AEGL vol. 9 (2010), via NO2017 Table 3", "M", _AEGL_NOTE),
         ("ERPG-1", 0.1, "AIHA ERPG, via NO2017 Table 3", "M", ""),
         ("ERPG-2", 30.0, "AIHA ERPG, via NO2017 Table 3", "M", ""),
         ("ERPG-3", 100.0, "AIHA ERPG, via NO2017 Table 3", "M", ""),
         ("IDLH", 100.0, "NIOSH IDLH 1994, via NO2017 Table 3", "M", "")],
        aliases=("h2s", "hydrogen sulfide")),
    _substance(
        "sulphur_dioxide", "Sulphur dioxide", "二氧化硫", "SO2", "7446-09-5", _molar_mass(S=1, O=2),
        [("AEGL-1", 0.20, "NRC AEGL vol. 8 (2010), ch. 9 summary table", "H",
          "0.20 ppm at every duration"),
         ("AEGL-2", 0.75, "NRC AEGL vol. 8 (2010), ch. 9 summary", "H",
          "0.75 ppm for 10 min to 8 h (exercising asthmatics)"),
         ("ERPG-1", 0.3, "AIHA ERPG (edition of the 2000s)", "M",
          _M_NOTE + "; AIHA may have revised it since"),
         ("ERPG-2", 3.0, "AIHA ERPG (edition of the 2000s)", "M",
          _M_NOTE + "; AIHA may have revised it since"),
         ("ERPG-3", 15.0, "AIHA ERPG (edition of the 2000s)", "M",
          _M_NOTE + "; AIHA may have revised it since"),
         ("IDLH", 100.0, "NIOSH IDLH 1994", "M",
          "the CDC page shows the original 100 ppm; the revised value (also 100 ppm) as remembered")],
        missing=(("AEGL-3", "60-min AEGL-3 not confirmed here (recollections differ between "
                            "27 and 30 ppm); look it up in NRC AEGL vol. 8 before use"),),
        aliases=("so2", "sulfur dioxide")),
    _substance(
        "hydrogen_chloride", "Hydrogen chloride", "氯化氢", "HCl", "7647-01-0", _molar_mass(H=1, Cl=1),
        [("AEGL-1", 1.8, "NRC AEGL vol. 4 (2004)", "H", "1.8 ppm at every duration (NRC text)"),
         ("AEGL-2", 22.0, "NRC AEGL vol. 4 (2004)", "H",
          "from the NRC text: 1300 ppm x 30 min / 30, scaled with C^1 x t = k to 1 h"),
         ("AEGL-3", 100.0, "NRC AEGL vol. 4 (2004)", "M", _AEGL_NOTE + "; " + _M_NOTE),
         ("ERPG-1", 3.0, "AIHA ERPG", "M", _M_NOTE),
         ("ERPG-2", 20.0, "AIHA ERPG", "M", _M_NOTE),
         ("ERPG-3", 150.0, "AIHA ERPG", "M", _M_NOTE),
         ("IDLH", 50.0, "NIOSH IDLH 1994", "M", _M_NOTE)],
        aliases=("hcl", "盐酸")),
    _substance(
        "hydrogen_fluoride", "Hydrogen fluoride", "氟化氢", "HF", "7664-39-3", _molar_mass(H=1, F=1),
        [("AEGL-1", 1.0, "NRC AEGL vol. 4 (2004)", "H", "1 ppm for up to 8 h (NRC text)"),
         ("AEGL-2", 24.0, "NRC AEGL vol. 4 (2004)", "M", _AEGL_NOTE + "; " + _M_NOTE),
         ("AEGL-3", 44.0, "NRC AEGL vol. 4 (2004)", "M", _AEGL_NOTE + "; " + _M_NOTE),
         ("ERPG-1", 2.0, "AIHA ERPG", "M", _M_NOTE),
         ("ERPG-2", 20.0, "AIHA ERPG (cited in PMC6290397 Table 3)", "M", ""),
         ("ERPG-3", 50.0, "AIHA ERPG", "M", _M_NOTE),
         ("IDLH", 30.0, "NIOSH IDLH 1994", "H", "CDC IDLH page and OSHA sampling page agree")],
        aliases=("hf", "氢氟酸")),
    _substance(
        "nitrogen_dioxide", "Nitrogen dioxide", "二氧化氮", "NO2", "10102-44-0", _molar_mass(N=1, O=2),
        [("AEGL-1", 0.50, "NRC final AEGL (volume not checked)", "M", _AEGL_NOTE + "; " + _M_NOTE),
         ("AEGL-2", 12.0, "NRC final AEGL (volume not checked)", "M", _AEGL_NOTE + "; " + _M_NOTE),
         ("AEGL-3", 20.0, "NRC final AEGL (volume not checked)", "M", _AEGL_NOTE + "; " + _M_NOTE),
         ("ERPG-1", 1.0, "AIHA ERPG", "M", _M_NOTE),
         ("ERPG-2", 15.0, "AIHA ERPG", "M", _M_NOTE),
         ("ERPG-3", 30.0, "AIHA ERPG", "M", _M_NOTE),
         ("IDLH", 13.0, "NIOSH IDLH value profile 2017 (DHHS (NIOSH) 2017-202)", "H",
          "replaces the 1994 value of 20 ppm (CDC IDLH page); both seen")],
        aliases=("no2",)),
    _substance(
        "phosgene", "Phosgene", "光气", "COCl2", "75-44-5", _molar_mass(C=1, O=1, Cl=2),
        [("AEGL-2", 0.30, "NRC final AEGL (volume not checked)", "M", _AEGL_NOTE + "; " + _M_NOTE),
         ("AEGL-3", 0.75, "NRC final AEGL (volume not checked)", "M", _AEGL_NOTE + "; " + _M_NOTE),
         ("ERPG-2", 0.5, "AIHA ERPG", "M", _M_NOTE),
         ("ERPG-3", 1.5, "AIHA ERPG", "M", _M_NOTE),
         ("IDLH", 2.0, "NIOSH IDLH 1994", "H", "CDC IDLH page")],
        missing=(("AEGL-1", "not recommended (NR): no sensory warning before effects"),
                 ("ERPG-1", "not established by AIHA")),
        aliases=("cocl2", "carbonyl chloride")),
    _substance(
        "hydrogen_cyanide", "Hydrogen cyanide", "氰化氢", "HCN", "74-90-8", _molar_mass(H=1, C=1, N=1),
        [("AEGL-1", 2.0, "NRC AEGL (2002), as quoted in an NRC 2008 report", "H",
          _AEGL_NOTE),
         ("AEGL-2", 7.1, "NRC final AEGL (volume not checked)", "M", _AEGL_NOTE + "; " + _M_NOTE),
         ("AEGL-3", 15.0, "NRC final AEGL (volume not checked)", "M", _AEGL_NOTE + "; " + _M_NOTE),
         ("ERPG-2", 10.0, "AIHA ERPG", "M", _M_NOTE),
         ("ERPG-3", 25.0, "AIHA ERPG", "M", _M_NOTE),
         ("IDLH", 50.0, "NIOSH IDLH (NIOSH 2005, as quoted by NRC 2008)", "H", "")],
        missing=(("ERPG-1", "not established by AIHA"),),
        aliases=("hcn", "氢氰酸")),
)}


def get_substance(name: str) -> Substance:
    """Look a substance up by key, English name, formula, CAS number or Chinese name.

    Raises
    ------
    ScenarioError : unknown substance, with the known ones listed.
    """
    want = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    for s in SUBSTANCES.values():
        names = {s.key, s.name.lower().replace(" ", "_"), s.formula.lower(), s.cas, s.name_zh,
                 *(a.lower().replace(" ", "_") for a in s.aliases)}
        if want in names or str(name).strip() in names:
            return s
    raise ScenarioError("Unknown substance.", [Problem(
        rule="no levels of concern are on file for it; known substances: "
             + ", ".join(SUBSTANCES), field="substance", value=name)])
