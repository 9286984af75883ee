"""Alembic environment: runs on the connection catalog.store.migrate hands over (or on -x url=... / $DATABASE_URL).

The upgrade runs in one transaction that first takes a lock (PostgreSQL advisory lock; SQLite
BEGIN IMMEDIATE), so two processes opening a fresh catalog at once do not both create the schema.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text
from sqlmodel import SQLModel

from catalog.store import tables  # noqa: F401  (registers the tables on SQLModel.metadata)

#: pg_advisory_xact_lock key: any constant shared by every process that migrates a catalog.
LOCK_KEY = 0x524F5041  # "ROPA"


def lock(connection: Connection) -> None:
    """Serialise concurrent upgrades of the same database (held until the transaction ends)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:  # a batch ALTER copies a table others reference: its keys are checked before the commit instead
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # (a no-op inside a transaction: set before it)
    try:
        lock(connection)
        context.configure(
            connection=connection,
            target_metadata=SQLModel.metadata,
            render_as_batch=sqlite,  # ALTER TABLE via copy on SQLite
            transactional_ddl=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite and (broken := connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()):
                raise RuntimeError(f"the migration left rows naming rows that are not there: {broken[:5]}")
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def main() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    from catalog.store.database import database_url
    from catalog.store.engine import make_engine

    url = context.get_x_argument(as_dictionary=True).get("url") or database_url(None)
    engine = make_engine(url, create=False)
    with engine.connect() as conn:
        run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
main()
