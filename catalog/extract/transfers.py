"""International transfers: who sends data to which third country, under which safeguard.

A destination is a country a statement names as where data goes (not where it comes from, whom a
rule applies to, or an address); EEA countries are never third countries. Without a named
recipient in the statement (or its table row, or the heading it sits under) the transfer is the
controller's own, so every data category's lineage reaches it. Safeguards named in the statement
or its row are `stated`; a safeguard named once in a transfer section applies to every destination
of that section (`inferred`, read as "section scope"). The EU-US Data Privacy Framework only ever
covers the US, and an adequacy decision only a country that has one.
"""

from __future__ import annotations

from collections import defaultdict

from catalog.extract.builder import Builder
from catalog.extract.mentions import Mention
from catalog.extract.statements import Role, Statement
from catalog.records import Kind, PolicyDocument, Relation, Status, node_id
from catalog.vocabulary import adequacy_decisions, concept, eea_countries


def _named(m: Mention) -> bool:
    c = concept(Kind.RECIPIENT, m.concept)
    return c is not None and c.attrs.get("type") == "named"


def _third_country(m: Mention) -> bool:
    c = concept(Kind.COUNTRY, m.concept)
    return c is not None and not c.attrs.get("eea") and not c.attrs.get("unnamed")


def _unnamed(m: Mention) -> bool:
    c = concept(Kind.COUNTRY, m.concept)
    return c is not None and bool(c.attrs.get("unnamed"))


def covers(safeguard: str, country_key: str) -> bool:
    """Whether a safeguard can cover a transfer to this country: the DPF only the US, an adequacy
    decision only a country the Commission found adequate; SCCs, BCRs and the rest any."""
    if safeguard == "dpf":
        return country_key == "US"
    if safeguard == "adequacy":
        return country_key in adequacy_decisions()
    return True


def extract_transfers(b: Builder, doc: PolicyDocument, statements: list[Statement], controller: str) -> None:
    headed = _recipient_headings(doc, statements)
    row_recipients = _row_named_recipients(doc, statements)
    edges: dict[tuple[str, str], set[int]] = defaultdict(set)  # (sender, country) -> units stating it
    for st in statements:
        if not st.affirmed:
            continue
        dests = [m for m in st.having(Role.DESTINATION) if _third_country(m)]
        if not dests:
            continue
        u = doc.units[st.unit]
        named = [m for m in st.having(Role.RECIPIENT) if _named(m)]
        if not named and u.table >= 0:
            named = row_recipients.get((u.table, u.row), [])
        for c in dests:
            country = node_id(Kind.COUNTRY, c.concept)
            if not b.has(country):
                continue
            if named:
                for r in named:
                    edges[(node_id(Kind.RECIPIENT, r.concept), country)].add(st.unit)
                    b.add_link(node_id(Kind.RECIPIENT, r.concept), country, Relation.TRANSFERRED_TO, Status.STATED,
                               [b.evidence(st.unit, "transfer:recipient")], read_as="statement", confidence=0.85)
            elif under := headed.get(u.section):
                for r, hunit in under:
                    note = f"'{doc.text[c.start:c.end]}' is listed under the heading naming '{doc.text[r.start:r.end]}'"
                    edges[(node_id(Kind.RECIPIENT, r.concept), country)].add(st.unit)
                    b.add_link(node_id(Kind.RECIPIENT, r.concept), country, Relation.TRANSFERRED_TO, Status.INFERRED,
                               [b.evidence(hunit, "transfer:recipient-heading", note),
                                b.evidence(st.unit, "transfer:recipient-heading", note)],
                               read_as="heading scope", confidence=0.7)
            else:
                edges[(controller, country)].add(st.unit)
                b.add_link(controller, country, Relation.TRANSFERRED_TO, Status.STATED,
                           [b.evidence(st.unit, "transfer:controller")], read_as="statement", confidence=0.85)
    unnamed = _unnamed_destinations(b, statements, controller)
    edge_safeguards = _safeguards(b, doc, statements, {**edges, **unnamed})
    annotate_transfers(b, {k: v for k, v in edge_safeguards.items() if k not in unnamed})


def _unnamed_destinations(b: Builder, statements: list[Statement], controller: str) -> dict[tuple[str, str], set[int]]:
    """'Outside the EEA' with no country named: a fact (country ZZ, "third countries, not named") with
    the safeguards stated for it, but no transfer edge: there is no destination to count or check."""
    out: dict[tuple[str, str], set[int]] = defaultdict(set)
    for st in statements:
        if st.affirmed and not any(_third_country(m) for m in st.having(Role.DESTINATION)):
            for m in st.mentions:
                if m.kind is Kind.COUNTRY and _unnamed(m):
                    nid = b.add_concept(b.known(Kind.COUNTRY, m.concept), b.evidence(st.unit, "transfer:unnamed-destination"))
                    out[(controller, nid)].add(st.unit)
    return out


def _recipient_headings(doc: PolicyDocument, statements: list[Statement]) -> dict[int, list[tuple[Mention, int]]]:
    """Sections whose heading is a named recipient: what is listed under it is about that recipient."""
    out: dict[int, list[tuple[Mention, int]]] = defaultdict(list)
    for st in statements:
        u = doc.units[st.unit]
        if u.kind == "heading":
            for m in st.mentions:
                if m.kind is Kind.RECIPIENT and _named(m):
                    out[u.section].append((m, st.unit))
    return out


def _row_named_recipients(doc: PolicyDocument, statements: list[Statement]) -> dict[tuple[int, int], list[Mention]]:
    out: dict[tuple[int, int], list[Mention]] = defaultdict(list)
    for st in statements:
        u = doc.units[st.unit]
        if u.table >= 0 and st.affirmed:
            out[(u.table, u.row)].extend(m for m in st.having(Role.RECIPIENT) if _named(m))
    return out


def _safeguards(b: Builder, doc: PolicyDocument, statements: list[Statement],
                edges: dict[tuple[str, str], set[int]]) -> dict[tuple[str, str], set[str]]:
    """The safeguards of each transfer edge, and safeguarded_by links from each destination."""
    stated: dict[int, list[tuple[Mention, int]]] = defaultdict(list)  # unit -> safeguards of its statement
    by_row: dict[tuple[int, int], list[tuple[Mention, int]]] = defaultdict(list)
    by_section: dict[int, list[tuple[Mention, int]]] = defaultdict(list)
    by_paragraph: dict[int, list[tuple[Mention, int]]] = defaultdict(list)
    for st in statements:
        if not st.affirmed:
            continue
        u = doc.units[st.unit]
        for m in st.having(Role.SAFEGUARD):
            stated[st.unit].append((m, st.unit))
            if u.table >= 0:
                by_row[(u.table, u.row)].append((m, st.unit))
            by_section[u.section].append((m, st.unit))
            by_paragraph[u.paragraph].append((m, st.unit))
    out: dict[tuple[str, str], set[str]] = {}
    for (sender, country), units in edges.items():
        key = b.facts[country]["key"]
        found: set[str] = set()
        for ui in units:
            u = doc.units[ui]
            own = stated.get(ui, []) + (by_row.get((u.table, u.row), []) if u.table >= 0 else [])
            for s, sunit in own:
                if covers(s.concept, key):
                    found.add(s.concept)
                    b.add_link(country, node_id(Kind.SAFEGUARD, s.concept), Relation.SAFEGUARDED_BY, Status.STATED,
                               [b.evidence(sunit, "transfer:safeguard")], read_as="statement", confidence=0.85)
            scoped = [("paragraph", x) for x in by_paragraph.get(u.paragraph, [])]
            scoped += [("section", x) for x in (by_section.get(u.section, []) if u.section >= 0 else [])]
            for where, (s, sunit) in scoped:
                if s.concept in found or not covers(s.concept, key):
                    continue
                found.add(s.concept)
                note = (f"safeguard '{doc.text[s.start:s.end]}' is stated in the same {where} as the transfer to "
                        f"'{b.facts[country]['label']}', for the transfers that {where} describes")
                b.add_link(country, node_id(Kind.SAFEGUARD, s.concept), Relation.SAFEGUARDED_BY, Status.INFERRED,
                           [b.evidence(ui, "transfer:safeguard-section", note), b.evidence(sunit, "transfer:safeguard-section", note)],
                           read_as="section scope", confidence=0.7)
        out[(sender, country)] = found
    return out


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
