"""Word (.docx) to Markdown-like text: headings, paragraphs, list items, table rows.

The Title style is a '#' heading and "Heading N" is N+1 '#' (so Heading 1 names a section);
list paragraphs (numbering or a List style) become '- ' items, indented by level; each table
row is one paragraph, its cells joined by " | ". Hidden runs and deleted revisions are left
out. Metadata comes from the core properties (title, author, created).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.encoding import sniff_binary
from ingest.models import MB, DocumentFields, Extracted, LoadError, LoadLimits
from ingest.textblocks import OutBlock, clean_line, heading, item, paragraphs, render

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
# A .docx may expand to this many times the size cap (and to 64 MB at least) before it counts
# as a ZIP bomb.
EXPANSION_LIMIT = 10
EXPANSION_FLOOR = 64 * MB
# python-docx's template: a document it made keeps these unless someone sets them.
_TEMPLATE_AUTHOR = "python-docx"
_TEMPLATE_CREATED = dt.datetime(2013, 12, 23, 23, 15, tzinfo=dt.UTC)
_HEADING_STYLE = re.compile(r"heading (\d)")
_LIST_STYLE = re.compile(r"list(?: (?:bullet|number|paragraph|continue))?(?: (\d))?")
_SKIP_ANCESTORS = {f"{W}del", f"{W}moveFrom", f"{W}txbxContent"}


def check_package(path: Path, raw: bytes, limits: LoadLimits) -> None:
    """Refuse what is not a .docx: the content decides, not the extension."""
    if raw.startswith(_OLE):
        if _ENCRYPTED_PACKAGE in raw:
            raise LoadError(
                path, "password-protected Word document: remove the password and ingest again"
            )
        raise LoadError(path, "a legacy Word 97-2003 (.doc) file, not .docx: save it as .docx")
    if not raw.startswith(b"PK\x03\x04"):
        kind = sniff_binary(raw) or "text or other data"
        raise LoadError(path, f"not a .docx file: not a ZIP package ({kind})")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise LoadError(path, f"damaged .docx: broken ZIP package ({exc})") from exc
    if "word/document.xml" not in {i.filename for i in infos}:
        raise LoadError(path, "not a Word document: the ZIP package has no word/document.xml")
    expanded = sum(i.file_size for i in infos)
    cap = max(EXPANSION_LIMIT * limits.max_bytes, EXPANSION_FLOOR)
    if expanded > cap:
        raise LoadError(
            path,
            f"the .docx expands to {expanded / MB:,.0f} MB (limit {cap / MB:,.0f} MB): "
            "refused as a possible ZIP bomb",
        )


def _hidden(run: Any) -> bool:
    vanish = run.find(f"{W}rPr/{W}vanish") if run is not None else None
    if vanish is None:
        return False
    return vanish.get(f"{W}val", "true").lower() not in ("0", "false", "off")


def paragraph_text(p: Any) -> str:
    """A ``w:p``'s visible text: tabs as spaces, line breaks as ``\\n``."""
    out: list[str] = []
    for el in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}noBreakHyphen"):
        skip = False
        for ancestor in el.iterancestors():
            if ancestor is p:
                break
            if ancestor.tag in _SKIP_ANCESTORS:
                skip = True
                break
        run = el.getparent()
        if skip or run.tag != f"{W}r" or _hidden(run):  # tab stops in w:pPr are no text
            continue
        if el.tag == f"{W}t":
            out.append(el.text or "")
        elif el.tag == f"{W}tab":
            out.append(" ")
        elif el.tag == f"{W}noBreakHyphen":
            out.append("-")
        else:
            out.append("\n")
    return "".join(out)


def _style_chain(paragraph: Any) -> list[str]:
    names: list[str] = []
    style = paragraph.style
    while style is not None and len(names) < 8:
        names.append((style.name or "").strip().lower())
        style = style.base_style
    return names


def _heading_level(names: list[str]) -> int:
    for name in names:
        if name == "title":
            return 1
        match = _HEADING_STYLE.fullmatch(name)
        if match:
            return int(match.group(1)) + 1
    return 0


def _list_depth(paragraph: Any, names: list[str]) -> int | None:
    """Nesting level of a list paragraph (0 = top), or None for other paragraphs."""
    ilvl = paragraph._p.find(f"{W}pPr/{W}numPr/{W}ilvl")
    if paragraph._p.find(f"{W}pPr/{W}numPr") is not None:
        return int(ilvl.get(f"{W}val", "0")) if ilvl is not None else 0
    for name in names:
        match = _LIST_STYLE.fullmatch(name)
        if match and name != "list continue":
            return int(match.group(1)) - 1 if match.group(1) else 0
    return None


def _row_text(row: Any) -> str:
    """A table row: its cells' text joined by " | " (a merged cell once)."""
    cells: list[str] = []
    seen: set[int] = set()
    for cell in row.cells:
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        text = clean_line(" ".join(_content_texts(cell)))
        if text:
            cells.append(text)
    return " | ".join(cells)


def _content_texts(container: Any) -> list[str]:
    """Plain text of a cell's paragraphs and nested tables' rows."""
    from docx.table import Table

    out: list[str] = []
    for part in container.iter_inner_content():
        if isinstance(part, Table):
            out += [_row_text(row) for row in part.rows]
        else:
            out.append(paragraph_text(part._p))
    return out


def _body_items(element: Any, parent: Any) -> Iterator[Any]:
    """Paragraphs and tables in order, including those inside block content controls."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in element.iterchildren():
        if child.tag == f"{W}p":
            yield Paragraph(child, parent)
        elif child.tag == f"{W}tbl":
            yield Table(child, parent)
        elif child.tag in (f"{W}sdt", f"{W}customXml"):
            content = child.find(f"{W}sdtContent") if child.tag == f"{W}sdt" else child
            if content is not None:
                yield from _body_items(content, parent)


def _blocks(document: Any) -> list[OutBlock]:
    from docx.table import Table

    blocks: list[OutBlock] = []
    body = document._body
    for part in _body_items(body._element, body):
        if isinstance(part, Table):
            rows = [_row_text(row) for row in part.rows]
            blocks += [OutBlock("para", row) for row in rows if row]
            continue
        text = paragraph_text(part._p)
        names = _style_chain(part)
        level = _heading_level(names)
        depth = _list_depth(part, names)
        if level:
            blocks += heading(level, text)
        elif depth is not None:
            blocks += item(depth, text)
        else:
            blocks += paragraphs(text)
    return blocks


def _core_fields(document: Any) -> DocumentFields:
    props = document.core_properties
    author = (props.author or "").strip()
    created = props.created
    template = author == _TEMPLATE_AUTHOR
    if created is not None and created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    return DocumentFields(
        title=props.title or "",
        issuer="" if template else author,
        date=""
        if created is None or (template and created == _TEMPLATE_CREATED)
        else created.date().isoformat(),
        language=(props.language or "").split("-")[0].lower(),
    )


def extract_docx(path: Path, raw: bytes, limits: LoadLimits) -> Extracted:
    """The document body of a .docx as Markdown-like text, with its core properties."""
    check_package(path, raw, limits)
    import docx

    try:
        document = docx.Document(io.BytesIO(raw))
        blocks = _blocks(document)
        fields = _core_fields(document)
    except LoadError:
        raise
    except Exception as exc:
        raise LoadError(
            path, "damaged Word document: its contents cannot be read (truncated or corrupt?)"
        ) from exc
    body = render(blocks)
    if not body.strip():
        raise LoadError(path, "no text in the Word document's body")
    return Extracted(format="docx", text=body, fields=fields)
