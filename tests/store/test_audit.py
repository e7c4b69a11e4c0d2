import hashlib
import json
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from command.errors import StoreError
from command.store import last_change_id, list_audit, session_scope, verify_audit
from command.store._tables import AuditRow
from command.store.audit import GENESIS_HASH, append_audit


def _fill(engine, n=5):
    with session_scope(engine) as s:
        for i in range(n):
            append_audit(s, actor=f"user{i % 2}", action="test.event", subject=f"thing:{i}",
                         payload={"i": i, "名称": "测试", "eta_s": 61.5})


def _drop_triggers(engine):
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_update_delete ON audit_log")


def test_first_hash_is_sha256_of_genesis_and_canonical_entry(engine):
    at = datetime(2025, 3, 1, 8, 30, 0, 123456, tzinfo=UTC)
    with session_scope(engine) as s:
        entry = append_audit(s, actor="值班员", action="incident.created", subject="incident:X",
                             payload={"b": 2, "a": [1, 2.5]}, at=at)
    body = ('{"action":"incident.created","actor":"值班员","at":"2025-03-01T08:30:00.123456Z",'
            '"id":1,"payload":{"a":[1,2.5],"b":2},"subject":"incident:X"}')
    expected = hashlib.sha256((GENESIS_HASH + body).encode("utf-8")).hexdigest()
    assert entry.hash == expected and entry.prev_hash == GENESIS_HASH
    with session_scope(engine) as s:
        stored = list_audit(s)[0]
    assert stored.hash == expected and stored.at == at and stored.payload == {"a": [1, 2.5], "b": 2}


def test_chain_links_and_verifies(engine):
    _fill(engine, 6)
    with session_scope(engine) as s:
        entries = list(reversed(list_audit(s, limit=100)))
        assert verify_audit(s) == (True, None)
        assert last_change_id(s) == 6
    assert [e.audit_id for e in entries] == [1, 2, 3, 4, 5, 6]
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))


def test_empty_log_verifies(engine):
    with session_scope(engine) as s:
        assert verify_audit(s) == (True, None) and last_change_id(s) == 0


@pytest.mark.parametrize("sql", ["UPDATE audit_log SET actor = 'mallory' WHERE audit_id = 2",
                                 "DELETE FROM audit_log WHERE audit_id = 3"])
def test_raw_update_and_delete_are_refused_by_trigger(engine, sql):
    _fill(engine, 4)
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as conn:
            conn.exec_driver_sql(sql)
    with session_scope(engine) as s:
        assert verify_audit(s) == (True, None) and last_change_id(s) == 4


def test_truncate_is_refused_on_postgres(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists on PostgreSQL only")
    _fill(engine, 2)
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE audit_log")


def test_orm_refuses_changes(engine):
    _fill(engine, 2)
    # the ORM's own refusal (not the trigger, whose message differs)
    with pytest.raises(StoreError, match="audit entry 1 cannot be changed"):
        with session_scope(engine) as s:
            row = s.get(AuditRow, 1)
            row.actor = "mallory"
    with pytest.raises(StoreError, match="audit entry 2 cannot be deleted"):
        with session_scope(engine) as s:
            s.delete(s.get(AuditRow, 2))
    with pytest.raises(StoreError, match="UPDATE and DELETE are refused"):
        with session_scope(engine) as s:
            s.execute(update(AuditRow).values(actor="mallory"))
    with session_scope(engine) as s:
        assert s.scalars(select(AuditRow.actor)).all() == ["user0", "user1"]


@pytest.mark.parametrize("tamper, bad_id", [
    ("UPDATE audit_log SET payload = '{\"i\": 99}' WHERE audit_id = 3", 3),
    ("UPDATE audit_log SET hash = '{h}' WHERE audit_id = 2", 2),  # stored hash edited
    ("DELETE FROM audit_log WHERE audit_id = 4", 5),  # the entry after a removed one
    ("UPDATE audit_log SET actor = 'user1' WHERE audit_id = 5", 5),
])
def test_tampering_is_detected(engine, tamper, bad_id):
    _fill(engine, 6)
    _drop_triggers(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql(tamper.replace("{h}", "f" * 64))
    with session_scope(engine) as s:
        assert verify_audit(s) == (False, bad_id)


def test_payload_is_stored_as_hashed(engine):
    # numbers and non-ASCII text round-trip exactly through the JSON column on both back-ends
    payload = {"eta_s": 0.1 + 0.2, "n": 10**15, "text": "危化品泄漏",
               "nested": {"z": None, "a": True}}
    with session_scope(engine) as s:
        append_audit(s, actor="a", action="x", payload=payload)
    with session_scope(engine) as s:
        assert list_audit(s)[0].payload == json.loads(json.dumps(payload))
        assert verify_audit(s) == (True, None)


def test_empty_actor_is_refused(engine):
    with pytest.raises(StoreError, match="actor"):
        with session_scope(engine) as s:
            append_audit(s, actor=" ", action="x")


def test_concurrent_writers_keep_one_chain(engine):
    errors = []

    def writer(k):
        try:
            for i in range(8):
                with session_scope(engine) as s:
                    append_audit(s, actor=f"w{k}", action="test.concurrent", payload={"i": i})
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with session_scope(engine) as s:
        assert last_change_id(s) == 32
        assert verify_audit(s) == (True, None)


def test_read_only_session_reads_beside_an_open_writer_and_cannot_write(engine):
    import time

    _fill(engine, 2)
    with session_scope(engine) as writer:
        append_audit(writer, actor="w", action="pending")  # holds the write lock, uncommitted
        start = time.perf_counter()
        with session_scope(engine, read_only=True) as reader:
            assert last_change_id(reader) == 2  # the committed state, without waiting
        assert time.perf_counter() - start < 2.0
    with pytest.raises(StoreError, match="refused"):
        with session_scope(engine, read_only=True) as s:
            append_audit(s, actor="r", action="sneaky")
    with session_scope(engine, read_only=True) as s:
        assert last_change_id(s) == 3
    with session_scope(engine) as s:  # the connection is writable again after read-only use
        append_audit(s, actor="w", action="after")
        assert last_change_id(s) == 4
