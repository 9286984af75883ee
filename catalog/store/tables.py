"""The SQLModel tables of the catalog (SQLite by default, any SQLAlchemy database).

One row per policy version, per fact and per link of that version, and per piece of evidence.
Evidence is offsets into its version's stored text, not a copy of the quote (the text is read
anyway; copies made the catalog ten times its text). Review decisions live in their own table keyed
by fact identity, so rebuilding a policy never touches them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, Column, DateTime, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class PolicyRow(SQLModel, table=True):
    __tablename__ = "policy"

    id: str = Field(primary_key=True, max_length=200)
    title: str
    publisher: str
    organisation: str = Field(index=True, max_length=200)
    effective_date: Optional[dt.date] = None
    source: str
    retrieved: str = ""
    content_hash: str = Field(max_length=64)
    text: str = Field(sa_column=Column(Text, nullable=False))
    sections: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    warnings: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    extractor: str = ""
    built_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    # a version read from a git versions repository (Open Terms Archive): where exactly it comes from
    repository: str = ""  # remote URL (no credentials), else the clone's absolute path
    repository_path: str = ""  # e.g. "Alibaba.com/Privacy Policy.md"
    commit_sha: str = Field(default="", max_length=64, index=True)
    committed_at: Optional[dt.datetime] = Field(default=None, sa_type=DateTime(timezone=True))


# fact and link: the unique constraint's index (policy_id first) serves every query by version; no
# query reads them by node id, kind or endpoints, so those indexes (revision 0003 drops them) only cost space


class FactRow(SQLModel, table=True):
    __tablename__ = "fact"
    __table_args__ = (UniqueConstraint("policy_id", "node_id", name="uq_fact_policy_node"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    policy_id: str = Field(foreign_key="policy.id", max_length=200)
    node_id: str = Field(max_length=300)
    kind: str = Field(max_length=40)
    ident: str = Field(max_length=300)
    label: str
    key: str = ""
    attrs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class LinkRow(SQLModel, table=True):
    __tablename__ = "link"
    __table_args__ = (UniqueConstraint("policy_id", "source", "target", "relation", name="uq_link_policy_edge"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    policy_id: str = Field(foreign_key="policy.id", max_length=200)
    source: str = Field(max_length=300)
    target: str = Field(max_length=300)
    relation: str = Field(max_length=40)
    status: str = Field(max_length=20)
    attrs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class EvidenceRow(SQLModel, table=True):
    """One piece of evidence of a fact or a link: where in its version's text the fact is read.

    The quote is `policy.text[start:end]` and the section the title of `policy.sections[section_index]`
    (-1: before the first heading), computed on read; `quote` and `section` hold text only for evidence
    that is not the slice or not a stored section's title (none the extractors make today: the store
    keeps such a record as it is rather than lose it). The version is the fact's or link's.
    """

    __tablename__ = "evidence"

    id: Optional[int] = Field(default=None, primary_key=True)
    fact_id: Optional[int] = Field(default=None, foreign_key="fact.id", index=True)  # one of fact_id,
    link_id: Optional[int] = Field(default=None, foreign_key="link.id", index=True)  # link_id is set
    section_index: int = -1
    start: int
    end: int
    rule: str = ""
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    section: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))  # NULL: the title
    quote: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))  # NULL: the slice


class ReviewRow(SQLModel, table=True):
    """A DPO's decision on a fact or link: kept across rebuilds because it names the fact, not a row."""

    __tablename__ = "review"

    id: Optional[int] = Field(default=None, primary_key=True)
    target: str = Field(index=True, max_length=700)  # node id, or "source|relation|target"
    policy_id: str = Field(default="", max_length=200)  # "" = every version
    decision: str = Field(max_length=20)  # confirm | reject | correct | add
    correction: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reviewer: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))


def link_key(source: str, relation: str, target: str) -> str:
    return f"{source}|{relation}|{target}"
