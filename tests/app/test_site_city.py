"""`optimise site --city`: posts among the data set's towns by road travel time, weighted
by population or by population and the risk register, checked against brute force."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from command import roads
from command.app.optimise import site_city
from command.app.risk import register, seed_register
from command.cli import main
from command.errors import DataError


@pytest.mark.parametrize("weighted", [False, True])
def test_two_posts_are_the_brute_force_optimum(ezhou_store, ezhou_network, ezhou_dataset,
                                               weighted):
    settings, engine = ezhou_store
    if weighted:
        seed_register(engine, ezhou_dataset)
    data = site_city(ezhou_network, ezhou_dataset, p=2, engine=engine if weighted else None,
                     max_snap_distance_m=settings.max_snap_distance_m, time_limit_s=20)
    towns = [a for a in ezhou_dataset.population if a.level == "town"]
    nodes, _ = roads.snap(ezhou_network, [a.lat for a in towns], [a.lon for a in towns],
                          max_distance_m=settings.max_snap_distance_m)
    times = roads.travel_times_s(ezhou_network, nodes, nodes)
    w = np.array([a["weight"] for a in data["assignment"]])
    best = min(float(w @ times[:, list(pair)].min(axis=1))
               for pair in itertools.combinations(range(len(towns)), 2))
    assert data["status"] == "OPTIMAL" and data["objective"] == pytest.approx(best, rel=1e-9)
    assert data["risk_weighted"] is weighted and len(data["sites"]) == 2
    pop = np.array([float(a.population) for a in towns])
    if weighted:  # every town weighs at least its people; some weigh more for their risks
        assert data["risk_points"] == len(register(engine))
        assert np.all(w >= pop - 1e-9) and np.any(w > pop)
    else:
        assert np.allclose(w, pop)


def test_bad_posts_are_refused(ezhou_store, ezhou_network, ezhou_dataset):
    settings, _engine = ezhou_store
    with pytest.raises(DataError, match="field 'p'"):
        site_city(ezhou_network, ezhou_dataset, p=0,
                  max_snap_distance_m=settings.max_snap_distance_m, time_limit_s=5)


def test_the_command(ezhou_store, ezhou_dataset, capsys, monkeypatch):
    settings, engine = ezhou_store
    seed_register(engine, ezhou_dataset)
    monkeypatch.setenv("CC_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.db_url)
    assert main(["optimise", "site", "--city", "--posts", "3", "--risk-weighted", "--json",
                 "--time-limit", "20"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"status", "objective", "bound", "seconds"} <= set(data)
    assert data["risk_weighted"] and len(data["sites"]) == 3
    assert main(["optimise", "site", "--city", "--json"]) == 2
    assert "--posts" in capsys.readouterr().err
    assert main(["optimise", "site", "--pmed", "x.txt", "--posts", "3"]) == 2
    assert "only with --city" in capsys.readouterr().err
