"""``command-center db ...`` end to end through :func:`command.cli.main`."""

import json

import pytest

from command.cli import main
from command.model import Incident
from command.settings import REPO_ROOT
from command.store import create_incident, engine_for, init_db, session_scope

EZHOU = REPO_ROOT / "data" / "resources" / "ezhou"


@pytest.fixture
def env(monkeypatch, db_url, tmp_path):
    for key in ("DATABASE_URL", "CC_DATABASE_URL", "CC_RESOURCES_DIR"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("CC_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DATABASE_URL", db_url)
    return db_url


def _json(capsys):
    return json.loads(capsys.readouterr().out)


def test_status_before_and_after_upgrade(env, capsys):
    assert main(["db", "status", "--json"]) == 0
    assert _json(capsys)["revision"] is None
    assert main(["db", "upgrade", "--json"]) == 0
    assert _json(capsys)["revision"] == "0008"
    assert main(["db", "status", "--json"]) == 0
    status = _json(capsys)
    assert status["revision"] == status["head"] == "0008"
    assert status["last_change_id"] == 0 and status["tables"]["teams"] == 0
    assert "password" not in status["url"]


def test_audit_lists_and_verifies(env, capsys, dataset):
    engine = engine_for(env)
    init_db(engine, dataset, actor="tester")
    with session_scope(engine) as s:
        create_incident(s, Incident("I-1", "fire", 30.39, 114.89), "值班员")
    engine.dispose()
    assert main(["db", "audit", "--verify", "--limit", "5", "--json"]) == 0
    out = _json(capsys)
    assert out["verify"] == {"ok": True, "first_bad_id": None}
    assert [(e["id"], e["action"], e["actor"]) for e in out["entries"]] == [
        (2, "incident.created", "值班员"), (1, "dataset.loaded", "tester")]
    assert main(["db", "audit", "--verify"]) == 0
    assert "audit chain intact" in capsys.readouterr().out


def test_audit_of_an_uninitialised_store_is_a_clear_error(env, capsys):
    assert main(["db", "audit"]) == 2
    assert "db init" in capsys.readouterr().err


def test_broken_chain_exits_1(env, capsys, dataset):
    engine = engine_for(env)
    init_db(engine, dataset)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_update_delete ON audit_log")
        conn.exec_driver_sql("UPDATE audit_log SET actor = 'mallory'")
    engine.dispose()
    assert main(["db", "audit", "--verify"]) == 1
    assert "AUDIT CHAIN BROKEN at entry 1" in capsys.readouterr().out


def test_db_init_loads_the_ezhou_data_set_once(env, capsys):
    assert EZHOU.is_dir() and any(EZHOU.iterdir()), f"the Ezhou data set ({EZHOU}) is missing"
    from command.resources import load_dataset

    dataset = load_dataset(EZHOU)
    assert main(["db", "init", "--json"]) == 0
    first = _json(capsys)
    expected = {"agencies": len(dataset.agencies), "bases": len(dataset.bases),
                "teams": len(dataset.teams), "items": len(dataset.items),
                "depots": len(dataset.depots), "stocks": len(dataset.stocks),
                "hospitals": len(dataset.hospitals), "shelters": len(dataset.shelters),
                "enterprises": len(dataset.enterprises),
                "hazard_sources": len(dataset.hazard_sources),
                "grid_cells": len(dataset.grid_cells), "grid_members": len(dataset.grid_members),
                "population_areas": len(dataset.population),
                "response_packages": len(dataset.response_packages),
                "incident_rates": len(dataset.incident_rates)}
    assert {k: v["rows"] for k, v in first["tables"].items()} == expected
    assert first["changes"] == sum(expected.values()) and first["audit_id"] == 1
    # a new store gets its administrator and, for this illustrative set, a demo account per
    # role, all with one random password shown once
    accounts = first["first_accounts"]
    assert accounts["users"][0] == "admin" and len(accounts["users"]) == 10
    assert "demo-duty-officer" in accounts["users"] and len(accounts["password"]) >= 16
    # the floor for the Ezhou data set
    assert expected["bases"] >= 35 and expected["teams"] >= 120 and expected["items"] >= 15
    assert main(["db", "init", "--json"]) == 0
    second = _json(capsys)
    assert second["changes"] == 0 and second["audit_id"] is None
    assert "first_accounts" not in second  # never a second password
    assert main(["db", "status", "--json"]) == 0
    status = _json(capsys)
    # the load, one entry per account, one per major hazard source entering the register
    assert first["risk_register"] == len(dataset.hazard_sources) and second["risk_register"] == 0
    # and the illustrative set's demo inspectors: one entry each, one for the conflict
    assert first["demo_inspectors"] == 6 and second["demo_inspectors"] == 0
    # and the early warning's sensor registry: one entry for the lot
    assert first["sensors"] >= 16 and second["sensors"] == 0
    assert status["last_change_id"] == 1 + 10 + len(dataset.hazard_sources) + 6 + 1 + 1
    assert status["tables"]["teams"] == expected["teams"]
