"""Start-up when the Bot API is unreachable: back-off with clear log lines, never a crash loop;
the retried set-up of updates (deleteWebhook / setWebhook); and the stop signals.

`connect` is tested with a recorded sleep (so the whole schedule is checked in no time), and
`run_bot` with a tiny schedule over the faked network. The real process against a real socket is
in tests/test_process.py.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from helpers.factories import message_update
from helpers.fake_telegram import TOKEN, FakeTelegram, StopWhenAnswered
from helpers.harness import copy_faq
from helpers.local_bot_api import LocalBotApi
from telegram.error import InvalidToken, NetworkError, TimedOut

from bot.app import build_application, run_bot
from bot.config import Settings
from bot.lifecycle import BACKOFF, StopSignals, connect, delays, register
from bot.live import LiveFaq

MINI_FAQ = Path(__file__).parent / "helpers" / "mini_faq.yaml"
API = "https://api.telegram.org"


def test_the_back_off_doubles_up_to_a_minute_then_stays_there() -> None:
    schedule = delays()
    first = [next(schedule) for _ in range(10)]
    assert first == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]
    assert BACKOFF[-1] == 60


async def test_connect_retries_5xx_and_network_errors_with_back_off(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    faq = copy_faq(tmp_path, MINI_FAQ)
    fake = FakeTelegram()
    fake.break_next("getMe", httpx.ConnectError("[Errno 111] Connection refused"))
    fake.fail_next("getMe", 502, "Bad Gateway")
    fake.fail_next("getMe", 500, "Internal Server Error")
    fake.break_next("getMe", httpx.ReadTimeout("timed out"))
    app = build_application(Settings(token=TOKEN, faq_path=faq), LiveFaq.load(faq),
                            request=fake, get_updates_request=fake)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    caplog.set_level(logging.INFO)
    await connect(app, API, sleep=sleep)
    try:
        assert slept == [1, 2, 4, 8]
        assert len(fake.called("getMe")) == 5
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 4
        assert warnings[0].startswith(f"Bot API unreachable at {API} (attempt 1: ")
        assert warnings[0].endswith("retrying in 1 s")
        assert "Bad Gateway" in warnings[1]
        assert warnings[3].endswith("retrying in 8 s")
        assert any(r.getMessage() == f"Reached the Bot API at {API} on attempt 5"
                   for r in caplog.records)
        assert not [r for r in caplog.records if r.exc_info]  # no tracebacks, one line each
    finally:
        await app.shutdown()


async def test_connect_does_not_retry_a_rejected_token(tmp_path: Path) -> None:
    faq = copy_faq(tmp_path, MINI_FAQ)
    fake = FakeTelegram()
    fake.fail_next("getMe", 401, "Unauthorized")
    app = build_application(Settings(token=TOKEN, faq_path=faq), LiveFaq.load(faq),
                            request=fake, get_updates_request=fake)

    async def no_sleep(seconds: float) -> None:
        raise AssertionError("an invalid token must not be retried")

    with pytest.raises(InvalidToken):
        await connect(app, API, sleep=no_sleep)
    await app.bot.shutdown()


def test_run_bot_waits_for_the_api_then_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = StopWhenAnswered()
    for _ in range(3):
        fake.fail_next("getMe", 503, "Service Unavailable")
    fake.push_update(message_update("sciatica"))
    env = {"BOT_TOKEN": TOKEN, "FAQ_PATH": str(copy_faq(tmp_path, MINI_FAQ)),
           "FAQ_WATCH": "false"}
    assert run_bot(env, request=fake, get_updates_request=fake, backoff=(0.01,)) == 0
    err = capsys.readouterr().err
    assert err.count("Bot API unreachable") == 3
    assert "retrying in 0.01 s" in err
    assert "is ready" in err
    assert "Bot stopped" in err
    assert "Traceback" not in err
    assert fake.texts()[0].startswith("<b>Do you treat sciatica?</b>")


def test_a_failed_command_menu_does_not_stop_the_bot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = StopWhenAnswered()
    fake.fail_next("setMyCommands", 502, "Bad Gateway")
    fake.push_update(message_update("sciatica"))
    env = {"BOT_TOKEN": TOKEN, "FAQ_PATH": str(copy_faq(tmp_path, MINI_FAQ)),
           "FAQ_WATCH": "false"}
    assert run_bot(env, request=fake, get_updates_request=fake) == 0
    assert "Could not register the command menu: Bad Gateway" in capsys.readouterr().err


async def test_the_last_getupdates_at_a_stop_never_waits_for_the_cancelled_long_poll(
    tmp_path: Path,
) -> None:
    """At a stop PTB cancels the long poll and at once sends one more getUpdates, which confirms
    the updates handled. httpcore 1.0.9 can leave the cancelled request's connection stuck in
    its pool, so with PTB's one-connection pool that last call waited for it, timed out and
    logged a traceback (about one stop in five in tests/test_process.py). Here the long poll
    holds its connection for as long as the test likes: the bot's own getUpdates request (real
    HTTP to a local Bot API) still has room for the next call."""
    api = LocalBotApi()
    polled, release = threading.Event(), threading.Event()

    def hold_the_first_poll(method: str, params: dict[str, Any]) -> None:
        if not polled.is_set():
            polled.set()
            release.wait(10)

    api.hooks["getUpdates"] = hold_the_first_poll
    faq = copy_faq(tmp_path, MINI_FAQ)
    settings = Settings(token=TOKEN, faq_path=faq, api_root=api.url,
                        db_path=tmp_path / "faqbot.sqlite3")
    app = build_application(settings, LiveFaq.load(faq))  # the production HTTP layer
    await app.bot.initialize()
    try:
        long_poll = asyncio.create_task(app.bot.get_updates(timeout=0))  # held by the hook
        assert await asyncio.to_thread(polled.wait, 10)
        started = time.monotonic()
        assert await app.bot.get_updates(timeout=0) == ()  # a TimedOut with a pool of one
        assert time.monotonic() - started < 1.0  # PTB's pool timeout: it never waited
        release.set()
        assert await long_poll == ()
    finally:
        release.set()
        await app.bot.shutdown()
        api.close()


def test_a_stop_signal_sets_stopping_and_the_grace_counts_from_the_signal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The signal's time is noted when it arrives, not when the event loop gets round to it
    (with a backlog of answers on the loop that was seconds later, and the exit overran)."""
    caplog.set_level(logging.INFO)
    loop = asyncio.new_event_loop()
    signals = StopSignals(loop, SimpleNamespace())  # type: ignore[arg-type]
    before = signal.getsignal(signal.SIGTERM)
    signals.install()
    try:
        sent = time.monotonic()
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.3)  # the loop is not running: the time is noted all the same
        assert signals.at is not None
        assert sent <= signals.at < sent + 0.2
        assert not signals.stopping.is_set()
        loop.run_until_complete(asyncio.sleep(0.05))
        assert signals.stopping.is_set()
        assert signals.received == "SIGTERM"
        assert signals.deadline(7) == signals.at + 7
        os.kill(os.getpid(), signal.SIGINT)  # a second signal changes nothing
        loop.run_until_complete(asyncio.sleep(0.05))
        assert signals.received == "SIGTERM"
        assert "SIGINT received: already stopping" in caplog.text
    finally:
        signals.remove()
        loop.close()
    assert signal.getsignal(signal.SIGTERM) == before


class Registering:
    """A Feed whose register() fails with `errors`, in turn, then works."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.tries = 0

    async def register(self) -> None:
        self.tries += 1
        if self.errors:
            raise self.errors.pop(0)


async def test_register_retries_with_back_off_then_gives_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    feed = Registering(NetworkError("Bad Gateway"), TimedOut())
    await register(feed, 3, asyncio.Event(), sleep=sleep)  # type: ignore[arg-type]
    assert (feed.tries, slept) == (3, [1.0, 1.5])
    assert [r.levelno for r in caplog.records] == [logging.WARNING] * 2
    assert not [r for r in caplog.records if r.exc_info]

    failing = Registering(*[NetworkError("Bad Gateway")] * 5)
    with pytest.raises(NetworkError):
        await register(failing, 2, asyncio.Event(), sleep=sleep)  # type: ignore[arg-type]
    assert failing.tries == 3


async def test_register_stops_retrying_on_a_stop() -> None:
    stopping = asyncio.Event()

    async def sleep(seconds: float) -> None:
        stopping.set()

    feed = Registering(*[NetworkError("Bad Gateway")] * 5)
    await register(feed, 3, stopping, sleep=sleep)  # type: ignore[arg-type]
    assert feed.tries == 1
