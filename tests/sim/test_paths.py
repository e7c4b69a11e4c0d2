"""Paths of the city model that the other tests do not take: a unit on a move-up drive
is dispatched from the road; a library scenario played by run_experiment(scenario=...)
and by a drill's ``scenario:`` inject puts its incidents in the records at their minute
and its closures slow the drive into the zone."""

from __future__ import annotations

import dataclasses
import textwrap

import numpy as np
import pandas as pd
import pytest

from command.sim import load_drill, run_experiment
from command.sim._tables import load_sim_tables
from command.sim.city import _Run, draw_randoms, run_city
from command.sim.drills import scenario_script
from command.sim.experiment import Variant, _calls, _script_events, _world, experiment_streams
from command.sim.policies import make_policy
from command.sim.world import build_world

SCENARIO = "chlorine-gedian"


@pytest.fixture
def two_posts_one_ambulance(ezhou_network, ezhou_dataset, ezhou_settings):
    """Posts E01 and E02, one ambulance at E01, no noise, 600 s on scene, 60 s turnout,
    nobody conveyed."""
    bases = tuple(ezhou_dataset.base(b) for b in ("E01", "E02"))
    team = next(t for t in ezhou_dataset.teams if t.base_id == "E01"
                and t.capability == "ambulance")
    ds = dataclasses.replace(ezhou_dataset, teams=(team,), bases=bases)
    tables = load_sim_tables(ezhou_settings.resources_dir)
    times = dict(tables.times)
    times["medical"] = dataclasses.replace(times["medical"], on_scene_sigma=0.0,
                                           transport_share=0.0, on_scene_median_s=600.0,
                                           turnout_s=60.0)
    tables = dataclasses.replace(tables, times=times,
                                 parameters=dict(tables.parameters, travel_sigma=0.0))
    return build_world(ezhou_network, ds, ezhou_settings, tables)


def _medical(t_s, nodes) -> pd.DataFrame:
    n = len(nodes)
    return pd.DataFrame({"t_s": t_s, "incident_type": ["medical"] * n, "grade": [4] * n,
                         "priority": [3] * n, "district": ["x"] * n, "lat": [0.0] * n,
                         "lon": [0.0] * n, "node": nodes, "label": [""] * n})


def test_a_unit_moving_up_is_dispatched_on_the_way(two_posts_one_ambulance):
    w = two_posts_one_ambulance
    e01, e02 = w.post_ids.index("E01"), w.post_ids.index("E02")
    node = int(w.zone_node[5])
    calls = _medical([100.0, 1100.0], [node, node])
    rng = np.random.default_rng(0)
    run = _Run(w, calls, make_policy("nearest"), draw_randoms(2, rng, rng, 0.0),
               86400.0, (), (), 0)
    run.start_move(0, e02, 1000.0)  # E01 -> E02, a 1000 s drive from t = 0
    rec = run.run()
    from_post = w.travel().from_post
    ahead = from_post[e02, node] + 900.0  # on to E02, then to the call
    back = from_post[e01, node] + 100.0  # turn back to E01, then to the call
    first = rec.calls["first_s"].to_numpy()
    assert first[0] == pytest.approx(60.0 + min(ahead, back))
    trips = rec.trips.sort_values("dispatch_s")
    assert trips["dispatch_s"].tolist()[0] == 100.0 and rec.moves == 1
    # the end of the interrupted move does not free the unit: the second call waits
    assert list(rec.calls["waited"]) == [False, True]
    back_s = w.travel().to_post[node, e02]  # the unit now belongs to E02
    free_at = 100.0 + 60.0 + min(ahead, back) + 600.0 + back_s
    assert trips["free_s"].tolist()[0] == pytest.approx(free_at)
    assert first[1] == pytest.approx(free_at + 60.0 + from_post[e02, node] - 1100.0)


def test_moving_units_are_offered_to_the_policy(two_posts_one_ambulance):
    w = two_posts_one_ambulance
    rng = np.random.default_rng(0)
    run = _Run(w, _medical([10.0], [int(w.zone_node[0])]), make_policy("nearest"),
               draw_randoms(1, rng, rng, 0.0), 3600.0, (), (), 0)
    run.start_move(0, w.post_ids.index("E02"), 500.0)
    assert not run.idle[0] and run.avail[0] and run.moving[0]


def _scenario_records(network, dataset, settings, script, *, closed: bool):
    tables = load_sim_tables(settings.resources_dir)
    world = _world(network, dataset, settings, tables, Variant("base"))
    closures, losses = _script_events(world, script)
    arrivals, travel, service = (np.random.default_rng(s) for s in experiment_streams(0, 1)[0])
    calls = _calls(dataset, network, tables, days=script.days, per_day=0, script=script,
                   rng=arrivals, sites=None)
    return run_city(world, calls, make_policy("nearest"), horizon_s=script.days * 86400.0,
                    travel_rng=travel, service_rng=service,
                    closures=closures if closed else (), losses=losses)


def test_experiment_plays_a_scenario(ezhou_network, ezhou_dataset, ezhou_settings):
    r = run_experiment(ezhou_network, ezhou_dataset, ezhou_settings, scenario=SCENARIO,
                       per_day=0, replications=2, seed=1)
    assert r.source == f"scenario:{SCENARIO}" and r.days == 1.0
    # no background: exactly the scenario's three incidents, all reached
    assert r.variants[0].kpis["calls"].mean == 3.0
    assert np.isfinite(r.variants[0].kpis["response_mean_min"].mean)


def test_scenario_incidents_at_their_minute_and_closures_slow_the_zone(
        ezhou_network, ezhou_dataset, ezhou_settings):
    script = scenario_script(SCENARIO, network=ezhou_network, dataset=ezhou_dataset,
                             settings=ezhou_settings)
    assert [c.start_s for c in script.closures] == [0.0, 1500.0]
    closed = _scenario_records(ezhou_network, ezhou_dataset, ezhou_settings, script,
                               closed=True)
    open_ = _scenario_records(ezhou_network, ezhou_dataset, ezhou_settings, script,
                              closed=False)
    calls = closed.calls
    assert calls["t_s"].tolist() == [0.0, 0.0, 2400.0]
    assert calls["incident_type"].tolist() == ["hazmat_leak", "mass_casualty", "medical"]
    assert calls["first_s"].notna().all()
    # the leak is inside the closed zone: the first unit detours (same random draws)
    assert calls["first_s"][0] > open_.calls["first_s"][0] + 5.0
    # the zone's closure itself: the nearest post's time to the leak grows
    world = _world(ezhou_network, ezhou_dataset, ezhou_settings,
                   load_sim_tables(ezhou_settings.resources_dir), Variant("base"))
    node = int(calls["node"][0])
    shut = world.travel(script.closures[0].mask).from_post[:, node]
    assert np.nanmin(shut) > world.travel().from_post[:, node].min()


def test_drill_scenario_inject(tmp_path, ezhou_network, ezhou_dataset, ezhou_settings):
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(f"""\
        days: 0.5
        background_per_day: 0
        injects:
          - at: "02:00"
            scenario: {SCENARIO}
        """), encoding="utf-8")
    drill = load_drill(path, network=ezhou_network, dataset=ezhou_dataset,
                       settings=ezhou_settings)
    assert [i.t_s for i in drill.incidents] == [7200.0, 7200.0, 9600.0]
    assert [c.start_s for c in drill.closures] == [7200.0, 8700.0]
    rec = _scenario_records(ezhou_network, ezhou_dataset, ezhou_settings, drill, closed=True)
    assert rec.calls["t_s"].tolist() == [7200.0, 7200.0, 9600.0]
    assert rec.calls["first_s"].notna().all()
    r = run_experiment(ezhou_network, ezhou_dataset, ezhou_settings, drill=path,
                       replications=1, seed=0)
    assert r.source.startswith("drill:") and r.variants[0].kpis["calls"].mean == 3.0
