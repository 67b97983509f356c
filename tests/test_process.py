"""`faq-bot run` as a real process over real HTTP (a local Bot API on 127.0.0.1): start-up when
the API is down or failing, and a clean stop on SIGTERM and SIGINT with an update in hand.

Here nothing is faked inside the bot: PTB's own HTTPXRequest, our runner (bot.lifecycle) and
its signal handling run as in production, with BOT_API_BASE_URL pointing at
tests/helpers/local_bot_api.py. At-least-once answering across a stop is in tests/test_polling.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from helpers.emulator import free_port
from helpers.factories import callback_update, message_update
from helpers.fake_telegram import BOT_USERNAME, TOKEN
from helpers.harness import REPO, copy_faq
from helpers.local_bot_api import LocalBotApi

from bot.store import Store

pytestmark = [
    pytest.mark.slow,  # a bot process per test, stopped by signals: not in a routine run
    pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="POSIX signals"),
]

READY = f"Bot @{BOT_USERNAME} is ready"
STOP_WITHIN = 10.0  # seconds, from the signal to the exit


class BotRun:
    """`python -m bot run` (what the faq-bot script runs) with its log in a file."""

    def __init__(
        self, tmp_path: Path, api_url: str, *, command: tuple[str, ...] = ("-m", "bot", "run"),
        **env: str,
    ) -> None:
        self.log_path = tmp_path / "bot.log"
        self._log: IO[str] = self.log_path.open("w", encoding="utf-8")
        environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("WEBHOOK_", "BOT_"))},
            "BOT_TOKEN": TOKEN,
            "BOT_API_BASE_URL": api_url,
            "FAQ_PATH": str(copy_faq(tmp_path)),
            "FAQ_WATCH": "false",
            "LOG_LEVEL": "DEBUG",
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
            "HEALTH_FILE": str(tmp_path / "health"),
            **env,
        }
        self.environment = environment
        self.process = subprocess.Popen(
            [sys.executable, *command], env=environment, cwd=tmp_path,
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
        )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def wait_for_log(self, text: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log():
            assert self.process.poll() is None, f"exited {self.process.returncode}:\n{self.log()}"
            assert time.monotonic() < deadline, f"{text!r} not logged in {timeout}s:\n{self.log()}"
            time.sleep(0.05)

    def stop(self, number: int) -> tuple[int, float]:
        """Send the signal; the exit code and how long the exit took."""
        sent = time.monotonic()
        self.process.send_signal(number)
        return self.wait(), time.monotonic() - sent

    def wait(self) -> int:
        try:
            code = self.process.wait(STOP_WITHIN + 5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._log.close()
        return code


@pytest.fixture
def api() -> Iterator[LocalBotApi]:
    server = LocalBotApi()
    yield server
    server.close()


def check_clean_log(log: str) -> None:
    assert "Traceback" not in log
    assert " ERROR " not in log
    assert TOKEN not in log  # at LOG_LEVEL=DEBUG, with real httpx requests
    assert TOKEN.split(":")[1] not in log


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_a_stop_signal_finishes_the_update_in_hand_and_exits_0(
    tmp_path: Path, api: LocalBotApi, stop_signal: int
) -> None:
    bot = BotRun(tmp_path, api.url)
    signalled: dict[str, Any] = {}

    def signal_mid_update(method: str, params: dict[str, Any]) -> None:
        # The button's handler has started (it answers the callback first); stop the bot now,
        # and answer slowly, so the rest of the update is handled after the signal.
        signalled["at"] = time.monotonic()
        bot.process.send_signal(stop_signal)
        time.sleep(0.3)

    api.hooks["answerCallbackQuery"] = signal_mid_update
    bot.wait_for_log(READY)
    update = callback_update("a:condition-sciatica")
    api.push_update(update)
    code = bot.wait()
    log = bot.log()
    assert code == 0, log
    assert time.monotonic() - signalled["at"] < STOP_WITHIN
    # the update in hand was finished: its answer was sent after the signal...
    [answer] = api.called("sendMessage")
    assert answer.at > signalled["at"]
    assert "<b>Do you treat sciatica?</b>" in str(answer.params["text"])  # after its lead
    # ...and confirmed to Telegram, so it is not delivered again after a restart
    assert api.confirmed_offset == update["update_id"] + 1
    assert "Bot stopped" in log
    check_clean_log(log)


def test_a_stop_writes_the_pending_records_and_closes_the_database(
    tmp_path: Path, api: LocalBotApi
) -> None:
    database = tmp_path / "store" / "faqbot.sqlite3"
    bot = BotRun(tmp_path, api.url, LOG_LEVEL="INFO", DB_PATH=str(database))
    bot.wait_for_log(READY)
    api.push_update(message_update("how much is a session? call me on +44 20 7946 0958"))
    deadline = time.monotonic() + 10
    while not api.called("sendMessage"):  # replied; the record may still be waiting to be written
        assert time.monotonic() < deadline, bot.log()
        time.sleep(0.02)
    code, took = bot.stop(signal.SIGTERM)
    assert code == 0, bot.log()
    assert took < STOP_WITHIN
    # closed cleanly: SQLite folds the write-ahead log back in when the last connection closes
    assert not database.with_name(database.name + "-wal").exists()
    store = Store.open_existing(database)
    try:
        [asked] = store.unanswered()
    finally:
        store.close()
    assert asked.text == "how much is a session? call me on [phone]"
    assert asked.outcome == "none"
    check_clean_log(bot.log())


def test_an_idle_bot_stops_on_sigterm_within_the_limit(tmp_path: Path, api: LocalBotApi) -> None:
    bot = BotRun(tmp_path, api.url, LOG_LEVEL="INFO")
    bot.wait_for_log(READY)
    code, took = bot.stop(signal.SIGTERM)
    assert code == 0, bot.log()
    assert took < STOP_WITHIN
    assert "Bot stopped" in bot.log()
    check_clean_log(bot.log())


def test_a_failing_api_at_start_is_retried_with_back_off(
    tmp_path: Path, api: LocalBotApi
) -> None:
    api.fail_get_me = 1  # one 502, then the API works (the first back-off step is 1 s)
    bot = BotRun(tmp_path, api.url, LOG_LEVEL="INFO")
    bot.wait_for_log(READY)
    log = bot.log()
    assert f"Bot API unreachable at {api.url} (attempt 1: Bad Gateway); retrying in 1 s" in log
    assert f"Reached the Bot API at {api.url} on attempt 2" in log
    get_me = api.called("getMe")
    assert get_me[1].at - get_me[0].at >= 1.0  # it waited, no tight loop
    code, _ = bot.stop(signal.SIGTERM)
    assert code == 0
    check_clean_log(bot.log())


# `faq-bot run`, with a SIGTERM sent to itself the moment PTB's Application.start() returns: before
# the first getUpdates.
SIGNAL_AS_IT_STARTS = """
import os, signal, sys
from telegram.ext import Application
start = Application.start
async def start_then_signal(self):
    await start(self)
    os.kill(os.getpid(), signal.SIGTERM)
Application.start = start_then_signal
from bot.app import run_bot
sys.exit(run_bot(os.environ))
"""


def test_a_stop_signal_as_the_runner_starts_is_not_lost(tmp_path: Path, api: LocalBotApi) -> None:
    """A SIGTERM the moment the application has started, before polling begins, stops the bot
    cleanly (with PTB's runner, a stop asked then could be lost, and the bot polled on until
    killed)."""
    bot = BotRun(tmp_path, api.url, command=("-c", SIGNAL_AS_IT_STARTS), LOG_LEVEL="INFO")
    code = bot.wait()
    log = bot.log()
    assert code == 0, log  # not killed after waiting STOP_WITHIN + 5 s for an exit
    assert "SIGTERM received" in log
    assert "Bot stopped" in log
    check_clean_log(log)


def test_faq_bot_health_follows_the_running_bot(tmp_path: Path, api: LocalBotApi) -> None:
    mark = tmp_path / "health"
    mark.touch()  # left by an earlier process: removed at start, it vouches for nothing
    bot = BotRun(tmp_path, api.url, LOG_LEVEL="INFO")

    def health(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "health", *args], env=bot.environment, cwd=tmp_path,
            capture_output=True, text=True, timeout=30, check=False,
        )

    bot.wait_for_log(READY)
    deadline = time.monotonic() + 10
    while not mark.exists():  # the first getUpdates that the API answers marks it
        assert time.monotonic() < deadline, bot.log()
        time.sleep(0.05)
    running = health()
    assert (running.returncode, running.stderr) == (0, ""), running.stderr
    assert running.stdout.startswith("healthy:")
    assert mark.read_bytes() == b""  # nothing in it: no question, id or token
    code, _ = bot.stop(signal.SIGTERM)
    assert code == 0
    time.sleep(1.5)
    stopped = health("--max-age", "1")
    assert stopped.returncode == 1
    assert stopped.stderr.startswith("unhealthy: the bot last heard from Telegram ")
    assert stopped.stderr.count("\n") == 1
    check_clean_log(bot.log())


def test_an_unreachable_api_is_retried_and_a_signal_still_stops_it(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there: connection refused
    bot = BotRun(tmp_path, closed, LOG_LEVEL="INFO")
    bot.wait_for_log("retrying in 1 s")
    bot.wait_for_log("retrying in 2 s")
    code, took = bot.stop(signal.SIGTERM)
    log = bot.log()
    assert code == 0, log
    assert took < STOP_WITHIN
    assert f"Bot API unreachable at {closed} (attempt 1: " in log
    assert "Stopped before reaching the Bot API" in log
    assert "Traceback" not in log
    assert TOKEN not in log


def run_once(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "FAQ_"))},
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"], env=environment, cwd=tmp_path,
        capture_output=True, text=True, timeout=30, check=False,
    )


def test_a_missing_token_is_one_line_naming_it(tmp_path: Path) -> None:
    result = run_once(tmp_path, {"FAQ_PATH": str(copy_faq(tmp_path))})
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: BOT_TOKEN is not set")
    assert result.stdout == ""


def test_a_broken_faq_names_the_line_without_a_traceback(tmp_path: Path) -> None:
    faq = copy_faq(tmp_path, REPO / "tests" / "helpers" / "mini_faq.yaml")  # its layout is ours
    lines = faq.read_text(encoding="utf-8").splitlines(keepends=True)
    broken_line = next(n for n, line in enumerate(lines) if line.startswith("  - id: "))
    lines[broken_line] = "  - id: Not A Valid Id\n"
    faq.write_text("".join(lines), encoding="utf-8")
    result = run_once(tmp_path, {"BOT_TOKEN": TOKEN, "FAQ_PATH": str(faq),
                                 "BOT_API_BASE_URL": f"http://127.0.0.1:{free_port()}"})
    assert result.returncode == 2
    assert f"{faq}:{broken_line + 1}: " in result.stderr
    assert "Traceback" not in result.stderr
    assert "Bot API" not in result.stderr  # stopped before any network traffic


def test_webhook_mode_refuses_forgeries_answers_a_replay_once_and_never_logs_the_secret(
    tmp_path: Path, api: LocalBotApi
) -> None:
    port, secret = free_port(), "process-Webhook_secret-7"
    bot = BotRun(tmp_path, api.url, WEBHOOK_URL="https://clinic.example/tg/hook",
                 WEBHOOK_SECRET=secret, LISTEN="127.0.0.1", PORT=str(port))  # at DEBUG
    bot.wait_for_log(READY, timeout=60)
    url = f"http://127.0.0.1:{port}/tg/hook"
    update = json.dumps(callback_update("a:condition-sciatica")).encode()
    headers = {"Content-Type": "application/json"}
    with httpx.Client(timeout=10) as client:
        for _ in range(100):  # the server listens right after setWebhook
            try:
                forged = client.post(url, content=update, headers={
                    **headers, "X-Telegram-Bot-Api-Secret-Token": "forged-secret"})
                break
            except httpx.TransportError:
                time.sleep(0.05)
        statuses = [forged.status_code] + [
            client.post(url, content=update, headers={
                **headers, "X-Telegram-Bot-Api-Secret-Token": secret}).status_code
            for _ in range(3)  # Telegram's delivery, then two replays
        ]
    code, took = bot.stop(signal.SIGTERM)
    log = bot.log()
    assert code == 0, log
    assert took < STOP_WITHIN
    assert statuses == [403, 200, 200, 200]
    assert len(api.called("sendMessage")) == 1  # answered once
    assert api.called("getUpdates") == []
    assert "forged-secret" not in log
    assert secret not in log
    check_clean_log(log)
