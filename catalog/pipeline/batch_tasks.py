"""The tasks a batch build runs on the Dask workers: extracting one file or a chunk of consecutive
files, answering with their heads only (ids and hashes: the extractions stay on the worker), and
storing a chunk under the batch-unique ids from the worker itself.

Each task turns a failure into a one-line reason for its file, so one bad policy never stops the
batch (catalog.pipeline.batch submits them and collects the answers).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from catalog.records import Extraction


def extract_file(path: str) -> tuple[list[Extraction], str]:
    """The task: one file to its extractions, or to a one-line reason it could not be read."""
    from catalog.pipeline.build import extract_one
    from catalog.ingest.documents import read_policy
    from catalog.ingest.files import InputError

    try:
        return [extract_one(d) for d in read_policy(path)], ""
    except InputError as e:
        return [], e.problem
    except Exception as e:  # noqa: BLE001  (a bug on one policy must not stop the batch)
        return [], f"{type(e).__name__}: {e}"


@dataclass
class StoredPolicy:
    """What a worker stored for one policy version (the CLI's report line)."""

    id: str
    title: str
    effective_date: str
    facts: int
    links: int
    warnings: tuple[str, ...] = ()


def _heads(outcome: tuple[list[Extraction], str]) -> tuple[list[tuple[str, str, str]], str]:
    """The task's small answer: (id, content hash, retrieved) per version, or the failure reason."""
    xs, reason = outcome
    return [(x.policy.id, x.policy.content_hash, x.policy.retrieved) for x in xs], reason


#: Per file of a chunk: its versions' heads (id, content hash, retrieved) and its failure reason ("" if none).
Heads = list[tuple[list[tuple[str, str, str]], str]]


def extract_chunk(paths: list[str]) -> list[tuple[list[Extraction], str]]:
    """The task: consecutive files to their extractions (kept on the worker until they are stored)."""
    return [extract_file(p) for p in paths]


def chunk_heads(outcomes: list[tuple[list[Extraction], str]]) -> Heads:
    """The small answer of a chunk, the only part of an extraction that travels to the client."""
    return [_heads(o) for o in outcomes]


@functools.lru_cache(maxsize=4)
def _worker_engine(url: str):  # noqa: ANN202  (one engine, and one schema check, per worker process)
    from catalog.store.engine import make_engine

    return make_engine(url)


def _stored(xs: list[Extraction]) -> list[StoredPolicy]:
    return [StoredPolicy(x.policy.id, x.policy.title, str(x.policy.effective_date or "unknown"),
                         len(x.facts), len(x.links), x.warnings) for x in xs]


def store_chunk(outcomes: list[tuple[list[Extraction], str]], ids: list[list[str]], url: str,
                *after: object) -> list[tuple[list[StoredPolicy], str]]:
    """The task: write a chunk's extractions (under the batch-unique ids) from the worker itself.

    One transaction for the whole chunk (a SQLite commit waits for the disk: one per file cost more
    than the writes themselves); if it fails, each file again in its own, so a bad file never blocks
    the others. Per file: what was stored and the reason it was not ("" when it was). `after` are
    the earlier stores of the same ids: Dask runs this one after them, so the last file wins, as serially.
    """
    from catalog.store.write import renamed, write_extractions

    engine = _worker_engine(url)
    todo = [[renamed(x, i) for x, i in zip(xs, pids)] for (xs, _reason), pids in zip(outcomes, ids)]
    try:
        stored = iter(write_extractions(engine, [x for xs in todo for x in xs]))
        return [(_stored([next(stored) for _ in xs]), "") for xs in todo]
    except Exception:  # noqa: BLE001  (one file's problem: find which, store the rest)
        if sum(map(bool, todo)) < 2:
            return [([], _store_failure()) if xs else ([], "") for xs in todo]
    out: list[tuple[list[StoredPolicy], str]] = []
    for xs in todo:
        try:
            out.append((_stored(write_extractions(engine, xs)) if xs else [], ""))
        except Exception:  # noqa: BLE001  (reported per file, the rest is stored)
            out.append(([], _store_failure()))
    return out


def _store_failure() -> str:
    """The one-line reason of the exception being handled, as a failed file's report."""
    import sys

    e = sys.exc_info()[1]
    return f"storing failed: {type(e).__name__}: {(str(e).splitlines() or [''])[0]}"
