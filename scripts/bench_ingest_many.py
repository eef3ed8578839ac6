"""Benchmark: ingest of many small files (one paragraph each, with front matter).

Generates N Markdown files in a temporary folder (sentences drawn from the sample corpus, every
file's text distinct), then ingests them into a fresh store three ways, each in its own process
and measured in the same run:

- ``base``: the code of the base commit (before batching), taken from git (``git archive``);
- ``per-file``: today's code with batches of one file (``ingest_paths(..., batch_files=1)``);
- ``batched``: today's code with its default batches.

The model is loaded and warmed before the clock starts, so the figures are the ingest itself
(load, chunk, embed, write Chroma, records and catalog, build BM25). Then an unchanged re-ingest
of the batched store. Prints files/s (wall time) and CPU seconds, and the ratios of the batched
run to the others; asserts nothing (machines are noisy: CPU time suffers less from the load of
other processes on a shared machine than wall time).

Usage: .venv/bin/python scripts/bench_ingest_many.py [--files 2000] [--base 072c823]
       [--skip-base] [--skip-per-file]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE_COMMIT = "072c823"
ISSUERS = ["The White House", "Ministry of Foreign Affairs of the ROK", "U.S. Department of State"]
KINDS = ["joint statement", "fact sheet", "statement", "readout", "declaration"]


def corpus_sentences() -> list[str]:
    """Sentences of five words or more from the sample corpus."""
    from core.models import SourceDocument
    from core.settings import load_settings
    from ingest.loaders import discover, load_all
    from retrieval.sentences import split_sentences

    out: list[str] = []
    for doc in load_all(discover([load_settings().corpus_dir])[0]):
        if isinstance(doc, SourceDocument):
            out += [s.text for s in split_sentences(doc.text) if len(s.text.split()) >= 5]
    return out


def generate(folder: Path, n: int, seed: int = 17) -> int:
    """Write ``n`` one-paragraph statements with front matter; return their total characters."""
    rng = random.Random(seed)
    sentences = [s for s in corpus_sentences() if len(s) < 400]
    folder.mkdir(parents=True, exist_ok=True)
    chars = 0
    for i in range(n):
        year, month, day = 2000 + i % 26, 1 + i % 12, 1 + i % 28
        picked = rng.sample(sentences, rng.randint(2, 4))
        # A numbered closing sentence keeps every file's text distinct (no duplicates).
        paragraph = " ".join([*picked, f"This is statement number {i} of the series."])
        text = (
            "---\n"
            f'title: "Statement {i} on {picked[0].split()[0]} matters"\n'
            f'issuer: "{ISSUERS[i % len(ISSUERS)]}"\n'
            f"date: {year:04d}-{month:02d}-{day:02d}\n"
            f"kind: {KINDS[i % len(KINDS)]}\nlanguage: en\n"
            "---\n\n"
            f"{paragraph}\n"
        )
        (folder / f"statement-{i:05d}.md").write_text(text, encoding="utf-8")
        chars += len(paragraph)
    return chars


def _cpu_seconds() -> float:
    """CPU time of this process, all its threads (less sensitive than wall time to the load
    other processes put on a shared machine)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(corpus: Path, data_dir: Path, batch_files: int | None, again: bool) -> None:
    """Ingest ``corpus`` into a fresh store in this process; print the timings as JSON."""
    import ingest.pipeline as pipeline
    from core.settings import load_settings
    from retrieval.store.embeddings import load_embeddings
    from retrieval.store.index import open_index

    settings = load_settings(data_dir=data_dir)
    embeddings = load_embeddings(settings)
    embeddings.embed_query("warm up")
    kwargs = {} if batch_files is None else {"batch_files": batch_files}
    with open_index(settings, embeddings) as index:
        t0, cpu0 = time.perf_counter(), _cpu_seconds()
        report = pipeline.ingest_paths(index, [corpus], **kwargs)  # type: ignore[arg-type]
        seconds, cpu_s = time.perf_counter() - t0, _cpu_seconds() - cpu0
        again_s = None
        if again:
            t0 = time.perf_counter()
            second = pipeline.ingest_paths(index, [corpus], **kwargs)  # type: ignore[arg-type]
            again_s = time.perf_counter() - t0
            assert second.total("chunks_added") == 0, second.summary()
        chunks = index.count()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_s": cpu_s,
                "again_s": again_s,
                "files": len(report.files),
                "errors": len(report.errors),
                "chunks": chunks,
                "code": pipeline.__file__,
            }
        )
    )


def measure(
    label: str, corpus: Path, work: Path, *, source: Path, batch_files: int | None, again: bool
) -> dict[str, float]:
    """Run ``child`` in its own process on the code in ``source``."""
    env = dict(os.environ, PYTHONPATH=str(source))
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(corpus)]
    cmd += ["--data", str(work / label)]
    if batch_files is not None:
        cmd += ["--batch-files", str(batch_files)]
    if again:
        cmd.append("--again")
    out = subprocess.run(cmd, env=env, cwd=source, check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def base_source(commit: str, work: Path) -> Path:
    """The project's files at ``commit``, extracted (no worktree is registered)."""
    folder = work / f"src-{commit}"
    folder.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def main() -> None:
    """Generate the files, run the three measurements, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--base", default=BASE_COMMIT, help="commit of the reference code")
    parser.add_argument("--skip-base", action="store_true", help="no base-commit measurement")
    parser.add_argument("--skip-per-file", action="store_true", help="no per-file measurement")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--batch-files", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--again", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data, args.batch_files, args.again)
        return
    with tempfile.TemporaryDirectory(prefix="bench-many-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        chars = generate(corpus, args.files)
        print(f"{args.files} one-paragraph files, {chars:,} characters of text")
        runs: dict[str, dict[str, float]] = {}
        if not args.skip_base:
            source = base_source(args.base, work)
            runs[f"base {args.base}"] = measure(
                "base", corpus, work, source=source, batch_files=None, again=False
            )
        if not args.skip_per_file:
            runs["per-file batches"] = measure(
                "per-file", corpus, work, source=ROOT, batch_files=1, again=False
            )
        runs["batched (default)"] = measure(
            "batched", corpus, work, source=ROOT, batch_files=None, again=True
        )
        batched = runs["batched (default)"]
        for label, r in runs.items():
            print(
                f"{label:>18}: {r['seconds']:6.1f} s wall, {r['cpu_s']:6.1f} s CPU, "
                f"{r['files'] / r['seconds']:6.1f} files/s, "
                f"{r['seconds'] / r['files'] * 1000:5.1f} ms/file, "
                f"{int(r['chunks'])} chunks, {int(r['errors'])} errors  [{r['code']}]"
            )
        for label, r in runs.items():
            if r is not batched:
                print(
                    f"batched vs {label}: {r['seconds'] / batched['seconds']:.2f}x files/s "
                    f"(wall), {r['cpu_s'] / batched['cpu_s']:.2f}x less CPU"
                )
        print(
            f"unchanged re-ingest (batched): {batched['again_s']:.2f} s = "
            f"{100 * batched['again_s'] / batched['seconds']:.1f}% of its first ingest"
        )


if __name__ == "__main__":
    main()
