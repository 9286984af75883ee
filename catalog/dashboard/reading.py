"""How a fact or link was read, and how sure that reading is: what a DPO reviews first.

The extractor records `read_as` ("table row", "statement", "list item", "heading scope", "section
scope", "inferred") and `confidence` (0..1) in a fact's or link's attributes. Where a catalog was built
before it did, the link's status stands in: a stated link was read from one sentence, an inferred one
was not (and is reviewed first).
"""

from __future__ import annotations

from typing import Any

#: Stand-in confidence of a reading without its own: by the status of the link.
STATUS_CONFIDENCE = {"stated": 0.9, "reviewed": 1.0, "inferred": 0.5}


def _attrs(item: dict[str, Any], policy_id: str = "") -> dict[str, Any]:
    """The attributes one version gave the item (by_policy), else the merged ones."""
    if policy_id:
        mine = (item.get("by_policy") or {}).get(policy_id)
        if mine:
            return mine
    return item.get("attrs") or {}


def confidence(item: dict[str, Any], policy_id: str = "") -> float | None:
    """The extractor's own confidence in the reading (0..1), or None when the catalog has none."""
    value = _attrs(item, policy_id).get("confidence")
    try:
        return max(0.0, min(1.0, float(value))) if value is not None else None
    except (TypeError, ValueError):
        return None


def status(item: dict[str, Any], policy_id: str = "") -> str:
    """stated | inferred | reviewed (facts, which have no status of their own, count as stated)."""
    own = (_attrs(item, policy_id).get("status") if policy_id else None) or item.get("status")
    return str(own or "stated")


def read_as(item: dict[str, Any], policy_id: str = "") -> str:
    """How the text was read ("table row", "statement", ...), else the status it stands for."""
    value = _attrs(item, policy_id).get("read_as")
    if value:
        return str(value)
    return "inferred" if status(item, policy_id) == "inferred" else "statement"


def sureness(item: dict[str, Any], policy_id: str = "") -> float:
    """confidence(), or the stand-in of the status: the key the review queue sorts on."""
    own = confidence(item, policy_id)
    return own if own is not None else STATUS_CONFIDENCE.get(status(item, policy_id), 0.9)


def reading_text(item: dict[str, Any], policy_id: str = "") -> str:
    """e.g. "read as table row · confidence 0.82", or "read as statement · stated (no confidence recorded)"."""
    own = confidence(item, policy_id)
    sure = f"confidence {own:.2f}" if own is not None else f"{status(item, policy_id)} (no confidence recorded)"
    return f"read as {read_as(item, policy_id)} · {sure}"
