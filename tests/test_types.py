"""The pure core type-checks: mypy, with the project's configuration (pyproject.toml's [tool.mypy]), finds
no error in the shared modules and in every stage from ingest to evaluation.

Types are how a record says what it holds ("semantics in types"); a wrong annotation misleads the next
reader as much as a wrong comment does, and mypy found real slips in them (a name reused for a match and
a mention, a pattern matched twice, an annotation naming a class that was never imported). The stages at
the edges (store, pipeline, cli, dashboard) are left out until the stubs of SQLAlchemy Core, Dask, Typer
and Streamlit describe how they are called; a new stage is checked from its first line."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "catalog"
#: the stages whose calls into their libraries the libraries' stubs do not type yet
EDGES = {"store", "pipeline", "cli", "dashboard"}
#: python -m catalog: the CLI's entry, an edge too
NOT_CHECKED = {"__main__.py"}


def test_the_configuration_covers_every_stage_but_the_edges() -> None:
    files = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]["files"])
    packages = {f"catalog/{p.name}" for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    modules = {f"catalog/{p.name}" for p in PACKAGE.glob("*.py") if p.name not in NOT_CHECKED}
    assert files == (packages - {f"catalog/{e}" for e in EDGES}) | modules
    assert {f"catalog/{e}" for e in EDGES} <= packages  # an edge that is renamed or gone is checked again


def test_mypy_finds_no_error_in_the_core(tmp_path: Path) -> None:
    # a fresh cache: the answer is about these sources, not a cache an earlier run left
    run = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache")],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Success: no issues found" in run.stdout
