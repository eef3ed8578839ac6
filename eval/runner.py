"""Run a question set through the service and score it (the shared results contract)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from eval import metrics
from eval.questions import Question
from retrieval.models import Answer

AskFn = Callable[[Question], Answer]


def result_record(question: Question, answer: Answer, latency_s: float) -> dict[str, Any]:
    """One line of ``results.jsonl`` in the shared format."""
    return {
        "id": question.id,
        "answer": answer.text,
        "refused": answer.refused,
        "citations": [{"doc": c.doc_id, "text": c.quote} for c in answer.citations],
        "retrieved": [{"doc": p.chunk.doc_id, "text": p.chunk.text} for p in answer.passages],
        "latency_s": round(latency_s, 4),
    }


def score_one(
    question: Question, record: dict[str, Any], documents: dict[str, str]
) -> dict[str, Any]:
    """Per-question figures from a results record."""
    gold = [(g.doc, g.quote) for g in question.gold]
    retrieved = [(r["doc"], r["text"]) for r in record["retrieved"]]
    cites = record["citations"]
    row: dict[str, Any] = {
        "id": question.id,
        "category": question.category,
        "answerable": question.answerable,
        "refused": bool(record["refused"]),
        "latency_s": float(record["latency_s"]),
        "words": metrics.word_count(record["answer"]),
        "citations": len(cites),
        "citations_valid": sum(
            metrics.citation_valid(c["text"], documents.get(c["doc"], "")) for c in cites
        ),
        "citations_on_gold": sum(
            metrics.citation_on_gold(c["doc"], c["text"], gold) for c in cites
        ),
    }
    if question.answerable:
        row.update(
            hit5=metrics.hit_at_k(gold, retrieved, 5),
            recall5=metrics.recall_at_k(gold, retrieved, 5),
            mrr5=metrics.mrr_at_k(gold, retrieved, 5),
            ndcg10=metrics.ndcg_at_k(gold, retrieved, 10),
            key_facts=metrics.key_fact_recall(question.key_facts, record["answer"]),
        )
    return row


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Headline figures over per-question rows."""
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    n_cites = sum(r["citations"] for r in rows)
    words = [r["words"] for r in answerable if not r["refused"]]
    lat = [r["latency_s"] for r in rows]
    return {
        "questions": len(rows),
        "hit@5": metrics.mean([r["hit5"] for r in answerable]),
        "recall@5": metrics.mean([r["recall5"] for r in answerable]),
        "mrr@5": metrics.mean([r["mrr5"] for r in answerable]),
        "ndcg@10": metrics.mean([r["ndcg10"] for r in answerable]),
        "key_fact_recall": metrics.mean([r["key_facts"] for r in answerable]),
        "answer_words_median": metrics.percentile(words, 50),
        "answer_words_mean": metrics.mean(words),
        "citation_validity": (sum(r["citations_valid"] for r in rows) / n_cites)
        if n_cites
        else 1.0,
        "citation_on_gold": (
            sum(r["citations_on_gold"] for r in answerable)
            / max(1, sum(r["citations"] for r in answerable))
        ),
        "refusal_recall": metrics.mean([float(r["refused"]) for r in unanswerable]),
        "false_refusal_rate": metrics.mean([float(r["refused"]) for r in answerable]),
        "latency_p50_s": metrics.percentile(lat, 50),
        "latency_p95_s": metrics.percentile(lat, 95),
    }


def scores_by_category(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Overall figures and one block per category."""
    out: dict[str, Any] = {"overall": summarize(rows), "by_category": {}}
    for cat in sorted({r["category"] for r in rows}):
        out["by_category"][cat] = summarize([r for r in rows if r["category"] == cat])
    return out


def run(
    ask: AskFn,
    questions: Iterable[Question],
    documents: dict[str, str],
    out_dir: Path,
    on_result: Callable[[int, Question, dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Ask every question, write ``results.jsonl`` and ``scores.json``, return the scores."""
    out_dir.mkdir(parents=True, exist_ok=True)
    questions = list(questions)
    rows = []
    with (out_dir / "results.jsonl").open("w", encoding="utf-8") as fh:
        for i, q in enumerate(questions):
            started = time.perf_counter()
            answer = ask(q)
            record = result_record(q, answer, time.perf_counter() - started)
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            fh.flush()
            row = score_one(q, record, documents)
            rows.append(row)
            if on_result:
                on_result(i, q, row)
    scores = scores_by_category(rows)
    scores["questions"] = rows
    (out_dir / "scores.json").write_text(json.dumps(scores, indent=2), encoding="utf-8")
    return scores


def format_scores(summary: dict[str, Any]) -> str:
    """The one-line scores summary."""
    return (
        f"hit@5 {summary['hit@5']:.2f}  MRR@5 {summary['mrr@5']:.2f}  "
        f"nDCG@10 {summary['ndcg@10']:.2f}  key facts {summary['key_fact_recall']:.2f} "
        f"(median {summary['answer_words_median']:.0f} words)  "
        f"citations valid {summary['citation_validity']:.2f} on gold "
        f"{summary['citation_on_gold']:.2f}  refusal recall {summary['refusal_recall']:.2f}  "
        f"false refusals {summary['false_refusal_rate']:.2f}  "
        f"latency p50 {summary['latency_p50_s']:.3f}s p95 {summary['latency_p95_s']:.3f}s"
    )
