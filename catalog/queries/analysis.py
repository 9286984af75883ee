"""Analyst questions over the processing graph, as pure functions the notebooks call: how far data
reaches, which nodes flows pass through, which purposes rest on which legal basis, who shares with
advertising platforms, what comes and goes over time.

Every function takes a graph (or a mapping of graphs) built by `catalog.graph.build.to_graph` and
returns plain Python data (lists of tuples or dicts) that a notebook turns into a table or a plot.
Nothing here does I/O or draws. The graphs per version or per vendor are catalog.queries.graph_sets';
the questions on transfers are catalog.queries.transfers'.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import networkx as nx

from catalog.graph.build import nodes_of_kind
from catalog.queries.graph_sets import label
from catalog.records import Kind, Relation

if TYPE_CHECKING:
    from catalog.queries.lineage.walk import Lineage

#: The recipient category that stands for advertising platforms in general.
AD_CATEGORY = "recipient:advertising-platforms"


def _id(kind: Kind | str, ident_or_id: str) -> str:
    """Accept either a full node id (`legal_basis:art6-1-f-...`) or the part after the colon."""
    prefix = f"{Kind(kind).value}:"
    return ident_or_id if ident_or_id.startswith(prefix) else prefix + ident_or_id


def _targets(G: nx.MultiDiGraph, node: str, relation: str) -> set[str]:
    return {v for _, v, k in G.out_edges(node, keys=True) if k == relation}


# ---------------------------------------------------------------- reach


def reach_table(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Per data category: the recipients it reaches directly (category -disclosed_to-> recipient) and via
    the purposes it is processed for (category -processed_for-> purpose -disclosed_to-> recipient).

    A path via a purpose counts only if one policy version states both of its hops (as in
    catalog.queries.lineage), so a merged graph of two versions does not join one version's purpose to the
    other's recipients. Sorted by total reach (descending), then id.
    """
    rel_d, rel_p = Relation.DISCLOSED_TO.value, Relation.PROCESSED_FOR.value
    is_recipient = set(nodes_of_kind(G, Kind.RECIPIENT.value))
    rows: list[dict[str, Any]] = []
    for c in nodes_of_kind(G, Kind.DATA_CATEGORY.value):
        direct = {r for r in _targets(G, c, rel_d) if r in is_recipient}
        via: set[str] = set()
        for _, p, k, d1 in G.out_edges(c, keys=True, data=True):
            if k != rel_p:
                continue
            ps = set(d1.get("policy_ids", []))
            via |= {r for _, r, k2, d2 in G.out_edges(p, keys=True, data=True)
                    if k2 == rel_d and r in is_recipient and ps & set(d2.get("policy_ids", []))}
        total = direct | via
        rows.append({
            "data_category": c, "label": label(G, c), "direct": len(direct), "via_purpose": len(via),
            "total": len(total), "recipients": sorted(total),
        })
    rows.sort(key=lambda r: (-r["total"], r["data_category"]))
    return rows


def recipient_reach(G: nx.MultiDiGraph) -> list[tuple[str, int]]:
    """(data category, number of distinct recipients it reaches directly or via purposes), most first."""
    return [(r["data_category"], r["total"]) for r in reach_table(G)]


def recipient_exposure(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """The other side of reach_table: per recipient, how many data categories reach it (directly or via
    a purpose), whether it is named or a category, its role and home country. Most exposed first."""
    got: dict[str, set[str]] = {r: set() for r in nodes_of_kind(G, Kind.RECIPIENT.value)}
    for row in reach_table(G):
        for r in row["recipients"]:
            got[r].add(row["data_category"])
    rows = []
    for r, cats in got.items():
        a = G.nodes[r].get("attrs", {})
        rows.append({"recipient": r, "label": label(G, r), "type": a.get("type", ""), "role": a.get("role", ""),
                     "home_country": a.get("home_country", ""), "data_categories": len(cats)})
    rows.sort(key=lambda x: (-x["data_categories"], x["recipient"]))
    return rows


#: Left-to-right position of each kind in a flow drawing (multipartite layout's `layer`).
FLOW_LAYERS: dict[str, int] = {
    Kind.DATA_SUBJECT.value: 0, Kind.DATA_CATEGORY.value: 1, Kind.PURPOSE.value: 2, Kind.LEGAL_BASIS.value: 3,
    Kind.RECIPIENT.value: 3, Kind.CONTROLLER.value: 3, Kind.COUNTRY.value: 4, Kind.SAFEGUARD.value: 5,
}


def lineage_graph(lineage: Lineage) -> nx.MultiDiGraph:
    """A `catalog.queries.lineage.walk.Lineage` (downstream/upstream answer) as a small graph to draw: its nodes with
    kind and label, its hops as edges keyed by relation, and each node's `layer` (FLOW_LAYERS) for
    `nx.multipartite_layout(H, subset_key="layer")`."""
    H = nx.MultiDiGraph()
    for n, info in lineage.nodes.items():
        H.add_node(n, kind=info["kind"], label=info["label"], layer=FLOW_LAYERS.get(info["kind"], 6))
    for h in lineage.hops:
        H.add_edge(h.source, h.target, key=h.relation, relation=h.relation, status=h.status,
                   policy_ids=list(h.policy_ids))
    return H


# ---------------------------------------------------------------- centrality


def centrality_table(G: nx.MultiDiGraph, top: int | None = None, kinds: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Degree and betweenness centrality of each node, on the simple directed graph underneath G
    (parallel edges of different relations count once). Betweenness follows the direction of the
    flow (subject -> category -> purpose -> recipient -> country), so a high value marks a node that
    many flows pass through. Sorted by betweenness, then degree, then id; `kinds` filters the rows.
    """
    D = nx.DiGraph(G)
    if D.number_of_nodes() == 0:
        return []
    deg = nx.degree_centrality(D)
    btw = nx.betweenness_centrality(D, normalized=True)
    wanted = set(kinds) if kinds else None
    rows = [
        {"node": n, "kind": G.nodes[n].get("kind", ""), "label": label(G, n), "degree": D.degree(n),
         "in_degree": D.in_degree(n), "out_degree": D.out_degree(n),
         "degree_centrality": round(deg[n], 4), "betweenness": round(btw[n], 4)}
        for n in D.nodes if wanted is None or G.nodes[n].get("kind") in wanted
    ]
    rows.sort(key=lambda r: (-r["betweenness"], -r["degree"], r["node"]))
    return rows[:top] if top else rows


# ---------------------------------------------------------------- legal bases


def purposes_on_basis(G: nx.MultiDiGraph, basis: str, stated_only: bool = False) -> list[str]:
    """Purposes with a `based_on` edge to the legal basis (a node id or its ident), sorted.

    `stated_only` keeps only edges a sentence states (not those inferred from a general clause).
    """
    b = _id(Kind.LEGAL_BASIS, basis)
    if b not in G:
        return []
    out = set()
    for u, _, k, data in G.in_edges(b, keys=True, data=True):
        if k != Relation.BASED_ON.value or G.nodes[u].get("kind") != Kind.PURPOSE.value:
            continue
        if stated_only and data.get("status") != "stated":
            continue
        out.add(u)
    return sorted(out)


def basis_rows(G: nx.MultiDiGraph, basis: str) -> list[dict[str, Any]]:
    """The purposes resting on a legal basis, one row each: label, edge status, the versions saying so,
    and the first quote. Stated ones first, then by id."""
    b = _id(Kind.LEGAL_BASIS, basis)
    rows = []
    for p in purposes_on_basis(G, b):
        d = G.edges[p, b, Relation.BASED_ON.value]
        ev = d.get("evidence") or [{}]
        rows.append({"purpose": p, "label": label(G, p), "status": d.get("status", ""),
                     "policy_ids": list(d.get("policy_ids", [])), "quote": ev[0].get("quote", "")})
    rows.sort(key=lambda r: (r["status"] != "stated", r["purpose"]))
    return rows


def basis_matrix(G: nx.MultiDiGraph) -> dict[str, dict[str, str]]:
    """purpose -> legal basis -> edge status (`stated` / `inferred`), for every purpose in G
    (a purpose with no basis maps to an empty dict)."""
    out: dict[str, dict[str, str]] = {}
    for p in nodes_of_kind(G, Kind.PURPOSE.value):
        out[p] = {v: d.get("status", "") for _, v, k, d in sorted(G.out_edges(p, keys=True, data=True))
                  if k == Relation.BASED_ON.value}
    return out


# ---------------------------------------------------------------- advertising


def is_ad_recipient(G: nx.MultiDiGraph, node: str) -> bool:
    """A named recipient whose role is advertising, or the advertising-platforms category."""
    d = G.nodes[node]
    return d.get("kind") == Kind.RECIPIENT.value and (node == AD_CATEGORY or d.get("attrs", {}).get("role") == "advertising")


def ad_sharing(G: nx.MultiDiGraph) -> list[str]:
    """Advertising recipients the policy actually shares with: those with an incoming `disclosed_to`
    (data or a purpose disclosed to them) or `set_by` (their cookie on the site) edge. A platform
    merely mentioned ("we are active on Facebook") does not count. Sorted ids."""
    wanted = {Relation.DISCLOSED_TO.value, Relation.SET_BY.value}
    return sorted(n for n in nodes_of_kind(G, Kind.RECIPIENT.value)
                  if is_ad_recipient(G, n) and any(k in wanted for _, _, k in G.in_edges(n, keys=True)))


def ad_mentioned_only(G: nx.MultiDiGraph) -> list[str]:
    """Advertising recipients the policy names without sharing anything with them (no incoming
    `disclosed_to` / `set_by`), e.g. "we are active on Facebook". Sorted ids."""
    shared = set(ad_sharing(G))
    return sorted(n for n in nodes_of_kind(G, Kind.RECIPIENT.value) if is_ad_recipient(G, n) and n not in shared)


def ad_sharing_table(graphs_by_vendor: Mapping[str, nx.MultiDiGraph]) -> list[dict[str, Any]]:
    """Per vendor: the advertising recipients it shares with (named and the category), and the data
    categories that reach them directly or via a purpose."""
    rows = []
    for vendor, G in graphs_by_vendor.items():
        ads = ad_sharing(G)
        cats = sorted(r["data_category"] for r in reach_table(G) if set(r["recipients"]) & set(ads))
        rows.append({
            "vendor": vendor,
            "shares_with_ad_platforms": bool(ads),
            "named": [label(G, n) for n in ads if n != AD_CATEGORY],
            "category": AD_CATEGORY in ads,
            "data_categories": len(cats),
            "mentioned_only": [label(G, n) for n in ad_mentioned_only(G)],
        })
    return rows


# ---------------------------------------------------------------- over time


def presence(graphs: Mapping[str, nx.MultiDiGraph], kind: str, named_only: bool = False) -> dict[str, dict[str, bool]]:
    """node -> version -> whether that version's graph has it, for every node of `kind` in any version
    (versions in the mapping's order; nodes sorted). `named_only` keeps named recipients (not categories)."""
    nodes = sorted({n for G in graphs.values() for n in nodes_of_kind(G, kind)
                    if not named_only or G.nodes[n].get("attrs", {}).get("type") == "named"})
    return {n: {v: n in G for v, G in graphs.items()} for n in nodes}


def timeline_summary(steps: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """`catalog.compare.diff.timeline` steps as one row each: how many facts and links were added, removed,
    changed and restated, and how many sections came and went."""
    return [{"step": f"{s['from']} → {s['to']}", "from": s["from"], "to": s["to"],
             "from_date": s.get("from_date", ""), "to_date": s.get("to_date", ""),
             "identical_text": s.get("identical_text", False),
             "added": sum(s["added"].values()), "removed": sum(s["removed"].values()),
             "changed": sum(s["changed"].values()), "restated": s["restated"],
             "sections_added": len(s["sections_added"]), "sections_removed": len(s["sections_removed"])}
            for s in steps]


def timeline_notable(steps: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The notable changes of every timeline step (recipients, countries, transfers, safeguards,
    special-category data), one row each with the step's versions."""
    return [{"from": s["from"], "to": s["to"], "to_date": s.get("to_date", ""), **n}
            for s in steps for n in s["notable"]]
