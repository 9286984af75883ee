"""One processing activity's cells in one policy version: what each column of its row holds, item by
item, each stated or inferred as the fact or link it comes from, and the fact behind it.

Pure functions of one version's graph (`catalog.graph.build.restrict`): catalog.export.ropa merges
the versions' cells into rows. The DPIA column says whether the activity meets DPIA criteria, and
which (catalog.checks.dpia); the safeguards of a transfer are those that count for its destination
(catalog.graph.standing's `transfer_standing`). An item from a fact or link the DPO rejected stays,
marked "(rejected by the DPO)".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from catalog.checks import dpia
from catalog.checks.transfers import blanket_map, safeguard_names
from catalog.graph.standing import transfer_standing
from catalog.export.ropa_columns import (ART6, ART9, BUSINESS_FUNCTION, CONSENT_LINK, COUNTRIES, DATA, DPIA, INDIVIDUALS,
                                         LEGITIMATE_INTERESTS, LIA_LINK, NOT_STATED, PURPOSE, RECIPIENTS, RETENTION,
                                         RIGHTS, ROPA_COLUMNS, SAFEGUARDS)
from catalog.records import Kind, Relation, Status
from catalog.vocabulary import read_yaml

NO_CONSENT = "Not applicable: consent not relied on"
REJECTED = " (rejected by the DPO)"
NO_SPECIAL_CATEGORY = "Not applicable: no special category data stated for this purpose"
NO_LEGITIMATE_INTERESTS = "Not applicable: legitimate interests not relied on"
ALL_DATA = "all personal data"
#: Item statuses besides stated/inferred: from our own data files, or a column that does not apply.
DERIVED = "derived"
NOT_APPLICABLE = "not applicable"

@dataclass(frozen=True)
class Item:
    """One entry of a cell in one policy version: its text, stated or inferred, and the fact it comes from."""

    text: str
    status: str
    ref: str = ""


def _rejected(data: dict[str, Any], policy_id: str) -> bool:
    """A DPO's reject decision in force on a node or edge, for this version (or for all)."""
    r = data.get("review") or {}
    return r.get("decision") == "reject" and r.get("policy_id", policy_id) in (policy_id, "")


def _item(H: nx.MultiDiGraph, text: str, edge: dict[str, Any], ref: str) -> Item:
    """A cell item read through a link: stated or inferred as the link is, marked when the DPO
    rejected the link or the fact it names."""
    pid = _only_version(H)
    if _rejected(edge, pid) or (ref in H and _rejected(H.nodes[ref], pid)):
        text += REJECTED
    return Item(text, _st(H, edge), ref)


def _node_item(H: nx.MultiDiGraph, text: str, ref: str, status: str = Status.STATED) -> Item:
    """A cell item naming a fact directly (the purpose, a right), marked when the DPO rejected it."""
    return Item(text + (REJECTED if _rejected(H.nodes[ref], _only_version(H)) else ""), status, ref)


# ---------------------------------------------------------------- business function


def business_function(data_use: str, ident: str = "") -> str:
    """The business function a purpose belongs to: the longest dotted prefix of its id or key in business_function.yaml."""
    data = read_yaml("business_function.yaml")
    table: dict[str, str] = data["functions"]
    for candidate in (ident, data_use):
        parts = candidate.split(".") if candidate else []
        for i in range(len(parts), 0, -1):
            if (prefix := ".".join(parts[:i])) in table:
                return table[prefix]
    return str(data.get("default", NOT_STATED))


# ---------------------------------------------------------------- one version


def _out(H: nx.MultiDiGraph, n: str, relation: str) -> list[tuple[str, dict[str, Any]]]:
    return [(v, d) for _, v, k, d in H.out_edges(n, keys=True, data=True) if k == relation]


def _into(H: nx.MultiDiGraph, n: str, relation: str) -> list[tuple[str, dict[str, Any]]]:
    return [(u, d) for u, _, k, d in H.in_edges(n, keys=True, data=True) if k == relation]


def _label(H: nx.MultiDiGraph, n: str) -> str:
    return H.nodes[n]["label"] if n in H else n.partition(":")[2]


def _article(H: nx.MultiDiGraph, n: str) -> str:
    return str(H.nodes[n].get("attrs", {}).get("article", ""))


def _is_legitimate_interests(H: nx.MultiDiGraph, n: str) -> bool:
    return H.nodes[n].get("key") == "Legitimate interests" or "legitimate-interest" in H.nodes[n].get("ident", "")


def transfers_of(H: nx.MultiDiGraph, recipients: Iterable[str]) -> list[tuple[str, str, dict[str, Any]]]:
    """(source, country, edge data) of the controller's transfers (they concern all data) and of these recipients'."""
    sources = [n for n, k in H.nodes(data="kind") if k == Kind.CONTROLLER] + sorted(set(recipients))
    out = []
    for s in sources:
        for country, d in _out(H, s, Relation.TRANSFERRED_TO):
            if _edge_attrs(H, d).get("third_country", True) is not False:
                out.append((s, country, d))
    return out


def _only_version(H: nx.MultiDiGraph) -> str:
    policies = H.graph.get("policies", {})
    return next(iter(policies)) if len(policies) == 1 else ""


def _edge_attrs(H: nx.MultiDiGraph, d: dict[str, Any]) -> dict[str, Any]:
    """An edge's attributes as the graph's one version states them (merged attributes otherwise)."""
    pid = _only_version(H)
    return d.get("by_policy", {}).get(pid, d.get("attrs", {})) if pid else d.get("attrs", {})


def _st(H: nx.MultiDiGraph, d: dict[str, Any]) -> str:
    """stated or inferred, as the graph's one version says (a merged edge is stated if any version states it)."""
    return str(_edge_attrs(H, d).get("status") or d["status"])


def _quotes(H: nx.MultiDiGraph, d: dict[str, Any]) -> list[str]:
    pid = _only_version(H)
    return list(dict.fromkeys(e["quote"] for e in d.get("evidence", []) if not pid or e["policy_id"] == pid))


def _safeguard_text(H: nx.MultiDiGraph, country: str, attrs: dict[str, Any], blanket: set[str]) -> str:
    """The safeguards that count for this destination (catalog.graph.standing.transfer_standing), then its adequacy."""
    st = transfer_standing(str(H.nodes[country].get("key") or H.nodes[country].get("ident", "")),
                           attrs.get("safeguards", []), blanket)
    names = safeguard_names(st)
    if st.adequacy in ("full", "partial"):
        names.append(f"adequacy decision ({st.adequacy})")
    return ", ".join(names) if names else "no safeguard stated"


def activity_items(H: nx.MultiDiGraph, purpose: str, blankets: dict[str, set[str]] | None = None) -> dict[str, list[Item]]:
    """The cells of one purpose's row in one policy version's graph (columns with nothing stated are left out).

    `blankets`: catalog.checks.transfers.blanket_map(H), when the caller computes it once for many purposes."""
    blankets = blanket_map(H) if blankets is None else blankets
    blanket = blankets.get(_only_version(H), set())
    cells: dict[str, list[Item]] = {c: [] for c in ROPA_COLUMNS}
    p = H.nodes[purpose]
    cells[BUSINESS_FUNCTION].append(Item(business_function(p.get("key") or "", p.get("ident", "")), DERIVED, purpose))
    cells[PURPOSE].append(_node_item(H, p["label"], purpose))

    categories = [(c, d) for c, d in _into(H, purpose, Relation.PROCESSED_FOR) if H.nodes[c]["kind"] == Kind.DATA_CATEGORY]
    special = [c for c, _ in categories if H.nodes[c].get("attrs", {}).get("special_category")]
    for c, d in categories:
        suffix = " (special category)" if c in special else ""
        cells[DATA].append(_item(H, _label(H, c) + suffix, d, c))
        for s, sd in _into(H, c, Relation.PROVIDES):
            cells[INDIVIDUALS].append(_item(H, _label(H, s), sd, s))

    recipients: list[str] = []
    for src in [purpose, *(c for c, _ in categories)]:
        for r, d in _out(H, src, Relation.DISCLOSED_TO):
            recipients.append(r)
            cells[RECIPIENTS].append(_item(H, _label(H, r), d, r))

    for s, country, d in transfers_of(H, recipients):
        via = "" if H.nodes[s]["kind"] == Kind.CONTROLLER else f" (via {_label(H, s)})"
        name = _label(H, country) + via
        cells[COUNTRIES].append(_item(H, name, d, country))
        cells[SAFEGUARDS].append(_item(H, f"{name}: {_safeguard_text(H, country, _edge_attrs(H, d), blanket)}", d, country))

    for c, _ in categories:
        for r, d in _out(H, c, Relation.RETAINED_FOR):
            cells[RETENTION].append(_item(H, _label(H, r), d, r))
    for r, k in H.nodes(data="kind"):
        if k == Kind.RETENTION and H.nodes[r].get("attrs", {}).get("scope") == ALL_DATA:
            cells[RETENTION].append(_node_item(H, f"{_label(H, r)} ({ALL_DATA})", r))

    lawful = _out(H, purpose, Relation.BASED_ON)
    for b, d in lawful:
        if _article(H, b).startswith("6"):
            cells[ART6].append(_item(H, _label(H, b), d, b))
        elif _article(H, b).startswith("9"):
            cells[ART9].append(_item(H, _label(H, b), d, b))
        if _is_legitimate_interests(H, b):
            for quote in _quotes(H, d):
                cells[LEGITIMATE_INTERESTS].append(_item(H, quote, d, b))
    for c in special:
        for b, d in _out(H, c, Relation.BASED_ON):
            if _article(H, b).startswith("9"):
                cells[ART9].append(_item(H, f"{_label(H, b)} for {_label(H, c)}", d, b))
    if not cells[ART9] and not special:
        cells[ART9].append(Item(NO_SPECIAL_CATEGORY, NOT_APPLICABLE))
    if not cells[LEGITIMATE_INTERESTS] and cells[ART6] and not any(_is_legitimate_interests(H, b) for b, _ in lawful):
        cells[LEGITIMATE_INTERESTS].append(Item(NO_LEGITIMATE_INTERESTS, NOT_APPLICABLE))
        cells[LIA_LINK].append(Item(NO_LEGITIMATE_INTERESTS, NOT_APPLICABLE))
    if cells[ART6] and not any(H.nodes[b].get("key") == "Consent" or "6-1-a" in H.nodes[b].get("ident", "")
                               for b, _ in lawful):
        cells[CONSENT_LINK].append(Item(NO_CONSENT, NOT_APPLICABLE))
    if text := dpia.dpia_text(dpia.indicators(H, purpose)):
        cells[DPIA].append(Item(text, DERIVED, purpose))

    for r, k in H.nodes(data="kind"):
        if k == Kind.RIGHT:
            cells[RIGHTS].append(_node_item(H, _label(H, r), r))
    return cells
