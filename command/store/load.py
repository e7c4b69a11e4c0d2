"""Load a city :class:`~command.model.Dataset` into the store: all of it or nothing.

:func:`init_db` migrates the store to the newest revision, then makes the reference
tables equal to the data set in one transaction: rows are compared by primary key and
only differences are written (inserted, updated, deleted), so a second run with the same
data set writes nothing at all. The live state of units (status, incident, time of the
last change) is never overwritten by a reload. One audit entry ``dataset.loaded`` records
what changed.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from command.errors import Problem, StoreError
from command.model import UNIT_STATUSES, Dataset
from command.settings import Settings
from command.store._engine import engine_for, safe_url, session_scope, upgrade
from command.store._tables import REFERENCE_TABLES, TEAM_LIVE_COLUMNS, Base
from command.store._types import stamp
from command.store.audit import append_audit

__all__ = ["init_db", "load_dataset", "table_counts", "reference"]

log = logging.getLogger(__name__)


def _rows(dataset: Dataset) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for attr, _model, cls in REFERENCE_TABLES:
        rows = [dataclasses.asdict(x) for x in getattr(dataset, attr)]
        if cls.__tablename__ == "grid_cells":
            parents = {r["grid_id"]: r["parent_id"] for r in rows}
            rows.sort(key=lambda r: _depth(r["grid_id"], parents))
        out[cls.__tablename__] = rows
    return out


def _depth(grid_id: str, parents: dict[str, str | None]) -> int:
    """Levels above a grid cell (a cycle or an unknown parent stops the walk; the
    reference check reports those)."""
    depth, seen = 0, {grid_id}
    parent = parents.get(grid_id)
    while parent is not None and parent in parents and parent not in seen:
        seen.add(parent)
        depth += 1
        parent = parents.get(parent)
    return depth


def _check(rows: dict[str, list[dict[str, Any]]]) -> list[Problem]:
    """Duplicate keys, dangling references and unknown unit statuses, all at once."""
    problems: list[Problem] = []
    keys: dict[str, set] = {}
    for _attr, _model, cls in REFERENCE_TABLES:
        table = cls.__tablename__
        pk = [c.name for c in cls.__table__.primary_key.columns]
        seen: Counter = Counter(tuple(r[c] for c in pk) for r in rows[table])
        for key, n in seen.items():
            if n > 1:
                problems.append(Problem(f"primary key appears {n} times", file=table,
                                        field=",".join(pk), value="/".join(map(str, key))))
        keys[table] = {k[0] for k in seen} if len(pk) == 1 else set(seen)
    for _attr, _model, cls in REFERENCE_TABLES:
        table = cls.__tablename__
        for fk in sorted(cls.__table__.foreign_keys, key=lambda f: f.parent.name):
            column, target = fk.parent.name, fk.column.table.name
            if target not in keys:  # a live table (teams.incident_id): not in the data set
                continue
            for i, row in enumerate(rows[table], start=1):
                value = row.get(column)
                if value is not None and value not in keys[target]:
                    problems.append(Problem(f"no such {target}.{fk.column.name}", file=table,
                                            row=i, field=column, value=value))
    for i, row in enumerate(rows["teams"], start=1):
        if row["status"] not in UNIT_STATUSES:
            problems.append(Problem(f"status must be one of {', '.join(UNIT_STATUSES)}",
                                    file="teams", row=i, field="status", value=row["status"]))
    return problems


def load_dataset(session: Session, dataset: Dataset, *, actor: str = "system",
                 check: bool = True, now: datetime | None = None) -> dict[str, Any]:
    """Make the reference tables equal to ``dataset`` within the session's transaction.

    Rows are compared by primary key: new ones are inserted, changed ones updated, rows
    the data set no longer lists deleted (children before parents). The live columns of
    ``teams`` (status, incident, time of change) are set for new units only.

    Parameters
    ----------
    check
        Check keys and references first and report every problem at once; with
        ``check=False`` the database constraints alone guard the load (tests use it to
        prove that a write the database refuses leaves nothing behind).
    now
        When it is loaded (aware, any zone), for the audit entry; the clock by default.

    Returns
    -------
    dict
        ``city``; ``tables``: per table ``rows`` (after the load), ``inserted``,
        ``updated``, ``deleted``; ``changes``: their total; ``audit_id``: the
        ``dataset.loaded`` entry, or None when nothing changed (then nothing at all was
        written).

    Raises
    ------
    StoreError
        With one :class:`~command.errors.Problem` per duplicate key, dangling reference
        or unknown unit status; or if ``now`` is naive.
    """
    now = stamp(now)
    rows = _rows(dataset)
    if check:
        problems = _check(rows)
        if problems:
            raise StoreError(f"the {dataset.city} data set cannot be loaded; nothing was "
                             "written", problems)
    report: dict[str, dict[str, int]] = {}
    deletions: list[tuple[Any, list[tuple]]] = []
    for _attr, model_cls, cls in REFERENCE_TABLES:
        t, table = cls.__table__, cls.__tablename__
        pk = [c.name for c in t.primary_key.columns]
        compared = [f.name for f in dataclasses.fields(model_cls)
                    if f.name not in pk and not (table == "teams" and f.name in TEAM_LIVE_COLUMNS)]
        existing = {tuple(r[:len(pk)]): tuple(r[len(pk):])
                    for r in session.execute(select(*(t.c[c] for c in pk + compared)))}
        new_keys = set()
        inserts, updates = [], []
        for row in rows[table]:
            key = tuple(row[c] for c in pk)
            new_keys.add(key)
            old = existing.get(key)
            if old is None:
                inserts.append(row)
            elif old != tuple(row[c] for c in compared):
                updates.append({c: row[c] for c in pk + compared})
        gone = [k for k in existing if k not in new_keys]
        if table == "grid_cells" and gone:
            parents = {k[0]: v[compared.index("parent_id")] for k, v in existing.items()}
            gone.sort(key=lambda k: -_depth(k[0], parents))
        if inserts:
            session.execute(insert(t), inserts)
        if updates:
            session.execute(update(cls), updates)
        if gone:
            deletions.append((t, gone))
        report[table] = {"inserted": len(inserts), "updated": len(updates),
                         "deleted": len(gone)}
    for t, gone in reversed(deletions):
        pk = [c.name for c in t.primary_key.columns]
        stmt = delete(t).where(and_(*(t.c[c] == bindparam(f"k_{c}") for c in pk)))
        session.execute(stmt, [{f"k_{c}": v for c, v in zip(pk, key, strict=True)} for key in gone])
    for _attr, _model, cls in REFERENCE_TABLES:
        n = session.scalar(select(func.count()).select_from(cls))
        report[cls.__tablename__] = {"rows": int(n), **report[cls.__tablename__]}
    changes = sum(r["inserted"] + r["updated"] + r["deleted"] for r in report.values())
    audit_id = None
    if changes:
        entry = append_audit(
            session, actor=actor, action="dataset.loaded", subject=f"dataset:{dataset.city}",
            payload={"city": dataset.city, "changes": changes,
                     "tables": {k: v for k, v in report.items()
                                if v["inserted"] or v["updated"] or v["deleted"]}},
            at=now)
        audit_id = entry.audit_id
    return {"city": dataset.city, "tables": report, "changes": changes, "audit_id": audit_id}


def init_db(target: Settings | str | URL | Engine, dataset: Dataset, *,
            actor: str = "system", now: datetime | None = None) -> dict[str, Any]:
    """Migrate the store to the newest revision and load ``dataset`` in one transaction.

    Idempotent: a second run with the same data set reports ``changes == 0`` and writes
    nothing. If anything fails, nothing of the data set is written.

    Parameters
    ----------
    target
        Settings (their ``db_url``), a database URL, or an engine.
    dataset
        A validated data set (``command.resources.load_dataset``).
    actor
        Who loads it, for the audit log.
    now
        When (aware, any zone), for the audit log; the clock by default.

    Returns
    -------
    dict
        The report of :func:`load_dataset` plus ``url`` (password hidden) and
        ``revision``.

    Raises
    ------
    StoreError
        If the store cannot be reached or migrated, or the data set is refused.
    """
    engine = engine_for(target)
    try:
        revision = upgrade(engine)
        with session_scope(engine) as session:
            report = load_dataset(session, dataset, actor=actor, now=now)
    finally:
        if not isinstance(target, Engine):
            engine.dispose()
    log.info("data set %s loaded into %s: %d changes", dataset.city, safe_url(engine),
             report["changes"])
    return {"url": safe_url(engine), "revision": revision, **report}


def table_counts(session: Session) -> dict[str, int]:
    """Rows per table of the store, every table of the schema."""
    return {name: int(session.scalar(select(func.count()).select_from(table)))
            for name, table in sorted(Base.metadata.tables.items())}


def reference(session: Session, name: str) -> list[Any]:
    """The rows of reference table ``name`` (a :class:`~command.model.Dataset` attribute
    such as ``grid_cells``) as the data set's dataclasses, in primary-key order.

    Raises
    ------
    StoreError
        For a name that is not a reference table.
    """
    for attr, cls, row_cls in REFERENCE_TABLES:
        if attr == name:
            names = [f.name for f in dataclasses.fields(cls)]
            key = row_cls.__table__.primary_key.columns.values()
            return [cls(**{n: getattr(r, n) for n in names})
                    for r in session.scalars(select(row_cls).order_by(*key))]
    raise StoreError(f"no reference table {name!r} "
                     f"(one of {', '.join(a for a, _, _ in REFERENCE_TABLES)})")
