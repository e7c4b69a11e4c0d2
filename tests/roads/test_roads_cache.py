"""load_network: the .npz cache, its invalidation, and errors for bad source files."""

from __future__ import annotations

import bz2
import gzip
import shutil

import numpy as np
import pytest
from roads_testkit import TINY

from command.errors import RoadNetworkError
from command.roads import _cache, cache_path, graph_from_file, load_network
from command.settings import Settings


@pytest.fixture()
def settings(tmp_path):
    src = tmp_path / "roads.osm.gz"
    src.write_bytes(gzip.compress(TINY.read_bytes()))
    return Settings(data_dir=tmp_path / "var", road_network_file=src)


def _count_builds(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = _cache.save_cache

    def spy(net, path, key):
        calls.append(key)
        real(net, path, key)

    monkeypatch.setattr(_cache, "save_cache", spy)
    return calls


def test_cache_is_written_then_used(settings, monkeypatch):
    builds = _count_builds(monkeypatch)
    events = []
    first = load_network(settings, progress=lambda f, m: events.append((f, m)))
    assert cache_path(settings).is_file() and len(builds) == 1
    assert events[0][0] == 0.0 and events[-1][0] == 1.0
    second = load_network(settings)
    assert len(builds) == 1  # no rebuild
    for name in ("node_osmid", "edge_u", "edge_v", "edge_time_s", "geom_lat", "edge_name"):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))
    assert second.source == str(settings.roads_source)
    assert len(second.source_hash) == 64
    load_network(settings, rebuild=True)
    assert len(builds) == 2


def test_cache_rebuilt_when_source_changes(settings, monkeypatch):
    builds = _count_builds(monkeypatch)
    before = load_network(settings)
    # the primary road becomes a motorway: new content, new times
    changed = TINY.read_text(encoding="utf-8").replace(
        '<tag k="highway" v="primary"/>', '<tag k="highway" v="motorway"/>')
    settings.roads_source.write_bytes(gzip.compress(changed.encode()))
    after = load_network(settings)
    assert len(builds) == 2
    assert before.source_hash != after.source_hash
    assert after.edge_time_s.sum() < before.edge_time_s.sum()
    assert "motorway" in after.edge_highway.tolist()


def test_cache_rebuilt_when_speeds_change(settings, monkeypatch):
    builds = _count_builds(monkeypatch)
    slow = load_network(settings)
    fast = load_network(settings.replace(emergency_speed_factor=1.5))
    assert len(builds) == 2
    np.testing.assert_allclose(fast.edge_time_s * 1.5, slow.edge_time_s * 1.2)


def test_damaged_cache_is_rebuilt(settings, monkeypatch):
    load_network(settings)
    cache_path(settings).write_bytes(b"not a zip file")
    builds = _count_builds(monkeypatch)
    net = load_network(settings)
    assert len(builds) == 1 and net.n_nodes == 9


def test_compression_formats(tmp_path):
    plain = tmp_path / "a.osm"
    shutil.copy(TINY, plain)
    bzipped = tmp_path / "a.osm.bz2"
    bzipped.write_bytes(bz2.compress(TINY.read_bytes()))
    xml = tmp_path / "a.xml"
    shutil.copy(TINY, xml)
    sizes = {len(graph_from_file(p, Settings())) for p in (plain, bzipped, xml)}
    assert sizes == {9}


@pytest.mark.parametrize("content, expected", [
    (TINY.read_bytes()[:700], "not valid OSM XML: no element found at line"),
    (b"this is not XML at all\n", "not valid OSM XML: syntax error at line 1"),
    (b"", "the file is empty"),
    (b'<?xml version="1.0"?><osm version="0.6"></osm>', "no OSM nodes or ways"),
    (b'<?xml version="1.0"?><osm version="0.6"><node id="1" lat="30" lon="114"/>'
     b'<way id="2"><nd ref="1"/><nd ref="1"/><tag k="highway" v="footway"/></way></osm>',
     "drivable"),
    (b'<?xml version="1.0"?><osm version="0.6"><node id="1" lat="30" lon="114"/>'
     b'<way id="2"><nd ref="1"/><nd ref="5"/><tag k="highway" v="primary"/></way></osm>',
     "node without coordinates"),
])
def test_malformed_osm_names_the_file(tmp_path, content, expected):
    path = tmp_path / "bad.osm"
    path.write_bytes(content)
    with pytest.raises(RoadNetworkError) as err:
        graph_from_file(path, Settings())
    assert str(path) in str(err.value) and expected in str(err.value)


def test_truncated_gzip_and_missing_file(tmp_path):
    path = tmp_path / "cut.osm.gz"
    path.write_bytes(gzip.compress(TINY.read_bytes())[:300])
    with pytest.raises(RoadNetworkError, match="cut.osm.gz.*(damaged or truncated|line)"):
        graph_from_file(path, Settings())
    missing = tmp_path / "nowhere.osm"
    with pytest.raises(RoadNetworkError, match="nowhere.osm: the file does not exist"):
        graph_from_file(missing, Settings())
    with pytest.raises(RoadNetworkError, match="nowhere.osm does not exist"):
        load_network(Settings(data_dir=tmp_path, road_network_file=missing))
    odd = tmp_path / "roads.csv"
    odd.write_text("a,b\n")
    with pytest.raises(RoadNetworkError, match="unknown file type"):
        graph_from_file(odd, Settings())
    bad_graphml = tmp_path / "x.graphml"
    bad_graphml.write_text("<graphml><graph")
    with pytest.raises(RoadNetworkError, match="x.graphml.*not valid GraphML"):
        graph_from_file(bad_graphml, Settings())
