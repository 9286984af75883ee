"""Display names: kinds, facts, links and review decisions as a DPO reads them."""

from __future__ import annotations

from typing import Any

import networkx as nx

KIND_LABELS = {
    "controller": "Controller", "data_subject": "Data subject", "data_category": "Data category",
    "purpose": "Purpose", "legal_basis": "Legal basis", "recipient": "Recipient", "country": "Country",
    "safeguard": "Safeguard", "retention": "Retention", "right": "Right", "cookie": "Cookie",
}


#: Article 30(1) fields as catalog.checks.risks.completeness names them.
FIELD_LABELS = {
    "controller_contact": "Controller contact", "purpose": "Purpose", "subjects": "Data subjects",
    "categories": "Data categories", "recipients": "Recipients", "transfers": "Transfers", "retention": "Retention",
    "legal_basis": "Legal basis",
}


def versions_text(policy_ids: list[str], limit: int = 3) -> str:
    """A list of versions short enough for a cell: all of them, or how many, the first and the last."""
    ids = list(policy_ids)
    if len(ids) <= limit:
        return ", ".join(ids)
    return f"{len(ids)} versions: {ids[0]} … {ids[-1]}"


def finding_scope(finding: dict[str, Any], policies: list[dict[str, Any]]) -> str:
    """Which organisation(s) and version(s) a finding is about, e.g. "Alibaba.com · alibaba-com-2018-05-25"."""
    ids = sorted(finding.get("policy_ids") or [])
    by_id = {p["id"]: p for p in policies}
    orgs = sorted({by_id[i]["publisher"] or by_id[i]["organisation"] for i in ids if i in by_id})
    return f"{', '.join(orgs) or 'unknown organisation'} · {versions_text(ids) or 'no version'}"


def label(G: nx.MultiDiGraph, nid: str) -> str:
    return G.nodes[nid].get("label", nid) if nid in G else nid


def node_option(G: nx.MultiDiGraph, nid: str) -> str:
    d = G.nodes[nid] if nid in G else {}
    return f"{d.get('label', nid)} ({KIND_LABELS.get(d.get('kind', ''), d.get('kind', ''))})"


def edge_option(G: nx.MultiDiGraph, target: str) -> str:
    s, r, t = target.split("|")
    return f"{label(G, s)} —{r.replace('_', ' ')}→ {label(G, t)}"


def target_option(G: nx.MultiDiGraph, target: str) -> str:
    return edge_option(G, target) if target.count("|") == 2 else node_option(G, target)


def review_text(review: dict[str, Any] | None) -> str:
    if not review:
        return ""
    at = str(review.get("at", ""))[:16].replace("T", " ")
    return f"{review['decision']} by {review['reviewer']} ({at})"


def cell(v: Any) -> Any:
    """A value as one table cell: lists joined with "; ", dicts as "key: value" pairs."""
    if isinstance(v, (list, tuple, set)):
        return "; ".join(str(x) for x in v)
    if isinstance(v, dict):
        return "; ".join(f"{k}: {x}" for k, x in v.items())
    return v
