"""Risk and completeness checks a DPO acts on, as pure functions of the processing graph.

Checks run per organisation (one publisher's versions: facts such as "country:US" are shared
nodes, a finding is not) and per policy version (a gap in one version is a finding for that
version, even when another version closes it). Each finding names the organisation, the versions,
the facts involved with their evidence, and which of those facts were only inferred: a finding is
"high" only when every fact behind it is stated (catalog.checks.findings). This module runs every
check (the transfer checks are catalog.checks.transfers', the others catalog.checks.rules') per
organisation, and scores each processing activity's Article 30(1) completeness.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import networkx as nx

from catalog.checks.findings import CHECKS, SEVERITY_ORDER, Finding, edges_of, nodes_of, ps_of
from catalog.checks.rules import (ALL_DATA, check_controller_establishment, check_legitimate_interests,
                                  check_purposes_without_basis, check_retention, check_special_category,
                                  check_special_category_minors)
from catalog.checks.transfers import (blanket_map, check_art49_transfers, check_scc_decisions, check_transfers,
                                      check_undeclared_transfers, standing_of)
from catalog.graph.build import in_scope
from catalog.records import Kind, Relation

__all__ = ["CHECKS", "SEVERITY_ORDER", "Finding", "find_risks", "by_organisation", "completeness"]


#: Article 30(1) fields scored per processing activity, in the order of the Article.
COMPLETENESS_FIELDS: tuple[str, ...] = (
    "controller_contact", "purpose", "subjects", "categories", "recipients", "transfers", "retention", "legal_basis",
)



CHECK_FUNCTIONS: tuple[Callable[[nx.MultiDiGraph], list[Finding]], ...] = (
    check_transfers, check_undeclared_transfers, check_scc_decisions, check_art49_transfers, check_special_category,
    check_special_category_minors, check_purposes_without_basis, check_legitimate_interests, check_retention,
    check_controller_establishment,
)


# ---------------------------------------------------------------- per organisation


def by_organisation(G: nx.MultiDiGraph) -> list[tuple[str, nx.MultiDiGraph]]:
    """(organisation, its graph) per publisher in the graph, the publisher as its newest version spells it.

    One organisation's graph is G itself; otherwise each holds the nodes and edges its versions
    state (built in one pass over G, data shared, not copied).
    """
    from catalog.ingest.publisher import slug

    policies = G.graph.get("policies", {})
    if not policies:
        return [("", G)]
    org_of = {pid: slug(p.get("publisher") or "") for pid, p in policies.items()}
    names: dict[str, str] = {}
    for pid in sorted(policies, key=lambda x: (policies[x].get("effective_date") or "", x)):
        names[org_of[pid]] = policies[pid].get("publisher") or org_of[pid]
    if len(names) == 1:
        return [(next(iter(names.values())), G)]
    graphs: dict[str, nx.MultiDiGraph] = {}
    for org in names:
        H = nx.MultiDiGraph()
        H.graph.update({k: v for k, v in G.graph.items() if k != "policies"})
        H.graph["policies"] = {pid: p for pid, p in policies.items() if org_of[pid] == org}
        graphs[org] = H
    for n, d in G.nodes(data=True):
        for org in {org_of[p] for p in d.get("policy_ids", ()) if p in org_of}:
            graphs[org].add_node(n, **d)
    for u, v, k, d in G.edges(keys=True, data=True):
        for org in {org_of[p] for p in d.get("policy_ids", ()) if p in org_of}:
            if u in graphs[org] and v in graphs[org]:
                graphs[org].add_edge(u, v, key=k, **d)
    return [(names[org], graphs[org]) for org in sorted(names)]


def find_risks(G: nx.MultiDiGraph) -> list[Finding]:
    """Every finding of every check, per organisation; most severe first, then by check, id and organisation."""
    found = [replace(f, organisation=org) for org, H in by_organisation(G) for check in CHECK_FUNCTIONS for f in check(H)]
    return sorted(found, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.check, f.id, f.organisation))


# ---------------------------------------------------------------- Article 30(1) completeness


def completeness(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Per processing activity (a purpose), how much of Article 30(1) the policy fills in: each field 0..1.

    Transfers score 1 when every third-country transfer the activity reaches is adequate or
    safeguarded, 0.5 when some is not, 0 when the policy says nothing about transfers at all.
    """
    controllers = nodes_of(G, Kind.CONTROLLER)
    general_retention = [r for r in nodes_of(G, Kind.RETENTION) if G.nodes[r]["attrs"].get("scope") == ALL_DATA]
    transfers_all = edges_of(G, Relation.TRANSFERRED_TO)
    blankets = blanket_map(G)
    out = []
    for p in nodes_of(G, Kind.PURPOSE):
        pps = in_scope(G, G.nodes[p]["policy_ids"])
        cats = [u for u, _, d in edges_of(G, Relation.PROCESSED_FOR, into=p) if ps_of(d) & pps]
        subjects = {s for c in cats for s, _, d in edges_of(G, Relation.PROVIDES, into=c) if ps_of(d) & pps}
        recips = {v for _, v, d in edges_of(G, Relation.DISCLOSED_TO, out_of=p) if ps_of(d) & pps}
        recips |= {v for c in cats for _, v, d in edges_of(G, Relation.DISCLOSED_TO, out_of=c) if ps_of(d) & pps}
        bases = {v for _, v, d in edges_of(G, Relation.BASED_ON, out_of=p) if ps_of(d) & pps}
        senders = set(controllers) | recips
        transfers = [(u, v, d) for u, v, d in transfers_all if u in senders and ps_of(d) & pps]
        unsafe = [t for t in transfers
                  if not any(standing_of(G, t[1], t[2], q, blankets).covered for q in ps_of(t[2]) & pps)]
        retention = any(in_scope(G, G.nodes[r]["policy_ids"]) & pps for r in general_retention) or any(
            ps_of(d) & pps for c in cats for _, _, d in edges_of(G, Relation.RETAINED_FOR, out_of=c))
        contact = 0.0
        for c in controllers:
            a = G.nodes[c]["attrs"]
            if in_scope(G, G.nodes[c]["policy_ids"]) & pps:
                contact = max(contact, 1.0 if (a.get("contact_email") or a.get("contacts")) else 0.5)
        fields = {
            "controller_contact": contact,
            "purpose": 1.0,
            "subjects": 1.0 if subjects else 0.0,
            "categories": 1.0 if cats else 0.0,
            "recipients": 1.0 if recips else 0.0,
            "transfers": 0.0 if not transfers else (0.5 if unsafe else 1.0),
            "retention": 1.0 if retention else 0.0,
            "legal_basis": 1.0 if bases else 0.0,
        }
        score = round(sum(fields.values()) / len(fields), 3)
        out.append({"purpose": p, "label": G.nodes[p]["label"], "policy_ids": sorted(pps), "fields": fields,
                    "score": score, "missing": [k for k, v in fields.items() if v < 1.0]})
    return out
