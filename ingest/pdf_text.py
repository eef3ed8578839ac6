"""PDF to text with pages: parsed in a child process with a time and a memory limit.

The child (``ingest/pdf_worker.py``) returns each page's text lines with their height and font
size; here lines become paragraphs (a gap larger than the page's line spacing, a jump
up the page or a change of font size starts one), pages are joined by a blank line and their
start offsets kept, so citations can say "p. 3, ¶2".
"""

from __future__ import annotations

import itertools
import json
import math
import re
import signal
import subprocess
import sys
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from ingest.encoding import sniff_binary
from ingest.models import DocumentFields, Extracted, LoadError, LoadLimits
from ingest.pdf_worker import EXIT_MEMORY
from ingest.textblocks import clean_line

_WORKER = Path(__file__).with_name("pdf_worker.py")
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")
_GENERATED_TITLE = re.compile(r"^(?:Microsoft Word - )|\.(?:docx?|pdf|odt|rtf)$", re.I)


class PdfLine(BaseModel):
    """One text line of a page: its text, height on the page, and font size."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    y: float
    size: float


class PdfData(BaseModel):
    """What the worker read: each page's lines and the document information."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pages: list[list[PdfLine]]
    info: dict[str, str] = {}


def check_header(path: Path, raw: bytes) -> None:
    """Refuse what is not a PDF: the content decides, not the extension."""
    if b"%PDF-" in raw[:1024]:
        return
    kind = sniff_binary(raw)
    if kind is None:
        head = raw[:512].lstrip().lower()
        kind = "an HTML page" if head.startswith((b"<!doctype html", b"<html")) else "other data"
    raise LoadError(path, f"not a PDF: no %PDF- header (the content is {kind})")


def run_worker(path: Path, limits: LoadLimits) -> PdfData:
    """Parse a PDF in a child process; kill it past the time limit."""
    cpu_backstop = math.ceil(limits.pdf_timeout_s) + 1
    command = [sys.executable, "-I", str(_WORKER), str(limits.pdf_memory_mb)]
    command += [str(cpu_backstop), str(path)]
    proc = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        out, err = proc.communicate(timeout=limits.pdf_timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise LoadError(
            path,
            f"PDF parsing took longer than {limits.pdf_timeout_s:g} s and was stopped "
            "(BRIEF_PDF_TIMEOUT_S); the file may be malformed",
        ) from None
    memory = (
        f"PDF parsing needed more than the memory limit of {limits.pdf_memory_mb} MB and was "
        "stopped (BRIEF_PDF_MEMORY_MB); the file may be malformed"
    )
    if proc.returncode == EXIT_MEMORY:
        raise LoadError(path, memory)
    if proc.returncode < 0:
        try:
            name = signal.Signals(-proc.returncode).name
        except ValueError:
            name = f"signal {-proc.returncode}"
        if -proc.returncode in (signal.SIGXCPU, signal.SIGKILL):
            raise LoadError(path, f"PDF parsing used too much CPU time and was stopped ({name})")
        raise LoadError(path, f"the PDF parser crashed ({name}); the file may be malformed")
    try:
        result = json.loads(out)
    except ValueError:
        last = err.decode("utf-8", "backslashreplace").strip().splitlines()[-1:] or ["no output"]
        raise LoadError(path, f"the PDF parser failed ({last[0][:200]})") from None
    if "error" in result:
        kind, message = result["error"], str(result.get("message", ""))
        if kind == "memory":
            raise LoadError(path, memory)
        if kind == "encrypted":
            raise LoadError(
                path, f"encrypted PDF: {message}; save a copy without protection and ingest it"
            )
        raise _damaged(path, message)
    try:
        return PdfData(
            pages=[[PdfLine(text=t, y=y, size=s) for t, y, s in page] for page in result["pages"]],
            info=result.get("info", {}),
        )
    except (ValidationError, KeyError, TypeError, ValueError) as exc:
        raise LoadError(path, f"the PDF parser returned unexpected data ({exc})") from exc


def _damaged(path: Path, message: str) -> LoadError:
    return LoadError(path, f"damaged PDF, cannot be read ({message[:300]})")


def page_paragraphs(lines: list[PdfLine]) -> list[list[str]]:
    """Group a page's lines into paragraphs by vertical spacing and font size."""
    if not lines:
        return []
    gaps = [a.y - b.y for a, b in itertools.pairwise(lines)]
    # The page's line spacing: its smallest ordinary gap between lines.
    normal = [
        g
        for g, (a, b) in zip(gaps, itertools.pairwise(lines), strict=True)
        if 0.6 * max(a.size, b.size) <= g <= 3 * max(a.size, b.size, 1.0)
    ]
    leading = min(normal) if normal else 0.0
    paras = [[lines[0].text]]
    for gap, (a, b) in zip(gaps, itertools.pairwise(lines), strict=True):
        size = max(a.size, b.size, 1.0)
        if abs(gap) < 0.3 * size:  # same line, split by the parser
            paras[-1].append(b.text)
            continue
        resized = abs(a.size - b.size) > 0.2 * size
        spacing = min(leading or 1.5 * size, 1.5 * size)  # a page of two lines has no rhythm
        if gap < 0 or gap > 1.35 * spacing or resized:
            paras.append([b.text])
        else:
            paras[-1].append(b.text)
    return [[clean_line(t) for t in p if clean_line(t)] for p in paras if any(map(clean_line, p))]


def _pdf_date(value: str) -> str:
    match = _PDF_DATE.match(value.strip())
    if not match:
        return value
    year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
    return f"{year}-{month}-{day}"


def _fields(info: dict[str, str]) -> DocumentFields:
    title = clean_line(info.get("title", ""))
    return DocumentFields(
        title="" if _GENERATED_TITLE.search(title) else title,
        issuer=clean_line(info.get("author", "")),
        date=_pdf_date(info.get("creation_date", "")),
        language=info.get("language", "").strip().split("-")[0].lower(),
    )


def extract_pdf(path: Path, raw: bytes, limits: LoadLimits) -> Extracted:
    """A PDF's text layer with page offsets, or a specific error."""
    check_header(path, raw)
    truncated = b"%%EOF" not in raw[-2048:]
    try:
        data = run_worker(path, limits)
    except LoadError as exc:
        if truncated and exc.reason.startswith("damaged PDF"):
            raise LoadError(
                path, "truncated PDF: the file ends before its %%EOF marker (copy it again)"
            ) from exc
        raise
    texts: list[str] = []
    starts: list[int] = []
    offset = 0
    for lines in data.pages:
        starts.append(offset)
        text = "\n\n".join("\n".join(p) for p in page_paragraphs(lines))
        texts.append(text)
        offset += len(text) + 2
    empty = sum(1 for t in texts if not t.strip())
    if not data.pages:
        raise _damaged(path, "no pages")
    if empty == len(texts):
        pages = f"{len(texts)} page" + ("s" if len(texts) != 1 else "")
        raise LoadError(path, f"scanned PDF without a text layer ({pages}): run OCR first")
    warnings = []
    if empty:
        warnings.append(f"{empty} of {len(texts)} pages have no text layer (scanned?): run OCR")
    if truncated:
        warnings.append("no %%EOF marker at the end: the file may be truncated")
    return Extracted(
        format="pdf",
        text="\n\n".join(texts) + "\n",
        page_starts=tuple(starts),
        fields=_fields(data.info),
        warnings=tuple(warnings),
    )
