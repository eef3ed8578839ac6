"""The Word export: a valid package whose markers are real footnotes."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from xml.etree import ElementTree as ET

import pytest

from brief.export import DOCX_MIME, UNSUPPORTED_NOTE, answer_docx, answer_markdown
from core.answers import Answer, Citation

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PARTS = (
    "[Content_Types].xml",
    "_rels/.rels",
    "docProps/core.xml",
    "word/document.xml",
    "word/_rels/document.xml.rels",
    "word/footnotes.xml",
    "word/styles.xml",
    "word/settings.xml",
)


def citation(
    n: int, title: str, quote: str, *, supported: bool = True, **extra: object
) -> Citation:
    fields: dict[str, object] = {
        "n": n,
        "doc_id": f"doc{n}.md",
        "title": title,
        "issuer": "Ministry of Oceans",
        "date": dt.date(2021, 3, 4),
        "section": "Quotas",
        "quote": quote,
        "start": 0,
        "end": len(quote),
        "supported": supported,
    }
    fields.update(extra)
    return Citation.model_validate(fields)


@pytest.fixture
def answer() -> Answer:
    cites = [
        citation(
            1,
            "Joint Statement <Fisheries> & Co",
            "The ministers agreed to cut the quota by 12 percent.",
            source_url="https://example.org/a?x=1&y=2",
        ),
        citation(2, "Press Remarks", 'He said "no <script>" & left.\x07', supported=False),
        citation(3, "Never Cited", "Unused quote."),
    ]
    text = (
        "The quota falls [1]. A risky <script>alert('x')</script> & \"claim\"\x07 [2].\n\n"
        "[unsupported] Something invented [9]. Both agree [1][2].\n\n"
        "Tabs\tand\nline breaks."
    )
    return Answer(
        question="What about herring & <cod>?", searched_as="q", text=text, citations=cites
    )


def parts(data: bytes) -> dict[str, ET.Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        assert names[0] == "[Content_Types].xml"
        assert set(PARTS) <= set(names)
        return {name: ET.fromstring(zf.read(name)) for name in names}


def texts(element: ET.Element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{W}t"))


def footnotes(tree: ET.Element) -> dict[int, str]:
    notes = {}
    for note in tree.iter(f"{W}footnote"):
        note_id = int(note.get(f"{W}id", ""))
        if note.get(f"{W}type") is None:
            notes[note_id] = texts(note).strip()
    return notes


def test_every_part_parses_and_markers_become_footnotes(answer: Answer) -> None:
    xml = parts(answer_docx(answer))
    notes = footnotes(xml["word/footnotes.xml"])
    # Only cited citations, numbered in order of first appearance.
    assert sorted(notes) == [1, 2]
    assert notes[1] == (
        "Joint Statement <Fisheries> & Co, Ministry of Oceans, March 4, 2021, Quotas, "
        "https://example.org/a?x=1&y=2. “The ministers agreed to cut the quota by 12 percent.”"
    )
    assert notes[2].startswith("Press Remarks, Ministry of Oceans, March 4, 2021, Quotas.")
    assert '“He said "no <script>" & left.”' in notes[2]
    assert notes[2].endswith(UNSUPPORTED_NOTE)
    assert "\x07" not in notes[2]
    assert "Never Cited" not in str(notes)

    body = xml["word/document.xml"]
    refs = [int(r.get(f"{W}id", "")) for r in body.iter(f"{W}footnoteReference")]
    assert refs == [1, 2]  # each footnote referenced once; a repeat is a NOTEREF field
    fields = [f.get(f"{W}instr", "") for f in body.iter(f"{W}fldSimple")]
    assert [f.split()[:2] for f in fields] == [["NOTEREF", "_RefNote1"], ["NOTEREF", "_RefNote2"]]
    marks = {b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")}
    assert marks == {"_RefNote1", "_RefNote2"}


def test_text_is_escaped_and_unknown_markers_stay(answer: Answer) -> None:
    body = parts(answer_docx(answer))["word/document.xml"]
    paragraphs = list(body.iter(f"{W}p"))
    heading = paragraphs[0]
    style = heading.find(f"{W}pPr/{W}pStyle")
    assert style is not None
    assert style.get(f"{W}val") == "Heading1"
    assert texts(heading) == "What about herring & <cod>?"
    first, second, third = (texts(p) for p in paragraphs[1:])
    assert first == "The quota falls. A risky <script>alert('x')</script> & \"claim\"."
    assert "[1]" not in first
    assert "\x07" not in first
    assert second.startswith("[unsupported] Something invented [9].")
    # Cited again: NOTEREF fields showing 1 and 2, parted by a superscript comma.
    assert second.endswith("Both agree1,2.")
    assert third == "Tabsandline breaks."
    assert len(list(paragraphs[3].iter(f"{W}tab"))) == 1
    assert len(list(paragraphs[3].iter(f"{W}br"))) == 1


def test_title_override_and_no_heading(answer: Answer) -> None:
    body = parts(answer_docx(answer, title="Herring brief"))["word/document.xml"]
    assert texts(next(body.iter(f"{W}p"))) == "Herring brief"
    body = parts(answer_docx(answer, title=""))["word/document.xml"]
    assert next(body.iter(f"{W}p")).find(f"{W}pPr") is None


def test_refused_answer_has_no_footnotes() -> None:
    refused = Answer(
        question="Who won?",
        searched_as="who won",
        text="The statements do not say [1].",
        citations=[citation(1, "Some Statement", "Some quote.")],
        refused=True,
    )
    xml = parts(answer_docx(refused))
    assert footnotes(xml["word/footnotes.xml"]) == {}
    body = xml["word/document.xml"]
    assert list(body.iter(f"{W}footnoteReference")) == []
    assert "The statements do not say [1]." in texts(body)


def test_related_quotes_of_a_refusal_are_footnotes_that_say_so() -> None:
    related = citation(1, "Some Statement", "Some quote.").model_copy(update={"related": True})
    refused = Answer(
        question="How many members?",
        searched_as="how many members",
        text="The statements do not say: how many members?\n\nRelated, not an answer:\n\n"
        "Some Statement (March 4, 2021): “Some quote.” [1]",
        citations=[related],
        refused=True,
        not_stated=["How many members?"],
    )
    xml = parts(answer_docx(refused))
    notes = footnotes(xml["word/footnotes.xml"])
    assert notes[1].endswith("Related, not an answer. “Some quote.”")
    assert "Related, not an answer." in answer_markdown(refused)
    assert "[^1]:" in answer_markdown(refused)


def test_empty_answer_is_still_a_document() -> None:
    empty = Answer(question="", searched_as="", text="")
    body = parts(answer_docx(empty))["word/document.xml"]
    assert len(list(body.iter(f"{W}p"))) == 1


def test_styles_and_relationships(answer: Answer) -> None:
    xml = parts(answer_docx(answer))
    styles = {s.get(f"{W}styleId"): s for s in xml["word/styles.xml"].iter(f"{W}style")}
    ref = styles["FootnoteReference"].find(f"{W}rPr/{W}vertAlign")
    assert ref is not None
    assert ref.get(f"{W}val") == "superscript"
    assert styles["FootnoteText"].get(f"{W}type") == "paragraph"
    rels = {r.get("Target") for r in xml["word/_rels/document.xml.rels"]}
    assert rels == {"styles.xml", "settings.xml", "footnotes.xml"}
    types = xml["[Content_Types].xml"]
    overrides = {o.get("PartName") for o in types}
    assert "/word/footnotes.xml" in overrides
    assert DOCX_MIME.endswith("document")


def test_markdown_delegates(answer: Answer) -> None:
    assert answer_markdown(answer) == answer.to_markdown()


def test_python_docx_reads_it(answer: Answer) -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document(io.BytesIO(answer_docx(answer)))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "What about herring & <cod>?"
    assert paragraphs[1].startswith("The quota falls.")
    assert document.paragraphs[0].style.name == "Heading 1"
