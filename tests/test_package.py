"""The package as a user installs it: the wheel built from the sources, installed with the dashboard
extra into a fresh virtualenv, used from a directory outside the repository (marker `wheel`).

pip reaches the registry (or this machine's mirror) for the wheel's dependencies; when it cannot, the
test skips with the reason, unless ROPA_REQUIRE_WHEEL=1 (CI), where it fails. Waits are generous and
nothing is timed: a busy machine makes it slow, not red.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import stop_process

pytestmark = pytest.mark.wheel

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
POLICY = CORPUS / "other" / "WeTransfer.privacy.md"

#: pip's words for a registry it cannot reach (or a mirror without the package): skip, not fail.
UNREACHABLE = ("No matching distribution found", "Could not find a version", "NewConnectionError",
               "Network is unreachable", "Temporary failure in name resolution", "ProxyError",
               "Max retries exceeded", "Connection refused", "ReadTimeoutError")

#: Installing streamlit and its dependencies may take minutes on a busy machine.
PIP_TIMEOUT = 1800
#: Until the dashboard's first page answers (a cold start under load).
SERVER_TIMEOUT = 240


def _clean_env() -> dict[str, str]:
    """The environment without this checkout's virtualenv and catalog settings."""
    drop = ("VIRTUAL_ENV", "PYTHONPATH", "ROPA_DB", "DATABASE_URL", "PYTHONHOME")
    return {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("STREAMLIT_")}


def _pip(args: list[str], cwd: Path, python: str = sys.executable) -> subprocess.CompletedProcess:
    """pip, or a skip (a failure under ROPA_REQUIRE_WHEEL) when it cannot reach the registry."""
    r = subprocess.run([python, "-m", "pip", "--disable-pip-version-check", *args], cwd=cwd,
                       env=_clean_env(), capture_output=True, text=True, timeout=PIP_TIMEOUT)
    if r.returncode != 0:
        out = r.stdout + r.stderr
        reason = f"pip {args[0]} cannot reach the package registry: " + next(
            (line.strip() for line in out.splitlines() if any(w in line for w in UNREACHABLE)), "")
        if any(w in out for w in UNREACHABLE):
            if os.environ.get("ROPA_REQUIRE_WHEEL"):
                pytest.fail(f"ROPA_REQUIRE_WHEEL is set: {reason}")
            pytest.skip(reason)
        pytest.fail(f"pip {' '.join(args)} failed:\n{out[-3000:]}")
    return r


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 (loopback)
        return r.status, r.read().decode("utf-8", "replace")


def _wait_for(url: str, server: subprocess.Popen, log: Path) -> tuple[int, str]:
    deadline = time.monotonic() + SERVER_TIMEOUT
    while True:
        if server.poll() is not None:
            pytest.fail(f"ropa dashboard exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            return _fetch(url)
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            if time.monotonic() > deadline:
                pytest.fail(f"{url} did not answer in {SERVER_TIMEOUT} s:\n{log.read_text()[-3000:]}")
            time.sleep(1)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the sources (pip builds in the tree: the checkout stays clean)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(REPO / "catalog", src / "catalog",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    _pip(["wheel", str(src), "--no-deps", "-w", str(tmp / "dist")], cwd=tmp)
    wheels = list((tmp / "dist").glob("ropa_catalog-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_the_wheel_holds_the_dashboard_its_config_and_the_vocabulary(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in ("catalog/dashboard/app.py", "catalog/dashboard/overview.py", "catalog/dashboard/review.py",
              "catalog/dashboard/.streamlit/config.toml", "catalog/dashboard/static/favicon.png",
              "catalog/cli/commands/dashboard.py", "catalog/store/migrations/env.py"):
        assert f in names, f"{f} is not in {wheel.name}"
    assert any(n.startswith("catalog/lexicons/") and n.endswith(".yaml") for n in names)
    assert not any(n.startswith(("tests/", "data/", "bench/", "notebooks/")) for n in names)
    config = zipfile.ZipFile(wheel).read("catalog/dashboard/.streamlit/config.toml").decode()
    assert "gatherUsageStats = false" in config
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    extras = {line.split(":", 1)[1].strip() for line in zipfile.ZipFile(wheel).read(meta).decode().splitlines()
              if line.startswith("Provides-Extra:")}
    assert extras == {"dashboard", "postgres", "scale", "notebooks", "test", "all"}


def test_installed_wheel_builds_a_catalog_and_serves_the_dashboard_outside_the_repository(
        wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=600, env=_clean_env())
    python = str(venv / "bin" / "python")
    _pip(["install", "--quiet", f"{wheel}[dashboard]"], cwd=tmp_path, python=python)
    ropa = str(venv / "bin" / "ropa")
    elsewhere = tmp_path / "elsewhere"  # no data/, no catalog.db, no .streamlit of the repository
    elsewhere.mkdir()
    env = _clean_env()

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([ropa, *args], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=600)

    v = run("--version")
    assert v.returncode == 0, v.stderr
    assert v.stdout == "ropa 0.1.0\n"

    db = tmp_path / "one.db"
    b = run("build", str(POLICY), "--db", str(db))
    assert b.returncode == 0, b.stderr
    assert len(b.stdout.splitlines()) == 1 and " facts, " in b.stdout, b.stdout  # one version stored
    assert "Reading" not in b.stderr

    # an empty catalog in the installed package (no data/ to build a demo from): one line says what to do
    empty = tmp_path / "empty.db"
    script = (f"import os; os.environ['ROPA_DB'] = {str(empty)!r}\n"
              "from catalog.store.engine import make_engine; make_engine(os.environ['ROPA_DB']).dispose()\n"
              "from streamlit.testing.v1 import AppTest\n"
              "from importlib.resources import files\n"
              "at = AppTest.from_file(str(files('catalog.dashboard') / 'app.py'), default_timeout=300).run()\n"
              "assert not at.exception, at.exception\n"
              "print([w.value for w in at.warning]); print([b.label for b in at.button])\n")
    t = subprocess.run([python, "-c", script], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=900)
    assert t.returncode == 0, t.stderr[-3000:]
    assert t.stdout.splitlines()[0] == (
        f"['The catalog is empty: build it with `ropa build POLICY_FILES --db {empty}`, then Reload.']")
    assert t.stdout.splitlines()[1] == "['Reload']"  # no "Build the demo" without data/policies

    port = _free_port()
    log = tmp_path / "dashboard.log"
    with log.open("w") as out:
        server = subprocess.Popen([ropa, "dashboard", "--db", str(db), "--port", str(port)], cwd=elsewhere, env=env,
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        status, body = _wait_for(f"http://127.0.0.1:{port}/_stcore/health", server, log)
        assert (status, body) == (200, "ok")
        status, page = _fetch(f"http://127.0.0.1:{port}/")
        assert status == 200
        assert "<title>Streamlit</title>" in page or "<div id=\"root\">" in page, page[:500]
        assert f"dashboard on http://127.0.0.1:{port}" in log.read_text()
    finally:
        stop_process(server)
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
