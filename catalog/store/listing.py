"""What `ropa policies` prints, from the policy rows and the fact counts (pure).

Shared by the Typer command (rows read through SQLAlchemy) and the fast start of catalog.cli.launch (rows
read with the stdlib sqlite3), so both print the same thing by construction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from catalog.tabulate import format_table

#: The count columns of the table, by kind, and their headers.
SHORT = {"controller": "ctrl", "data_subject": "subj", "data_category": "data", "purpose": "purp",
         "legal_basis": "basis", "recipient": "recip", "country": "ctry", "safeguard": "safeg",
         "retention": "ret", "right": "right", "cookie": "cookie"}

FORMATS = ("table", "json")


#: A stored policy version as the listing reads it: a catalog.store.tables.PolicyRow, or the
#: catalog.store.quickread.PolicyListed that holds the same columns (id, title, publisher, organisation,
#: source, retrieved, effective_date, built_at, committed_at).
Listed = Any


def version_order(row: Listed) -> tuple:
    """Versions of an organisation in history order: effective date, then when each text was seen."""
    seen = row.committed_at.isoformat() if row.committed_at else row.retrieved
    return (row.organisation, row.effective_date or row.built_at.date(), seen or "", row.id)


def to_listing(rows: Iterable[Listed], counts: Mapping[str, dict[str, int]]) -> list[dict]:
    """One dict per version, as `--format json` prints it."""
    return [{"id": p.id, "title": p.title, "effective_date": p.effective_date.isoformat() if p.effective_date else "",
             "publisher": p.publisher, "organisation": p.organisation, "source": p.source,
             "counts": counts.get(p.id, {})} for p in rows]


def listing_text(data: list[dict], format: str) -> str:
    """The JSON, or the table with one count column per kind (a hint when the catalog is empty)."""
    if format == "json":
        return json.dumps(data, indent=2)
    if not data:
        return "The catalog is empty: run `ropa build PATH` first."
    headers = ["id", "title", "effective"] + list(SHORT.values())
    table = [[d["id"], d["title"], d["effective_date"]] + [str(d["counts"].get(k, 0)) for k in SHORT] for d in data]
    return format_table(headers, table)
