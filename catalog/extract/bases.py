"""Legal bases inferred through the purpose hierarchy (a narrower purpose under a broader one the
policy ties to a basis), and purposes the policy gives as examples of a basis."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace

from catalog.extract.builder import Builder
from catalog.records import Relation, Status, split_node_id

EXAMPLE_CUE = re.compile(r"\b(for example|for instance|e\.g\.|such as|including)\b", re.IGNORECASE)


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
