"""What changed between two versions of a policy, fact by fact, with the quotes from each side.

Facts are matched by node id and links by (source, target, relation), so a reworded sentence
that still states the same thing is not a change of substance: it shows up as `restated` (same
identity and attributes, different quotes), kept apart from `added`, `removed` and `changed`
(same identity, different label, key, status or attributes). Sections are matched by heading
with its enumerator dropped ("F. MINORS" and "E. MINORS" are the same section, renumbered).
Pure functions over Extraction records; the xlsx writer lives in catalog.export.diff_workbook.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from catalog.ingest.publisher import slug
from catalog.extract import DISCLOSURE_ONLY
from catalog.records import Extraction, Fact, Kind, Link, PolicyDocument, Relation

CHANGES = ("added", "removed", "changed", "restated")

#: The order kinds are listed in: fact kinds first, then link relations.
KIND_ORDER: tuple[str, ...] = tuple(k.value for k in Kind) + tuple(r.value for r in Relation)

#: What the timeline calls out at each step (besides special-category data).
NOTABLE_KINDS = frozenset({Kind.RECIPIENT.value, Kind.COUNTRY.value, Kind.SAFEGUARD.value,
                           Relation.TRANSFERRED_TO.value, Relation.SAFEGUARDED_BY.value})


@dataclass(frozen=True, slots=True)
class DiffEntry:
    """One fact or link that differs between the versions; quotes are every quote of each side."""

    change: str  # added | removed | changed | restated
    element: str  # fact | link
    kind: str  # a Kind value for facts, a Relation value for links
    id: str
    label: str
    old_quotes: tuple[str, ...] = ()
    new_quotes: tuple[str, ...] = ()
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)  # changed: name -> {"old", "new"}
    special_category: bool = False

    @property
    def quotes_added(self) -> tuple[str, ...]:
        """Quotes only the new version has (what a restatement says afresh)."""
        old = {_norm(q) for q in self.old_quotes}
        return tuple(q for q in self.new_quotes if _norm(q) not in old)

    @property
    def quotes_removed(self) -> tuple[str, ...]:
        new = {_norm(q) for q in self.new_quotes}
        return tuple(q for q in self.old_quotes if _norm(q) not in new)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"change": self.change, "element": self.element, "kind": self.kind, "id": self.id,
                             "label": self.label, "old_quotes": list(self.old_quotes),
                             "new_quotes": list(self.new_quotes)}
        if self.fields:
            d["fields"] = self.fields
        if self.change == "restated":
            d["quotes_added"] = list(self.quotes_added)
            d["quotes_removed"] = list(self.quotes_removed)
        if self.special_category:
            d["special_category"] = True
        return d


@dataclass(frozen=True, slots=True)
class PolicyDiff:
    """Two policy versions compared: entries by change, and sections added, removed, renumbered."""

    old_id: str
    new_id: str
    old_date: str
    new_date: str
    entries: tuple[DiffEntry, ...]
    sections_added: tuple[str, ...] = ()
    sections_removed: tuple[str, ...] = ()
    sections_renamed: tuple[tuple[str, str], ...] = ()

    def of(self, change: str) -> list[DiffEntry]:
        return [e for e in self.entries if e.change == change]

    @property
    def added(self) -> list[DiffEntry]:
        return self.of("added")

    @property
    def removed(self) -> list[DiffEntry]:
        return self.of("removed")

    @property
    def changed(self) -> list[DiffEntry]:
        return self.of("changed")

    @property
    def restated(self) -> list[DiffEntry]:
        return self.of("restated")

    def entry(self, change: str, id: str) -> DiffEntry | None:
        """The entry for one fact id or link id with that change, if any (what tests and lookups want)."""
        return next((e for e in self.entries if e.change == change and e.id == id), None)

    def summary(self) -> dict[str, Any]:
        """Counts by change and kind, plus section counts: the one-glance view of a diff."""
        out: dict[str, Any] = {c: _count(self.of(c)) for c in CHANGES}
        out["sections"] = {"added": len(self.sections_added), "removed": len(self.sections_removed),
                           "renamed": len(self.sections_renamed)}
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": {"id": self.old_id, "effective_date": self.old_date},
            "new": {"id": self.new_id, "effective_date": self.new_date},
            "summary": self.summary(),
            "sections": {"added": list(self.sections_added), "removed": list(self.sections_removed),
                         "renamed": [{"old": a, "new": b} for a, b in self.sections_renamed]},
            **{c: [e.to_dict() for e in self.of(c)] for c in CHANGES},
        }


# ---------------------------------------------------------------- diff


def diff(old: Extraction, new: Extraction) -> PolicyDiff:
    """Pure: what `new` adds, removes, changes and restates relative to `old`."""
    labels = {f.id: f.label for f in old.facts} | {f.id: f.label for f in new.facts}
    special = {f.id for f in (*old.facts, *new.facts) if f.attrs.get("special_category")}
    entries: list[DiffEntry] = []
    entries += _diff_items({f.id: f for f in old.facts}, {f.id: f for f in new.facts}, labels, special)
    entries += _diff_items({_link_id(ln): ln for ln in old.links}, {_link_id(ln): ln for ln in new.links},
                           labels, special)
    entries.sort(key=lambda e: (CHANGES.index(e.change), _kind_rank(e.kind), e.id))
    added, removed, renamed = diff_sections(old.policy, new.policy)
    return PolicyDiff(old.policy.id, new.policy.id, _date(old.policy), _date(new.policy), tuple(entries),
                      added, removed, renamed)


def _diff_items(old: dict[str, Fact | Link], new: dict[str, Fact | Link], labels: dict[str, str],
                special: set[str]) -> list[DiffEntry]:
    out = []
    for i in sorted(old.keys() | new.keys()):
        a, b = old.get(i), new.get(i)
        item = b if b is not None else a
        assert item is not None, "an id is in one of the two versions at least"
        oq, nq = _quotes(a), _quotes(b)
        fields: dict[str, dict[str, Any]] = {}
        if a is None:
            change = "added"
        elif b is None:
            change = "removed"
        else:
            fields = _fields(a, b)
            became = fields.get("attrs.stated_as")
            if became and isinstance(item, Fact) and item.kind is Kind.PURPOSE:
                # named before only as why a recipient got data; now a purpose of processing (or back)
                change = "added" if became["old"] == DISCLOSURE_ONLY else "removed"
            elif fields:
                change = "changed"
            elif {_norm(q) for q in oq} != {_norm(q) for q in nq}:
                change = "restated"
            else:
                continue
        if isinstance(item, Fact):
            element, kind, label = "fact", item.kind.value, item.label
            sc = item.id in special
        else:
            element, kind = "link", item.relation.value
            label = f"{labels.get(item.source, item.source)} → {labels.get(item.target, item.target)}"
            sc = item.source in special or item.target in special
        out.append(DiffEntry(change, element, kind, i, label, oq, nq, fields, sc))
    return out


#: how a fact was read, not what it says: a different reading of the same fact is no change
READING_ATTRS = frozenset({"read_as", "confidence"})


def _fields(a: Fact | Link, b: Fact | Link) -> dict[str, dict[str, Any]]:
    """The fields that differ between two statements of the same fact or link (evidence aside)."""
    pairs: dict[str, tuple[Any, Any]]
    if isinstance(a, Fact) and isinstance(b, Fact):
        pairs = {"label": (a.label, b.label), "key": (a.key, b.key)}
    elif isinstance(a, Link) and isinstance(b, Link):
        pairs = {"status": (a.status.value, b.status.value)}
    else:  # ids are namespaced by kind: a fact's never names a link
        raise TypeError(f"one id, a fact and a link: {a!r}, {b!r}")
    for k in sorted((a.attrs.keys() | b.attrs.keys()) - READING_ATTRS):
        pairs[f"attrs.{k}"] = (a.attrs.get(k), b.attrs.get(k))
    return {k: {"old": x, "new": y} for k, (x, y) in pairs.items() if x != y}


def _link_id(ln: Link) -> str:
    """A link's identity as one readable string: `source -[relation]-> target`."""
    return f"{ln.source} -[{ln.relation.value}]-> {ln.target}"


def _quotes(item: Fact | Link | None) -> tuple[str, ...]:
    if item is None:
        return ()
    seen: dict[str, str] = {}
    for e in item.evidence:
        seen.setdefault(_norm(e.quote), e.quote)
    return tuple(seen.values())


def _norm(s: str) -> str:
    return " ".join(s.split()).casefold()


def _kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def _count(entries: Iterable[DiffEntry]) -> dict[str, int]:
    out: dict[str, int] = {}
    for e in entries:
        out[e.kind] = out.get(e.kind, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: _kind_rank(kv[0])))


def _date(doc: PolicyDocument) -> str:
    return doc.effective_date.isoformat() if doc.effective_date else ""


# ---------------------------------------------------------------- sections

_ENUM_RE = re.compile(r"^\s*(?:\(?[A-Za-z0-9]{1,3}[.)]|[IVXLC]+\.)\s+")


def section_key(title: str) -> str:
    """A heading path without its enumerators and case: `F. MINORS` -> `minors`."""
    return " > ".join(_norm(_ENUM_RE.sub("", part)) for part in title.split(" > "))


def diff_sections(old: PolicyDocument, new: PolicyDocument) -> tuple[tuple[str, ...], tuple[str, ...],
                                                                     tuple[tuple[str, str], ...]]:
    """Pure: (added, removed, renamed) section titles; renamed means renumbered or re-cased only."""
    a = {section_key(s.title): s.title for s in old.sections}
    b = {section_key(s.title): s.title for s in new.sections}
    added = tuple(t for k, t in b.items() if k not in a)
    removed = tuple(t for k, t in a.items() if k not in b)
    renamed = tuple((a[k], b[k]) for k in a if k in b and a[k] != b[k])
    return added, removed, renamed


# ---------------------------------------------------------------- timeline


def history(extractions: Iterable[Extraction]) -> dict[str, list[Extraction]]:
    """Each organisation's versions in history order: effective date, then when each text was seen
    (a commit's time, a snapshot date), so texts that claim the same date follow the archive."""
    by_org: dict[str, list[Extraction]] = {}
    for x in extractions:
        by_org.setdefault(slug(x.policy.publisher), []).append(x)
    return {org: sorted(by_org[org], key=lambda x: (_date(x.policy) or "9999", x.policy.seen, x.policy.id))
            for org in sorted(by_org)}


def timeline(extractions: Sequence[Extraction]) -> list[dict[str, Any]]:
    """Each organisation's versions in history order, and what each step added and removed.

    A step carries the diff's summary and the notable items a DPO looks for first: recipients,
    countries, transfers, safeguards and special-category data.
    """
    steps: list[dict[str, Any]] = []
    for org, versions in history(extractions).items():
        for old, new in zip(versions, versions[1:]):
            d = diff(old, new)
            steps.append({
                "organisation": org,
                "from": d.old_id, "from_date": d.old_date,
                "to": d.new_id, "to_date": d.new_date,
                "identical_text": old.policy.content_hash == new.policy.content_hash,
                **{c: _count(d.of(c)) for c in ("added", "removed", "changed")},
                "restated": len(d.restated),
                "sections_added": list(d.sections_added),
                "sections_removed": list(d.sections_removed),
                "notable": notable(d),
            })
    return steps


def notable(d: PolicyDiff) -> list[dict[str, str]]:
    """Added, removed or changed recipients, countries, transfers, safeguards and special-category data."""
    return [{"change": e.change, "kind": e.kind, "id": e.id, "label": e.label}
            for e in d.entries
            if e.change in ("added", "removed", "changed")
            and (e.kind in NOTABLE_KINDS or (e.special_category and e.kind == Kind.DATA_CATEGORY.value))]


# ---------------------------------------------------------------- rows

ROW_COLUMNS = ("change", "element", "kind", "id", "label", "fields", "old_quote", "new_quote")


def to_diff_rows(d: PolicyDiff) -> list[dict[str, str]]:
    """Flat rows, one per entry (quotes joined by newlines): what the xlsx sheet and CSV hold."""
    rows = []
    for e in d.entries:
        old_q, new_q = (e.quotes_removed, e.quotes_added) if e.change == "restated" else (e.old_quotes, e.new_quotes)
        fields = "; ".join(f"{k}: {v['old']!r} → {v['new']!r}" for k, v in e.fields.items())
        rows.append({"change": e.change, "element": e.element, "kind": e.kind, "id": e.id, "label": e.label,
                     "fields": fields, "old_quote": "\n".join(old_q), "new_quote": "\n".join(new_q)})
    return rows


def to_section_rows(d: PolicyDiff) -> list[dict[str, str]]:
    """Sections added, removed and renumbered, one row each."""
    return ([{"change": "added", "old_title": "", "new_title": t} for t in d.sections_added]
            + [{"change": "removed", "old_title": t, "new_title": ""} for t in d.sections_removed]
            + [{"change": "renamed", "old_title": a, "new_title": b} for a, b in d.sections_renamed])
