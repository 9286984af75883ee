"""Where a policy version read from a git versions repository (Open Terms Archive) comes from:
repository, path, commit and commit date. Rows built from files keep "" and NULL.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("policy", sa.Column("repository", sa.String(), nullable=False, server_default=""))
    op.add_column("policy", sa.Column("repository_path", sa.String(), nullable=False, server_default=""))
    op.add_column("policy", sa.Column("commit_sha", sa.String(length=64), nullable=False, server_default=""))
    op.add_column("policy", sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_policy_commit_sha", "policy", ["commit_sha"])


def downgrade() -> None:
    op.drop_index("ix_policy_commit_sha", table_name="policy")
    for column in ("committed_at", "commit_sha", "repository_path", "repository"):
        op.drop_column("policy", column)  # SQLite >= 3.35 drops a column in place
