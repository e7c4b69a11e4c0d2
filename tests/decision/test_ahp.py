"""AHP against ../shared/benchmarks/REFERENCE.md section 6 (Saaty's drink example, the
4 x 4 example and the random index table, read from the file where it lies), and the
refusals of bad matrices."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from command.decision.ahp import (
    CR_LIMIT,
    RANDOM_INDEX,
    ahp,
    check_matrix,
    group_matrix,
    matrix_from_upper,
    parse_matrix,
    upper_of,
)
from command.errors import DataError

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks" / "REFERENCE.md"


@pytest.fixture(scope="module")
def section6() -> str:
    if not REFERENCE.is_file():
        pytest.skip(f"the shared reference results are not at {REFERENCE}")
    text = REFERENCE.read_text("utf-8")
    start = text.index("## 6. AHP")
    return text[start:text.index("\n## 7.", start)].replace("**", "")


def _num(s: str) -> float:
    return float(Fraction(s.strip()))


def test_random_index_is_the_reference_table(section6):
    line = section6[section6.index("n = 1:"):section6.index("(Saaty 1980)")]
    table = {int(n): float(v) for n, v in re.findall(r"(\d+): ([\d.]+)", line)}
    assert table == dict(RANDOM_INDEX)


def _drink_example(section6):
    body = section6[section6.index("Upper-triangle judgements:"):
                    section6.index("Principal eigenvector")]
    body = " ".join(body.split())
    order = [w.strip() for w in re.search(r"The order is ([a-z, ]+)\.", " ".join(
        section6.split())).group(1).split(",")]
    pairs = {}
    for head, rest, values in re.findall(r"(\w+) vs \(([^)]*)\) = ([^;]+)", body):
        for other, v in zip(rest.split(","), values.split(",")):
            pairs[(head, other.strip())] = _num(v)
    last = re.search(r"(\w+) vs (\w+) = ([\d/]+)\.", body)
    pairs[(last.group(1), last.group(2))] = _num(last.group(3))
    n = len(order)
    upper = [pairs[(order[i], order[j])] for i in range(n) for j in range(i + 1, n)]
    flat = " ".join(section6.split())
    start = flat.index("Principal eigenvector")
    weights = dict((k, float(v)) for k, v in re.findall(
        r"(\w+) (0\.\d{3})", flat[start:flat.index("λmax =", start)]))
    cr = float(re.search(r"CR = ([\d.]+) with Saaty's RI\(7\)", flat).group(1))
    lam = float(re.search(r"λmax = ([\d.]+), CI", flat).group(1))
    return order, upper, weights, cr, lam


def test_saaty_drink_example_to_three_decimals(section6):
    order, upper, weights, cr, lam = _drink_example(section6)
    assert len(order) == 7 and len(upper) == 21
    r = ahp(matrix_from_upper(7, upper))
    assert [round(w, 3) for w in r.weights] == [weights[o] for o in order]
    assert round(r.cr, 3) == cr == 0.022
    assert round(r.lambda_max, 3) == lam
    assert r.consistent and r.ri == 1.32
    assert sum(r.weights) == pytest.approx(1.0, abs=1e-12)


def test_four_by_four_example(section6):
    flat = " ".join(section6.split())
    ex = flat[flat.index("Worked example 2"):]
    judged = {(a, b): _num(v) for a, b, v in re.findall(r"([a-d])–([a-d]) ([\d/]+)", ex)}
    items = "abcd"
    upper = [judged[(items[i], items[j])] for i in range(4) for j in range(i + 1, 4)]
    expected = dict((k, float(v)) for k, v in re.findall(r"\b([a-d]) (0\.\d{4})", ex))
    r = ahp(matrix_from_upper(4, upper))
    assert [round(w, 4) for w in r.weights] == [expected[k] for k in items]
    assert round(r.cr, 4) == float(re.search(r"CR = ([\d.]+) with Saaty", ex).group(1))


def test_an_inconsistent_matrix_is_reported_with_the_judgement_to_revise():
    # a > b (3), b > c (3) but c > a (3): a cycle
    r = ahp([[1, 3, 1 / 3], [1 / 3, 1, 3], [3, 1 / 3, 1]])
    assert r.cr > CR_LIMIT and not r.consistent
    assert r.weights == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    i, j, given_, implied = r.worst
    assert (i, j) in {(0, 1), (0, 2), (1, 2)} and given_ != pytest.approx(implied)
    assert r.to_dict()["consistent"] is False


def test_two_items_are_always_consistent():
    r = ahp([[1, 4], [0.25, 1]])
    assert r.weights == pytest.approx((0.8, 0.2)) and r.cr == 0.0 and r.worst is None


def test_parse_matrix_with_fractions_and_decimals():
    assert parse_matrix("1, 3, 0.5\n1/3,1,1/4\n\n2, 4 ,1\n") == [
        [1.0, 3.0, 0.5], [1 / 3, 1.0, 0.25], [2.0, 4.0, 1.0]]


def _problems(exc) -> list[str]:
    return [str(p) for p in exc.value.problems]


def test_bad_entries_name_row_and_column():
    with pytest.raises(DataError) as exc:
        parse_matrix("1,x\n1/0,1", source="m.csv")
    assert _problems(exc) == [
        "m.csv, row 1, field 'column 2' (value 'x'): not a number (write 3, 0.5 or 1/3)",
        "m.csv, row 2, field 'column 1' (value '1/0'): not a number (write 3, 0.5 or 1/3)"]


def test_not_square_is_refused():
    with pytest.raises(DataError, match="wrong shape") as exc:
        check_matrix([[1, 2, 3], [0.5, 1], [1 / 3, 1, 1]])
    assert "row 2" in _problems(exc)[0]


def test_zero_negative_and_non_reciprocal_are_refused_all_at_once():
    with pytest.raises(DataError) as exc:
        check_matrix([[1, 0, 2], [-1, 1, 3], [0.5, 1 / 3, 2]])
    text = "\n".join(_problems(exc))
    assert "row 1, field 'column 2' (value 0): a judgement must be a positive" in text
    assert "row 2, field 'column 1' (value -1)" in text
    assert "row 3, field 'column 3' (value 2): the diagonal is 1" in text
    with pytest.raises(DataError) as exc:
        check_matrix([[1, 3], [3, 1]])
    assert _problems(exc) == ["matrix, row 1, field 'column 2' (value 3): not reciprocal: "
                              "row 2, column 1 is 3, so this should be 1/3"]


def test_two_decimal_reciprocals_are_accepted_one_decimal_not():
    check_matrix([[1, 3], [0.33, 1]])
    with pytest.raises(DataError):
        check_matrix([[1, 3], [0.3, 1]])


def test_too_large_and_empty():
    with pytest.raises(DataError, match="empty"):
        check_matrix([])
    with pytest.raises(DataError, match="wrong shape"):
        check_matrix(np.ones((11, 11)))


def test_group_matrix_is_the_weighted_geometric_mean():
    a = [[1, 4], [0.25, 1]]
    b = [[1, 1], [1, 1]]
    g = group_matrix([a, b], [1, 1])
    assert g[0, 1] == pytest.approx(2.0) and g[1, 0] == pytest.approx(0.5)
    g = group_matrix([a, b], [3, 1])
    assert g[0, 1] == pytest.approx(4 ** 0.75)
    with pytest.raises(DataError):
        group_matrix([a, [[1]]])
    with pytest.raises(DataError):
        group_matrix([a], [0])


@settings(max_examples=60, deadline=None)
@given(st.integers(3, 8).flatmap(lambda n: st.tuples(st.just(n), st.lists(
    st.sampled_from([1 / 9, 1 / 5, 1 / 3, 1, 3, 5, 9]), min_size=n * (n - 1) // 2,
    max_size=n * (n - 1) // 2))))
def test_properties_of_any_reciprocal_matrix(case):
    n, upper = case
    m = matrix_from_upper(n, upper)
    assert upper_of(m) == pytest.approx(upper)
    r = ahp(m)
    assert sum(r.weights) == pytest.approx(1.0) and all(w > 0 for w in r.weights)
    assert r.lambda_max >= n - 1e-9 and r.cr >= 0
    # a consistent matrix built from weights gives them back with CR 0
    w = np.array(r.weights)
    c = ahp(np.outer(w, 1 / w))
    assert c.weights == pytest.approx(r.weights, abs=1e-9) and c.cr == pytest.approx(0, abs=1e-9)
