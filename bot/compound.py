"""Two questions in one message: "what do I wear for deep tissue and where do I park?".

One job: split a message at its question boundaries and match each part, when the message as a
whole is not answered well. The caller answers each covered part (at most `MAX_ANSWERS`) and
names the parts that are not covered.

Where a message is split (`split_questions`):
- after a "?" or at a ";" with more words after it ("Do you treat sciatica? Where do I park?");
- at "and", "also", "plus" or "&" (and ". ") when both sides read as questions: each starts with
  a question word or an auxiliary verb ("what ... and where ...", "do you ... and can I ...").
  "Can massage help anxiety and depression" and "I have back and neck pain, can you help?" are
  one question each: their "and" joins two subjects, or the first part asks nothing.

When the parts are used (`answer_parts`), given the matcher's decision on the whole message:
- urgent or small talk as a whole: never split (urgent care is checked on the whole message
  first, as for every message); a part that is urgent on its own makes the whole urgent;
- declined or only suggested as a whole: split, and used when at least one part is answered;
- answered as a whole: used only when every part is answered, each by another entry, one of
  them the whole's (measured on tests/data/compound/compound.jsonl: a split of an answered
  single question never gives two answers, and an answered pair of questions gets both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.faq import Entry, Faq
from bot.matcher import Match, Status
from bot.replies import contact_line, no_line, practice_pointer
from bot.text import REFERRING, STOPWORDS, asks, words

if TYPE_CHECKING:
    from bot.matcher import Matcher

# At most this many answers to one message (issue 20): more reads as a wall of text. A message
# of more parts than this is not split at all (it is answered as a whole, as before): it is
# rarer than a list that only looks like questions, and each part could not be answered.
MAX_ANSWERS = 2
MAX_PARTS = MAX_ANSWERS
# A part shorter than this ("Sciatica?", "why?") is no question of its own: it stays with the
# part before or after it.
MIN_PART_WORDS = 2

# "?" or ";" and what follows: a boundary whatever the next words are.
_HARD = re.compile(r"(?<=\?)\s+|\s*;\s*")
# "and", "also", "plus", "&", ". " before the next part: a boundary only between two questions.
_SOFT = re.compile(r"\s*(?:,\s*)?\b(?:and\s+also|and|also|plus)\b\s+|\s+&\s+|(?<=\.)\s+",
                   re.IGNORECASE)



def _is_question(part: str) -> bool:
    """A part that stands as a question of its own: long enough, and asking (in its words, or
    with its question mark). "I am from Brazil" or "My mother can't manage the stairs" after
    a question is what the question is about, not another one."""
    return _long_enough(part) and (asks(part) or part.rstrip().endswith("?"))


def _long_enough(part: str) -> bool:
    """At least MIN_PART_WORDS words, one of them more than a function word: "What for?" and
    "why is that?" ask about the part before them, not a question of their own."""
    found = words(part, limit=None)
    return len(found) >= MIN_PART_WORDS and any(word not in STOPWORDS for word in found)


def split_questions(text: str) -> list[str]:
    """The questions a message holds, in order, as written; one item when it is one question.

    A part that is no question of its own (too short, or a statement) is joined back to its
    neighbour, as written, and a message of more than `MAX_PARTS` parts is left whole."""
    text = " ".join(text.split())
    spans: list[tuple[int, int]] = []
    start = 0
    for boundary in [*_HARD.finditer(text), None]:
        end = boundary.start() if boundary else len(text)
        spans.extend(_soft_split(text, start, end))
        start = boundary.end() if boundary else len(text)
    parts = [text[first:last].strip(" ,;") for first, last in _join_statements(text, spans)]
    if len(parts) < 2 or len(parts) > MAX_PARTS:
        return [text]
    return parts


def _soft_split(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """`text[start:end]` cut at each "and"/"also"/"&"/". " that stands between two questions,
    as spans of `text`."""
    spans: list[tuple[int, int]] = []
    piece = text[start:end]
    cut = start
    for boundary in _SOFT.finditer(piece):
        before = text[cut : start + boundary.start()]
        after = text[start + boundary.end() : end]
        if asks(before) and asks(after) and _long_enough(before) and _long_enough(after):
            spans.append((cut, start + boundary.start()))
            cut = start + boundary.end()
    spans.append((cut, end))
    return spans


def _join_statements(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Each span that is no question of its own joined to the one before it (or, first, to
    the one after it)."""
    joined: list[tuple[int, int]] = []
    pending: int | None = None  # where leading statements start, waiting for a question
    for first, last in spans:
        if not text[first:last].strip(" ,;"):
            continue
        if _is_question(text[first:last]):
            joined.append((first if pending is None else pending, last))
            pending = None
        elif joined:
            joined[-1] = (joined[-1][0], last)
        elif pending is None:
            pending = first
    if pending is not None:  # no question at all
        return [(pending, len(text))]
    return joined


@dataclass(frozen=True)
class Part:
    """One question of a message, as written, and the matcher's decision on it alone."""

    text: str
    match: Match


@dataclass(frozen=True)
class Parts:
    """What to send for a message of several questions: the answered parts (at most
    `MAX_ANSWERS`, in order, each its own entry) and the parts not covered, in order."""

    answered: tuple[Part, ...]
    uncovered: tuple[Part, ...]

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(part.match.entry for part in self.answered if part.match.entry is not None)


def answer_parts(matcher: Matcher, text: str, whole: Match) -> Parts | Match | None:
    """The message answered part by part, or None when it is answered as a whole (`whole`, as
    today). A `Match` back is the urgent-care decision on one of its parts: send that alone."""
    # A message that asks about emergency signs is answered as a whole, so that its reply
    # says first what to do if they are happening now (Match.signs_asked).
    if whole.status in (Status.URGENT, Status.SMALLTALK) or whole.signs_asked:
        return None
    pieces = split_questions(text)
    if len(pieces) < 2:
        return None
    parts = [Part(piece, matcher.match(piece)) for piece in pieces]
    urgent = next((part.match for part in parts if part.match.status is Status.URGENT), None)
    if urgent is not None:
        return urgent
    answered: list[Part] = []
    uncovered: list[Part] = []
    for part in parts:
        entry = part.match.entry
        if part.match.status is Status.ANSWER and entry is not None:
            if all(entry != other.match.entry for other in answered):
                answered.append(part)  # the same entry twice is one answer
        elif part.match.status is not Status.SMALLTALK:  # "thanks; ..." needs no answer
            uncovered.append(part)
    if not answered:
        return None
    if whole.status is Status.ANSWER and not _clear_pair(whole, answered, uncovered):
        return None
    return Parts(tuple(answered), tuple(uncovered))


def _clear_pair(whole: Match, answered: list[Part], uncovered: list[Part]) -> bool:
    """Whether a message answered as a whole is still clearly two questions: the whole's entry
    answers one part, and the other part, which does not refer back to the first ("what is
    cupping and how does it work?" asks two things about one subject), is answered by another
    entry or declined outright (not merely unsure). Anything less and the whole's answer
    stands, so a single question is never answered otherwise than before."""
    if whole.entry not in [part.match.entry for part in answered]:
        return False
    others = [part for part in (*answered, *uncovered) if part.match.entry != whole.entry]
    if any(REFERRING.intersection(words(part.text, limit=None)) for part in others):
        return False
    if len(answered) == 2 and not uncovered:
        return True
    return len(answered) == 1 and len(uncovered) == 1 and all(
        part.match.status is Status.NONE for part in uncovered
    )


# A part quoted back in a reply is cut to this many characters: the note names the question,
# it does not repeat a long message (Telegram's limit is 4,096 for the whole reply).
QUOTED_CHARS = 120


def not_covered_lines(faq: Faq, parts: Parts) -> list[str]:
    """The paragraphs, in plain text, that name the parts not covered, then the fallback's
    pointer to the practice: "I couldn't find an answer to “where do I park?”." A part that
    names a condition with a clear no gets that no ("Psoriasis isn't on our list ...")."""
    lines: list[str] = []
    unnamed: list[str] = []
    for part in parts.uncovered:
        match = part.match
        if match.status is Status.NONE and match.no and match.not_covered:
            lines.append(no_line(match.no, match.not_covered))
        else:
            unnamed.append(f"\u201c{_cut(part.text)}\u201d")
    if unnamed:
        lines.insert(0, f"I couldn't find an answer to {' or '.join(unnamed)}.")
    lines.append(practice_pointer(faq.fallback))
    if reach := contact_line(faq.practice):  # as under a declined question (bot.replies)
        lines.append(reach)
    return lines


def _cut(text: str) -> str:
    return text if len(text) <= QUOTED_CHARS else text[: QUOTED_CHARS - 1].rstrip() + "\u2026"
