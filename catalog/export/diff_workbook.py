"""A policy diff as a workbook a person opens: a "Diff" sheet (one row per changed fact or link,
with the quotes from each side) and a "Sections" sheet. The only I/O of the diff feature. Cells are
inert text and sheets print like the ROPA workbook's (catalog.export.workbook)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from catalog.compare.diff import ROW_COLUMNS, PolicyDiff, to_diff_rows, to_section_rows
from catalog.export.workbook import atomic_save, fit_row_heights, print_setup, put

HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
CHANGE_FILLS = {"added": "E2EFDA", "removed": "FCE4D6", "changed": "FFF2CC", "renamed": "FFF2CC"}
WIDTHS = {"change": 11, "element": 9, "kind": 15, "id": 48, "label": 34, "fields": 40, "old_quote": 70,
          "new_quote": 70, "old_title": 60, "new_title": 60}
SECTION_COLUMNS = ("change", "old_title", "new_title")


def write_diff_xlsx(path: str | Path, d: PolicyDiff) -> Path:
    """Write the diff workbook (sheets "Diff" and "Sections") and return its path."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Diff"
    _sheet(ws, ROW_COLUMNS, to_diff_rows(d), f"{d.old_id} ({d.old_date}) → {d.new_id} ({d.new_date})")
    _sheet(wb.create_sheet("Sections"), SECTION_COLUMNS, to_section_rows(d),
           f"Sections: {d.old_id} → {d.new_id}")
    return atomic_save(wb, path)  # into an existing directory only: a typo must not make one


def _sheet(ws: Worksheet, columns: Sequence[str], rows: list[dict[str, str]], title: str) -> None:
    """A title line, a styled header on row 2, then the rows; frozen below the header, filterable."""
    put(ws, 1, 1, title).font = Font(bold=True, size=12)
    for c, name in enumerate(columns, start=1):
        cell = put(ws, 2, c, name.replace("_", " "))
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS.get(name, 20)
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(rows, start=3):
        fill = CHANGE_FILLS.get(row["change"])
        for c, name in enumerate(columns, start=1):
            cell = put(ws, r, c, row[name])
            cell.alignment = wrap
            if fill and name == "change":
                cell.fill = PatternFill("solid", fgColor=fill)
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{max(2, len(rows) + 2)}"
    fit_row_heights(ws, 2)
    print_setup(ws, "2:2", title)
