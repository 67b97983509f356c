"""Starting and stopping `faq-bot run`: back-off while the Bot API is unreachable, and the stop
signals for the whole life of the process.

A bot that exits whenever Telegram or the network is briefly unreachable is restarted at once by
its supervisor (Docker, systemd), fails again, and so on: a tight crash loop that floods the log
and Telegram. `connect` instead calls `Application.initialize()` (PTB's getMe) until it works,
waiting 1, 2, 4, ... up to 60 seconds between attempts, with one clear WARNING line per failure.
A rejected token is not a network problem: it is raised at once.

SIGINT and SIGTERM are handled here, for every phase: while connecting they cancel the back-off;
after that they set `StopSignals.stopping`, which `serve` watches. `serve` runs the application
the way PTB's run_polling/run_webhook did (post_init, telling Telegram how updates come,
start, ... stop, shutdown, post_shutdown), but with our feeds (bot.polling, bot.webhook) and
our stop: updates stop coming in at once, the updates in hand get until GRACE seconds after the
signal, the rest are abandoned unconfirmed (Telegram sends them again to the next process), and
the exit is done well before Docker's SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.intake import Intake

logger = logging.getLogger(__name__)

# Seconds between attempts; the last one repeats for as long as the API stays unreachable.
BACKOFF: tuple[float, ...] = (1, 2, 4, 8, 16, 32, 60)
STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    sig for sig in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if sig
)

# How long the updates in hand get after SIGTERM/SIGINT. Docker (and systemd's default 90 s is
# longer) sends SIGKILL 10 s after SIGTERM; after the grace come the last getUpdates that
# confirms what was answered (at most 1 s, bot.polling), stopping the application, writing the
# pending records and closing the store, and the interpreter's exit: 7 s leaves about 2 s of
# margin for those on a loaded machine. What is not answered by then stays unconfirmed, and
# Telegram sends it again to the next process.
GRACE = 7.0

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
Sleep = Callable[[float], Awaitable[Any]]
T = TypeVar("T")


def delays(schedule: Sequence[float] = BACKOFF) -> Iterator[float]:
    """The schedule's delays, then its last one forever."""
    yield from schedule
    while True:
        yield schedule[-1]


async def connect(
    application: AnyApplication,
    api_root: str,
    schedule: Sequence[float] = BACKOFF,
    sleep: Sleep = asyncio.sleep,
) -> None:
    """Initialize the application (getMe), retrying network failures with back-off.

    Raises InvalidToken (and any other refusal that waiting will not fix) at once.
    """
    for attempt, delay in enumerate(delays(schedule), start=1):
        try:
            await application.initialize()
        except BadRequest:  # a 400 is a refusal, not an outage: waiting will not fix it
            raise
        except (NetworkError, RetryAfter) as exc:  # 5xx, timeouts, refused connections, 429
            logger.warning(
                "Bot API unreachable at %s (attempt %d: %s); retrying in %g s",
                api_root, attempt, exc, delay,
            )
            await sleep(delay)
        else:
            if attempt > 1:
                logger.info("Reached the Bot API at %s on attempt %d", api_root, attempt)
            return


class StopSignals:
    """SIGINT and SIGTERM on `loop`, from `install()` to `remove()`: while connecting, they stop
    the back-off; afterwards they set `stopping` (and `at`, the loop time of the first)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, application: AnyApplication) -> None:
        self.loop = loop
        self.application = application
        self.received: str | None = None
        self.at: float | None = None
        self.stopping = asyncio.Event()
        self._connecting: asyncio.Task[None] | None = None
        self._previous: dict[signal.Signals, Any] = {}

    def install(self) -> None:
        # Python-level handlers, not loop.add_signal_handler: those run only when the event
        # loop gets round to them, which with a backlog of CPU-bound answers was 4 s after
        # the signal, and the grace must count from the signal itself. This one notes the
        # time at once (the main thread runs it between two bytecodes) and hands the rest to
        # the loop.
        for sig in STOP_SIGNALS:
            with contextlib.suppress(RuntimeError, ValueError):  # ValueError: not main thread
                self._previous[sig] = signal.signal(sig, self._caught)

    def remove(self) -> None:
        for sig, previous in self._previous.items():
            with contextlib.suppress(RuntimeError, ValueError):
                signal.signal(sig, previous)
        self._previous.clear()

    def _caught(self, number: int, frame: object) -> None:
        if self.at is None:
            self.at = time.monotonic()  # the clock of asyncio's loop.time()
        with contextlib.suppress(RuntimeError):  # the loop is closed: nothing left to stop
            self.loop.call_soon_threadsafe(self._on_signal, signal.Signals(number))

    def connect(self, api_root: str, schedule: Sequence[float] = BACKOFF) -> bool:
        """Run `connect` until it succeeds (True) or a stop signal arrives (False)."""
        self._connecting = self.loop.create_task(connect(self.application, api_root, schedule))
        try:
            self.loop.run_until_complete(self._connecting)
        except BaseException as exc:
            # getMe never succeeded, so the application is not initialized (PTB's shutdown would
            # skip it), but its HTTP clients are: close them.
            self.loop.run_until_complete(self.application.bot.shutdown())
            if isinstance(exc, asyncio.CancelledError):
                logger.info("Stopped before reaching the Bot API")
                return False
            raise
        finally:
            self._connecting = None
        return True

    def deadline(self, grace: float = GRACE) -> float:
        """The loop time by which the updates in hand must be done: `grace` seconds after the
        signal (or from now, when the run ends without one)."""
        return (self.at if self.at is not None else self.loop.time()) + grace

    def _on_signal(self, sig: signal.Signals) -> None:
        if self.received is not None:
            logger.info("%s received: already stopping", sig.name)
            return
        self.received = sig.name
        if self.at is None:
            self.at = self.loop.time()
        logger.info("%s received: stopping; the updates in hand get %g s", sig.name, GRACE)
        if self._connecting is not None:
            self._connecting.cancel()
        self.stopping.set()


class Feed(Protocol):
    """Where updates come from (bot.polling, bot.webhook): all of them hand updates to an
    Intake (bot.intake)."""

    async def register(self) -> None:
        """Tell Telegram how this bot gets updates (deleteWebhook / setWebhook): one try."""

    async def run(self, stopping: asyncio.Event) -> None:
        """Take updates until `stopping` is set, then take no more."""

    async def close(self) -> None:
        """After the updates in hand are finished or abandoned (confirm, close connections)."""


async def serve(
    application: AnyApplication,
    feed: Feed,
    intake: Intake,
    signals: StopSignals,
    *,
    retries: int,
    grace: float = GRACE,
) -> None:
    """Run the initialized `application` on `feed` until `signals.stopping`, then stop it: the
    order of PTB's runner (post_init, register, start; stop, post_stop, shutdown,
    post_shutdown), with the updates in hand given until `grace` seconds after the signal."""
    stopping = signals.stopping
    try:
        if application.post_init is not None:
            await application.post_init(application)
        if not stopping.is_set():
            await register(feed, retries, stopping)
        if stopping.is_set():
            return
        await application.start()
        try:
            await feed.run(stopping)
        finally:
            finished, abandoned = await intake.finish(signals.deadline(grace))
            if finished or abandoned:
                logger.info(
                    "Updates in hand at the stop: %d handled, %d left unconfirmed for the next "
                    "run", finished, abandoned,
                )
            await feed.close()
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def register(
    feed: Feed, retries: int, stopping: asyncio.Event, sleep: Sleep = asyncio.sleep
) -> None:
    """`feed.register()`, retried `retries` times after a failure, 1, 1.5, 2.25... s apart (as
    PTB's bootstrap), one warning line each; the last failure is raised. A stop ends it."""
    delay = 1.0
    for attempt in range(retries + 1):
        try:
            await until(stopping, feed.register())
            return
        except InvalidToken:
            raise
        except TelegramError as exc:
            if attempt == retries:
                raise
            logger.warning(
                "Setting up the updates with Telegram failed (%s); trying again in %g s",
                exc, delay,
            )
            await until(stopping, sleep(delay))
            if stopping.is_set():
                return
            delay *= 1.5


async def until(stopping: asyncio.Event, work: Awaitable[T]) -> T | None:
    """`work`'s result, or None (and `work` cancelled) if `stopping` is set first."""
    task = asyncio.ensure_future(work)
    if stopping.is_set():
        task.cancel()
    stop = asyncio.ensure_future(stopping.wait())
    try:
        await asyncio.wait((task, stop), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pending in (task, stop):
            if not pending.done():
                pending.cancel()
    if task.done() and not task.cancelled():
        return task.result()
    await asyncio.gather(task, return_exceptions=True)  # let the cancelled work unwind
    return None
