"""The controller block above the Article 30 record: who the controller is (name, registration
number, address, country), how to reach it and its DPO, and its EU representative (Art. 27).

A pure function of the processing graph, read from the newest version that states each attribute.
"""

from __future__ import annotations

import re
from typing import Any

import networkx as nx

from catalog.export.ropa import policy_versions
from catalog.export.ropa_columns import NOT_STATED
from catalog.records import Kind
from catalog.vocabulary import concept

#: Text that names an EU representative (Art. 27) in the controller's evidence or contacts.
_REPRESENTATIVE = re.compile(r"\b(EU|EEA|European|UK)\s+representative\b|\bArticle\s+27\b|\bArt\.\s*27\b", re.IGNORECASE)


def _country_name(code: str) -> str:
    c = concept(Kind.COUNTRY, code) if code else None
    return f"{c.label} ({code})" if c else code


def controller_details(G: nx.MultiDiGraph) -> dict[str, Any]:
    """The controller block above the ROPA table: name, registration number, address, contacts, DPO, representative.

    With several controllers the one stated by most versions is the controller; the others are listed.
    Attributes come from the newest version that states the controller, so a contact e-mail that
    changed between versions shows the current one. Anything not stated reads "Not stated in the policy".
    """
    versions = policy_versions(G)
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
