"""Handing a question to a person at the practice (STAFF_CHAT_ID), through the real Application.

The person's side (the "Ask the practice" button, /ask, the consent, Send and Cancel) and the
staff's side (a reply to the bot's post reaches the person, once) over the in-memory Bot API,
with the bad cases: replies to anything else or too late, a person who blocked the bot, a staff
chat the bot was removed from, a second press of Send. At the end, `faq-bot run` as a process
does a whole hand-off over real HTTP (tests/helpers/local_bot_api.py).
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import signal
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import SUGGESTED, suggestion_list
from helpers.factories import (
    callback_update,
    command_update,
    group_chat,
    message_update,
    private_chat,
)
from helpers.fake_telegram import BOT_USER, buttons
from helpers.harness import Harness, copy_faq, running_bot
from helpers.local_bot_api import LocalBotApi
from helpers.telegram_html import check_message, parse

from bot import views
from bot.faq import load_faq
from bot.handoff import Handoff, PendingQuestions
from bot.recorder import Recorder
from bot.store import HandoffLink, Question, Store

MINI_FAQ = Path(__file__).parent / "helpers" / "mini_faq.yaml"
STAFF = -1005550001111  # the practice's staff group
STAFF_MEMBER = 3003
DECLINED = "what is the price of a session?"
URGENT = "I have chest pain"
ASK = views.ASK_PRACTICE


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot with hand-off set up."""
    async with running_bot(copy_faq(tmp_path, MINI_FAQ), staff_chat_id=STAFF) as harness:
        yield harness


@pytest.fixture
async def plain_bot(tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot without STAFF_CHAT_ID."""
    async with running_bot(copy_faq(tmp_path, MINI_FAQ)) as harness:
        yield harness


# -- helpers --------------------------------------------------------------------------------


def data_of(params: dict[str, Any], label: str) -> str:
    [data] = [data for text, data in buttons(params) if text == label]
    return data


def as_origin(sent: dict[str, Any]) -> dict[str, Any]:
    """The message a button was pressed on (a message the bot sent, as the fake returned it),
    as Telegram puts it in the callback query."""
    origin = dict(sent)
    if isinstance(origin.get("reply_markup"), str):
        origin["reply_markup"] = json.loads(origin["reply_markup"])
    return origin


async def press(
    bot: Harness, data: str, from_id: int = 4242, origin: dict[str, Any] | None = None
) -> None:
    await bot.send(callback_update(data, from_id=from_id, message=origin))


def last_sent(bot: Harness, chat_id: int) -> dict[str, Any]:
    return bot.fake.sent_to(chat_id)[-1]


async def decline(bot: Harness, text: str = DECLINED, from_id: int = 4242) -> dict[str, Any]:
    """The person asks something the FAQ does not cover; the update and the bot's reply."""
    update = message_update(text, from_id=from_id)
    await bot.send(update)
    return update


async def hand_off(
    bot: Harness, text: str = DECLINED, from_id: int = 4242
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Decline, press "Ask the practice", then Send: (the person's question, the staff post)."""
    update = await decline(bot, text, from_id)
    reply = last_sent(bot, from_id)
    await press(bot, data_of(reply, ASK), from_id, as_origin(reply))
    confirm = last_sent(bot, from_id)
    await press(bot, data_of(confirm, "Send"), from_id, as_origin(confirm))
    return update["message"], last_sent(bot, STAFF)


def staff_reply(
    to: dict[str, Any], text: str | None = "We can help with that.", **extra: Any
) -> dict[str, Any]:
    """A staff member's reply, in the staff chat, to the message `to`."""
    return message_update(text, from_id=STAFF_MEMBER, chat=group_chat(STAFF), reply_to=to,
                          **extra)


def links(db_path: Path) -> list[tuple[int, int, int, int, str]]:
    with sqlite3.connect(db_path) as db:
        return db.execute(
            "SELECT staff_chat_id, staff_message_id, chat_id, question_message_id, day "
            "FROM handoffs ORDER BY staff_message_id"
        ).fetchall()


def handoff_logs(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name.startswith("bot.")
            and "and-off" in record.getMessage()]


# -- without STAFF_CHAT_ID ------------------------------------------------------------------


async def test_without_a_staff_chat_there_is_no_button_and_ask_says_so(
    plain_bot: Harness,
) -> None:
    await plain_bot.send(message_update(DECLINED))
    assert buttons(plain_bot.fake.sent()[0]) == [("Browse topics", "t")]
    suggestion_list(load_faq(MINI_FAQ))
    await plain_bot.send(message_update(SUGGESTED))
    assert ASK not in [label for label, _ in buttons(plain_bot.fake.sent()[0])]
    for command in ("/ask", "/ask do you do home visits?"):
        await plain_bot.send(command_update(command))
        assert plain_bot.fake.texts() == [views.HANDOFF_NOT_SET_UP]
    for data in ("h:abcdefgh", "hs:abcdefgh", "hc:"):  # buttons from before it was switched off
        await plain_bot.send(callback_update(data))
        assert plain_bot.fake.texts() == [views.STALE_BUTTON]
    await plain_bot.send(command_update("/help"))
    assert "/ask" not in plain_bot.fake.texts()[0]
    await plain_bot.send(command_update("/privacy"))
    assert "staff chat" not in plain_bot.fake.texts()[0]
    assert plain_bot.fake.sent_to(STAFF) == []


async def test_urgent_ask_gets_the_urgent_reply_even_without_a_staff_chat(
    plain_bot: Harness,
) -> None:
    await plain_bot.send(command_update(f"/ask {URGENT}"))
    assert plain_bot.fake.texts() == ["Please call your local emergency number now."]


# -- the button -----------------------------------------------------------------------------


async def test_declined_replies_and_suggestion_lists_carry_the_button(desk: Harness) -> None:
    await desk.send(message_update(DECLINED))
    labels = [label for label, _ in buttons(desk.fake.sent()[0])]
    assert labels == ["Browse topics", ASK]
    assert data_of(desk.fake.sent()[0], ASK).startswith("h:")

    offered = suggestion_list(load_faq(MINI_FAQ)).suggestions
    await desk.send(message_update(SUGGESTED))
    suggestions = buttons(desk.fake.sent()[0])
    assert len(suggestions) == len(offered) + 1
    assert suggestions[-1][0] == ASK
    assert all(len(data.encode()) <= 64 for _, data in suggestions)


@pytest.mark.parametrize("text", ["do you treat sciatica?", "hi", URGENT])
async def test_answers_greetings_and_urgent_replies_have_no_button(
    desk: Harness, text: str
) -> None:
    await desk.send(message_update(text))
    assert ASK not in [label for label, _ in buttons(desk.fake.sent()[0])]
    if text == URGENT:
        assert "reply_markup" not in desk.fake.sent()[0]


async def test_in_a_group_there_is_no_button_and_ask_points_to_a_private_chat(
    desk: Harness,
) -> None:
    from helpers.factories import mention_update

    await desk.send(mention_update(DECLINED))
    assert ASK not in [label for label, _ in buttons(desk.fake.sent()[0])]
    await desk.send(command_update("/ask do you do home visits?", chat=group_chat()))
    assert desk.fake.texts() == [views.HANDOFF_PRIVATE_ONLY]
    assert desk.fake.sent_to(STAFF) == []


# -- a whole hand-off -----------------------------------------------------------------------


async def test_a_question_goes_to_the_staff_and_their_reply_comes_back(
    desk: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    question = "do you do home <visits> & weekends?"
    update = await decline(desk, question)
    reply = last_sent(desk, 4242)

    # "Ask the practice": the consent, exactly, and the question; nothing sent yet
    await press(desk, data_of(reply, ASK), origin=as_origin(reply))
    confirm = last_sent(desk, 4242)
    assert confirm["text"].startswith(views.HANDOFF_CONSENT)
    assert views.HANDOFF_CONSENT == (
        "Your question and your Telegram name will be sent to the practice's team, who will "
        "reply here"
    )
    assert parse(confirm["text"]).quoted == (question,)
    assert [label for label, _ in buttons(confirm)] == ["Send", "Cancel"]
    assert desk.fake.sent_to(STAFF) == []

    # Send: the buttons go, the staff chat gets the name and the question, the person is told
    await press(desk, data_of(confirm, "Send"), origin=as_origin(confirm))
    assert desk.methods() == [
        "answerCallbackQuery", "editMessageReplyMarkup", "sendMessage", "sendMessage",
    ]
    [post] = desk.fake.sent_to(STAFF)
    posted = check_message(post["text"])
    assert posted.startswith("Question for the practice's team from Pat:")
    assert parse(post["text"]).quoted == (question,)
    assert desk.fake.sent()[-1]["chat_id"] == 4242
    assert desk.fake.texts()[-1] == views.handoff_sent(7)
    [link] = links(desk.settings.db_path)
    assert link[:4] == (STAFF, post["message_id"], 4242, update["message"]["message_id"])

    # the staff reply reaches the person, from the practice, quoting their question
    answer = "Yes, on Saturdays <10-2> & by appointment."
    staff = staff_reply(post, answer)
    await desk.send(staff)
    to_person, to_staff = desk.fake.sent()
    assert to_person["chat_id"] == 4242
    assert to_person["text"] == (
        "<b>Reply from the practice's team:</b>\n\n" + html.escape(answer, quote=False)
    )
    assert to_person["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert to_staff["chat_id"] == STAFF
    assert to_staff["text"] == views.STAFF_DELIVERED
    assert to_staff["reply_parameters"]["message_id"] == staff["message"]["message_id"]
    assert links(desk.settings.db_path) == []  # answered: the link is gone

    # a second reply to the same post is not passed on
    await desk.send(staff_reply(post, "And one more thing"))
    assert desk.fake.texts() == [views.staff_not_open(7)]
    assert desk.fake.sent()[0]["chat_id"] == STAFF

    # nothing of the question, the reply or the name reached the log, at any level
    ours = [record for record in caplog.records if record.name.startswith("bot.")]
    handoff_lines = [r for r in ours if "and-off" in r.getMessage()]
    assert len(handoff_lines) >= 3
    for record in handoff_lines:
        for secret in ("visits", "Saturdays", "Pat"):
            assert secret not in record.getMessage()
    assert "Traceback" not in caplog.text


def only(bot: Harness) -> dict[str, Any]:
    sent = bot.fake.sent()
    assert len(sent) == 1, [params["text"] for params in sent]
    return sent[0]


async def test_a_staff_reply_the_moment_the_question_is_posted_finds_its_link(
    desk: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Chats are handled concurrently: the staff chat's reply can arrive while the person's
    # Send is still storing the link. It must wait for the link, not be told "not open".
    await decline(desk)
    reply = last_sent(desk, 4242)
    await press(desk, data_of(reply, ASK), origin=as_origin(reply))
    confirm = last_sent(desk, 4242)
    store_link = desk.handoff.link
    posted = asyncio.Event()

    async def slow_link(*args: Any) -> None:
        posted.set()  # the question is in the staff chat; its link is not stored yet
        await asyncio.sleep(0.3)
        await store_link(*args)

    monkeypatch.setattr(desk.handoff, "link", slow_link)
    sending = asyncio.create_task(press(desk, data_of(confirm, "Send"), origin=as_origin(confirm)))
    await posted.wait()
    [post] = desk.fake.sent_to(STAFF)
    await desk.send(staff_reply(post, "Yes, on Tuesdays."), clear=False)
    await sending
    texts = [(params["chat_id"], params["text"]) for params in desk.fake.sent()]
    assert (4242, "<b>Reply from the practice's team:</b>\n\nYes, on Tuesdays.") in texts
    assert (STAFF, views.STAFF_DELIVERED) in texts


async def test_several_questions_and_replies_in_flight_reach_the_right_people(
    desk: Harness,
) -> None:
    first, first_post = await hand_off(desk, "do you do home visits?", from_id=501)
    second, second_post = await hand_off(desk, "is there parking nearby?", from_id=502)
    third, third_post = await hand_off(desk, "do you sell gift vouchers?", from_id=501)
    assert len(links(desk.settings.db_path)) == 3
    for post, question, person, text in (
        (third_post, third, 501, "Yes, at reception."),
        (first_post, first, 501, "Within 5 miles."),
        (second_post, second, 502, "Behind the building."),
    ):
        await desk.send(staff_reply(post, text))
        to_person = desk.fake.sent()[0]
        assert to_person["chat_id"] == person
        assert to_person["reply_parameters"]["message_id"] == question["message_id"]
        assert to_person["text"].endswith(text)
    assert links(desk.settings.db_path) == []


async def test_ask_with_a_question_asks_for_consent(desk: Harness) -> None:
    update = command_update("/ask do you do home visits?")
    await desk.send(update)
    confirm = last_sent(desk, 4242)
    assert parse(confirm["text"]).quoted == ("do you do home visits?",)
    await press(desk, data_of(confirm, "Send"), origin=as_origin(confirm))
    [post] = desk.fake.sent_to(STAFF)
    assert parse(post["text"]).quoted == ("do you do home visits?",)
    assert links(desk.settings.db_path)[0][3] == update["message"]["message_id"]


async def test_ask_alone_asks_for_the_question_and_takes_the_next_message(desk: Harness) -> None:
    await desk.send(command_update("/ask"))
    prompt = only(desk)
    assert prompt["text"] == views.handoff_prompt().parts[0]
    # the next message is the question for the team, not for the FAQ (which would answer it)
    await desk.send(message_update("do you treat sciatica?"))
    confirm = only(desk)
    assert parse(confirm["text"]).quoted == ("do you treat sciatica?",)
    # and only the next one
    await desk.send(message_update("do you treat sciatica?"))
    assert only(desk)["text"].startswith("<b>Do you treat sciatica?</b>")


async def test_cancel_sends_nothing_and_send_afterwards_finds_nothing(desk: Harness) -> None:
    await decline(desk)
    reply = last_sent(desk, 4242)
    await press(desk, data_of(reply, ASK), origin=as_origin(reply))
    confirm = last_sent(desk, 4242)
    await press(desk, data_of(confirm, "Cancel"), origin=as_origin(confirm))
    assert desk.methods() == ["answerCallbackQuery", "editMessageText"]
    edit = desk.fake.called("editMessageText")[0].params
    assert edit["text"] == views.HANDOFF_CANCELLED
    assert "reply_markup" not in edit
    await press(desk, data_of(confirm, "Send"), origin=as_origin(confirm))
    assert desk.fake.texts() == [views.HANDOFF_GONE]
    assert desk.fake.sent_to(STAFF) == []
    # the wait after a bare /ask can be cancelled too
    await desk.send(command_update("/ask"))
    prompt = last_sent(desk, 4242)
    await press(desk, data_of(prompt, "Cancel"), origin=as_origin(prompt))
    await desk.send(message_update("do you treat sciatica?"))
    assert only(desk)["text"].startswith("<b>Do you treat sciatica?</b>")


async def test_a_second_press_of_send_posts_once(
    desk: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await decline(desk)
    reply = last_sent(desk, 4242)
    for _ in range(2):  # "Ask the practice" twice: two confirmations of the same question
        await press(desk, data_of(reply, ASK), origin=as_origin(reply))
    confirm = last_sent(desk, 4242)
    await press(desk, data_of(confirm, "Send"), origin=as_origin(confirm))
    caplog.clear()
    await press(desk, data_of(confirm, "Send"), origin=as_origin(confirm))
    assert desk.fake.texts() == [views.HANDOFF_GONE]
    assert len(desk.fake.sent_to(STAFF)) == 1
    assert len(links(desk.settings.db_path)) == 1
    assert len(handoff_logs(caplog)) == 1


async def test_a_forged_token_cannot_reach_another_chats_question(desk: Harness) -> None:
    await decline(desk, from_id=601)
    data = data_of(desk.fake.sent()[0], ASK)
    await press(desk, "hs:" + data.removeprefix("h:"), from_id=602)
    assert desk.fake.texts() == [views.HANDOFF_GONE]
    assert desk.fake.sent_to(STAFF) == []


# -- urgent ---------------------------------------------------------------------------------


async def test_urgent_messages_are_never_handed_off(desk: Harness) -> None:
    await desk.send(command_update(f"/ask {URGENT}"))
    assert only(desk)["text"] == "Please call your local emergency number now."
    assert "reply_markup" not in only(desk)
    await desk.send(command_update("/ask"))
    await desk.send(message_update(URGENT))  # the question asked for
    assert only(desk)["text"] == "Please call your local emergency number now."
    assert desk.fake.sent_to(STAFF) == []


# -- bad input on the staff's side ----------------------------------------------------------


def bot_post(text: str = "Earlier answer", days_ago: int = 0) -> dict[str, Any]:
    """A message the bot posted in the staff chat, `days_ago` days ago."""
    when = datetime.now(UTC) - timedelta(days=days_ago)
    return {"message_id": 9_000 + days_ago, "date": int(when.timestamp()),
            "chat": group_chat(STAFF), "from": BOT_USER, "text": text}


async def test_a_staff_reply_to_anything_else_is_answered_politely_and_logged_once(
    desk: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await desk.send(staff_reply(bot_post()))
    assert only(desk)["text"] == views.staff_not_open(7)
    assert only(desk)["chat_id"] == STAFF
    await desk.send(staff_reply(bot_post(days_ago=30)))
    assert only(desk)["text"] == views.staff_too_old(7)
    assert len(handoff_logs(caplog)) == 2
    # a reply to a colleague, not to the bot, is theirs alone
    colleague = message_update("see you at 9", from_id=STAFF_MEMBER + 1, chat=group_chat(STAFF))
    await desk.send(staff_reply(colleague["message"]))
    assert desk.fake.calls == []
    assert "Traceback" not in caplog.text


async def test_a_reply_after_retention_is_not_passed_on_and_the_link_is_purged(
    desk: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    _, post = await hand_off(desk)
    # eight days later: past HANDOFF_RETENTION_DAYS (7), and not purged yet
    then = datetime.now(UTC) - timedelta(days=8)
    with sqlite3.connect(desk.settings.db_path) as db:
        db.execute("UPDATE handoffs SET day = ?", (then.date().isoformat(),))
    await desk.send(staff_reply({**as_origin(post), "date": int(then.timestamp())}))
    assert only(desk)["chat_id"] == STAFF  # nothing went to the person
    assert only(desk)["text"] == views.staff_too_old(7)
    caplog.set_level(logging.INFO)
    assert await desk.handoff.purge() == 1
    assert links(desk.settings.db_path) == []
    assert "Deleted 1 unanswered hand-off link(s) older than 7 days" in caplog.text


async def test_a_question_not_sent_in_time_is_forgotten(tmp_path: Path) -> None:
    clock = Clock()
    handoff = Handoff(STAFF, tmp_path / "faqbot.sqlite3", 7,
                      pending=PendingQuestions(ttl=60, clock=clock))
    async with running_bot(copy_faq(tmp_path, MINI_FAQ), staff_chat_id=STAFF,
                           handoff=handoff) as desk:
        await decline(desk)
        reply = last_sent(desk, 4242)
        clock.now += 61  # the question was held in memory for a minute, and no longer
        await press(desk, data_of(reply, ASK), origin=as_origin(reply))
        assert only(desk)["text"] == views.HANDOFF_GONE
        assert len(handoff.pending) == 0


async def test_expired_links_are_purged_at_start_up(tmp_path: Path) -> None:
    db_path = tmp_path / "faqbot.sqlite3"
    store = Store.open(db_path)
    old, recent = date.today() - timedelta(days=30), date.today()
    store.link_handoff(STAFF, [1], HandoffLink(501, 11, old))
    store.link_handoff(STAFF, [2], HandoffLink(502, 12, recent))
    store.close()
    async with running_bot(copy_faq(tmp_path, MINI_FAQ), staff_chat_id=STAFF):
        assert [link[1] for link in links(db_path)] == [2]


async def test_a_deleted_store_is_made_anew_for_the_links_too_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The hand-off and the recorder share the process's one connection to the file
    (bot.store.SharedStore): whichever notices the file gone makes it anew, once, and neither
    writes into the deleted file."""
    db_path = tmp_path / "faqbot.sqlite3"
    handoff = Handoff(STAFF, db_path, 7)
    recorder = Recorder(db_path, retention_days=90)
    await handoff.link([1], 501, 11)
    recorder.record(Question("none", "before"))
    await recorder.flush()
    db_path.unlink()
    with caplog.at_level(logging.INFO, logger="bot"):
        await handoff.link([2], 502, 12)
        recorder.record(Question("none", "after"))
        await recorder.flush()
        assert await handoff.find(1) is None  # went with the deleted file
        found = await handoff.find(2)
    assert found is not None
    assert found.chat_id == 502
    [warning] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "deleted or replaced" in warning
    await handoff.close()
    await recorder.close()
    assert [link[1] for link in links(db_path)] == [2]
    store = Store.open_existing(db_path)
    assert [group.text for group in store.unanswered()] == ["after"]
    store.close()


async def test_a_staff_reply_without_text_keeps_the_question_open(desk: Harness) -> None:
    from helpers.factories import PHOTO, STICKER

    _, post = await hand_off(desk)
    await desk.send(staff_reply(post, None, sticker=STICKER))
    assert only(desk)["text"] == views.STAFF_TEXT_ONLY
    await desk.send(staff_reply(post, None, photo=PHOTO, caption="See you Tuesday."))
    assert desk.fake.sent()[0]["text"].endswith("See you Tuesday.")
    assert desk.fake.sent()[0]["chat_id"] == 4242


async def test_a_person_who_blocked_the_bot_the_staff_are_told(
    desk: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # at DEBUG, PTB logs every request it makes, text and all
    _, post = await hand_off(desk)
    desk.fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    caplog.clear()
    await desk.send(staff_reply(post, "About your Saturdays question"))
    failed, notice = desk.fake.sent()
    assert failed["chat_id"] == 4242
    assert notice["chat_id"] == STAFF
    assert notice["text"] == views.STAFF_BLOCKED
    assert links(desk.settings.db_path) == []  # nothing more can be done with it
    [line] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "blocked" in line.getMessage()
    assert "Saturdays" not in caplog.text
    assert "Traceback" not in caplog.text


async def test_a_failing_send_to_the_person_can_be_retried(desk: Harness) -> None:
    _, post = await hand_off(desk)
    desk.fake.fail_next("sendMessage", 502, "Bad Gateway")
    await desk.send(staff_reply(post))
    assert desk.fake.texts()[-1] == views.STAFF_TRY_AGAIN
    assert len(links(desk.settings.db_path)) == 1  # still open
    await desk.send(staff_reply(post))
    assert desk.fake.sent()[0]["chat_id"] == 4242
    assert desk.fake.texts()[-1] == views.STAFF_DELIVERED


async def test_a_staff_chat_the_bot_was_removed_from_the_person_is_told(
    desk: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await decline(desk, "my secret zqxj question")
    reply = last_sent(desk, 4242)
    await press(desk, data_of(reply, ASK), origin=as_origin(reply))
    confirm = last_sent(desk, 4242)
    desk.fake.fail_next("sendMessage", 403, "Forbidden: bot was kicked from the supergroup chat")
    caplog.clear()
    await press(desk, data_of(confirm, "Send"), origin=as_origin(confirm))
    assert desk.fake.texts()[-1] == views.HANDOFF_NOT_SENT
    assert desk.fake.sent()[-1]["chat_id"] == 4242
    assert links(desk.settings.db_path) == []
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "kicked" in warnings[0].getMessage()
    assert "zqxj" not in caplog.text
    assert "Traceback" not in caplog.text


async def test_an_unusable_store_is_one_warning_and_the_person_is_told(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "not-a-dir").write_text("a file where the directory should be")
    db_path = tmp_path / "not-a-dir" / "faqbot.sqlite3"
    caplog.set_level(logging.INFO)
    async with running_bot(copy_faq(tmp_path, MINI_FAQ), staff_chat_id=STAFF,
                           db_path=db_path) as desk:
        _, post = await hand_off(desk)
        assert desk.fake.texts()[-1] == views.HANDOFF_UNLINKED
        assert desk.fake.texts()[-2] == views.STAFF_UNLINKED
        await desk.send(staff_reply(post))
        assert only(desk)["text"] == views.STAFF_UNAVAILABLE
    warnings = [r for r in caplog.records if r.name == "bot.handoff"
                and r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "Traceback" not in caplog.text


# -- what the person is told ----------------------------------------------------------------


async def test_help_privacy_and_the_menu_mention_ask(desk: Harness) -> None:
    public = desk.fake.called("setMyCommands")[0].params["commands"]
    assert public[-1] == {"command": "ask", "description": "Ask the practice's team"}
    admin = desk.fake.called("setMyCommands")[1].params["commands"]
    assert [c["command"] for c in admin][-4:] == ["ask", "unanswered", "stats", "reload"]
    await desk.send(command_update("/help"))
    assert "/ask - ask the practice's team" in only(desk)["text"]
    await desk.send(command_update("/privacy"))
    text = only(desk)["text"]
    assert "your question and your Telegram name are posted to the practice's staff chat" in text
    assert "it is deleted after 7 days" in text
    assert "Apart from that link, I never store who asked" in text


# -- PendingQuestions -----------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_pending_questions_expire_and_stay_in_their_chat() -> None:
    clock = Clock()
    pending = PendingQuestions(ttl=60, clock=clock)
    token = pending.hold(1, "question", 7)
    assert pending.keep(2, token) is None  # another chat
    clock.now += 50
    kept = pending.keep(1, token)  # pressing "Ask the practice" starts the wait again
    assert kept is not None
    assert (kept.text, kept.message_id) == ("question", 7)
    clock.now += 50
    taken = pending.take(1, token)
    assert taken is not None
    assert pending.take(1, token) is None  # once
    pending.hold(1, "later", 8)
    pending.await_question(1)
    assert len(pending) == 2
    clock.now += 61
    assert len(pending) == 0
    assert pending.take_awaiting(1) is False


def test_pending_questions_are_bounded() -> None:
    pending = PendingQuestions(ttl=60, limit=3, clock=Clock())
    tokens = [pending.hold(chat, f"q{chat}", chat) for chat in range(5)]
    assert len(pending) == 3
    assert pending.take(0, tokens[0]) is None  # the oldest went first
    assert pending.take(4, tokens[4]) is not None


# -- the whole bot as a process, over real HTTP ---------------------------------------------


@pytest.fixture
def api() -> Iterator[LocalBotApi]:
    server = LocalBotApi()
    yield server
    server.close()


@pytest.mark.slow  # a bot process over real HTTP
def test_a_hand_off_through_the_running_process(tmp_path: Path, api: LocalBotApi) -> None:
    from test_process import READY, BotRun, check_clean_log

    person = 4242
    bot = BotRun(tmp_path, api.url, LOG_LEVEL="DEBUG", STAFF_CHAT_ID=str(STAFF),
                 DB_PATH=str(tmp_path / "faqbot.sqlite3"))
    try:
        bot.wait_for_log(READY)
        question = message_update("do you do home visits on zqxj days?",
                                  chat=private_chat(person))
        api.push_update(question)
        [declined] = api.wait_for_message(person)
        assert ASK in [label for label, _ in buttons(declined)]
        api.push_update(callback_update(data_of(declined, ASK), message=declined))
        confirm = api.wait_for_message(person, 2)[-1]
        assert parse(confirm["text"]).quoted == ("do you do home visits on zqxj days?",)
        api.push_update(callback_update(data_of(confirm, "Send"), message=confirm))
        [post] = api.wait_for_message(STAFF)
        assert "zqxj" in post["text"]
        api.push_update(staff_reply(post, "Yes, on Tuesdays."))
        answer = api.wait_for_message(person, 4)[-1]
        assert answer["text"] == "<b>Reply from the practice's team:</b>\n\nYes, on Tuesdays."
        [delivered] = api.wait_for_message(STAFF, 2)[1:]
        assert delivered["text"] == views.STAFF_DELIVERED
        [to_person] = [call for call in api.called("sendMessage")
                       if call.params.get("text", "").endswith("Tuesdays.")]
        assert to_person.params["reply_parameters"]["message_id"] == (
            question["message"]["message_id"]
        )
        deadline = time.monotonic() + 5
        while links(tmp_path / "faqbot.sqlite3") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert links(tmp_path / "faqbot.sqlite3") == []
    finally:
        code, _ = bot.stop(signal.SIGTERM)
    log = bot.log()
    assert code == 0, log
    check_clean_log(log)
    # at DEBUG, the question is logged by the FAQ matching (as for every question), but no
    # hand-off line holds it, the reply or the name
    for line in log.splitlines():
        if "and-off" in line:
            assert "zqxj" not in line
            assert "Tuesdays" not in line
            assert "Pat" not in line
