"""What changed in each vendor's policy that a DPO must act on, version after version (`ropa changes`).

Built on catalog.compare.diff's fact diff between consecutive versions of each organisation (catalog.compare.diff.history
orders them), read the way a DPO reads a register: new or dropped transfer destinations and safeguards,
new special categories, recipients and purposes, changed legal bases, retention changes, a new
controller. The change types, their severities and the reason each matters are data
(catalog/lexicons/changes.yaml). Every change carries the quotes of both versions (one side is empty when
the fact is new or gone). Reworded facts, and links that only reshuffle which category goes to which
recipient, are left to `ropa diff`. Pure functions over Extraction records.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Engine

from catalog.compare.diff import DiffEntry, diff, history
from catalog.records import Extraction, Fact, Kind, Link, Relation
from catalog.store.tables import link_key
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


#: The change types this module detects (each must have an entry in changes.yaml).
DETECTED = (
    "transfer_destination_added", "transfer_destination_removed", "safeguard_dropped", "safeguard_added",
    "special_category_added", "special_category_removed", "legal_basis_changed", "recipient_added",
    "recipient_removed", "purpose_added", "purpose_removed", "retention_lengthened", "retention_shortened",
    "retention_added", "retention_removed", "controller_added", "controller_removed",
    "controller_contact_changed", "data_category_added", "data_category_removed",
)


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


@dataclass(frozen=True)
class _Found:
    type: str
    subject: str
    label: str
    detail: str = ""
    old_quotes: tuple[str, ...] = ()
    new_quotes: tuple[str, ...] = ()
    eea: bool = False


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
    found = (_transfers(old, new, tax) + _fact_changes(d.entries) + _legal_bases(old, new)
             + _retention(old, new, tax))
    out = []
    for f in found:
        t = tax.types[f.type]
        out.append(Change(org, f.type, (t.eea_severity or t.severity) if f.eea else t.severity,
                          t.title.format(label=f.label), f.subject, f.detail, t.why, d.old_id, d.new_id,
                          d.old_date, d.new_date, seen_date(new), f.old_quotes, f.new_quotes))
    return out


def _facts(x: Extraction) -> dict[str, Fact]:
    return {f.id: f for f in x.facts}


def _quotes(items: Iterable[Fact | Link]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for item in items:
        for e in item.evidence:
            seen.setdefault(" ".join(e.quote.split()).casefold(), e.quote)
    return tuple(seen.values())


def _label(facts: dict[str, Fact], nid: str) -> str:
    return facts[nid].label if nid in facts else nid.partition(":")[2]


# ---- transfers and safeguards


def _links_by(x: Extraction, relation: Relation, end: str) -> dict[str, list[Link]]:
    """A version's links of one relation, grouped by their "source" or "target" node."""
    out: dict[str, list[Link]] = {}
    for ln in x.links:
        if ln.relation is relation:
            out.setdefault(getattr(ln, end), []).append(ln)
    return out


def _safeguards(x: Extraction, country: str, transfers: list[Link]) -> dict[str, list[Link]]:
    """safeguard id -> the links that state it for this country (its transfers' safeguards, safeguarded_by)."""
    out: dict[str, list[Link]] = {}
    for ln in transfers:
        for s in ln.attrs.get("safeguards", []):
            out.setdefault(f"safeguard:{s}", []).append(ln)
    for ln in x.links:
        if ln.relation is Relation.SAFEGUARDED_BY and ln.source == country:
            out.setdefault(ln.target, []).insert(0, ln)  # the sentence naming the safeguard first
    return out


def _transfers(old: Extraction, new: Extraction, tax: Taxonomy) -> list[_Found]:
    fo, fn = _facts(old), _facts(new)
    a, b = _links_by(old, Relation.TRANSFERRED_TO, "target"), _links_by(new, Relation.TRANSFERRED_TO, "target")
    labels = fo | fn
    out: list[_Found] = []
    for c in sorted(a.keys() | b.keys()):
        eea = bool(labels[c].attrs.get("eea")) if c in labels else False
        name = _label(labels, c)
        if c not in a:
            out.append(_Found("transfer_destination_added", c, name, _senders(b[c], labels),
                              new_quotes=_quotes(b[c]), eea=eea))
            continue
        if c not in b:
            out.append(_Found("transfer_destination_removed", c, name, _senders(a[c], labels),
                              old_quotes=_quotes(a[c]), eea=eea))
            continue
        sa, sb = _safeguards(old, c, a[c]), _safeguards(new, c, b[c])
        named_left = {s for s in sb if s.partition(":")[2] not in tax.generic_safeguards}
        for s in sorted(sa.keys() - sb.keys()):
            if s.partition(":")[2] in tax.generic_safeguards and named_left:
                continue  # "appropriate safeguards" now spelled out as SCCs, say: not a loss
            out.append(_Found("safeguard_dropped", f"{c} {s}", f"{name}: {_label(labels, s)}",
                              f"still transferred to {name}; safeguards now: "
                              + (", ".join(_label(labels, x) for x in sorted(sb)) or "none stated"),
                              _quotes(sa[s]), _quotes(b[c]), eea))
        for s in sorted(sb.keys() - sa.keys()):
            out.append(_Found("safeguard_added", f"{c} {s}", f"{name}: {_label(labels, s)}", "",
                              _quotes(sa.get(s, [])), _quotes(sb[s]), eea))
    # "outside the EEA", "internationally" with no country named: a country fact of its own, no edge
    unnamed_old = {n for n, f in fo.items() if f.kind is Kind.COUNTRY and f.attrs.get("unnamed")}
    unnamed_new = {n for n, f in fn.items() if f.kind is Kind.COUNTRY and f.attrs.get("unnamed")}
    for c in sorted(unnamed_new - unnamed_old - a.keys()):
        out.append(_Found("transfer_destination_added", c, _label(labels, c), "transfers to countries it does not name",
                          new_quotes=_quotes([fn[c]])))
    for c in sorted(unnamed_old - unnamed_new - b.keys()):
        out.append(_Found("transfer_destination_removed", c, _label(labels, c), "no longer says it transfers outside the EEA",
                          old_quotes=_quotes([fo[c]])))
    return out


def _senders(links: list[Link], labels: dict[str, Fact]) -> str:
    return "from " + ", ".join(sorted({_label(labels, ln.source) for ln in links}))


# ---- facts that come and go (recipients, purposes, data categories, controllers)

_FACT_TYPES = {Kind.RECIPIENT.value: "recipient", Kind.PURPOSE.value: "purpose",
               Kind.CONTROLLER.value: "controller", Kind.DATA_CATEGORY.value: "data_category"}


def _fact_changes(entries: Sequence[DiffEntry]) -> list[_Found]:
    out = []
    for e in entries:
        if e.element != "fact" or e.kind not in _FACT_TYPES:
            continue
        base = "special_category" if e.special_category else _FACT_TYPES[e.kind]
        if e.change in ("added", "removed"):
            detail = "named before only as why a recipient gets data" if e.old_quotes and e.change == "added" else ""
            out.append(_Found(f"{base}_{e.change}", e.id, e.label, detail, e.old_quotes, e.new_quotes))
        elif e.change == "changed" and e.kind == Kind.CONTROLLER.value:
            gained, lost = _contact_change(e)
            if gained or lost:
                what = ", ".join([f"+{m}" for m in gained] + [f"-{m}" for m in lost])
                out.append(_Found("controller_contact_changed", e.id, e.label, what,
                                  _mentioning(e.old_quotes, lost), _mentioning(e.new_quotes, gained)))
    return out


def _mentioning(quotes: tuple[str, ...], words: list[str]) -> tuple[str, ...]:
    """The quotes that name one of the words (all of them when none does)."""
    return tuple(q for q in quotes if any(w in q.lower() for w in words)) or quotes


def _emails(contacts: Any) -> set[str]:
    return {c["email"].lower() for c in contacts or [] if isinstance(c, dict) and c.get("email")}


def _contact_change(e: DiffEntry) -> tuple[list[str], list[str]]:
    """The contact addresses a changed controller gained and lost (none when only the wording moved)."""
    old = _emails(e.fields.get("attrs.contacts", {}).get("old"))
    new = _emails(e.fields.get("attrs.contacts", {}).get("new"))
    for k in ("attrs.contact_email", "attrs.dpo_email"):
        if k in e.fields:
            old |= {str(e.fields[k]["old"]).lower()} - {"none"}
            new |= {str(e.fields[k]["new"]).lower()} - {"none"}
    return sorted(new - old), sorted(old - new)


# ---- legal bases


def _legal_bases(old: Extraction, new: Extraction) -> list[_Found]:
    """A purpose (or special-category data) in both versions whose set of bases differs; a purpose that
    had none and now has one is not reported (the record gains what it lacked)."""
    fo, fn = _facts(old), _facts(new)
    labels = fo | fn
    a, b = _links_by(old, Relation.BASED_ON, "source"), _links_by(new, Relation.BASED_ON, "source")
    out = []
    for src in sorted(a.keys() & fn.keys()):
        ta, tb = {ln.target for ln in a[src]}, {ln.target for ln in b.get(src, [])}
        if ta == tb:
            continue
        names = lambda ts: ", ".join(_label(labels, t) for t in sorted(ts)) or "none stated"  # noqa: E731
        lost, gained = [ln for ln in a[src] if ln.target not in tb], [ln for ln in b.get(src, []) if ln.target not in ta]
        out.append(_Found("legal_basis_changed", src, _label(labels, src), f"{names(ta)} → {names(tb)}",
                          _quotes(lost or a[src]), _quotes(gained or b.get(src, []))))
    return out


# ---- retention

_UNIT_DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}
_PERIOD = re.compile(r"^period-(\d+)-([a-z]+?)s?$")


def _days(ident: str, tax: Taxonomy) -> float | None:
    """A retention fact's length in days (periods), infinity (open-ended rules), None (other criteria)."""
    if ident in tax.open_ended_retention:
        return float("inf")
    m = _PERIOD.match(ident)
    return int(m[1]) * _UNIT_DAYS[m[2]] if m and m[2] in _UNIT_DAYS else None


def _retention(old: Extraction, new: Extraction, tax: Taxonomy) -> list[_Found]:
    """Periods replaced by longer or shorter ones (one change), a period longer than any before,
    retention rules added or dropped."""
    ro = {f.id: f for f in old.facts if f.kind is Kind.RETENTION}
    rn = {f.id: f for f in new.facts if f.kind is Kind.RETENTION}
    gone, came = [ro[i] for i in sorted(ro.keys() - rn.keys())], [rn[i] for i in sorted(rn.keys() - ro.keys())]
    timed = lambda fs: [f for f in fs if _days(f.ident, tax) is not None]  # noqa: E731
    longest = lambda fs: max(_days(f.ident, tax) or 0.0 for f in fs)  # noqa: E731
    timed_gone, timed_came, timed_before = timed(gone), timed(came), timed(ro.values())
    out, handled = [], set()
    if timed_came and timed_before and (timed_gone or longest(timed_came) > longest(timed_before)):
        before = timed_gone or timed_before
        kind = "retention_lengthened" if longest(timed_came) > longest(before) else "retention_shortened"
        label = ", ".join(f.label for f in before) + " → " + ", ".join(f.label for f in timed_came)
        out.append(_Found(kind, " ".join(f.id for f in timed_came), label, "", _quotes(before), _quotes(timed_came)))
        handled = {f.id for f in timed_came + timed_gone}
    out += [_Found("retention_added", f.id, f.label, "", (), _quotes([f])) for f in came if f.id not in handled]
    out += [_Found("retention_removed", f.id, f.label, "", _quotes([f]), ()) for f in gone if f.id not in handled]
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
    from catalog.store.write import read_extractions

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
