"""Edges from co-occurrence: two facts named in one sentence or list item are linked by the
relation schema in relations.yaml; a purpose named as an example of a legal basis is linked
`inferred`, and so is a narrower purpose through the broader one the policy gave as example."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace

from catalog.extract.builder import Builder
from catalog.extract.mentions import Mention
from catalog.records import Kind, Relation, Status, node_id, split_node_id
from catalog.vocabulary import LinkRule, concept, link_rules

EXAMPLE_CUE = re.compile(r"\b(for example|for instance|e\.g\.|such as|including)\b", re.IGNORECASE)


def _allowed(rule: LinkRule, source: Mention, target: Mention) -> bool:
    req = rule.requires
    if "recipient_type" in req:
        rec = source if source.kind is Kind.RECIPIENT else target
        c = concept(Kind.RECIPIENT, rec.concept)
        if c is None or c.attrs.get("type") != req["recipient_type"]:
            return False
    if "target_article" in req:
        c = concept(target.kind, target.concept)
        if c is None or not str(c.attrs.get("article", "")).startswith(req["target_article"]):
            return False
        src = concept(source.kind, source.concept)
        if src is None or not src.attrs.get("special_category"):
            return False
    if rule.relation is Relation.BASED_ON and rule.source is Kind.PURPOSE:
        c = concept(Kind.LEGAL_BASIS, target.concept)
        if c is not None and str(c.attrs.get("article", "")).startswith("9"):
            return False
    return True


def link_cooccurring(b: Builder, mentions: list[Mention]) -> None:
    """Link facts named in the same unit, or in a list item and the sentence that introduces it."""
    by_unit: dict[int, list[Mention]] = defaultdict(list)
    for m in mentions:
        by_unit[m.unit].append(m)
    rules_by_pair: dict[tuple[Kind, Kind], list[LinkRule]] = defaultdict(list)
    for r in link_rules():
        rules_by_pair[(r.source, r.target)].append(r)
    doc = b.doc
    for ui, own in by_unit.items():
        unit = doc.units[ui]
        lead = by_unit.get(unit.lead_in, []) if unit.lead_in >= 0 else []
        own_kinds = {m.kind for m in own}
        # an item that names its own subjects ('health data of end-users') is not about the lead-in's
        lead = [m for m in lead if not (m.kind is Kind.DATA_SUBJECT and Kind.DATA_SUBJECT in own_kinds)]
        candidates = [(m, True) for m in own] + [(m, False) for m in lead]
        seen: set[tuple[str, str, str]] = set()
        for a, a_own in candidates:
            for t, t_own in candidates:
                if not (a_own or t_own):
                    continue  # both in the lead-in: that sentence links them itself
                for rule in rules_by_pair.get((a.kind, t.kind), ()):
                    if not _allowed(rule, a, t):
                        continue
                    src, dst = node_id(a.kind, a.concept), node_id(t.kind, t.concept)
                    if (src, dst, rule.relation.value) in seen or not (b.has(src) and b.has(dst)):
                        continue
                    seen.add((src, dst, rule.relation.value))
                    status, note, rule_name = Status.STATED, "", f"cooccurrence:{rule.relation.value}"
                    evidence = [b.evidence(ui, rule_name)]
                    if not (a_own and t_own):
                        rule_name = f"lead-in:{rule.relation.value}"
                        evidence = [b.evidence(ui, rule_name), b.evidence(unit.lead_in, rule_name)]
                    if (rule.relation is Relation.BASED_ON and a.kind is Kind.PURPOSE and a_own and t_own
                            and t.start < a.start and EXAMPLE_CUE.search(doc.text[t.end : a.start])):
                        status, rule_name = Status.INFERRED, "example-of-basis"
                        note = (f"'{doc.text[a.start:a.end]}' is given as an example of "
                                f"'{doc.text[t.start:t.end]}' in this sentence")
                        evidence = [b.evidence(ui, rule_name, note)]
                    b.add_link(src, dst, rule.relation, status, evidence)


def inherit_bases(b: Builder) -> None:
    """A purpose narrower than one given as an example of a basis inherits that basis (inferred).

    E.g. 'to provide you with the services you request' (essential.service) is the policy's example
    of the contract basis, so payment processing (essential.service.payment_processing) is inferred
    to rest on the contract too, with both quotes as evidence.
    """
    based = [(s, t) for (s, t) in b.links_of(Relation.BASED_ON) if s.startswith("purpose:")]
    purposes = [nid for nid in b.facts if nid.startswith("purpose:")]
    stated_bases: dict[str, set[str]] = defaultdict(set)
    for s, t in based:
        stated_bases[s].add(t)
    for s, t in based:
        broad = split_node_id(s)[1]
        for p in purposes:
            narrow = split_node_id(p)[1]
            if p == s or not narrow.startswith(broad + ".") or t in stated_bases.get(p, set()):
                continue
            link = b.links[(s, t, Relation.BASED_ON.value)]
            note = (f"'{b.facts[p]['label']}' is a kind of '{b.facts[s]['label']}', which the policy ties to "
                    f"'{b.facts[t]['label']}'")
            first = next(iter(b.facts[p]["evidence"].values()))
            evidence = [replace(ev, rule="narrower-purpose", note=note) for ev in list(link["evidence"].values())[:1]]
            evidence.append(replace(first, rule="narrower-purpose", note=note))
            b.add_link(p, t, Relation.BASED_ON, Status.INFERRED, evidence)
