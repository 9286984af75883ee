"""Exports of the catalog. `to_*` build the data (pure); `write_*` put it in a file.

The JSON export is a contract other tools rely on:
{"policies": [{"id", "title", "effective_date", "source", ..., "origin"?: {"repository", "path", "commit", "committed_at"}}],
 "nodes": [{"id", "kind", "label", "key", "policy_ids", "evidence": [...], "attrs"}],
 "edges": [{"source", "target", "relation", "status", "policy_ids", "evidence": [...], "attrs"}],
 "processing_activities": [{<ICO ROPA column>: text, ..., "purpose_id", "data_use", "provenance", ...}]}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx

SCHEMA_VERSION = "1"


def to_json(G: nx.MultiDiGraph) -> dict[str, Any]:
    """The graph as the JSON export's dictionary, in a stable order."""
    policies = sorted(G.graph.get("policies", {}).values(), key=lambda p: (p["publisher"], p["effective_date"] or "", p["id"]))
    nodes = []
    for n in sorted(G.nodes):
        d = G.nodes[n]
        nodes.append({
            "id": n, "kind": d["kind"], "label": d["label"], "key": d["key"] or None,
            "policy_ids": d["policy_ids"], "evidence": d["evidence"], "attrs": d["attrs"],
            **_review(d),
        })
    edges = []
    for u, v, k in sorted(G.edges(keys=True)):
        d = G.edges[u, v, k]
        edges.append({
            "source": u, "target": v, "relation": d["relation"], "status": d["status"],
            "policy_ids": d["policy_ids"], "evidence": d["evidence"], "attrs": d["attrs"],
            **_review(d),
        })
    from catalog.export.ropa import ropa_rows  # the ROPA rows (Art. 30 processing activities) sit on top of the graph

    return {"schema_version": SCHEMA_VERSION, "policies": policies, "nodes": nodes, "edges": edges,
            "processing_activities": ropa_rows(G)}


def _review(d: dict[str, Any]) -> dict[str, Any]:
    """A DPO's decision in force on a node or edge (see catalog.store.review), when there is one."""
    return {"review": d["review"]} if d.get("review") else {}


def write_json(path: str | Path, data: dict[str, Any]) -> Path:
    """Write JSON atomically (a reader never sees half a file)."""
    from catalog.export.files import write_text_atomically

    return write_text_atomically(path, json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
