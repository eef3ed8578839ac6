"""The Korean-English glossary of domain terms, kept as data.

``glossary_ko.yaml`` beside this module maps what a Korean question calls a statement, a
body, a person, a place or a policy term (핵협의그룹, 확장억제, 싱가포르 공동성명,
이재명) to the English the corpus uses (Nuclear Consultative Group / NCG, extended
deterrence, Singapore Joint Statement, Lee Jae Myung). ``load_glossary`` reads it, and any
further files of the same form an office keeps (``extra_paths``), into a ``Glossary``: a
read-only mapping from each Korean form to its entry. Forms are compared without spaces, middle
dots, hyphens and quote marks (핵 협의 그룹 = 핵협의그룹, 한·미 = 한미) and case-folded.
A malformed entry, or a Korean form given two different English lists, is an error that names
the file, the line and the entry.

Nothing reads the glossary yet: retrieval and filters will (issue 18, item 2).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast, get_args

import yaml

from core.errors import BriefError

Kind = Literal["country", "place", "person", "body", "document", "event", "term", "word"]
KINDS: tuple[str, ...] = get_args(Kind)
DEFAULT_PATH = Path(__file__).with_name("glossary_ko.yaml")

_TOP_KEYS = {"source", "entries"}
_ENTRY_KEYS = {"korean", "english", "kind", "note"}
_SEPARATORS = re.compile(r"[\s·ㆍ‧・\-‐‑–—_/\"'“”‘’「」『』]+")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
# A one-syllable form (북) counts only as a word of its own: bare or with one of these particles.
_PARTICLES = (
    *("", "은", "는", "이", "가", "을", "를", "의", "에", "과", "와", "도", "만", "측"),
    *("에서", "에게", "으로", "로", "과의", "와의", "에도", "이나", "나"),
)
_PUNCTUATION = "()[]{}<>.,;:!?~…"


class GlossaryError(BriefError, ValueError):
    """A glossary file cannot be read, or holds a malformed or contradicting entry."""


@dataclass(frozen=True)
class GlossaryEntry:
    """One term: its Korean forms, the English forms the corpus uses, what it names."""

    korean: tuple[str, ...]
    english: tuple[str, ...]
    kind: Kind = "term"
    note: str = ""
    where: str = ""  # "file:line", for messages


def normalize(term: str) -> str:
    """The form a term is compared in: NFC, case-folded, without spaces, dots, hyphens and
    quote marks."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFC", term)).casefold()


def _flatten(text: str) -> tuple[str, list[bool]]:
    """``normalize(text)``, and for each of its characters whether it starts a word (it follows
    the start, a separator or a character that is neither a letter nor a digit)."""
    chars: list[str] = []
    starts: list[bool] = []
    boundary = True
    for char in unicodedata.normalize("NFC", text):
        if _SEPARATORS.fullmatch(char):
            boundary = True
            continue
        for i, folded in enumerate(char.casefold()):
            chars.append(folded)
            starts.append(boundary and i == 0)
        boundary = not char.isalnum()
    return "".join(chars), starts


class Glossary(Mapping[str, GlossaryEntry]):
    """Korean form -> entry. Any spelling that normalizes to a listed form finds the entry."""

    def __init__(self, entries: Iterable[GlossaryEntry], sources: Iterable[str] = ()) -> None:
        self.entries: tuple[GlossaryEntry, ...] = tuple(entries)
        self.sources: tuple[str, ...] = tuple(sources)
        self._by_form: dict[str, GlossaryEntry] = {}
        for entry in self.entries:
            for form in entry.korean:
                self._by_form.setdefault(normalize(form), entry)
        # Longest first, so that 캠프 데이비드 원칙 is found before 캠프 데이비드.
        self._long = sorted((f for f in self._by_form if len(f) > 1), key=len, reverse=True)
        self._short = {f for f in self._by_form if len(f) == 1}

    def __getitem__(self, term: str) -> GlossaryEntry:
        return self._by_form[normalize(term)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_form)

    def __len__(self) -> int:
        return len(self._by_form)

    def english(self, term: str) -> tuple[str, ...]:
        """The English forms of a Korean term (KeyError when it is not in the glossary)."""
        return self[term].english

    def find(self, text: str) -> list[GlossaryEntry]:
        """The entries whose Korean forms occur in ``text``, each once, in order of first
        occurrence. A form must start a word (얼마나 사기로 holds no 나사) and may run over spaces
        and take particles (핵 협의 그룹은); where two forms overlap the longer one wins. A
        one-syllable form counts only as a whole word, bare or with a particle (북, 북의)."""
        flat, starts = _flatten(text)
        taken = [False] * len(flat)
        hits: list[tuple[int, GlossaryEntry]] = []
        for form in self._long:
            start = flat.find(form)
            while start != -1:
                end = start + len(form)
                if not starts[start] or any(taken[start:end]):
                    start = flat.find(form, start + 1)
                    continue
                taken[start:end] = [True] * len(form)
                hits.append((start, self._by_form[form]))
                start = flat.find(form, end)
        for at, char in enumerate(flat):
            if char in self._short and starts[at] and not taken[at]:
                end = next((i for i in range(at + 1, len(flat)) if starts[i]), len(flat))
                if flat[at + 1 : end].rstrip(_PUNCTUATION) in _PARTICLES:
                    hits.append((at, self._by_form[char]))
        seen: set[int] = set()
        found = []
        for _, entry in sorted(hits, key=lambda hit: hit[0]):
            if id(entry) not in seen:
                seen.add(id(entry))
                found.append(entry)
        return found


def load_glossary(path: Path = DEFAULT_PATH, extra_paths: Iterable[Path] = ()) -> Glossary:
    """Read the glossary and any office files of the same form, in order. A later file may add
    terms and repeat a term with the same English; a Korean form it gives other English is an
    error, as is any malformed entry."""
    entries: list[GlossaryEntry] = []
    sources: list[str] = []
    owner: dict[str, GlossaryEntry] = {}  # normalized form -> the entry that claimed it
    for file in (path, *extra_paths):
        source, read = _read_file(file)
        sources.append(source)
        for number, entry in read:
            for form in entry.korean:
                key = normalize(form)
                before = owner.get(key)
                if before is None:
                    owner[key] = entry
                elif before is not entry and _english_key(before) != _english_key(entry):
                    raise GlossaryError(
                        f"{entry.where}: entry {number} ({entry.korean[0]}): the Korean form "
                        f"{form!r} is already in {before.where} with other English "
                        f"({', '.join(before.english)})"
                    )
            entries.append(entry)
    return Glossary(entries, sources)


def _english_key(entry: GlossaryEntry) -> frozenset[str]:
    return frozenset(e.casefold() for e in entry.english)


def _read_file(path: Path) -> tuple[str, list[tuple[int, GlossaryEntry]]]:
    """The file's ``source`` text and its entries, each with its number (from 1)."""
    try:
        text = path.read_text(encoding="utf-8")
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ten times faster
        data = yaml.load(text, Loader=loader)  # a safe loader: plain data only
        root = yaml.compose(text, Loader=loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise GlossaryError(f"{path}: cannot read the glossary: {_one_line(exc)}") from exc
    if not isinstance(data, dict) or not isinstance(root, yaml.MappingNode):
        raise GlossaryError(f"{path}: expected a mapping with 'source' and 'entries'")
    unknown = sorted(str(k) for k in data if k not in _TOP_KEYS)
    if unknown:
        raise GlossaryError(
            f"{path}: unknown key(s) {', '.join(unknown)} (expected source, entries)"
        )
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        raise GlossaryError(f"{path}: 'source' must say where the terms come from")
    raw = data.get("entries")
    if not isinstance(raw, list) or not raw:
        raise GlossaryError(f"{path}: 'entries' must be a non-empty list")
    nodes = next(v for k, v in root.value if k.value == "entries").value
    entries = []
    for number, (item, node) in enumerate(zip(raw, nodes, strict=True), start=1):
        where = f"{path}:{node.start_mark.line + 1}"
        entries.append((number, _entry(item, where, number)))
    return source.strip(), entries


def _entry(item: Any, where: str, number: int) -> GlossaryEntry:
    def fail(message: str) -> GlossaryError:
        first = ""
        if isinstance(item, dict) and isinstance(item.get("korean"), list) and item["korean"]:
            first = f" ({item['korean'][0]})"
        return GlossaryError(f"{where}: entry {number}{first}: {message}")

    if not isinstance(item, dict):
        raise fail("expected a mapping with 'korean' and 'english'")
    unknown = sorted(str(k) for k in item if k not in _ENTRY_KEYS)
    if unknown:
        raise fail(f"unknown key(s) {', '.join(unknown)} (expected korean, english, kind, note)")
    korean = _forms(item.get("korean"), "korean", fail)
    if not all(_HANGUL.search(form) for form in korean):
        raise fail("every 'korean' form must hold Hangul")
    english = _forms(item.get("english"), "english", fail)
    if any(_HANGUL.search(form) for form in english):
        raise fail("an 'english' form holds Hangul")
    kind = item.get("kind", "term")
    if kind not in KINDS:
        raise fail(f"'kind' must be one of {', '.join(KINDS)}, not {kind!r}")
    note = item.get("note", "")
    if not isinstance(note, str):
        raise fail("'note' must be text")
    return GlossaryEntry(korean, english, cast(Kind, kind), note.strip(), where)


def _forms(value: Any, key: str, fail: Callable[[str], GlossaryError]) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise fail(f"'{key}' must be a non-empty list of text")
    if not all(isinstance(v, str) and v.strip() and normalize(v) for v in value):
        raise fail(f"'{key}' holds an empty form or one that is not text: {value!r}")
    return tuple(" ".join(v.split()) for v in value)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&]{1,9}\b")  # OPCON, NCG, USFK


def acronym_forms(glossary: Mapping[str, GlossaryEntry]) -> dict[str, tuple[str, ...]]:
    """Each acronym the glossary spells out in English (OPCON: wartime operational control):
    an English question may use one the statements never define. Not those the corpus does not
    hold at all (THAAD): their long forms would only read as the common words they are made of."""
    out: dict[str, tuple[str, ...]] = {}
    for entry in glossary.values():
        if entry.note.startswith("Not in the corpus"):
            continue
        longer = [f for f in entry.english if len(f.split()) >= 2]
        for form in entry.english:
            if longer and ACRONYM.fullmatch(form):
                out.setdefault(form, entry.english)
    return out
