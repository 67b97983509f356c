"""Hostile input through the real Application: whatever arrives, the bot keeps answering.

Every case goes through `Application.process_update` over the in-memory Bot API (the handler
groups, filters, Defaults, the rate limiter and the error handler as in production), and is
followed by an ordinary question that must still get its answer. Every text the bot sends is
checked as Telegram HTML by tests/helpers/telegram_html.py (allowed tags, balanced, escaped,
at most 4,096 UTF-16 units), and nothing the user wrote comes back unescaped.

The property test at the end throws arbitrary text, entities, chat types, names and button data
at one running bot, and checks the same things plus that the error handler never ran.

Hostile FAQ files (issue 21, "a small file can exhaust the machine") come last: each is refused
by `faq-bot check` as a process in seconds and a few hundred MB, exit 2 and one clear line
naming the line, never a traceback; and a /reload to one leaves the bot answering.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from helpers.factories import (
    GROUP_ID,
    LOCATION,
    PHOTO,
    STICKER,
    VOICE,
    bot_message,
    callback_update,
    command_update,
    group_chat,
    inline_update,
    message_update,
    private_chat,
)
from helpers.fake_telegram import BOT_ID, BOT_USERNAME, FakeTelegram
from helpers.harness import Harness, copy_faq, running_bot
from helpers.telegram_html import InvalidTelegramHtml, check_message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram.ext import AIORateLimiter

from bot import views
from bot.faq import MAX_ENTRIES, MAX_FILE_BYTES

# A bot on the bundled FAQ for each of dozens of cases, and a property test: not in a routine run.
pytestmark = pytest.mark.slow

ORDINARY = "do you treat sciatica"
SCIATICA_ID = "condition-sciatica"
# A marker inside markup the user sends: it must never come back inside a live tag.
INJECTED = "<b>INJECTED</b><script>alert(1)</script><a href=\"javascript:alert(1)\">x</a>"
# "do you treat sciatica" in fullwidth letters (U+FF01..U+FF5E), as some keyboards type it.
FULLWIDTH = "".join(chr(ord(c) + 0xFEE0) if c != " " else c for c in ORDINARY)

Case = Callable[[], dict[str, Any]]


def with_first_name(update: dict[str, Any], name: str) -> dict[str, Any]:
    update["message"]["from"]["first_name"] = name
    return update


def edited(update: dict[str, Any]) -> dict[str, Any]:
    message = update.pop("message")
    message["edit_date"] = message["date"]
    update["edited_message"] = message
    return update


def channel_post(text: str) -> dict[str, Any]:
    update = message_update(text)
    post = update.pop("message")
    post.pop("from")
    post["chat"] = {"id": -1001122334455, "type": "channel", "title": "Clinic news"}
    post["sender_chat"] = post["chat"]
    update["channel_post"] = post
    return update


def as_group_mention(text: str) -> dict[str, Any]:
    handle = f"@{BOT_USERNAME}"
    entity = {"type": "mention", "offset": 0, "length": len(handle)}
    return message_update(f"{handle} {text}", chat=group_chat(), entities=[entity])


# name -> (the update, how many messages the bot should send: None for "any number")
CASES: dict[str, tuple[Case, int | None]] = {
    "4096 characters": (lambda: message_update("sciatica " * 455 + "x" * 1), 1),
    "4096 characters, one word": (lambda: message_update("a" * 4096), 1),
    # may be answered (an answer with the disclaimer can take two messages): only no error
    "thousands of words": (lambda: message_update(" ".join(["massage", "pain"] * 1500)), None),
    "hundreds of emoji": (lambda: message_update("💆‍♀️🔥👍🏽" * 200), 1),
    "zero-width characters": (
        lambda: message_update("sci\u200batica\u200c\u200d\ufeff\u2060 \u200b" * 20), 1),
    "control characters": (
        lambda: message_update("".join(chr(c) for c in range(1, 32)) + "\x7f\x85 jaw"), 1),
    "null and lone bidi controls": (lambda: message_update("\x00\u202e\u2066pain\u2069"), 1),
    "html and script tags": (lambda: message_update(INJECTED), 1),
    "html entities": (lambda: message_update("&lt;b&gt; &amp;amp; &#0; &#x110000; &bogus;"), 1),
    "right-to-left scripts": (lambda: message_update("هل تعالجون عرق النسا؟ האם אתם מטפלים"), 1),
    "fullwidth letters": (lambda: message_update(FULLWIDTH), 1),
    "sql-looking text": (
        lambda: message_update("'; DROP TABLE questions; -- \" OR 1=1 /* */ UNION SELECT *"), 1),
    "format strings": (
        lambda: message_update("%s %d %n %(token)s {0} {token} {__class__.__init__} ${HOME}"), 1),
    "unknown command": (lambda: command_update("/admin"), 1),
    "unknown command with arguments": (lambda: command_update("/rm -rf / --no-preserve"), 1),
    "command with arguments": (lambda: command_update("/topics now please <b>x</b>"), 1),
    "start with a bogus deep link": (lambda: command_update("/start ../../etc/passwd"), 1),
    "command to this bot by name": (lambda: command_update(f"/help@{BOT_USERNAME}"), 1),
    "command to another bot in a group": (
        lambda: command_update("/help@SomeOtherBot", chat=group_chat()), 0),
    "hostile first name": (lambda: with_first_name(command_update("/start"), INJECTED), 1),
    "edited message": (lambda: edited(message_update("sciatica")), 0),
    "channel post": (lambda: channel_post("do you treat sciatica"), 0),
    "channel post command": (lambda: channel_post("/start"), 0),
    "photo": (lambda: message_update(None, photo=PHOTO, caption=INJECTED), 1),
    "voice": (lambda: message_update(None, voice=VOICE), 1),
    "location": (lambda: message_update(None, location=LOCATION), 1),
    "sticker": (lambda: message_update(None, sticker=STICKER), 1),
    "group mention with markup": (lambda: as_group_mention(INJECTED), 1),
    "group message not for the bot": (
        lambda: message_update(INJECTED, chat=group_chat()), 0),
    "inline query of 256 characters": (lambda: inline_update("<b>" + "é&" * 126 + "</"), 0),
    "inline query of 256 emoji": (lambda: inline_update("💆" * 256), 0),
}

GARBAGE_CALLBACKS = [
    "", ":", "a:", "A:", "A:nothex", "a:" + "x" * 62, "g:", "g::", "g:zzzz:0", "g:00000000:-1",
    # a real topic key ("Conditions we treat") with pages that str.isdigit() accepts, int() not
    "g:a310dbb8:\u00b2", "g:a310dbb8:\u0661", "g:a310dbb8:-1", "g:a310dbb8:" + "9" * 20,
    "g:ffffffff:99999999999999999999", "t:extra", "m:1",
    "<b>x</b>", "%s{0}", "\x00\u202e", "💆" * 16, "a:../../etc/passwd",
]


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_bot(copy_faq(tmp_path)) as harness:
        yield harness


def check_everything_sent(fake: FakeTelegram) -> list[str]:
    """Every outgoing text is valid Telegram HTML within the limit; returns the parsed texts."""
    texts = []
    for sent in fake.html_texts():
        try:
            texts.append(check_message(sent))
        except InvalidTelegramHtml as exc:
            raise AssertionError(f"{exc}\nin: {sent[:300]!r}") from exc
        # Nothing the user sent comes back as live markup (escaped, it may: a name in /start).
        assert "<b>INJECTED" not in sent
        assert "<script" not in sent
        assert "<a href=\"javascript:" not in sent
    return texts


async def still_answers(bot: Harness) -> None:
    await bot.send(message_update(ORDINARY))
    entry = bot.live.current.faq.get(SCIATICA_ID)
    assert entry is not None
    texts = bot.fake.texts()
    assert texts, "the ordinary question got no reply"
    assert f"<b>{html.escape(entry.question, quote=False)}</b>" in texts[0]  # after its lead
    check_everything_sent(bot.fake)


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.parametrize("name", list(CASES))
async def test_hostile_update_then_an_ordinary_question(
    bot: Harness, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    make, expected = CASES[name]
    await bot.send(make())
    check_everything_sent(bot.fake)
    if expected is not None:
        assert len(bot.fake.sent()) == expected, bot.fake.texts()
    assert views.ERROR_REPLY not in bot.fake.texts()
    assert errors_logged(caplog) == []
    await still_answers(bot)


@pytest.mark.parametrize("data", GARBAGE_CALLBACKS)
async def test_garbage_button_data_gets_a_polite_reply(
    bot: Harness, caplog: pytest.LogCaptureFixture, data: str
) -> None:
    await bot.send(callback_update(data))
    assert bot.methods()[0] == "answerCallbackQuery"
    check_everything_sent(bot.fake)
    assert views.ERROR_REPLY not in bot.fake.texts()
    assert errors_logged(caplog) == []
    await still_answers(bot)


async def test_the_first_name_is_escaped_in_the_welcome(bot: Harness) -> None:
    await bot.send(with_first_name(command_update("/start"), "<b>Ann</b> & Bo"))
    assert "Hello, &lt;b&gt;Ann&lt;/b&gt; &amp; Bo!" in bot.fake.texts()[0]


async def test_a_burst_of_hostile_updates_then_an_ordinary_question(bot: Harness) -> None:
    for make, _ in CASES.values():
        await bot.send(make(), clear=False)
    for data in GARBAGE_CALLBACKS:
        await bot.send(callback_update(data), clear=False)
    check_everything_sent(bot.fake)
    assert views.ERROR_REPLY not in bot.fake.texts()
    await still_answers(bot)


# -- property: arbitrary text and entities through the whole update path --------------------

_HANDLE = f"@{BOT_USERNAME}"
_PREFIXES = [
    "", "/start", "/start ", "/help", "/topics", "/conditions", "/disclaimer", "/reload",
    "/unknown", f"/topics@{BOT_USERNAME}", "/help@OtherBot", f"{_HANDLE} ", _HANDLE,
]
_ALPHABET = st.characters(
    codec="utf-8",  # every code point but lone surrogates, which Telegram's JSON cannot carry
    categories=["L", "M", "N", "P", "S", "Z", "C"],
)
_PIECES = st.one_of(
    st.text(_ALPHABET, max_size=60),
    st.sampled_from([
        "sciatica", "do you treat", "chest pain", "hi", "<b>", "</i>", "&amp;", "&", "<", ">",
        "\u200b", "\u202e", "\x00", "\n", "💆‍♀️", FULLWIDTH, "عرق النسا", "%s", "{0}",
        INJECTED,
    ]),
)
_TEXTS = st.lists(_PIECES, max_size=12).map("".join)
_ENTITY_TYPES = ["bold", "italic", "url", "mention", "hashtag", "code", "pre", "text_link",
                 "text_mention", "spoiler", "custom_emoji", "blockquote"]


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@st.composite
def updates(draw: st.DrawFn) -> dict[str, Any]:
    """A message, edited message, channel post, callback query or inline query, with random
    text, entities at character boundaries, chat type, name and reply."""
    kind = draw(st.sampled_from(["message"] * 6 + ["edited", "channel", "callback", "inline"]))
    if kind == "callback":
        return callback_update(draw(st.text(_ALPHABET, max_size=64)))
    if kind == "inline":
        return inline_update(draw(st.text(_ALPHABET, max_size=256)))
    prefix = draw(st.sampled_from(_PREFIXES))
    text = prefix + draw(_TEXTS)
    if not text:
        text = "?"
    text = text[:4096]
    entities: list[dict[str, Any]] = []
    command = prefix.split(" ")[0]
    if command.startswith("/"):
        entities.append({"type": "bot_command", "offset": 0, "length": _utf16(command)})
    elif command.startswith("@"):
        entities.append({"type": "mention", "offset": 0, "length": _utf16(command)})
    for _ in range(draw(st.integers(0, 3))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        if start == end:
            continue
        entity: dict[str, Any] = {
            "type": draw(st.sampled_from(_ENTITY_TYPES)),
            "offset": _utf16(text[:start]),
            "length": _utf16(text[start:end]),
        }
        if entity["type"] == "text_link":
            entity["url"] = "https://example.org/"
        elif entity["type"] == "text_mention":
            entity["user"] = draw(st.sampled_from([
                {"id": BOT_ID, "is_bot": True, "first_name": "Clinic FAQ"},
                {"id": 55, "is_bot": False, "first_name": "Sam"},
            ]))
        elif entity["type"] == "custom_emoji":
            entity["custom_emoji_id"] = "5368324170671202286"
        entities.append(entity)
    chat = draw(st.sampled_from(["private", "group", "supergroup"]))
    chat_data = private_chat() if chat == "private" else {**group_chat(), "type": chat}
    if chat == "group":
        chat_data["id"] = GROUP_ID // 1000  # a basic group: a short negative id
    reply_to = bot_message(chat=chat_data) if draw(st.booleans()) else None
    update = message_update(text, chat=chat_data, entities=entities, reply_to=reply_to)
    update["message"]["from"]["first_name"] = draw(st.text(_ALPHABET, min_size=1, max_size=64))
    if kind == "edited":
        return edited(update)
    if kind == "channel":
        return channel_post(text)
    return update


class ErrorRecords(logging.Handler):
    """Collects every record at ERROR or above, from any logger."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def one_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Harness, Any]]:
    """One running bot for all the generated examples, on its own event loop (hypothesis runs
    each example synchronously). Telegram's flood limits are off (429s are still retried): they
    would only make the examples wait."""
    loop = asyncio.new_event_loop()
    unthrottled = AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)
    context = running_bot(copy_faq(tmp_path_factory.mktemp("hostile")), rate_limiter=unthrottled)
    harness = loop.run_until_complete(context.__aenter__())
    try:
        yield harness, loop
    finally:
        loop.run_until_complete(context.__aexit__(None, None, None))
        loop.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(updates(), min_size=1, max_size=3))
def test_any_update_gets_valid_html_and_never_reaches_the_error_handler(
    one_bot: tuple[Harness, Any], batch: list[dict[str, Any]]
) -> None:
    harness, loop = one_bot
    errors = ErrorRecords()
    logging.getLogger().addHandler(errors)
    try:
        harness.fake.clear()
        for update in batch:
            loop.run_until_complete(harness.send(update, clear=False))
        check_everything_sent(harness.fake)
        assert views.ERROR_REPLY not in harness.fake.texts()
        assert [record.getMessage() for record in errors.records] == []
        loop.run_until_complete(still_answers(harness))
    finally:
        logging.getLogger().removeHandler(errors)


# -- hostile FAQ files ----------------------------------------------------------------------------

HOSTILE_HEAD = """\
disclaimer: General information, not medical advice.
entries:
  - id: one
    question: Do you treat sciatica?
    answer: Yes.
"""


def urgent_bomb() -> str:
    """1.5 KB: one trigger naming six word classes of 30 phrases (30**6 = 729 million)."""
    classes = "".join(
        f"    c{n}: [{', '.join(f'{chr(97 + n)}{i}' for i in range(30))}]\n" for n in range(6)
    )
    trigger = " & ".join(f"<c{n}>" for n in range(6))
    return HOSTILE_HEAD + f"urgent:\n  classes:\n{classes}  triggers:\n    - {trigger}\n"


def alias_bomb() -> str:
    """13 KB: one 10 KB text, anchored, then used 1,000 times by alias."""
    return (
        HOSTILE_HEAD.replace("General information", "&a " + "x" * 10_000)
        + "not_covered: [" + ",".join(["*a"] * 1_000) + "]\n"
    )


def oversize() -> str:
    """One byte over the size limit, of YAML that would cost millions of nodes to compose."""
    head = HOSTILE_HEAD + "not_covered: ["
    count = (MAX_FILE_BYTES - len(head)) // 2 + 1
    return head + "a," * count + "a]\n"


def many_nodes() -> str:
    """A third of the size limit, all one-letter texts: ten times as many nodes as allowed."""
    return HOSTILE_HEAD + "not_covered: [" + "a," * (MAX_FILE_BYTES // 6) + "a]\n"


def too_many_entries() -> str:
    entries = "".join(
        f"  - {{id: e{n}, question: Question {n}?, answer: Answer {n}.}}\n"
        for n in range(MAX_ENTRIES + 1)
    )
    return "disclaimer: General information, not medical advice.\nentries:\n" + entries


def deep_nesting() -> str:
    """Lists 500 deep (libyaml stops at 1,000, with a syntax error of its own)."""
    return HOSTILE_HEAD + "topics: " + "[" * 500 + "]" * 500 + "\n"


# name -> (the file's text, what the one problem line says, the line it names)
HOSTILE_FILES: dict[str, tuple[Callable[[], str], str, int]] = {
    "urgent word classes": (urgent_bomb, "stands for 729,000,000 phrases", 15),
    "alias repeated 1,000 times": (alias_bomb, "anchors and aliases", 1),
    "over the size limit": (oversize, "the file is too big", 0),
    "too many nodes": (many_nodes, "too much in one file", 6),
    "too many entries": (too_many_entries, "too many entries: 20,001", 3),
    "deep nesting": (deep_nesting, "nested too deep", 6),
}

# A child process that runs `faq-bot check PATH` and prints its exit code, stdout, stderr,
# wall time and peak memory (ru_maxrss of its own child: nothing else this process ran).
MEASURE = textwrap.dedent("""\
    import json, resource, subprocess, sys, time
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "bot", "check", sys.argv[1]],
                          capture_output=True, text=True, timeout=120)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"code": done.returncode, "out": done.stdout, "err": done.stderr,
                      "seconds": time.monotonic() - start, "max_rss_mb": peak}))
""")


def measure_check(path: Path, repo: Path = REPO) -> dict[str, Any]:
    """`faq-bot check PATH` as a process, from `repo`: its outcome, time and peak memory."""
    environment = {key: value for key, value in os.environ.items() if key != "FAQ_PATH"}
    environment["PYTHONPATH"] = str(repo)
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, cwd=repo,
        env=environment, timeout=180, check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("name", list(HOSTILE_FILES))
def test_check_refuses_a_hostile_file_quickly_in_little_memory(
    tmp_path: Path, name: str
) -> None:
    make, says, line = HOSTILE_FILES[name]
    path = tmp_path / "faq.yaml"
    path.write_text(make(), encoding="utf-8")
    if name == "urgent word classes":
        assert path.stat().st_size < 1_600
    if name == "alias repeated 1,000 times":
        assert path.stat().st_size < 14_000
    result = measure_check(path)
    assert (result["code"], result["out"]) == (2, ""), result
    where = f"{path}:{line}: " if line else f"{path}: "
    assert result["err"].startswith(where), result["err"]
    assert says in result["err"]
    assert len(result["err"].splitlines()) == 1
    assert "Traceback" not in result["err"]
    assert result["seconds"] < 15, result  # about 1 s alone; the suite may share the CPU
    assert result["max_rss_mb"] < 300, result


@pytest.mark.parametrize("name", ["urgent word classes", "alias repeated 1,000 times",
                                  "too many entries", "deep nesting"])
async def test_a_reload_to_a_hostile_file_is_refused_and_the_bot_keeps_answering(
    bot: Harness, name: str
) -> None:
    make, says, _ = HOSTILE_FILES[name]
    before = bot.live.current.faq
    bot.live.path.write_text(make(), encoding="utf-8")
    result = await bot.live.reload("test")
    assert not result.ok
    assert says in result.error
    assert bot.live.current.faq is before
    await still_answers(bot)
