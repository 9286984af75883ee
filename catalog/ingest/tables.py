"""Markdown tables to canonical blocks: a header row closed by `| --- |`, then one row per line.

Policies put purposes, legal bases, recipients and retention in tables; a row is kept as one block
(`| cell | cell |`, empty cells kept so columns line up) so evidence quotes a whole row and the
extraction reads its columns. Cells lose their markup; `<br>`-separated lists become `• ` items.
"""

from __future__ import annotations

import re

from catalog.ingest.inline import clean_inline


TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_BR = re.compile(r"<br\s*/?\s*>|</br\s*>|</?p\s*>", re.IGNORECASE)
_CELL_ITEM = re.compile(r"^\s*(?:[*+\-•·▪●◦]|\d{1,2}[.)]|\((?:[ivx]{1,4}|[a-z\d])\))\s+(?=\S)")


def to_cell(raw: str) -> str:
    """One table cell as canonical text: its `<br>`-separated fragments one per line, list items
    (a bullet, or a short label among several) marked `• `; no markup; no `|` left inside."""
    frags = [f for f in _BR.split(raw) if f.strip()]
    out: list[str] = []
    for f in frags:
        bullet = _CELL_ITEM.match(f)
        text = clean_inline(f[bullet.end():] if bullet else f).replace("|", "/")
        text = text.lstrip("•#").strip()  # a heading marker or a stray bullet inside a cell
        if not text:
            continue
        label = len(frags) > 1 and len(text.split()) <= 10 and not text.endswith((".", ":", ";", ","))
        out.append(("• " + text) if bullet or label else text)
    return "\n".join(out)


def to_row(cells: list[str]) -> str:
    """A table row as canonical text: `| cell | cell |`, empty cells kept so columns line up."""
    return "| " + " | ".join(to_cell(c) for c in cells) + " |"


#: Ends the header of a canonical table (and starts a table that has none).
HEADER_RULE = "| --- |"
_BOLD_CELL = re.compile(r"^\s*(?:\*\*|__)(?P<text>[^*_]{1,100})(?:\*\*|__)\s*:?\s*$")


def _looks_like_header(cells: list[str]) -> bool:
    """A row of labels: every filled cell bold, or short and without a sentence's full stop."""
    filled = [c for c in cells if c.strip()]
    if len(filled) < 2:
        return False
    if all(_BOLD_CELL.match(c) or re.match(r"^\s*\*\*[^*]{1,300}\*\*\s*$", c) for c in filled):
        return True
    plain = [re.sub(r"\([^)]*\)", "", clean_inline(c)).strip() for c in filled]  # "Purpose (see ... for more detail)"
    return all(len(t.split()) <= 8 and not t.endswith(".") for t in plain) and not any("<br" in c.lower() for c in filled)


def table_blocks(lines: list[str]) -> list[tuple[str, str, int]]:
    """A Markdown table as blocks: its header row closed by `| --- |` (a `thead` block), then one
    `row` block per data row. A row of bold labels inside the table starts a new header (scraped
    pages stack several tables in one); a lone bold label is a caption, kept as a small heading."""
    rows = [_CELL_SPLIT.split(t.strip("|")) for t in lines]
    sep = next((k for k, t in enumerate(lines) if TABLE_SEP.match(t) and "-" in t), -1)
    head = [r for r in rows[:max(sep, 0)] if any(c.strip() for c in r)]
    body = [k for k, cells in enumerate(rows) if k > sep and any(c.strip() for c in cells)]
    if not head and body and _looks_like_header(rows[body[0]]):
        head, body = [rows[body[0]]], body[1:]  # "| | |" / "| --- |" / "| **Purpose** | **Legal basis** |"
    out: list[tuple[str, str, int]] = [("thead", (to_row(head[-1]) + "\n" if head else "") + HEADER_RULE, 0)]
    for k in body:
        cells = rows[k]
        filled = [c for c in cells if c.strip()]
        bold = [m["text"] for c in filled if (m := _BOLD_CELL.match(c)) and len(m["text"].split()) <= 10]
        if len(bold) == len(filled) and len(cells) > 1:
            if len(filled) == 1:
                out.append(("heading", clean_inline(bold[0]), 6))
            else:
                out.append(("thead", to_row(cells) + "\n" + HEADER_RULE, 0))
            continue
        out.append(("row", to_row(cells), 0))
    return out


#: block kinds of a canonical table
TABLE_KINDS = frozenset({"thead", "row"})
