"""The catalog as a Fides manifest: one `system` whose privacy declarations are the ROPA's processing activities.

Built from the same rows as the ROPA spreadsheet, so the two never disagree. Only keys fideslang's
default taxonomy knows are written (a node's `key`, never our own `ident`), and the manifest is
validated by fideslang's own models before it is returned, so `fides push` accepts what we write.
fideslang 3 has no per-declaration field for third countries: the system carries
`does_international_transfers` and `legal_basis_for_transfers`, and the countries per declaration go
into the system's `meta`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import networkx as nx
import yaml

from catalog.export.ropa import ropa_rows
from catalog.export.ropa_columns import ART6, ART9, COUNTRIES, DATA, INDIVIDUALS, NOT_STATED, RECIPIENTS, RETENTION
from catalog.export.ropa_controller import controller_details

#: Art. 6 bases in the order a declaration's single `legal_basis_for_processing` is chosen when several are stated.
_BASIS_ORDER = ("Contract", "Legal obligations", "Consent", "Vital interests", "Public interest", "Legitimate interests")


@functools.cache
def fides_keys() -> dict[str, frozenset[str]]:
    """The fides keys of fideslang's default taxonomy, per resource type."""
    from fideslang.default_taxonomy import DEFAULT_TAXONOMY as T

    return {"data_category": frozenset(c.fides_key for c in T.data_category),
            "data_use": frozenset(u.fides_key for u in T.data_use),
            "data_subject": frozenset(s.fides_key for s in T.data_subject)}


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "system"


def _fact_keys(G: nx.MultiDiGraph, row: dict[str, Any], column: str, known: frozenset[str] | None = None) -> list[str]:
    """The standard keys of the facts behind one ROPA cell, those fideslang knows, in a stable order."""
    keys: list[str] = []
    for item in row["provenance"][column]["items"]:
        for n in item["facts"]:
            key = G.nodes[n].get("key") if n in G else ""
            if key and (known is None or key in known) and key not in keys:
                keys.append(key)
    return sorted(keys)


def _data_use(G: nx.MultiDiGraph, row: dict[str, Any]) -> str:
    """The purpose's fideslang data use: its key, else the longest prefix of its id that is one."""
    known = fides_keys()["data_use"]
    if row["data_use"] in known:
        return row["data_use"]
    parts = G.nodes[row["purpose_id"]].get("ident", "").split(".")
    return next((".".join(parts[:i]) for i in range(len(parts), 0, -1) if ".".join(parts[:i]) in known), "")


def _basis(G: nx.MultiDiGraph, row: dict[str, Any]) -> str | None:
    """One Art. 6 basis for the declaration: stated before inferred, then by _BASIS_ORDER."""
    candidates = []
    for item in row["provenance"][ART6]["items"]:
        for n in item["facts"]:
            key = G.nodes[n].get("key") if n in G else ""
            if key in _BASIS_ORDER:
                candidates.append((item["status"] != "stated", _BASIS_ORDER.index(key), key))
    return min(candidates)[2] if candidates else None


def privacy_declaration(G: nx.MultiDiGraph, row: dict[str, Any]) -> dict[str, Any] | None:
    """A ROPA row as a Fides privacy declaration (None when its purpose has no fideslang data use)."""
    data_use = _data_use(G, row)
    if not data_use:
        return None
    keys = fides_keys()
    decl: dict[str, Any] = {
        "name": row["Purpose of processing"],
        "data_use": data_use,
        "data_categories": _fact_keys(G, row, DATA, keys["data_category"]),
        "data_subjects": _fact_keys(G, row, INDIVIDUALS, keys["data_subject"]),
    }
    if basis := _basis(G, row):
        decl["legal_basis_for_processing"] = basis
    art9 = _fact_keys(G, row, ART9)
    if any(G.nodes[n].get("attrs", {}).get("special_category") for it in row["provenance"][DATA]["items"] for n in it["facts"]):
        decl["processes_special_category_data"] = True
    if art9:
        decl["special_category_legal_basis"] = art9[0]
    if row[RETENTION] != NOT_STATED:
        decl["retention_period"] = row[RETENTION]
    if row[RECIPIENTS] != NOT_STATED:
        decl["data_shared_with_third_parties"] = True
        decl["third_parties"] = row[RECIPIENTS]
    return decl


def to_fides_manifest(G: nx.MultiDiGraph) -> dict[str, Any]:
    """A Fides manifest `{"system": [...]}` for the catalog's controller, validated by fideslang.models.Taxonomy."""
    from fideslang.models import Taxonomy

    c = controller_details(G)
    rows = ropa_rows(G)
    policies = sorted(G.graph.get("policies", {}).values(), key=lambda p: (p.get("effective_date") or "", p["id"]))
    name = c["legal_name"] if c["node_id"] else (policies[-1]["publisher"] if policies else "Unknown controller")
    fides_key = _slug(c["node_id"].partition(":")[2] or name)
    declarations, transfers = [], {}
    for row in rows:
        decl = privacy_declaration(G, row)
        if decl is None:
            continue
        declarations.append(decl)
        countries = _fact_keys(G, row, COUNTRIES)
        if countries:
            transfers[decl["name"]] = countries
    safeguards = sorted({G.nodes[n].get("key") for n, k in G.nodes(data="kind")
                         if k == "safeguard" and G.nodes[n].get("key")})
    adequacy = any(d.get("attrs", {}).get("adequacy") in ("full", "partial") for _, _, d in G.edges(data=True))
    latest = policies[-1] if policies else {}
    system: dict[str, Any] = {
        "fides_key": fides_key,
        "name": name,
        "description": f"Processing activities stated in {latest.get('title', 'the privacy policy')}"
                       f" (versions: {', '.join(p['id'] for p in policies) or 'none'}), extracted by ropa-catalog.",
        "system_type": "Service",
        "responsibility": ["Controller"],
        "processes_personal_data": True,
        "legal_name": c["legal_name"] if c["node_id"] else name,
        "privacy_declarations": declarations,
        "does_international_transfers": bool(transfers),
        "legal_basis_for_transfers": (safeguards + (["Adequacy Decision"] if adequacy else [])) if transfers else [],
        "uses_cookies": any(k == "cookie" for _, k in G.nodes(data="kind")),
        "meta": {"source": "ropa-catalog", "policy_ids": [p["id"] for p in policies],
                 "third_country_transfers": transfers},
    }
    for field, value in (("dpo", c["dpo"]), ("legal_address", c["address"])):
        if value != NOT_STATED:
            system[field] = value
    if c["registration_number"] != NOT_STATED:
        system["meta"]["registration_number"] = c["registration_number"]
    if str(latest.get("source", "")).startswith(("http://", "https://")):
        system["privacy_policy"] = latest["source"]
    manifest = {"system": [system]}
    Taxonomy.model_validate(manifest)
    return manifest


def write_fides(path: str | Path, G: nx.MultiDiGraph) -> Path:
    """The manifest as YAML (what `fides push` reads), written atomically."""
    from catalog.export.files import write_text_atomically

    return write_text_atomically(path, yaml.safe_dump(to_fides_manifest(G), sort_keys=False, allow_unicode=True, width=120))
