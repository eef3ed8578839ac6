"""The base of every expected failure: its message is one line, fit to show a user as is."""

from __future__ import annotations


class BriefError(Exception):
    """An expected failure (bad input, missing set-up, busy store, endpoint down)."""
