"""``command-center risk draw | blacklist | inspectors`` on a loaded Ezhou store, with the
clock pinned; bad input exits 2 naming the field and the value, and writes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine

from command import store
from command.cli import main

NOW = datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC)  # 00:00:20 on 4 December in Beijing


@pytest.fixture
def cli(ezhou_store, monkeypatch, capsys):
    """Run ``command-center ARGS`` on the test store: (exit code, stdout, stderr)."""
    settings, engine = ezhou_store
    monkeypatch.setenv("CC_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.db_url)
    monkeypatch.delenv("CC_LANGUAGE", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        with time_machine.travel(NOW, tick=False):
            code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    run.engine = engine
    return run


def _staff(cli) -> None:
    assert cli("risk", "inspectors", "add", "I1", "--name", "张伟", "--agency", "ema",
               "--exclude", "N01=former employer", "--exclude", "N02", "--actor", "科长")[0] == 0
    for k, agency in ((2, "ema"), (3, "fire"), (4, "fire")):
        assert cli("risk", "inspectors", "add", f"I{k}", "--name", f"检查员{k}",
                   "--agency", agency)[0] == 0


def _written(engine) -> tuple[int, dict]:
    with store.session_scope(engine, read_only=True) as s:
        return store.last_change_id(s), store.table_counts(s)


def test_inspectors_add_and_list(cli):
    _staff(cli)
    code, out, _ = cli("risk", "inspectors", "list", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["inspector_id"] for r in rows] == ["I1", "I2", "I3", "I4"]
    assert rows[0] == {"inspector_id": "I1", "name": "张伟", "agency_id": "ema", "active": True,
                       "exclusions": [{"enterprise_id": "N01", "reason": "former employer"},
                                      {"enterprise_id": "N02",
                                       "reason": "conflict of interest"}]}
    code, out, _ = cli("risk", "inspectors", "list")
    assert code == 0 and "N01 (former employer)" in out.splitlines()[1]
    with store.session_scope(cli.engine, read_only=True) as s:
        audit = store.list_audit(s, limit=20)
    assert ("科长", "inspector.added", "inspector:I1") in [
        (a.actor, a.action, a.subject) for a in audit]


def test_draw_prints_pairs_and_is_reproducible(cli, ezhou_settings, ezhou_dataset, tmp_path,
                                               monkeypatch):
    _staff(cli)
    code, out, _ = cli("risk", "draw", "--enterprises", "3", "--inspectors", "2", "--seed",
                       "77", "--max-per-inspector", "2", "--json", "--actor", "科长")
    first = json.loads(out)
    assert code == 0 and first["seed"] == 77 and first["drawn_by"] == "科长"
    assert first["drawn_at"] == NOW.isoformat() and len(first["enterprises"]) == 3
    assert not first["unstaffed"] and len(first["pairs"]) == 6
    assert not {(p["enterprise_id"], p["inspector_id"]) for p in first["pairs"]} & {
        ("N01", "I1"), ("N02", "I1")}
    # a second store with the same content gives the same draw for the same seed
    other = ezhou_settings.replace(database_url=f"sqlite:///{tmp_path / 'other.db'}")
    store.init_db(other, ezhou_dataset, actor="test", now=NOW)
    monkeypatch.setenv("DATABASE_URL", other.db_url)
    _staff(cli)
    code, out, _ = cli("risk", "draw", "--enterprises", "3", "--inspectors", "2", "--seed",
                       "77", "--max-per-inspector", "2")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "双随机抽查 第 1 次"
    assert lines[1].startswith("随机种子 77；抽取企业 3 家，每家检查人员 2 名；2026-12-04 00:00")
    expected = {e: ", ".join(f"{p['inspector_id']} ({p['agency_id']})" for p in first["pairs"]
                             if p["enterprise_id"] == e) for e in first["enterprises"]}
    assert [line.split(None, 1) for line in lines[3:]] == [[e, expected[e]]
                                                          for e in first["enterprises"]]
    code, out, _ = cli("risk", "draw", "--replay", "1")
    assert code == 0 and out.strip() == "复核：以相同随机种子和输入重新抽取，结果一致"


def test_an_unstaffed_enterprise_says_why_in_english(cli, monkeypatch):
    monkeypatch.setenv("CC_LANGUAGE", "en")
    _staff(cli)
    code, out, _ = cli("risk", "draw", "--enterprises", "1", "--inspectors", "4", "--seed", "1",
                       "--district", "鄂城区", "--industry", "iron and steel")
    assert code == 0
    assert out.splitlines()[-1] == ("N01         Not staffed: only 3 inspectors without a "
                                    "conflict of interest, 4 needed")


def test_blacklist_add_list_lift(cli):
    code, out, _ = cli("risk", "blacklist", "add", "N05", "--reason", "瞒报事故", "--until",
                       "2027-12-31", "--actor", "ops", "--decided-by", "局务会", "--json")
    row = json.loads(out)
    assert code == 0 and (row["expires_at"], row["state"], row["decided_by"]) == (
        "2027-12-31T16:00:00+00:00", "active", "局务会")
    code, out, _ = cli("risk", "blacklist", "list")
    assert code == 0 and out.splitlines()[1].split() == [
        "N05", "生效中", "2028-01-01", "00:00", "局务会", "瞒报事故"]
    code, out, _ = cli("risk", "blacklist", "lift", "N05", "--reason", "整改完成", "--actor",
                       "局长")
    assert code == 0 and out.strip() == "企业 N05 已移出黑名单"
    code, out, _ = cli("risk", "blacklist", "list", "--json")
    assert json.loads(out) == []
    code, out, _ = cli("risk", "blacklist", "list", "--all", "--json")
    assert [(r["state"], r["lifted_by"], r["lift_reason"]) for r in json.loads(out)] == [
        ("lifted", "局长", "整改完成")]


@pytest.mark.parametrize(("args", "named"), [
    (("risk", "draw", "--enterprises", "11", "--seed", "1"), ["field 'enterprises' (value 11)"]),
    (("risk", "draw", "--enterprises", "2", "--inspectors", "0", "--seed", "-1"),
     ["field 'inspectors' (value 0)", "field 'seed' (value -1)"]),
    (("risk", "draw", "--seed", "1"), ["field 'enterprises'"]),
    (("risk", "draw", "--enterprises", "1", "--seed", "1", "--district", "武汉"),
     ["field 'district' (value '武汉')"]),
    (("risk", "blacklist", "add", "X9", "--reason", "r", "--until", "2027-01-01"),
     ["field 'enterprise' (value 'X9')"]),
    (("risk", "blacklist", "add", "N01", "--reason", "r", "--until", "2026-01-01"),
     ["field 'until' (value '2026-01-01T16:00:00+00:00'): must be after the listing"]),
    (("risk", "blacklist", "add", "N01", "--reason", "r", "--until", "soon"),
     ["field 'until' (value 'soon')"]),
    (("risk", "blacklist", "lift", "N01", "--reason", "r"), ["field 'enterprise' (value 'N01')"]),
    (("risk", "inspectors", "add", "I9", "--name", "n", "--agency", "nowhere", "--exclude",
      "N99"), ["field 'agency' (value 'nowhere')", "field 'exclude' (value 'N99')"]),
    (("risk", "inspectors", "add", "I1", "--name", "n", "--agency", "ema"),
     ["field 'id' (value 'I1')"]),
])
def test_bad_input_exits_2_naming_the_field_and_writes_nothing(cli, args, named):
    _staff(cli)
    before = _written(cli.engine)
    code, out, err = cli(*args)
    assert code == 2 and out == "" and err.startswith("error: ")
    for text in named:
        assert text in err, err
    assert _written(cli.engine) == before
