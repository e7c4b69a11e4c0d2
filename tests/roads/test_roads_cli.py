"""command-center roads info / build on the fixture and on the default Ezhou data."""

from __future__ import annotations

import json

from roads_testkit import TINY

from command.cli import main
from command.settings import Settings


def test_info_and_build_on_a_named_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CC_ROAD_NETWORK_FILE", str(TINY))
    assert main(["roads", "info", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert (d["nodes"], d["edges"], d["strongly_connected_share"]) == (9, 19, 1.0)
    assert d["bbox"] == [114.795, 30.395, 114.815, 30.425]
    assert main(["roads", "info"]) == 0
    assert "strongly connected share  1.0000" in capsys.readouterr().out
    assert main(["roads", "build", "--json"]) == 0
    b = json.loads(capsys.readouterr().out)
    assert b["nodes"] == 9 and b["seconds"] > 0 and b["cache"].startswith(str(tmp_path))


def test_info_on_a_missing_file_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CC_ROAD_NETWORK_FILE", str(tmp_path / "gone.osm"))
    assert main(["roads", "info"]) == 2
    assert "gone.osm does not exist" in capsys.readouterr().err


def test_info_on_the_default_network(tmp_path, monkeypatch, capsys):
    """Acceptance: nodes >= 5000 and the largest strongly connected component >= 99%."""
    source = Settings().roads_source
    assert source.is_file(), f"the default road network {source} is missing"
    monkeypatch.setenv("CC_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CC_ROAD_NETWORK_FILE", raising=False)
    assert main(["roads", "info", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["nodes"] >= 5000
    assert d["strongly_connected_share"] >= 0.99
    assert d["edges"] > d["nodes"] and d["total_km"] > 500
    w, s, e, n = d["bbox"]  # Ezhou lies around 114.5-115.1 E, 30.0-30.6 N
    assert 114.3 < w < e < 115.3 and 29.9 < s < n < 30.8
