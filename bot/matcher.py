"""Matching a person's message to the FAQ: pure Python, no Telegram, built once per FAQ load.

How a message is decided, in order:
1. urgent: any urgent trigger phrase in the message (urgent wins over everything else), unless
   every trigger in it is told as history ("a heart attack two years ago") and nothing in the
   message says it is happening now;
2. smalltalk: the message is only greetings, thanks or goodbyes;
3. the FAQ: every content word of the message is weighted by how rare it is across the FAQ
   (so "fasciitis" counts for much more than "massage"); a word the FAQ never uses counts as
   rare too, which is what makes "do you treat asthma?" decline instead of matching "treat";
   a topic the FAQ lists as `not_covered` (prices, other treatments) weighs more still, so a
   message about it declines unless it is just as clearly about an entry.
   An entry scores by how much of the message's weight its question, alternates and keywords
   explain (answer text counts for less), times how completely the message contains one of its
   phrasings. A clear winner is answered, near-ties become suggestions, weak matches decline.
   The more of an entry's words the message shares, the smaller the lead it needs; and a story
   around a clear topic ("lumbago flared up after shovelling snow") explains less of the
   message, so a clear winner a little under the answer bar is answered too when it shares at
   least two words with the message and the message names no topic the FAQ lacks. In a long
   message, words past a point count less, as people tell their question inside a story
   ("I'm a nurse on night shifts and ..."), unless the sentence that asks names a topic the
   FAQ lacks.

Typos are corrected word by word against the FAQ's own vocabulary with rapidfuzz (and a word
split in two, "sci atica", is joined), before synonyms ("hurts" -> "pain") and a light stemmer
bring both sides to the same terms.
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.faq import URGENT_AND, Entry, Faq, Smalltalk
from bot.lexicon import common_words
from bot.sounds import sound_key
from bot.text import CONTEXT_WORDS, STOPWORDS, stem, words


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
    """The decision for one message. `entry` is set only for ANSWER, `smalltalk` for SMALLTALK."""

    status: Status
    score: float = 0.0  # the best entry's; 0 for a decline that no entry came close to
    entry: Entry | None = None
    suggestions: tuple[Suggestion, ...] = ()
    smalltalk: Smalltalk | None = None


@dataclass(frozen=True)
class Thresholds:
    """The calibrated decision boundaries (scores are 0-100).

    answer: the best entry's score needed to answer;
    margin: how far ahead of the runner-up it must be, else the two are offered as suggestions;
        each term beyond `shared_terms` that the message shares with its phrasings divides
        the margin (3 shared terms: half of it; 4: a third), as that is more evidence for it;
    suggest: the score below which nothing is offered and the bot declines;
    shared_terms: a best entry scoring from `suggest` up to `answer`, clear of the runner-up,
        is answered when its phrasings share at least this many terms with the message and the
        message names no `not_covered` topic (one shared word, like "morning", is coincidence);
    body_weight: how much a word found only in an entry's answer text counts (1 = like a keyword);
    phrase_floor: the share of the score that does not depend on containing a whole phrasing;
    unknown_weight: the weight of a word the FAQ never uses, relative to its rarest word;
    chatter_weight: the same for an everyday English word the FAQ never uses ("kettle");
    context_weight: the same for a word about the asker's situation ("doctor", "years"), which
        an entry may still use ("are you a doctor?"), but which must not outweigh the topic;
    not_covered_weight: the weight of each word of a `not_covered` phrase, on the same scale;
    story_weight, story_share: people tell a story around their question ("I'm a nurse on night
        shifts and ... can you help with back pain like this?"), so of a message's weight
        beyond `story_weight` times the rarest word's weight, each word counts only
        `story_share`: a long message with a clear topic is not declined for its length. A
        not-covered topic in the story ("my osteopath said ...") counts as part of the story;
        but when the sentence that asks names one ("... is there parking?"), that is the
        question, and nothing is discounted.
    """

    answer: float = 40.0
    margin: float = 12.0
    suggest: float = 35.0
    shared_terms: int = 2
    body_weight: float = 0.5
    phrase_floor: float = 0.3
    unknown_weight: float = 0.8
    chatter_weight: float = 0.4
    context_weight: float = 0.1
    not_covered_weight: float = 2.0
    story_weight: float = 3.5
    story_share: float = 0.2
    max_suggestions: int = 3


# How far a misspelt word may be from the FAQ word it is corrected to (optimal string alignment,
# so a swapped pair of letters costs one). Candidates share the first letter (people rarely get
# that wrong) and a three-letter word may only gain a letter ("bak" -> "back", "nek" -> "neck").
def _max_typo_distance(length: int) -> int:
    if length < 3:
        return 0
    if length < 8:
        return 1
    return 2


# A word spelt by ear ("psyatica") is corrected by its sound (see bot/sounds.py) only to an FAQ
# word this long: a short word's sound is too little to go on ("stix" is not "sticks"). The sound
# may differ in one mark only in a key this long ("fiber my algae": "fibromyalgia").
_SOUNDED_LENGTH = 7
_SOUND_SLIP_LENGTH = 10
# How many words a slip or voice-to-text may split one word into, the most tried first.
_SPLIT_SIZES = (3, 2)
# The shortest FAQ word read out of a word with a space left out: shorter pieces ("in", "up")
# make too many false splits.
_PART_LENGTH = 3


class Matcher:
    """An index over one Faq. Build once per load; `match()` is then fast and never raises."""

    def __init__(
        self,
        faq: Faq,
        thresholds: Thresholds | None = None,
        everyday: frozenset[str] | None = None,
    ) -> None:
        self.faq = faq
        self.thresholds = thresholds or Thresholds()
        self._everyday = common_words() if everyday is None else everyday
        self._synonyms = _synonym_map(faq)
        usage = self._word_usage()
        self._vocabulary = frozenset(usage) | STOPWORDS | CONTEXT_WORDS
        # Typo candidates by first letter, the FAQ's most used words first: a typo as close to
        # two words ("deap": "deep", "dead") means the one the FAQ talks about more.
        self._by_initial: dict[str, list[str]] = {}
        for word in sorted(self._vocabulary, key=lambda word: (-usage.get(word, 0), word)):
            self._by_initial.setdefault(word[0], []).append(word)
        # The FAQ's own long words that everyday English lacks (the medical names), by how they
        # sound, the most used first: a word spelt by ear is corrected to one of these.
        self._by_sound: dict[str, str] = {}
        for word, _ in usage.most_common():
            if len(word) >= _SOUNDED_LENGTH and word.isalpha() and word not in self._everyday:
                self._by_sound.setdefault(sound_key(word), word)
        self._sounds = list(self._by_sound)
        # word -> term, as `_terms_of` makes it: remembers typo corrections too, the costly part
        self._term_of: dict[str, str] = {}
        self._whole_of: dict[str, str] = {}  # words run together -> the FAQ word they make, or ""
        # A word with a space left out ("backpain", "deeptissue") is read as the two words of
        # the entries' phrasings it is made of (not of urgent or not-covered phrases, so
        # "painkiller" is not "pain killer"); `_parts_of` remembers each split, or ().
        self._faq_words = frozenset(
            word
            for entry in faq.entries
            for phrasing in entry.phrasings
            for word in words(phrasing, limit=None)
        ) - STOPWORDS
        self._parts_of: dict[str, tuple[str, ...]] = {}

        # "fever & stiff neck": every part must appear, anywhere in the message, in any order.
        # Triggers and not-covered phrases are filed under their first term, with every term
        # they need, so a message is only scanned for those whose words it holds (a word class
        # spelt out makes dozens of triggers start with "cant" or "took").
        self._urgent = _by_first_term(
            [self.terms(part) for part in trigger.split(URGENT_AND)]
            for trigger in faq.urgent_phrases()
        )
        self._urgent_past = [self.terms(phrase) for phrase in faq.urgent_past]
        self._urgent_current = [self.terms(phrase) for phrase in faq.urgent_current]
        self._not_covered = _by_first_term(
            [self.terms(phrase)] for phrase in faq.not_covered
        )
        self._smalltalk = [
            (kind, [self.terms(trigger) for trigger in kind.triggers]) for kind in faq.smalltalk
        ]

        entries = faq.entries
        self._entries = entries
        self._index_of = {entry.id: index for index, entry in enumerate(entries)}
        heads: list[frozenset[str]] = []  # the terms of each entry's phrasings
        self._body: list[frozenset[str]] = []
        phrases: list[list[frozenset[str]]] = []  # each entry's phrasings, as distinct term sets
        for entry in entries:
            distinct = {frozenset(self.content_terms(phrasing)) for phrasing in entry.phrasings}
            distinct.discard(frozenset())
            phrases.append(sorted(distinct, key=sorted))
            head = frozenset().union(*distinct)
            heads.append(head)
            self._body.append(frozenset(self.content_terms(entry.answer)) - head)

        count = len(entries)
        document_frequency: dict[str, int] = {}
        for head_terms, body_terms in zip(heads, self._body, strict=True):
            for term in head_terms | body_terms:
                document_frequency[term] = document_frequency.get(term, 0) + 1
        self._idf = {
            term: math.log(1 + count / df) for term, df in document_frequency.items()
        }
        # A word the FAQ never uses may be the topic of the question (one the FAQ has nothing
        # on) or just chatter, so it weighs a fixed share of the rarest word's weight; less if it
        # is an everyday word. A word of a not-covered phrase is known to be a topic the FAQ
        # lacks, so it weighs more. Words about the asker's situation weigh little everywhere.
        rarest = math.log(1 + count)
        limits = self.thresholds
        self._unknown_idf = rarest * limits.unknown_weight
        self._chatter_idf = rarest * limits.chatter_weight
        self._not_covered_idf = rarest * limits.not_covered_weight
        self._story_after = rarest * limits.story_weight
        self._context_idf = rarest * limits.context_weight
        self._context = frozenset(self._terms_of(sorted(CONTEXT_WORDS))) | CONTEXT_WORDS
        self._purpose = self._terms_of([_PURPOSE_TERM])[0]
        for term in self._context & self._idf.keys():
            self._idf[term] = self._context_idf

        # The lowest best score that can be answered (see `shared_terms`), and under which an
        # entry changes no decision: it is too low to be suggested, and too far below any
        # answerable best to take away its margin.
        self._answerable_score = min(limits.suggest, limits.answer)
        self._relevant_score = self._answerable_score - limits.margin
        # Each entry's phrasings with their weights, for how completely a message holds one.
        self._phrasings: list[list[tuple[frozenset[str], float]]] = [
            [(phrase, max(sum(self.idf(term) for term in phrase), 1e-9)) for phrase in bags]
            for bags in phrases
        ]
        # For each head term of an entry, 1 / the weight of its lightest phrasing holding the
        # term: a message term of weight w can make that entry's phrasings at most w x this
        # complete, which bounds an entry's score before its phrasings are looked at.
        self._head_reach: list[dict[str, float]] = []
        for phrasings in self._phrasings:
            reach: dict[str, float] = {}
            for phrase, weight in phrasings:
                for term in phrase:
                    reach[term] = max(reach.get(term, 0.0), 1 / weight)
            self._head_reach.append(reach)
        self._head_postings = _postings(self._head_reach)
        self._body_postings = _postings(self._body)
        # Per term, the entries whose phrasings it can make the most complete: these are
        # considered first. `_weak` is the most the term can add to any other entry, per unit of
        # its weight: to the share explained (1 in a phrasing, body_weight in the answer only)
        # and to the bound on completeness.
        self._strong: dict[str, list[int]] = {}
        self._weak: dict[str, tuple[float, float]] = {}
        for term in self._head_postings.keys() | self._body_postings.keys():
            by_reach = sorted(
                self._head_postings.get(term, ()),
                key=lambda index: -self._head_reach[index][term],
            )
            self._strong[term] = by_reach[:_STRONG_BLOCK]
            if len(by_reach) > _STRONG_BLOCK:
                self._weak[term] = (1.0, self._head_reach[by_reach[_STRONG_BLOCK]][term])
            elif term in self._body_postings:
                self._weak[term] = (limits.body_weight, 0.0)
            else:
                self._weak[term] = (0.0, 0.0)

    # -- turning text into terms ------------------------------------------------------------

    def _word_usage(self) -> Counter[str]:
        """How often the FAQ uses each word, in every text a message is matched against."""
        texts: list[str] = [
            self.faq.disclaimer, *self.faq.urgent_words(), *self.faq.urgent_past,
            *self.faq.urgent_current, *self.faq.not_covered,
        ]
        for entry in self.faq.entries:
            texts.extend(entry.phrasings)
            texts.append(entry.answer)
        for kind in self.faq.smalltalk:
            texts.extend(kind.triggers)
        for word, variants in self.faq.synonyms.items():
            texts.append(word)
            texts.extend(variants)
        return Counter(word for text in texts for word in words(text, limit=None))

    def correct(self, word: str) -> str:
        """The FAQ word a misspelt word most likely means, or the word itself."""
        if word in self._vocabulary or word in self._everyday or not word.isalpha():
            return word
        limit = _max_typo_distance(len(word))
        if not limit:
            return word
        candidates: Sequence[str] = self._by_initial.get(word[0], ())
        if len(word) == 3:
            candidates = [candidate for candidate in candidates if len(candidate) == 4]
        found = process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=limit)
        if found is not None:
            return str(found[0])
        return self._sounded(word) or word

    def _sounded(self, word: str) -> str | None:
        """The FAQ's long word that `word` sounds like ("psyatica": "sciatica"), if any."""
        if len(word) < _SOUNDED_LENGTH - 1:  # one letter short of the FAQ word at most
            return None
        key = sound_key(word)
        exact = self._by_sound.get(key)
        if exact is not None or len(key) < _SOUND_SLIP_LENGTH:
            return exact
        found = process.extractOne(key, self._sounds, scorer=OSA.distance, score_cutoff=1)
        return None if found is None else self._by_sound[found[0]]

    def _rejoin(self, raw: list[str]) -> list[str]:
        """Words a slip split apart, read as the FAQ word they make together: "fybro myalgia",
        "sci atica" (typo-corrected when neither half is a word the FAQ or everyday English
        knows, so "treat sci" never becomes "treats"), and voice-to-text's "sigh attica" or
        "fiber my algae" (by sound, when the words make one of the FAQ's long words)."""
        joined: list[str] = []
        position = 0
        while position < len(raw):
            for size in _SPLIT_SIZES:
                run = raw[position:position + size]
                whole = self._whole(run) if len(run) == size else ""
                if whole:
                    joined.append(whole)
                    position += size
                    break
            else:
                joined.extend(self._parts(raw[position]) or (raw[position],))
                position += 1
        return joined

    def _parts(self, word: str) -> tuple[str, ...]:
        """The two FAQ words a word unknown to the FAQ and to everyday English is made of
        ("backpain": "back", "pain"), or () when it is no such pair (see `_rejoin`)."""
        parts = self._parts_of.get(word)
        if parts is not None:
            return parts
        parts = ()
        if (
            len(word) >= 2 * _PART_LENGTH
            and word.isalpha()
            and word not in self._vocabulary
            and word not in self._everyday
        ):
            parts = next(
                (
                    (word[:cut], word[cut:])
                    for cut in range(_PART_LENGTH, len(word) - _PART_LENGTH + 1)
                    if word[:cut] in self._faq_words and word[cut:] in self._faq_words
                ),
                (),
            )
        return _remember(self._parts_of, word, parts)

    def _whole(self, run: list[str]) -> str:
        """The FAQ word a run of words makes together, or "" (see `_rejoin`)."""
        first, *middle, last = run
        if (
            first in self._vocabulary or last in self._vocabulary
            or any(word in self._vocabulary and word not in STOPWORDS for word in middle)
            or not all(word.isalpha() for word in run)
        ):
            return ""
        key = " ".join(run)
        whole = self._whole_of.get(key)
        if whole is None:
            together = "".join(run)
            if not middle and not (first in self._everyday or last in self._everyday):
                whole = self.correct(together)
                whole = whole if whole in self._vocabulary else ""
            else:
                whole = "" if together in self._everyday else (self._sounded(together) or "")
            whole = _remember(self._whole_of, key, whole)
        return whole

    def terms(self, text: str) -> list[str]:
        """Every word of `text` as a matching term: typo-corrected, synonym-folded, stemmed."""
        return self._terms_of(words(text))

    def _terms_of(self, raw: Sequence[str]) -> list[str]:
        result = []
        known = self._term_of
        for word in raw:
            term = known.get(word)
            if term is None:
                stemmed = stem(self.correct(word))
                term = _remember(known, word, self._synonyms.get(stemmed, stemmed))
            result.append(term)
        return result

    def content_terms(self, text: str) -> list[str]:
        """The terms that carry the topic: no function words. Reads all of `text` (the FAQ's
        answers can be longer than a message)."""
        raw = words(text, limit=None)
        return self._content_of(raw, self._terms_of(raw))

    def _content_of(
        self, raw: Sequence[str], terms: Sequence[str], skip: Collection[int] = ()
    ) -> list[str]:
        """Content terms of an already folded message, leaving out the positions in `skip`."""
        return [
            term for position, (word, term) in enumerate(zip(raw, terms, strict=True))
            if position not in skip and self._is_content(word, term)
        ]

    def _is_content(self, word: str, term: str) -> bool:
        if word in STOPWORDS or term in STOPWORDS:
            return False
        # "3-4 times a month", "12hr shifts": numbers are detail, not topic
        return not any(ch.isdigit() for ch in word)

    def idf(self, term: str) -> float:
        return self._idf.get(term, self._unknown_idf)

    # -- deciding ---------------------------------------------------------------------------

    def match(self, text: str, *, exhaustive: bool = False) -> Match:
        """Decide what to do with one message. Never raises on any string.

        Only the entries that can change the decision are scored in full; `exhaustive` scores
        them all, which gives the same Match more slowly (the reference the tests compare with).
        """
        if not isinstance(text, str):
            return Match(Status.NONE)
        raw = self._rejoin(words(text))
        terms = self._terms_of(raw)
        present = set(terms)
        if self._is_urgent(terms, present):
            return Match(Status.URGENT, score=100.0)
        smalltalk = self._smalltalk_kind(raw, terms)
        if smalltalk is not None:
            return Match(Status.SMALLTALK, score=100.0, smalltalk=smalltalk)
        uncovered = self._uncovered(terms, present)
        weights = self._weigh(raw, terms, skip=uncovered)
        # A not-covered topic in the story around the question ("my osteopath said ...") is
        # context; in the sentence that asks ("... is there parking?") it is the question.
        asked = self._asked_beside_uncovered(text, weights) if uncovered else None
        story = asked is None
        if _asks_purpose(raw):
            weights.setdefault(self._purpose, self.idf(self._purpose) * _PURPOSE_WEIGHT)
        unexplained = self._not_covered_idf * len(uncovered)
        ranked = (
            self.rank(weights, unexplained, story=story) if exhaustive
            else self._contenders(weights, unexplained, story=story)
        )
        decided = self._decide(ranked, weights, names_uncovered=not story)
        if (
            decided.entry is not None and asked is not None
            and not asked & self._head_reach[self._index_of[decided.entry.id]].keys()
        ):
            # The story is about this entry ("my frozen shoulder ..."), but the question is
            # about something the FAQ does not cover: offered, not answered.
            return Match(Status.SUGGEST, score=decided.score, suggestions=decided.suggestions)
        return decided

    def _uncovered(self, terms: Sequence[str], present: set[str]) -> set[int]:
        """The positions of the words of the not-covered phrases a folded message holds."""
        return _positions_of(
            terms,
            (
                parts[0]
                for term in present
                for needs, parts in self._not_covered.get(term, ())
                if needs <= present
            ),
        )

    def _asked_beside_uncovered(
        self, text: str, weights: Mapping[str, float]
    ) -> frozenset[str] | None:
        """When the sentence that asks names a not-covered topic, its other content terms
        (what else it asks about); None when it names none. `text` names one, and `weights`
        are its content terms outside it, which is the answer when `text` is one sentence."""
        asking = _asking_sentence(text)
        if asking == text:
            return frozenset(weights)
        raw = self._rejoin(words(asking))
        terms = self._terms_of(raw)
        uncovered = self._uncovered(terms, set(terms))
        if not uncovered:
            return None
        return frozenset(self._weigh(raw, terms, skip=uncovered))

    def _weigh(
        self, raw: Sequence[str], terms: Sequence[str], skip: Collection[int]
    ) -> dict[str, float]:
        """Each content term of a folded message with its weight (how much it says the topic)."""
        weights: dict[str, float] = {}
        for position, (word, term) in enumerate(zip(raw, terms, strict=True)):
            if position in skip or term in weights or not self._is_content(word, term):
                continue
            known = self._idf.get(term)
            if known is not None:
                weights[term] = known
            elif word in self._context or term in self._context:
                weights[term] = self._context_idf
            elif word in self._everyday:
                weights[term] = self._chatter_idf
            else:
                weights[term] = self._unknown_idf
        return weights

    def rank(
        self, weights: Mapping[str, float], unexplained: float = 0.0, *, story: bool = True
    ) -> list[Suggestion]:
        """Every entry holding a message term, scored, best first (on a tie, the entry earlier
        in the FAQ first).

        `weights` are the message's content terms with their weights; `unexplained` is message
        weight no entry can explain (not-covered topics). An entry scores 100 x the share of
        the message's weight it explains, times how completely the message holds one of its
        phrasings (a factor from `phrase_floor` to 1). `story`: a long message's words count
        less past a point (see `story_weight`).
        """
        share = self._share_of(weights, unexplained, story)
        if share is None:
            return []
        holders: set[int] = set()
        for term in weights:
            holders.update(self._head_postings.get(term, ()))
            holders.update(self._body_postings.get(term, ()))
        scored = sorted(
            (
                (self._score(index, weights, share(self._part_and_reach(index, weights)[0])),
                 -index)
                for index in holders
            ),
            reverse=True,
        )
        return [Suggestion(self._entries[-negated], score) for score, negated in scored]

    def _share_of(
        self, weights: Mapping[str, float], unexplained: float, story: bool
    ) -> Callable[[float], float] | None:
        """How an entry's explained weight becomes its share of the message (None: the message
        has no weight). In a `story` (its not-covered words are context), past `story_weight`
        the message's words count only `story_share`; otherwise every word counts in full.
        An entry explaining all the weight that counts has the whole share."""
        told = sum(weights.values()) + (unexplained if story else 0.0)
        kept_whole = 0.0 if story else unexplained
        if told + kept_whole <= 0:
            return None
        after = self._story_after
        if story and told > after:
            told = after + (told - after) * self.thresholds.story_share
        total = told + kept_whole

        def share(explained: float) -> float:
            return min(1.0, explained / total)

        return share

    def _contenders(
        self, weights: Mapping[str, float], unexplained: float = 0.0, *, story: bool = True
    ) -> list[Suggestion]:
        """What `_decide` needs of `rank()`, without scoring every entry: the best entry, the
        others it could suggest, and enough of the rest to know whether one of them takes away
        the best one's margin. `_decide` makes the same Match of both lists.

        On a big FAQ a common word ("massage") reaches thousands of entries. But an entry's
        score has a cheap bound (the share of the message it explains, and `_head_reach`), so:
        the entries that hold a message term most strongly are bounded first, and then the
        holders of ever more common terms, only while entries not yet bounded could still
        matter; entries are scored in full highest bound first, while one could matter.
        """
        share = self._share_of(weights, unexplained, story)
        if share is None:
            return []
        floor = self.thresholds.phrase_floor
        explained: dict[int, float] = {}
        bounds: list[tuple[float, int]] = []  # a heap of (-bound, index)

        def bound_of(part: float, reach: float) -> float:
            # A score is rounded to one decimal, so it can be up to 0.05 over its raw bound;
            # 1e-9 because the bound sums in another order than the score.
            completeness = min(1.0, reach * (1 + 1e-9))
            # The share grows with the explained weight, so a bound on that bounds it.
            return 100 * share(part) * (floor + (1 - floor) * completeness) + 0.05 + 1e-9

        def consider(indexes: Iterable[int]) -> None:
            for index in indexes:
                if index not in explained:
                    part, reach = self._part_and_reach(index, weights)
                    explained[index] = part
                    heapq.heappush(bounds, (-bound_of(part, reach), index))

        # The terms whose holders are not all considered yet, the most common first.
        pending = sorted(filter(self._holders, weights), key=self._holders, reverse=True)
        for term in pending:
            consider(self._strong.get(term, ()))
        ranked: list[tuple[float, int]] = []  # (score, -index), best first
        rival = -math.inf  # the best score of an entry not linked to the best one
        while True:
            while bounds and self._could_matter(-bounds[0][0], bounds[0][1], ranked, rival):
                _, index = heapq.heappop(bounds)
                item = (self._score(index, weights, share(explained[index])), -index)
                bisect.insort(ranked, item, key=lambda entry: (-entry[0], -entry[1]))
                rival = self._rival(ranked, rival, item)
            # An entry not considered yet holds only pending terms, and none strongly.
            unseen = bound_of(
                sum(weights[term] * self._weak[term][0] for term in pending),
                sum(weights[term] * self._weak[term][1] for term in pending),
            )
            if not pending or not self._could_matter(unseen, None, ranked, rival):
                break
            rarest = pending.pop()
            consider(self._head_postings.get(rarest, ()))
            consider(self._body_postings.get(rarest, ()))
        return [Suggestion(self._entries[-negated], score) for score, negated in ranked]

    def _holders(self, term: str) -> int:
        """How many entries hold a term, in their phrasings or answer."""
        return len(self._head_postings.get(term, ())) + len(self._body_postings.get(term, ()))

    def _could_matter(
        self, bound: float, index: int | None, ranked: list[tuple[float, int]], rival: float
    ) -> bool:
        """Whether an entry scoring at most `bound` could change the decision on `ranked`
        (`index` None: any entry). It could if it could lead, be suggested, or be the best
        one's closest rival within the margin (`rival` is the closest so far); never under the
        relevant score.
        """
        limits = self.thresholds
        if bound < self._relevant_score:
            return False
        if not ranked:
            return True
        key = (bound, 1 if index is None else -index)  # an unknown entry might win a tie
        best = ranked[0][0]
        suggestions = limits.max_suggestions
        return (
            key > ranked[0]
            or (bound >= limits.suggest
                and (len(ranked) < suggestions or key > ranked[suggestions - 1]))
            or (best >= self._answerable_score and bound > max(best - limits.margin, rival))
        )

    def _rival(
        self, ranked: list[tuple[float, int]], rival: float, item: tuple[float, int]
    ) -> float:
        """The best score of an entry not linked to the best one, with `item` just scored (an
        entry linked to the best one is offered with its answer, so is no rival)."""
        leader = self._entries[-ranked[0][1]]
        if ranked[0] == item:  # a new best: who is linked to it has changed
            return max(
                (score for score, negated in ranked[1:]
                 if not _linked(leader, self._entries[-negated])),
                default=-math.inf,
            )
        if _linked(leader, self._entries[-item[1]]):
            return rival
        return max(rival, item[0])

    def _part_and_reach(self, index: int, weights: Mapping[str, float]) -> tuple[float, float]:
        """The message weight an entry explains (answer-text words count `body_weight`), and
        the bound on how completely the message holds one of its phrasings."""
        head, body = self._head_reach[index], self._body[index]
        body_weight = self.thresholds.body_weight
        part = reach = 0.0
        for term, weight in weights.items():
            share = head.get(term)
            if share is not None:
                part += weight
                reach += weight * share
            elif term in body:
                part += weight * body_weight
        return part, reach

    def _score(self, index: int, weights: Mapping[str, float], share: float) -> float:
        """One entry's score (see `rank`), given the share of the message it explains."""
        completeness = max(
            (
                sum(weights.get(term, 0.0) for term in phrase) / phrase_weight
                for phrase, phrase_weight in self._phrasings[index]
            ),
            default=0.0,
        )
        floor = self.thresholds.phrase_floor
        return round(100 * share * (floor + (1 - floor) * completeness), 1)

    def _decide(
        self, ranked: list[Suggestion], weights: Mapping[str, float], *, names_uncovered: bool
    ) -> Match:
        limits = self.thresholds
        if not ranked or ranked[0].score < limits.suggest:
            # How close a decline came, when it came close; below that, scores are not worked
            # out on a big FAQ (see `_contenders`), so they read 0 on every FAQ alike.
            close = bool(ranked) and ranked[0].score >= self._relevant_score
            return Match(Status.NONE, score=ranked[0].score if close else 0.0)
        best = ranked[0]
        # An entry linked to the best one (its list, or one of its items: "conditions" and
        # "condition-sciatica") is no rival: the answer offers it as a related button anyway.
        runner_up = next(
            (other.score for other in ranked[1:] if not _linked(best.entry, other.entry)), 0.0
        )
        plausible = tuple(
            suggestion for suggestion in ranked[: limits.max_suggestions]
            if suggestion.score >= limits.suggest
        )
        shared = self._shared_terms(best.entry, weights)
        # Each word the message shares with the best entry beyond `shared_terms` is more
        # evidence for it, so it needs less of a lead: the margin, halved, a third...
        lead = limits.margin / max(1, shared - limits.shared_terms + 1)
        if best.score - runner_up >= lead and (
            best.score >= limits.answer
            or (not names_uncovered and shared >= limits.shared_terms)
        ):
            return Match(Status.ANSWER, score=best.score, entry=best.entry, suggestions=plausible)
        return Match(Status.SUGGEST, score=best.score, suggestions=plausible)

    def _shared_terms(self, entry: Entry, weights: Mapping[str, float]) -> int:
        """How many of the message's content terms the entry's phrasings hold."""
        return len(weights.keys() & self._head_reach[self._index_of[entry.id]].keys())

    def _is_urgent(self, terms: Sequence[str], present: set[str]) -> bool:
        fired = [
            trigger
            for term in present
            for needs, trigger in self._urgent.get(term, ())
            if needs <= present and all(_contains_in_order(terms, part) for part in trigger)
        ]
        if not fired:
            return False
        past = _positions_of(terms, self._urgent_past) | _years_in(terms)
        if not past or _positions_of(terms, self._urgent_current):
            return True
        # "I had a heart attack two years ago, is massage ok now?" asks about history; but one
        # trigger told as current ("...and I've got chest pain") is enough for urgent care.
        return not all(_near(terms, trigger, past) for trigger in fired)

    def _smalltalk_kind(self, raw: Sequence[str], terms: Sequence[str]) -> Smalltalk | None:
        """The kind of small talk when the whole message is small talk, else None."""
        covered: set[int] = set()
        found: Smalltalk | None = None
        for kind, triggers in self._smalltalk:
            positions = _positions_of(terms, triggers)
            if positions:
                covered |= positions
                found = found or kind
        if found is None:
            return None
        leftover = (word for position, word in enumerate(raw) if position not in covered)
        return found if all(word in _SMALLTALK_FILLER for word in leftover) else None


# What may surround a greeting or thanks and still leave it small talk ("thanks so much for
# your help", "hi there bot").
_SMALLTALK_FILLER = STOPWORDS | frozenset(
    "help helping helped helpful answer answers reply replies chat info time nice lovely kind"
    " great brilliant amazing awesome wonderful perfect useful appreciate appreciated"
    " again".split()
)

# How far (in words) a trigger may be from an `urgent.past` phrase to be told as history: "a
# heart attack two years ago" (2), "fainted once after a massage years ago" (4).
_PAST_REACH = 6

# How many words (or words run together) the matcher remembers the folding of (see
# `_terms_of`, `_rejoin`).
_CACHE_LIMIT = 50_000


# What a cache remembers per word: a corrected word, or the pieces a word splits into.
_Value = TypeVar("_Value")


def _remember(cache: dict[str, _Value], key: str, value: _Value) -> _Value:
    """Store and return `value`; a full cache only stops remembering (hostile input must not
    grow memory)."""
    if len(cache) < _CACHE_LIMIT:
        cache[key] = value
    return value

# How many entries per term are considered first (see `_contenders`): enough that the rest
# hold it only as one word of a longer phrasing.
_STRONG_BLOCK = 32

# "what is X for?" and "what does X do?" ask what X is for, i.e. its purpose; "what will you
# do?" and "what do I do?" ask about the visit or for advice, so those subjects are left out.
_PURPOSE_OPENERS = frozenset({"what", "whats", "wat", "wot"})
_PURPOSE_AUXILIARIES = frozenset({"does", "do", "did", "will", "would", "can", "could"})
_NOT_PURPOSE_SUBJECTS = frozenset({"you", "u", "ya", "i", "we", "they"})
_PURPOSE_INTENDED = frozenset({"meant", "supposed"})
_PURPOSE_TERM = "purpose"
# Half an FAQ word's weight: the frame hints at the purpose, the words before it name the topic
# ("what is cupping for" stays with cupping).
_PURPOSE_WEIGHT = 0.5


def _asks_purpose(raw: Sequence[str]) -> bool:
    """Whether a message is framed as "what is X for?" or "what does X do (for me)?"."""
    if len(raw) > 2 and raw[0] in _PURPOSE_OPENERS and raw[-1] == "for":
        return True
    for position in range(len(raw) - 3):
        opener, auxiliary, subject = raw[position : position + 3]
        if opener not in _PURPOSE_OPENERS or subject in _NOT_PURPOSE_SUBJECTS:
            continue
        rest = raw[position + 3 :]
        if auxiliary in _PURPOSE_AUXILIARIES and "do" in rest:
            return True
        # "what is X meant to do?", "what's it supposed to do" (but not "what exactly am I
        # supposed to do?")
        for index, word in enumerate(rest):
            if word in _NOT_PURPOSE_SUBJECTS:
                break
            if word in _PURPOSE_INTENDED and rest[index + 1 : index + 3] == ["to", "do"]:
                return True
    return False


# Where one sentence ends and the next begins (a line break ends one too).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def _asking_sentence(text: str) -> str:
    """The sentence of a message that asks: its last with a question mark, else its last."""
    sentences = [sentence for sentence in _SENTENCE_END.split(text) if sentence.strip()]
    if not sentences:
        return text
    return next((one for one in reversed(sentences) if "?" in one), sentences[-1])


def _linked(one: Entry, other: Entry) -> bool:
    return other.id in one.related or one.id in other.related


def _synonym_map(faq: Faq) -> dict[str, str]:
    """Stem of every variant -> stem of its canonical word."""
    mapping: dict[str, str] = {}
    for word, variants in faq.synonyms.items():
        canonical = " ".join(stem(part) for part in words(word))
        for variant in variants:
            mapping[" ".join(stem(part) for part in words(variant))] = canonical
    return mapping


def _postings(bags: Iterable[Collection[str]]) -> dict[str, list[int]]:
    postings: dict[str, list[int]] = {}
    for index, bag in enumerate(bags):
        for term in bag:
            postings.setdefault(term, []).append(index)
    return postings


# A phrase as `_by_first_term` files it: the terms it needs, and its parts.
_Filed = tuple[frozenset[str], list[list[str]]]


def _by_first_term(phrases: Iterable[list[list[str]]]) -> dict[str, list[_Filed]]:
    """Multi-part phrases filed under the first term of their first part, each with the set of
    terms a message must hold to contain it. A phrase with an empty part can never match."""
    index: dict[str, list[_Filed]] = {}
    # Phrases written differently often fold to the same terms ("eyes rolled back", "eyes
    # rolling back"; a class phrase that is also a trigger of its own): each is filed once.
    filed: set[tuple[tuple[str, ...], ...]] = set()
    for parts in phrases:
        key = tuple(tuple(part) for part in parts)
        if parts and all(parts) and key not in filed:
            filed.add(key)
            needs = frozenset(term for part in parts for term in part)
            index.setdefault(parts[0][0], []).append((needs, parts))
    return index


def _positions_of(terms: Sequence[str], phrases: Iterable[Sequence[str]]) -> set[int]:
    """Positions in `terms` covered by a contiguous occurrence of any of the phrases."""
    covered: set[int] = set()
    for phrase in phrases:
        size = len(phrase)
        if not size:
            continue
        for start in range(len(terms) - size + 1):
            if terms[start] == phrase[0] and list(terms[start : start + size]) == list(phrase):
                covered.update(range(start, start + size))
    return covered


def _contains_in_order(terms: Sequence[str], phrase: Sequence[str], max_gap: int = 2) -> bool:
    """True when the phrase's terms occur in order, at most `max_gap` other terms apart."""
    return any(True for _ in _spans_in_order(terms, phrase, max_gap))


def _spans_in_order(
    terms: Sequence[str], phrase: Sequence[str], max_gap: int = 2
) -> Iterator[tuple[int, int]]:
    """(first, last) positions of each occurrence of the phrase as `_contains_in_order` finds
    them."""
    for start, term in enumerate(terms):
        if term != phrase[0]:
            continue
        position = start
        for wanted in phrase[1:]:
            window = terms[position + 1 : position + 2 + max_gap]
            if wanted not in window:
                break
            position += 1 + list(window).index(wanted)
        else:
            yield start, position


def _near(terms: Sequence[str], trigger: Sequence[Sequence[str]], positions: set[int]) -> bool:
    """True when some part of the trigger occurs within `_PAST_REACH` words of a position."""
    return any(
        not positions.isdisjoint(range(first - _PAST_REACH, last + _PAST_REACH + 1))
        for part in trigger
        for first, last in _spans_in_order(terms, part)
    )


def _years_in(terms: Sequence[str]) -> set[int]:
    """Positions of year numbers ("in 2019"): an event with a year is told as history."""
    return {
        position for position, term in enumerate(terms)
        if len(term) == 4 and term.isdigit() and term[:2] in ("19", "20")
    }
