"""`ropa review`: decisions recorded from the command line show in the JSON export and the
workbook's Evidence sheet, and survive a rebuild of the policy."""

from __future__ import annotations

import json

from openpyxl import load_workbook
from typer.testing import CliRunner

from catalog.cli import app
from tests.conftest import DEMO

runner = CliRunner()


def test_review_survives_rebuild_and_shows_in_exports(db_url, tmp_path):
    assert runner.invoke(app, ["build", str(DEMO), "--db", db_url]).exit_code == 0
    r = runner.invoke(app, ["review", "recipient:yandex", "confirm", "-r", "dpo@example.com",
                            "-c", "cookie table names Yandex", "--db", db_url])
    assert r.exit_code == 0 and "recorded: confirm recipient:yandex by dpo@example.com" in r.output
    edge = "recipient:google|transferred_to|country:US"
    r = runner.invoke(app, ["review", edge, "reject", "-r", "dpo@example.com", "-c", "truncated IPs only", "--db", db_url])
    assert r.exit_code == 0
    assert runner.invoke(app, ["build", str(DEMO), "--db", db_url]).exit_code == 0  # rebuild

    out = tmp_path / "c.json"
    assert runner.invoke(app, ["export", "json", "-o", str(out), "--db", db_url]).exit_code == 0
    data = json.loads(out.read_text())
    yandex = next(n for n in data["nodes"] if n["id"] == "recipient:yandex")
    assert yandex["review"]["decision"] == "confirm" and yandex["review"]["reviewer"] == "dpo@example.com"
    google_us = next(e for e in data["edges"] if (e["source"], e["relation"], e["target"]) ==
                     ("recipient:google", "transferred_to", "country:US"))
    assert google_us["review"]["decision"] == "reject" and google_us["review"]["comment"] == "truncated IPs only"

    xlsx = tmp_path / "ropa.xlsx"
    assert runner.invoke(app, ["export", "xlsx", "-o", str(xlsx), "--db", db_url]).exit_code == 0
    ws = load_workbook(xlsx)["Evidence"]
    header = [c.value for c in ws[1] if c.value] or [c.value for c in ws[2] if c.value]
    rows = list(ws.iter_rows(values_only=True))
    col = next(i for i, row in enumerate(rows) for j, v in enumerate(row) if v == "DPO review")
    review_col = rows[col].index("DPO review")
    reviewed = [row for row in rows if row[0] == "recipient:yandex"]
    assert reviewed and all(str(row[review_col]).startswith("confirm by dpo@example.com on ") for row in reviewed)
    assert header

    r = runner.invoke(app, ["reviews", "--db", db_url, "--format", "json"])
    assert [x["target"] for x in json.loads(r.output)] == ["recipient:yandex", edge]


def test_review_refuses_bad_decisions(db_url):
    runner.invoke(app, ["build", str(DEMO), "--db", db_url])
    r = runner.invoke(app, ["review", "recipient:yandex", "maybe", "-r", "dpo", "--db", db_url])
    assert r.exit_code == 2 and "unknown decision 'maybe'" in r.output
    assert "No review decisions yet." in runner.invoke(app, ["reviews", "--db", db_url]).output
