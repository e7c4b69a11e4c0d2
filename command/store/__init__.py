"""The store: the city's reference data, incidents, plans, unit status and the
append-only, hash-chained audit log, in SQLite (default, a file under the data directory)
or PostgreSQL (by URL), with the same code and Alembic migrations on both.

Owns: persistence, transactions and the audit trail. Must not: solve, simulate or know
about the web. Functions take a session and plain data and return plain data
(dataclasses, dicts); no ORM object leaves a session. Every change of state writes an
audit entry in the same transaction, so :func:`last_change_id` is all a screen polls
(in a ``session_scope(engine, read_only=True)``, which never waits for a writer).
Every time going in or coming out is aware UTC (a naive one is refused, naming the column
or argument), and every function that records a time takes ``now=`` (the clock of
:mod:`command.clock` by default), so callers and tests pin it.

Typical use::

    engine = engine_for(settings)
    with session_scope(engine) as s:
        incident_id = create_incident(s, incident, actor="duty-officer")
"""

# their tables join the metadata
from command.store import (  # noqa: F401
    decision,
    enforcement,
    hazards,
    liaison,
    notifications,
    risk,
    training,
    users,
    warning,
)
from command.store._engine import engine_for, session_scope, upgrade
from command.store.audit import AuditEntry, append_audit, last_change_id, list_audit, verify_audit
from command.store.incidents import (
    IncidentRecord,
    close_incident,
    create_incident,
    get_incident,
    list_incidents,
)
from command.store.load import init_db, load_dataset, table_counts
from command.store.plans import PlanRecord, decide_plan, get_plan, list_plans, save_plan
from command.store.units import (
    ALLOWED_TRANSITIONS,
    UnitRecord,
    UnitStatusEvent,
    first_arrivals,
    get_unit,
    list_units,
    set_unit_status,
    unit_history,
)

__all__ = [
    "engine_for", "session_scope", "upgrade", "init_db", "load_dataset", "table_counts",
    "create_incident", "close_incident", "get_incident", "list_incidents", "IncidentRecord",
    "save_plan", "decide_plan", "get_plan", "list_plans", "PlanRecord",
    "set_unit_status", "list_units", "get_unit", "unit_history", "UnitRecord",
    "UnitStatusEvent", "ALLOWED_TRANSITIONS", "first_arrivals",
    "verify_audit", "list_audit", "last_change_id", "AuditEntry", "append_audit",
]
