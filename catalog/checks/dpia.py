"""Does a processing activity need a DPIA? The indicators a privacy policy shows, with their reasons.

Pure functions of one policy version's graph. The criteria are data (lexicons/dpia.yaml: GDPR
Art. 35(3) and the nine criteria of WP248 rev.01); an activity meeting `likely_at` of them (two)
is likely to need an assessment, one is a reason to assess, none leaves the question to the DPO.
The answer fills the ICO template's "Data Protection Impact Assessment required?" column and the
`dpia-indicated` finding, each naming the facts that meet each criterion.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import networkx as nx

from catalog.records import Kind, Relation
from catalog.vocabulary import read_yaml


@dataclass(frozen=True)
class Indicator:
    """One DPIA criterion an activity meets: which, where it is in the law, and the facts that meet it."""

    criterion: str
    label: str
    reference: str
    facts: tuple[str, ...]
    labels: tuple[str, ...]


@functools.cache
def _criteria() -> tuple[tuple[dict[str, Any], ...], int]:
    data = read_yaml("dpia.yaml")
    return tuple(data["criteria"]), int(data.get("likely_at", 2))


def likely_at() -> int:
    """How many criteria make a DPIA likely to be required (WP248: two)."""
    return _criteria()[1]


def _matches(ident: str, prefixes: list[str]) -> bool:
    return any(ident == p or ident.startswith(p + ".") for p in prefixes)


def _ident(H: nx.MultiDiGraph, n: str) -> str:
    return str(H.nodes[n].get("ident") or n.partition(":")[2])


def activity_facts(H: nx.MultiDiGraph, purpose: str) -> dict[str, list[str]]:
    """The facts of one activity by kind: its purpose, the categories processed for it, their
    subjects, and the recipients of the purpose or its categories."""
    cats = [u for u, _, k in H.in_edges(purpose, keys=True) if k == Relation.PROCESSED_FOR
            and H.nodes[u]["kind"] == Kind.DATA_CATEGORY]
    subjects = [u for c in cats for u, _, k in H.in_edges(c, keys=True) if k == Relation.PROVIDES]
    recipients = [v for src in [purpose, *cats] for _, v, k in H.out_edges(src, keys=True) if k == Relation.DISCLOSED_TO]
    return {"purposes": [purpose], "data_categories": sorted(set(cats)), "data_subjects": sorted(set(subjects)),
            "recipients": sorted(set(recipients))}


def indicators(H: nx.MultiDiGraph, purpose: str) -> list[Indicator]:
    """The DPIA criteria one activity (a purpose in a one-version graph) meets, in the data file's order."""
    facts = activity_facts(H, purpose)
    out = []
    for c in _criteria()[0]:
        hit: list[str] = []
        for field in ("purposes", "data_categories", "data_subjects", "recipients"):
            hit += [n for n in facts[field] if _matches(_ident(H, n), c.get(field, []))]
        if c.get("special_category"):
            hit += [n for n in facts["data_categories"] if H.nodes[n].get("attrs", {}).get("special_category")]
        hit = list(dict.fromkeys(hit))
        if hit:
            out.append(Indicator(c["id"], c["label"], c["reference"], tuple(hit),
                                 tuple(H.nodes[n]["label"] for n in hit)))
    return out


def reasons(found: list[Indicator]) -> str:
    """The criteria met, each with the facts that meet it: 'special-category data (Health data; ...)'."""
    return "; ".join(f"{i.label} ({', '.join(i.labels)}) [{i.reference}]" for i in found)


def dpia_text(found: list[Indicator]) -> str:
    """The ICO column's value: likely, to assess, or "" (no indicator: the DPO decides)."""
    if len(found) >= likely_at():
        return f"Likely required: {len(found)} DPIA criteria met: {reasons(found)}. Scale is for the DPO to judge."
    if found:
        return f"To assess: 1 DPIA criterion met: {reasons(found)}. Likely required if the processing is on a large scale."
    return ""
