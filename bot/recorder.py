"""The bot's side of the question store: off the event loop, and never in the way of answering.

Every database call runs on one worker thread that owns the `bot.store.Store` (SQLite
connections belong to one thread, and one writer at a time is what SQLite wants anyway), so
records are written in the order they were made and the event loop never waits on the disk.

Handlers call `record` and `record_pick` after they have replied; these return at once. If the
database cannot be opened or written (unwritable directory, locked, full disk, not a database),
the bot logs one warning, keeps answering, drops those records and retries with the next one;
when writing works again it says so once. Admin reports (`unanswered`, `stats`) are awaited and
raise `StoreUnavailable` with a one-line reason instead.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from bot.grouping import Group, group_questions
from bot.store import Question, Stats, Store, StoreError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Records waiting for the worker beyond this are dropped: a database that hangs (a network
# filesystem, a lock held for minutes) must not grow the bot's memory without bound.
MAX_PENDING = 1000
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
    ) -> None:
        self.path = path
        self.retention_days = retention_days
        self._busy_timeout = busy_timeout
        self._today = today
        self._max_pending = max_pending
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="faq-store")
        self._pending: set[asyncio.Future[None]] = set()
        self._closed = False
        self._overflowing = False
        # Worker thread only: the connection, and whether the last call failed.
        self._store: Store | None = None
        self._failing = False

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
        if len(self._pending) >= self._max_pending:
            if not self._overflowing:
                self._overflowing = True
                logger.warning(
                    "Question store %s is falling behind (%d records waiting); dropping records "
                    "until it catches up", self.path, len(self._pending),
                )
            return
        self._overflowing = False
        future = asyncio.get_running_loop().run_in_executor(
            self._executor, self._background, operation
        )
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)

    def _background(self, operation: Callable[[Store], object]) -> None:
        try:
            self._call(operation, writes=True)
        except StoreUnavailable:
            pass  # already logged by _call, once
        except Exception:  # a bug, not the disk: loud in the log, but answering goes on
            logger.exception("Could not record a question")

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
            await self.purge()

    async def flush(self) -> None:
        """Wait until every record made so far is written (or dropped)."""
        await asyncio.gather(*self._pending, return_exceptions=True)

    async def close(self) -> None:
        """Write what is pending, close the database, stop the worker. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        await self.flush()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._close_store)
        self._executor.shutdown(wait=False)  # idle by now: its thread exits at once

    # -- the worker thread ------------------------------------------------------------------

    async def _run(self, operation: Callable[[Store], T], writes: bool) -> T:
        if self._closed:
            raise StoreUnavailable("the question store is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._call, operation, writes)

    def _call(self, operation: Callable[[Store], T], writes: bool) -> T:
        """Run `operation` on the store, opening it first if needed. Any failure is logged as
        one warning until a write succeeds again (in WAL mode reads work while another process
        holds the write lock, so a read proves nothing about writing)."""
        try:
            if self._store is None:
                self._store = Store.open(self.path, busy_timeout=self._busy_timeout)
            result = operation(self._store)
        except (sqlite3.Error, OSError, StoreError) as exc:
            # Start afresh next time: the file may be replaced, unlocked or made writable.
            self._close_store()
            reason = _reason(exc)
            if not self._failing:
                self._failing = True
                logger.warning(
                    "Question store %s unavailable: %s. The bot keeps answering; questions are "
                    "not recorded until the store works again", self.path, reason,
                )
            raise StoreUnavailable(reason) from exc
        if self._failing and writes:
            self._failing = False
            logger.info("Question store %s is writable again; recording questions", self.path)
        return result

    def _close_store(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            try:
                store.close()
            except sqlite3.Error as exc:
                logger.debug("Closing the question store: %s", exc)


def _reason(exc: BaseException) -> str:
    """One line saying what went wrong, for the log and the admin."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror}{where}"
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
