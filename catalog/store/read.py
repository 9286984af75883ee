"""Reading stored extractions and what a build needs to know about the stored versions.

Core selects and plain rows, not ORM entities, where many rows are read (see read_extractions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from operator import itemgetter

from sqlalchemy import Engine, select
from sqlmodel import Session

from catalog.collector import collector_paused
from catalog.records import Extraction, Fact, Kind, Link, Origin, PolicyDocument, Relation, Section, Status
from catalog.store.listing import version_order
from catalog.store.rows import EvidenceReader, attrs_reader
from catalog.store.tables import FactRow, LinkRow, PhraseRow, PolicyRow


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
    catalog. Each fact's and link's evidence is unpacked from its one column, the quotes and section
    titles read from its version's text and sections.
    """
    P, F, L, H = PolicyRow.__table__, FactRow.__table__, LinkRow.__table__, PhraseRow.__table__
    with collector_paused(), engine.connect() as conn:
        q = select(P)
        if policy_ids:
            q = q.where(P.c.id.in_(list(policy_ids)))
        if organisation:
            q = q.where(P.c.organisation == organisation)
        policies = conn.execute(q).all()
        if not policies:
            return []
        fq = select(F.c.id, F.c.policy_id, F.c.kind, F.c.ident, F.c.label, F.c.key, F.c.attrs_id, F.c.evidence,
                    F.c.evidence_text)
        lq = select(L.c.source_id, L.c.target_id, L.c.relation, L.c.status, L.c.attrs_id, L.c.evidence,
                    L.c.evidence_text)
        if policy_ids or organisation:  # no filter for the whole catalog
            ids = [p.id for p in policies]
            fq = fq.where(F.c.policy_id.in_(ids))
            lq = lq.where(L.c.source_id.in_(select(F.c.id).where(F.c.policy_id.in_(ids))))
        facts = conn.execute(fq).all()
        links = conn.execute(lq).all()
        phrases = dict(conn.execute(select(H.c.id, H.c.text)).all())
    docs = {p.id: _document(p) for p in policies}
    readers = {pid: EvidenceReader(d, phrases) for pid, d in docs.items()}
    attrs_of = attrs_reader(phrases)
    # rows unpacked as tuples (a Row's attribute access costs more, 280 K rows per 1,000 policies); a
    # row of a version committed after the versions were read (a build meanwhile) is left for next time
    nodes: dict[int, tuple[str, str]] = {}  # fact row id -> (version, node id)
    by_policy_facts: dict[str, list[tuple[str, Fact]]] = {}
    kinds, relations, statuses = Kind._value2member_map_, Relation._value2member_map_, Status._value2member_map_
    for i, pid, kind, ident, label, key, attrs, packed, odd in facts:
        if (reader := readers.get(pid)) is not None:
            nodes[i] = (pid, node := f"{kind}:{ident}")
            by_policy_facts.setdefault(pid, []).append(
                (node, Fact(kinds[kind], ident, label, key, attrs_of(attrs), reader.read(packed, odd))))
    by_policy_links: dict[str, list[Link]] = {}
    for source, target, relation, status, attrs, packed, odd in links:
        if (s := nodes.get(source)) is not None and (t := nodes.get(target)) is not None:
            by_policy_links.setdefault(s[0], []).append(
                Link(s[1], t[1], relations[relation], statuses[status], attrs_of(attrs),
                     readers[s[0]].read(packed, odd)))
    out = []
    for p in sorted(policies, key=version_order):
        out.append(Extraction(
            docs[p.id],
            tuple(f for _, f in sorted(by_policy_facts.get(p.id, []), key=itemgetter(0))),
            tuple(sorted(by_policy_links.get(p.id, []), key=lambda x: x.identity)),
            tuple(p.warnings or ()),
        ))
    return out
