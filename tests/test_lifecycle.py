"""Start-up when the Bot API is unreachable: back-off with clear log lines, never a crash loop.

`connect` is tested with a recorded sleep (so the whole schedule is checked in no time), and
`run_bot` with a tiny schedule over the faked network. The real process against a real socket is
in tests/test_process.py.
"""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from helpers.factories import message_update
from helpers.fake_telegram import TOKEN, FakeTelegram, StopWhenAnswered
from helpers.harness import copy_faq
from telegram.error import InvalidToken

from bot.app import build_application, run_bot
from bot.config import Settings
from bot.lifecycle import BACKOFF, connect, delays
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
