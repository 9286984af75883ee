"""Checks on what a policy states about data, legal bases, retention, the controller and DPIAs.

Each is a pure function of one organisation's processing graph returning findings (catalog.checks.findings);
catalog.checks.risks runs them with the transfer checks. Art. 9: special-category data needs an
Art. 9(2) condition, stated on the category or on a purpose it is processed for (legitimate
interests are none); children's special-category data is flagged on its own.
"""

from __future__ import annotations

import re

import networkx as nx

from catalog.checks.findings import Finding, edges_of, label_of, make_finding, nodes_of, ps_of
from catalog.graph.build import in_scope
from catalog.records import Kind, Relation
from catalog.vocabulary import eea_countries

ALL_DATA = "all personal data"
#: Text that names an EU representative (Art. 27) somewhere in the controller's evidence or contacts.
_REPRESENTATIVE = re.compile(r"\b(EU|EEA|European)\s+representative\b|\bArticle\s+27\b|\bArt\.\s*27\b", re.IGNORECASE)
#: Data subjects who are children (data_subject.yaml ids).
CHILDREN = ("minor",)


def _is_art9(G: nx.MultiDiGraph, b: str) -> bool:
    return str(G.nodes[b]["attrs"].get("article", "")).startswith("9") or G.nodes[b]["ident"].startswith("art9")


def _is_li(G: nx.MultiDiGraph, b: str) -> bool:
    return G.nodes[b].get("key") == "Legitimate interests" or "6-1-f" in G.nodes[b]["ident"]


def _special_in(G: nx.MultiDiGraph, c: str) -> set[str]:
    node = G.nodes[c]
    return {p for p, a in node["by_policy"].items() if a.get("special_category")} or (
        in_scope(G, node["policy_ids"]) if node["attrs"].get("special_category") else set())


def _bases_of(G: nx.MultiDiGraph, c: str) -> list[tuple[str, str, set[str]]]:
    """(via, legal basis, versions) of a data category: its own bases, and those of each purpose it is
    processed for (in the versions stating both the processing and the basis)."""
    out = [(c, b, ps_of(d)) for _, b, d in edges_of(G, Relation.BASED_ON, out_of=c)]
    for _, q, qd in edges_of(G, Relation.PROCESSED_FOR, out_of=c):
        out += [(q, b, ps_of(qd) & ps_of(d)) for _, b, d in edges_of(G, Relation.BASED_ON, out_of=q) if ps_of(qd) & ps_of(d)]
    return out


def check_special_category(G: nx.MultiDiGraph) -> list[Finding]:
    """Special-category data with no Art. 9 condition in some version, on the category itself or on
    a purpose it is processed for; on legitimate interests, that is its own finding."""
    out = []
    for c in nodes_of(G, Kind.DATA_CATEGORY):
        special = in_scope(G, _special_in(G, c))
        if not special:
            continue
        bases = _bases_of(G, c)
        missing = {p for p in special if not any(_is_art9(G, b) and p in ps for _, b, ps in bases)}
        if not missing:
            continue
        li = [(via, b) for via, b, ps in bases if _is_li(G, b) and ps & missing]
        li_ps = {p for p in missing if any(_is_li(G, b) and p in ps for _, b, ps in bases)}
        if li_ps:
            on = ", ".join(dict.fromkeys(label_of(G, via) for via, _ in li))
            links = [(via, b, Relation.BASED_ON.value) for via, b in li]
            links += [(c, via, Relation.PROCESSED_FOR.value) for via, _ in li if via != c]
            out.append(make_finding(G, "special-category-legitimate-interests", c,
                                    f"{label_of(G, c)} is special-category data processed on legitimate interests (for {on}); "
                                    "legitimate interests are an Art. 6 basis, not an Art. 9(2) condition, and none is stated.",
                                    [c, *dict.fromkeys(b for _, b in li)], li_ps, list(dict.fromkeys(links))))
        if ps := missing - li_ps:
            out.append(make_finding(G, "special-category-no-art9", c,
                                    f"{label_of(G, c)} is special-category data, but no Art. 9(2) condition is stated for it.", [c], ps,
                                    about=c))
    return out


def check_special_category_minors(G: nx.MultiDiGraph) -> list[Finding]:
    """Special-category data that children provide: the most protected data of the most protected people."""
    out = []
    for s in nodes_of(G, Kind.DATA_SUBJECT):
        if G.nodes[s]["ident"] not in CHILDREN:
            continue
        for _, c, d in edges_of(G, Relation.PROVIDES, out_of=s):
            if ps := in_scope(G, ps_of(d)) & _special_in(G, c):
                out.append(make_finding(G, "special-category-minors", c,
                                        f"{label_of(G, c)} of {label_of(G, s)}: special-category data of children needs an Art. 9(2) "
                                        "condition (explicit consent given or authorised by the holder of parental responsibility, "
                                        "Art. 8), and is a DPIA criterion (WP248: sensitive data, vulnerable data subjects).",
                                        [c, s], ps, [(s, c, Relation.PROVIDES.value)]))
    return out


# ---------------------------------------------------------------- Art. 6, 13, 27, 35


def check_purposes_without_basis(G: nx.MultiDiGraph) -> list[Finding]:
    out = []
    for p in nodes_of(G, Kind.PURPOSE):
        covered = set().union(*(ps_of(d) for _, _, d in edges_of(G, Relation.BASED_ON, out_of=p))) if G.out_degree(p) else set()
        if ps := in_scope(G, G.nodes[p]["policy_ids"]) - covered:
            out.append(make_finding(G, "purpose-no-legal-basis", p,
                                    f"No legal basis is linked to the purpose {label_of(G, p)!r}.", [p], ps, about=p))
    return out


def check_legitimate_interests(G: nx.MultiDiGraph) -> list[Finding]:
    """Legitimate interests named, but tied to no purpose (the interest pursued is what Art. 13(1)(d) asks for)."""
    out = []
    for b in nodes_of(G, Kind.LEGAL_BASIS):
        node = G.nodes[b]
        if not _is_li(G, b):
            continue
        described = set()
        for u, _, d in edges_of(G, Relation.BASED_ON, into=b):
            if G.nodes[u]["kind"] == Kind.PURPOSE:
                described |= ps_of(d)
        if ps := in_scope(G, node["policy_ids"]) - described:
            out.append(make_finding(G, "legitimate-interest-undescribed", b,
                                    "Legitimate interests are relied on, but no purpose or interest pursued is described for them.", [b], ps))
    return out


def check_retention(G: nx.MultiDiGraph) -> list[Finding]:
    general: set[str] = set()
    for r in nodes_of(G, Kind.RETENTION):
        if G.nodes[r]["attrs"].get("scope") == ALL_DATA:
            general |= in_scope(G, G.nodes[r]["policy_ids"])
    out = []
    for c in nodes_of(G, Kind.DATA_CATEGORY):
        covered = general | set().union(set(), *(ps_of(d) for _, _, d in edges_of(G, Relation.RETAINED_FOR, out_of=c)))
        if ps := in_scope(G, G.nodes[c]["policy_ids"]) - covered:
            out.append(make_finding(G, "category-no-retention", c,
                                    f"No retention period or criterion is stated for {label_of(G, c)}.", [c], ps, about=c))
    return out


def check_controller_establishment(G: nx.MultiDiGraph) -> list[Finding]:
    eea = eea_countries()
    out = []
    for c in nodes_of(G, Kind.CONTROLLER):
        node = G.nodes[c]
        country = node["attrs"].get("country")
        if not country or country in eea:
            continue
        named = bool(node["attrs"].get("representative")) or any(
            "representative" in str(x.get("role", "")) for x in node["attrs"].get("contacts", []))
        ps = {p for p in in_scope(G, node["policy_ids"])
              if not named and not any(e["policy_id"] == p and _REPRESENTATIVE.search(e["quote"]) for e in node["evidence"])}
        if ps:
            out.append(make_finding(G, "controller-outside-eea", c,
                                    f"{node['label']} is established in {country}, outside the EEA; the policy names no EU "
                                    f"representative (Art. 27).", [c], ps))
    return out
