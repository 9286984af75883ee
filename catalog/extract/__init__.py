"""extract(doc) -> Extraction: the facts a policy version states, each with its evidence.

Deterministic and rule-based: lexicon mentions (vocabulary/*.yaml) gated by context, edges by
co-occurrence under the relation schema (relations.yaml), then the pieces that need more than a
phrase: the controller and its contacts, transfers and their safeguards, cookie tables,
retention periods, and bases inherited through the purpose hierarchy.
"""

from __future__ import annotations

import re

from catalog.extract.builder import Builder
from catalog.extract.controller import extract_controller
from catalog.extract.links import inherit_bases, link_cooccurring
from catalog.extract.mentions import Mention, find_mentions
from catalog.extract.tables import extract_cookie_tables, extract_retention_periods
from catalog.extract.transfers import drop_origins, drop_unnamed_destinations, extract_transfers
from catalog.records import Extraction, Kind, PolicyDocument, node_id
from catalog.vocabulary import lexicon, recipient_registry

__all__ = ["extract", "find_mentions", "Mention", "MIN_FACTS", "DISCLOSURE_ONLY"]

#: Fewer facts than this and the build warns that the text may not be a privacy policy.
MIN_FACTS = 5


def extract(doc: PolicyDocument) -> Extraction:
    b = Builder(doc)
    controller = extract_controller(b)
    mentions = drop_unnamed_destinations(drop_origins(doc, find_mentions(doc)))
    mentions = own_brand_dropped(mentions, b.facts[controller]["label"])
    qualifiers = disclosure_qualifiers(mentions, doc.text)
    for m in mentions:
        c = lexicon(m.kind).concepts[m.concept]
        b.add_concept(c, b.evidence(m.unit, f"lexicon:{m.kind.value}:{doc.text[m.start:m.end].lower()}"))
    stated = {node_id(m.kind, m.concept) for m in mentions if m.kind is Kind.PURPOSE and m not in qualifiers}
    for m in qualifiers:
        nid = node_id(m.kind, m.concept)
        if nid not in stated:
            b.set_attr(nid, "stated_as", DISCLOSURE_ONLY)
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


def own_brand_dropped(mentions: list[Mention], controller_label: str) -> list[Mention]:
    """A named recipient that is the controller itself (PayPal in PayPal's policy) receives nothing."""
    first = re.sub(r"\W+$", "", controller_label.split()[0].lower()) if controller_label.split() else ""
    if len(first) < 4:
        return mentions
    own = {c.id for c in recipient_registry().values() if re.sub(r"\W+$", "", c.label.split()[0].lower()) == first}
    return [m for m in mentions if not (m.kind is Kind.RECIPIENT and m.concept in own)]


#: `stated_as` of a purpose the policy names only as why a recipient receives data.
DISCLOSURE_ONLY = "reason for disclosure"


def disclosure_qualifiers(mentions: list[Mention], text: str) -> set[Mention]:
    """Purpose mentions right after a recipient's name ('custom agents for customs clearance purposes').

    A purpose named only that way is a reason for a disclosure rather than one the policy lists
    among its purposes of processing: it is kept (disclosure is processing too) and marked
    `stated_as: reason for disclosure`, so a version that first lists it as a purpose shows it added.
    """
    recipients: dict[int, list[Mention]] = {}
    for m in mentions:
        if m.kind is Kind.RECIPIENT:
            recipients.setdefault(m.unit, []).append(m)
    out: set[Mention] = set()
    for m in mentions:
        if m.kind is not Kind.PURPOSE:
            continue
        before = [r for r in recipients.get(m.unit, []) if r.end <= m.start]
        if before and m.start - before[-1].end <= QUALIFIER_REACH and not _CLAUSE.search(text[before[-1].end : m.start]):
            out.add(m)
    return out


#: How far after a recipient's name a purpose still reads as that recipient's ("custom agents for customs
#: clearances purposes", "warranty service providers to provide warranty services").
QUALIFIER_REACH = 40
_CLAUSE = re.compile(r"\b(where|when|if|unless|whenever)\b", re.IGNORECASE)


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

