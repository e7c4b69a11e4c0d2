"""Engines, sessions and migrations: the one place that knows SQLite from PostgreSQL.

SQLite (the default, a file under ``settings.data_dir``) gets foreign keys switched on for
every connection and ``BEGIN IMMEDIATE`` transactions: a writer takes the write lock at
the start, so two writers queue up (busy timeout) instead of failing half-way, and the
audit chain is read and extended by one writer at a time. PostgreSQL serialises audit
writers with a transaction-scoped advisory lock (see :mod:`command.store.audit`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError, StatementError
from sqlalchemy.orm import Session

from command.errors import StoreError
from command.settings import Settings

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: Seconds a SQLite writer waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_S = 30.0

# Execution option marking a read-only session (see session_scope).
_READ_ONLY = "command_read_only"


def _url_of(target: Settings | str | URL) -> URL:
    if isinstance(target, Settings):
        return make_url(target.db_url)
    return make_url(target) if isinstance(target, str) else target


def safe_url(target: Settings | str | URL | Engine) -> str:
    """The URL as text with any password hidden, for messages and logs."""
    url = target.url if isinstance(target, Engine) else _url_of(target)
    return url.render_as_string(hide_password=True)


def engine_for(target: Settings | str | URL | Engine, *, echo: bool = False) -> Engine:
    """An engine for the store named by ``settings.db_url`` or by a URL.

    Parameters
    ----------
    target
        :class:`~command.settings.Settings` (its ``db_url``: the SQLite file
        ``data_dir/command.db`` unless ``database_url`` is set), a SQLAlchemy URL such as
        ``sqlite:///path.db`` or ``postgresql+psycopg://user@host/db``, or an engine
        (returned as is). ``postgresql://`` URLs use the psycopg 3 driver.
    echo
        Log every SQL statement (debugging).

    Returns
    -------
    Engine
        For a SQLite file, its folder is created if missing.

    Raises
    ------
    StoreError
        If the URL names a back-end other than SQLite or PostgreSQL.
    """
    if isinstance(target, Engine):
        return target
    url = _url_of(target)
    backend = url.get_backend_name()
    if backend == "sqlite":
        if _is_file(url):
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo,
                               connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return create_engine(url, echo=echo, pool_pre_ping=True)
    raise StoreError(f"unsupported database URL {safe_url(url)}: use sqlite:///FILE or "
                     "postgresql+psycopg://USER@HOST/DB")


def _configure_sqlite(engine: Engine) -> None:
    # SQLAlchemy's recipe: take transaction control away from the sqlite3 module so
    # that BEGIN is ours (IMMEDIATE) and PRAGMAs run outside any transaction.
    # WAL lets readers (a screen polling every second) run beside the one writer
    # without blocking it or being blocked; synchronous stays FULL for the audit trail.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if _is_file(engine.url):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # query_only is a flag of the connection (pooled, so always set it); it must be
        # off before BEGIN IMMEDIATE, which counts as a write.
        if conn.get_execution_options().get(_READ_ONLY):
            conn.exec_driver_sql("PRAGMA query_only = ON")
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("PRAGMA query_only = OFF")
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def _is_file(url: URL) -> bool:
    db = url.database or ""
    return bool(db) and db != ":memory:" and not db.startswith("file:")


@contextlib.contextmanager
def session_scope(engine: Engine, *, read_only: bool = False) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back if it raises.

    Keep the block short: on SQLite a writing session holds the database's write lock
    from its first statement to its end.

    Parameters
    ----------
    read_only
        For screens that only look: the session never takes the write lock (SQLite) and
        the database refuses any write in it (PostgreSQL ``READ ONLY`` transaction,
        SQLite ``query_only``).

    Raises
    ------
    StoreError
        For database errors (a refused constraint, an unreachable server) and values a
        column type refuses (a naive time), raised after the rollback, so nothing of the
        block is written.
    """
    if read_only:
        engine = engine.execution_options(**{_READ_ONLY: True},
                                          **({"postgresql_readonly": True}
                                             if engine.dialect.name == "postgresql" else {}))
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except DBAPIError as exc:
        session.rollback()
        raise StoreError(f"the store at {safe_url(engine)} refused the operation: "
                         f"{_first_line(exc.orig)}") from exc
    except StatementError as exc:
        session.rollback()
        # A column type (UTCDateTime) refused a parameter; SQLAlchemy wrapped its
        # StoreError with the SQL text, which says less to a person than the error itself.
        if isinstance(exc.orig, StoreError):
            raise exc.orig from exc
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _first_line(exc: BaseException | None) -> str:
    text = str(exc or "").strip()
    return text.splitlines()[0] if text else type(exc).__name__


def alembic_config(engine: Engine | None = None):
    """An Alembic ``Config`` built in code (no alembic.ini needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url",
                            engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade(target: Settings | str | URL | Engine, revision: str = "head") -> str | None:
    """Run the Alembic migrations up to ``revision`` (head by default).

    Returns
    -------
    str or None
        The revision the store is at afterwards.

    Raises
    ------
    StoreError
        If the store cannot be reached or a migration fails.
    """
    from alembic import command as alembic_command

    engine = engine_for(target)
    cfg = alembic_config(engine)
    try:
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            alembic_command.upgrade(cfg, revision)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate the store at {safe_url(engine)}: "
                         f"{_first_line(getattr(exc, 'orig', exc))}") from exc
    rev = current_revision(engine)
    log.info("store %s at revision %s", safe_url(engine), rev)
    return rev


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision of the store, or None when it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read the store at {safe_url(engine)}: "
                         f"{_first_line(getattr(exc, 'orig', exc))}") from exc


def head_revision() -> str | None:
    """The newest revision shipped with the code."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
