"""``report.md`` and PNG charts of a run folder: systems side by side, with bootstrap CIs."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.questions import Question
from eval.runner import HEADLINES, PROXY_NOTE
from eval.runs import SystemRun, sibling_runs

REPORT_FILE = "report.md"
CATEGORY_CHARTS = (
    ("key_fact_recall", "key-fact recall", "category_key_fact_recall.png"),
    ("hit@5", "retrieval hit@5", "category_hit5.png"),
)
TREND_FILE = "trend.png"
TREND_KEYS = (
    "hit@5",
    "mrr@5",
    "key_fact_recall",
    "citation_validity",
    "citation_recall_proxy",
    "refusal_recall",
    "false_refusal_rate",
)
ANSWER_CHARS = 240


def _cell(value: float, ci: Sequence[float] | None) -> str:
    if ci is None or len(ci) != 2:
        return f"{value:.2f}"
    return f"{value:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"


def _one_line(text: str, limit: int = ANSWER_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def headline_table(systems: Sequence[SystemRun]) -> str:
    """Headline figures per system, side by side, each with its 95% bootstrap interval."""
    head = "| figure | " + " | ".join(s.name for s in systems) + " |"
    lines = [head, "|---|" + "---|" * len(systems)]
    for h in HEADLINES:
        cells = []
        for s in systems:
            overall = s.scores.get("overall", {})
            if h.key not in overall:
                cells.append("–")
                continue
            cells.append(_cell(float(overall[h.key]), s.scores.get("ci", {}).get(h.key)))
        arrow = "↑" if h.higher_is_better else "↓"
        lines.append(f"| {h.label} {arrow} | " + " | ".join(cells) + " |")
    overalls = [s.scores.get("overall", {}) for s in systems]
    extra = {
        "answer words (median)": [f"{o.get('answer_words_median', 0):.0f}" for o in overalls],
        "latency p50 / p95 (s)": [
            f"{o.get('latency_p50_s', 0):.3f} / {o.get('latency_p95_s', 0):.3f}" for o in overalls
        ],
        "questions": [str(o.get("questions", 0)) for o in overalls],
    }
    for label, cells in extra.items():
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def category_table(system: SystemRun) -> str:
    """One system's figures by question category."""
    answerable = {r["category"] for r in system.rows if r["answerable"]}
    unanswerable = {r["category"] for r in system.rows if not r["answerable"]}
    cols = (
        ("hit@5", True),
        ("mrr@5", True),
        ("key_fact_recall", True),
        ("citation_recall_proxy", None),
        ("citation_precision_proxy", None),
        ("false_refusal_rate", True),
        ("refusal_recall", False),
    )
    labels = {h.key: h.label for h in HEADLINES}
    lines = [
        "| category | questions | " + " | ".join(labels[k] for k, _ in cols) + " |",
        "|---|---:|" + "---:|" * len(cols),
    ]
    for cat, block in system.scores.get("by_category", {}).items():
        cells = []
        for key, needs_answerable in cols:
            applies = (
                True
                if needs_answerable is None
                else (cat in answerable if needs_answerable else cat in unanswerable)
            )
            cells.append(f"{block[key]:.2f}" if applies and key in block else "–")
        lines.append(f"| {cat} | {block['questions']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def failed_questions(
    system: SystemRun, questions: Sequence[Question] | None = None
) -> list[dict[str, Any]]:
    """Questions the system got wrong: answerable with key-fact recall < 1 or hit@5 = 0, refused
    when answerable, or answered when unanswerable; each with why and its answer."""
    texts = {q.id: q.question for q in questions or ()}
    out = []
    for row in system.rows:
        why = []
        if row["answerable"]:
            if row["refused"]:
                why.append("wrongly refused")
            if row.get("hit5", 0.0) == 0.0:
                why.append("hit@5 0")
            if row.get("key_facts", 0.0) < 1.0:
                why.append(f"key facts {row.get('key_facts', 0.0):.2f}")
        elif not row["refused"]:
            why.append("answered but unanswerable")
        if why:
            record = system.records.get(row["id"], {})
            out.append(
                {
                    "id": row["id"],
                    "category": row["category"],
                    "question": texts.get(row["id"], ""),
                    "why": why,
                    "answer": str(record.get("answer", "")),
                }
            )
    return out


def failed_list(failed: Sequence[dict[str, Any]]) -> str:
    """The failed questions as a Markdown list, answers truncated to one line."""
    if not failed:
        return "None."
    lines = []
    for f in failed:
        question = f" {_one_line(f['question'], 160)}" if f["question"] else ""
        answer = (_one_line(f["answer"]) or "(empty)").replace("`", "'")
        lines.append(
            f"- `{f['id']}` ({f['category']}; {', '.join(f['why'])}):{question}\n  → {answer}"
        )
    return "\n".join(lines)


def build_report(
    run_name: str,
    systems: Sequence[SystemRun],
    info: dict[str, Any],
    charts: Sequence[tuple[str, str]],
    questions: Sequence[Question] | None = None,
    trend_note: str = "",
) -> str:
    """The Markdown report of a run."""
    pipeline = next((s for s in systems if s.name == "pipeline"), systems[0] if systems else None)
    parts = [f"# Evaluation run `{run_name}`", ""]
    facts = []
    if info.get("questions_file"):
        facts.append(f"question set `{info['questions_file']}`")
    if info.get("corpus"):
        facts.append(f"corpus `{info['corpus']}`")
    if info.get("config_sha"):
        facts.append(f"config `{info['config_sha']}`")
    if info.get("updated_utc"):
        facts.append(f"updated {info['updated_utc']}")
    if facts:
        parts += ["; ".join(facts) + ".", ""]
    parts += [
        "## Headline figures",
        "",
        "Value [95% CI]: percentile bootstrap over the questions each figure is defined on "
        "(1,000 resamples, fixed seed). ↑ higher is better, ↓ lower is better.",
        "",
        headline_table(systems),
        "",
        f"Note: {PROXY_NOTE}; an answer with citations but no `[n]` markers (the baselines' "
        "top passage) counts as one statement citing them all.",
        "",
    ]
    if pipeline is not None:
        parts += [f"## {pipeline.name} by category", "", category_table(pipeline), ""]
    if charts or trend_note:
        parts += ["## Charts", ""]
        parts += [f"![{title}]({file})" for title, file in charts]
        if trend_note:
            parts += ["", trend_note]
        parts += [""]
    if pipeline is not None:
        failed = failed_questions(pipeline, questions)
        parts += [
            f"## Failed questions of the {pipeline.name} ({len(failed)})",
            "",
            "Answerable with key-fact recall < 1 or hit@5 = 0, wrongly refused, or answered "
            "though unanswerable. Answers are cut to one line.",
            "",
            failed_list(failed),
            "",
        ]
    return "\n".join(parts)


# ---------------------------------------------------------------- charts


NO_CHARTS_NOTE = (
    "No charts: matplotlib is not installed (it comes with the `eval` extra: "
    "`pip install -e '.[eval]'`, or `make eval`)."
)


def charts_available() -> bool:
    """Whether matplotlib, which draws the charts (the ``eval`` extra), is installed."""
    return importlib.util.find_spec("matplotlib") is not None


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def category_chart(systems: Sequence[SystemRun], key: str, label: str, path: Path) -> bool:
    """Grouped bars of one figure per answerable category, one bar per system."""
    cats = sorted({r["category"] for s in systems for r in s.rows if r["answerable"]})
    if not cats or not systems:
        return False
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(max(6.0, 1.4 * len(cats) + 2), 4.0))
    width = 0.8 / len(systems)
    for i, s in enumerate(systems):
        by_cat = s.scores.get("by_category", {})
        values = [float(by_cat.get(c, {}).get(key, 0.0)) for c in cats]
        xs = [j + (i - (len(systems) - 1) / 2) * width for j in range(len(cats))]
        bars = ax.bar(xs, values, width=width, label=s.name)
        ax.bar_label(bars, fmt="%.2f", fontsize=7, padding=1)
    counts = {c: sum(r["category"] == c and r["answerable"] for r in systems[0].rows) for c in cats}
    ax.set_xticks(range(len(cats)), [f"{c}\n(n={counts[c]})" for c in cats])
    ax.set_ylim(0, 1.25)
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_ylabel(label)
    ax.set_title(f"{label} by category")
    ax.legend(loc="upper center", ncols=len(systems), fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def trend_chart(points: Sequence[tuple[str, SystemRun]], path: Path) -> bool:
    """Headline figures of the pipeline run over run (needs two runs at least)."""
    if len(points) < 2:
        return False
    plt = _pyplot()
    labels = {h.key: h.label for h in HEADLINES}
    fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(points) + 3), 4.5))
    xs = list(range(len(points)))
    for key in TREND_KEYS:
        values = [float(s.scores.get("overall", {}).get(key, float("nan"))) for _, s in points]
        ax.plot(xs, values, marker="o", label=labels[key])
    ax.set_xticks(xs, [name[:28] for name, _ in points], rotation=30, ha="right", fontsize=7)
    ax.set_ylim(0, 1.05)
    ax.set_title("pipeline, run over run")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def write_report(
    run_dir: Path,
    systems: Sequence[SystemRun],
    info: dict[str, Any],
    questions: Sequence[Question] | None = None,
) -> Path:
    """Write ``report.md`` and the charts at the top of the run folder; return the report.

    Without matplotlib (the ``eval`` extra), the report says so in place of its charts.
    """
    charts, note = ([], NO_CHARTS_NOTE) if not charts_available() else _charts(run_dir, systems)
    text = build_report(run_dir.name, systems, info, charts, questions, note)
    path = run_dir / REPORT_FILE
    path.write_text(text, encoding="utf-8")
    return path


def _charts(run_dir: Path, systems: Sequence[SystemRun]) -> tuple[list[tuple[str, str]], str]:
    """Draw the charts: (title, file) of each, and the note on the trend."""
    charts = []
    for key, label, file in CATEGORY_CHARTS:
        if category_chart(systems, key, label, run_dir / file):
            charts.append((f"{label} by category", file))
    pipeline = next((s for s in systems if s.name == "pipeline"), None)
    trend_note = ""
    if pipeline is not None:
        points = sibling_runs(run_dir, pipeline.question_ids)
        if trend_chart(points, run_dir / TREND_FILE):
            charts.append(("pipeline run over run", TREND_FILE))
            trend_note = (
                f"Trend over {len(points)} runs of the same question set in "
                f"`{run_dir.resolve().parent}`, oldest first."
            )
        else:
            (run_dir / TREND_FILE).unlink(missing_ok=True)
            trend_note = (
                "No trend chart: this is the only run of this question set in "
                f"`{run_dir.resolve().parent}`."
            )
    return charts, trend_note
