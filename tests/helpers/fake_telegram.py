"""An in-memory Bot API: a `telegram.request.BaseRequest` that answers like Telegram.

PTB's own test suite fakes the network at this layer, below `Bot`, so everything above it (the
real ExtBot, the rate limiter, Defaults, JSON encoding of keyboards, de_json of the results) runs
exactly as in production. Every call is recorded with its decoded parameters; `fail_next` queues
an error response (a 429 with retry_after, a 400, a 502...) for a method, and `break_next` an
exception from the HTTP layer (what httpx raises when the connection fails).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_ID = 7000001
BOT_USERNAME = "ClinicFaqBot"
TOKEN = f"{BOT_ID}:TEST-s3cret_token-value-abcdefghij"

BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Clinic FAQ",
    "username": BOT_USERNAME,
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}

# Methods whose real result is just `true`.
_TRUE_METHODS = {
    "answerCallbackQuery", "answerInlineQuery", "setMyCommands", "deleteMyCommands",
    "deleteWebhook", "setWebhook", "sendChatAction", "close", "logOut",
}


@dataclass
class Call:
    """One Bot API request: the method and its parameters, decoded as Telegram would see them."""

    method: str
    params: dict[str, Any]


class FakeTelegram(BaseRequest):
    """The Bot API, in memory. Pass one instance as both `request` and `get_updates_request`."""

    def __init__(self, record: bool = True) -> None:
        self.record = record
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []  # served by getUpdates, oldest first
        self.failures: dict[str, list[tuple[int, dict[str, Any]] | Exception]] = {}
        self.sent_count = 0
        # every message sendMessage created, in order (when recording)
        self.messages: list[dict[str, Any]] = []
        self._message_id = 100
        self._update_event: asyncio.Event | None = None

    # -- BaseRequest ------------------------------------------------------------------------

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float:
        return 5.0

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
        params = dict(request_data.parameters) if request_data is not None else {}
        if self.record:
            self.calls.append(Call(endpoint, params))
        queued = self.failures.get(endpoint)
        if queued:
            failure = queued.pop(0)
            if isinstance(failure, Exception):
                raise failure
            status, body = failure
            return status, json.dumps(body).encode()
        if endpoint == "getUpdates":
            result: Any = await self._get_updates(params)
        else:
            result = self.result_for(endpoint, params)
        if result is None:
            body = {"ok": False, "error_code": 404, "description": "Not Found"}
            return 404, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": result}).encode()

    # -- what Telegram would answer ---------------------------------------------------------

    def result_for(self, endpoint: str, params: dict[str, Any]) -> Any:
        if endpoint == "getMe":
            return BOT_USER
        if endpoint in _TRUE_METHODS:
            return True
        if endpoint == "sendMessage":
            self.sent_count += 1
            self._message_id += 1
            message = self._message(self._message_id, params)
            if self.record:
                self.messages.append(message)
            return message
        if endpoint in ("editMessageText", "editMessageReplyMarkup"):
            if "inline_message_id" in params:
                return True
            return self._message(int(params["message_id"]), params)
        return None

    def _message(self, message_id: int, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        chat: dict[str, Any] = {"id": chat_id, "type": "private", "first_name": "Pat"}
        if chat_id < 0:
            chat = {"id": chat_id, "type": "supergroup", "title": "Clinic group"}
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER,
            "text": params.get("text", ""),
        }
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        # A short long-poll: wait a little for updates, like Telegram's `timeout`, but briefly.
        if self._update_event is None:
            self._update_event = asyncio.Event()
        if not self.updates:
            self._update_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._update_event.wait(), timeout=0.05)
        offset = int(params.get("offset", 0) or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        served, self.updates = self.updates, []
        return served

    # -- test controls ----------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update (as Telegram's JSON) for the next getUpdates."""
        self.updates.append(update)
        if self._update_event is not None:
            self._update_event.set()

    def fail_next(self, endpoint: str, status: int, description: str, **extra: Any) -> None:
        """Make the next call to `endpoint` fail like Telegram does."""
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if extra:
            body["parameters"] = extra
        self.failures.setdefault(endpoint, []).append((status, body))

    def break_next(self, endpoint: str, error: Exception) -> None:
        """Make the next call to `endpoint` raise `error` below PTB, as a dropped connection
        does in HTTPXRequest (PTB turns it into a NetworkError)."""
        self.failures.setdefault(endpoint, []).append(error)

    def rate_limit_next(self, endpoint: str, retry_after: int = 1) -> None:
        self.fail_next(
            endpoint, 429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
        )

    # -- reading what the bot did -----------------------------------------------------------

    def called(self, endpoint: str) -> list[Call]:
        return [call for call in self.calls if call.method == endpoint]

    def sent(self) -> list[dict[str, Any]]:
        """Parameters of every sendMessage, in order."""
        return [call.params for call in self.called("sendMessage")]

    def texts(self) -> list[str]:
        return [str(params["text"]) for params in self.sent()]

    def html_texts(self) -> list[str]:
        """Every text the bot asked Telegram to show as HTML: messages sent, messages edited,
        and the messages inline results would post."""
        texts = []
        for call in self.calls:
            if call.method in ("sendMessage", "editMessageText"):
                assert call.params.get("parse_mode") == "HTML", call.params
                texts.append(str(call.params["text"]))
            elif call.method == "answerInlineQuery":
                for result in call.params["results"]:
                    content = result["input_message_content"]
                    assert content.get("parse_mode") == "HTML", content
                    texts.append(str(content["message_text"]))
        return texts

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        """The messages sendMessage created in one chat (as Telegram returned them), in order;
        unlike `calls`, kept by `clear`."""
        return [message for message in self.messages if message["chat"]["id"] == chat_id]

    def clear(self) -> None:
        self.calls.clear()


class StopWhenAnswered(FakeTelegram):
    """Sends SIGTERM to this process once the bot has sent `replies` messages: how tests stop
    `run_bot` the way a deployment does (PTB's runner turns the signal into a clean stop)."""

    def __init__(self, replies: int = 1) -> None:
        super().__init__()
        self.replies = replies
        self.answered = threading.Event()

    def result_for(self, endpoint: str, params: dict[str, Any]) -> Any:
        result = super().result_for(endpoint, params)
        if endpoint == "sendMessage" and self.sent_count >= self.replies:
            self.answered.set()
            os.kill(os.getpid(), signal.SIGTERM)
        return result


def buttons(params: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, callback data or url) of every inline button in a sent message's parameters."""
    markup = params.get("reply_markup")
    if markup is None:
        return []
    if isinstance(markup, str):
        markup = json.loads(markup)
    return [
        (button["text"], button.get("callback_data") or button.get("url", ""))
        for row in markup["inline_keyboard"] for button in row
    ]
