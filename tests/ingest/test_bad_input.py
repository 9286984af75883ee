"""Bad input: one line naming the file and the problem, exit status 2, the database exactly as it was."""

from __future__ import annotations

import gzip
import hashlib
import os
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog.cli.app import app
from catalog.ingest.documents import read_policy
from catalog.ingest.files import InputError
from tests.conftest import DEMO, run_ropa_unprivileged

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
    pdf = tmp_path / "policy.pdf"
    pdf.write_bytes(b"%PDF-1.4 ...")
    big = tmp_path / "huge.txt"
    with big.open("wb") as f:
        f.truncate(21 * 1024 * 1024)  # sparse: 21 MB without writing them
    # files that are empty in practice
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbf")
    bom16 = tmp_path / "bom16.txt"
    bom16.write_bytes(b"\xff\xfe")
    spaces = tmp_path / "spaces.txt"
    spaces.write_text("\u00a0\u00a0\n\u3000\n\u2003 \u202f\n", encoding="utf-8")
    invisible = tmp_path / "zero-width.txt"
    invisible.write_text("\u200b\u200b\u200d\u2060\ufeff\n", encoding="utf-8")
    script = tmp_path / "script-only.html"
    script.write_text("<html><head><style>p{}</style></head><body><script>var policy = 1;</script></body></html>")
    # NUL bytes beyond the first 64 KiB (an old check looked at those only)
    late_nul = tmp_path / "late-nul.txt"
    late_nul.write_bytes(DEMO.read_bytes() + b"\x00 and then some text")
    # really binary, whatever a detector makes of it
    noise = tmp_path / "noise.txt"
    noise.write_bytes(random.Random(11).randbytes(20000))
    zipped = tmp_path / "zipped.md"
    zipped.write_bytes(gzip.compress(DEMO.read_bytes(), mtime=0))
    # names that do not lead to a file
    loop = tmp_path / "loop.txt"
    loop.symlink_to(tmp_path / "loop2.txt")
    (tmp_path / "loop2.txt").symlink_to(loop)
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "gone.txt")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # reading it would block: it must be refused before any read
    return {
        "empty": (empty, "empty file"),
        "blank": (blank, "empty file"),
        "binary": (binary, "binary file"),
        "unsupported": (pdf, "unsupported file type '.pdf'"),
        "oversized": (big, "file too large (21.0 MB; the limit is 20 MB)"),
        "missing": (tmp_path / "nope.txt", "no such file"),
        "bom-only": (bom, "empty file"),
        "utf16-bom-only": (bom16, "empty file"),
        "only-unusual-spaces": (spaces, "empty file"),
        "only-zero-width": (invisible, "empty file"),
        "script-only-html": (script, "empty: the HTML holds no text"),
        "nul-after-64k": (late_nul, "binary file (contains NUL bytes)"),
        "random-bytes": (noise, "binary file"),
        "gzip": (zipped, "binary file"),
        "symlink-loop": (loop, "symbolic link loop"),
        "dangling-symlink": (dangling, "broken symbolic link"),
        "fifo": (fifo, "not a regular file"),
    }


REFUSED = ["empty", "blank", "binary", "unsupported", "oversized", "missing", "bom-only", "utf16-bom-only",
           "only-unusual-spaces", "only-zero-width", "script-only-html", "nul-after-64k", "random-bytes", "gzip",
           "symlink-loop", "dangling-symlink", "fifo"]


@pytest.mark.parametrize("case", REFUSED)
def test_bad_file_is_refused_and_changes_nothing(case, tmp_path, catalog_db):
    path, problem = _bad_files(tmp_path)[case]
    before = _digest(catalog_db)
    # a good file alongside the bad one: the batch is refused as a whole
    r = runner.invoke(app, ["build", str(DEMO), str(path), "--db", str(catalog_db)])
    assert r.exit_code == 2
    lines = [line for line in r.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and str(path) in lines[0] and problem in lines[0], r.output
    assert "Traceback" not in r.output and "╭" not in r.output, r.output  # no traceback, no framed box
    assert _digest(catalog_db) == before


def test_bad_input_never_creates_a_database(tmp_path):
    db = tmp_path / "new.db"
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    r = runner.invoke(app, ["build", str(empty), "--db", str(db)])
    assert r.exit_code == 2 and not db.exists()


def test_input_error_names_file_and_problem(tmp_path):
    p = tmp_path / "x.html"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
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


# ---------------------------------------------------------------- readable text in other encodings

#: A policy as a word processor saves it: accents, curly quotes, a euro sign (Windows-1252 has it, latin-1 not).
WORD_PROCESSOR_POLICY = (
    "Société Exemple Privacy Policy\n\nEffective date: 1 March 2024\n\n"
    "We collect your email address and your phone number when you register, and we share your email "
    "address with Google for advertising. “Données personnelles” means personal data; a fee of 5 € may "
    "apply to copies. You have the right to access and to erase your data (droit à l’effacement).\n"
)


def _encoded(tmp_path: Path, name: str, codec: str, bom: bytes = b"", text: str = WORD_PROCESSOR_POLICY) -> Path:
    p = tmp_path / name
    p.write_bytes(bom + text.encode(codec))
    return p


@pytest.mark.parametrize("name, codec, bom, shown", [
    ("utf16-le-bom.txt", "utf-16-le", b"\xff\xfe", "UTF-16 LE (byte order mark)"),
    ("utf16-be-bom.txt", "utf-16-be", b"\xfe\xff", "UTF-16 BE (byte order mark)"),
    ("utf16-le.txt", "utf-16-le", b"", "utf-16-le"),
    ("utf16-be.md", "utf-16-be", b"", "utf-16-be"),
    ("utf32.txt", "utf-32-le", b"\xff\xfe\x00\x00", "UTF-32 LE (byte order mark)"),
    ("cp1252.txt", "cp1252", b"", "cp125"),  # the detector may name a sibling code page; the text must be right
])
def test_text_in_another_encoding_is_loaded_with_a_warning_naming_it(tmp_path, name, codec, bom, shown):
    from catalog.store.engine import make_engine
    from catalog.store.read import read_extractions

    path = _encoded(tmp_path, name, codec, bom)
    db = tmp_path / "c.db"
    r = runner.invoke(app, ["build", str(path), "--db", str(db)])
    assert r.exit_code == 0, r.output
    warnings = [line for line in r.output.splitlines() if line.startswith("warning:") and str(path) in line]
    assert len(warnings) == 1 and f"{path}: read as {shown}" in warnings[0], r.output
    [x] = read_extractions(make_engine(str(db), create=False))
    assert "“Données personnelles” means personal data; a fee of 5 € may apply" in x.policy.text
    assert "(droit à l’effacement)" in x.policy.text
    assert any(w.startswith(f"{path}: read as ") for w in x.warnings)  # stored with the version too
    assert {f.id for f in x.facts} >= {"data_category:user.contact.email", "recipient:google"}


def test_latin1_text_is_loaded_with_a_warning(tmp_path):
    text = WORD_PROCESSOR_POLICY.replace("€", "EUR").replace("“", '"').replace("”", '"').replace("’", "'")
    path = _encoded(tmp_path, "latin1.txt", "latin-1", text=text)
    r = runner.invoke(app, ["build", str(path), "--db", str(tmp_path / "c.db")])
    assert r.exit_code == 0, r.output
    assert f"warning: {path}: read as " in r.output and "not UTF-8" in r.output
    [doc] = read_policy(path)
    assert '"Données personnelles" means personal data' in doc.text and "droit à l'effacement" in doc.text


def test_utf8_text_gets_no_encoding_warning(tmp_path):
    path = _encoded(tmp_path, "utf8.txt", "utf-8")
    with_bom = _encoded(tmp_path, "utf8-bom.txt", "utf-8", b"\xef\xbb\xbf")
    assert read_policy(path)[0].warnings == () and read_policy(with_bom)[0].warnings == ()
    assert read_policy(path)[0].text == read_policy(with_bom)[0].text


# ---------------------------------------------------------------- NUL bytes never reach a database


def test_nul_bytes_late_in_a_file_are_refused_naming_it_on_every_backend(db_url, tmp_path):
    from catalog.store.engine import make_engine
    from catalog.store.read import read_policies

    assert runner.invoke(app, ["build", str(DEMO), "--db", db_url]).exit_code == 0
    late = tmp_path / "late-nul.md"
    late.write_bytes(b"Acme Privacy Policy\n\n" + b"We collect your email address. " * 4000 + b"\x00\n")
    assert late.stat().st_size > 65536 + 100
    other = tmp_path / "good.md"
    other.write_text("Acme Two Privacy Policy\n\nWe collect your email address and your name.\n")
    r = runner.invoke(app, ["build", str(other), str(late), "--db", db_url])
    assert r.exit_code == 2
    assert r.output.count("error:") == 1 and f"error: {late}: binary file (contains NUL bytes), not a text policy" in r.output
    assert [p.id for p in read_policies(make_engine(db_url, create=False))] == [
        "alibaba-com-2018-05-25", "alibaba-com-2019-01-17"]  # the good file was not stored either


# ---------------------------------------------------------------- odd files: one line, the name quoted


def test_html_nested_thousands_of_levels_is_read(tmp_path):
    deep = tmp_path / "deep.html"
    body = "<p>Acme Privacy Policy</p><p>We collect your email address and share it with Google.</p>"
    deep.write_text("<html><body>" + "<div>" * 5000 + body + "</div>" * 5000 + "</body></html>")
    r = runner.invoke(app, ["build", str(deep), "--db", str(tmp_path / "c.db")])
    assert r.exit_code == 0, r.output[-2000:]
    [doc] = read_policy(deep)
    assert "We collect your email address and share it with Google." in doc.text


def test_a_file_name_with_a_newline_is_quoted_on_one_line(tmp_path):
    odd = tmp_path / "two\nlines.txt"
    odd.write_bytes(b"")
    r = runner.invoke(app, ["build", str(odd), "--db", str(tmp_path / "c.db")])
    assert r.exit_code == 2
    assert r.output.splitlines() == [f"error: {str(odd)!r}: empty file"]


def test_an_unreadable_file_named_or_in_a_directory_is_one_line(tmp_path):
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "a-good.txt").write_text("Acme Privacy Policy\n\nWe collect your email address.\n")
    locked = folder / "locked.txt"
    locked.write_text("Locked Privacy Policy\n\nWe collect your name.\n")
    locked.chmod(0)
    db = tmp_path / "c.db"
    for target in (locked, folder):
        r = run_ropa_unprivileged("build", str(target), "--db", str(db))
        assert r.returncode == 2, r.stderr
        assert r.stderr.splitlines()[-1] == f"error: {locked}: permission denied: cannot read it", r.stderr
        assert "Traceback" not in r.stderr and "╭" not in r.stderr
        assert not db.exists()


def test_an_unlistable_subdirectory_is_reported_not_skipped(tmp_path):
    folder = tmp_path / "policies"
    (folder / "locked").mkdir(parents=True)
    (folder / "a-good.txt").write_text("Acme Privacy Policy\n\nWe collect your email address.\n")
    (folder / "locked" / "b.txt").write_text("B Privacy Policy\n\nWe collect your name.\n")
    (folder / "locked").chmod(0)
    r = run_ropa_unprivileged("build", str(folder), "--db", str(tmp_path / "c.db"))
    (folder / "locked").chmod(0o755)
    assert r.returncode == 2, r.stderr
    assert r.stderr.splitlines()[-1] == f"error: {folder / 'locked'}: permission denied: cannot list it", r.stderr
