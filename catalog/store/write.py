"""Writing extractions to the database, and deleting a stored version.

Writing a policy version that is already stored replaces its facts, links and evidence in one
transaction, and touches nothing else (other versions, review decisions). Reading them back is
catalog.store.read; the engine is catalog.store.engine.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import replace
from operator import itemgetter

from sqlalchemy import Connection, Engine, Table, bindparam, delete, insert, select, text, update

from catalog.collector import collector_paused
from catalog.ingest.documents import id_candidates, with_ids_distinct_from
from catalog.ingest.files import InputError
from catalog.records import Evidence, Extraction
from catalog.store.rows import Phrases, to_rows
from catalog.store.tables import FactRow, LinkRow, PhraseRow, PolicyRow

#: pg_advisory_xact_lock key of choosing phrase ids (another than the migrations' lock).
PHRASE_LOCK = 0x50485253  # "PHRS"

#: How often a write that lost a race with another process (unique key, deadlock, locked file) is retried.
WRITE_ATTEMPTS = 5


def renamed(x: Extraction, policy_id: str) -> Extraction:
    """Pure: the same extraction stored under another version id (its document, evidence and warnings say so).

    The version id appears nowhere else in an extraction (tests/store/test_store.py checks this against
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
    P, F, L, H = PolicyRow.__table__, FactRow.__table__, LinkRow.__table__, PhraseRow.__table__
    with collector_paused(), engine.begin() as conn:
        if engine.dialect.name == "sqlite":  # take the write lock now, not on the first DELETE
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        # lock the stored versions' rows first (PostgreSQL): a concurrent writer of the same version
        # waits here, then sees every row this transaction committed, and replaces all of them
        ids = sorted({c for x in extractions for c in id_candidates(x.policy)})
        held = conn.execute(select(P.c.id, P.c.source, P.c.content_hash)
                            .where(P.c.id.in_(ids)).order_by(P.c.id).with_for_update()).all()
        docs = with_ids_distinct_from([x.policy for x in extractions], {i: (src, h) for i, src, h in held})
        extractions = [renamed(x, d.id) for x, d in zip(extractions, docs)]
        # a later version of this batch with the same id replaces an earlier one: the last one is stored
        last = {x.policy.id: x for x in extractions}
        pids = list(last)
        existing = set(conn.execute(select(P.c.id).where(P.c.id.in_(pids))).scalars())
        if lost := existing - {i for i, _, _ in held}:
            # another build committed this id after our lock query found nothing to lock (PostgreSQL,
            # read committed): the id was chosen without seeing that text, so choose again
            raise _LostRace(sorted(lost)[0])
        if existing:
            _delete_versions(conn, sorted(existing))
        # texts not stored yet get the next phrase ids, chosen by one writer at a time: on SQLite the
        # write lock does it, on PostgreSQL a transaction lock (else two writers would pick the same ids)
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PHRASE_LOCK})
        phrases = Phrases(conn.execute(select(H.c.id, H.c.text)))
        rows = [to_rows(x, phrases) for x in last.values()]
        now = dt.datetime.now(dt.timezone.utc)
        # plain executemany through Core (no ORM objects): one statement per table for the whole batch
        if phrases.new:
            _executemany(conn, H, phrases.new)
        if new := [{**r[0], "built_at": now} for r in rows if r[0]["id"] not in existing]:
            conn.execute(insert(P), new)
        if changed := [{**{k: v for k, v in r[0].items() if k != "id"}, "policy_key": r[0]["id"]}
                       for r in rows if r[0]["id"] in existing]:
            conn.execute(update(P).where(P.c.id == bindparam("policy_key")), changed)  # built_at stays
        if facts := [f for r in rows for f in r[1]]:
            _executemany(conn, F, facts)
        if any(r[2] for r in rows):
            fact_ids = {(pid, f"{kind}:{ident}"): i for i, pid, kind, ident in conn.execute(
                select(F.c.id, F.c.policy_id, F.c.kind, F.c.ident).where(F.c.policy_id.in_(pids)))}
            links = []
            for r in rows:
                pid = r[0]["id"]
                for source, target, ln in r[2]:  # the dicts are this write's own: completed in place
                    ln["source_id"], ln["target_id"] = fact_ids[(pid, source)], fact_ids[(pid, target)]
                    links.append(ln)
            _executemany(conn, L, links)
    return extractions


def _executemany(conn: Connection, table: Table, rows: list[dict]) -> None:
    """INSERT rows (dicts with the same keys) through the driver's own executemany.

    The statement is compiled once and each value goes through its column type's bind processor (the
    JSON columns' serialiser), as SQLAlchemy would; what is skipped is its per-row parameter machinery,
    which cost more than the database's work on the 900 K evidence rows of a 1,000-policy catalog.
    """
    keys = list(rows[0])
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=keys)
    for k in keys:  # the rows are the caller's fresh dicts: serialised in place
        if (process := table.c[k].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)) is not None:
            for r in rows:
                r[k] = process(r[k])
    params = list(map(itemgetter(*compiled.positiontup), rows)) if compiled.positional else rows
    conn.exec_driver_sql(str(compiled), params)


def _delete_versions(conn: Connection, policy_ids: Sequence[str]) -> None:
    """Delete the facts and links of these versions (their policy rows stay)."""
    F, L = FactRow.__table__, LinkRow.__table__
    conn.execute(delete(L).where(L.c.source_id.in_(select(F.c.id).where(F.c.policy_id.in_(policy_ids)))))
    conn.execute(delete(F).where(F.c.policy_id.in_(policy_ids)))


def delete_policy(engine: Engine, policy_id: str) -> bool:
    P = PolicyRow.__table__
    with engine.begin() as conn:
        _delete_versions(conn, [policy_id])
        return conn.execute(delete(P).where(P.c.id == policy_id)).rowcount > 0
