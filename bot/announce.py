"""Telling the admins about reloads: what they hear in Telegram, and what each has heard.

The file watcher and SIGHUP reload the FAQ with nobody in a chat to read the result, so a
broken save used to be only a log line while people kept getting the old FAQ. `AdminNotices`
is the callback bot.app gives `LiveFaq.on_unasked_reload`: every admin in ADMIN_IDS gets a
private message when a new save is broken (the same broken bytes once, not on every poll or
SIGHUP) and when a good one goes into service.

It also remembers, per admin and in memory only, which save (`Version`) they last heard of,
from a notice or from their own /reload; a restart starts everyone at the save loaded then.
So /reload can say what changed since then, or that the watcher already applied it and when,
instead of "Nothing changed".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.error import TelegramError

from bot import views
from bot.live import ReloadResult, Version, diff, settings_diff
from bot.views import Reply

logger = logging.getLogger(__name__)

NOTICES_KEY = "admin_notices"


def since(heard: Version, now: Version, result: ReloadResult) -> ReloadResult:
    """`result` with its diff replaced by what changed from the save `heard` to `now`."""
    added, removed, changed = diff(heard.faq, now.faq)
    return replace(
        result, added=added, removed=removed, changed=changed,
        settings_changed=settings_diff(heard.faq, now.faq),
    )


class AdminNotices:
    """The reload notices to the admins, and which save each admin last heard of."""

    def __init__(self, bot: Bot, admin_ids: Iterable[int], path: Path, start: Version) -> None:
        self._bot = bot
        self._admin_ids = sorted(admin_ids)
        self._file = path.name
        self._start = start  # what an admin who has heard nothing yet is taken to know
        self._heard: dict[int, Version] = {}
        # The bytes of the broken save last reported ("" for an unreadable file): the same
        # broken file again (a SIGHUP, a touch) is not reported again; a good save clears it.
        self._reported: str | None = None
        # Admins the last send to failed (blocked the bot, never started it): logged once, not
        # at every notice; a later success takes them off.
        self._unreachable: set[int] = set()

    def last_heard(self, admin_id: int) -> Version:
        return self._heard.get(admin_id, self._start)

    def heard(self, admin_id: int, version: Version) -> None:
        self._heard[admin_id] = version

    async def __call__(self, result: ReloadResult, in_service: Version) -> None:
        """The LiveFaq callback: tell every admin what the watcher's (or SIGHUP's) reload did."""
        if not result.ok:
            key = result.sha256 or result.error
            if key == self._reported:
                return
            self._reported = key
            reply = views.reload_failed_notice(result, in_service, self._file)
            await asyncio.gather(*(self._send(admin, reply) for admin in self._admin_ids))
            return
        fixed, self._reported = self._reported is not None, None
        at = datetime.now(UTC)  # the reload has just finished
        await asyncio.gather(*(
            self._announce(admin, result, in_service, at, fixed) for admin in self._admin_ids
        ))

    async def _announce(
        self, admin_id: int, result: ReloadResult, in_service: Version, at: datetime,
        fixed: bool,
    ) -> None:
        change = since(self.last_heard(admin_id), in_service, result)
        if not (change.anything_changed or fixed):
            # Comments or layout only, nothing to act on: no message, but this is now what the
            # admin knows.
            self.heard(admin_id, in_service)
            return
        reply = views.reload_applied_notice(change, self._file, at, fixed=fixed)
        if await self._send(admin_id, reply):
            self.heard(admin_id, in_service)

    def reload_reply(
        self, admin_id: int, result: ReloadResult, before: Version, now: Version
    ) -> Reply:
        """The reply to an admin's /reload: `before` and `now` are the saves in service before
        and after it. Remembers that this admin has now heard of `now`."""
        if not result.ok:
            return views.reload_reply(result)  # the save in service is unchanged
        heard = self.last_heard(admin_id)
        self.heard(admin_id, now)
        change = since(heard, now, result)
        if now is before and now is not heard:
            # The file holds nothing new, but what is in service was applied since this admin
            # last heard (by the watcher, SIGHUP or another admin): say when, and what.
            return views.already_applied_reply(change, now)
        return views.reload_reply(change)

    async def _send(self, admin_id: int, reply: Reply) -> bool:
        """Send one notice to one admin's private chat; False (logged once) if it failed."""
        try:
            for part in reply.parts:
                await self._bot.send_message(admin_id, part)
        except TelegramError as exc:
            # 403 (blocked, or never started the bot), 400 (chat not found), or an outage that
            # outlasted the retries: the other admins are still told.
            if admin_id not in self._unreachable:
                self._unreachable.add(admin_id)
                logger.warning(
                    "Could not send the FAQ reload notice to admin %s: %s (they may need to "
                    "start a chat with the bot); not logged again until a notice reaches them",
                    admin_id, exc,
                )
            return False
        self._unreachable.discard(admin_id)
        return True


def notices_in(bot_data: dict[Any, Any]) -> AdminNotices:
    """The AdminNotices of the running application (stored by bot.app.build_application)."""
    notices = bot_data.get(NOTICES_KEY)
    if not isinstance(notices, AdminNotices):
        raise RuntimeError("bot_data has no AdminNotices: build it with bot.app")
    return notices
