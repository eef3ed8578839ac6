"""An answer as a brief: Markdown, or a Word document with real footnotes.

The .docx is written with the standard library only (zipfile and XML strings). Each ``[n]``
marker that names a citation becomes a Word footnote reference; footnote ids follow Word's
layout (separators -1 and 0, notes from 1, numbered in order of first appearance). A source
cited again later points back at its footnote through a ``NOTEREF`` field, as Word's own
cross-references do, so every citation has exactly one footnote.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from core.answers import Answer, Citation
from core.labels import label

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
UNSUPPORTED_NOTE = label("does_not_support")  # English; a Korean answer's is in Korean

_MARKER = re.compile(r"\[(\d{1,6})\]")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
# Everything XML 1.0 forbids: C0 controls but tab/newline/CR, surrogates, U+FFFE and U+FFFF.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_REF_STYLE = "FootnoteReference"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def answer_markdown(answer: Answer) -> str:
    """The answer as Markdown with footnotes (one place for every front end)."""
    return answer.to_markdown()


def answer_docx(answer: Answer, title: str | None = None) -> bytes:
    """The answer as a .docx whose ``[n]`` markers are real footnotes.

    ``title`` is the heading: the question when None, no heading when empty.
    """
    heading = answer.question if title is None else title
    # A refusal's quotes (related, not an answer) are footnoted too, and their notes say so.
    linked = not answer.refused or any(c.related for c in answer.citations)
    notes = _Notes(
        citations=_by_number(answer.citations) if linked else {}, language=answer.language
    )
    paragraphs = [p for p in _PARAGRAPH_BREAK.split(_clean(answer.text).strip()) if p.strip()]
    if linked:
        for p in paragraphs:
            notes.count(p)
    body: list[str] = []
    if heading.strip():
        body.append(_paragraph([_run(" ".join(heading.split()))], style="Heading1"))
    for p in paragraphs:
        body.append(_paragraph(_linked(p, notes) if linked else _plain(p)))
    if not body:
        body.append("<w:p/>")
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": PACKAGE_RELS,
        "docProps/core.xml": _core(heading),
        "word/_rels/document.xml.rels": DOCUMENT_RELS,
        "word/document.xml": _document(body),
        "word/styles.xml": STYLES if answer.language != "ko" else KOREAN_STYLES,
        "word/settings.xml": SETTINGS,
        "word/footnotes.xml": _footnotes(notes.bodies),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, xml in parts.items():
            zf.writestr(zipfile.ZipInfo(name), xml.encode("utf-8"), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


@dataclass
class _Notes:
    """Footnotes of one document: which citations they hold, in order of first reference."""

    citations: dict[int, Citation]
    language: str = "en"  # the answer's: what a "related, not an answer" mark is written in
    uses: dict[int, int] = field(default_factory=dict)
    ids: dict[int, int] = field(default_factory=dict)
    bodies: list[str] = field(default_factory=list)

    def count(self, text: str) -> None:
        """Count the references to each citation (a cited-again source gets a bookmark)."""
        for m in _MARKER.finditer(text):
            n = int(m.group(1))
            if n in self.citations:
                self.uses[n] = self.uses.get(n, 0) + 1

    def reference(self, n: int) -> str:
        """The footnote reference for citation ``n``, or a NOTEREF back to its footnote."""
        if n in self.ids:
            note_id = self.ids[n]
            return (
                f'<w:fldSimple w:instr=" NOTEREF {_bookmark(note_id)} \\f \\h ">'
                f"{_run(str(note_id), _REF_STYLE)}</w:fldSimple>"
            )
        note_id = self.ids[n] = len(self.ids) + 1
        self.bodies.append(_footnote(note_id, self.citations[n], self.language))
        ref = (
            f'<w:r><w:rPr><w:rStyle w:val="{_REF_STYLE}"/></w:rPr>'
            f'<w:footnoteReference w:id="{note_id}"/></w:r>'
        )
        if self.uses.get(n, 0) < 2:
            return ref
        return (
            f'<w:bookmarkStart w:id="{note_id}" w:name="{_bookmark(note_id)}"/>'
            f'{ref}<w:bookmarkEnd w:id="{note_id}"/>'
        )


def _by_number(citations: list[Citation]) -> dict[int, Citation]:
    out: dict[int, Citation] = {}
    for c in citations:
        out.setdefault(c.n, c)
    return out


def _bookmark(note_id: int) -> str:
    return f"_RefNote{note_id}"


def _clean(text: str) -> str:
    """Text fit for XML 1.0, with Unix line ends."""
    return _ILLEGAL_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _xml(text: str) -> str:
    return escape(_clean(text), {'"': "&quot;"})


def _run(text: str, style: str | None = None) -> str:
    """One run; newlines become line breaks and tabs become tab stops."""
    if not text:
        return ""
    pieces: list[str] = []
    for i, line in enumerate(_clean(text).split("\n")):
        if i:
            pieces.append("<w:br/>")
        for j, cell in enumerate(line.split("\t")):
            if j:
                pieces.append("<w:tab/>")
            if cell:
                pieces.append(f'<w:t xml:space="preserve">{_xml(cell)}</w:t>')
    props = f'<w:rPr><w:rStyle w:val="{style}"/></w:rPr>' if style else ""
    return f"<w:r>{props}{''.join(pieces)}</w:r>"


def _paragraph(runs: list[str], style: str | None = None) -> str:
    props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{props}{''.join(runs)}</w:p>"


def _plain(text: str) -> list[str]:
    return [_run(text)]


def _linked(text: str, notes: _Notes) -> list[str]:
    """Runs of a paragraph whose known markers are footnote references.

    The space before a reference goes, and adjacent references are parted by a superscript
    comma (``¹,²``). Markers that name no citation stay as written.
    """
    runs: list[str] = []
    pos = 0
    after_ref = False
    for m in _MARKER.finditer(text):
        n = int(m.group(1))
        if n not in notes.citations:
            continue
        between = text[pos : m.start()]
        if after_ref and not between.strip():
            runs.append(_run(",", _REF_STYLE))
        else:
            runs.append(_run(between.rstrip(" \t")))
        runs.append(notes.reference(n))
        after_ref = True
        pos = m.end()
    runs.append(_run(text[pos:]))
    return runs


def _footnote_text(c: Citation, language: str = "en") -> str:
    """``Title, Issuer, Month D, YYYY, Section, URL. “quote”`` (and the support warning)."""
    text = c.footnote(language)
    quote = " ".join(c.quote.split())
    if quote:
        text += f" “{quote}”"
    if not c.supported:
        text += label("does_not_support", language)
    return text


def _footnote(note_id: int, c: Citation, language: str = "en") -> str:
    return (
        f'<w:footnote w:id="{note_id}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
        f'<w:r><w:rPr><w:rStyle w:val="{_REF_STYLE}"/></w:rPr><w:footnoteRef/></w:r>'
        f"{_run(' ' + _footnote_text(c, language))}</w:p></w:footnote>"
    )


def _footnotes(bodies: list[str]) -> str:
    spacing = '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    return (
        f'{_HEAD}<w:footnotes xmlns:w="{W_NS}" xmlns:r="{R_NS}">'
        f'<w:footnote w:type="separator" w:id="-1"><w:p>{spacing}'
        "<w:r><w:separator/></w:r></w:p></w:footnote>"
        f'<w:footnote w:type="continuationSeparator" w:id="0"><w:p>{spacing}'
        "<w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"
        f"{''.join(bodies)}</w:footnotes>"
    )


def _document(body: list[str]) -> str:
    section = (
        '<w:sectPr><w:pgSz w:w="12240" w:h="15840"/><w:pgMar w:top="1440" w:right="1440" '
        'w:bottom="1440" w:left="1440" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>'
    )
    return (
        f'{_HEAD}<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>'
        f"{''.join(body)}{section}</w:body></w:document>"
    )


def _core(title: str) -> str:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"{_HEAD}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_xml(' '.join(title.split()))}</dc:title>"
        "<dc:creator>Briefing assistant</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
        "</cp:coreProperties>"
    )


_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml"
CONTENT_TYPES = (
    f"{_HEAD}"
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/word/document.xml" ContentType="{_WML}.document.main+xml"/>'
    f'<Override PartName="/word/styles.xml" ContentType="{_WML}.styles+xml"/>'
    f'<Override PartName="/word/settings.xml" ContentType="{_WML}.settings+xml"/>'
    f'<Override PartName="/word/footnotes.xml" ContentType="{_WML}.footnotes+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>"
)

PACKAGE_RELS = (
    f'{_HEAD}<Relationships xmlns="{REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_TYPE}officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    "</Relationships>"
)

DOCUMENT_RELS = (
    f'{_HEAD}<Relationships xmlns="{REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_TYPE}styles" Target="styles.xml"/>'
    f'<Relationship Id="rId2" Type="{REL_TYPE}settings" Target="settings.xml"/>'
    f'<Relationship Id="rId3" Type="{REL_TYPE}footnotes" Target="footnotes.xml"/>'
    "</Relationships>"
)

SETTINGS = (
    f'{_HEAD}<w:settings xmlns:w="{W_NS}">'
    '<w:footnotePr><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'
    '<w:compat><w:compatSetting w:name="compatibilityMode" '
    'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>'
    "</w:settings>"
)

STYLES = (
    f'{_HEAD}<w:styles xmlns:w="{W_NS}">'
    "<w:docDefaults><w:rPrDefault><w:rPr>"
    '<w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Calibri" w:cs="Calibri"/>'
    '<w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-US"/>'
    "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>"
    '<w:spacing w:after="160" w:line="259" w:lineRule="auto"/>'
    "</w:pPr></w:pPrDefault></w:docDefaults>"
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal">'
    '<w:name w:val="Normal"/><w:qFormat/></w:style>'
    '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
    '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
    "<w:unhideWhenUsed/></w:style>"
    '<w:style w:type="paragraph" w:styleId="Heading1">'
    '<w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>'
    '<w:uiPriority w:val="9"/><w:qFormat/>'
    '<w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="0"/>'
    '</w:pPr><w:rPr><w:b/><w:bCs/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr></w:style>'
    '<w:style w:type="paragraph" w:styleId="FootnoteText">'
    '<w:name w:val="footnote text"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/>'
    '<w:unhideWhenUsed/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
    '</w:pPr><w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>'
    f'<w:style w:type="character" w:styleId="{_REF_STYLE}">'
    '<w:name w:val="footnote reference"/><w:basedOn w:val="DefaultParagraphFont"/>'
    '<w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
    '<w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>'
    "</w:styles>"
)

# A Korean answer's document: its East Asian text tagged Korean, in a font that has Hangul.
KOREAN_STYLES = STYLES.replace('w:eastAsia="Calibri"', 'w:eastAsia="Malgun Gothic"').replace(
    '<w:lang w:val="en-US"/>', '<w:lang w:val="en-US" w:eastAsia="ko-KR"/>'
)
