"""The Article 30(1) record of processing activities as rows, one per processing activity (a purpose).

Pure functions of the processing graph. Columns follow the UK ICO's documentation template for
controllers, in its order and wording, so a DPO can paste the rows into the template they already
keep. Each row is computed per policy version (a hop stated only by the 2018 version never joins a
category stated only by the 2019 one) and then merged, so every item in a cell knows which versions
state it and whether it is stated or inferred. A cell the policy should fill and says nothing
about reads "Not stated in the policy" (a gap, visible, never blank); a column no privacy policy
can state (the link to a processor contract, security measures, where the data is held...) reads
"For the DPO to complete". The DPIA column says whether the activity meets DPIA criteria, and which
(catalog.checks.dpia). An item from a fact or link the DPO rejected stays, marked "(rejected by the DPO)".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from catalog.checks import dpia
from catalog.graph.build import restrict
from catalog.records import Kind, Relation, Status
from catalog.checks.risks import blanket_map, safeguard_names, transfer_standing
from catalog.vocabulary import concept, read_yaml

NOT_STATED = "Not stated in the policy"
FOR_DPO = "For the DPO to complete"
NO_CONSENT = "Not applicable: consent not relied on"
REJECTED = " (rejected by the DPO)"
NO_SPECIAL_CATEGORY = "Not applicable: no special category data stated for this purpose"
NO_LEGITIMATE_INTERESTS = "Not applicable: legitimate interests not relied on"
ALL_DATA = "all personal data"
#: Item statuses besides stated/inferred: from our own data files, or a column that does not apply.
DERIVED = "derived"
NOT_APPLICABLE = "not applicable"
ITEM_SEPARATOR = "; "
QUOTE_SEPARATOR = "\n"  # quotes end in their own punctuation; one per line

#: The ICO controller template's columns (sheet "Template", columns A onwards), in order and verbatim.
ROPA_COLUMNS: tuple[str, ...] = (
    "Business function",
    "Purpose of processing",
    "Name and contact details of joint controller (if applicable)",
    "Categories of individuals",
    "Categories of personal data",
    "Categories of recipients",
    "Link to contract with processor",
    "Names of third countries or international organisations that personal data are transferred to (if applicable)",
    "Safeguards for exceptional transfers of personal data to third countries or international organisations (if applicable)",
    "Retention schedule (if possible)",
    "General description of technical and organisational security measures (if possible)",
    "Article 6 lawful basis for processing personal data",
    "Article 9 condition for processing special category data",
    "Legitimate interests for the processing (if applicable)",
    "Link to record of legitimate interests assessment (if applicable)",
    "Rights available to individuals",
    "Existence of automated decision-making, including profiling (if applicable)",
    "The source of the personal data (if applicable)",
    "Link to record of consent",
    "Location of personal data",
    "Data Protection Impact Assessment required?",
)

(BUSINESS_FUNCTION, PURPOSE, JOINT_CONTROLLER, INDIVIDUALS, DATA, RECIPIENTS, PROCESSOR_CONTRACT, COUNTRIES,
 SAFEGUARDS, RETENTION, SECURITY, ART6, ART9, LEGITIMATE_INTERESTS, LIA_LINK, RIGHTS, AUTOMATED, SOURCE,
 CONSENT_LINK, LOCATION, DPIA) = ROPA_COLUMNS

#: Columns a privacy policy cannot fill: the controller's own records (contracts, assessments,
#: consent records), its security measures and where it holds the data. Empty, they are the DPO's to
#: complete, not a gap in the policy.
DPO_COLUMNS: tuple[str, ...] = (PROCESSOR_CONTRACT, SECURITY, LIA_LINK, CONSENT_LINK, LOCATION, DPIA)
FOR_THE_DPO = "for the DPO"  # a DPO column's status in a row's provenance when the policy fills nothing

#: Text that names an EU representative (Art. 27) in the controller's evidence or contacts.
_REPRESENTATIVE = re.compile(r"\b(EU|EEA|European|UK)\s+representative\b|\bArticle\s+27\b|\bArt\.\s*27\b", re.IGNORECASE)


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
    """The safeguards that count for this destination (catalog.checks.risks.transfer_standing), then its adequacy."""
    st = transfer_standing(str(H.nodes[country].get("key") or H.nodes[country].get("ident", "")),
                           attrs.get("safeguards", []), blanket)
    names = safeguard_names(st)
    if st.adequacy in ("full", "partial"):
        names.append(f"adequacy decision ({st.adequacy})")
    return ", ".join(names) if names else "no safeguard stated"


def activity_items(H: nx.MultiDiGraph, purpose: str, blankets: dict[str, set[str]] | None = None) -> dict[str, list[Item]]:
    """The cells of one purpose's row in one policy version's graph (columns with nothing stated are left out).

    `blankets`: catalog.checks.risks.blanket_map(H), when the caller computes it once for many purposes."""
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


# ---------------------------------------------------------------- merged rows


def _versions(G: nx.MultiDiGraph) -> list[str]:
    policies = G.graph.get("policies", {})
    ids = sorted(policies, key=lambda p: (policies[p].get("effective_date") or "", p))
    if not ids:  # a graph built without policy metadata: the versions its nodes name
        ids = sorted({p for _, ps in G.nodes(data="policy_ids") for p in ps or ()})
    return ids


def _publisher(G: nx.MultiDiGraph, policy_id: str) -> str:
    return str(G.graph.get("policies", {}).get(policy_id, {}).get("publisher", ""))


def organisation(G: nx.MultiDiGraph, policy_id: str) -> str:
    """The organisation a version belongs to (its publisher's slug: 'Alibaba.com' and 'alibaba.com' are one)."""
    from catalog.ingest.documents import slug

    return slug(_publisher(G, policy_id)) if _publisher(G, policy_id) else ""


def _status(statuses: set[str]) -> str:
    if not statuses:
        return "not stated"
    return statuses.pop() if len(statuses) == 1 else "stated and inferred"


def ropa_rows(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """One row per processing activity (a purpose of one publisher), its ROPA_COLUMNS cells as text.

    Besides the columns, a row has `purpose_id`, `data_use` (the fideslang key), `controller` (the
    publisher as the newest version spells it), `organisation` (its slug), `policy_ids`, and
    `provenance`: per column, its status (stated, inferred, stated and inferred, derived — the
    business function, from business_function.yaml —, not applicable, not stated), the
    versions stating it, and its items with their own versions, status and the facts behind them.
    An item not stated by every version of the row is suffixed with the versions that state it.
    """
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for pid in _versions(G):
        H = restrict(G, pid)
        blankets = blanket_map(H)
        for purpose, kind in H.nodes(data="kind"):
            if kind != Kind.PURPOSE:
                continue
            row = merged.setdefault((organisation(G, pid), purpose),
                                    {"policy_ids": set(), "cells": {}, "publisher": _publisher(G, pid)})
            row["policy_ids"].add(pid)
            row["publisher"] = _publisher(G, pid)  # versions go oldest first: the newest spelling wins
            for col, items in activity_items(H, purpose, blankets).items():
                cell = row["cells"].setdefault(col, {})
                for it in items:
                    entry = cell.setdefault(it.text, {"policy_ids": set(), "statuses": set(), "refs": set()})
                    entry["policy_ids"].add(pid)
                    entry["statuses"].add(str(it.status))
                    if it.ref:
                        entry["refs"].add(it.ref)
    rows = []
    for (org, purpose), row in merged.items():
        versions = sorted(row["policy_ids"])
        out: dict[str, Any] = {}
        provenance: dict[str, Any] = {}
        for col in ROPA_COLUMNS:
            cell = row["cells"].get(col, {})
            items = [{"text": text, "status": _status(set(e["statuses"])), "policy_ids": sorted(e["policy_ids"]),
                      "facts": sorted(e["refs"])} for text, e in sorted(cell.items())]
            texts = [it["text"] if it["policy_ids"] == versions else f"{it['text']} [{', '.join(it['policy_ids'])}]"
                     for it in items]
            empty = FOR_DPO if col in DPO_COLUMNS else NOT_STATED
            out[col] = (QUOTE_SEPARATOR if col == LEGITIMATE_INTERESTS else ITEM_SEPARATOR).join(texts) or empty
            provenance[col] = {
                "status": _status({s for e in cell.values() for s in e["statuses"]}) if cell or empty == NOT_STATED
                else FOR_THE_DPO,
                "policy_ids": sorted({p for e in cell.values() for p in e["policy_ids"]}),
                "items": items,
            }
        node = G.nodes[purpose]
        out.update(purpose_id=purpose, data_use=node.get("key") or "", controller=row["publisher"], organisation=org,
                   policy_ids=versions,
                   provenance=provenance)
        rows.append(out)
    rows.sort(key=lambda r: (r["organisation"], r[BUSINESS_FUNCTION], r[PURPOSE]))
    return rows


# ---------------------------------------------------------------- controller block


def _country_name(code: str) -> str:
    c = concept(Kind.COUNTRY, code) if code else None
    return f"{c.label} ({code})" if c else code


def controller_details(G: nx.MultiDiGraph) -> dict[str, Any]:
    """The controller block above the ROPA table: name, registration number, address, contacts, DPO, representative.

    With several controllers the one stated by most versions is the controller; the others are listed.
    Attributes come from the newest version that states the controller, so a contact e-mail that
    changed between versions shows the current one. Anything not stated reads "Not stated in the policy".
    """
    versions = _versions(G)
    controllers = sorted((n for n, k in G.nodes(data="kind") if k == Kind.CONTROLLER),
                         key=lambda n: (-len(G.nodes[n]["policy_ids"]), -len(G.nodes[n]["evidence"]), n))
    publishers = sorted({p.get("publisher", "") for p in G.graph.get("policies", {}).values()} - {""})
    if not controllers:
        return {"node_id": "", "name": "; ".join(publishers) or NOT_STATED, "legal_name": NOT_STATED,
                "registration_number": NOT_STATED, "address": NOT_STATED, "country": NOT_STATED,
                "contact_email": NOT_STATED, "phone": NOT_STATED, "dpo": NOT_STATED, "representative": NOT_STATED,
                "other_controllers": [], "policy_ids": versions}
    main = controllers[0]
    node = G.nodes[main]
    attrs = dict(node.get("attrs", {}))
    by_policy = node.get("by_policy", {})
    for pid in versions:  # oldest first, so the newest version's values win
        attrs.update({k: v for k, v in by_policy.get(pid, {}).items() if v not in (None, "", [])})
    contacts = attrs.get("contacts", []) or []

    def contact(role: str, field: str) -> str:
        return next((c[field] for c in contacts if c.get("role") == role and c.get(field)), "")

    quotes = [e["quote"] for e in node.get("evidence", [])] + [str(c) for c in contacts]
    representative = next((q for q in quotes if _REPRESENTATIVE.search(q)), "")
    return {
        "node_id": main,
        "name": node["label"],
        "legal_name": attrs.get("legal_name") or node["label"],
        "registration_number": attrs.get("registration_number") or NOT_STATED,
        "address": attrs.get("address") or contact("address", "address") or NOT_STATED,
        "country": _country_name(str(attrs.get("country", ""))) or NOT_STATED,
        "contact_email": attrs.get("contact_email") or contact("privacy", "email") or NOT_STATED,
        "phone": contact("phone", "phone") or NOT_STATED,
        "dpo": attrs.get("dpo_email") or contact("dpo", "email") or NOT_STATED,
        "representative": representative or NOT_STATED,
        "other_controllers": [G.nodes[c]["label"] for c in controllers[1:]],
        "policy_ids": node["policy_ids"],
    }
