"""Bot API faults while answering: 429s are waited out, 5xx and network errors are logged once
and the bot goes on with the next update; nothing is retried forever.

The faults are injected below PTB (helpers.fake_telegram: an error response, or an exception
from the HTTP layer as httpx raises it), so PTB's request wrapper, the production
AIORateLimiter and the error handler all run as in production.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from helpers.factories import message_update
from helpers.harness import Harness, copy_faq, running_bot
from telegram.error import TimedOut

from bot import views
from bot.app import build_application
from bot.concurrency import MAX_RETRY_WAIT, ChatRateLimiter
from bot.config import Settings
from bot.live import LiveFaq

MINI_FAQ = Path(__file__).parent / "helpers" / "mini_faq.yaml"


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_bot(copy_faq(tmp_path, MINI_FAQ)) as harness:
        yield harness


def errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.ERROR]


async def next_question_is_answered(bot: Harness) -> None:
    await bot.send(message_update("cupping"))
    assert len(bot.fake.sent()) == 1
    assert "Cupping" in bot.fake.texts()[0]


def test_the_production_limiter_retries_429s_a_bounded_number_of_times(tmp_path: Path) -> None:
    faq = copy_faq(tmp_path, MINI_FAQ)
    app = build_application(Settings(token="1:x", faq_path=faq), LiveFaq.load(faq))
    limiter = app.bot.rate_limiter
    assert isinstance(limiter, ChatRateLimiter)
    assert limiter.max_retries == 3  # bounded: a 429 storm does not hold an update forever
    assert limiter.max_wait == MAX_RETRY_WAIT  # and so is the time it waits in all


@pytest.mark.slow  # waits out a real retry_after
async def test_a_429_is_waited_out_then_the_reply_is_delivered(bot: Harness) -> None:
    bot.fake.rate_limit_next("sendMessage", retry_after=1)
    started = time.monotonic()
    await bot.send(message_update("sciatica"))
    waited = time.monotonic() - started
    sent = bot.fake.sent()
    assert len(sent) == 2  # the 429, then the same message again
    assert sent[0]["text"] == sent[1]["text"]
    assert waited >= 1.0


@pytest.mark.slow  # waits out real retry_afters
async def test_429s_beyond_the_retries_give_up_log_once_and_move_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # One retry instead of production's three keeps this test at about one second.
    limiter = ChatRateLimiter(max_retries=1)
    async with running_bot(copy_faq(tmp_path, MINI_FAQ), rate_limiter=limiter) as bot:
        for _ in range(5):
            bot.fake.rate_limit_next("sendMessage", retry_after=1)
        await bot.send(message_update("sciatica"))
        assert len(bot.fake.sent()) == 2  # the first try and one retry, then it gave up
        assert views.ERROR_REPLY not in bot.fake.texts()  # no apology into a rate limit
        handler_errors = [r for r in errors(caplog) if r.name == "bot.handlers"]
        assert len(handler_errors) == 1
        bot.fake.failures.clear()
        await next_question_is_answered(bot)


@pytest.mark.parametrize(("status", "description"), [
    (500, "Internal Server Error"), (502, "Bad Gateway"), (503, "Service Unavailable"),
    (504, "Gateway Timeout"),
])
async def test_a_5xx_on_a_send_is_logged_once_and_not_retried(
    bot: Harness, caplog: pytest.LogCaptureFixture, status: int, description: str
) -> None:
    bot.fake.fail_next("sendMessage", status, description)
    await bot.send(message_update("sciatica"))
    # one attempt at the answer (not retried), then the apology
    assert bot.fake.texts()[1:] == [views.ERROR_REPLY]
    assert len(bot.fake.sent()) == 2
    [record] = errors(caplog)
    assert description in record.getMessage()
    assert record.exc_info is None  # one line: not our bug, no traceback
    await next_question_is_answered(bot)


@pytest.mark.parametrize("error", [
    httpx.ConnectError("[Errno 111] Connection refused"),
    httpx.RemoteProtocolError("Server disconnected without sending a response."),
], ids=["connect", "disconnect"])
async def test_a_network_error_on_a_send_is_logged_once_and_not_retried(
    bot: Harness, caplog: pytest.LogCaptureFixture, error: Exception
) -> None:
    bot.fake.break_next("sendMessage", error)
    await bot.send(message_update("sciatica"))
    assert len(bot.fake.sent()) == 2  # the failed answer, the apology
    assert bot.fake.texts()[1] == views.ERROR_REPLY
    [record] = errors(caplog)
    assert "Bot API failed" in record.getMessage()
    await next_question_is_answered(bot)


async def test_a_timed_out_send_is_logged_once_and_gets_no_apology(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    # A timeout may come after Telegram took the message: an apology would be a second message.
    bot.fake.break_next("sendMessage", TimedOut("Timed out"))
    await bot.send(message_update("sciatica"))
    assert len(bot.fake.sent()) == 1  # the answer that timed out, and nothing after it
    assert views.ERROR_REPLY not in bot.fake.texts()
    [record] = errors(caplog)
    assert "timed out" in record.getMessage()
    assert record.exc_info is None
    await next_question_is_answered(bot)


async def test_when_the_apology_fails_too_the_bot_still_goes_on(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    bot.fake.break_next("sendMessage", httpx.ConnectError("down"))
    bot.fake.break_next("sendMessage", httpx.ConnectError("still down"))
    await bot.send(message_update("sciatica"))
    assert len(bot.fake.sent()) == 2
    assert len(errors(caplog)) == 1
    assert any("Could not send the error apology" in r.getMessage() for r in caplog.records)
    await next_question_is_answered(bot)
