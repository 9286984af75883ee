"""What changed in each vendor's policy that a DPO must act on, version after version (`ropa changes`).

Built on catalog.compare.diff's fact diff between consecutive versions of each organisation (catalog.compare.diff.history
orders them), read the way a DPO reads a register: new or dropped transfer destinations and safeguards,
new special categories, recipients and purposes, changed legal bases, retention changes, a new
controller (the detectors: catalog.compare.change_detectors). The change types, their severities and
the reason each matters are data (catalog/lexicons/changes.yaml, read by catalog.compare.change_types). Every change carries the quotes of both versions (one side is empty when
the fact is new or gone). Reworded facts, and links that only reshuffle which category goes to which
recipient, are left to `ropa diff`. Pure functions over Extraction records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Engine

from catalog.compare.change_detectors import fact_changes, legal_basis_changes, retention_changes, transfer_changes
from catalog.compare.change_types import SEVERITIES, taxonomy
from catalog.compare.diff import diff, history
from catalog.records import Extraction
from catalog.store.tables import link_key


@dataclass(frozen=True)
class Change:
    """One change between two consecutive versions of an organisation's policy, with both sides' quotes."""

    organisation: str
    type: str
    severity: str
    title: str
    subject: str  # the fact (node id) or country the change is about
    detail: str  # e.g. "Consent → Legitimate interests"
    why: str
    old_id: str
    new_id: str
    old_date: str  # effective dates
    new_date: str
    seen: str  # when the new version was seen (commit or snapshot date, else its effective date)
    old_quotes: tuple[str, ...] = ()
    new_quotes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"organisation": self.organisation, "type": self.type, "severity": self.severity,
                "title": self.title, "subject": self.subject, "detail": self.detail, "why": self.why,
                "old": {"id": self.old_id, "effective_date": self.old_date},
                "new": {"id": self.new_id, "effective_date": self.new_date}, "seen": self.seen,
                "old_quotes": list(self.old_quotes), "new_quotes": list(self.new_quotes)}


# ---------------------------------------------------------------- detection


def changes(extractions: Iterable[Extraction], since: dt.date | None = None) -> list[Change]:
    """Every organisation's changes between consecutive versions, newest first (then by severity);
    with `since`, only the steps to versions seen on or after that date."""
    out: list[Change] = []
    for org, versions in history(extractions).items():
        for old, new in zip(versions, versions[1:]):
            if since is None or seen_date(new) >= since.isoformat():
                out.extend(step_changes(org, old, new))
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    order = {t: i for i, t in enumerate(taxonomy().types)}
    out.sort(key=lambda c: (c.organisation, rank[c.severity], order[c.type], c.subject))
    out.sort(key=lambda c: (c.seen, c.new_date), reverse=True)  # stable: newest first, then the order above
    return out


def seen_date(x: Extraction) -> str:
    """When a version was seen: its commit's date (as the committer's clock said), its snapshot date,
    else its effective date."""
    d = x.policy
    return d.retrieved or (d.effective_date.isoformat() if d.effective_date else "")


def step_changes(org: str, old: Extraction, new: Extraction) -> list[Change]:
    """Pure: what a DPO must act on between two versions of one organisation's policy."""
    tax = taxonomy()
    d = diff(old, new)
    found = (transfer_changes(old, new, tax) + fact_changes(d.entries) + legal_basis_changes(old, new)
             + retention_changes(old, new, tax))
    out = []
    for f in found:
        t = tax.types[f.type]
        out.append(Change(org, f.type, (t.eea_severity or t.severity) if f.eea else t.severity,
                          t.title.format(label=f.label), f.subject, f.detail, t.why, d.old_id, d.new_id,
                          d.old_date, d.new_date, seen_date(new), f.old_quotes, f.new_quotes))
    return out


# ---------------------------------------------------------------- reviews, rows


def without_rejected(extractions: Iterable[Extraction], rejected: Iterable[tuple[str, str]]) -> list[Extraction]:
    """Extractions without the facts and links a DPO rejected: (target, policy id or "" for every version).

    A rejected fact takes its links with it, so a wrong reading raises no change (as no risk finding)."""
    by_policy: dict[str, set[str]] = {}
    everywhere: set[str] = set()
    for target, pid in rejected:
        (by_policy.setdefault(pid, set()) if pid else everywhere).add(target)
    out = []
    for x in extractions:
        gone = everywhere | by_policy.get(x.policy.id, set())
        if not gone:
            out.append(x)
            continue
        facts = tuple(f for f in x.facts if f.id not in gone)
        links = tuple(ln for ln in x.links if ln.source not in gone and ln.target not in gone
                      and link_key(ln.source, ln.relation.value, ln.target) not in gone)
        out.append(replace(x, facts=facts, links=links))
    return out


def read_changes(engine: Engine, organisation: str | None = None, since: dt.date | None = None) -> list[Change]:
    """The stored history's changes (of one organisation, or all), a DPO's rejected facts left out."""
    from catalog.store.review import read_reviews
    from catalog.store.read import read_extractions

    rejected = [(r.target, r.policy_id) for r in read_reviews(engine) if r.decision == "reject"]
    return changes(without_rejected(read_extractions(engine, organisation=organisation), rejected), since)


ROW_COLUMNS = ("seen", "organisation", "severity", "change", "title", "detail", "old_version", "new_version",
               "old_quote", "new_quote", "why", "subject")


def to_change_rows(cs: Iterable[Change]) -> list[dict[str, str]]:
    """Flat rows, one per change (quotes joined by newlines): what the xlsx sheet holds."""
    return [{"seen": c.seen, "organisation": c.organisation, "severity": c.severity, "change": c.type,
             "title": c.title, "detail": c.detail, "old_version": f"{c.old_id} ({c.old_date or 'undated'})",
             "new_version": f"{c.new_id} ({c.new_date or 'undated'})", "old_quote": "\n".join(c.old_quotes),
             "new_quote": "\n".join(c.new_quotes), "why": c.why, "subject": c.subject} for c in cs]


def at_least(cs: Iterable[Change], severity: str) -> list[Change]:
    """The changes of that severity or worse (what `--fail-on` counts)."""
    limit = SEVERITIES.index(severity)
    return [c for c in cs if SEVERITIES.index(c.severity) <= limit]
