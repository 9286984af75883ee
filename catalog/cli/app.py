"""`ropa`: build the catalog from privacy policies and ask it questions.

Every command takes --db (a SQLite path or any SQLAlchemy URL; default $DATABASE_URL, then
catalog.db). Bad input exits with status 2 and a one-line error, leaving the database as it was.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn, Optional

import typer
from typer.core import TyperGroup


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
    if isinstance(e, (_loaded("catalog.ingest.files", "InputError"), _loaded("catalog.export.files", "OutputError"))):
        return str(e)
    if isinstance(e, _loaded("catalog.store.migrate", "NotACatalog")):
        return f"{_opened.get('db', 'the database')}: {e}"
    if isinstance(e, _loaded("sqlalchemy.exc", "DatabaseError")):  # malformed, not a database, read-only, disk I/O...
        return f"{_opened.get('db', 'the database')}: {_db_problem(e)}; nothing was changed"
    return None


def _say(message: str) -> None:
    typer.echo(f"error: {message}", err=True)


def _db_problem(e: Exception) -> str:
    text = first_line(e)
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
COMMAND_MODULES: tuple[str, ...] = ("build", "contents", "lineage", "risks", "diff", "changes", "ropa_export", "review", "dashboard")

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
    from catalog.store.database import database_url, sqlite_path
    from catalog.store.engine import make_engine

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
        if unreachable(e):
            fail(f"cannot open database {label}: {first_line(e)}", 1)
        raise  # one line from CatalogGroup: not a catalog, malformed, read-only (exit 2)
    except Exception as e:  # a URL we cannot use
        fail(f"cannot open database {label}: {first_line(e)}", 1)
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


def first_line(e: Exception) -> str:
    orig = getattr(e, "orig", None) or e
    return (str(orig).splitlines() or [type(orig).__name__])[0]


def unreachable(e: Exception) -> bool:
    """A server we cannot connect to (exit 1), not a database file that is bad (exit 2)."""
    from sqlalchemy.exc import OperationalError

    text = first_line(e)
    return isinstance(e, OperationalError) and ("connect" in text or "server" in text or "timeout" in text)


def output_path(output: str, kind: str, db: Optional[str], force: bool) -> Path:
    """Where an export of `kind` goes, checked before any work is done (see catalog.export.files)."""
    from catalog.export.files import check_output
    from catalog.store.database import sqlite_path

    return check_output(output, kind, sqlite_path(db), force)


def require_org(engine, org: Optional[str]) -> None:  # noqa: ANN001
    """Refuse an --org the catalog does not hold, naming the ones it does."""
    from catalog.store.read import read_policies

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
    from catalog.store.read import read_extractions, read_policies

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


def _register_commands() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"catalog.cli.commands.{name}").register(app, export_app)


_register_commands()


def main() -> None:
    app(prog_name="ropa")


if __name__ == "__main__":
    main()
