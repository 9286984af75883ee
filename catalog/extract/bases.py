"""Legal bases inferred through the purpose hierarchy (a narrower purpose under a broader one the
policy ties to a basis), and purposes the policy gives as examples of a basis."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace

from catalog.extract.builder import Builder
from catalog.records import Kind, Relation, Status, split_node_id

EXAMPLE_CUE = re.compile(r"\b(for example|for instance|e\.g\.|such as|including)\b", re.IGNORECASE)


def inherit_bases(b: Builder) -> None:
    """A purpose narrower than one given as an example of a basis inherits that basis (inferred), unless the
    policy states a basis for it.

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
            # a purpose the policy gives a basis of its own ("To protect our services" under "For our legitimate
            # business interests") inherits nothing
            if p == s or not narrow.startswith(broad + ".") or stated_bases.get(p):
                continue
            link = b.links[(s, t, Relation.BASED_ON.value)]
            note = (f"'{b.facts[p]['label']}' is a kind of '{b.facts[s]['label']}', which the policy ties to "
                    f"'{b.facts[t]['label']}'")
            first = next(iter(b.facts[p]["evidence"].values()))
            evidence = [replace(ev, rule="narrower-purpose", note=note) for ev in list(link["evidence"].values())[:1]]
            evidence.append(replace(first, rule="narrower-purpose", note=note))
            b.add_link(p, t, Relation.BASED_ON, Status.INFERRED, evidence)


def implied_bases(b: Builder) -> None:
    """A purpose that is itself the content of a basis (complying with a legal obligation, protecting
    someone's vital interests) rests on that basis where the policy states the basis at all (inferred).
    The pairing is vocabulary (`implies_basis` in purpose.yaml)."""
    for nid, fact in list(b.facts.items()):
        if fact["kind"] is not Kind.PURPOSE:
            continue
        basis = fact["attrs"].get("implies_basis")
        target = f"legal_basis:{basis}" if basis else ""
        if not target or target not in b.facts:
            continue
        note = (f"'{fact['label']}' is by its nature processing under '{b.facts[target]['label']}', "
                f"a basis this policy states")
        first_p = next(iter(fact["evidence"].values()))
        first_b = next(iter(b.facts[target]["evidence"].values()))
        b.add_link(nid, target, Relation.BASED_ON, Status.INFERRED,
                   [replace(first_p, rule="implied-basis", note=note), replace(first_b, rule="implied-basis", note=note)],
                   read_as="inferred", confidence=0.6)
