"""Prompts as named template files with declared placeholders.

Each prompt is a ``NAME.txt`` file beside this module. Its ``{placeholders}`` must be exactly the
ones declared in ``PLACEHOLDERS``: a missing or unknown placeholder is an error when the prompt is
loaded, and a missing value is an error when it is filled. Literal braces are written ``{{ }}``.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

PROMPT_DIR = Path(__file__).resolve().parent

PLACEHOLDERS: dict[str, frozenset[str]] = {
    "answer_system": frozenset({"refusal", "canary"}),
    "answer_user": frozenset({"numbered_sources", "question"}),
    "answer_system_ko": frozenset({"refusal", "canary", "not_stated"}),
    "answer_user_ko": frozenset({"numbered_sources", "question", "reading"}),
    "change_summary": frozenset({"question", "changes"}),
    "condense": frozenset({"history", "question"}),
}


class PromptError(ValueError):
    """A prompt file is missing, or its placeholders differ from the declared ones."""


@dataclass(frozen=True)
class Prompt:
    """One prompt template: its name, text and placeholders."""

    name: str
    text: str
    placeholders: frozenset[str]

    def format(self, **values: str) -> str:
        """Fill every placeholder; a missing or unexpected value is an error."""
        missing = self.placeholders - values.keys()
        extra = values.keys() - self.placeholders
        if missing or extra:
            raise PromptError(
                f"prompt {self.name!r}: "
                + "; ".join(
                    part
                    for part in (
                        f"missing value(s) {sorted(missing)}" if missing else "",
                        f"unexpected value(s) {sorted(extra)}" if extra else "",
                    )
                    if part
                )
            )
        return self.text.format(**values)


def placeholders_of(text: str) -> frozenset[str]:
    """Names of the ``{placeholders}`` in a template (``{{`` and ``}}`` are literal braces)."""
    names = set()
    for _, field, spec, conversion in string.Formatter().parse(text):
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            raise PromptError(f"placeholder {{{field}}} must be a plain name")
        names.add(field)
    return frozenset(names)


def load_prompt(name: str, folder: Path = PROMPT_DIR) -> Prompt:
    """Read ``folder/NAME.txt`` and check its placeholders against the declared ones."""
    if name not in PLACEHOLDERS:
        raise PromptError(f"unknown prompt {name!r} (known: {', '.join(sorted(PLACEHOLDERS))})")
    path = folder / f"{name}.txt"
    try:
        text = path.read_text(encoding="utf-8").strip() + "\n"
    except OSError as exc:
        raise PromptError(f"prompt file {path} cannot be read: {exc.strerror}") from None
    try:
        found = placeholders_of(text)
    except ValueError as exc:
        raise PromptError(f"prompt file {path}: {exc}") from None
    expected = PLACEHOLDERS[name]
    if found != expected:
        problems = []
        if expected - found:
            problems.append("lacks " + ", ".join(f"{{{p}}}" for p in sorted(expected - found)))
        if found - expected:
            problems.append(
                "has unknown " + ", ".join(f"{{{p}}}" for p in sorted(found - expected))
            )
        raise PromptError(f"prompt file {path} " + " and ".join(problems))
    return Prompt(name, text, found)


def _braced(names: frozenset[str]) -> str:
    return ", ".join(f"{{{n}}}" for n in sorted(names))
