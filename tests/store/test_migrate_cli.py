"""`python -m catalog.store.migrate`, the schema command the README documents: on a real SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys

from catalog.store.migrate import head


def _migrate(*args: str, cwd) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", "catalog.store.migrate", *args], capture_output=True, text=True,
                          cwd=cwd, env=env)


def test_upgrade_then_current_print_the_head_revision(tmp_path):
    db = tmp_path / "c.db"
    up = _migrate("upgrade", "--db", str(db), cwd=tmp_path)
    assert (up.returncode, up.stdout.strip()) == (0, head())
    now = _migrate("current", "--db", str(db), cwd=tmp_path)
    assert (now.returncode, now.stdout.strip(), now.stderr) == (0, head(), "")


def test_current_of_a_missing_file_is_one_line_and_creates_nothing(tmp_path):
    r = _migrate("current", "--db", str(tmp_path / "missing.db"), cwd=tmp_path)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.strip() == f"error: {tmp_path / 'missing.db'}: no such catalog"
    assert list(tmp_path.iterdir()) == []


def test_current_of_an_empty_file_says_it_has_no_schema_and_leaves_it_empty(tmp_path):
    db = tmp_path / "empty.db"
    db.touch()
    r = _migrate("current", "--db", str(db), cwd=tmp_path)
    assert (r.returncode, r.stdout.strip()) == (0, "(no schema)")
    assert db.stat().st_size == 0
