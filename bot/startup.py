"""Reaching the Bot API at start-up: retry with capped exponential back-off instead of exiting.

A bot that exits whenever Telegram or the network is briefly unreachable is restarted at once by
its supervisor (Docker, systemd), fails again, and so on: a tight crash loop that floods the log
and Telegram. `connect` instead calls `Application.initialize()` (PTB's getMe) until it works,
waiting 1, 2, 4, ... up to 60 seconds between attempts, with one clear WARNING line per failure.
A rejected token is not a network problem: it is raised at once. SIGINT and SIGTERM stop the
waiting cleanly (`connect_or_stop`), since PTB's own stop-signal handling starts only later.
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
STOP_SIGNALS = tuple(
    sig for sig in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if sig
)

Sleep = Callable[[float], Awaitable[Any]]


def delays(schedule: Sequence[float] = BACKOFF) -> Iterator[float]:
    """The schedule's delays, then its last one forever."""
    yield from schedule
    while True:
        yield schedule[-1]


async def connect(
    application: Application[Any, Any, Any, Any, Any, Any],
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


def connect_or_stop(
    loop: asyncio.AbstractEventLoop,
    application: Application[Any, Any, Any, Any, Any, Any],
    api_root: str,
    schedule: Sequence[float] = BACKOFF,
) -> bool:
    """Run `connect` on `loop` until it succeeds (True) or SIGINT/SIGTERM arrives (False).

    The signal handlers are removed again before returning, so PTB's runner can install its own.
    """
    task = loop.create_task(connect(application, api_root, schedule))
    installed = []
    for sig in STOP_SIGNALS:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, task.cancel)
            installed.append(sig)
    try:
        loop.run_until_complete(task)
    except BaseException as exc:
        # getMe never succeeded, so the application is not initialized (PTB's shutdown would
        # skip it), but its HTTP clients are: close them.
        loop.run_until_complete(application.bot.shutdown())
        if isinstance(exc, asyncio.CancelledError):
            logger.info("Stopped before reaching the Bot API")
            return False
        raise
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
    return True
