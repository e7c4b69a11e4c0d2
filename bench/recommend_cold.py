"""Cold and warm `command-center recommend` on the default Ezhou data.

Cold: a fresh process answering from the compact network cache (what an operator's
command costs). Baseline in the same run: a fresh process that must first rebuild the
cache from the OSM XML, and the warm in-process call. Prints seconds and ratios.

    python bench/recommend_cold.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

ARGS = ["-m", "command", "recommend", "--lat", "30.39", "--lon", "114.89", "--type", "fire",
        "--json"]


def run(env) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, *ARGS], env=env, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    opts = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CC_DATA_DIR": tmp}
        build = run(env)  # no cache yet: parses the XML and writes the cache
        cold = min(run(env) for _ in range(opts.repeat))
    from command import roads
    from command.dispatch.recommend import recommend
    from command.resources import load_dataset
    from command.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        s = Settings(data_dir=tmp)
        net, ds = roads.load_network(s), load_dataset(s.resources_dir)
        recommend(net, ds, lat=30.39, lon=114.89, incident_type="fire", max_snap_distance_m=2000)
        t0 = time.perf_counter()
        for _ in range(opts.repeat):
            recommend(net, ds, lat=30.39, lon=114.89, incident_type="fire",
                      max_snap_distance_m=2000)
        warm = (time.perf_counter() - t0) / opts.repeat
    print(f"{'case':<44}{'seconds':>10}{'ratio to cold':>16}")
    for name, sec in (("fresh process, cache rebuilt from XML (baseline)", build),
                      ("fresh process, from the cache (cold)", cold),
                      ("in process, network loaded (warm)", warm)):
        print(f"{name:<44}{sec:>10.3f}{sec / cold:>16.2f}")


if __name__ == "__main__":
    main()
