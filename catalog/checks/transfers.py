"""The transfer checks (GDPR Chapter V), as pure functions of the processing graph, and the safeguard
helpers every view of a transfer shares.

Where a transfer stands (adequacy, EEA membership, the safeguards that count for its destination) is
catalog.graph.standing's `transfer_standing`; this module adds what a version states once for all
third countries (`blanket_map`), reads one transfer edge as one version states it (`standing_of`),
and finds the transfers nothing covers, recipients abroad with no transfer declared, SCCs under
repealed decisions and routine transfers on an Art. 49 derogation. Adequacy, EEA membership, repealed
SCC decisions and recipients' home countries come from the vocabulary's data files (adequacy.yaml,
country.yaml, scc_decisions.yaml, recipient.yaml). catalog.checks.risks runs these checks with the others.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import networkx as nx

from catalog.checks.findings import (Finding, attrs_in, country_code, edges_of, label_of, make_finding, nodes_of, ps_of,
                                     versions_of)
from catalog.graph.build import in_scope
from catalog.graph.standing import UNNAMED, TransferStanding, transfer_standing
from catalog.records import Kind, Relation
from catalog.vocabulary import adequacy_decisions, concept, eea_countries, read_yaml, recipient_registry


ART49 = "art49-derogation"

def safeguard_label(s: str) -> str:
    """A safeguard id's label from safeguard.yaml ("scc" -> "Standard Contractual Clauses (Art. 46(2)(c))")."""
    c = concept(Kind.SAFEGUARD, s)
    return c.label if c else s


def safeguard_names(st: TransferStanding) -> list[str]:
    """The safeguards that count, as labels; those stated once for all third countries say so."""
    return [safeguard_label(s) + (" (stated for all third countries)" if s in st.blanket else "") for s in st.safeguards]


def blanket_safeguards(G: nx.MultiDiGraph, policy_id: str) -> set[str]:
    """Safeguards a version states once for every transfer outside the EEA (see blanket_map)."""
    return blanket_map(G).get(policy_id, set())


@functools.cache
def _blanket_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    data = read_yaml("adequacy.yaml")
    return tuple(re.compile("|".join(f"(?:{p})" for p in data[k]), re.IGNORECASE)  # type: ignore[return-value]
                 for k in ("blanket_statement", "blanket_origin"))


def blanket_map(G: nx.MultiDiGraph) -> dict[str, set[str]]:
    """Per version, the safeguards it states once for all third countries: those of its transfers to
    countries it does not name ("when we transfer data outside the EEA, we use SCCs"), those named
    in a sentence about transfers that names no destination (adequacy.yaml's blanket_statement),
    and those of a sentence about every transfer out of the EEA (blanket_origin)."""
    out: dict[str, set[str]] = {}
    spans: set[tuple[str, int, int]] = set()  # sentences that name a destination
    for _, v, d in edges_of(G, Relation.TRANSFERRED_TO):
        if country_code(G, v) == UNNAMED:
            for p in ps_of(d):
                out.setdefault(p, set()).update(attrs_in(d, p).get("safeguards", []))
        else:
            spans |= {(e["policy_id"], e["start"], e["end"]) for e in d.get("evidence", [])}
    for c in nodes_of(G, Kind.COUNTRY):
        if country_code(G, c) != UNNAMED:  # the country's sentences, and those of safeguards read as its own
            spans |= {(e["policy_id"], e["start"], e["end"]) for e in G.nodes[c].get("evidence", [])}
            for _, _, d in edges_of(G, Relation.SAFEGUARDED_BY, out_of=c):
                spans |= {(e["policy_id"], e["start"], e["end"]) for e in d.get("evidence", [])}
    statement, origin = _blanket_patterns()
    for s in nodes_of(G, Kind.SAFEGUARD):
        for e in G.nodes[s].get("evidence", []):
            named = (e["policy_id"], e["start"], e["end"]) in spans
            if (not named and statement.search(e["quote"])) or origin.search(e["quote"]):
                out.setdefault(e["policy_id"], set()).add(G.nodes[s].get("ident") or s.partition(":")[2])
    return out


def standing_of(G: nx.MultiDiGraph, country: str, edge: dict[str, Any], policy_id: str,
                blankets: dict[str, set[str]] | None = None) -> TransferStanding:
    """transfer_standing of one transfer edge as one version states it, with that version's blanket
    safeguards (from `blankets`, a blanket_map of G, when given)."""
    blanket = blankets.get(policy_id, set()) if blankets is not None else blanket_safeguards(G, policy_id)
    return transfer_standing(country_code(G, country), attrs_in(edge, policy_id).get("safeguards", []), blanket)


# ---------------------------------------------------------------- transfer checks


def check_transfers(G: nx.MultiDiGraph) -> list[Finding]:
    """Third-country transfers that nothing covers (no adequacy decision, no safeguard that counts
    for that country, none stated once for all third countries), one finding per country."""
    by_country: dict[str, tuple[list[tuple[str, str, str]], set[str], set[str], str]] = {}
    blankets = blanket_map(G)
    for u, v, d in edges_of(G, Relation.TRANSFERRED_TO):
        for p in in_scope(G, ps_of(d)):
            st = standing_of(G, v, d, p, blankets)
            if st.covered:
                continue
            edges, ps, ignored, _ = by_country.setdefault(v, ([], set(), set(), st.adequacy))
            if (u, v, Relation.TRANSFERRED_TO.value) not in edges:
                edges.append((u, v, Relation.TRANSFERRED_TO.value))
            ps.add(p)
            ignored |= set(st.not_applicable)
    out = []
    for country, (edges, ps, ignored, adequacy) in sorted(by_country.items()):
        senders = ", ".join(label_of(G, u) for u, _, _ in edges)
        scope = {"none": "no adequacy decision", "unknown": "a destination the policy does not name",
                 "partial": "an adequacy decision that covers only part of the transfers"}[adequacy]
        detail = (f"{senders} → {label_of(G, country)}: {scope}, and the policy states no safeguard "
                  f"(SCCs, BCRs, certification) for this transfer.")
        if ignored:
            names = ", ".join(safeguard_label(s) for s in sorted(ignored))
            detail += f" Named, but not applicable to {label_of(G, country)}: {names}."
        out.append(make_finding(G, "transfer-no-safeguard", country, detail, [*(u for u, _, _ in edges), country], ps,
                                edges, severity="high" if adequacy == "none" else "medium"))
    return out


def check_undeclared_transfers(G: nx.MultiDiGraph) -> list[Finding]:
    """A named recipient whose home country is outside the EEA and not adequate, where no transfer
    names that country and the policy does not say where the recipient processes the data."""
    registry = recipient_registry()
    eea = eea_countries()
    out = []
    declared: dict[str, set[str]] = {}  # policy -> countries its transfer edges name
    statements: dict[str, list[tuple[str, str, str]]] = {}  # policy -> those transfer edges
    located: dict[str, set[str]] = {}  # policy -> recipients whose own processing locations it states
    for u, v, d in edges_of(G, Relation.TRANSFERRED_TO):
        for p in ps_of(d):
            declared.setdefault(p, set()).add(country_code(G, v))
            statements.setdefault(p, []).append((u, v, Relation.TRANSFERRED_TO.value))
            located.setdefault(p, set()).add(u)
    unnamed = f"country:{UNNAMED}"
    unnamed_in = ps_of(G.nodes[unnamed]) if unnamed in G else set()
    for r in nodes_of(G, Kind.RECIPIENT):
        node = G.nodes[r]
        concept_ = registry.get(node["ident"])
        home = node["attrs"].get("home_country") or (concept_.attrs.get("home_country") if concept_ else None)
        if not home or home in eea:
            continue
        decision = adequacy_decisions().get(home)
        if decision and not decision.get("partial"):
            continue
        ps = {p for p in in_scope(G, node["policy_ids"])
              if home not in declared.get(p, set()) and r not in located.get(p, set())}
        if not ps:
            continue
        named = sorted(set().union(*(declared.get(p, set()) for p in ps)))
        # "we transfer data outside the EEA" / "internationally": declared, but not where (the unnamed
        # destination is a country fact of its own, with no transfer edge)
        general = UNNAMED in named or bool(ps & unnamed_in)
        named = [c for c in named if c != UNNAMED]
        said_where = f"name only {', '.join(named)}" if named else "name no country"
        if general:
            said_where += " (and third countries in general)"
        detail = (f"{node['label']} is based in {home}, but the policy's transfer statements {said_where}: "
                  f"a transfer to {home} is implied and not declared.")
        said = list(dict.fromkeys(e for p in sorted(ps) for e in statements.get(p, [])))
        out.append(make_finding(G, "undeclared-transfer", r, detail, [r], ps, said, severity="medium" if general else None))
    return out


@functools.cache
def _scc_decisions() -> tuple[tuple[tuple[str, str, re.Pattern[str]], ...], tuple[re.Pattern[str], ...], dict[str, Any]]:
    data = read_yaml("scc_decisions.yaml")
    repealed = tuple((d["id"], d["label"], re.compile("|".join(d["patterns"]), re.IGNORECASE)) for d in data["repealed"])
    current = tuple(re.compile("|".join(d["patterns"]), re.IGNORECASE) for d in data["current"])
    return repealed, current, data


def _quotes_of_version(G: nx.MultiDiGraph, p: str) -> list[tuple[str | tuple[str, str, str], dict]]:
    """(fact, evidence) of every node and edge evidence from version p."""
    out: list[tuple[str | tuple[str, str, str], dict]] = []
    for n, d in G.nodes(data=True):
        out += [(n, e) for e in d.get("evidence", []) if e["policy_id"] == p]
    for u, v, k, d in G.edges(keys=True, data=True):
        out += [((u, v, k), e) for e in d.get("evidence", []) if e["policy_id"] == p]
    return out


def check_scc_decisions(G: nx.MultiDiGraph) -> list[Finding]:
    """SCCs cited by the repealed decisions 2001/497/EC, 2004/915/EC or 2010/87/EU (scc_decisions.yaml)."""
    repealed, current, data = _scc_decisions()
    found: dict[str, tuple[set[str], list, list[dict], str, bool]] = {}
    for p in versions_of(G):
        quotes = _quotes_of_version(G, p)
        cites_current = any(pat.search(e["quote"]) for _, e in quotes for pat in current)
        for ident, label, pat in repealed:
            hits = [(it, e) for it, e in quotes if pat.search(e["quote"])]
            if not hits:
                continue
            ps, items, evidence, _, both = found.setdefault(ident, (set(), [], [], label, False))
            ps.add(p)
            items += [it for it, _ in hits if it not in items]
            evidence += [e for _, e in hits if e not in evidence]
            found[ident] = (ps, items, evidence, label, both or cites_current)
    out = []
    for ident, (ps, items, evidence, label, both) in sorted(found.items()):
        detail = (f"The policy cites standard contractual clauses by {label}, repealed on {data['repealed_on']}: "
                  f"contracts under it gave appropriate safeguards only until {data['safeguard_until']}. "
                  f"The clauses in force are those of Implementing Decision (EU) 2021/914.")
        if both:
            detail += " The policy cites 2021/914 as well: check which clauses the transfers rely on."
        facts = [it for it in items if isinstance(it, str)]
        out.append(make_finding(G, "scc-repealed-decision", ident.replace("/", "-"), detail, facts, ps,
                                [it for it in items if not isinstance(it, str)], severity="low" if both else None,
                                evidence=tuple(evidence[:6])))
    return out


def check_art49_transfers(G: nx.MultiDiGraph) -> list[Finding]:
    """Transfers a policy describes as relying on an Art. 49 derogation: a privacy notice describes
    regular processing, and derogations are for occasional transfers (EDPB Guidelines 2/2018)."""
    by_country: dict[str, tuple[list[tuple[str, str, str]], set[str], bool]] = {}
    blankets = blanket_map(G)
    for u, v, d in edges_of(G, Relation.TRANSFERRED_TO):
        for p in in_scope(G, ps_of(d)):
            own = attrs_in(d, p).get("safeguards", [])
            if ART49 not in own:
                continue
            st = standing_of(G, v, d, p, blankets)
            edges, ps, alongside = by_country.setdefault(v, ([], set(), True))
            if (u, v, Relation.TRANSFERRED_TO.value) not in edges:
                edges.append((u, v, Relation.TRANSFERRED_TO.value))
            ps.add(p)
            others = [s for s in st.safeguards if s != ART49]
            by_country[v] = (edges, ps, alongside and (bool(others) or st.adequacy in ("full", "eea")))
    out = []
    for country, (edges, ps, alongside) in sorted(by_country.items()):
        senders = ", ".join(label_of(G, u) for u, _, _ in edges)
        detail = (f"{senders} → {label_of(G, country)}: the policy relies on an Art. 49 derogation for these transfers; "
                  f"derogations cover occasional transfers, not the routine ones a privacy notice describes "
                  f"(EDPB Guidelines 2/2018).")
        if alongside:
            detail += " Other safeguards are named for the same transfers: check which one each transfer relies on."
        derogation = [n for n in (f"{Kind.SAFEGUARD.value}:{ART49}",) if n in G]  # the sentence naming it
        out.append(make_finding(G, "art49-routine-transfer", country, detail, [*(u for u, _, _ in edges), country], ps,
                                [*derogation, *edges]))
    return out
