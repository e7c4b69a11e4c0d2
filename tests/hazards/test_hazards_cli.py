"""``command-center hazards ...`` and ``grids ...`` on a loaded Ezhou store with the clock
pinned: the loop from the command line acting as named users, refusals that exit 2 and
change nothing, the escalation job, the day's summary."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from command import store
from command.app import access
from command.cli import main

NOW = datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC)  # 00:00:20 on 4 December in Beijing
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40)


@pytest.fixture
def cli(ezhou_store, monkeypatch, capsys, tmp_path):
    settings, engine = ezhou_store
    monkeypatch.setenv("CC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", settings.db_url)
    monkeypatch.delenv("CC_LANGUAGE", raising=False)
    for name, role, scope in (("gm", "grid_member", {"grid": "GT-fenghuang"}),
                              ("staff", "staff", {}), ("expert", "expert", {}),
                              ("boss", "commander", {}), ("wall", "wall", {})):
        access.add_user(engine, name=name, role=role, password="a-good-password-1",
                        actor="test", now=NOW - timedelta(days=1), **scope)

    def run(*args: str, at: datetime = NOW) -> tuple[int, str, str]:
        with time_machine.travel(at, tick=False):
            code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    run.engine = engine
    return run


def _written(engine) -> int:
    with store.session_scope(engine, read_only=True) as s:
        return store.last_change_id(s)


def _report(cli, *extra) -> str:
    code, out, err = cli("hazards", "report", "--cell", "GM-fenghuang-01", "--kind", "gas",
                         "--description", "燃气表箱锈蚀", "--actor", "gm", "--json", *extra)
    assert code == 0, err
    return json.loads(out)["hazard_id"]


def test_kinds(cli):
    code, out, _ = cli("hazards", "kinds", "--json")
    rows = json.loads(out)
    assert code == 0 and rows[2] == {"kind": "gas", "name_zh": "燃气安全", "name_en": "Gas"}
    assert len(rows) == 10 and rows[-1]["kind"] == "other"


def test_the_loop_from_the_command_line(cli, tmp_path):
    photo = tmp_path / "p.jpg"
    photo.write_bytes(JPEG)
    hid = _report(cli, "--evidence", str(photo))
    assert hid == "HZ-20261204-0001"
    for to, who, extra in (("registered", "staff", ()),
                           ("assessed", "expert", ("--level", "general", "--reason", "表箱")),
                           ("reported", "staff", ()), ("monitored", "boss", ()),
                           ("remediation", "boss", ("--deadline", "2026-12-10T18:00:00+08:00",
                                                    "--responsible", "staff", "--measures",
                                                    "更换表箱", "--budget", "800"))):
        code, out, err = cli("hazards", "advance", hid, "--to", to, "--actor", who, "--json",
                             *extra)
        assert code == 0, err
        assert json.loads(out)["state"] == to
    code, out, _ = cli("hazards", "show", hid, "--json")
    shown = json.loads(out)
    assert shown["state"] == "remediation" and shown["due_at"] == "2026-12-10T10:00:00+00:00"
    assert [e["actor"] for e in shown["timeline"]] == ["gm", "staff", "expert", "staff",
                                                       "boss", "boss"]
    assert shown["timeline"][0]["evidence"][0]["filename"] == "p.jpg"
    code, out, _ = cli("hazards", "show", hid)
    assert "remediate  monitored -> remediation by boss (commander)" in out

    # overdue after the deadline, escalated once per level by the job
    code, out, _ = cli("hazards", "list", "--overdue", "--json",
                       at=NOW + timedelta(days=7))
    assert [c["hazard_id"] for c in json.loads(out)] == [hid]
    code, out, _ = cli("hazards", "escalate", "--now", "2026-12-10T18:30:00+08:00", "--json")
    assert code == 0 and [(x["hazard_id"], x["level"]) for x in json.loads(out)] == [
        (hid, "town")]
    code, out, _ = cli("hazards", "escalate", "--now", "2026-12-10T18:40:00+08:00", "--json")
    assert json.loads(out) == []


def test_refusals_exit_2_and_change_nothing(cli, tmp_path):
    hid = _report(cli)
    before = _written(cli.engine)
    text = tmp_path / "notes.txt"
    text.write_text("plain")
    for args, message in (
            (("advance", hid, "--to", "closed", "--actor", "boss"),
             "field 'to' (value 'closed'): not allowed from state 'found'"),
            (("advance", hid, "--to", "registered", "--actor", "expert"),
             "field 'role' (value 'expert'): may not register"),
            (("advance", hid, "--to", "assessed", "--actor", "staff"),
             "field 'to' (value 'assessed'): not allowed from state 'found'"),
            (("advance", hid, "--to", "registered", "--actor", "nobody"),
             "field 'actor' (value 'nobody'): unknown user"),
            (("advance", hid, "--to", "registered", "--actor", "wall"),
             "role 'wall' lacks permission 'hazard.advance'"),
            (("advance", hid, "--to", "sideways", "--actor", "staff"),
             "field 'to' (value 'sideways'): neither an action"),
            (("advance", "HZ-0", "--to", "registered", "--actor", "staff"),
             "field 'hazard_id' (value 'HZ-0')"),
            (("report", "--cell", "GM-x", "--kind", "gas", "--description", "d", "--actor",
              "gm"), "field 'grid_id' (value 'GM-x'): unknown grid cell"),
            (("report", "--cell", "GM-fenghuang-01", "--kind", "gas", "--description", "d",
              "--actor", "gm", "--evidence", str(text)),
             "field 'evidence' (value 'notes.txt'): not an image"),
            (("report", "--cell", "GM-fenghuang-01", "--kind", "gas", "--description", "d",
              "--actor", "gm", "--evidence", str(tmp_path / "missing.jpg")),
             "field '--evidence'"),
            (("escalate", "--now", "2026-12-10T18:30:00"), "field '--now'")):
        code, out, err = cli("hazards", *args)
        assert code == 2 and message in err, (args, err)
    # the role check of `advance` after the matrix: a commander may not register
    code, _, err = cli("hazards", "advance", hid, "--to", "registered", "--actor", "boss")
    assert code == 2 and "field 'role' (value 'commander'): may not register" in err
    code, _, err = cli("hazards", "advance", hid, "--to", "registered", "--actor", "staff")
    assert code == 0
    staff_step = _written(cli.engine)
    code, _, err = cli("hazards", "advance", hid, "--to", "remediation", "--actor", "boss",
                       "--deadline", "2026-12-01T00:00:00+08:00")
    assert code == 2
    # only the access refusals were audited (access.denied) before the accepted step
    with store.session_scope(cli.engine, read_only=True) as s:
        new = [e.action for e in store.list_audit(s, limit=100) if e.audit_id > before]
    assert set(new) - {"access.denied"} == {"hazard.register", "notification.queued"}
    assert _written(cli.engine) == staff_step


def test_grid_summary_and_daily_report(cli, tmp_path):
    code, out, err = cli("grids", "report", "--cell", "GM-fenghuang-01", "--actor", "gm",
                         "--found", "1", "--json")
    assert code == 0 and json.loads(out)["date"] == "2026-12-04"
    _report(cli)
    code, out, _ = cli("grids", "summary", "--date", "2026-12-04", "--level", "city", "--json")
    (city,) = json.loads(out)
    assert city["grid_id"] == "GC-EZ" and city["reports_received"] == 1
    assert city["hazards_found"] == 1 and city["hazards_new"] == 1 and city["open"] == 1
    out_file = tmp_path / "day.html"
    code, out, _ = cli("grids", "summary", "--date", "2026-12-04", "--level", "town",
                       "--out", str(out_file), "--keep", "--json")
    assert code == 0 and len(json.loads(out)) == 24 and "GT-fenghuang" in out_file.read_text()
    code, _, err = cli("grids", "summary", "--date", "4 Dec")
    assert code == 2 and "field 'date' (value '4 Dec')" in err
    code, _, err = cli("grids", "summary", "--date", "2026-12-04", "--out", "x.pdf")
    assert code == 2 and "field '--out' (value 'x.pdf')" in err
