"""Facts from statements: a mention is a fact only where a statement affirms it in a role the
record needs (a recipient that receives, not a source that gives; a destination, not an origin; a
special category the controller processes, not one a definition lists or a sentence disclaims)."""

from __future__ import annotations

from catalog.extract.builder import Builder
from catalog.extract.clauses import Polarity
from catalog.extract.cues import cues
from catalog.extract.statements import Role, Statement, action_of
from catalog.records import Kind, PolicyDocument

#: the roles in which a mention of each kind states a fact
FACT_ROLES: dict[Kind, frozenset[Role]] = {
    Kind.DATA_CATEGORY: frozenset({Role.DATA}),
    Kind.RECIPIENT: frozenset({Role.RECIPIENT}),
    Kind.COUNTRY: frozenset({Role.DESTINATION}),
    Kind.LEGAL_BASIS: frozenset({Role.BASIS}),
}

READ_AS = {"heading": "heading", "item": "list item", "cell": "table row", "header": "table header", "sentence": "statement"}


def add_facts(b: Builder, doc: PolicyDocument, statements: list[Statement]) -> None:
    """Add the facts the statements affirm, each with its evidence, how it was read and a confidence."""
    c = cues()
    for st in statements:
        if not st.affirmed or not st.mentions:
            continue
        unit = doc.units[st.unit]
        text = doc.text[st.start : st.end]
        special = [m for m in st.mentions if m.kind is Kind.DATA_CATEGORY
                   and (sc := b.concept(m.kind, m.concept)) is not None and sc.attrs.get("special_category")]
        # only where the statement names a special category does it matter whether it defines them
        defining = bool(special) and action_of(doc, st) == "" and bool(c.special_definition.search(text))
        listed = [(st.start + m.start(), st.start + m.end()) for m in c.special_list.finditer(text)] if special else []
        read_as = READ_AS.get(unit.kind, "statement")
        confidence = 0.9 if st.polarity is Polarity.AFFIRMED else 0.8
        for m, r in zip(st.mentions, st.roles):
            roles = FACT_ROLES.get(m.kind)
            if roles is not None and r not in roles:
                continue
            if unit.kind == "heading" and m.kind is Kind.PURPOSE:
                continue  # a heading's purpose is a scope; it is a fact where it scopes something (structure.py)
            concept = b.concept(m.kind, m.concept)
            if concept is None:
                continue
            if m.kind is Kind.DATA_CATEGORY and concept.attrs.get("special_category") and (
                    defining or any(a <= m.start and m.end <= z for a, z in listed)):
                continue  # "special category data (racial or ethnic origin, political opinions, ...)" defines the term
            if m.kind is Kind.COUNTRY and (concept.attrs.get("eea") or concept.attrs.get("unnamed")):
                continue  # no third country: an EEA state; the unnamed ones are the transfers' to add
            rule = f"lexicon:{m.kind}:{doc.text[m.start:m.end].lower()}"  # a Kind formats as its value
            nid = b.add_concept(concept, b.evidence(st.unit, rule))
            b.raise_confidence(nid, read_as, confidence)
