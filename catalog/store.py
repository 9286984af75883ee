"""Writing extractions to the database and reading them back.

A SQLite file by default, or any SQLAlchemy URL (`postgresql+psycopg://...`). Writing a policy
version that is already stored replaces its facts, links and evidence in one transaction, and
touches nothing else (other versions, review decisions).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace

from sqlalchemy import Engine, delete, event, insert, select
from sqlmodel import Session, create_engine

from catalog import tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from catalog.database import DEFAULT_DB, database_url, sqlite_path  # noqa: F401  (re-exported)
from catalog.ingest import InputError, id_candidates, slug, with_ids_distinct_from
from catalog.listing import version_order
from catalog.records import Evidence, Extraction, Fact, Kind, Link, Origin, PolicyDocument, Relation, Section, Status
from catalog.segment import segment
from catalog.tables import EvidenceRow, FactRow, LinkRow, PolicyRow, link_key

EXTRACTOR_VERSION = "1"


def make_engine(db: str | None = None, create: bool = True) -> Engine:
    """An engine for the catalog database, its schema created or upgraded to head (Alembic; never dropped)."""
    url = database_url(db)
    kwargs: dict = {}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def _pragmas(conn, _record):  # noqa: ANN001
            cur = conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
    if create:
        from catalog.migrate import upgrade

        upgrade(engine)
    return engine


# ---------------------------------------------------------------- write


def to_rows(x: Extraction) -> tuple[dict, list[dict], list[dict], list[dict]]:
    """Pure: an extraction as row dicts for the policy, fact, link and evidence tables."""
    d = x.policy
    policy = {
        "id": d.id, "title": d.title, "publisher": d.publisher, "organisation": slug(d.publisher),
        "effective_date": d.effective_date, "source": d.source, "retrieved": d.retrieved,
        "content_hash": d.content_hash, "text": d.text,
        "sections": [[list(s.path), s.level, s.start, s.end] for s in d.sections],
        "warnings": list(x.warnings), "extractor": EXTRACTOR_VERSION,
        **_origin_columns(d.origin),
    }
    facts, links, evidence = [], [], []
    for f in x.facts:
        facts.append({"policy_id": d.id, "node_id": f.id, "kind": f.kind.value, "ident": f.ident,
                      "label": f.label, "key": f.key, "attrs": f.attrs})
        evidence.extend(_evidence_rows(d.id, "fact", f.id, f.evidence))
    for ln in x.links:
        links.append({"policy_id": d.id, "source": ln.source, "target": ln.target, "relation": ln.relation.value,
                      "status": ln.status.value, "attrs": ln.attrs})
        evidence.extend(_evidence_rows(d.id, "link", link_key(ln.source, ln.relation.value, ln.target), ln.evidence))
    return policy, facts, links, evidence


def _origin_columns(o: Origin | None) -> dict:
    if o is None:
        return {"repository": "", "repository_path": "", "commit_sha": "", "committed_at": None}
    return {"repository": o.repository, "repository_path": o.path, "commit_sha": o.commit, "committed_at": o.committed_at}


def _evidence_rows(policy_id: str, owner: str, key: str, evidence: Iterable[Evidence]) -> list[dict]:
    return [{"policy_id": policy_id, "owner": owner, "owner_key": key, "section": e.section, "quote": e.quote,
             "start": e.start, "end": e.end, "rule": e.rule, "note": e.note} for e in evidence]


#: How often a write that lost a race with another process (unique key, deadlock, locked file) is retried.
WRITE_ATTEMPTS = 5


def renamed(x: Extraction, policy_id: str) -> Extraction:
    """Pure: the same extraction stored under another version id (its document, evidence and warnings say so).

    The version id appears nowhere else in an extraction (tests/test_store.py checks this against
    extracting the renamed document), so renaming is cheap enough to do inside the write transaction.
    """
    old = x.policy.id
    if policy_id == old:
        return x

    def ev(items: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
        return tuple(replace(e, policy_id=policy_id) for e in items)

    return Extraction(
        replace(x.policy, id=policy_id),
        tuple(replace(f, evidence=ev(f.evidence)) for f in x.facts),
        tuple(replace(ln, evidence=ev(ln.evidence)) for ln in x.links),
        tuple(policy_id + w[len(old):] if w.startswith(old + ":") else w for w in x.warnings),
    )


def write_extractions(engine: Engine, extractions: Sequence[Extraction]) -> list[Extraction]:
    """Store extractions, replacing what each of their policy versions had; all or nothing.

    Returns the extractions as stored: a version whose id another file's different text already
    holds is stored under a suffixed id (see `ingest.with_ids_distinct_from`). That decision is
    taken inside the write transaction, after the lock, so two builds racing for one id cannot both
    take it: on SQLite the second waits for the write lock and then sees the first's row; on
    PostgreSQL the second's insert fails on the primary key, or the second finds the row the first
    committed after its lock query and gives up (_LostRace), and the retry sees the row.
    Two processes writing the same version at once: the loser's transaction fails on the unique
    constraints (or a deadlock / SQLite lock) and is retried as a whole, so exactly one copy is left.
    """
    from sqlalchemy.exc import IntegrityError, OperationalError

    for x in extractions:  # read_policy refuses these; a text made some other way must not fail a whole batch
        if "\x00" in x.policy.text:
            raise InputError(x.policy.source, "binary file (contains NUL bytes), not a text policy")
    for attempt in range(WRITE_ATTEMPTS):
        try:
            return _write_once(engine, extractions)
        except (IntegrityError, OperationalError, _LostRace):
            if attempt == WRITE_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


class _LostRace(Exception):
    """A concurrent build stored a version under the id this transaction chose: retry with what it stored."""


def _write_once(engine: Engine, extractions: Sequence[Extraction]) -> list[Extraction]:
    with Session(engine) as session, session.begin():
        if engine.dialect.name == "sqlite":  # take the write lock now, not on the first DELETE
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        # lock the stored versions' rows first (PostgreSQL): a concurrent writer of the same version
        # waits here, then sees every row this transaction committed, and replaces all of them
        ids = sorted({c for x in extractions for c in id_candidates(x.policy)})
        held = session.execute(select(PolicyRow.id, PolicyRow.source, PolicyRow.content_hash)
                               .where(PolicyRow.id.in_(ids)).order_by(PolicyRow.id).with_for_update()).all()
        docs = with_ids_distinct_from([x.policy for x in extractions], {i: (src, h) for i, src, h in held})
        extractions = [renamed(x, d.id) for x, d in zip(extractions, docs)]
        locked = {i for i, _, _ in held}
        for x in extractions:
            policy, facts, links, evidence = to_rows(x)
            pid = policy["id"]
            existing = session.get(PolicyRow, pid)
            if existing is not None and pid not in locked:
                # another build committed this id after our lock query found nothing to lock (PostgreSQL,
                # read committed): the id was chosen without seeing that text, so choose again
                raise _LostRace(pid)
            for table in (EvidenceRow, LinkRow, FactRow):
                session.execute(delete(table).where(table.policy_id == pid))
            if existing is None:
                session.add(PolicyRow(**policy))
            else:
                for k, v in policy.items():
                    setattr(existing, k, v)
            session.flush()
            locked.add(pid)  # ours now: a later version of this batch with the same id replaces it
            # Core inserts on the tables (executemany), not the ORM bulk path, which costs more per row
            if facts:
                session.execute(insert(FactRow.__table__), facts)
            if links:
                session.execute(insert(LinkRow.__table__), links)
            if evidence:
                session.execute(insert(EvidenceRow.__table__), evidence)
    return extractions


def delete_policy(engine: Engine, policy_id: str) -> bool:
    with Session(engine) as session, session.begin():
        for table in (EvidenceRow, LinkRow, FactRow):
            session.execute(delete(table).where(table.policy_id == policy_id))
        row = session.get(PolicyRow, policy_id)
        if row is None:
            return False
        session.delete(row)
    return True


# ---------------------------------------------------------------- read


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
    sections, units = segment(row.text)
    stored = tuple(Section(tuple(p), lvl, a, b) for p, lvl, a, b in row.sections)
    return PolicyDocument(
        id=row.id, title=row.title, publisher=row.publisher, effective_date=row.effective_date, source=row.source,
        text=row.text, content_hash=row.content_hash, sections=stored or sections, units=units, retrieved=row.retrieved,
        origin=Origin(row.repository, row.repository_path, row.commit_sha, _utc(row.committed_at))
        if row.commit_sha and row.committed_at else None,
    )


def _utc(t: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands timestamps back without their zone; they were written in UTC."""
    return t.replace(tzinfo=dt.timezone.utc) if t is not None and t.tzinfo is None else t


def read_extractions(engine: Engine, policy_ids: Sequence[str] | None = None,
                     organisation: str | None = None) -> list[Extraction]:
    """Extractions as stored, for some or all policy versions (the graph is built from these)."""
    with Session(engine) as session:
        q = select(PolicyRow)
        if policy_ids:
            q = q.where(PolicyRow.id.in_(list(policy_ids)))
        if organisation:
            q = q.where(PolicyRow.organisation == organisation)
        policies = session.execute(q).scalars().all()
        ids = [p.id for p in policies]
        if not ids:
            return []
        # plain rows, not ORM objects: building an entity per evidence row dominated reading a large catalog
        F, L, E = FactRow.__table__, LinkRow.__table__, EvidenceRow.__table__
        facts = session.execute(select(F).where(F.c.policy_id.in_(ids))).all()
        links = session.execute(select(L).where(L.c.policy_id.in_(ids))).all()
        evidence = session.execute(select(E).where(E.c.policy_id.in_(ids)).order_by(E.c.id)).all()
        ev: dict[tuple[str, str, str], list[Evidence]] = {}
        for e in evidence:
            ev.setdefault((e.policy_id, e.owner, e.owner_key), []).append(
                Evidence(e.policy_id, e.section, e.quote, e.start, e.end, e.rule, e.note))
        by_policy_facts: dict[str, list[Fact]] = {}
        for f in facts:
            by_policy_facts.setdefault(f.policy_id, []).append(Fact(
                Kind(f.kind), f.ident, f.label, f.key, dict(f.attrs), tuple(ev.get((f.policy_id, "fact", f.node_id), ()))))
        by_policy_links: dict[str, list[Link]] = {}
        for ln in links:
            key = link_key(ln.source, ln.relation, ln.target)
            by_policy_links.setdefault(ln.policy_id, []).append(Link(
                ln.source, ln.target, Relation(ln.relation), Status(ln.status), dict(ln.attrs),
                tuple(ev.get((ln.policy_id, "link", key), ()))))
        out = []
        for p in sorted(policies, key=version_order):
            out.append(Extraction(
                _document(p),
                tuple(sorted(by_policy_facts.get(p.id, []), key=lambda f: f.id)),
                tuple(sorted(by_policy_links.get(p.id, []), key=lambda x: x.identity)),
                tuple(p.warnings or ()),
            ))
    return out
