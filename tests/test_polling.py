"""At-least-once answering by long polling (bot.polling, bot.intake): an update is confirmed to
Telegram (a getUpdates offset past it) only once it has been handled, so a stop, a SIGKILL and a
restart leave no question unanswered, and an update Telegram sends again is answered once.

The process tests run `faq-bot run` against tests/helpers/local_bot_api.py with offsets honoured
as Telegram does (an update below the highest offset seen is gone for good).
"""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from helpers.factories import message_update
from helpers.fake_telegram import TOKEN, StopWhenAnswered
from helpers.harness import copy_faq
from helpers.local_bot_api import LocalBotApi
from telegram import Update
from test_process import READY, BotRun, check_clean_log

from bot.app import ALLOWED_UPDATES, build_application, run_bot
from bot.config import Settings
from bot.intake import Intake, RecentIds
from bot.lifecycle import StopSignals, serve
from bot.live import LiveFaq
from bot.polling import Poller

MINI_FAQ = Path(__file__).parent / "helpers" / "mini_faq.yaml"
QUESTION = "do you treat sciatica?"
DOCKER_KILLS_AFTER = 10.0  # seconds from SIGTERM to SIGKILL


def queue_questions(
    api: LocalBotApi, count: int, first_chat: int = 30_000, chat_of_each: Any = None
) -> list[dict[str, Any]]:
    """`count` questions, each from its own person unless `chat_of_each(n)` says otherwise."""
    chats = chat_of_each or (lambda n: first_chat + n)
    updates = [message_update(QUESTION, from_id=chats(n)) for n in range(count)]
    for update in updates:
        api.push_update(update)
    return updates


def chat_of(update: dict[str, Any]) -> int:
    return int(update["message"]["chat"]["id"])


def answered_at(api: LocalBotApi, updates: list[dict[str, Any]]) -> dict[int, float]:
    """update_id -> when its answer was created: a chat's answers come in its questions' order
    (bot.concurrency), one message per question."""
    times = api.answer_times()
    seen: dict[int, int] = {}
    answered: dict[int, float] = {}
    for update in updates:
        chat = chat_of(update)
        index = seen[chat] = seen.get(chat, -1) + 1
        if index < len(times.get(chat, [])):
            answered[update["update_id"]] = times[chat][index]
    return answered


def wait_for_answers(
    api: LocalBotApi, updates: list[dict[str, Any]], count: int, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while len(answered_at(api, updates)) < count:
        assert time.monotonic() < deadline, f"{len(answered_at(api, updates))} of {count} answered"
        time.sleep(0.05)


def assert_no_unanswered_update_confirmed(
    api: LocalBotApi, updates: list[dict[str, Any]]
) -> None:
    """Every getUpdates offset O sent at time t: each update below O was answered before t."""
    answered = answered_at(api, updates)
    for at, offset in api.offsets():
        for update in updates:
            if update["update_id"] >= offset:
                break
            when = answered.get(update["update_id"], float("inf"))
            assert when < at, f"offset {offset} confirmed {update['update_id']} unanswered"


def slow_sends(api: LocalBotApi, seconds: float, hang: dict[int, float] | None = None) -> None:
    """Every sendMessage takes `seconds` (as a busy Telegram); a chat in `hang`, that long."""
    hang = hang or {}

    def slow(method: str, params: dict[str, Any]) -> None:
        time.sleep(hang.get(int(params["chat_id"]), seconds))

    api.hooks["sendMessage"] = slow


def start_bot(tmp_path: Path, name: str, api: LocalBotApi) -> BotRun:
    """A `faq-bot run` process of its own (log, FAQ, store) in tmp_path/name."""
    directory = tmp_path / name
    directory.mkdir()
    return BotRun(directory, api.url, LOG_LEVEL="INFO")


@pytest.fixture
def api() -> Any:
    server = LocalBotApi()
    server.honour_offsets = True
    yield server
    server.close()


@pytest.mark.slow
def test_a_stop_confirms_only_answered_updates_and_a_restart_answers_the_rest(
    tmp_path: Path, api: LocalBotApi
) -> None:
    updates = queue_questions(api, 200)
    slow_sends(api, 0.5)
    first = start_bot(tmp_path, "first", api)
    first.wait_for_log(READY, timeout=60)
    wait_for_answers(api, updates, 5, timeout=30)
    code, took = first.stop(signal.SIGTERM)
    assert code == 0, first.log()
    assert_no_unanswered_update_confirmed(api, updates)
    assert took < DOCKER_KILLS_AFTER
    answered_by_first = len(answered_at(api, updates))
    assert answered_by_first < len(updates)  # a backlog was left for the next process
    check_clean_log(first.log())

    second = start_bot(tmp_path, "second", api)
    wait_for_answers(api, updates, len(updates), timeout=90)
    code, _ = second.stop(signal.SIGTERM)
    assert code == 0, second.log()
    assert_no_unanswered_update_confirmed(api, updates)
    assert api.confirmed_offset == updates[-1]["update_id"] + 1
    # at least once, and here exactly once: nothing was abandoned mid-answer, and the updates
    # Telegram sent again while one was slow were skipped
    chats = [message["chat"]["id"] for message in api.messages]
    assert sorted(chats) == sorted(chat_of(update) for update in updates)
    check_clean_log(second.log())


@pytest.mark.slow
def test_sigterm_with_a_backlog_exits_in_time_leaving_the_unanswered_unconfirmed(
    tmp_path: Path, api: LocalBotApi
) -> None:
    """One person's replies are slow (4.5 s each, under the 5 s timeout) and they sent four
    questions, answered in order: the last ones cannot be answered within the grace. They are
    abandoned at the deadline, the exit is well inside Docker's 10 s, and they stay unconfirmed,
    so the next process answers them."""
    slow_chat = 29_999
    updates = queue_questions(
        api, 300, chat_of_each=lambda n: slow_chat if 3 <= n < 7 else 30_000 + n
    )
    slow_sends(api, 0.3, hang={slow_chat: 4.5})
    bot = start_bot(tmp_path, "first", api)
    bot.wait_for_log(READY, timeout=60)
    time.sleep(2)
    code, took = bot.stop(signal.SIGTERM)
    log = bot.log()
    assert code == 0, log
    assert took < DOCKER_KILLS_AFTER, log
    assert "left unconfirmed for the next run" in log
    assert api.confirmed_offset <= updates[6]["update_id"]
    assert_no_unanswered_update_confirmed(api, updates)
    assert "Traceback" not in log

    slow_sends(api, 0.0)
    second = start_bot(tmp_path, "second", api)
    wait_for_answers(api, updates, len(updates), timeout=90)
    assert second.stop(signal.SIGTERM)[0] == 0


def test_an_update_delivered_twice_is_answered_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = StopWhenAnswered()
    update = message_update(QUESTION)
    fake.push_update(update)
    fake.push_update(dict(update))  # the same update_id again, in the same batch
    env = {"BOT_TOKEN": TOKEN, "FAQ_PATH": str(copy_faq(tmp_path, MINI_FAQ)),
           "FAQ_WATCH": "false", "DB_PATH": str(tmp_path / "faqbot.sqlite3")}
    assert run_bot(env, request=fake, get_updates_request=fake) == 0
    assert len(fake.texts()) == 1
    assert "Bot stopped" in capsys.readouterr().err


class Processor:
    """The update processor as PTB's, without its bounds."""

    async def process_update(self, update: object, coroutine: Any) -> None:
        await coroutine


async def test_a_stuck_update_is_given_up_and_no_longer_holds_the_offset(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def process_update(update: object) -> None:
        await asyncio.sleep(60)  # a handler that hangs

    application = SimpleNamespace(update_processor=Processor(), process_update=process_update)
    intake = Intake(application, give_up_after=0.1)  # type: ignore[arg-type]
    update = Update.de_json(message_update(QUESTION), None)
    assert update is not None
    task = intake.offer(update)
    assert task is not None
    assert intake.lowest_unfinished() == update.update_id
    await task
    assert intake.lowest_unfinished() is None  # finished: the offset may pass it
    assert f"Update {update.update_id} was still being handled after 0.1 s: given up" in (
        caplog.text
    )
    assert intake.offer(update) is None  # and it is not handled again


def test_recent_ids_are_bounded() -> None:
    seen = RecentIds(3)
    for update_id in (1, 2, 3, 2, 4):
        seen.add(update_id)
    assert 1 not in seen  # the oldest forgotten
    assert all(update_id in seen for update_id in (2, 3, 4))


class Signals(StopSignals):
    """StopSignals without the process's signal handlers: `stop()` is the signal."""

    def stop(self) -> None:
        self._on_signal(signal.SIGTERM)


async def test_the_offset_waits_for_the_slowest_update_and_a_stop_abandons_it(
    tmp_path: Path,
) -> None:
    """In one process: a reply held by Telegram keeps its update the confirmation point while
    later ones are answered; updates sent again meanwhile are skipped; at the stop it is
    abandoned after the grace, and the last getUpdates confirms exactly the answered prefix."""
    api = LocalBotApi()
    api.honour_offsets = True
    release = threading.Event()
    updates = queue_questions(api, 6)
    held_chat = chat_of(updates[1])

    def hold(method: str, params: dict[str, Any]) -> None:
        if int(params["chat_id"]) == held_chat:
            release.wait(20)

    api.hooks["sendMessage"] = hold
    faq = copy_faq(tmp_path, MINI_FAQ)
    settings = Settings(token=TOKEN, faq_path=faq, api_root=api.url, faq_watch=False,
                        db_path=tmp_path / "faqbot.sqlite3")
    application = build_application(settings, LiveFaq.load(faq))
    loop = asyncio.get_running_loop()
    signals = Signals(loop, application)
    intake = Intake(application)
    poller = Poller(application.bot, intake, ALLOWED_UPDATES, poll_timeout=1)
    await application.initialize()
    try:
        running = asyncio.create_task(serve(application, poller, intake, signals, retries=0,
                                            grace=0.5))
        await asyncio.to_thread(wait_for_answers, api, updates, 5, 20)  # all but the held one
        await asyncio.sleep(0.3)  # a few polls, each sending the taken updates again
        assert intake.in_hand == 1
        assert poller.offset == updates[1]["update_id"]
        assert poller.sent_again > 0  # sent again while held back, and skipped
        assert api.confirmed_offset <= updates[1]["update_id"]
        signals.stop()
        started = time.monotonic()
        await running
        assert time.monotonic() - started < 3
        assert api.confirmed_offset == updates[1]["update_id"]  # the answered prefix only
        assert len(api.messages) == 5  # one answer each: the skipped copies were not answered
    finally:
        release.set()
        api.close()


async def test_no_more_than_max_in_hand_updates_are_taken(tmp_path: Path) -> None:
    """A backlog is taken as fast as it is answered, not pulled into memory: with every reply
    held, the bot takes `max_in_hand` updates and then waits (no getUpdates) for room."""
    api = LocalBotApi()
    api.honour_offsets = True
    release = threading.Event()
    api.hooks["sendMessage"] = lambda method, params: release.wait(20) and None
    updates = queue_questions(api, 12)
    faq = copy_faq(tmp_path, MINI_FAQ)
    settings = Settings(token=TOKEN, faq_path=faq, api_root=api.url, faq_watch=False,
                        db_path=tmp_path / "faqbot.sqlite3")
    application = build_application(settings, LiveFaq.load(faq))
    signals = Signals(asyncio.get_running_loop(), application)
    intake = Intake(application)
    poller = Poller(application.bot, intake, ALLOWED_UPDATES, max_in_hand=3, poll_timeout=1)
    await application.initialize()
    try:
        running = asyncio.create_task(serve(application, poller, intake, signals, retries=0))
        while len(api.called("sendMessage")) < 3:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        polls = len(api.called("getUpdates"))
        await asyncio.sleep(1.0)
        assert intake.in_hand == 3
        assert len(api.called("getUpdates")) == polls  # full: it waits for room, not Telegram
        assert len(api.called("sendMessage")) == 3
        release.set()
        await asyncio.to_thread(wait_for_answers, api, updates, len(updates), 20)
        signals.stop()
        await running
        assert api.confirmed_offset == updates[-1]["update_id"] + 1
    finally:
        release.set()
        api.close()
