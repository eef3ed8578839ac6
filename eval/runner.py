"""Run a question set through a system and score it (the shared results contract).

``results.jsonl`` is appended one flushed line per question, so an interrupted run keeps what it
finished; a re-run into the same folder resumes: questions that already have a complete line are
scored from it and not asked again (a partly written last line is dropped).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.answers import Answer
from eval import metrics
from eval.baselines import SystemAnswer, from_answer
from eval.questions import Question

AskFn = Callable[[Question], Answer | SystemAnswer]
Row = dict[str, Any]

RESULTS_FILE = "results.jsonl"
SCORES_FILE = "scores.json"
PROXY_NOTE = (
    "citation recall/precision use an offline PROXY judge (ALCE-style): a statement is supported "
    "when its cited texts hold its quoted text verbatim or >= 60% of its terms"
)


def result_record(
    question: Question, answer: Answer | SystemAnswer, latency_s: float
) -> dict[str, Any]:
    """One line of ``results.jsonl`` in the shared format.

    Generated answers add fields beyond the shared ones: the answerer, model and notes, every
    sentence with its support verdict, invented citation numbers and whether the stream was cut.
    """
    extra: dict[str, Any] = {}
    if isinstance(answer, Answer):
        if answer.answerer == "generative":
            extra.update(
                answerer=answer.answerer,
                notes=answer.notes,
                model=answer.model,
                sentences=[
                    {"text": s.text, "supported": s.supported, "score": s.score}
                    for s in answer.sentences
                ],
                invalid_citations=answer.invalid_citations,
                interrupted=answer.interrupted,
            )
        answer = from_answer(answer)
    return {
        "id": question.id,
        "answer": answer.text,
        "refused": answer.refused,
        "citations": [{"doc": doc, "text": text} for doc, text in answer.citations],
        "retrieved": [{"doc": doc, "text": text} for doc, text in answer.retrieved],
        "latency_s": round(latency_s, 4),
        **({"not_stated": answer.not_stated} if answer.not_stated else {}),
        **extra,
    }


def _valid_record(record: Any) -> bool:
    """Whether a parsed line has every field of the shared format, with sensible types."""
    if not isinstance(record, dict):
        return False
    return (
        isinstance(record.get("id"), str)
        and isinstance(record.get("answer"), str)
        and isinstance(record.get("refused"), bool)
        and isinstance(record.get("latency_s"), int | float)
        and all(
            isinstance(record.get(key), list)
            and all(
                isinstance(x, dict)
                and isinstance(x.get("doc"), str)
                and isinstance(x.get("text"), str)
                for x in record[key]
            )
            for key in ("citations", "retrieved")
        )
    )


def read_results(path: Path) -> dict[str, dict[str, Any]]:
    """Complete records of a results file by id (first wins); broken or partial lines skipped."""
    out: dict[str, dict[str, Any]] = {}
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return out
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if _valid_record(record):
            out.setdefault(record["id"], record)
    return out


def pending(questions: Iterable[Question], out_dir: Path) -> list[Question]:
    """The questions that have no complete line yet in ``out_dir/results.jsonl``."""
    done = read_results(out_dir / RESULTS_FILE)
    return [q for q in questions if q.id not in done]


def score_one(
    question: Question, record: dict[str, Any], documents: dict[str, str]
) -> dict[str, Any]:
    """Per-question figures from a results record."""
    gold = [(g.doc, g.quote) for g in question.gold]
    retrieved = [(r["doc"], r["text"]) for r in record["retrieved"]]
    cites = record["citations"]
    refused = bool(record["refused"])
    cite_texts = [c["text"] for c in cites]
    row: dict[str, Any] = {
        "id": question.id,
        "category": question.category,
        "answerable": question.answerable,
        "refused": refused,
        "latency_s": float(record["latency_s"]),
        "words": metrics.word_count(record["answer"]),
        "citations": len(cites),
        "citations_valid": sum(
            metrics.citation_valid(c["text"], documents.get(c["doc"], "")) for c in cites
        ),
        "citations_on_gold": sum(
            metrics.citation_on_gold(c["doc"], c["text"], gold) for c in cites
        ),
        "citation_recall_proxy": None
        if refused
        else metrics.citation_recall_proxy(record["answer"], cite_texts),
        "citation_precision_proxy": None
        if refused
        else metrics.citation_precision_proxy(record["answer"], cite_texts),
        "sentences": len(record.get("sentences") or []),
        "sentences_unsupported": sum(
            not s.get("supported", True) for s in record.get("sentences") or []
        ),
        "invalid_citations": len(record.get("invalid_citations") or []),
    }
    if question.answerable:
        row.update(
            hit5=metrics.hit_at_k(gold, retrieved, 5),
            recall5=metrics.recall_at_k(gold, retrieved, 5),
            mrr5=metrics.mrr_at_k(gold, retrieved, 5),
            ndcg10=metrics.ndcg_at_k(gold, retrieved, 10),
            # A refusal's quotes are related, not an answer: they earn no key facts.
            key_facts=0.0
            if refused
            else metrics.key_fact_recall(question.key_facts, record["answer"]),
        )
    return row


# ---------------------------------------------------------------- headline figures


def _answerable(rows: Sequence[Row]) -> list[Row]:
    return [r for r in rows if r["answerable"]]


def _unanswerable(rows: Sequence[Row]) -> list[Row]:
    return [r for r in rows if not r["answerable"]]


def _with(key: str) -> Callable[[Sequence[Row]], list[Row]]:
    return lambda rows: [r for r in rows if r.get(key) is not None]


def _mean_of(key: str) -> Callable[[Sequence[Row]], float]:
    return lambda rows: metrics.mean([float(r[key]) for r in rows])


def _citation_validity(rows: Sequence[Row]) -> float:
    n = sum(int(r["citations"]) for r in rows)
    return sum(int(r["citations_valid"]) for r in rows) / n if n else 1.0


def _citation_on_gold(rows: Sequence[Row]) -> float:
    n = sum(int(r["citations"]) for r in rows)
    return sum(int(r["citations_on_gold"]) for r in rows) / max(1, n)


def _all(rows: Sequence[Row]) -> list[Row]:
    return list(rows)


@dataclass(frozen=True)
class Headline:
    """A headline figure: the questions it is defined on and its statistic over them."""

    key: str
    label: str
    population: Callable[[Sequence[Row]], list[Row]]
    statistic: Callable[[Sequence[Row]], float]
    higher_is_better: bool = True
    proxy: bool = False

    def value(self, rows: Sequence[Row]) -> float:
        """The figure over all rows."""
        return self.statistic(self.population(rows))

    def ci(self, rows: Sequence[Row], resamples: int = metrics.BOOTSTRAP_RESAMPLES) -> list[float]:
        """95% percentile-bootstrap interval, resampling the questions the figure is defined on."""
        lo, hi = metrics.bootstrap_ci(self.population(rows), self.statistic, resamples=resamples)
        return [lo, hi]


HEADLINES: tuple[Headline, ...] = (
    Headline("hit@5", "retrieval hit@5", _answerable, _mean_of("hit5")),
    Headline("recall@5", "recall@5", _answerable, _mean_of("recall5")),
    Headline("mrr@5", "MRR@5", _answerable, _mean_of("mrr5")),
    Headline("ndcg@10", "nDCG@10", _answerable, _mean_of("ndcg10")),
    Headline("key_fact_recall", "key-fact recall", _answerable, _mean_of("key_facts")),
    Headline("citation_validity", "citation validity", _all, _citation_validity),
    Headline("citation_on_gold", "citation on gold", _answerable, _citation_on_gold),
    Headline(
        "citation_recall_proxy",
        "citation recall (proxy)",
        _with("citation_recall_proxy"),
        _mean_of("citation_recall_proxy"),
        proxy=True,
    ),
    Headline(
        "citation_precision_proxy",
        "citation precision (proxy)",
        _with("citation_precision_proxy"),
        _mean_of("citation_precision_proxy"),
        proxy=True,
    ),
    Headline("refusal_recall", "refusal recall", _unanswerable, _mean_of("refused")),
    Headline(
        "false_refusal_rate",
        "false refusal rate",
        _answerable,
        _mean_of("refused"),
        higher_is_better=False,
    ),
)
HEADLINE_BY_KEY = {h.key: h for h in HEADLINES}


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Headline figures over per-question rows."""
    answerable = _answerable(rows)
    words = [r["words"] for r in answerable if not r["refused"]]
    lat = [r["latency_s"] for r in rows]
    out: dict[str, Any] = {"questions": len(rows)}
    for h in HEADLINES:
        out[h.key] = h.value(rows)
    sentences = sum(r.get("sentences", 0) for r in rows)
    if sentences:
        out["unsupported_sentence_share"] = (
            sum(r.get("sentences_unsupported", 0) for r in rows) / sentences
        )
        out["invented_citations"] = sum(r.get("invalid_citations", 0) for r in rows)
    out.update(
        answer_words_median=metrics.percentile(words, 50),
        answer_words_mean=metrics.mean(words),
        latency_p50_s=metrics.percentile(lat, 50),
        latency_p95_s=metrics.percentile(lat, 95),
    )
    return out


def headline_cis(rows: list[dict[str, Any]]) -> dict[str, list[float]]:
    """95% bootstrap intervals of every headline figure."""
    return {h.key: h.ci(rows) for h in HEADLINES}


def scores_by_category(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Overall figures and one block per category."""
    out: dict[str, Any] = {"overall": summarize(rows), "by_category": {}}
    for cat in sorted({r["category"] for r in rows}):
        out["by_category"][cat] = summarize([r for r in rows if r["category"] == cat])
    return out


def score_records(
    questions: Sequence[Question], records: dict[str, dict[str, Any]], documents: dict[str, str]
) -> dict[str, Any]:
    """Scores of the questions that have a record: overall, by category, CIs, per question."""
    rows = [score_one(q, records[q.id], documents) for q in questions if q.id in records]
    scores = scores_by_category(rows)
    scores["ci"] = headline_cis(rows)
    scores["ci_method"] = (
        f"95% percentile bootstrap over questions, {metrics.BOOTSTRAP_RESAMPLES} resamples, "
        f"seed {metrics.BOOTSTRAP_SEED}"
    )
    scores["proxy_judge"] = PROXY_NOTE
    scores["questions"] = rows
    return scores


def _rewrite(path: Path, records: Iterable[dict[str, Any]]) -> None:
    """Replace a results file atomically with these records (one complete line each)."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


def run(
    ask: AskFn,
    questions: Iterable[Question],
    documents: dict[str, str],
    out_dir: Path,
    on_result: Callable[[int, Question, dict[str, Any]], None] | None = None,
    *,
    resume: bool = True,
) -> dict[str, Any]:
    """Ask every question, write ``results.jsonl`` and ``scores.json``, return the scores.

    With ``resume`` (the default), questions that already have a complete line in
    ``results.jsonl`` are scored from it and not asked again; ``on_result`` is called for the
    questions asked in this call. Lines are appended and flushed one by one.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    questions = list(questions)
    ids = {q.id for q in questions}
    path = out_dir / RESULTS_FILE
    stored = read_results(path) if resume else {}
    records = {q.id: stored[q.id] for q in questions if q.id in stored}
    # Keep complete lines of this question set only, so the next append starts on a fresh line.
    _rewrite(path, (records[q.id] for q in questions if q.id in records))
    dropped = set(stored) - ids
    with path.open("a", encoding="utf-8") as fh:
        for i, q in enumerate(q for q in questions if q.id not in records):
            started = time.perf_counter()
            answer = ask(q)
            record = result_record(q, answer, time.perf_counter() - started)
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            fh.flush()
            records[q.id] = record
            if on_result:
                on_result(i, q, score_one(q, record, documents))
    scores = score_records(questions, records, documents)
    if dropped:
        scores["dropped_records"] = sorted(dropped)
    (out_dir / SCORES_FILE).write_text(json.dumps(scores, indent=2), encoding="utf-8")
    return scores


def format_scores(summary: dict[str, Any]) -> str:
    """The one-line scores summary."""
    return (
        f"hit@5 {summary['hit@5']:.2f}  MRR@5 {summary['mrr@5']:.2f}  "
        f"nDCG@10 {summary['ndcg@10']:.2f}  key facts {summary['key_fact_recall']:.2f} "
        f"(median {summary['answer_words_median']:.0f} words)  "
        f"citations valid {summary['citation_validity']:.2f} on gold "
        f"{summary['citation_on_gold']:.2f}  "
        f"citation recall (proxy) {summary.get('citation_recall_proxy', 0.0):.2f} "
        f"precision (proxy) {summary.get('citation_precision_proxy', 0.0):.2f}  "
        f"refusal recall {summary['refusal_recall']:.2f}  "
        f"false refusals {summary['false_refusal_rate']:.2f}  "
        f"latency p50 {summary['latency_p50_s']:.3f}s p95 {summary['latency_p95_s']:.3f}s"
        + (
            f"  unsupported sentences {summary['unsupported_sentence_share']:.2f}"
            f"  invented citations {summary['invented_citations']}"
            if "unsupported_sentence_share" in summary
            else ""
        )
    )
