"""roads fetch against a fake Overpass + Nominatim server on 127.0.0.1.

No request may leave the machine: name resolution and socket connections to anything
but loopback are refused for the duration of each test, and the fake server records
every request it answers.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from command.cli import main
from command.errors import RoadNetworkError
from command.roads import fetch_network, graph_from_file, network_from_graph
from command.settings import Settings

# The area the fake Nominatim returns for any place, and the roads the fake Overpass
# returns for any query (all inside it). After simplification node 3 (two neighbours,
# four directed edges) disappears; 1 and 5 are dead ends, 2 and 4 junctions, 6 the end
# of a one-way road.
POLYGON = [[114.80, 30.40], [114.82, 30.40], [114.82, 30.42], [114.80, 30.42],
           [114.80, 30.40]]
NODES = {1: (30.405, 114.805), 2: (30.405, 114.810), 3: (30.405, 114.815),
         4: (30.410, 114.810), 5: (30.415, 114.810), 6: (30.410, 114.815)}
WAYS = [
    (10, [1, 2, 3], {"highway": "primary", "name": "Fake Avenue", "maxspeed": "60"}),
    (11, [2, 4, 5], {"highway": "residential", "name": "Fake Street"}),
    (12, [4, 6], {"highway": "tertiary", "oneway": "yes"}),
    (13, [6, 3], {"highway": "residential"}),
]
OVERPASS_JSON = {
    "version": 0.6,
    "generator": "fake overpass",
    "elements": [{"type": "node", "id": i, "lat": lat, "lon": lon}
                 for i, (lat, lon) in NODES.items()]
    + [{"type": "way", "id": w, "nodes": nds, "tags": tags} for w, nds, tags in WAYS],
}
NOMINATIM_JSON = [{
    "place_id": 1, "licence": "fake", "osm_type": "relation", "osm_id": 1,
    "boundingbox": ["30.40", "30.42", "114.80", "114.82"], "lat": "30.41", "lon": "114.81",
    "display_name": "鄂州市, 湖北省, 中国", "class": "boundary", "type": "administrative",
    "importance": 0.6, "geojson": {"type": "Polygon", "coordinates": [POLYGON]},
}]


class _Handler(BaseHTTPRequestHandler):
    def _answer(self, body: object, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802
        url = urlparse(self.path)
        self.server.log.append(("GET", url.path, parse_qs(url.query)))
        if url.path == "/nominatim/search":
            self._answer(NOMINATIM_JSON)
        else:
            self._answer({"error": "unknown"}, 404)

    def do_POST(self):  # noqa: N802
        url = urlparse(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        self.server.log.append(("POST", url.path, parse_qs(body)))
        if url.path == "/api/interpreter":
            self._answer(OVERPASS_JSON)
        else:
            self._answer({"error": "unknown"}, 404)

    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture()
def fake_osm():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.log = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture()
def loopback_only(monkeypatch):
    """Refuse to resolve or connect to anything but 127.0.0.1 / localhost."""
    import osmnx._http as oxhttp

    refused: list[object] = []
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    local = {"127.0.0.1", "localhost", "::1"}

    def getaddrinfo(host, *args, **kwargs):
        if host not in local:
            refused.append(host)
            raise socket.gaierror(f"test: refusing to resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    def gethostbyname(host):
        if host not in local:
            refused.append(host)
            raise socket.gaierror(f"test: refusing to resolve {host!r}")
        return "127.0.0.1"

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in local:
            refused.append(address)
            raise ConnectionRefusedError(f"test: refusing to connect to {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "gethostbyname", gethostbyname)
    monkeypatch.setattr(oxhttp, "_original_getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    yield refused
    assert refused == [], f"a request tried to leave the machine: {refused}"


def _settings(tmp_path, server) -> Settings:
    port = server.server_address[1]
    return Settings(data_dir=tmp_path, overpass_url=f"http://127.0.0.1:{port}/api",
                    nominatim_url=f"http://127.0.0.1:{port}/nominatim/")


def test_fetch_place_saves_a_loadable_graphml(tmp_path, fake_osm, loopback_only):
    import osmnx as ox

    before = {k: getattr(ox.settings, k) for k in ("overpass_url", "nominatim_url",
                                                    "doh_url_template", "use_cache")}
    getaddrinfo_before = socket.getaddrinfo
    settings = _settings(tmp_path, fake_osm)
    path = fetch_network(place="鄂州市, 湖北省, 中国", settings=settings)
    assert path.suffix == ".graphml" and path.parent == settings.cache_dir
    kinds = [(m, p) for m, p, _ in fake_osm.log]
    assert kinds == [("GET", "/nominatim/search"), ("POST", "/api/interpreter")]
    assert fake_osm.log[0][2]["q"] == ["鄂州市, 湖北省, 中国"]
    assert '"highway"!~"abandoned' in fake_osm.log[1][2]["data"][0]  # the drive filter

    # osmnx settings and the resolver are as they were
    assert {k: getattr(ox.settings, k) for k in before} == before
    assert socket.getaddrinfo is getaddrinfo_before

    G = graph_from_file(path, settings)
    assert sorted(G.nodes) == [1, 2, 4, 5, 6]
    net = network_from_graph(G, source=str(path))
    names = set(net.edge_name.tolist())
    assert {"Fake Avenue", "Fake Street"} <= names
    # Fake Avenue 1 -> 2 carries maxspeed 60
    e = [i for i in range(net.n_edges) if net.node_osmid[net.edge_u[i]] == 1]
    assert net.edge_speed_kmh[e[0]] == 60.0

    # a second fetch is answered from the HTTP cache under cache_dir
    fetch_network(place="鄂州市, 湖北省, 中国", settings=settings, out=tmp_path / "again.graphml")
    assert len(fake_osm.log) == 2
    assert any((settings.cache_dir / "osmnx-http").glob("*.json"))


def test_cli_fetch_bbox_then_info(tmp_path, fake_osm, loopback_only, monkeypatch, capsys):
    port = fake_osm.server_address[1]
    monkeypatch.setenv("CC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CC_OVERPASS_URL", f"http://127.0.0.1:{port}/api")
    monkeypatch.setenv("CC_NOMINATIM_URL", f"http://127.0.0.1:{port}/nominatim/")
    out = tmp_path / "box.graphml"
    assert main(["roads", "fetch", "--bbox", "114.80", "30.40", "114.82", "30.42",
                 "--out", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"path": str(out)}
    assert [(m, p) for m, p, _ in fake_osm.log] == [("POST", "/api/interpreter")]
    assert "poly:" in fake_osm.log[0][2]["data"][0]
    # the product uses the fetched network when settings name it
    monkeypatch.setenv("CC_ROAD_NETWORK_FILE", str(out))
    assert main(["roads", "info", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["nodes"] == 5 and d["source"] == str(out)
    assert d["bbox"] == [114.805, 30.405, 114.815, 30.415]


def test_unreachable_server_is_a_clear_error(tmp_path, loopback_only):
    with socket.socket() as s:  # a free port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(data_dir=tmp_path, overpass_url=f"http://127.0.0.1:{port}/api",
                        nominatim_url=f"http://127.0.0.1:{port}/nominatim/")
    with pytest.raises(RoadNetworkError, match="cannot download the road network of bbox"):
        fetch_network(bbox=(114.80, 30.40, 114.82, 30.42), settings=settings)


@pytest.mark.parametrize("bbox, rule", [
    (["115.0", "30.0", "114.0", "31.0"], "W (115.0) must be less than E (114.0)"),
    (["114.0", "31.0", "115.0", "30.0"], "S (31.0) must be less than N (30.0)"),
    (["114.0", "95.0", "115.0", "96.0"], "latitudes between -90 and 90"),
])
def test_cli_bad_bbox_names_the_argument(bbox, rule, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("CC_DATA_DIR", str(tmp_path))
    assert main(["roads", "fetch", "--bbox", *bbox]) == 2
    err = capsys.readouterr().err
    assert "--bbox" in err and rule in err


def test_fetch_arguments(tmp_path):
    with pytest.raises(RoadNetworkError, match="either a place or a bounding box"):
        fetch_network(settings=Settings(data_dir=tmp_path))
    with pytest.raises(RoadNetworkError, match="either a place or a bounding box"):
        fetch_network(place="x", bbox=(1, 2, 3, 4), settings=Settings(data_dir=tmp_path))
    with pytest.raises(RoadNetworkError, match="place name is empty"):
        fetch_network(place=" ", settings=Settings(data_dir=tmp_path))


def test_the_guard_would_catch_an_outside_request(tmp_path, loopback_only):
    # the default settings name the real servers: the request is refused before it leaves
    with pytest.raises(RoadNetworkError, match="cannot download"):
        fetch_network(bbox=(114.80, 30.40, 114.82, 30.42), settings=Settings(data_dir=tmp_path))
    assert "overpass-api.de" in [str(h) for h in loopback_only]
    loopback_only.clear()
