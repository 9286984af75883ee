"""Sections, paragraphs and sentences of a normalised policy text, with character offsets (pure).

The input is ingest's canonical text: `# heading` lines, `- item` lines and paragraphs, one
blank line apart. A list item is introduced by the paragraph before it when that paragraph
ends with a colon ("We collect and use your personal information for the following purposes:") or
is a title-like line with no full stop, and remembers it as its lead-in.
"""

from __future__ import annotations

import re

from catalog.records import Section, Unit

#: the line that closes a canonical table's header (ingest.HEADER_RULE)
HEADER_RULE = "| --- |"

_ABBREVIATIONS = {
    "e.g", "i.e", "etc", "inc", "co", "ltd", "no", "nos", "mr", "mrs", "ms", "dr", "st", "vs", "u.s",
    "corp", "reg", "approx", "art", "para", "sec", "fig", "p", "pp", "u.k", "e.u", "a.m", "p.m", "jr", "sr",
}
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9•])")


def sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans of a block of text, as absolute (start, end) offsets, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        before = text[start : m.start() + 1]
        word = re.search(r"([\w.]+)\.?$", before.rstrip(".!?\"'”’)]"))
        token = (word[1] if word else "").lower().rstrip(".")
        if text[m.start()] == "." and (token in _ABBREVIATIONS or len(token) == 1):
            continue
        end = m.end()
        spans.append((start, len(text[:end].rstrip())))
        start = end
    if start < len(text.rstrip()):
        spans.append((start, len(text.rstrip())))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        if b > a:
            out.append((offset + a, offset + b))
    return out


def segment(text: str) -> tuple[tuple[Section, ...], tuple[Unit, ...]]:
    """Sections (heading tree) and units (sentences, list items, headings, table cells) of a canonical text."""
    sections: list[Section] = []
    units: list[Unit] = []
    stack: list[tuple[int, str]] = []  # (level, heading)
    open_sections: list[int] = []  # indexes of sections whose end is not yet known
    current = -1
    paragraph = -1
    lead_in = -1  # unit index of the colon-terminated paragraph before a list
    table = -1  # index of the table the last row block belonged to
    row = -1
    in_table = False
    pos = 0
    for block in text.split("\n\n"):
        start = text.find(block, pos)
        pos = start + len(block)
        if not block.strip():
            continue
        if block.startswith("| "):
            paragraph += 1
            if block.endswith(HEADER_RULE):  # a new table, with its header row above the rule
                table, row = table + 1, -1
                head = block[: -len(HEADER_RULE)].rstrip("\n")
                if head:
                    row += 1
                    _row_units(head, start, current, paragraph, table, row, units, "header")
            else:
                if table < 0 or not in_table:
                    table, row = table + 1, -1
                row += 1
                _row_units(block, start, current, paragraph, table, row, units)
            in_table = True
            lead_in = -1
            continue
        in_table = False
        paragraph += 1
        if block.startswith("#"):
            level = len(block) - len(block.lstrip("#"))
            heading = block[level:].strip()
            while stack and stack[-1][0] >= level:
                stack.pop()
                closing = open_sections.pop()
                sections[closing] = _close(sections[closing], start)
            stack.append((level, heading))
            sections.append(Section(tuple(h for _, h in stack), level, start, len(text)))
            open_sections.append(len(sections) - 1)
            current = len(sections) - 1
            hstart = start + level + 1
            units.append(Unit(hstart, hstart + len(heading), current, paragraph, "heading"))
            lead_in = -1
            continue
        if block.startswith("- "):
            body_start = start + 2
            for a, b in sentences(block[2:], body_start):
                units.append(Unit(a, b, current, paragraph, "item", lead_in))
            continue
        spans = sentences(block, start)
        for a, b in spans:
            units.append(Unit(a, b, current, paragraph, "sentence"))
        # a paragraph ending with a colon introduces the list after it, and so does a title-like line with
        # no full stop ("Link to the privacy policy of third-party service providers used by the app")
        tail = block.rstrip()
        titled = not tail.endswith((".", "!", "?", ";", ",")) and len(tail.split()) <= 25
        lead_in = len(units) - 1 if tail.endswith(":") or titled else -1
    for closing in open_sections:
        sections[closing] = _close(sections[closing], len(text))
    return tuple(sections), tuple(units)


_CELL_SEP = " | "


def _row_units(block: str, start: int, section: int, paragraph: int, table: int, row: int, units: list[Unit],
               kind: str = "cell") -> None:
    """The units of one table row: each cell's sentences (`cell`) and `• ` items (`item`), an item's
    lead-in being the cell's sentence before it that ends with a colon."""
    body_start = start + 2
    block = block.rstrip()
    body = block[2:-2] if block.endswith(" |") else block[2:-1]
    col = 0
    offset = 0
    for cell in body.split(_CELL_SEP):
        cell_start = body_start + offset
        offset += len(cell) + len(_CELL_SEP)
        line_start = cell_start
        lead = -1
        for line in cell.split("\n"):
            a = line_start
            line_start += len(line) + 1
            if line.startswith("• ") and kind != "header":
                for s, e in sentences(line[2:], a + 2):
                    units.append(Unit(s, e, section, paragraph, "item", lead, table, row, col))
                continue
            for s, e in sentences(line, a):
                units.append(Unit(s, e, section, paragraph, kind, -1, table, row, col))
            last = units[-1] if units else None
            lead = len(units) - 1 if last is not None and last.row == row and last.col == col and last.table == table \
                and line.rstrip(" .").endswith(":") else -1
        col += 1


def _close(section: Section, end: int) -> Section:
    return Section(section.path, section.level, section.start, end)
