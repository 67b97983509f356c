"""Many updates through the real Application by long polling, over the in-memory Bot API: what
scripts/bench_bot.py and scripts/soak.py share.

`ServeUpdates` hands out the updates through getUpdates, 100 per call as Telegram does; `poll_all`
starts the application the way `run_polling` does (initialize, post_init, start, the Updater),
waits until every update has been handled, and stops it again.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from bot.app import BotApp
from helpers.fake_telegram import FakeTelegram


class ServeUpdates(FakeTelegram):
    """Serves `updates` through getUpdates, `batch` at a time, then sets `exhausted`. Calls are
    not recorded by default: keeping 10,000 of them would itself grow the memory measured."""

    def __init__(
        self,
        updates: Iterable[dict[str, Any]],
        batch: int = 100,
        record: bool = False,
        backlog: Callable[[], int] | None = None,
    ) -> None:
        super().__init__(record=record)
        self._source: Iterator[dict[str, Any]] = iter(updates)
        self._batch = batch
        # PTB's Updater fetches as fast as getUpdates answers, whatever the handlers' pace: with
        # `backlog` (updates fetched, not yet handled) the next batch waits until there is room,
        # as with people typing, instead of the whole run piling up in memory during a 429 wait.
        self._backlog = backlog
        self.exhausted = asyncio.Event()
        self.first_poll: float | None = None

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.first_poll is None:
            self.first_poll = time.perf_counter()
        while self._backlog is not None and self._backlog() >= self._batch:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        batch = list(itertools.islice(self._source, self._batch))
        if not batch:
            self.exhausted.set()
            await asyncio.sleep(0.05)
        return batch


async def poll_all(
    app: BotApp, fake: ServeUpdates, on_ready: Callable[[], None] | None = None
) -> float:
    """Run `app` over `fake` until every served update is handled; the seconds from the first
    poll to the last update handled. `on_ready` runs after start-up, before any update."""
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    if on_ready is not None:
        on_ready()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0)
    await fake.exhausted.wait()
    await app.update_queue.join()
    elapsed = time.perf_counter() - (fake.first_poll or time.perf_counter())
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    assert app.post_shutdown is not None
    await app.post_shutdown(app)
    return elapsed
