"""`ropa policies` on a SQLite catalog with the stdlib sqlite3: no SQLAlchemy or SQLModel to import
(a fifth of a second before the first query; issue 15).

Only the plain case is read here: a regular file holding a catalog at the schema this ropa reads and
nothing but the catalog's tables. For anything else (no such file, a server URL, an older or unknown
schema, a foreign table, a locked or malformed file) `read_listing` returns None and the command takes
the SQLAlchemy path, which names what is wrong in its one line. The rows and counts are those of
catalog.store.read.read_policies and read_counts (compared in tests/cli/test_startup.py).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Optional

from catalog.store.database import database_url, sqlite_path
from catalog.store.listing import version_order
from catalog.store.migrate import INITIAL_TABLES, VERSION_TABLE, head
from catalog.records import Kind

#: Every table a catalog may hold (the schema at head has no other: tested against SQLModel.metadata;
#: revision 0004 adds the phrase table).
CATALOG_TABLES = frozenset(INITIAL_TABLES) | {VERSION_TABLE, "phrase"}


@dataclass(frozen=True)
class PolicyListed:
    """The columns of a policy row that `ropa policies` shows or orders by."""

    id: str
    title: str
    publisher: str
    organisation: str
    source: str
    retrieved: str
    effective_date: Optional[dt.date]
    built_at: dt.datetime
    committed_at: Optional[dt.datetime]


def read_listing(db: Optional[str]) -> Optional[tuple[list[PolicyListed], dict[str, dict[str, int]]]]:
    """(versions in history order, facts per kind per version) of a plain SQLite catalog at head, else None."""
    url = database_url(db)
    path = sqlite_path(db)
    if path is None or "?" in url or not path.is_file():
        return None
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
    except sqlite3.Error:
        return None
    try:
        return _read(conn)
    except (sqlite3.Error, ValueError, TypeError):  # malformed, locked, or columns this reader does not know
        return None
    finally:
        conn.close()


def _read(conn: sqlite3.Connection) -> Optional[tuple[list[PolicyListed], dict[str, dict[str, int]]]]:
    names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
             if not n.startswith("sqlite_")}
    if not names <= CATALOG_TABLES or VERSION_TABLE not in names:
        return None
    if [r for (r,) in conn.execute(f"SELECT version_num FROM {VERSION_TABLE}")] != [head()]:
        return None
    rows = [PolicyListed(pid, title, publisher, organisation, source, retrieved,
                         dt.date.fromisoformat(effective) if effective is not None else None,
                         dt.datetime.fromisoformat(built), dt.datetime.fromisoformat(committed) if committed else None)
            for pid, title, publisher, organisation, source, retrieved, effective, built, committed in conn.execute(
                "SELECT id, title, publisher, organisation, source, retrieved, effective_date, built_at, committed_at "
                "FROM policy")]
    counts: dict[str, dict[str, int]] = {}
    for pid, kind, n in conn.execute("SELECT policy_id, kind, count(*) FROM fact GROUP BY policy_id, kind"):
        counts.setdefault(pid, {k.value: 0 for k in Kind})[kind] = n
    return sorted(rows, key=version_order), counts
