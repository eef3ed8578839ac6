"""Where things live by default: one declaration, importable without loading the settings."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
DATA_DIR_ENV = "BRIEF_DATA_DIR"


def store_folder(explicit: Path | None = None) -> Path:
    """The store folder as the settings would resolve it: explicit, else the environment."""
    if explicit is not None:
        return explicit
    value = os.environ.get(DATA_DIR_ENV)
    return Path(value) if value else DEFAULT_DATA_DIR


def only_store_setting(environ: dict[str, str] | None = None) -> bool:
    """True when no ``BRIEF_*`` variable other than the store folder is set."""
    env = os.environ if environ is None else environ
    return all(k.upper() in (DATA_DIR_ENV,) for k in env if k.upper().startswith("BRIEF_"))
