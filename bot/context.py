"""What the conversation in a chat refers back to: the last list of choices the bot showed.

After a suggestion list ("Did you mean one of these?") or an answer with related buttons, a
typed "1", "2.", "#3", "number 2", "the second one" or "the last one" picks from that list
(bot.handlers answers it as if its button had been pressed). `RecentChoices` keeps, per chat,
the buttons' callback data and when they were shown, for `CHOICES_TTL` seconds, and at most
`MAX_CHATS` chats (the least recently shown forgotten first). It lives in memory only: nothing
is written to disk and a restart forgets it. It holds no text anyone wrote, only our own
button data.

Updates of one chat are handled in order (bot.concurrency), and this is plain synchronous code
on the event loop, so it needs no lock.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

# How long a list stays pickable by typing its number.
CHOICES_TTL = 10 * 60.0
# Chats remembered at once; past it the chat whose list is oldest is forgotten.
MAX_CHATS = 10_000

CHOICES_KEY = "choices"

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


@dataclass(frozen=True)
class Shown:
    """A list of choices shown in a chat: each button's callback data, in order, and when."""

    choices: tuple[str, ...]
    at: float


class RecentChoices:
    """The last list of choices shown in each chat, for `ttl` seconds, at most `max_chats`."""

    def __init__(
        self,
        ttl: float = CHOICES_TTL,
        max_chats: int = MAX_CHATS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_chats = max_chats
        self.clock = clock
        self._shown: OrderedDict[int, Shown] = OrderedDict()

    def __len__(self) -> int:
        return len(self._shown)

    def remember(self, chat_id: int, choices: Sequence[str]) -> None:
        """`choices` (callback data, in the order shown) are now the chat's list. An empty
        sequence changes nothing: a reply without choices leaves the last list pickable."""
        if not choices:
            return
        self._shown.pop(chat_id, None)
        self._shown[chat_id] = Shown(tuple(choices), self.clock())
        while len(self._shown) > self.max_chats:
            self._shown.popitem(last=False)  # the chat whose list is oldest

    def current(self, chat_id: int) -> tuple[str, ...] | None:
        """The chat's list, or None if there is none or it is older than the TTL."""
        shown = self._shown.get(chat_id)
        if shown is None:
            return None
        if self.clock() - shown.at > self.ttl:
            del self._shown[chat_id]
            return None
        return shown.choices

    def forget(self, chat_id: int) -> None:
        self._shown.pop(chat_id, None)


def pick_from(choices: Sequence[str], position: int) -> str | None:
    """The choice at `position` (1-based, or `LAST`), or None when the list has no such one."""
    if position == LAST:
        return choices[-1] if choices else None
    if 1 <= position <= len(choices):
        return choices[position - 1]
    return None


def choices_in(bot_data: MutableMapping[Any, Any]) -> RecentChoices:
    """The application's RecentChoices, created on first use (tests may put their own)."""
    choices = bot_data.get(CHOICES_KEY)
    if not isinstance(choices, RecentChoices):
        choices = RecentChoices()
        bot_data[CHOICES_KEY] = choices
    return choices

