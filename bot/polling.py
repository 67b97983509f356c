"""Long polling that confirms to Telegram only the updates that have been handled.

Telegram keeps an update until a getUpdates asks for an `offset` past its update_id; that is the
only confirmation there is. PTB's Updater asks for the next offset as soon as it has *fetched*
a batch, and fetches the whole backlog at once: at a stop everything fetched and not yet
answered was lost (600 queued questions, SIGTERM, SIGKILL 10 s later: 210 never answered).

`Poller` instead:

- sends as offset the lowest update_id not yet handled (bot.intake), so Telegram sends again, to
  this process or the next one, everything not answered;
- takes at most `max_in_hand` unfinished updates at a time, so a backlog is not pulled into
  memory faster than it is answered, and what is in hand at a stop can mostly be finished;
- skips the updates it already took: with the offset held back by a slow update, Telegram sends
  the later, already taken ones again with every batch;
- at the end, confirms exactly what was handled with one short getUpdates.

The trade-off: Telegram returns at most 100 updates from the offset, so while one update is
slow (a reply waiting on flood control, at most a few seconds) the bot sees at most 100 updates
past it. Handling is bounded (bot.concurrency caps waits, bot.intake gives up on a stuck update).

Network errors are retried as PTB's Updater does (at once after a timeout, after retry_after
on a 429, else after 1 s growing to 30 s), with one log line per failure and no traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Sequence

from telegram import Bot, Update
from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut

from bot.concurrency import retry_seconds
from bot.intake import Intake
from bot.lifecycle import until

logger = logging.getLogger(__name__)

# Telegram's largest getUpdates batch. Always asked for in full, even with less room: with a
# smaller limit the batch could hold only updates already taken, and the bot would never reach
# the new ones behind them.
FETCH_LIMIT = 100
# Updates in hand at most. About 3 s of replies at Telegram's 30 messages a second: a stop's
# grace (bot.lifecycle.GRACE) usually finishes all of them, and memory stays small whatever
# the backlog. Well above what one chat's ordering or a burst of questions needs to keep the
# other chats going (bot.concurrency works on up to 128 at once).
MAX_IN_HAND = 100
# Long-poll timeout, PTB's default: an idle bot still polls (and marks itself alive for
# bot.health) every 10 s.
POLL_TIMEOUT = 10
# When a batch held nothing new (the offset is held back by an update still in hand, so Telegram
# answers at once with updates already taken and a long poll is impossible), poll again after
# this long or as soon as an update is finished: while one reply is slow, other people's new
# questions are seen within 0.25 s (0.1 s more on average than a long poll), at the cost of
# four small getUpdates a second.
POLL_AGAIN = 0.25
# Back-off after a failed getUpdates, as PTB's network loop: 1 s, then x1.5 up to 30 s.
FIRST_DELAY = 1.0
MAX_DELAY = 30.0
# The last getUpdates at a stop, which confirms what was handled: a short poll, and not waited
# for longer than this (the exit must stay inside Docker's 10 s).
CONFIRM_TIMEOUT = 1.0


class Poller:
    """Long polling as a bot.lifecycle Feed: fetches updates for `intake` until `stopping` is
    set; at the close, confirms what was handled."""

    def __init__(
        self,
        bot: Bot,
        intake: Intake,
        allowed_updates: Sequence[str] | None,
        *,
        max_in_hand: int = MAX_IN_HAND,
        poll_timeout: int = POLL_TIMEOUT,
    ) -> None:
        self.bot = bot
        self.intake = intake
        self.allowed_updates = list(allowed_updates) if allowed_updates is not None else None
        self.max_in_hand = max_in_hand
        self.poll_timeout = poll_timeout
        self._taken_to: int | None = None  # one past the last update taken
        self.sent_again = 0  # updates Telegram sent again while the offset was held back

    @property
    def offset(self) -> int | None:
        """What may be confirmed: every update below it has been handled."""
        lowest = self.intake.lowest_unfinished()
        return lowest if lowest is not None else self._taken_to

    async def register(self) -> None:
        """No webhook may be set while polling (Telegram refuses getUpdates then)."""
        await self.bot.delete_webhook()

    async def run(self, stopping: asyncio.Event) -> None:
        """Poll until `stopping` is set (an unfinished long poll is cancelled then)."""
        delay = 0.0
        while not stopping.is_set():
            if self.intake.in_hand >= self.max_in_hand:
                await until(stopping, self.intake.next_finish().wait())
                continue
            try:
                fetched = await until(stopping, self.bot.get_updates(
                    offset=self.offset, limit=FETCH_LIMIT, timeout=self.poll_timeout,
                    allowed_updates=self.allowed_updates,
                ))
            except TimedOut:  # the long poll's connection stalled: ask again at once (as PTB)
                logger.debug("getUpdates timed out; polling again")
                continue
            except InvalidToken:
                raise
            except RetryAfter as exc:
                wait = retry_seconds(exc) + 0.5
                logger.warning("getUpdates rate limited: polling again in %.1f s", wait)
                await until(stopping, asyncio.sleep(wait))
                continue
            except TelegramError as exc:
                delay = FIRST_DELAY if delay == 0 else min(MAX_DELAY, delay * 1.5)
                logger.warning("getUpdates failed (%s); polling again in %g s", exc, delay)
                await until(stopping, asyncio.sleep(delay))
                continue
            if fetched is None:  # stopping
                break
            if delay:
                logger.info("getUpdates works again")
                delay = 0.0
            finished = self.intake.next_finish()
            if not self._take(fetched) and fetched:
                await until(stopping, _within(POLL_AGAIN, finished.wait()))

    def _take(self, updates: Sequence[Update]) -> int:
        """Offer the batch's new updates while there is room; how many were new."""
        new = 0
        for update in updates:
            if self.intake.seen(update.update_id):  # taken before, still held back or done
                self._taken_to = update.update_id + 1
                self.sent_again += 1
                continue
            if self.intake.in_hand >= self.max_in_hand:
                break  # the rest stay unconfirmed: fetched again once there is room
            self._taken_to = update.update_id + 1
            self.intake.offer(update)
            new += 1
        return new

    async def close(self) -> None:
        await self.confirm()

    async def confirm(self) -> None:
        """Tell Telegram the updates handled, and only those (one short getUpdates)."""
        offset = self.offset
        if offset is None:  # nothing was taken: nothing to confirm
            return
        try:
            async with asyncio.timeout(CONFIRM_TIMEOUT):  # connecting included
                await self.bot.get_updates(
                    offset=offset, limit=1, timeout=0, read_timeout=CONFIRM_TIMEOUT,
                    allowed_updates=self.allowed_updates,
                )
        except (TelegramError, TimeoutError) as exc:
            logger.warning(
                "Could not confirm the answered updates to Telegram (%s): it will send them "
                "again to the next run, which answers them again", exc or "timed out",
            )
        else:
            logger.debug("Confirmed the updates below %d to Telegram", offset)



async def _within(seconds: float, work: Awaitable[object]) -> None:
    """`work`, or `seconds`, whichever ends first."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(work, seconds)
