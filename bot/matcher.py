"""Matching a person's message to the FAQ: pure Python, no Telegram, built once per FAQ load.

The stages, in order:
1. normalise: the message is folded to words and terms (bot/spelling.py: typos corrected
   against the FAQ's words, synonyms, a light stemmer);
2. triage: urgent care first, then small talk (bot/triage.py); a message in another language
   is triaged both in its own words and read word for word in English (bot/gloss.py);
3. retrieve: candidate entries from both signals, the lexical one (bot/lexical.py: which
   rare words an entry holds) and the semantic one (bot/semantic.py: sentence embeddings of a
   small language model, bot/embedding.py);
4. features: a few numbers per candidate (bot/decision.py lists them);
5. decide: a fitted logistic model gives each candidate a probability; the best is answered
   when it is likely enough, clear of its rivals and not lacking a not-covered topic the
   message names; likely ones are offered as suggestions, and otherwise the bot declines.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.abbreviations import abbreviations
from bot.asks import AskIndex
from bot.cache_dir import default_cache_dir
from bot.coverage import covered
from bot.decision import FUZZY, UNCOVERED, Decision, load_decision
from bot.embedding import Encoder, models_dir, shared_encoder
from bot.faq import Entry, Faq, Smalltalk
from bot.gloss import Glossary, builtin_glossary
from bot.lexical import LexicalIndex, Query
from bot.lexicon import common_words
from bot.likeness import likeness_for
from bot.semantic import SemanticIndex, VectorCache
from bot.spelling import Speller
from bot.text import (
    MAX_INPUT_CHARS,
    REFERRING,
    SCENE_OPENERS,
    STOPWORDS,
    asking_sentence,
    asks,
    clauses_with_ends,
    normalize,
    stem,
    words,
)
from bot.triage import Triage, Urgency

# How many entries each signal puts forward as candidates. A right entry the lexical side
# misses is almost always among the semantic side's first few, and the reverse; more only
# costs time (measured with scripts/fit_decision.py's recall line).
CANDIDATES_PER_SIGNAL = 5
# An entry's lead (sem_lead) is its closeness over the nearest other entry's, or over this when
# every other entry is further: a lead over entries that are themselves unrelated to the
# message says little, and in a FAQ of a few entries there is no close rival at all. 0.4 is
# about where off-topic messages' second-closest entry sits in the fit sets (median 0.43 on
# the bundled FAQ); scripts/fit_decision.py, refitted each way: at 0.4 the validation sets'
# off-topic answers fell from 12.7% to 8.3% (StackFAQ's 18.8% to 11.3%) for 0.5 point of right
# answers; 0.3 moved little, 0.5 cost 1.1 points.
RIVAL_FLOOR = 0.4
MAX_SUGGESTIONS = 3  # buttons under a reply: more is a menu, not a suggestion
# A question read apart from the story around it (Matcher._focused) is compared with the whole
# message's candidates and this many of the entries closest to the whole in meaning, which
# stand in for its rivals. Against every entry, such a message took twice as long on a FAQ of
# 10,000 entries; against the whole's candidates alone, 3 more off-topic messages of the
# labelled sets (13,674) were answered; with these 20 more, one verdict differs (a right
# answer only offered).
FOCUS_POOL = 20


# Words by which a question refers back to the sentences around it ("Do you treat it?", and
# a person told of before: "Would clinical massage suit her?"): such a question is not read
# alone (Matcher._focused).
REFERRING_BACK = REFERRING | {"her", "him"}


# Small talk that may frame a question, and is left out of what is matched ("help" is not:
# "can you help?" may be the question's own verb).
COURTESIES = frozenset({"greeting", "thanks", "goodbye"})
# After a sign-off, a few words that start with a capital and ask nothing are a signature
# ("Mike (his dad)", "Dr. P. Hughes"); "great, and sciatica" goes on asking.
SIGN_OFFS = frozenset({"thanks", "goodbye"})
SIGNATURE_WORDS = 4


def _signature(text: str) -> bool:
    text = text.strip()
    return text[:1].isupper() and "?" not in text and len(words(text)) <= SIGNATURE_WORDS


class Status(StrEnum):
    """The five outcomes of matching a message."""

    ANSWER = "answer"
    SUGGEST = "suggest"
    NONE = "none"
    SMALLTALK = "smalltalk"
    URGENT = "urgent"


@dataclass(frozen=True)
class Suggestion:
    """A plausible entry offered to the person, with its score (0-100)."""

    entry: Entry
    score: float


@dataclass(frozen=True)
class Match:
    """The decision for one message. `entry` is set only for ANSWER, `smalltalk` for SMALLTALK,
    and `not_covered` and `no` only for a NONE or SUGGEST that named a phrase of a not-covered
    group with a `no` line: the phrase as faq.yaml writes it, and that line (see
    Faq.not_covered_no)."""

    status: Status
    score: float = 0.0  # the best entry's probability x 100; 0 when no entry came close
    entry: Entry | None = None
    suggestions: tuple[Suggestion, ...] = ()
    smalltalk: Smalltalk | None = None
    not_covered: str | None = None
    no: str | None = None
    # The message names an emergency sign only as asked about in general ("what are the signs
    # of a stroke?"; bot.triage.Urgency.ASKED): whatever else is said, the reply says what to
    # do if it is happening now (bot.replies.SIGNS_NOW).
    signs_asked: bool = False
    # A SUGGEST whose first suggestion lacks a not-covered topic the message names ("how much
    # is a session?" offered "What are the benefits of ... a session?"): the reply says first,
    # as the fallback does, that such questions are for the practice (bot.replies).
    outside: bool = False


@dataclass(frozen=True)
class Candidate:
    """An entry put forward for a message, with its features (bot.decision.FEATURES)."""

    index: int
    features: tuple[float, ...]


@dataclass(frozen=True)
class _Read:
    """What `Matcher._candidates` read of a message."""

    triaged: Match | None  # triage's decision (urgent care, small talk), if it made one
    candidates: list[Candidate]
    # the message as folded for the candidates: its words, terms and lexical query, which a
    # decline reads the not-covered phrase it named from; None when triaged or wordless
    folded: tuple[list[str], list[str], Query] | None = None
    # it names an emergency sign only as asked about in general (Urgency.ASKED)
    signs_asked: bool = False
    # its closeness to each entry's head texts (closeness_of(...).head), when compared with
    # every entry
    head: np.ndarray | None = None
    # the message as written without its courtesies (`_without_courtesies`), which `_focused`
    # reads its question from; None when it was read through the glossary (what was kept of
    # it then is of its English reading)
    kept: str | None = None


_vector_caches: dict[tuple[str, str, Path | None], VectorCache] = {}


def vector_cache(encoder: Encoder, directory: Path | None = None) -> VectorCache:
    """One cache of FAQ text vectors per encoder and directory, shared by every load. Keyed by
    the encoder's revision too: two encoders of one name (the shipped model and a copy of it
    with other weights) give different vectors."""
    key = (encoder.name, encoder.revision, directory)
    if key not in _vector_caches:
        seed = models_dir() / f"seed-{encoder.name}.npz"
        _vector_caches[key] = VectorCache(encoder, directory, seeds=[seed])
    return _vector_caches[key]


# A word as the model reads it, apostrophes left alone ("don't" is no typo)
_WORD = re.compile(r"(?<!['\u2019])\b[^\W\d_]+\b(?!['\u2019])")


class Matcher:
    """An index over one Faq. Build once per load; `match()` is then fast and never raises."""

    def __init__(
        self,
        faq: Faq,
        *,
        encoder: Encoder | None = None,
        cache_dir: Path | None = None,  # None: default_cache_dir()
        decision: Decision | None = None,
        everyday: frozenset[str] | None = None,
        glossary: Glossary | None = None,  # None: the built-in one (bot/data/glossary.yaml)
    ) -> None:
        self.faq = faq
        self.glossary = glossary or builtin_glossary()
        self.encoder = encoder = encoder or shared_encoder()
        self.decision = decision or load_decision(encoder.name)
        self.speller = speller_for(faq, everyday, self.glossary)
        self._triage = Triage(faq, self.speller)
        self._likeness = likeness_for(encoder)
        self._abbreviations = abbreviations()
        # The indexes read the FAQ without the not-covered topics its own entries cover.
        self.coverage = coverage = covered(faq, self.speller)
        matched = coverage.faq
        self._lexical = LexicalIndex(matched, self.speller, coverage.owners)
        vectors = vector_cache(encoder, default_cache_dir() if cache_dir is None else cache_dir)
        with vectors.one_load():
            self._semantic = SemanticIndex(matched, vectors)
            self._asks = AskIndex(matched, self.speller, self._lexical, vectors)
        self._entries = faq.entries
        # The not-covered phrases that have a `no` line, folded, by their first term: a decline
        # that named one says so (`_named`). Reporting only: it never changes the decision.
        self._no_lines: dict[str, list[tuple[tuple[str, ...], tuple[str, ...], str, str]]] = {}
        for phrase, no in faq.not_covered_no.items():
            if folded := tuple(self.speller.terms(phrase)):
                self._no_lines.setdefault(folded[0], []).append(
                    (folded, tuple(words(phrase)), phrase, no)
                )
        # Each entry's phrasings folded once, for the fuzzy feature.
        self._folded = [
            [normalize(text) for text in dict.fromkeys(entry.phrasings)]
            for entry in matched.entries
        ]

    def match(self, text: str) -> Match:
        """Decide what to do with one message. Never raises on any string."""
        if not isinstance(text, str):
            return Match(Status.NONE)
        # A lone surrogate (Telegram's JSON can carry one) is no character the model can read.
        text = text.encode("utf-8", "replace").decode("utf-8")
        read = self._candidates(text)
        if read.triaged is not None:
            return read.triaged
        folded = read.folded
        match = self._decide(read.candidates, folded)
        if match.status is not Status.ANSWER and not read.signs_asked:
            match = self._focused(text, read, match) or match
        if read.signs_asked:
            match = replace(match, signs_asked=True)
        # A decline, or a suggestion made instead of an answer, says the clear no of the
        # not-covered topic the message named ("Psoriasis isn't on our list ...").
        if match.status in (Status.NONE, Status.SUGGEST) and folded is not None:
            named = self._named(*folded)
            if named is not None:
                return replace(match, not_covered=named[0], no=named[1])
        return match

    def _focused(self, text: str, whole: _Read, decided: Match) -> Match | None:
        """The answer to a message's question read alone, when the message as a whole (as
        read, `whole`, and the decision on it, `decided`) got none: a story around the
        question dilutes what the model reads of it ("I've lived with chronic pain for six
        years after a car accident and tried pills and a TENS machine. What is the main
        benefit of therapeutic massage?"). Only a question that names its own subject is read
        alone ("Do you treat it?" needs the story), and its answer is used only when the
        whole message offered that entry too and names no not-covered topic the entry lacks
        ("What's the ICD code for sciatica? I need it for my insurance claim"). The question is
        weighed against the whole message's candidates and the entries nearest to it only
        (see FOCUS_POOL): comparing it with every entry of a big FAQ again doubled
        the time of such a message (10,000 entries: p99 20 -> 31 ms with the static model).

        Measured on validation + dev (as they were before blind27 and blind28 joined): 24 more
        right of 3,763, 1 more wrong, 1 more of 1,685 off-topic messages answered
        (multilingual: 11 more right of 448, 1 more wrong); the plain FAQs of other practices
        (tests/data/plainval) 0.653 -> 0.657 right, 4.6% -> 4.8% wrong. Without the whole's
        offer as a check: 4 more right and 1 more wrong on validation + dev, 0.658 right and
        4.9% wrong on the plain FAQs."""
        # nothing offered: no entry to answer the question with
        if not decided.suggestions or whole.folded is None or whole.head is None:
            return None
        kept = whole.kept if whole.kept is not None else self._without_courtesies(text)
        question = asking_sentence(kept)
        if question is None or REFERRING_BACK.intersection(words(question)):
            return None
        among = list(dict.fromkeys([
            *(candidate.index for candidate in whole.candidates),
            *map(int, top_indexes(whole.head, FOCUS_POOL)),
        ]))
        read = self._candidates(question, among)
        if read.triaged is not None or read.folded is None:
            return None
        focused = self._decide(read.candidates, read.folded)
        entry = focused.entry
        if focused.status is not Status.ANSWER or entry is None or entry not in [
            suggestion.entry for suggestion in decided.suggestions
        ]:
            return None
        index = next(c.index for c in read.candidates if self._entries[c.index] is entry)
        if self._lexical.overlap(whole.folded[2], index).uncovered:
            return None
        return focused

    def embedded_texts(self) -> list[str]:
        """Every text of the FAQ the model embedded for this index (scripts/seed_vectors.py
        ships their vectors for the bundled FAQ)."""
        return [*self._semantic.texts, *self._asks.texts]

    def candidates(self, text: str) -> tuple[Match | None, list[Candidate]]:
        """Triage's decision if it makes one, else the candidate entries with their features."""
        read = self._candidates(text)
        return read.triaged, read.candidates

    def candidates_and_leads(
        self, text: str
    ) -> tuple[Match | None, list[Candidate], list[float]]:
        """`candidates`, with the ask_lead (bot.asks) of each: the decision reads only the best
        one's, the fitting script every one's. One reading of the message for both."""
        read = self._candidates(text)
        if read.folded is None:  # triaged, or no words: no candidates to lead
            return read.triaged, read.candidates, [0.0 for _ in read.candidates]
        raw, terms, _ = read.folded
        leads = [self._asks.lead(raw, terms, candidate.index) for candidate in read.candidates]
        return read.triaged, read.candidates, leads

    def _without_courtesies(self, text: str) -> str:
        """The message without its clauses that are a greeting, thanks or a sign-off and
        nothing else, nor the signature after a sign-off ("Best regards, Dr. P. Hughes": to the
        model "Dr." is a doctor); as it is when that would leave nothing."""
        kept: list[str] = []
        kept_words = False
        pieces = clauses_with_ends(text)
        for number, (clause, end) in enumerate(pieces):
            found = self.speller.words(clause)
            kind = self._triage.smalltalk(found, self.speller.terms_of(found)) if found else None
            if kind is None or kind.name not in COURTESIES:
                kept.append(clause + end)
                kept_words = kept_words or bool(found or self.speller.words(end))  # "but"
                continue
            rest = "".join(piece + after for piece, after in pieces[number + 1 :])
            if kind.name in SIGN_OFFS and _signature(rest):
                break
        return "".join(kept).strip() if kept_words else text

    def _scene(
        self, text: str, raw: Sequence[str], clause_of: Sequence[int]
    ) -> frozenset[int]:
        """The positions of the message's words (`raw`, as `words_by_clause` read them, with
        the clause of each) in clauses that open with a word of SCENE_OPENERS ("Before I
        book,"), when another clause asks; else none."""
        first_of: dict[int, int] = {}
        for position, number in enumerate(clause_of):
            first_of.setdefault(number, position)
        scene: set[int] = set()
        asking = False
        for number, (clause, end) in enumerate(clauses_with_ends(text)):
            first = first_of.get(number)
            if first is not None and raw[first] in SCENE_OPENERS and "?" not in end:
                scene.update(
                    position for position in range(first, len(raw))
                    if clause_of[position] == number
                )
            elif "?" in end or asks(clause):
                asking = True
        return frozenset(scene) if asking else frozenset()

    def _slips(self, raw: Sequence[str]) -> frozenset[str]:
        """The message's words that are slips of the keyboard for a word of the FAQ ("clincal",
        "massge"), as the speller reads them (bot.gloss.Glossary.readings): the words it
        corrects to a word of the FAQ's phrasings, and the words of its vocabulary that no
        phrasing uses (a synonym's form, a word of an answer or of an urgent trigger)."""
        speller = self.speller
        phrasing = speller.phrasing_words
        slips = set()
        for word in raw:
            # a short word is too easily one slip from another ("la", Spanish "the")
            if len(word) <= 3 or word in phrasing or word in STOPWORDS:
                continue
            corrected = speller.correct(word)
            if (corrected != word and corrected in phrasing) or word in speller.vocabulary:
                slips.add(word)
        return frozenset(slips)

    def _mended(self, text: str) -> str:
        """The message with each misspelt word replaced by the word the speller reads it as
        ("sciatia masage ok" reads "sciatica massage ok"), for the model."""
        def mend(found: re.Match[str]) -> str:
            word = found.group(0)
            folded = word.casefold()
            corrected = self.speller.correct(folded)
            return word if corrected == folded else corrected

        return _WORD.sub(mend, text)

    def _named(
        self, raw: list[str], terms: list[str], query: Query
    ) -> tuple[str, str] | None:
        """The not-covered phrase with a `no` line that the message names, and that line: the
        first in the message (the longest there, one written as the person wrote it, the first
        in the file), or None.

        A reply names only what the person wrote: the phrase's words, in another form
        ("allergy", "allergies") or with one slip of the keyboard ("psoraisis"). A bolder
        correction of the speller's ("balinese" read as "baldness") names nothing."""
        lacking = query.not_covered
        if not lacking or not self._no_lines:
            return None
        best: tuple[tuple[int, int, bool], str, str] | None = None
        for first in dict.fromkeys(terms):
            for folded, written, phrase, no in self._no_lines.get(first, ()):
                if not lacking.issuperset(folded):
                    continue  # not a topic the lexical index found the message lacking
                size = len(folded)
                start = next((
                    start for start in range(len(terms) - size + 1)
                    if tuple(terms[start : start + size]) == folded
                ), None)
                if start is None:
                    continue
                said = tuple(raw[start : start + size])
                if not all(map(_same_word, said, written)):
                    continue
                rank = (start, -size, said != written)
                if best is None or rank < best[0]:
                    best = (rank, phrase, no)
        return None if best is None else (best[1], best[2])

    def _candidates(self, text: str, among: Sequence[int] | None = None) -> _Read:
        """`candidates`, with what else the decision and the reply read of the message (see
        _Read). With `among`, only those entries are compared with the message and put
        forward (Matcher._focused)."""
        raw, clause_of = self.speller.words_by_clause(text)
        terms = self.speller.terms_of(raw)
        urgency = self._triage.urgency(terms, clause_of, text=text)
        # A message in another language is read word for word in English (bot.gloss), and
        # triaged in English too: urgent.yaml's English triggers know more signs than its
        # phrases of other languages, and the glossary reads what tells that a sign is not
        # happening now ("keine Brustschmerzen": no chest pain; "fast einen Herzinfarkt":
        # nearly a heart attack), which the triggers of the message's own words miss.
        # (and, for the model, without the words the glossary could not read: below)
        glossed = self.glossary.readings(text, self.speller.phrasing_words, self._slips(raw))
        reading = glossed[0] if glossed is not None else None
        read_urgency = Urgency.NONE
        if reading is not None:
            read_raw, read_clause_of = self.speller.words_by_clause(reading)
            read_terms = self.speller.terms_of(read_raw)
            read_urgency = self._triage.urgency(read_terms, read_clause_of, text=reading)
        # Urgent when either reading finds a sign happening now, unless the other finds the
        # sign too and reads that it is not (a reading that lost the sign's words, or the
        # cue's, lets nothing go).
        readings = (urgency, read_urgency)
        if Urgency.NOW in readings and Urgency.NOT_NOW not in readings and (
            Urgency.ASKED not in readings
        ):
            return _Read(Match(Status.URGENT, score=100.0), [])
        smalltalk = self._triage.smalltalk(raw, terms)
        if smalltalk is None and reading is not None:  # "¡hola, muchas gracias!"
            smalltalk = self._triage.smalltalk(read_raw, read_terms)
        if smalltalk is not None:
            return _Read(Match(Status.SMALLTALK, score=100.0, smalltalk=smalltalk), [])
        # The model reads a message with its misspelt words as the speller reads them ("deap
        # tisue": deep tissue; validation + dev 0.839 -> 0.845 right, 1.5% -> 1.6% wrong, 4.3%
        # -> 4.5% off-topic answered; StackFAQ 0.890 -> 0.892), and a foreign message's
        # reading without the words the glossary could not read ("hilft Massage bei
        # Rückenschmerzen, sagt meine Oma"): to it they are noise. The lexical signal still
        # counts them, as words it does not know (one may be what the FAQ does not cover:
        # "Salbe", an ointment). Multilingual sets: 0.710 -> 0.741 right, the same 1.6% wrong
        # and 6.7% off-topic answered.
        if glossed is not None:  # matched in English from here on
            text, raw, terms, clause_of = glossed[0], read_raw, read_terms, read_clause_of
        model_source = text if glossed is None else glossed[1] or glossed[0]
        model_text = self._mended(self._abbreviations.spelled_out(model_source))
        # Courtesies around a question ("Dear team, ... Thank you in advance. Kind regards")
        # say nothing of what it asks, and dilute what the model reads of it.
        kept = self._without_courtesies(text)
        if kept != text:
            text, model_text = kept, self._without_courtesies(model_text)
            raw, clause_of = self.speller.words_by_clause(text)
            terms = self.speller.terms_of(raw)
        if not raw:  # emoji, punctuation or nothing: no words to go on
            return _Read(None, [])
        query = self._lexical.query(raw, terms, self._scene(text, raw, clause_of))
        vector = self.encoder.encode([model_text[:MAX_INPUT_CHARS]])[0]
        closeness = self._semantic.closeness_of(vector, among)
        if self._likeness.urgent(vector, float(closeness.head.max(initial=-1.0))):
            # like an emergency, though no trigger named it (bot.likeness)
            return _Read(Match(Status.URGENT, score=100.0), [])
        head = closeness.head
        by_meaning = top_indexes(head, CANDIDATES_PER_SIGNAL)
        by_words = self._lexical.candidates(query, CANDIDATES_PER_SIGNAL)
        top_meaning = int(by_meaning[0]) if len(by_meaning) else -1
        top_words = by_words[0] if by_words else -1
        indexes = list(dict.fromkeys([*map(int, by_meaning), *by_words]))
        if among is not None:
            indexes = list(among)
        overlaps = {index: self._lexical.overlap(query, index) for index in indexes}
        lexical = {index: o.head + o.body / 2 for index, o in overlaps.items()}
        # the best lexical score of the candidates, and the best but the leader's (0 if none)
        lexical_leader = max(lexical, key=lambda index: lexical[index], default=-1)
        lexical_best = lexical.get(lexical_leader, 0.0)
        lexical_runner_up = max(
            (score for index, score in lexical.items() if index != lexical_leader), default=0.0
        )
        # With one entry there is no other: its lead is over RIVAL_FLOOR.
        best_two = np.partition(head, -2)[-2:] if len(head) > 1 else np.array([0.0, *head])
        folded = normalize(text)
        result = []
        for index in indexes:
            overlap = overlaps[index]
            sem_head = float(head[index])
            other_head = max(
                float(best_two[1] if sem_head < best_two[1] else best_two[0]), RIVAL_FLOOR
            )
            other_lexical = lexical_runner_up if index == lexical_leader else lexical_best
            # (rapidfuzz's loop over the phrasings, in C: the same best ratio, a fifth the time)
            closest = process.extractOne(
                folded, self._folded[index], scorer=fuzz.ratio, processor=None
            )
            fuzzy = closest[1] if closest is not None else 0.0
            result.append(Candidate(index, (
                sem_head,
                float(closeness.question[index]),
                float(closeness.body[index]),
                float(closeness.whole[index]),
                sem_head - other_head,
                overlap.head,
                overlap.body,
                lexical[index] - other_lexical,
                float(index == top_meaning),
                float(index == top_words),
                overlap.phrasing,
                fuzzy / 100,
                float(overlap.uncovered),
                query.unknown_rare,
                query.unknown_everyday,
            )))
        return _Read(
            None, result, (raw, terms, query), Urgency.ASKED in readings,
            head if among is None else None, kept if glossed is None else None,
        )

    def _decide(
        self,
        candidates: list[Candidate],
        folded: tuple[list[str], list[str], Query] | None,
    ) -> Match:
        entries = [self._entries[candidate.index] for candidate in candidates]

        def ask_lead(position: int) -> float:
            if folded is None:
                return 0.0
            raw, terms, _ = folded
            return self._asks.lead(raw, terms, candidates[position].index)

        choice = self.decision.choose(
            [candidate.features for candidate in candidates],
            [candidate.index for candidate in candidates],
            # An entry linked to the best one (its list, or one of its items: "conditions" and
            # "condition-sciatica") is no rival: the answer offers it as a related button.
            lambda one, other: linked(entries[one], entries[other]),
            MAX_SUGGESTIONS,
            ask_lead,
        )
        if not choice.order:
            return Match(Status.NONE)
        plausible = tuple(
            Suggestion(entries[position], round(100 * choice.probabilities[position], 1))
            for position in choice.offered
        )
        score = round(100 * choice.confidence, 1)
        # A message that is, word for word, one entry's own question, alternate or keyword and
        # no other entry's is what the admin wrote that entry for: it is answered, whatever the
        # gate makes of so short a message ("back pain", a keyword of neck and back pain, was
        # only offered: sciatica's keywords hold the same words, and the gate reads a rival).
        exact = [
            position for position, candidate in enumerate(candidates)
            if candidate.features[FUZZY] == 1.0
        ]
        if len(exact) == 1 or choice.answer:
            chosen = exact[0] if len(exact) == 1 else choice.order[0]
            return Match(
                Status.ANSWER, score=score, entry=entries[chosen], suggestions=plausible
            )
        if plausible:
            first = candidates[choice.offered[0]].features[UNCOVERED] >= 0.5
            return Match(Status.SUGGEST, score=score, suggestions=plausible, outside=first)
        return Match(Status.NONE, score=score)


def _same_word(said: str, written: str) -> bool:
    """Whether a word the person wrote is a phrase's word: another form of it, or it with one
    slip (a letter wrong, missing, extra, or two swapped)."""
    return stem(said) == stem(written) or OSA.distance(said, written, score_cutoff=1) <= 1


def top_indexes(scores: np.ndarray, count: int) -> np.ndarray:
    """The indexes of the `count` highest scores, best first, a tie in index order: as a
    stable argsort would give them, without sorting all of a big FAQ's scores."""
    if len(scores) > count:
        # every index scoring at least the count-th best (ties included), then those sorted
        threshold = np.partition(scores, len(scores) - count)[len(scores) - count]
        chosen = np.flatnonzero(scores >= threshold)
    else:
        chosen = np.arange(len(scores))
    return chosen[np.argsort(-scores[chosen], kind="stable")][:count]


def linked(one: Entry, other: Entry) -> bool:
    """Whether one entry lists the other as related (a list and one of its items)."""
    return other.id in one.related or one.id in other.related


def speller_for(
    faq: Faq, everyday: frozenset[str] | None = None, glossary: Glossary | None = None
) -> Speller:
    """The typo corrector for a FAQ: its words, its phrasings' words, everyday English (the
    bundled list unless `everyday` is given), its synonyms, and the words of the other
    languages of the glossary the matcher reads with (the built-in one unless given)."""
    return Speller(
        _word_usage(faq),
        (word for entry in faq.entries for text in entry.phrasings for word in words(text)),
        common_words() if everyday is None else everyday,
        faq.synonyms,
        (glossary or builtin_glossary()).words,
    )


def _word_usage(faq: Faq) -> Counter[str]:
    """How often the FAQ uses each word, in every text a message is matched against. The
    urgent triggers' words count once each: thousands of triggers say "dead" more often than
    a FAQ says "deep", yet "deap tissue" means the FAQ's word. So do small talk's ("dear team",
    "dear sir", "dear madam")."""
    texts: list[str] = [faq.disclaimer, *faq.not_covered]
    for entry in faq.entries:
        texts.extend(entry.phrasings)
        texts.append(entry.answer)
    for word, variants in faq.synonyms.items():
        texts.append(word)
        texts.extend(variants)
    usage = Counter(word for text in texts for word in words(text, limit=None))
    usage.update({
        word
        for text in (
            *faq.urgent_words(), *faq.urgent_past, *faq.urgent_current,
            *(trigger for kind in faq.smalltalk for trigger in kind.triggers),
        )
        for word in words(text, limit=None)
    })
    return usage
