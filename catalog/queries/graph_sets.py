"""The graphs the analyst questions are asked of: one per policy version, one per vendor, and a node's label.

A merged graph unions each edge's attributes (a transfer's safeguards) over every version that
states it, so a per-version or per-vendor question is asked of its own graph (`graphs_by_policy`,
`graphs_by_vendor`) rather than of the merged graph restricted. Pure functions over Extraction
records and graphs built by `catalog.graph.build.to_graph`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import PurePath

import networkx as nx

from catalog.graph.build import to_graph
from catalog.records import Extraction, Kind


def label(G: nx.MultiDiGraph, node: str) -> str:
    """The node's label, or its id when it has none."""
    return (G.nodes[node].get("label") or node) if node in G else node


def graphs_by_policy(extractions: Iterable[Extraction]) -> dict[str, nx.MultiDiGraph]:
    """One graph per policy version, in the order given (attributes exactly as that version states them)."""
    return {x.policy.id: to_graph([x]) for x in extractions}


def source_stem(x: Extraction) -> str:
    """The name of the file a policy version was read from, without its suffix (the dev set's app id)."""
    return PurePath(x.policy.source).stem if x.policy.source else x.policy.id


def _squashed(s: str) -> str:
    return re.sub(r"[\W_]+", "", s).casefold()


def vendor_name(x: Extraction) -> str:
    """Who published a policy: its publisher, or the file's stem when ingest found no publisher but
    the file name (the dev set's app policies, e.g. `com.bandaina`)."""
    publisher = x.policy.publisher.strip()
    stem = source_stem(x)
    if not publisher or _squashed(publisher).startswith(_squashed(stem)):
        return stem
    return publisher


def graphs_by_vendor(extractions: Iterable[Extraction], name: Callable[[Extraction], str] = vendor_name) -> dict[str, nx.MultiDiGraph]:
    """One graph per vendor (all of its versions merged), keyed by `name(extraction)`, in first-seen order."""
    groups: dict[str, list[Extraction]] = {}
    for x in extractions:
        groups.setdefault(name(x), []).append(x)
    return {k: to_graph(v) for k, v in groups.items()}


def kind_counts(G: nx.MultiDiGraph) -> dict[str, int]:
    """Nodes per kind, every kind present (0 when the graph has none)."""
    out = {k.value: 0 for k in Kind}
    for _, kind in G.nodes(data="kind"):
        out[kind] = out.get(kind, 0) + 1
    return out
