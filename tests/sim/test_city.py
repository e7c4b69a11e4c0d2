"""The city model: reproducibility, common random numbers, a what-if that must hurt,
share within standard from settings, and a hand-made case with known answers."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from command.errors import DataError
from command.roads import travel_times_s
from command.sim import Variant, report_csv, report_html, run_experiment
from command.sim._tables import load_sim_tables
from command.sim.city import run_city
from command.sim.kpis import run_kpis
from command.sim.policies import make_policy
from command.sim.world import build_world


def _run(net, ds, settings, **kw):
    kw.setdefault("days", 0.25)
    kw.setdefault("replications", 2)
    return run_experiment(net, ds, settings, **kw)


def test_same_seed_same_numbers_other_seed_differs(ezhou_network, ezhou_dataset,
                                                   ezhou_settings):
    a = _run(ezhou_network, ezhou_dataset, ezhou_settings, seed=3, per_day=200)
    b = _run(ezhou_network, ezhou_dataset, ezhou_settings, seed=3, per_day=200)
    c = _run(ezhou_network, ezhou_dataset, ezhou_settings, seed=4, per_day=200)
    pa, pb, pc = (r.variants[0].per_replication for r in (a, b, c))
    pd.testing.assert_frame_equal(pa, pb)
    assert a.to_dict()["variants"][0]["kpis"] == b.to_dict()["variants"][0]["kpis"]
    assert not np.allclose(pa["response_mean_min"], pc["response_mean_min"])
    assert list(pa["calls_signature"]) != list(pc["calls_signature"])


def test_variants_see_the_same_calls(ezhou_network, ezhou_dataset, ezhou_settings):
    r = _run(ezhou_network, ezhou_dataset, ezhou_settings, seed=5, per_day=150,
             variants=[Variant("base"), Variant("fewer", remove_bases=["F01", "E01"]),
                       Variant("opt", policy="optimiser")])
    sigs = [list(v.per_replication["calls_signature"]) for v in r.variants]
    assert sigs[0] == sigs[1] == sigs[2]
    assert sigs[0][0] != sigs[0][1]  # replications differ from each other
    calls = [list(v.per_replication["calls"]) for v in r.variants]
    assert calls[0] == calls[1] == calls[2]


def test_removing_stations_worsens_response(ezhou_network, ezhou_dataset, ezhou_settings):
    fire = [b.base_id for b in ezhou_dataset.bases if b.kind == "fire_station"][:6]
    ems = [b.base_id for b in ezhou_dataset.bases if b.kind == "ems_station"][:6]
    r = run_experiment(ezhou_network, ezhou_dataset, ezhou_settings, days=0.5,
                       replications=4, seed=11, per_day=200,
                       variants=[Variant("base"), Variant("cut", remove_bases=fire + ems)])
    diff = r.comparisons.set_index("kpi").loc["response_mean_min"]
    assert diff["difference"] > 0 and diff["low"] > 0, diff
    share = r.comparisons.set_index("kpi").loc["share_within_standard"]
    assert share["high"] < 0, share
    assert r.variants[1].kpis["coverage_fire"].mean < r.variants[0].kpis["coverage_fire"].mean


def test_share_within_follows_the_settings(ezhou_network, ezhou_dataset, ezhou_settings):
    kw = dict(seed=2, per_day=150)
    loose = _run(ezhou_network, ezhou_dataset,
                 ezhou_settings.replace(fire_standard_s=86400.0, ems_standard_s=86400.0), **kw)
    tight = _run(ezhou_network, ezhou_dataset,
                 ezhou_settings.replace(fire_standard_s=1.0, ems_standard_s=1.0), **kw)
    normal = _run(ezhou_network, ezhou_dataset, ezhou_settings, **kw)
    assert loose.variants[0].kpis["share_within_standard"].mean == 1.0
    assert tight.variants[0].kpis["share_within_standard"].mean == 0.0
    assert 0.0 < normal.variants[0].kpis["share_within_standard"].mean < 1.0
    assert normal.to_dict()["standards_min"] == {"fire": 5.0, "ems": 12.0}


@pytest.fixture
def one_ambulance(ezhou_network, ezhou_dataset, ezhou_settings):
    """One ambulance at E01, no noise, fixed on-scene time, nobody conveyed."""
    base = ezhou_dataset.base("E01")
    team = next(t for t in ezhou_dataset.teams if t.base_id == "E01"
                and t.capability == "ambulance")
    ds = dataclasses.replace(ezhou_dataset, teams=(team,), bases=(base,))
    tables = load_sim_tables(ezhou_settings.resources_dir)
    times = dict(tables.times)
    times["medical"] = dataclasses.replace(times["medical"], on_scene_sigma=0.0,
                                           transport_share=0.0, on_scene_median_s=600.0,
                                           turnout_s=60.0)
    params = dict(tables.parameters, travel_sigma=0.0)
    tables = dataclasses.replace(tables, times=times, parameters=params)
    return build_world(ezhou_network, ds, ezhou_settings, tables)


def test_one_unit_known_answers(one_ambulance, ezhou_network):
    w = one_ambulance
    post = int(w.post_node[0])
    nodes = [int(w.zone_node[3]), int(w.zone_node[10])]
    out_s = travel_times_s(ezhou_network, post, nodes)
    back_s = travel_times_s(ezhou_network, nodes, post)
    calls = pd.DataFrame({"t_s": [100.0, 200.0], "incident_type": ["medical"] * 2,
                          "grade": [4, 4], "priority": [3, 3], "district": ["x", "x"],
                          "lat": [0.0, 0.0], "lon": [0.0, 0.0], "node": nodes,
                          "label": ["", ""]})
    rec = run_city(w, calls, make_policy("nearest"), horizon_s=86400.0,
                   travel_rng=np.random.default_rng(0), service_rng=np.random.default_rng(0))
    first = rec.calls["first_s"].to_numpy()
    assert first[0] == pytest.approx(60.0 + out_s[0])
    # the second call waits for the unit: back at its post, then out again
    free_at = 100.0 + 60.0 + out_s[0] + 600.0 + back_s[0]
    assert first[1] == pytest.approx(free_at + 60.0 + out_s[1] - 200.0)
    assert list(rec.calls["waited"]) == [False, True]
    k = run_kpis(rec)
    busy = (60.0 + out_s[0] + 600.0 + back_s[0]) + (60.0 + out_s[1] + 600.0 + back_s[1])
    assert k["utilisation"] == pytest.approx(busy / 86400.0)
    assert k["waiting_calls"] == 0.5
    assert k["response_mean_min"] == pytest.approx(first.mean() / 60.0)
    within = np.mean(first <= w.settings.ems_standard_s)
    assert k["share_within_standard"] == pytest.approx(within)


def test_experiment_outputs(ezhou_network, ezhou_dataset, ezhou_settings):
    r = _run(ezhou_network, ezhou_dataset, ezhou_settings, seed=1, per_day=100,
             variants=[Variant("现状"), Variant("加车", add_units=[("F03", "engine", 2)])])
    d = json.loads(json.dumps(r.to_dict()))
    assert [v["name"] for v in d["variants"]] == ["现状", "加车"]
    for v in d["variants"]:
        assert set(v["kpis"]["share_within_standard"]) >= {"mean", "ci95"}
        assert v["response_min"] and all(x > 0 for x in v["response_min"])
    html = report_html(r, lang="en")
    assert "plotly" in html and "加车" in html and "First-unit response times" in html
    csv = report_csv(r)
    assert csv.splitlines()[0].startswith("section,variant")
    assert "difference,加车" in csv


def test_bad_variant_is_named(ezhou_network, ezhou_dataset, ezhou_settings):
    with pytest.raises(DataError) as err:
        _run(ezhou_network, ezhou_dataset, ezhou_settings,
             variants=[Variant("x", remove_bases=["NOPE"], add_units=[("F01", "tank", 1)],
                               close_roads=["不存在的路"])])
    text = str(err.value)
    assert "remove_bases[0]" in text and "NOPE" in text
    assert "add_units[0].capability" in text and "不存在的路" in text


def test_dask_gives_the_in_process_numbers(ezhou_network, ezhou_dataset, ezhou_settings):
    from command.sim.queue import dask_client

    kw = dict(seed=9, per_day=100, variants=[Variant("a"), Variant("b", remove_bases=["F02"])])
    local = _run(ezhou_network, ezhou_dataset, ezhou_settings, **kw)
    seen = []
    with dask_client(processes=False, n_workers=1) as client:
        remote = _run(ezhou_network, ezhou_dataset, ezhou_settings, client=client,
                      progress=lambda done, total: seen.append((done, total)), **kw)
    for v, w in zip(local.variants, remote.variants):
        pd.testing.assert_frame_equal(v.per_replication, w.per_replication)
    assert seen[-1] == (4, 4)
