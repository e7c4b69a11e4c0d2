"""``command-center risk rate --period year|month|week`` on the Ezhou store with the clock
pinned: the text, the JSON and the HTML/CSV reports; bad options exit 2 naming the field
and the value, and write nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine

from command import store
from command.app import risk
from command.cli import main

NOW = datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC)  # 00:00:20 on 4 December in Beijing


@pytest.fixture
def rate(ezhou_store, ezhou_dataset, monkeypatch, capsys):
    """``rate(*args)`` runs ``command-center risk rate ARGS`` on the seeded register:
    (exit code, stdout, stderr)."""
    settings, engine = ezhou_store
    risk.seed_register(engine, ezhou_dataset, now=NOW)
    for name, value in (("CC_DATA_DIR", str(settings.data_dir)),
                        ("DATABASE_URL", settings.db_url)):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CC_LANGUAGE", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        with time_machine.travel(NOW, tick=False):
            code = main(["risk", "rate", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    run.engine = engine
    return run


def _last(engine):
    with store.session_scope(engine, read_only=True) as s:
        return store.list_audit(s, limit=1)[0]


def test_a_yearly_job_prints_its_summary_and_audits_the_run(rate):
    code, out, _ = rate("--period", "year", "--actor", "cron")
    assert code == 0
    assert out.splitlines()[0] == "风险年度定期评级报告"
    assert "由 cron 评级；覆盖等级：红、橙、黄、蓝；复核 14 处，等级变化 0 处" in out
    entry = _last(rate.engine)
    assert (entry.action, entry.actor, entry.subject) == ("risk.rated", "cron", "rating:year")
    assert entry.at == NOW and entry.payload["reviewed"] == 14


def test_json_and_reports(rate, tmp_path):
    html_path, csv_path = tmp_path / "rating.html", tmp_path / "rating.csv"
    code, out, err = rate("--period", "week", "--json", "--report", str(html_path))
    data = json.loads(out)
    assert code == 0 and err == ""
    assert data == {"period": "week", "at": NOW.isoformat(), "actor": "cli",
                    "grades": ["red"], "reviewed": 0, "changes": [], "overdue": [],
                    "unrated": []}
    assert "风险每周定期评级报告" in html_path.read_text(encoding="utf-8")
    code, _out, err = rate("--period", "month", "--report", str(csv_path))
    assert code == 0 and err.strip() == f"报告已写入 {csv_path}"
    assert csv_path.read_text(encoding="utf-8").startswith("section,risk_id,name_zh")


def test_bad_options_exit_2_naming_them_and_write_nothing(rate, tmp_path):
    with store.session_scope(rate.engine, read_only=True) as s:
        before = store.last_change_id(s)
    code, out, err = rate("--period", "quarter", "--report", str(tmp_path / "r.pdf"))
    assert code == 2 and out == ""
    assert "field 'period' (value 'quarter')" in err and "field '--report'" in err
    assert not (tmp_path / "r.pdf").exists()
    with store.session_scope(rate.engine, read_only=True) as s:
        assert store.last_change_id(s) == before


def test_the_text_lists_what_changed_and_why(rate):
    from dataclasses import asdict

    from command.store import risk as risk_store

    with store.session_scope(rate.engine) as s:  # RP-HZ01 is 三级 (yellow): make it stale
        rec = risk_store.get_risk_point(s, "RP-HZ01")
        point = {k: v for k, v in asdict(rec).items()
                 if k not in ("method", "inputs", "updated_at", "updated_by")}
        risk_store.upsert_risk_point(s, {**point, "grade": "orange"}, method=rec.method,
                                     inputs=rec.inputs, reason="hand edit", actor="t", now=NOW)
    code, out, _ = rate("--period", "month")
    lines = out.splitlines()
    assert code == 0 and lines[2] == "等级变化及原因"
    assert lines[3].startswith("  RP-HZ01    按危险化学品重大危险源辨识与分级（GB 18218-2018）")
    assert lines[3].endswith("等级应为黄（原为橙）")
