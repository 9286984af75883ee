"""International transfers: who sends data to which country, under which safeguard.

A country named in a transfer sentence without a named recipient is the controller's own
transfer (so every data category's lineage reaches it); with a named recipient it is that
recipient's. Safeguards named in the same sentence are `stated`; in the same paragraph or
transfer section, `inferred`. Every transfer edge then carries `safeguards`, `scc`, and the
destination's EU adequacy decision and EEA membership from the vocabulary's data files.
"""

from __future__ import annotations

import re
from collections import defaultdict

from catalog.extract.builder import Builder
from catalog.extract.mentions import Mention
from catalog.records import Kind, PolicyDocument, Relation, Status, node_id
from catalog.vocabulary import adequacy_decisions, concept, eea_countries


def _named(m: Mention) -> bool:
    c = concept(Kind.RECIPIENT, m.concept)
    return c is not None and c.attrs.get("type") == "named"


def _near(doc, a: int, b: int) -> str:
    """How close two units are: 'same sentence', 'same paragraph', 'same section' (within 3 blocks), or ''."""
    ua, ub = doc.units[a], doc.units[b]
    if a == b:
        return "same sentence"
    if ua.paragraph == ub.paragraph:
        return "same paragraph"
    if ua.section == ub.section and ua.section >= 0 and abs(ua.paragraph - ub.paragraph) <= 3:
        return "same section"
    return ""


def _safeguards_near(doc, safeguards: list[Mention]):  # noqa: ANN001, ANN202
    """unit -> the safeguards within reach of `_near` (3 paragraphs either side), in mention order:
    the pairs worth testing, so the work grows with the text, not with countries x safeguards."""
    by_paragraph: dict[int, list[tuple[int, Mention]]] = defaultdict(list)
    for i, s in enumerate(safeguards):
        by_paragraph[doc.units[s.unit].paragraph].append((i, s))

    def near(unit: int) -> list[Mention]:
        p = doc.units[unit].paragraph
        return [s for _, s in sorted(x for q in range(p - 3, p + 4) for x in by_paragraph.get(q, ()))]

    return near


def drop_unnamed_destinations(mentions: list[Mention]) -> list[Mention]:
    """'Outside the EEA' stands for an unnamed destination only where no country is named beside it.

    "...to countries outside of the EEA, such as the United States and China" names its
    destinations, so the generic phrase adds nothing there; alone, it is a transfer to countries
    the policy does not name (country ZZ).
    """
    named_units = {m.unit for m in mentions if m.kind is Kind.COUNTRY and not _unnamed(m)}
    return [m for m in mentions if not (m.kind is Kind.COUNTRY and _unnamed(m) and m.unit in named_units)]


#: A country named as where the data comes from, not where it goes: "outside of the EEA, Switzerland
#: or the United Kingdom", "if you are in the UK". The names listed after the cue are all origins.
ORIGIN = re.compile(
    r"\b(?i:outside(?:\s+of)?|if you are (?:from|in|located in|based in)|you (?:reside|live) in|residents? of|equivalents? for|(?:mechanisms|safeguards) for|(?:users|individuals|customers|you) (?:located|based|resident) in)\s+"
    r"(?:the\s+)?(?:[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*(?:\s*\([^)]{0,10}\))?(?:\s*,\s*|\s+(?:and|or)\s+)(?:the\s+)?)*(?:[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*\s*\()?$"
)


def drop_origins(doc: PolicyDocument, mentions: list[Mention]) -> list[Mention]:
    """Countries the sentence names as the origin of a transfer are no destinations."""
    out = []
    for m in mentions:
        if m.kind is Kind.COUNTRY and not _unnamed(m):
            unit = doc.units[m.unit]
            window = doc.text[max(unit.start, m.start - 120) : m.start]
            if ORIGIN.search(window):
                continue
        out.append(m)
    return out


def _unnamed(m: Mention) -> bool:
    c = concept(Kind.COUNTRY, m.concept)
    return c is not None and bool(c.attrs.get("unnamed"))


def _recipients_heading_sections(doc, mentions: list[Mention]) -> dict[int, list[Mention]]:
    """Sections whose heading is a named recipient: what is listed under it is about that recipient."""
    out: dict[int, list[Mention]] = defaultdict(list)
    for m in mentions:
        unit = doc.units[m.unit]
        if unit.kind == "heading" and m.kind is Kind.RECIPIENT and _named(m):
            out[unit.section].append(m)
    return out


def extract_transfers(b: Builder, mentions: list[Mention], controller: str) -> None:
    doc = b.doc
    by_unit: dict[int, list[Mention]] = defaultdict(list)
    for m in mentions:
        by_unit[m.unit].append(m)
    countries = [m for m in mentions if m.kind is Kind.COUNTRY]
    safeguards = [m for m in mentions if m.kind is Kind.SAFEGUARD]
    transfer_units: dict[tuple[str, str], set[int]] = defaultdict(set)
    headed = _recipients_heading_sections(doc, mentions)
    for m in countries:
        country = node_id(Kind.COUNTRY, m.concept)
        named = [x for x in by_unit[m.unit] if x.kind is Kind.RECIPIENT and _named(x)]
        for x in named:  # the recipient's own transfer (the relation schema links it too)
            transfer_units[(node_id(Kind.RECIPIENT, x.concept), country)].add(m.unit)
        if named:
            continue
        if under := headed.get(doc.units[m.unit].section):
            for x in under:  # "Zendesk, Inc." / "- Data processing location: United States"
                recipient = node_id(Kind.RECIPIENT, x.concept)
                note = (f"'{doc.text[m.start:m.end]}' is listed under the heading naming "
                        f"'{doc.text[x.start:x.end]}'")
                transfer_units[(recipient, country)].add(m.unit)
                b.add_link(recipient, country, Relation.TRANSFERRED_TO, Status.INFERRED,
                           [b.evidence(x.unit, "transfer:recipient-heading", note),
                            b.evidence(m.unit, "transfer:recipient-heading", note)])
            continue
        transfer_units[(controller, country)].add(m.unit)
        b.add_link(controller, country, Relation.TRANSFERRED_TO, Status.STATED,
                   [b.evidence(m.unit, "transfer:controller")])
    # safeguards near the country: same sentence is stated, same paragraph or section inferred
    near = _safeguards_near(doc, safeguards)
    for c in countries:
        for s in near(c.unit):
            why = _near(doc, c.unit, s.unit)
            if not why or why == "same sentence":
                continue
            note = (f"safeguard '{doc.text[s.start:s.end]}' is named in the {why} as the transfer to "
                    f"'{doc.text[c.start:c.end]}'")
            b.add_link(node_id(Kind.COUNTRY, c.concept), node_id(Kind.SAFEGUARD, s.concept), Relation.SAFEGUARDED_BY,
                       Status.INFERRED, [b.evidence(c.unit, "transfer:safeguard-nearby", note),
                                         b.evidence(s.unit, "transfer:safeguard-nearby", note)])
    # each transfer edge carries the safeguards named near its own sentences
    edge_safeguards: dict[tuple[str, str], set[str]] = {
        edge: {s.concept for u in units for s in near(u) if _near(doc, u, s.unit)}
        for edge, units in transfer_units.items()
    }
    annotate_transfers(b, edge_safeguards)


def annotate_transfers(b: Builder, edge_safeguards: dict[tuple[str, str], set[str]]) -> None:
    """Put safeguards, the SCC flag, adequacy and third-country status on each transfer edge and country."""
    adequacy = adequacy_decisions()
    eea = eea_countries()
    for nid, fact in b.facts.items():
        if fact["kind"] is not Kind.COUNTRY:
            continue
        code = fact["key"]
        fact["attrs"]["eea"] = code in eea
        if code in adequacy:
            d = adequacy[code]
            fact["attrs"]["adequacy"] = {"date": str(d["date"]), "scope": d["scope"],
                                         "partial": bool(d.get("partial", False))}
    for (s, t, r), link in b.links.items():
        if r != Relation.TRANSFERRED_TO.value or t not in b.facts:
            continue
        code = b.facts[t]["key"]
        sg = sorted(edge_safeguards.get((s, t), set()))
        link["attrs"].update({
            "safeguards": sg,
            "scc": "scc" in sg,
            "third_country": code not in eea,
            "adequacy": "none" if code not in adequacy else ("partial" if adequacy[code].get("partial") else "full"),
        })
