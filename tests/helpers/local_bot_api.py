"""A Bot API over real HTTP on 127.0.0.1, in a thread: for running `faq-bot run` as a process.

It answers like tests/helpers/fake_telegram.py (same results, same message ids), long-polls
getUpdates for real, and lets a test fail getMe with a 5xx a few times, or run a hook when a
method is called (to send the bot a signal at a precise moment) before answering. Every call is
recorded with the time it arrived, and the highest getUpdates offset tells which updates the bot
has confirmed as handled.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from helpers.fake_telegram import FakeTelegram


@dataclass
class HttpCall:
    method: str
    params: dict[str, Any]
    at: float  # time.monotonic() when it arrived


Hook = Callable[[str, dict[str, Any]], None]


class LocalBotApi:
    """Serves `http://127.0.0.1:PORT/bot<token>/<method>` until `close()`."""

    def __init__(self) -> None:
        self.fake = FakeTelegram(record=False)
        self.calls: list[HttpCall] = []
        self.messages: list[dict[str, Any]] = []  # every message sendMessage created, in order
        self.updates: list[dict[str, Any]] = []
        self.confirmed_offset = 0  # the highest getUpdates offset seen
        # As Telegram: an update below the highest offset seen is gone for good (a new process
        # never gets it), and getUpdates returns at most `limit` updates. Off by default.
        self.honour_offsets = False
        self.sent_at: list[float] = []  # time.monotonic() each of `messages` was created
        self.fail_get_me = 0  # answer this many getMe calls with 502 Bad Gateway
        self.hooks: dict[str, Hook] = {}  # method -> run before answering it
        self._changed = threading.Condition()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                method = self.path.rsplit("/", 1)[-1]
                params = _decode(self.headers.get("Content-Type", ""), body)
                status, answer = api.answer(method, params)
                payload = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the bot gave up on a long poll while stopping: as with Telegram

            do_GET = do_POST

            def log_message(self, *args: Any) -> None:
                pass  # quiet: the test reads self.calls

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    # -- what the bot sees ------------------------------------------------------------------

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._changed:
            self.calls.append(HttpCall(method, params, time.monotonic()))
            self._changed.notify_all()
        hook = self.hooks.get(method)
        if hook is not None:
            hook(method, params)
        if method == "getMe" and self.fail_get_me > 0:
            self.fail_get_me -= 1
            return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        result = self.fake.result_for(method, params)
        if result is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        if method == "sendMessage":
            with self._changed:
                self.messages.append(result)
                self.sent_at.append(time.monotonic())
                self._changed.notify_all()
        return 200, {"ok": True, "result": result}

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 1.0)  # short polls keep tests quick
        deadline = time.monotonic() + timeout
        with self._changed:
            self.confirmed_offset = max(self.confirmed_offset, offset)
            if self.honour_offsets:
                offset = self.confirmed_offset
            while True:
                ready = [u for u in self.updates if u["update_id"] >= offset]
                if self.honour_offsets:
                    ready = ready[:int(params.get("limit") or 100)]
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0:
                    return ready
                self._changed.wait(remaining)

    # -- test controls ----------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> None:
        with self._changed:
            self.updates.append(update)
            self._changed.notify_all()

    def called(self, method: str) -> list[HttpCall]:
        with self._changed:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, timeout: float = 10.0) -> HttpCall:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [call for call in self.calls if call.method == method]
                if found:
                    return found[0]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no {method} call within {timeout}s")
                self._changed.wait(remaining)

    def wait_for_message(
        self, chat_id: int, count: int = 1, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """The first `count` messages sent to `chat_id` (as returned to the bot), once there."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [m for m in self.messages if m["chat"]["id"] == chat_id]
                if len(found) >= count:
                    return found[:count]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{len(found)} of {count} messages to {chat_id}")
                self._changed.wait(remaining)

    def offsets(self) -> list[tuple[float, int]]:
        """(time, offset) of every getUpdates that confirmed something, in order."""
        return [(call.at, int(call.params["offset"])) for call in self.called("getUpdates")
                if call.params.get("offset")]

    def answer_times(self) -> dict[int, list[float]]:
        """Chat id -> when each message to it was created, in order."""
        with self._changed:
            times: dict[int, list[float]] = {}
            for message, at in zip(self.messages, self.sent_at, strict=True):
                times.setdefault(message["chat"]["id"], []).append(at)
            return times

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Server(ThreadingHTTPServer):
    # A bot answering many chats at once opens ~100 connections together: with the standard
    # library's listen backlog of 5 some were reset (httpx.ReadError), which Telegram never does.
    request_queue_size = 1024


def _decode(content_type: str, body: bytes) -> dict[str, Any]:
    """PTB's HTTPXRequest sends form fields (multipart when files are attached); values that
    are objects or lists are JSON-encoded strings, as Telegram reads them."""
    if content_type.startswith("multipart/"):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        fields = {
            str(part.get_param("name", header="content-disposition")):
                part.get_payload(decode=True).decode()
            for part in message.iter_parts()
        }
    elif content_type.startswith("application/json"):
        return dict(json.loads(body or b"{}"))
    else:
        fields = dict(parse_qsl(body.decode()))
    params: dict[str, Any] = {}
    for name, value in fields.items():
        try:
            params[name] = json.loads(value)
        except ValueError:
            params[name] = value
    return params
