"""`ropa export xlsx|csv` on the seed, stored in a real database: the workbook read back cell by cell."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from catalog.cli.app import app, load_graph
from catalog.export.ropa_columns import FOR_DPO, NOT_STATED, ROPA_COLUMNS
from catalog.export.spreadsheet import DPO_FILL, EXTRA_COLUMNS, FINDING_COLUMNS, HEADER_ROW, TRANSFER_COLUMNS
from catalog.export.workbook import LINE_HEIGHT

NEW = "alibaba-com-2019-01-17"
runner = CliRunner()


def run(*args: str):
    r = runner.invoke(app, list(args), catch_exceptions=False)
    return r


@pytest.fixture
def built(db_url, seed_path):
    assert run("build", str(seed_path), "--db", db_url).exit_code == 0
    return db_url


def _row(ws, purpose: str) -> dict[str, object]:
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        if ws.cell(r, 2).value == purpose:
            return {ws.cell(HEADER_ROW, c).value: ws.cell(r, c).value for c in range(1, ws.max_column + 1)}
    raise AssertionError(f"no row for {purpose}")


def test_xlsx_workbook_cell_by_cell(built, tmp_path):
    out = tmp_path / "ropa.xlsx"
    r = run("export", "xlsx", "-o", str(out), "--policy", NEW, "--db", built)
    assert r.exit_code == 0, r.output
    assert "27 processing activities" in r.output
    assert not list(tmp_path.glob("*.tmp"))
    wb = load_workbook(out)
    assert wb.sheetnames == ["ROPA", "Transfers", "Recipients", "Evidence", "Findings"]
    ws = wb["ROPA"]
    # the controller block above the table, as the ICO template has it
    assert ws["A4"].value == "Controller"
    assert ws["B4"].value == "Alibaba.com Singapore E-Commerce Private Limited"
    assert ws["C4"].value == "200720572D"
    assert ws["F4"].value == "DataProtection@service.alibaba.com"
    assert (ws["A5"].value, ws["F5"].value) == ("Data Protection Officer", NOT_STATED)
    assert (ws["A6"].value, ws["B6"].value) == ("Representative", NOT_STATED)
    # the header in ICO order, styled; frozen below it; filtered
    header = [ws.cell(HEADER_ROW, c).value for c in range(1, ws.max_column + 1)]
    assert header == list(ROPA_COLUMNS + EXTRA_COLUMNS)
    assert ws.cell(HEADER_ROW, 1).font.bold and ws.cell(HEADER_ROW, 1).fill.fgColor.rgb.endswith("1F4E78")
    assert ws.freeze_panes == "C10"  # the header and the business function and purpose columns stay in view
    assert ws.auto_filter.ref == f"A9:W{HEADER_ROW + 27}"
    assert ws.max_row == HEADER_ROW + 27
    assert ws.cell(HEADER_ROW + 1, 5).alignment.wrap_text
    assert ws.column_dimensions["B"].width == 22
    pay = _row(ws, "Processing payments and settlement")
    assert pay["Business function"] == "Finance / Payments"
    assert "Payment card number" in pay["Categories of personal data"]
    assert "Bank account number" in pay["Categories of personal data"]
    assert "Payment service providers" in pay["Categories of recipients"]
    assert pay[ROPA_COLUMNS[7]] == "China; United States"
    assert "Standard Contractual Clauses" in pay[ROPA_COLUMNS[8]]
    assert pay["Article 6 lawful basis for processing personal data"] == "Contract (Art. 6(1)(b)); Legitimate interests (Art. 6(1)(f))"
    assert pay["Link to contract with processor"] == FOR_DPO  # no policy can state it: the DPO's, not a gap
    assert pay["Name and contact details of joint controller (if applicable)"] == NOT_STATED
    assert pay["Link to record of legitimate interests assessment (if applicable)"] == FOR_DPO  # LI is relied on
    assert _row(ws, "Direct marketing communications")["Link to record of consent"] == FOR_DPO  # consent relied on
    legal = _row(ws, "Complying with legal obligations")
    assert legal["Link to record of consent"] == "Not applicable: consent not relied on"
    assert legal["Link to record of legitimate interests assessment (if applicable)"].startswith("Not applicable")
    assert pay["Policy versions"] == NEW
    assert pay[EXTRA_COLUMNS[1]] == ("Article 6 lawful basis for processing personal data; "
                                     "Legitimate interests for the processing (if applicable)")
    # consent is stated for it ("we will seek your consent prior to sending you communications for marketing
    # purposes"); legitimate interests only by example ("..., for instance, when ... undertaking marketing")
    assert _row(ws, "Direct marketing communications")[EXTRA_COLUMNS[1]] == (
        "Article 6 lawful basis for processing personal data; Legitimate interests for the processing (if applicable)")

    G = load_graph(built, NEW)
    facts = sum(len(d["evidence"]) for _, d in G.nodes(data=True)) + sum(len(d["evidence"]) for *_, d in G.edges(data=True))
    ev = wb["Evidence"]
    assert ev.max_row - 1 == facts
    assert [c.value for c in ev[1]] == ["Fact", "Kind or relation", "Label", "Policy version", "Section", "Quote",
                                        "Start", "End", "Rule", "Status", "Read as", "Confidence", "Note", "DPO review"]
    assert ev.freeze_panes == "B2" and ev.auto_filter.ref.startswith("A1:N")
    read_as = {(row[9], row[10]) for row in ev.iter_rows(min_row=2, values_only=True)}
    # how each fact was read, as the extractor says: stated ones from one statement, a list item or a table row,
    # inferred ones from a scope, a reference or an example (the cookie-table layout: from the status)
    assert {r for s_, r in read_as if s_ == "stated"} <= {"statement", "list item", "table row"}
    assert {r for s_, r in read_as if s_ == "inferred"} <= {"inferred", "heading scope", "section scope", "reference",
                                                              "statement (example)"}
    assert ("stated", "statement") in read_as and ("inferred", "inferred") in read_as
    quotes = {(row[0], row[5]) for row in ev.iter_rows(min_row=2, values_only=True)}
    assert any(f == "controller:alibaba-com-singapore-e-commerce-private-limited" and "200720572D" in q for f, q in quotes)

    tr = wb["Transfers"]
    assert [c.value for c in tr[1]] == list(TRANSFER_COLUMNS)
    transfers = {(row[0], row[3]): dict(zip(TRANSFER_COLUMNS, row)) for row in tr.iter_rows(min_row=2, values_only=True)}
    cn = transfers[("Alibaba.com Singapore E-Commerce Private Limited", "CN")]
    assert (cn["EU standing"], cn["SCC"], cn["Status"], cn["Policy version"]) == ("no adequacy decision", "yes", "stated", NEW)
    assert "Standard Contractual Clauses" in cn["Safeguards"]
    google = transfers[("Google", "US")]
    assert google["Safeguards"] == "none stated" and google["EU standing"].startswith("partial adequacy decision")

    rec = {row[0]: row for row in wb["Recipients"].iter_rows(min_row=2, values_only=True)}
    assert rec["Google"][1:3] == ("named", "US")
    assert "IP address" in rec["Google"][3]
    assert "Processing payments and settlement" in rec["Payment service providers"][4]

    fs = wb["Findings"]
    assert [c.value for c in fs[1]] == list(FINDING_COLUMNS)
    findings = {row[-1]: dict(zip(FINDING_COLUMNS, row)) for row in fs.iter_rows(min_row=2, values_only=True)}
    yandex = findings["undeclared-transfer:recipient:yandex"]
    assert (yandex["Severity"], yandex["Organisation"], yandex["Policy versions"]) == ("high", "Alibaba.com", NEW)
    assert yandex["Rests on inferred facts"] == "none"

    # gaps: the policy's in red italics, the DPO's in their own style
    pay_row = next(r for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, 2).value == "Processing payments and settlement")
    contract = ws.cell(pay_row, ROPA_COLUMNS.index("Link to contract with processor") + 1)
    joint = ws.cell(pay_row, ROPA_COLUMNS.index("Name and contact details of joint controller (if applicable)") + 1)
    assert contract.fill.fgColor.rgb.endswith(DPO_FILL.fgColor.rgb[-6:]) and contract.font.i
    assert joint.font.color.rgb.endswith("9C0006") and joint.fill.fgColor.rgb != contract.fill.fgColor.rgb
    # printable: landscape A4, fit to as few pages across as keep the text readable, header repeated
    for sheet in wb:
        assert sheet.page_setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToHeight == 0 and sheet.page_setup.fitToWidth >= 1
        assert sheet.print_title_rows == ("$9:$9" if sheet.title == "ROPA" else "$1:$1")
    assert ws.print_title_cols == "$A:$B"  # purpose repeated on every page across
    # every row is as tall as its most wrapped cell: more text, taller row
    heights = {r: ws.row_dimensions[r].height for r in range(HEADER_ROW + 1, ws.max_row + 1)}
    assert all(h and h >= LINE_HEIGHT for h in heights.values())
    longest = max(heights, key=lambda r: max(len(str(ws.cell(r, c).value or "")) for c in range(1, ws.max_column + 1)))
    assert heights[longest] > 5 * LINE_HEIGHT


def test_dpia_column_names_its_criteria(built, tmp_path):
    out = tmp_path / "ropa.xlsx"
    assert run("export", "xlsx", "-o", str(out), "--policy", NEW, "--db", built).exit_code == 0
    ws = load_workbook(out)["ROPA"]
    # "health data of end-users (which may include minors ...)": special-category data of vulnerable subjects
    support = _row(ws, "Customer service and support")["Data Protection Impact Assessment required?"]
    assert support.startswith("Likely required: ")
    assert "special-category data (Health data)" in support and "Minors and children" in support
    assert "Art. 35(3)(b)" in support
    assert _row(ws, "Complying with legal obligations")["Data Protection Impact Assessment required?"] == FOR_DPO


def test_csv_has_the_ropa_sheet_rows(built, tmp_path):
    out = tmp_path / "ropa.csv"
    r = run("export", "csv", "-o", str(out), "--policy", NEW, "--db", built)
    assert r.exit_code == 0, r.output
    with out.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(ROPA_COLUMNS)
    assert len(rows) == 1 + 27
    pay = dict(zip(rows[0], next(r for r in rows if r[1] == "Processing payments and settlement")))
    assert pay["Categories of recipients"] == "Credit risk assessment providers; Payment service providers"
    assert pay["Article 9 condition for processing special category data"].startswith("Not applicable")


def test_whole_catalog_and_bad_input(built, tmp_path):
    out = tmp_path / "all.xlsx"
    assert run("export", "xlsx", "-o", str(out), "--org", "alibaba-com", "--db", built).exit_code == 0
    ws = load_workbook(out)["ROPA"]
    assert "alibaba-com-2018-05-25" in ws["A2"].value and NEW in ws["A2"].value
    assert "Business partners [alibaba-com-2018-05-25]" in _row(ws, "Processing payments and settlement")["Categories of recipients"]
    r = runner.invoke(app, ["export", "csv", "-o", str(tmp_path / "x.csv"), "--policy", "nope", "--db", built])
    assert r.exit_code == 2 and "no policy version 'nope'" in r.output
    assert not (tmp_path / "x.csv").exists()


def test_reviews_show_alike_in_every_sheet(built, tmp_path):
    for target, decision in (("recipient:yandex", "reject"), ("recipient:google|transferred_to|country:US", "reject"),
                             ("recipient:mail-ru", "confirm")):
        r = run("review", target, decision, "-r", "dpo@example.com", "-c", "checked", "--db", built)
        assert r.exit_code == 0, r.output
    out = tmp_path / "ropa.xlsx"
    assert run("export", "xlsx", "-o", str(out), "--policy", NEW, "--db", built).exit_code == 0
    wb = load_workbook(out)
    analytics = _row(wb["ROPA"], "Analytics and statistics")  # the rejected transfer: marked, not dropped
    assert "United States (via Google) (rejected by the DPO)" in analytics[ROPA_COLUMNS[7]].split("; ")
    assert "United States (via Google)" not in analytics[ROPA_COLUMNS[7]].split("; ")
    assert "United States (via Google): adequacy decision (partial) (rejected by the DPO)" in analytics[ROPA_COLUMNS[8]]

    def review_rows(sheet: str, key) -> list[tuple[str, bool]]:
        """(DPO review text, struck through) of the rows of a sheet that `key` picks."""
        ws = wb[sheet]
        col = [c.value for c in ws[1]].index("DPO review")
        return [(row[col], bool(ws.cell(i, 1).font.strike))
                for i, row in enumerate(ws.iter_rows(min_row=2, values_only=True), 2) if key(row)]

    for sheet, key in (("Recipients", lambda row: row[0] == "Yandex"),
                       ("Evidence", lambda row: row[0] == "recipient:yandex"),
                       ("Transfers", lambda row: (row[0], row[3]) == ("Google", "US"))):
        rows = review_rows(sheet, key)
        assert rows and all(text.startswith("reject by dpo@example.com on ") and text.endswith(": checked")
                            and struck for text, struck in rows), (sheet, rows)
    confirmed = review_rows("Recipients", lambda row: row[0] == "Mail.ru")
    assert confirmed and all(text.startswith("confirm by ") and not struck for text, struck in confirmed)
    findings = {row[-1]: row for row in wb["Findings"].iter_rows(min_row=2, values_only=True)}
    assert "undeclared-transfer:recipient:yandex" not in findings  # a rejected fact raises no finding
    mail = findings["undeclared-transfer:recipient:mail-ru"]
    assert mail[FINDING_COLUMNS.index("DPO review")].startswith("recipient:mail-ru: confirm by dpo@example.com")


def test_evidence_sheet_shows_how_each_fact_was_read(seed_graph):
    from catalog.export.spreadsheet import EVIDENCE_COLUMNS, evidence_rows

    G = seed_graph.copy()
    edge = G.edges["recipient:google", "country:US", "transferred_to"]
    edge["by_policy"] = {**edge["by_policy"], NEW: {**edge["by_policy"][NEW], "read_as": "table row", "confidence": 0.934}}
    node = G.nodes["recipient:yandex"]
    node["by_policy"] = {**node["by_policy"], NEW: {**node["by_policy"][NEW], "read_as": "list item", "confidence": 0.7}}
    rows = [dict(zip(EVIDENCE_COLUMNS, r)) for r in evidence_rows(G)]
    google = [r for r in rows if r["Fact"] == "recipient:google transferred_to country:US" and r["Policy version"] == NEW]
    assert google and all((r["Read as"], r["Confidence"]) == ("table row", 0.93) for r in google)
    yandex = [r for r in rows if r["Fact"] == "recipient:yandex"]
    assert yandex and all((r["Read as"], r["Confidence"]) == ("list item", 0.7) for r in yandex)
    inferred = [r for r in rows if r["Status"] == "inferred"]
    # an inferred link says what it was inferred from, and is less sure than a stated one; where the
    # extractor says nothing (the cookie-table layout), the reading follows the status
    readings = {"heading scope", "section scope", "reference", "statement (example)", "inferred"}
    assert inferred and all(r["Read as"] in readings for r in inferred)
    assert all(r["Confidence"] == "" or r["Confidence"] < 0.8 for r in inferred)
    assert any((r["Read as"], r["Confidence"]) == ("inferred", "") for r in inferred)
