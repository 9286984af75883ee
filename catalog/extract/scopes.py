"""What a heading or a paragraph's opening label scopes: the statements under it.

Purposes under a heading 'Legitimate interests' rest on that basis; purposes under 'Location data'
use location data. Inferred, with a note naming the heading: the heading, not the sentence, says so.
"""

from __future__ import annotations

from collections import defaultdict

from catalog.extract.builder import Builder
from catalog.extract.cues import cues
from catalog.extract.links import LINK_ROLE, Reading, link_parts
from catalog.extract.mentions import Mention
from catalog.extract.statements import Role, Statement
from catalog.extract.structure import part_of
from catalog.records import Kind, PolicyDocument, Status


#: heading kind -> the kinds of the statements under it that it links with
HEADING_LINKS: dict[Kind, frozenset[Kind]] = {
    Kind.LEGAL_BASIS: frozenset({Kind.PURPOSE}),
    Kind.PURPOSE: frozenset({Kind.LEGAL_BASIS, Kind.DATA_CATEGORY}),
    Kind.DATA_CATEGORY: frozenset({Kind.PURPOSE, Kind.RETENTION, Kind.RECIPIENT, Kind.LEGAL_BASIS}),
    Kind.RECIPIENT: frozenset({Kind.DATA_CATEGORY, Kind.PURPOSE}),
}
#: a heading naming more than this many linkable things is a table of contents, not a scope
HEADING_MAX = 3


def link_heading_scopes(b: Builder, doc: PolicyDocument, statements: list[Statement]) -> None:
    """A heading scopes the statements under it: purposes under 'Legitimate interests' rest on it,
    purposes under 'Location data' use location data (inferred: the heading, not the sentence, says so)."""
    heads: dict[int, Statement] = {}
    for st in statements:
        u = doc.units[st.unit]
        if u.kind == "heading":
            heads[u.section] = st
    for i, st in sorted(heads.items()):
        # "### Personal data: Your image on CCTV" / "#### How we use this personal data:": a heading that
        # names nothing and points back to its parent's data scopes what is under it with the parent's
        if not _linkable(st) and cues().anaphora.search(doc.text[st.start : st.end]) \
                and (parent := _parent(doc, i)) in heads:
            heads[i] = heads[parent]
    labels = paragraph_labels(doc, statements)
    for st in statements:
        u = doc.units[st.unit]
        head = labels.get(u.paragraph) or heads.get(u.section)
        if head is not None and head.unit == st.unit:
            head = heads.get(u.section)
        if head is None or u.kind == "heading" or not st.affirmed or not head.mentions:
            continue
        linkable = _linkable(head)
        if not linkable or len(linkable) > HEADING_MAX:
            continue
        own = {m.kind for m in st.mentions}
        for m, r in linkable:
            if m.kind in own:
                continue  # the statement names its own (purpose, data...): its own words win
            title = doc.text[doc.units[head.unit].start : doc.units[head.unit].end]
            reading = Reading("heading scope", 0.65, Status.INFERRED,
                              f"'{doc.text[m.start:m.end]}' is named by the heading '{title}' this statement is under")
            kinds = frozenset((a, t) for k in HEADING_LINKS[m.kind] for a, t in ((m.kind, k), (k, m.kind)))
            if m.kind is Kind.PURPOSE and not b.has(f"purpose:{m.concept}") and any(
                    x.kind in HEADING_LINKS[m.kind] and LINK_ROLE.get(x.kind) is xr for x, xr in zip(st.mentions, st.roles)):
                # the heading's purpose becomes a fact where it scopes a statement it links with
                b.add_concept(b.known(m.kind, m.concept), b.evidence(head.unit, f"heading:{doc.text[m.start:m.end].lower()}"))
            link_parts(b, [(head.unit, [(m, r)]), part_of(st)], reading, "heading", kinds)


def _linkable(head: Statement) -> list[tuple[Mention, Role]]:
    return [(m, r) for m, r in zip(head.mentions, head.roles) if m.kind in HEADING_LINKS]


def _parent(doc: PolicyDocument, i: int) -> int:
    """The section whose heading is the nearest one above section i's at a higher level (-1: none)."""
    level = doc.sections[i].level
    return next((j for j in range(i - 1, -1, -1) if doc.sections[j].level < level), -1)


#: a label that opens a paragraph or list item ("To provide you with the services.", "Payment partners:")
_LABEL_MAX_WORDS = 10


def paragraph_labels(doc: PolicyDocument, statements: list[Statement]) -> dict[int, Statement]:
    """Paragraphs (or list items) that open with a short label naming a purpose, a basis, data or a
    recipient: the label scopes the rest of the paragraph as a heading scopes its section."""
    first: dict[int, Statement] = {}
    count: dict[int, int] = defaultdict(int)
    for st in statements:
        u = doc.units[st.unit]
        if u.kind == "heading" or u.table >= 0:
            continue
        count[u.paragraph] += 1
        first.setdefault(u.paragraph, st)
    out = {}
    for para, st in first.items():
        text = doc.text[st.start : st.end].strip()
        if count[para] < 2 or len(text.split()) > _LABEL_MAX_WORDS or not text.endswith((".", ":")):
            continue
        if st.affirmed and any(m.kind in HEADING_LINKS for m in st.mentions):
            out[para] = st
    return out
