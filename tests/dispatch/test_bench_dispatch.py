"""bench/dispatch_vs_greedy.py runs on the Ezhou data and its last line is the JSON the
issue asks for, consistent with its own cases."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_bench_prints_the_benefit_json(ezhou_settings):
    env = {"CC_DATA_DIR": str(ezhou_settings.data_dir), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, str(REPO / "bench" / "dispatch_vs_greedy.py"),
                          "--cases", "12", "--seed", "3", "--json"], capture_output=True,
                         text=True, env=env, timeout=600, check=True).stdout
    data = json.loads(out.strip().splitlines()[-1])
    assert data["cases"] == 12
    low, high = data["ci95"]
    assert low <= data["mean_improvement"] <= high
    assert 0 <= data["worse_cases"] <= 12
    assert sum(data["solver_status"].values()) == 12
    assert abs(data["share_improved"] * 12 - round(data["share_improved"] * 12)) < 0.01
    again = subprocess.run([sys.executable, str(REPO / "bench" / "dispatch_vs_greedy.py"),
                            "--cases", "12", "--seed", "3", "--json"], capture_output=True,
                           text=True, env=env, timeout=600, check=True).stdout
    assert json.loads(again.strip().splitlines()[-1])["greedy_mean_s"] == data["greedy_mean_s"]


def test_bench_refuses_zero_cases():
    r = subprocess.run([sys.executable, str(REPO / "bench" / "dispatch_vs_greedy.py"),
                        "--cases", "0"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "--cases" in r.stderr
