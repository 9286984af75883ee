"""Which database a --db value names: a SQLite file by default, or any SQLAlchemy URL.

Kept apart from catalog.store.engine (and free of SQLAlchemy at import) so a command that starts fast can tell a SQLite
catalog from another database before deciding what to import.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = "catalog.db"


def database_url(db: str | None = None) -> str:
    """--db value, else $DATABASE_URL, else catalog.db; a plain path means a SQLite file."""
    value = db or os.environ.get("DATABASE_URL") or DEFAULT_DB
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser()}"


def sqlite_path(db: str | None = None) -> Path | None:
    """The SQLite file a --db value names (None for another database, or an in-memory one)."""
    url = database_url(db)
    if not url.startswith("sqlite:///") or ":memory:" in url:
        return None
    return Path(url.removeprefix("sqlite:///").split("?", 1)[0])


def masked_url(url: str) -> str:
    """A database URL with its password hidden (for display; SQLAlchemy is imported only for a URL)."""
    if "://" not in url:
        return url
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return url.split("@")[-1]
