"""`ropa review`: decisions recorded from the command line show in the JSON export and the
workbook's Evidence sheet, and survive a rebuild of the policy."""

from __future__ import annotations

import json

from openpyxl import load_workbook
from typer.testing import CliRunner

from catalog.cli.app import app
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


def test_review_refuses_unknown_targets_and_versions(db_url, tmp_path):
    runner.invoke(app, ["build", str(DEMO), "--db", db_url])
    r = runner.invoke(app, ["review", "recipient:nosuch", "confirm", "-r", "dpo", "--db", db_url])
    assert r.exit_code == 2 and "nothing in the catalog is 'recipient:nosuch'" in r.output
    r = runner.invoke(app, ["review", "recipient:google", "confirm", "-r", "dpo", "--policy", "alibaba-com-2019-01-71",
                            "--db", db_url])
    assert r.exit_code == 2 and "no policy version 'alibaba-com-2019-01-71'" in r.output
    r = runner.invoke(app, ["review", "recipient:vkontakte", "confirm", "-r", "dpo", "--policy", "alibaba-com-2019-01-17",
                            "--db", db_url])
    assert r.exit_code == 2  # VKontakte is only in the 2018 version
    link = "data_category:user.health_and_medical|disclosed_to|recipient:insurers"
    r = runner.invoke(app, ["review", link, "add", "-r", "dpo", "-c", "insurers get claims data", "--link", link,
                            "--db", db_url])
    assert r.exit_code == 0, r.output
    assert runner.invoke(app, ["export", "json", "-o", str(tmp_path / "c.json"), "--db", db_url]).exit_code == 0
    data = json.loads((tmp_path / "c.json").read_text())
    added = next(e for e in data["edges"] if (e["source"], e["relation"], e["target"]) ==
                 ("data_category:user.health_and_medical", "disclosed_to", "recipient:insurers"))
    assert added["status"] == "reviewed" and added["review"]["comment"] == "insurers get claims data"
    assert "all versions" in runner.invoke(app, ["reviews", "--db", db_url]).output


def test_rejected_fact_raises_no_finding(db_url):
    runner.invoke(app, ["build", str(DEMO), "--db", db_url])
    before = json.loads(runner.invoke(app, ["risks", "--format", "json", "--db", db_url]).output)
    assert "undeclared-transfer:recipient:mail-ru" in {f["id"] for f in before["findings"]}
    r = runner.invoke(app, ["review", "recipient:mail-ru", "reject", "-r", "dpo", "-c", "not a recipient", "--db", db_url])
    assert r.exit_code == 0
    after = json.loads(runner.invoke(app, ["risks", "--format", "json", "--db", db_url]).output)
    assert "undeclared-transfer:recipient:mail-ru" not in {f["id"] for f in after["findings"]}
    assert "undeclared-transfer:recipient:yandex" in {f["id"] for f in after["findings"]}
