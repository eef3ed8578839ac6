"""The Korean-English glossary of domain terms (data in ``glossary_ko.yaml``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml

GLOSSARY_FILE = Path(__file__).with_name("glossary_ko.yaml")


class GlossaryError(ValueError):
    """A glossary file is malformed."""


def load_glossary(
    path: Path = GLOSSARY_FILE, extra_paths: Sequence[Path] = ()
) -> dict[str, tuple[str, ...]]:
    """Korean variant -> the English forms the statements use."""
    terms: dict[str, tuple[str, ...]] = {}
    for file in (path, *extra_paths):
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for n, entry in enumerate(data.get("terms", []), 1):
            if not isinstance(entry, dict) or not entry.get("korean") or not entry.get("english"):
                raise GlossaryError(f"{file}: entry {n} needs 'korean' and 'english' lists")
            english = tuple(str(e) for e in entry["english"])
            for variant in entry["korean"]:
                terms[str(variant).replace(" ", "")] = english
    return terms
