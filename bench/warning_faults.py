"""Faults versus alarms on the simulator's labelled streams.

    python bench/warning_faults.py [--per-label 100] [--readings 120] [--seeds 0,1,2] [--json]

For each seed, :func:`command.warning.simulate.labelled_set` makes ``--per-label``
streams of each label (normal, a ramp to an alarm, and the faults stale, flat line,
out of range, spike, drift) over the Ezhou registry's sensors, and
:func:`command.warning.simulate.score` runs the analyser over each. Printed per seed and
overall: precision and recall of real alarms, faults raised as alarms (must be 0), each
fault kind found, streams per second; and the baseline: a bare threshold check (an alarm
whenever a reading reaches the lowest threshold, no fault rules) on the same streams,
with the ratio of our precision to its precision.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from command.settings import REPO_ROOT  # noqa: E402
from command.warning import simulate  # noqa: E402
from command.warning.registry import load_registry  # noqa: E402

START = datetime(2026, 12, 4, tzinfo=UTC)


def bare_threshold(streams) -> dict:
    tp = fp = fn = faults_as_alarms = 0
    for st in streams:
        spec = st.sensors[0]
        low = spec.thresholds.items()[0][1]
        alarmed = any(r.value >= low for r in st.readings if r.sensor_id == spec.sensor_id)
        if st.label == "alarm":
            tp, fn = tp + alarmed, fn + (not alarmed)
        else:
            fp += alarmed
            faults_as_alarms += alarmed and st.label != "normal"
    return {"precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0, "faults_as_alarms": faults_as_alarms}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-label", type=int, default=100)
    ap.add_argument("--readings", type=int, default=120)
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    reg = load_registry(REPO_ROOT / "data/resources/ezhou/sensors.yaml")
    rows = []
    for seed in (int(s) for s in args.seeds.split(",")):
        streams = simulate.labelled_set(reg.sensors, start=START, seed=seed,
                                        per_label=args.per_label, n=args.readings)
        t0 = time.perf_counter()
        ours = simulate.score(streams)
        secs = time.perf_counter() - t0
        bare = bare_threshold(streams)
        rows.append({"seed": seed, **{k: ours[k] for k in (
            "streams", "alarms_true", "alarms_found", "false_alarms", "precision", "recall",
            "faults_as_alarms", "faults_found", "fault_streams")},
            "streams_per_s": round(len(streams) / secs, 1),
            "bare_precision": bare["precision"], "bare_faults_as_alarms": bare["faults_as_alarms"],
            "precision_ratio": ours["precision"] / bare["precision"]})
    total = {"precision": min(r["precision"] for r in rows),
             "recall": min(r["recall"] for r in rows),
             "faults_as_alarms": sum(r["faults_as_alarms"] for r in rows)}
    if args.json:
        print(json.dumps({"seeds": rows, "worst": total}))
    else:
        print(f"{'seed':>4} {'streams':>7} {'precision':>9} {'recall':>6} {'faults→alarm':>12} "
              f"{'bare prec.':>10} {'bare f→a':>8} {'ratio':>6} {'streams/s':>9}")
        for r in rows:
            print(f"{r['seed']:>4} {r['streams']:>7} {r['precision']:>9.3f} {r['recall']:>6.3f} "
                  f"{r['faults_as_alarms']:>12} {r['bare_precision']:>10.3f} "
                  f"{r['bare_faults_as_alarms']:>8} {r['precision_ratio']:>6.2f} "
                  f"{r['streams_per_s']:>9}")
            print("     faults found: " + ", ".join(
                f"{k} {r['faults_found'].get(k, 0)}/{n}" for k, n in r["fault_streams"].items()))
        print(f"worst precision {total['precision']:.3f}, worst recall {total['recall']:.3f}, "
              f"faults raised as alarms {total['faults_as_alarms']}")
    ok = total["precision"] >= 0.95 and total["recall"] >= 0.95 and total["faults_as_alarms"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
