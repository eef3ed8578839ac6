"""Benchmark: hybrid retrieval latency and peak memory at 10k, 100k and 1M chunks.

The stores are synthetic but shaped like the real one: chunk texts are 3-6 sentences drawn from
the sample corpus, each vector is the normalised mean of those sentences' real embeddings plus
noise, ten chunks per document with real-looking metadata, catalog and record manager filled in.
Each store is built once (embedded), then measured twice: embedded, and by a `chroma run` server
serving the same folder. Each measurement runs in its own process, so its peak memory is its own.
The questions are the development set's, embedded by the real model. Ratios are to the
smallest size measured in the same run. Prints figures; asserts nothing.

Usage: .venv/bin/python scripts/bench_scale.py [--sizes 10000 100000 1000000] [--root DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT.parent / "shared" / "eval" / "dev_questions.yaml"
ISSUERS = ["The White House", "Ministry of Foreign Affairs of the ROK", "U.S. Department of State"]
KINDS = ["joint statement", "fact sheet", "statement", "readout", "declaration"]
CHUNKS_PER_DOC = 10
BATCH = 5000


def _peak_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _sentences() -> list[str]:
    from core.models import SourceDocument
    from core.settings import load_settings
    from ingest.loaders import discover, load_all
    from retrieval.sentences import split_sentences

    corpus = load_settings().corpus_dir
    out: list[str] = []
    for doc in load_all(discover([corpus])[0]):
        if isinstance(doc, SourceDocument):
            out += [s.text for s in split_sentences(doc.text) if len(s.text.split()) >= 5]
    return out


def build(size: int, folder: Path) -> dict[str, Any]:
    """Write a synthetic store of ``size`` chunks into ``folder`` (embedded)."""
    import datetime as dt

    from core.models import Chunk, DocumentMeta, SourceDocument
    from core.settings import load_settings
    from retrieval.store.embeddings import OnnxMiniLMEmbeddings
    from retrieval.store.index import open_index

    started = time.perf_counter()
    rng = random.Random(size)
    sentences = _sentences()
    model = OnnxMiniLMEmbeddings()
    base = model.embed_array(sentences)
    noise = np.random.default_rng(size)
    settings = load_settings(data_dir=folder)
    t_write = 0.0
    with open_index(settings, model, rebuild=True) as index:
        col = index.store._collection
        rows: list[tuple[SourceDocument, int, str]] = []
        ids: list[str] = []
        groups: list[str] = []
        texts: list[str] = []
        metas: list[dict[str, Any]] = []
        vecs: list[np.ndarray] = []

        def flush() -> None:
            nonlocal t_write
            if not ids:
                return
            t0 = time.perf_counter()
            col.upsert(ids=ids, embeddings=np.stack(vecs), metadatas=metas, documents=texts)  # type: ignore[arg-type]
            index.record_manager.update(ids, group_ids=groups)
            index.catalog.upsert_many(rows)
            t_write += time.perf_counter() - t0
            for part in (ids, groups, texts, metas, vecs, rows):
                part.clear()

        for d in range(size // CHUNKS_PER_DOC):
            date = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(9800))
            meta = DocumentMeta(
                title=f"Statement {d} on {rng.choice(['alliance', 'peninsula', 'trade'])}",
                issuer=rng.choice(ISSUERS),
                date=date,
                kind=rng.choice(KINDS),
                source_url=f"https://example.org/{d}",
            )
            body_parts: list[str] = []
            pos = 0
            for c in range(CHUNKS_PER_DOC):
                picks = rng.sample(range(len(sentences)), rng.randint(3, 6))
                text = " ".join(sentences[i] for i in picks)
                chunk = Chunk(
                    doc_id=f"synthetic/{d:07d}.md",
                    text=text,
                    start=pos,
                    end=pos + len(text),
                    position=c,
                    meta=meta,
                )
                pos += len(text) + 2
                body_parts.append(text)
                vec = base[picks].mean(axis=0) + noise.normal(0, 0.01, base.shape[1])
                vecs.append((vec / np.linalg.norm(vec)).astype(np.float32))
                ids.append(chunk.chunk_id)
                groups.append(chunk.doc_id)
                texts.append(text)
                metas.append(chunk.to_metadata())
            doc = SourceDocument(
                doc_id=f"synthetic/{d:07d}.md", text="\n\n".join(body_parts), meta=meta
            )
            rows.append((doc, CHUNKS_PER_DOC, "synthetic"))
            if len(ids) >= BATCH:
                flush()
        flush()
        t0 = time.perf_counter()
        index.invalidate()
        index.lexical()
        t_bm25 = time.perf_counter() - t0
        count = index.count()
    return {
        "size": count,
        "build_s": round(time.perf_counter() - started, 1),
        "write_s": round(t_write, 1),
        "bm25_build_s": round(t_bm25, 1),
        "disk_mb": round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20),
        "build_peak_mb": round(_peak_mb()),
    }


def measure(folder: Path, chroma_url: str, rounds: int) -> dict[str, Any]:
    """Hybrid retrieval latency over the development questions, in this process."""
    from core.settings import load_settings
    from retrieval.search.hybrid import HybridSearcher
    from retrieval.search.plan import plan_query
    from retrieval.store.index import open_index

    questions = [q["question"] for q in yaml.safe_load(QUESTIONS.read_text())]
    settings = load_settings(data_dir=folder, chroma_url=chroma_url)
    t0 = time.perf_counter()
    with open_index(settings) as index:
        searcher = HybridSearcher(index)
        searcher.search(plan_query("warm up the alliance"))
        open_s = time.perf_counter() - t0
        lat: list[float] = []
        parts: dict[str, list[float]] = {"embed_s": [], "dense_s": [], "bm25_s": []}
        for _ in range(rounds):
            for q in questions:
                timings: dict[str, float] = {}
                t = time.perf_counter()
                searcher.search(plan_query(q), timings=timings)
                lat.append(time.perf_counter() - t)
                for key in parts:
                    parts[key].append(timings.get(key, 0.0))
    lat.sort()
    return {
        "open_s": round(open_s, 2),
        "queries": len(lat),
        "p50_ms": round(statistics.median(lat) * 1000, 1),
        "p95_ms": round(lat[int(0.95 * (len(lat) - 1))] * 1000, 1),
        **{f"{k[:-2]}_p50_ms": round(statistics.median(v) * 1000, 1) for k, v in parts.items()},
        "peak_mb": round(_peak_mb()),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _child(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _serve(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    import chromadb

    port = _free_port()
    proc = subprocess.Popen(
        [
            *(str(Path(sys.executable).with_name("chroma")), "run"),
            *("--path", str(folder / "chroma"), "--host", "127.0.0.1", "--port", str(port)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(1200):
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
            return proc, f"http://127.0.0.1:{port}"
        except Exception:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("chroma run did not start")


def main() -> None:
    """Build each size if needed, measure embedded and server mode, print a table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--root", type=Path, default=Path("/tmp/brief-bench-scale"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--build-only", action="store_true", help="Build the stores and stop.")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, folder, *rest = args.child
        if kind == "build":
            print(json.dumps(build(int(rest[0]), Path(folder))))
        else:
            print(json.dumps(measure(Path(folder), rest[0] if rest else "", int(args.rounds))))
        return

    results = []
    for size in args.sizes:
        folder = args.root / str(size)
        marker = folder / "built.json"
        if marker.exists():
            built = json.loads(marker.read_text())
        else:
            built = _child("--child", "build", str(folder), str(size))
            marker.write_text(json.dumps(built))
        print(f"{size:>9,} chunks: built {json.dumps(built)}", flush=True)
        if args.build_only:
            continue
        embedded = _child("--rounds", str(args.rounds), "--child", "measure", str(folder))
        print(f"{'':>9}  embedded {json.dumps(embedded)}", flush=True)
        proc, url = _serve(folder)
        try:
            server = _child("--rounds", str(args.rounds), "--child", "measure", str(folder), url)
            server["server_peak_mb"] = round(_peak_mb(proc.pid))
        finally:
            proc.terminate()
            proc.wait(timeout=60)
        print(f"{'':>9}  server   {json.dumps(server)}", flush=True)
        results.append((size, built, embedded, server))

    if not results:
        return
    ref = results[0]
    print(
        "\n| chunks | mode | hybrid p50 ms | hybrid p95 ms | dense p50 ms | BM25 p50 ms "
        "| peak MB (client + server) | p95 / smallest |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for size, _built, embedded, server in results:
        for mode, m, r in (("embedded", embedded, ref[2]), ("server", server, ref[3])):
            mem = f"{m['peak_mb']}" + (f" + {m['server_peak_mb']}" if "server_peak_mb" in m else "")
            print(
                f"| {size:,} | {mode} | {m['p50_ms']} | {m['p95_ms']} | {m['dense_p50_ms']} "
                f"| {m['bm25_p50_ms']} | {mem} | {m['p95_ms'] / r['p95_ms']:.2f} |"
            )
    print(f"\n(cores: {os.cpu_count()}; questions: {QUESTIONS.name}, {args.rounds} rounds)")


if __name__ == "__main__":
    main()
