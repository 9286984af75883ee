"""Plain typed records that flow through the pipeline.

ingest -> PolicyDocument; extract -> Extraction (Facts and Links, each with Evidence);
store writes and reads them back; graph is derived from them. Nothing here does I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """What a node of the processing graph is (the JSON export's `kind`)."""

    CONTROLLER = "controller"
    DATA_SUBJECT = "data_subject"
    DATA_CATEGORY = "data_category"
    PURPOSE = "purpose"
    LEGAL_BASIS = "legal_basis"
    RECIPIENT = "recipient"
    COUNTRY = "country"
    SAFEGUARD = "safeguard"
    RETENTION = "retention"
    RIGHT = "right"
    COOKIE = "cookie"


class Relation(StrEnum):
    """What an edge says, read as `source relation target`."""

    PROVIDES = "provides"  # data_subject -> data_category
    PROCESSED_FOR = "processed_for"  # data_category -> purpose
    BASED_ON = "based_on"  # purpose (or special-category data) -> legal_basis
    DISCLOSED_TO = "disclosed_to"  # data_category / purpose -> recipient
    TRANSFERRED_TO = "transferred_to"  # controller / recipient -> country
    SAFEGUARDED_BY = "safeguarded_by"  # country -> safeguard
    RETAINED_FOR = "retained_for"  # data_category -> retention
    SET_BY = "set_by"  # cookie -> recipient


class Status(StrEnum):
    """`stated` when one sentence or bullet says it; `inferred` otherwise (with a note saying why)."""

    STATED = "stated"
    INFERRED = "inferred"


def node_id(kind: Kind | str, ident: str) -> str:
    """Namespaced node id, e.g. `data_category:user.financial.bank_account`."""
    return f"{(kind if kind.__class__ is Kind else Kind(kind)).value}:{ident}"


def split_node_id(nid: str) -> tuple[Kind, str]:
    kind, _, ident = nid.partition(":")
    return Kind(kind), ident


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and the span of normalised text it governs (heading line included)."""

    path: tuple[str, ...]
    level: int
    start: int
    end: int

    @property
    def title(self) -> str:
        return " > ".join(self.path)


@dataclass(frozen=True, slots=True)
class Unit:
    """The smallest piece of text a fact is read from: a sentence, a list item, or a heading."""

    start: int
    end: int
    section: int  # index into PolicyDocument.sections (-1: before the first heading)
    paragraph: int  # index of the block (paragraph or list item) it belongs to
    kind: str  # "sentence" | "item" | "heading" | "cell" (a sentence in a table cell) | "header" (a header cell)
    lead_in: int = -1  # index of the unit that introduces this list item ("...the following purposes:")
    table: int = -1  # for table units: which table of the document (0, 1, ...)
    row: int = -1  # the row within its table (header rows included, from 0)
    col: int = -1  # the column of the cell the unit lies in


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a version recorded in a git versions repository (Open Terms Archive) comes from."""

    repository: str  # the clone's remote URL (no credentials), else its absolute path
    path: str  # the document's path in the repository, e.g. "Alibaba.com/Privacy Policy.md"
    commit: str  # the full commit id
    committed_at: dt.datetime  # the commit date: when the archive saw this text


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    """One version of one policy, its text normalised, segmented, with offsets."""

    id: str
    title: str
    publisher: str
    effective_date: dt.date | None
    source: str
    text: str
    content_hash: str
    sections: tuple[Section, ...] = ()
    units: tuple[Unit, ...] = ()
    retrieved: str = ""  # e.g. the snapshot date a file name carries, or a commit's date
    origin: Origin | None = None  # set when the version was read from a versions repository
    warnings: tuple[str, ...] = ()  # what reading the file noticed (e.g. the encoding it was read in)

    @property
    def seen(self) -> str:
        """When this text was seen (commit time, else retrieval date; "" if unknown): orders same-dated versions."""
        return self.origin.committed_at.isoformat() if self.origin else self.retrieved

    def quote(self, unit: Unit) -> str:
        return self.text[unit.start : unit.end]

    def section_title(self, index: int) -> str:
        return self.sections[index].title if 0 <= index < len(self.sections) else ""


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a fact comes from: `text[start:end] == quote` in the policy version's normalised text."""

    policy_id: str
    section: str
    quote: str
    start: int
    end: int
    rule: str
    note: str = ""  # for inferred facts: from which text and why

    def to_dict(self) -> dict[str, Any]:
        d = {
            "policy_id": self.policy_id,
            "section": self.section,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "rule": self.rule,
        }
        if self.note:
            d["note"] = self.note
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Evidence:
        return cls(
            policy_id=d["policy_id"],
            section=d.get("section", ""),
            quote=d["quote"],
            start=int(d["start"]),
            end=int(d["end"]),
            rule=d.get("rule", ""),
            note=d.get("note", ""),
        )


@dataclass(frozen=True, slots=True)
class Fact:
    """A node the policy states: a data category, a purpose, a recipient...

    `ident` is the vocabulary concept (a fideslang key where one fits, an ISO code for
    countries); `key` is the standard vocabulary value it maps to (fideslang key, Art. 6/9
    enum value, ISO 3166-1 alpha-2), or "" when no standard one fits.
    """

    kind: Kind
    ident: str
    label: str
    key: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()

    @property
    def id(self) -> str:
        return node_id(self.kind, self.ident)


@dataclass(frozen=True, slots=True)
class Link:
    """An edge between two facts of the same policy version."""

    source: str
    target: str
    relation: Relation
    status: Status
    attrs: dict[str, Any] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.source, self.target, self.relation.value)


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything extracted from one policy version."""

    policy: PolicyDocument
    facts: tuple[Fact, ...]
    links: tuple[Link, ...]
    warnings: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        out = {k.value: 0 for k in Kind}
        for f in self.facts:
            out[f.kind.value] += 1
        return out
