"""The live situation from the store (SQLite), and the materials pipeline over it."""

from __future__ import annotations

import pytest

from command import store
from command.app.situations import materials_from_store, situation_from_store
from command.errors import DataError
from command.model import Incident
from command.situation import situation_from_dict


def _incident(engine, type_, lat, lon, *, grade=4, priority=2, drill=False) -> str:
    with store.session_scope(engine) as s:
        return store.create_incident(s, Incident("", type_, lat, lon, priority, grade),
                                     actor="test", is_drill=drill)


def test_empty_store_gives_an_empty_situation(ezhou_store, ezhou_dataset):
    _settings, engine = ezhou_store
    data = situation_from_store(engine, ezhou_dataset)
    assert data == {"name": "live", "incidents": [], "units": []}
    situation_from_dict(data)  # valid as a situation


def test_open_live_incidents_and_unit_statuses(ezhou_store, ezhou_dataset):
    _settings, engine = ezhou_store
    first = _incident(engine, "hazmat_leak", 30.39, 114.89, grade=2, priority=1)
    second = _incident(engine, "fire", 30.52, 114.64, grade=3)
    closed = _incident(engine, "medical", 30.40, 114.88)
    drill = _incident(engine, "fire", 30.36, 114.87, drill=True)
    unit = ezhou_dataset.teams[0].unit_id
    other = ezhou_dataset.teams[1].unit_id
    with store.session_scope(engine) as s:
        store.close_incident(s, closed, actor="test")
        for status in ("dispatched", "en_route", "on_scene"):
            store.set_unit_status(s, unit, status, actor="test", incident_id=first)
        store.set_unit_status(s, other, "out_of_service", actor="test")

    data = situation_from_store(engine, ezhou_dataset)
    assert [i["id"] for i in data["incidents"]] == [first, second]  # oldest first
    assert data["incidents"][0] == {"id": first, "type": "hazmat_leak", "grade": 2,
                                    "priority": 1, "lat": 30.39, "lon": 114.89}
    by_id = {u["unit_id"]: u for u in data["units"]}
    assert set(by_id) == {unit, other}
    assert by_id[unit] == {"unit_id": unit, "status": "on_scene", "lat": 30.39, "lon": 114.89}
    assert by_id[other] == {"unit_id": other, "status": "out_of_service"}
    situation, _ = situation_from_dict(data)
    assert len(situation.incidents) == 2

    with_drills = situation_from_store(engine, ezhou_dataset, include_drills=True)
    assert [i["id"] for i in with_drills["incidents"]] == [first, second, drill]
    assert drill.startswith("D-")


def test_materials_from_store_ships_the_packages_of_live_incidents(ezhou_store, ezhou_network,
                                                                 ezhou_dataset):
    settings, engine = ezhou_store
    leak = _incident(engine, "hazmat_leak", 30.39, 114.89, grade=2, priority=1)
    _incident(engine, "fire", 30.36, 114.87, drill=True)  # must not get anything
    with store.session_scope(engine, read_only=True) as s:
        change = store.last_change_id(s)
    out = materials_from_store(engine, ezhou_network, ezhou_dataset, settings)
    assert out["change_id"] == change
    assert [i["id"] for i in out["situation"]["incidents"]] == [leak]
    package = ezhou_dataset.material_package("hazmat_leak", 2)
    shipped: dict[str, float] = {}
    for sh in out["materials"]["shipments"]:
        assert sh["point_id"] == leak
        shipped[sh["item_id"]] = shipped.get(sh["item_id"], 0.0) + sh["quantity"]
    unmet = {u["item_id"]: u["unmet"] for u in out["materials"]["unmet"]}
    for item, (quantity, _deadline) in package.items():
        assert shipped.get(item, 0.0) + unmet.get(item, 0.0) == pytest.approx(quantity)
    # every depot that ships has a truck route that starts at the depot and ends at the leak
    depots = {d.depot_id: d for d in ezhou_dataset.depots}
    shipping = {sh["depot_id"] for sh in out["materials"]["shipments"]}
    routed = {d["depot_id"] for d in out["deliveries"]["depots"] if d["routes"]}
    assert routed == shipping
    for d in out["deliveries"]["depots"]:
        for r in d["routes"]:
            start, end = r["path"][0], r["path"][-1]
            assert abs(start[0] - depots[d["depot_id"]].lat) < 0.01
            assert abs(end[0] - 30.39) < 0.01 and abs(end[1] - 114.89) < 0.01


def test_no_incident_gives_no_shipment(ezhou_store, ezhou_network, ezhou_dataset):
    settings, engine = ezhou_store
    out = materials_from_store(engine, ezhou_network, ezhou_dataset, settings)
    assert out["materials"]["shipments"] == [] and out["deliveries"] == {"depots": []}


def test_an_incident_off_the_network_is_a_data_error(ezhou_store, ezhou_network, ezhou_dataset):
    settings, engine = ezhou_store
    _incident(engine, "fire", 31.5, 116.5)  # 100+ km away from Ezhou's roads
    with pytest.raises(DataError) as err:
        materials_from_store(engine, ezhou_network, ezhou_dataset, settings)
    assert any("off the road network" in p.rule for p in err.value.problems)
