"""Benchmark: ingest throughput against the raw embedding model, re-ingest, ask latency.

Prints figures and ratios measured in the same run (no assertions: machines are noisy).
Usage: .venv/bin/python scripts/bench_ingest.py [CORPUS_DIR]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

# The tree this script is in, not the one the environment's editable install points at: a
# start and an end checkout are timed side by side with one environment.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from brief.service import BriefingService
from core.models import SourceDocument
from core.settings import load_settings
from ingest.chunking import chunk_document
from ingest.loaders import discover, load_all
from ingest.pipeline import ingest_paths
from retrieval.store.embeddings import load_embeddings
from retrieval.store.index import open_index

QUESTIONS = [
    "What did the joint fact sheet say about Singapore?",
    "Who convened the inaugural NCG meeting?",
    "How has the wording on denuclearization changed since 2021?",
    "What is the latest statement on the Nuclear Consultative Group?",
    "Lima statement IBM quantum workforce program target",
    "What did the 2022 Yoon-Biden statement say about combined military exercises?",
]
# The same questions as a Korean user types them (read through the glossary: issue 18).
QUESTIONS_KO = [
    "공동 팩트시트는 싱가포르에 대해 뭐라고 했나요?",
    "NCG 출범 회의는 누가 주재했습니까?",
    "2021년 이후 비핵화 관련 표현은 어떻게 달라졌습니까?",
    "핵협의그룹에 관한 가장 최근 성명은 무엇입니까?",
    "리마 성명의 IBM 양자 인력 양성 목표",
    "2022년 윤석열-바이든 공동성명은 연합군사훈련에 대해 무엇이라고 했습니까?",
]


def warm_latencies(service: BriefingService, questions: list[str], rounds: int = 5) -> list[float]:
    """Seconds per ``service.ask`` after one warm-up round, sorted."""
    for q in questions:
        service.ask(q)  # warm
    lat = []
    for _ in range(rounds):
        for q in questions:
            t0 = time.perf_counter()
            service.ask(q)
            lat.append(time.perf_counter() - t0)
    return sorted(lat)


def p95(lat: list[float]) -> float:
    """The 95th percentile of sorted latencies."""
    return lat[int(0.95 * (len(lat) - 1))]


def main() -> None:
    """Run the benchmark and print its figures."""
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else load_settings().corpus_dir
    docs = [d for d in load_all(discover([corpus])[0]) if isinstance(d, SourceDocument)]
    settings = load_settings(data_dir=Path(tempfile.mkdtemp(prefix="bench-")))
    chunks = [
        c
        for d in docs
        for c in chunk_document(d, settings.chunk_max_chars, settings.chunk_min_chars)
    ]
    texts = [c.text for c in chunks]
    chars = sum(len(t) for t in texts)
    embeddings = load_embeddings(settings)
    embeddings.embed_query("warm up")

    # Raw model and first ingest alternate, twice; the faster of each pair is kept, so a
    # burst of load from elsewhere on a shared machine hurts neither side alone.
    raw_runs, first_runs = [], []
    for round_ in range(2):
        t0 = time.perf_counter()
        embeddings.embed_array(texts)
        raw_runs.append(time.perf_counter() - t0)
        round_settings = settings.model_copy(update={"data_dir": settings.data_dir / str(round_)})
        with open_index(round_settings, embeddings) as index:
            t0 = time.perf_counter()
            ingest_paths(index, [corpus])
            first_runs.append(time.perf_counter() - t0)
    raw_s, first_s = min(raw_runs), min(first_runs)

    with open_index(round_settings, embeddings) as index:
        t0 = time.perf_counter()
        ingest_paths(index, [corpus])
        again_s = time.perf_counter() - t0

        service = BriefingService(index)
        lat = warm_latencies(service, QUESTIONS)
        lat_ko = warm_latencies(service, QUESTIONS_KO)
    print(f"corpus: {len(docs)} documents, {len(chunks)} chunks, {chars:,} characters")
    print(
        f"runs (s): raw {', '.join(f'{x:.2f}' for x in raw_runs)}; "
        f"ingest {', '.join(f'{x:.2f}' for x in first_runs)}"
    )
    print(f"raw embedding of the chunk texts: {raw_s:.2f} s ({chars / raw_s:,.0f} chars/s)")
    print(
        f"first ingest (load, chunk, embed, store, BM25): {first_s:.2f} s "
        f"({chars / first_s:,.0f} chars/s)"
    )
    print(f"ingest throughput / raw embedding throughput: {raw_s / first_s:.2f}")
    print(f"unchanged re-ingest: {again_s:.3f} s = {100 * again_s / first_s:.1f}% of first ingest")
    print(
        f"ask (warm, {len(lat)} calls): p50 {statistics.median(lat) * 1000:.0f} ms, "
        f"p95 {p95(lat) * 1000:.0f} ms"
    )
    print(
        f"ask in Korean (warm, the same questions, {len(lat_ko)} calls): "
        f"p50 {statistics.median(lat_ko) * 1000:.0f} ms, p95 {p95(lat_ko) * 1000:.0f} ms "
        f"= {p95(lat_ko) / p95(lat):.2f} x English"
    )


if __name__ == "__main__":
    main()
