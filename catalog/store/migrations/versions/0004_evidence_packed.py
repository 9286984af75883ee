"""Evidence packed into its fact's or link's row; rule names and notes stored once; links name facts by row id.

The evidence table (a row per evidence, two indexes) becomes one column per fact and link: its
records (section index, start, length, rule id, note id) packed with `struct` as catalog/store/packing.py
describes (the layout is copied here: a revision is frozen), and beside them, in `evidence_text`, the
section and quote of any evidence that is not a stored title or not its slice. Rule names and notes
and the facts' and links' attributes (as JSON) go to the new phrase table. A link keeps its facts' row ids instead of the version id and both node
ids, and that key (source id, relation, target id) is its primary key: no row id, and on SQLite no
second copy of the key in an index (WITHOUT ROWID). A fact drops its node id, which is its kind and
ident. Evidence whose fact or link is gone, and a link whose facts are not both stored,
are not carried over (nothing could read them).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import json
import struct

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_LAYOUTS = {0: "hIHHH", 1: "iiiii"}  # as catalog/store/packing.py wrote them at this revision
_BATCH = 5000


def _pack(records: list[tuple[int, int, int, int, int]]) -> bytes:
    flat = [v for r in records for v in r]
    for layout, fmt in _LAYOUTS.items():
        try:
            return bytes((layout,)) + struct.pack("<" + fmt * len(records), *flat)
        except struct.error:
            continue
    raise ValueError("evidence offsets beyond 32 bits")


def _unpack(blob: bytes) -> list[tuple[int, ...]]:
    return list(struct.iter_unpack("<" + _LAYOUTS[blob[0]], blob[1:])) if blob else []


def _tables(conn: sa.Connection, *names: str) -> tuple[sa.Table, ...]:
    meta = sa.MetaData()
    return tuple(sa.Table(name, meta, autoload_with=conn) for name in names)


def _flush(conn: sa.Connection, statement: sa.Executable, rows: list[dict], force: bool = False) -> list[dict]:
    if rows and (force or len(rows) >= _BATCH):
        conn.execute(statement, rows)
        return []
    return rows


def _link_0004(name: str) -> sa.Table:
    return op.create_table(
        name,
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attrs_id", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.LargeBinary(), nullable=False),
        sa.Column("evidence_text", sa.JSON(none_as_null=True), nullable=True),
        sa.ForeignKeyConstraint(["source_id"], ["fact.id"], name="fk_link_source_fact"),
        sa.ForeignKeyConstraint(["target_id"], ["fact.id"], name="fk_link_target_fact"),
        sa.ForeignKeyConstraint(["attrs_id"], ["phrase.id"], name="fk_link_attrs_phrase"),
        sa.PrimaryKeyConstraint("source_id", "relation", "target_id", name="pk_link"),
        sqlite_with_rowid=False,
    )


def upgrade() -> None:
    conn = op.get_bind()
    op.create_table("phrase", sa.Column("id", sa.Integer(), nullable=False), sa.Column("text", sa.Text(), nullable=False),
                    sa.PrimaryKeyConstraint("id"), sa.UniqueConstraint("text"))
    op.add_column("fact", sa.Column("evidence", sa.LargeBinary(), nullable=True))
    op.add_column("fact", sa.Column("evidence_text", sa.JSON(none_as_null=True), nullable=True))
    op.add_column("fact", sa.Column("attrs_id", sa.Integer(), nullable=True))
    new_link = _link_0004("link_0004")
    P, F, L, E, H = _tables(conn, "policy", "fact", "link", "evidence", "phrase")
    phrases: dict[str, int] = {}
    titles_of = {pid: [" > ".join(path) for path, *_ in sections or ()]
                 for pid, sections in conn.execute(sa.select(P.c.id, P.c.sections))}
    packed_fact = sa.table("fact", sa.column("id"), sa.column("evidence"), sa.column("attrs_id"),
                           sa.column("evidence_text", sa.JSON(none_as_null=True)))  # None stays NULL, not 'null'
    set_fact = packed_fact.update().where(packed_fact.c.id == sa.bindparam("row")).values(
        evidence=sa.bindparam("e"), evidence_text=sa.bindparam("t"), attrs_id=sa.bindparam("a"))
    new_phrases: list[dict] = []
    fact_rows: list[dict] = []
    link_rows: list[dict] = []

    def phrase(text: str) -> int:
        if text not in phrases:
            phrases[text] = len(phrases) + 1
            new_phrases.append({"id": phrases[text], "text": text})
        return phrases[text]

    for pid in sorted(titles_of):
        first: dict[str, int] = {}
        for i, t in enumerate(titles_of[pid]):
            first.setdefault(t, i)
        facts = conn.execute(sa.select(F.c.node_id, F.c.id, F.c.attrs).where(F.c.policy_id == pid)).all()
        nodes = {node: i for node, i, _ in facts}
        evidence: dict[tuple[str, int], list] = {}
        q = sa.select(E).where(sa.or_(E.c.fact_id.in_(sa.select(F.c.id).where(F.c.policy_id == pid)),
                                      E.c.link_id.in_(sa.select(L.c.id).where(L.c.policy_id == pid))))
        for e in conn.execute(q.order_by(E.c.id)):
            owner = ("fact", e.fact_id) if e.fact_id is not None else ("link", e.link_id)
            evidence.setdefault(owner, []).append(e)

        def packed(owner: tuple[str, int]) -> dict:
            records, odd = [], []
            for n, e in enumerate(evidence.get(owner, ())):
                records.append((e.section_index, e.start, e.end - e.start, phrase(e.rule), phrase(e.note)))
                if e.section is not None or e.quote is not None:
                    odd.append([n, e.section, e.quote])
            return {"evidence": _pack(records), "evidence_text": odd or None}

        for _, i, attrs in facts:
            ev = packed(("fact", i))
            fact_rows.append({"row": i, "e": ev["evidence"], "t": ev["evidence_text"], "a": phrase(json.dumps(attrs))})
        for i, s, t, relation, status, attrs in conn.execute(sa.select(
                L.c.id, L.c.source, L.c.target, L.c.relation, L.c.status, L.c.attrs).where(L.c.policy_id == pid)):
            if s in nodes and t in nodes:
                link_rows.append({"source_id": nodes[s], "relation": relation, "target_id": nodes[t], "status": status,
                                  "attrs_id": phrase(json.dumps(attrs)), **packed(("link", i))})
        new_phrases = _flush(conn, H.insert(), new_phrases)
        fact_rows = _flush(conn, set_fact, fact_rows)
        link_rows = _flush(conn, new_link.insert(), link_rows)
    _flush(conn, H.insert(), new_phrases, True)
    _flush(conn, set_fact, fact_rows, True)
    _flush(conn, new_link.insert(), link_rows, True)
    op.drop_table("evidence")
    op.drop_table("link")
    op.rename_table("link_0004", "link")
    conn.execute(F.delete().where(F.c.evidence.is_(None)))  # a fact of no stored version (nothing reads it)
    with op.batch_alter_table("fact") as b:
        b.drop_constraint("uq_fact_policy_node", type_="unique")
        b.drop_column("node_id")
        b.drop_column("attrs")
        b.alter_column("evidence", existing_type=sa.LargeBinary(), nullable=False)
        b.alter_column("attrs_id", existing_type=sa.Integer(), nullable=False)
        b.create_foreign_key("fk_fact_attrs_phrase", "phrase", ["attrs_id"], ["id"])
        b.create_unique_constraint("uq_fact_policy_kind_ident", ["policy_id", "kind", "ident"])


def downgrade() -> None:
    conn = op.get_bind()
    op.add_column("fact", sa.Column("node_id", sa.String(length=300), nullable=True))
    op.add_column("fact", sa.Column("attrs", sa.JSON(), nullable=True))
    old_link = op.create_table(  # the link table of revision 0003
        "link_0003",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("relation", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attrs", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["policy_id"], ["policy.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("policy_id", "source", "target", "relation", name="uq_link_policy_edge"),
    )
    F, L, H = _tables(conn, "fact", "link", "phrase")
    phrases = dict(conn.execute(sa.select(H.c.id, H.c.text)).all())
    set_fact = F.update().where(F.c.id == sa.bindparam("row")).values(node_id=sa.bindparam("n"), attrs=sa.bindparam("a"))
    fact_rows: list[dict] = []
    link_rows: list[dict] = []
    packed: list[tuple[str, int, bytes, list | None]] = []  # (owner, row id, evidence, evidence_text)
    nodes: dict[int, tuple[str, str]] = {}
    for i, pid, kind, ident, attrs, blob, odd in conn.execute(sa.select(
            F.c.id, F.c.policy_id, F.c.kind, F.c.ident, F.c.attrs_id, F.c.evidence, F.c.evidence_text).order_by(F.c.id)).all():
        nodes[i] = (pid, f"{kind}:{ident}")
        fact_rows.append({"row": i, "n": nodes[i][1], "a": json.loads(phrases[attrs])})
        packed.append(("fact", i, blob, odd))
        fact_rows = _flush(conn, set_fact, fact_rows)
    _flush(conn, set_fact, fact_rows, True)
    links = conn.execute(sa.select(L.c.source_id, L.c.relation, L.c.target_id, L.c.status, L.c.attrs_id, L.c.evidence,
                                   L.c.evidence_text).order_by(L.c.source_id, L.c.relation, L.c.target_id)).all()
    for n, (s, relation, t, status, attrs, blob, odd) in enumerate(links, 1):
        link_rows.append({"id": n, "policy_id": nodes[s][0], "source": nodes[s][1], "target": nodes[t][1],
                          "relation": relation, "status": status, "attrs": json.loads(phrases[attrs])})
        packed.append(("link", n, blob, odd))
        link_rows = _flush(conn, old_link.insert(), link_rows)
    _flush(conn, old_link.insert(), link_rows, True)
    op.drop_table("link")
    op.rename_table("link_0003", "link")
    if conn.dialect.name == "postgresql":  # the ids were given: the sequence goes on after them
        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('link', 'id'), max(id)) FROM link"))
    E = op.create_table(
        "evidence",
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
    op.create_index("ix_evidence_fact_id", "evidence", ["fact_id"])
    op.create_index("ix_evidence_link_id", "evidence", ["link_id"])
    rows: list[dict] = []
    for owner, i, blob, odd in packed:
        extra = {n: (section, quote) for n, section, quote in odd or ()}
        for n, (index, start, length, rule, note) in enumerate(_unpack(blob)):
            section, quote = extra.get(n, (None, None))
            rows.append({"fact_id": i if owner == "fact" else None, "link_id": i if owner == "link" else None,
                         "section_index": index, "start": start, "end": start + length,
                         "rule": phrases[rule], "note": phrases[note], "section": section, "quote": quote})
        rows = _flush(conn, E.insert(), rows)
    _flush(conn, E.insert(), rows, True)
    with op.batch_alter_table("fact") as b:
        b.drop_constraint("uq_fact_policy_kind_ident", type_="unique")
        b.drop_constraint("fk_fact_attrs_phrase", type_="foreignkey")
        for column in ("attrs_id", "evidence", "evidence_text"):
            b.drop_column(column)
        b.alter_column("node_id", existing_type=sa.String(length=300), nullable=False)
        b.alter_column("attrs", existing_type=sa.JSON(), nullable=False)
        b.create_unique_constraint("uq_fact_policy_node", ["policy_id", "node_id"])
    op.drop_table("phrase")
