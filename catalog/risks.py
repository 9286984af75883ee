"""Risk and completeness checks a DPO acts on, as pure functions of the processing graph.

Each check is evaluated per policy version (a gap in one version is a finding for that version,
even when another version closes it), and each finding names the facts involved with their
evidence. Adequacy, EEA membership and recipients' home countries come from the vocabulary's data
files (adequacy.yaml, country.yaml, recipient.yaml), not from code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx

from catalog.lineage import in_scope
from catalog.records import Kind, Relation
from catalog.vocabulary import adequacy_decisions, eea_countries, recipient_registry

ALL_DATA = "all personal data"
UNNAMED = "ZZ"  # country.yaml's code for "third countries" a policy does not name

#: Check metadata: id -> (severity, what it means). Severity of a transfer finding depends on adequacy.
CHECKS: dict[str, tuple[str, str]] = {
    "transfer-no-safeguard": ("high", "Transfer to a third country without an adequacy decision and without a safeguard (Art. 44-46)"),
    "undeclared-transfer": ("high", "Named recipient based outside the EEA, but the policy declares no transfer to its country"),
    "special-category-no-art9": ("high", "Special-category data without an Art. 9(2) condition"),
    "purpose-no-legal-basis": ("medium", "Purpose without an Art. 6 legal basis"),
    "legitimate-interest-undescribed": ("medium", "Legitimate interests claimed without the interest described (Art. 13(1)(d))"),
    "category-no-retention": ("medium", "Data category without a retention period or criterion (Art. 13(2)(a))"),
    "controller-outside-eea": ("medium", "Controller established outside the EEA: an Art. 27 EU representative is needed"),
}

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}

#: Text that names an EU representative (Art. 27) somewhere in the controller's evidence or contacts.
_REPRESENTATIVE = re.compile(r"\b(EU|EEA|European)\s+representative\b|\bArticle\s+27\b|\bArt\.\s*27\b", re.IGNORECASE)

#: Article 30(1) fields scored per processing activity, in the order of the Article.
COMPLETENESS_FIELDS: tuple[str, ...] = (
    "controller_contact", "purpose", "subjects", "categories", "recipients", "transfers", "retention", "legal_basis",
)


@dataclass(frozen=True)
class Finding:
    """One thing to act on: which check, how bad, which facts, and the text they come from."""

    id: str
    check: str
    severity: str
    title: str
    detail: str
    facts: tuple[str, ...]
    evidence: tuple[dict[str, Any], ...]
    policy_ids: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("facts", "evidence", "policy_ids"):
            d[k] = list(d[k])
        return d


# ---------------------------------------------------------------- helpers


def _nodes(G: nx.MultiDiGraph, kind: str) -> list[str]:
    return sorted(n for n, k in G.nodes(data="kind") if k == kind)


def _ps(data: dict[str, Any]) -> set[str]:
    return set(data.get("policy_ids", ()))


def _edges(G: nx.MultiDiGraph, relation: str, out_of: str | None = None, into: str | None = None):
    """(u, v, data) of one relation, optionally only out of or into one node."""
    it = G.out_edges(out_of, keys=True, data=True) if out_of else G.in_edges(into, keys=True, data=True) if into \
        else G.edges(keys=True, data=True)
    return [(u, v, d) for u, v, k, d in it if k == relation]


def _evidence(G: nx.MultiDiGraph, items: Iterable[str | tuple[str, str, str]], policies: set[str], limit: int = 6) -> tuple[dict, ...]:
    """Evidence of nodes or edges (u, v, relation), only from the versions the finding is about."""
    out: list[dict] = []
    for it in items:
        data = G.edges[it] if isinstance(it, tuple) else G.nodes[it]
        seen: set[str] = set()
        for e in data.get("evidence", []):
            if e["policy_id"] in policies and e["policy_id"] not in seen and e not in out:
                seen.add(e["policy_id"])  # one quote per fact and version is enough to find it
                out.append(e)
    return tuple(out[:limit])


def _label(G: nx.MultiDiGraph, n: str) -> str:
    return G.nodes[n]["label"] if n in G else n


def _finding(G: nx.MultiDiGraph, check: str, subject: str, detail: str, facts: Iterable[str], policies: set[str],
             evidence_of: Iterable[str | tuple[str, str, str]] = (), severity: str | None = None) -> Finding:
    sev, title = CHECKS[check]
    facts = tuple(dict.fromkeys(facts))
    return Finding(id=f"{check}:{subject}", check=check, severity=severity or sev, title=title, detail=detail,
                   facts=facts, evidence=_evidence(G, [*facts, *evidence_of], policies), policy_ids=tuple(sorted(policies)))


def _adequacy(G: nx.MultiDiGraph, country: str, edge_attrs: dict[str, Any]) -> str:
    """none | partial | full | eea for a transfer to this country (the edge's value, else the data file's)."""
    code = G.nodes[country].get("key") or G.nodes[country].get("ident", "")
    if code in eea_countries():
        return "eea"
    if edge_attrs.get("adequacy"):
        return str(edge_attrs["adequacy"])
    d = adequacy_decisions().get(code)
    if not d:
        return "none"
    return "partial" if d.get("partial") else "full"


def _has_safeguard(attrs_by_policy: dict[str, dict], p: str, merged: dict[str, Any]) -> bool:
    a = attrs_by_policy.get(p, merged)
    return bool(a.get("safeguards")) or bool(a.get("scc"))


# ---------------------------------------------------------------- checks


def check_transfers(G: nx.MultiDiGraph) -> list[Finding]:
    """Third-country transfers (adequacy none or partial) with no safeguard stated, one finding per country."""
    by_country: dict[str, tuple[list[tuple[str, str, str]], set[str], str]] = {}
    for u, v, d in _edges(G, Relation.TRANSFERRED_TO):
        adequacy = _adequacy(G, v, d["attrs"])
        if adequacy in ("eea", "full"):
            continue
        missing = {p for p in in_scope(G, _ps(d)) if not _has_safeguard(d.get("by_policy", {}), p, d["attrs"])}
        if missing:
            edges, ps, _ = by_country.setdefault(v, ([], set(), adequacy))
            edges.append((u, v, Relation.TRANSFERRED_TO.value))
            ps |= missing
    out = []
    for country, (edges, ps, adequacy) in sorted(by_country.items()):
        senders = ", ".join(_label(G, u) for u, _, _ in edges)
        scope = "no adequacy decision" if adequacy == "none" else "an adequacy decision that covers only part of the transfers"
        detail = (f"{senders} → {_label(G, country)}: {scope}, and the policy states no safeguard "
                  f"(SCCs, BCRs, certification) for this transfer.")
        out.append(_finding(G, "transfer-no-safeguard", country, detail, [*(u for u, _, _ in edges), country], ps,
                            edges, severity="high" if adequacy == "none" else "medium"))
    return out


def check_undeclared_transfers(G: nx.MultiDiGraph) -> list[Finding]:
    """A named recipient whose home country is outside the EEA and not adequate, where no transfer names that country."""
    registry = recipient_registry()
    eea = eea_countries()
    out = []
    declared: dict[str, set[str]] = {}  # policy -> countries its transfer edges name
    statements: dict[str, list[tuple[str, str, str]]] = {}  # policy -> those transfer edges
    for u, v, d in _edges(G, Relation.TRANSFERRED_TO):
        code = G.nodes[v].get("key") or G.nodes[v]["ident"]
        for p in _ps(d):
            declared.setdefault(p, set()).add(code)
            statements.setdefault(p, []).append((u, v, Relation.TRANSFERRED_TO.value))
    for r in _nodes(G, Kind.RECIPIENT):
        node = G.nodes[r]
        concept = registry.get(node["ident"])
        home = node["attrs"].get("home_country") or (concept.attrs.get("home_country") if concept else None)
        if not home or home in eea:
            continue
        decision = adequacy_decisions().get(home)
        if decision and not decision.get("partial"):
            continue
        ps = {p for p in in_scope(G, node["policy_ids"]) if home not in declared.get(p, set())}
        if not ps:
            continue
        named = sorted(set().union(*(declared.get(p, set()) for p in ps)))
        general = UNNAMED in named  # "we transfer data outside the EEA": declared, but not where
        named = [c for c in named if c != UNNAMED]
        said_where = f"name only {', '.join(named)}" if named else "name no country"
        if general:
            said_where += " (and third countries in general)"
        detail = (f"{node['label']} is based in {home}, but the policy's transfer statements {said_where}: "
                  f"a transfer to {home} is implied and not declared.")
        said = list(dict.fromkeys(e for p in sorted(ps) for e in statements.get(p, [])))
        out.append(_finding(G, "undeclared-transfer", r, detail, [r], ps, said, severity="medium" if general else None))
    return out


def check_special_category(G: nx.MultiDiGraph) -> list[Finding]:
    """Special-category data with no Art. 9 condition (a based_on edge to an Art. 9 legal basis) in some version."""
    out = []
    for c in _nodes(G, Kind.DATA_CATEGORY):
        node = G.nodes[c]
        special = {p for p, a in node["by_policy"].items() if a.get("special_category")} or (
            in_scope(G, node["policy_ids"]) if node["attrs"].get("special_category") else set())
        if not special:
            continue
        covered = set()
        for _, b, d in _edges(G, Relation.BASED_ON, out_of=c):
            if str(G.nodes[b]["attrs"].get("article", "")).startswith("9") or G.nodes[b]["ident"].startswith("art9"):
                covered |= _ps(d)
        if ps := in_scope(G, special) - covered:
            out.append(_finding(G, "special-category-no-art9", c,
                                f"{node['label']} is special-category data, but no Art. 9(2) condition is stated for it.", [c], ps))
    return out


def check_purposes_without_basis(G: nx.MultiDiGraph) -> list[Finding]:
    out = []
    for p in _nodes(G, Kind.PURPOSE):
        covered = set().union(*(_ps(d) for _, _, d in _edges(G, Relation.BASED_ON, out_of=p))) if G.out_degree(p) else set()
        if ps := in_scope(G, G.nodes[p]["policy_ids"]) - covered:
            out.append(_finding(G, "purpose-no-legal-basis", p,
                                f"No legal basis is linked to the purpose {_label(G, p)!r}.", [p], ps))
    return out


def check_legitimate_interests(G: nx.MultiDiGraph) -> list[Finding]:
    """Legitimate interests named, but tied to no purpose (the interest pursued is what Art. 13(1)(d) asks for)."""
    out = []
    for b in _nodes(G, Kind.LEGAL_BASIS):
        node = G.nodes[b]
        if node.get("key") != "Legitimate interests" and "6-1-f" not in node["ident"]:
            continue
        described = set()
        for u, _, d in _edges(G, Relation.BASED_ON, into=b):
            if G.nodes[u]["kind"] == Kind.PURPOSE:
                described |= _ps(d)
        if ps := in_scope(G, node["policy_ids"]) - described:
            out.append(_finding(G, "legitimate-interest-undescribed", b,
                                "Legitimate interests are relied on, but no purpose or interest pursued is described for them.", [b], ps))
    return out


def check_retention(G: nx.MultiDiGraph) -> list[Finding]:
    general: set[str] = set()
    for r in _nodes(G, Kind.RETENTION):
        if G.nodes[r]["attrs"].get("scope") == ALL_DATA:
            general |= in_scope(G, G.nodes[r]["policy_ids"])
    out = []
    for c in _nodes(G, Kind.DATA_CATEGORY):
        covered = general | set().union(set(), *(_ps(d) for _, _, d in _edges(G, Relation.RETAINED_FOR, out_of=c)))
        if ps := in_scope(G, G.nodes[c]["policy_ids"]) - covered:
            out.append(_finding(G, "category-no-retention", c,
                                f"No retention period or criterion is stated for {_label(G, c)}.", [c], ps))
    return out


def check_controller_establishment(G: nx.MultiDiGraph) -> list[Finding]:
    eea = eea_countries()
    out = []
    for c in _nodes(G, Kind.CONTROLLER):
        node = G.nodes[c]
        country = node["attrs"].get("country")
        if not country or country in eea:
            continue
        named = bool(node["attrs"].get("representative")) or any(
            "representative" in str(x.get("role", "")) for x in node["attrs"].get("contacts", []))
        ps = {p for p in in_scope(G, node["policy_ids"])
              if not named and not any(e["policy_id"] == p and _REPRESENTATIVE.search(e["quote"]) for e in node["evidence"])}
        if ps:
            out.append(_finding(G, "controller-outside-eea", c,
                                f"{node['label']} is established in {country}, outside the EEA; the policy names no EU "
                                f"representative (Art. 27).", [c], ps))
    return out


CHECK_FUNCTIONS: tuple[Callable[[nx.MultiDiGraph], list[Finding]], ...] = (
    check_transfers, check_undeclared_transfers, check_special_category, check_purposes_without_basis,
    check_legitimate_interests, check_retention, check_controller_establishment,
)


def find_risks(G: nx.MultiDiGraph) -> list[Finding]:
    """Every finding of every check, most severe first, then by id (a stable order for diffs and tests)."""
    found = [f for check in CHECK_FUNCTIONS for f in check(G)]
    return sorted(found, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.check, f.id))


# ---------------------------------------------------------------- Article 30(1) completeness


def completeness(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Per processing activity (a purpose), how much of Article 30(1) the policy fills in: each field 0..1.

    Transfers score 1 when every third-country transfer the activity reaches is adequate or
    safeguarded, 0.5 when some is not, 0 when the policy says nothing about transfers at all.
    """
    eea = eea_countries()
    controllers = _nodes(G, Kind.CONTROLLER)
    general_retention = [r for r in _nodes(G, Kind.RETENTION) if G.nodes[r]["attrs"].get("scope") == ALL_DATA]
    transfers_all = _edges(G, Relation.TRANSFERRED_TO)
    out = []
    for p in _nodes(G, Kind.PURPOSE):
        pps = in_scope(G, G.nodes[p]["policy_ids"])
        cats = [u for u, _, d in _edges(G, Relation.PROCESSED_FOR, into=p) if _ps(d) & pps]
        subjects = {s for c in cats for s, _, d in _edges(G, Relation.PROVIDES, into=c) if _ps(d) & pps}
        recips = {v for _, v, d in _edges(G, Relation.DISCLOSED_TO, out_of=p) if _ps(d) & pps}
        recips |= {v for c in cats for _, v, d in _edges(G, Relation.DISCLOSED_TO, out_of=c) if _ps(d) & pps}
        bases = {v for _, v, d in _edges(G, Relation.BASED_ON, out_of=p) if _ps(d) & pps}
        senders = set(controllers) | recips
        transfers = [(u, v, d) for u, v, d in transfers_all if u in senders and _ps(d) & pps]
        third = [(u, v, d) for u, v, d in transfers
                 if (G.nodes[v].get("key") or G.nodes[v]["ident"]) not in eea and _adequacy(G, v, d["attrs"]) != "full"]
        unsafe = [t for t in third if not (t[2]["attrs"].get("safeguards") or t[2]["attrs"].get("scc"))]
        retention = any(in_scope(G, G.nodes[r]["policy_ids"]) & pps for r in general_retention) or any(
            _ps(d) & pps for c in cats for _, _, d in _edges(G, Relation.RETAINED_FOR, out_of=c))
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
