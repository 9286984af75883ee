"""Every `-o FILE` of every command: never the catalog, never a device or directory, never someone
else's file without --force; written atomically next to the target; refusals are one `error:` line."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog.cli.app import app
from tests.conftest import DEMO, run_ropa_unprivileged

runner = CliRunner()
OLD, NEW = "alibaba-com-2018-05-25", "alibaba-com-2019-01-17"

#: (name, the command line before `-o FILE`, a file name of that kind)
EXPORTS = [
    ("json", ["export", "json"], "catalog.json"),
    ("xlsx", ["export", "xlsx"], "ropa.xlsx"),
    ("csv", ["export", "csv"], "ropa.csv"),
    ("fides", ["export", "fides"], "fides.yml"),
    ("dot", ["export", "dot"], "catalog.dot"),
    ("diff-xlsx", ["diff", OLD, NEW, "--format", "xlsx"], "diff.xlsx"),
    ("diff-json", ["diff", OLD, NEW, "--format", "json"], "diff.json"),
    ("diff-table", ["diff", OLD, NEW], "diff.txt"),
    ("changes-xlsx", ["changes", "--format", "xlsx"], "changes.xlsx"),
    ("changes-json", ["changes", "--format", "json"], "changes.json"),
    ("changes-table", ["changes"], "changes.txt"),
]
IDS = [e[0] for e in EXPORTS]


@pytest.fixture(scope="module")
def catalog_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("guard") / "catalog.db"
    r = runner.invoke(app, ["build", str(DEMO), "--db", str(db)])
    assert r.exit_code == 0, r.output
    return db


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _export(catalog_db: Path, command: list[str], output: str, *extra: str):
    return runner.invoke(app, [*command, "-o", output, "--db", str(catalog_db), *extra])


def _one_error(r, *needles: str) -> str:
    assert r.exit_code == 2, r.output
    lines = r.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.output
    assert all(n in lines[0] for n in needles), r.output
    return lines[0]


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("kind, command, name", EXPORTS, ids=IDS)
def test_the_catalog_itself_is_never_written_over(kind, command, name, catalog_db, tmp_path):
    before = _digest(catalog_db)
    link = tmp_path / "link.db"
    link.symlink_to(catalog_db)
    hard = catalog_db.with_name(f"hard-{kind}.db")
    os.link(catalog_db, hard)
    try:
        for target in (catalog_db, link, hard):
            for force in ((), ("--force",)):
                _one_error(_export(catalog_db, command, str(target), *force), str(target), "the catalog's own database")
    finally:
        hard.unlink()
    assert _digest(catalog_db) == before


@pytest.mark.parametrize("kind, command, name", EXPORTS, ids=IDS)
def test_anything_but_a_regular_file_is_refused(kind, command, name, catalog_db, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    device = tmp_path / "null-link"
    device.symlink_to("/dev/null")  # followed: the device is what would be replaced
    (tmp_path / "folder").mkdir()
    cases = [
        (str(fifo), "is not a regular file"),
        (str(device), "is not a regular file"),
        (str(tmp_path / "folder"), "is a directory"),
        (str(tmp_path / "missing" / name), "no such directory"),
        ("", "empty output file name"),
    ]
    for target, problem in cases:
        for force in ((), ("--force",)):
            _one_error(_export(catalog_db, command, target, *force), problem)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert device.is_symlink() and not (tmp_path / "missing").exists()
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("kind, command, name", EXPORTS, ids=IDS)
def test_another_file_needs_force_and_a_previous_export_is_replaced(kind, command, name, catalog_db, tmp_path):
    notes = tmp_path / name
    notes.write_text("my own notes, not an export\n")
    _one_error(_export(catalog_db, command, str(notes)), str(notes), "is not a previous", "--force")
    assert notes.read_text() == "my own notes, not an export\n"

    r = _export(catalog_db, command, str(notes), "--force")
    assert r.exit_code == 0 and r.output.startswith(f"wrote {notes}"), r.output
    first = notes.read_bytes()
    assert first and b"my own notes" not in first
    r = _export(catalog_db, command, str(notes))  # now a previous export of its kind: replaced without asking
    assert r.exit_code == 0, r.output
    assert notes.stat().st_size > 0 and _leftovers(tmp_path) == []

    empty = tmp_path / ("empty-" + name)
    empty.touch()  # an empty file holds nothing to lose
    assert _export(catalog_db, command, str(empty)).exit_code == 0 and empty.stat().st_size > 0


def test_an_export_of_another_kind_is_not_replaced_without_force(catalog_db, tmp_path):
    outputs = {kind: tmp_path / name for kind, _, name in EXPORTS}
    for kind, command, _ in EXPORTS:
        assert _export(catalog_db, command, str(outputs[kind])).exit_code == 0
    digests = {k: _digest(p) for k, p in outputs.items()}
    for kind, command, _ in EXPORTS:
        for other, path in outputs.items():
            if other != kind:
                _one_error(_export(catalog_db, command, str(path)), "is not a previous")
    assert {k: _digest(p) for k, p in outputs.items()} == digests


def test_a_symlink_to_a_previous_export_keeps_the_link(catalog_db, tmp_path):
    real = tmp_path / "real.json"
    assert _export(catalog_db, ["export", "json"], str(real)).exit_code == 0
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    real.write_text(real.read_text()[:100])  # a previous export, cut short: still recognised by its start
    assert _export(catalog_db, ["export", "json"], str(link)).exit_code == 0
    assert link.is_symlink() and real.stat().st_size > 1000


def test_a_write_that_fails_leaves_the_previous_export_and_no_temporary_file(catalog_db, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "catalog.json"
    assert _export(catalog_db, ["export", "json"], str(out)).exit_code == 0
    before = _digest(out)
    folder.chmod(0o555)  # the directory is read-only: no temporary file can be made next to the target
    try:
        r = run_ropa_unprivileged("export", "json", "-o", str(out), "--db", str(catalog_db))
    finally:
        folder.chmod(0o755)
    assert r.returncode == 2, r.stderr
    assert r.stderr.splitlines() == [f"error: {out}: cannot write it: Permission denied"]
    assert _digest(out) == before and _leftovers(folder) == []


def test_write_atomically_removes_its_temporary_file_when_the_writer_fails(tmp_path):
    from catalog.export.files import write_atomically

    target = tmp_path / "out.csv"
    target.write_text("previous\n")

    def broken(tmp: Path) -> None:
        tmp.write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(Exception, match="No space left on device"):
        write_atomically(target, broken)
    assert target.read_text() == "previous\n" and _leftovers(tmp_path) == []


def test_a_new_export_gets_the_usual_permissions(catalog_db, tmp_path):
    out = tmp_path / "catalog.json"
    old = os.umask(0o022)
    try:
        assert _export(catalog_db, ["export", "json"], str(out)).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_a_replaced_export_keeps_its_permissions(catalog_db, tmp_path):
    out = tmp_path / "catalog.json"
    assert _export(catalog_db, ["export", "json"], str(out)).exit_code == 0
    out.chmod(0o640)
    assert _export(catalog_db, ["export", "json"], str(out)).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
