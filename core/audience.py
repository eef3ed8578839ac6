"""Audiences: the group a document is for, checked the same way wherever it is set."""

from __future__ import annotations

import re

from core.errors import BriefError

GROUP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@:-]{0,63}$")


class AccessError(BriefError, PermissionError):
    """The user may not do this."""


def check_audience(value: str) -> str:
    """A valid audience (group) name, or an error that says what is allowed."""
    value = value.strip()
    if value and not GROUP.match(value):
        raise AccessError(
            f"invalid audience {value!r}: use letters, digits and . _ @ : - (at most 64)"
        )
    return value
