"""A database that is not a ropa catalog (another application's, empty, corrupted, read-only) is
never created in, migrated or modified: every command says so in one `error:` line (exit 2).
Only `build` creates or upgrades a catalog, and only in an empty database or a catalog."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from catalog.cli.app import app
from tests.conftest import DEMO, run_ropa_unprivileged

runner = CliRunner()
OLD, NEW = "alibaba-com-2018-05-25", "alibaba-com-2019-01-17"


def _read_only_commands(tmp_path: Path) -> list[list[str]]:
    out = tmp_path / "out"
    return [
        ["policies"], ["show", "recipient"], ["lineage", "google"], ["risks"], ["reviews"], ["timeline"],
        ["diff", OLD, NEW], ["export", "json", "-o", f"{out}.json"], ["export", "xlsx", "-o", f"{out}.xlsx"],
        ["export", "csv", "-o", f"{out}.csv"], ["export", "fides", "-o", f"{out}.yml"],
        ["export", "dot", "-o", f"{out}.dot"],
        ["review", "recipient:google", "confirm", "-r", "dpo@example.com"],
    ]


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        return sorted(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _execute(url: str, *statements: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        for s in statements:
            conn.execute(text(s))
    engine.dispose()


def _refused(args: list[str], db: str, problem: str) -> None:
    r = runner.invoke(app, [*args, "--db", db])
    assert r.exit_code == 2, (args, r.output)
    errors = [line for line in r.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and problem in errors[0], (args, r.output)
    assert "Traceback" not in r.output


@pytest.mark.parametrize("foreign", [
    ("CREATE TABLE invoice (id INTEGER PRIMARY KEY, amount INTEGER)", "INSERT INTO invoice VALUES (1, 250)"),
    ("CREATE TABLE policy (id INTEGER PRIMARY KEY, premium INTEGER)", "INSERT INTO policy VALUES (1, 99)"),
], ids=["unrelated-tables", "a-table-named-policy"])
def test_another_applications_database_is_left_alone_by_every_command(db_url, tmp_path, foreign):
    _execute(db_url, *foreign)
    before = _tables(db_url)
    path = Path(db_url.removeprefix("sqlite:///")) if db_url.startswith("sqlite") else None
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path else ""
    for args in _read_only_commands(tmp_path) + [["build", str(DEMO)]]:
        _refused(args, db_url, "not a ropa catalog")
    assert _tables(db_url) == before  # no alembic_version, no catalog tables
    if path:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert not list(tmp_path.glob("out*"))


def test_an_empty_database_is_read_by_no_command_and_built_by_build(db_url, tmp_path):
    if db_url.startswith("sqlite"):
        Path(db_url.removeprefix("sqlite:///")).touch()  # an empty file, as `touch catalog.db` makes it
    for args in _read_only_commands(tmp_path):
        _refused(args, db_url, "the database is empty")
    assert _tables(db_url) == []
    assert runner.invoke(app, ["build", str(DEMO), "--db", db_url]).exit_code == 0
    assert "policy" in _tables(db_url)


def test_a_catalog_at_an_older_schema_is_refused_by_readers_and_upgraded_by_build(db_url, tmp_path):
    from catalog.store.migrate import INITIAL, head, upgrade
    from catalog.store.engine import make_engine

    engine = make_engine(db_url, create=False)
    upgrade(engine, INITIAL)  # a catalog made before migrations existed: the first schema, no alembic_version
    _execute(db_url, "DROP TABLE alembic_version")
    engine.dispose()
    before = _tables(db_url)
    if head() != INITIAL:
        _refused(["policies"], db_url, f"the catalog's schema is at revision {INITIAL}, this ropa reads {head()}")
        assert _tables(db_url) == before  # reading stamped and migrated nothing
    assert runner.invoke(app, ["build", str(DEMO), "--db", db_url]).exit_code == 0  # building upgrades it
    assert "alembic_version" in _tables(db_url)
    r = runner.invoke(app, ["policies", "--db", db_url])
    assert r.exit_code == 0 and NEW in r.output, r.output


def test_a_schema_revision_this_package_does_not_know_is_refused(db_url, tmp_path):
    assert runner.invoke(app, ["build", str(DEMO), "--db", db_url]).exit_code == 0
    _execute(db_url, "UPDATE alembic_version SET version_num = '9999'")
    _refused(["policies"], db_url, "schema revision '9999' is unknown")
    _refused(["build", str(DEMO)], db_url, "schema revision '9999' is unknown")


def _corrupt(path: Path) -> None:
    """Overwrite every page but the first (the header and the schema) with a fixed pattern: a disk gone bad."""
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page:] = b"\xa5" * (len(data) - page)
    path.write_bytes(bytes(data))


def test_a_corrupted_catalog_gets_one_line_from_every_command(tmp_path):
    db = tmp_path / "catalog.db"
    assert runner.invoke(app, ["build", str(DEMO), "--db", str(db)]).exit_code == 0
    _corrupt(db)
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    for args in _read_only_commands(tmp_path) + [["build", str(DEMO)]]:
        _refused(args, str(db), f"{db}: cannot use the catalog: database disk image is malformed")
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest


def test_a_file_that_is_not_a_database_gets_one_line(tmp_path):
    db = tmp_path / "notes.db"
    db.write_text("these are my notes, not a database\n" * 200)
    for args in (["policies"], ["build", str(DEMO)]):
        _refused(args, str(db), "file is not a database")
    assert db.read_text().startswith("these are my notes")


def test_review_on_a_read_only_catalog_is_one_line_and_changes_nothing(tmp_path):
    db = tmp_path / "catalog.db"
    assert runner.invoke(app, ["build", str(DEMO), "--db", str(db)]).exit_code == 0
    db.chmod(0o444)
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    r = run_ropa_unprivileged("review", "recipient:yandex", "confirm", "-r", "dpo@example.com", "--db", str(db))
    assert r.returncode == 2, r.stderr
    assert r.stderr.splitlines() == [f"error: {db}: the catalog is read-only (attempt to write a readonly "
                                     "database); nothing was changed"]
    r = run_ropa_unprivileged("policies", "--db", str(db))  # reading a read-only catalog is fine
    assert r.returncode == 0 and NEW in r.stdout, r.stderr
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
