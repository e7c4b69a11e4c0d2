"""Many-to-many travel times: networkx Dijkstra loops vs scipy.sparse.csgraph on CSR.

Usage: python bench/roads_matrix.py [--source FILE] [--sources 100] [--seed 0]

Both run in this process on the same network (default: the data set's roads.osm.gz):
networkx calls single_source_dijkstra_path_length once per source on the MultiDiGraph
weighted by travel_time; the engine runs travel_times_s on the CSR matrix. The table
gives seconds and the ratio to networkx, and the largest difference between the two
answers (they must agree to 1e-6 s).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from command.roads import graph_from_file, network_from_graph, travel_times_s  # noqa: E402
from command.settings import Settings  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, help="road file (default: settings.roads_source)")
    ap.add_argument("--sources", type=int, default=100, help="number of random sources")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    import networkx as nx
    import scipy.sparse.csgraph  # noqa: F401  (imported before timing, as in a warm process)

    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="bench-roads-")))
    source = args.source or settings.roads_source
    if not source.is_file():
        print(f"no road network at {source}; pass --source FILE", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    G = graph_from_file(source, settings)
    net = network_from_graph(G, source=str(source))
    build_s = time.perf_counter() - t0
    rng = np.random.default_rng(args.seed)
    sources = rng.choice(net.n_nodes, size=min(args.sources, net.n_nodes), replace=False)
    targets = rng.choice(net.n_nodes, size=min(args.sources, net.n_nodes), replace=False)
    osmid = net.node_osmid

    # networkx: one single-source Dijkstra per source (the loop the engine avoids)
    t0 = time.perf_counter()
    nx_all = np.full((sources.size, net.n_nodes), np.inf)
    pos = {int(o): i for i, o in enumerate(osmid.tolist())}
    for row, s in enumerate(sources):
        for node, d in nx.single_source_dijkstra_path_length(
                G, int(osmid[s]), weight="travel_time").items():
            nx_all[row, pos[node]] = d
    nx_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    _ = net.csr  # CSR built once per network / closure state, then reused
    csr_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    sp_all = travel_times_s(net, sources)
    sp_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    sp_mm = travel_times_s(net, sources, targets)
    sp_mm_s = time.perf_counter() - t0

    fin = np.isfinite(nx_all)
    assert np.array_equal(fin, np.isfinite(sp_all)), "reachability differs"
    diff_all = float(np.max(np.abs(nx_all[fin] - sp_all[fin])))
    sub = nx_all[:, targets]
    diff_mm = float(np.max(np.abs(sub[np.isfinite(sub)] - sp_mm[np.isfinite(sub)])))
    ok = max(diff_all, diff_mm) < 1e-6

    print(f"network: {source} ({net.n_nodes:,} nodes, {net.n_edges:,} edges; "
          f"built from file in {build_s:.2f} s)")
    print(f"{sources.size} random sources (seed {args.seed})\n")
    rows = [
        (f"networkx, {sources.size} x single_source_dijkstra", f"{sources.size} x all", nx_s),
        ("scipy csgraph dijkstra (CSR)", f"{sources.size} x all", sp_s),
        ("scipy csgraph dijkstra (CSR)", f"{sources.size} x {targets.size}", sp_mm_s),
        ("  CSR build (once per closure state)", "", csr_s),
    ]
    print(f"{'method':<46} {'matrix':>12} {'seconds':>9} {'vs networkx':>12}")
    for name, shape, secs in rows:
        print(f"{name:<46} {shape:>12} {secs:>9.4f} {nx_s / secs:>11.1f}x")
    print(f"\nmax |networkx - scipy| = {max(diff_all, diff_mm):.2e} s "
          f"({'agree' if ok else 'DISAGREE'} to 1e-6 s)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
