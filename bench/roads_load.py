"""Loading the road network: from OSM XML, from the .npz cache cold, and warm.

Usage: python bench/roads_load.py [--source FILE] [--repeat 3]

- XML build: parse + filter + simplify + speeds + arrays + write cache (in this process).
- cold cache load: a fresh Python process imports command.roads and calls load_network
  (timed inside that process: imports + hashing the source + reading the .npz), plus the
  first one-to-all travel-time query; also the whole process's wall time.
- warm: load_network again in this process (modules imported, file in the OS cache) and
  a first query on that network (which builds its CSR).
Ratios are to the XML build.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from command.roads import load_network, travel_times_s  # noqa: E402
from command.settings import Settings  # noqa: E402

COLD = r"""
import json, time
t0 = time.perf_counter()
from command.roads import load_network, travel_times_s
from command.settings import from_env
t1 = time.perf_counter()
net = load_network(from_env())
t2 = time.perf_counter()
travel_times_s(net, 0)
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "first_query_s": t3 - t2,
                  "nodes": net.n_nodes}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, help="road file (default: settings.roads_source)")
    ap.add_argument("--repeat", type=int, default=3, help="cold runs (the best is shown)")
    args = ap.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="bench-roads-load-"))
    settings = Settings(data_dir=data_dir, road_network_file=args.source)
    source = settings.roads_source
    if not source.is_file():
        print(f"no road network at {source}; pass --source FILE", file=sys.stderr)
        return 1

    t0 = time.perf_counter()
    net = load_network(settings, rebuild=True)
    build_s = time.perf_counter() - t0

    env = {**os.environ, "CC_DATA_DIR": str(data_dir), "CC_ROAD_NETWORK_FILE": str(source),
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    colds = []
    for _ in range(max(1, args.repeat)):
        w0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", COLD], env=env, capture_output=True,
                             text=True, check=True).stdout
        wall = time.perf_counter() - w0
        colds.append({**json.loads(out.strip().splitlines()[-1]), "wall_s": wall})
    cold = min(colds, key=lambda c: c["load_s"])

    travel_times_s(net, 0)  # imports scipy.sparse.csgraph once, as any warm process has
    warm = []
    for _ in range(5):
        t0 = time.perf_counter()
        again = load_network(settings)
        warm.append(time.perf_counter() - t0)
    warm_s = min(warm)
    t0 = time.perf_counter()
    travel_times_s(again, 0)
    warm_query_s = time.perf_counter() - t0
    assert again.n_nodes == net.n_nodes == cold["nodes"]

    print(f"network: {source} ({net.n_nodes:,} nodes, {net.n_edges:,} edges); "
          f"cache {sum(p.stat().st_size for p in (data_dir / 'cache').glob('*.npz')) / 1e6:.1f} MB")
    rows = [
        ("XML build (parse, simplify, speeds, arrays, cache)", build_s),
        ("cold: load_network from cache (fresh process)", cold["load_s"]),
        ("cold: import command.roads", cold["import_s"]),
        ("cold: first one-to-all query (imports csgraph)", cold["first_query_s"]),
        ("cold: whole process (python start to exit)", cold["wall_s"]),
        ("warm: load_network again in process", warm_s),
        ("warm: one-to-all query (CSR built on first use)", warm_query_s),
    ]
    print(f"{'step':<52} {'seconds':>9} {'XML build / step':>17}")
    for name, secs in rows:
        print(f"{name:<52} {secs:>9.4f} {build_s / secs:>16.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
