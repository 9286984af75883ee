"""The notebooks' questions on international transfers: every transfer of a graph, and the
vendor x country matrix of the safeguards each vendor's policy names (as rows, cells and labels).

Pure functions of graphs built by `catalog.graph.build.to_graph`, one per vendor or version
(catalog.queries.graph_sets), returning plain data a notebook or the dashboard shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx

from catalog.queries.graph_sets import label
from catalog.records import Kind, Relation


#: Short labels for safeguard ids (the `safeguards` attribute of a `transferred_to` edge).
SAFEGUARD_SHORT: dict[str, str] = {
    "scc": "SCC",
    "dpf": "DPF",
    "bcr": "BCR",
    "adequacy": "adequacy",
    "art49-derogation": "Art. 49",
    "supplementary-measures": "supplementary measures",
    "appropriate-safeguards": "unspecified safeguards",
}

#: The country code of a transfer whose destination the policy does not name ("outside your country").
UNNAMED_COUNTRY = "ZZ"


def transfers(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Every `transferred_to` edge: who transfers (the controller or a recipient), to which country,
    the safeguards the policy names, the SCC and DPF flags, and the country's EU adequacy status."""
    rows = []
    for u, v, k, d in sorted(G.edges(keys=True, data=True)):
        if k != Relation.TRANSFERRED_TO.value:
            continue
        a = d.get("attrs", {})
        safeguards = list(a.get("safeguards", []))
        rows.append({
            "from": u, "from_kind": G.nodes[u].get("kind", ""), "from_label": label(G, u),
            "country": G.nodes[v].get("key") or v.partition(":")[2], "country_label": label(G, v),
            "adequacy": a.get("adequacy", ""), "third_country": bool(a.get("third_country", False)),
            "safeguards": safeguards, "scc": bool(a.get("scc", False)), "dpf": "dpf" in safeguards,
            "status": d.get("status", ""),
        })
    return rows


def transfer_matrix(graphs_by_vendor: Mapping[str, nx.MultiDiGraph], controller_only: bool = False,
                    third_countries_only: bool = False) -> dict[str, dict[str, dict[str, Any]]]:
    """vendor -> country code -> what the vendor's policy says about transfers there:
    {"scc", "dpf", "bcr", "safeguards", "adequacy" (the country's EU status: full/partial/none),
    "by" (who transfers: the controller and/or named recipients)}. Several transfers to one country
    are merged (flags or-ed, safeguards united). A vendor naming no transfer maps to {}. Countries
    are sorted by code, with ZZ (a transfer to countries the policy does not name) last.
    `controller_only` drops recipients' own transfers (e.g. Google's servers in the US);
    `third_countries_only` drops destinations inside the EEA (not a transfer under Chapter V).
    """
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for vendor, G in graphs_by_vendor.items():
        row: dict[str, dict[str, Any]] = {}
        for t in transfers(G):
            if controller_only and t["from_kind"] != Kind.CONTROLLER.value:
                continue
            if third_countries_only and not t["third_country"]:
                continue
            cell = row.setdefault(t["country"], {"country_label": t["country_label"], "scc": False, "dpf": False,
                                                 "bcr": False, "safeguards": [], "adequacy": t["adequacy"], "by": []})
            cell["scc"] |= t["scc"]
            cell["dpf"] |= t["dpf"]
            cell["bcr"] |= "bcr" in t["safeguards"]
            cell["safeguards"].extend(s for s in t["safeguards"] if s not in cell["safeguards"])
            if t["from_label"] not in cell["by"]:
                cell["by"].append(t["from_label"])
        out[vendor] = {c: row[c] for c in sorted(row, key=lambda c: (c == UNNAMED_COUNTRY, c))}
    return out


def matrix_labels(matrix: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> dict[str, dict[str, str]]:
    """transfer_matrix as text: vendor -> country -> matrix_cell(...), vendors without transfers left out."""
    return {v: {c: matrix_cell(cell) for c, cell in row.items()} for v, row in matrix.items() if row}


def matrix_countries(matrix: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The destinations of a transfer_matrix, most vendors first (then by code), ZZ (unnamed) last."""
    n: dict[str, int] = {}
    for row in matrix.values():
        for c in row:
            n[c] = n.get(c, 0) + 1
    return sorted(n, key=lambda c: (c == UNNAMED_COUNTRY, -n[c], c))


def matrix_rows(matrix: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """transfer_matrix flattened: one row per (vendor, country) with the SCC / DPF / BCR flags, the
    country's adequacy, the safeguards named and who transfers."""
    return [{"vendor": v, "country": c, "scc": cell["scc"], "dpf": cell["dpf"], "bcr": cell["bcr"],
             "adequacy": cell["adequacy"], "safeguards": ", ".join(cell["safeguards"]), "by": ", ".join(cell["by"])}
            for v, row in matrix.items() for c, cell in row.items()]


def matrix_cell(cell: Mapping[str, Any] | None) -> str:
    """A transfer_matrix cell as short text: the mechanisms named, then the country's EU adequacy.

    e.g. "SCC + DPF (partly adequate)", "none named (adequate)", "" for no transfer.
    """
    if not cell:
        return ""
    names = [SAFEGUARD_SHORT.get(s, s) for s in cell.get("safeguards", [])]
    order = list(SAFEGUARD_SHORT.values())
    names.sort(key=lambda s: (order.index(s) if s in order else len(order), s))
    text = " + ".join(names) if names else "none named"
    adequacy = cell.get("adequacy")
    if adequacy == "full":
        text += " (adequate)"
    elif adequacy == "partial":
        text += " (partly adequate)"
    return text



def transfer_timeline(graphs: Mapping[str, nx.MultiDiGraph]) -> list[dict[str, Any]]:
    """One row per (version, transfer): the transfers() rows of each version, with a `version` column."""
    return [{"version": v, **t} for v, G in graphs.items() for t in transfers(G)]
