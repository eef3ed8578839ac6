"""Fit the "not stated" decision (retrieval/answer/answerability.py) on labelled questions.

Every question (or each part of a question with several) of the fitting sets is searched and
scored as the extractive answerer does; its signals and its label (answerable or not) make one
example. A logistic model over the standardised signals is cross-validated (5 folds; a near-miss
question and its twin always in the same fold), the threshold is the one that catches the most
unanswerable examples while refusing at most 5% of the answerable ones in cross-validation, and
the model fitted on every example is written with that threshold and the cross-validated figures.

Usage: .venv/bin/python scripts/fit_answerability.py [--corpus DIR] [--out FILE] [SET.yaml ...]
(default sets: ../shared/eval/dev_questions.yaml and eval/near_miss_tune.yaml; never the held-out
eval/near_miss_test.yaml or eval/questions.yaml).

With ``--leave-one-set-out SET.yaml ...`` (three sets or more) it writes nothing and judges the
signals instead: for each set, a model fitted on the others (its threshold cross-validated on
them) decides that set's questions, beside the shipped model; sets written by other hands at
other times are the nearest thing to questions nobody has seen. The worn blind sets
(``WORN``: read and worked on since they were reported) may be used so; the sets still reported
may not.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from brief.service import BriefingService  # noqa: E402
from core.models import Filters, Passage  # noqa: E402
from core.settings import load_settings  # noqa: E402
from eval.questions import load_questions  # noqa: E402
from ingest.pipeline import ingest_paths  # noqa: E402
from retrieval.answer.answerability import (  # noqa: E402
    FEATURES,
    MODEL_FILE,
    AnswerabilityModel,
    fit_signed,
)
from retrieval.answer.extractive import UNKNOWN_TERM_PENALTY  # noqa: E402
from retrieval.answer.names import unknown_subject  # noqa: E402
from retrieval.answer.quoting import interleaved  # noqa: E402
from retrieval.search.plan import QueryPlan, plan_query  # noqa: E402
from retrieval.store.index import open_index  # noqa: E402

DEFAULT_SETS = [
    ROOT.parent / "shared" / "eval" / "dev_questions.yaml",
    ROOT / "eval" / "near_miss_tune.yaml",
]
HELD_OUT = {
    "near_miss_test.yaml",
    "near_miss2.yaml",
    "questions.yaml",
    "questions_ko.yaml",
    "fresh_en.yaml",
    "fresh_ko.yaml",
    "fresh2_en.yaml",
    "fresh2_ko.yaml",
    "fresh3_en.yaml",
    "fresh3_ko.yaml",
    "fresh4_en.yaml",
    "fresh4_ko.yaml",
    "near_miss3.yaml",
    "near_miss4.yaml",
    "fresh5_en.yaml",
    "fresh5_ko.yaml",
    "fresh6_en.yaml",
    "fresh6_ko.yaml",
    "near_miss5.yaml",
    "fresh7_en.yaml",
    "fresh7_ko.yaml",
    "near_miss6.yaml",
    "near_miss7.yaml",
    "near_miss8.yaml",
    "near_miss9.yaml",
    "near_miss10.yaml",
    "near_miss11.yaml",
    "near_miss12.yaml",
    "near_miss13.yaml",
    "near_miss14.yaml",
    "near_miss15.yaml",
    "near_miss16.yaml",
    "fresh8_en.yaml",
    "near_miss17.yaml",
    "fresh9_en.yaml",
    "near_miss18.yaml",
    "fresh10_en.yaml",
    "near_miss19.yaml",
    "near_miss20.yaml",
    "fresh11_en.yaml",
    "near_miss21.yaml",
    "fresh12_en.yaml",
    "near_miss22.yaml",
    "fresh13_en.yaml",
    "near_miss23.yaml",
    "fresh14_en.yaml",
    "near_miss24.yaml",
    "fresh15_en.yaml",
}
# Blind sets since read and worked on: development data now, never fitted on for the shipped
# model, but a candidate signal may be judged on them leave one set out.
WORN = {f"near_miss{n}.yaml" for n in range(2, 11)} | {f"fresh{n}_en.yaml" for n in range(2, 13)}
MAX_FALSE_REFUSALS = 0.05
FOLDS = 5
L2 = 1.0
FLOOR_PERCENTILE = 1.0


def examples(
    service: BriefingService, sets: list[Path]
) -> tuple[np.ndarray, np.ndarray, list[str], list[str], list[str], np.ndarray]:
    """Signals, labels, group keys, example names and set names of every question (or part),
    and whether its subject is mostly names no statement holds (``names.unknown_subject``: not
    stated whatever the model says).

    A question with labelled parts that the answerer splits into as many parts is scored part
    by part as it answers them (``QuotingAnswerer.part_plans``: a part that points back at the
    first is searched with its topic, from its own passages and the whole question's); labelled
    parts it does not split so are scored each alone.
    """
    rows, labels, groups, names, origins, unknown = [], [], [], [], [], []
    for path in sets:
        for q in load_questions(path):
            whole = service.plan(q.question, q.history)  # as the service plans it
            scored: list[tuple[QueryPlan, list[Passage], bool]] = []
            if len(q.parts) >= 2 and whole.asks_several and len(whole.parts) == len(q.parts):
                found = service.searcher.search(whole, Filters())
                for (_, sub), labelled in zip(
                    service.quoting.part_plans(whole), q.parts, strict=True
                ):
                    pool = interleaved(found, service.searcher.search(sub, Filters()))
                    scored.append((sub, pool, labelled.answerable))
            elif len(q.parts) >= 2:
                for labelled in q.parts:
                    sub = plan_query(labelled.ask)
                    scored.append(
                        (sub, service.searcher.search(sub, Filters()), labelled.answerable)
                    )
            else:
                passages = service.searcher.search(whole, Filters())
                scored.append((whole, passages, q.answerable))
            for i, (plan, passages, answerable) in enumerate(scored):
                assessment = service.extractive.assess(plan, passages)
                signals = assessment.signals
                rows.append([signals[f] for f in FEATURES])
                subject = service.extractive.topics(plan)[0]
                unknown.append(unknown_subject(assessment.missing, subject))
                labels.append(1.0 if answerable else 0.0)
                groups.append(min(q.id, q.twin) if q.twin else q.id)
                names.append(f"{q.id}.{i}" if len(scored) > 1 else q.id)
                origins.append(path.name)
    return np.array(rows), np.array(labels), groups, names, origins, np.array(unknown, dtype=bool)


def standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    return mean, scale


def cross_validated(x: np.ndarray, y: np.ndarray, groups: list[str]) -> np.ndarray:
    """Each example's probability from a model fitted without its fold."""
    fold = np.array([zlib.crc32(g.encode()) % FOLDS for g in groups])
    out = np.zeros(len(y))
    for k in range(FOLDS):
        train, test = fold != k, fold == k
        mean, scale = standardise(x[train])
        w, b = fit_signed((x[train] - mean) / scale, y[train], FEATURES, L2)
        out[test] = 1 / (1 + np.exp(-(((x[test] - mean) / scale) @ w + b)))
    return out


def choose_threshold(p: np.ndarray, y: np.ndarray, floored: np.ndarray) -> float:
    """The highest threshold whose false refusals (the floor's included) stay within the limit."""
    best = 0.0
    for t in np.unique(np.concatenate([[0.0], p])):
        refused = floored | (p < t)
        false_refusals = float(refused[y == 1].mean()) if (y == 1).any() else 0.0
        if false_refusals <= MAX_FALSE_REFUSALS:
            best = float(t)
    return best


def rates(refused: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Recall and precision of "not stated", and false refusals."""
    caught = refused[y == 0]
    precision = float((y[refused] == 0).mean()) if refused.any() else 1.0
    return {
        "not_stated_recall": float(caught.mean()) if len(caught) else 0.0,
        "not_stated_precision": precision,
        "false_refusals": float(refused[y == 1].mean()) if (y == 1).any() else 0.0,
    }


def interval(refused: np.ndarray, y: np.ndarray, key: str, seed: int = 15) -> list[float]:
    """95% bootstrap interval of one rate (1,000 resamples)."""
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(1000):
        i = rng.integers(0, len(y), len(y))
        values.append(rates(refused[i], y[i])[key])
    return [
        round(float(np.percentile(values, 2.5)), 3),
        round(float(np.percentile(values, 97.5)), 3),
    ]


def leave_one_set_out(
    x: np.ndarray, y: np.ndarray, groups: list[str], origins: list[str], floored: np.ndarray
) -> dict[str, np.ndarray]:
    """Each example's decision (refused or not) by a model fitted on the other sets, its
    threshold cross-validated on them; per set held out."""
    names = np.array(origins)
    out = {}
    for held in sorted(set(origins)):
        test, train = names == held, names != held
        kept = [g for g, t in zip(groups, train, strict=True) if t]
        p_train = cross_validated(x[train], y[train], kept)
        threshold = choose_threshold(p_train, y[train], floored[train])
        mean, scale = standardise(x[train])
        w, b = fit_signed((x[train] - mean) / scale, y[train], FEATURES, L2)
        p = 1 / (1 + np.exp(-(((x[test] - mean) / scale) @ w + b)))
        out[held] = floored[test] | (p < threshold)
    return out


def judge(
    x: np.ndarray,
    y: np.ndarray,
    groups: list[str],
    origins: list[str],
    floored: np.ndarray,
    shipped: AnswerabilityModel | None,
) -> None:
    """Print, per set held out, what a model fitted on the others catches and wrongly refuses,
    beside the shipped model (on sets it was not fitted on, the totals)."""
    names = np.array(origins)
    fitted_on = set(shipped.report.get("sets", [])) if shipped else set()
    decided: dict[str, list[np.ndarray]] = {"refit": [], "shipped": []}
    truths = []
    for held, refused in leave_one_set_out(x, y, groups, origins, floored).items():
        mask = names == held
        runs = {"refit": refused}
        if shipped is not None:
            found = [dict(zip(FEATURES, row, strict=True)) for row in x[mask]]
            runs["shipped"] = np.array([not shipped.answers(f) for f in found])
        print(f"{held:24s} " + "   ".join(f"{k}: {_tally(r, y[mask])}" for k, r in runs.items()))
        if held not in fitted_on:
            truths.append(y[mask])
            for k, r in runs.items():
                decided[k].append(r)
    for k, refused_all in decided.items():
        if refused_all:
            truth, refused = np.concatenate(truths), np.concatenate(refused_all)
            rate = rates(refused, truth)
            print(
                f"{k} (sets the shipped model was not fitted on): {_tally(refused, truth)}; "
                f"not-stated recall {rate['not_stated_recall']:.3f}, "
                f"false refusals {rate['false_refusals']:.3f}"
            )


def _tally(refused: np.ndarray, truth: np.ndarray) -> str:
    caught, unanswerable = int(refused[truth == 0].sum()), int((truth == 0).sum())
    wrong, answerable = int(refused[truth == 1].sum()), int((truth == 1).sum())
    return f"{caught}/{unanswerable} caught, {wrong}/{answerable} refused"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, default=DEFAULT_SETS)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    parser.add_argument(
        "--leave-one-set-out",
        action="store_true",
        help="judge the signals set by set (three sets or more); write nothing",
    )
    args = parser.parse_args()
    loso = args.leave_one_set_out
    if any(p.name in HELD_OUT - (WORN if loso else set()) for p in args.sets):
        sys.exit("held-out sets are never used for fitting")
    if loso and len(set(args.sets)) < 3:
        sys.exit("--leave-one-set-out needs three sets or more")
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=Path(tmp))
        with open_index(settings) as index:
            ingest_paths(index, [args.corpus])
            service = BriefingService(index)
            model_name = index.model_name
            x, y, groups, _names, origins, unknown = examples(service, args.sets)
            old = x[:, FEATURES.index("strength")] < (
                settings.refusal_threshold
                + UNKNOWN_TERM_PENALTY * x[:, FEATURES.index("missing_names")]
            )
    # Below the floor the evidence is weaker than 99% of the answers fitted on: the model has
    # seen nothing there (no question far from every statement) and is not asked.
    strength = x[:, FEATURES.index("strength")]
    floor = float(np.percentile(strength[y == 1], FLOOR_PERCENTILE))
    # A question naming what no statement holds keeps the evidence threshold, raised per name;
    # one about little else is not stated at all.
    named = x[:, FEATURES.index("missing_names")]
    floored = (
        (strength < floor)
        | ((named > 0) & (strength < settings.refusal_threshold + UNKNOWN_TERM_PENALTY * named))
        | unknown
    )
    if loso:
        judge(x, y, groups, origins, floored, AnswerabilityModel.load(args.out))
        return
    p = cross_validated(x, y, groups)
    threshold = choose_threshold(p, y, floored)
    refused = floored | (p < threshold)
    cv = rates(refused, y)
    report = {
        "embedding_model": model_name,
        "examples": len(y),
        "unanswerable": int((y == 0).sum()),
        "sets": [p.name for p in args.sets],
        "cross_validated": {k: round(v, 3) for k, v in cv.items()},
        "intervals_95": {k: interval(refused, y, k) for k in cv},
        "old_rule": {k: round(v, 3) for k, v in rates(old, y).items()},
    }
    mean, scale = standardise(x)
    w, b = fit_signed((x - mean) / scale, y, FEATURES, L2)
    model = AnswerabilityModel(
        FEATURES,
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        tuple(float(v) for v in w),
        b,
        threshold,
        floor,
        report,
    )
    args.out.write_text(model.to_json(), encoding="utf-8")
    sets = ", ".join(p.name for p in args.sets)
    print(f"{len(y)} examples ({report['unanswerable']} unanswerable) from {sets}")
    print(
        "weights (standardised):",
        ", ".join(f"{f} {v:+.2f}" for f, v in zip(FEATURES, w, strict=True)),
    )
    print(f"floor {floor:.3f}, threshold {threshold:.3f}")
    print(f"cross-validated: {report['cross_validated']}")
    print(f"95% intervals: {report['intervals_95']}")
    print(f"the old rule (one threshold on the evidence score): {report['old_rule']}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
