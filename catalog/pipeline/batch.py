"""Batch extraction on dask.distributed, on a local cluster or an existing one.

Each task reads, normalises and extracts files inside the worker (only paths travel to the
cluster); a file that fails becomes a (path, reason) entry instead of stopping the batch. Ids are
made unique across the batch in file order, exactly as a serial build makes them, so a parallel
build stores the same catalog.

- `extract_batch` brings the extractions back (for library use and the benchmark);
- `build_batch` (what `ropa build --workers/--scheduler` runs) has the workers store them
  themselves, chunk by chunk while the others extract, so only small answers come back: shipping
  ~0.5 MB of pickled evidence per policy to one process, then writing it from there, cost more than
  the extraction saved at 1,000 policies; a transaction per file (a SQLite commit waits for the
  disk, ~30 ms here), and storing only once everything was extracted, made `--workers 2` slower
  than a serial build.

The tasks the workers run are catalog.pipeline.batch_tasks'; the cluster, catalog.pipeline.cluster's.
With `scheduler=ADDRESS` the workers must see the same paths and the same database URL (a shared
filesystem, a PostgreSQL server) and have this package installed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from catalog.pipeline.batch_tasks import Heads, StoredPolicy, chunk_heads, extract_chunk, extract_file, store_chunk
from catalog.pipeline.cluster import cluster_client
from catalog.records import Extraction

#: on_progress(done, failed, total): called after each file finishes (done counts failures too).
Progress = Callable[[int, int, int], None]


@dataclass
class BatchResult:
    extractions: list[Extraction] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def extract_batch(files: Sequence[str | Path], workers: int = 2, scheduler: str | None = None,
                  on_progress: Progress | None = None) -> BatchResult:
    """Extract every file on a Dask cluster: a new local one with `workers` processes, or `scheduler`."""
    paths = [str(f) for f in files]
    with cluster_client(workers, scheduler) as client:
        outcomes = _run(client, paths, on_progress)
    return collect(paths, outcomes)


# ---------------------------------------------------------------- build on the cluster


@dataclass
class BuildBatchResult:
    stored: list[StoredPolicy] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def chunk_size(files: int, workers: int) -> int:
    """Files per task: enough chunks to keep every worker busy to the end, at most 12 files per commit."""
    return max(1, min(12, files // (workers * 8)))


class _UniqueIds:
    """`ingest.with_unique_ids` taken file by file: the ids of a file depend only on the files before it."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}  # id -> content hash of its first holder

    def take(self, source: str, heads: list[tuple[str, str, str]]) -> list[str]:
        from catalog.ingest.documents import with_unique_ids
        from catalog.records import PolicyDocument

        out = []
        for pid, digest, retrieved in heads:
            d = PolicyDocument(id=pid, title="", publisher="", effective_date=None, source=source, text="",
                               content_hash=digest, retrieved=retrieved)
            if pid in self.seen:  # the same rule, applied to the first holder and this one
                first = PolicyDocument(id=pid, title="", publisher="", effective_date=None, source="", text="",
                                       content_hash=self.seen[pid])
                d = with_unique_ids([first, d])[1]
            self.seen.setdefault(d.id, digest)
            out.append(d.id)
        return out


def build_batch(files: Sequence[str | Path], url: str, workers: int = 2, scheduler: str | None = None,
                on_progress: Progress | None = None, chunk: int | None = None) -> BuildBatchResult:
    """Extract and store every file on a Dask cluster; the workers write to the catalog at `url` themselves.

    Files go out in chunks of consecutive files (`chunk`, default `chunk_size`), a few chunks per
    worker at a time: a chunk's extractions stay on its worker, only their ids and hashes travel
    here; as soon as every earlier file has answered, the ids are made unique in file order (exactly
    as a serial build makes them) and the same worker stores the chunk, while the others extract. So
    storing overlaps extracting, and memory holds a few chunks, not the batch (10,000 files run in
    the same space as 100). Each chunk is one transaction, and a failing file never blocks the others.
    on_progress is called once per file, when its chunk is stored.
    """
    from dask.distributed import as_completed

    paths = [str(f) for f in files]
    k = chunk or chunk_size(len(paths), workers)
    chunks = [paths[i:i + k] for i in range(0, len(paths), k)]
    window = 3 * workers  # chunks extracted or being stored at once
    answers: dict[int, Heads] = {}
    outcome: dict[int, list[tuple[list[StoredPolicy], str]]] = {}
    unique = _UniqueIds()
    done = failed = 0
    with cluster_client(workers, scheduler) as client:
        pending = as_completed(loop=client.loop)
        extracted: dict[int, object] = {}
        role: dict[str, tuple[str, int]] = {}
        last_store: dict[str, object] = {}  # id -> the store still running that last wrote it
        stored_ids: dict[int, list[str]] = {}  # chunk -> the ids its store writes

        def submit(c: int) -> None:
            queued[0] = c + 1
            extracted[c] = client.submit(extract_chunk, chunks[c], pure=False)
            h = client.submit(chunk_heads, extracted[c], pure=False)
            role[h.key] = ("heads", c)
            pending.add(h)

        def finish(c: int, results: list[tuple[list[StoredPolicy], str]]) -> None:
            nonlocal done, failed
            outcome[c] = results
            extracted.pop(c, None)  # the extractions leave the worker's memory
            for _stored_, reason in results:
                done += 1
                failed += bool(reason)
                if on_progress:
                    on_progress(done, failed, len(paths))
            if queued[0] < len(chunks):  # one chunk out, the next one in
                submit(queued[0])

        queued = [0]  # chunks submitted so far
        for _ in range(min(window, len(chunks))):
            submit(queued[0])
        frontier = 0
        for fut in pending:
            what, c = role.pop(fut.key)
            try:
                got = fut.result()
            except Exception as e:  # noqa: BLE001  (the worker died: KilledWorker, lost connection...)
                why = f"{type(e).__name__}: {(str(e).splitlines() or [''])[0]}"
                got = [([], f"storing failed: {why}" if what == "store" else why)] * len(chunks[c])
            if what == "store":
                for i in stored_ids.pop(c):  # a later store of these ids need not wait for this one
                    if i in last_store and last_store[i].key == fut.key:
                        del last_store[i]
                finish(c, [(s, r or heads_reason) for (s, r), (_h, heads_reason) in zip(got, answers.pop(c))])
                continue
            answers[c] = got
            while frontier in answers and frontier not in outcome:
                f = frontier
                frontier += 1
                ids = [[] if reason else unique.take(p, heads) for p, (heads, reason) in zip(chunks[f], answers[f])]
                if not any(ids):
                    finish(f, [([], reason) for _heads, reason in answers.pop(f)])
                    continue
                after = list({last_store[i].key: last_store[i] for pids in ids for i in pids if i in last_store}.values())
                s = client.submit(store_chunk, extracted[f], ids, url, *after, pure=False, priority=10)
                stored_ids[f] = [i for pids in ids for i in pids]
                last_store.update(dict.fromkeys(stored_ids[f], s))
                role[s.key] = ("store", f)
                pending.add(s)
    result = BuildBatchResult()
    for c in range(len(chunks)):
        for p, (stored, reason) in zip(chunks[c], outcome[c]):
            result.stored.extend(stored)
            if reason:
                result.failures.append((p, reason))
    return result


def _run(client, paths: list[str], on_progress: Progress | None) -> dict[str, tuple[list[Extraction], str]]:
    from dask.distributed import as_completed

    futures = client.map(extract_file, paths, pure=False)
    index = {f.key: p for f, p in zip(futures, paths)}
    outcomes: dict[str, tuple[list[Extraction], str]] = {}
    failed = 0
    for fut in as_completed(futures, loop=client.loop):
        path = index[fut.key]
        try:
            outcomes[path] = fut.result()
        except Exception as e:  # noqa: BLE001  (the worker died: KilledWorker, lost connection...)
            outcomes[path] = ([], f"{type(e).__name__}: {e}")
        fut.release()
        failed += bool(outcomes[path][1])
        if on_progress:
            on_progress(len(outcomes), failed, len(paths))
    return outcomes


def collect(paths: Sequence[str], outcomes: dict[str, tuple[list[Extraction], str]]) -> BatchResult:
    """Pure: outcomes in file order, with ids made unique as a serial build makes them."""
    from catalog.pipeline.build import extract_one
    from catalog.ingest.documents import with_unique_ids

    result = BatchResult()
    for p in paths:
        xs, reason = outcomes[p]
        if reason:
            result.failures.append((p, reason))
        result.extractions.extend(xs)
    docs = with_unique_ids([x.policy for x in result.extractions])
    for i, (x, d) in enumerate(zip(result.extractions, docs)):
        if d.id != x.policy.id:  # renamed: evidence carries the policy id, so extract again (rare)
            result.extractions[i] = extract_one(d)
    return result
