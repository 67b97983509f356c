"""The bot's side of the question store: off the event loop, and never in the way of answering.

Every database call runs on one worker thread (one writer at a time is what SQLite wants
anyway), through the process's one connection to the file (`bot.store.SharedStore`, shared with
bot.handoff), so records are written in the order they were made and the event loop never waits
on the disk.
Records queue up for a moment (BATCH_DELAY) and the worker writes all that are waiting in one
transaction: under load the cost per message falls instead of the backlog growing, and the
worker thread wakes a few times a second at most instead of competing with the event loop for
the GIL after every message.

Handlers call `record` and `record_pick` after they have replied; these return at once. If the
database cannot be opened or written (unwritable directory, locked, full disk, not a database),
the bot logs one warning, keeps answering, drops those records and retries with the next one;
when writing works again it says so once. Admin reports (`unanswered`, `stats`) are awaited and
raise `StoreUnavailable` with a one-line reason instead. If the file is deleted or replaced
while the bot runs, SharedStore says so once and starts a new store at the path before the next
batch, which is written there.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from bot.grouping import Group, group_questions
from bot.store import GuardedStore, Question, Stats, Store, StoreDown

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Records waiting for the worker beyond this are dropped: a database that hangs (a network
# filesystem, a lock held for minutes) must not grow the bot's memory without bound.
MAX_PENDING = 1000
# How long the first record of a batch waits for others (seconds); flush() and close() cut it.
BATCH_DELAY = 0.25
DAY = 24 * 60 * 60.0


class StoreUnavailable(Exception):
    """The store could not be read or written; the message is the one-line reason."""


def utc_today() -> date:
    return datetime.now(UTC).date()


class Recorder:
    """Records questions and outcomes for the running bot, and answers the admin's reports."""

    def __init__(
        self,
        path: Path,
        retention_days: int,
        *,
        busy_timeout: float = 5.0,
        today: Callable[[], date] = utc_today,
        max_pending: int = MAX_PENDING,
        batch_delay: float = BATCH_DELAY,
    ) -> None:
        self.path = path
        self.retention_days = retention_days
        self._today = today
        self._max_pending = max_pending
        self._batch_delay = batch_delay
        self._wake = threading.Event()  # set by flush() and close(): write now, do not wait
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="faq-store")
        # Records waiting for the worker, and whether a drain job is queued or running; shared by
        # the event loop (appends) and the worker (takes), hence the lock (held for microseconds).
        self._queue: deque[Callable[[Store], object]] = deque()
        self._lock = threading.Lock()
        self._draining = False
        self._closed = False
        self._executor_stopped = False
        self._overflowing = False
        # Worker thread only.
        self._store = GuardedStore(
            path, busy_timeout, logger,
            down="Question store %s unavailable: %s. The bot keeps answering; questions are "
            "not recorded until the store works again",
            up="Question store %s is writable again; recording questions",
        )

    # -- fire and forget (handlers) ---------------------------------------------------------

    def record(self, question: Question) -> None:
        """Record one message's outcome in the background (the day is today, UTC)."""
        day = self._today()
        self._submit(lambda store: store.record(question, day))

    def record_pick(self, token: str, entry_id: str) -> None:
        """Record that a suggestion button was pressed, in the background."""
        day = self._today()
        self._submit(lambda store: store.record_pick(token, entry_id, day))

    def _submit(self, operation: Callable[[Store], object]) -> None:
        if self._closed:
            logger.debug("Question store closed; not recording")
            return
        with self._lock:
            waiting = len(self._queue)
            if waiting < self._max_pending:
                self._queue.append(operation)
            start = waiting < self._max_pending and not self._draining
            if start:
                self._draining = True
        if waiting >= self._max_pending:
            if not self._overflowing:
                self._overflowing = True
                logger.warning(
                    "Question store %s is falling behind (%d records waiting); dropping records "
                    "until it catches up", self.path, waiting,
                )
            return
        self._overflowing = False
        if start:
            self._executor.submit(self._drain)

    def _drain(self) -> None:
        """Worker thread: after BATCH_DELAY, write what is queued, a batch per transaction,
        until nothing is."""
        self._wake.wait(self._batch_delay)
        self._wake.clear()
        while True:
            with self._lock:
                if not self._queue:
                    self._draining = False
                    return
                batch = list(self._queue)
                self._queue.clear()
            try:
                self._call(functools.partial(_write, batch=batch), writes=True)
            except StoreUnavailable:
                pass  # _call has logged it (once); these records are lost
            except Exception:  # a bug: log it, and keep the worker alive for the next records
                logger.exception("Could not record %d question(s)", len(batch))

    # -- awaited (admin reports, retention) -------------------------------------------------

    async def unanswered(self) -> list[Group]:
        """Every stored question, similar ones grouped, most asked first."""
        return await self._run(lambda store: group_questions(store.unanswered()), writes=False)

    async def stats(self, days: int = 7) -> Stats:
        """Counts for the last `days` days, today included."""
        last = self._today()
        first = last - timedelta(days=days - 1)
        return await self._run(lambda store: store.stats(first, last), writes=False)

    async def purge(self) -> int | None:
        """Delete what is older than the retention period; the number of questions deleted,
        or None if the store is unavailable (already logged)."""
        before = self._today() - timedelta(days=self.retention_days)
        try:
            deleted = await self._run(lambda store: store.purge(before), writes=True)
        except StoreUnavailable:
            return None
        if deleted:
            logger.info(
                "Deleted %d stored question(s) older than %d days", deleted, self.retention_days
            )
        return deleted

    async def keep_purging(self, interval: float = DAY) -> None:
        """Purge every `interval` seconds, until cancelled (the bot also purges once at
        start-up, before updates flow)."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.purge()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug: log it, and purge again tomorrow
                logger.exception("Purging the question store failed")

    async def flush(self) -> None:
        """Wait until every record made so far is written (or dropped): the worker takes jobs
        in order, and a drain job returns only once the queue is empty."""
        if not self._executor_stopped:
            self._wake.set()
            await asyncio.get_running_loop().run_in_executor(self._executor, _nothing)

    async def close(self) -> None:
        """Write what is pending, close the database, stop the worker. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        await self.flush()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._close_store)
        self._executor_stopped = True
        self._executor.shutdown(wait=False)  # idle by now: its thread exits at once

    # -- the worker thread ------------------------------------------------------------------

    async def _run(self, operation: Callable[[Store], T], writes: bool) -> T:
        if self._closed:
            raise StoreUnavailable("the question store is closed")
        self._wake.set()  # a waiting batch goes first, now: reports include the latest records
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._call, operation, writes)

    def _call(self, operation: Callable[[Store], T], writes: bool) -> T:
        try:
            return self._store.run(operation, writes)
        except StoreDown as exc:
            raise StoreUnavailable(str(exc)) from exc

    def _close_store(self) -> None:
        self._store.close()


def _write(store: Store, batch: list[Callable[[Store], object]]) -> None:
    """Several records in one transaction. A bug in one (not the disk: that fails them all)
    is logged and skips only that record."""
    with store.batch():
        for operation in batch:
            try:
                operation(store)
            except (sqlite3.Error, OSError):
                raise  # the disk: the whole batch fails, and _call says so
            except Exception:  # a bug, not the disk: loud in the log, but answering goes on
                logger.exception("Could not record a question")


def _nothing() -> None:
    pass
