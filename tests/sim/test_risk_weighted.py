"""``simulate --risk-weighted``: the register in the store scales each district's
industrial incident rates (command/risk/feeds.py), so with the same seed a district with
red points gets more industrial calls than without; the command says what it applied."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pytest

from command import store
from command.app import risk
from command.cli import main
from command.cli.simulate import risk_weighted_dataset
from command.risk import ls_grade
from command.risk.feeds import INDUSTRIAL_TYPES
from command.sim._tables import load_sim_tables
from command.sim.arrivals import generate_calls
from command.store import risk as risk_store

T0 = datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC)


@pytest.fixture
def red_huarong(ezhou_store, ezhou_dataset):
    """The seeded register (华容区: 1 yellow, 4 blue points) and three red points added
    in 华容区 by the LS matrix (5 x 5 = 25): its multiplier is 1 + 0.2 + 4 x 0.05 + 3."""
    settings, engine = ezhou_store
    risk.seed_register(engine, ezhou_dataset, now=T0)
    with store.session_scope(engine) as s:
        for k in range(3):
            risk_store.upsert_risk_point(s, {
                "risk_id": f"RP-T{k}", "name_zh": f"测试红色风险{k}", "name_en": f"test red {k}",
                "district": "华容区", "industry": "chemicals", "enterprise_id": None,
                "hazard_type": "hazmat", "department": "应急管理局", "responsible": "t",
                "lat": 30.51, "lon": 114.65, "grade": "red", "controls": "", "source": "test"},
                method="ls", inputs=ls_grade(5, 5).to_dict(), reason="test", actor="t", now=T0)
    return settings


def _industrial(calls, district: str) -> int:
    return int((calls["incident_type"].isin(INDUSTRIAL_TYPES)
                & (calls["district"] == district)).sum())


def test_red_points_bring_more_industrial_calls_with_the_same_seed(
        red_huarong, ezhou_dataset, ezhou_network):
    weighted, applied = risk_weighted_dataset(red_huarong)
    assert applied["points"] == 17
    assert applied["multipliers"]["华容区"] == pytest.approx(4.4)
    assert "梁子湖区" not in applied["multipliers"]  # no point there: rates unchanged
    before = {(r.incident_type, r.district): r.per_year for r in ezhou_dataset.incident_rates}
    after = {(r.incident_type, r.district): r.per_year for r in weighted.incident_rates}
    assert after[("industrial_fire", "华容区")] == pytest.approx(13.23 * 4.4)
    assert after[("medical", "华容区")] == before[("medical", "华容区")]
    assert after[("industrial_fire", "梁子湖区")] == before[("industrial_fire", "梁子湖区")]
    tables = load_sim_tables(red_huarong.resources_dir)
    plain = generate_calls(ezhou_dataset, ezhou_network, tables, days=365,
                           rng=np.random.default_rng(11))
    risky = generate_calls(weighted, ezhou_network, tables, days=365,
                           rng=np.random.default_rng(11))
    # expected in a year: 13.23 + 4.96 = 18.2 calls, x 4.4 = 80.0
    assert _industrial(risky, "华容区") > 2 * _industrial(plain, "华容区") > 0


def test_the_command_says_what_it_applied(red_huarong, monkeypatch, capsys):
    monkeypatch.setenv("CC_DATA_DIR", str(red_huarong.data_dir))
    monkeypatch.setenv("DATABASE_URL", red_huarong.db_url)
    args = ["simulate", "--days", "0.05", "--replications", "1", "--seed", "3", "--json"]
    assert main(args + ["--risk-weighted"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["risk_weighted"]["points"] == 17
    assert data["risk_weighted"]["multipliers"]["华容区"] == pytest.approx(4.4)
    assert main(args) == 0
    assert "risk_weighted" not in json.loads(capsys.readouterr().out)


def test_the_text_names_the_weighting():
    from command.cli.simulate import experiment_text

    d = {"source": "rates", "days": 1.0, "replications": 1, "seed": 0, "seconds": 0.1,
         "variants": [], "comparisons": [],
         "risk_weighted": {"points": 17, "multipliers": {"华容区": 4.4, "鄂城区": 2.3}}}
    assert experiment_text(d, "en").splitlines()[1] == (
        "rates weighted by the risk register: 17 points; industrial rates x 华容区 x4.4, "
        "鄂城区 x2.3")
