"""The real Application, started the way run_polling starts it, over the in-memory Bot API.

`running_bot(faq_path)` builds the app with `bot.app.build_application` (every real handler,
Defaults, the rate limiter), runs initialize -> post_init -> start, and yields a `Harness` whose
`send()` feeds one update through `Application.process_update`, i.e. the handler groups, filters
and the error handler exactly as in production. The question store is a file next to the FAQ
(so in the test's tmp_path); `settle()` waits for the records written in the background.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram.ext import BaseRateLimiter

from bot.app import BotApp, build_application
from bot.config import Settings
from bot.handoff import Handoff, handoff_in
from bot.live import LiveFaq
from bot.recorder import Recorder
from bot.services import Services
from helpers.factories import ADMIN_ID, to_update
from helpers.fake_telegram import TOKEN, FakeTelegram

REPO = Path(__file__).resolve().parents[2]
SHIPPED_FAQ = REPO / "faq.yaml"


def copy_faq(directory: Path, source: Path = SHIPPED_FAQ) -> Path:
    """A private copy of the FAQ that a test may edit."""
    target = directory / "faq.yaml"
    shutil.copyfile(source, target)
    return target


@dataclass
class Harness:
    app: BotApp
    fake: FakeTelegram
    settings: Settings
    live: LiveFaq

    async def send(self, data: dict[str, Any], clear: bool = True) -> None:
        """Process one update (Telegram JSON) to completion; by default forget earlier calls."""
        if clear:
            self.fake.clear()
        await self.app.process_update(to_update(data, self.app.bot))

    def methods(self) -> list[str]:
        return [call.method for call in self.fake.calls]

    @property
    def handoff(self) -> Handoff:
        return handoff_in(self.app.bot_data)

    @property
    def services(self) -> Services:
        services = self.app.bot_data["services"]
        assert isinstance(services, Services)
        return services

    async def settle(self) -> None:
        """Wait until the question store has written everything recorded so far."""
        await self.services.recorder.flush()


@asynccontextmanager
async def running_bot(
    faq_path: Path,
    *,
    admin_ids: frozenset[int] = frozenset({ADMIN_ID}),
    faq_watch: bool = False,
    watch_interval: float = 0.05,
    reload_settle: float = 0.02,
    rate_limiter: BaseRateLimiter[Any] | None = None,
    fake: FakeTelegram | None = None,
    db_path: Path | None = None,
    retention_days: int = 90,
    keep_questions: bool = True,
    recorder: Recorder | None = None,
    staff_chat_id: int | None = None,
    handoff_retention_days: int = 7,
    handoff: Handoff | None = None,
) -> AsyncIterator[Harness]:
    settings = Settings(
        token=TOKEN,
        faq_path=faq_path,
        admin_ids=admin_ids,
        faq_watch=faq_watch,
        watch_interval=watch_interval,
        db_path=db_path or faq_path.parent / "faqbot.sqlite3",
        retention_days=retention_days,
        keep_questions=keep_questions,
        staff_chat_id=staff_chat_id,
        handoff_retention_days=handoff_retention_days,
    )
    live = LiveFaq.load(faq_path, settle=reload_settle)  # tests need not wait a second
    fake = fake or FakeTelegram()
    app = build_application(
        settings, live, request=fake, get_updates_request=fake, rate_limiter=rate_limiter,
        recorder=recorder, handoff=handoff,
    )
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    await app.start()
    try:
        yield Harness(app=app, fake=fake, settings=settings, live=live)
    finally:
        await app.stop()
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)


def edit(path: Path, change: Callable[[str], str]) -> None:
    """Rewrite the file, making sure its stat changes even on coarse-mtime filesystems."""
    before = path.stat()
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    after = path.stat()
    if (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size):
        os.utime(path, ns=(after.st_atime_ns, after.st_mtime_ns + 1_000_000_000))


async def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> float:
    """Poll `condition` (the watcher and the bot's tasks work on their own time) until it holds;
    return how long that took. AssertionError after `seconds`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"condition not met within {seconds:g} s")
        await asyncio.sleep(0.005)
    return time.monotonic() - started


def texts_to(bot: Harness, chat_id: int) -> list[str]:
    """Every message the bot sent to one chat since it started."""
    return [str(message["text"]) for message in bot.fake.sent_to(chat_id)]


# An entry the reload tests add to the mini FAQ.
HOT_STONES = (
    "\n  - id: hot-stones\n    topic: Types of massage\n"
    "    question: What is hot stone massage?\n    keywords: [hot stones]\n"
    "    answer: Warm stones are placed on the body.\n"
)
