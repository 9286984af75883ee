"""The whole pipeline for a set of paths: read every input (refusing bad ones before the database
is touched), extract, and store all of it in one transaction. `build_ota` does the same for the
history of a versions repository (catalog.ingest.ota), adding only the versions not stored yet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import Engine

from catalog.extract import extract
from catalog.ingest.documents import read_policy, with_unique_ids
from catalog.ingest.files import policy_files
from catalog.ingest.publisher import slug
from catalog.ingest.ota import DEFAULT_DOCUMENT, Recorded, VersionProblem, check_repository, read_log, read_versions
from catalog.records import Extraction, PolicyDocument
from catalog.store.read import read_stored_history, read_version_sources
from catalog.store.write import write_extractions


@dataclass
class BuildResult:
    policy_ids: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    extractions: list[Extraction] = field(default_factory=list)


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """The policy files named by paths (directories expanded); raises InputError for a bad path."""
    files: list[Path] = []
    for p in paths:
        for f in policy_files(p):
            if f not in files:
                files.append(f)
    return files


def read_documents(files: Sequence[Path], tick: Callable[[Path], None] | None = None, *, publisher: str = "",
                   effective: dt.date | None = None) -> list[PolicyDocument]:
    """Every policy version in the files; the first bad file raises InputError and nothing is kept.
    `publisher` and `effective` override what the texts say (see `read_policy`)."""
    docs: list[PolicyDocument] = []
    for f in files:
        docs.extend(read_policy(f, publisher=publisher, effective=effective))
        if tick:
            tick(f)
    return with_unique_ids(docs)


def extract_one(d: PolicyDocument) -> Extraction:
    """Extract one version; what reading its file noticed (an encoding other than UTF-8) leads its warnings."""
    x = extract(d)
    return replace(x, warnings=d.warnings + x.warnings) if d.warnings else x


def extract_all(docs: Sequence[PolicyDocument], tick: Callable[[PolicyDocument], None] | None = None) -> list[Extraction]:
    out = []
    for d in docs:
        out.append(extract_one(d))
        if tick:
            tick(d)
    return out


def build(paths: Iterable[str | Path], engine: Engine, tick: Callable[[Path], None] | None = None, *,
          publisher: str = "", effective: dt.date | None = None) -> BuildResult:
    """Read, extract and store; the database changes only if every input is readable."""
    files = collect_files(paths)
    docs = read_documents(files, tick, publisher=publisher, effective=effective)
    extractions = write_extractions(engine, extract_all(docs))  # ids decided as stored
    warnings = [w for x in extractions for w in x.warnings]
    return BuildResult([x.policy.id for x in extractions], warnings, extractions)


# ---------------------------------------------------------------- versions repositories


@dataclass
class HistoryBuild:
    """What a versions-repository build read, stored, skipped and could not read."""

    versions: list[PolicyDocument] = field(default_factory=list)  # the new ones, to extract and store
    problems: list[VersionProblem] = field(default_factory=list)
    skipped: int = 0  # commits and texts already in the catalog
    recorded: int = 0  # commits of the chosen documents considered
    extractions: list[Extraction] = field(default_factory=list)


def new_versions(docs: Sequence[PolicyDocument], stored_hashes: set[tuple[str, str]],
                 stored_ids: dict[str, str]) -> tuple[list[PolicyDocument], int]:
    """Pure: the versions whose text the catalog does not hold yet for their organisation (each text
    once, at its first sighting), with ids that never replace a stored version; and how many were skipped.

    `stored_ids` maps id -> content hash. Two texts claiming the same date (a policy edited without a new
    "last updated" line) keep apart: the later one's id gets its commit date, then its hash, appended.
    """
    seen = set(stored_hashes)
    taken = dict(stored_ids)
    out: list[PolicyDocument] = []
    for d in docs:
        key = (slug(d.publisher), d.content_hash)
        if key in seen:
            continue
        seen.add(key)
        for candidate in (d.id, f"{d.id}-r{d.retrieved}", f"{d.id}-r{d.retrieved}-{d.content_hash[:8]}"):
            if taken.get(candidate, d.content_hash) == d.content_hash:
                break
        d = replace(d, id=candidate)
        taken[d.id] = d.content_hash
        out.append(d)
    return out, len(docs) - len(out)


def read_new_versions(repo: Path, records: Sequence[Recorded], engine: Engine,
                      tick: Callable[[Recorded], None] | None = None) -> HistoryBuild:
    """The records' versions the catalog lacks: commits already stored are not read again, texts
    already stored are skipped; a text that cannot be read becomes a problem, not a stop."""
    hashes, commits = read_stored_history(engine)
    todo = [r for r in records if (r.path, r.commit) not in commits]
    for r in records if tick else ():
        if (r.path, r.commit) in commits:
            tick(r)  # a stored commit counts as read
    docs, problems = read_versions(repo, todo, tick=tick)
    ids = {pid: digest for pid, (_source, digest) in read_version_sources(engine).items()}
    fresh, skipped = new_versions(docs, hashes, ids)
    return HistoryBuild(fresh, problems, skipped + len(records) - len(todo), len(records))


def build_history(repo: Path, records: Sequence[Recorded], engine: Engine) -> HistoryBuild:
    """Read the records' new versions, extract them and store them in one transaction."""
    h = read_new_versions(repo, records, engine)
    h.extractions = write_extractions(engine, extract_all(h.versions))  # as stored
    return h


def build_ota(repo: str | Path, engine: Engine, services: Sequence[str] | None = None,
              document: str = DEFAULT_DOCUMENT, since: dt.date | None = None) -> HistoryBuild:
    """`ropa build --ota`: the chosen services' history of one document, new versions stored."""
    top = check_repository(repo)
    return build_history(top, read_log(top, services, document, since), engine)
