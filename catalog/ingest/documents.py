"""From a file (text, Markdown, HTML) to policy versions with normalised, segmented text, and their ids.

`read_policy(path)` does the I/O (catalog.ingest.files, which refuses bad input with an `InputError`
before anything else happens); `to_documents(text, source)` is pure: it drops page chrome
(catalog.ingest.chrome), splits a page holding several versions at their "Effective as of" markers,
reads each version's publisher, title and date (publisher, dates), and renders it as canonical
Markdown-like text (markup: `# heading`, `- item`, paragraphs) whose offsets every piece of evidence
points into. A version's id is its publisher's slug and date; `with_unique_ids` and
`with_ids_distinct_from` keep two different texts that claim one id apart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from catalog.ingest import decode
from catalog.ingest.chrome import drop_chrome
from catalog.ingest.dates import VERSION_MARKER, parse_date, stated_date
from catalog.ingest.files import InputError, read_text
from catalog.ingest.inline import clean_inline, squash
from catalog.ingest.markup import from_html, is_marker, to_blocks, to_markdown
from catalog.ingest.publisher import publisher_and_title, slug
from catalog.ingest.segment import segment
from catalog.records import PolicyDocument


#: A policy id's publisher part is cut to this length (ids are primary keys on every database).
MAX_SLUG = 60


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


def split_versions(raw: str) -> list[str]:
    """A page holding several versions ('PART A: New Version (Effective as of ...)') split at each marker.

    What precedes the first marker is the site's navigation and is dropped.
    """
    lines = raw.replace("\r\n", "\n").split("\n")
    starts = [i for i, line in enumerate(lines) if len(line) < 200 and is_marker(line)]
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
    squashed = squash(raw)
    file_date = m[1] if (m := re.search(r"(\d{4}-\d{2}-\d{2})", Path(source).name)) else ""
    file_date = seen.isoformat() if seen else file_date
    docs: list[PolicyDocument] = []
    for part in parts:
        blocks = drop_chrome(to_blocks(part), squashed)
        if not blocks:
            continue
        pub, title = publisher_and_title(raw, blocks, source, publisher)
        marker = VERSION_MARKER.search(clean_inline(part.split("\n", 1)[0]))
        date = effective or (parse_date(marker["date"]) if marker else None)
        retrieved = file_date  # the snapshot date a file name carries (or the commit's), if any
        if date is None:
            date, retrieved = stated_date(blocks, source)
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
