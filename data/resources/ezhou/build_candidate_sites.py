"""Write candidate_sites.csv: illustrative places where a new station, standby post or
reserve depot could go, for the siting page and ``optimise site --city``.

There is no public list of sites a city could build on. A planner would list public land
(a town hall's yard, a school's grounds, a park's edge); this script stands in for that
list with three places around every town or street grid centre of grid_cells.csv (which
sit on the town's streets): a town hall, a school and a park, a few hundred metres from
the centre by fixed offsets. Every row is marked illustrative. Run it after
build_tables.py::

    python data/resources/ezhou/build_candidate_sites.py [--out DIR]

The output is deterministic (no randomness; rows in the order of grid_cells.csv).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: kind -> (Chinese suffix, English suffix, latitude offset, longitude offset), degrees.
KINDS = {
    "town_hall": ("政府院内", "town hall", 0.0030, 0.0020),
    "school": ("中学操场旁", "school", -0.0035, 0.0015),
    "park": ("公园边", "park", 0.0010, -0.0040),
}

SOURCE = ("illustrative: no public list of sites; placed at a fixed offset from the town "
          "grid centre (build_candidate_sites.py)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    out = parser.parse_args().out
    with open(HERE / "grid_cells.csv", encoding="utf-8") as f:
        towns = [r for r in csv.DictReader(f) if r["level"] == "town"]
    rows = []
    for town in towns:
        key = town["grid_id"].removeprefix("GT-")
        name_en = key.replace("-", " ").title()
        for kind, (zh, en, dlat, dlon) in KINDS.items():
            rows.append({
                "site_id": f"CS-{key}-{kind.replace('_', '')}",
                "name_zh": f"{town['name_zh']}{zh}（示意）",
                "name_en": f"{name_en} {en} (illustrative)",
                "kind": kind, "district": town["district"],
                "lat": f"{float(town['lat']) + dlat:.4f}",
                "lon": f"{float(town['lon']) + dlon:.4f}", "source": SOURCE})
    with open(out / "candidate_sites.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
