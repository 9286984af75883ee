"""Display names: kinds, facts, links and review decisions as a DPO reads them."""

from __future__ import annotations

from typing import Any

import networkx as nx

KIND_LABELS = {
    "controller": "Controller", "data_subject": "Data subject", "data_category": "Data category",
    "purpose": "Purpose", "legal_basis": "Legal basis", "recipient": "Recipient", "country": "Country",
    "safeguard": "Safeguard", "retention": "Retention", "right": "Right", "cookie": "Cookie",
}


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
