"""What the conversation in a chat refers back to: the last list of choices the bot showed, and
the last entry it answered.

After a suggestion list ("Did you mean one of these?") or an answer with related buttons, a
typed "1", "2.", "#3", "number 2", "the second one" or "the last one" picks from that list
(bot.handlers answers it as if its button had been pressed). `RecentChoices` keeps, per chat,
the buttons' callback data and when they were shown, for `CHOICES_TTL` seconds, and at most
`MAX_CHATS` chats (the least recently shown forgotten first).

After an answer, a follow-up is read against it (`read_follow_up`): "what about my neck?",
"and for migraines?" (a cue and a new subject: the subject is matched on its own, and if that
is not answered, in the frame of the last question: "Do you treat my neck?"), and "tell me
more", "details", "why?" (no subject: the last entry's related entries, to pick from).
`RecentAnswers` keeps, per chat, the id of the entry last answered, with the same bounds.

Both live in memory only: nothing is written to disk and a restart forgets them. They hold no
text anyone wrote, only our own button data and entry ids.

Updates of one chat are handled in order (bot.concurrency), and this is plain synchronous code
on the event loop, so it needs no lock.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from bot.botdata import kept_in
from bot.faq import Entry, Faq
from bot.matcher import Match, Status
from bot.text import REFERRING, words

T = TypeVar("T")

if TYPE_CHECKING:
    from bot.matcher import Matcher

# How long a list stays pickable by typing its number.
CHOICES_TTL = 10 * 60.0
# Chats remembered at once; past it the chat whose list is oldest is forgotten.
MAX_CHATS = 10_000

CHOICES_KEY = "choices"
ANSWERS_KEY = "answers"

# A pick of the last entry, whatever the list's length.
LAST = -1

_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
    "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5,
    "6th": 6, "7th": 7, "8th": 8, "9th": 9, "10th": 10,
    "last": LAST,
}
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
          "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}

# The whole message must be the pick: "1", "2.", "#3", "3)", "no. 2", "number 2", "option 2".
# At most two digits, so "911" or "112" still reach the matcher (and its urgent triggers).
_NUMBER = re.compile(
    r"(?:(?:number|num|no\.?|nr\.?|option|choice)\s*)?#?\s*(\d{1,2})\s*[.)!]?", re.IGNORECASE
)
# "first", "the second one", "the last one please", "tell me more about the second one",
# "number two".
_LEAD_IN = (
    r"(?:(?:tell\s+me\s+(?:more\s+)?about|more\s+about|what\s+about|show\s+me|"
    r"i['\u2019]?ll\s+take|i\s+want|i\s+choose|i\s+pick|give\s+me|open)\s+)?"
)
_ORDINAL = re.compile(
    _LEAD_IN
    + r"(?:the\s+)?(?:(?P<ordinal>" + "|".join(_ORDINALS) + r")"
    + r"|(?:number|option|choice)\s+(?P<word>" + "|".join(_WORDS) + r"))"
    + r"(?:\s+(?:one|option|choice|question))?(?:\s+please)?\s*[.!?]*",
    re.IGNORECASE,
)


def parse_pick(text: str) -> int | None:
    """The position a message picks (1 for the first, `LAST` for the last), or None when the
    message is not just a pick (then it is matched as a question as usual)."""
    text = " ".join(text.split())
    if number := _NUMBER.fullmatch(text):
        return int(number.group(1))
    if ordinal := _ORDINAL.fullmatch(text):
        if ordinal.group("ordinal"):
            return _ORDINALS[ordinal.group("ordinal").lower()]
        return _WORDS[ordinal.group("word").lower()]
    return None


class RecentPerChat(Generic[T]):
    """One value per chat (a list of choices, an entry id), for `ttl` seconds, at most
    `max_chats` chats (the one remembered longest ago is forgotten first)."""

    def __init__(
        self,
        ttl: float = CHOICES_TTL,
        max_chats: int = MAX_CHATS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_chats = max_chats
        self.clock = clock
        self._kept: OrderedDict[int, tuple[T, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def _keep(self, chat_id: int, value: T) -> None:
        self._kept.pop(chat_id, None)
        self._kept[chat_id] = (value, self.clock())
        while len(self._kept) > self.max_chats:
            self._kept.popitem(last=False)

    def current(self, chat_id: int) -> T | None:
        """The chat's value, or None if there is none or it is older than the TTL."""
        kept = self._kept.get(chat_id)
        if kept is None:
            return None
        if self.clock() - kept[1] > self.ttl:
            del self._kept[chat_id]
            return None
        return kept[0]

    def forget(self, chat_id: int) -> None:
        self._kept.pop(chat_id, None)


class RecentChoices(RecentPerChat[tuple[str, ...]]):
    """The last list of choices shown in each chat: each button's callback data, in order."""

    def remember(self, chat_id: int, choices: Sequence[str]) -> None:
        """`choices` (callback data, in the order shown) are now the chat's list. An empty
        sequence changes nothing: a reply without choices leaves the last list pickable."""
        if choices:
            self._keep(chat_id, tuple(choices))


def pick_from(choices: Sequence[str], position: int) -> str | None:
    """The choice at `position` (1-based, or `LAST`), or None when the list has no such one."""
    if position == LAST:
        return choices[-1] if choices else None
    if 1 <= position <= len(choices):
        return choices[position - 1]
    return None


def choices_in(bot_data: MutableMapping[Any, Any]) -> RecentChoices:
    """The application's RecentChoices, created on first use (tests may put their own)."""
    return kept_in(bot_data, CHOICES_KEY, RecentChoices)



# -- the last answer, and follow-ups read against it ----------------------------------------


class RecentAnswers(RecentPerChat[str]):
    """The entry last answered in each chat (its id, never the text that asked for it): the
    same bounds as `RecentChoices`, for the same reasons (a follow-up comes within minutes)."""

    def remember(self, chat_id: int, entry_id: str) -> None:
        """`entry_id` was just answered in the chat: follow-ups are now read against it."""
        self._keep(chat_id, entry_id)


def answers_in(bot_data: MutableMapping[Any, Any]) -> RecentAnswers:
    """The application's RecentAnswers, created on first use (tests may put their own)."""
    return kept_in(bot_data, ANSWERS_KEY, RecentAnswers)


# A follow-up's new subject is short: "my neck", "migraines", "deep tissue", "for the kids".
# The examples have one to three words; past this many the rest is a question of its
# own, and the message is matched as it is.
MAX_SUBJECT_WORDS = 6

# "what about my neck?", "and for migraines?", "how about deep tissue", "same for my knees",
# "also fibromyalgia?", "what if I have arthritis". The cue must start the message.
_CUE = re.compile(
    r"(?:ok(?:ay)?\s*,?\s+|so\s*,?\s+)?"
    r"(?:and\s+)?(?:what\s+about|how\s+about|what\s+if|same\s+for|"
    r"and\s+also|and|also)"
    r"(?:\s+(?:for|with|about))?\s*,?\s+(?P<rest>.+)",
    re.IGNORECASE,
)
# "tell me more", "more", "more details please", "any more info?", "details", "why?", "how so?",
# "go on", "can you elaborate": more on the last answer, with no new subject.
_MORE = re.compile(
    r"(?:ok(?:ay)?\s*,?\s+|and\s+)?"
    r"(?:(?:can|could)\s+you\s+)?(?:please\s+)?"
    r"(?:tell\s+me\s+more|say\s+more|more|any\s+more|anything\s+else|go\s+on|"
    r"more\s+(?:details?|info(?:rmation)?)|(?:any\s+)?(?:further\s+|more\s+)?details?|"
    r"elaborate|explain(?:\s+more)?|why(?:\s+(?:is\s+that|so))?|how\s+so)"
    r"(?:\s+(?:about|on)\s+(?:it|that|this))?(?:\s+please)?\s*[.!?]*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FollowUp:
    """A message read as a follow-up: `subject` is its new subject ("my neck"), or None for
    "tell me more" and the like, which ask for more on the last answer itself."""

    subject: str | None


def parse_follow_up(text: str) -> FollowUp | None:
    """The follow-up a message is, or None when it is not one (it is matched as it is).

    Only the form is read here; whether it is answered as a follow-up depends on there being a
    recent answer, and on the matcher (`read_follow_up`)."""
    text = " ".join(text.split())
    if _MORE.fullmatch(text):
        return FollowUp(None)
    cue = _CUE.fullmatch(text)
    if cue is None:
        return None
    subject = cue.group("rest").strip(" ?!.,")
    if not subject or len(words(subject, limit=None)) > MAX_SUBJECT_WORDS:
        return None
    return FollowUp(subject)


@dataclass(frozen=True)
class More:
    """A "tell me more" after an answer: the entries related to it (`about`), to pick from; none
    when the FAQ has nothing more on it."""

    about: Entry
    entries: tuple[Entry, ...]


def read_follow_up(
    matcher: Matcher, last: Entry | None, text: str, whole: Match
) -> Match | More | None:
    """What a message means after the answer `last`, or None when it is read as it is (then
    `whole`, the matcher's decision on the whole message, is the reply, exactly as with no
    context).

    - No recent answer, or not a follow-up's form: None.
    - Urgent or small talk: None (`whole` is that reply; urgent checks run on the whole
      message, always).
    - "tell me more" and the like: `More`, the last answer's related entries.
    - A cue and a new subject ("what about my neck?"): None when the whole message is answered
      as it is (the matcher reads most of these well on their own, and a follow-up must never
      turn an answer into another); else the subject alone, and if that is not answered
      either, the last entry's question with the subject in place of its own
      (`framed_question`). The first of these answered (or urgent) is the reply; when none is,
      `whole` stands, unless the subject alone got suggestions where the whole got none.
    """
    if last is None or whole.status in (Status.URGENT, Status.SMALLTALK):
        return None
    follow_up = parse_follow_up(text)
    if follow_up is None:
        return None
    if follow_up.subject is None:
        return More(last, tuple(matcher.faq.related_entries(last)))
    if whole.status is Status.ANSWER:
        return None
    # An urgent reading of a part is taken too: urgent care is never the one to miss.
    decided = (Status.ANSWER, Status.URGENT)
    alone = matcher.match(follow_up.subject)
    if alone.status in decided:
        return alone
    # "what if it hurts?": a subject that refers back is no new subject to put in the frame.
    if not REFERRING.intersection(words(follow_up.subject, limit=None)):
        framed = matcher.match(framed_question(matcher.faq, last, follow_up.subject))
        if framed.status in decided:
            return framed
    if alone.status is Status.SUGGEST and whole.status is Status.NONE:
        return alone
    return None


def more_text(more: More) -> str:
    """What introduces the entries related to the last answer, or says there are none (plain
    text: the bot escapes it, the terminal prints it)."""
    if more.entries:
        return f"More on \u201c{more.about.question}\u201d:"
    return (
        f"That's all I have on \u201c{more.about.question}\u201d. Send /topics to browse "
        "every question, or ask in your own words."
    )


# A word of a question is part of its frame ("Do you treat ...?") when at least this share of
# its topic's questions use it too: in the bundled FAQ "do", "you" and "treat" are in 12 of
# the 14 condition questions, "what" and "is" in 5 of the 6 massage types, "can" and "massage"
# in most reasons; the subjects ("sciatica", "swedish", "anxiety") in one each.
FRAME_SHARE = 0.5


def framed_question(faq: Faq, entry: Entry, subject: str) -> str:
    """`entry`'s question with `subject` in place of its own subject: the words its topic's
    questions do not share ("Do you treat sciatica?" and "my neck": "Do you treat my neck?").
    With no topic to compare with, the subject is appended to the question."""
    siblings = faq.topics().get(entry.topic, []) if entry.topic else []
    tokens = entry.question.rstrip(" ?!.").split()
    if len(siblings) < 2:
        return f"{' '.join(tokens)} {subject}"
    used: dict[str, int] = {}
    for sibling in siblings:
        for word in set(words(sibling.question, limit=None)):
            used[word] = used.get(word, 0) + 1
    common = {word for word, count in used.items() if count >= FRAME_SHARE * len(siblings)}
    own = [
        index for index, token in enumerate(tokens)
        if not set(words(token, limit=None)) <= common
    ]
    if not own:
        return f"{' '.join(tokens)} {subject}"
    return " ".join([*tokens[: own[0]], subject, *tokens[own[-1] + 1 :]])
