"""Siting: the OR-Library reader, p-median on the 40 pmed instances, MCLP and p-centre.

The published optima are facts (Beasley 1985, Table 2; OR-Library ``pmedopt``) and are
copied below; the instance files stay in ../shared/benchmarks/pmed and are read from
there. Small models are checked against brute force over every choice of sites.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse.csgraph import shortest_path

from command.cli import main
from command.dispatch.instances import read_pmed
from command.dispatch.siting import SitingResult, max_covering, p_center, p_median
from command.errors import DataError

PMED = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks" / "pmed"

#: Published optimal costs (Beasley 1985, OR-Library pmedopt).
OPTIMUM = {
    1: 5819, 2: 4093, 3: 4250, 4: 3034, 5: 1355, 6: 7824, 7: 5631, 8: 4445, 9: 2734,
    10: 1255, 11: 7696, 12: 6634, 13: 4374, 14: 2968, 15: 1729, 16: 8162, 17: 6999,
    18: 4809, 19: 2845, 20: 1789, 21: 9138, 22: 8579, 23: 4619, 24: 2961, 25: 1828,
    26: 9917, 27: 8307, 28: 4498, 29: 3033, 30: 1989, 31: 10086, 32: 9297, 33: 4700,
    34: 3013, 35: 10400, 36: 9934, 37: 5057, 38: 11060, 39: 9423, 40: 5128,
}


def pmed_file(k: int) -> Path:
    path = PMED / f"pmed{k}.txt"
    if not path.is_file():
        pytest.skip(f"OR-Library instance not found at {path.resolve()}")
    return path


def total_distance(dist: np.ndarray, facilities, weights=None) -> float:
    served = dist[:, list(facilities)].min(axis=1)
    return float(served.sum() if weights is None else (weights * served).sum())


def check_pmedian(k: int, result: SitingResult, dist: np.ndarray, p: int) -> None:
    assert len(result.facilities) == p == len(set(result.facilities))
    # The objective is what the chosen sites really cost, and it is the published optimum.
    assert total_distance(dist, result.facilities) == result.objective == OPTIMUM[k]
    assert result.optimal and result.status == "OPTIMAL" and result.run.status == "OPTIMAL"
    assert result.bound == OPTIMUM[k] and result.gap == 0.0
    assert all(dist[u, a] == dist[u, list(result.facilities)].min()
               for u, a in enumerate(result.assignment))


# --------------------------------------------------------------------------- reader


def test_the_optima_table_matches_pmedopt():
    path = PMED / "pmedopt.txt"
    if not path.is_file():
        pytest.skip(f"pmedopt.txt not found at {path.resolve()}")
    rows = [line.split() for line in path.read_text().splitlines()[1:] if line.strip()]
    assert {int(name[4:]): int(value) for name, value in rows} == OPTIMUM


def test_read_pmed1_header_and_matrix():
    inst = read_pmed(pmed_file(1))
    assert (inst.name, inst.n, inst.edges, inst.p) == ("pmed1", 100, 200, 5)
    d = inst.distance
    assert d.shape == (100, 100)
    assert np.all(np.diag(d) == 0) and np.array_equal(d, d.T) and np.isfinite(d).all()
    # The first edge line is "1 2 30"; no shorter path exists through the others.
    assert d[0, 1] <= 30


def test_last_copy_of_a_repeated_edge_wins(tmp_path):
    # Pair 1-2 appears twice: 5 then 9. Beasley's rule keeps 9, the later one.
    f = tmp_path / "dup.txt"
    f.write_text("3 3 1\n1 2 5\n2 3 1\n2 1 9\n")
    d = read_pmed(f).distance
    assert d[0, 1] == 9 and d[1, 0] == 9 and d[0, 2] == 10 and d[1, 2] == 1


def _cheapest_copy_distance(path: Path) -> tuple[np.ndarray, int]:
    """The wrong reading: keep the cheapest copy of each repeated pair."""
    lines = path.read_text().split("\n")
    n, m, p = map(int, lines[0].split())
    a = np.full((n, n), np.inf)
    np.fill_diagonal(a, 0.0)
    for line in lines[1:m + 1]:
        i, j, c = line.split()
        i, j, c = int(i) - 1, int(j) - 1, float(c)
        a[i, j] = a[j, i] = min(a[i, j], c)
    return shortest_path(a, method="D", directed=False), p


def test_pmed1_is_5819_with_the_last_cost_and_5718_with_the_cheapest():
    path = pmed_file(1)
    inst = read_pmed(path)
    ours = p_median(inst.distance, inst.p, time_limit_s=20)
    assert ours.objective == 5819 and ours.optimal
    wrong_d, p = _cheapest_copy_distance(path)
    wrong = p_median(wrong_d, p, time_limit_s=20)
    assert wrong.objective == 5718 and wrong.optimal


@pytest.mark.parametrize("text, field, words", [
    ("", "header", "three integers"),
    ("100 200\n1 2 3\n", "header", "three integers"),
    ("3 x 1\n1 2 3\n", "m", "integer"),
    ("3 2 5\n1 2 3\n2 3 4\n", "p", "between 1 and n"),
    ("3 3 1\n1 2 3\n2 3 4\n", "edges", "announces 3 edge lines but the file has 2"),
    ("3 2 1\n1 2 3\n2 4 4\n", "j", "between 1 and n = 3"),
    ("3 2 1\n1 2 abc\n2 3 4\n", "cost", "must be a number"),
    ("3 2 1\n1 2 -3\n2 3 4\n", "cost", "non-negative"),
    ("3 2 1\n1 2 3\n2 3\n", "edge", "three fields"),
    ("4 2 1\n1 2 3\n3 4 4\n", "vertex", "reachable"),
])
def test_malformed_files_are_clear_errors(tmp_path, text, field, words):
    f = tmp_path / "bad.txt"
    f.write_text(text)
    with pytest.raises(DataError) as err:
        read_pmed(f)
    message = str(err.value)
    assert "bad.txt" in message and f"field '{field}'" in message and words in message


def test_malformed_file_names_its_line(tmp_path):
    f = tmp_path / "bad.txt"
    f.write_text("3 2 1\n1 2 3\n2 3 oops\n")
    problems = pytest.raises(DataError, read_pmed, f).value.problems
    assert [(p.row, p.field, p.value) for p in problems] == [(3, "cost", "oops")]


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="cannot read"):
        read_pmed(tmp_path / "nope.txt")


# --------------------------------------------------------------------------- p-median


@pytest.mark.parametrize("k", range(1, 11))
def test_pmed1_to_10_reach_the_published_optimum_and_prove_it(k):
    inst = read_pmed(pmed_file(k))
    result = p_median(inst.distance, inst.p, time_limit_s=30)
    check_pmedian(k, result, inst.distance, inst.p)


@pytest.mark.slow
@pytest.mark.parametrize("k", range(1, 41))
def test_all_40_pmed_instances_reach_the_published_optimum(k):
    inst = read_pmed(pmed_file(k))
    result = p_median(inst.distance, inst.p, time_limit_s=60)
    check_pmedian(k, result, inst.distance, inst.p)


@pytest.mark.parametrize("k", [2, 6])
def test_the_scip_route_alone_proves_the_same_optimum(k):
    # pmed2 and pmed6 have a Lagrangian gap, so the proof comes from the MIP.
    inst = read_pmed(pmed_file(k))
    result = p_median(inst.distance, inst.p, time_limit_s=30, method="exact")
    check_pmedian(k, result, inst.distance, inst.p)
    assert result.method == "scip"


def test_heuristic_reports_its_gap_to_the_lagrangian_bound():
    inst = read_pmed(pmed_file(6))       # LP gap about 0.5 %: the bound cannot close it
    result = p_median(inst.distance, inst.p, time_limit_s=1.0, method="heuristic", seed=3)
    assert result.objective >= OPTIMUM[6] > result.bound > 0.99 * OPTIMUM[6]
    assert not result.optimal and result.status == "FEASIBLE"
    assert result.gap == pytest.approx((result.objective - result.bound) / result.objective)
    assert total_distance(inst.distance, result.facilities) == result.objective
    assert result.seed == 3


def brute_pmedian(dist, p, weights, candidates):
    best = min(itertools.combinations(candidates, p),
               key=lambda s: total_distance(dist, s, weights))
    return total_distance(dist, best, weights)


@pytest.mark.parametrize("seed", range(6))
def test_p_median_matches_brute_force_on_small_weighted_instances(seed):
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 10_000, size=(25, 2))              # metres
    sites = rng.uniform(0, 10_000, size=(12, 2))
    dist = np.linalg.norm(demand[:, None, :] - sites[None, :, :], axis=2)
    weights = rng.integers(1, 500, size=25) * rng.choice([1.0, 1.5, 3.0], size=25)
    candidates = np.sort(rng.choice(12, size=10, replace=False))
    p = int(rng.integers(2, 5))
    result = p_median(dist, p, weights=weights, candidates=candidates, time_limit_s=10)
    assert set(result.facilities) <= set(candidates.tolist())
    assert result.optimal
    assert result.objective == pytest.approx(brute_pmedian(dist, p, weights, candidates),
                                             rel=1e-9)
    assert result.objective == pytest.approx(total_distance(dist, result.facilities, weights))


def test_weights_move_the_median_towards_the_heavy_demand():
    # Three villages on a line at 0, 1 and 10 km; one post. Unweighted, the middle village
    # is the median; if the far village holds most of the population, the post moves there.
    x = np.array([0.0, 1000.0, 10_000.0])
    dist = np.abs(x[:, None] - x[None, :])
    assert p_median(dist, 1, time_limit_s=5).facilities == (1,)
    heavy = p_median(dist, 1, weights=[100, 100, 1000], time_limit_s=5)
    assert heavy.facilities == (2,) and heavy.objective == 100 * 10_000 + 100 * 9000


@pytest.mark.parametrize("kwargs, field", [
    ({"p": 0}, "p"),
    ({"p": 4}, "p"),
    ({"p": 1, "weights": [1, -1, 1]}, "weights"),
    ({"p": 1, "weights": [1, 1]}, "weights"),
    ({"p": 1, "candidates": [0, 5]}, "candidates"),
    ({"p": 1, "method": "magic"}, "method"),
    ({"p": 1, "time_limit_s": 0}, "time_limit_s"),
])
def test_bad_arguments_are_data_errors(kwargs, field):
    dist = np.array([[0.0, 1, 2], [1, 0, 1], [2, 1, 0]])
    kwargs = {"time_limit_s": 5, **kwargs}
    p = kwargs.pop("p")
    with pytest.raises(DataError, match=field):
        p_median(dist, p, **kwargs)


# --------------------------------------------------------------------------- covering


def test_max_covering_hand_checked():
    # Demands at 0..4 km on a line, sites at the same points, radius 1 km.
    # A site at 1 km covers demands 0, 1, 2 (weights 1+5+1 = 7); one at 3 km covers 2, 3, 4
    # (1+1+8 = 10), the best single site. Sites at 1 and 3 km cover everyone: 16.
    x = np.arange(5) * 1000.0
    dist = np.abs(x[:, None] - x[None, :])
    w = np.array([1.0, 5.0, 1.0, 1.0, 8.0])
    one = max_covering(dist, 1, 1000.0, weights=w, time_limit_s=10)
    assert one.facilities == (3,) and one.objective == 10.0 and one.optimal
    two = max_covering(dist, 2, 1000.0, weights=w, time_limit_s=10)
    assert two.objective == 16.0 and two.bound == 16.0 and two.optimal


def brute_covering(dist, p, radius, weights):
    cover = dist <= radius
    best = 0.0
    for combo in itertools.combinations(range(dist.shape[1]), p):
        best = max(best, float(weights[cover[:, list(combo)].any(axis=1)].sum()))
    return best


@pytest.mark.parametrize("p", [1, 2, 3])
def test_max_covering_on_pmed1_matches_brute_force(p):
    dist = read_pmed(pmed_file(1)).distance
    weights = np.random.default_rng(p).integers(1, 100, size=100).astype(float)
    radius = 40.0
    result = max_covering(dist, p, radius, weights=weights, time_limit_s=30)
    assert result.optimal
    assert result.objective == brute_covering(dist, p, radius, weights)
    covered = (dist[:, list(result.facilities)] <= radius).any(axis=1)
    assert weights[covered].sum() == result.objective


def test_max_covering_reaches_everyone_with_the_p_centre_radius():
    # Theory: if p sites can cover everyone within r (r = the p-centre optimum), MCLP with
    # p sites and radius r covers 100 %; with the next smaller distance it cannot.
    dist = read_pmed(pmed_file(1)).distance
    weights = np.random.default_rng(0).integers(1, 100, size=100).astype(float)
    centre = p_center(dist, 4, time_limit_s=60)
    assert centre.optimal
    full = max_covering(dist, 4, centre.objective, weights=weights, time_limit_s=30)
    assert full.objective == weights.sum() and full.optimal
    smaller = np.unique(dist)[np.unique(dist) < centre.objective].max()
    short = max_covering(dist, 4, smaller, weights=weights, time_limit_s=30)
    assert short.optimal and short.objective < weights.sum()


def test_max_covering_requires_weights():
    with pytest.raises(DataError, match="weights"):
        max_covering(np.zeros((2, 2)), 1, 1.0, weights=None, time_limit_s=5)


# --------------------------------------------------------------------------- p-centre


def brute_center(dist, p, candidates):
    return min(float(dist[:, list(s)].min(axis=1).max())
               for s in itertools.combinations(candidates, p))


@pytest.mark.parametrize("p", [1, 2, 3])
def test_p_center_on_pmed1_matches_brute_force(p):
    dist = read_pmed(pmed_file(1)).distance
    result = p_center(dist, p, time_limit_s=60)
    assert result.optimal and result.bound == result.objective
    assert result.objective == brute_center(dist, p, range(100))
    assert float(dist[:, list(result.facilities)].min(axis=1).max()) == result.objective
    assert len(result.facilities) == p


@pytest.mark.parametrize("seed", range(4))
def test_p_center_matches_brute_force_with_candidates(seed):
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 5000, size=(30, 2))
    sites = rng.uniform(0, 5000, size=(14, 2))
    dist = np.linalg.norm(demand[:, None, :] - sites[None, :, :], axis=2)
    candidates = np.sort(rng.choice(14, size=11, replace=False))
    p = int(rng.integers(1, 5))
    result = p_center(dist, p, candidates=candidates, time_limit_s=30)
    assert result.optimal and set(result.facilities) <= set(candidates.tolist())
    assert result.objective == pytest.approx(brute_center(dist, p, candidates))


def test_p_center_hand_checked():
    # Villages at 0, 2, 3, 10 and 12 km; two posts: one for {0, 2, 3} at 2 km (worst 2 km),
    # one for {10, 12} at either end (worst 2 km).
    x = np.array([0.0, 2.0, 3.0, 10.0, 12.0])
    dist = np.abs(x[:, None] - x[None, :])
    result = p_center(dist, 2, time_limit_s=10)
    assert result.objective == 2.0 and result.optimal and 1 in result.facilities


# --------------------------------------------------------------------------- CLI


def test_cli_site_json(capsys):
    path = pmed_file(2)
    assert main(["optimise", "site", "--pmed", str(path), "--json", "--time-limit", "30"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["objective"] == OPTIMUM[2] and data["bound"] == OPTIMUM[2]
    assert data["optimal"] is True and data["p"] == 10 and data["n"] == 100
    assert data["seconds"] > 0
    # Facilities are 1-based vertex numbers, as in the file.
    dist = read_pmed(path).distance
    assert total_distance(dist, [f - 1 for f in data["facilities"]]) == OPTIMUM[2]


def test_cli_site_text(capsys):
    assert main(["optimise", "site", "--pmed", str(pmed_file(1))]) == 0
    out = capsys.readouterr().out
    assert "objective 5819" in out and "proven optimal" in out


def test_cli_site_bad_file_is_exit_2(tmp_path, capsys):
    f = tmp_path / "broken.txt"
    f.write_text("5 1 2\n1 9 3\n")
    assert main(["optimise", "site", "--pmed", str(f)]) == 2
    err = capsys.readouterr().err
    assert "broken.txt" in err and "row 2" in err and "between 1 and n = 5" in err


def test_cli_site_bad_time_limit(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["optimise", "site", "--pmed", "x.txt", "--time-limit", "soon"])
    assert exc.value.code == 2
    assert "not a number" in capsys.readouterr().err
