"""Pure: extractions as the store's rows, and stored evidence back as records.

A fact's or link's evidence is packed into one column (catalog/store/packing.py): offsets and its
section's index, not the quote and the title, which are read back from the version's text and
sections; rule names, notes and the facts' and links' attributes (as JSON) are ids of the phrase table
(`Phrases`). A link names its facts by row
id, known only once the facts are inserted: `to_rows` gives its endpoints' node ids for the writer to
resolve.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from json import dumps, loads  # the JSON columns' serialiser: attributes keep their key order
from typing import Any

from catalog.ingest.publisher import slug
from catalog.records import Evidence, Extraction, Origin, PolicyDocument
from catalog.store.packing import from_packed, to_packed
from catalog.store.tables import link_key

EXTRACTOR_VERSION = "1"

#: A link row before its facts' row ids are known: (source node id, target node id, the row).
PendingLink = tuple[str, str, dict]


class Phrases(dict[str, int]):
    """Text -> id in the phrase table: a text not stored yet gets the next id and is listed in `new`."""

    def __init__(self, stored: Iterable[tuple[int, str]] = ()) -> None:
        super().__init__((text, i) for i, text in stored)
        self.next = max(self.values(), default=0) + 1
        self.new: list[dict] = []

    def __missing__(self, text: str) -> int:
        i = self[text] = self.next
        self.next += 1
        self.new.append({"id": i, "text": text})
        return i


def to_rows(x: Extraction, phrases: Phrases) -> tuple[dict, list[dict], list[PendingLink]]:
    """An extraction as row dicts for the policy, fact and link tables (pure but for `phrases`,
    which gains the rules, notes and attributes it had not seen)."""
    d = x.policy
    policy = {
        "id": d.id, "title": d.title, "publisher": d.publisher, "organisation": slug(d.publisher),
        "effective_date": d.effective_date, "source": d.source, "retrieved": d.retrieved,
        "content_hash": d.content_hash, "text": d.text,
        "sections": [[list(s.path), s.level, s.start, s.end] for s in d.sections],
        "warnings": list(x.warnings), "extractor": EXTRACTOR_VERSION,
        **_origin_columns(d.origin),
    }
    sections: dict[str, int] = {}
    for i, s in enumerate(d.sections):
        sections.setdefault(s.title, i)
    facts, links, nodes = [], [], set()
    for f in x.facts:
        packed, odd = _packed_evidence(d, sections, phrases, f.evidence)
        facts.append({"policy_id": d.id, "kind": f.kind.value, "ident": f.ident, "label": f.label, "key": f.key,
                      "attrs_id": phrases[dumps(f.attrs)], "evidence": packed, "evidence_text": odd})
        nodes.add(f.id)
    for ln in x.links:
        if ln.source not in nodes or ln.target not in nodes:
            key = link_key(ln.source, ln.relation.value, ln.target)
            raise ValueError(f"link {key} of {d.id} names a node that is not one of its facts: not storable")
        packed, odd = _packed_evidence(d, sections, phrases, ln.evidence)
        links.append((ln.source, ln.target, {"relation": ln.relation.value, "status": ln.status.value,
                                             "attrs_id": phrases[dumps(ln.attrs)], "evidence": packed,
                                             "evidence_text": odd}))
    return policy, facts, links


def _origin_columns(o: Origin | None) -> dict:
    if o is None:
        return {"repository": "", "repository_path": "", "commit_sha": "", "committed_at": None}
    return {"repository": o.repository, "repository_path": o.path, "commit_sha": o.commit, "committed_at": o.committed_at}


def _packed_evidence(d: PolicyDocument, sections: dict[str, int], phrases: Phrases,
                     evidence: Iterable[Evidence]) -> tuple[bytes, list | None]:
    """The packed records, and [position, section or None, quote or None] of any evidence whose
    section is not a stored title or whose quote is not its slice (None when there is none)."""
    records, odd = [], []
    text = d.text
    for n, e in enumerate(evidence):
        if e.policy_id != d.id:
            raise ValueError(f"evidence of {d.id} names another version ({e.policy_id}): not storable as offsets")
        index = sections.get(e.section, -1) if e.section else -1
        records.append((index, e.start, e.end - e.start, phrases[e.rule], phrases[e.note]))
        section = None if index >= 0 or not e.section else e.section
        quote = None if text[e.start:e.end] == e.quote else e.quote
        if section is not None or quote is not None:
            odd.append([n, section, quote])
    return to_packed(records), odd or None


def attrs_reader(phrases: dict[int, str]) -> Callable[[int], dict[str, Any]]:
    """Phrase id -> a fresh dict of the attributes it holds (each record its own: nothing downstream may
    change another's). Each text is parsed once; a flat set (scalars only, most are) is then copied."""
    parsed: dict[int, tuple[dict[str, Any], bool]] = {}

    def attrs(i: int) -> dict[str, Any]:
        if (p := parsed.get(i)) is None:
            d = loads(phrases[i])
            p = parsed[i] = (d, all(v is None or isinstance(v, (str, int, float)) for v in d.values()))
        return p[0].copy() if p[1] else loads(phrases[i])

    return attrs


class EvidenceReader:
    """Stored evidence of one version back as records, each quote its slice of the version's text.

    Records are immutable: one that several facts and links of the version share (a statement read
    as a fact and as its links: half a link's evidence) is made once and shared.
    """

    def __init__(self, doc: PolicyDocument, phrases: dict[int, str]) -> None:
        self.pid, self.text, self.phrases = doc.id, doc.text, phrases
        self.titles = {i: s.title for i, s in enumerate(doc.sections)}  # -1 (no section): ""
        self.made: dict[tuple[int, ...], Evidence] = {}

    def read(self, packed: bytes, odd: list | None) -> tuple[Evidence, ...]:
        made, pid, text, titles, phrases = self.made, self.pid, self.text, self.titles, self.phrases
        out = []
        for r in from_packed(packed):
            if (e := made.get(r)) is None:
                index, start, length, rule, note = r
                e = made[r] = Evidence(pid, titles.get(index, ""), text[start:start + length], start, start + length,
                                       phrases[rule], phrases[note])
            out.append(e)
        for n, section, quote in odd or ():
            e = out[n]
            out[n] = Evidence(e.policy_id, e.section if section is None else section,
                              e.quote if quote is None else quote, e.start, e.end, e.rule, e.note)
        return tuple(out)
