"""extract(doc) -> Extraction: the facts a policy version states, each with its evidence.

Deterministic and rule-based: lexicon mentions (vocabulary/*.yaml) gated by context, edges by
co-occurrence under the relation schema (relations.yaml), then the pieces that need more than a
phrase: the controller and its contacts, transfers and their safeguards, cookie tables,
retention periods, and bases inherited through the purpose hierarchy.
"""

from __future__ import annotations

from catalog.extract.builder import Builder
from catalog.extract.controller import extract_controller
from catalog.extract.links import inherit_bases, link_cooccurring
from catalog.extract.mentions import Mention, find_mentions
from catalog.extract.tables import extract_cookie_tables, extract_retention_periods
from catalog.extract.transfers import extract_transfers
from catalog.records import Extraction, Kind, PolicyDocument, node_id
from catalog.vocabulary import lexicon

__all__ = ["extract", "find_mentions", "Mention", "MIN_FACTS"]

#: Fewer facts than this and the build warns that the text may not be a privacy policy.
MIN_FACTS = 5


def extract(doc: PolicyDocument) -> Extraction:
    b = Builder(doc)
    mentions = find_mentions(doc)
    for m in mentions:
        c = lexicon(m.kind).concepts[m.concept]
        b.add_concept(c, b.evidence(m.unit, f"lexicon:{m.kind.value}:{doc.text[m.start:m.end].lower()}"))
    controller = extract_controller(b)
    _general_retention(b, mentions)
    link_cooccurring(b, mentions)
    inherit_bases(b)
    extract_cookie_tables(b, mentions)
    extract_retention_periods(b, mentions)
    extract_transfers(b, mentions, controller)
    facts = b.facts_out()
    if len(facts) < MIN_FACTS:
        b.warnings.append(f"{doc.id}: only {len(facts)} facts found; is this a privacy policy?")
    return Extraction(doc, facts, b.links_out(), tuple(b.warnings))


def _general_retention(b: Builder, mentions: list[Mention]) -> None:
    """A retention rule stated for 'your personal information' as a whole applies to all categories."""
    doc = b.doc
    cats_in_unit = {m.unit for m in mentions if m.kind is Kind.DATA_CATEGORY}
    for m in mentions:
        if m.kind is not Kind.RETENTION or m.unit in cats_in_unit:
            continue
        u = doc.units[m.unit]
        if any(w in doc.text[u.start : u.end].lower() for w in ("personal information", "personal data", "your information", "your data")):
            b.set_attr(node_id(Kind.RETENTION, m.concept), "scope", "all personal data")

