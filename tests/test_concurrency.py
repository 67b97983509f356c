"""No chat held up by another (bot.concurrency), through the real Application: updates go in by
its update_queue, as the Updater puts them, so PTB's fetcher, our update processor, the rate
limiter and the error handler all run as in production over the in-memory Bot API."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from helpers.factories import ADMIN_ID, command_update, message_update, to_update
from helpers.fake_telegram import FakeTelegram
from helpers.harness import Harness, copy_faq, running_bot, texts_to, wait_for
from telegram.error import TimedOut
from telegram.request import RequestData

from bot import views
from bot.concurrency import MAX_RETRY_WAIT, ChatOrderedProcessor
from bot.faq import FaqError, load_faq

MINI_FAQ = Path(__file__).parent / "helpers" / "mini_faq.yaml"
ALICE, BOB = 4242, 5151


class SlowTelegram(FakeTelegram):
    """sendMessage to `slow_chat` takes `delay` seconds (its first `slow_sends` only); with
    `time_out`, Telegram takes the message but the answer never comes back in time."""

    def __init__(self, slow_chat: int, delay: float, slow_sends: int = 1,
                 time_out: bool = False) -> None:
        super().__init__()
        self.slow_chat, self.delay, self.slow_sends, self.time_out = (
            slow_chat, delay, slow_sends, time_out
        )

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        params = request_data.parameters if request_data is not None else {}
        slow = (
            url.endswith("/sendMessage") and self.slow_sends > 0
            and int(str(params.get("chat_id", 0))) == self.slow_chat
        )
        if not slow:
            return await super().do_request(url, method, request_data, *args, **kwargs)
        self.slow_sends -= 1
        if self.time_out:
            await super().do_request(url, method, request_data, *args, **kwargs)  # delivered
            await asyncio.sleep(self.delay)
            raise TimedOut("Timed out")
        await asyncio.sleep(self.delay)
        return await super().do_request(url, method, request_data, *args, **kwargs)


async def push(bot: Harness, data: dict[str, Any]) -> None:
    """Hand an update to the running Application as the Updater does."""
    await bot.app.update_queue.put(to_update(data, bot.app.bot))


def errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_bot(copy_faq(tmp_path, MINI_FAQ)) as harness:
        yield harness


def test_the_application_processes_chats_concurrently(bot: Harness) -> None:
    processor = bot.app.update_processor
    assert isinstance(processor, ChatOrderedProcessor)
    assert processor.max_concurrent_updates > 1  # PTB hands updates over without waiting


async def test_a_600_s_429_in_one_chat_drops_that_reply_and_holds_up_no_one(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    bot.fake.rate_limit_next("sendMessage", retry_after=600)
    started = time.monotonic()
    await push(bot, message_update("my sciatica is bad", from_id=ALICE))
    await wait_for(lambda: len(bot.fake.called("sendMessage")) == 1)  # Alice's 429
    await push(bot, message_update("cupping", from_id=BOB))
    bob_waited = await wait_for(lambda: len(texts_to(bot, BOB)) == 1)
    assert "Cupping" in texts_to(bot, BOB)[0]
    assert bob_waited < 1.0  # before: the whole 600 s (AIORateLimiter stops every request)
    await wait_for(lambda: any(r.name == "bot.handlers" for r in errors(caplog)))
    assert time.monotonic() - started < MAX_RETRY_WAIT  # beyond the cap: dropped, not waited
    assert texts_to(bot, ALICE) == []  # no apology into the flood control either
    [line] = errors(caplog)
    assert "reply dropped" in line.getMessage()
    assert "sciatica" not in line.getMessage()  # questions are health data
    assert line.exc_info is None
    # Alice's next question inside the 600 s: dropped at once, without asking Telegram again.
    calls = len(bot.fake.called("sendMessage"))
    await push(bot, message_update("swedish", from_id=ALICE))
    await wait_for(lambda: len(errors(caplog)) == 2)
    assert len(bot.fake.called("sendMessage")) == calls
    processor = bot.app.update_processor
    assert isinstance(processor, ChatOrderedProcessor)
    await wait_for(lambda: processor.busy_chats == 0)  # no lock kept for an idle chat


@pytest.mark.slow  # waits out a real retry_after of one second
async def test_another_chat_is_answered_while_one_chat_waits_out_a_429(bot: Harness) -> None:
    bot.fake.rate_limit_next("sendMessage", retry_after=1)
    started = time.monotonic()
    await push(bot, message_update("sciatica", from_id=ALICE))
    await wait_for(lambda: len(bot.fake.called("sendMessage")) == 1)
    await push(bot, message_update("cupping", from_id=BOB))
    bob_waited = await wait_for(lambda: len(texts_to(bot, BOB)) == 1)
    assert bob_waited < 0.5
    assert texts_to(bot, ALICE) == []  # still waiting out her 429
    await wait_for(lambda: len(texts_to(bot, ALICE)) == 1)
    assert time.monotonic() - started >= 1.0
    assert "sciatica" in texts_to(bot, ALICE)[0].lower()


async def test_one_chats_messages_are_answered_in_order_while_others_go_ahead(
    tmp_path: Path,
) -> None:
    fake = SlowTelegram(slow_chat=ALICE, delay=0.3)  # her first reply is slow
    async with running_bot(copy_faq(tmp_path, MINI_FAQ), fake=fake) as bot:
        questions = ["sciatica", "cupping", "swedish", "tennis elbow"]
        for text in questions:
            await push(bot, message_update(text, from_id=ALICE))
        await push(bot, message_update("cupping", from_id=BOB))
        await wait_for(lambda: len(texts_to(bot, BOB)) == 1)
        assert len(texts_to(bot, ALICE)) < 2  # Bob was not kept behind Alice's slow reply
        await wait_for(lambda: len(texts_to(bot, ALICE)) == len(questions))
        answered = [text.lower() for text in texts_to(bot, ALICE)]
        for question, answer in zip(questions, answered, strict=True):
            assert question.split()[0] in answer, (question, answer)


async def test_a_slow_send_that_times_out_gets_no_apology_and_holds_up_no_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake = SlowTelegram(slow_chat=ALICE, delay=0.5, time_out=True)
    async with running_bot(copy_faq(tmp_path, MINI_FAQ), fake=fake) as bot:
        await push(bot, message_update("sciatica", from_id=ALICE))
        await wait_for(lambda: len(texts_to(bot, ALICE)) == 1)  # delivered; the answer is slow
        await push(bot, message_update("cupping", from_id=BOB))
        assert await wait_for(lambda: len(texts_to(bot, BOB)) == 1) < 0.4
        await wait_for(lambda: bool(errors(caplog)))
        await asyncio.sleep(0.1)
        assert texts_to(bot, ALICE)[1:] == []  # the answer only: no "something went wrong"
        assert views.ERROR_REPLY not in fake.texts()
        [line] = errors(caplog)
        assert "timed out" in line.getMessage()


def many_problems(count: int) -> str:
    """The mini FAQ with `count` more entries, each missing its answer."""
    text = MINI_FAQ.read_text(encoding="utf-8")
    extra = "".join(
        f"  - id: extra-{n}\n    topic: Extra\n    question: Extra question number {n}?\n"
        for n in range(count)
    )
    return text + extra


async def test_a_reload_of_a_file_with_500_problems_sends_the_admin_one_summary(
    tmp_path: Path,
) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    async with running_bot(path) as bot:
        path.write_text(many_problems(500), encoding="utf-8")
        with pytest.raises(FaqError) as caught:
            load_faq(path)
        problems = len(caught.value.problems)
        assert problems >= 500
        assert len(str(caught.value)) > 10 * 4096  # quoted whole, this would be many messages
        await bot.send(command_update("/reload", from_id=ADMIN_ID))
        texts = bot.fake.texts()
        assert len(texts) == 1
        (text,) = texts
        assert f"the new file has {problems} problems" in text
        assert f"and {problems - views.RELOAD_PROBLEMS_SHOWN} more" in text
        assert text.count(f"{path}:") == views.RELOAD_PROBLEMS_SHOWN
        assert "(5 entries) stays in service" in text
