"""The health mark (bot.health) and `faq-bot health`: the bot marks each time it hears from
Telegram, the mark holds nothing but its time, and the command tells fresh from stale.

The mark through a real process over real HTTP (`faq-bot run` polling a local Bot API) is in
tests/test_process.py; here the network is faked.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from helpers.factories import message_update
from helpers.fake_telegram import TOKEN, FakeTelegram, StopWhenAnswered
from helpers.harness import REPO, copy_faq
from telegram import Update, WebhookInfo
from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

from bot import cli
from bot.app import build_application, run_bot, services_of
from bot.config import Settings, Webhook
from bot.health import DEFAULT_MAX_AGE, HealthMark, check, heartbeat_of, mark_path
from bot.live import LiveFaq

MINI_FAQ = Path(__file__).parent / "helpers" / "mini_faq.yaml"
HOOK = "https://clinic.example/tg/hook"


def age(path: Path, seconds: float) -> None:
    """Make the mark `seconds` old."""
    then = time.time() - seconds
    os.utime(path, (then, then))


# -- where the mark is, and what `check` makes of it ------------------------------------------


def test_the_mark_is_health_file_else_in_the_temporary_directory() -> None:
    assert mark_path({}) == Path(tempfile.gettempdir()) / "clinic-faq-bot.health"
    assert mark_path({"HEALTH_FILE": "  "}) == mark_path({})
    assert mark_path({"HEALTH_FILE": "/run/bot/alive"}) == Path("/run/bot/alive")
    assert mark_path({"HEALTH_FILE": "~/alive"}) == Path.home() / "alive"


def test_a_fresh_mark_is_healthy_and_an_old_one_is_not(tmp_path: Path) -> None:
    path = tmp_path / "health"
    path.touch()
    assert check(path) is None
    age(path, DEFAULT_MAX_AGE - 10)
    assert check(path) is None
    age(path, DEFAULT_MAX_AGE + 10)
    problem = check(path)
    assert problem is not None
    assert f"last heard from Telegram {DEFAULT_MAX_AGE + 10:.0f} s ago" in problem
    assert str(path) in problem
    assert check(path, max_age=DEFAULT_MAX_AGE + 20) is None


def test_no_mark_or_an_unreadable_one_is_unhealthy_in_one_line(tmp_path: Path) -> None:
    missing = check(tmp_path / "health")
    assert missing is not None
    assert "no health mark at" in missing
    assert "\n" not in missing
    (tmp_path / "file").touch()
    unreadable = check(tmp_path / "file" / "health")  # a file where a directory should be
    assert unreadable is not None
    assert unreadable.startswith("cannot read the health mark")
    assert "\n" not in unreadable


# -- HealthMark: the bot's side ---------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_touching_is_at_most_once_every_few_seconds(tmp_path: Path) -> None:
    clock = Clock()
    mark = HealthMark(tmp_path / "health", every=5, clock=clock)
    mark.touch()
    assert mark.path.exists()
    assert mark.path.read_bytes() == b""  # nothing but its time: no question, id or token
    age(mark.path, 100)
    clock.now += 4
    mark.touch()
    assert check(mark.path, max_age=50) is not None  # not touched again yet
    clock.now += 1
    mark.touch()
    assert check(mark.path, max_age=50) is None


def test_clearing_removes_an_old_mark_and_makes_its_directory(tmp_path: Path) -> None:
    old = tmp_path / "health"
    old.touch()
    HealthMark(old).clear()
    assert not old.exists()
    nested = HealthMark(tmp_path / "run" / "bot" / "health")
    nested.clear()
    assert nested.path.parent.is_dir()
    nested.touch()
    assert check(nested.path) is None


def test_a_mark_that_cannot_be_written_is_one_warning_not_a_crash(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "blocker"
    blocker.touch()  # a file where the mark's directory should be
    mark = HealthMark(blocker / "health", every=0)
    caplog.set_level(logging.INFO, logger="bot.health")
    mark.clear()
    for _ in range(5):
        mark.touch()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "HEALTH_FILE" in warnings[0]
    blocker.unlink()
    blocker.mkdir()
    mark.touch()
    assert mark.path.exists()
    assert "can be written again" in caplog.records[-1].getMessage()


class Canned(BaseRequest):
    """Answers each request with the next canned (status, body)."""

    def __init__(self, *answers: tuple[int, bytes]) -> None:
        self.answers = list(answers)
        self.state = "new"

    @property
    def read_timeout(self) -> float:
        return 7.0

    async def initialize(self) -> None:
        self.state = "initialized"

    async def shutdown(self) -> None:
        self.state = "shut down"

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        return self.answers.pop(0)


async def test_each_answered_getupdates_marks_the_bot_and_a_failed_one_does_not(
    tmp_path: Path,
) -> None:
    inner = Canned(
        (502, b'{"ok": false, "error_code": 502, "description": "Bad Gateway"}'),
        (200, b'{"ok": true, "result": []}'),
    )
    mark = HealthMark(tmp_path / "health", every=0)
    request = mark.watch_polls(inner)
    await request.initialize()
    assert inner.state == "initialized"
    assert request.read_timeout == 7.0  # PTB adds the long-poll timeout to it
    with pytest.raises(NetworkError):
        await request.post(f"http://127.0.0.1:1/bot{TOKEN}/getUpdates")
    assert not mark.path.exists()
    assert await request.post(f"http://127.0.0.1:1/bot{TOKEN}/getUpdates") == []
    assert mark.path.exists()
    await request.shutdown()
    assert inner.state == "shut down"


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "BOT_TOKEN": TOKEN, "FAQ_PATH": str(copy_faq(tmp_path, MINI_FAQ)), "FAQ_WATCH": "false",
        "DB_PATH": str(tmp_path / "data" / "faqbot.sqlite3"),
        "HEALTH_FILE": str(tmp_path / "health"), **extra,
    }


def test_a_polling_bot_marks_itself_alive(tmp_path: Path) -> None:
    stale = tmp_path / "health"
    stale.touch()
    age(stale, 3600)
    fake = StopWhenAnswered()
    fake.push_update(message_update("whats cupping"))
    assert run_bot(env(tmp_path), request=fake, get_updates_request=fake) == 0
    assert fake.called("getUpdates")
    assert check(stale, max_age=60) is None  # marked by this run's polls


def test_a_mark_left_by_an_earlier_process_never_vouches_for_this_one(tmp_path: Path) -> None:
    (tmp_path / "health").touch()  # fresh, but not this process's
    fake = FakeTelegram()
    fake.fail_next("getMe", 401, "Unauthorized")  # never hears from Telegram
    assert run_bot(env(tmp_path), request=fake, get_updates_request=fake) == 1
    assert not (tmp_path / "health").exists()


async def test_in_webhook_mode_each_update_delivered_marks_the_bot_and_is_answered(
    tmp_path: Path,
) -> None:
    faq = copy_faq(tmp_path, MINI_FAQ)
    settings = Settings(token=TOKEN, faq_path=faq, db_path=tmp_path / "faqbot.sqlite3",
                        webhook=Webhook(url=HOOK, secret="s3cret"))
    fake = FakeTelegram()
    mark = HealthMark(tmp_path / "health")
    app = build_application(settings, LiveFaq.load(faq), request=fake, get_updates_request=fake,
                            mark=mark)
    await app.initialize()
    try:
        assert not mark.path.exists()
        await app.process_update(Update.de_json(message_update("hello"), app.bot))
        assert mark.path.exists()
        assert len(fake.texts()) == 1  # the update went on to the bot's own handlers
    finally:
        await app.shutdown()
        await services_of(app).close()
    heartbeat = heartbeat_of(app)
    assert heartbeat is not None
    heartbeat.close()  # (never started)


def test_a_polling_bot_needs_no_heartbeat(tmp_path: Path) -> None:
    faq = copy_faq(tmp_path, MINI_FAQ)
    settings = Settings(token=TOKEN, faq_path=faq, db_path=tmp_path / "faqbot.sqlite3")
    fake = FakeTelegram()
    app = build_application(settings, LiveFaq.load(faq), request=fake, get_updates_request=fake,
                            mark=HealthMark(tmp_path / "health"))
    assert heartbeat_of(app) is None
    assert app.handlers.get(-1) is None  # no handler in front of the bot's own


class WebhookInfos:
    """A bot whose getWebhookInfo gives the next of `infos` (an exception is raised)."""

    def __init__(self, *infos: WebhookInfo | Exception) -> None:
        self.infos = list(infos)
        self.done = asyncio.Event()

    async def get_webhook_info(self) -> WebhookInfo:
        if not self.infos:
            self.done.set()
            await asyncio.Event().wait()  # until cancelled
        info = self.infos.pop(0)
        if isinstance(info, Exception):
            raise info
        return info


class CountingMark(HealthMark):
    def __init__(self, path: Path) -> None:
        super().__init__(path, every=0)
        self.touched: list[bool] = []

    def touch(self) -> None:
        self.touched[-1] = True


def info(url: str = HOOK, error_ago: float | None = None) -> WebhookInfo:
    failed = None if error_ago is None else datetime.now(UTC) - timedelta(seconds=error_ago)
    return WebhookInfo(url=url, has_custom_certificate=False, pending_update_count=0,
                       last_error_date=failed,
                       last_error_message=None if failed is None else "Connection refused")


async def test_the_webhook_heartbeat_marks_only_while_telegram_delivers_to_this_bot(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bot = WebhookInfos(
        info(),                                    # registered: marked
        info(url="https://other.example/hook"),    # another instance took over
        info(url=""),                              # no webhook at all
        info(error_ago=5),                         # Telegram cannot reach us right now
        info(error_ago=600),                       # ... and could again, long since
        NetworkError("Bad Gateway"),               # Telegram itself unreachable
    )
    mark = CountingMark(tmp_path / "health")
    application: Any = SimpleNamespace(running=True, bot=bot)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:  # the next check at once, a new slot for its mark
        waits.append(seconds)
        mark.touched.append(False)

    caplog.set_level(logging.INFO, logger="bot.health")
    mark.touched.append(False)
    task = asyncio.create_task(mark.heartbeat(application, HOOK, every=30, sleep=sleep))
    await asyncio.wait_for(bot.done.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert waits == [30] * 6
    assert mark.touched == [True, False, False, False, True, False, False]
    logged = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert logged == [
        ("WARNING", "Webhook check: Telegram has another webhook URL for this bot"),
        ("WARNING", "Webhook check: Telegram has no webhook URL for this bot"),
        ("WARNING", "Webhook check: Telegram could not deliver an update: Connection refused"),
        ("INFO", "Telegram delivers to the webhook again"),
        ("WARNING", "Webhook check: getWebhookInfo failed: Bad Gateway"),
    ]


# -- `faq-bot health` ---------------------------------------------------------------------------


def test_faq_bot_health_exits_0_on_a_fresh_mark_and_1_with_a_reason_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "health"
    monkeypatch.setenv("HEALTH_FILE", str(path))
    assert cli.main(["health"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("unhealthy: no health mark at")
    assert err.count("\n") == 1
    path.touch()
    assert cli.main(["health"]) == 0
    assert capsys.readouterr().out.startswith("healthy:")
    age(path, 30)
    assert cli.main(["health", "--max-age", "20"]) == 1
    assert "30 s ago" in capsys.readouterr().err
    assert cli.main(["health", "--max-age", "40.5"]) == 0


@pytest.mark.parametrize("bad", ["0", "-5", "soon", "nan", "inf"])
def test_faq_bot_health_refuses_a_max_age_that_is_no_number_of_seconds(
    bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["health", "--max-age", bad])
    assert exited.value.code == 2
    assert "--max-age" in capsys.readouterr().err


@pytest.mark.slow  # starts a faq-bot process
def test_faq_bot_health_as_a_process_never_imports_telegram(tmp_path: Path) -> None:
    """It runs every 30 s in the container: it must not pay for python-telegram-bot."""
    path = tmp_path / "health"
    path.touch()
    probe = (
        "import sys\n"
        "from bot.cli import main\n"
        "code = main(['health'])\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in {'telegram', 'httpx'})\n"
        "print('LEAKED', leaked, 'CODE', code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, timeout=60,
        check=False, env={**os.environ, "PYTHONPATH": str(REPO), "HEALTH_FILE": str(path)},
    )
    assert result.returncode == 0, result.stderr
    assert "LEAKED [] CODE 0" in result.stdout


def test_the_readme_documents_the_health_file() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "| `HEALTH_FILE` |" in readme
    assert "`faq-bot health" in readme
