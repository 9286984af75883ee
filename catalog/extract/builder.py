"""Accumulates facts and links with their evidence while the extractors run, then freezes them."""

from __future__ import annotations

from typing import Any

from catalog.records import Evidence, Fact, Kind, Link, PolicyDocument, Relation, Status, Unit, node_id
from catalog.vocabulary import Concept, lexicon


#: each relation's value (Enum.value is a Python-level property: add_link runs for every link read)
_VALUE = {r: r.value for r in Relation}


class Builder:
    """Facts keyed by node id and links keyed by (source, target, relation); evidence deduplicated."""

    def __init__(self, doc: PolicyDocument) -> None:
        self.doc = doc
        self.facts: dict[str, dict[str, Any]] = {}
        self.links: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.warnings: list[str] = []
        #: concepts this document names that no lexicon holds (a retention period, an organisation)
        self.dynamic: dict[tuple[Kind, str], Concept] = {}
        self._titles = [s.title for s in doc.sections]  # each evidence quotes its section's title
        self._evidence: dict[tuple[int, int, int, str, str], Evidence] = {}
        #: node id -> the concept whose attributes add_concept put into that fact
        self._concept_of: dict[str, Concept] = {}

    def concept(self, kind: Kind, ident: str) -> Concept | None:
        """A concept of the vocabulary, or one this document introduced (see `dynamic`)."""
        return self.dynamic.get((kind, ident)) or lexicon(kind).concepts.get(ident)

    def known(self, kind: Kind, ident: str) -> Concept:
        """The concept a mention names: every mention names one of the vocabulary's or this document's."""
        c = self.concept(kind, ident)
        if c is None:
            raise KeyError(f"{kind.value}:{ident} is in no vocabulary")
        return c

    # evidence -------------------------------------------------------------
    def evidence(self, unit: Unit | int, rule: str, note: str = "") -> Evidence:
        u = self.doc.units[unit] if isinstance(unit, int) else unit
        key = (u.start, u.end, u.section, rule, note)
        ev = self._evidence.get(key)
        if ev is None:  # one (immutable) record per quote and rule: most are asked for many times
            ev = self._evidence[key] = self._new_evidence(u, rule, note)
        return ev

    def _new_evidence(self, u: Unit, rule: str, note: str) -> Evidence:
        return Evidence(
            policy_id=self.doc.id,
            section=self._titles[u.section] if 0 <= u.section < len(self._titles) else "",
            quote=self.doc.text[u.start : u.end],
            start=u.start,
            end=u.end,
            rule=rule,
            note=note,
        )

    # facts ----------------------------------------------------------------
    def add_fact(self, kind: Kind, ident: str, label: str, key: str, evidence: Evidence, **attrs: Any) -> str:
        nid = kind + ":" + ident if kind.__class__ is Kind else node_id(kind, ident)  # node_id, without its enum look-up
        f = self.facts.get(nid)
        if f is None:
            f = self.facts[nid] = {"kind": kind, "ident": ident, "label": label, "key": key, "attrs": {}, "evidence": {}}
        for k, v in attrs.items():
            if v is None or v == "" or v == []:
                continue
            if isinstance(v, list):
                cur = f["attrs"].setdefault(k, [])
                cur.extend(x for x in v if x not in cur)
            else:
                f["attrs"].setdefault(k, v)
        f["evidence"].setdefault((evidence.start, evidence.end, evidence.rule), evidence)
        return nid

    def add_concept(self, concept: Concept, evidence: Evidence) -> str:
        nid = concept.kind + ":" + concept.id
        f = self.facts.get(nid)
        if f is not None and self._concept_of.get(nid) is concept:
            # its attributes are in already (add_fact only sets what is missing): only the evidence is new
            f["evidence"].setdefault((evidence.start, evidence.end, evidence.rule), evidence)
            return nid
        attrs = {k: v for k, v in concept.attrs.items() if k not in {"phrases", "exact"}}
        nid = self.add_fact(concept.kind, concept.id, concept.label, concept.key, evidence, **attrs)
        self._concept_of[nid] = concept
        return nid

    def has(self, nid: str) -> bool:
        return nid in self.facts

    def attr(self, nid: str, name: str, default: Any = None) -> Any:
        return self.facts[nid]["attrs"].get(name, default) if nid in self.facts else default

    def set_attr(self, nid: str, name: str, value: Any) -> None:
        self.facts[nid]["attrs"][name] = value

    def raise_confidence(self, nid: str, read_as: str, confidence: float) -> None:
        """Keep the surest reading of a fact: how it was read (`read_as`) and its `confidence`."""
        attrs = self.facts[nid]["attrs"]
        if confidence > attrs.get("confidence", -1.0):
            attrs["confidence"] = confidence
            attrs["read_as"] = read_as

    # links ----------------------------------------------------------------
    def add_link(self, source: str, target: str, relation: Relation, status: Status,
                 evidence: list[Evidence], **attrs: Any) -> None:
        if source == target:
            return
        key = (source, target, _VALUE[relation])
        link = self.links.get(key)
        if link is None:
            link = self.links[key] = {"status": status, "attrs": {}, "evidence": {}}
        elif status is Status.STATED:
            link["status"] = Status.STATED
        # the surest reading wins: how the link was read and how sure that reading is
        confidence, read_as = attrs.pop("confidence", None), attrs.pop("read_as", None)
        if confidence is not None and confidence > link["attrs"].get("confidence", -1.0):
            link["attrs"]["confidence"], link["attrs"]["read_as"] = confidence, read_as
        link["attrs"].update({k: v for k, v in attrs.items() if v is not None})
        for ev in evidence:
            link["evidence"].setdefault((ev.start, ev.end, ev.rule), ev)

    def links_of(self, relation: Relation) -> list[tuple[str, str]]:
        return [(s, t) for (s, t, r) in self.links if r == relation.value]

    # freeze ---------------------------------------------------------------
    def facts_out(self) -> tuple[Fact, ...]:
        out = []
        for nid in sorted(self.facts):
            f = self.facts[nid]
            evidence = tuple(sorted(f["evidence"].values(), key=lambda e: (e.start, e.end, e.rule)))
            out.append(Fact(f["kind"], f["ident"], f["label"], f["key"], dict(sorted(f["attrs"].items())), evidence))
        return tuple(out)

    def links_out(self) -> tuple[Link, ...]:
        out = []
        for key in sorted(self.links):
            link = self.links[key]
            if key[0] not in self.facts or key[1] not in self.facts:
                continue
            evidence = tuple(sorted(link["evidence"].values(), key=lambda e: (e.start, e.end, e.rule)))
            out.append(Link(key[0], key[1], Relation(key[2]), link["status"], dict(sorted(link["attrs"].items())), evidence))
        return tuple(out)
