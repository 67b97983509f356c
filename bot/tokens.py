"""Items held for a while under a short random token, per chat: what a button's callback data
points to when the item itself does not fit in its 64 bytes.

The hand-off's pending questions (bot.handoff) and the teach flow's held questions
(bot.teaching) both keep one: a question may hold 500 characters, so the buttons carry a token
and the question waits here. In memory only: a restart forgets it all.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class TokenStore(Generic[T]):
    """Items by (chat, token), each for `ttl` seconds, at most `limit` across all chats (beyond
    it the oldest are forgotten).

    An item is reached by its chat and a random token, so a button pressed (or forged) in one
    chat can never reach another chat's item. The store keeps each item's expiry, on the
    monotonic clock, so the items themselves are only what their users need."""

    def __init__(
        self,
        ttl: float,
        limit: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._limit = limit
        self._clock = clock
        # (chat id, token) -> (item, expiry): every item waits `ttl`, so the order of insertion
        # is the order of expiry (a refreshed one moves to the end), and a sweep stops at the
        # first item still held.
        self._held: OrderedDict[tuple[int, str], tuple[T, float]] = OrderedDict()

    def __len__(self) -> int:
        self._sweep()
        return len(self._held)

    def hold(self, chat_id: int, item: T) -> str:
        """Keep `item` for a while; returns the token for its buttons."""
        self._sweep()
        token = secrets.token_urlsafe(6)
        self._held[(chat_id, token)] = (item, self._clock() + self._ttl)
        while len(self._held) > self._limit:
            self._held.popitem(last=False)
        return token

    def get(self, chat_id: int, token: str) -> T | None:
        """The item (still held), or None when it is gone."""
        self._sweep()
        held = self._held.get((chat_id, token))
        return None if held is None else held[0]

    def take(self, chat_id: int, token: str) -> T | None:
        """Remove the item and return it, or None if it is gone: a second press of the same
        button finds nothing, so nothing is done twice."""
        self._sweep()
        held = self._held.pop((chat_id, token), None)
        return None if held is None else held[0]

    def keep(self, chat_id: int, token: str) -> T | None:
        """The item, now waiting afresh for `ttl` seconds, or None when it is gone."""
        item = self.take(chat_id, token)
        if item is not None:
            self._held[(chat_id, token)] = (item, self._clock() + self._ttl)
        return item

    def _sweep(self) -> None:
        now = self._clock()
        while self._held:
            key, (_, expires) = next(iter(self._held.items()))
            if expires > now:
                break
            del self._held[key]
