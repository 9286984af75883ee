"""From a file (text, Markdown, HTML) to policy versions with normalised, segmented text.

`read_policy(path)` does the I/O and refuses bad input with an `InputError` before anything
else happens; `to_documents(text, source)` is pure: it drops page chrome (navigation, footers,
scraped repeats), splits a page holding several versions at their "Effective as of" markers,
and renders each version as canonical Markdown-like text (`# heading`, `- item`, paragraphs)
whose offsets every piece of evidence points into.
"""

from __future__ import annotations

import datetime as dt
import errno
import functools
import hashlib
import html
import os
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path

from catalog.ingest import decode
from catalog.ingest.decode import Decoded
from catalog.messages import shown
from catalog.records import PolicyDocument
from catalog.ingest.segment import segment
from catalog.folded import Folded, fold, found_any
from catalog.vocabulary import read_yaml

SUPPORTED_SUFFIXES = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
MAX_BYTES = 20 * 1024 * 1024
#: A policy id's publisher part is cut to this length (ids are primary keys on every database).
MAX_SLUG = 60


class InputError(Exception):
    """A file the catalog refuses, with a one-line reason that names the file (quoted if it must be)."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{shown(path)}: {problem}")


# ---------------------------------------------------------------- reading (I/O)


def _unreadable(p: Path) -> str | None:
    """Why a path cannot be opened (missing, a broken or looping link, no permission), or None."""
    try:
        p.stat()
    except FileNotFoundError:
        if p.is_symlink():
            return f"broken symbolic link (to {shown(os.readlink(p))})"
        return "no such file or directory"
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "symbolic link loop"
        return _os_problem(e)
    return None


def _os_problem(e: OSError) -> str:
    if e.errno in (errno.EACCES, errno.EPERM):
        return "permission denied: cannot read it"
    return f"cannot read it: {e.strerror or e}"


def policy_files(path: str | Path) -> list[Path]:
    """The policy files a path names: the file itself, or the supported files under a directory.

    Every supported name under a directory is listed, links that lead nowhere included, so that a
    file that cannot be read is reported rather than silently left out; so is a subdirectory that
    cannot be listed.
    """
    p = Path(path)
    if problem := _unreadable(p):
        raise InputError(p, problem)
    if not p.is_dir():
        return [p]

    def refuse(e: OSError) -> None:
        raise InputError(e.filename or p, _os_problem(e).replace("read it", "list it"))

    files = []
    for top, dirs, names in os.walk(p, onerror=refuse):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # no .git, .venv
        for name in names:
            f = Path(top) / name
            if (not name.startswith(".") and f.suffix.lower() in SUPPORTED_SUFFIXES
                    and name.upper() not in {"README.MD", "SOURCES.MD"}):
                files.append(f)
    if not files:
        raise InputError(p, "directory holds no .txt, .md or .html file")
    return sorted(files)


def read_text(path: str | Path) -> tuple[str, str, str]:
    """Read a policy file as text, refusing what is not one. Returns (text, format, note on its encoding)."""
    p = Path(path)
    if problem := _unreadable(p):
        raise InputError(p, problem.replace(" or directory", ""))
    if not p.is_file():
        raise InputError(p, "not a regular file")
    fmt = SUPPORTED_SUFFIXES.get(p.suffix.lower())
    if fmt is None:
        raise InputError(p, f"unsupported file type {p.suffix or '(none)'!r}: expected .txt, .md or .html")
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise InputError(p, f"file too large ({size / 1048576:.1f} MB; the limit is {MAX_BYTES // 1048576} MB)")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InputError(p, _os_problem(e)) from None
    decoded = to_decoded(data, p)
    return decoded.text, fmt, f"{shown(p)}: {decoded.note}" if decoded.note else ""


def to_decoded(data: bytes, path: str | Path = "<input>") -> Decoded:
    """Decode a policy file's bytes (see catalog.ingest.decode), refusing empty, binary and undecodable input."""
    try:
        return decode.to_text(data)
    except decode.DecodeError as e:
        raise InputError(path, str(e)) from None


def to_text(data: bytes, path: str | Path = "<input>") -> str:
    """The text of a policy file's bytes, whatever their encoding (`to_decoded` also says which)."""
    return to_decoded(data, path).text


def read_policy(path: str | Path, *, publisher: str = "", effective: dt.date | None = None) -> list[PolicyDocument]:
    """Read one policy file into its versions (usually one; the seed page holds two).

    `publisher` and `effective` override what the text says (`ropa build --org/--date`); one
    effective date given to a file that holds several versions is refused, not spread over them.
    A text read in another encoding than UTF-8 carries a warning saying which.
    """
    text, fmt, note = read_text(path)
    try:
        docs = to_documents(text, str(path), fmt, publisher=publisher, effective=effective)
    except RecursionError:
        raise InputError(path, "HTML nested too deeply to read") from None
    if not docs:
        what = "the HTML holds no text (only markup, scripts or styles)" if fmt == "html" and \
            not decode.has_visible_text(from_html(text)) else "no policy text (only page navigation or footer)"
        raise InputError(path, f"empty: {what}")
    if effective and len(docs) > 1:
        raise InputError(path, f"holds {len(docs)} versions, each with its own date: one effective date "
                               f"({effective.isoformat()}) cannot be given to all of them")
    return [replace(d, warnings=(note,)) for d in docs] if note else docs


# ---------------------------------------------------------------- HTML


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


# ---------------------------------------------------------------- normalising

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
DATE_RE = re.compile(
    rf"(?P<mdy>(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s*,\s*(?P<y1>\d{{4}}))"
    rf"|(?P<dmy>(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH})\s*,?\s*(?P<y2>\d{{4}}))"
    rf"|(?P<iso>(?P<y3>\d{{4}})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}}))"
    rf"|(?P<my>(?P<m4>{_MONTH})\s+(?P<y4>\d{{4}}))",
    re.IGNORECASE,
)
VERSION_MARKER = re.compile(
    r"^\W*(?:part\s+[a-z]\s*:\s*)?(?:new|old|current|previous|prior)\s+version\W*.{0,20}?"
    r"effective\s+(?:as\s+of|from|on|date)?\s*:?\s*(?P<date>[^)）\n*]{6,40})",
    re.IGNORECASE | re.MULTILINE,
)
EFFECTIVE_RE = re.compile(
    r"(?:effective\s+(?:as\s+of|from|on|date)?|last\s+(?:updated|modified|revised|amended)(?:\s+on)?|updated(?:\s+on)?"
    r"|applies\s+(?:from|as\s+of)|in\s+effect\s+(?:from|as\s+of|since)|version)"
    r"\s*[:：]?\s*(?:\*\*)?\s*(?P<date>[^\n)）*]{6,40})",
    re.IGNORECASE,
)
TITLE_RE = re.compile(r"^(?P<pub>.*?)\s*\b(?P<title>privacy\s+(?:policy|notice|statement)|privacy\s*&\s*cookie\s+policy|data\s+protection\s+(?:policy|notice))\b", re.IGNORECASE)
COPYRIGHT_RE = re.compile(r"©\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*(?P<name>[A-Z][\w.&' -]{1,60}?)\.?\s+All rights reserved", re.IGNORECASE)
HEADING_MD = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
SETEXT = re.compile(r"^\s*(=+|-+)\s*$")
ITEM = re.compile(r"^\s*(?:[*+\-•·▪●◦]|o(?=\s)|\d{1,2}[.)](?=\s))\s+(?=\S)")
BOLD_LINE = re.compile(r"^\s*(?:\*\*|__).+(?:\*\*|__)\s*$")
TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


#: Dates written in numbers only: "21.06.2023", "06/21/2023", "06-21-2023", "2023/06/21". Kept apart
#: from DATE_RE (the benchmark corpus generator rewrites DATE_RE's dates in policy bodies).
NUMERIC_DATE_RE = re.compile(
    r"(?<![\d.,/-])(?:(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})"
    r"|(?P<ny>\d{4})(?P<nsep>[./])(?P<nm>\d{1,2})(?P=nsep)(?P<nd>\d{1,2}))(?![\d.,/-]?\d)",
)


def to_day_month(a: int, b: int, sep: str) -> tuple[int, int]:
    """(day, month) of a numeric date 'a<sep>b<sep>year'. A number over 12 is the day; when both could
    be a month, '.' is read day first (21.06.2023, the European form) and '/' or '-' month first
    (06/21/2023, 06-21-2023, the American form English-language policies use)."""
    if a > 12 >= b:
        return a, b
    if b > 12 >= a:
        return b, a
    return (a, b) if sep == "." else (b, a)


def _word_date(m: re.Match[str]) -> dt.date:
    if m["mdy"]:
        return dt.date(int(m["y1"]), _MONTHS[m["m1"][:3].lower()], int(m["d1"]))
    if m["dmy"]:
        return dt.date(int(m["y2"]), _MONTHS[m["m2"][:3].lower()], int(m["d2"]))
    if m["iso"]:
        return dt.date(int(m["y3"]), int(m["m3"]), int(m["d3"]))
    return dt.date(int(m["y4"]), _MONTHS[m["m4"][:3].lower()], 1)


def _numeric_date(m: re.Match[str]) -> dt.date:
    if m["ny"]:
        return dt.date(int(m["ny"]), int(m["nm"]), int(m["nd"]))
    day, month = to_day_month(int(m["a"]), int(m["b"]), m["sep"])
    return dt.date(int(m["y"]), month, day)


def parse_date(text: str) -> dt.date | None:
    """The first date in a string: 'January 17,2019', '6 May 2026', '2024-08-28',
    'August 2026' (its first day), or numbers only, '21.06.2023', '06/21/2023', '06-21-2023' (see
    `to_day_month`). An impossible date ('31.02.2023') is no date."""
    found = [(m.start(), read, m) for rx, read in ((DATE_RE, _word_date), (NUMERIC_DATE_RE, _numeric_date))
             if (m := rx.search(text))]
    if not found:
        return None
    _, read, m = min(found, key=lambda f: f[0])
    try:
        return read(m)
    except ValueError:
        return None


#: Markup spans are bounded (the longest in ../shared/corpus is 262 characters): an opener that is never
#: closed costs a bounded look-ahead, not a scan to the end of the paragraph (quadratic on hostile text).
MAX_MARKUP = 1000
_N = f"{{0,{MAX_MARKUP}}}"
_IMG = re.compile(rf"!\[[^\]]{_N}\]\([^)]{_N}\)")
_LINK = re.compile(rf"\[([^\]]{_N})\]\((?:[^()]|\([^)]{_N}\)){_N}\)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_STRONG = re.compile(r"(\*\*|__)")
_EMPH = re.compile(rf"(?<![\w*])[*_](?=\S)(.{{1,{MAX_MARKUP}}}?)(?<=\S)[*_](?![\w*])")
_MARKUP = frozenset("*_[\\!\u200b\ufeff")
#: Inline HTML a Markdown export keeps (`<br>`, `<br/>`, `<b>`, `<a href=...>`): a break or a block
#: tag is a space, a formatting tag nothing. Only these names: '<https://...>' and '<name@host>' stay.
_BREAK_TAG = re.compile(r"</?(?:br|p|div|li|ul|ol|tr|td|th|table|tbody|thead|center)\b[^<>]{0,200}>", re.IGNORECASE)
_INLINE_TAG = re.compile(r"</?(?:span|b|strong|i|em|u|sup|sub|small|big|font|a|mark|abbr|code)\b[^<>]{0,200}>",
                         re.IGNORECASE)
_ENTITY = re.compile(r"&(?:[a-z]{2,8}\d{0,2}|#\d{1,7}|#x[0-9a-f]{1,6});", re.IGNORECASE)


def without_html(s: str) -> str:
    """Inline HTML tags and character references (`&nbsp;`, `&amp;`, `&#8217;`) out of a line of text."""
    if "<" in s:
        s = _INLINE_TAG.sub("", _BREAK_TAG.sub(" ", s))
    if "&" in s:
        s = _ENTITY.sub(lambda m: html.unescape(m[0]), s)
    return s


def clean_inline(s: str) -> str:
    """Inline HTML, Markdown emphasis, links, escapes and odd spaces out; one space between words."""
    s = without_html(s)  # tests for "<" and "&" itself
    if not _MARKUP.isdisjoint(s):
        s = _IMG.sub("", s)
        s = _LINK.sub(r"\1", s)
        s = _ESCAPE.sub(r"\1", s)
        s = _STRONG.sub("", s)
        s = _EMPH.sub(r"\1", s)
        s = s.replace("\u200b", "").replace("\ufeff", "")
    return " ".join(s.split())  # str.split's whitespace is re's \s


def _is_marker(line: str) -> bool:
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
        elif _is_marker(stripped):
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


#: every byte but a-z and 0-9, dropped by `_squash`
_NOT_ALNUM = bytes(b for b in range(256) if not (48 <= b <= 57 or 97 <= b <= 122))


def _squash(s: str) -> str:
    """The lower-cased ASCII letters and digits of s (what re.sub('[^a-z0-9]+', '', s.lower()) keeps)."""
    return s.lower().encode("ascii", "ignore").translate(None, _NOT_ALNUM).decode("ascii")


#: Navigation and footers are short (the longest in the seed and ../shared/corpus: 250 characters); a longer
#: block is policy text, even with a '©' in it, and is not searched (some patterns are slow on long runs).
MAX_CHROME = 1000
#: A '# ...' line longer than this is a paragraph: its text would be every evidence's section title.
MAX_HEADING = 300


#: block kinds of a canonical table
TABLE_KINDS = frozenset({"thead", "row"})


@functools.cache
def chrome_patterns() -> tuple[Folded, ...]:
    """lexicons/chrome.yaml's patterns (a block is chrome when any of them is found in it).

    Kept apart, not joined into one alternation: each keeps its own anchor and the literals every
    match must hold, so a block is rejected by substring tests; joined, the unanchored ones were
    tried at every position of every block (three times the cost of the rest of ingest)."""
    return tuple(fold(p) for p in read_yaml("chrome.yaml")["patterns"])


def is_chrome(text: str) -> bool:
    return found_any(chrome_patterns(), text)


def drop_chrome(blocks: list[tuple[str, str, int]], squashed_page: str) -> list[tuple[str, str, int]]:
    """Drop navigation/footer blocks anywhere, and scraped repeats at the tail of the page.

    `squashed_page` is `_squash(page)`, computed once per page by the caller.
    """
    # a table row is never navigation: "| Jurisdictions | Representative | Address |" is a header, not links
    kept = [b for b in blocks if len(b[1]) > MAX_CHROME or b[0] in TABLE_KINDS or not is_chrome(b[1])]
    # trailing blocks that repeat text found earlier in the page are scrape artefacts
    while kept:
        kind, text, _ = kept[-1]
        key = _squash(text)
        first = squashed_page.find(key)
        if key and first != -1 and squashed_page.find(key, first + 1) != -1:
            kept.pop()
            continue
        break
    return kept


def slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-") or "policy"


#: Words that make the text before "Privacy Policy" a phrase, not a name: "What is the Privacy Policy and
#: what does it cover?", "Pets has adopted this Privacy Policy", "Hey there! Welcome to Tinder's Privacy Policy".
NOT_IN_A_NAME = frozenset(
    "what how why when where who which whose is are was were be been do does did has have had will would can "
    "could may might shall should must this these that those our your their its we you us about welcome read "
    "see view please update updated changes change".split())
#: Separators of a scraped page title's brand tail: "Binance Privacy Notice - Binance", "Privacy Policy | Spotify".
_TAIL = re.compile(r"^\s*[-–—|·:]\s*(?P<brand>.+?)\s*$")
_PUB_EDGES = " -–—:|#*·"


def to_name(lead: str) -> str:
    """The organisation a title's lead names ("Vinted –", "Proton’s"), or "" when it is no name: empty,
    a pronoun, too long, or a phrase (a question, a sentence, "Welcome to ...")."""
    pub = re.sub(r"[’']s$", "", clean_inline(lead).strip(_PUB_EDGES)).strip(_PUB_EDGES)
    words = {w.strip(".,;!?\"“”()").lower() for w in pub.split()}
    if pub.lower() in {"", "our", "the", "this", "<. back to list"} or len(pub) > 40 or "?" in pub or "!" in pub \
            or words & NOT_IN_A_NAME:
        return ""
    return pub


def _title_candidates(blocks: list[tuple[str, str, int]]) -> list[tuple[str, str, re.Match[str]]]:
    """(kind, text, TITLE_RE match) of the first blocks that name the policy; a question names none."""
    return [(k, t, m) for k, t, _ in blocks[:8] if (m := TITLE_RE.search(t)) and "?" not in t[:m.end() + 60]]


def _file_name_publisher(raw: str, source: str) -> str:
    """The organisation a file's name gives ('Facebook.privacy.md', 'Booking_com.privacy.md',
    'alibaba.com-privacy-2024-08-29.md'), spelt as the text spells it most often."""
    stem = Path(source).stem
    stem = re.split(r"[.\-_ ](?:privacy|policy)", stem, flags=re.IGNORECASE)[0]
    stem = re.sub(r"_(com|net|org|io|co|de|fr|uk)$", r".\1", stem)
    stem = stem.replace("_", " ").strip() or "Unknown publisher"
    forms = re.findall(re.escape(stem), raw, re.IGNORECASE)
    forms = [f for f in forms if f[0].isupper()] or forms  # 'Alibaba.com' over URLs' 'alibaba.com'
    if stem[0].isupper() and not any(f[0].isupper() for f in forms):
        return stem  # 'Facebook' (the file name) over URLs' 'facebook'
    return max(sorted(set(forms)), key=forms.count) if forms else stem


def _without_brand_tail(rest: str, pub: str, source: str) -> str:
    """A title's tail without a scraped page title's repeat of the brand (" - Binance", " | Binance.com")."""
    m = _TAIL.match(rest)
    if not m:
        return rest
    brand, own = _squash(m["brand"]), {_squash(pub), _squash(Path(source).stem.split(".")[0])} - {""}
    return "" if brand and any(brand in o or o in brand for o in own) else rest


def _publisher(raw: str, blocks: list[tuple[str, str, int]], source: str, known: str = "") -> tuple[str, str]:
    """(publisher, title): the organisation from the title line, else from a "<Org> Privacy Policy"
    heading near the top, else a copyright line, else the file name; `known` wins if given. A question
    ("What is the Privacy Policy ...?") or a sentence is never taken for a title's organisation."""
    candidates = _title_candidates(blocks)
    title, m, pub = "", None, ""
    if candidates:
        _, title, m = candidates[0]
        pub = to_name(m["pub"])
        if not pub:  # a later "<Org> Privacy Policy" heading names the organisation the first title line did not
            named = next(((t, n) for k, t, n in candidates[1:] if k == "heading" and to_name(n["pub"])), None)
            if named:
                title, m = named
                pub = to_name(m["pub"])
    else:
        title = next((t for k, t, _ in blocks[:3] if k == "heading" and "?" not in t
                      and re.search(r"polic|notice|statement|privacy|data", t, re.IGNORECASE)), "Privacy Policy")
    pub = known or pub
    if not pub and (c := COPYRIGHT_RE.search(raw)):
        pub = c["name"].strip()
    if not pub:
        pub = _file_name_publisher(raw, source)
    if m:
        name = m["title"].title() if m["title"].islower() or m["title"].isupper() else m["title"]
        rest = title[m.end():].strip() if len(title) - m.end() <= 40 else ""  # e.g. 'for Travellers'
        rest = "" if rest.endswith(".") else rest  # the end of a sentence ("... Privacy Policy to explain it."), no title
        title = f"{pub} {name} {_without_brand_tail(rest, pub, source)}"
    elif pub.lower() not in title.lower():
        title = f"{pub} {title}"
    return pub, re.sub(r"\s+", " ", title).strip()


#: Body statements of a date, in the order they are looked for when the head states none: the whole
#: text's "last updated" line (often at its end) before an "effective from" that may open one part of it
#: (IKEA's page holds a family-account notice "Effective from 16/09/2026", its own date "last updated on
#: September 2026").
BODY_DATE_LEADS = (re.compile(r"last (?:updated|modified|revised|amended)", re.IGNORECASE),
                   re.compile(r"effective (?:as of|from|date)|applies (?:from|as of)", re.IGNORECASE))


def _effective_date(blocks: list[tuple[str, str, int]], source: str) -> tuple[dt.date | None, str]:
    """The effective / last-updated date stated near the top (else in the body), and any date the file
    name carries."""
    retrieved = ""
    if m := re.search(r"(\d{4}-\d{2}-\d{2})", Path(source).name):
        retrieved = m[1]
    head = "\n".join(t for _, t, _ in blocks[:25])
    for m in EFFECTIVE_RE.finditer(head):
        if d := parse_date(m["date"]):
            return d, retrieved
    for lead in BODY_DATE_LEADS:
        for _, t, _ in blocks:
            if lead.search(t):
                for m in EFFECTIVE_RE.finditer(t):
                    if d := parse_date(m["date"]):
                        return d, retrieved
    return (dt.date.fromisoformat(retrieved) if retrieved else None), retrieved


def split_versions(raw: str) -> list[str]:
    """A page holding several versions ('PART A: New Version (Effective as of ...)') split at each marker.

    What precedes the first marker is the site's navigation and is dropped.
    """
    lines = raw.replace("\r\n", "\n").split("\n")
    starts = [i for i, line in enumerate(lines) if len(line) < 200 and _is_marker(line)]
    if not starts:
        return [raw]
    starts.append(len(lines))
    return ["\n".join(lines[a:b]) for a, b in zip(starts, starts[1:])]


def to_documents(text: str, source: str = "<input>", fmt: str = "text", *, publisher: str = "",
                 seen: dt.date | None = None, effective: dt.date | None = None) -> list[PolicyDocument]:
    """Pure: raw text of a page to its policy versions, normalised and segmented.

    `publisher` names who publishes the text when that is known from elsewhere (an archive's service
    name), so every version of it belongs to one organisation; `seen` is when the text was recorded
    (a commit's date): the `retrieved` date, and the version's date where the text states none;
    `effective` is the effective date of every version whatever the text states (a user's correction).
    """
    raw = from_html(text) if fmt == "html" else text
    parts = split_versions(raw)
    squashed = _squash(raw)
    file_date = m[1] if (m := re.search(r"(\d{4}-\d{2}-\d{2})", Path(source).name)) else ""
    file_date = seen.isoformat() if seen else file_date
    docs: list[PolicyDocument] = []
    for part in parts:
        blocks = drop_chrome(to_blocks(part), squashed)
        if not blocks:
            continue
        pub, title = _publisher(raw, blocks, source, publisher)
        marker = VERSION_MARKER.search(clean_inline(part.split("\n", 1)[0]))
        date = effective or (parse_date(marker["date"]) if marker else None)
        retrieved = file_date  # the snapshot date a file name carries (or the commit's), if any
        if date is None:
            date, retrieved = _effective_date(blocks, source)
            if seen:
                date, retrieved = date or seen, file_date
        body = to_markdown(blocks)
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        ident = f"{slug(pub)[:MAX_SLUG]}-{date.isoformat() if date else digest[:8]}"
        sections, units = segment(body)
        docs.append(PolicyDocument(
            id=ident, title=title, publisher=pub, effective_date=date, source=source,
            text=body, content_hash=digest, sections=sections, units=units, retrieved=retrieved,
        ))
    return docs


def _suffixed(d: PolicyDocument) -> PolicyDocument:
    """The same version id, told apart by the file's snapshot date (or the text's hash)."""
    return replace(d, id=f"{d.id}-r{d.retrieved or d.content_hash[:8]}")


def with_unique_ids(docs: list[PolicyDocument]) -> list[PolicyDocument]:
    """Two different texts that claim the same publisher and date get the retrieval date (or hash) appended."""
    seen: dict[str, str] = {}
    out = []
    for d in docs:
        if d.id in seen and seen[d.id] != d.content_hash:
            d = _suffixed(d)
        seen.setdefault(d.id, d.content_hash)
        out.append(d)
    return out


def id_candidates(d: PolicyDocument) -> tuple[str, ...]:
    """The ids a version may be stored under, in order: its own, then told apart by snapshot date, then hash."""
    out = [d.id]
    if d.retrieved:
        out.append(f"{d.id}-r{d.retrieved}")
    out += [f"{d.id}-r{d.content_hash[:8]}", f"{d.id}-r{d.content_hash}"]
    return tuple(dict.fromkeys(out))


def with_ids_distinct_from(docs: list[PolicyDocument], stored: Mapping[str, tuple[str, str]]) -> list[PolicyDocument]:
    """A text whose id is already stored for another file with other content gets its own id.

    `stored` maps id -> (source, content hash). The same file rebuilt (same file name) or the same
    text replaces its version; a different file claiming the same publisher and date (another
    snapshot) is kept apart, its id suffixed with its retrieval date or hash, instead of silently
    replacing the stored text. The store calls this inside its write transaction, so two builds
    racing for one id cannot both take it.
    """
    taken = dict(stored)
    out = []
    for d in docs:
        for candidate in id_candidates(d):
            held = taken.get(candidate)
            if held is None or held[1] == d.content_hash or Path(held[0]).name == Path(d.source).name:
                break
        if candidate != d.id:
            d = replace(d, id=candidate)
        taken[d.id] = (d.source, d.content_hash)
        out.append(d)
    return out
