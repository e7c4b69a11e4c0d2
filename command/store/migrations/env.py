"""Alembic environment of the store, run by :func:`command.store.upgrade`.

The connection comes in ``config.attributes["connection"]`` (set by ``upgrade``), or an
engine is made from the ``sqlalchemy.url`` option; there is no alembic.ini. SQLite runs
in batch mode so that later revisions can alter tables there too.
"""

from __future__ import annotations

from alembic import context

from command.store._tables import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from command.store._engine import engine_for

    engine = engine_for(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
