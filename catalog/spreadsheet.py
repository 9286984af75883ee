"""The ROPA as a workbook a DPO opens in a spreadsheet program, and its main sheet as CSV.

Sheet "ROPA" follows the ICO controller template: the controller, DPO and representative block on
top, the table's header on row 9, one row per processing activity. Further sheets carry what the
ROPA cells summarise: every transfer, every recipient, every piece of evidence (so any cell can be
checked against the policy text), and the risk findings when given. Files are written atomically.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from catalog.records import Kind, Relation
from catalog.ropa import NOT_STATED, ROPA_COLUMNS, controller_details, ropa_rows

#: Row of the ROPA table's header (the ICO template's row 9); the controller block sits above it.
HEADER_ROW = 9
#: Columns after the ICO ones: where each row comes from.
EXTRA_COLUMNS: tuple[str, ...] = ("Policy versions", "Inferred cells (not stated in one sentence)")
BLOCK_COLUMNS: tuple[str, ...] = ("", "Name", "Registration number", "Address", "Country", "Email", "Telephone")

TRANSFER_COLUMNS = ("Source", "Source kind", "Country", "Country code", "Adequacy", "Safeguards", "SCC",
                    "Status", "Policy version", "Section", "Quote")
RECIPIENT_COLUMNS = ("Recipient", "Type", "Home country", "Receives (data categories)", "For purposes",
                     "Transfers to", "Policy versions", "Quote")
EVIDENCE_COLUMNS = ("Fact", "Kind or relation", "Label", "Policy version", "Section", "Quote", "Start", "End",
                    "Rule", "Status", "Note", "DPO review")
FINDING_COLUMNS = ("Severity", "Title", "Detail", "Facts", "Quote", "Policy versions", "Finding id")

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_BLOCK_FILL = PatternFill("solid", fgColor="DDEBF7")
_GAP_FONT = Font(italic=True, color="9C0006")
_WRAP = Alignment(wrap_text=True, vertical="top")
_WIDTHS = {"Business function": 22, "Purpose of processing": 30, "Legitimate interests for the processing (if applicable)": 70,
           "Categories of personal data": 40, "Categories of recipients": 40, "Rights available to individuals": 45,
           "Safeguards for exceptional transfers of personal data to third countries or international organisations (if applicable)": 50,
           "Retention schedule (if possible)": 45, "Quote": 80, "Detail": 60, "Label": 40}


def _atomic_save(wb: Workbook, path: str | Path) -> Path:
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    wb.save(tmp)
    tmp.replace(p)
    return p


def _header(ws: Worksheet, row: int, columns: Sequence[str]) -> None:
    for i, name in enumerate(columns, 1):
        c = ws.cell(row=row, column=i, value=name)
        c.font, c.fill, c.alignment = _HEADER_FONT, _HEADER_FILL, Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(name, 18 if len(name) < 20 else 28)


def _table(ws: Worksheet, columns: Sequence[str], rows: Iterable[Sequence[Any]], header_row: int = 1) -> int:
    """A styled table: header, wrapped cells, frozen below the header, autofilter. Returns the last row."""
    _header(ws, header_row, columns)
    r = header_row
    for r, values in enumerate(rows, header_row + 1):
        for i, v in enumerate(values, 1):
            c = ws.cell(row=r, column=i, value=v)
            c.alignment = _WRAP
            if v == NOT_STATED:
                c.font = _GAP_FONT
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{max(r, header_row)}"
    return r


# ---------------------------------------------------------------- sheet contents (pure)


def _versions_label(G: nx.MultiDiGraph) -> str:
    policies = sorted(G.graph.get("policies", {}).values(), key=lambda p: (p.get("effective_date") or "", p["id"]))
    return ", ".join(f"{p['id']} ({p.get('title', '')}, effective {p.get('effective_date') or 'unknown'})" for p in policies)


def ropa_table(rows: Sequence[dict[str, Any]]) -> list[list[str]]:
    """The ROPA sheet's body: the ICO columns, then the policy versions and which cells are inferred."""
    out = []
    for r in rows:
        inferred = [c for c in ROPA_COLUMNS if r["provenance"][c]["status"] in ("inferred", "stated and inferred")]
        out.append([r[c] for c in ROPA_COLUMNS] + [", ".join(r["policy_ids"]), "; ".join(inferred) or "none"])
    return out


def transfer_rows(G: nx.MultiDiGraph) -> list[list[Any]]:
    """One row per transfer edge and policy version, with that version's safeguards, SCC flag and quote."""
    out = []
    for u, v, k, d in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1])):
        if k != Relation.TRANSFERRED_TO:
            continue
        for pid in d["policy_ids"]:
            attrs = d.get("by_policy", {}).get(pid, d.get("attrs", {}))
            ev = next((e for e in d["evidence"] if e["policy_id"] == pid), {})
            safeguards = [G.nodes[f"safeguard:{s}"]["label"] if f"safeguard:{s}" in G else s for s in attrs.get("safeguards", [])]
            out.append([G.nodes[u]["label"], G.nodes[u]["kind"], G.nodes[v]["label"], G.nodes[v].get("key") or "",
                        attrs.get("adequacy", ""), "; ".join(safeguards) or "none stated",
                        "yes" if attrs.get("scc") else "no", attrs.get("status", d["status"]), pid,
                        ev.get("section", ""), ev.get("quote", "")])
    return out


def recipient_rows(G: nx.MultiDiGraph) -> list[list[Any]]:
    """One row per recipient: its type and home country, what reaches it and for which purposes, its own transfers."""
    out = []
    for n in sorted(x for x, k in G.nodes(data="kind") if k == Kind.RECIPIENT):
        d = G.nodes[n]
        sources = [u for u, _, k in G.in_edges(n, keys=True) if k == Relation.DISCLOSED_TO]
        cats = sorted({G.nodes[u]["label"] for u in sources if G.nodes[u]["kind"] == Kind.DATA_CATEGORY})
        purposes = sorted({G.nodes[u]["label"] for u in sources if G.nodes[u]["kind"] == Kind.PURPOSE})
        countries = sorted({G.nodes[v]["label"] for _, v, k in G.out_edges(n, keys=True) if k == Relation.TRANSFERRED_TO})
        attrs = d.get("attrs", {})
        quote = next((e["quote"] for u in sources for e in G.edges[u, n, Relation.DISCLOSED_TO]["evidence"]), "") \
            or (d["evidence"][0]["quote"] if d["evidence"] else "")
        out.append([d["label"], attrs.get("type", ""), attrs.get("home_country") or (NOT_STATED if attrs.get("type") == "named" else ""),
                    "; ".join(cats) or NOT_STATED, "; ".join(purposes) or NOT_STATED, "; ".join(countries) or "none stated",
                    ", ".join(d["policy_ids"]), quote])
    return out


def evidence_rows(G: nx.MultiDiGraph) -> list[list[Any]]:
    """Every piece of evidence of every node and edge: what it supports, where it is, and how it was read."""
    out = []
    for n in sorted(G.nodes):
        d = G.nodes[n]
        for e in d["evidence"]:
            out.append([n, d["kind"], d["label"], e["policy_id"], e.get("section", ""), e["quote"], e["start"], e["end"],
                        e.get("rule", ""), "inferred" if e.get("note") else "stated", e.get("note", ""), _review_text(d)])
    for u, v, k in sorted(G.edges(keys=True)):
        d = G.edges[u, v, k]
        label = f"{G.nodes[u]['label']} → {G.nodes[v]['label']}"
        for e in d["evidence"]:
            status = d.get("by_policy", {}).get(e["policy_id"], {}).get("status", d["status"])
            out.append([f"{u} {k} {v}", k, label, e["policy_id"], e.get("section", ""), e["quote"], e["start"], e["end"],
                        e.get("rule", ""), status, e.get("note", ""), _review_text(d)])
    return out


def _review_text(d: dict[str, Any]) -> str:
    """The DPO's decision in force on a fact (catalog.review), e.g. 'reject by dpo@x on 2026-11-29: wrong'."""
    r = d.get("review")
    if not r:
        return ""
    when = str(r.get("at", ""))[:10]
    return f"{r.get('decision', '')} by {r.get('reviewer', '')} on {when}" + (f": {r['comment']}" if r.get("comment") else "")


def finding_rows(findings: Iterable[Any]) -> list[list[Any]]:
    """Findings (objects with to_dict(), or dicts with the same keys) as sheet rows."""
    out = []
    for f in findings:
        d = f.to_dict() if hasattr(f, "to_dict") else dict(f)
        quote = "\n".join(e.get("quote", "") for e in d.get("evidence", [])[:3])
        out.append([d.get("severity", ""), d.get("title", ""), d.get("detail", ""), "; ".join(d.get("facts", [])),
                    quote, ", ".join(d.get("policy_ids", [])), d.get("id", "")])
    return out


# ---------------------------------------------------------------- writers


def _controller_block(ws: Worksheet, G: nx.MultiDiGraph) -> None:
    c = controller_details(G)
    ws.cell(row=1, column=1, value="Record of processing activities (GDPR Article 30(1))").font = Font(bold=True, size=14)
    ws.cell(row=2, column=1, value=f"Built from the privacy policy: {_versions_label(G) or NOT_STATED}. "
                                   "Every cell's text is in the Evidence sheet with its quote, section and version.")
    for i, name in enumerate(BLOCK_COLUMNS, 1):
        cell = ws.cell(row=3, column=i, value=name or None)
        cell.font, cell.fill = Font(bold=True), _BLOCK_FILL
    block = [
        ("Controller", c["legal_name"], c["registration_number"], c["address"], c["country"], c["contact_email"], c["phone"]),
        ("Data Protection Officer", NOT_STATED, "", "", "", c["dpo"], ""),
        ("Representative", c["representative"], "", "", "", "", ""),
    ]
    for r, values in enumerate(block, 4):
        for i, v in enumerate(values, 1):
            cell = ws.cell(row=r, column=i, value=v or None)
            cell.alignment = _WRAP
            if i == 1:
                cell.font = Font(bold=True)
            elif v == NOT_STATED:
                cell.font = _GAP_FONT
    if c["other_controllers"]:
        ws.cell(row=7, column=1, value="Other controllers named").font = Font(bold=True)
        ws.cell(row=7, column=2, value="; ".join(c["other_controllers"]))


def write_xlsx(path: str | Path, G: nx.MultiDiGraph, findings: Iterable[Any] | None = None) -> Path:
    """The ROPA workbook: sheets ROPA, Transfers, Recipients, Evidence, and Findings when findings are given."""
    wb = Workbook()
    ws = wb.active
    ws.title = "ROPA"
    _controller_block(ws, G)
    _table(ws, ROPA_COLUMNS + EXTRA_COLUMNS, ropa_table(ropa_rows(G)), header_row=HEADER_ROW)
    ws.row_dimensions[HEADER_ROW].height = 60
    for title, columns, rows in (
        ("Transfers", TRANSFER_COLUMNS, transfer_rows(G)),
        ("Recipients", RECIPIENT_COLUMNS, recipient_rows(G)),
        ("Evidence", EVIDENCE_COLUMNS, evidence_rows(G)),
    ):
        _table(wb.create_sheet(title), columns, rows)
    if findings is not None:
        _table(wb.create_sheet("Findings"), FINDING_COLUMNS, finding_rows(findings))
    return _atomic_save(wb, path)


def write_csv(path: str | Path, G: nx.MultiDiGraph) -> Path:
    """The ROPA sheet's rows as CSV (header = ROPA_COLUMNS), written atomically."""
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(ROPA_COLUMNS)
        for r in ropa_rows(G):
            w.writerow([r[c] for c in ROPA_COLUMNS])
    tmp.replace(p)
    return p


def write_tables(path: str | Path, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> Path:
    """A workbook of styled tables, one sheet per (title, columns, rows), written atomically: what other
    reports (`ropa changes`) write through, so their cells are written exactly as the ROPA's are."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, columns, rows in sheets:
        _table(wb.create_sheet(title), columns, rows)
    return _atomic_save(wb, path)
