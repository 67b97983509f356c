"""The lexical signal: which of a message's words each entry holds, weighted by how rare they are.

A message's content terms (function words dropped, typos corrected, stemmed: bot/spelling.py)
are weighted by inverse document frequency over the FAQ's entries, so "fasciitis" counts for
far more than "massage". For an entry, the signal is the share of that weight its head (the
question, alternates and keywords) holds, the share only its answer holds, and how completely
the message holds one of its phrasings. Words the FAQ never uses are counted apart: an unknown
rare word ("psoriasis") is often the real topic of a question the FAQ cannot answer, while an
everyday one ("kettle") is usually chatter; the fitted decision weighs both.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.faq import Faq
from bot.spelling import Speller
from bot.text import CONTEXT_WORDS, REPORTING_WORDS, STOPWORDS
from bot.triage import spans_of


@dataclass(frozen=True)
class Query:
    """A message as the lexical index sees it."""

    weights: dict[str, float]  # content terms the FAQ uses, with their idf
    unknown_rare: float  # share of content words that neither the FAQ nor everyday English uses
    unknown_everyday: float  # share of content words that only everyday English uses
    size: int  # content words
    # the entries (by place) that cover a not-covered topic the message names, one set per
    # phrase named (bot.coverage): every other entry is not what it asks about
    topics: tuple[frozenset[int], ...] = ()
    # the not-covered phrases of no entry's topic the message holds, each as its terms (an
    # entry lacks one that neither its head nor its answer holds)
    named: frozenset[tuple[str, ...]] = frozenset()

    @property
    def not_covered(self) -> frozenset[str]:
        """The terms of the not-covered phrases the message holds."""
        return frozenset(term for phrase in self.named for term in phrase)


@dataclass(frozen=True)
class Overlap:
    """What one entry explains of a message."""

    head: float  # share of the message's FAQ-term weight its head holds
    body: float  # share held only by its answer
    phrasing: float  # how completely the message holds the entry's closest phrasing (0-1)
    # the message names a not-covered topic that the entry lacks (neither its head nor its
    # answer holds it), or one that other entries cover and this one does not
    uncovered: bool


class LexicalIndex:
    """Postings and weights of one FAQ's terms."""

    def __init__(
        self, faq: Faq, speller: Speller, owners: Mapping[str, frozenset[int]] | None = None
    ) -> None:
        """`faq` as bot.coverage reads it, and `owners`: each not-covered phrase its entries
        cover, with those entries."""
        self._speller = speller
        # per entry, the terms of its head: question, alternates and keywords
        self.heads: list[frozenset[str]] = []
        self._bodies: list[frozenset[str]] = []
        entry_phrasings: list[list[frozenset[str]]] = []
        # Each text folded once: entries that cover one not-covered topic all hold its phrases.
        terms_of_text: dict[str, frozenset[str]] = {}
        for entry in faq.entries:
            phrasings = set()
            for phrasing in entry.phrasings:
                if phrasing not in terms_of_text:
                    terms_of_text[phrasing] = frozenset(content_terms(speller, phrasing))
                phrasings.add(terms_of_text[phrasing])
            phrasings.discard(frozenset())
            head = frozenset().union(*phrasings)
            entry_phrasings.append(sorted(phrasings, key=sorted))
            self.heads.append(head)
            self._bodies.append(frozenset(content_terms(speller, entry.answer)) - head)
        count = len(faq.entries)
        frequency: dict[str, int] = {}
        for head, body in zip(self.heads, self._bodies, strict=True):
            for term in head | body:
                frequency[term] = frequency.get(term, 0) + 1
        # how many entries hold each term (bot.asks reads an entry's subject from it)
        self.entries_holding = frequency
        # BM25's idf (Robertson and Zaragoza 2009), kept positive for terms in most entries.
        self.idf = {
            term: math.log(1 + (count - df + 0.5) / (df + 0.5)) for term, df in frequency.items()
        }
        # Per term, the entries holding it in their head and those holding it only in their
        # answer, as arrays: a common word's postings on a big FAQ are summed in numpy.
        heads: dict[str, list[int]] = {}
        bodies: dict[str, list[int]] = {}
        for index, (head, body) in enumerate(zip(self.heads, self._bodies, strict=True)):
            for term in head:
                heads.setdefault(term, []).append(index)
            for term in body:
                bodies.setdefault(term, []).append(index)
        self._head_postings = {
            term: np.array(found, dtype=np.intp) for term, found in heads.items()
        }
        self._body_postings = {
            term: np.array(found, dtype=np.intp) for term, found in bodies.items()
        }
        self._count = count
        self._phrasings = [_Phrasings(phrasings, self.idf) for phrasings in entry_phrasings]
        # The not-covered phrases by their first term (a message is only scanned for those),
        # each with the entries that cover its topic (bot.coverage), or None while none does.
        self._not_covered: dict[str, list[tuple[list[str], frozenset[int] | None]]] = {}
        phrases = [*((phrase, None) for phrase in faq.not_covered), *(owners or {}).items()]
        for phrase, entries in phrases:
            if folded := speller.terms(phrase):
                self._not_covered.setdefault(folded[0], []).append((folded, entries))
        self._context = frozenset(speller.terms_of(sorted(CONTEXT_WORDS))) | CONTEXT_WORDS
        # Per entry, the not-covered phrases its answer says in so many words: a question about
        # one is about what the entry answers ("is this a prescription?" beside a disclaimer
        # that says it is none; "side effects" beside an answer that lists them).
        self._answers = [self._said_in(speller.terms(entry.answer)) for entry in faq.entries]

    def _said_in(self, terms: Sequence[str]) -> frozenset[tuple[str, ...]]:
        """The not-covered phrases (of no entry's topic) that `terms` hold, each as its terms."""
        said = set()
        for start, term in enumerate(terms):
            for phrase, owners in self._not_covered.get(term, ()):
                if owners is None and list(terms[start : start + len(phrase)]) == phrase:
                    said.add(tuple(phrase))
        return frozenset(said)

    def query(
        self, raw: Sequence[str], terms: Sequence[str], scene: frozenset[int] = frozenset()
    ) -> Query:
        """Weigh a folded message (`raw` words and their `terms`). `scene`: the positions of
        words that only set the scene of a question asked elsewhere in the message ("Before I
        book, could you explain ..."): a not-covered phrase there is not what it asks about,
        nor is one that names who said something ("my dentist said it's TMD")."""
        named = [
            found for term in set(terms) for found in self._not_covered.get(term, ())
        ]
        # each not-covered phrase of no entry's topic the message holds, and where it holds them
        lacking: list[list[str]] = []
        uncovered: set[int] = set()
        for phrase, owners in named:
            if owners is None and (spans := spans_of(terms, [phrase])):
                uncovered.update(
                    position for first, last in spans for position in range(first, last + 1)
                )
                if _asked_about(raw, spans, scene):
                    lacking.append(phrase)
        weights: dict[str, float] = {}
        rare = everyday = size = 0
        for position, (word, term) in enumerate(zip(raw, terms, strict=True)):
            if not _is_content(word, term) or term in weights:
                continue
            size += 1
            if position in uncovered or word in self._context or term in self._context:
                continue  # a not-covered topic or the asker's situation: not an entry's topic
            known = self.idf.get(term)
            if known is not None:
                weights[term] = known
            elif self._speller.is_everyday(word):
                everyday += 1
            else:
                rare += 1
        topics = tuple(
            owners for phrase, owners in named
            if owners is not None and _asked_about(raw, spans_of(terms, [phrase]), scene)
        )
        return Query(
            topics=topics,
            weights=weights,
            unknown_rare=rare / size if size else 0.0,
            unknown_everyday=everyday / size if size else 0.0,
            named=frozenset(map(tuple, lacking)),
            size=size,
        )

    def candidates(self, query: Query, limit: int) -> list[int]:
        """The entries holding the most of the message's weight, best first."""
        scores = np.zeros(self._count)
        for term, weight in query.weights.items():
            # a term is in an entry's head or only in its answer: each entry is added to once
            scores[self._head_postings.get(term, _NONE)] += weight
            scores[self._body_postings.get(term, _NONE)] += weight / 2
        held = np.flatnonzero(scores)
        # best first; a tie in FAQ order (the stable sort keeps `held` ascending)
        ranked = held[np.argsort(-scores[held], kind="stable")]
        return [int(index) for index in ranked[:limit]]

    def overlap(self, query: Query, index: int) -> Overlap:
        total = sum(query.weights.values())
        head = self.heads[index]
        held_head = sum(weight for term, weight in query.weights.items() if term in head)
        held_body = sum(
            weight for term, weight in query.weights.items() if term in self._bodies[index]
        )
        return Overlap(
            head=held_head / total if total else 0.0,
            body=held_body / total if total else 0.0,
            phrasing=self._phrasings[index].held(query.weights),
            uncovered=any(
                not head.issuperset(phrase) and phrase not in self._answers[index]
                for phrase in query.named
            ) or any(index not in entries for entries in query.topics),
        )


_NONE = np.array([], dtype=np.intp)

# How many function words may stand between who said something and the verb: "my dentist
# has also said".
_BEFORE_REPORTING = 2


def _asked_about(
    raw: Sequence[str], spans: Sequence[tuple[int, int]], scene: frozenset[int]
) -> bool:
    """Whether the message names a phrase, found at `spans` (first and last positions),
    somewhere as what it may ask about: not only in words that set the scene, nor only as who
    said something ("my chiropractor mentioned cupping", "dentist said TMD"), which is where a
    diagnosis came from, not what the message asks."""
    for first, last in spans:
        if first in scene:
            continue
        after = last + 1
        while after < min(len(raw), last + 1 + _BEFORE_REPORTING) and raw[after] in STOPWORDS:
            after += 1
        if after < len(raw) and raw[after] in REPORTING_WORDS:
            continue
        return True
    return False


class _Phrasings:
    """An entry's phrasings as sets of terms, for how completely a message holds one: the
    share of a phrasing's idf weight the message's terms hold."""

    def __init__(self, phrasings: Sequence[frozenset[str]], idf: dict[str, float]) -> None:
        # An entry can have a hundred keywords: each term lists the phrasings holding it, so a
        # message's few terms are added up in numpy instead of walking every phrasing.
        self._totals = np.array(
            [max(sum(idf.get(term, 0.0) for term in phrase), 1e-9) for phrase in phrasings]
        )
        holding: dict[str, list[int]] = {}
        for number, phrase in enumerate(phrasings):
            for term in phrase:
                holding.setdefault(term, []).append(number)
        self._holding = {term: np.array(found, dtype=np.intp) for term, found in holding.items()}

    def held(self, weights: dict[str, float]) -> float:
        """The largest share of one phrasing's weight held by `weights`' terms (0-1)."""
        if not len(self._totals):
            return 0.0
        held = np.zeros(len(self._totals))
        for term, weight in weights.items():
            found = self._holding.get(term)
            if found is not None:
                held[found] += weight
        return float((held / self._totals).max())


def content_terms(speller: Speller, text: str) -> list[str]:
    """The content terms of a FAQ text (all of it: answers can be long)."""
    raw = speller.words(text)
    return [
        term for word, term in zip(raw, speller.terms_of(raw), strict=True)
        if _is_content(word, term)
    ]


def _is_content(word: str, term: str) -> bool:
    if word in STOPWORDS or term in STOPWORDS:
        return False
    # "3-4 times a month", "12hr shifts": numbers are detail, not topic
    return not any(ch.isdigit() for ch in word)
