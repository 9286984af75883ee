"""The catalog database's engine, its schema brought to head first.

A SQLite file by default, or any SQLAlchemy URL (`postgresql+psycopg://...`); the schema is created or
upgraded by the Alembic migrations (catalog/store/migrations/), never dropped.
"""

from __future__ import annotations

from sqlalchemy import Engine

from catalog.store import tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from catalog.store.migrate import open_engine, upgrade


def make_engine(db: str | None = None, create: bool = True) -> Engine:
    """An engine for the catalog database, its schema created or upgraded to head (Alembic; never dropped)."""
    engine = open_engine(db)
    if create:
        upgrade(engine)
    return engine
