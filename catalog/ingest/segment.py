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
_CLOSERS = ".!?\"'”’)]"
#: How far back from a full stop the word before it is looked for (the longest abbreviation is short).
_WORD_WINDOW = 24

#: A unit (sentence, item) longer than this is split: extraction pairs the facts named in one unit,
#: so its work grows with the square of a unit's length, and a text without full stops (a 5 MB line)
#: would be one unit. 2 of the 8,305 units of ../shared/corpus and the seed are longer (2,384 and
#: 3,891 characters); split here, they yield exactly the same facts and links (1,500 would lose 47 links).
MAX_UNIT = 2000
#: A block (paragraph, list item) longer than this counts as several paragraphs (see `_in_paragraphs`).
MAX_PARAGRAPH = 8000
#: Where an over-long unit is cut, best first: after a sentence-ish mark, after a comma, at a space.
_CUTS = (re.compile(r"[.!?;:]+[\"'”’)\]]*\s+"), re.compile(r",\s+"), re.compile(r"\s+"))


def sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans of a block of text, as absolute (start, end) offsets, whitespace trimmed.

    Linear in the length of the text; a span longer than MAX_UNIT is split (see `split_long`).
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if text[m.start()] == "." and _abbreviation_before(text, max(start, m.start() - _WORD_WINDOW), m.start() + 1):
            continue
        spans.append((start, m.start() + len(m.group().rstrip())))
        start = m.end()
    end = len(text.rstrip())
    if start < end:
        spans.append((start, end))
    out: list[tuple[int, int]] = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        if b > a:
            out.extend((offset + x, offset + y) for x, y in split_long(text, a, b))
    return out


def _abbreviation_before(text: str, lo: int, hi: int) -> bool:
    """Whether the full stop at hi - 1 ends an abbreviation or an initial ('e.g.', 'Inc.', 'J.')."""
    before = text[lo:hi].rstrip(_CLOSERS)
    word = re.search(r"([\w.]+)\.?$", before)
    if word and word.start() == 0 and lo > 0 and re.match(r"[\w.]", text[lo - 1]):
        return False  # the word runs on beyond the window: a long word, not an abbreviation
    token = (word[1] if word else "").lower().rstrip(".")
    return token in _ABBREVIATIONS or len(token) == 1


def split_long(text: str, a: int, b: int, limit: int = MAX_UNIT) -> list[tuple[int, int]]:
    """The span text[a:b] in pieces of at most `limit` characters, cut where a reader would pause.

    Each cut is the last sentence-ish mark (. ! ? ; :) in the second half of the window, else the last
    comma, else the last space, else `limit` characters in; pieces are whitespace-trimmed.
    """
    pieces: list[tuple[int, int]] = []
    while b - a > limit:
        cut = a + limit
        for pattern in _CUTS:
            last = None
            for m in pattern.finditer(text, a + limit // 2, a + limit):
                last = m
            if last is not None:
                cut = last.end()
                break
        end = cut
        while end > a and text[end - 1].isspace():
            end -= 1
        pieces.append((a, end))
        a = cut
        while a < b and text[a].isspace():
            a += 1
    if b > a:
        pieces.append((a, b))
    return pieces


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
            for (a, b), paragraph in _in_paragraphs(sentences(block[2:], start + 2), paragraph):
                units.append(Unit(a, b, current, paragraph, "item", lead_in))
            continue
        for (a, b), paragraph in _in_paragraphs(sentences(block, start), paragraph):
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


def _in_paragraphs(spans: list[tuple[int, int]], paragraph: int) -> list[tuple[tuple[int, int], int]]:
    """Each span with its paragraph number: a block longer than MAX_PARAGRAPH counts as several.

    Extraction relates facts named in one paragraph ("a safeguard in the same paragraph as the
    transfer"): over a whole text without blank lines that is every pair of them, so the links grow
    with the square of the text. The longest paragraph of ../shared/corpus has 6,561 characters.
    """
    out = []
    first = spans[0][0] if spans else 0
    for a, b in spans:
        if a - first > MAX_PARAGRAPH:
            paragraph, first = paragraph + 1, a
        out.append(((a, b), paragraph))
    return out


def _close(section: Section, end: int) -> Section:
    return Section(section.path, section.level, section.start, end)
