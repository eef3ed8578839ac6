"""Read statement files into ``SourceDocument``s, with clear errors for bad input."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from retrieval.models import DocumentMeta, SourceDocument

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt")
MAX_FILE_BYTES = 20 * 1024 * 1024
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?:(.*?)\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_DATE_IN_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_H1 = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_FIELDS = ("title", "issuer", "date", "kind", "source_url", "language")


class LoadError(ValueError):
    """A file that cannot be ingested; the message names the file and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


@dataclass(frozen=True)
class FoundFile:
    """A file to ingest and its document id (its path relative to the folder given)."""

    path: Path
    doc_id: str


def discover(paths: list[Path]) -> tuple[list[FoundFile], list[LoadError]]:
    """Expand folders into supported files; report paths that do not exist."""
    found: list[FoundFile] = []
    errors: list[LoadError] = []
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                if (
                    file.is_file()
                    and file.suffix.lower() in SUPPORTED_SUFFIXES
                    and not any(part.startswith(".") for part in file.relative_to(path).parts)
                    and file.name.upper() not in {"MANIFEST.MD", "README.MD"}
                ):
                    found.append(FoundFile(file, file.relative_to(path).as_posix()))
        elif path.is_file():
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                errors.append(
                    LoadError(
                        path,
                        f"unsupported file type {path.suffix or '(none)'!r}; "
                        f"supported: {', '.join(SUPPORTED_SUFFIXES)}",
                    )
                )
            else:
                found.append(FoundFile(path, path.name))
        else:
            errors.append(LoadError(path, "no such file or folder"))
    return found, errors


def _decode(path: Path, raw: bytes) -> str:
    if not raw.strip():
        raise LoadError(path, "the file is empty")
    if b"\x00" in raw[:8192]:
        raise LoadError(path, "binary content (NUL bytes), not a text file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(
            path,
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "re-save the file as UTF-8",
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def parse_document(path: Path, doc_id: str, text: str) -> SourceDocument:
    """Split front matter from the body and build the document, filling gaps with warnings."""
    fields: dict[str, Any] = {}
    body = text
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            loaded = yaml.safe_load(match.group(1) or "")
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 2})" if mark is not None else ""
            raise LoadError(
                path, f"broken front matter{where}: {getattr(exc, 'problem', exc)}"
            ) from exc
        if loaded is not None and not isinstance(loaded, dict):
            raise LoadError(path, "broken front matter: expected 'key: value' lines")
        fields = loaded or {}
        body = text[match.end() :]
    elif text.split("\n", 1)[0].strip() == "---":
        raise LoadError(path, "broken front matter: no closing '---' line")
    if not body.strip():
        raise LoadError(path, "no text after the front matter")

    warnings: list[str] = []
    meta: dict[str, Any] = {}
    title = fields.get("title")
    if not title:
        heading = _H1.search(body)
        title = heading.group(1) if heading else path.stem.replace("-", " ").replace("_", " ")
        warnings.append(f"no title in front matter; using {title!r}")
    meta["title"] = str(title).strip()
    date = _parse_date(fields.get("date"))
    if date is None:
        named = _DATE_IN_NAME.search(path.name)
        date = _parse_date("-".join(named.groups())) if named else None
        if fields.get("date") is not None:
            warnings.append(f"unreadable date {fields.get('date')!r}")
        warnings.append(
            f"no date in front matter; using {date.isoformat()} from the file name"
            if date
            else "no date; the document is treated as undated"
        )
    if date is not None:
        meta["date"] = date
    for key, default in (("issuer", "Unknown issuer"), ("kind", "statement"), ("language", "en")):
        value = fields.get(key)
        if value in (None, ""):
            warnings.append(f"no {key} in front matter; using {default!r}")
            value = default
        meta[key] = str(value).strip()
    url = fields.get("source_url") or ""
    if url and not re.match(r"https?://", str(url)):
        warnings.append(f"source_url {url!r} is not an http(s) address; dropped")
        url = ""
    meta["source_url"] = str(url)
    return SourceDocument(
        doc_id=doc_id,
        text=body,
        meta=DocumentMeta(**meta),
        source_path=str(path.resolve()),
        warnings=tuple(warnings),
    )


def load_file(found: FoundFile) -> SourceDocument:
    """Read and parse one file, or raise ``LoadError``."""
    try:
        size = found.path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise LoadError(found.path, f"too large ({size:,} bytes; limit {MAX_FILE_BYTES:,})")
        raw = found.path.read_bytes()
    except OSError as exc:
        raise LoadError(found.path, f"cannot read: {exc.strerror or exc}") from exc
    return parse_document(found.path, found.doc_id, _decode(found.path, raw))


def load_all(files: list[FoundFile]) -> Iterator[SourceDocument | LoadError]:
    """Each file's document, or its error; one bad file never stops the rest."""
    for found in files:
        try:
            yield load_file(found)
        except LoadError as exc:
            yield exc
