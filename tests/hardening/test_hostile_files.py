"""Mutated OR-Library, CVRPLIB and Solomon files, and data-set CSV files (issue #20).

Each valid tiny file of tests/data/hostile is mutated token by token (NaN, infinities,
huge and negative numbers, words, nothing) and line by line (dropped, repeated); the
reader must either read it or raise a DataError naming the file, never anything else,
and never allocate by a header it has not checked (a header of 10^9 nodes is refused
at once). The data set's CSV files get the same treatment through ``load_dataset``.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from command.dispatch.instances import read_cvrplib, read_pmed, read_solomon
from command.errors import DataError

H = Path(__file__).resolve().parents[1] / "data" / "hostile"
EZHOU = Path(__file__).resolve().parents[2] / "data" / "resources" / "ezhou"
TOKENS = ["nan", "inf", "-inf", "-1", "1e308", "1000000000", "abc", ""]


def _mutations(text: str):
    lines = text.splitlines()
    for i, line in enumerate(lines):
        toks = line.split()
        for j in range(len(toks)):
            for t in TOKENS:
                yield f"line {i + 1} token {j + 1} = {t!r}", "\n".join(
                    lines[:i] + [" ".join(toks[:j] + [t] + toks[j + 1:])] + lines[i + 1:])
        yield f"line {i + 1} dropped", "\n".join(lines[:i] + lines[i + 1:])
        yield f"line {i + 1} twice", "\n".join(lines[:i + 1] + lines[i:])


READERS = {
    "OR-Library pmed": (read_pmed, "valid-tiny-pmed.txt"),
    "CVRPLIB": (read_cvrplib, "valid-tiny-n4-k2.vrp"),
    "Solomon": (read_solomon, "valid-tiny-solomon.txt"),
}


@pytest.mark.parametrize("kind", sorted(READERS))
def test_every_mutation_is_read_or_refused_naming_the_file(kind, tmp_path, count_case):
    reader, name = READERS[kind]
    text = (H / name).read_text(encoding="utf-8")
    reader(H / name)  # the original is valid
    f = tmp_path / name
    n = 0
    for label, mutated in _mutations(text):
        f.write_text(mutated, encoding="utf-8")
        start = time.monotonic()
        try:
            reader(f)
        except DataError as exc:
            assert exc.problems and all(p.file == str(f) for p in exc.problems), label
            assert all(p.rule for p in exc.problems), label
        assert time.monotonic() - start < 5, label
        n += 1
    count_case(f"{kind} files", n)
    assert n > 50


@pytest.mark.parametrize("kind, text, field", [
    ("pmed", "1000000000 999999999 5\n1 2 3\n", "n"),
    ("pmed", "200000 3 5\n1 2 3\n2 3 3\n3 1 3\n", "m"),
    ("pmed", "50000 50000 5\n" + "1 2 3\n" * 3, "n"),
    ("vrp", "NAME : x\nTYPE : CVRP\nDIMENSION : 1000000000\nEDGE_WEIGHT_TYPE : EUC_2D\n"
            "CAPACITY : 10\nNODE_COORD_SECTION\n1 0 0\nDEMAND_SECTION\n1 0\n"
            "DEPOT_SECTION\n1\n-1\n", "DIMENSION"),
    ("vrp", "NAME : x-k1000000\nTYPE : CVRP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\n"
            "CAPACITY : 10\nNODE_COORD_SECTION\n1 0 0\n2 1 1\n3 2 2\nDEMAND_SECTION\n1 0\n"
            "2 1\n3 1\nDEPOT_SECTION\n1\n-1\n", "DIMENSION"),
    ("vrp", "NAME : x\nTYPE : CVRP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\n"
            "CAPACITY : 10\nNODE_COORD_SECTION\n1 0 0\n2 1e300 1\n3 2 2\nDEMAND_SECTION\n1 0\n"
            "2 1\n3 1\nDEPOT_SECTION\n1\n-1\n", "NODE_COORD_SECTION"),
    ("txt", "BIG\nVEHICLE\nNUMBER CAPACITY\n1000000 20\nCUSTOMER\nCUST NO.\n"
            "0 0 0 0 0 100 0\n1 1 1 1 0 100 1\n", "CUSTOMER"),
])
def test_headers_beyond_the_budgets_are_refused_before_allocating(kind, text, field, tmp_path,
                                                                  count_case):
    count_case("file headers (budgets)")
    f = tmp_path / f"big.{kind}"
    f.write_text(text, encoding="utf-8")
    reader = {"pmed": read_pmed, "vrp": read_cvrplib, "txt": read_solomon}[kind]
    with pytest.raises(DataError) as e:
        reader(f)
    assert any(p.field == field for p in e.value.problems), e.value.problems


def test_allow_large_lifts_the_budget_only(tmp_path):
    f = tmp_path / "big.vrp"
    rows = "\n".join(f"{i} {i} {i % 7}" for i in range(1, 1302))
    dem = "\n".join(f"{i} {0 if i == 1 else 1}" for i in range(1, 1302))
    f.write_text(f"NAME : big\nTYPE : CVRP\nDIMENSION : 1301\nEDGE_WEIGHT_TYPE : EUC_2D\n"
                 f"CAPACITY : 10\nNODE_COORD_SECTION\n{rows}\nDEMAND_SECTION\n{dem}\n"
                 f"DEPOT_SECTION\n1\n-1\n", encoding="utf-8")
    with pytest.raises(DataError, match="allow-large"):
        read_cvrplib(f)
    assert read_cvrplib(f, allow_large=True).n == 1301


# --- the data set's CSV files -----------------------------------------------------------

CSV_CELLS = {  # file -> numeric columns to spoil
    "teams.csv": ["crew"],
    "stocks.csv": ["quantity"],
    "shelters.csv": ["capacity_persons", "lat", "lon"],
    "hospitals.csv": ["beds", "lat"],
    "population.csv": ["population"],
    "incident_rates.csv": ["per_year"],
    "item_loads.csv": ["kg_per_unit"],
}
CSV_VALUES = ["nan", "inf", "-1", "1e308", "abc", ""]


@pytest.fixture(scope="module")
def dataset_copy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dataset") / "ezhou"
    shutil.copytree(EZHOU, folder, ignore=shutil.ignore_patterns("roads.osm.gz", "*.asc"))
    return folder


@pytest.mark.parametrize("name", sorted(CSV_CELLS))
def test_spoilt_csv_cells_are_refused_naming_file_row_and_field(name, dataset_copy,
                                                                count_case):
    import csv
    import io

    from command.resources import load_dataset

    path = dataset_copy / name
    original = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(original)))
    try:
        for column in CSV_CELLS[name]:
            assert column in rows[0], column
            for value in CSV_VALUES:
                count_case("data-set CSV cells")
                spoilt = [dict(r) for r in rows]
                spoilt[0][column] = value
                out = io.StringIO()
                w = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
                w.writeheader()
                w.writerows(spoilt)
                path.write_text(out.getvalue(), encoding="utf-8")
                with pytest.raises(DataError) as e:
                    load_dataset(dataset_copy)
                p = next((p for p in e.value.problems if p.field == column), None)
                assert p is not None, (name, column, value, e.value.problems[:3])
                assert p.file.endswith(name) and p.row == 2
    finally:
        path.write_text(original, encoding="utf-8")
