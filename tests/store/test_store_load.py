import dataclasses

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from command import model as m
from command.errors import StoreError
from command.settings import Settings
from command.store import (
    engine_for,
    init_db,
    last_change_id,
    list_units,
    load_dataset,
    session_scope,
    set_unit_status,
    table_counts,
    upgrade,
)
from command.store._engine import current_revision, head_revision
from command.store._tables import REFERENCE_TABLES, TEAM_LIVE_COLUMNS, Base


def test_every_model_field_has_a_column():
    for _attr, model_cls, row_cls in REFERENCE_TABLES:
        fields = {f.name for f in dataclasses.fields(model_cls)}
        columns = set(row_cls.__table__.columns.keys())
        live = TEAM_LIVE_COLUMNS - {"status"} if row_cls.__tablename__ == "teams" else set()
        assert columns == fields | live, row_cls.__tablename__


def test_migration_creates_exactly_the_tables(engine):
    assert current_revision(engine) == head_revision() == "0007"
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    assert upgrade(engine) == "0007"  # a second upgrade is a no-op


def test_init_counts_then_nothing_on_second_run(engine, dataset):
    first = init_db(engine, dataset)
    assert first["tables"]["teams"] == {"rows": 4, "inserted": 4, "updated": 0, "deleted": 0}
    assert first["tables"]["grid_cells"]["rows"] == 3
    assert first["tables"]["population_areas"]["rows"] == 1
    assert first["changes"] == 4 + 2 + 2 + 2 + 1 + 2 + 1 + 1 + 1 + 1 + 3 + 1 + 1 + 2 + 1
    assert first["audit_id"] == 1
    second = init_db(engine, dataset)
    assert second["changes"] == 0 and second["audit_id"] is None
    assert all(t["inserted"] == t["updated"] == t["deleted"] == 0
               for t in second["tables"].values())
    with session_scope(engine) as s:
        assert last_change_id(s) == 1  # nothing at all was written by the second run
        counts = table_counts(s)
    assert counts["teams"] == 4 and counts["audit_log"] == 1 and counts["incidents"] == 0


def test_reload_applies_differences_and_keeps_live_status(loaded, make_city, dataset):
    with session_scope(loaded) as s:
        set_unit_status(s, "U1", "out_of_service", "tester")
    changed = make_city(
        teams=(dataset.teams[:2] + (m.Team("U9", "新车", "fire", "ladder", 6, "B3"),)
               + dataset.teams[3:]),
        bases=dataset.bases + (m.Base("B3", "三站", "Station 3", "fire_station", "fire", "葛店",
                                      30.50, 114.61, "illustrative"),),
        stocks=(m.Stock("D1", "tent", 150.0, "illustrative"), dataset.stocks[1]),
        grid_cells=dataset.grid_cells[1:], grid_members=(),  # drop the community cell
    )
    report = init_db(loaded, changed)
    t = report["tables"]
    assert (t["teams"]["inserted"], t["teams"]["deleted"], t["teams"]["updated"]) == (1, 1, 0)
    assert t["bases"]["inserted"] == 1 and t["stocks"]["updated"] == 1
    assert t["grid_cells"]["deleted"] == 1 and t["grid_members"]["deleted"] == 1
    assert report["changes"] == 6
    with session_scope(loaded) as s:
        units = {u.unit_id: u for u in list_units(s)}
        tents = s.execute(text("select quantity from stocks where item_id = 'tent'")).scalar()
    assert set(units) == {"U1", "U2", "U9", "A1"}
    assert units["U1"].status == "out_of_service"  # a reload never resets live status
    assert units["U9"].status == "available" and units["U9"].base_lat == 30.50
    assert tents == 150.0
    assert init_db(loaded, changed)["changes"] == 0


def test_dangling_reference_is_reported_and_nothing_written(engine, make_city, dataset):
    bad = make_city(teams=dataset.teams + (m.Team("U7", "x", "fire", "engine", 4, "NO-BASE"),))
    with pytest.raises(StoreError) as err:
        init_db(engine, bad)
    problem = err.value.problems[0]
    assert (problem.file, problem.row, problem.field, problem.value) == ("teams", 5, "base_id",
                                                                          "NO-BASE")
    assert "NO-BASE" in str(err.value)
    with session_scope(engine) as s:
        assert set(table_counts(s).values()) == {0}


@pytest.mark.parametrize("case", ["foreign_key", "check_constraint"])
def test_write_refused_by_the_database_leaves_zero_rows(engine, make_city, dataset, case):
    # Without the up-front check, the database itself refuses a row late in the load,
    # after agencies, bases and teams went in: the transaction must take them all back.
    if case == "foreign_key":
        bad = make_city(teams=dataset.teams + (m.Team("U7", "x", "fire", "engine", 4, "NO-BASE"),))
    else:
        bad = make_city(stocks=(m.Stock("D1", "tent", -5.0, "illustrative"),))
    with pytest.raises(StoreError, match="refused"):
        with session_scope(engine) as s:
            load_dataset(s, bad, check=False)
    with session_scope(engine) as s:
        assert set(table_counts(s).values()) == {0}


def test_duplicate_keys_and_bad_status_reported_together(engine, make_city, dataset):
    bad = make_city(items=dataset.items + (dataset.items[0],),
                    teams=dataset.teams[:3] + (dataclasses.replace(dataset.teams[3],
                                                                   status="asleep"),))
    with pytest.raises(StoreError) as err:
        init_db(engine, bad)
    rules = {(p.file, p.field) for p in err.value.problems}
    assert rules == {("items", "item_id"), ("teams", "status")}


def test_sqlite_default_file_under_data_dir(tmp_path, dataset):
    settings = Settings(data_dir=tmp_path / "fresh" / "var")
    report = init_db(settings, dataset)
    assert (tmp_path / "fresh" / "var" / "command.db").is_file()
    assert report["url"].startswith("sqlite:///") and report["revision"] == "0007"
    eng = engine_for(settings)
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    eng.dispose()


def test_unreachable_postgres_is_a_store_error():
    with pytest.raises(StoreError, match="cannot"):
        upgrade("postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2")


def test_plain_postgresql_url_uses_psycopg3():
    eng = engine_for("postgresql://postgres@127.0.0.1:5432/test")
    assert eng.url.drivername == "postgresql+psycopg"
    eng.dispose()


def test_unsupported_url_is_refused():
    with pytest.raises(StoreError, match="unsupported"):
        engine_for("mysql://x@localhost/db")
