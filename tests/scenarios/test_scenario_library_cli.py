"""``command-center scenario list|show|zones`` with --json."""

import json

import pytest
import yaml

from command.cli import main


def run(capsys, *argv):
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.fixture
def env(ezhou_settings, monkeypatch):
    monkeypatch.setenv("CC_DATA_DIR", str(ezhou_settings.data_dir))


def test_list_json(capsys, env):
    rc, out, _ = run(capsys, "scenario", "list", "--json")
    rows = json.loads(out)
    assert rc == 0 and len(rows) >= 6
    ids = {r["id"] for r in rows}
    assert {"chlorine-gedian", "yangtze-breach-echeng", "aircraft-huahu-airport"} <= ids
    assert all(r["illustrative"] or r["sources"] for r in rows)


def test_show_json(capsys, env):
    rc, out, _ = run(capsys, "scenario", "show", "co-egang-gas", "--json")
    d = json.loads(out)
    assert rc == 0 and d["id"] == "co-egang-gas"
    assert d["hazards"][0]["substance"] == "carbon_monoxide"
    assert d["weather"] == {"wind_m_s": 1.5, "wind_from_deg": 270.0, "stability": "E"}


def test_zones_json(capsys, env):
    rc, out, _ = run(capsys, "scenario", "zones", "lpg-tanker-wue-expressway", "--json")
    d = json.loads(out)
    assert rc == 0
    grades = [f["properties"]["grade"] for f in d["zones"]["features"]]
    assert sorted(grades) == ["orange", "red", "yellow"]
    assert d["closed_edges"]["count"] > 0 and d["closed_edges"]["km"] > 0
    assert d["population"]["inside"] > 0
    assert "fire" in {a["agency_id"] for a in d["agencies"]}
    assert d["evacuation"]["shelters"]
    assert d["timed_closures"][0]["roads"] == ["武鄂高速"]


def test_zones_of_a_yaml_path_and_an_error_for_a_bad_one(capsys, env, tmp_path):
    rc, out, _ = run(capsys, "scenario", "show", "highrise-fire-echeng", "--json")
    data = json.loads(out)
    keep = {k: data[k] for k in ("id", "name", "description", "illustrative", "place",
                                 "hazards", "incidents")}
    keep["id"] = "copy"
    path = tmp_path / "copy.yaml"
    path.write_text(yaml.safe_dump(keep, allow_unicode=True), encoding="utf-8")
    rc, out, _ = run(capsys, "scenario", "zones", str(path), "--json")
    assert rc == 0 and json.loads(out)["scenario"] == "copy"
    keep["hazards"][0]["radius_m"] = -3
    path.write_text(yaml.safe_dump(keep, allow_unicode=True), encoding="utf-8")
    rc, _, err = run(capsys, "scenario", "zones", str(path))
    assert rc == 2 and "hazards[0].radius_m" in err and "-3" in err
