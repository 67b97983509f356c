"""What is decided before the FAQ is searched: urgent care, and small talk.

Urgent: a message holding an urgent trigger (bot/data/urgent.yaml, plus any the admin adds)
gets the urgent-care reply whatever else it says, unless the sign it names is not happening to
anyone now. Two readings decide that. Within the sign's clause, a cue right next to it says it
is denied ("no chest pain"), asked about in general ("what are the signs of a stroke?", "can
a massage cause a blood clot?"), supposed ("what if a client faints?") or said in jest ("the
price nearly gave me a heart attack"), and a phrase may only hold a sign's words ("food
poisoning"):
bot/data/urgent_context.yaml, after ConText (Harkema et al. 2009). And a sign told as history
("a heart attack two years ago") is not urgent unless the message says that sign is happening
now. A message that says it only asks ("just curious"), or that laughs ("haha") in the
sentence of a sign or the one after it, reads the sign as asked about, unless the sign's clause
says now. Small talk: a message that is only a greeting, thanks or goodbye gets the short
reply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache, lru_cache

from bot.faq import URGENT_AND, Faq, Smalltalk
from bot.package_data import package_yaml
from bot.readings import signs
from bot.spelling import Speller
from bot.text import SENTENCE_MARKS, STOPWORDS, clauses_with_ends, ends_with_title, words

# What may surround a greeting or thanks and still leave it small talk ("thanks so much for
# your help", "hi there bot").
_SMALLTALK_FILLER = STOPWORDS | frozenset(
    "help helping helped helpful answer answers reply replies chat info time nice lovely kind"
    " great brilliant amazing awesome wonderful perfect useful appreciate appreciated"
    " again".split()
)

# What ends a sentence, in what ends a clause (bot.text.clauses_with_ends): a laugh is read
# within its sentence; a line break ends one too.
_SENTENCE_ENDS = (*SENTENCE_MARKS, "\n")
# ...and the words that turn one: what follows is no longer what the laugh was about
# ("probably overreacting haha but my dad's mouth has gone lopsided").
_TURNS = frozenset({"but", "however", "although", "though"})

# How far (in words) a trigger may be from an `urgent.past` phrase to be told as history: "a
# heart attack two years ago" (2), "fainted once after a massage years ago" (4).
_PAST_REACH = 6


class Urgency(Enum):
    """What triage read in a message."""

    NOW = "now"  # a sign happening now: the urgent-care reply and nothing else
    # A sign named only as asked about in general ("what are the signs of a stroke?"): the
    # person may be asking because it is happening, so the reply also says what to do then.
    ASKED = "asked"
    # A sign named, but not happening now: denied, supposed, said in jest or told as history.
    NOT_NOW = "not now"
    NONE = "none"  # no sign named


class Triage:
    """Urgent triggers and small talk of one FAQ, folded by its speller."""

    def __init__(self, faq: Faq, speller: Speller) -> None:
        def terms(text: str) -> list[str]:  # speller.terms, with the folding done once
            return speller.terms_of(_words_of(text))

        self._terms_of = terms

        # "fever & stiff neck": every part must appear, anywhere in the message, in any order.
        # Triggers are filed under their first term, with every term they need, so a message
        # is only scanned for those whose words it holds.
        self._urgent = _by_first_term(
            [terms(part) for part in trigger.split(URGENT_AND)]
            for trigger in faq.urgent_phrases()
        )
        self._past = [_with_any_word(phrase, terms) for phrase in faq.urgent_past]
        self._current = [terms(phrase) for phrase in faq.urgent_current]
        context = urgent_context()
        self._filler = frozenset(term for word in context.filler for term in terms(word))
        self._gap = context.gap
        self._denied = [terms(phrase) for phrase in context.denied]
        self._denied_after = [terms(phrase) for phrase in context.denied_after]
        self._negative = frozenset(term for word in context.negative for term in terms(word))
        self._asking_only = [terms(phrase) for phrase in context.asking_only]
        self._laughing = frozenset(context.laughing)
        self._laughing_emoji = context.laughing_emoji
        # read in the words as written, like the laughs they excuse
        self._nervous = [phrase.split() for phrase in context.nervous]
        self._general = [terms(phrase) for phrase in context.general]
        self._asks_whether = frozenset(
            term for word in context.asks_whether for term in terms(word)
        )
        self._brings_on = [terms(phrase) for phrase in context.brings_on]
        self._supposed = [terms(phrase) for phrase in context.supposed] + [
            terms(f"{story} {opener}")
            for story in context.stories for opener in context.story_openers
        ]
        self._jest_before = [terms(phrase) for phrase in context.jest_before]
        self._jest_after = [terms(phrase) for phrase in context.jest_after]
        self._other_than_signs = [terms(phrase) for phrase in context.other_than_signs]
        self._not_current = [_with_any_word(phrase, terms) for phrase in context.not_current]
        self._passed = [terms(phrase) for phrase in context.passed]
        self._crisis_signs = [terms(phrase) for phrase in context.crisis_signs]
        self._stroke_signs = frozenset(
            term for word in context.stroke_signs for term in terms(word)
        )
        self._smalltalk = [
            (kind, [terms(trigger) for trigger in kind.triggers]) for kind in faq.smalltalk
        ]

    def is_urgent(self, terms: Sequence[str], clause_of: Sequence[int] | None = None) -> bool:
        """Whether a message's `terms` (with the clause number of each, from
        `Speller.words_by_clause`; None: one clause) name a sign happening now."""
        return self.urgency(terms, clause_of) is Urgency.NOW

    def laughing_clauses(self, text: str) -> frozenset[int]:
        """The clauses (numbered as `Speller.words_by_clause` numbers them) of the sentences
        of a message that a laugh ("haha", "lol", "😂") is about: its own sentence ("my head's
        exploding from this workload haha") and the one before it ("... had a heart attack on
        the table, does that really happen? lol"), not a sign told after it ("sorry to bother
        you lol. my lips are swelling now and I'm wheezing"), nor after a turn ("probably
        overreacting haha but his mouth has gone lopsided"). Read in the words as written,
        never as the speller corrects them ("hehe" is not "here")."""
        pieces = clauses_with_ends(text)
        sentence_of: list[int] = []
        sentence = 0
        for clause, end in pieces:
            sentence_of.append(sentence)
            if (
                any(mark in end for mark in _SENTENCE_ENDS)
                and not (end == "." and ends_with_title(clause))  # "Dr. Patel"
            ) or end.strip().casefold() in _TURNS:
                sentence += 1
        said = [words(clause) for clause, _ in pieces]
        laughing = {
            sentence_of[number] for number, (clause, end) in enumerate(pieces)
            if any(emoji in clause + end for emoji in self._laughing_emoji)
            or not self._laughing.isdisjoint(said[number])
        }
        # a laugh after "probably just the knots" makes light of a sign out of nerves
        laughing -= {
            sentence_of[number] for number, clause_words in enumerate(said)
            if spans_of(clause_words, self._nervous)
        }
        about = laughing | {sentence - 1 for sentence in laughing}
        return frozenset(
            number for number, sentence in enumerate(sentence_of) if sentence in about
        )

    def urgency(
        self,
        terms: Sequence[str],
        clause_of: Sequence[int] | None = None,
        *,
        text: str = "",  # the message as written, for its laughs (`laughing_clauses`)
    ) -> Urgency:
        """NOW for a sign happening now (`is_urgent`); ASKED for a message that names a sign
        only as asked about in general ("what are the signs of a stroke?"), or that names one
        happening now but says it only asks, or laughs in every sentence that tells one;
        NOT_NOW for one that names a sign otherwise not happening now; NONE when it names
        none."""
        present = set(terms)
        clause_of = clause_of if clause_of is not None else [0] * len(terms)
        fired = [
            trigger
            for term in present
            for needs, trigger in self._urgent.get(term, ())
            if needs <= present
            and all(_contains_in_order(terms, part, clause_of) for part in trigger)
        ]
        fired += self._readings(terms, clause_of, text)
        if not fired:  # most messages: no trigger's words at all
            return Urgency.NONE
        now = self._now(terms, clause_of, fired, read_general=True)
        if now:
            # "what do you do when someone has a seizure? just asking", "my head's exploding
            # from this workload haha": not in earnest, most likely, unless a sign is told
            # with a cue of now ("just asking, my dad has chest pain right now"). The reply
            # still says first what to do if it is happening now.
            if not now.said_now and (
                spans_of(terms, self._asking_only)
                or (bool(now.clauses) and now.clauses <= self.laughing_clauses(text))
            ):
                return Urgency.ASKED
            return Urgency.NOW
        if self._now(terms, clause_of, fired, read_general=False):
            return Urgency.ASKED
        return Urgency.NOT_NOW

    def _now(
        self,
        terms: Sequence[str],
        clause_of: Sequence[int],
        fired: list[list[list[str]]],  # each a trigger, as its parts' terms
        *,
        read_general: bool,
    ) -> _Now | None:
        """What the message tells of the triggers whose words it holds (`fired`) that are a
        sign happening now (not denied, supposed or said in jest, nor, with `read_general`,
        asked about in general, and not told as history); None when there is none."""
        reading = _Reading(terms, clause_of, self, fired, read_general=read_general)
        fired = [trigger for trigger in fired if all(reading.names(part) for part in trigger)]
        if not fired:
            return None
        past = (
            positions_of(terms, self._past) | _years_in(terms) | _ages_in(terms)
            | _once_in(terms, clause_of)
        )
        passed = positions_of(terms, self._passed)
        if past or passed:
            # "I had a heart attack two years ago, is massage ok now?" asks about history; but
            # one trigger told as current ("...and now I've got chest pain") is enough for
            # urgent care. A cue of now counts for the sign it is told with, not for the whole
            # message: "broke my wrist in May, the cast came off in July, and now the arm
            # feels stiff" is history. A stroke's sign that has passed is not (`passed`).
            fired = [
                trigger for trigger in fired
                if _near(terms, trigger, reading.current, clause_of)
                or not _near(
                    terms, trigger,
                    past if self._of_a_stroke(trigger) else past | passed, clause_of,
                )
            ]
        return _Now(reading.said_now(fired), reading.clauses_of(fired)) if fired else None

    def _readings(
        self, terms: Sequence[str], clause_of: Sequence[int], text: str
    ) -> list[list[list[str]]]:
        """Each reading of the message in an emergency's range ("SpO2 82%", bot.readings) as a
        trigger of its own words: read like any sign, so a reading told as history ("my sats
        were 85 when I had covid last year") or denied is not urgent."""
        dangerous, crises = signs(text)
        found = []
        for reading in dangerous:
            part = self._terms_of(reading.words)
            if part and _contains_in_order(terms, part, clause_of):
                found.append([part])
        # A hypertensive crisis is a sign together with a sign of organ damage: a trigger of
        # two parts, each read with its cues ("BP 190/110 but no headache" is not urgent).
        for reading in crises:
            part = self._terms_of(reading.words)
            if part and _contains_in_order(terms, part, clause_of):
                found += [
                    [part, damage] for damage in self._crisis_signs
                    if _contains_in_order(terms, damage, clause_of)
                ]
        return found

    def _of_a_stroke(self, trigger: Sequence[Sequence[str]]) -> bool:
        """Whether a trigger names a sign of a stroke (urgent_context.yaml's stroke_signs)."""
        return any(not self._stroke_signs.isdisjoint(part) for part in trigger)

    def current_positions(self, terms: Sequence[str]) -> set[int]:
        """Where the message says a sign is happening now (urgent.yaml's `current`), less the
        cues of now it denies ("never again": urgent_context.yaml's `not_current`)."""
        return positions_of(terms, self._current) - positions_of(terms, self._not_current)

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


@dataclass(frozen=True)
class _Now:
    """What `Triage._now` found of the signs a message tells as happening now: whether one is
    told in a clause that says "now" (a phrase of urgent.yaml's `current`), and the clauses
    they are told in."""

    said_now: bool
    clauses: frozenset[int]


class _Reading:
    """One message's cues, for telling a sign happening now from one denied, supposed or
    said in jest."""

    def __init__(
        self,
        terms: Sequence[str],
        clause_of: Sequence[int],
        triage: Triage,
        fired: Sequence[Sequence[Sequence[str]]],  # the triggers whose words it holds
        *,
        read_general: bool = True,  # False: a sign asked about in general counts as named
    ) -> None:
        self._terms = terms
        self._clause_of = clause_of
        self._filler = triage._filler
        self._gap = triage._gap
        self._negative = triage._negative
        spans = spans_of
        self._ends_before = {
            last for _, last in (
                *spans(terms, triage._denied),
                *(spans(terms, triage._general) if read_general else ()),
                *(_asked_whether(terms, clause_of, triage) if read_general else ()),
                *spans(terms, triage._jest_before),
            )
        }
        self._starts_after = {first for first, _ in spans(terms, triage._jest_after)}
        # a denial after the sign counts only where it ends the clause
        self._denied_after = {
            first for first, last in spans(terms, triage._denied_after)
            if last + 1 == len(terms) or clause_of[last + 1] != clause_of[last]
        }
        self._supposed = [last for _, last in spans(terms, triage._supposed)]
        # where the message says a sign is happening now, and the clauses that say it
        self.current = triage.current_positions(terms)
        self.now_clauses = {clause_of[position] for position in self.current}
        self._denied_at = positions_of(terms, triage._denied)
        # a phrase that only holds a sign's words, within one clause ("chest muscle" is not
        # in "crushing pain in my chest, muscles in my arm weak")
        self._other_than_sign = {
            position for first, last in spans_of(terms, triage._other_than_signs)
            if clause_of[first] == clause_of[last] for position in range(first, last + 1)
        }
        # Each occurrence of each part of the fired triggers, with whether it is not now, read
        # once: where a sign's words are not happening now, neither is a shorter sign among
        # them ("no blood clot" denies the "clot" in it too).
        self._occurrences: dict[tuple[str, ...], list[tuple[int, int, bool]]] = {}
        for trigger in fired:
            for part in trigger:
                key = tuple(part)
                if key not in self._occurrences:
                    self._occurrences[key] = [
                        (first, last, self._not_now(first, last, part))
                        for first, last in _spans_in_order(terms, part, clause_of)
                    ]
        self._not_now_spans = [
            (first, last)
            for occurrences in self._occurrences.values()
            for first, last, not_now in occurrences if not_now
        ]

    def names(self, part: Sequence[str]) -> bool:
        """Whether one occurrence of this part of a fired trigger is happening now."""
        return any(
            not not_now and not any(
                outer_first <= first and last <= outer_last
                and outer_last - outer_first > last - first
                for outer_first, outer_last in self._not_now_spans
            )
            for first, last, not_now in self._occurrences[tuple(part)]
        )

    def said_now(self, triggers: Sequence[Sequence[Sequence[str]]]) -> bool:
        """Whether a part of one of these (fired) triggers occurs in a clause that says now."""
        return any(
            self._clause_of[first] in self.now_clauses
            for trigger in triggers for part in trigger
            for first, _, _ in self._occurrences[tuple(part)]
        )

    def clauses_of(self, triggers: Sequence[Sequence[Sequence[str]]]) -> frozenset[int]:
        """The clauses of the occurrences of these (fired) triggers' parts happening now."""
        return frozenset(
            self._clause_of[first]
            for trigger in triggers for part in trigger
            for first, _, not_now in self._occurrences[tuple(part)] if not not_now
        )

    def _not_now(self, first: int, last: int, part: Sequence[str]) -> bool:
        inside = range(first, last + 1)
        if not self._other_than_sign.isdisjoint(inside):
            return True
        # a denial among the words that stand between the sign's own: "it's not an emergency"
        # holds "it's an emergency" ("dor no peito", pain in the chest, holds its own "no")
        if any(
            position in self._denied_at and self._terms[position] not in part
            for position in inside
        ):
            return True
        clause = self._clause_of[first]
        # a cue just before the sign, in its clause, with only filler words between
        before = first - 1
        for _ in range(self._gap + 1):
            if before < 0 or self._clause_of[before] != clause:
                break
            if before in self._ends_before:
                return True
            if self._terms[before] not in self._filler:
                break
            before -= 1
        # a denial after a sign told in the negative only stresses it: "the bleeding won't
        # stop, not at all"
        denied_after = set() if self._negative.intersection(part) else self._denied_after
        after = last + 1
        for _ in range(self._gap + 1):
            if after >= len(self._terms) or self._clause_of[after] != clause:
                break
            if after in self._starts_after or after in denied_after:
                return True
            if self._terms[after] not in self._filler:
                break
            after += 1
        return clause not in self.now_clauses and any(
            end < first and self._clause_of[end] == clause for end in self._supposed
        )


@dataclass(frozen=True)
class UrgentContext:
    """bot/data/urgent_context.yaml: the cues that say a sign is not happening now."""

    filler: tuple[str, ...]
    gap: int
    denied: tuple[str, ...]
    denied_after: tuple[str, ...]
    negative: tuple[str, ...]
    asking_only: tuple[str, ...]
    laughing: tuple[str, ...]
    laughing_emoji: tuple[str, ...]
    general: tuple[str, ...]
    supposed: tuple[str, ...]
    stories: tuple[str, ...]
    story_openers: tuple[str, ...]
    asks_whether: tuple[str, ...]
    brings_on: tuple[str, ...]
    jest_before: tuple[str, ...]
    jest_after: tuple[str, ...]
    other_than_signs: tuple[str, ...]
    not_current: tuple[str, ...]
    passed: tuple[str, ...]
    stroke_signs: tuple[str, ...]
    crisis_signs: tuple[str, ...]
    nervous: tuple[str, ...]


@cache
def urgent_context() -> UrgentContext:
    data = package_yaml("data/urgent_context.yaml")
    lists = (
        "filler", "denied", "denied_after", "negative", "asking_only", "laughing",
        "laughing_emoji", "general", "supposed", "stories", "story_openers", "asks_whether",
        "brings_on", "jest_before", "jest_after", "other_than_signs", "not_current", "passed",
        "stroke_signs", "crisis_signs", "nervous",
    )
    # A developer's file: a mistake in it is a bug, found by the tests, not a user's error.
    if not isinstance(data, dict) or not isinstance(data.get("gap"), int) or not all(
        isinstance(data.get(key), list) and all(isinstance(item, str) for item in data[key])
        for key in lists
    ):
        raise ValueError(f"bot/data/urgent_context.yaml: needs gap and lists of {lists}")
    return UrgentContext(
        gap=data["gap"], **{key: tuple(data[key]) for key in lists}
    )


def _asked_whether(
    terms: Sequence[str], clause_of: Sequence[int], triage: Triage
) -> list[tuple[int, int]]:
    """The spans of `brings_on` verbs in clauses that open with a word of `asks_whether`:
    "can deep tissue trigger a heart attack?" asks whether it can, of anyone."""
    opener: dict[int, str] = {}
    for term, clause in zip(terms, clause_of, strict=True):
        opener.setdefault(clause, term)
    return [
        (first, last) for first, last in spans_of(terms, triage._brings_on)
        if opener[clause_of[first]] in triage._asks_whether
    ]


def spans_of(terms: Sequence[str], phrases: Iterable[Sequence[str]]) -> list[tuple[int, int]]:
    """(first, last) positions of every contiguous occurrence of the phrases (ANY_WORD in a
    phrase stands for any one word)."""
    found = []
    present = set(terms)  # most phrases' first term is not in the message: skip them at once
    for phrase in phrases:
        size = len(phrase)
        if not size or phrase[0] not in present:
            continue
        for start in range(len(terms) - size + 1):
            if terms[start] == phrase[0] and all(
                wanted in (got, ANY_WORD)
                for wanted, got in zip(phrase, terms[start : start + size], strict=True)
            ):
                found.append((start, start + size - 1))
    return found


# In a history phrase of urgent.yaml, any one word: "hace _ años" is "hace cinco años" and
# "hace 5 años" (five years ago).
ANY_WORD = "_"


def _with_any_word(phrase: str, terms: Callable[[str], list[str]]) -> list[str]:
    """A phrase's terms, each ANY_WORD in it kept as one."""
    result: list[str] = []
    for number, piece in enumerate(phrase.split(ANY_WORD)):
        if number:
            result.append(ANY_WORD)
        result.extend(terms(piece))
    return result


@lru_cache(maxsize=1 << 16)
def _words_of(phrase: str) -> tuple[str, ...]:
    """A trigger's folded words, once per process. The built-in triggers expand to thousands of
    phrases, and every FAQ load (start, reload, each `faq-bot` command) folds them all again:
    that Unicode folding was a third of building a matcher. Their terms still come from each
    FAQ's speller, which corrects toward that FAQ's words. The cache holds more than the
    loader lets one FAQ expand to (bot.faq: 50,000 urgent phrases)."""
    return tuple(words(phrase, limit=None))


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
    return {
        position for first, last in spans_of(terms, phrases)
        for position in range(first, last + 1)
    }


def _contains_in_order(
    terms: Sequence[str], phrase: Sequence[str], clause_of: Sequence[int] | None = None
) -> bool:
    """True when the phrase's terms occur in order, at most `_MAX_GAP` other terms apart (and,
    given the clause of each term, apart only within a clause: `_spans_in_order`)."""
    return any(True for _ in _spans_in_order(terms, phrase, clause_of))


# How many other words may stand between a trigger's own: "pain in my chest" (1) holds "pain
# in chest", "chest is really tight" (2) holds "chest tight".
_MAX_GAP = 2


def _spans_in_order(
    terms: Sequence[str], phrase: Sequence[str], clause_of: Sequence[int] | None = None
) -> Iterator[tuple[int, int]]:
    """(first, last) positions of each occurrence of the phrase as `_contains_in_order` finds
    them. Given the clause of each term, words may stand between the sign's own only within
    a clause: "no pain in chest, just back hurts" holds no "chest pain", while a list ("my foot
    is cold, white and numb") still holds "cold white"."""
    for start, term in enumerate(terms):
        if term != phrase[0]:
            continue
        position = start
        for wanted in phrase[1:]:
            end = min(position + 2 + _MAX_GAP, len(terms))
            if clause_of is not None:
                # the next word if it starts a new clause, else the words up to the clause end
                end = next(
                    (after for after in range(position + 1, end)
                     if clause_of[after] != clause_of[position]),
                    end,
                )
                if end == position + 1:
                    end = position + 2
            window = terms[position + 1 : end]
            if wanted not in window:
                break
            position += 1 + list(window).index(wanted)
        else:
            yield start, position


def _near(
    terms: Sequence[str],
    trigger: Sequence[Sequence[str]],
    positions: set[int],
    clause_of: Sequence[int],
) -> bool:
    """True when some part of the trigger occurs within `_PAST_REACH` words of a position, or
    in its clause ("my friend's baby stopped breathing for a few seconds in her sleep months
    ago": a clause tells one time)."""
    clauses = {clause_of[position] for position in positions}
    return any(
        not positions.isdisjoint(range(first - _PAST_REACH, last + _PAST_REACH + 1))
        or clause_of[first] in clauses
        for part in trigger
        for first, last in _spans_in_order(terms, part)
    )


def _once_in(terms: Sequence[str], clause_of: Sequence[int]) -> set[int]:
    """Positions of a "once" that ends its clause ("she fainted at a spa once."): one time, in
    the past. Not a "once" that opens a time ("once he sat up he collapsed")."""
    return {
        position for position, term in enumerate(terms)
        if term == "once"
        and (position + 1 == len(terms) or clause_of[position + 1] != clause_of[position])
    }


# The stems of minutes, hours, seconds, days and weeks: "when he was 5 minutes into the run".
_TIME_UNITS = ("min", "hour", "hr", "sec", "day", "week")


def _ages_in(terms: Sequence[str]) -> set[int]:
    """Positions of an age a sign was had at ("anaphylaxis when he was 5, he's 16 now"):
    history. Not a time ("collapsed when he was 5 minutes into the run")."""
    return {
        position + 3 for position in range(len(terms) - 3)
        if terms[position] == "when" and terms[position + 2] in ("was", "were")
        and terms[position + 3].isdigit()
        and not (position + 4 < len(terms) and terms[position + 4].startswith(_TIME_UNITS))
    }


def _years_in(terms: Sequence[str]) -> set[int]:
    """Positions of year numbers ("in 2019"): an event with a year is told as history."""
    return {
        position for position, term in enumerate(terms)
        if len(term) == 4 and term.isdigit() and term[:2] in ("19", "20")
    }
