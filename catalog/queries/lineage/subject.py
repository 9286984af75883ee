"""Everything the policy says about one kind of data subject: the start of answering an access request.

`subject_view` gathers, from the subject's downstream lineage and the graph, the controllers, the
categories, purposes, legal bases, recipients, transfers and retention that concern the subject, and
the rights it has, each with the versions that state it and a first quote (the dashboard's view).
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from catalog.graph.build import in_scope
from catalog.queries.lineage.index import controller_nodes, graph_index
from catalog.queries.lineage.rows import transfer_cells
from catalog.queries.lineage.terms import UnknownTerm, suggest
from catalog.queries.lineage.walk import downstream
from catalog.records import Kind, Relation


def subject_view(G: nx.MultiDiGraph, subject_node: str) -> dict[str, Any]:
    """Everything the policy says about one kind of data subject: the start of answering an access request."""
    if subject_node not in G:
        raise UnknownTerm(subject_node, suggest(G, subject_node, (Kind.DATA_SUBJECT,)))
    lin = downstream(G, subject_node)
    sps = in_scope(G, G.nodes[subject_node]["policy_ids"])

    def items(kind: str) -> list[dict[str, Any]]:
        return [{"id": n, "label": lin.nodes[n]["label"], "key": lin.nodes[n]["key"],
                 "policy_ids": lin.nodes[n]["policy_ids"], "quote": _first_quote(G, n)} for n in lin.reached(kind)]

    transfers = [{"from": h.source, "country": h.target, "country_label": lin.label(h.target), **{
        k: v for k, v in transfer_cells(h).items() if k not in ("transferred_by", "country")},
        "status": h.status, "policy_ids": list(h.policy_ids)} for h in lin.hops if h.relation == Relation.TRANSFERRED_TO]
    rights = [{"id": n, "label": G.nodes[n]["label"], "key": G.nodes[n].get("key") or "",
               "policy_ids": sorted(sps & set(G.nodes[n]["policy_ids"])), "quote": _first_quote(G, n)}
              for n, d in sorted(G.nodes(data=True)) if d["kind"] == Kind.RIGHT and sps & set(d["policy_ids"])]
    controllers = [{"id": n, "label": G.nodes[n]["label"], **{k: v for k, v in G.nodes[n]["attrs"].items()}}
                   for n in controller_nodes(G) if sps & set(G.nodes[n]["policy_ids"])]
    return {
        "subject": {"id": subject_node, **_node_info(G, subject_node)},
        "controllers": controllers,
        "categories": items(Kind.DATA_CATEGORY),
        "purposes": items(Kind.PURPOSE),
        "legal_bases": items(Kind.LEGAL_BASIS),
        "recipients": items(Kind.RECIPIENT),
        "transfers": transfers,
        "retention": items(Kind.RETENTION),
        "rights": rights,
        "rows": lin.to_rows(),
    }


def _first_quote(G: nx.MultiDiGraph, n: str) -> str:
    ev = G.nodes[n].get("evidence") or []
    return ev[0]["quote"] if ev else ""


def _node_info(G: nx.MultiDiGraph, n: str) -> dict[str, Any]:
    return graph_index(G).node_info(n)
