"""Handing a question to a person at the practice: what the bot holds for it, and how long.

With STAFF_CHAT_ID set (a Telegram group of the practice's staff), a person can hand a question
the bot could not answer to the practice's team: the "Ask the practice" button under a declined
reply or a suggestion list, or /ask. The bot posts it to the staff chat once they confirm; a
staff member's reply to that post is sent back to them. The Telegram side (buttons, posts,
replies) is in bot.handlers and the wording in bot.views; this module keeps the state:

- `PendingQuestions`: a question the person may still hand off, from the reply that offers the
  button (or /ask) until they press Send or Cancel. In memory only, per chat, and forgotten
  after PENDING_SECONDS or on a restart: none of it reaches the disk.
- the links (bot.store's `handoffs` table): once a question is posted, which chat the staff's
  reply to that post goes to. A link is deleted when the reply is delivered (or cannot be), and
  purged after HANDOFF_RETENTION_DAYS, at start-up and then daily. Store calls run on a worker
  thread of this module's own, through the connection bot.recorder uses too
  (`bot.store.SharedStore`: a store file deleted or replaced while the bot runs is noticed
  before the next call and made anew); a store that cannot be used is one warning in the log,
  and the handler tells the person or the staff.

Nothing here logs a question, a reply or a name: they are health data.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from bot.config import Settings
from bot.recorder import DAY, utc_today
from bot.store import GuardedStore, HandoffLink, Store, StoreDown
from bot.tokens import TokenStore

logger = logging.getLogger(__name__)

T = TypeVar("T")

HANDOFF_KEY = "handoff"
# How long a question waits for the person to press Send (seconds); pressing "Ask the practice"
# starts the wait again.
PENDING_SECONDS = 30 * 60.0
# Questions held at most, across all chats: beyond it the oldest are forgotten.
MAX_PENDING = 10_000


class LinksUnavailable(Exception):
    """The hand-off links could not be read or written; the message is the one-line reason."""


@dataclass(frozen=True)
class Pending:
    """A question that may still be handed off: its text and the message that asked it (how
    long it waits is the store's: `PendingQuestions`)."""

    text: str
    message_id: int


class PendingQuestions:
    """Questions waiting for the person's Send, per chat, in memory only, each for a while.

    A question is reached by its chat and a random token carried by the buttons (a
    `bot.tokens.TokenStore`), so a button pressed in one chat can never reach another chat's
    question. `take` removes it: a second press of Send finds nothing, and nothing is posted
    twice."""

    def __init__(
        self,
        ttl: float = PENDING_SECONDS,
        limit: int = MAX_PENDING,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._limit = limit
        self._clock = clock
        self._questions: TokenStore[Pending] = TokenStore(ttl, limit, clock)
        # chats asked for their question by a bare /ask -> when that ends
        self._awaiting: OrderedDict[int, float] = OrderedDict()

    def __len__(self) -> int:
        self._sweep()
        return len(self._questions) + len(self._awaiting)

    def hold(self, chat_id: int, text: str, message_id: int) -> str:
        """Keep `text` for a while; returns the token for the buttons."""
        return self._questions.hold(chat_id, Pending(text, message_id))

    def keep(self, chat_id: int, token: str) -> Pending | None:
        """The question, now waiting afresh (the person is about to confirm), or None."""
        return self._questions.keep(chat_id, token)

    def take(self, chat_id: int, token: str) -> Pending | None:
        """Remove the question and return it, or None if it is gone (sent, cancelled, expired)."""
        return self._questions.take(chat_id, token)

    def await_question(self, chat_id: int) -> None:
        """A bare /ask: the chat's next message is the question to hand off."""
        self._sweep()
        self._awaiting.pop(chat_id, None)
        self._awaiting[chat_id] = self._clock() + self._ttl
        while len(self._awaiting) > self._limit:
            self._awaiting.popitem(last=False)

    def take_awaiting(self, chat_id: int) -> bool:
        """True once if the chat was asked for its question and the wait has not ended."""
        self._sweep()
        return self._awaiting.pop(chat_id, None) is not None

    def _sweep(self) -> None:
        # The questions sweep themselves (the store); this is the chats awaiting a question.
        now = self._clock()
        while self._awaiting:
            chat_id, expires = next(iter(self._awaiting.items()))
            if expires > now:
                break
            del self._awaiting[chat_id]


class Handoff:
    """The hand-off's state for the running bot: the staff chat, the pending questions, and the
    links between staff posts and people's chats (in the question store, on a thread of its
    own). Built once by bot.app and kept in bot_data under HANDOFF_KEY."""

    def __init__(
        self,
        staff_chat_id: int | None,
        db_path: Path,
        retention_days: int,
        *,
        pending: PendingQuestions | None = None,
        busy_timeout: float = 5.0,
        today: Callable[[], date] = utc_today,
    ) -> None:
        self.staff_chat_id = staff_chat_id
        self.db_path = db_path
        self.retention_days = retention_days
        self.pending = pending if pending is not None else PendingQuestions()
        self._today = today
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="faq-handoff")
        self._closed = False
        # Worker thread only.
        self._store = GuardedStore(
            db_path, busy_timeout, logger,
            down="Hand-off links in %s unavailable: %s. Questions cannot be handed to the "
            "practice's team, nor replies passed on, until the store works again",
            up="Hand-off links in %s are usable again",
            reason=lambda exc: " ".join(str(exc).split()) or type(exc).__name__,
        )
        # Held while a question is posted and its link stored, and by a staff reply before it
        # looks its link up: chats are handled concurrently, and a reply typed the moment the
        # post appears must still find the link.
        self.posting = asyncio.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Handoff:
        return cls(settings.staff_chat_id, settings.db_path, settings.handoff_retention_days)

    @property
    def enabled(self) -> bool:
        return self.staff_chat_id is not None

    def expired(self, day: date) -> bool:
        """Whether a question handed off on `day` is past HANDOFF_RETENTION_DAYS."""
        return day < self._oldest_kept()

    def _oldest_kept(self) -> date:
        return self._today() - timedelta(days=self.retention_days)

    # -- the links --------------------------------------------------------------------------

    async def link(
        self, staff_message_ids: Sequence[int], chat_id: int, question_message_id: int
    ) -> None:
        """Remember where replies to these staff posts go. Raises LinksUnavailable."""
        staff_chat_id = self._staff_chat()
        link = HandoffLink(chat_id, question_message_id, self._today())
        await self._run(
            lambda store: store.link_handoff(staff_chat_id, staff_message_ids, link), writes=True
        )

    async def find(self, staff_message_id: int) -> HandoffLink | None:
        """The open question this staff post hands off, or None (never one, answered already,
        or past retention). Raises LinksUnavailable."""
        staff_chat_id, since = self._staff_chat(), self._oldest_kept()
        return await self._run(
            lambda store: store.handoff_link(staff_chat_id, staff_message_id, since), writes=False
        )

    async def close_link(self, link: HandoffLink) -> None:
        """The question is answered, or its reply cannot be delivered: forget where it came
        from. Raises LinksUnavailable."""
        staff_chat_id = self._staff_chat()
        await self._run(lambda store: store.close_handoff(staff_chat_id, link), writes=True)

    async def purge(self) -> int | None:
        """Delete the links past HANDOFF_RETENTION_DAYS (from any staff chat: also after
        hand-off is switched off). How many went, or None if the store is unavailable."""
        before = self._oldest_kept()
        try:
            deleted = await self._run(lambda store: store.purge_handoffs(before), writes=True)
        except LinksUnavailable:
            return None
        if deleted:
            logger.info(
                "Deleted %d unanswered hand-off link(s) older than %d days",
                deleted, self.retention_days,
            )
        return deleted

    async def keep_purging(self, interval: float = DAY) -> None:
        """Purge every `interval` seconds, until cancelled (and once at start-up, by bot.app)."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.purge()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug: log it, and purge again next time
                logger.exception("Purging the hand-off links failed")

    async def close(self) -> None:
        """Close the store connection and stop the worker. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        await asyncio.get_running_loop().run_in_executor(self._executor, self._close_store)
        self._executor.shutdown(wait=False)

    def _staff_chat(self) -> int:
        if self.staff_chat_id is None:
            raise LinksUnavailable("hand-off is not set up (STAFF_CHAT_ID)")
        return self.staff_chat_id

    # -- the worker thread ------------------------------------------------------------------

    async def _run(self, operation: Callable[[Store], T], writes: bool) -> T:
        if self._closed:
            raise LinksUnavailable("the bot is stopping")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._call, operation, writes)

    def _call(self, operation: Callable[[Store], T], writes: bool) -> T:
        try:
            return self._store.run(operation, writes)
        except StoreDown as exc:
            raise LinksUnavailable(str(exc)) from exc

    def _close_store(self) -> None:
        self._store.close()


def handoff_in(bot_data: Mapping[Any, Any]) -> Handoff:
    """The running application's Handoff."""
    handoff = bot_data.get(HANDOFF_KEY)
    if not isinstance(handoff, Handoff):
        raise RuntimeError("bot_data has no Handoff: build it with bot.app.build_application")
    return handoff
