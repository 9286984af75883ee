"""The analyst notebooks run end to end on the seed and the shared corpus, and say what they should.

Each notebook is executed in memory with nbclient (its working directory set to notebooks/ or the
repository root, as an analyst would open it) on a kernel that runs this test's own Python; the
executed copy is written to tmp_path only, never over the committed notebook.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")
pytest.importorskip("pandas")

pytestmark = [pytest.mark.notebooks, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
KERNEL = "ropa-test-python"

#: notebook -> strings its outputs must contain (case-insensitive).
EXPECTED: dict[str, tuple[str, ...]] = {
    "01_explore_seed.ipynb": ("payment card number", "payment service providers", "via_purpose", "betweenness",
                              "legitimate interests", "purposes rest on legitimate interests"),
    "02_alibaba_over_time.ipynb": ("vkontakte", "removed", "alibaba-com-2019-01-17", "alibaba-com-2026-08-12",
                                   "scc"),
    "03_vendors_side_by_side.ipynb": ("paypal", "wetransfer", "scc", "dpf", "share with advertising platforms",
                                      "dev-set app policies"),
}


@pytest.fixture(scope="session")
def kernel_name(tmp_path_factory: pytest.TempPathFactory):
    """A kernelspec that runs this interpreter (the venv's), whatever other python3 kernels are installed."""
    base = tmp_path_factory.mktemp("jupyter")
    spec = base / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "ROPA test kernel", "language": "python",
    }))
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join([str(base)] + ([old] if old else []))
    yield KERNEL
    if old is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = old


def _execute(name: str, cwd: Path, kernel: str, out_dir: Path):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name=kernel, timeout=600, allow_errors=True,
                                     resources={"metadata": {"path": str(cwd)}})
    start = time.monotonic()
    client.execute()
    elapsed = time.monotonic() - start
    nbformat.write(nb, out_dir / name)
    return nb, elapsed


def _errors(nb) -> list[str]:
    return [f"cell {i}: {o.get('ename')}: {o.get('evalue')}"
            for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for o in c.get("outputs", []) if o.output_type == "error"]


def _text(nb) -> str:
    parts = []
    for c in nb.cells:
        for o in c.get("outputs", []) if c.cell_type == "code" else []:
            if o.output_type == "stream":
                parts.append(o.text)
            elif o.output_type in ("execute_result", "display_data"):
                parts.append(o.get("data", {}).get("text/plain", ""))
                parts.append(o.get("data", {}).get("text/html", ""))
    return "\n".join(parts).lower()


def _images(nb) -> int:
    return sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
               if o.output_type == "display_data" and "image/png" in o.get("data", {}))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_runs_end_to_end(name: str, kernel_name: str, tmp_path: Path, seed_path: Path) -> None:
    committed = (NOTEBOOKS / name).read_bytes()
    nb, elapsed = _execute(name, NOTEBOOKS, kernel_name, tmp_path)
    assert not _errors(nb), _errors(nb)
    text = _text(nb)
    missing = [s for s in EXPECTED[name] if s not in text]
    assert not missing, f"{name} output lacks {missing}"
    assert _images(nb) >= 3, f"{name} draws fewer than 3 plots"
    assert elapsed < 600, f"{name} took {elapsed:.1f}s"  # a gross-regression guard only
    assert (NOTEBOOKS / name).read_bytes() == committed, "the committed notebook was modified"


def test_notebook_runs_from_the_repository_root(kernel_name: str, tmp_path: Path, seed_path: Path) -> None:
    nb, _ = _execute("01_explore_seed.ipynb", ROOT, kernel_name, tmp_path)
    assert not _errors(nb), _errors(nb)
    assert "payment card number" in _text(nb)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_committed_notebooks_have_no_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    for c in nb.cells:
        if c.cell_type == "code":
            assert c.outputs == [] and c.execution_count is None, f"{name} is committed with outputs"


def test_committed_notebooks_match_their_generator() -> None:
    spec = importlib.util.spec_from_file_location("make_notebooks", NOTEBOOKS / "make_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, make in module.NOTEBOOKS.items():
        generated = [c.source for c in make().cells]
        committed = [c.source for c in nbformat.read(NOTEBOOKS / name, as_version=4).cells]
        assert generated == committed, f"{name} differs from notebooks/make_notebooks.py: regenerate it"
