"""What changed between two versions of one organisation's policy, read the way a DPO reads a register:
new or dropped transfer destinations and safeguards, facts that come and go (recipients, purposes,
data categories, special categories, controllers and their contacts), changed legal bases, longer
or shorter retention. Each detector returns what it found (`Found`) with the quotes of both sides;
catalog.compare.changes gives each its type's severity, title and reason. Pure functions over
Extraction records and catalog.compare.diff's entries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from catalog.compare.change_types import Taxonomy
from catalog.compare.diff import DiffEntry
from catalog.records import Extraction, Fact, Kind, Link, Relation


@dataclass(frozen=True)
class Found:
    """One change a detector found: its type, what it is about, and both sides' quotes (the severity and
    wording come from its type, in catalog.compare.changes)."""

    type: str
    subject: str
    label: str
    detail: str = ""
    old_quotes: tuple[str, ...] = ()
    new_quotes: tuple[str, ...] = ()
    eea: bool = False



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


def transfer_changes(old: Extraction, new: Extraction, tax: Taxonomy) -> list[Found]:
    fo, fn = _facts(old), _facts(new)
    a, b = _links_by(old, Relation.TRANSFERRED_TO, "target"), _links_by(new, Relation.TRANSFERRED_TO, "target")
    labels = fo | fn
    out: list[Found] = []
    for c in sorted(a.keys() | b.keys()):
        eea = bool(labels[c].attrs.get("eea")) if c in labels else False
        name = _label(labels, c)
        if c not in a:
            out.append(Found("transfer_destination_added", c, name, _senders(b[c], labels),
                              new_quotes=_quotes(b[c]), eea=eea))
            continue
        if c not in b:
            out.append(Found("transfer_destination_removed", c, name, _senders(a[c], labels),
                              old_quotes=_quotes(a[c]), eea=eea))
            continue
        sa, sb = _safeguards(old, c, a[c]), _safeguards(new, c, b[c])
        named_left = {s for s in sb if s.partition(":")[2] not in tax.generic_safeguards}
        for s in sorted(sa.keys() - sb.keys()):
            if s.partition(":")[2] in tax.generic_safeguards and named_left:
                continue  # "appropriate safeguards" now spelled out as SCCs, say: not a loss
            out.append(Found("safeguard_dropped", f"{c} {s}", f"{name}: {_label(labels, s)}",
                              f"still transferred to {name}; safeguards now: "
                              + (", ".join(_label(labels, x) for x in sorted(sb)) or "none stated"),
                              _quotes(sa[s]), _quotes(b[c]), eea))
        for s in sorted(sb.keys() - sa.keys()):
            out.append(Found("safeguard_added", f"{c} {s}", f"{name}: {_label(labels, s)}", "",
                              _quotes(sa.get(s, [])), _quotes(sb[s]), eea))
    # "outside the EEA", "internationally" with no country named: a country fact of its own, no edge
    unnamed_old = {n for n, f in fo.items() if f.kind is Kind.COUNTRY and f.attrs.get("unnamed")}
    unnamed_new = {n for n, f in fn.items() if f.kind is Kind.COUNTRY and f.attrs.get("unnamed")}
    for c in sorted(unnamed_new - unnamed_old - a.keys()):
        out.append(Found("transfer_destination_added", c, _label(labels, c), "transfers to countries it does not name",
                          new_quotes=_quotes([fn[c]])))
    for c in sorted(unnamed_old - unnamed_new - b.keys()):
        out.append(Found("transfer_destination_removed", c, _label(labels, c), "no longer says it transfers outside the EEA",
                          old_quotes=_quotes([fo[c]])))
    return out


def _senders(links: list[Link], labels: dict[str, Fact]) -> str:
    return "from " + ", ".join(sorted({_label(labels, ln.source) for ln in links}))


# ---- facts that come and go (recipients, purposes, data categories, controllers)

_FACT_TYPES = {Kind.RECIPIENT.value: "recipient", Kind.PURPOSE.value: "purpose",
               Kind.CONTROLLER.value: "controller", Kind.DATA_CATEGORY.value: "data_category"}


def fact_changes(entries: Sequence[DiffEntry]) -> list[Found]:
    out = []
    for e in entries:
        if e.element != "fact" or e.kind not in _FACT_TYPES:
            continue
        base = "special_category" if e.special_category else _FACT_TYPES[e.kind]
        if e.change in ("added", "removed"):
            detail = "named before only as why a recipient gets data" if e.old_quotes and e.change == "added" else ""
            out.append(Found(f"{base}_{e.change}", e.id, e.label, detail, e.old_quotes, e.new_quotes))
        elif e.change == "changed" and e.kind == Kind.CONTROLLER.value:
            gained, lost = _contact_change(e)
            if gained or lost:
                what = ", ".join([f"+{m}" for m in gained] + [f"-{m}" for m in lost])
                out.append(Found("controller_contact_changed", e.id, e.label, what,
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


def legal_basis_changes(old: Extraction, new: Extraction) -> list[Found]:
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
        out.append(Found("legal_basis_changed", src, _label(labels, src), f"{names(ta)} → {names(tb)}",
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


def retention_changes(old: Extraction, new: Extraction, tax: Taxonomy) -> list[Found]:
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
        out.append(Found(kind, " ".join(f.id for f in timed_came), label, "", _quotes(before), _quotes(timed_came)))
        handled = {f.id for f in timed_came + timed_gone}
    out += [Found("retention_added", f.id, f.label, "", (), _quotes([f])) for f in came if f.id not in handled]
    out += [Found("retention_removed", f.id, f.label, "", _quotes([f]), ()) for f in gone if f.id not in handled]
    return out
