"""The rows of the Transfers page: who sends data where, adequacy, safeguards, the SCC flag and quotes.

Adequacy comes from the vocabulary's data files (EEA membership in country.yaml, the Commission's
decisions in adequacy.yaml), not from what the extractor guessed for the sentence: a country of the
EEA is never "adequacy: none", and an adequacy decision the EU has not taken is not listed as a
safeguard. The SCC flag is shown with the quote that names the clauses (the SCC safeguard's own
evidence), not the sentence that names the country.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from catalog.dashboard.labels import label, review_text, versions_text
from catalog.records import Kind, Relation
from catalog.vocabulary import adequacy_decisions, concept, eea_countries

UNNAMED = "ZZ"  # country.yaml's code for "third countries" a policy does not name
SCC = "scc"


@dataclass(frozen=True)
class Adequacy:
    """Where a country stands under GDPR Chapter V."""

    status: str  # "eea" | "full" | "partial" | "none" | "unknown"
    text: str  # as a table cell shows it
    detail: str = ""  # what the decision covers, when it does not say it all

    @property
    def third_country(self) -> bool:
        return self.status != "eea"

    @property
    def adequate(self) -> bool:
        return self.status in ("eea", "full")


def adequacy(code: str) -> Adequacy:
    """The standing of a country (ISO code) from the vocabulary's data files."""
    if code in eea_countries():
        return Adequacy("eea", "EEA", "in the EEA: not a third country, no transfer safeguard needed")
    if code == UNNAMED or not code:
        return Adequacy("unknown", "unknown", "the policy does not name the countries")
    d = adequacy_decisions().get(code)
    if not d:
        return Adequacy("none", "none", "no adequacy decision of the European Commission")
    decided = f"adequacy decision of {d['date']}" if d.get("date") else "adequacy decision"
    if d.get("partial"):
        return Adequacy("partial", "partial", f"{decided}, covering {d.get('scope', 'part of the transfers')}")
    return Adequacy("full", "adequate", decided + (f" ({d['scope']})" if d.get("scope") not in (None, "full") else ""))


def _is_adequacy_safeguard(safeguard: str) -> bool:
    c = concept(Kind.SAFEGUARD, safeguard)
    return str((c.attrs if c else {}).get("article", "")) == "45"


def safeguard_names(G: nx.MultiDiGraph, safeguards: list[str], standing: Adequacy) -> tuple[list[str], str]:
    """(the safeguards to list, a note): adequacy decisions the EU has not taken for this country are dropped."""
    from catalog.analysis import SAFEGUARD_SHORT

    if standing.status == "eea":
        return [], "no safeguard needed within the EEA" if safeguards else ""
    dropped = [s for s in safeguards if standing.status == "none" and _is_adequacy_safeguard(s)]
    kept = [s for s in safeguards if s not in dropped]
    note = ("the policy cites an adequacy decision, but the EU has none for this country" if dropped else "")
    return [SAFEGUARD_SHORT.get(s, label(G, f"safeguard:{s}")) for s in kept], note


def _newest(G: nx.MultiDiGraph, policy_ids: list[str]) -> list[str]:
    policies = G.graph.get("policies", {})
    return sorted(policy_ids, key=lambda p: ((policies.get(p) or {}).get("effective_date") or "", p), reverse=True)


def scc_evidence(G: nx.MultiDiGraph, policy_ids: list[str]) -> dict[str, Any]:
    """The quote naming the SCCs for a transfer: the SCC safeguard's evidence in the newest of its versions
    (a sentence rather than a bare heading, when the version has one)."""
    node = f"{Kind.SAFEGUARD.value}:{SCC}"
    evidence = G.nodes[node].get("evidence", []) if node in G else []
    for pid in _newest(G, policy_ids):
        mine = [ev for ev in evidence if ev.get("policy_id") == pid and ev.get("quote")]
        if mine:
            return next((ev for ev in mine if len(ev["quote"].split()) >= 6), mine[0])
    return {}


#: The columns of a transfer row a table shows (the row also has quote, section, fact, policy...).
COLUMNS = ("From", "Country", "Adequacy", "Safeguards", "SCC", "SCC quote", "Note", "Status", "Versions", "Review")


def transfers(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Every transferred_to edge as a display row: who, where, adequacy, safeguards, SCC, quotes, review."""
    rows = []
    for u, v, k, d in sorted(G.edges(keys=True, data=True)):
        if k != Relation.TRANSFERRED_TO:
            continue
        a = d.get("attrs", {})
        code = G.nodes[v].get("key") or v.split(":")[-1]
        standing = adequacy(code)
        safeguards, note = safeguard_names(G, list(a.get("safeguards", [])), standing)
        versions = _newest(G, list(d.get("policy_ids", [])))
        ev = next((e for p in versions for e in d.get("evidence", []) if e.get("policy_id") == p), {})
        scc = bool(a.get("scc")) and standing.third_country
        stating = [p for p in versions if (d.get("by_policy", {}).get(p) or {}).get("scc")] or versions
        scc_ev = scc_evidence(G, stating) if scc else {}
        rows.append({
            "From": label(G, u), "Country": f"{label(G, v)} ({code})", "Adequacy": standing.text,
            "Safeguards": ", ".join(safeguards) or ("—" if not standing.third_country else "none stated"),
            "SCC": ("yes" if scc else "no") if standing.third_country else "—",
            "SCC quote": scc_ev.get("quote", "") if scc else "",
            "Note": "; ".join(x for x in (standing.detail, note) if x), "Status": d.get("status", ""),
            "Versions": versions_text(sorted(versions)), "Review": review_text(d.get("review")),
            "quote": ev.get("quote") or ev.get("note", ""),
            "section": ev.get("section", ""), "fact": f"{u}|{k}|{v}", "policy": versions[0] if versions else "",
            "third_country": standing.third_country, "safeguarded": bool(safeguards) or standing.adequate,
        })
    return rows
