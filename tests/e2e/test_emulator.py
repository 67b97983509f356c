"""End to end over real HTTP: the bot process against telegram-test-api 4.2.1 on 127.0.0.1.

The bot runs as `run_bot(os.environ)` in its own process (long polling, signals, logging to a
file); the tests act as people through the emulator's client API. The emulator's differences
from the real Bot API are bridged in tests/helpers/emulator_bridge.py, never in the product.
Inline mode is not emulated (answerInlineQuery is missing); tests/test_handlers.py covers it.

Skipped, with the reason, only when node_modules/telegram-test-api is missing: `npm ci` (run
by .ci/run) installs it from package-lock.json.
"""

from __future__ import annotations

import html
import itertools
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.emulator import (
    PACKAGE,
    SECOND_TOKEN,
    TOKEN,
    BotMessage,
    BotProcess,
    Emulator,
    Person,
)
from helpers.harness import SHIPPED_FAQ, copy_faq

from bot import views
from bot.faq import Faq, load_faq
from bot.replies import SUGGEST_INTRO

# A Node.js emulator and a bot process per test: not in a routine run.
pytestmark = pytest.mark.slow

if not PACKAGE.is_dir():
    pytest.skip(
        "telegram-test-api is not installed (node_modules/telegram-test-api is missing): "
        "run `npm ci` in the repository root",
        allow_module_level=True,
    )

MINI_FAQ = Path(__file__).resolve().parents[1] / "helpers" / "mini_faq.yaml"
ADMIN = 9001
# The bot serves the shipped faq.yaml: what it says is read from the file, never written here,
# so these tests stand when a practice rewords it (tests/test_bundled_faq.py checks the wording).
SHIPPED = load_faq(SHIPPED_FAQ)


def bold(text: str) -> str:
    return f"<b>{html.escape(text, quote=False)}</b>"


def entry_of(faq: Faq, entry_id: str) -> str:
    """The question of an entry of the shipped FAQ, which the test names by its id."""
    entry = faq.get(entry_id)
    assert entry is not None, entry_id
    return entry.question
_people = itertools.count(20_000)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    server = Emulator()
    yield server
    server.close()


@pytest.fixture(scope="module")
def bot(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    directory = tmp_path_factory.mktemp("e2e-bot")
    process = BotProcess(emulator, copy_faq(directory, SHIPPED_FAQ), directory / "bot.log",
                         ADMIN_IDS=str(ADMIN), FAQ_WATCH="false")
    yield process
    assert process.stop() == 0, process.log()
    assert TOKEN not in process.log()


def person(emulator: Emulator) -> Person:
    """A new person in a private chat with the bot."""
    return Person(emulator, next(_people))


def group(emulator: Emulator) -> Person:
    """A new person in a new supergroup with the bot."""
    chat = {"id": -100_000 - next(_people), "type": "supergroup", "title": "Clinic"}
    return Person(emulator, next(_people), chat=chat)


# -- conversations --------------------------------------------------------------------------


def test_start_and_help(bot: BotProcess, emulator: Emulator) -> None:
    pat = person(emulator)
    pat.command("/start")
    assert pat.receives_one().text.startswith("<b>Hello, Pat!</b>")
    pat.command("/help")
    assert "@TestNameBot" in pat.receives_one().text


def test_answer_with_disclaimer_and_related_buttons(bot: BotProcess, emulator: Emulator) -> None:
    pat = person(emulator)
    pat.says("do u treat sciatica")
    answer = pat.receives_one()
    sciatica = SHIPPED.get("condition-sciatica")
    overview = SHIPPED.get("conditions")
    assert sciatica is not None
    assert overview is not None
    assert answer.text.startswith(bold(sciatica.lead or sciatica.question))
    assert bold(sciatica.question) in answer.text
    disclaimer = html.escape(SHIPPED.disclaimer.strip(), quote=False)
    assert f"<blockquote expandable>{disclaimer}" in answer.text  # folded under the answer
    assert answer.raw["parse_mode"] == "HTML"
    assert (overview.question, "a:conditions") in answer.buttons
    pat.presses(answer, "a:conditions")
    conditions = pat.receives_one()
    assert conditions.text.startswith(bold(overview.question))
    assert len(conditions.buttons) == len(overview.related)


def test_suggestion_buttons_answer(bot: BotProcess, emulator: Emulator) -> None:
    pat = person(emulator)
    # the bundled FAQ has several entries about massage for pain: it offers them
    pat.says("massage for pain")
    offer = pat.receives_one()
    assert offer.text.startswith(f"<b>{SUGGEST_INTRO}</b>")
    assert len(offer.buttons) >= 2
    label, data = offer.buttons[0]
    pat.presses(offer, data)
    assert f"<b>{label}</b>" in pat.receives_one().text  # after its lead, if it has one


def test_fallback_then_topics_then_paging_in_place(bot: BotProcess, emulator: Emulator) -> None:
    pat = person(emulator)
    pat.says("how much is a session?")
    fallback = pat.receives_one()
    opening = " ".join(SHIPPED.fallback.split()[:3])  # "Sorry, I couldn't"
    assert fallback.text.startswith(html.escape(opening, quote=False))
    assert fallback.buttons == [("Browse topics", "t")]
    pat.presses(fallback, "t")
    menu = pat.receives_one()
    assert menu.text.startswith("<b>Topics</b>")
    conditions = next(data for label, data in menu.buttons if label.startswith("Conditions"))
    pat.presses(menu, conditions)
    wait_until_text(pat, menu, "<b>Conditions we treat</b> (page 1 of 2)")
    pat.presses(menu, conditions.replace(":0", ":1"))
    wait_until_text(pat, menu, "<b>Conditions we treat</b> (page 2 of 2)")


def wait_until_text(pat: Person, message: BotMessage, start: str) -> None:
    for _ in range(200):
        if pat.current_text(message).startswith(start):
            return
        time.sleep(0.05)
    raise AssertionError(f"message never became {start!r}: {pat.current_text(message)[:80]!r}")


def test_smalltalk_and_urgent(bot: BotProcess, emulator: Emulator) -> None:
    pat = person(emulator)
    pat.says("hello")
    greeting = pat.receives_one()
    assert greeting.text.startswith("Hello!")
    assert greeting.buttons == []
    pat.says("crushing chest pain and my arm is numb")
    urgent = pat.receives_one()
    assert "emergency" in urgent.text
    assert urgent.buttons == []
    assert html.escape(SHIPPED.disclaimer.strip(), quote=False) not in urgent.text


def test_stale_button_and_sticker(bot: BotProcess, emulator: Emulator) -> None:
    pat = person(emulator)
    pat.says("whats cupping")
    answer = pat.receives_one()
    pat.presses(answer, "a:entry-removed-since")
    assert pat.receives_one().text == views.STALE_BUTTON
    pat.sends_sticker()
    assert pat.receives_one().text == views.NOT_TEXT


def test_group_etiquette(bot: BotProcess, emulator: Emulator) -> None:
    members = group(emulator)
    members.says("does anyone know if massage helps sciatica?")  # not for the bot
    members.mentions_bot("whats cupping")
    asked = members.last_user_message_id()
    (reply,) = members.receives(1)  # updates are handled in order: the first got nothing
    assert reply.text.startswith(bold(entry_of(SHIPPED, "type-cupping")))
    assert reply.reply_to == asked
    members.command("/conditions@TestNameBot")
    assert members.receives_one().reply_to == members.last_user_message_id()


def test_non_admin_reload_is_refused(bot: BotProcess, emulator: Emulator) -> None:
    pat = person(emulator)
    pat.command("/reload")
    assert pat.receives_one().text == views.RELOAD_REFUSED


# -- reloading, shutdown and logs: a bot of its own, on a FAQ the test edits -----------------


def test_reload_three_ways_then_a_clean_stop(emulator: Emulator, tmp_path: Path) -> None:
    faq = copy_faq(tmp_path, MINI_FAQ)
    process = BotProcess(emulator, faq, tmp_path / "bot.log", token=SECOND_TOKEN,
                         ADMIN_IDS=str(ADMIN), FAQ_WATCH="true")
    try:
        admin = Person(emulator, ADMIN, token=SECOND_TOKEN)
        # 1. /reload with a broken file: the error with file and line; the old FAQ answers on
        original = faq.read_text(encoding="utf-8")
        faq.write_text(original.replace("  - id: swedish\n", "  - id: swedish\n    x: 1\n"),
                       encoding="utf-8")
        admin.command("/reload")
        refusal = admin.receives_one()
        assert "The FAQ was not reloaded" in refusal.text
        assert f"{faq}:" in refusal.text
        admin.says("swedish")
        assert admin.receives_one().text.startswith("<b>What is Swedish massage?</b>")
        # 2. /reload with a good file: the diff
        faq.write_text(original.replace("Swedish massage is a gentle", "Swedish massage is a"
                                        " classic gentle"), encoding="utf-8")
        admin.command("/reload")
        report = admin.receives_one().text
        assert report.startswith("<b>FAQ reloaded: 5 entries in service.</b>")
        assert "Changed: swedish" in report
        # 3. the watcher notices a saved file
        faq.write_text(faq.read_text(encoding="utf-8") + (
            "\n  - id: hot-stones\n    topic: Types of massage\n"
            "    question: What is hot stone massage?\n    keywords: [hot stones]\n"
            "    answer: Warm stones are placed on the body.\n"), encoding="utf-8")
        process.wait_for_log("FAQ reloaded (file change)")
        announced = admin.receives_one().text  # every admin hears of the watcher's reload
        assert "reloaded by the file watcher" in announced, announced
        assert "Added: hot-stones" in announced, announced
        admin.says("hot stones")
        assert admin.receives_one().text.startswith("<b>What is hot stone massage?</b>")
        # 4. SIGHUP
        faq.write_text(original, encoding="utf-8")
        os.utime(faq)
        process.signal(signal.SIGHUP)
        process.wait_for_log("FAQ reloaded (SIGHUP)")
    finally:
        code = process.stop()
    log = process.log()
    assert code == 0, log
    assert "Bot @TestNameBot is ready: 5 FAQ entries" in log
    assert "Bot stopped" in log
    assert SECOND_TOKEN not in log  # at LOG_LEVEL=DEBUG, with real httpx requests
    assert " DEBUG " in log
