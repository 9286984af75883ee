"""The whole pipeline for a set of paths: read every input (refusing bad ones before the database
is touched), extract, and store all of it in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from catalog.extract import extract
from catalog.ingest import policy_files, read_policy, with_ids_distinct_from, with_unique_ids
from catalog.records import Extraction, PolicyDocument
from catalog.store import read_version_sources, write_extractions


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


def read_documents(files: Sequence[Path], tick: Callable[[Path], None] | None = None) -> list[PolicyDocument]:
    """Every policy version in the files; the first bad file raises InputError and nothing is kept."""
    docs: list[PolicyDocument] = []
    for f in files:
        docs.extend(read_policy(f))
        if tick:
            tick(f)
    return with_unique_ids(docs)


def extract_all(docs: Sequence[PolicyDocument]) -> list[Extraction]:
    return [extract(d) for d in docs]


def build(paths: Iterable[str | Path], engine: Engine, tick: Callable[[Path], None] | None = None) -> BuildResult:
    """Read, extract and store; the database changes only if every input is readable."""
    files = collect_files(paths)
    docs = with_ids_distinct_from(read_documents(files, tick), read_version_sources(engine))
    extractions = extract_all(docs)
    write_extractions(engine, extractions)
    warnings = [w for x in extractions for w in x.warnings]
    return BuildResult([x.policy.id for x in extractions], warnings, extractions)
