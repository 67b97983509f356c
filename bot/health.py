"""Is the running bot alive? A mark file it keeps fresh, and what `faq-bot health` reads.

A process can be up while the bot is useless: its event loop wedged, its connection to Telegram
gone, its webhook taken over by another instance. The container's HEALTHCHECK (Dockerfile) runs
`faq-bot health`, which looks at when the bot last heard from Telegram:

- long polling: every getUpdates that Telegram answers marks it (`watch_polls`); an idle bot
  still polls every 10 s (bot.polling's long-poll timeout), so a healthy one is never long
  unmarked;
- webhook: every update Telegram delivers marks it (`install`), and since an idle webhook gets
  none, a getWebhookInfo every 30 s that finds this bot's URL registered and no delivery error
  in the last minute marks it too (`heartbeat`).

The mark is the file's modification time, and nothing else: the file is empty, so it can never
hold a question, a name, an id or the token. It is touched at most once every few seconds, and
removed when the bot starts, so a mark left by an earlier process never vouches for this one.
Where: HEALTH_FILE, else `clinic-faq-bot.health` in the temporary directory (/tmp in the image).

Only the standard library is imported here at module level: `faq-bot health` runs every 30 s in
a container and must not pay for python-telegram-bot.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telegram import Bot, Update
    from telegram.ext import Application, CallbackContext
    from telegram.request import BaseRequest

logger = logging.getLogger(__name__)

DEFAULT_NAME = "clinic-faq-bot.health"
# `faq-bot health` fails when the mark is older than this (seconds): several missed polls or
# heartbeats, not one slow answer from Telegram.
DEFAULT_MAX_AGE = 120.0
# The bot touches the file at most this often (seconds).
TOUCH_EVERY = 5.0
# Webhook mode: how often getWebhookInfo is asked (seconds), and how recent a delivery error
# Telegram reports must be to count as the webhook failing now.
HEARTBEAT_EVERY = 30.0
RECENT_DELIVERY_ERROR = timedelta(seconds=60)


def mark_path(env: Mapping[str, str]) -> Path:
    """HEALTH_FILE, else clinic-faq-bot.health in the temporary directory. Shared by the bot,
    which writes it, and `faq-bot health`, which reads it."""
    raw = env.get("HEALTH_FILE", "").strip()
    return Path(raw).expanduser() if raw else Path(tempfile.gettempdir()) / DEFAULT_NAME


def check(path: Path, max_age: float = DEFAULT_MAX_AGE, now: float | None = None) -> str | None:
    """None when the mark is fresher than `max_age` seconds; otherwise why not, in one line."""
    try:
        marked = path.stat().st_mtime
    except FileNotFoundError:
        return (
            f"no health mark at {path}: the bot is not running, or has not heard from Telegram "
            "since it started"
        )
    except OSError as exc:
        return f"cannot read the health mark {path}: {exc.strerror or exc}"
    age = (time.time() if now is None else now) - marked
    if age > max_age:
        return (
            f"the bot last heard from Telegram {age:.0f} s ago (more than {max_age:g} s; "
            f"mark {path})"
        )
    return None


class HealthMark:
    """The running bot's side: `touch()` on every sign of life, at most once per `every`."""

    def __init__(
        self, path: Path, every: float = TOUCH_EVERY, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.path = path
        self.every = every
        self._clock = clock
        self.webhook_url: str | None = None  # set by `install` in webhook mode
        self._last: float | None = None
        self._failing = False

    def clear(self) -> None:
        """At start-up: no mark until this process hears from Telegram; create the directory."""
        self._last = None
        try:
            self.path.unlink(missing_ok=True)
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._warn(exc)

    def touch(self) -> None:
        now = self._clock()
        if self._last is not None and now - self._last < self.every:
            return
        self._last = now
        try:
            self.path.touch()
        except OSError as exc:
            self._warn(exc)
        else:
            if self._failing:
                logger.info("The health mark %s can be written again", self.path)
            self._failing = False

    def _warn(self, exc: OSError) -> None:
        if not self._failing:  # one line per outage, not one every few seconds
            logger.warning(
                "Cannot write the health mark %s (%s): `faq-bot health` will report the bot "
                "unhealthy; set HEALTH_FILE to a writable path", self.path, exc.strerror or exc,
            )
        self._failing = True

    # -- wiring into the Telegram application (bot.app) -------------------------------------

    def watch_polls(self, request: BaseRequest) -> BaseRequest:
        """`request` (the one getUpdates uses), touching the mark whenever Telegram answers."""
        return _marking_request(request, self)

    def install(self, application: Application[Any, Any, Any, Any, Any, Any],
                webhook_url: str | None) -> None:
        """Webhook mode: every update Telegram delivers touches the mark (a handler in group -1,
        before all others, that lets the update through), and `heartbeat` can run."""
        if webhook_url is None:
            return
        from telegram import Update
        from telegram.ext import TypeHandler

        async def delivered(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> None:
            self.touch()

        application.add_handler(TypeHandler(Update, delivered), group=-1)
        self.webhook_url = webhook_url
        application.bot_data[_KEY] = self

    async def heartbeat(
        self, application: Application[Any, Any, Any, Any, Any, Any], url: str,
        every: float = HEARTBEAT_EVERY, sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        """Webhook mode, until cancelled: once the bot has started, touch the mark every `every`
        seconds if Telegram still has `url` as this bot's webhook and reports no recent delivery
        error. A failure is logged once, and once more when it is over."""
        while not application.running:  # PTB has no "started" event to wait for
            await sleep(0.1)
        problem: str | None = None
        while True:
            found = await _webhook_problem(application.bot, url)
            if found is None:
                self.touch()
                if problem is not None:
                    logger.info("Telegram delivers to the webhook again")
            elif found != problem:
                logger.warning("Webhook check: %s", found)
            problem = found
            await sleep(every)


# Where `install` leaves the mark and the URL for `heartbeat_of`, in bot_data.
_KEY = "health"


def heartbeat_of(
    application: Application[Any, Any, Any, Any, Any, Any],
) -> Coroutine[Any, Any, None] | None:
    """The heartbeat to run in the background, or None (long polling, or no mark)."""
    mark = application.bot_data.get(_KEY)
    if not isinstance(mark, HealthMark) or mark.webhook_url is None:
        return None
    return mark.heartbeat(application, mark.webhook_url)


async def _webhook_problem(bot: Bot, url: str) -> str | None:
    from telegram.error import TelegramError

    try:
        info = await bot.get_webhook_info()
    except TelegramError as exc:
        return f"getWebhookInfo failed: {exc}"
    if info.url != url:
        return "Telegram has another webhook URL for this bot" if info.url else (
            "Telegram has no webhook URL for this bot"
        )
    failed = info.last_error_date
    if failed is not None and datetime.now(UTC) - failed < RECENT_DELIVERY_ERROR:
        return f"Telegram could not deliver an update: {info.last_error_message or 'no reason'}"
    return None


def _marking_request(inner: BaseRequest, mark: HealthMark) -> BaseRequest:
    # Defined here, not at module level, so that `faq-bot health` never imports telegram.
    from telegram.request import BaseRequest, RequestData

    class MarkingRequest(BaseRequest):
        """`inner`, unchanged, except that each answer 200 OK touches the mark."""

        @property
        def read_timeout(self) -> float | None:
            return inner.read_timeout

        async def initialize(self) -> None:
            await inner.initialize()

        async def shutdown(self) -> None:
            await inner.shutdown()

        async def do_request(
            self,
            url: str,
            method: str,
            request_data: RequestData | None = None,
            read_timeout: Any = BaseRequest.DEFAULT_NONE,
            write_timeout: Any = BaseRequest.DEFAULT_NONE,
            connect_timeout: Any = BaseRequest.DEFAULT_NONE,
            pool_timeout: Any = BaseRequest.DEFAULT_NONE,
        ) -> tuple[int, bytes]:
            code, payload = await inner.do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout,
                pool_timeout,
            )
            if code == HTTPStatus.OK:
                mark.touch()
            return code, payload

    return MarkingRequest()
