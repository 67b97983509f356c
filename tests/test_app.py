"""`run_bot`: the whole start-up and shutdown path, polling and webhook, over the faked network.

run_bot runs PTB's own runner (signal handlers, bootstrap, post_init, the Updater), so these
tests stop it the way a deployment does: with SIGTERM, sent once the bot has replied.
"""

from __future__ import annotations

import html
import json
import os
import signal
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
from helpers.factories import command_update, message_update
from helpers.fake_telegram import BOT_USERNAME, TOKEN, FakeTelegram, StopWhenAnswered
from helpers.harness import copy_faq

from bot.app import run_bot
from bot.faq import FaqError, load_faq

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="POSIX signals")

MINI_FAQ = Path(__file__).parent / "helpers" / "mini_faq.yaml"


def env(faq: Path, **extra: str) -> dict[str, str]:
    return {
        "BOT_TOKEN": TOKEN, "FAQ_PATH": str(faq), "FAQ_WATCH": "false",
        "DB_PATH": str(faq.parent / "data" / "faqbot.sqlite3"), **extra,
    }


def test_missing_token_is_one_line_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_bot({}) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "BOT_TOKEN" in err
    assert "Traceback" not in err


def test_bad_setting_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_bot({"BOT_TOKEN": TOKEN, "LOG_LEVEL": "chatty"}) == 2
    assert capsys.readouterr().err.startswith("error: LOG_LEVEL:")


def test_broken_faq_prints_the_check_error_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    faq = copy_faq(tmp_path, MINI_FAQ)
    text = faq.read_text(encoding="utf-8")
    assert "  - id: swedish\n" in text
    faq.write_text(text.replace("  - id: swedish\n", "  - id: Bad Id\n"), encoding="utf-8")
    fake = FakeTelegram()
    assert run_bot(env(faq), request=fake, get_updates_request=fake) == 2
    with pytest.raises(FaqError) as caught:
        load_faq(faq)
    err = capsys.readouterr().err
    assert err == f"{caught.value}\n"
    assert "Traceback" not in err
    assert fake.calls == []  # nothing was sent to Telegram


def test_polling_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the small test FAQ, not the shipped one: a practice may reword or drop any entry
    fake = StopWhenAnswered(replies=2)
    fake.push_update(command_update("/start"))
    fake.push_update(message_update("my jaw hurts, do you treat tennis elbow?"))
    code = run_bot(env(copy_faq(tmp_path, MINI_FAQ), LOG_LEVEL="INFO"),
                   request=fake, get_updates_request=fake)
    assert code == 0
    err = capsys.readouterr().err
    faq = load_faq(MINI_FAQ)
    assert f"Bot @{BOT_USERNAME} is ready: {len(faq.entries)} FAQ entries" in err
    assert "long polling" in err
    methods = [call.method for call in fake.calls]
    assert methods[0] == "getMe"
    for method in ("setMyCommands", "deleteWebhook", "getUpdates"):
        assert method in methods
    texts = fake.texts()
    assert texts[0].startswith("<b>Hello")
    assert "<b>Do you treat tennis elbow?</b>" in texts[1]
    assert html.escape(faq.disclaimer.strip(), quote=False) in texts[1]
    assert "jaw" not in err  # question text is health data: not logged at INFO
    assert TOKEN not in err


def test_the_token_never_reaches_the_log_even_at_debug(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = StopWhenAnswered()
    fake.push_update(message_update("whats cupping"))
    assert run_bot(env(copy_faq(tmp_path), LOG_LEVEL="DEBUG"),
                   request=fake, get_updates_request=fake) == 0
    err = capsys.readouterr().err
    assert "DEBUG" in err
    assert "whats cupping" in err
    assert TOKEN not in err
    assert TOKEN.split(":")[1] not in err


def test_a_rejected_token_is_reported_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeTelegram()
    fake.fail_next("getMe", 401, "Unauthorized")
    assert run_bot(env(copy_faq(tmp_path)), request=fake, get_updates_request=fake) == 1
    err = capsys.readouterr().err
    assert "Telegram rejected BOT_TOKEN" in err
    assert TOKEN not in err


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_webhook_mode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    secret = "hook-secret_123"
    fake = StopWhenAnswered()
    statuses: list[int] = []

    def telegram_posts_updates() -> None:
        url = f"http://127.0.0.1:{port}/tg/hook"
        update = json.dumps(message_update("do you treat sciatica?")).encode()
        headers = {"Content-Type": "application/json"}
        with httpx.Client(timeout=5) as client:
            for _ in range(200):  # until the server is up
                try:
                    forged = client.post(url, content=update, headers={
                        **headers, "X-Telegram-Bot-Api-Secret-Token": "wrong"})
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            else:
                os.kill(os.getpid(), signal.SIGTERM)
                return
            statuses.append(forged.status_code)
            real = client.post(url, content=update, headers={
                **headers, "X-Telegram-Bot-Api-Secret-Token": secret})
            statuses.append(real.status_code)
        if not fake.answered.wait(10):
            os.kill(os.getpid(), signal.SIGTERM)

    poster = threading.Thread(target=telegram_posts_updates, daemon=True)
    poster.start()
    code = run_bot(
        env(copy_faq(tmp_path), WEBHOOK_URL="https://clinic.example/tg/hook",
            WEBHOOK_SECRET=secret, LISTEN="127.0.0.1", PORT=str(port)),
        request=fake, get_updates_request=fake,
    )
    poster.join(10)
    assert code == 0
    assert statuses == [403, 200]  # a forged update is refused
    (set_webhook,) = fake.called("setWebhook")
    assert set_webhook.params["url"] == "https://clinic.example/tg/hook"
    assert set_webhook.params["secret_token"] == secret
    assert set_webhook.params["allowed_updates"] == ["message", "callback_query", "inline_query"]
    assert fake.called("getUpdates") == []
    (answer,) = fake.texts()
    assert "<b>Do you treat sciatica?</b>" in answer  # after its lead, "Yes, sciatica ..."
    err = capsys.readouterr().err
    assert "webhook https://clinic.example/tg/hook" in err
    assert secret not in err.replace("https://clinic.example/tg/hook", "")
