"""Read statement files into ``SourceDocument``s, with clear errors for bad input.

Formats: Markdown (``.md``, ``.markdown``), text (``.txt``), HTML (``.html``, ``.htm``), PDF
(``.pdf``, parsed in a limited child process) and Word (``.docx``). The content is checked,
not only the name: a ``.pdf`` must start like a PDF, a ``.docx`` must be a Word ZIP package,
and a text file must decode cleanly. Metadata precedence lives in ``ingest.metadata``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core.models import SourceDocument
from ingest.encoding import decode_text
from ingest.metadata import build_document, is_sidecar
from ingest.models import MB, Extracted, LoadError, LoadLimits

__all__ = [
    "SUPPORTED_SUFFIXES",
    "FoundFile",
    "LoadError",
    "LoadLimits",
    "discover",
    "load_all",
    "load_file",
    "parse_document",
]

FORMATS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}
SUPPORTED_SUFFIXES = tuple(FORMATS)
_SKIPPED_NAMES = {"MANIFEST.MD", "README.MD"}


@dataclass(frozen=True)
class FoundFile:
    """A file to ingest and its document id (its path relative to the folder given)."""

    path: Path
    doc_id: str


def _unsupported(file: Path, root: Path) -> bool:
    """A visible file of a type brief does not read (reported, not silently passed over)."""
    return (
        file.is_file()
        and file.suffix.lower() not in FORMATS
        and not is_sidecar(file)
        and not any(part.startswith(".") for part in file.relative_to(root).parts)
        and not file.name.startswith("~$")
    )


def _unsupported_reason(path: Path) -> str:
    if path.suffix.lower() == ".doc":
        return "a Word 97-2003 .doc file: save it as .docx and ingest that"
    return (
        f"unsupported file type {path.suffix or '(none)'!r}; "
        f"supported: {', '.join(SUPPORTED_SUFFIXES)}"
    )


def _wanted(file: Path, root: Path) -> bool:
    return (
        file.is_file()
        and file.suffix.lower() in FORMATS
        and not any(part.startswith(".") for part in file.relative_to(root).parts)
        and not file.name.startswith("~$")  # Word's lock files
        and file.name.upper() not in _SKIPPED_NAMES
    )


def discover(
    paths: list[Path], root: Path | None = None
) -> tuple[list[FoundFile], list[LoadError]]:
    """Expand folders into supported files; report paths that do not exist.

    A file given directly is named by its file name, or by its path relative to ``root``.
    """
    found: list[FoundFile] = []
    errors: list[LoadError] = []
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                if _wanted(file, path):
                    found.append(FoundFile(file, file.relative_to(path).as_posix()))
                elif _unsupported(file, path):
                    errors.append(LoadError(file, _unsupported_reason(file) + " (skipped)"))
        elif path.is_file():
            if is_sidecar(path):
                errors.append(
                    LoadError(
                        path,
                        "a metadata sidecar, not a document: it is read with the document it names",
                    )
                )
            elif path.suffix.lower() not in FORMATS:
                errors.append(LoadError(path, _unsupported_reason(path)))
            elif root is not None and path.resolve().is_relative_to(root.resolve()):
                found.append(FoundFile(path, path.resolve().relative_to(root.resolve()).as_posix()))
            else:
                found.append(FoundFile(path, path.name))
        else:
            errors.append(LoadError(path, "no such file or folder"))
    return found, errors


def _read(path: Path, limits: LoadLimits) -> bytes:
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            shown = f"{size / MB:,.1f} MB" if size >= MB else f"{size / 1024:,.1f} KB"
            raise LoadError(
                path,
                f"too large ({shown}; the limit is {limits.max_file_mb:g} MB, BRIEF_MAX_FILE_MB)",
            )
        with path.open("rb") as fh:
            raw = fh.read(limits.max_bytes + 1)
    except OSError as exc:
        raise LoadError(path, f"cannot read: {exc.strerror or exc}") from exc
    if len(raw) > limits.max_bytes:
        raise LoadError(path, f"too large (over the limit of {limits.max_file_mb:g} MB)")
    if not raw.strip():
        raise LoadError(path, "the file is empty")
    return raw


def extract(path: Path, raw: bytes, limits: LoadLimits) -> Extracted:
    """The file's text (Markdown-like), pages and self-stated metadata, by its format."""
    fmt = FORMATS.get(path.suffix.lower(), "text")
    if fmt == "html":
        from ingest.html_text import extract_html

        return extract_html(path, raw)
    if fmt == "pdf":
        from ingest.pdf_text import extract_pdf

        return extract_pdf(path, raw, limits)
    if fmt == "docx":
        from ingest.docx_text import extract_docx

        return extract_docx(path, raw, limits)
    text, warnings = decode_text(path, raw)
    return Extracted(format=fmt, text=text, warnings=tuple(warnings))


def parse_document(path: Path, doc_id: str, text: str) -> SourceDocument:
    """A Markdown/text document from its decoded text (front matter, then fallbacks)."""
    return build_document(path, doc_id, Extracted(format="markdown", text=text), sidecar=False)


def load_file(found: FoundFile, limits: LoadLimits | None = None) -> SourceDocument:
    """Read and parse one file, or raise ``LoadError``."""
    limits = limits or LoadLimits()
    raw = _read(found.path, limits)
    return build_document(found.path, found.doc_id, extract(found.path, raw, limits))


def load_all(
    files: list[FoundFile], limits: LoadLimits | None = None
) -> Iterator[SourceDocument | LoadError]:
    """Each file's document, or its error; one bad file never stops the rest."""
    limits = limits or LoadLimits()
    for found in files:
        try:
            yield load_file(found, limits)
        except LoadError as exc:
            yield exc
