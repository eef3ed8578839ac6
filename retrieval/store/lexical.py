"""BM25 over the same chunks as the vector store (bm25s), kept on disk beside it."""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.store.everyday import EVERYDAY

_TOKEN = re.compile(r"[a-z0-9]+(?:[-'’][a-z0-9]+)*")
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    s t say said says did does what's whats also often frequently""".split()
)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def tokenize(text: str, compounds: bool = True) -> list[str]:
    """Lower-cased, stop-word-free, stemmed terms; hyphenated words also give their parts.

    With ``compounds=False`` a hyphenated word gives only its parts: for measuring how much of a
    question a passage covers, where "leader-level" must not count twice (and as a rare term).
    """
    terms: list[str] = []
    for raw in _TOKEN.findall(text.lower().replace("’", "'")):
        raw = raw.split("'")[0]  # possessives: "group's" -> "group"
        parts = raw.split("-")
        words = [raw]
        if len(parts) > 1:
            words = [raw, *parts] if compounds else parts
        for word in words:
            if not word or word in STOPWORDS or (len(word) == 1 and word.isalpha()):
                continue
            terms.append(word if any(ch.isdigit() for ch in word) else _stem(word))
    return terms + hangul_bigrams(text)


@lru_cache(maxsize=256)
def word_terms(words: str) -> frozenset[str]:
    """A fixed list of words as terms (``tokenize`` without compounds), read once: for the word
    lists modules compare against, stemmed at first use rather than at import."""
    return frozenset(tokenize(words, compounds=False))


_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")


def hangul_bigrams(text: str) -> list[str]:
    """Korean words as overlapping pairs of syllables (핵협의그룹 -> 핵협 협의 의그 그룹), the
    usual BM25 tokens for Korean without a morphological analyser: a word matches whatever
    particle follows it. A one-syllable word is its own token."""
    terms: list[str] = []
    for run in _HANGUL_RUN.findall(text):
        terms += [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
    return terms


_WORD = re.compile(r"[^\W\d_]+")
SCRIPT_SAMPLE_WORDS = 200  # words read to find a text's script


def _script(word: str) -> str:
    """Writing system of a word, from its first letter: latin, hangul, cjk, cyrillic, …"""
    ch = word[0]
    if ch < "\u0250":
        return "latin"
    if "\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" or "\u3130" <= ch <= "\u318f":
        return "hangul"
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0].lower() if name else "other"


def scripts(text: str, limit: int = SCRIPT_SAMPLE_WORDS) -> Counter[str]:
    """How many of the text's first ``limit`` words are written in each script."""
    found: Counter[str] = Counter()
    for match in _WORD.finditer(text):
        word = match.group(0)
        if not word[0].isalpha():  # "①" is a word character but no letter
            continue
        found[_script(word)] += 1
        if found.total() >= limit:
            break
    return found


def script_profile(text: str) -> tuple[str, float]:
    """The script most of the text's words are written in, and the share of Latin-script words.

    ``tokenize`` reads Latin letters and digits only, so BM25 and term coverage can weigh only
    that share of a text: a question in Korean reaches the English statements (and Korean ones)
    through the embeddings alone. A text without words counts as Latin (share 1.0).
    """
    found = scripts(text)
    total = found.total()
    if not total:
        return "latin", 1.0
    return found.most_common(1)[0][0], found["latin"] / total


def main_script(text: str) -> str:
    """The script most of the text's words are written in ("latin" when it has no words)."""
    return script_profile(text)[0]


def lexical_share(text: str) -> float:
    """Share of the text's words that BM25 can match: those in Latin script (1.0 in English)."""
    return script_profile(text)[1]


_DEFINITION = re.compile(
    r"((?:[A-Z][\w’'.-]*\s+(?:(?:of|and|for|on|the|to|in|&)\s+)*){1,9}[A-Z][\w’'.-]*)\s+\((?:“|\")?"
    r"([A-Z][A-Za-z0-9&-]{1,11})(?:”|\")?\)"
)


def _initials(word: str) -> str:
    return "".join(c for c in word if c.isupper()) if "." in word else word[0]


def find_acronyms(text: str) -> dict[str, str]:
    """Acronyms defined in a text, e.g. ``Nuclear Consultative Group (NCG)`` -> {ncg: ...}."""
    found: dict[str, str] = {}
    for match in _DEFINITION.finditer(text):
        long_form, short = match.group(1), match.group(2)
        letters = [c for c in short if c.isupper()]
        words = [w for w in re.split(r"[\s-]+", long_form) if w and w[0].isupper()]
        # Keep the shortest tail of capitalised words whose initials spell the acronym (an
        # abbreviation gives its capitals: "U.S. Forces Korea (USFK)").
        for size in range(1, len(words) + 1):
            tail = words[-size:]
            initials = "".join(_initials(w) for w in tail).upper()
            if initials == "".join(letters):
                start = long_form.rfind(tail[0])
                found.setdefault(short.lower(), long_form[start:].strip())
                break
    return found


# "RDP" for "Reciprocal Defense Procurement Agreement": an acronym the statements never define
# nor use may stand for a capitalised name they spell out. Runs of capitalised words (little
# words between) give the initials of each part of 3 to 6 of their words; an initialism two
# names share stands for neither.
_NAME_RUN = re.compile(
    r"(?<![\w’'.-])(?:[A-Z][a-z][\w’'-]* +(?:(?:of|and|for|on|the|to|in) +)*){2,7}"
    r"[A-Z][a-z][\w’'-]*"
)
_LITTLE_WORDS = frozenset("of and for on the to in".split())
INITIALISM_WORDS = (3, 6)


def initialisms(texts: Sequence[str]) -> dict[str, str]:
    """Initialisms of the capitalised names in the texts, e.g. {rdp: Reciprocal Defense
    Procurement} (lower-case keys; one name per initialism, or none)."""
    found: dict[str, set[str]] = {}
    low, high = INITIALISM_WORDS
    for text in texts:
        for run in _NAME_RUN.finditer(text):
            words = run.group(0).split()
            caps = [i for i, w in enumerate(words) if w not in _LITTLE_WORDS]
            for a in range(len(caps)):
                for b in range(a + low - 1, min(len(caps), a + high)):
                    part = words[caps[a] : caps[b] + 1]
                    short = "".join(w[0] for w in part if w not in _LITTLE_WORDS).lower()
                    found.setdefault(short, set()).add(" ".join(part))
    out = {}
    for short, names in found.items():
        forms = {" ".join(w.lower().rstrip("s") for w in name.split()) for name in names}
        if len(forms) == 1:  # "Deal" and "Deals" are one name
            out[short] = min(names, key=len)
    return out


FORMAT_VERSION = "4"  # bump when tokenization or the saved record changes


def ids_signature(ids: Sequence[str]) -> str:
    """Order-independent fingerprint of a set of chunk ids (and of the index format)."""
    digest = hashlib.sha256(FORMAT_VERSION.encode())
    for chunk_id in sorted(ids):
        digest.update(chunk_id.encode())
        digest.update(b"\0")
    return digest.hexdigest()


class LexicalIndex:
    """A BM25 ranking over chunk texts, addressable by chunk id."""

    def __init__(
        self,
        ids: list[str],
        retriever: Any,
        signature: str,
        df: dict[str, int],
        acronyms: dict[str, str] | None = None,
        spelled: dict[str, str] | None = None,
    ) -> None:
        self.ids = ids
        self.signature = signature
        self.df = df
        self.acronyms = acronyms or {}
        self.spelled = spelled or {}  # initialisms of the names the texts spell out
        self._retriever = retriever
        self._position = {cid: i for i, cid in enumerate(ids)}

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> LexicalIndex:
        """Index the texts (already carrying their context headers)."""
        import bm25s

        tokens = [tokenize(t) for t in texts]
        acronyms: dict[str, str] = {}
        for text in texts:
            for short, long_form in find_acronyms(text).items():
                acronyms.setdefault(short, long_form)
        df: dict[str, int] = {}
        for doc in tokens:
            for term in set(doc):
                df[term] = df.get(term, 0) + 1
        spelled = initialisms(texts)
        if not ids:
            return cls([], None, ids_signature([]), df, acronyms, spelled)
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        retriever.index([doc or ["_empty_"] for doc in tokens], show_progress=False)
        return cls(list(ids), retriever, ids_signature(ids), df, acronyms, spelled)

    def with_synonyms(self, terms: set[str]) -> set[str]:
        """Terms plus acronyms whose long form is present, and long forms of present acronyms."""
        out = set(terms)
        for short, long_form in self.acronyms.items():
            long_terms = set(tokenize(long_form))
            if short in terms:
                out |= long_terms
            elif long_terms and long_terms <= terms:
                out.add(short)
        return out

    def expand(self, query: str) -> str:
        """The query with defined acronyms spelled out (and long forms abbreviated); an
        acronym the statements never use, by the name whose initials it is (``initialisms``);
        everyday words with the formal words statements use for them (``everyday.EVERYDAY``)."""
        extra = []
        low = query.lower()
        for word in re.findall(r"[A-Za-z][A-Za-z0-9&-]+", query):
            long_form = self.acronyms.get(word.lower())
            if not long_form and word.isupper() and word.lower() not in self.df:
                long_form = self.spelled.get(word.lower())
            if long_form and word.isupper() and long_form.lower() not in low:
                extra.append(long_form)
        for short, long_form in self.acronyms.items():
            if long_form.lower() in low and not re.search(rf"\b{re.escape(short)}\b", low):
                extra.append(short.upper())
        for pattern, formal in EVERYDAY:
            words = formal.replace("|", " ")
            if pattern.search(query) and words.lower() not in low:
                extra.append(words)
        return query + (" " + " ".join(extra) if extra else "")

    def weight(self, terms: Iterable[str]) -> float:
        """The terms' summed idf, exactly rounded: the same whatever order a set yields them in
        (a plain sum of a set differs in its last bits from run to run, and flips near ties)."""
        return math.fsum(self.idf(t) for t in terms)

    @property
    def counted(self) -> int:
        """How many chunks the term statistics (``df``) count."""
        return len(self.ids)

    def idf(self, term: str) -> float:
        """BM25 inverse document frequency of a stemmed term (unknown terms: the maximum)."""
        n = self.counted
        df = self.df.get(term, 0)
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))

    def search(
        self, query: str, k: int, allowed: set[str] | None = None
    ) -> list[tuple[str, float]]:
        """Top chunk ids with BM25 scores; ``allowed`` restricts the chunk ids."""
        if self._retriever is None or k <= 0:
            return []
        terms = [t for t in tokenize(query) if t in self.df]
        if not terms:
            return []
        mask = None
        if allowed is not None:
            mask = np.zeros(len(self.ids), dtype=np.float32)
            for cid in allowed:
                pos = self._position.get(cid)
                if pos is not None:
                    mask[pos] = 1.0
        scores = self._retriever.get_scores(terms, weight_mask=mask)
        top = (
            np.argpartition(-scores, min(k, len(scores) - 1))[:k]
            if len(scores) > k
            else np.arange(len(scores))
        )
        top = top[np.argsort(-scores[top])]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def save(self, folder: Path) -> None:
        """Write the index atomically (a temp folder renamed into place)."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._retriever is not None:
            self._retriever.save(str(tmp / "bm25"))
        record = {
            "signature": self.signature,
            "ids": self.ids,
            "df": self.df,
            "acronyms": self.acronyms,
            "spelled": self.spelled,
        }
        (tmp / "ids.json").write_text(json.dumps(record))
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """The saved index, or None when absent or unreadable."""
        import bm25s

        try:
            record = json.loads((folder / "ids.json").read_text())
            retriever = (
                bm25s.BM25.load(str(folder / "bm25")) if (folder / "bm25").exists() else None
            )
            return cls(
                list(record["ids"]),
                retriever,
                str(record["signature"]),
                dict(record["df"]),
                dict(record.get("acronyms", {})),
                dict(record.get("spelled", {})),
            )
        except (OSError, ValueError, KeyError):
            return None
