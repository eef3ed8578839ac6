"""Korean questions read in English: the terms, dates and intents the statements and filters use.

The statements are English; the English embedding model cannot read Hangul and BM25 matches
English words. So a question asked in Korean is given an English reading before it is planned:
the domain terms of a glossary (``glossary_ko.yaml``: 핵협의그룹 -> Nuclear Consultative Group,
NCG), the dates and periods ("2021년 이후" -> "since 2021", "2023년 기준" -> "as of 2023",
"작년" -> last year's number), the intents ("가장 최근" -> latest, "비교" -> compare) and the
question words ("언제" -> when, "몇" -> how many) that the answerer's decisions read. The
question as asked stays what the user sees; quotes stay verbatim in the statement's language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from retrieval.search.glossary import ACRONYM, GlossaryEntry, acronym_forms, load_glossary
from retrieval.search.korean_numbers import read_numbers

HANGUL = re.compile(r"[\uac00-\ud7a3]")
_HOW_MANY_DAYS = re.compile(
    r"며칠\s*(?:이|가|째|동안|만에)|몇\s*(?:일|주|개월|달)\s*(?:이|가|째|동안|만에)"
)
# Words that carry the question's intent or the kind of thing it asks for, in English.
_INTENTS: tuple[tuple[re.Pattern[str], str], ...] = (
    # "A와 B는 각각 어떤 입장을 냈나": what did A and B each say (one answer per
    # statement). Read first: the words after it are taken by the patterns below.
    (
        re.compile(
            r"(?:각각|각자|각기|저마다)(?=\s*(?:뭐라|무엇이라|무어라|어떤\s*입장|어떻게\s*"
            r"(?:평가|말|언급|표현|규정|설명|밝)))"
        ),
        "each say",
    ),
    (re.compile(r"가장\s*최근|최신|최근|마지막|요즘|지금"), "latest"),
    (re.compile(r"비교|차이|달라졌|달라진|달라|바뀌|바뀐|변화|변했|변천|대비"), "compared changed"),
    (
        re.compile(
            r"(?:어떤|어느)\s*(?:성명|문서|문건|담화|것)들|모든\s*(?:성명|문서)|(?:성명|담화)들"
        ),
        "which statements",
    ),
    (re.compile(r"누가|누구|어느\s*(?:기관|단체|인물|관리|장관|정상)"), "who"),
    (_HOW_MANY_DAYS, "how many days"),
    (re.compile(r"언제|며칠|몇\s*월|몇\s*년도|날짜|시기|기한"), "when"),
    # "기구로 꼽은 곳은 어디?": which body (곳 and 어디 stand for an organisation, not a place).
    (re.compile(r"(?:기구|기관|단체|조직|기업|회사)[^?]{0,12}?곳[은는이가]?\s*어디"), "which body"),
    (re.compile(r"어디\s*까지|어디\s*쯤"), "how far along"),  # 어디까지 왔나: a status
    (re.compile(r"어디|어느\s*(?:나라|국가|도시|장소)|장소"), "where"),
    (re.compile(r"얼마나\s*(?:자주|종종)|몇\s*(?:년|개월|달|주)\s*마다|주기"), "how often"),
    (
        re.compile(r"얼마\s*동안|얼마나\s*(?:오래|걸)|몇\s*(?:년|개월|달|주)\s*(?:동안|걸)"),
        "how long",
    ),
    (re.compile(r"몇\s*(?:명|개|척|대|곳|차례|번|건)|몇|수는|숫자"), "how many"),
    (re.compile(r"얼마|금액|규모|액수"), "how much"),
    (re.compile(r"어떻게|어떤\s*방식"), "how"),
    (re.compile(r"무엇|뭐|무슨|어떤"), "what"),
    (re.compile(r"왜|이유"), "why"),
    (re.compile(r"반응|대응|응답|반발|비난|논평"), "react"),
)


def reading_forms(english: Sequence[str]) -> tuple[str, ...]:
    """The English forms a reading uses: the usual one first, then any acronym (ROK, NCG)."""
    acronyms = [e for e in english[1:] if re.fullmatch(r"[A-Z][A-Z0-9&.-]{1,7}s?", e)]
    return tuple(dict.fromkeys([english[0], *acronyms])) if english else ()


# Where one ask of a Korean question ends and the next begins: a clause joined with a comma
# ("언제 발표되었으며, 어떤 기구를…", "누가 서명했고, 법적 구속력이…") or "그리고".
_KOREAN_BOUNDARY = re.compile(r"(?<=[며고])\s*,\s*|\s*[,?]?\s+그리고\s+|\?\s+(?=\S)")
MIN_KOREAN_PART_CHARS = 4


def split_korean(question: str) -> list[str]:
    """The asks of a Korean question, in the order asked; none for a question with one ask."""
    pieces = [p.strip(" ,") for p in _KOREAN_BOUNDARY.split(" ".join(question.split()))]
    pieces = [p for p in pieces if len(p.replace(" ", "")) >= MIN_KOREAN_PART_CHARS]
    if len(pieces) < 2:
        return []
    return [p if p.endswith(("?", ".")) else f"{p}?" for p in pieces]


def has_hangul(text: str, share: float = 0.3) -> bool:
    """Whether Hangul makes up at least ``share`` of the text's letters."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    return sum(1 for ch in letters if HANGUL.match(ch)) / len(letters) >= share


@dataclass(frozen=True)
class Reading:
    """A Korean question read in English.

    ``alternatives``: for each Korean word the glossary read, the English forms it stands for
    (출범 -> launch, inaugural; 핵협의그룹 -> Nuclear Consultative Group, NCG): a passage that
    holds any one of them holds the word.
    """

    english: str
    alternatives: tuple[tuple[str, ...], ...] = ()
    # Names the question marks as its subject or owner (북한은, 중국의 입장): whose reaction or
    # position a question asks for, in Korean word order.
    subjects: tuple[tuple[str, ...], ...] = ()
    # Named documents and meetings the question is about (회담에서, 원칙은): whose own content it
    # may ask for (what was agreed there, what its principles are).
    things: tuple[tuple[str, str, str], ...] = ()  # (English, its particle, what follows)
    # Content words the glossary could not read: like an English word no statement uses, a
    # term the statements' sentences do not cover (its verbs, endings and framing left out).
    unread: tuple[str, ...] = ()


class KoreanBridge:
    """Reads a Korean question in English with a glossary of domain terms."""

    def __init__(
        self,
        terms: Mapping[str, Sequence[str]],
        keep_korean: bool = True,
        vocabulary: frozenset[str] = frozenset(),
        acronyms: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        # ``keep_korean``: words the glossary does not hold stay in the reading, for an
        # embedding model that reads Korean; for one that does not, they are noise, and are
        # left out when the glossary found a name or domain term (not only ``vocabulary``, the
        # general words: then the Korean words are likely the question's subject).
        self.keep_korean = keep_korean
        self.vocabulary = frozenset(v.replace(" ", "") for v in vocabulary)
        # Longest variants first, so "핵협의그룹" wins over "핵".
        self.terms = {k.replace(" ", ""): tuple(v) for k, v in terms.items() if k.strip()}
        self._variants = sorted(self.terms, key=len, reverse=True)
        self.acronyms = dict(acronyms or {})  # OPCON: (wartime operational control, OPCON)

    @staticmethod
    @cache
    def for_glossaries(
        extra_paths: tuple[Path, ...] = (), keep_korean: bool = True
    ) -> KoreanBridge:
        """The bridge over the project's glossary and an office's (``extra_paths``), read once
        per process for each such set (every scoped service shares it)."""
        glossary = load_glossary(extra_paths=extra_paths)
        return KoreanBridge.from_glossary(glossary, keep_korean)

    @classmethod
    def from_glossary(
        cls, glossary: Mapping[str, GlossaryEntry], keep_korean: bool = True
    ) -> KoreanBridge:
        """A bridge over a loaded glossary: a name or term read as its usual English form and
        the acronyms the statements use ("Republic of Korea ROK", not every variant); a general
        word as each of its translations (출범: launch, inaugural), which are not variants of
        one name but the different words a statement may use."""
        terms = {
            form: entry.english if entry.kind == "word" else reading_forms(entry.english)
            for form, entry in glossary.items()
        }
        words = frozenset(form for form, entry in glossary.items() if entry.kind == "word")
        return cls(terms, keep_korean, words, acronym_forms(glossary))

    def acronyms_in(self, question: str) -> tuple[tuple[str, ...], ...]:
        """The English forms of each acronym an English question uses that the glossary
        spells out ("OPCON transition" -> wartime operational control, OPCON)."""
        found = dict.fromkeys(ACRONYM.findall(question))
        return tuple(self.acronyms[a] for a in found if a in self.acronyms)

    def read(self, question: str, today: dt.date | None = None) -> str:
        """The English reading of ``question`` (unchanged when it is not mostly Hangul)."""
        return self.reading(question, today).english

    def reading(self, question: str, today: dt.date | None = None) -> Reading:
        """The English reading of ``question`` and what each Korean word was read as."""
        if not has_hangul(question):
            return Reading(question)
        today = today or dt.date.today()
        # (position, English) in the question's order; dates, periods, amounts and ordinals first
        text, found = read_numbers(question, today)

        def blank(m: re.Match[str]) -> str:
            return " " * (m.end() - m.start())

        for pattern, english in _INTENTS:
            for m in pattern.finditer(text):
                found.append((m.start(), english))
            text = pattern.sub(blank, text)
        named = False  # a name or domain term found (not only general words)
        alternatives: list[tuple[str, ...]] = []
        subjects: list[tuple[str, ...]] = []
        owners: list[tuple[str, ...]] = []  # marked by 의 (중국의 입장): subjects when none is
        spans: list[tuple[int, int, str]] = []  # each term read: where, and its usual English
        squeezed, positions = _squeeze(text)
        chars = list(text)
        starts = {i for i, p in enumerate(positions) if p == 0 or not HANGUL.match(text[p - 1])}
        i = 0
        while i < len(squeezed):
            for variant in self._variants:
                if squeezed.startswith(variant, i) and _fits(
                    squeezed, i, variant, starts, positions
                ):
                    found.append((positions[i], " ".join(self.terms[variant])))
                    alternatives.append(self.terms[variant])
                    named = named or variant not in self.vocabulary
                    end = positions[i + len(variant) - 1] + 1
                    marked = _SUBJECT.match(text, end)
                    reacts = _REACTS.match(question, end)  # (the intent words are blanked in text)
                    if marked and _CONDITION.match(text, marked.end()):
                        marked = (
                            None  # "북한이 … 공격하면": a condition's subject, not the question's
                        )
                    if variant not in self.vocabulary and (marked or reacts):
                        owned = reacts is not None or (marked is not None and marked["owner"])
                        (owners if owned else subjects).append(self.terms[variant])
                    spans.append((positions[i], end, self.terms[variant][0]))
                    for j in range(i, i + len(variant)):  # matched: no Korean word left there
                        chars[positions[j]] = " "
                    i += len(variant)
                    break
            else:
                i += 1
        text = "".join(chars)
        latin = [(m.start(), m.group(0)) for m in re.finditer(r"[A-Za-z0-9][A-Za-z0-9.&'-]*", text)]
        # Words the glossary does not hold stay, in Korean, for a model that reads them.
        rest = [(m.start(), _stem_ko(m.group(0))) for m in re.finditer(r"[\uac00-\ud7a3]+", text)]
        rest = [(at, w) for at, w in rest if len(w) >= 2 and w not in _PARTICLES]
        unread = tuple(w for _, w in rest if w not in _FRAMING and not _ENDING.search(w))
        if named and not self.keep_korean:
            rest = []
        english = " ".join(" ".join(w for _, w in sorted(found + latin + rest)).split())
        return Reading(
            english + "?" if english else question,
            tuple(alternatives),
            tuple(subjects or owners),
            _things(question, sorted(spans + [(a, a + len(w), w) for a, w in latin])),
            unread,
        )


_PARTICLES = (
    "에서는",
    "에게서",
    "으로서",
    "으로써",
    "에서",
    "에게",
    "으로",
    "까지",
    "부터",
    "에는",
    "과의",
    "와의",
    "은",
    "는",
    "이",
    "가",
    "을",
    "를",
    "의",
    "에",
    "와",
    "과",
    "로",
    "도",
    "만",
)


# What a question's Korean wording is made of besides its subject: verb forms (endings) and
# the words that frame a question (what, about, each, according to).
_ENDING = re.compile(
    r"(?:까|요|다|어|지|고|며|면|서|게|데|나|니|죠|야|냐|한|된|린|힌|온|는|던|운|은|을|할|될|"
    r"했|으|인|들|적|랐|였|렸|봤|왔|갔|졌|겠|음|함|됨|로|라)$"
)
_FRAMING = frozenset(
    "대해 대한 관련 관한 관해 것 것들 것에 무엇 내용 결과 문제 기준 사이 각각 이번 우리 어느 "
    "정확히 반드시 미리 가운데 따라 이상 이하 이후 이전 전에 뒤에 하기 되기 거기 그럼 대목 "
    "이나 이며 하고 하면 해야 들은 보면 자체 부분 정도 얼마 언제 어디 누구 무슨 어떤 "
    "입장 측면 차원 당시 현재 최근 가장 모두 전부 각국 언급".split()
)


def _stem_ko(word: str) -> str:
    """A Korean word without its trailing particle (이재명은 -> 이재명)."""
    for particle in _PARTICLES:
        if word.endswith(particle) and len(word) > len(particle) + 1:
            return word[: -len(particle)]
    return word


_JOINERS = " ·ㆍ‧・-"
# What names a document or a meeting, in the English the glossary reads it as.
THING_NAMES = (
    r"Summit|Accords?|Agreement|Outlook|Statement|Declaration|Conference|Forum|Dialogue|"
    r"Partnership|Initiative|Framework|Treaty|Charter|Guidelines|Plan|Strategy|Meeting|Talks"
)
_THING = re.compile(rf"\b(?:{THING_NAMES})\b", re.I)
_THING_PARTICLE = re.compile(r"(?:은|는|이|가|의|에서는|에서의|에서|에선)(?![\uac00-\ud7a3])")


def _things(question: str, spans: list[tuple[int, int, str]]) -> tuple[tuple[str, str, str], ...]:
    """The documents and meetings a question names as its subject, owner or place (terms read
    side by side, "하노이 정상회담에서" -> "Hanoi summit", "에서"), by their English."""
    out: list[tuple[str, str, str]] = []
    run: list[tuple[int, int, str]] = []
    for span in [*spans, (len(question) + 1, len(question) + 1, "")]:
        if run and question[run[-1][1] : span[0]].strip(_JOINERS) == "" and span[2]:
            run.append(span)
            continue
        if run:
            english = " ".join(e for _, _, e in run)
            particle = _THING_PARTICLE.match(question, run[-1][1])
            if _THING.search(english) and particle:
                out.append((english, particle.group(0), question[particle.end() :]))
        run = [span] if span[2] else []
    return tuple(out)


# A subject, topic or owner particle right after a name (북한은, 미국이, 중국의, 북한 측은). An
# owner ("리선권 외무상의 담화에 미 국무부는 …") is the subject only when no name is marked as one.
_CONDITION = re.compile(r"[^,.?!'\"‘’“”]{0,30}?[\uac00-\ud7a3]면(?![\uac00-\ud7a3])")
# A name's role by what follows it: a subject (북한은), an owner (중국의 입장), or the one whose
# reaction or position it names (북한 반응, 한미 대응).
_SUBJECT = re.compile(
    r"(?:\s*(?:측|정부|당국))?들?(?:은|는|이|가|(?P<owner>의))(?![\uac00-\ud7a3])"
)
_REACTS = re.compile(r"(?:\s*(?:측|정부|당국))?\s*(?=반응|대응|입장|반발)")


def _squeeze(text: str) -> tuple[str, list[int]]:
    """The text with spaces between Hangul letters removed ("핵 협의 그룹" -> "핵협의그룹"),
    and each kept character's position in the original."""
    out: list[str] = []
    positions: list[int] = []
    for i, ch in enumerate(text):
        if ch in _JOINERS and out and HANGUL.match(out[-1]) and HANGUL.match(text[i + 1 : i + 2]):
            continue
        out.append(ch)
        positions.append(i)
    return "".join(out), positions


def _fits(text: str, start: int, variant: str, starts: set[int], positions: list[int]) -> bool:
    """Whether a variant found in the squeezed text is a word of the question: one spread over
    several words ("핵 협의 그룹") must begin a word ("공동성명상 한미일" holds no "상한"), and a
    one-letter variant ("북") counts only as a word of its own (with a particle)."""
    if len(variant) > 1:
        spans_words = positions[start + len(variant) - 1] - positions[start] >= len(variant)
        return start in starts or not spans_words
    if start not in starts:
        return False
    end = start + 1
    while end < len(text) and HANGUL.match(text[end]) and end not in starts:
        end += 1
    rest = text[start + 1 : end]
    return rest == "" or rest in _PARTICLES
