"""GB 18218-2018: the worked cases of REFERENCE.md 5a, the project's tables against the
shared transcription, lookup by name and CAS, α and grade boundaries, and properties."""

from __future__ import annotations

import csv
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from command.errors import DataError
from command.risk.gb18218 import (
    alpha_for_people,
    find_substance,
    gb18218_grade,
    grade_for_r,
    hazard_classes,
    parse_holdings,
    table1,
    toxic_gas_betas,
)

REPO = Path(__file__).resolve().parents[2]
EZHOU = REPO / "data" / "resources" / "ezhou"


def shared_benchmarks() -> Path:
    """../shared/benchmarks, or skip with the reason (the published tables lie there)."""
    path = REPO.parent / "shared" / "benchmarks"
    if not path.is_dir():
        pytest.skip(f"published benchmark tables not found at {path}")
    return path


def _shared(name: str) -> list[dict[str, str]]:
    with open(shared_benchmarks() / "gb18218" / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


# --- the four worked cases of REFERENCE.md 5a -------------------------------------------

@pytest.mark.parametrize(("holdings", "people", "s", "r", "alpha", "grade", "grade_zh"), [
    ([("ammonia", 50), ("7782-50-5", 10)], 150, 7, 36, 2.0, 3, "三级"),
    ([("硫化氢", 30)], 101, 6, 60, 2.0, 2, "二级"),
    ([("氯", 8)], 75, 1.6, 9.6, 1.5, 4, "四级"),
    ([("液化石油气", 200)], 40, 4, 7.2, 1.2, 4, "四级"),
])
def test_worked_cases_of_reference_5a(holdings, people, s, r, alpha, grade, grade_zh):
    d = gb18218_grade(holdings, people=people).to_dict()
    assert (d["S"], d["R"], d["alpha"], d["major"]) == (s, r, alpha, True)
    assert (d["grade"], d["grade_zh"]) == (grade, grade_zh)
    assert d["method"] == "gb18218" and d["standard"].startswith("GB 18218-2018")


def test_worked_case_working_is_traceable():
    d = gb18218_grade([("ammonia", 50), ("7782-50-5", 10)], people=150).to_dict()
    by_ref = {s["ref"]: s for s in d["substances"]}
    assert by_ref["T1-1"]["q_over_Q"] == 5 and by_ref["T1-1"]["beta"] == 2
    assert by_ref["T1-12"]["q_over_Q"] == 2 and by_ref["T1-12"]["beta"] == 4
    assert by_ref["T1-12"]["beta_table"] == 3
    assert d["inputs"] == {"substances": [{"substance": "ammonia", "quantity_t": 50},
                                          {"substance": "7782-50-5", "quantity_t": 10}],
                           "people": 150}


def test_lpg_takes_beta_of_flammable_gas_class():
    lpg = find_substance("LPG")
    assert (lpg.beta, lpg.beta_table, lpg.beta_class) == (1.5, 4, "W2")


def test_below_one_is_not_major_and_has_no_grade():
    d = gb18218_grade([("氨", 9.99)], people=500).to_dict()
    assert d["major"] is False and d["grade"] is None and d["grade_zh"] is None
    assert d["S"] == pytest.approx(0.999) and d["R"] == pytest.approx(2 * 2 * 0.999)


def test_exactly_critical_quantity_is_major():
    d = gb18218_grade([("氨", 10)], people=0).to_dict()
    assert (d["S"], d["major"], d["R"], d["grade"]) == (1, True, 1, 4)


# --- the project's tables equal the shared transcription --------------------------------

def test_table1_critical_quantities_equal_shared_table1():
    shared = _shared("table1_critical_quantities.csv")
    ours = {int(s.ref[3:]): s for s in table1()}
    assert len(shared) == len(ours) == 85
    for row in shared:
        mine = ours[int(row["seq"])]
        assert mine.critical_quantity_t == float(row["critical_quantity_t"]), row["seq"]
        shared_cas = {c.split("(")[0].strip() for c in row["cas"].split(";") if c.strip()}
        assert shared_cas <= set(mine.cas), row["seq"]
        assert mine.name_zh.split("(")[0][:2] == row["name_zh"].split("(")[0][:2], row["seq"]


def test_classes_equal_shared_tables_2_and_4():
    table2 = {r["symbol"]: float(r["critical_quantity_t"].split()[0])
              for r in _shared("table2_class_critical_quantities.csv")}
    table4 = {r["symbol"]: float(r["beta"]) for r in _shared("table4_beta_by_class.csv")}
    ours = hazard_classes()
    assert set(ours) == set(table2) == set(table4)
    for symbol, cls in ours.items():
        assert (cls.critical_quantity_t, cls.beta) == (table2[symbol], table4[symbol]), symbol


def test_toxic_gas_betas_equal_shared_table3():
    shared = {r["name_zh"]: float(r["beta"]) for r in _shared("table3_beta_toxic_gases.csv")}
    ours = {zh: beta for zh, _, beta in toxic_gas_betas().values()}
    assert ours == shared
    rows = {int(s.ref[3:]): s for s in table1()}
    for row, (zh, _, beta) in toxic_gas_betas().items():
        assert rows[row].beta == beta and rows[row].beta_table == 3, zh


def test_alpha_and_grades_equal_shared_tables_5_and_6():
    for r in _shared("table5_alpha_exposed_people.csv"):
        lo = int(r["people_min"])
        hi = int(r["people_max"]) if r["people_max"] else lo + 1000
        for n in (lo, hi):
            assert alpha_for_people(n) == float(r["alpha"]), n
    for r in _shared("table6_grades.csv"):
        if r["R_min_inclusive"]:
            assert grade_for_r(r["R_min_inclusive"]) == int(r["grade"])
        if r["R_max_exclusive"]:
            below = Fraction(r["R_max_exclusive"]) - Fraction(1, 10**9)
            assert grade_for_r(below) == int(r["grade"])


def test_every_cas_number_passes_its_check_digit():
    for s in table1():
        for cas in s.cas:
            digits = cas.replace("-", "")
            body, check = digits[:-1], int(digits[-1])
            assert sum(int(d) * (i + 1) for i, d in enumerate(reversed(body))) % 10 == check, cas


def test_ezhou_hazard_sources_agree_with_the_tables():
    """The data set states Q and a class per site: both agree with the project's tables."""
    with open(EZHOU / "hazard_sources.csv", encoding="utf-8") as f:
        sites = list(csv.DictReader(f))
    assert sites
    for site in sites:
        try:
            s = find_substance(site["cas"] or site["substance_zh"])
        except DataError:  # not in Table 1 (jet fuel, explosives): Q by its class
            s = find_substance(site["hazard_class"])
        assert s.critical_quantity_t == float(site["critical_quantity_t"]), site["hazard_id"]
        if site["hazard_class"] == "toxic_gas":
            assert s.beta_table == 3, site["hazard_id"]
        else:
            assert s.beta == hazard_classes()[site["hazard_class"]].beta, site["hazard_id"]


# --- lookup ----------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "ref"), [
    ("氨", "T1-1"), ("液氨", "T1-1"), ("ammonia", "T1-1"), ("7664-41-7", "T1-1"),
    ("氯", "T1-12"), ("液氯", "T1-12"), ("Chlorine", "T1-12"), ("7782-50-5", "T1-12"),
    ("硫化氢", "T1-10"), ("7783-06-4", "T1-10"), ("液化石油气", "T1-52"), ("LPG", "T1-52"),
    ("74-98-6", "T1-52"), ("丙烷", "T1-52"), ("天然气", "T1-49"), ("8006-14-2", "T1-49"),
    ("甲烷，天然气", "T1-49"), ("氯化氢（无水）", "T1-11"), ("一氧化碳", "T1-13"),
    (" gasoline ", "T1-66"), ("T1-43", "T1-43"), ("1,3-丁二烯", "T1-47"),
])
def test_found_by_name_alias_english_name_and_cas(query, ref):
    assert find_substance(query).ref == ref


def test_class_only_substances_take_tables_2_and_4():
    diesel = find_substance("W5.4")
    assert (diesel.critical_quantity_t, diesel.beta, diesel.table) == (5000, 1, 2)
    both = find_substance("j3+W2")  # toxic category 2/3 gas that also burns
    assert both.critical_quantity_t == 10  # the lowest Q of the two (4.1.2 b)
    assert (both.beta, both.beta_class) == (2, "J3")  # the largest β (our rule)


@pytest.mark.parametrize(("query", "words"), [
    ("unobtainium", "not in GB 18218 Table 1"), ("", "name a substance"),
    ("硝酸铵", "T1-43"), ("9004-70-0", "T1-37"), ("W5.9", "not a hazard class"),
])
def test_unknown_or_ambiguous_substance_is_refused_naming_it(query, words):
    with pytest.raises(DataError) as err:
        find_substance(query)
    assert err.value.problems[0].field == "substance"
    assert err.value.problems[0].value == query and words in str(err.value)


# --- bad input: every problem at once --------------------------------------------------

def test_bad_unit_reports_every_problem_with_field_and_value():
    with pytest.raises(DataError) as err:
        gb18218_grade([("foo", 5), ("氨", -1), ("氯", "lots")], people=-3)
    got = {(p.field, p.value) for p in err.value.problems}
    assert got == {("substance", "foo"), ("quantity of 氨", -1), ("quantity of 氯", "lots"),
                   ("people", -3)}


@pytest.mark.parametrize("people", [-1, 2.5, "many", None])
def test_bad_people_refused(people):
    with pytest.raises(DataError) as err:
        alpha_for_people(people)
    assert err.value.problems[0].field == "people" and err.value.problems[0].value == people


def test_no_substances_refused():
    with pytest.raises(DataError, match="at least one substance"):
        gb18218_grade([], people=5)


def test_parse_holdings_keeps_commas_inside_names():
    assert parse_holdings("1,3-丁二烯=5, ammonia=2.5;氯=1") == [
        ("1,3-丁二烯", "5"), ("ammonia", "2.5"), ("氯", "1")]


@pytest.mark.parametrize("text", ["ammonia", "ammonia=5,chlorine", "=5", "a=", "a=1 b=2"])
def test_parse_holdings_refuses_bad_syntax(text):
    with pytest.raises(DataError, match="name=quantity") as err:
        parse_holdings(text)
    assert err.value.problems[0].field == "substances"


# --- properties ------------------------------------------------------------------------

_REFS = [s.ref for s in table1()] + ["W2", "W5.4", "J1"]
_quantity = st.decimals(min_value=0, max_value=10_000, places=3, allow_nan=False)
_unit = st.lists(st.tuples(st.sampled_from(_REFS), _quantity), min_size=1, max_size=6)


@given(_unit, st.integers(0, 1000), st.integers(0, 5), _quantity)
def test_r_is_monotone_in_each_quantity(unit, people, which, extra):
    which %= len(unit)
    more = [(ref, q + extra if i == which else q) for i, (ref, q) in enumerate(unit)]
    low = gb18218_grade(unit, people=people)
    high = gb18218_grade(more, people=people)
    assert high.values["R"] >= low.values["R"] and high.values["S"] >= low.values["S"]
    if low.grade is not None:
        assert high.grade is not None and high.grade <= low.grade  # 1 is the most severe


@given(_unit, st.integers(0, 1000))
def test_major_iff_s_reaches_one_and_grade_iff_major(unit, people):
    d = gb18218_grade(unit, people=people)
    exact_s = sum(Fraction(q) / Fraction(str(find_substance(ref).critical_quantity_t))
                  for ref, q in unit)
    assert d.values["major"] is (exact_s >= 1)
    assert (d.grade is not None) is d.values["major"]
    if d.grade is not None:
        assert d.grade == grade_for_r(d.values["R"])


@given(st.sampled_from(_REFS), _quantity)
def test_one_substance_is_major_iff_q_reaches_q_critical(ref, q):
    s = find_substance(ref)
    d = gb18218_grade([(ref, q)], people=10)
    assert d.values["major"] is (Fraction(q) >= Fraction(str(s.critical_quantity_t)))
