"""Learning from what the bot could not answer, end to end through the real Application over
the faked Bot API: what is recorded (and what never is), suggestion picks, /privacy, the admin
reports and who may see them, and a question store that is broken or locked."""

from __future__ import annotations

import html
import logging
import random
import string
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import SUGGESTED, suggestion_list
from helpers.db_bytes import raw_bytes
from helpers.factories import (
    ADMIN_ID,
    PATIENT_ID,
    callback_update,
    command_update,
    group_chat,
    message_update,
)
from helpers.fake_telegram import buttons
from helpers.harness import Harness, copy_faq, running_bot
from helpers.sqlite_lock import locked

from bot import views
from bot.faq import Entry, load_faq
from bot.matcher import Matcher, Status
from bot.recorder import Recorder, utc_today
from bot.replies import TELEGRAM_LIMIT
from bot.store import Question, Store

# The bot end to end with a question store on disk, waiting for its writer thread: not in a
# routine run.
pytestmark = pytest.mark.slow

MINI_FAQ = Path(__file__).parent / "helpers" / "mini_faq.yaml"
DECLINED = "what is the price of a session?"  # mini_faq: not covered
# Someone who asks, with every identifying detail Telegram sends about them.
ASKER_ID = 987654321
ASKER = {"id": ASKER_ID, "is_bot": False, "first_name": "Philippa", "last_name": "Quorn",
         "username": "pquorn_health", "language_code": "en"}


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_bot(copy_faq(tmp_path, MINI_FAQ), retention_days=30) as harness:
        yield harness


def from_asker(update: dict[str, Any]) -> dict[str, Any]:
    update["message"]["from"] = ASKER
    update["message"]["chat"] = {**ASKER, "type": "private"}
    return update


async def ask(bot: Harness, *texts: str, from_id: int = PATIENT_ID) -> None:
    for text in texts:
        await bot.send(message_update(text, from_id=from_id))
    await bot.settle()


async def admin_says(bot: Harness, command: str) -> list[str]:
    await bot.send(command_update(command, from_id=ADMIN_ID))
    return bot.fake.texts()


def stored(bot: Harness) -> Store:
    return Store.open_existing(bot.settings.db_path)


def offered() -> list[Entry]:
    """The premise of the tests that ask SUGGESTED: mini_faq answers it with a list of
    suggestions. These are its entries, best first (the order of the buttons)."""
    return [suggestion.entry for suggestion in suggestion_list(load_faq(MINI_FAQ)).suggestions]


def title(entry: Entry) -> str:
    """An entry's question as the bot's HTML shows it."""
    return html.escape(entry.question, quote=False)


# -- what is recorded -----------------------------------------------------------------------


async def test_declined_and_suggested_questions_are_stored_the_rest_only_counted(
    bot: Harness,
) -> None:
    offered()  # the premise
    await ask(bot, DECLINED, SUGGESTED, "do you treat sciatica?", "chest pain", "hello")
    store = stored(bot)
    assert sorted((row.text, row.outcome) for row in store.unanswered()) == [
        (SUGGESTED, "suggest"), (DECLINED, "none"),
    ]
    today = utc_today()
    counts = store.stats(today, today)
    assert counts.outcomes == {"none": 1, "suggest": 1, "answer": 1, "urgent": 1, "smalltalk": 1}
    assert counts.top_entries == (("sciatica", 1),)
    store.close()


async def test_with_keep_questions_off_no_text_is_stored_only_counted(tmp_path: Path) -> None:
    offered()  # the premise
    async with running_bot(copy_faq(tmp_path, MINI_FAQ), keep_questions=False) as bot:
        await ask(bot, SUGGESTED)
        [(label, data), *_] = buttons(bot.fake.sent()[-1])
        await bot.send(callback_update(data))  # the buttons still answer
        assert bot.fake.texts()[0].startswith(f"<b>{html.escape(label, quote=False)}</b>")
        await ask(bot, DECLINED, "do you treat sciatica?")
        store = stored(bot)
        assert store.unanswered() == []
        today = utc_today()
        counts = store.stats(today, today)
        assert counts.outcomes["none"] == 1
        assert counts.outcomes["suggest"] == 1
        assert sum(count for _, count in counts.top_entries) == 2  # typed and picked
        store.close()
        [report] = await admin_says(bot, "/unanswered")
        assert report == views.QUESTIONS_NOT_KEPT
        await bot.send(command_update("/privacy"))
        [privacy] = bot.fake.texts()
        assert "I don't keep the text of any question" in privacy
        assert "I keep the text" not in privacy
    data = raw_bytes(bot.settings.db_path)
    for question in (DECLINED, SUGGESTED):
        assert question.encode() not in data


async def test_nothing_identifies_the_asker(tmp_path: Path) -> None:
    offered()  # the premise: the asker gets buttons to press
    async with running_bot(copy_faq(tmp_path, MINI_FAQ)) as bot:
        await bot.send(from_asker(message_update(
            f"{DECLINED} call me on +44 20 7946 0958 or pquorn@example.com"
        )))
        await bot.send(from_asker(message_update(SUGGESTED)))
        press = callback_update(buttons(bot.fake.sent()[0])[0][1], from_id=ASKER_ID)
        press["callback_query"]["from"] = ASKER
        await bot.send(press)
        await bot.settle()
        [declined] = [row for row in stored(bot).unanswered() if row.outcome == "none"]
        assert declined.text == f"{DECLINED} call me on [phone] or [email]"
    data = raw_bytes(bot.settings.db_path)  # closed at shutdown: everything is in the file
    for identity in (b"987654321", ASKER_ID.to_bytes(4, "big"), b"Philippa", b"Quorn",
                     b"pquorn", b"7946", b"example.com"):
        assert identity not in data, identity


async def test_a_pressed_suggestion_is_noted_on_its_question(bot: Harness) -> None:
    pressed = offered()[1]  # not the first button, so the pick is the one pressed
    await ask(bot, SUGGESTED, SUGGESTED)
    offer = bot.fake.sent()[-1]  # the second offer
    data = next(data for label, data in buttons(offer) if label == pressed.question)
    assert data.startswith("p:")
    assert len(data.encode()) <= 64
    await bot.send(callback_update(data))
    await bot.settle()
    assert bot.fake.texts()[0].startswith(f"<b>{title(pressed)}</b>")  # answered, as any button
    rows = {(row.chosen, row.count) for row in stored(bot).unanswered()}
    assert rows == {(pressed.id, 1), (None, 1)}  # only the question whose button was pressed


async def test_a_pick_for_a_removed_entry_is_a_stale_button_and_not_recorded(
    bot: Harness,
) -> None:
    offered()  # the premise
    await ask(bot, SUGGESTED)
    token = buttons(bot.fake.sent()[0])[0][1].split(":")[1]
    await bot.send(callback_update(f"p:{token}:gone-entry"))
    await bot.settle()
    assert bot.fake.texts() == [views.STALE_BUTTON]
    assert {row.chosen for row in stored(bot).unanswered()} == {None}


async def test_questions_in_a_group_are_recorded_without_the_group(bot: Harness) -> None:
    await bot.send(message_update(
        f"@ClinicFaqBot {DECLINED}", chat=group_chat(),
        entities=[{"type": "mention", "offset": 0, "length": 13}],
    ))
    await bot.settle()
    assert [row.text for row in stored(bot).unanswered()] == [DECLINED]  # without the mention


async def test_the_store_is_created_at_start_up_and_old_records_purged(tmp_path: Path) -> None:
    faq = copy_faq(tmp_path, MINI_FAQ)
    db_path = tmp_path / "data" / "faqbot.sqlite3"
    store = Store.open(db_path)
    store.record(Question("none", "asked long ago"), utc_today() - timedelta(days=31))
    store.record(Question("none", "asked recently"), utc_today() - timedelta(days=29))
    store.close()
    async with running_bot(faq, db_path=db_path, retention_days=30) as bot:
        texts = await admin_says(bot, "/unanswered")
    assert "asked recently" in texts[0]
    assert "asked long ago" not in texts[0]


async def test_shutdown_writes_the_pending_records(tmp_path: Path) -> None:
    async with running_bot(copy_faq(tmp_path, MINI_FAQ)) as bot:
        for number in range(5):
            await bot.send(message_update(f"{DECLINED} number {number}"))
        # no settle(): stopping the application must not lose them
    store = Store.open_existing(bot.settings.db_path)
    assert len(store.unanswered()) == 5
    store.close()


# -- /privacy -------------------------------------------------------------------------------


@pytest.mark.parametrize("from_id", [PATIENT_ID, ADMIN_ID])
async def test_privacy_for_everyone(bot: Harness, from_id: int) -> None:
    await bot.send(command_update("/privacy", from_id=from_id))
    [text] = bot.fake.texts()
    assert text.startswith("<b>Privacy: what I store</b>")
    assert "I never store who asked" in text
    assert "user id, chat id, username or name" in text
    assert "deleted automatically after 30 days" in text  # the harness's RETENTION_DAYS


async def test_help_lists_privacy_and_admin_commands_only_for_admins(bot: Harness) -> None:
    await bot.send(command_update("/help"))
    [patient] = bot.fake.texts()
    assert "/privacy" in patient
    assert "/unanswered" not in patient
    await bot.send(command_update("/help", from_id=ADMIN_ID))
    [admin] = bot.fake.texts()
    assert "/unanswered" in admin
    assert "/stats" in admin


# -- admin reports: who may see them --------------------------------------------------------


@pytest.mark.parametrize("command", ["/unanswered", "/stats", "/unanswered 5", "/stats 30"])
async def test_admin_reports_are_refused_to_everyone_else(
    bot: Harness, command: str, caplog: pytest.LogCaptureFixture
) -> None:
    await ask(bot, DECLINED)
    with caplog.at_level(logging.WARNING, logger="bot.handlers"):
        await bot.send(command_update(command))
    assert bot.fake.texts() == [views.ADMIN_ONLY]
    assert f"Refused {command.split()[0]} from non-admin user {PATIENT_ID}" in caplog.text


@pytest.mark.parametrize("command", ["/unanswered", "/stats"])
async def test_admin_reports_are_not_shown_in_a_group(bot: Harness, command: str) -> None:
    await ask(bot, DECLINED)
    await bot.send(command_update(command, from_id=ADMIN_ID, chat=group_chat()))
    [text] = bot.fake.texts()
    assert text == views.PRIVATE_ONLY
    assert "price" not in text


# -- /unanswered ----------------------------------------------------------------------------


def outcomes(*texts: str) -> str:
    """How /unanswered sums up these questions' outcomes ("declined 2; suggestions 1"). The
    premise: mini_faq answers none of them outright, so every one of them is stored."""
    matcher = Matcher(load_faq(MINI_FAQ))
    counts = Counter(matcher.match(text).status for text in texts)
    assert set(counts) <= {Status.NONE, Status.SUGGEST}, counts
    named = (("declined", Status.NONE), ("suggestions", Status.SUGGEST))
    return "; ".join(f"{name} {counts[status]}" for name, status in named if counts[status])


async def test_unanswered_groups_similar_questions_most_asked_first(bot: Harness) -> None:
    parking = ("is there parking?", "is there parking?", "is there any parking nearby",
               "do you have parking")
    gifts = "<b>gift</b> vouchers & cards?"
    first = offered()[0]
    await ask(bot, *parking, gifts, SUGGESTED)
    offer = bot.fake.sent()[-1]
    await bot.send(callback_update(buttons(offer)[0][1]))
    await bot.settle()
    [text] = await admin_says(bot, "/unanswered")
    today = utc_today().isoformat()
    assert text.startswith("<b>Unanswered questions, last 30 days: 3 groups, most asked first")
    lines = text.split("\n\n")
    assert lines[1].startswith("1. \u201cis there parking?\u201d \u00d74\n")
    assert f"\nlast asked {today}; {outcomes(*parking)}\n" in lines[1]
    assert "also: \u201cdo you have parking\u201d, \u201cis there any parking nearby\u201d" in (
        lines[1]
    )
    # what people typed is escaped, never markup
    assert "&lt;b&gt;gift&lt;/b&gt; vouchers &amp; cards?" in text
    assert "<b>gift" not in text
    gift_line = next(line for line in lines if "gift" in line)
    assert gift_line.endswith(f"\nlast asked {today}; {outcomes(gifts)}")
    # a picked suggestion shows the entry and its question
    picked = next(line for line in lines if SUGGESTED in line)
    assert f"suggestions 1 (picked: {first.id} ({title(first)}) \u00d71)" in picked


async def test_unanswered_with_nothing_stored(bot: Harness) -> None:
    await ask(bot, "do you treat sciatica?")
    [text] = await admin_says(bot, "/unanswered")
    assert text.startswith("No unanswered questions in the last 30 days")


async def test_unanswered_limit_and_long_reports_split_under_telegrams_limit(
    bot: Harness,
) -> None:
    store = Store.open(bot.settings.db_path)
    for number in range(60):
        words = random.Random(number).choices(string.ascii_lowercase, k=400)
        text = "".join(
            letter + (" " if index % 6 == 5 else "") for index, letter in enumerate(words)
        )
        store.record(Question("none", text), utc_today())
    store.close()
    texts = await admin_says(bot, "/unanswered 1000")  # more than MAX_LIMIT: clamped to 50
    assert len(texts) > 1
    assert all(len(text) <= TELEGRAM_LIMIT for text in texts)
    assert "the 50 most asked of 60 groups" in texts[0]
    report = "\n".join(texts)
    assert "\n50. " in report
    assert "\n51. " not in report
    [text] = await admin_says(bot, "/unanswered 2")
    assert "the 2 most asked of 60 groups" in text


# -- /stats ---------------------------------------------------------------------------------


async def test_stats_for_the_last_seven_days(bot: Harness) -> None:
    # The premise: SUGGESTED offers an entry besides sciatica and cupping (typed below), and
    # that entry's own question answers it. It is typed once and picked once: it ties sciatica.
    faq = load_faq(MINI_FAQ)
    others = [entry for entry in offered() if entry.id not in ("sciatica", "cupping")]
    assert others, [entry.id for entry in offered()]
    picked = others[0]
    assert Matcher(faq).match(picked.question).entry == picked
    [sciatica] = [entry for entry in faq.entries if entry.id == "sciatica"]
    store = Store.open(bot.settings.db_path)
    store.record(Question("answer", entry_id="cupping"), utc_today() - timedelta(days=7))
    store.close()
    await ask(bot, "do you treat sciatica?", "sciatica", "what is cupping", picked.question,
              DECLINED, SUGGESTED)
    [pick] = [data for _, data in buttons(bot.fake.sent()[-1]) if data.endswith(f":{picked.id}")]
    await bot.send(callback_update(pick))
    await ask(bot, "chest pain", "hello")
    [text] = await admin_says(bot, "/stats")
    today = utc_today()
    first = today - timedelta(days=6)
    assert text.startswith(
        f"<b>Last 7 days ({first.isoformat()} to {today.isoformat()}, UTC): 8 questions</b>"
    )
    for line in ("Answered: 4", "Suggested: 1 (1 picked one)", "Declined (not covered): 1",
                 "Urgent: 1", "Small talk: 1"):
        assert f"\n{line}" in text, line
    assert "<b>Top answers</b>" in text
    # typed and picked answers both count; ties by id; the questions are escaped
    tied = sorted([sciatica, picked], key=lambda entry: entry.id)
    top = [f"{entry.id} ({title(entry)}) \u00d72" for entry in tied]
    cupping = html.escape("What is cupping <therapy> & how does it work?", quote=False)
    top.append(f"cupping ({cupping}) \u00d71")
    assert "\n".join(f"{number}. {line}" for number, line in enumerate(top, start=1)) in text
    [wider] = await admin_says(bot, "/stats 30")
    assert "Last 30 days" in wider
    assert "9 questions" in wider  # with the answer from 7 days ago


# -- a store that cannot be used ------------------------------------------------------------


def warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        record for record in caplog.records
        if record.name == "bot.recorder" and record.levelno >= logging.WARNING
    ]


async def test_an_unwritable_store_warns_once_and_the_bot_keeps_answering(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "not-a-dir").write_text("a file where the directory should be")
    db_path = tmp_path / "not-a-dir" / "faqbot.sqlite3"
    caplog.set_level(logging.INFO)
    async with running_bot(copy_faq(tmp_path, MINI_FAQ), db_path=db_path) as bot:
        for text in (DECLINED, SUGGESTED, "do you treat sciatica?") * 3:
            await bot.send(message_update(text))
            assert len(bot.fake.sent()) == 1  # answered every time
        await bot.send(callback_update(buttons(bot.fake.sent()[0])[0][1]))
        assert bot.fake.texts()[0].startswith("<b>")  # the pick is answered too
        await bot.settle()
        texts = await admin_says(bot, "/unanswered")
        assert texts[0].startswith("The question store is unavailable right now: ")
        assert "Traceback" not in caplog.text
    [warning] = warnings(caplog)
    assert str(db_path) in warning.getMessage()
    assert warning.exc_info is None
    assert not db_path.exists()


async def test_a_locked_store_warns_once_the_bot_keeps_answering_then_records_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db_path = tmp_path / "faqbot.sqlite3"
    Store.open(db_path).close()
    recorder = Recorder(db_path, retention_days=90, busy_timeout=0.05)
    caplog.set_level(logging.INFO)
    async with running_bot(copy_faq(tmp_path, MINI_FAQ), recorder=recorder) as bot:
        await bot.settle()
        with locked(db_path):
            for _ in range(4):
                await bot.send(message_update(DECLINED))
                assert len(bot.fake.sent()) == 1
            await bot.settle()
        await ask(bot, "do you sell gift vouchers")
        [text] = await admin_says(bot, "/unanswered")
    assert "gift vouchers" in text
    assert "price" not in text  # those were lost while locked, and said so once
    [warning] = warnings(caplog)
    assert "database is locked" in warning.getMessage()
    assert "writable again" in caplog.text


def test_no_day_is_in_the_future() -> None:
    assert utc_today() <= date.today() + timedelta(days=1)
