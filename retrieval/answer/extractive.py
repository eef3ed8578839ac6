"""The default answerer: verbatim sentences chosen for the question, each cited.

Candidate sentences come from the top passages (bullets count as sentences). Each is scored
by embedding similarity to the question, coverage of the question's informative terms, and
the rank of its passage. Selection is MMR-like under a word budget, draws on every relevant
document for multi-document questions, and orders quotes by document date then position.
When the best evidence is weak the answer is a refusal that shows the closest passages.

Similarities are put on one scale per embedding model and pair of scripts (``relevance``), and
where the tokenizer cannot read the question or the sentence (Korean), term overlap's weight goes
to similarity by the share of words outside Latin script: the threshold means the same in both.
"""

from __future__ import annotations

from functools import cached_property, partial

from core.answers import Citation
from core.labels import label
from core.models import DocumentMeta, Passage
from retrieval.answer import readings
from retrieval.answer.answerability import (
    KIND_SHARE,
    TOP_SENTENCES,
    AnswerabilityModel,
    signals,
)
from retrieval.answer.candidates import (
    FRAMING_WEIGHT,
    Candidate,
    lift_asked,
    names_its_statement,
    prefer_holding,
    weigh_sources,
)
from retrieval.answer.clauses import levied_on_asked
from retrieval.answer.composition import compose, short_title
from retrieval.answer.contents import korean_content_of
from retrieval.answer.continuation import continuation
from retrieval.answer.doers import deed_asked
from retrieval.answer.kinds import BOUND_KINDS, asked_kind, holding
from retrieval.answer.names import unknown_subject, unknown_terms, unspelled
from retrieval.answer.parties import reacting_party, subject_party
from retrieval.answer.results import Assessment, ExtractiveResult, related_result
from retrieval.search.compared import SIDE_MIN
from retrieval.search.hybrid import NAMED_DOC_MIN, HybridSearcher, spelled_out
from retrieval.search.plan import QueryPlan
from retrieval.sentences import is_framing, is_opener, quotable, word_count
from retrieval.store.everyday import everyday_forms
from retrieval.store.lexical import lexical_share, script_profile, tokenize

W_DENSE = 0.6
W_LEXICAL = 0.4
W_RANK = 0.15
RELATIVE_CUTOFF = 0.78  # keep sentences scoring at least this share of the best
MULTI_DOC_CUTOFF = 0.75
# "Which statements …": a statement down to this share of the best is listed when its sentence
# shares the question's terms (at least half the best sentence's lexical coverage).
LIST_CUTOFF, LIST_LEXICAL = 0.65, 0.5
UNKNOWN_TERM_PENALTY = 0.3  # per name no statement holds; swept on the development sets (README)
# "How often does the NCG meet?": a sentence about it that holds a frequency ranks first.
KIND_BOOST = 1.1
MIN_LEXICAL_SHARE = 0.5  # the decision was fitted on questions in Latin script


class ExtractiveAnswerer:
    """Chooses, orders and cites verbatim sentences."""

    def __init__(self, searcher: HybridSearcher) -> None:
        self.searcher = searcher
        self.index = searcher.index
        self.embeddings = searcher.embeddings
        self.settings = searcher.index.settings

    @cached_property
    def decision(self) -> AnswerabilityModel | None:
        """The fitted "not stated" decision (read on first use)."""
        return AnswerabilityModel.load()

    def _meta(self, doc_id: str) -> DocumentMeta:
        entry = self.index.documents().get(doc_id)
        return entry.meta if entry else DocumentMeta(title=doc_id)

    def topics(self, plan: QueryPlan) -> list[str]:
        """What a quoted sentence must address (``readings.sentence_topics``)."""
        return readings.sentence_topics(plan, self.searcher)

    def candidates(self, plan: QueryPlan, passages: list[Passage]) -> list[Candidate]:
        """Scored sentences of the top passages."""
        # A reaction is looked for in the reacting party's own statement too, which ranks
        # below the statement it answers ("How did North Korea respond to the G7 statement?").
        reacting = reacting_party(plan.question)
        depth = 8 if plan.multi_document or reacting else 6
        top = passages[:depth]
        if not top:
            return []
        vectors = self.index.sentence_vectors([p.chunk.chunk_id for p in top])
        lexical = self.index.lexical()
        topics = [lexical.expand(t) for t in self.topics(plan)]
        embeddings = self.embeddings
        full_vec, *topic_vecs = embeddings.embed_queries(
            [lexical.expand(plan.search_text), *topics]
        )
        script, q_share = script_profile(plan.search_text)  # "latin", 1.0 in English
        read_as = []
        for topic, topic_vec in zip(topics, topic_vecs, strict=True):
            # A Korean word the glossary could not read is asked too: no sentence covers it.
            q_terms = set(tokenize(" ".join((topic, *plan.unread)), compounds=False))
            read_as.append((topic_vec, q_terms, lexical.weight(q_terms) or 1.0))
        top_score = top[0].score or 1.0
        kind = self._kind(plan)
        # Who met where opens a statement; it is what is asked only by where, when or who.
        opener = kind not in ("place", "date", "day", "person")
        out: list[Candidate] = []
        for p in top:
            chunk_script, chunk_share = script_profile(p.chunk.text)
            share = q_share * chunk_share  # how far term overlap can be measured at all
            w_dense, w_lexical = W_DENSE + W_LEXICAL * (1.0 - share), W_LEXICAL * share
            for start, end, vec in vectors.get(p.chunk.chunk_id, []):
                cand = Candidate(p.chunk, p.rank, start, end, vec)
                if not quotable(cand.text):
                    continue
                s_terms = set(tokenize(cand.reading))
                full_sim = float(vec @ full_vec)
                rank = W_RANK * (p.score / top_score)
                scores = []
                for topic_vec, q_terms, q_weight in read_as:
                    dense = embeddings.relevance(
                        0.5 * full_sim + 0.5 * float(vec @ topic_vec), script, chunk_script
                    )
                    covered = lexical.weight(q_terms & s_terms) / q_weight
                    scores.append((w_dense * dense + w_lexical * covered + rank, dense, covered))
                # Ranked on the first reading (without the names of the statements the question
                # names); the evidence is as strong as the reading the sentence matches best.
                cand.score, cand.dense, cand.lexical = scores[0]
                cand.reach = max(x[0] for x in scores) / cand.score if cand.score > 0 else 1.0
                cand.framing = is_framing(cand.text) or (
                    opener and (is_opener(cand.text) or names_its_statement(s_terms, cand.card))
                )
                if cand.framing:
                    cand.score *= FRAMING_WEIGHT
                out.append(cand)
        # Reports about statements rank below the statements themselves, unless the question
        # asks for the report by name (and names no statement); so do news reports' copies.
        named = self.searcher.named_in(plan)
        named_primary = any(not self._meta(d).secondary for d in named.at_least(NAMED_DOC_MIN))
        asked = {d for d in named.at_least(NAMED_DOC_MIN) if not named_primary}
        out = weigh_sources(out, plan.question, asked, self.settings.secondary_source_weight)
        out.sort(key=lambda c: -c.score)
        if kind in BOUND_KINDS or kind == "name":
            held = self._holding(plan, kind, out)
            if not any(held[:TOP_SENTENCES]):  # the best hold none: one nearly as close ranks
                # (A figure is boosted too, and one levied on what is asked preferred; a name
                # is lifted only: "which fusion facility": "… facilities, including the JT-60SA".)
                bound = kind in BOUND_KINDS
                on_asked = partial(levied_on_asked, plan.question) if bound else _anything
                boost = KIND_BOOST if bound else 1.0
                prefer_holding(out, held, on_asked, TOP_SENTENCES, boost, KIND_SHARE)
        # A reaction asked for is the party's own word; "Who signed it?" names the signers.
        deed = deed_asked(plan.question) if kind == "person" else None
        lift_asked(out, reacting if plan.language == "en" else (), deed, TOP_SENTENCES, KIND_SHARE)
        # A lookup that quotes one statement's title and names no other is answered from it when
        # it holds evidence to answer from (a name read from card words alone may be what the
        # asked text reacts to; a second statement named may be where the answer stands; the
        # title must be the question's own, not an earlier turn's).
        titled = self.searcher.titled_documents(plan.question) if plan.intent == "lookup" else []
        alone = len(titled) == 1 and set(named.at_least(SIDE_MIN)) <= set(titled)
        own = [c for c in out if alone and c.chunk.doc_id in titled]
        floor = self.decision.floor if self.decision else self.settings.refusal_threshold
        return own if own and own[0].score >= floor else out

    def assess(self, plan: QueryPlan, passages: list[Passage]) -> Assessment:
        """The scored sentences, the names no statement holds, and the decision's signals."""
        cands = self.candidates(plan, passages)
        lexical, known = self.index.lexical(), set(self.searcher.all_card_words())
        missing = unknown_terms(
            plan.undated_question, lexical, known, plan.language == "en", plan.alternatives
        )
        missing = unspelled(missing, passages)
        chosen = self._select(plan, cands) if cands else []
        best = cands[:TOP_SENTENCES]
        context = list(dict.fromkeys(f"{c.chunk.context_header()} {c.chunk.text}" for c in best))
        named = self.searcher.named_in(plan).at_least(NAMED_DOC_MIN)
        own = bool(set(named) & {c.chunk.doc_id for c in best})
        naming = readings.naming_phrases(plan.question, self.searcher)
        found = signals(
            plan.question,
            readings.without_names(plan.topic, naming),
            cands,
            context,
            lexical,
            missing,
            own,
            plan.alternatives
            if plan.language == "ko"
            else [*spelled_out(plan, lexical), *everyday_forms(plan.topic)],
            subject_party(plan.question, plan.subjects) if plan.language == "ko" else None,
            korean_content_of(plan.asked, plan.things) if plan.language == "ko" else None,
            reading=plan.language == "ko",
            compares=plan.side_by_side,
            subject=self.topics(plan)[0],
            naming=naming,
        )
        return Assessment(cands, chosen, missing, found)

    def answer(self, plan: QueryPlan, passages: list[Passage]) -> ExtractiveResult:
        """Quote the evidence, or refuse when it is too weak."""
        assessment = self.assess(plan, passages)
        cands, missing = assessment.candidates, assessment.missing
        best = assessment.signals["strength"]
        notes: list[str] = []
        threshold = self.settings.refusal_threshold
        if missing:
            notes.append(label("unmentioned", plan.language).format(names=", ".join(missing)))
            threshold += UNKNOWN_TERM_PENALTY * len(missing)
        ask = plan.asked or plan.question
        decision = self._decision(plan)
        # Weak evidence is no answer: below the decision's floor, or, for a question naming
        # what no statement holds, below the evidence threshold raised for each such name.
        floor = threshold if decision is None or missing else decision.floor
        if not cands or best < floor:
            refusal = label("not_answered", plan.language)
            return ExtractiveResult(refusal, [], True, best, notes, not_stated=[ask])
        chosen = assessment.chosen
        unknown = plan.language == "en" and unknown_subject(missing, self.topics(plan)[0])
        if decision is not None and (not decision.answers(assessment.signals) or unknown):
            # Near the question but not an answer to it: say so, then show what is there.
            return related_result(plan, ask, chosen, best, notes)
        text, citations = compose(plan, chosen)
        elsewhere = self._elsewhere(plan, citations) if plan.intent == "lookup" else None
        if elsewhere is None:
            return ExtractiveResult(text, citations, False, best, notes)
        notes.append(elsewhere[0])
        own = max((c.score for c in cands if c.chunk.doc_id in elsewhere[1]), default=0.0)
        if decision is not None and own < decision.floor and not plan.part:
            # The statement asked about holds nothing near the question: it does not say it,
            # and what another says is related, not the answer. (A part's statement may be
            # borrowed from the part before it.)
            return related_result(plan, ask, chosen, best, notes, elsewhere)
        return ExtractiveResult(text, citations, False, best, notes, elsewhere=elsewhere)

    def _elsewhere(
        self, plan: QueryPlan, citations: list[Citation]
    ) -> tuple[str, list[str]] | None:
        """The note that the statements the question names are not quoted, and those statements
        (none when a document it names is: "the news analysis … on the fact sheet")."""
        named = self.searcher.named_in(plan).at_least(NAMED_DOC_MIN)
        statements = [d for d in named if not self._meta(d).secondary]
        if not statements or {c.doc_id for c in citations} & set(named):
            return None
        metas = [self._meta(d) for d in statements]
        titles = "; ".join(f"{short_title(m.title)} ({m.date_label(plan.language)})" for m in metas)
        return label("elsewhere", plan.language).format(titles=titles), statements

    def _decision(self, plan: QueryPlan) -> AnswerabilityModel | None:
        """The fitted "not stated" decision, where it holds: single asks, mostly in the script
        and with the embedding model it was fitted on (else the evidence threshold decides)."""
        model = self.decision
        if model is None or model.report.get("embedding_model") != self.index.model_name:
            return None
        if len(plan.parts) >= 2 and plan.intent != "comparison":
            # Fitted on single asks: a question with several is decided ask by ask (a comparison
            # is one ask of several statements: "denuclearization of whom, and on what basis?").
            return None
        return model if lexical_share(plan.question) >= MIN_LEXICAL_SHARE else None

    def _kind(self, plan: QueryPlan) -> str | None:
        """The kind of thing asked for (none of a comparison: ``answerability.signals``)."""
        return (
            None
            if plan.intent == "comparison"
            else asked_kind(plan.question, plan.language == "ko")
        )

    def _holding(self, plan: QueryPlan, kind: str, cands: list[Candidate]) -> list[bool]:
        """Which candidates hold the kind asked for (a figure: about what the question names)."""
        lexical = self.index.lexical()
        texts, cards = [c.text for c in cands], [c.card for c in cands]
        subject, reading = self.topics(plan)[0], plan.language == "ko"
        return holding(
            kind, texts, plan.question, subject, lexical.idf, reading, lexical.with_synonyms, cards
        )

    def _narrowed(self, plan: QueryPlan, cands: list[Candidate]) -> list[Candidate]:
        """The candidates a lookup is answered from: those of the statement it names, or of
        the years it names, when they have evidence; else all."""
        if plan.intent != "lookup" or not cands:
            return cands
        named = set(self.searcher.named_in(plan).at_least(NAMED_DOC_MIN))
        # A report whose title repeats a statement's name ("… in joint fact sheet") is not
        # what a question naming the statement asks for.
        named_statements = {d for d in named if not self._meta(d).secondary}
        threshold = self.settings.refusal_threshold
        own = [c for c in cands if c.chunk.doc_id in (named_statements or named)]
        # When no statement named is of a year the question names, the year wins: "their
        # November 2024 statement" is not the Camp David statement a part borrows the name of.
        if plan.years and not any(c.chunk.meta.date.year in plan.years for c in own):
            own = []
        if own and own[0].score >= threshold:
            return own
        dated = [c for c in cands if c.chunk.meta.date.year in plan.years]  # "the 2022 summit"
        if dated and dated[0].score >= threshold:
            return dated
        return cands

    def _select(self, plan: QueryPlan, cands: list[Candidate]) -> list[Candidate]:
        budget = (
            self.settings.comparison_max_words
            if plan.multi_document
            else self.settings.answer_max_words
        )
        best = cands[0].score
        chosen: list[Candidate] = []
        words = 0
        redundant = self.embeddings.redundant_cos

        def fits(c: Candidate) -> bool:
            if any(c.chunk.doc_id == o.chunk.doc_id and c.start == o.start for o in chosen):
                return False
            if any(float(c.vector @ o.vector) > redundant for o in chosen):
                return False
            return not chosen or words + word_count(c.text) <= budget

        pool = self._narrowed(plan, cands)
        best = pool[0].score
        named = set(self.searcher.named_in(plan).at_least(NAMED_DOC_MIN))
        if plan.intent == "latest":
            # The most recent document whose evidence is nearly as strong as the best; a report
            # about statements (news, analysis) only when no statement is, or when it is named.
            strong = [c for c in cands if c.score >= best * MULTI_DOC_CUTOFF]
            statements = [
                c for c in strong if not c.chunk.meta.secondary or c.chunk.doc_id in named
            ]
            newest = max(statements or strong, key=lambda c: (c.chunk.meta.date, c.score))
            pool = [c for c in cands if c.chunk.doc_id == newest.chunk.doc_id]
            best = pool[0].score
        if plan.multi_document:
            seen_docs: set[str] = set()
            for c in cands:
                if c.score < best * (LIST_CUTOFF if plan.intent == "list" else MULTI_DOC_CUTOFF):
                    break
                weak = c.score < best * MULTI_DOC_CUTOFF
                if weak and c.lexical < LIST_LEXICAL * cands[0].lexical:
                    continue
                if c.chunk.doc_id not in seen_docs and fits(c):
                    chosen.append(c)
                    seen_docs.add(c.chunk.doc_id)
                    words += word_count(c.text)
        for c in pool:
            if c.score < best * RELATIVE_CUTOFF:
                break
            if fits(c):
                chosen.append(c)
                words += word_count(c.text)
        # "The 2021 and 2023 statements": each year named has its best evidence quoted.
        dated_by = plan.filters.date_from or plan.filters.date_to or plan.as_of
        threshold = self.settings.refusal_threshold
        each_year = len(plan.years) >= 2 and plan.intent in ("lookup", "list") and not dated_by
        quoted_years = {c.chunk.meta.date.year for c in chosen}
        for year in plan.years if each_year else ():
            best_of_year = next((c for c in cands if c.chunk.meta.date.year == year), None)
            if year in quoted_years or best_of_year is None:
                continue
            if best_of_year.score >= threshold and fits(best_of_year):
                chosen.append(best_of_year)
                words += word_count(best_of_year.text)
        # "… in the Washington Declaration, the first NCG readout and the 2024 guidelines
        # statement": each statement a phrase names clearly has its best evidence quoted.
        quoted_docs = {c.chunk.doc_id for c in chosen}
        for doc_id in readings.phrase_named(plan.question, self.searcher):
            of = next((c for c in cands if c.chunk.doc_id == doc_id), None)
            if doc_id not in quoted_docs and of and of.score >= threshold and fits(of):
                chosen.append(of)
                words += word_count(of.text)
        # The best sentence that holds what is asked ("quarterly") is quoted, if none quoted does.
        kind = self._kind(plan)
        top = cands[:TOP_SENTENCES]
        held = (
            [c for c, h in zip(top, self._holding(plan, kind, top), strict=True) if h]
            if kind
            else []
        )
        if held and not set(map(id, held)) & set(map(id, chosen)):
            while len(chosen) > 1 and not fits(held[0]):  # in place of the last ones chosen
                words -= word_count(chosen.pop().text)
            if fits(held[0]):
                chosen.append(held[0])
                words += word_count(held[0].text)
        # A quoted sentence's next one, when it refers back to it, carries the rest of it.
        for c in list(chosen):
            nxt = continuation(c, cands)
            if nxt is not None and fits(nxt):
                chosen.insert(chosen.index(c) + 1, nxt)
                words += word_count(nxt.text)
        return chosen


def _anything(text: str) -> bool:
    """Any sentence will do."""
    return True
