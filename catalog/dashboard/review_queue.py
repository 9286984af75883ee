"""The review queue: every fact and link of the scope, riskiest and least sure first (pure).

Risk is the severity of the findings that name the item (catalog.checks.risks: a link is named when a finding
names both its ends); sureness is the extractor's confidence, else the stand-in of the link's status
(catalog.dashboard.reading). Reviewed items stay in the queue, counted as done.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from catalog.dashboard import reading
from catalog.dashboard.labels import KIND_LABELS, target_option

#: Severity -> rank; items no finding names come after every severity.
RISK_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
NO_RISK = "none"


def risks_by_target(findings: Iterable[dict[str, Any]], G: nx.MultiDiGraph) -> dict[str, str]:
    """target (node id or source|relation|target) -> the most severe finding's severity naming it."""
    best: dict[str, str] = {}

    def note(target: str, severity: str) -> None:
        if RISK_RANK.get(severity, 9) < RISK_RANK.get(best.get(target, ""), 9):
            best[target] = severity

    for f in findings:
        facts = set(f.get("facts") or ())
        severity = str(f.get("severity", "")).lower()
        for n in facts:
            note(n, severity)
        for n in facts:
            if n not in G:
                continue
            for _, v, k in G.out_edges(n, keys=True):
                if v in facts:
                    note(f"{n}|{k}|{v}", severity)
    return best


def queue(G: nx.MultiDiGraph, findings: Iterable[dict[str, Any]], policy_id: str = "") -> list[dict[str, Any]]:
    """One row per fact and link: target, label, kind, risk, read as, confidence, sureness, versions, decision.

    Ordered by risk (most severe first), then lowest sureness, then facts before links, then label.
    """
    risk = risks_by_target(findings, G)
    items: list[tuple[str, str, dict[str, Any]]] = [(n, d.get("kind", ""), d) for n, d in G.nodes(data=True)]
    items += [(f"{u}|{k}|{v}", "link", d) for u, v, k, d in G.edges(keys=True, data=True)]
    rows = []
    for target, kind, d in items:
        own = reading.confidence(d, policy_id)
        review = d.get("review") or {}
        rows.append({
            "target": target, "label": target_option(G, target), "kind": KIND_LABELS.get(kind, kind),
            "risk": risk.get(target, NO_RISK), "read_as": reading.read_as(d, policy_id),
            "confidence": own, "sureness": reading.sureness(d, policy_id),
            "versions": list(d.get("policy_ids", [])), "decision": review.get("decision", ""),
            "done": bool(review),
        })
    rows.sort(key=lambda r: (RISK_RANK.get(r["risk"], 9), r["sureness"], r["kind"] == "link", r["label"].lower()))
    return rows


def next_left(rows: list[dict[str, Any]], after: str) -> str | None:
    """The first item left to review after `after` in queue order (wrapping round), or None when all are done."""
    targets = [r["target"] for r in rows]
    start = targets.index(after) + 1 if after in targets else 0
    for r in rows[start:] + rows[:start]:
        if not r["done"] and r["target"] != after:
            return r["target"]
    return None
