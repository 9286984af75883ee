"""Cells that stay inert text, sheets that print: the one way every xlsx and csv export writes.

Policy text is hostile input: a quote that starts with `=HYPERLINK(...)` is a live formula once it
lands in a spreadsheet. `inert` neutralises a value the way OWASP recommends against CSV
injection (a leading `=`, `+`, `-`, `@`, tab or carriage return gets a single quote in front), and
`put` writes it into a worksheet as a string cell, never a formula. `write_csv_rows`,
`atomic_save`, the table layout and the page setup (landscape, fit to width, header rows repeated
on every page, row heights that fit wrapped text) are shared by the ROPA, CNIL and diff workbooks.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

#: Leading characters a spreadsheet program reads as the start of a formula or a command (OWASP,
#: "CSV Injection"), with their full-width forms, which some spreadsheet locales fold into them.
FORMULA_LEADS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
QUOTE_PREFIX = "'"

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
WRAP = Alignment(wrap_text=True, vertical="top")
#: Points per line of wrapped 11 pt text, and Excel's largest row height.
LINE_HEIGHT = 14.5
MAX_ROW_HEIGHT = 409.0


def inert(value: Any) -> Any:
    """A cell value no spreadsheet program evaluates: text starting like a formula gets a leading quote.

    Numbers, booleans and None pass unchanged. Leading spaces do not hide a formula lead
    (" =1+1" is neutralised too): some programs trim them on import.
    """
    if not isinstance(value, str):
        return value
    if value.lstrip(" ").startswith(FORMULA_LEADS):
        return QUOTE_PREFIX + value
    return value


def put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write one value as inert data: strings become string cells (never formulas or error codes)."""
    value = inert(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters openpyxl cannot store
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def atomic_save(wb: Workbook, path: str | Path) -> Path:
    """Save through a temporary file in the same directory: a reader never sees half a workbook."""
    from catalog.export.files import write_atomically

    return write_atomically(path, wb.save)


def write_csv_rows(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """A CSV file of inert cells, every field quoted (OWASP), written atomically."""
    from catalog.export.files import write_atomically

    def write(tmp: Path) -> None:
        with tmp.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, quoting=csv.QUOTE_ALL)
            w.writerow([inert(h) for h in header])
            for r in rows:
                w.writerow([inert(v) for v in r])

    return write_atomically(path, write)


def header_row(ws: Worksheet, row: int, columns: Sequence[str], widths: Mapping[str, float] | None = None) -> None:
    """A styled header; each column gets its width from `widths` (by name), else one from its length."""
    widths = widths or {}
    for i, name in enumerate(columns, 1):
        c = put(ws, row, i, name)
        c.font, c.fill, c.alignment = HEADER_FONT, HEADER_FILL, Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = widths.get(name, 16 if len(name) < 20 else 24)


#: Characters of 11 pt text per unit of column width (a unit is the width of a "0"; average text is
#: narrower), for regular and bold text: a little below what renders, so estimates err on room to spare.
CHARS_PER_UNIT = {False: 1.2, True: 1.0}


_HYPHENATED = re.compile(r"(?<=-)")


def _text_length(word: str) -> float:
    """A word's width in average characters: capitals and wide letters take more room."""
    return len(word) + 0.45 * sum(1 for ch in word if ch.isupper() or ch in "mwMW@%")


def lines_needed(text: Any, width: float, bold: bool = False) -> int:
    """How many lines a wrapped cell of this column width takes: words (and the pieces of hyphenated
    words, where programs also break) filled greedily into lines, a word longer than a line broken
    across lines, each newline a new line."""
    if text is None or text == "":
        return 1
    per_line = max(1.0, width * CHARS_PER_UNIT[bold] - 1)
    lines = 0
    for part in str(text).split("\n"):
        used, n = 0.0, 1
        for word in (piece for w in part.split() for piece in _HYPHENATED.split(w) if piece):
            size = _text_length(word)
            if used and used + 1 + size <= per_line:
                used += 1 + size
                continue
            if used:
                n += 1
            n += int((size - 1) // per_line) if size > per_line else 0
            used = size % per_line if size > per_line else size
        lines += n
    return lines


def fit_row_heights(ws: Worksheet, first_row: int, last_row: int | None = None, line_height: float = LINE_HEIGHT) -> None:
    """Set each row's height to its tallest wrapped cell: spreadsheet programs do not grow rows for
    wrapped text they did not lay out themselves, so printed rows overlap without it."""
    widths = {c: (ws.column_dimensions[get_column_letter(c)].width or 13.0) for c in range(1, ws.max_column + 1)}
    for r in range(first_row, (last_row or ws.max_row) + 1):
        lines = 1
        for c, w in widths.items():
            cell = ws.cell(r, c)
            if cell.value not in (None, ""):
                lines = max(lines, lines_needed(cell.value, w, bool(cell.font and cell.font.b)))
        ws.row_dimensions[r].height = min(MAX_ROW_HEIGHT, lines * line_height + 4)


#: Printable width of a landscape A4 page with 0.4" margins, in screen pixels (96 dpi), and the
#: smallest print scale kept readable: a wider sheet prints on more pages across instead.
A4_LANDSCAPE_PX = 1046
A4_PORTRAIT_PX = 717
MIN_SCALE = 0.8


def column_px(width: float) -> float:
    """A column's width in pixels, as spreadsheet programs render a width in characters."""
    return 7 * width + 5


def pages_across(ws: Worksheet, title_columns: int = 0, page_px: float = A4_LANDSCAPE_PX) -> int:
    """How many pages wide a sheet must print so its text stays at MIN_SCALE or larger, with the
    first `title_columns` columns repeated on every page."""
    widths = [column_px(ws.column_dimensions[get_column_letter(c)].width or 13.0) for c in range(1, ws.max_column + 1)]
    titles = sum(widths[:title_columns])
    rest = sum(widths) - titles
    per_page = page_px / MIN_SCALE - titles
    return max(1, math.ceil(rest / per_page)) if per_page > 0 else 1


def print_setup(ws: Worksheet, title_rows: str, title: str, title_columns: int = 0, landscape: bool = True) -> None:
    """Page setup for a sheet a person prints or saves as PDF: A4 (landscape unless told), fit to the page width
    (or to as few pages across as keep the text readable, see pages_across), the `title_rows`
    (e.g. "9:9") and the first `title_columns` columns repeated on every page, grid lines, the
    document's title in the header and page numbers in the footer."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = pages_across(ws, title_columns, A4_LANDSCAPE_PX if landscape else A4_PORTRAIT_PX)
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.page_setup.pageOrder = "overThenDown"  # a row's columns on consecutive pages
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    if title_rows:
        ws.print_title_rows = title_rows
    if title_columns and ws.page_setup.fitToWidth > 1:
        ws.print_title_cols = f"A:{get_column_letter(title_columns)}"
    ws.oddHeader.left.text = title.replace("&", "&&")[:200]
    ws.oddFooter.center.text = "Page &P of &N"
    ws.oddFooter.right.text = "&A"


def table(ws: Worksheet, columns: Sequence[str], rows: Iterable[Sequence[Any]], header_at: int = 1,
          widths: Mapping[str, float] | None = None, styles: Mapping[str, tuple[Font, PatternFill | None]] | None = None,
          freeze_columns: int = 0) -> int:
    """A table: styled header, wrapped inert cells, frozen below the header (and `freeze_columns`
    columns), autofilter, rows tall enough for their text. `styles` maps a cell text (a gap marker)
    to its font and fill. Returns the last row written."""
    header_row(ws, header_at, columns, widths)
    styles = styles or {}
    r = header_at
    for r, values in enumerate(rows, header_at + 1):
        for i, v in enumerate(values, 1):
            c = put(ws, r, i, v)
            c.alignment = WRAP
            if isinstance(v, str) and v in styles:
                font, fill = styles[v]
                c.font = font
                if fill is not None:
                    c.fill = fill
    ws.freeze_panes = ws.cell(row=header_at + 1, column=freeze_columns + 1).coordinate
    ws.auto_filter.ref = f"A{header_at}:{get_column_letter(len(columns))}{max(r, header_at)}"
    fit_row_heights(ws, header_at, r)
    return r
