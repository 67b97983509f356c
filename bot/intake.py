"""Updates handed to the application, and which of them are finished: what polling may confirm
to Telegram, what a stop waits for, and which update_ids were already taken.

Long polling (bot.polling) and the webhook (bot.webhook) both feed updates here. Each update
becomes one task that runs PTB's `Application.process_update` through the application's update
processor, as PTB's own update fetcher does with `concurrent_updates`, so bot.concurrency's
ordering (each chat's updates in order, different chats at once) holds for both. PTB's route,
`application.update_queue`, is not used: its fetcher tells nobody when an update is finished,
and knowing that is the whole point (an update is confirmed to Telegram only once handled).

An update_id already taken is not handled again (Telegram sends an update again until it is
confirmed, and a webhook request can be replayed): the ids are remembered, the last
`RECENT_IDS` of them.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any

from telegram import Update
from telegram.ext import Application

logger = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]

# update_ids remembered to drop a second delivery. Long polling gets an update again only while
# it is at most 100 past the lowest unconfirmed one (Telegram's largest getUpdates batch), and
# Telegram retries a webhook delivery for minutes, not days: 10,000 ids (about 6 minutes at
# Telegram's 30 messages a second, under 1 MB) cover both with room to spare.
RECENT_IDS = 10_000
# An update still not handled after this long is given up (its task cancelled, one warning) and
# counts as finished: a handler that hangs must not hold the confirmation point, and so every
# later update, forever. Far above any real handling: a reply waits at most 5 s on flood control
# (bot.concurrency.MAX_RETRY_WAIT), each request times out after 5 s, and a chat's updates wait
# for one another.
GIVE_UP_AFTER = 60.0


class RecentIds:
    """The last `size` ids added, for "seen it already?"."""

    def __init__(self, size: int = RECENT_IDS) -> None:
        self._size = size
        self._order: deque[int] = deque()
        self._ids: set[int] = set()

    def __contains__(self, update_id: object) -> bool:
        return update_id in self._ids

    def add(self, update_id: int) -> None:
        if update_id in self._ids:
            return
        self._ids.add(update_id)
        self._order.append(update_id)
        if len(self._order) > self._size:
            self._ids.discard(self._order.popleft())


class Intake:
    """The updates given to the application: in hand (being handled), finished, or abandoned at
    a stop. `offer` starts one; `finish` is the stop."""

    def __init__(
        self,
        application: AnyApplication,
        remember: int = RECENT_IDS,
        give_up_after: float = GIVE_UP_AFTER,
    ) -> None:
        self.application = application
        self.give_up_after = give_up_after
        self._seen = RecentIds(remember)
        self._in_hand: dict[int, asyncio.Task[None]] = {}
        self._abandoned: set[int] = set()
        self._next_finish = asyncio.Event()  # set (and replaced) when an update is finished
        self.closed = False
        self.duplicates = 0  # deliveries dropped because the update_id was taken before

    @property
    def in_hand(self) -> int:
        return len(self._in_hand)

    def lowest_unfinished(self) -> int | None:
        """The lowest update_id taken and not finished (in hand, or abandoned at a stop): the
        confirmation point that Telegram must not be told is past."""
        pending = [*self._in_hand, *self._abandoned]
        return min(pending) if pending else None

    def seen(self, update_id: int) -> bool:
        """Whether `update_id` was taken already (among the last RECENT_IDS)."""
        return update_id in self._seen

    def offer(self, update: Update) -> asyncio.Task[None] | None:
        """Start handling `update`. The task that handles it, which may be an earlier delivery's
        still in hand; None when it was handled already (or the intake is closed)."""
        update_id = update.update_id
        if update_id in self._seen:
            self.duplicates += 1
            logger.debug("Update %d delivered again: already taken, dropped", update_id)
            return self._in_hand.get(update_id)
        if self.closed:
            return None
        self._seen.add(update_id)
        task = asyncio.create_task(self._handle(update), name=f"update-{update_id}")
        self._in_hand[update_id] = task
        task.add_done_callback(lambda _: self._done(update_id))
        return task

    def next_finish(self) -> asyncio.Event:
        """An event set when the next update is finished. Taken at the moment the caller looks
        at the state it wants changed, so a finish in between is never missed."""
        return self._next_finish

    async def finish(self, deadline: float) -> tuple[int, int]:
        """At a stop: no more updates are taken; those in hand get until `deadline` (loop time)
        to finish, and the rest are cancelled and stay unfinished. (finished, abandoned)."""
        self.closed = True
        in_hand = dict(self._in_hand)
        if not in_hand:
            return 0, 0
        timeout = max(0.0, deadline - asyncio.get_running_loop().time())
        done, pending = await asyncio.wait(in_hand.values(), timeout=timeout)
        for update_id, task in in_hand.items():
            if task in pending:
                self._abandoned.add(update_id)
                task.cancel()
        if pending:
            await asyncio.wait(pending)  # a cancelled handler unwinds at once
        return len(done), len(pending)

    async def _handle(self, update: Update) -> None:
        application = self.application
        try:
            async with asyncio.timeout(self.give_up_after):
                await application.update_processor.process_update(
                    update, application.process_update(update)
                )
        except TimeoutError:
            logger.warning(
                "Update %d was still being handled after %g s: given up", update.update_id,
                self.give_up_after,
            )
        except Exception:  # a handler's errors go to the error handler: this is a bug in PTB's
            logger.exception("Update %d could not be handled", update.update_id)

    def _done(self, update_id: int) -> None:
        self._in_hand.pop(update_id, None)
        self._next_finish.set()
        self._next_finish = asyncio.Event()
