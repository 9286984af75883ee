"""Batch extraction on dask.distributed: one task per file, on a local cluster or an existing one.

Each task reads, normalises and extracts one file inside the worker (only paths travel to the
cluster); a file that fails becomes a (path, reason) entry instead of stopping the batch. Ids are
made unique across the batch in file order, exactly as a serial build makes them, so a parallel
build stores the same catalog.

- `extract_batch` brings the extractions back (for library use and the benchmark);
- `build_batch` (what `ropa build --workers/--scheduler` runs) has the workers store them
  themselves, so only small answers come back: shipping ~0.5 MB of pickled evidence per policy to
  one process, then writing it from there, cost more than the extraction saved at 1,000 policies.

With `scheduler=ADDRESS` the workers must see the same paths and the same database URL (a shared
filesystem, a PostgreSQL server) and have this package installed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from catalog.records import Extraction

#: on_progress(done, failed, total): called after each file finishes (done counts failures too).
Progress = Callable[[int, int, int], None]


@dataclass
class BatchResult:
    extractions: list[Extraction] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def extract_file(path: str) -> tuple[list[Extraction], str]:
    """The task: one file to its extractions, or to a one-line reason it could not be read."""
    from catalog.build import extract_one
    from catalog.ingest import InputError, read_policy

    try:
        return [extract_one(d) for d in read_policy(path)], ""
    except InputError as e:
        return [], e.problem
    except Exception as e:  # noqa: BLE001  (a bug on one policy must not stop the batch)
        return [], f"{type(e).__name__}: {e}"


@contextmanager
def cluster_client(workers: int = 2, scheduler: str | None = None) -> Iterator:
    """A dask.distributed Client: on `scheduler`, or on a new local cluster of `workers` processes (loopback)."""
    from dask.distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler, set_as_default=False) as client:
            yield client
        return
    # dashboard_address=None does not turn the scheduler's HTTP server off (dask/distributed#8136): it
    # takes port 8787 or warns that another cluster has it; ":0" takes a free port, silently
    with LocalCluster(n_workers=workers, processes=True, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address=":0") as cluster, Client(cluster, set_as_default=False) as client:
        try:
            yield client
        finally:
            with suppress(Exception):  # a worker already gone has nothing left to say
                client.run(quiet_shutdown)
                client.run(quiet_shutdown, nanny=True)


#: Loggers that report the cluster's own shutdown races (a heartbeat in flight while the connections
#: close: "CommClosedError ... Stream is closed"), which are noise once the work is done.
SHUTDOWN_LOGGERS = ("distributed.worker", "distributed.nanny", "distributed.core", "distributed.comm",
                    "distributed.batched", "distributed.utils_comm")


def quiet_shutdown() -> None:
    """Runs in each worker (and nanny) of a local cluster we are about to close: its shutdown is silent."""
    import logging

    for name in SHUTDOWN_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)


def extract_batch(files: Sequence[str | Path], workers: int = 2, scheduler: str | None = None,
                  on_progress: Progress | None = None) -> BatchResult:
    """Extract every file on a Dask cluster: a new local one with `workers` processes, or `scheduler`."""
    paths = [str(f) for f in files]
    with cluster_client(workers, scheduler) as client:
        outcomes = _run(client, paths, on_progress)
    return collect(paths, outcomes)


# ---------------------------------------------------------------- build on the cluster


@dataclass
class StoredPolicy:
    """What a worker stored for one policy version (the CLI's report line)."""

    id: str
    title: str
    effective_date: str
    facts: int
    links: int
    warnings: tuple[str, ...] = ()


@dataclass
class BuildBatchResult:
    stored: list[StoredPolicy] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def _heads(outcome: tuple[list[Extraction], str]) -> tuple[list[tuple[str, str, str]], str]:
    """The task's small answer: (id, content hash, retrieved) per version, or the failure reason."""
    xs, reason = outcome
    return [(x.policy.id, x.policy.content_hash, x.policy.retrieved) for x in xs], reason


@functools.lru_cache(maxsize=4)
def _worker_engine(url: str):  # noqa: ANN202  (one engine, and one schema check, per worker process)
    from catalog.store import make_engine

    return make_engine(url)


def _store(outcome: tuple[list[Extraction], str], ids: list[str], url: str) -> list[StoredPolicy]:
    """The task: write one file's extractions (under the batch-unique ids) from the worker itself."""
    from catalog.store import renamed, write_extractions

    xs = write_extractions(_worker_engine(url), [renamed(x, i) for x, i in zip(outcome[0], ids)])
    return [StoredPolicy(x.policy.id, x.policy.title, str(x.policy.effective_date or "unknown"),
                         len(x.facts), len(x.links), x.warnings) for x in xs]


def build_batch(files: Sequence[str | Path], url: str, workers: int = 2, scheduler: str | None = None,
                on_progress: Progress | None = None) -> BuildBatchResult:
    """Extract and store every file on a Dask cluster; the workers write to the catalog at `url` themselves.

    Only small answers travel back to this process (ids, counts, reasons), so a batch of thousands
    does not gather every extraction in one place; ids are made unique in file order first, exactly
    as a serial build makes them, so the stored catalog is the same. Each file's versions are stored
    in their own transaction: a failing file never blocks the others.
    """
    from dask.distributed import as_completed

    from catalog.ingest import with_unique_ids
    from catalog.records import PolicyDocument

    paths = [str(f) for f in files]
    result = BuildBatchResult()
    with cluster_client(workers, scheduler) as client:
        extracted = client.map(extract_file, paths, pure=False)  # results stay on the workers
        heads = client.map(_heads, extracted, pure=False)
        index = {f.key: i for i, f in enumerate(heads)}
        answers: dict[int, tuple[list[tuple[str, str, str]], str]] = {}
        for fut in as_completed(heads, loop=client.loop):
            i = index[fut.key]
            try:
                answers[i] = fut.result()
            except Exception as e:  # noqa: BLE001  (the worker died: KilledWorker, lost connection...)
                answers[i] = ([], f"{type(e).__name__}: {e}")
            if on_progress:
                on_progress(len(answers), sum(bool(a[1]) for a in answers.values()), len(paths))
        stubs = [PolicyDocument(id=pid, title="", publisher="", effective_date=None, source=paths[i], text="",
                                content_hash=h, retrieved=r)
                 for i in range(len(paths)) for pid, h, r in answers[i][0]]
        unique = iter(d.id for d in with_unique_ids(stubs))
        jobs = []
        for i, p in enumerate(paths):
            versions, reason = answers[i]
            if reason:
                result.failures.append((p, reason))
                continue
            ids = [next(unique) for _ in versions]
            if versions:
                jobs.append((p, client.submit(_store, extracted[i], ids, url, pure=False)))
        for p, fut in jobs:
            try:
                result.stored.extend(fut.result())
            except Exception as e:  # noqa: BLE001  (reported per file, the rest is stored)
                result.failures.append((p, f"storing failed: {type(e).__name__}: {str(e).splitlines()[0]}"))
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
    from catalog.build import extract_one
    from catalog.ingest import with_unique_ids

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
