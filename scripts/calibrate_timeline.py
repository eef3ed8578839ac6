"""Calibrate the timeline's relevance threshold; prints precision and recall per threshold.

Topics come from the comparison, latest and multi-document questions of the development set
(``../shared/eval/dev_questions.yaml``): each is the question's subject in a few words, with a
pattern that marks a statement addressing it (written from the corpus text, independently of the
system). A statement is relevant when its text matches the pattern. The threshold is chosen on
these alone; the same is then printed for topics of the project's held-out set
(``eval/questions.yaml``, ``HELD_OUT``), which are never used to choose it.

Usage: ``python scripts/calibrate_timeline.py DATA_DIR [CORPUS]`` (DATA_DIR holds a store of the
corpus). Figures, not assertions.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# (question id, timeline topic, pattern of a statement that addresses the topic)
TOPICS = [
    ("d014", "talks with Pyongyang without preconditions", r"without precondition"),
    ("d015", "Technology Prosperity Deal", r"Technology Prosperity Deal|\bTPD\b"),
    ("d017", "Korean Air Boeing aircraft order", r"Korean Air|Boeing"),
    ("d018", "denuclearization", r"denucleari"),
    ("d019", "extended deterrence", r"extended deterrence|extend deterrence"),
    ("d020", "Taiwan Strait", r"Taiwan"),
    ("d021", "Nuclear Consultative Group", r"Nuclear Consultative Group|\bNCG\b"),
    ("d023", "Trilateral Secretariat", r"Trilateral Secretariat"),
]

# Topics of the held-out project set: reported, never used to choose the threshold.
HELD_OUT = [
    (
        "p032",
        "swift, overwhelming and decisive response to a nuclear attack",
        r"swift, overwhelming,? and decisive",
    ),
    ("p033", "POW/MIA remains", r"POW/MIA|remains of"),
    ("p034", "Korean Positioning System (KPS)", r"\bKPS\b|Korean Positioning System"),
    ("p035", "Artemis", r"Artemis"),
    ("p037", "shipbuilding", r"[Ss]hipbuild"),
    (
        "p038",
        "North Korea-Russia military cooperation",
        r"(DPRK|North Korea)[^.]{0,250}Russia|Russia[^.]{0,250}(DPRK|North Korea)",
    ),
    ("p040", "trilateral finance ministers' meeting", r"[Ff]inance [Mm]inist"),
    ("p041", "audacious initiative", r"[Aa]udacious"),
    ("p042", "abductions, detainees and unrepatriated prisoners of war", r"abduct"),
    ("p047", "wartime operational control transition", r"OPCON|[Oo]perational [Cc]ontrol"),
    ("p048", "Myanmar", r"Myanmar|Burm"),
    (
        "p049",
        "nuclear energy cooperation",
        r"[Nn]uclear [Ee]nergy|civil nuclear|civil(ian)? uranium|nuclear power plant",
    ),
    ("p050", "real-time missile warning data sharing", r"missile warning data|data in real time"),
    (
        "p053",
        "human rights in North Korea",
        r"human rights (situation )?in (the )?(DPRK|North Korea)|North Korean human rights|"
        r"DPRK human rights|human rights[^.]{0,80}(DPRK|North Korea)",
    ),
    ("p055", "U.S. troops in Korea", r"USFK|U\.S\. Forces Korea|troops"),
    ("p056", "uranium enrichment and reprocessing", r"enrichment|reprocessing"),
    ("p057", "Section 232 tariffs", r"Section 232"),
    ("p058", "war in Ukraine", r"Ukrain"),
    (
        "p059",
        "artificial intelligence in the military domain",
        r"military domain|AI[^.]{0,80}(defen|military)",
    ),
    ("p061", "Freedom Edge trilateral exercise", r"Freedom Edge|trilateral exercise"),
    ("p062", "freedom of navigation", r"[Ff]reedoms? of navigation"),
]


Scored = list[tuple[str, str, bool, float]]


def score(topics: list[tuple[str, str, str]], data_dir: Path, corpus: Path) -> Scored:
    """(question id, document, pattern says relevant, best-sentence relevance) for each pair."""
    from core.models import Filters
    from core.settings import load_settings
    from retrieval.answer.timeline import timeline_topic
    from retrieval.answer.topics import TopicScorer
    from retrieval.search.hybrid import HybridSearcher
    from retrieval.store.index import open_index

    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.md"))}
    texts.pop("MANIFEST.md", None)
    scored: Scored = []
    with open_index(load_settings(data_dir=data_dir)) as index:
        scorer = TopicScorer(HybridSearcher(index))
        for qid, topic, pattern in topics:
            found = scorer.evidence(timeline_topic(topic), Filters())
            for doc, text in texts.items():
                e = found.by_doc.get(doc)
                scored.append((qid, doc, bool(re.search(pattern, text)), e.relevance if e else 0.0))
    return scored


def table(name: str, scored: Scored) -> None:
    """Precision and recall at each threshold."""
    print(f"{name}\nthreshold  precision  recall  entries  (tp fp fn)")
    for step in range(45, 66):
        tau = step / 100
        tp = sum(1 for *_, label, s in scored if label and s >= tau)
        fp = sum(1 for *_, label, s in scored if not label and s >= tau)
        fn = sum(1 for *_, label, s in scored if label and s < tau)
        precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
        print(f"{tau:9.2f}  {precision:9.3f}  {recall:6.3f}  {tp + fp:7d}  ({tp} {fp} {fn})")


def main() -> None:
    from retrieval.answer.topics import RELEVANCE_THRESHOLD

    data_dir = Path(sys.argv[1])
    corpus = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("../shared/corpus")
    dev = score(TOPICS, data_dir, corpus)
    table("development topics (the threshold is chosen here)", dev)
    held_out = score(HELD_OUT, data_dir, corpus)
    table("\nheld-out topics (reported only)", held_out)
    print(f"\nmisjudged at {RELEVANCE_THRESHOLD}:")
    for qid, doc, label, s in dev + held_out:
        if label != (s >= RELEVANCE_THRESHOLD):
            print(f"  {'missed' if label else 'extra '} {qid} {doc} ({s:.3f})")


if __name__ == "__main__":
    main()
