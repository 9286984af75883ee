"""Reading stored extractions and what a build needs to know about the stored versions.

Core selects and plain rows, not ORM entities, where many rows are read (see read_extractions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Connection, Engine, Select, select
from sqlmodel import Session

from catalog.collector import collector_paused
from catalog.records import Evidence, Extraction, Fact, Kind, Link, Origin, PolicyDocument, Relation, Section, Status
from catalog.store.listing import version_order
from catalog.store.tables import EvidenceRow, FactRow, LinkRow, PolicyRow

def read_policies(engine: Engine) -> list[PolicyRow]:
    """Policy versions, ordered by organisation then effective date (then when seen)."""
    with Session(engine) as session:
        rows = session.execute(select(PolicyRow)).scalars().all()
        session.expunge_all()
    return sorted(rows, key=version_order)


def read_stored_history(engine: Engine) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """What a versions-repository build skips: (organisation, content hash) of every stored version,
    and (repository path, commit) of every version already read from a repository."""
    with Session(engine) as session:
        rows = session.execute(select(PolicyRow.organisation, PolicyRow.content_hash,
                                      PolicyRow.repository_path, PolicyRow.commit_sha)).all()
    return {(o, h) for o, h, _, _ in rows}, {(p, c) for _, _, p, c in rows if c}


def read_version_sources(engine: Engine) -> dict[str, tuple[str, str]]:
    """Stored policy version id -> (source, content hash): what a new build must not silently replace."""
    with Session(engine) as session:
        rows = session.execute(select(PolicyRow.id, PolicyRow.source, PolicyRow.content_hash)).all()
    return {pid: (source, digest) for pid, source, digest in rows}


def read_counts(engine: Engine) -> dict[str, dict[str, int]]:
    """Facts per kind per policy version."""
    from sqlalchemy import func

    with Session(engine) as session:
        rows = session.execute(
            select(FactRow.policy_id, FactRow.kind, func.count()).group_by(FactRow.policy_id, FactRow.kind)
        ).all()
    out: dict[str, dict[str, int]] = {}
    for pid, kind, n in rows:
        out.setdefault(pid, {k.value: 0 for k in Kind})[kind] = n
    return out


def _document(row: PolicyRow) -> PolicyDocument:
    """The stored version as a document: its sections as stored, no units (nothing downstream of the
    store reads them; `catalog.ingest.segment.segment(doc.text)` gives them, re-segmenting cost a quarter of a read)."""
    return PolicyDocument(
        id=row.id, title=row.title, publisher=row.publisher, effective_date=row.effective_date, source=row.source,
        text=row.text, content_hash=row.content_hash, retrieved=row.retrieved,
        sections=tuple(Section(tuple(p), lvl, a, b) for p, lvl, a, b in row.sections),
        origin=Origin(row.repository, row.repository_path, row.commit_sha, _utc(row.committed_at))
        if row.commit_sha and row.committed_at else None,
    )


def _utc(t: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands timestamps back without their zone; they were written in UTC."""
    return t.replace(tzinfo=dt.timezone.utc) if t is not None and t.tzinfo is None else t


def read_extractions(engine: Engine, policy_ids: Sequence[str] | None = None,
                     organisation: str | None = None) -> list[Extraction]:
    """Extractions as stored, for some or all policy versions (the graph is built from these).

    Core selects and plain rows throughout: building an ORM entity per row dominated reading a large
    catalog. Each evidence's quote and section title are read from its version's text and sections.
    """
    P, F, L, E = PolicyRow.__table__, FactRow.__table__, LinkRow.__table__, EvidenceRow.__table__
    with collector_paused(), engine.connect() as conn:
        q = select(P)
        if policy_ids:
            q = q.where(P.c.id.in_(list(policy_ids)))
        if organisation:
            q = q.where(P.c.organisation == organisation)
        policies = conn.execute(q).all()
        if not policies:
            return []
        ids = [p.id for p in policies]
        everything = not policy_ids and not organisation

        def of_these(table, column):  # noqa: ANN001, ANN202  (rows of these versions, no filter for all)
            return select(*column) if everything else select(*column).where(table.c.policy_id.in_(ids))

        facts = conn.execute(of_these(F, (F.c.id, F.c.policy_id, F.c.kind, F.c.ident, F.c.label, F.c.key, F.c.attrs))).all()
        links = conn.execute(of_these(L, (L.c.id, L.c.policy_id, L.c.source, L.c.target, L.c.relation, L.c.status,
                                          L.c.attrs))).all()
        columns = (E.c.section_index, E.c.start, E.c.end, E.c.rule, E.c.note, E.c.section, E.c.quote)
        docs = {p.id: _document(p) for p in policies}
        fact_ev = _evidence(conn, E.c.fact_id, columns, None if everything else of_these(F, (F.c.id,)),
                            {f[0]: f[1] for f in facts}, docs)
        link_ev = _evidence(conn, E.c.link_id, columns, None if everything else of_these(L, (L.c.id,)),
                            {ln[0]: ln[1] for ln in links}, docs)
    # rows unpacked as tuples (a Row's attribute access costs more, 280 K rows per 1,000 policies)
    by_policy_facts: dict[str, list[Fact]] = {}
    kinds, relations, statuses = Kind._value2member_map_, Relation._value2member_map_, Status._value2member_map_
    for i, pid, kind, ident, label, key, attrs in facts:
        by_policy_facts.setdefault(pid, []).append(Fact(kinds[kind], ident, label, key, attrs, tuple(fact_ev.get(i, ()))))
    by_policy_links: dict[str, list[Link]] = {}
    for i, pid, source, target, relation, status, attrs in links:
        by_policy_links.setdefault(pid, []).append(Link(
            source, target, relations[relation], statuses[status], attrs, tuple(link_ev.get(i, ()))))
    out = []
    for p in sorted(policies, key=version_order):
        out.append(Extraction(
            docs[p.id],
            tuple(sorted(by_policy_facts.get(p.id, []), key=lambda f: f.id)),
            tuple(sorted(by_policy_links.get(p.id, []), key=lambda x: x.identity)),
            tuple(p.warnings or ()),
        ))
    return out


def _evidence(conn: Connection, owner: ColumnElement, columns: tuple, owners: Select | None,
              policy_of: dict[int, str], docs: dict[str, PolicyDocument]) -> dict[int, list[Evidence]]:
    """Owner row id -> its evidence in stored order, each quote sliced from its version's text."""
    q = select(owner, *columns).where(owner.isnot(None) if owners is None else owner.in_(owners))
    texts = {pid: d.text for pid, d in docs.items()}
    titles = {pid: [s.title for s in d.sections] for pid, d in docs.items()}
    out: dict[int, list[Evidence]] = {}
    for i, index, start, end, rule, note, section, quote in conn.execute(q.order_by(owner.table.c.id)):
        if (pid := policy_of.get(i)) not in texts:
            continue  # written after the versions were read (a build committing meanwhile): read next time
        if section is None:
            names = titles[pid]
            section = names[index] if 0 <= index < len(names) else ""
        out.setdefault(i, []).append(Evidence(pid, section, texts[pid][start:end] if quote is None else quote,
                                              start, end, rule, note))
    return out
