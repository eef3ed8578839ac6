"""The tables of the state database as the code queries them (SQLAlchemy Core).

The migrations in ``migrations/versions`` create them; this module never creates anything, and a
test compares the two so they cannot drift. Times are ISO 8601 text in UTC (``utc_now``), which
sorts and compares correctly as text on both databases; lists and filters are JSON.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

conversations = sa.Table(
    "conversations",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("owner", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("created", sa.Text, nullable=False),
    sa.Column("updated", sa.Text, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Index("conversations_owner", "owner", "seq"),
)

turns = sa.Table(
    "turns",
    metadata,
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
    sa.Index("turns_conversation", "conversation_id", "id"),
    sqlite_autoincrement=True,
)

feedback = sa.Table(
    "feedback",
    metadata,
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
    sa.Index("feedback_owner", "owner", "id"),
    sqlite_autoincrement=True,
)

rate_limits = sa.Table(
    "rate_limits",
    metadata,
    sa.Column("user_id", sa.Text, primary_key=True),
    sa.Column("tokens", sa.Float, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),  # seconds, by the database's clock
)

audit_records = sa.Table(
    "audit_records",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("time", sa.Text, nullable=False),
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("groups", sa.JSON, nullable=False),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("filters", sa.JSON, nullable=False),
    sa.Column("answerer", sa.Text, nullable=False),
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("refused", sa.Boolean, nullable=False),
    sa.Column("not_stated", sa.JSON, nullable=False),
    sa.Column("citations", sa.JSON, nullable=False),
    sa.Index("audit_records_time", "time"),
    sa.Index("audit_records_user", "user_id", "time"),
    sqlite_autoincrement=True,
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("secret_sha256", sa.Text, nullable=False, unique=True),
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("groups", sa.JSON, nullable=False),
    sa.Column("admin", sa.Boolean, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("created", sa.Text, nullable=False),
    sa.Column("last_used", sa.Text, nullable=True),
    sa.Column("revoked", sa.Text, nullable=True),
)
