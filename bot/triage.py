"""What is decided before the FAQ is searched: urgent care, and small talk.

Urgent: a message holding an urgent trigger (bot/data/urgent.yaml, plus any the admin adds)
gets the urgent-care reply whatever else it says, unless every trigger in it is told as
history ("a heart attack two years ago") and nothing says it is happening now. Small talk: a
message that is only a greeting, thanks or goodbye gets the short reply.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from bot.faq import URGENT_AND, Faq, Smalltalk
from bot.spelling import Speller
from bot.text import STOPWORDS

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


class Triage:
    """Urgent triggers and small talk of one FAQ, folded by its speller."""

    def __init__(self, faq: Faq, speller: Speller) -> None:
        terms = speller.terms
        # "fever & stiff neck": every part must appear, anywhere in the message, in any order.
        # Triggers are filed under their first term, with every term they need, so a message
        # is only scanned for those whose words it holds.
        self._urgent = _by_first_term(
            [terms(part) for part in trigger.split(URGENT_AND)]
            for trigger in faq.urgent_phrases()
        )
        self._past = [terms(phrase) for phrase in faq.urgent_past]
        self._current = [terms(phrase) for phrase in faq.urgent_current]
        self._smalltalk = [
            (kind, [terms(trigger) for trigger in kind.triggers]) for kind in faq.smalltalk
        ]

    def is_urgent(self, terms: Sequence[str]) -> bool:
        present = set(terms)
        fired = [
            trigger
            for term in present
            for needs, trigger in self._urgent.get(term, ())
            if needs <= present and all(_contains_in_order(terms, part) for part in trigger)
        ]
        if not fired:
            return False
        past = positions_of(terms, self._past) | _years_in(terms)
        if not past or positions_of(terms, self._current):
            return True
        # "I had a heart attack two years ago, is massage ok now?" asks about history; but one
        # trigger told as current ("...and I've got chest pain") is enough for urgent care.
        return not all(_near(terms, trigger, past) for trigger in fired)

    def smalltalk(self, raw: Sequence[str], terms: Sequence[str]) -> Smalltalk | None:
        """The kind of small talk when the whole message is small talk, else None."""
        covered: set[int] = set()
        found: Smalltalk | None = None
        for kind, triggers in self._smalltalk:
            positions = positions_of(terms, triggers)
            if positions:
                covered |= positions
                found = found or kind
        if found is None:
            return None
        leftover = (word for position, word in enumerate(raw) if position not in covered)
        return found if all(word in _SMALLTALK_FILLER for word in leftover) else None


# A phrase as `_by_first_term` files it: the terms it needs, and its parts.
_Filed = tuple[frozenset[str], list[list[str]]]


def _by_first_term(phrases: Iterable[list[list[str]]]) -> dict[str, list[_Filed]]:
    """Multi-part phrases filed under the first term of their first part, each with the set of
    terms a message must hold to contain it. A phrase with an empty part can never match."""
    index: dict[str, list[_Filed]] = {}
    # Phrases written differently often fold to the same terms ("eyes rolled back", "eyes
    # rolling back"): each is filed once.
    filed: set[tuple[tuple[str, ...], ...]] = set()
    for parts in phrases:
        key = tuple(tuple(part) for part in parts)
        if parts and all(parts) and key not in filed:
            filed.add(key)
            needs = frozenset(term for part in parts for term in part)
            index.setdefault(parts[0][0], []).append((needs, parts))
    return index


def positions_of(terms: Sequence[str], phrases: Iterable[Sequence[str]]) -> set[int]:
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
