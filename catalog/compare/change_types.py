"""The change types a DPO is told about (catalog/lexicons/changes.yaml): each one's severity (and its
severity for a destination inside the EEA), its title and why it matters, checked when loaded.

Data, not code: a change type's wording or severity is changed in the YAML file; DETECTED lists the
types catalog.compare.change_detectors finds, and the file must describe each of them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from catalog.vocabulary import read_yaml

SEVERITIES = ("high", "medium", "low")


@dataclass(frozen=True)
class ChangeType:
    """One entry of changes.yaml."""

    name: str
    severity: str
    title: str
    why: str
    eea_severity: str = ""


@dataclass(frozen=True)
class Taxonomy:
    types: dict[str, ChangeType]
    generic_safeguards: frozenset[str]
    open_ended_retention: frozenset[str]


@functools.lru_cache(maxsize=1)
def taxonomy() -> Taxonomy:
    """The change types of catalog/lexicons/changes.yaml, checked when loaded."""
    data = read_yaml("changes.yaml")
    types = {}
    for name, d in data["changes"].items():
        t = ChangeType(name, d["severity"], d["title"], d["why"], d.get("eea_severity", ""))
        if t.severity not in SEVERITIES or t.eea_severity not in ("", *SEVERITIES) or name not in DETECTED:
            raise ValueError(f"changes.yaml: {name}: unknown change type or severity")
        types[name] = t
    if missing := set(DETECTED) - types.keys():
        raise ValueError(f"changes.yaml lacks {sorted(missing)}")
    return Taxonomy(types, frozenset(data.get("generic_safeguards", ())), frozenset(data.get("open_ended_retention", ())))


#: The change types catalog.compare.change_detectors detects (each must have an entry in changes.yaml).
DETECTED = (
    "transfer_destination_added", "transfer_destination_removed", "safeguard_dropped", "safeguard_added",
    "special_category_added", "special_category_removed", "legal_basis_changed", "recipient_added",
    "recipient_removed", "purpose_added", "purpose_removed", "retention_lengthened", "retention_shortened",
    "retention_added", "retention_removed", "controller_added", "controller_removed",
    "controller_contact_changed", "data_category_added", "data_category_removed",
)
