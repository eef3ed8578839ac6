"""Run folders on disk: where each system's results and scores live, and the run's record.

A run folder holds ``run.json`` (what was run, when) and, per system, ``results.jsonl`` and
``scores.json`` in a subfolder named after it (``pipeline/``, ``stock/``, ``bm25/``). A run of
the pipeline alone may keep them at the top of the folder (the original ``brief eval`` layout);
every reader here accepts both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.runner import RESULTS_FILE, SCORES_FILE, read_results

RUN_FILE = "run.json"
SYSTEM_ORDER = ("pipeline", "stock", "bm25")


@dataclass(frozen=True)
class SystemRun:
    """One system's results and scores in a run folder."""

    name: str
    folder: Path
    scores: dict[str, Any]
    records: dict[str, dict[str, Any]]

    @property
    def rows(self) -> list[dict[str, Any]]:
        """Per-question figures."""
        return list(self.scores.get("questions", []))

    @property
    def question_ids(self) -> frozenset[str]:
        """Ids of the questions scored."""
        return frozenset(r["id"] for r in self.rows)


def system_folder(run_dir: Path, name: str = "pipeline") -> Path | None:
    """Where a system's scores are: ``RUN/NAME/``, or ``RUN`` itself for a pipeline-only run."""
    if (run_dir / name / SCORES_FILE).is_file():
        return run_dir / name
    if name == "pipeline" and (run_dir / SCORES_FILE).is_file():
        return run_dir
    return None


def load_system(run_dir: Path, name: str = "pipeline") -> SystemRun | None:
    """A system's scores and records in a run folder, or None when it has none."""
    folder = system_folder(run_dir, name)
    if folder is None:
        return None
    try:
        scores = json.loads((folder / SCORES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(scores, dict) or not isinstance(scores.get("questions"), list):
        return None
    return SystemRun(name, folder, scores, read_results(folder / RESULTS_FILE))


def load_systems(run_dir: Path) -> list[SystemRun]:
    """Every system with scores in a run folder: pipeline, stock, bm25 first, then the rest."""
    names = list(SYSTEM_ORDER)
    if run_dir.is_dir():
        names += sorted(
            p.name for p in run_dir.iterdir() if p.is_dir() and p.name not in SYSTEM_ORDER
        )
    found = [load_system(run_dir, n) for n in names]
    return [s for s in found if s is not None]


def read_run_info(run_dir: Path) -> dict[str, Any]:
    """The run's ``run.json`` (empty when absent or unreadable)."""
    try:
        info = json.loads((run_dir / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def utc_now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def write_run_info(run_dir: Path, info: dict[str, Any]) -> dict[str, Any]:
    """Record the run; a resumed run keeps its first start time and notes the earlier config."""
    old = read_run_info(run_dir)
    merged = {**info, "started_utc": old.get("started_utc", info.get("started_utc", utc_now()))}
    merged["updated_utc"] = utc_now()
    if old and old.get("config_sha") not in (None, info.get("config_sha")):
        merged["earlier_config_sha"] = old.get("config_sha")
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / RUN_FILE).write_text(json.dumps(merged, indent=2, default=str), encoding="utf-8")
    return merged


def config_sha(config: dict[str, Any]) -> str:
    """A short fingerprint of a configuration."""
    payload = json.dumps(config, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:8]


def default_run_dir(
    questions_file: Path, systems: Sequence[str], config: dict[str, Any], root: Path = Path("runs")
) -> Path:
    """``runs/<UTC time>-<question set>-<systems>-<config sha>``."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", questions_file.stem)[:32] or "questions"
    which = "all" if len(systems) > 1 else systems[0]
    return root / f"{stamp}-{stem}-{which}-{config_sha(config)}"


def _run_time(run_dir: Path, system: SystemRun) -> str:
    started = read_run_info(run_dir).get("started_utc")
    if isinstance(started, str):
        return started
    try:
        mtime = (system.folder / SCORES_FILE).stat().st_mtime
    except OSError:
        return ""
    return dt.datetime.fromtimestamp(mtime, dt.UTC).isoformat(timespec="seconds")


def sibling_runs(run_dir: Path, question_ids: frozenset[str]) -> list[tuple[str, SystemRun]]:
    """Pipeline scores of every run folder beside ``run_dir`` (itself included) that scored the
    same question ids, oldest first."""
    parent = run_dir.resolve().parent
    found: list[tuple[str, str, SystemRun]] = []
    try:
        children = sorted(p for p in parent.iterdir() if p.is_dir())
    except OSError:
        return []
    for child in children:
        try:
            system = load_system(child, "pipeline")
        except OSError:
            continue
        if system is None or system.question_ids != question_ids:
            continue
        found.append((_run_time(child, system), child.name, system))
    found.sort(key=lambda x: (x[0], x[1]))
    return [(name, system) for _, name, system in found]


def run_config(settings: Any) -> dict[str, Any]:
    """The settings that shape answers (a pydantic model), without the store and corpus paths."""
    dumped = settings.model_dump(mode="json")
    return {
        k: v for k, v in sorted(dumped.items()) if k not in ("data_dir", "corpus_dir", "runs_dir")
    }


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- runs as the app shows them

TABLE_KEYS = (
    ("hit@5", "hit@5"),
    ("mrr@5", "MRR@5"),
    ("key_fact_recall", "key facts"),
    ("answer_words_median", "words (median)"),
    ("citation_validity", "citations valid"),
    ("refusal_recall", "refusal recall"),
    ("false_refusal_rate", "false refusals"),
    ("latency_p95_s", "latency p95 (s)"),
    ("unsupported_sentence_share", "unsupported sentences"),
)


@dataclass(frozen=True)
class RunView:
    """A run folder summarised for display: scores, categories, charts, failed questions."""

    folder: Path
    info: dict[str, Any]
    systems: tuple[SystemRun, ...]

    @property
    def label(self) -> str:
        """Start time, question set and answerer, for a picker."""
        started = str(self.info.get("started_utc", ""))[:16].replace("T", " ")
        qset = Path(str(self.info.get("questions_file", "?"))).stem
        answerer = (self.info.get("config") or {}).get("answerer", "extractive")
        return f"{started} · {qset} · {answerer} · {self.folder.name}"

    def describe(self) -> str:
        """One line: questions, corpus, systems."""
        return (
            f"{self.info.get('questions', '?')} questions from "
            f"{self.info.get('questions_file', '?')} over {self.info.get('documents', '?')} "
            f"documents; systems: {', '.join(s.name for s in self.systems)}"
        )

    def scores_table(self) -> list[dict[str, Any]]:
        """One row per system with the headline figures."""
        rows = []
        for s in self.systems:
            overall = s.scores.get("overall", {})
            row: dict[str, Any] = {"system": s.name}
            for key, label in TABLE_KEYS:
                if key in overall:
                    row[label] = round(float(overall[key]), 3)
            rows.append(row)
        return rows

    def category_table(self) -> list[dict[str, Any]]:
        """The pipeline's figures per question category."""
        if not self.systems:
            return []
        rows = []
        for category, block in sorted(self.systems[0].scores.get("by_category", {}).items()):
            row: dict[str, Any] = {"category": category, "questions": block.get("questions")}
            for key, label in TABLE_KEYS[:7]:
                if key in block:
                    row[label] = round(float(block[key]), 3)
            rows.append(row)
        return rows

    def charts(self) -> list[Path]:
        """The run's PNG charts."""
        return sorted(self.folder.glob("*.png"))

    def failed_questions(self) -> list[dict[str, str]]:
        """The pipeline's misses: wrong refusal, gold not retrieved, key facts missing."""
        if not self.systems:
            return []
        system = self.systems[0]
        texts = _question_texts(self.info)
        out = []
        for row in system.rows:
            why = []
            if row.get("answerable", True):
                if row.get("refused"):
                    why.append("refused an answerable question")
                if row.get("hit5") == 0:
                    why.append("gold passage not in the top 5")
                if row.get("key_facts") is not None and row["key_facts"] < 1.0:
                    why.append(f"key facts {row['key_facts']:.2f}")
            elif not row.get("refused"):
                why.append("answered an unanswerable question")
            if why:
                record = system.records.get(row["id"], {})
                out.append(
                    {
                        "id": str(row["id"]),
                        "category": str(row.get("category", "")),
                        "question": texts.get(row["id"], ""),
                        "why": "; ".join(why),
                        "answer": str(record.get("answer", "")),
                    }
                )
        return out


def _question_texts(info: dict[str, Any]) -> dict[str, str]:
    path = Path(str(info.get("questions_file", "")))
    try:
        from eval.questions import load_questions

        return {q.id: q.question for q in load_questions(path)}
    except Exception:  # a moved or edited question file: show ids only
        return {}


def list_runs(root: Path, limit: int = 30) -> list[RunView]:
    """Run folders under ``root`` with scores, newest first."""
    if not root.is_dir():
        return []
    views = []
    for folder in root.iterdir():
        if not folder.is_dir():
            continue
        systems = load_systems(folder)
        if systems:
            views.append(RunView(folder, read_run_info(folder), tuple(systems)))
    views.sort(key=lambda v: str(v.info.get("started_utc", "")), reverse=True)
    return views[:limit]
