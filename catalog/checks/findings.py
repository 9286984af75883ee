"""A finding and how one is made: the record every risk check returns, and the helpers they share.

A finding names its check, severity, organisation, policy versions, the facts behind it with
their evidence, and which of those facts no version states (read as inferred): `make_finding`
drops a "high" to "medium" when any is. Pure functions of the processing graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx

from catalog.graph.build import read_as_inferred

#: Check metadata: id -> (severity when every fact behind it is stated, what it means).
CHECKS: dict[str, tuple[str, str]] = {
    "transfer-no-safeguard": ("high", "Transfer to a third country without an adequacy decision and without a safeguard (Art. 44-46)"),
    "undeclared-transfer": ("high", "Named recipient based outside the EEA, but the policy declares no transfer to its country"),
    "special-category-no-art9": ("high", "Special-category data without an Art. 9(2) condition"),
    "special-category-legitimate-interests": ("high", "Special-category data on legitimate interests, which is no Art. 9(2) condition"),
    "scc-repealed-decision": ("medium", "SCCs cited by a repealed Commission decision instead of Implementing Decision (EU) 2021/914"),
    "art49-routine-transfer": ("medium", "Routine transfers relying on an Art. 49 derogation (for occasional transfers only)"),
    "special-category-minors": ("medium", "Special-category data of children (Art. 8, Art. 9, Recital 38)"),
    "purpose-no-legal-basis": ("medium", "Purpose without an Art. 6 legal basis"),
    "legitimate-interest-undescribed": ("medium", "Legitimate interests claimed without the interest described (Art. 13(1)(d))"),
    "category-no-retention": ("medium", "Data category without a retention period or criterion (Art. 13(2)(a))"),
    "controller-outside-eea": ("medium", "Controller established outside the EEA: an Art. 27 EU representative is needed"),
}

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class Finding:
    """One thing to act on: which check, how bad, about whom, which facts, and the text they come from.

    `inferred` lists the facts behind the finding that no version states (read as inferred): a
    finding resting on any of them is never "high".
    """

    id: str
    check: str
    severity: str
    title: str
    detail: str
    facts: tuple[str, ...]
    evidence: tuple[dict[str, Any], ...]
    policy_ids: tuple[str, ...]
    organisation: str = ""
    inferred: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("facts", "evidence", "policy_ids", "inferred"):
            d[k] = list(d[k])
        return d


# ---------------------------------------------------------------- helpers


def nodes_of(G: nx.MultiDiGraph, kind: str) -> list[str]:
    return sorted(n for n, k in G.nodes(data="kind") if k == kind)


def ps_of(data: dict[str, Any]) -> set[str]:
    return set(data.get("policy_ids", ()))


def edges_of(G: nx.MultiDiGraph, relation: str, out_of: str | None = None, into: str | None = None):
    """(u, v, data) of one relation, optionally only out of or into one node."""
    it = G.out_edges(out_of, keys=True, data=True) if out_of else G.in_edges(into, keys=True, data=True) if into \
        else G.edges(keys=True, data=True)
    return [(u, v, d) for u, v, k, d in it if k == relation]


def attrs_in(d: dict[str, Any], p: str) -> dict[str, Any]:
    """An edge's (or node's) attributes as version p states them (the merged ones otherwise)."""
    return d.get("by_policy", {}).get(p, d.get("attrs", {}))


def country_code(G: nx.MultiDiGraph, country: str) -> str:
    return str(G.nodes[country].get("key") or G.nodes[country].get("ident", ""))


def versions_of(G: nx.MultiDiGraph) -> list[str]:
    return sorted(G.graph.get("policies", {})) or sorted({p for _, ps in G.nodes(data="policy_ids") for p in ps or ()})


def evidence_from(G: nx.MultiDiGraph, items: Iterable[str | tuple[str, str, str]], policies: set[str], limit: int = 6) -> tuple[dict, ...]:
    """Evidence of nodes or edges (u, v, relation), only from the versions the finding is about."""
    out: list[dict] = []
    for it in items:
        data = G.edges[it] if isinstance(it, tuple) else G.nodes[it]
        seen: set[str] = set()
        for e in data.get("evidence", []):
            if e["policy_id"] in policies and e["policy_id"] not in seen and e not in out:
                seen.add(e["policy_id"])  # one quote per fact and version is enough to find it
                out.append(e)
    return tuple(out[:limit])


def label_of(G: nx.MultiDiGraph, n: str) -> str:
    return G.nodes[n]["label"] if n in G else n


def _item_name(G: nx.MultiDiGraph, it: str | tuple[str, str, str]) -> str:
    return f"{it[0]}|{it[2]}|{it[1]}" if isinstance(it, tuple) else it


def mentioned_only(G: nx.MultiDiGraph, n: str, policies: set[str]) -> bool:
    """True when no version among `policies` links the fact to any other: the policy names it (in a
    definition, a negation, a pointer to another notice...) but says nothing of how it is processed."""
    edges = [*G.in_edges(n, data=True), *G.out_edges(n, data=True)]
    return not any(policies & ps_of(d) for *_, d in edges)


#: One step down: what a finding on a weaker reading is worth.
LOWER = {"high": "medium", "medium": "low", "low": "low"}
MENTIONED_ONLY = " It is only mentioned: no statement of the policy links it to another fact, so check whether it is processed at all."


def make_finding(G: nx.MultiDiGraph, check: str, subject: str, detail: str, facts: Iterable[str], policies: set[str],
                 evidence_of: Iterable[str | tuple[str, str, str]] = (), severity: str | None = None,
                 evidence: tuple[dict, ...] | None = None, about: str = "") -> Finding:
    """A finding whose severity follows how its facts were read: "high" drops to "medium" when a fact
    or link behind it is only inferred, and a finding about the absence of something on a fact the
    policy merely mentions (`about`: that fact; see mentioned_only) is one step lower."""
    sev, title = CHECKS[check]
    facts = tuple(dict.fromkeys(facts))
    behind = list(dict.fromkeys([*facts, *evidence_of]))
    inferred = tuple(_item_name(G, it) for it in behind
                     if read_as_inferred(G.edges[it] if isinstance(it, tuple) else G.nodes[it], policies))
    severity = severity or sev
    if severity == "high" and inferred:
        severity = "medium"
    if about and mentioned_only(G, about, policies):
        severity, detail = LOWER[severity], detail + MENTIONED_ONLY
    return Finding(id=f"{check}:{subject}", check=check, severity=severity, title=title, detail=detail,
                   facts=facts, evidence=evidence if evidence is not None else evidence_from(G, behind, policies),
                   policy_ids=tuple(sorted(policies)), inferred=inferred)
