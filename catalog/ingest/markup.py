"""HTML and Markdown to blocks, and blocks to the canonical text every offset points into.

`from_html` reads HTML with a real parser (headings kept, navigation, scripts and forms dropped) into
Markdown-like text; `to_blocks` reads that text (or a Markdown or plain-text file) as headings, list
items, paragraphs and table rows; `to_markdown` renders blocks as `# heading`, `- item`, paragraphs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from catalog.ingest.dates import VERSION_MARKER
from catalog.ingest.inline import ITEM, clean_inline
from catalog.ingest.tables import table_blocks


HEADING_MD = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
SETEXT = re.compile(r"^\s*(=+|-+)\s*$")
BOLD_LINE = re.compile(r"^\s*(?:\*\*|__).+(?:\*\*|__)\s*$")


#: A '# ...' line longer than this is a paragraph: its text would be every evidence's section title.
MAX_HEADING = 300


def from_html(html: str) -> str:
    """HTML to Markdown-like text with a real parser: headings kept, chrome elements dropped."""
    from bs4 import BeautifulSoup, NavigableString, Tag
    from bs4.element import CData, Comment, Declaration, Doctype, ProcessingInstruction

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg", "template"]):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    out: list[str] = []
    blocks = {"p", "div", "section", "blockquote", "dd", "dt", "pre", "address", "figcaption"}

    def inline(node: Tag) -> str:
        return re.sub(r"\s+", " ", node.get_text(" ")).strip()  # get_text leaves comments out

    def walk(root: Tag) -> None:
        # depth-first with an explicit stack: a page nested thousands of levels deep is read, not a RecursionError
        stack: list[tuple[Iterator, str]] = [(iter(root.children), "")]
        while stack:
            children, after = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if after:
                    out.append(after)
                continue
            if isinstance(child, (Comment, Doctype, Declaration, ProcessingInstruction, CData)):
                continue  # markup about the page, not text of the policy
            if isinstance(child, NavigableString):
                s = re.sub(r"\s+", " ", str(child)).strip()
                if s:
                    out.append(s)
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name.lower()
            if re.fullmatch(r"h[1-6]", name):
                text = inline(child)
                if text:
                    out.append("\n\n" + "#" * int(name[1]) + " " + text + "\n\n")
            elif name == "li":
                nested = child.find(["ul", "ol"])
                if nested is None:
                    out.append("\n- " + inline(child) + "\n")
                else:
                    own = " ".join(c.get_text(" ") if isinstance(c, Tag) else str(c) for c in child.children
                                   if c is not nested and not isinstance(c, (Comment, Doctype)))
                    own = re.sub(r"\s+", " ", own).strip()
                    if own:
                        out.append("\n- " + own + "\n")
                    stack.append((iter(nested.children), ""))
            elif name == "tr":
                cells = [inline(c) for c in child.find_all(["td", "th"])]
                out.append("\n\n" + " | ".join(c for c in cells if c) + "\n\n")
            elif name == "br":
                out.append("\n")
            elif name in blocks or name in {"ul", "ol", "table", "tbody", "thead", "main", "article", "body"}:
                out.append("\n\n")
                stack.append((iter(child.children), "\n\n"))
            else:
                stack.append((iter(child.children), ""))

    walk(root)
    text = " ".join(out)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def is_marker(line: str) -> bool:
    """A version marker line ("PART A: New Version (Effective as of ...)"): metadata of a version, not text."""
    return "ersion" in line and VERSION_MARKER.search(clean_inline(line)) is not None


def _is_heading_text(text: str) -> bool:
    return 0 < len(text) <= 120 and not text.endswith((",", ";")) and len(text.split()) <= 16


def _heading_level(text: str) -> int:
    if re.match(r"^(?:[A-Z]|\d{1,2}|[IVX]{1,4})[.)]\s*\S", text) or (text.isupper() and len(text) > 3):
        return 2
    return 3


def to_blocks(raw: str) -> list[tuple[str, str, int]]:
    """Raw (Markdown-ish) text to blocks: (kind, text, level), kind in heading/item/para."""
    raw = unicodedata.normalize("NFKC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    lines = raw.split("\n")
    blocks: list[tuple[str, str, int]] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            text = clean_inline(" ".join(para))
            if text:
                blocks.append(("para", text, 0))
            para.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if not stripped:
            flush()
        elif (m := HEADING_MD.match(stripped)) and len(m[2]) > MAX_HEADING:
            para.append(m[2])  # too long for a heading: a paragraph (without the marks, not read as one again)
        elif m and clean_inline(m[2]):
            flush()
            blocks.append(("heading", clean_inline(m[2]), len(m[1])))
        elif SETEXT.match(nxt) and not para and _is_heading_text(clean_inline(stripped)) and not ITEM.match(line):
            flush()
            blocks.append(("heading", clean_inline(stripped), 1 if nxt.strip()[0] == "=" else 2))
            i += 1
        elif stripped.startswith("|") and stripped.count("|") >= 2:
            flush()
            j = i
            while j < len(lines) and lines[j].strip().startswith("|"):
                j += 1
            blocks.extend(table_blocks([t.strip() for t in lines[i:j]]))
            i = j - 1
        elif is_marker(stripped):
            flush()  # the version marker is metadata of the version, not a section of it
            blocks.append(("para", clean_inline(stripped), 0))
        elif BOLD_LINE.match(stripped) and not para and _is_heading_text(clean_inline(stripped)):
            flush()
            text = clean_inline(stripped).rstrip(":")
            blocks.append(("heading", text, _heading_level(text)))
        elif m := ITEM.match(line):
            flush()
            para.append(line[m.end():])
            # an item runs on over following non-blank lines that are not items or headings
            while i + 1 < len(lines) and lines[i + 1].strip() and not ITEM.match(lines[i + 1]) \
                    and not HEADING_MD.match(lines[i + 1].strip()):
                i += 1
                para.append(lines[i])
            text = clean_inline(" ".join(para))
            para.clear()
            if text:
                blocks.append(("item", text, 0))
        else:
            para.append(stripped)
        i += 1
    flush()
    return blocks


def to_markdown(blocks: list[tuple[str, str, int]]) -> str:
    """The canonical normalised text: '# heading', '- item', paragraphs, one blank line apart."""
    out = []
    for kind, text, level in blocks:
        if kind == "heading":
            out.append("#" * level + " " + text)
        elif kind == "item":
            out.append("- " + text)
        else:
            out.append(text)
    return "\n\n".join(out) + "\n"
