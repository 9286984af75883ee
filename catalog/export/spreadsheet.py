"""The ROPA as a workbook a DPO opens, prints and hands over, and its main sheet as CSV.

Sheet "ROPA" follows the ICO controller template: the controller, DPO and representative block on
top, the table's header on row 9, one row per processing activity. Further sheets carry what the
ROPA cells summarise: every transfer, every recipient, every piece of evidence (so any cell can be
checked against the policy text, with how it was read and how confidently), and the risk findings
when given. A gap the policy should fill reads "Not stated in the policy" (red); a column only the
DPO can fill reads "For the DPO to complete" (its own style). A DPO's review decision shows the
same way in every sheet: a "DPO review" column, rejected rows struck through, rejected items in
the ROPA cells marked "(rejected by the DPO)". Every cell is inert text (catalog.export.workbook), every
sheet prints (landscape, fit to width, header repeated), files are written atomically.
`--template cnil` is catalog.export.cnil's layout of the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from catalog.graph.build import reading
from catalog.records import Kind, Relation
from catalog.checks.transfers import blanket_map, safeguard_label, safeguard_names, standing_of
from catalog.export.ropa import ropa_rows
from catalog.export.ropa_columns import FOR_DPO, NOT_STATED, ROPA_COLUMNS
from catalog.export.ropa_controller import controller_details
from catalog.export.workbook import (LINE_HEIGHT, WRAP, atomic_save, fit_row_heights, lines_needed, print_setup, put,
                              table, write_csv_rows)

#: Row of the ROPA table's header (the ICO template's row 9); the controller block sits above it.
HEADER_ROW = 9
#: Columns after the ICO ones: where each row comes from.
EXTRA_COLUMNS: tuple[str, ...] = ("Policy versions", "Inferred cells (not stated in one sentence)")
BLOCK_COLUMNS: tuple[str, ...] = ("", "Name", "Registration number", "Address", "Country", "Email", "Telephone")
REVIEW_COLUMN = "DPO review"

TRANSFER_COLUMNS = ("Source", "Source kind", "Country", "Country code", "EU standing", "Safeguards",
                    "Named, not applicable here", "SCC", "Status", "Policy version", "Section", "Quote", REVIEW_COLUMN)
RECIPIENT_COLUMNS = ("Recipient", "Type", "Home country", "Receives (data categories)", "For purposes",
                     "Transfers to", "Policy versions", "Quote", REVIEW_COLUMN)
EVIDENCE_COLUMNS = ("Fact", "Kind or relation", "Label", "Policy version", "Section", "Quote", "Start", "End",
                    "Rule", "Status", "Read as", "Confidence", "Note", REVIEW_COLUMN)
FINDING_COLUMNS = ("Severity", "Title", "Detail", "Organisation", "Policy versions", "Facts",
                   "Rests on inferred facts", "Quote", REVIEW_COLUMN, "Finding id")

_BLOCK_FILL = PatternFill("solid", fgColor="DDEBF7")
GAP_FONT = Font(italic=True, color="9C0006")
DPO_FONT = Font(italic=True, color="44546A")
DPO_FILL = PatternFill("solid", fgColor="EDEDED")
REJECTED_FONT = Font(strike=True, color="808080")
#: Gap markers and their style: a gap in the policy, and what only the DPO can fill.
GAP_STYLES = {NOT_STATED: (GAP_FONT, None), FOR_DPO: (DPO_FONT, DPO_FILL)}
WIDTHS = {"Business function": 14, "Purpose of processing": 22, "Categories of individuals": 22,
           "Categories of personal data": 30, "Categories of recipients": 26,
           "Names of third countries or international organisations that personal data are transferred to (if applicable)": 18,
           "Safeguards for exceptional transfers of personal data to third countries or international organisations (if applicable)": 28,
           "Retention schedule (if possible)": 26, "Article 6 lawful basis for processing personal data": 20,
           "Article 9 condition for processing special category data": 20,
           "Legitimate interests for the processing (if applicable)": 40, "Rights available to individuals": 26,
           "Data Protection Impact Assessment required?": 30, "Inferred cells (not stated in one sentence)": 20,
           "Quote": 60, "Detail": 50, "Label": 26, "Fact": 26, "Note": 30, "Title": 28, "Facts": 28,
           "Section": 20, "Start": 7, "End": 7, "Status": 9, "Read as": 11, "Confidence": 10, "SCC": 6,
           "Severity": 9, "Finding id": 28, REVIEW_COLUMN: 20, "EU standing": 22, "Safeguards": 28}


# ---------------------------------------------------------------- sheet contents (pure)


def _versions_label(G: nx.MultiDiGraph) -> str:
    policies = sorted(G.graph.get("policies", {}).values(), key=lambda p: (p.get("effective_date") or "", p["id"]))
    return ", ".join(f"{p['id']} ({p.get('title', '')}, effective {p.get('effective_date') or 'unknown'})" for p in policies)


def review_text(d: dict[str, Any]) -> str:
    """The DPO's decision in force on a fact (catalog.store.review), e.g. 'reject by dpo@x on 2026-11-29: wrong'."""
    r = d.get("review")
    if not r:
        return ""
    when = str(r.get("at", ""))[:10]
    scope = f" (for {r['policy_id']})" if r.get("policy_id") else ""
    return f"{r.get('decision', '')} by {r.get('reviewer', '')} on {when}{scope}" + (f": {r['comment']}" if r.get("comment") else "")


def ropa_table(rows: Sequence[dict[str, Any]]) -> list[list[str]]:
    """The ROPA sheet's body: the ICO columns, then the policy versions and which cells are inferred."""
    out = []
    for r in rows:
        inferred = [c for c in ROPA_COLUMNS if r["provenance"][c]["status"] in ("inferred", "stated and inferred")]
        out.append([r[c] for c in ROPA_COLUMNS] + [", ".join(r["policy_ids"]), "; ".join(inferred) or "none"])
    return out


def transfer_rows(G: nx.MultiDiGraph) -> list[list[Any]]:
    """One row per transfer edge and policy version: where the destination stands (EEA, adequacy),
    the safeguards that count for it (catalog.graph.standing.transfer_standing), those named that do not,
    the SCC flag, the quote and the DPO's review."""
    blankets = blanket_map(G)
    out = []
    for u, v, k, d in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1])):
        if k != Relation.TRANSFERRED_TO:
            continue
        for pid in d["policy_ids"]:
            attrs = d.get("by_policy", {}).get(pid, d.get("attrs", {}))
            ev: dict[str, Any] = next((e for e in d["evidence"] if e["policy_id"] == pid), {})
            st = standing_of(G, v, d, pid, blankets)
            out.append([G.nodes[u]["label"], G.nodes[u]["kind"], G.nodes[v]["label"], G.nodes[v].get("key") or "",
                        st.label, "; ".join(safeguard_names(st)) or ("not needed" if st.adequacy == "eea" else "none stated"),
                        "; ".join(safeguard_label(s) for s in st.not_applicable), "yes" if "scc" in st.safeguards else "no",
                        attrs.get("status", d["status"]), pid, ev.get("section", ""), ev.get("quote", ""), review_text(d)])
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
                    ", ".join(d["policy_ids"]), quote, review_text(d)])
    return out


def _evidence_row(fact: str, kind: str, label: str, e: dict[str, Any], status: str, data: dict[str, Any]) -> list[Any]:
    read_as, confidence = reading(data, e["policy_id"])
    return [fact, kind, label, e["policy_id"], e.get("section", ""), e["quote"], e["start"], e["end"],
            e.get("rule", ""), status, read_as, "" if confidence is None else round(confidence, 2), e.get("note", ""),
            review_text(data)]


def evidence_rows(G: nx.MultiDiGraph) -> list[list[Any]]:
    """Every piece of evidence of every node and edge: what it supports, where it is, how it was read
    (read as, confidence: catalog.graph.build.reading) and the DPO's review."""
    out = []
    for n in sorted(G.nodes):
        d = G.nodes[n]
        for e in d["evidence"]:
            out.append(_evidence_row(n, d["kind"], d["label"], e, "inferred" if e.get("note") else "stated", d))
    for u, v, k in sorted(G.edges(keys=True)):
        d = G.edges[u, v, k]
        label = f"{G.nodes[u]['label']} → {G.nodes[v]['label']}"
        for e in d["evidence"]:
            status = d.get("by_policy", {}).get(e["policy_id"], {}).get("status", d["status"])
            out.append(_evidence_row(f"{u} {k} {v}", k, label, e, status, d))
    return out


def _reviews_behind(G: nx.MultiDiGraph | None, facts: Iterable[str]) -> str:
    """The DPO's decisions on the facts behind a finding, one per line."""
    if G is None:
        return ""
    lines = []
    for f in facts:
        parts = f.split("|")
        data = (G.edges[parts[0], parts[2], parts[1]] if len(parts) == 3 and G.has_edge(parts[0], parts[2], parts[1])
                else G.nodes[f] if f in G else None)
        if data is not None and (text := review_text(data)):
            lines.append(f"{f}: {text}")
    return "\n".join(lines)


def finding_rows(findings: Iterable[Any], G: nx.MultiDiGraph | None = None) -> list[list[Any]]:
    """Findings (objects with to_dict(), or dicts with the same keys) as sheet rows; with the graph,
    the DPO's decisions on the facts behind each."""
    out = []
    for f in findings:
        d = f.to_dict() if hasattr(f, "to_dict") else dict(f)
        quote = "\n".join(e.get("quote", "") for e in d.get("evidence", [])[:3])
        out.append([d.get("severity", ""), d.get("title", ""), d.get("detail", ""), d.get("organisation", ""),
                    ", ".join(d.get("policy_ids", [])), "; ".join(d.get("facts", [])),
                    "; ".join(d.get("inferred", [])) or "none", quote,
                    _reviews_behind(G, [*d.get("facts", []), *d.get("inferred", [])]), d.get("id", "")])
    return out


# ---------------------------------------------------------------- writers


def _controller_block(ws: Worksheet, G: nx.MultiDiGraph) -> None:
    c = controller_details(G)
    put(ws, 1, 1, "Record of processing activities (GDPR Article 30(1))").font = Font(bold=True, size=14)
    put(ws, 2, 1, f"Built from the privacy policy: {_versions_label(G) or NOT_STATED}. "
                  "Every cell's text is in the Evidence sheet with its quote, section and version.")
    for i, name in enumerate(BLOCK_COLUMNS, 1):
        cell = put(ws, 3, i, name or None)
        cell.font, cell.fill = Font(bold=True), _BLOCK_FILL
    block = [
        ("Controller", c["legal_name"], c["registration_number"], c["address"], c["country"], c["contact_email"], c["phone"]),
        ("Data Protection Officer", NOT_STATED, "", "", "", c["dpo"], ""),
        ("Representative", c["representative"], "", "", "", "", ""),
    ]
    for r, values in enumerate(block, 4):
        for i, v in enumerate(values, 1):
            cell = put(ws, r, i, v or None)
            cell.alignment = WRAP
            if i == 1:
                cell.font = Font(bold=True)
            elif v == NOT_STATED:
                cell.font = GAP_FONT
    if c["other_controllers"]:
        put(ws, 7, 1, "Other controllers named").font = Font(bold=True)
        put(ws, 7, 2, "; ".join(c["other_controllers"]))

def _fit_block(ws: Worksheet) -> None:
    """Once the table has set the column widths: the intro line wraps across the block's columns
    (text overflowing into the next printed page would overprint it), the block's rows fit their text."""
    columns = len(BLOCK_COLUMNS)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=columns)
    ws.cell(2, 1).alignment = WRAP
    width = sum(ws.column_dimensions[get_column_letter(c)].width or 13.0 for c in range(1, columns + 1))
    ws.row_dimensions[2].height = lines_needed(ws.cell(2, 1).value, width) * LINE_HEIGHT + 4
    fit_row_heights(ws, 3, 7)


def _strike_rejected(ws: Worksheet, rows: Sequence[Sequence[Any]], review_column: int, first_row: int = 2) -> None:
    """Strike through the rows a DPO rejected (their review text starts with 'reject')."""
    for r, values in enumerate(rows, first_row):
        if str(values[review_column - 1]).startswith("reject "):
            for c in range(1, len(values) + 1):
                ws.cell(r, c).font = REJECTED_FONT


def add_sheet(wb: Workbook, title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], doc_title: str,
              title_columns: int = 1) -> Worksheet:
    """A table sheet styled, reviewed and set up for print like every sheet of the ROPA workbooks."""
    ws = wb.create_sheet(title)
    table(ws, columns, rows, widths=WIDTHS, styles=GAP_STYLES, freeze_columns=title_columns)
    if REVIEW_COLUMN in columns:
        _strike_rejected(ws, rows, columns.index(REVIEW_COLUMN) + 1)
    print_setup(ws, "1:1", f"{doc_title}: {title}" if doc_title else title, title_columns)
    return ws


def write_xlsx(path: str | Path, G: nx.MultiDiGraph, findings: Iterable[Any] | None = None) -> Path:
    """The ROPA workbook: sheets ROPA, Transfers, Recipients, Evidence, and Findings when findings are given."""
    wb = Workbook()
    ws = wb.active
    ws.title = "ROPA"
    doc_title = f"Record of processing activities: {controller_details(G)['name']}"
    _controller_block(ws, G)
    table(ws, ROPA_COLUMNS + EXTRA_COLUMNS, ropa_table(ropa_rows(G)), header_at=HEADER_ROW, widths=WIDTHS,
          styles=GAP_STYLES, freeze_columns=2)
    _fit_block(ws)
    print_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}", doc_title, title_columns=2)
    for title, columns, rows in (
        ("Transfers", TRANSFER_COLUMNS, transfer_rows(G)),
        ("Recipients", RECIPIENT_COLUMNS, recipient_rows(G)),
        ("Evidence", EVIDENCE_COLUMNS, evidence_rows(G)),
    ):
        add_sheet(wb, title, columns, rows, doc_title)
    if findings is not None:
        add_sheet(wb, "Findings", FINDING_COLUMNS, finding_rows(findings, G), doc_title, title_columns=2)
    return atomic_save(wb, path)


def write_csv(path: str | Path, G: nx.MultiDiGraph) -> Path:
    """The ROPA sheet's rows as CSV (header = ROPA_COLUMNS), inert cells, written atomically."""
    return write_csv_rows(path, ROPA_COLUMNS, ([r[c] for c in ROPA_COLUMNS] for r in ropa_rows(G)))


def write_tables(path: str | Path, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]],
                 title: str = "") -> Path:
    """A workbook of styled tables, one sheet per (title, columns, rows), written atomically: what other
    reports (`ropa changes`) write through, so their cells are written exactly as the ROPA's are
    (inert, wrapped, printable)."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet_title, columns, rows in sheets:
        add_sheet(wb, sheet_title, columns, list(rows), title, title_columns=0)
    return atomic_save(wb, path)
