"""The SQLModel tables of the catalog (SQLite by default, any SQLAlchemy database).

One row per policy version, per fact and per link of that version, and per piece of evidence.
Review decisions live in their own table keyed by fact identity, so rebuilding a policy never
touches them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, Column, DateTime, Index, Text, UniqueConstraint
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


class FactRow(SQLModel, table=True):
    __tablename__ = "fact"
    __table_args__ = (UniqueConstraint("policy_id", "node_id", name="uq_fact_policy_node"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    policy_id: str = Field(foreign_key="policy.id", index=True, max_length=200)
    node_id: str = Field(index=True, max_length=300)
    kind: str = Field(index=True, max_length=40)
    ident: str = Field(max_length=300)
    label: str
    key: str = ""
    attrs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class LinkRow(SQLModel, table=True):
    __tablename__ = "link"
    __table_args__ = (
        UniqueConstraint("policy_id", "source", "target", "relation", name="uq_link_policy_edge"),
        Index("ix_link_source_target", "source", "target"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    policy_id: str = Field(foreign_key="policy.id", index=True, max_length=200)
    source: str = Field(max_length=300)
    target: str = Field(max_length=300)
    relation: str = Field(max_length=40)
    status: str = Field(max_length=20)
    attrs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class EvidenceRow(SQLModel, table=True):
    __tablename__ = "evidence"

    id: Optional[int] = Field(default=None, primary_key=True)
    policy_id: str = Field(foreign_key="policy.id", index=True, max_length=200)
    owner: str = Field(max_length=10)  # "fact" | "link"
    owner_key: str = Field(index=True, max_length=700)  # node id, or "source|relation|target"
    section: str = ""
    quote: str = Field(sa_column=Column(Text, nullable=False))
    start: int
    end: int
    rule: str = ""
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


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
