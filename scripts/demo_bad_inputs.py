"""Demonstration: how ingest treats bad input, and proof that nothing stored is lost.

Builds a batch of good and bad files in a temporary folder (with the tests' own fixture
builders), ingests the sample corpus and then that batch into a temporary store, and prints, for
every file, its status and the lines the CLI (`brief ingest`) shows; then a Markdown table for an
issue note and the counts before and after. Figures only, no assertions.

Usage: .venv/bin/python scripts/demo_bad_inputs.py
"""

from __future__ import annotations

import io
import sys
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `tests` is a package of the checkout, not an installed one
    sys.path.insert(0, str(ROOT))

from core.settings import load_settings  # noqa: E402
from ingest.loaders import discover  # noqa: E402
from ingest.pipeline import FileResult, IngestReport, ingest_paths  # noqa: E402
from retrieval.store.embeddings import load_embeddings  # noqa: E402
from retrieval.store.health import diagnose  # noqa: E402
from retrieval.store.index import StatementIndex, open_index  # noqa: E402
from tests.conftest import STATEMENT_A, STATEMENT_B  # noqa: E402
from tests.fixtures.documents import encrypt_pdf, make_docx, make_pdf, scanned_pdf  # noqa: E402
from tests.test_formats import CP1252, PDF_PAGES, _zip, write  # noqa: E402
from tests.test_ingest_identity import statement  # noqa: E402

MAX_FILE_MB = 0.05  # BRIEF_MAX_FILE_MB for the run: about 51 KB
SIDECAR = "with-broken-sidecar.meta.yaml"
SPECIAL = "“”éè—"  # the non-ASCII characters of the Windows-1252 sample


@dataclass(frozen=True)
class Sample:
    """One file of the batch: its name, what it is, and its bytes or UTF-8 text."""

    name: str
    what: str
    data: str | bytes


def _damaged_docx() -> bytes:
    """A real .docx whose word/document.xml is cut off in the middle of a paragraph."""
    good = zipfile.ZipFile(io.BytesIO(make_docx()))
    entries = {name: good.read(name) for name in good.namelist()}
    entries["word/document.xml"] = b"<w:document><w:body><w:p>unclosed"
    return _zip(entries)


def samples() -> list[Sample]:
    """The batch, in the order of the table."""
    pdf = make_pdf(PDF_PAGES)
    long_body = "The delegations reviewed the fisheries agreement line by line once more.\n\n" * 800
    nav_only = (
        "<html><head><title>Menu</title></head><body>"
        '<nav><a href="/">Home</a> <a href="/news">News</a></nav>'
        '<script>document.write("Joint Statement")</script>'
        '<div hidden>Skip to content</div><p style="display: none">Hidden paragraph</p>'
        "</body></html>"
    )
    return [
        Sample("good-fisheries.md", "good statement, front matter", STATEMENT_A),
        Sample("good-river.md", "good statement, front matter", STATEMENT_B),
        Sample("empty.md", "empty Markdown file", b""),
        Sample(
            "image.txt", "PNG bytes named .txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
        ),
        Sample(
            "windows-1252.txt", "Windows-1252 text, curly quotes and é", CP1252.encode("cp1252")
        ),
        Sample(
            "too-large.md",
            f"valid statement over the size cap ({MAX_FILE_MB} MB)",
            statement("Oversized Statement", body=long_body),
        ),
        Sample("nav-only.html", "HTML with only nav, script, hidden text", nav_only),
        Sample("not-a-pdf.pdf", "text bytes named .pdf", b"Plain text saved under a .pdf name.\n"),
        Sample("truncated.pdf", "PDF cut in half", pdf[: len(pdf) // 2]),
        Sample(
            "password.pdf",
            "PDF that needs a user password",
            encrypt_pdf(pdf, user_password="secret"),
        ),
        Sample("scanned.pdf", "PDF of 2 image-only pages (no text layer)", scanned_pdf(2)),
        Sample("damaged.docx", ".docx ZIP with broken document.xml", _damaged_docx()),
        Sample("not-a-zip.docx", "text bytes named .docx", b"Plain words typed into a .docx.\n"),
        Sample(
            "with-broken-sidecar.md",
            "good statement beside a broken sidecar",
            statement("Statement With a Broken Sidecar", body="A unique text about whaling.\n"),
        ),
        Sample(
            SIDECAR, "malformed YAML sidecar of the file above", "title: [unclosed\nissuer: X\n"
        ),
        Sample(
            "same-text-as-good-fisheries.md",
            "byte-identical copy of good-fisheries.md",
            STATEMENT_A,
        ),
        Sample(
            "legacy-word.doc",
            "(extra) legacy Word 97-2003 file, unsupported suffix",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200),
        ),
    ]


def cli_lines(result: FileResult) -> list[str]:
    """The lines `brief ingest` prints for one file (`brief.cli.corpus.ingest` renders them)."""
    lines = []
    if result.status == "error":
        lines.append(f"error: {result.path}: {result.message}")
    if result.status == "duplicate":
        lines.append(f"note: {result.doc_id}: {result.message}")
    lines += [f"warning: {result.doc_id}: {warning}" for warning in result.warnings]
    return lines


def print_cli_output(report: IngestReport, batch: Path) -> None:
    """What the CLI prints for the run (stderr lines, then the summary), temp path shortened."""
    print("```")
    for result in report.files:
        for line in cli_lines(result):
            print(line.replace(str(batch), "batch"))
    print(report.summary())
    print("```")


@dataclass(frozen=True)
class Snapshot:
    """What the store holds at one moment."""

    documents: dict[
        str, tuple[str, int, tuple[str, ...]]
    ]  # doc_id: (content hash, chunks, aliases)
    chunk_ids: frozenset[str]

    @classmethod
    def take(cls, index: StatementIndex) -> Snapshot:
        docs = {d: (e.content_hash, e.chunks, e.aliases) for d, e in index.documents().items()}
        return cls(docs, frozenset(index.chunk_ids()))

    @property
    def aliases(self) -> int:
        return sum(len(a) for _, _, a in self.documents.values())


def stored_as(name: str, snap: Snapshot) -> str:
    """Whether a file is in the store: as a document, as another name of one, or not."""
    if name in snap.documents:
        chunks = snap.documents[name][1]
        return f"yes ({chunks} chunk{'' if chunks == 1 else 's'})"
    for doc_id, (_, _, aliases) in snap.documents.items():
        if name in aliases:
            return f"once: a recorded name of {doc_id}"
    return "no"


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def yes(flag: bool) -> str:
    return "yes" if flag else "NO"


def main() -> None:
    """Build the batch, ingest corpus and batch, and print what happened."""
    with tempfile.TemporaryDirectory(prefix="demo-bad-inputs-") as tmp:
        run(Path(tmp))


def run(tmp: Path) -> None:
    settings = load_settings(data_dir=tmp / "store", max_file_mb=MAX_FILE_MB)
    corpus = settings.corpus_dir
    batch = tmp / "batch"
    batch.mkdir()
    batch_samples = samples()
    for sample in batch_samples:
        write(batch, sample.name, sample.data)
    names = [s.name for s in batch_samples]
    print(f"# Bad input demo (BRIEF_MAX_FILE_MB={settings.max_file_mb:g})\n")
    print(f"corpus: {corpus}\nbatch: {len(batch_samples)} files in a temporary folder\n")

    embeddings = load_embeddings(settings)
    with open_index(settings, embeddings) as index:
        corpus_report = ingest_paths(index, [corpus])
        print(f"corpus ingest: {corpus_report.summary()}")
        for result in corpus_report.errors:
            print(f"  corpus error: {result.path}: {result.message}")
        before = Snapshot.take(index)

        report = ingest_paths(index, [batch])
        after = Snapshot.take(index)
        by_name = {r.doc_id: r for r in report.files}

        print("\n## What `brief ingest BATCH` prints\n")
        print_cli_output(report, batch)

        print("\n## Per file: status and report message\n")
        for name in names:
            found = by_name.get(name)
            if found is None:
                print(f"- {name}: NOT IN THE REPORT")
                continue
            print(f"- {name}: status={found.status}, message={found.message!r}")
            for warning in found.warnings:
                print(f"    warning={warning!r}")
        listed = set(names)
        for result in report.files:
            if result.doc_id not in listed:
                print(f"- (not a batch file) {result.doc_id}: {result.status} {result.message!r}")

        cp1252_ids = index.record_manager.list_keys(group_ids=["windows-1252.txt"])
        cp1252_chunks = list(index.chunks(cp1252_ids).values())
        stored_text = "\n\n".join(c.text for c in cp1252_chunks)
        sections = sorted({c.section for c in cp1252_chunks})

        again = ingest_paths(index, [batch])
        final = Snapshot.take(index)

    print("\n## Table\n")
    print("| file | what it is | message shown | stored? |")
    print("|---|---|---|---|")
    for sample in batch_samples:
        found = by_name.get(sample.name)
        if found is not None:
            lines = [line.replace(str(batch), "batch") for line in cli_lines(found)]
            shown = "<br>".join(f"`{cell(line)}`" for line in lines) or "(nothing)"
            if not lines and found.status != "error":
                shown = f"(nothing; {found.status})"
        elif sample.name == SIDECAR:
            shown = "(no line of its own: read with with-broken-sidecar.md)"
        else:
            shown = "(nothing: the file is not in the report)"
        print(
            f"| `{sample.name}` | {cell(sample.what)} | {shown} "
            f"| {cell(stored_as(sample.name, after))} |"
        )

    legacy = batch / "legacy-word.doc"
    _, direct = discover([legacy])
    shown_direct = "; ".join(e.reason for e in direct) or "(nothing)"
    print(f"\nlegacy-word.doc given by its own path instead of its folder: {shown_direct}")

    corpus_docs = dict(before.documents)
    kept = {d: after.documents.get(d) for d in corpus_docs}
    new_ids = after.chunk_ids - before.chunk_ids
    batch_chunks = sum(after.documents[d][1] for d in after.documents if d in set(names))
    good = ["good-fisheries.md", "good-river.md"]
    dup = after.documents.get("good-fisheries.md", ("", 0, ()))[2]
    again_status = Counter(r.status for r in again.files)

    print("\n## Counts\n")
    print("| stage | documents | duplicate names | chunks |")
    print("|---|---|---|---|")
    for label, snap in (
        ("after the corpus", before),
        ("after the bad batch", after),
        ("after the batch again", final),
    ):
        print(f"| {label} | {len(snap.documents)} | {snap.aliases} | {len(snap.chunk_ids)} |")

    print("\n## Nothing lost\n")
    print(
        f"- corpus documents unchanged (hash, chunks, aliases): "
        f"{yes(all(kept[d] == corpus_docs[d] for d in corpus_docs))} ({len(corpus_docs)} documents)"
    )
    print(
        f"- corpus chunk ids all still there: {yes(before.chunk_ids <= after.chunk_ids)} "
        f"({len(before.chunk_ids)} before, {len(before.chunk_ids & after.chunk_ids)} after)"
    )
    print(
        f"- chunk ids added by the batch: {len(new_ids)} "
        f"(= chunks of the batch documents in the catalog: {batch_chunks})"
    )
    print(f"- good files stored: {', '.join(f'{g}: {yes(g in after.documents)}' for g in good)}")
    print(
        f"- duplicate stored once: {yes('same-text-as-good-fisheries.md' not in after.documents)}; "
        f"names recorded for good-fisheries.md: {list(dup)}"
    )
    heading, body = CP1252.split("\n\n", 1)
    print(f"- Windows-1252 text as stored: {stored_text!r}; chunk section(s): {sections}")
    print(
        "- its special characters survive: "
        + ", ".join(f"{ch} {yes(ch in stored_text)}" for ch in SPECIAL)
        + f"; equal to the source minus its heading {heading!r}: "
        + yes(stored_text.strip() == body.strip())
    )
    print(
        f"- second ingest of the batch: {again.summary()}; statuses {dict(again_status)}; "
        f"chunk ids unchanged: {yes(final.chunk_ids == after.chunk_ids)}; "
        f"catalog unchanged: {yes(final.documents == after.documents)}"
    )

    print("\n## `brief doctor` (retrieval.store.health.diagnose, store closed first)\n")
    checks = diagnose(settings)
    for check in checks:
        mark = "FAIL" if not check.ok else ("warn" if check.warning else "ok")
        print(f"{mark:>4}  {check.name}: {check.detail}")
        if check.fix:
            print(f"      fix: {check.fix}")
    failed = [c for c in checks if not c.ok]
    print("store is healthy" if not failed else f"{len(failed)} check(s) failed")


if __name__ == "__main__":
    main()
