"""The Article 30(1) record of processing activities as rows, one per processing activity (a purpose).

Pure functions of the processing graph. Each row is computed per policy version (a hop stated only
by the 2018 version never joins a category stated only by the 2019 one: catalog.export.ropa_cells
fills one version's cells) and then merged, so every item in a cell knows which versions state it
and whether it is stated or inferred. The columns, and what an empty cell reads, are
catalog.export.ropa_columns'; the controller block above the rows is catalog.export.ropa_controller's.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from catalog.checks.transfers import blanket_map
from catalog.export.ropa_cells import activity_items
from catalog.export.ropa_columns import (BUSINESS_FUNCTION, DPO_COLUMNS, FOR_DPO, LEGITIMATE_INTERESTS, NOT_STATED, PURPOSE,
                                         ROPA_COLUMNS)
from catalog.graph.build import restrict
from catalog.records import Kind

ITEM_SEPARATOR = "; "
QUOTE_SEPARATOR = "\n"  # quotes end in their own punctuation; one per line
FOR_THE_DPO = "for the DPO"  # a DPO column's status in a row's provenance when the policy fills nothing


def policy_versions(G: nx.MultiDiGraph) -> list[str]:
    """The graph's policy versions, oldest first (by effective date, then id)."""
    policies = G.graph.get("policies", {})
    ids = sorted(policies, key=lambda p: (policies[p].get("effective_date") or "", p))
    if not ids:  # a graph built without policy metadata: the versions its nodes name
        ids = sorted({p for _, ps in G.nodes(data="policy_ids") for p in ps or ()})
    return ids


def _publisher(G: nx.MultiDiGraph, policy_id: str) -> str:
    return str(G.graph.get("policies", {}).get(policy_id, {}).get("publisher", ""))


def organisation(G: nx.MultiDiGraph, policy_id: str) -> str:
    """The organisation a version belongs to (its publisher's slug: 'Alibaba.com' and 'alibaba.com' are one)."""
    from catalog.ingest.publisher import slug

    return slug(_publisher(G, policy_id)) if _publisher(G, policy_id) else ""


def _status(statuses: set[str]) -> str:
    if not statuses:
        return "not stated"
    return statuses.pop() if len(statuses) == 1 else "stated and inferred"


def ropa_rows(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """One row per processing activity (a purpose of one publisher), its ROPA_COLUMNS cells as text.

    Besides the columns, a row has `purpose_id`, `data_use` (the fideslang key), `controller` (the
    publisher as the newest version spells it), `organisation` (its slug), `policy_ids`, and
    `provenance`: per column, its status (stated, inferred, stated and inferred, derived — the
    business function, from business_function.yaml —, not applicable, not stated), the
    versions stating it, and its items with their own versions, status and the facts behind them.
    An item not stated by every version of the row is suffixed with the versions that state it.
    """
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for pid in policy_versions(G):
        H = restrict(G, pid)
        blankets = blanket_map(H)
        for purpose, kind in H.nodes(data="kind"):
            if kind != Kind.PURPOSE:
                continue
            row = merged.setdefault((organisation(G, pid), purpose),
                                    {"policy_ids": set(), "cells": {}, "publisher": _publisher(G, pid)})
            row["policy_ids"].add(pid)
            row["publisher"] = _publisher(G, pid)  # versions go oldest first: the newest spelling wins
            for col, items in activity_items(H, purpose, blankets).items():
                cell = row["cells"].setdefault(col, {})
                for it in items:
                    entry = cell.setdefault(it.text, {"policy_ids": set(), "statuses": set(), "refs": set()})
                    entry["policy_ids"].add(pid)
                    entry["statuses"].add(str(it.status))
                    if it.ref:
                        entry["refs"].add(it.ref)
    rows = []
    for (org, purpose), row in merged.items():
        versions = sorted(row["policy_ids"])
        out: dict[str, Any] = {}
        provenance: dict[str, Any] = {}
        for col in ROPA_COLUMNS:
            cell = row["cells"].get(col, {})
            entries = [{"text": text, "status": _status(set(e["statuses"])), "policy_ids": sorted(e["policy_ids"]),
                      "facts": sorted(e["refs"])} for text, e in sorted(cell.items())]
            texts = [it["text"] if it["policy_ids"] == versions else f"{it['text']} [{', '.join(it['policy_ids'])}]"
                     for it in entries]
            empty = FOR_DPO if col in DPO_COLUMNS else NOT_STATED
            out[col] = (QUOTE_SEPARATOR if col == LEGITIMATE_INTERESTS else ITEM_SEPARATOR).join(texts) or empty
            provenance[col] = {
                "status": _status({s for e in cell.values() for s in e["statuses"]}) if cell or empty == NOT_STATED
                else FOR_THE_DPO,
                "policy_ids": sorted({p for e in cell.values() for p in e["policy_ids"]}),
                "items": entries,
            }
        node = G.nodes[purpose]
        out.update(purpose_id=purpose, data_use=node.get("key") or "", controller=row["publisher"], organisation=org,
                   policy_ids=versions,
                   provenance=provenance)
        rows.append(out)
    rows.sort(key=lambda r: (r["organisation"], r[BUSINESS_FUNCTION], r[PURPOSE]))
    return rows
