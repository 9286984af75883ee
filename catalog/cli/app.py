"""`ropa`: build the catalog from privacy policies and ask it questions.

Every command takes --db (a SQLite path or any SQLAlchemy URL; default $DATABASE_URL, then
catalog.db). Bad input exits with status 2 and a one-line error, leaving the database as it was.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn, Optional

import typer
from typer.core import TyperGroup

from catalog.records import Kind
from catalog.tabulate import format_table


class CatalogGroup(TyperGroup):
    """Turns the errors any command can meet into the one-line `error:` the CLI promises (exit 2).

    A refused input file or output path, a database that is not a catalog, corrupted or read-only:
    the message names the file and the problem, and nothing was changed (the write was rolled back).
    """

    def invoke(self, ctx: typer.Context) -> Any:
        _opened.clear()
        try:
            return super().invoke(ctx)
        except Exception as e:
            message = _error_line(e)
            if message is None:
                raise
            _say(message)
        raise typer.Exit(2)


def _loaded(module: str, name: str) -> type | tuple:
    """The class `name` of `module` if that module was imported, else () (no error can be an instance):
    how an error is told apart without importing SQLAlchemy, or the extraction, for a command that never did."""
    found = sys.modules.get(module)
    return getattr(found, name) if found is not None else ()


def _error_line(e: Exception) -> str | None:
    """The one line for an error any command can meet (None: not one of those, let it through)."""
    if isinstance(e, (_loaded("catalog.ingest.documents", "InputError"), _loaded("catalog.export.files", "OutputError"))):
        return str(e)
    if isinstance(e, _loaded("catalog.store.migrate", "NotACatalog")):
        return f"{_opened.get('db', 'the database')}: {e}"
    if isinstance(e, _loaded("sqlalchemy.exc", "DatabaseError")):  # malformed, not a database, read-only, disk I/O...
        return f"{_opened.get('db', 'the database')}: {_db_problem(e)}; nothing was changed"
    return None


def _say(message: str) -> None:
    typer.echo(f"error: {message}", err=True)


def _db_problem(e: Exception) -> str:
    text = _first_line(e)
    if "readonly database" in text or "read-only" in text:
        return f"the catalog is read-only ({text})"
    return f"cannot use the catalog: {text}"


#: How the database the running command opened is named in error messages (set by _engine).
_opened: dict[str, str] = {}

#: Help as Markdown: paragraphs re-flow to the terminal's width (80 columns reads well), examples stay lines.
HELP_MODE = "markdown"

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__, cls=CatalogGroup,
                  rich_markup_mode=HELP_MODE)
export_app = typer.Typer(no_args_is_help=True, help="Export the catalog (JSON graph, ROPA spreadsheet, ...).",
                         rich_markup_mode=HELP_MODE)
app.add_typer(export_app, name="export")


def version() -> str:
    """The installed distribution's version (its metadata: the wheel's, or the editable install's)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("ropa-catalog")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"ropa {version()}")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: bool = typer.Option(False, "--version", is_eager=True, callback=_show_version,
                                      help="Print the version and exit."),
) -> None:
    pass

DbOption = typer.Option(None, "--db", metavar="URL", help="SQLite file or SQLAlchemy URL (default: $DATABASE_URL, then catalog.db).")
PolicyOption = typer.Option(None, "--policy", "-p", metavar="ID", help="Restrict to one policy version id.")
OrgOption = typer.Option(None, "--org", metavar="ORG", help="Restrict to one organisation (publisher slug, e.g. alibaba-com).")
ForceOption = typer.Option(False, "--force", help="Replace an existing file that is not a previous export of this kind.")

#: Command modules under catalog/cli/commands/: each has register(app, export_app).
COMMAND_MODULES: tuple[str, ...] = ("lineage", "risks", "diff", "changes", "ropa_export", "review", "dashboard")

#: Optional packages a feature needs, and the extra that installs them.
EXTRAS = {"psycopg": "postgres", "psycopg2": "postgres", "dask": "scale", "distributed": "scale"}


def fail(message: str, code: int = 2) -> NoReturn:
    _say(message)
    raise typer.Exit(code)


def missing_extra(e: ImportError) -> str:
    """One line for an optional package that is not installed, naming the extra that installs it."""
    name = (e.name or "").split(".")[0]
    extra = EXTRAS.get(name)
    hint = f"pip install 'ropa-catalog[{extra}]'" if extra else f"pip install {name}"
    return f"the Python package {name!r} is not installed: {hint}"


def _engine(db: Optional[str], create: bool = False):
    """The catalog's engine. Only `build` (create=True) may create or migrate a catalog; every other
    command reads one as it is, and refuses a database that is not a catalog, without touching it."""
    from sqlalchemy.exc import DatabaseError

    from catalog.store.migrate import NotACatalog, check_readable, upgrade
    from catalog.messages import shown
    from catalog.store.write import database_url, make_engine, sqlite_path

    url = database_url(db)
    path = sqlite_path(db)
    label = shown(path) if path else (db or url).split("@")[-1]  # no password in messages
    _opened["db"] = label
    if path is not None and not create and not path.exists():
        fail(f"no catalog at {label}: build one first (ropa build PATH --db {label})")
    if path is not None and path.exists() and not path.is_file():
        fail(f"{label}: not a database file (a directory or device)")
    try:
        engine = make_engine(db, create=False)
        if create:
            upgrade(engine)
        else:
            check_readable(engine)
    except ImportError as e:  # a database driver that is an optional extra
        fail(missing_extra(e))
    except (NotACatalog, DatabaseError) as e:
        if _unreachable(e):
            fail(f"cannot open database {label}: {_first_line(e)}", 1)
        raise  # one line from CatalogGroup: not a catalog, malformed, read-only (exit 2)
    except Exception as e:  # a URL we cannot use
        fail(f"cannot open database {label}: {_first_line(e)}", 1)
    return engine


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 file', '2 files' (words: an irregular plural)."""
    return f"{n} {word if n == 1 else words or word + 's'}"


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def progress(length: int, label: str, **kwargs: Any):  # noqa: ANN201
    """A progress bar on stderr when it is a terminal (and there is something to count); elsewhere
    nothing, so a log or a pipe gets no stray "Reading" line before an error."""
    if length < 1 or not sys.stderr.isatty():
        return _NoBar()
    return typer.progressbar(length=length, label=label, file=sys.stderr, **kwargs)


def _first_line(e: Exception) -> str:
    orig = getattr(e, "orig", None) or e
    return (str(orig).splitlines() or [type(orig).__name__])[0]


def _unreachable(e: Exception) -> bool:
    """A server we cannot connect to (exit 1), not a database file that is bad (exit 2)."""
    from sqlalchemy.exc import OperationalError

    text = _first_line(e)
    return isinstance(e, OperationalError) and ("connect" in text or "server" in text or "timeout" in text)


def output_path(output: str, kind: str, db: Optional[str], force: bool) -> Path:
    """Where an export of `kind` goes, checked before any work is done (see catalog.export.files)."""
    from catalog.export.files import check_output
    from catalog.store.write import sqlite_path

    return check_output(output, kind, sqlite_path(db), force)


def require_org(engine, org: Optional[str]) -> None:  # noqa: ANN001
    """Refuse an --org the catalog does not hold, naming the ones it does."""
    from catalog.store.write import read_policies

    known = {p.organisation for p in read_policies(engine)}
    if org and org not in known:
        fail(f"no organisation {org!r} in the catalog; known: {', '.join(sorted(known)) or 'none (run `ropa build` first)'}")


def parse_since(since: Optional[str]):  # noqa: ANN201
    """--since YYYY-MM-DD as a date (None when not given)."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(since) if since else None
    except ValueError:
        fail(f"--since {since!r} is not a date (YYYY-MM-DD)")


def load_graph(db: Optional[str], policy: Optional[str] = None, org: Optional[str] = None):
    """The graph of the whole catalog, one policy version, or one organisation's versions."""
    from catalog.graph.build import to_graph
    from catalog.store.write import read_extractions, read_policies

    engine = _engine(db)
    known = read_policies(engine)
    if policy and policy not in {p.id for p in known}:
        fail(f"no policy version {policy!r} in the catalog; known: {', '.join(p.id for p in known) or 'none (run `ropa build` first)'}")
    if org and org not in {p.organisation for p in known}:
        fail(f"no organisation {org!r} in the catalog; known: {', '.join(sorted({p.organisation for p in known})) or 'none'}")
    from catalog.store.review import apply_reviews, read_reviews

    G = to_graph(read_extractions(engine, [policy] if policy else None, organisation=org))
    reviews = read_reviews(engine)
    return apply_reviews(G, reviews) if reviews else G  # a DPO's decisions show in every view and export


@app.command()
def build(
    paths: Optional[list[Path]] = typer.Argument(None, readable=False,  # our own check says what is wrong, in one line
                                                 help="Policy files (.txt, .md, .html) or directories of them."),
    db: Optional[str] = DbOption,
    workers: Optional[int] = typer.Option(
        None, "--workers", min=1, help="Extract in parallel on a local Dask cluster of N worker processes."),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", help="Extract on an existing dask.distributed cluster (e.g. tcp://10.0.0.5:8786)."),
    ota: Optional[Path] = typer.Option(
        None, "--ota", help="A local clone of an Open Terms Archive versions repository: build every recorded version."),
    service: Optional[list[str]] = typer.Option(
        None, "--service", help="With --ota: a service folder to build (repeatable; default: every service)."),
    document: str = typer.Option("Privacy Policy", "--document", help="With --ota: the document type (file name without .md)."),
    since: Optional[str] = typer.Option(None, "--since", help="With --ota: only commits on or after this date (YYYY-MM-DD)."),
    org: Optional[str] = typer.Option(
        None, "--org", metavar="NAME",
        help="The organisation that publishes the files, whatever their text says (its slug starts the ids)."),
    date: Optional[str] = typer.Option(
        None, "--date", metavar="YYYY-MM-DD", help="The effective date of the files, whatever their text says."),
) -> None:
    """Read policies, extract their facts with evidence, and store them.

    Re-building a version already stored replaces its facts in one transaction. Without --workers
    or --scheduler a bad input aborts the build (exit 2, database unchanged); with them each failing
    file is reported with its reason, the rest is stored, and the exit status is 1.

    With --ota, every commit that changed the document of a service becomes a version of that
    service's organisation, dated by the text (else by the commit), its source the repository, path and
    commit. Versions already stored (same commit, or same text) are skipped, so a nightly re-run adds only
    what is new; a commit whose file cannot be read is reported (exit 1) and the rest is stored.

    Example: ropa build data/policies --db catalog.db

    Example: ropa build vendors/ --workers 2 --db postgresql+psycopg://user:pw@host/ropa

    Example: ropa build --ota contrib-versions --service Alibaba.com --service Booking.com

    --org and --date correct what a text says of itself (a policy that names no organisation, or dates
    itself nowhere): every file built gets them, and a file holding several versions refuses --date.

    Example: ropa build acme-privacy.md --org "Acme Ltd" --date 2024-03-01
    """
    from catalog.pipeline.build import collect_files, extract_all, read_documents
    from catalog.ingest.documents import InputError

    publisher, effective = _org_and_date(org, date)
    if (org is not None or date is not None) and (ota is not None or workers or scheduler):
        fail("--org and --date go with policy files: not with --ota, --workers or --scheduler")
    if ota is not None:
        if paths or workers or scheduler:
            fail("--ota builds from a versions repository: give no PATH, --workers or --scheduler with it")
        _build_ota(ota, service or [], document, since, db)
        return
    if service or since or document != "Privacy Policy":
        fail("--service, --document and --since go with --ota REPOSITORY")
    if not paths:
        fail("nothing to build: give policy files or directories, or --ota REPOSITORY")
    if workers or scheduler:
        try:
            import dask.distributed  # noqa: F401  (an optional extra: say so before anything is created)
        except ImportError as e:
            fail(f"--workers and --scheduler need Dask: {missing_extra(e)}")
        _build_batch(paths, db, workers or 2, scheduler)
        return
    try:
        files = collect_files(paths)
        with progress(len(files) if len(files) > 1 else 0, "Reading") as bar:
            docs = read_documents(files, tick=lambda _f: bar.update(1), publisher=publisher, effective=effective)
    except InputError as e:
        fail(str(e))
    engine = _engine(db, create=True)
    extractions = _store(engine, extract_all(docs), db)  # as stored: an id another file holds is suffixed
    for x in extractions:
        counts = x.counts()
        typer.echo(f"{x.policy.id}: {plural(sum(counts.values()), 'fact')}, {plural(len(x.links), 'link')} ({x.policy.title}, "
                   f"effective {x.policy.effective_date or 'unknown'})")
        for w in x.warnings:
            typer.echo(f"warning: {w}", err=True)


def _org_and_date(org: Optional[str], date: Optional[str]):  # noqa: ANN202
    """--org NAME and --date YYYY-MM-DD checked: (publisher, effective date), "" and None when not given."""
    import datetime as dt

    from catalog.ingest.documents import slug

    publisher = " ".join((org or "").split())
    if org is not None and slug(publisher) == "policy" and "policy" not in publisher.lower():
        fail(f"--org {org!r} names no organisation: give its name, e.g. --org \"Acme Ltd\"")
    try:
        effective = dt.date.fromisoformat(date) if date is not None else None
    except ValueError:
        fail(f"--date {date!r} is not a date (YYYY-MM-DD)")
    return publisher, effective


def _store(engine, extractions: list, db: Optional[str]) -> list:  # noqa: ANN001
    """Write the extractions in one transaction and return them as stored (ids decided there);
    a database error is one line, nothing stored: exit 2 for a read-only or corrupted catalog file
    (CatalogGroup's line), exit 1 for a server that went away."""
    from sqlalchemy.exc import DatabaseError, SQLAlchemyError

    from catalog.store.write import write_extractions

    try:
        return write_extractions(engine, extractions)
    except SQLAlchemyError as e:  # one line, not a traceback; the transaction was rolled back
        if isinstance(e, DatabaseError) and not _unreachable(e):
            raise
        fail(f"cannot store in {_opened.get('db', db or 'the catalog')}: {_first_line(e)}", 1)


def _build_ota(repo: Path, services: list[str], document: str, since: Optional[str], db: Optional[str]) -> None:
    """--ota: the history of the chosen documents; a bad commit is reported and the rest stored (exit 1)."""
    from catalog.pipeline.build import extract_all, read_new_versions
    from catalog.ingest.documents import InputError
    from catalog.ingest.ota import check_repository, read_log

    since_date = parse_since(since)
    try:  # the repository and the services are checked before the catalog is opened (or created)
        top = check_repository(repo)
        records = read_log(top, services, document, since_date)
    except InputError as e:
        fail(str(e))
    engine = _engine(db, create=True)
    typer.echo(f"{plural(len(records), 'recorded version')} of '{document}' for "
               f"{plural(len({r.service for r in records}), 'service')} in {top}", err=True)
    with progress(len(records), "Reading history") as bar:
        result = read_new_versions(top, records, engine, tick=lambda _r: bar.update(1))
    with progress(len(result.versions), "Extracting") as bar:
        result.extractions = extract_all(result.versions, tick=lambda _d: bar.update(1))
    result.extractions = _store(engine, result.extractions, db)
    for x in result.extractions:
        o = x.policy.origin
        typer.echo(f"{x.policy.id}: {plural(sum(x.counts().values()), 'fact')}, {plural(len(x.links), 'link')} ({x.policy.title}, "
                   f"effective {x.policy.effective_date or 'unknown'}, commit {o.commit[:12] if o else '?'})")
        for w in x.warnings:
            typer.echo(f"warning: {w}", err=True)
    for p in result.problems:
        typer.echo(f"failed: {p}", err=True)
    typer.echo(f"stored {plural(len(result.extractions), 'new version')}; {result.skipped} already in the catalog; "
               f"{len(result.problems)} could not be read", err=True)
    if result.problems:
        raise typer.Exit(1)


def _build_batch(paths: list[Path], db: Optional[str], workers: int, scheduler: Optional[str]) -> None:
    """--workers / --scheduler: extraction and storing on Dask; a failing file is reported and the rest stored."""
    from catalog.pipeline.batch import build_batch
    from catalog.ingest.documents import InputError, policy_files
    from catalog.store.write import database_url

    files: list[Path] = []
    failures: list[tuple[str, str]] = []
    for p in paths:
        try:
            files.extend(f for f in policy_files(p) if f not in files)
        except InputError as e:
            failures.append((e.path, e.problem))
    _engine(db, create=True).dispose()  # the schema is created or upgraded once, here, before the workers write
    url = database_url(db)
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):  # workers may run elsewhere
        url = "sqlite:///" + str(Path(url[len("sqlite:///"):]).resolve())
    where = scheduler or f"a local Dask cluster of {workers} workers"
    typer.echo(f"building {plural(len(files), 'file')} on {where}", err=True)
    state = {"done": 0, "failed": 0}

    def show(_item: object) -> str:
        return f"done {state['done']} · failed {state['failed']} · left {len(files) - state['done']}"

    with progress(len(files), "Extracting", item_show_func=show) as bar:
        def tick(done: int, failed: int, total: int) -> None:
            state.update(done=done, failed=failed)
            bar.update(1)

        try:
            result = build_batch(files, url, workers=workers, scheduler=scheduler, on_progress=tick)
        except OSError as e:  # cannot reach the scheduler
            fail(f"cannot reach the Dask scheduler {scheduler}: {e}", 1)
    typer.echo(show(None), err=True)  # the bar's last state, also when stderr is not a terminal
    for x in result.stored:
        typer.echo(f"{x.id}: {plural(x.facts, 'fact')}, {plural(x.links, 'link')} ({x.title}, effective {x.effective_date})")
        for w in x.warnings:
            typer.echo(f"warning: {w}", err=True)
    failures += result.failures
    for path, reason in failures:
        typer.echo(f"failed: {path}: {reason}", err=True)
    typer.echo(f"stored {plural(len(result.stored), 'policy version')} from "
               f"{plural(len(files) - len(result.failures), 'file')}; "
               f"{len(failures)} failed", err=True)
    if failures:
        raise typer.Exit(1)


@app.command()
def policies(
    db: Optional[str] = DbOption,
    format: str = typer.Option("table", "--format", help="table or json"),
    org: Optional[str] = OrgOption,
) -> None:
    """List the policy versions in the catalog with their counts per kind.

    Example: ropa policies --db catalog.db --org alibaba-com
    """
    from catalog.store.listing import FORMATS, listing_text, to_listing
    from catalog.store.write import read_counts, read_policies

    if format not in FORMATS:
        fail(f"unknown format {format!r}; expected table or json")
    engine = _engine(db)
    rows = read_policies(engine)
    if org:
        if org not in {p.organisation for p in rows}:
            fail(f"no organisation {org!r} in the catalog; known: {', '.join(sorted({p.organisation for p in rows})) or 'none'}")
        rows = [p for p in rows if p.organisation == org]
    typer.echo(listing_text(to_listing(rows, read_counts(engine)), format))


@app.command()
def show(
    kind: str = typer.Argument(..., help="One of: " + ", ".join(k.value for k in Kind)),
    policy: Optional[str] = PolicyOption,
    org: Optional[str] = OrgOption,
    db: Optional[str] = DbOption,
    format: str = typer.Option("table", "--format", help="table or json"),
) -> None:
    """List the facts of one kind, with the policy versions that state them and a quote.

    Example: ropa show recipient --policy alibaba-com-2019-01-17
    """
    if format not in ("table", "json"):
        fail(f"unknown format {format!r}; expected table or json")
    try:
        kind_value = Kind(kind.replace("-", "_")).value
    except ValueError:
        fail(f"unknown kind {kind!r}; expected one of: {', '.join(k.value for k in Kind)}")
    from catalog.graph.build import nodes_of_kind

    G = load_graph(db, policy, org)
    rows = []
    for n in nodes_of_kind(G, kind_value):
        d = G.nodes[n]
        quote = d["evidence"][0]["quote"] if d["evidence"] else ""
        rows.append({"id": n, "label": d["label"], "key": d["key"], "policy_ids": d["policy_ids"],
                     "attrs": d["attrs"], "quote": quote})
    if format == "json":
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    flags = lambda a: ", ".join(k for k in ("special_category", "scc") if a.get(k)) or ""  # noqa: E731
    table = [[r["id"], r["label"], r["key"], flags(r["attrs"]), " ".join(r["policy_ids"]), _clip(r["quote"], 70)] for r in rows]
    typer.echo(format_table(["id", "label", "key", "flags", "policies", "evidence"], table))


def _clip(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


@export_app.command("json")
def export_json(
    output: str = typer.Option(..., "--output", "-o", help="File to write."),
    policy: Optional[str] = PolicyOption,
    org: Optional[str] = OrgOption,
    db: Optional[str] = DbOption,
    force: bool = ForceOption,
) -> None:
    """The processing graph as JSON: policies, nodes and edges, each with evidence.

    Example: ropa export json -o catalog.json --policy alibaba-com-2019-01-17
    """
    from catalog.export.catalog_json import to_json, write_json

    target = output_path(output, "json", db, force)
    G = load_graph(db, policy, org)
    data = to_json(G)
    write_json(target, data)
    typer.echo(f"wrote {output}: {plural(len(data['policies']), 'policy', 'policies')}, "
               f"{plural(len(data['nodes']), 'node')}, {plural(len(data['edges']), 'edge')}")


def _register_commands() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"catalog.cli.commands.{name}").register(app, export_app)


_register_commands()


def main() -> None:
    app(prog_name="ropa")


if __name__ == "__main__":
    main()
