"""Enforcement use cases (command/app/enforcement.py) on the Ezhou store: the blacklist,
inspectors with their exclusions, and the double-random draw kept with its seed.

Every call pins ``now``; every refusal is checked to have written nothing (no row, no
audit entry). The last test runs the same on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from command import store
from command.app import enforcement as enf
from command.errors import DataError

NOW = datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC)  # 00:00:20 on 4 December in Beijing

#: Six inspectors of two agencies; I1 used to work at N01 (鄂钢), I2 is related to
#: someone at N01 and at N05.
STAFF = (("I1", "张伟", "ema", {"N01": "former employer"}),
         ("I2", "王芳", "ema", {"N01": "relative", "N05": "relative"}),
         ("I3", "李强", "ema", {}), ("I4", "刘洋", "fire", {}), ("I5", "陈静", "fire", {}),
         ("I6", "杨磊", "environment", {}))


def _staff(engine) -> None:
    for inspector_id, name, agency, exclude in STAFF:
        enf.add_inspector(engine, inspector_id, name=name, agency=agency, actor="科长",
                          exclude=exclude, now=NOW)


def _mark(engine) -> tuple[int, dict]:
    with store.session_scope(engine, read_only=True) as s:
        counts = store.table_counts(s)
        return store.last_change_id(s), {k: counts[k] for k in (
            "blacklist", "inspectors", "inspector_exclusions", "inspection_draws")}


def _refused(engine, call, *fields_and_values) -> DataError:
    """``call`` raises DataError naming each (field, value), and writes nothing."""
    before = _mark(engine)
    with pytest.raises(DataError) as err:
        call()
    for field, value in fields_and_values:
        assert f"field '{field}' (value {value!r})" in str(err.value), str(err.value)
    assert _mark(engine) == before
    return err.value


# --- the blacklist ------------------------------------------------------------------------

def test_list_an_enterprise_until_a_beijing_date_then_lift_it(ezhou_store):
    _settings, engine = ezhou_store
    row = enf.add_to_blacklist(engine, "N05", reason="瞒报生产安全事故", until="2027-12-31",
                               actor="ops", decided_by="市应急管理局局务会", now=NOW)
    # to the end of 31 December in Beijing: midnight after it, 16:00 UTC that day
    assert row["expires_at"] == datetime(2027, 12, 31, 16, 0, tzinfo=UTC)
    assert (row["listed_at"], row["decided_by"], row["state"]) == (
        NOW, "市应急管理局局务会", "active")
    assert [r["enterprise_id"] for r in enf.list_blacklist(engine, in_force=True, now=NOW)] \
        == ["N05"]
    later = NOW + timedelta(days=30)
    lifted = enf.lift_from_blacklist(engine, "N05", reason="整改验收合格", actor="局长", now=later)
    assert (lifted["lifted_at"], lifted["lifted_by"], lifted["lift_reason"], lifted["state"]) \
        == (later, "局长", "整改验收合格", "lifted")
    assert enf.list_blacklist(engine, in_force=True, now=later) == []
    assert [r["state"] for r in enf.list_blacklist(engine, now=later)] == ["lifted"]
    # it was in force before the lifting, whatever is asked later
    assert [r["state"] for r in enf.list_blacklist(engine, now=NOW)] == ["active"]
    with store.session_scope(engine, read_only=True) as s:
        audit = store.list_audit(s, limit=2)
    assert [(a.actor, a.action, a.subject) for a in audit] == [
        ("局长", "blacklist.lifted", "enterprise:N05"), ("ops", "blacklist.listed",
                                                         "enterprise:N05")]
    assert audit[1].payload["decided_by"] == "市应急管理局局务会"


def test_an_expired_entry_ends_by_itself_and_a_new_one_may_follow(ezhou_store):
    _settings, engine = ezhou_store
    until = NOW + timedelta(days=10)
    enf.add_to_blacklist(engine, "N02", reason="r", until=until, actor="ops", now=NOW)
    assert [r["state"] for r in enf.list_blacklist(engine, now=until)] == ["expired"]
    enf.add_to_blacklist(engine, "N02", reason="again", until=until + timedelta(days=5),
                         actor="ops", now=until)
    assert [r["state"] for r in enf.list_blacklist(engine, now=until)] == ["active", "expired"]


def test_bad_blacklist_input_names_field_and_value_and_writes_nothing(ezhou_store):
    _settings, engine = ezhou_store
    err = _refused(engine, lambda: enf.add_to_blacklist(
        engine, "X9", reason=" ", until="2027-13-01", actor="ops", now=NOW),
        ("enterprise", "X9"), ("reason", " "), ("until", "2027-13-01"))
    assert len(err.problems) == 3
    _refused(engine, lambda: enf.add_to_blacklist(
        engine, "N01", reason="r", until=NOW - timedelta(days=1), actor="ops", now=NOW),
        ("until", (NOW - timedelta(days=1)).isoformat()))
    _refused(engine, lambda: enf.add_to_blacklist(
        engine, "N01", reason="r", until=datetime(2027, 1, 1), actor="ops", now=NOW),
        ("until", "2027-01-01 00:00:00"))
    _refused(engine, lambda: enf.lift_from_blacklist(engine, "N01", reason="", actor="ops",
                                                     now=NOW),
             ("reason", ""), ("enterprise", "N01"))
    enf.add_to_blacklist(engine, "N01", reason="r", until="2027-06-30", actor="ops", now=NOW)
    _refused(engine, lambda: enf.add_to_blacklist(
        engine, "N01", reason="again", until="2028-06-30", actor="ops",
        now=NOW + timedelta(days=1)), ("enterprise", "N01"))


# --- inspectors ---------------------------------------------------------------------------

def test_inspectors_with_their_exclusions(ezhou_store):
    _settings, engine = ezhou_store
    _staff(engine)
    rows = enf.list_inspectors(engine)
    assert [(r["inspector_id"], r["agency_id"], r["active"]) for r in rows][:2] == [
        ("I1", "ema", True), ("I2", "ema", True)]
    assert rows[1]["exclusions"] == [{"enterprise_id": "N01", "reason": "relative"},
                                     {"enterprise_id": "N05", "reason": "relative"}]
    enf.add_exclusion(engine, "I3", "N08", reason="持有股份", actor="科长", now=NOW)
    assert enf.list_inspectors(engine)[2]["exclusions"] == [
        {"enterprise_id": "N08", "reason": "持有股份"}]
    with store.session_scope(engine, read_only=True) as s:
        last = store.list_audit(s, limit=1)[0]
    assert (last.action, last.subject, last.payload) == (
        "inspector.excluded", "inspector:I3", {"enterprise_id": "N08", "reason": "持有股份"})


def test_bad_inspector_input_names_field_and_value_and_writes_nothing(ezhou_store):
    _settings, engine = ezhou_store
    _staff(engine)
    _refused(engine, lambda: enf.add_inspector(
        engine, "I 7", name="", agency="nowhere", actor="x", exclude={"X9": "r"}, now=NOW),
        ("id", "I 7"), ("name", ""), ("agency", "nowhere"), ("exclude", "X9"))
    _refused(engine, lambda: enf.add_inspector(engine, "I1", name="n", agency="ema",
                                               actor="x", now=NOW), ("id", "I1"))
    # a good inspector with one bad exclusion: not even the inspector is added
    _refused(engine, lambda: enf.add_inspector(
        engine, "I7", name="n", agency="ema", actor="x",
        exclude={"N02": "relative", "N99": "relative"}, now=NOW), ("exclude", "N99"))
    _refused(engine, lambda: enf.add_exclusion(engine, "I1", "N01", reason="again",
                                               actor="x", now=NOW), ("exclude", "N01"))
    _refused(engine, lambda: enf.add_exclusion(engine, "I9", "N01", reason="r", actor="x",
                                               now=NOW), ("inspector", "I9"))


# --- the draw -----------------------------------------------------------------------------

def _pairs(drawn) -> list[tuple[str, str]]:
    return [(p["enterprise_id"], p["inspector_id"]) for p in drawn["pairs"]]


def test_the_same_store_and_seed_give_the_same_draw(ezhou_settings, ezhou_dataset, tmp_path):
    draws = []
    for k in (1, 2):  # two stores with the same content
        settings = ezhou_settings.replace(database_url=f"sqlite:///{tmp_path / f'{k}.db'}")
        store.init_db(settings, ezhou_dataset, actor="test", now=NOW)
        engine = store.engine_for(settings)
        try:
            _staff(engine)
            draws.append(enf.run_draw(engine, enterprises=5, inspectors=2, seed=20261204,
                                      actor="科长", max_per_inspector=2, now=NOW))
        finally:
            engine.dispose()
    first, second = draws
    assert _pairs(first) == _pairs(second) and first["enterprises"] == second["enterprises"]
    assert first["seed"] == 20261204 and len(first["enterprises"]) == 5
    assert not first["unstaffed"] and len(first["pairs"]) == 10


def test_a_draw_is_kept_audited_replayable_and_respects_exclusions(ezhou_store):
    _settings, engine = ezhou_store
    _staff(engine)
    excluded = {(e, i) for i, _n, _a, ex in STAFF for e in ex}
    for seed in range(12):
        drawn = enf.run_draw(engine, enterprises=10, inspectors=2, seed=seed, actor="科长",
                             avoid_previous=False, now=NOW)
        assert not set(_pairs(drawn)) & excluded, seed
        assert sorted(drawn["enterprises"]) == [f"N{k:02d}" for k in range(1, 11)]
    assert drawn["draw_id"] == 12 and drawn["drawn_by"] == "科长" and drawn["drawn_at"] == NOW
    assert drawn["parameters"]["inspectors"][0] == {
        "inspector_id": "I1", "agency_id": "ema", "excluded": ["N01"]}
    with store.session_scope(engine, read_only=True) as s:
        last = store.list_audit(s, limit=1)[0]
    assert (last.actor, last.action, last.subject) == ("科长", "inspection.drawn", "draw:12")
    assert last.payload["seed"] == 11 and last.payload["pairs"] == drawn["pairs"]
    check = enf.replay_draw(engine, 12)
    assert check["same"] and check["replayed"]["pairs"] == drawn["pairs"]
    assert [d["draw_id"] for d in enf.list_draws(engine, limit=3)] == [12, 11, 10]


def test_nobody_inspects_the_same_enterprise_twice_in_a_row(ezhou_store):
    _settings, engine = ezhou_store
    _staff(engine)
    first = enf.run_draw(engine, enterprises=10, inspectors=2, seed=1, actor="x", now=NOW)
    second = enf.run_draw(engine, enterprises=10, inspectors=2, seed=1, actor="x", now=NOW)
    assert second["parameters"]["previous_draw_id"] == first["draw_id"]
    assert not set(_pairs(first)) & set(_pairs(second))
    # the same seed and input, but the previous draw now forbids its pairs: it differs
    assert _pairs(first) != _pairs(second) and enf.replay_draw(engine, first["draw_id"])["same"]


def test_filters_inactive_inspectors_and_unstaffed_reasons(ezhou_store):
    _settings, engine = ezhou_store
    _staff(engine)
    for inspector_id in ("I3", "I4", "I5", "I6"):
        enf.set_inspector_active(engine, inspector_id, False, actor="科长", now=NOW)
    drawn = enf.run_draw(engine, enterprises=1, inspectors=2, seed=3, actor="x",
                         district="鄂城区", industry="iron and steel", now=NOW)
    # N01 (鄂钢) is the only steel works of 鄂城区; I1 and I2 must both stay away from it
    assert drawn["enterprises"] == ["N01"] and drawn["pairs"] == []
    assert drawn["unstaffed"] == [{"enterprise_id": "N01", "reason": "too_few_inspectors",
                                   "eligible_inspectors": 0, "needed": 2}]


def test_bad_draw_input_names_field_and_value_and_writes_nothing(ezhou_store):
    _settings, engine = ezhou_store
    _staff(engine)
    _refused(engine, lambda: enf.run_draw(engine, enterprises=11, inspectors=0, seed=-5,
                                          actor="x", max_per_inspector=0, now=NOW),
             ("enterprises", 11), ("inspectors", 0), ("seed", -5), ("max_per_inspector", 0))
    _refused(engine, lambda: enf.run_draw(engine, enterprises=1, inspectors=7, seed=1,
                                          actor="x", now=NOW), ("inspectors", 7))
    _refused(engine, lambda: enf.run_draw(engine, enterprises=1, seed=1, actor="x",
                                          district="武汉市", now=NOW), ("district", "武汉市"))
    _refused(engine, lambda: enf.replay_draw(engine, 99), ("draw", 99))


# --- PostgreSQL ---------------------------------------------------------------------------

PG = os.environ.get("CC_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def pg_settings(ezhou_settings):
    """Settings on a fresh schema of the test PostgreSQL server (dropped afterwards)."""
    psycopg = pytest.importorskip("psycopg")
    dsn, schema = PG.replace("+psycopg", ""), f"cc_enf_{uuid.uuid4().hex[:10]}"
    try:
        conn = psycopg.connect(dsn, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):  # CI starts PostgreSQL: its absence there is a failure
            raise
        pytest.skip(f"PostgreSQL at {PG} unreachable: {exc}")
    with conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield ezhou_settings.replace(
                database_url=f"{PG}?options={quote(f'-csearch_path={schema}')}")
        finally:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.mark.postgres
def test_blacklist_and_draw_on_postgresql(pg_settings, ezhou_dataset):
    store.init_db(pg_settings, ezhou_dataset, actor="test", now=NOW)
    engine = store.engine_for(pg_settings)
    try:
        _staff(engine)
        enf.add_to_blacklist(engine, "N03", reason="r", until="2027-01-31", actor="x", now=NOW)
        drawn = enf.run_draw(engine, enterprises=4, seed=2**63 - 1, actor="x",
                             max_per_inspector=2, now=NOW)
        assert drawn["seed"] == 2**63 - 1 and enf.replay_draw(engine, drawn["draw_id"])["same"]
        assert [r["expires_at"] for r in enf.list_blacklist(engine, now=NOW)] == [
            datetime(2027, 1, 31, 16, 0, tzinfo=UTC)]
        _refused(engine, lambda: enf.run_draw(engine, enterprises=0, seed=1, actor="x",
                                              now=NOW), ("enterprises", 0))
        with store.session_scope(engine, read_only=True) as s:
            assert store.verify_audit(s) == (True, None)
    finally:
        engine.dispose()
