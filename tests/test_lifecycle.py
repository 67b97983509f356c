"""Start-up when the Bot API is unreachable: back-off with clear log lines, never a crash loop.

`connect` is tested with a recorded sleep (so the whole schedule is checked in no time), and
`run_bot` with a tiny schedule over the faked network. The real process against a real socket is
in tests/test_process.py.
"""

from __future__ import annotations

import asyncio
import logging
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
from telegram.error import InvalidToken

from bot.app import build_application, run_bot
from bot.config import Settings
from bot.lifecycle import BACKOFF, StopSignals, connect, delays
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


class Starting:
    """What StopSignals sees of PTB's Application while its runner starts and stops; every
    stop_running() is noted (with whether it was running then) and, like one that lands while
    PTB's runner is still finishing start(), lost."""

    def __init__(self) -> None:
        self.running = False
        self.updater = SimpleNamespace(running=True)
        self.asked: list[bool] = []

    def stop_running(self) -> None:
        self.asked.append(self.running)


def test_a_stop_signal_during_the_start_is_asked_again_until_ptb_exits() -> None:
    """A SIGTERM just after the ready line (PTB still bootstrapping) was deferred until PTB ran
    and then asked once: if that landed before PTB's run_forever() it was lost, and the bot
    polled on until killed (tests/test_process.py, about one run in twenty)."""
    loop = asyncio.new_event_loop()
    application = Starting()
    signals = StopSignals(loop, application)  # type: ignore[arg-type]
    try:
        signals._on_signal(signal.SIGTERM)  # during PTB's bootstrap
        assert application.asked == [False]  # in post_init this would stop PTB right after it
        application.running = True
        loop.run_until_complete(asyncio.sleep(0.3))
        assert len(application.asked) >= 3  # asked again, and again...
        assert all(application.asked[1:])  # ...only while it runs
        application.updater.running = False  # its exit has begun: asking would break it off
        asked = len(application.asked)
        loop.run_until_complete(asyncio.sleep(0.2))
        assert len(application.asked) == asked
    finally:
        signals.remove()
        loop.close()
