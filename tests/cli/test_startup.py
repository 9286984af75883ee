"""The fast start of `ropa` (catalog.cli.launch): help from a cache of what Typer printed, and `ropa policies`
read with the stdlib sqlite3. Each is compared with the Typer path it stands for, on real files and
real subprocesses (a pseudo-terminal for the coloured help)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog.cli import launch
from catalog.cli.app import app

runner = CliRunner()


def _env(cache: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in launch.RENDER_ENV}
    return {**env, "XDG_CACHE_HOME": str(cache), **extra}


def _ropa(*args: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "catalog", *args], capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, cwd=cwd, timeout=300)


def _probe(args: list[str], env: dict[str, str]) -> tuple[str, str]:
    """Run launch.main(args) in a fresh interpreter: (its output, the heavy modules it imported)."""
    code = ("import sys\nfrom catalog.cli.launch import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'typer', 'rich', 'sqlalchemy', 'sqlmodel', 'pydantic'}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True,
                         stdin=subprocess.DEVNULL)
    body, _, modules = out.stdout.rstrip("\n").rpartition("\n")
    return body, modules


# ---------------------------------------------------------------- help


@pytest.mark.parametrize("args, code", [(["--help"], 0), ([], 2), (["export", "--help"], 0), (["export"], 2)])
def test_help_from_the_cache_is_what_typer_prints(tmp_path, args, code):
    env = _env(tmp_path / "cache", COLUMNS="80")
    typer_out = runner.invoke(app, args, env={"COLUMNS": "80"}, prog_name="ropa")
    first, second = _ropa(*args, env=env), _ropa(*args, env=env)
    assert (first.returncode, second.returncode, typer_out.exit_code) == (code, code, code)
    assert first.stdout == second.stdout == typer_out.output
    assert "Usage: ropa" in first.stdout and first.stderr == second.stderr == ""
    page = launch.HELP_PAGES[tuple(args)]
    assert (tmp_path / "cache" / "ropa" / f"help-{page}.txt").exists()


def test_help_from_the_cache_imports_neither_typer_nor_rich(tmp_path):
    env = _env(tmp_path / "cache", COLUMNS="80")
    cold, cold_modules = _probe(["--help"], env)
    warm, warm_modules = _probe(["--help"], env)
    assert "typer" in cold_modules and "rich" in cold_modules  # the first time Typer renders it
    assert warm_modules == "[]" and warm == cold


def test_a_cache_made_in_another_setting_is_not_used(tmp_path):
    cache = tmp_path / "cache"
    wide = _ropa("--help", env=_env(cache, COLUMNS="120"))
    narrow = _ropa("--help", env=_env(cache, COLUMNS="80"))
    assert max(map(len, wide.stdout.splitlines())) == 120
    assert max(map(len, narrow.stdout.splitlines())) == 80
    page = cache / "ropa" / "help-ropa--help.txt"
    page.write_text(launch.help_key(["--help"]) + "-stale\n0\nnot the help\n", encoding="utf-8")
    again = _ropa("--help", env=_env(cache, COLUMNS="80"))
    assert again.stdout == narrow.stdout and "not the help" not in page.read_text(encoding="utf-8")


def test_help_to_a_stream_click_would_re_wrap_is_not_cached(tmp_path):
    env = _env(tmp_path / "cache", COLUMNS="80", PYTHONIOENCODING="ascii")
    typer_out = subprocess.run([sys.executable, "-c", "import sys\nfrom catalog.cli.app import main\n"
                                "sys.argv = ['ropa', '--help']\nmain()"], capture_output=True, text=True, env=env)
    first, second = _ropa("--help", env=env), _ropa("--help", env=env)
    assert first.stdout == second.stdout == typer_out.stdout and "Usage: ropa" in first.stdout
    assert not (tmp_path / "cache").exists()


def test_changing_a_source_of_the_help_changes_the_key(tmp_path, monkeypatch):
    package = tmp_path / "catalog" / "cli"
    shutil.copytree(launch.PACKAGE / "commands", package / "commands", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(launch.PACKAGE / "app.py", package / "app.py")
    shutil.copy2(launch.PACKAGE.parent / "records.py", package.parent / "records.py")
    monkeypatch.setattr(launch, "PACKAGE", package)
    before = launch.help_key(["--help"])
    assert launch.help_key(["--help"]) == before
    st = (package / "commands" / "diff.py").stat()
    os.utime(package / "commands" / "diff.py", ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert launch.help_key(["--help"]) != before
    assert launch.help_key(["export", "--help"]) != launch.help_key(["--help"])


def _on_terminal(args: list[str], env: dict[str, str], columns: int) -> bytes:
    """Run `python -m catalog ARGS` with a pseudo-terminal of `columns` columns as its stdin, stdout and stderr."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "catalog", *args], stdin=slave, stdout=slave, stderr=slave,
                            env=env, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal's other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=300) == 0
    return b"".join(chunks)


def test_help_on_a_terminal_is_cached_with_its_colours_and_width(tmp_path):
    env = _env(tmp_path / "cache", TERM="xterm-256color")
    first = _on_terminal(["--help"], env, 100)
    second = _on_terminal(["--help"], env, 100)
    assert first == second and b"\x1b[" in first  # coloured, and the same bytes from the cache
    wider = _on_terminal(["--help"], env, 132)
    plain = re.sub(rb"\x1b\[[0-9;]*m", b"", wider)
    assert max(map(len, plain.decode().splitlines())) == 132  # another width: rendered again, for it


def test_the_render_variables_cover_what_rich_and_typer_read():
    """A Typer or Rich that reads another variable to lay out help must add it to launch.RENDER_ENV."""
    import rich
    import typer

    ignored = {  # read, but they do not change what help looks like
        "COMP_WORDS", "COMP_CWORD", "_TYPER_COMPLETE_ARGS", "_TYPER_COMPLETE_WORD_TO_COMPLETE",
        "_TYPER_COMPLETE_FISH_ACTION", "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION",  # shell completion
        "PYDANTIC_DISABLE_PLUGINS", "XDG_CONFIG_HOME",  # how values are checked, where completion goes
        "_TYPER_STANDARD_TRACEBACK", "TYPER_STANDARD_TRACEBACK",  # tracebacks
    }
    read = set()
    for package in (rich, typer):
        for path in Path(package.__file__).parent.rglob("*.py"):
            read |= set(re.findall(r"""(?:getenv|environ\.get|environ\[)\(?\s*["']([A-Z_][A-Z0-9_]*)["']""",
                                   path.read_text(encoding="utf-8")))
    assert "COLUMNS" in read and "NO_COLOR" in read
    assert read - ignored <= set(launch.RENDER_ENV), sorted(read - ignored - set(launch.RENDER_ENV))


# ---------------------------------------------------------------- ropa policies


def test_policies_options_are_the_typer_commands():
    from typer.main import get_command

    params = get_command(app).commands["policies"].params
    options = {o for p in params if p.name != "help" for o in p.opts}
    assert options == set(launch.POLICIES_OPTIONS)
    assert all(not p.is_flag and p.nargs == 1 for p in params if p.name != "help")


@pytest.mark.parametrize("args, parsed", [
    ([], {}),
    (["--db", "x.db", "--format", "json"], {"--db": "x.db", "--format": "json"}),
    (["--org=acme", "--db", "sqlite:///a.db?mode=ro"], {"--org": "acme", "--db": "sqlite:///a.db?mode=ro"}),
    (["--db"], None), (["--db", "a", "--db", "b"], None), (["--help"], None), (["--db", "--org"], None),
    (["extra"], None), (["--po", "x"], None), (["-p", "x"], None),
])
def test_parse_options_takes_only_what_it_is_sure_of(args, parsed):
    assert launch.parse_options(args, launch.POLICIES_OPTIONS) == parsed


@pytest.fixture(scope="module")
def history_db(tmp_path_factory, ota_repo, seed_path) -> str:
    """Versions from files and from a versions repository (commit times order them), two organisations."""
    db = str(tmp_path_factory.mktemp("history") / "catalog.db")
    for args in (["build", str(seed_path)], ["build", "--ota", str(ota_repo)]):
        r = runner.invoke(app, [*args, "--db", db])
        assert r.exit_code == 0, r.output
    return db


def test_read_listing_is_what_the_store_reads(history_db):
    from catalog.store.quickread import read_listing
    from catalog.store.engine import make_engine
    from catalog.store.read import read_counts, read_policies

    engine = make_engine(history_db, create=False)
    stored, counts = read_policies(engine), read_counts(engine)
    engine.dispose()
    rows, quick_counts = read_listing(history_db)
    assert len(rows) > 3 and len({r.organisation for r in rows}) > 1 and any(r.committed_at for r in rows)
    assert quick_counts == counts and list(quick_counts) == list(counts)
    fields = ("id", "title", "publisher", "organisation", "source", "retrieved", "effective_date")
    assert [tuple(getattr(r, f) for f in fields) for r in rows] == [tuple(getattr(p, f) for f in fields) for p in stored]


def test_the_catalog_tables_are_the_schemas():
    from sqlmodel import SQLModel

    from catalog.store import tables  # noqa: F401
    from catalog.store.migrate import INITIAL_TABLES, VERSION_TABLE
    from catalog.store.quickread import CATALOG_TABLES

    assert CATALOG_TABLES == set(SQLModel.metadata.tables) | set(INITIAL_TABLES) | {VERSION_TABLE}


@pytest.mark.parametrize("args", [[], ["--format", "json"], ["--org", "alibaba-com"], ["--format=json", "--org=alibaba-com"]])
def test_policies_prints_what_the_typer_command_prints(history_db, tmp_path, args):
    env = _env(tmp_path / "cache")
    fast = _ropa("policies", "--db", history_db, *args, env=env)
    typer_out = runner.invoke(app, ["policies", "--db", history_db, *args])
    assert (fast.returncode, typer_out.exit_code) == (0, 0)
    assert fast.stdout == typer_out.output and fast.stderr == ""
    body, modules = _probe(["policies", "--db", history_db, *args], env)
    assert body == fast.stdout.rstrip("\n") and modules == "[]"  # neither Typer nor SQLAlchemy imported


def test_policies_on_each_backend(db_url, seed_path, tmp_path):
    r = runner.invoke(app, ["build", str(seed_path), "--db", db_url])
    assert r.exit_code == 0, r.output
    for args in ([], ["--format", "json"]):
        out = _ropa("policies", "--db", db_url, *args, env=_env(tmp_path / "cache"))
        assert out.returncode == 0, out.stderr
        assert out.stdout == runner.invoke(app, ["policies", "--db", db_url, *args]).output
        assert "alibaba-com-2019-01-17" in out.stdout


def _foreign(path: Path) -> None:
    with sqlite3.connect(path) as c:
        c.execute("CREATE TABLE invoices (id INTEGER)")


def _older(path: Path) -> None:
    with sqlite3.connect(path) as c:
        c.execute("UPDATE alembic_version SET version_num = '0001'")


@pytest.mark.parametrize("case", ["missing", "foreign table", "older schema", "not a database", "unknown org",
                                  "bad format", "directory"])
def test_what_the_fast_path_does_not_read_is_worded_by_the_typer_command(history_db, tmp_path, case):
    db = tmp_path / "catalog.db"
    args = ["--db", str(db)]
    if case not in ("missing", "directory", "not a database"):
        shutil.copy(history_db, db)
    if case == "foreign table":
        _foreign(db)
    elif case == "older schema":
        _older(db)
    elif case == "not a database":
        db.write_bytes(b"this is not sqlite" * 100)
    elif case == "unknown org":
        args += ["--org", "nobody"]
    elif case == "bad format":
        args += ["--format", "csv"]
    elif case == "directory":
        db.mkdir()
    fast = _ropa("policies", *args, env=_env(tmp_path / "cache"), cwd=tmp_path)
    typer_out = runner.invoke(app, ["policies", *args])
    assert fast.returncode == typer_out.exit_code == 2
    assert fast.stdout == "" and fast.stderr.startswith("error: ") and fast.stderr.count("\n") == 1
    assert fast.stderr == typer_out.output
