"""Turning a message's words into matching terms: typos corrected against the FAQ's own words,
words split or run together by a slip put right, synonyms folded, a light stemmer applied.

This is the first stage of matching (normalise). Both sides go through it: the FAQ's texts
when the index is built, and each message. People type fast on phones and spell medical words
by ear, so a word the FAQ does not use is corrected to the closest FAQ word (rapidfuzz, a
letter or two off) unless it is everyday English, which keeps "hammering" from becoming
"hamstring".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.sounds import sound_key
from bot.text import CONTEXT_WORDS, STOPWORDS, clauses, stem, words


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
# How many words (or runs of words) a speller remembers the folding of: hostile input must
# not grow memory without bound.
_CACHE_LIMIT = 50_000

_Value = TypeVar("_Value")


def remember(cache: dict[str, _Value], key: str, value: _Value) -> _Value:
    """Store and return `value`; a full cache only stops remembering."""
    if len(cache) < _CACHE_LIMIT:
        cache[key] = value
    return value


class Speller:
    """Folds words to terms against one FAQ's vocabulary. Built once per FAQ load."""

    def __init__(
        self,
        usage: Counter[str],
        phrasing_words: Iterable[str],
        everyday: frozenset[str],
        synonyms: Mapping[str, Sequence[str]],
        foreign: Mapping[str, str] | None = None,
    ) -> None:
        """`usage`: how often the FAQ uses each word (in everything a message is matched
        against); `phrasing_words`: the words of the entries' questions, alternates and
        keywords (a word run together is only split into these); `everyday`: everyday English
        words, never corrected; `synonyms`: word -> its variants, folded to the word;
        `foreign`: words of the other languages the bot reads (bot.gloss) with their English,
        corrected only to that."""
        self._everyday = everyday
        self._foreign = foreign or {}
        self._synonyms = _synonym_map(synonyms)
        self.vocabulary = frozenset(usage) | STOPWORDS | CONTEXT_WORDS
        # Typo candidates by first letter, the FAQ's most used words first: a typo as close to
        # two words ("deap": "deep", "dead") means the one the FAQ talks about more.
        self._by_initial: dict[str, list[str]] = {}
        for word in sorted(self.vocabulary, key=lambda word: (-usage.get(word, 0), word)):
            self._by_initial.setdefault(word[0], []).append(word)
        # The FAQ's own long words that everyday English lacks (the medical names), by how they
        # sound, the most used first: a word spelt by ear is corrected to one of these. Words
        # used as often are taken in alphabetical order, as above: in `usage`'s own order (of
        # sets of words) the choice between two that sound alike changed from one process to
        # the next ("desmaia" read as Portuguese "desmaiou" or Spanish "desmayo").
        self._by_sound: dict[str, str] = {}
        for word, _ in sorted(usage.items(), key=lambda item: (-item[1], item[0])):
            if len(word) >= _SOUNDED_LENGTH and word.isalpha() and word not in everyday:
                self._by_sound.setdefault(sound_key(word), word)
        self._sounds = list(self._by_sound)
        self._faq_words = frozenset(phrasing_words) - STOPWORDS
        self._term_of: dict[str, str] = {}
        self._correction_of: dict[str, str] = {}
        self._whole_of: dict[str, str] = {}
        self._parts_of: dict[str, tuple[str, ...]] = {}

    def correct(self, word: str) -> str:
        """The FAQ word a misspelt word most likely means, or the word itself."""
        if word in self.vocabulary or word in self._everyday or not word.isalpha():
            return word
        known = self._correction_of.get(word)
        if known is not None:
            return known
        corrected = self._corrected(word)
        # A word of another language the bot reads is corrected only to what it means there
        # ("fibromialgia", fibromyalgia); Portuguese "usar" is no slip of Polish "udar".
        meaning = self._foreign.get(word)
        if meaning is not None and corrected not in meaning.split():
            corrected = word
        return remember(self._correction_of, word, corrected)

    def _corrected(self, word: str) -> str:
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

    def rejoin(self, raw: list[str]) -> list[str]:
        """Words a slip split apart, read as the FAQ word they make together ("sci atica",
        voice-to-text's "sigh attica"), and a word with a space left out read as the two FAQ
        words it is made of ("backpain")."""
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
        ("backpain": "back", "pain"), or ()."""
        parts = self._parts_of.get(word)
        if parts is not None:
            return parts
        parts = ()
        if (
            len(word) >= 2 * _PART_LENGTH
            and word.isalpha()
            and word not in self.vocabulary
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
        return remember(self._parts_of, word, parts)

    def _whole(self, run: list[str]) -> str:
        """The FAQ word a run of words makes together, or ""."""
        first, *middle, last = run
        if (
            first in self.vocabulary or last in self.vocabulary
            or any(word in self.vocabulary and word not in STOPWORDS for word in middle)
            or not all(word.isalpha() for word in run)
        ):
            return ""
        key = " ".join(run)
        whole = self._whole_of.get(key)
        if whole is None:
            together = "".join(run)
            if not middle and not (first in self._everyday or last in self._everyday):
                whole = self.correct(together)
                whole = whole if whole in self.vocabulary else ""
            else:
                whole = "" if together in self._everyday else (self._sounded(together) or "")
            whole = remember(self._whole_of, key, whole)
        return whole

    def words(self, text: str, limit: int | None = None) -> list[str]:
        """The folded words of `text` with slips of the space bar put right."""
        return self.rejoin(words(text, limit=limit))

    def words_by_clause(self, text: str) -> tuple[list[str], list[int]]:
        """The folded words of a message as `words` reads them (a slip of the space bar is put
        right within a clause), and the number of the clause each is in."""
        folded: list[str] = []
        clause_of: list[int] = []
        for number, clause in enumerate(clauses(text)):
            found = self.words(clause)
            folded.extend(found)
            clause_of.extend([number] * len(found))
        return folded, clause_of

    def terms(self, text: str) -> list[str]:
        """Every word of `text` as a matching term: typo-corrected, synonym-folded, stemmed."""
        return self.terms_of(words(text, limit=None))

    def terms_of(self, raw: Sequence[str]) -> list[str]:
        result = []
        known = self._term_of
        for word in raw:
            term = known.get(word)
            if term is None:
                stemmed = stem(self.correct(word))
                term = remember(known, word, self._synonyms.get(stemmed, stemmed))
            result.append(term)
        return result

    @property
    def phrasing_words(self) -> frozenset[str]:
        """The words of the entries' questions, alternates and keywords (no stop words)."""
        return self._faq_words

    def is_everyday(self, word: str) -> bool:
        return word in self._everyday


def _synonym_map(synonyms: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Stem of every variant -> stem of its canonical word."""
    mapping: dict[str, str] = {}
    for word, variants in synonyms.items():
        canonical = " ".join(stem(part) for part in words(word))
        for variant in variants:
            mapping[" ".join(stem(part) for part in words(variant))] = canonical
    return mapping
