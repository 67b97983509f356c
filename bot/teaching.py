"""The teach flow's memory in Telegram: which question an admin's "Teach…" buttons are about.

A button's callback data holds at most 64 bytes, and a question may hold 500 characters, so
/unanswered keeps each listed question here under a short random token, per admin chat, with
the hash of the FAQ file in service when the list was sent: the file the admin saw, which
bot.teach checks before it writes. In memory only, forgotten after TEACH_SECONDS or on a
restart (then the admin sends /unanswered again). The edit itself is bot.teach's.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

TEACH_KEY = "teaching"
TEACH_SECONDS = 30 * 60.0
MAX_HELD = 2_000  # questions held at most, across admins: the oldest go first


@dataclass(frozen=True)
class Held:
    """A question an admin may teach, and the hash of the faq.yaml they saw it with."""

    text: str
    sha256: str
    expires: float  # on the monotonic clock


class TeachRequests:
    """Questions waiting for an admin's teach, by (chat, token); a token from another chat
    finds nothing, so a forged button cannot reach another admin's list."""

    def __init__(
        self,
        ttl: float = TEACH_SECONDS,
        limit: int = MAX_HELD,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._limit = limit
        self._clock = clock
        self._held: OrderedDict[tuple[int, str], Held] = OrderedDict()

    def hold(self, chat_id: int, text: str, sha256: str) -> str:
        """Keep `text` for a while; returns the token for its buttons."""
        self._sweep()
        token = secrets.token_urlsafe(6)
        self._held[(chat_id, token)] = Held(text, sha256, self._clock() + self._ttl)
        while len(self._held) > self._limit:
            self._held.popitem(last=False)
        return token

    def get(self, chat_id: int, token: str) -> Held | None:
        """The held question (still held), or None when it is gone."""
        self._sweep()
        return self._held.get((chat_id, token))

    def take(self, chat_id: int, token: str) -> Held | None:
        """Remove and return it: a second press of Add finds nothing, so nothing is taught
        twice."""
        self._sweep()
        return self._held.pop((chat_id, token), None)

    def _sweep(self) -> None:
        now = self._clock()
        while self._held:
            key, held = next(iter(self._held.items()))
            if held.expires > now:
                break
            del self._held[key]


def teaching_in(bot_data: MutableMapping[Any, Any]) -> TeachRequests:
    """The application's held questions, made on first use (tests may put their own)."""
    requests = bot_data.get(TEACH_KEY)
    if not isinstance(requests, TeachRequests):
        requests = TeachRequests()
        bot_data[TEACH_KEY] = requests
    return requests
