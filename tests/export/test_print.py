"""The workbooks print: LibreOffice turns them into PDF (as a DPO would before handing them over) and
no word on any page is printed over another (poppler's word boxes), every page is landscape or
portrait A4 as set, and the text is at a readable size."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog.cli.app import app

NEW = "alibaba-com-2019-01-17"
runner = CliRunner()
SOFFICE, PDFTOTEXT = shutil.which("soffice"), shutil.which("pdftotext")
NO_PRINT = "needs LibreOffice (soffice) and poppler (pdftotext, pdfinfo)"
pytestmark = pytest.mark.print


@pytest.fixture(autouse=True)
def _tools():
    """Without the tools the tests skip with their reason; with ROPA_REQUIRE_PRINT=1 (CI) they fail."""
    if not (SOFFICE and PDFTOTEXT and shutil.which("pdfinfo")):
        if os.environ.get("ROPA_REQUIRE_PRINT"):
            pytest.fail(f"ROPA_REQUIRE_PRINT is set: {NO_PRINT}")
        pytest.skip(NO_PRINT)
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def to_pdf(xlsx: Path, tmp_path: Path) -> Path:
    profile = tmp_path / "lo-profile"  # its own profile: other LibreOffice runs on the machine do not interfere
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(xlsx)], check=True, capture_output=True, timeout=600)
    pdf = tmp_path / (xlsx.stem + ".pdf")
    assert pdf.exists()
    return pdf


def overprinted(pdf: Path) -> list[tuple[int, str, str]]:
    """Pairs of words whose boxes overlap on a page (by more than a third of their width and height)."""
    out = subprocess.run([PDFTOTEXT, "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    found = []
    for page, text in enumerate(out.split("<page ")[1:], 1):
        words = sorted(((float(a), float(b), float(c), float(d), w) for a, b, c, d, w in WORD.findall(text)),
                       key=lambda x: x[1])
        for i, a in enumerate(words):
            for b in words[i + 1:]:
                if b[1] >= a[3]:
                    break
                ix = min(a[2], b[2]) - max(a[0], b[0])
                iy = min(a[3], b[3]) - max(a[1], b[1])
                if ix > 0.3 * min(a[2] - a[0], b[2] - b[0]) and iy > 0.4 * min(a[3] - a[1], b[3] - b[1]):
                    found.append((page, a[4], b[4]))
    return found


def page_sizes(pdf: Path) -> set[tuple[int, int]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], capture_output=True, text=True).stdout
    return {(round(float(w)), round(float(h))) for w, h in re.findall(r"size:\s+([\d.]+) x ([\d.]+) pts", info)}


@pytest.fixture
def seed_db(tmp_path, seed_path):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    assert runner.invoke(app, ["build", str(seed_path), "--db", db]).exit_code == 0
    return db


@pytest.mark.parametrize("template", ["ico", "cnil"])
def test_workbook_prints_without_overprinted_text(seed_db, tmp_path, template):
    xlsx = tmp_path / f"{template}.xlsx"
    r = runner.invoke(app, ["export", "xlsx", "-o", str(xlsx), "--policy", NEW, "--template", template, "--db", seed_db])
    assert r.exit_code == 0, r.output
    pdf = to_pdf(xlsx, tmp_path)
    assert overprinted(pdf) == []
    landscape, portrait = (842, 595), (595, 842)
    assert page_sizes(pdf) <= {landscape, portrait}
    assert (portrait in page_sizes(pdf)) == (template == "cnil")  # the CNIL fiches are portrait forms
    text = subprocess.run([PDFTOTEXT, str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Processing payments and settlement" in " ".join(text.split())
    sizes = [float(h) - float(y) for _, y, _, h, _ in WORD.findall(
        subprocess.run([PDFTOTEXT, "-bbox", "-f", "1", "-l", "3", str(pdf), "-"], capture_output=True, text=True).stdout)]
    assert sorted(sizes)[len(sizes) // 2] >= 8  # median word height in points: print at a readable size
