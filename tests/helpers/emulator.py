"""Driving the end-to-end tests: telegram-test-api in Node, the bot in its own process, and a
client that plays the people writing to the bot, all over real HTTP on 127.0.0.1.

The emulator's client API (not Telegram's): POST /sendMessage, /sendCommand, /sendCallback to
act as a user; POST /getUpdates {token, chatId} for the bot's unread messages in a chat;
POST /getUpdatesHistory {token} for everything, including edits.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "node_modules" / "telegram-test-api"
EMULATOR_JS = REPO / "tests" / "e2e" / "emulator.js"
BOT_PROCESS = REPO / "tests" / "e2e" / "bot_process.py"

TOKEN = "246810:E2E-emulator_token-secret"
SECOND_TOKEN = "135790:E2E-second_bot-token"  # a second bot process must not share updates
EMULATOR_BOT_ID = 666  # what the emulator's getMe says
EMULATOR_BOT_USERNAME = "TestNameBot"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Emulator:
    """telegram-test-api running in Node on 127.0.0.1, stopped with `close()`."""

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is not on PATH; the end-to-end tests need Node.js")
        port = free_port()
        self.process = subprocess.Popen(
            [node, str(EMULATOR_JS), str(port)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            cwd=REPO,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # "ready http://127.0.0.1:PORT"
        if not line.startswith("ready "):
            self.close()
            raise RuntimeError(f"telegram-test-api did not start: {line!r}")
        self.url = line.split()[1]
        self.http = httpx.Client(base_url=self.url, timeout=5)

    def close(self) -> None:
        if hasattr(self, "http"):
            self.http.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@dataclass
class BotMessage:
    """A message the bot sent, as the emulator stored it."""

    message_id: int
    chat_id: int
    text: str
    raw: dict[str, Any]

    @property
    def buttons(self) -> list[tuple[str, str]]:
        markup = self.raw.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [
            (button["text"], button.get("callback_data") or button.get("url", ""))
            for row in markup.get("inline_keyboard", []) for button in row
        ]

    @property
    def reply_to(self) -> int | None:
        params = self.raw.get("reply_parameters")
        if isinstance(params, str):
            params = json.loads(params)
        return int(params["message_id"]) if params else None


@dataclass
class Person:
    """Someone writing to the bot through the emulator, in one chat."""

    emulator: Emulator
    user_id: int
    chat: dict[str, Any] = field(default_factory=dict)
    first_name: str = "Pat"
    token: str = TOKEN  # which bot this person talks to

    def __post_init__(self) -> None:
        if not self.chat:
            self.chat = {"id": self.user_id, "type": "private", "first_name": self.first_name}

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"])

    def _user(self) -> dict[str, Any]:
        return {"id": self.user_id, "is_bot": False, "first_name": self.first_name}

    def _post(self, route: str, body: dict[str, Any]) -> None:
        response = self.emulator.http.post(route, json={"botToken": self.token, **body})
        response.raise_for_status()

    def says(self, text: str, **extra: Any) -> None:
        self._post("/sendMessage", {
            "from": self._user(), "chat": self.chat, "date": int(time.time()), "text": text,
            **extra,
        })

    def mentions_bot(self, text: str) -> None:
        handle = f"@{EMULATOR_BOT_USERNAME}"
        self.says(f"{handle} {text}",
                  entities=[{"type": "mention", "offset": 0, "length": len(handle)}])

    def command(self, text: str) -> None:
        length = len(text.split()[0])
        self._post("/sendCommand", {
            "from": self._user(), "chat": self.chat, "date": int(time.time()), "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": length}],
        })

    def sends_sticker(self) -> None:
        self._post("/sendMessage", {
            "from": self._user(), "chat": self.chat, "date": int(time.time()),
            "sticker": {"file_id": "CAAC", "file_unique_id": "AgAD", "type": "regular",
                        "width": 512, "height": 512, "is_animated": False, "is_video": False},
        })

    def presses(self, message: BotMessage, data: str) -> None:
        """Press an inline button on one of the bot's messages."""
        self._post("/sendCallback", {
            "from": self._user(),
            "date": int(time.time()),
            "data": data,
            "message": {
                "message_id": message.message_id,
                "date": int(time.time()),
                "chat": self.chat,
                "from": {"id": EMULATOR_BOT_ID, "is_bot": True, "first_name": "Bot",
                         "username": EMULATOR_BOT_USERNAME},
                "text": message.text,
            },
        })

    def receives(self, count: int = 1, timeout: float = 10.0) -> list[BotMessage]:
        """Wait for exactly `count` new messages from the bot in this chat."""
        received: list[BotMessage] = []
        deadline = time.monotonic() + timeout
        while len(received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"got {len(received)} of {count} bot messages: {received}")
            response = self.emulator.http.post(
                "/getUpdates", json={"token": self.token, "chatId": self.chat_id}
            )
            response.raise_for_status()
            for stored in response.json()["result"]:
                message = stored["message"]
                received.append(BotMessage(
                    message_id=int(stored["messageId"]),
                    chat_id=int(message["chat_id"]),
                    text=str(message.get("text", "")),
                    raw=message,
                ))
            time.sleep(0.05)
        assert len(received) == count, [m.text[:80] for m in received]
        return received

    def receives_one(self) -> BotMessage:
        (message,) = self.receives(1)
        return message

    def last_user_message_id(self) -> int:
        """The message id the emulator gave this person's latest message."""
        response = self.emulator.http.post("/getUpdatesHistory", json={"token": self.token})
        ids = [
            int(item["messageId"]) for item in response.json()["result"]
            if "message" in item and isinstance(item["message"].get("chat"), dict)
            and item["message"]["chat"].get("id") == self.chat_id
            and "from" in item["message"] and item["message"]["from"]["id"] == self.user_id
        ]
        return ids[-1]

    def current_text(self, message: BotMessage) -> str:
        """The text of one of the bot's messages now, after any edits."""
        response = self.emulator.http.post("/getUpdatesHistory", json={"token": self.token})
        for item in response.json()["result"]:
            stored = item.get("message") or {}
            if item.get("messageId") == message.message_id and "chat_id" in stored:
                return str(item["message"]["text"])
        raise AssertionError(f"message {message.message_id} not in the emulator's history")


class BotProcess:
    """`run_bot(os.environ)` in its own Python process, logging to a file."""

    def __init__(
        self, emulator: Emulator, faq_path: Path, log_path: Path, token: str = TOKEN, **env: str
    ) -> None:
        self.log_path = log_path
        self.token = token
        self._log: IO[str] = log_path.open("w", encoding="utf-8")
        environment = {
            **os.environ,
            "BOT_TOKEN": token,
            "BOT_API_BASE_URL": emulator.url,
            "FAQ_PATH": str(faq_path),
            "LOG_LEVEL": "DEBUG",
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
            **env,
        }
        for name in ("WEBHOOK_URL", "WEBHOOK_SECRET"):
            environment.pop(name, None)
        self.process = subprocess.Popen(
            [sys.executable, str(BOT_PROCESS)], env=environment, cwd=faq_path.parent,
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
        )
        self.wait_for_log("is ready")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def wait_for_log(self, text: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if self.process.poll() is not None:
                raise AssertionError(f"the bot exited ({self.process.returncode}):\n{self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not logged in {timeout}s:\n{self.log()}")
            time.sleep(0.05)

    def signal(self, number: signal.Signals) -> None:
        self.process.send_signal(number)

    def stop(self) -> int:
        """SIGTERM, as a service manager would; the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode
