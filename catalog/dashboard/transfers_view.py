"""The rows of the Transfers page: who sends data where, adequacy, safeguards, the SCC flag and a quote."""

from __future__ import annotations

from typing import Any

import networkx as nx

from catalog.dashboard.labels import label, review_text


def transfers(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Every transferred_to edge as a display row: who, where, adequacy, safeguards, SCC, quote, review."""
    from catalog.analysis import SAFEGUARD_SHORT

    rows = []
    for u, v, k, d in sorted(G.edges(keys=True, data=True)):
        if k != "transferred_to":
            continue
        a = d.get("attrs", {})
        ev = d["evidence"][0] if d.get("evidence") else {}
        rows.append({
            "from": label(G, u), "country": f"{label(G, v)} ({G.nodes[v].get('key') or v.split(':')[-1]})",
            "adequacy": a.get("adequacy", ""), "SCC": "yes" if a.get("scc") else "no",
            "safeguards": ", ".join(SAFEGUARD_SHORT.get(s, label(G, f"safeguard:{s}")) for s in a.get("safeguards", [])),
            "status": d.get("status", ""), "versions": ", ".join(d.get("policy_ids", [])),
            "review": review_text(d.get("review")), "quote": ev.get("quote") or ev.get("note", ""),
            "fact": f"{u}|{k}|{v}",
        })
    return rows
