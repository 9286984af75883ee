"""Bad input: one line naming the file and the problem, exit status 2, the database exactly as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog.cli import app
from catalog.ingest import InputError, read_policy
from tests.conftest import DEMO

runner = CliRunner()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def catalog_db(tmp_path):
    db = tmp_path / "catalog.db"
    r = runner.invoke(app, ["build", str(DEMO), "--db", str(db)])
    assert r.exit_code == 0
    return db


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.md"
    blank.write_text("  \n\n\t\n")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Politique de confidentialité: données personnelles".encode("latin-1"))
    pdf = tmp_path / "policy.pdf"
    pdf.write_bytes(b"%PDF-1.4 ...")
    big = tmp_path / "huge.txt"
    with big.open("wb") as f:
        f.truncate(21 * 1024 * 1024)  # sparse: 21 MB without writing them
    return {
        "empty": (empty, "empty file"),
        "blank": (blank, "empty file"),
        "binary": (binary, "binary file"),
        "encoding": (latin, "not valid UTF-8"),
        "unsupported": (pdf, "unsupported file type '.pdf'"),
        "oversized": (big, "file too large (21.0 MB; the limit is 20 MB)"),
        "missing": (tmp_path / "nope.txt", "no such file"),
    }


@pytest.mark.parametrize("case", ["empty", "blank", "binary", "encoding", "unsupported", "oversized", "missing"])
def test_bad_file_is_refused_and_changes_nothing(case, tmp_path, catalog_db):
    path, problem = _bad_files(tmp_path)[case]
    before = _digest(catalog_db)
    # a good file alongside the bad one: the batch is refused as a whole
    r = runner.invoke(app, ["build", str(DEMO), str(path), "--db", str(catalog_db)])
    assert r.exit_code == 2
    lines = [line for line in r.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and str(path) in lines[0] and problem in lines[0], r.output
    assert _digest(catalog_db) == before


def test_bad_input_never_creates_a_database(tmp_path):
    db = tmp_path / "new.db"
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    r = runner.invoke(app, ["build", str(empty), "--db", str(db)])
    assert r.exit_code == 2 and not db.exists()


def test_input_error_names_file_and_problem(tmp_path):
    p = tmp_path / "x.html"
    p.write_bytes(b"\xff\xfe\x00<\x00h")
    with pytest.raises(InputError) as e:
        read_policy(p)
    assert e.value.path == str(p) and "binary file" in e.value.problem
    assert str(e.value).startswith(str(p))


def test_readable_text_with_little_in_it_is_stored_with_a_warning(tmp_path):
    p = tmp_path / "recipe.txt"
    p.write_text("Pancakes\n\nMix flour, eggs and milk. Fry in butter until golden.\n", encoding="utf-8")
    db = tmp_path / "c.db"
    r = runner.invoke(app, ["build", str(p), "--db", str(db)])
    assert r.exit_code == 0
    assert "warning:" in r.output and "is this a privacy policy?" in r.output
    r = runner.invoke(app, ["policies", "--db", str(db)])
    assert "recipe" in r.output


def test_directory_without_policies(tmp_path):
    (tmp_path / "notes.json").write_text("{}")
    r = runner.invoke(app, ["build", str(tmp_path), "--db", str(tmp_path / "c.db")])
    assert r.exit_code == 2 and "holds no .txt, .md or .html file" in r.output
