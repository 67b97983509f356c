"""What the application keeps in `bot_data` for itself: objects made on first use.

The conversation's memory (bot.context) and the teach flow's held questions (bot.teaching) need
nothing from bot.app to be built, so each handler gets them here, made the first time they are
needed; a test may put its own under the same key first.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, TypeVar

T = TypeVar("T")


def kept_in(bot_data: MutableMapping[Any, Any], key: str, kind: type[T]) -> T:
    """The `kind` kept under `key`, made with `kind()` on first use (or when what is there is
    not a `kind`, which it replaces)."""
    kept = bot_data.get(key)
    if not isinstance(kept, kind):
        kept = kind()
        bot_data[key] = kept
    return kept
