"""Evidence as offsets into its version's stored text: no copy of the quote or of the section title.

Each evidence row names its fact or link by row id (fact_id / link_id) instead of repeating the
version id and the owner's key, and its section by index into the version's stored sections. The
quote (`policy.text[start:end]`) and the title are computed on read; `quote` and `section` keep text
only where it is not the slice or not a stored section's title, so converting loses nothing. Drops
the fact and link indexes no query uses (the unique constraints' indexes serve reads by version).
Evidence whose fact or link is gone (no stored row names it; nothing could read it) is not carried over.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_POLICY = sa.table("policy", sa.column("id"), sa.column("text"), sa.column("sections", sa.JSON))
_FACT = sa.table("fact", sa.column("id"), sa.column("policy_id"), sa.column("node_id"))
_LINK = sa.table("link", sa.column("id"), sa.column("policy_id"), sa.column("source"), sa.column("relation"),
                 sa.column("target"))
#: the indexes of revision 0002 that this one drops: (name, table, columns)
_UNUSED = (("ix_fact_policy_id", "fact", ["policy_id"]), ("ix_fact_kind", "fact", ["kind"]),
           ("ix_fact_node_id", "fact", ["node_id"]), ("ix_link_policy_id", "link", ["policy_id"]),
           ("ix_link_source_target", "link", ["source", "target"]))
_BATCH = 5000


def _offsets_table(name: str) -> sa.Table:
    return op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fact_id", sa.Integer(), nullable=True),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("section_index", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("section", sa.Text(), nullable=True),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["fact_id"], ["fact.id"]),
        sa.ForeignKeyConstraint(["link_id"], ["link.id"]),
        sa.PrimaryKeyConstraint("id"),
    )


def _quotes_table(name: str) -> sa.Table:
    return op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=10), nullable=False),
        sa.Column("owner_key", sa.String(length=700), nullable=False),
        sa.Column("section", sa.String(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["policy_id"], ["policy.id"]),
        sa.PrimaryKeyConstraint("id"),
    )


def _owners(conn: sa.Connection, pid: str) -> dict[tuple[str, str], int]:
    """(owner, owner key) -> row id of a version's facts and links (the key revision 0002 stored)."""
    out = {("fact", nid): i for i, nid in conn.execute(
        sa.select(_FACT.c.id, _FACT.c.node_id).where(_FACT.c.policy_id == pid))}
    out.update({("link", f"{s}|{r}|{t}"): i for i, s, r, t in conn.execute(
        sa.select(_LINK.c.id, _LINK.c.source, _LINK.c.relation, _LINK.c.target).where(_LINK.c.policy_id == pid))})
    return out


def _titles(sections: list) -> list[str]:
    return [" > ".join(path) for path, *_ in sections or ()]


def _versions(conn: sa.Connection):  # noqa: ANN202
    """(id, text, section titles) of every stored version, one at a time (a catalog's texts may be large)."""
    for (pid,) in conn.execute(sa.select(_POLICY.c.id).order_by(_POLICY.c.id)).all():
        text, sections = conn.execute(sa.select(_POLICY.c.text, _POLICY.c.sections).where(_POLICY.c.id == pid)).one()
        yield pid, text, _titles(sections)


def _copy(conn: sa.Connection, target: sa.Table, rows: list[dict]) -> list[dict]:
    if len(rows) >= _BATCH:
        conn.execute(target.insert(), rows)
        return []
    return rows


def upgrade() -> None:
    conn = op.get_bind()
    old = sa.Table("evidence", sa.MetaData(), autoload_with=conn)
    new = _offsets_table("evidence_0003")
    pending: list[dict] = []
    for pid, text, titles in _versions(conn):
        owners, first = _owners(conn, pid), {}
        for i, t in enumerate(titles):
            first.setdefault(t, i)
        for e in conn.execute(sa.select(old).where(old.c.policy_id == pid).order_by(old.c.id)):
            owner = owners.get((e.owner, e.owner_key))
            if owner is None:
                continue
            index = first.get(e.section, -1) if e.section else -1
            pending.append({"fact_id": owner if e.owner == "fact" else None,
                            "link_id": owner if e.owner == "link" else None,
                            "section_index": index, "start": e.start, "end": e.end, "rule": e.rule, "note": e.note,
                            "section": None if index >= 0 or not e.section else e.section,
                            "quote": None if text[e.start:e.end] == e.quote else e.quote})
        pending = _copy(conn, new, pending)
    if pending:
        conn.execute(new.insert(), pending)
    op.drop_table("evidence")
    op.rename_table("evidence_0003", "evidence")
    op.create_index("ix_evidence_fact_id", "evidence", ["fact_id"])
    op.create_index("ix_evidence_link_id", "evidence", ["link_id"])
    for name, table, _ in _UNUSED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    conn = op.get_bind()
    for name, table, columns in _UNUSED:
        op.create_index(name, table, columns)
    now = sa.Table("evidence", sa.MetaData(), autoload_with=conn)
    back = _quotes_table("evidence_0002")
    pending: list[dict] = []
    for pid, text, titles in _versions(conn):
        keys = {(owner, i): key for (owner, key), i in _owners(conn, pid).items()}
        if not keys:
            continue
        q = sa.select(now).where(sa.or_(now.c.fact_id.in_(
            sa.select(_FACT.c.id).where(_FACT.c.policy_id == pid)), now.c.link_id.in_(
            sa.select(_LINK.c.id).where(_LINK.c.policy_id == pid)))).order_by(now.c.id)
        for e in conn.execute(q):
            owner = "fact" if e.fact_id is not None else "link"
            key = keys[(owner, e.fact_id if owner == "fact" else e.link_id)]
            section = e.section if e.section is not None else (
                titles[e.section_index] if 0 <= e.section_index < len(titles) else "")
            pending.append({"policy_id": pid, "owner": owner, "owner_key": key, "section": section,
                            "quote": text[e.start:e.end] if e.quote is None else e.quote, "start": e.start,
                            "end": e.end, "rule": e.rule, "note": e.note})
        pending = _copy(conn, back, pending)
    if pending:
        conn.execute(back.insert(), pending)
    op.drop_table("evidence")
    op.rename_table("evidence_0002", "evidence")
    op.create_index("ix_evidence_owner_key", "evidence", ["owner_key"])
    op.create_index("ix_evidence_policy_id", "evidence", ["policy_id"])
