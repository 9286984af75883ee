"""Policy versions from an Open Terms Archive versions repository: a git clone read with the `git` command.

The layout: one folder per service, one Markdown file per document type (`Alibaba.com/Privacy Policy.md`),
one commit per recorded change, the commit date being when the archive saw the text. Every commit that
changed a chosen document is one recorded text. The history comes from `git log` and the texts from
`git cat-file --batch` (one process for all of them), never from parsing `.git`. Each text is normalised
like any Markdown policy, belongs to its service (the service name is the publisher, so every version of a
service is one organisation), is dated by the date it states or else by its commit date, and keeps its
origin: repository, path, commit and commit time (`PolicyDocument.origin`, the `policy` table's
`repository`, `repository_path`, `commit_sha`, `committed_at` columns).

`source` is `<repository>@<commit:12>/<service>/<document>.md`: one readable string that names all three
and still ends in the document's file name, so everything that goes by a source's file name (the format,
key-fact scoring by basename) sees `Privacy Policy.md`.

`read_log` and `read_versions` do the I/O; `to_versions` is pure. `write_repository` records texts as such
a repository (tests, the benchmark, and trying `ropa build --ota` without a network).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from catalog.ingest.documents import to_documents
from catalog.ingest.files import MAX_BYTES, InputError, to_text
from catalog.records import Origin, PolicyDocument

DEFAULT_DOCUMENT = "Privacy Policy"
#: Settings that keep `git`'s output machine-readable whatever the user's configuration says.
_GIT_CONFIG = ("-c", "core.quotePath=false", "-c", "color.ui=never", "-c", "log.showSignature=false")


@dataclass(frozen=True, slots=True)
class Recorded:
    """One commit that changed one service's document."""

    service: str
    path: str  # in the repository, e.g. "Alibaba.com/Privacy Policy.md"
    commit: str
    committed_at: dt.datetime  # with the committer's UTC offset, as git recorded it


@dataclass(frozen=True, slots=True)
class VersionProblem:
    """A recorded text that could not be read as a policy (reported; the other versions are kept)."""

    service: str
    commit: str
    committed_at: dt.datetime
    reason: str

    def __str__(self) -> str:
        return f"{self.service} @ {self.commit[:12]} ({self.committed_at.date().isoformat()}): {self.reason}"


# ---------------------------------------------------------------- git (I/O)


def git(repo: str | Path, *args: str) -> str:
    """Run `git -C repo ARGS` and return its output; a failure is an InputError naming the repository."""
    try:
        out = subprocess.run(["git", *_GIT_CONFIG, "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise InputError(repo, "the git command is not installed (apt-get install git)") from None
    if out.returncode != 0:
        lines = [ln.strip() for ln in out.stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
        first = next((ln for ln in lines if ln.startswith(("fatal:", "error:"))), lines[-1] if lines else "")
        raise InputError(repo, first.removeprefix("fatal: ").removeprefix("error: ") or f"git {args[0]} failed")
    return out.stdout.decode("utf-8", "replace")


def check_repository(repo: str | Path) -> Path:
    """The clone's top folder; refuses a path that is not a git work tree with at least one commit."""
    p = Path(repo)
    if not p.exists():
        raise InputError(p, "no such directory")
    if not p.is_dir():
        raise InputError(p, "not a directory: --ota takes a clone of a versions repository")
    if git(p, "rev-parse", "--is-inside-work-tree").strip() != "true":
        raise InputError(p, "not a git work tree")
    try:
        git(p, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    except InputError:
        raise InputError(p, "the repository has no commits") from None
    return Path(git(p, "rev-parse", "--show-toplevel").strip())


def without_credentials(url: str) -> str:
    """A remote URL with any user:password@ taken out (a token must not end up in the catalog)."""
    parts = urlsplit(url)
    if parts.scheme and "@" in parts.netloc:
        return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
    return url


def repository_name(repo: Path) -> str:
    """How versions name their repository: the `origin` remote's URL, else the clone's absolute path."""
    try:
        url = git(repo, "remote", "get-url", "origin").strip()
    except InputError:
        url = ""
    return without_credentials(url) if url else str(repo.resolve())


def document_path(service: str, document: str = DEFAULT_DOCUMENT) -> str:
    return f"{service}/{document}.md"


def check_names(services: Sequence[str], document: str) -> None:
    """Service and document names are folder and file names: no separators, no empty or dot names."""
    for kind, name in [("document", document)] + [("service", s) for s in services]:
        if not name.strip() or name in {".", ".."} or "/" in name or "\\" in name or "\n" in name or "\0" in name:
            raise InputError(name, f"not a {kind} name of a versions repository (a folder or file name, no '/')")


def list_services(repo: Path, document: str = DEFAULT_DOCUMENT) -> list[str]:
    """The services whose folder holds the document at HEAD."""
    name = f"{document}.md"
    services = []
    for line in git(repo, "ls-tree", "-r", "--name-only", "HEAD").splitlines():
        folder, _, file = line.partition("/")
        if file == name:
            services.append(folder)
    return sorted(services)


def read_log(repo: Path, services: Sequence[str] | None = None, document: str = DEFAULT_DOCUMENT,
             since: dt.date | None = None) -> list[Recorded]:
    """Every commit that added or changed the document of each service (all services at HEAD when
    none is named), oldest first; commits before `since` (by commit date) are left out."""
    check_names(list(services or ()), document)
    chosen = list(dict.fromkeys(services)) if services else list_services(repo, document)
    if not chosen:
        raise InputError(repo, f"no service folder holds '{document}.md' (is this a versions repository?)")
    paths = {document_path(s, document): s for s in chosen}
    out = git(repo, "log", "--format=%x1e%H%x1f%cI", "--name-only", "--diff-filter=d", "--",
              *(f":(literal){p}" for p in paths))
    records: list[Recorded] = []
    for entry in out.split("\x1e")[1:]:
        head, _, names = entry.partition("\n")
        sha, _, when = head.partition("\x1f")
        committed_at = dt.datetime.fromisoformat(when.strip())
        records.extend(Recorded(paths[name], name, sha, committed_at) for name in names.splitlines() if name in paths)
    missing = [s for s in chosen if not any(r.service == s for r in records)]
    if missing:  # a misspelt --service must not pass for one with nothing new
        raise InputError(repo, f"no history of '{document_path(missing[0], document)}' in the repository"
                         + (f" (nor of {len(missing) - 1} more)" if len(missing) > 1 else ""))
    if since is not None:
        records = [r for r in records if r.committed_at.date() >= since]
    # git lists newest first; oldest first by commit time, ties kept in the order git walked them
    order = {id(r): i for i, r in enumerate(records)}
    return sorted(records, key=lambda r: (r.committed_at.astimezone(dt.timezone.utc), -order[id(r)]))


def read_blobs(repo: Path, records: Sequence[Recorded]) -> Iterator[tuple[Recorded, bytes | None, str]]:
    """(record, text bytes, problem) per record: each document as it was at its commit, from one
    `git cat-file --batch` process; bytes is None when the file could not be read (problem says why)."""
    if not records:
        return
    proc = subprocess.Popen(["git", *_GIT_CONFIG, "-C", str(repo), "cat-file", "--batch"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        for r in records:
            proc.stdin.write(f"{r.commit}:{r.path}\n".encode("utf-8"))
            proc.stdin.flush()
            header = proc.stdout.readline().decode("utf-8", "replace").split()
            if len(header) != 3:  # "<name> missing" / "ambiguous"
                yield r, None, "the file is missing at this commit"
                continue
            _oid, kind, size = header
            data = proc.stdout.read(int(size))
            proc.stdout.read(1)  # the newline after the object
            if kind != "blob":
                yield r, None, f"not a file at this commit (a {kind})"
            elif int(size) > MAX_BYTES:
                yield r, None, f"file too large ({int(size) / 1048576:.1f} MB; the limit is {MAX_BYTES // 1048576} MB)"
            else:
                yield r, data, ""
    finally:
        proc.stdin.close()
        proc.wait()


# ---------------------------------------------------------------- to policy versions (pure)


def to_versions(data: bytes, record: Recorded, repository: str) -> list[PolicyDocument]:
    """Pure: one recorded text to its policy version(s) (a page that quotes an older version holds two),
    dated by the text, else by the commit; raises InputError for text that is not a policy file."""
    source = f"{repository}@{record.commit[:12]}/{record.path}"
    text = to_text(data, source)
    origin = Origin(repository, record.path, record.commit, record.committed_at.astimezone(dt.timezone.utc))
    docs = to_documents(text, source, "markdown", publisher=record.service, seen=record.committed_at.date())
    if not docs:
        raise InputError(source, "no text left once page chrome is dropped")
    return [replace(d, origin=origin) for d in docs]


def read_versions(repo: Path, records: Sequence[Recorded], repository: str | None = None,
                  tick: Callable[[Recorded], None] | None = None) -> tuple[list[PolicyDocument], list[VersionProblem]]:
    """The policy versions of the records, in history order, and the records that could not be read."""
    repository = repository or repository_name(repo)
    docs: list[PolicyDocument] = []
    problems: list[VersionProblem] = []
    for r, data, problem in read_blobs(repo, records):
        try:
            if data is None:
                raise InputError(r.path, problem)
            docs.extend(to_versions(data, r, repository))
        except InputError as e:
            problems.append(VersionProblem(r.service, r.commit, r.committed_at, e.problem))
        if tick:
            tick(r)
    return docs, problems


# ---------------------------------------------------------------- making a repository


def write_repository(path: str | Path, versions: Iterable[tuple[str, str | bytes, dt.datetime]],
                     document: str = DEFAULT_DOCUMENT) -> Path:
    """Record (service, text, when) triples as a versions repository in the OTA layout, one commit each
    with its author and committer dates set to `when` (tests, benchmarks, trying `--ota` offline)."""
    repo = Path(path)
    repo.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GIT_AUTHOR_NAME": "ropa", "GIT_AUTHOR_EMAIL": "ropa@localhost",
           "GIT_COMMITTER_NAME": "ropa", "GIT_COMMITTER_EMAIL": "ropa@localhost", "GIT_CONFIG_NOSYSTEM": "1"}
    quiet = ("-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null")

    def run(*args: str, **extra: str) -> None:
        subprocess.run(["git", *quiet, "-C", str(repo), *args], check=True, capture_output=True, env=env | extra)

    run("init", "-q", "-b", "main")
    for service, text, when in versions:
        check_names([service], document)
        file = repo / document_path(service, document)
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        stamp = when.isoformat()
        run("add", "--", document_path(service, document))
        run("commit", "-q", "--allow-empty", "-m", f"Record {service} {document} ({stamp})",
            GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    return repo
