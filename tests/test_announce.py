"""Reloads nobody asked for in a chat are told to the admins (bot.announce), and /reload says
what changed since the FAQ the admin last heard of: through the real application, its file
watcher and the in-memory Bot API."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers.factories import ADMIN_ID, command_update
from helpers.fake_telegram import Call, FakeTelegram
from helpers.harness import HOT_STONES, Harness, copy_faq, edit, running_bot, texts_to, wait_for
from telegram.request import RequestData

# The watcher is waited for in real time, and each reload builds a second FAQ (as test_reload).
pytestmark = pytest.mark.slow

MINI_FAQ = Path(__file__).parent / "helpers" / "mini_faq.yaml"
OTHER_ADMIN = 1002
ADMINS = frozenset({ADMIN_ID, OTHER_ADMIN})
# A tab where YAML wants spaces: broken, with a line and a fix in its message.
TAB = ("  - id: swedish\n", "  - id: swedish\n\tcolour: blue\n")


def add_and_change(text: str) -> str:
    """Add hot-stones and change cupping's answer."""
    return text.replace("Cupping uses cups", "Cupping therapy uses cups") + HOT_STONES


def hh_mm(bot: Harness, later: timedelta = timedelta()) -> str:
    """When the save in service was applied (plus `later`), as the notices write it."""
    return (bot.live.version.applied_at + later).astimezone(UTC).strftime("%H:%M UTC")


class Blocked(FakeTelegram):
    """The Bot API, with one chat that answers every sendMessage with 403 (the admin blocked
    the bot, or never started it)."""

    def __init__(self, chat_id: int) -> None:
        super().__init__()
        self.blocked = chat_id

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        params = dict(request_data.parameters) if request_data is not None else {}
        if url.endswith("/sendMessage") and int(params.get("chat_id", 0)) == self.blocked:
            self.calls.append(Call("sendMessage", params))  # tried, as Telegram would see
            body = {"ok": False, "error_code": 403,
                    "description": "Forbidden: bot was blocked by the user"}
            return 403, json.dumps(body).encode()
        return await super().do_request(url, method, request_data, *args, **kwargs)


# -- the watcher's notices ------------------------------------------------------------------


async def test_a_broken_save_is_sent_to_every_admin_once_and_the_fix_is_announced(
    tmp_path: Path,
) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    async with running_bot(path, admin_ids=ADMINS, faq_watch=True) as bot:
        loaded_at = hh_mm(bot)
        edit(path, lambda text: text.replace(*TAB))
        await wait_for(lambda: all(texts_to(bot, admin) for admin in ADMINS))
        await asyncio.sleep(0.3)  # several more polls: the same broken file is not re-sent
        line = path.read_text(encoding="utf-8").splitlines().index("\tcolour: blue") + 1
        for admin in ADMINS:
            (notice,) = texts_to(bot, admin)
            assert notice.startswith(
                "<b>The new faq.yaml has a problem, so the file watcher did not load it.</b>"
            )
            assert (
                f"The previous FAQ (5 entries, loaded at {loaded_at}) stays in service" in notice
            )
            assert f"{path}:{line}: this line is indented with a tab" in notice
            assert "Indent with spaces, not tabs" in notice
        # the next good save is announced, with what changed
        edit(path, lambda text: add_and_change(text.replace(TAB[1], TAB[0])))
        await wait_for(lambda: all(len(texts_to(bot, admin)) == 2 for admin in ADMINS))
        for admin in ADMINS:
            announced = texts_to(bot, admin)[1]
            headline = re.match(
                r"<b>faq\.yaml reloaded by the file watcher at (\d\d:\d\d UTC): added 1, "
                r"changed 1, removed 0\.</b>",
                announced,
            )
            assert headline is not None, announced
            # the time the notice was made, milliseconds after the save went into service
            assert headline[1] in (hh_mm(bot), hh_mm(bot, later=timedelta(minutes=1)))
            assert "The problems reported earlier are fixed." in announced
            assert "6 entries in service." in announced
            assert "Added: hot-stones" in announced
            assert "Changed: cupping" in announced


async def test_a_good_save_is_announced_and_reload_then_has_nothing_new(
    tmp_path: Path,
) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    async with running_bot(path, faq_watch=True) as bot:
        edit(path, add_and_change)
        await wait_for(lambda: bool(texts_to(bot, ADMIN_ID)))
        (announced,) = texts_to(bot, ADMIN_ID)
        assert "reloaded by the file watcher" in announced
        assert "added 1, changed 1, removed 0" in announced
        assert "The problems reported earlier" not in announced
        # the admin has heard of this save: /reload has nothing new to say
        await bot.send(command_update("/reload", from_id=ADMIN_ID))
        (text,) = bot.fake.texts()
        assert text.startswith("<b>FAQ reloaded: 6 entries in service.</b>")
        assert "Nothing changed." in text
        assert "Already applied" not in text


async def test_a_failed_send_to_one_admin_is_logged_once_and_the_others_are_told(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    fake = Blocked(OTHER_ADMIN)
    with caplog.at_level(logging.WARNING, logger="bot.announce"):
        async with running_bot(path, admin_ids=ADMINS, faq_watch=True, fake=fake) as bot:
            edit(path, lambda text: text.replace(*TAB))
            await wait_for(lambda: len(texts_to(bot, ADMIN_ID)) == 1)
            edit(path, lambda text: text.replace("colour: blue", "colour: red"))
            await wait_for(lambda: len(texts_to(bot, ADMIN_ID)) == 2)
            assert texts_to(bot, OTHER_ADMIN) == []
            attempts = [
                call for call in fake.called("sendMessage")
                if int(call.params["chat_id"]) == OTHER_ADMIN
            ]
            assert len(attempts) == 2  # tried each time...
    failures = [r for r in caplog.records if "reload notice to admin 1002" in r.getMessage()]
    assert len(failures) == 1  # ...and logged once
    assert "Forbidden: bot was blocked by the user" in failures[0].getMessage()


# -- /reload after the watcher --------------------------------------------------------------


async def test_reload_after_the_watcher_applied_a_change_names_the_time_and_the_change(
    tmp_path: Path,
) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    # The admin never heard of the change: its notice could not be delivered.
    fake = Blocked(ADMIN_ID)
    async with running_bot(path, faq_watch=True, fake=fake) as bot:
        edit(path, add_and_change)
        await wait_for(lambda: bool(fake.called("sendMessage")))  # the notice, refused
        assert bot.live.current.faq.get("hot-stones") is not None
        fake.blocked = 0  # the admin starts the chat again
        await bot.send(command_update("/reload", from_id=ADMIN_ID))
        (text,) = bot.fake.texts()
        assert text.startswith(
            f"<b>Already applied by the file watcher at {hh_mm(bot)}: added 1, changed 1, "
            "removed 0.</b>"
        )
        assert "Added: hot-stones" in text
        assert "Changed: cupping" in text
        assert "Nothing changed" not in text
        # now the admin has heard of it
        await bot.send(command_update("/reload", from_id=ADMIN_ID))
        assert "Nothing changed." in bot.fake.texts()[0]


async def test_reload_after_another_admin_reloaded_names_them(tmp_path: Path) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    async with running_bot(path, admin_ids=ADMINS) as bot:
        edit(path, add_and_change)
        await bot.send(command_update("/reload", from_id=OTHER_ADMIN))
        assert "Added: hot-stones" in bot.fake.texts()[0]
        await bot.send(command_update("/reload", from_id=ADMIN_ID))
        (text,) = bot.fake.texts()
        assert text.startswith(
            f"<b>Already applied by /reload from admin {OTHER_ADMIN} at {hh_mm(bot)}: added 1, "
            "changed 1, removed 0.</b>"
        )


async def test_reload_with_nothing_new_says_nothing_changed(tmp_path: Path) -> None:
    async with running_bot(copy_faq(tmp_path, MINI_FAQ), faq_watch=True) as bot:
        await bot.send(command_update("/reload", from_id=ADMIN_ID))
        (text,) = bot.fake.texts()
        assert text.startswith("<b>FAQ reloaded: 5 entries in service.</b>")
        assert "Nothing changed." in text
        assert "Already applied" not in text


async def test_reload_reports_changes_since_what_the_admin_last_heard(tmp_path: Path) -> None:
    """A change the admin missed and a new one, in one /reload: both are in its diff."""
    path = copy_faq(tmp_path, MINI_FAQ)
    async with running_bot(path, admin_ids=ADMINS) as bot:
        edit(path, add_and_change)
        await bot.send(command_update("/reload", from_id=OTHER_ADMIN))
        edit(path, lambda text: text.replace("Swedish massage is", "Swedish massage is a"))
        await bot.send(command_update("/reload", from_id=ADMIN_ID))
        (text,) = bot.fake.texts()
        assert text.startswith("<b>FAQ reloaded: 6 entries in service.</b>")
        assert "Added: hot-stones" in text
        assert "Changed: cupping, swedish" in text


# -- SIGHUP ---------------------------------------------------------------------------------


async def test_the_same_broken_file_is_reported_once_however_often_it_is_reloaded(
    tmp_path: Path,
) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    async with running_bot(path) as bot:
        edit(path, lambda text: text.replace(*TAB))
        for _ in range(2):  # what two SIGHUPs do
            result = await bot.live.reload("SIGHUP", announce=True)
            assert not result.ok
        (notice,) = texts_to(bot, ADMIN_ID)
        assert "so a SIGHUP signal did not load it" in notice
        # fixed, then broken the same way again: that is news again
        edit(path, lambda text: text.replace(TAB[1], TAB[0]))
        assert (await bot.live.reload("SIGHUP", announce=True)).ok
        edit(path, lambda text: text.replace(*TAB))
        await bot.live.reload("SIGHUP", announce=True)
        notices = texts_to(bot, ADMIN_ID)
        assert len(notices) == 3
        assert "reloaded by a SIGHUP signal" in notices[1]
        assert "The problems reported earlier are fixed." in notices[1]
        assert "did not load it" in notices[2]
