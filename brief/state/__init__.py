"""Shared state on a real database: conversations, feedback, rate limits, the audit trail and API
tokens, through one engine (SQLite at ``DATA_DIR/app.sqlite`` by default, PostgreSQL when
``BRIEF_STATE_URL`` names one), migrated by Alembic when opened. Several app replicas pointed at
one PostgreSQL database share a user's history and rate limit.
"""
