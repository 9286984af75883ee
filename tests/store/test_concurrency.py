"""Two processes building into one catalog at once (SQLite file; PostgreSQL in CI).

Each process opens the catalog itself (so the schema migration races too), extracts, waits at a
barrier so both write at the same moment, then writes. Different policies: both stored. The same
policy: exactly one copy (the unique constraints reject the loser, which retries its transaction).
Two different texts claiming one id: both stored, the second under a suffixed id (decided inside
the write transaction).
"""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import pytest
from catalog.pipeline.build import extract_all, read_documents
from catalog.extract import extract
from catalog.ingest.documents import read_policy
from catalog.store.engine import make_engine
from catalog.store.read import read_policies
from catalog.store.write import write_extractions
from tests.conftest import CORPUS, stored_rows

IKEA = CORPUS / "other" / "Ikea.privacy.md"
WETRANSFER = CORPUS / "other" / "WeTransfer.privacy.md"


def _build(url: str, path: str, barrier, queue) -> None:  # noqa: ANN001  (runs in a spawned process)
    engine = make_engine(url)
    extractions = [extract(d) for d in read_policy(path)]
    queue.put(_expected(extractions))  # what one copy of this build holds, per version
    barrier.wait(timeout=60)
    write_extractions(engine, extractions)
    engine.dispose()


def _race(url: str, a: str, b: str) -> tuple[list[int], dict[str, tuple[int, int, int]]]:
    """Exit codes of the two builders, and the row counts one copy of their builds holds."""
    ctx = mp.get_context("spawn")
    barrier, queue = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_build, args=(url, str(p), barrier, queue)) for p in (a, b)]
    for p in procs:
        p.start()
    expected = {**queue.get(timeout=120), **queue.get(timeout=120)}
    for p in procs:
        p.join(timeout=120)
    return [p.exitcode for p in procs], expected


def _counts(engine, policy_id: str) -> tuple[int, int, int]:
    return stored_rows(engine, policy_id)


def _expected(extractions) -> dict[str, tuple[int, int, int]]:  # noqa: ANN001
    out = {}
    for x in extractions:
        out[x.policy.id] = (len(x.facts), len(x.links),
                            sum(len(f.evidence) for f in x.facts) + sum(len(ln.evidence) for ln in x.links))
    return out


def test_two_processes_building_different_policies_both_succeed(db_url):
    codes, expected = _race(db_url, str(IKEA), str(WETRANSFER))
    assert codes == [0, 0]
    engine = make_engine(db_url)
    assert [p.id for p in read_policies(engine)] == ["ikea-2026-09-01", "wetransfer-2026-08-01"]
    assert sorted(expected) == ["ikea-2026-09-01", "wetransfer-2026-08-01"]
    assert {pid: _counts(engine, pid) for pid in expected} == expected


def test_two_processes_building_the_same_policy_leave_one_copy(db_url, seed_path):
    # first on an empty catalog (both insert), then on a stored one (both delete and re-insert)
    for _ in range(2):
        codes, expected = _race(db_url, str(seed_path), str(seed_path))
        assert codes == [0, 0]
        assert sorted(expected) == ["alibaba-com-2018-05-25", "alibaba-com-2019-01-17"]
        assert min(n for counts in expected.values() for n in counts) > 100
        engine = make_engine(db_url)
        assert [p.id for p in read_policies(engine)] == sorted(expected)
        assert {pid: _counts(engine, pid) for pid in expected} == expected
        engine.dispose()


#: Two different texts that claim the same publisher and date (two snapshots of one page, say).
ACME = "Acme Privacy Policy\n\nEffective date: 1 March 2024\n\nWe collect your email address {extra}.\n"


def _build_like_ropa(url: str, path: str, barrier, queue) -> None:  # noqa: ANN001  (a spawned process)
    """What `ropa build PATH` does (read, extract, store), with both writes released at the same moment."""
    engine = make_engine(url)
    extractions = extract_all(read_documents([Path(path)]))
    barrier.wait(timeout=60)
    queue.put([x.policy.id for x in write_extractions(engine, extractions)])
    engine.dispose()


def test_two_texts_claiming_one_id_built_at_once_are_both_kept(db_url, tmp_path):
    a, b = tmp_path / "acme-a.txt", tmp_path / "acme-b.txt"
    a.write_text(ACME.format(extra="and your name"), encoding="utf-8")
    b.write_text(ACME.format(extra="and your phone number"), encoding="utf-8")
    ctx = mp.get_context("spawn")
    barrier, queue = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_build_like_ropa, args=(db_url, str(p), barrier, queue)) for p in (a, b)]
    for p in procs:
        p.start()
    reported = sorted([*queue.get(timeout=120), *queue.get(timeout=120)])
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    engine = make_engine(db_url)
    stored = read_policies(engine)
    assert sorted(p.id for p in stored) == reported  # each build reports the id it was stored under
    assert reported[0] == "acme-2024-03-01" and reported[1].startswith("acme-2024-03-01-r")
    assert sorted(p.source for p in stored) == [str(a), str(b)]  # neither text was lost
    engine.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_version_committed_just_after_the_lock_query_is_not_overwritten(db_url, tmp_path):
    """The interleaving behind a lost text under load, made to happen: build A's lock query finds no row
    for the id (nothing to lock), build B then commits its text under that id, and A goes on. A must see
    B's row and take a suffixed id, not replace B's text (it did on PostgreSQL, read committed).
    PostgreSQL only: SQLite takes the write lock before its first read, so the interleaving cannot happen."""
    from sqlalchemy import event

    a, b = tmp_path / "acme-a.txt", tmp_path / "acme-b.txt"
    a.write_text(ACME.format(extra="and your name"), encoding="utf-8")
    b.write_text(ACME.format(extra="and your phone number"), encoding="utf-8")
    xa, xb = (extract_all(read_documents([p])) for p in (a, b))
    engine, other = make_engine(db_url), make_engine(db_url)
    fired: list[str] = []

    @event.listens_for(engine, "after_cursor_execute")
    def _b_commits_now(conn, cursor, statement, params, context, executemany):  # noqa: ANN001
        if "FOR UPDATE" in statement and not fired:
            fired.append(statement)
            write_extractions(other, xb)  # another process's build, committed in between

    stored_a = write_extractions(engine, xa)
    assert fired
    stored = {p.id: p.source for p in read_policies(engine)}
    assert stored == {"acme-2024-03-01": str(b), stored_a[0].policy.id: str(a)}
    assert stored_a[0].policy.id.startswith("acme-2024-03-01-r")
    engine.dispose()
    other.dispose()
