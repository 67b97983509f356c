"""Webhook mode: a small HTTP server (tornado, which PTB's webhooks extra installs) that Telegram
POSTs updates to, feeding them to the application the way long polling does (bot.intake).

Replaces PTB's webhook server, which read any body whole (50 MB) before it even looked at the
secret, compared the secret with `!=` and logged a wrong one word for word at DEBUG, and
handled a replayed update again each time. Here, before a byte of the body is read:

- the secret header must match, compared in constant time (`hmac.compare_digest`); neither
  the expected nor the offered secret is ever logged;
- the body must be JSON and at most MAX_BODY bytes: a Content-Length above it is 413, none at
  all (and not chunked) is 411; a chunked body is cut off at MAX_BODY by the server.

A refused request gets its answer and the connection is closed: its body is never read.

An update is answered 200 once it has been handled (not on arrival, as PTB did): Telegram keeps
sending an update until it gets a 2xx, so one not finished by a stop (answered 503) comes
again to the next process: the same at-least-once as polling. An update_id already handled
is answered 200 at once and not handled again; one still in hand waits for that handling.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Bot, Update
from telegram.ext import ExtBot
from tornado.httpserver import HTTPServer
from tornado.httputil import HTTPHeaders

from bot.intake import Intake

logger = logging.getLogger(__name__)

# The largest body accepted. Telegram's updates are a few KB (a 4,096-character message with its
# entities and a reply is under 40 KB; media come as file ids, never inline): 1 MiB is far above
# any real update and far below what could hurt the machine.
MAX_BODY = 1 << 20
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's default number of parallel deliveries (as PTB sets it).
MAX_CONNECTIONS = 40
# A body that has not arrived within this many seconds is given up (a slow sender must not
# hold a connection for long).
BODY_TIMEOUT = 10.0
# At the close: how long answers still being written get before the connections are closed.
CLOSE_WAIT = 1.0


class WebhookError(Exception):
    """The server could not listen where the settings say (one line for the log)."""


class WebhookFeed:
    """The webhook as a bot.lifecycle Feed: registers `url` with Telegram, listens on
    `listen`:`port` for POSTs to `url_path`, and hands each update to `intake`."""

    def __init__(
        self,
        bot: Bot,
        intake: Intake,
        *,
        listen: str,
        port: int,
        url_path: str,
        url: str,
        secret: str,
        allowed_updates: Sequence[str] | None,
        max_body: int = MAX_BODY,
    ) -> None:
        self.bot = bot
        self.intake = intake
        self.listen = listen
        self.port = port
        self.url_path = "/" + url_path.strip("/")
        self.url = url
        self.secret = secret
        self.allowed_updates = list(allowed_updates) if allowed_updates is not None else None
        self.max_body = max_body
        self.accepting = False
        self.in_flight = 0  # requests being answered
        self._answered = asyncio.Event()  # set whenever in_flight drops to 0
        self._server: HTTPServer | None = None

    async def register(self) -> None:
        await self.bot.set_webhook(
            url=self.url, allowed_updates=self.allowed_updates, secret_token=self.secret,
            max_connections=MAX_CONNECTIONS,
        )

    async def run(self, stopping: asyncio.Event) -> None:
        """Listen until `stopping` is set; then accept no more connections or updates."""
        self._server = self.server()
        try:
            self._server.listen(self.port, address=self.listen)
        except OSError as exc:
            raise WebhookError(
                f"Cannot listen on {self.listen}:{self.port} for the webhook: "
                f"{exc.strerror or exc}"
            ) from exc
        self.accepting = True
        logger.debug("Webhook server listening on %s:%d", self.listen, self.port)
        try:
            await stopping.wait()
        finally:
            self.accepting = False
            self._server.stop()  # no new connections; open ones are answered 503

    async def close(self) -> None:
        """Once the updates in hand are finished or abandoned: let their answers go out, then
        close every connection."""
        if self._server is None:
            return
        if self.in_flight:
            self._answered.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._answered.wait(), CLOSE_WAIT)
        await self._server.close_all_connections()
        self._server = None

    def done_answering(self) -> None:
        self.in_flight -= 1
        if not self.in_flight:
            self._answered.set()

    def server(self) -> HTTPServer:
        """The tornado server, not yet listening (tests use it on a socket of their own)."""
        route = re.escape(self.url_path.rstrip("/")) + "/?"
        app = tornado.web.Application([(route, _UpdateHandler, {"feed": self})])
        app.log_request = _no_access_log  # type: ignore[method-assign]
        return HTTPServer(
            app, max_body_size=self.max_body, body_timeout=BODY_TIMEOUT,
            idle_connection_timeout=60,
        )

    def refusal(self, headers: HTTPHeaders) -> tuple[HTTPStatus, str] | None:
        """Why a request with these headers is refused, before its body is read; None if not."""
        offered = headers.get(SECRET_HEADER, "")
        # Constant time, on bytes (compare_digest refuses non-ASCII str).
        if not hmac.compare_digest(offered.encode(), self.secret.encode()):
            return HTTPStatus.FORBIDDEN, "missing or wrong secret"
        if not self.accepting:
            return HTTPStatus.SERVICE_UNAVAILABLE, "stopping"
        media_type = headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            return HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "not JSON"
        length = headers.get("Content-Length")
        if length is None:
            if "chunked" in headers.get("Transfer-Encoding", "").lower():
                return None  # cut off at max_body by the server as it is read
            return HTTPStatus.LENGTH_REQUIRED, "no Content-Length"
        if not length.strip().isdigit():
            return HTTPStatus.BAD_REQUEST, "bad Content-Length"
        if int(length) > self.max_body:
            return HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body of {int(length)} bytes"
        return None

    async def deliver(self, body: bytes) -> HTTPStatus:
        """Handle one update's body; the status to answer Telegram with."""
        try:
            data = json.loads(body)
            update = Update.de_json(data, self.bot) if isinstance(data, dict) else None
        except Exception:  # not an update: nothing Telegram would send
            update = None
        if update is None:
            logger.debug("Webhook request refused (400): not an update")
            return HTTPStatus.BAD_REQUEST
        if isinstance(self.bot, ExtBot):  # PTB's arbitrary callback data, when enabled
            self.bot.insert_callback_data(update)
        already = self.intake.seen(update.update_id)
        task = self.intake.offer(update)
        if task is None:  # handled before (a replay), or the stop began
            return HTTPStatus.OK if already else HTTPStatus.SERVICE_UNAVAILABLE
        logger.debug("Webhook update %d received", update.update_id)
        await asyncio.wait({task})
        # Abandoned at a stop: not a 2xx, so Telegram sends it again (to the next process).
        return HTTPStatus.SERVICE_UNAVAILABLE if task.cancelled() else HTTPStatus.OK


def _no_access_log(handler: tornado.web.RequestHandler) -> None:
    """Tornado's access log line per request: not wanted (our own lines say what matters)."""


@tornado.web.stream_request_body
class _UpdateHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, feed: WebhookFeed) -> None:
        self.feed = feed
        self.body = bytearray()

    async def prepare(self) -> None:
        # With stream_request_body this runs once the headers are in, before the body.
        refused = self.feed.refusal(self.request.headers)
        if refused is not None:
            status, why = refused
            logger.debug("Webhook request refused (%d): %s", status, why)
            self.set_status(status)
            self.set_header("Connection", "close")
            # Finished before the body is read, tornado closes the connection once the answer
            # is out instead of reading the body (a client still sending it may see a reset).
            await self.finish()

    def data_received(self, chunk: bytes) -> None:
        self.body += chunk

    async def post(self) -> None:
        self.feed.in_flight += 1
        try:
            status = await self.feed.deliver(bytes(self.body))
            self.set_status(status)
            self.finish()
        finally:
            self.feed.done_answering()

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        """One line, never the request (its headers hold the secret)."""
        logger.debug("Webhook request failed: %s", value)
