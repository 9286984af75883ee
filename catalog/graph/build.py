"""The processing graph: a networkx MultiDiGraph derived from stored extractions, never edited by hand.

Nodes are namespaced (`data_category:user.financial.bank_account`) and carry kind, label, key,
the policy versions that state them and their evidence; edges are keyed by relation and carry
status, policy ids, evidence and the relation's attributes (a transfer's safeguards and SCC flag).
A fact stated by several versions is one node with every version's evidence.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from catalog.records import Extraction, Status

_LIST_ATTRS = {"safeguards", "contacts"}


def _merge_attrs(into: dict[str, Any], attrs: dict[str, Any]) -> None:
    for k, v in attrs.items():
        if k in _LIST_ATTRS and isinstance(v, list):
            cur = into.setdefault(k, [])
            cur.extend(x for x in v if x not in cur)
        elif isinstance(v, bool) and isinstance(into.get(k), bool):
            into[k] = into[k] or v
        else:
            into.setdefault(k, v)


def to_graph(extractions: Iterable[Extraction]) -> nx.MultiDiGraph:
    """Pure: extractions to the processing graph (one node per fact, one edge per relation)."""
    G = nx.MultiDiGraph()
    policies: dict[str, dict[str, Any]] = {}
    for x in extractions:
        d = x.policy
        pid = d.id
        policies[pid] = {"id": pid, "title": d.title, "publisher": d.publisher,
                         "effective_date": d.effective_date.isoformat() if d.effective_date else None,
                         "source": d.source, "content_hash": d.content_hash}
        if d.origin:  # read from a versions repository: exactly which commit of which file
            policies[pid]["origin"] = {"repository": d.origin.repository, "path": d.origin.path,
                                       "commit": d.origin.commit, "committed_at": d.origin.committed_at.isoformat()}
        for f in x.facts:
            if f.id not in G:
                G.add_node(f.id, kind=f.kind.value, label=f.label, key=f.key, ident=f.ident,
                           policy_ids=[], evidence=[], attrs={}, by_policy={})
            n = G.nodes[f.id]
            n["policy_ids"].append(pid)
            n["evidence"].extend(e.to_dict() for e in f.evidence)
            n["by_policy"][pid] = f.attrs
            _merge_attrs(n["attrs"], f.attrs)
        for ln in x.links:
            key = ln.relation.value
            if not G.has_edge(ln.source, ln.target, key):
                G.add_edge(ln.source, ln.target, key=key, relation=key, status=ln.status.value,
                           policy_ids=[], evidence=[], attrs={}, by_policy={})
            e = G.edges[ln.source, ln.target, key]
            e["policy_ids"].append(pid)
            e["evidence"].extend(ev.to_dict() for ev in ln.evidence)
            e["by_policy"][pid] = {"status": ln.status.value, **ln.attrs}
            if ln.status is Status.STATED:
                e["status"] = Status.STATED.value
            _merge_attrs(e["attrs"], ln.attrs)
    for _, data in G.nodes(data=True):
        data["policy_ids"] = sorted(set(data["policy_ids"]))
    for _, _, data in G.edges(data=True):
        data["policy_ids"] = sorted(set(data["policy_ids"]))
    G.graph["policies"] = policies
    return G


def nodes_of_kind(G: nx.MultiDiGraph, kind: str) -> list[str]:
    return sorted(n for n, k in G.nodes(data="kind") if k == kind)


def restrict(G: nx.MultiDiGraph, policy_id: str) -> nx.MultiDiGraph:
    """The subgraph one policy version states (nodes and edges whose policy_ids include it)."""
    H = nx.MultiDiGraph()
    H.graph["policies"] = {k: v for k, v in G.graph.get("policies", {}).items() if k == policy_id}
    for n, data in G.nodes(data=True):
        if policy_id in data["policy_ids"]:
            H.add_node(n, **data)
    for u, v, k, data in G.edges(keys=True, data=True):
        if policy_id in data["policy_ids"] and u in H and v in H:
            H.add_edge(u, v, key=k, **data)
    return H


#: How a fact was read when the extractor does not say (`read_as` in its attrs): from its status.
READ_AS_BY_STATUS = {"stated": "statement", "inferred": "inferred", "reviewed": "added by the DPO"}
INFERRED = "inferred"


def reading(data: dict[str, Any], policy_id: str = "") -> tuple[str, float | None]:
    """How one version read a node or edge: (read_as, confidence).

    `read_as` ("table row", "statement", "list item", "heading scope", "section scope", "inferred")
    and `confidence` (0..1) come from the fact's or link's attrs when the extractor sets them;
    otherwise read_as follows the link's status (stated: "statement", inferred: "inferred") and
    confidence is None (not measured).
    """
    by_policy = data.get("by_policy") or {}
    attrs: dict[str, Any] = by_policy[policy_id] if policy_id and policy_id in by_policy else data.get("attrs") or {}
    read_as = attrs.get("read_as")
    if not read_as:
        status = attrs.get("status") or data.get("status") or "stated"
        read_as = READ_AS_BY_STATUS.get(str(status), str(status))
    confidence = attrs.get("confidence")
    return str(read_as), (float(confidence) if confidence is not None else None)


def read_as_inferred(data: dict[str, Any], policy_ids: Iterable[str]) -> bool:
    """True when no version among policy_ids states the node or edge: every one read it as inferred, or
    linked it only through an inference (a heading's scope, a reference to a sentence before, a hierarchy)."""
    ids = [p for p in policy_ids if p in (data.get("policy_ids") or ())] or [""]
    return all(_inferred_in(data, p) for p in ids)


def _inferred_in(data: dict[str, Any], policy_id: str) -> bool:
    by_policy = data.get("by_policy") or {}
    attrs: dict[str, Any] = by_policy[policy_id] if policy_id and policy_id in by_policy else data.get("attrs") or {}
    status = attrs.get("status") or data.get("status")
    return status == INFERRED or reading(data, policy_id)[0] == INFERRED or bool(attrs.get("inferred"))


def in_scope(G: nx.MultiDiGraph, policy_ids: Iterable[str]) -> set[str]:
    """The versions among policy_ids that this graph is about (a `restrict`ed graph keeps its nodes' full lists)."""
    known = G.graph.get("policies")
    return set(policy_ids) & set(known) if known else set(policy_ids)
