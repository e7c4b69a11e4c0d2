"""candidate_sites.csv: reproduced by its script, loaded and checked like every table."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from command.errors import DataError
from command.resources import load_candidate_sites

EZHOU = Path(__file__).resolve().parents[2] / "data" / "resources" / "ezhou"


def test_the_script_reproduces_the_committed_file(tmp_path):
    subprocess.run([sys.executable, str(EZHOU / "build_candidate_sites.py"), "--out",
                    str(tmp_path)], check=True)
    assert (tmp_path / "candidate_sites.csv").read_bytes() == \
        (EZHOU / "candidate_sites.csv").read_bytes()


def test_every_site_is_marked_illustrative_and_inside_the_area():
    sites = load_candidate_sites(EZHOU)
    assert len(sites) == 72 and len({s.site_id for s in sites}) == 72
    assert all(s.source.startswith("illustrative") and "示意" in s.name_zh for s in sites)
    assert {s.kind for s in sites} == {"town_hall", "school", "park"}


def test_a_bad_row_is_reported_with_row_field_and_value(tmp_path):
    folder = tmp_path / "city"
    shutil.copytree(EZHOU, folder, ignore=shutil.ignore_patterns("*.gz", "scenarios"))
    lines = (folder / "candidate_sites.csv").read_text("utf-8").splitlines()
    lines[2] = lines[2].replace("30.3859", "31.9")
    (folder / "candidate_sites.csv").write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(DataError, match=r"row 3.*field 'lat'.*31\.9"):
        load_candidate_sites(folder)
    (folder / "candidate_sites.csv").unlink()
    assert load_candidate_sites(folder) == ()
