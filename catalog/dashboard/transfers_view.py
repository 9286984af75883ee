"""The rows of the Transfers page: who sends data where, adequacy, safeguards, the SCC flag and quotes.

Where a destination stands is catalog.graph.standing.transfer_standing's decision, the one the spreadsheet,
lineage and the risk checks use: an EEA country is never "adequacy: none", and an adequacy decision
(or the Data Privacy Framework) the country does not have is named as not applicable, not listed as a
safeguard. The SCC flag is shown with the quote that names the clauses (the SCC safeguard's own
evidence), not the sentence that names the country.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from catalog.dashboard.labels import label, review_text, versions_text
from catalog.records import Kind, Relation
from catalog.checks.transfers import blanket_map, safeguard_label, standing_of
from catalog.graph.standing import TransferStanding

SCC = "scc"

#: transfer_standing's adequacy as a table cell shows it.
ADEQUACY_TEXT = {"eea": "EEA", "full": "adequate", "partial": "partial", "none": "none", "unknown": "unknown"}


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


def _short(safeguard: str, blanket: bool) -> str:
    from catalog.queries.transfers import SAFEGUARD_SHORT

    return SAFEGUARD_SHORT.get(safeguard, safeguard_label(safeguard)) + (" (all third countries)" if blanket else "")


def _merged(standings: list[TransferStanding]) -> tuple[list[str], list[str], list[str], bool]:
    """(safeguards that count, the blanket ones among them, named but not applicable, covered in every version)."""
    counts = list(dict.fromkeys(s for st in standings for s in st.safeguards))
    blanket = list(dict.fromkeys(s for st in standings for s in st.blanket))
    moot = list(dict.fromkeys(s for st in standings for s in st.not_applicable if s not in counts))
    return counts, blanket, moot, all(st.covered for st in standings)


#: The columns of a transfer row a table shows (the row also has quote, section, fact, policy...).
COLUMNS = ("From", "Country", "Adequacy", "Safeguards", "SCC", "SCC quote", "Note", "Status", "Versions", "Review")


def transfers(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Every transferred_to edge as a display row: who, where, adequacy, safeguards, SCC, quotes, review.

    A row merges the versions that state the transfer: the safeguards that count in any of them, and
    "covered" only when every version is.
    """
    blankets = blanket_map(G)
    rows = []
    for u, v, k, d in sorted(G.edges(keys=True, data=True)):
        if k != Relation.TRANSFERRED_TO:
            continue
        versions = _newest(G, list(d.get("policy_ids", [])))
        standings = [standing_of(G, v, d, p, blankets) for p in versions] or [standing_of(G, v, d, "", blankets)]
        st = standings[0]
        counts, blanket, moot, covered = _merged(standings)
        third = st.adequacy != "eea"
        scc = third and SCC in counts
        stating = [p for p, s in zip(versions, standings) if SCC in s.safeguards] or versions
        scc_ev = scc_evidence(G, stating) if scc else {}
        ev = next((e for p in versions for e in d.get("evidence", []) if e.get("policy_id") == p), {})
        note = [st.label]
        if moot:
            note.append("named, but not applicable here: " + ", ".join(safeguard_label(s) for s in moot))
        code = st.country or v.split(":")[-1]
        rows.append({
            "From": label(G, u), "Country": f"{label(G, v)} ({code})", "Adequacy": ADEQUACY_TEXT.get(st.adequacy, st.adequacy),
            "Safeguards": ", ".join(_short(s, s in blanket) for s in counts) or ("—" if not third else "none stated"),
            "SCC": ("yes" if scc else "no") if third else "—", "SCC quote": scc_ev.get("quote", ""),
            "Note": "; ".join(note), "Status": d.get("status", ""), "Versions": versions_text(sorted(versions)),
            "Review": review_text(d.get("review")), "quote": ev.get("quote") or ev.get("note", ""),
            "section": ev.get("section", ""), "fact": f"{u}|{k}|{v}", "policy": versions[0] if versions else "",
            "third_country": third, "safeguarded": covered,
            "safeguard_labels": [safeguard_label(s) + (" (stated for all third countries)" if s in blanket else "")
                                 for s in counts],
        })
    return rows
