"""How a fact or link was read, and how sure that reading is: what a DPO reviews first.

catalog.graph.build.reading gives (read_as, confidence) from the attributes the extractor records, with the
link's status standing in for read_as when it records none. Without a confidence, the review queue
still needs an order: the status's stand-in (an inferred link, read from no single sentence, first).
"""

from __future__ import annotations

from typing import Any

from catalog.graph.build import reading as graph_reading

#: Stand-in confidence of a reading without its own: by the status of the link.
STATUS_CONFIDENCE = {"stated": 0.9, "reviewed": 1.0, "inferred": 0.5}


def _attrs(item: dict[str, Any], policy_id: str = "") -> dict[str, Any]:
    """The attributes one version gave the item (by_policy), else the merged ones."""
    mine = (item.get("by_policy") or {}).get(policy_id) if policy_id else None
    return mine or item.get("attrs") or {}


def confidence(item: dict[str, Any], policy_id: str = "") -> float | None:
    """The extractor's own confidence in the reading (0..1), or None when the catalog has none."""
    try:
        value = graph_reading(item, policy_id)[1]
    except (TypeError, ValueError):
        return None
    return max(0.0, min(1.0, value)) if value is not None else None


def status(item: dict[str, Any], policy_id: str = "") -> str:
    """stated | inferred | reviewed (facts, which have no status of their own, count as stated)."""
    return str(_attrs(item, policy_id).get("status") or item.get("status") or "stated")


def read_as(item: dict[str, Any], policy_id: str = "") -> str:
    """How the text was read ("table row", "statement", ...; catalog.graph.build.reading)."""
    return graph_reading(item, policy_id)[0]


def sureness(item: dict[str, Any], policy_id: str = "") -> float:
    """confidence(), or the stand-in of the status: the key the review queue sorts on."""
    own = confidence(item, policy_id)
    return own if own is not None else STATUS_CONFIDENCE.get(status(item, policy_id), 0.9)


def reading_text(item: dict[str, Any], policy_id: str = "") -> str:
    """e.g. "read as table row · confidence 0.82", or "read as statement · stated (no confidence recorded)"."""
    own = confidence(item, policy_id)
    sure = f"confidence {own:.2f}" if own is not None else f"{status(item, policy_id)} (no confidence recorded)"
    return f"read as {read_as(item, policy_id)} · {sure}"
