"""No chat held up by another: updates from different chats run concurrently, each chat's in
order, and Telegram's flood control (a 429 with retry_after) holds up only the chat it is for.

`ChatOrderedProcessor` is the Application's update processor (PTB's `concurrent_updates`): one
asyncio.Lock per chat, so a chat's messages are answered in the order they were sent, and a
semaphore bounding the updates being worked on at once. A chat's lock is dropped as soon as no
update of that chat is running or waiting, so the dict holds only the chats busy right now.

`ChatRateLimiter` replaces PTB's AIORateLimiter, which on a 429 stops *every* request of the
bot for the whole retry_after (a single 600 s 429 left everyone unanswered for ten minutes). It
keeps the same flood limits (30 messages a second overall, 20 a minute per group) but waits out
a 429 only in the request that got it, and remembers the chat's "not before" time so the chat's
next replies wait (or are dropped) without asking Telegram again. No request waits longer than
MAX_RETRY_WAIT in all: beyond it the reply is dropped (the error handler logs one line).
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import Update
from telegram.constants import FloodLimit
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter, BaseUpdateProcessor

logger = logging.getLogger(__name__)

# Updates worked on at once (past their chat's lock). Telegram takes at most 30 messages a second
# from a bot; with a send taking up to the 5 s read timeout, 150 would be needed to keep that
# rate when every send is slow, and 128 keeps nearly all of it. It stays under the 256
# connections of PTB's default pool for the bot's requests, so a working update never waits for
# a connection; and CPU work (matching) runs on the loop one update at a time anyway.
MAX_CONCURRENT_UPDATES = 128
# PTB's own bound, taken *before* our chat lock: an update waiting behind its chat's earlier one
# holds one of these, so it is far above MAX_CONCURRENT_UPDATES or one chat sending many
# messages during a slow reply could fill it and hold up every other chat.
MAX_HELD_UPDATES = 4096

# The longest one request waits, in all, on Telegram's flood control (429 retry_after) before
# its reply is dropped. Ordinary 429s (the 30/s and per-chat limits) ask for 1-5 s; longer ones
# (a group's 20 a minute, a flood penalty) mean the person would sit watching nothing for longer
# than a reply is worth, and a stop must not wait on them (Docker kills 10 s after SIGTERM).
MAX_RETRY_WAIT = 5.0
# Tries after a 429 within MAX_RETRY_WAIT: a 429 storm does not hold an update forever.
MAX_RETRIES = 3

# A chat's "not before" time is forgotten once it has passed; the dict is pruned of those when
# it grows past this many chats.
_PRUNE_AT = 512

ChatKey = int | str


def chat_key(update: object) -> int | None:
    """The chat an update belongs to (its user's id for an inline query or a button on an
    inline message), or None for an update that belongs to no one (handled unserialised)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class _ChatLock:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0  # updates of this chat running or waiting for the lock


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Different chats concurrently, each chat's updates one at a time in arrival order.

    PTB starts one task per update, in arrival order; each takes its chat's lock (FIFO) before
    the working semaphore, so an update waiting behind its chat's slow reply takes no working
    place from other chats."""

    __slots__ = ("_chats", "_working", "_working_limit")

    def __init__(
        self,
        max_working: int = MAX_CONCURRENT_UPDATES,
        max_held: int = MAX_HELD_UPDATES,
    ) -> None:
        super().__init__(max_held)
        self._working_limit = max_working
        self._working = asyncio.Semaphore(max_working)
        self._chats: dict[int, _ChatLock] = {}

    @property
    def busy_chats(self) -> int:
        """Chats with an update running or waiting (the size of the lock dict)."""
        return len(self._chats)

    async def do_process_update(self, update: object, coroutine: Any) -> None:
        key = chat_key(update)
        if key is None:
            async with self._working:
                await coroutine
            return
        chat = self._chats.get(key)
        if chat is None:
            chat = self._chats[key] = _ChatLock()
        chat.users += 1
        try:
            async with chat.lock, self._working:
                await coroutine
        finally:
            chat.users -= 1
            if chat.users == 0:  # idle: the lock goes, so the dict does not grow
                del self._chats[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def retry_seconds(exc: RetryAfter) -> float:
    """The wait a 429 asks for, in seconds. (PTB's public `retry_after` is deprecated as an int
    and warns; the timedelta behind it is what PTB's own limiter reads.)"""
    return exc._retry_after.total_seconds()


class ChatRateLimiter(BaseRateLimiter[int]):
    """PTB's flood limits, with a 429 confined to the request (and chat) it was for and every
    wait capped at `max_wait` seconds; `rate_limit_args` (an int) overrides the retries."""

    def __init__(
        self,
        *,
        max_retries: int = MAX_RETRIES,
        max_wait: float = MAX_RETRY_WAIT,
        overall_max_rate: float = FloodLimit.MESSAGES_PER_SECOND,
        group_max_rate: float = FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
    ) -> None:
        self.max_retries = max_retries
        self.max_wait = max_wait
        self._overall = AsyncLimiter(overall_max_rate, 1)
        self._group_max_rate = group_max_rate
        self._groups: dict[ChatKey, AsyncLimiter] = {}
        self._not_before: dict[ChatKey, float] = {}  # loop time a chat may be sent to again

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def blocked_chats(self) -> int:
        """Chats Telegram has told the bot to leave alone for now (tests, figures)."""
        return len(self._not_before)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        retries = self.max_retries if rate_limit_args is None else rate_limit_args
        chat = _chat_of(data)
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + self.max_wait
        attempt = 0
        while True:
            if chat is not None:
                await self._wait_for_chat(chat, give_up_at)
            try:
                async with self._group_limiter(chat), self._overall_limiter(chat):
                    return await callback(*args, **kwargs)
            except RetryAfter as exc:
                now = loop.time()
                free_at = now + retry_seconds(exc)
                if chat is not None:
                    self._not_before[chat] = max(free_at, self._not_before.get(chat, 0.0))
                if attempt >= retries or free_at > give_up_at:
                    raise
                attempt += 1
                logger.info("%s rate limited: retrying in %.1f s", endpoint, free_at - now)
                if chat is None:
                    await asyncio.sleep(free_at - now)

    async def _wait_for_chat(self, chat: ChatKey, give_up_at: float) -> None:
        """Wait until Telegram's last 429 for this chat has run out; if that is after
        `give_up_at`, raise RetryAfter at once (without asking Telegram again)."""
        free_at = self._not_before.get(chat)
        if free_at is None:
            return
        now = asyncio.get_running_loop().time()
        if free_at <= now:
            del self._not_before[chat]
            return
        if free_at > give_up_at:
            raise RetryAfter(dtm.timedelta(seconds=max(1, round(free_at - now))))
        await asyncio.sleep(free_at - now)
        if self._not_before.get(chat, 0.0) <= free_at:
            self._not_before.pop(chat, None)
        self._prune()

    def _prune(self) -> None:
        if len(self._not_before) > _PRUNE_AT:
            now = asyncio.get_running_loop().time()
            for key in [key for key, free_at in self._not_before.items() if free_at <= now]:
                del self._not_before[key]

    def _overall_limiter(self, chat: ChatKey | None) -> AbstractAsyncContextManager[Any]:
        # As PTB's AIORateLimiter: the 30 a second counts messages, i.e. requests to a chat.
        return self._overall if chat is not None else nullcontext()

    def _group_limiter(self, chat: ChatKey | None) -> AbstractAsyncContextManager[Any]:
        if not self._group_max_rate or not _is_group(chat):
            return nullcontext()
        assert chat is not None
        if len(self._groups) > _PRUNE_AT:  # forget groups whose minute is fully unused
            for key, limiter in list(self._groups.items()):
                if key != chat and limiter.has_capacity(limiter.max_rate):
                    del self._groups[key]
        if chat not in self._groups:
            self._groups[chat] = AsyncLimiter(self._group_max_rate, 60)
        return self._groups[chat]


def _chat_of(data: dict[str, Any]) -> ChatKey | None:
    chat_id = data.get("chat_id")
    if chat_id is None:
        return None
    try:
        return int(chat_id)
    except (TypeError, ValueError):
        return str(chat_id)  # "@channelusername"


def _is_group(chat: ChatKey | None) -> bool:
    return isinstance(chat, str) or (isinstance(chat, int) and chat < 0)
