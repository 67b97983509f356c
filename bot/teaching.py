"""The teach flow's memory in Telegram: which question an admin's "Teach…" buttons are about.

A button's callback data holds at most 64 bytes, and a question may hold 500 characters, so
/unanswered keeps each listed question here under a short random token, per admin chat, with
the hash of the FAQ file in service when the list was sent: the file the admin saw, which
bot.teach checks before it writes. In memory only, forgotten after TEACH_SECONDS or on a
restart (then the admin sends /unanswered again). The edit itself is bot.teach's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from bot.botdata import kept_in
from bot.tokens import TokenStore

TEACH_KEY = "teaching"
TEACH_SECONDS = 30 * 60.0
MAX_HELD = 2_000  # questions held at most, across admins: the oldest go first


@dataclass(frozen=True)
class Held:
    """A question an admin may teach, and the hash of the faq.yaml they saw it with (how long
    it is held is the store's: `TeachRequests`)."""

    text: str
    sha256: str


class TeachRequests(TokenStore[Held]):
    """Questions waiting for an admin's teach, by (chat, token); a token from another chat
    finds nothing, so a forged button cannot reach another admin's list. `take` on Add: a
    second press finds nothing, so nothing is taught twice."""

    def __init__(
        self,
        ttl: float = TEACH_SECONDS,
        limit: int = MAX_HELD,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(ttl, limit, clock)


def teaching_in(bot_data: MutableMapping[Any, Any]) -> TeachRequests:
    """The application's held questions, made on first use (tests may put their own)."""
    return kept_in(bot_data, TEACH_KEY, TeachRequests)
