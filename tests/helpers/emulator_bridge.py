"""A test-only HTTPXRequest that papers over where telegram-test-api 4.2.1 differs from Telegram.

The bot talks real HTTP to the emulator through this class; the product code is unchanged. Each
patch below is one documented difference of the emulator (checked with python-telegram-bot 22.8):

- getMe has no `is_bot` (PTB's User requires it);
- sendMessage returns `date` in milliseconds (Telegram: seconds), and echoes the request's
  form fields, so objects such as `link_preview_options` come back as JSON strings;
- editMessageText / editMessageReplyMarkup / answerCallbackQuery return a null result
  (Telegram: the message, or true);
- callback queries have no `chat_instance` (required by PTB's CallbackQuery);
- user updates carry the emulator's own `botToken` field (Telegram never sends the token back);
- getUpdates returns at once instead of long-polling (we wait a little when it is empty, so
  the polling loop does not spin);
- setMyCommands, sendChatAction and answerInlineQuery are not implemented (HTTP 500): answered
  here with Telegram's `true` (inline mode is covered by the fast tests instead).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from telegram.request import HTTPXRequest, RequestData

UNSUPPORTED = frozenset({"setMyCommands", "deleteMyCommands", "sendChatAction",
                         "answerInlineQuery"})
ECHOED_OBJECTS = ("link_preview_options", "reply_parameters", "entities", "reply_markup")
EMPTY_POLL_WAIT = 0.1  # seconds; Telegram would hold the request open until an update arrives


class EmulatorBridge(HTTPXRequest):
    """HTTPXRequest with telegram-test-api's answers made to look like the Bot API's."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        if endpoint in UNSUPPORTED:
            return 200, b'{"ok": true, "result": true}'
        status, body = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout,
            pool_timeout,
        )
        if status != 200:
            return status, body
        payload = json.loads(body)
        result = payload.get("result")
        if endpoint == "getMe" and isinstance(result, dict):
            result.setdefault("is_bot", True)
        elif endpoint == "sendMessage" and isinstance(result, dict):
            if result.get("date", 0) > 10**11:
                result["date"] //= 1000
            for key in ECHOED_OBJECTS:
                if isinstance(result.get(key), str):
                    result[key] = json.loads(result[key])
        elif endpoint.startswith("edit") or endpoint == "answerCallbackQuery":
            if result is None:
                payload["result"] = True
        elif endpoint == "getUpdates" and isinstance(result, list):
            for update in result:
                _clean_update(update)
            if not result:
                await asyncio.sleep(EMPTY_POLL_WAIT)
        return status, json.dumps(payload).encode()


def _clean_update(update: dict[str, Any]) -> None:
    query = update.get("callback_query")
    if isinstance(query, dict):
        query.setdefault("chat_instance", f"emulator-{query.get('from', {}).get('id', 0)}")
        message = query.get("message")
        if isinstance(message, dict):
            message.pop("botToken", None)
    message = update.get("message")
    if isinstance(message, dict):
        message.pop("botToken", None)
