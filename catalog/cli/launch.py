"""The `ropa` command: answers `ropa --help` and a plain `ropa policies` before importing Typer.

Importing Typer (with Click and pydantic, which it coerces values with) and parsing a command line
takes about five times as long as `python -c pass`, and rendering help with Rich as much again;
SQLAlchemy and SQLModel cost more than both (issue 15 asks for `--help` within 3x, `policies` within 6x).

* Help (`ropa`, `ropa --help`, `ropa export`, `ropa export --help`) is printed from a cache of what
  Typer printed the last time in the same setting: the CLI's sources (their size and time), the Typer
  and Rich installed, and what Rich reads to lay it out (the terminal's size, whether output is one,
  the environment variables that set width and colour: RENDER_ENV). A miss renders through Typer,
  as before, and stores the result under $XDG_CACHE_HOME/ropa (or ~/.cache/ropa; nothing stored
  when that is not writable).
* `ropa policies [--db URL] [--format F] [--org ORG]` on a plain SQLite catalog is read with the stdlib
  sqlite3 (catalog.store.quickread) and printed by the code the Typer command prints with (catalog.store.listing).

Everything else, and every case these do not handle (an error to report, an option they do not know,
another database), goes to the Typer app in catalog.cli.app, which decides and words it as it always did.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Optional

#: The help pages served from the cache: the arguments after `ropa`, and the cache file's name.
HELP_PAGES: dict[tuple[str, ...], str] = {(): "ropa", ("--help",): "ropa--help", ("export",): "export",
                                          ("export", "--help"): "export--help"}

#: The environment variables Rich and Typer read to decide the help's width, colours and boxes
#: (tests/cli/test_startup.py checks the installed sources read no other that could change it).
RENDER_ENV = ("COLUMNS", "LINES", "TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR", "PY_COLORS", "GITHUB_ACTIONS",
              "TERMINAL_WIDTH", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "JUPYTER_COLUMNS", "JUPYTER_LINES",
              "DATABRICKS_RUNTIME_VERSION", "UNICODE_VERSION", "_TYPER_FORCE_DISABLE_TERMINAL", "TYPER_USE_RICH")

#: The options of `ropa policies`, each taking one value (tests compare them with the Typer command's).
POLICIES_OPTIONS = frozenset({"--db", "--format", "--org"})

PACKAGE = Path(__file__).resolve().parent


def main(argv: Optional[list[str]] = None) -> None:
    """`ropa ARGS...`: the fast answers where they apply, else the Typer app."""
    args = sys.argv[1:] if argv is None else list(argv)
    page = HELP_PAGES.get(tuple(args))
    if page is not None:
        _help(args, page)
        return
    if args[:1] == ["policies"] and (options := parse_options(args[1:], POLICIES_OPTIONS)) is not None:
        text = policies_text(options)
        if text is not None:
            _write(text + "\n")
            return
    _typer(args)


def _typer(args: list[str]) -> None:
    from catalog.cli.app import app

    app(args=args, prog_name="ropa")


# ---------------------------------------------------------------- ropa policies


def parse_options(args: list[str], names: frozenset[str]) -> Optional[dict[str, str]]:
    """`--name VALUE` or `--name=VALUE`, each of `names` at most once; None for anything else (which
    Typer then parses, and explains when it is wrong)."""
    out: dict[str, str] = {}
    rest = iter(args)
    for arg in rest:
        name, eq, value = arg.partition("=")
        given: Optional[str] = value if eq else next(rest, None)
        if name not in names or name in out or given is None or given.startswith("-"):
            return None
        out[name] = given
    return out


def policies_text(options: dict[str, str]) -> Optional[str]:
    """What `ropa policies` prints for a plain SQLite catalog; None when the Typer command must decide
    (a format or organisation it refuses, a database that is not a plain catalog at head)."""
    from catalog.store.listing import FORMATS, listing_text, to_listing
    from catalog.store.quickread import read_listing

    fmt, org = options.get("--format", "table"), options.get("--org")
    if fmt not in FORMATS:
        return None
    read = read_listing(options.get("--db"))
    if read is None:
        return None
    rows, counts = read
    if org:
        if org not in {p.organisation for p in rows}:
            return None
        rows = [p for p in rows if p.organisation == org]
    text = listing_text(to_listing(rows, counts), fmt)
    return None if "\x1b" in text else text  # click.echo strips escape sequences from a pipe: let it


def _write(text: str) -> None:
    """Print as click.echo does; a closed pipe (`ropa policies | head -1`) exits 1 quietly, as Click does."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (the interpreter flushes it at exit)
        raise SystemExit(1) from None


# ---------------------------------------------------------------- help


def help_key(args: list[str]) -> str:
    """Everything the rendered help depends on, as one line (the cache file's first)."""
    import importlib.util

    sources = [PACKAGE / "app.py", PACKAGE.parent / "records.py", *sorted((PACKAGE / "commands").glob("*.py"))]
    for name in ("typer", "rich"):
        spec = importlib.util.find_spec(name)
        sources.append(Path(spec.origin) if spec and spec.origin else Path(name))
    stamps = []
    for path in sources:
        try:
            st = path.stat()
            stamps.append((path.name, st.st_mtime_ns, st.st_size))
        except OSError:
            stamps.append((path.name, None, None))
    size = None
    for fd in (0, 1, 2):  # where Rich looks for the terminal's size, in its order
        try:
            size = tuple(os.get_terminal_size(fd))
            break
        except (OSError, ValueError):
            pass
    stdout_is_tty = sys.stdout.isatty() if hasattr(sys.stdout, "isatty") else False
    context = (sys.version, str(PACKAGE), args, stamps, stdout_is_tty, getattr(sys.stdout, "encoding", None), size,
               [(k, os.environ.get(k)) for k in RENDER_ENV])
    return repr(context)


def cache_dir() -> Optional[Path]:
    """$XDG_CACHE_HOME/ropa, else ~/.cache/ropa (None without a home)."""
    base = os.environ.get("XDG_CACHE_HOME")
    try:
        return Path(base if base else Path.home() / ".cache") / "ropa"
    except RuntimeError:  # no home directory
        return None


def _capturable() -> bool:
    """Whether everything Typer prints goes through sys.stdout.write, so that a copy of it is the whole page: on
    POSIX, to a UTF-8 stream (Click re-wraps another one's binary buffer; Rich draws on a Windows console)."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    return os.name == "posix" and encoding == "utf8" and sys.stderr is not None


def _help(args: list[str], page: str) -> None:
    if not _capturable():
        _typer(args)
        return
    key = help_key(args)
    folder = cache_dir()
    path = folder / f"help-{page}.txt" if folder else None
    if path is not None:
        try:
            head, _, body = path.read_text(encoding="utf-8").partition("\n")
        except (OSError, UnicodeDecodeError):
            head, body = "", ""
        status, _, text = body.partition("\n")
        if head == key and status.isdigit():
            _write(text)
            raise SystemExit(int(status))
    out, err = _Tee(sys.stdout), _Tee(sys.stderr)
    sys.stdout, sys.stderr = out, err  # type: ignore[assignment]
    code: Optional[int] = None
    try:
        _typer(args)
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        raise
    finally:
        sys.stdout, sys.stderr = out.stream, err.stream
        if path is not None and code is not None and not (err.parts or out.broken):  # only a page printed whole, alone
            _store(path, f"{key}\n{code}\n{''.join(out.parts)}")


def _store(path: Path, content: str) -> None:
    """Write the cache file atomically; a cache that cannot be written is only a slower next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(content, encoding="utf-8")
        os.replace(tmp, path)
    except (OSError, UnicodeError):
        pass


class _Tee:
    """A text stream that keeps what is written to it and passes everything on: Rich sees the real
    stream (a terminal, its encoding), so the copy is exactly what was printed."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.parts: list[str] = []
        self.broken = False  # a write or flush failed (a closed pipe): what was kept is not the whole page

    def write(self, s: str) -> int:
        try:
            n = self.stream.write(s)  # first: Click probes with write(b"") and expects the stream's TypeError
        except OSError:
            self.broken = True
            raise
        self.parts.append(s)
        return n

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError:
            self.broken = True
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)
