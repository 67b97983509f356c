"""Small factories for updates, as the JSON Telegram sends (so they also feed getUpdates).

`to_update(data, bot)` turns one into a `telegram.Update` bound to the bot, exactly as the
Updater does with what it receives.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from telegram import Bot, Update

from helpers.fake_telegram import BOT_ID, BOT_USER, BOT_USERNAME

PATIENT_ID = 4242
ADMIN_ID = 1001
GROUP_ID = -1009876543210

_update_ids = itertools.count(1)
_message_ids = itertools.count(5000)


def user(user_id: int = PATIENT_ID, first_name: str = "Pat") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}


def private_chat(user_id: int = PATIENT_ID) -> dict[str, Any]:
    return {"id": user_id, "type": "private", "first_name": "Pat"}


def group_chat(chat_id: int = GROUP_ID) -> dict[str, Any]:
    return {"id": chat_id, "type": "supergroup", "title": "Clinic group"}


def message(
    text: str | None = None,
    *,
    from_id: int = PATIENT_ID,
    chat: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    reply_to: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A message dict; `text=None` with `extra` (sticker=..., photo=...) for non-text ones."""
    data: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat or private_chat(from_id),
        "from": user(from_id),
    }
    if text is not None:
        data["text"] = text
    if entities:
        data["entities"] = entities
    if reply_to is not None:
        data["reply_to_message"] = reply_to
    data.update(extra)
    return data


def message_update(text: str | None = None, **kwargs: Any) -> dict[str, Any]:
    return {"update_id": next(_update_ids), "message": message(text, **kwargs)}


def command_update(text: str, **kwargs: Any) -> dict[str, Any]:
    """A command message, with the bot_command entity Telegram adds."""
    command = text.split()[0]
    entity = {"type": "bot_command", "offset": 0, "length": len(command)}
    return message_update(text, entities=[entity], **kwargs)


def mention_update(text_after: str, *, chat: dict[str, Any] | None = None) -> dict[str, Any]:
    """`@Bot <text>` in a group (by default)."""
    handle = f"@{BOT_USERNAME}"
    entity = {"type": "mention", "offset": 0, "length": len(handle)}
    return message_update(
        f"{handle} {text_after}", chat=chat or group_chat(), entities=[entity]
    )


def bot_message(
    text: str = "Earlier answer", chat: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A message the bot sent (to reply to, or to carry buttons)."""
    return {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat or private_chat(),
        "from": BOT_USER,
        "text": text,
    }


def callback_update(
    data: str, *, from_id: int = PATIENT_ID, message: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": str(next(_update_ids)),
            "from": user(from_id),
            "chat_instance": "ci-1",
            "data": data,
            "message": message or bot_message(chat=private_chat(from_id)),
        },
    }


def inline_update(query: str, *, from_id: int = PATIENT_ID) -> dict[str, Any]:
    return {
        "update_id": next(_update_ids),
        "inline_query": {
            "id": str(next(_update_ids)),
            "from": user(from_id),
            "query": query,
            "offset": "",
        },
    }


STICKER = {
    "file_id": "CAACAgIAAx0", "file_unique_id": "AgAD", "type": "regular",
    "width": 512, "height": 512, "is_animated": False, "is_video": False,
}
PHOTO = [{"file_id": "AgACAgIAAx0", "file_unique_id": "AQAD", "width": 90, "height": 90}]
VOICE = {"file_id": "AwACAgIAAx0", "file_unique_id": "AgAE", "duration": 3}
LOCATION = {"latitude": 51.5, "longitude": -0.12}


def to_update(data: dict[str, Any], bot: Bot) -> Update:
    update = Update.de_json(data, bot)
    assert update is not None
    return update


__all__ = [
    "ADMIN_ID", "BOT_ID", "GROUP_ID", "LOCATION", "PATIENT_ID", "PHOTO", "STICKER", "VOICE",
    "bot_message", "callback_update", "command_update", "group_chat", "inline_update",
    "mention_update", "message", "message_update", "private_chat", "to_update", "user",
]
