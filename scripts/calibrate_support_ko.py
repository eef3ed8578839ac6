"""Calibration: the cross-language support check on eval/support_ko.yaml.

For every Korean sentence of the labelled set, against its English source sentence (in its
document, with its header): what the rules say (figures, names, negation), e5's cosine ("query:"
on both sides, and the other prefix pairs for comparison) and the share of the sentence the
glossary reads in the source. Prints the distributions by label, then precision and recall of the
whole check for thresholds around ``CROSS_SUPPORT_COS`` and for a few reading weights.
Usage: .venv/bin/python scripts/calibrate_support_ko.py   (needs ../shared/corpus)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from core.models import Chunk, Passage
from ingest.loaders import FoundFile, load_file
from retrieval.answer.crosslingual import CROSS_SUPPORT_COS, READING_WEIGHT, CrossLingualCheck
from retrieval.answer.support import Claim
from retrieval.store.embeddings import E5Embeddings

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpus"


def main() -> None:
    """Print the figures behind the threshold."""
    e5 = E5Embeddings()
    rules_only = CrossLingualCheck(e5, 0.5, attribute=False, support_cos=-10.0)
    rows: list[tuple[str, bool, dict[str, float], float]] = []
    for item in yaml.safe_load((ROOT / "eval" / "support_ko.yaml").read_text(encoding="utf-8")):
        doc = load_file(FoundFile(path=CORPUS / item["doc"], doc_id=item["doc"]))
        at = doc.text.find(item["en"])
        chunk = Chunk(
            doc_id=item["doc"], text=item["en"], start=at, end=at + len(item["en"]), meta=doc.meta
        )
        cited = (
            f"{chunk.context_header()} {doc.meta.issuer} {doc.meta.date.isoformat()} {chunk.text}"
        )
        labelled = [(s, "supported") for s in item["supported"]]
        labelled += [(u["ko"], u["kind"]) for u in item["unsupported"]]
        korean = [ko for ko, _ in labelled]
        verdicts = rules_only(
            [Claim(f"{ko} [1]", (1,)) for ko in korean],
            {1: Passage(chunk=chunk, rank=1, score=1.0)},
        )
        vectors = {
            "query/query": (e5.embed_queries(korean), e5.embed_queries([item["en"]])[0]),
            "passage/passage": (e5.embed_array(korean), e5.embed_array([item["en"]])[0]),
            "query/passage": (e5.embed_queries(korean), e5.embed_array([item["en"]])[0]),
        }
        for i, ((ko, kind), verdict) in enumerate(zip(labelled, verdicts, strict=True)):
            cosines = {name: float(ks[i] @ en) for name, (ks, en) in vectors.items()}
            rows.append((kind, verdict.supported, cosines, rules_only.read_share(ko, cited)))
    kinds = sorted({kind for kind, *_ in rows})
    print(f"{len(rows)} pairs: " + ", ".join(f"{k} {sum(r[0] == k for r in rows)}" for k in kinds))
    for name in ("query/query", "passage/passage", "query/passage"):
        print(f"\ncosine, {name}:")
        for kind in kinds:
            values = np.array([c[name] for k, _, c, _ in rows if k == kind])
            print(
                f"  {kind:9s} min {values.min():.3f} median {np.median(values):.3f} "
                f"max {values.max():.3f}"
            )
    print(
        "\nscore = cosine (query/query) + weight * reading share, for the sentences the rules pass:"
    )
    for weight in sorted({0.0, 0.05, READING_WEIGHT, 0.1}):
        supported = [c["query/query"] + weight * read for k, _, c, read in rows if k == "supported"]
        others = [
            c["query/query"] + weight * read
            for k, ok, c, read in rows
            if ok and k not in ("supported", "party")
        ]
        print(
            f"  weight {weight:.3f}: supported from {min(supported):.4f}, "
            f"others up to {max(others):.4f}"
        )
    positives = sum(1 for k, *_ in rows if k == "supported")
    print(f"\nthe whole check at weight {READING_WEIGHT}:")
    for shift in (-0.01, -0.005, 0.0, 0.005, 0.01):
        threshold = CROSS_SUPPORT_COS + shift
        kept = [
            k
            for k, ok, c, read in rows
            if ok and c["query/query"] + READING_WEIGHT * read >= threshold
        ]
        tp = kept.count("supported")
        wrong = ", ".join(k for k in kept if k != "supported") or "none"
        print(
            f"  threshold {threshold:.4f}: precision {tp / max(1, len(kept)):.3f} "
            f"recall {tp / positives:.3f} (unsupported let through: {wrong})"
        )


if __name__ == "__main__":
    main()
