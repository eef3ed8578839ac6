"""Document metadata, field by field: front matter > sidecar > the document itself > fallbacks.

Front matter is YAML between ``---`` lines at the top of Markdown and text files. A sidecar is
``NAME.meta.yaml`` beside the file (``statement.pdf.meta.yaml`` before ``statement.meta.yaml``)
with the same keys. The document itself states metadata in an HTML head, PDF information or
.docx core properties. What none of them gives falls back to the first '#' heading or the file
name (title), a ``YYYY-MM-DD`` in the file name (date) or a default, each with a warning.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from core.audience import AccessError, check_audience
from core.models import DocumentMeta, SourceDocument
from ingest.models import Extracted, LoadError

SIDECAR_SUFFIX = ".meta.yaml"
FIELDS = ("title", "issuer", "date", "kind", "source_url", "language", "audience")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?:(.*?)\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_DATE_IN_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_H1 = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_TEXT_DATES = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d", "%Y.%m.%d")
_DEFAULTS = {"issuer": "Unknown issuer", "kind": "statement", "language": "en"}


def _yaml_problem(exc: yaml.YAMLError) -> tuple[str, str]:
    mark = getattr(exc, "problem_mark", None)
    return (
        f" (line {mark.line + 1})" if mark is not None else "",
        str(getattr(exc, "problem", exc)),
    )


def split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], str]:
    """The front matter's fields and the body after it."""
    match = _FRONT_MATTER.match(text)
    if not match:
        if text.split("\n", 1)[0].strip() == "---":
            raise LoadError(path, "broken front matter: no closing '---' line")
        return {}, text
    try:
        loaded = _load_yaml(match.group(1) or "")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        raise LoadError(
            path, f"broken front matter{where}: {getattr(exc, 'problem', exc)}"
        ) from exc
    if loaded is not None and not isinstance(loaded, dict):
        raise LoadError(path, "broken front matter: expected 'key: value' lines")
    body = text[match.end() :]
    if not body.strip():
        raise LoadError(path, "no text after the front matter")
    return loaded or {}, body


def is_sidecar(path: Path) -> bool:
    """Whether a file is a metadata sidecar (never a document)."""
    return path.name.lower().endswith(SIDECAR_SUFFIX)


def sidecar_for(path: Path) -> Path | None:
    """The sidecar of a document: ``NAME.EXT.meta.yaml``, else ``NAME.meta.yaml``."""
    for candidate in (
        path.with_name(path.name + SIDECAR_SUFFIX),
        path.with_name(path.stem + SIDECAR_SUFFIX),
    ):
        if candidate.is_file():
            return candidate
    return None


def read_sidecar(path: Path, sidecar: Path) -> tuple[dict[str, Any], list[str]]:
    """A sidecar's fields and warnings; a broken sidecar is an error of the document."""
    name = sidecar.name
    try:
        text = sidecar.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise LoadError(path, f"cannot read sidecar {name}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise LoadError(
            path, f"broken sidecar {name}: not valid UTF-8 (byte offset {exc.start})"
        ) from exc
    try:
        loaded = _load_yaml(text)
    except yaml.YAMLError as exc:
        where, problem = _yaml_problem(exc)
        raise LoadError(path, f"broken sidecar {name}{where}: {problem}") from exc
    if loaded is None:
        return {}, [f"sidecar {name} is empty"]
    if not isinstance(loaded, dict):
        raise LoadError(path, f"broken sidecar {name}: expected 'key: value' lines")
    fields: dict[str, Any] = {}
    warnings: list[str] = []
    for key, value in loaded.items():
        if key not in FIELDS:
            warnings.append(f"sidecar {name}: unknown key {key!r} ignored")
            continue
        if isinstance(value, list | dict | set):
            raise LoadError(path, f"broken sidecar {name}: {key} must be a single value")
        fields[key] = value
    return fields, warnings


class _TextDates(yaml.SafeLoader):
    """YAML whose dates stay text: ``date: 2025-13-45`` is then an unreadable date (a warning),
    not an error of the YAML library that would stop the file."""


_TextDates.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_TextDates)  # a SafeLoader subclass


def parse_date(value: Any) -> dt.date | None:
    """A date from YAML, ISO text (a time may follow) or a few written forms."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    for fmt in _TEXT_DATES:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _present(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def build_document(
    path: Path, doc_id: str, extracted: Extracted, *, sidecar: bool = True
) -> SourceDocument:
    """The document with its metadata merged field by field, filling gaps with warnings."""
    warnings = list(extracted.warnings)
    body = extracted.text
    sources: list[tuple[str, dict[str, Any]]] = []
    if extracted.format in ("markdown", "text"):
        front, body = split_front_matter(path, body)
        sources.append(("front matter", front))
    side = sidecar_for(path) if sidecar else None
    if side is not None:
        fields, notes = read_sidecar(path, side)
        sources.append((f"sidecar {side.name}", fields))
        warnings += notes
    if extracted.format not in ("markdown", "text"):
        sources.append(("the document's metadata", extracted.fields.present()))
    if not body.strip():
        raise LoadError(path, "the file is empty")
    where = " or ".join(label for label, _ in sources)

    def first(key: str) -> tuple[Any, str] | None:
        for label, fields in sources:
            if _present(fields.get(key)):
                return fields[key], label
        return None

    meta: dict[str, Any] = {}
    found = first("title")
    if found:
        meta["title"] = str(found[0]).strip()
    else:
        heading = _H1.search(body)
        meta["title"] = (
            heading.group(1).strip()
            if heading
            else path.stem.replace("-", " ").replace("_", " ").strip()
        )
        warnings.append(f"no title in {where}; using {meta['title']!r}")

    for label, fields in sources:
        value = fields.get("date")
        if not _present(value):
            continue
        date = parse_date(value)
        if date is not None:
            meta["date"] = date
            break
        warnings.append(f"unreadable date {value!r} in {label}")
    if "date" not in meta:
        named = _DATE_IN_NAME.search(path.name)
        date = parse_date("-".join(named.groups())) if named else None
        if date is not None:
            meta["date"] = date
            warnings.append(f"no date in {where}; using {date.isoformat()} from the file name")
        else:
            warnings.append("no date; the document is treated as undated")

    for key, default in _DEFAULTS.items():
        found = first(key)
        if found is None:
            warnings.append(f"no {key} in {where}; using {default!r}")
        meta[key] = str(found[0]).strip() if found else default

    # Who may see the document: only front matter or a sidecar says (never the file's own
    # metadata, which its author controls).
    for label, fields in sources:
        if label == "the document's metadata" or not _present(fields.get("audience")):
            continue
        try:
            meta["audience"] = check_audience(str(fields["audience"]))
        except AccessError as exc:
            raise LoadError(path, f"{exc} (in {label})") from None
        break

    meta["source_url"] = ""
    for label, fields in sources:
        url = str(fields.get("source_url") or "").strip()
        if not url:
            continue
        if re.match(r"https?://", url):
            meta["source_url"] = url
            break
        warnings.append(f"source_url {url!r} in {label} is not an http(s) address; dropped")

    meta["principals"] = principals_of(body)
    return SourceDocument(
        doc_id=doc_id,
        text=body,
        meta=DocumentMeta(**meta),
        source_path=str(path.resolve()),
        warnings=tuple(warnings),
        page_starts=extracted.page_starts,
    )


# A person named by title: "President Moon", "Chairman Kim Jong Un", "Prime Minister Kishida".
_TITLED = re.compile(
    r"\b(?:President|Chairman|Chairwoman|Prime Minister|Premier|Chancellor|Foreign Minister|"
    r"Minister|Secretary of State|Secretary|General Secretary)\s+"
    r"((?:[A-Z][a-z]+|[A-Z]\.)(?:[ -](?:[A-Z][a-z]+(?:-[a-z]+)?|[A-Z]\.|Jr\.)){0,3})"
)
PRINCIPAL_MENTIONS = 2  # named by title at least this often
MAX_PRINCIPALS = 4


def principals_of(body: str) -> str:
    """The people a statement names by title most often, most named first ("Biden; Moon")."""
    counts: dict[str, int] = {}
    prose = "\n".join(line for line in body.splitlines() if not line.lstrip().startswith("#"))
    for m in _TITLED.finditer(prose):  # not in headings, which capitalise every word
        name = m.group(1).rstrip(".")
        counts[name] = counts.get(name, 0) + 1
    # A short form counts for the full name that holds it ("Biden" in "Joseph R. Biden", "Moon"
    # in "Moon Jae-in").
    for name in sorted(counts, key=len):
        fuller = [o for o in counts if o != name and set(name.split()) <= set(o.split())]
        if fuller:
            counts[max(fuller, key=lambda o: counts[o])] += counts.pop(name)
    ranked = sorted(counts, key=lambda n: -counts[n])
    return "; ".join([n for n in ranked if counts[n] >= PRINCIPAL_MENTIONS][:MAX_PRINCIPALS])
