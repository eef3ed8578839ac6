"""Baseline: conversations, their turns and feedback, as the app kept them in app.sqlite before
the migrations existed. A table that is already there (a file made by that code) is kept as it is,
with its rows; only the missing ones are created.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _exists(table: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    if not _exists("conversations"):
        op.create_table(
            "conversations",
            sa.Column("id", sa.Text, primary_key=True),
            sa.Column("owner", sa.Text, nullable=False),
            sa.Column("title", sa.Text, nullable=False),
            sa.Column("created", sa.Text, nullable=False),
            sa.Column("updated", sa.Text, nullable=False),
            sa.Column("seq", sa.Integer, nullable=False),
        )
        op.create_index("conversations_owner", "conversations", ["owner", "seq"])
    if not _exists("turns"):
        op.create_table(
            "turns",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column(
                "conversation_id",
                sa.Text,
                sa.ForeignKey("conversations.id", ondelete="CASCADE"),
                nullable=False,
            ),
            sa.Column("role", sa.Text, nullable=False),
            sa.Column("content", sa.Text, nullable=False),
            sa.Column("answer", sa.Text, nullable=True),
            sa.Column("created", sa.Text, nullable=False),
            sa.CheckConstraint("role IN ('user', 'assistant')", name="turns_role"),
            sqlite_autoincrement=True,
        )
        op.create_index("turns_conversation", "turns", ["conversation_id", "id"])
    if not _exists("feedback"):
        op.create_table(
            "feedback",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("owner", sa.Text, nullable=False),
            sa.Column("created", sa.Text, nullable=False),
            sa.Column("rating", sa.Integer, nullable=False),
            sa.Column("comment", sa.Text, nullable=False),
            sa.Column("question", sa.Text, nullable=False),
            sa.Column("answer_text", sa.Text, nullable=False),
            sa.Column("citations", sa.Text, nullable=False),
            sa.Column("answerer", sa.Text, nullable=False),
            sa.Column("conversation_id", sa.Text, nullable=False),
            sa.CheckConstraint("rating IN (-1, 1)", name="feedback_rating"),
            sqlite_autoincrement=True,
        )
        op.create_index("feedback_owner", "feedback", ["owner", "id"])


def downgrade() -> None:
    op.drop_table("feedback")
    op.drop_table("turns")
    op.drop_table("conversations")
