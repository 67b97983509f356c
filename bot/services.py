"""What the handlers need besides the update: settings, the live FAQ and the question recorder,
kept in bot_data.

`bot.app.build_application` stores one `Services` under `SERVICES_KEY`; handlers reach it only
through `get_services(context)`, which is typed, so mypy checks every use.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import CallbackContext

from bot.config import Settings
from bot.live import LiveFaq
from bot.recorder import Recorder

SERVICES_KEY = "services"


@dataclass
class Services:
    """The bot's long-lived state. Background tasks are tracked so shutdown can cancel them."""

    settings: Settings
    live: LiveFaq
    recorder: Recorder
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    def spawn(self, coroutine: Any, name: str) -> asyncio.Task[Any]:
        """Run a background coroutine, keeping a reference until it finishes."""
        task: asyncio.Task[Any] = asyncio.get_running_loop().create_task(coroutine, name=name)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def close(self) -> None:
        """The shutdown path, called once by the application's post_shutdown after the last
        update has been handled: cancel the background tasks, then write the records still
        pending and close the question store. Safe to call more than once."""
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.recorder.close()


def get_services(context: CallbackContext[Any, Any, Any, Any]) -> Services:
    """The Services of the running application."""
    services = context.bot_data.get(SERVICES_KEY)
    if not isinstance(services, Services):
        raise RuntimeError("bot_data has no Services: build it with bot.app.build_application")
    return services
