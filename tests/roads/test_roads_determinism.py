"""A network built from the same file is the same in every run: merged edges carry their
tags in a fixed order, whatever the interpreter's hash seed (which orders sets)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EZHOU = REPO / "data" / "resources" / "ezhou" / "roads.osm.gz"

SCRIPT = """
import hashlib, numpy as np
from command.settings import Settings
from command.roads import graph_from_file, network_from_graph
s = Settings()
net = network_from_graph(graph_from_file(s.roads_source, s), source="x")
print(hashlib.sha1(np.round(net.edge_time_s, 9).tobytes()
                   + "|".join(map(str, net.edge_name)).encode()
                   + "|".join(map(str, net.edge_highway)).encode()).hexdigest())
"""


def test_build_does_not_depend_on_the_hash_seed():
    assert EZHOU.exists(), "the Ezhou road network is not in data/resources/ezhou"
    digests = set()
    for seed in ("1", "2", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, env=env, check=True,
                             capture_output=True, text=True, timeout=300).stdout
        digests.add(out.strip().splitlines()[-1])
    assert len(digests) == 1
