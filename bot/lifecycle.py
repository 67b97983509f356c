"""Starting and stopping `faq-bot run`: back-off while the Bot API is unreachable, and the stop
signals for the whole life of the process.

A bot that exits whenever Telegram or the network is briefly unreachable is restarted at once by
its supervisor (Docker, systemd), fails again, and so on: a tight crash loop that floods the log
and Telegram. `connect` instead calls `Application.initialize()` (PTB's getMe) until it works,
waiting 1, 2, 4, ... up to 60 seconds between attempts, with one clear WARNING line per failure.
A rejected token is not a network problem: it is raised at once.

SIGINT and SIGTERM are handled here rather than by PTB's runner, because PTB's handler raises
SystemExit wherever the loop happens to be: during its start-up requests that crashes its
runner with a traceback (and exit code 1). `StopSignals` cancels the back-off while connecting,
lets a start already under way finish, and otherwise asks PTB to stop the way `stop_running()`
does: polling stops, the update in hand is finished, then shutdown and post_shutdown run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import Application

logger = logging.getLogger(__name__)

# Seconds between attempts; the last one repeats for as long as the API stays unreachable.
BACKOFF: tuple[float, ...] = (1, 2, 4, 8, 16, 32, 60)
STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    sig for sig in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if sig
)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
Sleep = Callable[[float], Awaitable[Any]]


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
    """SIGINT and SIGTERM on `loop`, from `install()` to `remove()`, for every phase of the run:
    connecting (stop waiting), starting (stop once started), running (stop polling)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, application: AnyApplication) -> None:
        self.loop = loop
        self.application = application
        self.received: str | None = None
        self._connecting: asyncio.Task[None] | None = None
        self._deferred: asyncio.Task[None] | None = None
        self._installed: list[signal.Signals] = []

    def install(self) -> None:
        for sig in STOP_SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                self.loop.add_signal_handler(sig, self._on_signal, sig)
                self._installed.append(sig)

    def remove(self) -> None:
        for sig in self._installed:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                self.loop.remove_signal_handler(sig)
        self._installed.clear()
        if self._deferred is not None and not self.loop.is_closed():
            self._deferred.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                self.loop.run_until_complete(self._deferred)

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

    def _on_signal(self, sig: signal.Signals) -> None:
        if self.received is not None:
            logger.info("%s received: already stopping", sig.name)
            return
        self.received = sig.name
        logger.info("%s received: stopping after the update in hand", sig.name)
        if self._connecting is not None:
            self._connecting.cancel()
            return
        # Running, this stops PTB's loop; during post_init, it has PTB stop right after it.
        self.application.stop_running()
        # But during PTB's bootstrap (interrupting it mid-request would crash it) it does nothing,
        # and while PTB's runner is still finishing start() its loop.stop() ends that step, not
        # run_forever(): a stop lost, and a bot that never stops. So look again until it does.
        self._deferred = self.loop.create_task(self._stop_once_running())

    async def _stop_once_running(self) -> None:
        """Ask PTB's runner to stop, every 50 ms, while it runs: until its updater stops, the
        first step of its exit (asking then would break the exit off halfway)."""
        while True:
            await asyncio.sleep(0.05)
            updater = self.application.updater
            if self.application.running and (updater is None or updater.running):
                self.application.stop_running()
