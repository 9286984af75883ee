"""Batch extraction on dask.distributed: one task per file, run on a local cluster or an existing one.

Each task reads, normalises and extracts one file inside the worker (so only paths travel to the
cluster and only extractions come back); a file that fails becomes a (path, reason) entry instead
of stopping the batch. Results come back in the order of `files`, and ids are made unique across
the batch exactly as a serial build does, so a parallel build stores the same catalog.

With `scheduler=ADDRESS` the workers must see the same paths (a shared filesystem) and have this
package installed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    from catalog.extract import extract
    from catalog.ingest import InputError, read_policy

    try:
        return [extract(d) for d in read_policy(path)], ""
    except InputError as e:
        return [], e.problem
    except Exception as e:  # noqa: BLE001  (a bug on one policy must not stop the batch)
        return [], f"{type(e).__name__}: {e}"


def extract_batch(files: Sequence[str | Path], workers: int = 2, scheduler: str | None = None,
                  on_progress: Progress | None = None) -> BatchResult:
    """Extract every file on a Dask cluster: a new local one with `workers` processes, or `scheduler`."""
    from dask.distributed import Client, LocalCluster

    paths = [str(f) for f in files]
    if scheduler:
        with Client(scheduler, set_as_default=False) as client:
            outcomes = _run(client, paths, on_progress)
    else:
        with LocalCluster(n_workers=workers, processes=True, threads_per_worker=1, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster, set_as_default=False) as client:
            outcomes = _run(client, paths, on_progress)
    return collect(paths, outcomes)


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
    from catalog.extract import extract
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
            result.extractions[i] = extract(d)
    return result
