"""command.app.screen: the live snapshot and its KPIs over the command centre's day, with
the clock pinned at the hours when Beijing's date differs from UTC's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from command.app import incidents, screen

UTC = UTC

#: 16:00:20 UTC is 00:00:20 Beijing (the day has just begun); 18:30 and 23:59:30 UTC lie
#: inside the eight hours when the two dates differ; 00:00 UTC is 08:00 Beijing.
INSTANTS = [datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC),
            datetime(2026, 12, 3, 18, 30, 0, tzinfo=UTC),
            datetime(2026, 12, 3, 23, 59, 30, tzinfo=UTC),
            datetime(2026, 12, 4, 0, 0, 0, tzinfo=UTC)]


def _at(when):
    return time_machine.travel(when, tick=False)


def _fire(ctx_engine, network, dataset, lon=114.89) -> tuple[str, int]:
    incident_id, plan_id, _rec = incidents.create_and_recommend(
        ctx_engine, network, dataset, incident_type="fire", lat=30.39, lon=lon, actor="王伟",
        limit=5, max_snap_distance_m=2000)
    return incident_id, plan_id


@pytest.mark.parametrize("now", INSTANTS, ids=lambda d: d.strftime("%H%M%SZ"))
def test_an_arrival_after_beijing_midnight_counts_within_the_standard(
        ezhou_store, ezhou_network, ezhou_dataset, now):
    settings, engine = ezhou_store
    with _at(now - timedelta(seconds=15)):
        incident_id, plan_id = _fire(engine, ezhou_network, ezhou_dataset)
        incidents.decide(engine, plan_id, "approve", "王伟")
    with _at(now - timedelta(seconds=5)):
        incidents.advance_incident(engine, incident_id, "王伟")  # en route
        incidents.advance_incident(engine, incident_id, "王伟")  # on scene, 10 s after the call
    with _at(now):
        snap = screen.live_snapshot(engine)
    assert snap.now == now and snap.now.tzinfo is not None
    assert [i.incident_id for i in snap.today] == [incident_id]
    assert snap.arrivals[incident_id] == now - timedelta(seconds=5)
    assert snap.arrivals[incident_id].tzinfo is not None
    assert screen.share_within_standard(snap, settings) == screen.StandardShare(1, 0, 0)


def test_yesterday_beijing_stays_out_of_today(ezhou_store, ezhou_network, ezhou_dataset):
    """An incident of 23:59 Beijing (15:59 UTC) is yesterday's at 00:00:20 Beijing."""
    settings, engine = ezhou_store
    midnight = datetime(2026, 12, 3, 16, 0, 0, tzinfo=UTC)
    with _at(midnight - timedelta(seconds=60)):
        old, old_plan = _fire(engine, ezhou_network, ezhou_dataset)
        incidents.decide(engine, old_plan, "approve", "王伟")
    with _at(midnight + timedelta(seconds=10)):
        new, new_plan = _fire(engine, ezhou_network, ezhou_dataset, lon=114.87)
        incidents.decide(engine, new_plan, "approve", "王伟")
    with _at(midnight + timedelta(seconds=20)):
        snap = screen.live_snapshot(engine)
    assert {i.incident_id for i in snap.incidents} == {old, new}  # both still open
    assert [i.incident_id for i in snap.today] == [new]
    # nobody on scene yet, 10 s into a 5-minute standard: pending, not missed
    assert screen.share_within_standard(snap, settings) == screen.StandardShare(0, 0, 1)
    with _at(midnight + timedelta(minutes=6)):
        later = screen.live_snapshot(engine)
    assert screen.share_within_standard(later, settings) == screen.StandardShare(0, 1, 0)


def test_a_naive_now_is_refused(ezhou_store):
    _settings, engine = ezhou_store
    with pytest.raises(ValueError, match="now: 2026-12-03T16:00:20 has no time zone"):
        screen.live_snapshot(engine, now=datetime(2026, 12, 3, 16, 0, 20))


def test_change_id_moves_with_every_write(ezhou_store, ezhou_network, ezhou_dataset):
    _settings, engine = ezhou_store
    before = screen.change_id(engine)
    with _at(INSTANTS[0]):
        _fire(engine, ezhou_network, ezhou_dataset)
    assert screen.change_id(engine) > before


def test_routes_follow_the_roads(ezhou_network):
    path = screen.route_coords(ezhou_network, to_lat=30.39, to_lon=114.89, from_lat=30.40,
                               from_lon=114.86)
    assert len(path) > 2
    # the path starts near the base and ends near the incident (snapped to the roads)
    assert abs(path[0][0] - 30.40) < 0.01 and abs(path[-1][1] - 114.89) < 0.01
    assert screen.route_coords(ezhou_network, to_lat=30.39, to_lon=114.89, from_lat=30.40,
                               from_lon=114.86) == path
