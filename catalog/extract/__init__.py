"""extract(doc) -> Extraction: the facts a policy version states and the links between them, each
with its evidence.

Deterministic and rule-based, the vocabulary as data (lexicons/*.yaml):
1. mentions: lexicon phrases gated by context (mentions.py), plus the periods and rules of
   retention sentences (retention.py);
2. statements: each clause of each sentence, list item or table cell, with an action, a polarity
   and its mentions in roles (statements.py, clauses.py), then the roles the document's structure
   gives them (structure.py: table columns by their header, lead-ins, labels);
3. facts: what an affirmed statement names in a role the record needs (facts.py);
4. links: from the roles of one statement (links.py), and across statements joined by structure:
   list items and their lead-in, table rows, heading scopes, references (structure.py);
5. the controller and its contacts (controller.py), transfers and their safeguards (transfers.py),
   cookie tables (cookies.py), bases inherited through the purpose hierarchy (bases.py).
"""

from __future__ import annotations

import re

from catalog.collector import collector_paused
from catalog.extract.bases import implied_bases, inherit_bases
from catalog.extract.builder import Builder
from catalog.extract.controller import extract_controller
from catalog.extract.cookies import extract_cookie_tables
from catalog.extract.facts import add_facts
from catalog.extract.links import link_statement
from catalog.extract.mentions import Mention, find_mentions
from catalog.extract.parties import party_mentions
from catalog.extract.retention import general_retention, retention_mentions
from catalog.extract.statements import Role, Statement, to_statements
from catalog.extract.references import (link_basis_references, link_elaborations, link_purpose_references,
                                        link_recipient_references, link_references)
from catalog.extract.scopes import link_heading_scopes
from catalog.extract.structure import link_lead_ins, link_table_rows, with_structure
from catalog.extract.transfers import extract_transfers
from catalog.records import Extraction, Kind, PolicyDocument, node_id
from catalog.vocabulary import recipient_registry

__all__ = ["extract", "find_mentions", "Mention", "MIN_FACTS", "DISCLOSURE_ONLY", "clear_text_caches"]

#: Fewer facts than this and the build warns that the text may not be a privacy policy.
MIN_FACTS = 5


def extract(doc: PolicyDocument) -> Extraction:
    """The facts and links of one policy version (see the module's docstring)."""
    # extraction makes hundreds of thousands of short-lived objects and no reference cycles worth
    # collecting: the cyclic collector's passes over them were a tenth of its time
    with collector_paused():
        return _extract(doc)


def _extract(doc: PolicyDocument) -> Extraction:
    b = Builder(doc)
    controller = extract_controller(b)
    own_names = [f["label"] for f in b.facts.values() if f["kind"] is Kind.CONTROLLER]
    mentions = own_brand_dropped(find_mentions(doc), doc, [*own_names, doc.publisher])
    extra = [*retention_mentions(b, doc, mentions), *party_mentions(b, doc, mentions, own_names)]
    mentions = drop_nested(sorted([*mentions, *extra], key=lambda m: (m.unit, m.start, m.kind)))
    statements = with_structure(doc, to_statements(doc, mentions))
    add_facts(b, doc, statements)
    mark_disclosure_reasons(b, doc, statements)
    general_retention(b, doc, statements)
    for st in statements:
        link_statement(b, st)
    link_lead_ins(b, doc, statements)
    link_table_rows(b, doc, statements)
    link_references(b, doc, statements)
    link_basis_references(b, doc, statements)
    link_purpose_references(b, doc, statements)
    link_elaborations(b, doc, statements)
    link_recipient_references(b, doc, statements)
    link_heading_scopes(b, doc, statements)
    inherit_bases(b)
    implied_bases(b)
    extract_cookie_tables(b, mentions)
    extract_transfers(b, doc, statements, controller)
    facts = b.facts_out()
    if len(facts) < MIN_FACTS:
        b.warnings.append(f"{doc.id}: only {len(facts)} facts found; is this a privacy policy?")
    return Extraction(doc, facts, b.links_out(), tuple(b.warnings))


def clear_text_caches() -> None:
    """Empty the memo caches keyed by pieces of text (a clause's polarity, a heading's reading ...):
    what a benchmark calls so it times text the engine has not seen before."""
    from catalog.extract import clauses, mentions, organisations, statements, structure

    for fn in (clauses.polarity, clauses.action, clauses.clause_spans, mentions.words_of, mentions.lowered,
               organisations.organisations,
               statements._sourcing_scope, statements._unit_statements,
               structure._defines):
        fn.cache_clear()


def own_brand_dropped(mentions: list[Mention], doc: PolicyDocument, own_names: list[str]) -> list[Mention]:
    """A named recipient that is the controller itself or one of its brands (PayPal in PayPal's
    policy; LinkedIn in LinkedIn's, which the registry files under Microsoft) receives nothing."""
    brands = {w for w in (_first_word(n) for n in own_names) if len(w) >= 4}
    if not brands:
        return mentions
    own = {c.id for c in recipient_registry().values() if _first_word(c.label) in brands}
    return [m for m in mentions if not (m.kind is Kind.RECIPIENT and (
        m.concept in own or (m.concept in recipient_registry() and _first_word(doc.text[m.start:m.end]) in brands)))]


#: kinds whose mention stays even inside a longer mention of another kind ("your consent" in "withdraw
#: your consent" still names the consent basis; "members" in "other members" still names users)
_NESTED_KEPT = frozenset({Kind.LEGAL_BASIS, Kind.DATA_SUBJECT, Kind.COUNTRY})


def drop_nested(mentions: list[Mention]) -> list[Mention]:
    """A mention inside a longer one of another kind is part of that one's name: "advertising" in
    "advertising identifiers" is data, "analytics" in "Google Analytics" a recipient."""
    out = []
    by_unit: dict[int, list[Mention]] = {}
    for m in mentions:
        by_unit.setdefault(m.unit, []).append(m)
    for m in mentions:
        if m.kind not in _NESTED_KEPT and any(
                o.kind is not m.kind and o.start <= m.start and m.end <= o.end and (o.end - o.start) > (m.end - m.start)
                and not (m.kind is Kind.DATA_CATEGORY and o.kind is Kind.PURPOSE)  # "advertising based upon your browsing activities"
                for o in by_unit[m.unit]):
            continue
        out.append(m)
    return out


def _first_word(s: str) -> str:
    return re.sub(r"\W+$", "", s.split()[0].lower()) if s.split() else ""


#: `stated_as` of a purpose the policy names only as why a recipient receives data.
DISCLOSURE_ONLY = "reason for disclosure"
#: How far after a recipient's name a purpose still reads as that recipient's ("custom agents for customs
#: clearances purposes", "warranty service providers to provide warranty services").
QUALIFIER_REACH = 40
_CLAUSE = re.compile(r"\b(where|when|if|unless|whenever)\b", re.IGNORECASE)


def mark_disclosure_reasons(b: Builder, doc: PolicyDocument, statements: list[Statement]) -> None:
    """A purpose named only right after a recipient's name ('custom agents for customs clearance
    purposes') is a reason for a disclosure rather than one the policy lists among its purposes: it
    is kept (disclosure is processing too) and marked `stated_as: reason for disclosure`, so a
    version that first lists it as a purpose shows it added."""
    qualifying: set[str] = set()
    stated: set[str] = set()
    for st in statements:
        if not st.affirmed:
            continue
        recipients = st.having(Role.RECIPIENT)
        for m in st.having(Role.PURPOSE):
            nid = node_id(Kind.PURPOSE, m.concept)
            before = [r for r in recipients if r.end <= m.start]
            if before and m.start - before[-1].end <= QUALIFIER_REACH and not _CLAUSE.search(doc.text[before[-1].end : m.start]):
                qualifying.add(nid)
            else:
                stated.add(nid)
    for nid in qualifying - stated:
        if b.has(nid):
            b.set_attr(nid, "stated_as", DISCLOSURE_ONLY)
