"""The SQLModel tables of the catalog (SQLite by default, any SQLAlchemy database).

One row per policy version, and per fact and per link of that version, each with its evidence
packed in one column: offsets into its version's stored text, not a copy of the quote (the text is
read anyway; copies made the catalog ten times its text, a row per evidence four times). Review decisions live in their own table keyed
by fact identity, so rebuilding a policy never touches them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, Column, DateTime, LargeBinary, Text, UniqueConstraint
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


# Revision 0004: a fact's or link's evidence is one packed column of (section index, start, length,
# rule, note) records (catalog/store/packing.py); rule and note texts and attributes are ids of the
# phrase table; a link names its facts by row id. The fact table's unique key serves every query by
# version, the link's primary key every query by source fact; no other index is kept.


class PhraseRow(SQLModel, table=True):
    """A text the catalog repeats, stored once and named by id: an evidence's rule name or note (in packed
    evidence), a fact's or link's attributes as JSON (a catalog of 1,000 versions has about 2,000 sets)."""

    __tablename__ = "phrase"

    id: Optional[int] = Field(default=None, primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False, unique=True))


class FactRow(SQLModel, table=True):
    __tablename__ = "fact"
    __table_args__ = (UniqueConstraint("policy_id", "kind", "ident", name="uq_fact_policy_kind_ident"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    policy_id: str = Field(foreign_key="policy.id", max_length=200)
    kind: str = Field(max_length=40)
    ident: str = Field(max_length=300)
    label: str
    key: str = ""
    attrs_id: int = Field(foreign_key="phrase.id")  # the attributes as JSON, a phrase: few distinct sets
    evidence: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False))
    evidence_text: Optional[list[Any]] = Field(default=None, sa_column=Column(JSON(none_as_null=True), nullable=True))


class LinkRow(SQLModel, table=True):
    """A link between two facts of one version, keyed by them and its relation (no row id: nothing names a
    link by one, and on SQLite the key is then the table itself, not a second copy in an index)."""

    __tablename__ = "link"
    __table_args__ = ({"sqlite_with_rowid": False},)

    source_id: int = Field(foreign_key="fact.id", primary_key=True)  # both facts of the link's version
    relation: str = Field(max_length=40, primary_key=True)
    target_id: int = Field(foreign_key="fact.id", primary_key=True)
    status: str = Field(max_length=20)
    attrs_id: int = Field(foreign_key="phrase.id")  # the attributes as JSON, a phrase: few distinct sets
    evidence: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False))
    evidence_text: Optional[list[Any]] = Field(default=None, sa_column=Column(JSON(none_as_null=True), nullable=True))


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
