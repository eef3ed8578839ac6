"""HTML to Markdown-like text: the main content only, and the metadata of the page's head.

Dropped: scripts, styles, navigation, site header and footer, asides, forms, noscript,
templates, embedded frames and media, landmark roles of the same kinds, and hidden elements
(``hidden``, ``aria-hidden="true"``, inline ``display:none`` / ``visibility:hidden``). The
content is ``<main>`` (or ``role="main"``) when present, else the top-level ``<article>``s,
else ``<body>``. An ``<article>``'s or ``<main>``'s own ``<header>`` (its title, byline) is kept.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ingest.encoding import declared_charset, decode_text, sniff_binary
from ingest.models import DocumentFields, Extracted, LoadError
from ingest.textblocks import OutBlock, clean_line, heading, item, paragraphs, render

_DROP_TAGS = {
    "script",
    "style",
    "nav",
    "aside",
    "footer",
    "form",
    "noscript",
    "template",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "svg",
    "canvas",
    "audio",
    "video",
    "map",
    "dialog",
    "button",
    "select",
    "textarea",
    "input",
    "label",
    "head",
}
_DROP_ROLES = {
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "dialog",
    "alertdialog",
    "menu",
    "menubar",
}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)", re.I)
_BLOCK_TAGS = {
    "address",
    "article",
    "blockquote",
    "body",
    "center",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "header",
    "hgroup",
    "html",
    "main",
    "p",
    "section",
    "summary",
    "caption",
    "li",
    "td",
    "th",
    "tr",
}
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")
_DATE_KEYS = (
    "date",
    "article:published_time",
    "dc.date",
    "dcterms.date",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.created",
)
_ISSUER_KEYS = ("publisher", "dc.publisher", "dcterms.publisher", "author", "og:site_name")


def _tag(el: Any) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def _hidden(el: Any) -> bool:
    if el.get("hidden") is not None:
        return True
    if (el.get("aria-hidden") or "").strip().lower() == "true":
        return True
    return bool(_HIDDEN_STYLE.search(el.get("style") or ""))


def _dropped(el: Any) -> bool:
    tag = _tag(el)
    if not tag:  # comments and processing instructions
        return True
    if tag in _DROP_TAGS or _hidden(el):
        return True
    if (el.get("role") or "").strip().lower() in _DROP_ROLES:
        return True
    if tag == "header":
        return not any(_tag(a) in ("article", "main") for a in el.iterancestors())
    return False


def _remove(el: Any) -> None:
    """Take an element out of the tree, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _flat(el: Any) -> str:
    """All text of an element on one line (block children and ``<br>`` part words)."""
    parts = [el.text or ""]
    for child in el:
        if _tag(child):
            gap = " " if _tag(child) in _BLOCK_TAGS or _tag(child) in ("br", "ul", "ol") else ""
            parts += [gap, _flat(child), gap]
        parts.append(child.tail or "")
    return clean_line("".join(parts))


class _Writer:
    """Walks the content tree and collects headings, paragraphs and list items."""

    def __init__(self) -> None:
        self.blocks: list[OutBlock] = []
        self.inline: list[str] = []

    def flush(self) -> None:
        text = "".join(self.inline)
        self.inline = []
        self.blocks += paragraphs(text)

    def text(self, value: str | None) -> None:
        if value:
            self.inline.append(re.sub(r"\s+", " ", value))

    def walk(self, el: Any) -> None:
        tag = _tag(el)
        if tag in _HEADINGS:
            self.flush()
            self.blocks += heading(_HEADINGS[tag], _flat(el))
        elif tag in ("ul", "ol"):
            self.flush()
            self.list_items(el, 0)
        elif tag == "table":
            self.flush()
            self.table(el)
        elif tag == "pre":
            self.flush()
            self.blocks += paragraphs(el.text_content())
        elif tag == "br":
            self.inline.append("\n")
        elif tag == "hr":
            self.flush()
        elif tag in _BLOCK_TAGS:
            self.flush()
            self.children(el, lead_in=tag == "p")
            self.flush()
        else:
            self.children(el)

    def children(self, el: Any, lead_in: bool = False) -> None:
        self.text(el.text)
        for i, child in enumerate(el):
            if lead_in and i == 0 and not (el.text or "").strip() and self._lead_in(child):
                pass
            elif _tag(child):
                self.walk(child)
            self.text(child.tail)

    def _lead_in(self, child: Any) -> bool:
        """``<p><strong>SECTION:</strong> text`` becomes ``**SECTION:** text`` (a section)."""
        if _tag(child) not in ("strong", "b"):
            return False
        label = _flat(child)
        colon = label.endswith(":") or (child.tail or "").lstrip().startswith(":")
        if not colon or "*" in label or not 2 <= len(label) <= 160:
            return False
        self.inline.append(f"**{label}**")
        return True

    def list_items(self, lst: Any, depth: int) -> None:
        for li in lst:
            tag = _tag(li)
            if tag in ("ul", "ol"):
                self.list_items(li, depth + 1)
                continue
            if not tag:
                continue
            nested = [c for c in li.iter("ul", "ol") if c is not li]
            top = [n for n in nested if not any(a in nested for a in n.iterancestors())]
            for sub in top:
                _remove(sub)
            self.blocks += item(depth, _flat(li))
            for sub in top:
                self.list_items(sub, depth + 1)

    def table(self, table: Any) -> None:
        for row in table.iter("tr"):
            owner = next((a for a in row.iterancestors() if _tag(a) == "table"), None)
            if owner is not table:
                continue
            cells = [_flat(c) for c in row if _tag(c) in ("td", "th")]
            line = " | ".join(c for c in cells if c)
            if line:
                self.blocks.append(OutBlock("para", line))


def _head_fields(doc: Any) -> DocumentFields:
    metas: dict[str, str] = {}
    for meta in doc.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = clean_line(meta.get("content") or "")
        if key.strip() and content:
            metas.setdefault(key.strip(), content)
    title_el = next(doc.iter("title"), None)
    title = metas.get("og:title") or (_flat(title_el) if title_el is not None else "")
    canonical = ""
    for link in doc.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            canonical = link.get("href").strip()
            break
    lang = doc.get("lang") or doc.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    return DocumentFields(
        title=title,
        issuer=next((metas[k] for k in _ISSUER_KEYS if metas.get(k)), ""),
        date=next((metas[k] for k in _DATE_KEYS if metas.get(k)), ""),
        source_url=canonical or metas.get("og:url", ""),
        language=lang.strip().split("-")[0].split("_")[0].lower(),
    )


def _content_roots(doc: Any) -> list[Any]:
    body = next(doc.iter("body"), None)
    scope = body if body is not None else doc
    mains = [e for e in scope.iter() if _tag(e) == "main" or e.get("role") == "main"]
    if mains:
        return [mains[0]]
    articles = [
        e for e in scope.iter("article") if not any(_tag(a) == "article" for a in e.iterancestors())
    ]
    return articles or [scope]


def extract_html(path: Path, raw: bytes) -> Extracted:
    """The main content of an HTML page as Markdown-like text, with the head's metadata."""
    from lxml import etree
    from lxml import html as lxml_html

    kind = sniff_binary(raw)
    if kind:
        raise LoadError(path, f"not an HTML page: binary content ({kind})")
    text, warnings = decode_text(path, raw, declared_charset(raw))
    text = _XML_DECLARATION.sub("", text)
    try:
        doc = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise LoadError(path, f"unreadable HTML ({exc})") from exc
    fields = _head_fields(doc)
    for el in [e for e in doc.iter() if e is not doc and _dropped(e)]:
        _remove(el)
    writer = _Writer()
    for root in _content_roots(doc):
        writer.walk(root)
        writer.flush()
    body = render(writer.blocks)
    if not body.strip():
        raise LoadError(
            path,
            "no text in the page's main content (scripts, navigation and hidden parts "
            "are left out)",
        )
    return Extracted(format="html", text=body, fields=fields, warnings=tuple(warnings))
