"""The webhook server (bot.webhook) on 127.0.0.1, with the real Application behind it over the
in-memory Bot API: bodies refused before they are read, the secret compared in constant time and
never logged, a replayed update answered once, and 200 only once an update is handled.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from helpers.factories import message_update
from helpers.fake_telegram import TOKEN, FakeTelegram
from helpers.harness import copy_faq

from bot.app import ALLOWED_UPDATES, BotApp, build_application
from bot.config import Settings
from bot.intake import Intake
from bot.live import LiveFaq
from bot.webhook import MAX_BODY, SECRET_HEADER, WebhookFeed

MINI_FAQ = Path(__file__).parent / "helpers" / "mini_faq.yaml"
SECRET = "the-Webhook_secret-42"
PATH = "/tg/hook"


@dataclass
class Hook:
    feed: WebhookFeed
    fake: FakeTelegram
    port: int
    stopping: asyncio.Event

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PATH}"


@pytest.fixture
async def hook(tmp_path: Path) -> AsyncIterator[Hook]:
    faq = copy_faq(tmp_path, MINI_FAQ)
    settings = Settings(token=TOKEN, faq_path=faq, faq_watch=False,
                        db_path=tmp_path / "faqbot.sqlite3")
    fake = FakeTelegram()
    application: BotApp = build_application(settings, LiveFaq.load(faq), request=fake,
                                            get_updates_request=fake)
    await application.initialize()
    await application.start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    intake = Intake(application)
    feed = WebhookFeed(application.bot, intake, listen="127.0.0.1", port=port,
                       url_path=PATH.lstrip("/"), url=f"https://clinic.example{PATH}",
                       secret=SECRET, allowed_updates=ALLOWED_UPDATES)
    stopping = asyncio.Event()
    running = asyncio.create_task(feed.run(stopping))
    await asyncio.sleep(0)  # it listens at once
    assert feed.accepting
    try:
        yield Hook(feed, fake, port, stopping)
    finally:
        stopping.set()
        await running
        await intake.finish(asyncio.get_running_loop().time() + 2)
        await feed.close()
        await application.stop()
        await application.shutdown()


def body_of(update: dict[str, object]) -> bytes:
    return json.dumps(update).encode()


def headers(secret: str = SECRET) -> dict[str, str]:
    return {"Content-Type": "application/json", SECRET_HEADER: secret}


async def raw_request(port: int, head: str, body: bytes = b"") -> tuple[bytes, bool]:
    """Send `head` and `body` over a bare connection; the response, and whether the server then
    closed the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head.encode() + body)
        await writer.drain()
        response = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        try:
            rest = await asyncio.wait_for(reader.read(65536), 2)
            closed = rest == b"" or reader.at_eof()
        except TimeoutError:
            closed = False
        return response, closed
    finally:
        writer.close()


def head(content_length: int | None, secret: str = SECRET, chunked: bool = False) -> str:
    lines = [f"POST {PATH} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
             f"{SECRET_HEADER}: {secret}"]
    if content_length is not None:
        lines.append(f"Content-Length: {content_length}")
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    return "\r\n".join(lines) + "\r\n\r\n"


async def test_an_update_is_answered_200_once_handled(hook: Hook) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(hook.url, content=body_of(message_update("sciatica")),
                                     headers=headers())
    assert response.status_code == 200
    # handled before the 200 (so an update cut off by a stop is not a 200: Telegram resends it)
    assert len(hook.fake.texts()) == 1


async def test_an_oversized_body_is_refused_without_being_read(hook: Hook) -> None:
    # 50 MB announced and not a byte of it sent: the answer comes at once (the server does not
    # wait for the body), and the connection is closed rather than the body read
    response, closed = await raw_request(hook.port, head(50_000_000))
    assert response.startswith(b"HTTP/1.1 413 ")
    assert closed
    assert hook.fake.called("sendMessage") == []


async def test_a_body_just_under_the_limit_is_read(hook: Hook) -> None:
    update = message_update("sciatica")
    update["padding"] = "x" * (MAX_BODY - len(body_of(update)) - 20)
    async with httpx.AsyncClient() as client:
        response = await client.post(hook.url, content=body_of(update), headers=headers())
    assert response.status_code == 200


async def test_a_body_without_a_length_is_refused(hook: Hook) -> None:
    response, closed = await raw_request(hook.port, head(None))
    assert response.startswith(b"HTTP/1.1 411 ")
    assert closed


async def test_an_oversized_chunked_body_is_cut_off(hook: Hook) -> None:
    chunk = b"x" * 65536
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(16))  # 1 MiB
    _, writer = await asyncio.open_connection("127.0.0.1", hook.port)
    sent = 0
    cut_off = False
    try:
        writer.write(head(None, chunked=True).encode())
        while sent < 256 * MAX_BODY:  # far more than any socket buffer holds
            writer.write(chunks)
            await writer.drain()
            sent += len(chunks)
    except OSError:  # the server stopped reading past the limit and closed the connection
        cut_off = True
    finally:
        writer.close()
    assert cut_off
    assert sent < 256 * MAX_BODY
    assert hook.fake.called("sendMessage") == []


@pytest.mark.parametrize("offered", ["", "wrong-secret-value", SECRET[:-1], SECRET + "x", "é"],
                         ids=["missing", "wrong", "prefix", "longer", "not-ascii"])
async def test_a_wrong_secret_is_refused_and_never_logged(
    hook: Hook, offered: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    update = message_update("sciatica")
    async with httpx.AsyncClient() as client:
        response = await client.post(
            hook.url, content=body_of(update),
            headers={"Content-Type": "application/json",
                     **({SECRET_HEADER: offered.encode("latin-1")} if offered else {})},
        )
    assert response.status_code == 403
    assert hook.fake.called("sendMessage") == []
    logged = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''}" for record in caplog.records
    )
    assert "secret" in logged  # it was logged that the secret was wrong...
    assert SECRET not in logged  # ...but not the secret expected
    if offered:
        assert offered not in logged  # ...nor the one offered


async def test_a_wrong_secret_with_a_huge_body_is_refused_before_reading(hook: Hook) -> None:
    response, closed = await raw_request(hook.port, head(50_000_000, secret="forged"), b"{")
    assert response.startswith(b"HTTP/1.1 403 ")
    assert closed


async def test_a_replayed_update_is_answered_once(hook: Hook) -> None:
    update = body_of(message_update("sciatica"))
    async with httpx.AsyncClient() as client:
        together = await asyncio.gather(*(
            client.post(hook.url, content=update, headers=headers()) for _ in range(3)
        ))
        later = await client.post(hook.url, content=update, headers=headers())
    assert [r.status_code for r in [*together, later]] == [200, 200, 200, 200]
    assert len(hook.fake.texts()) == 1


async def test_not_json_or_not_an_update_is_400(hook: Hook) -> None:
    async with httpx.AsyncClient() as client:
        garbage = await client.post(hook.url, content=b"{not json", headers=headers())
        listed = await client.post(hook.url, content=b"[1, 2]", headers=headers())
        wrong_type = await client.post(hook.url, content=b"{}", headers={
            **headers(), "Content-Type": "text/plain"})
    assert (garbage.status_code, listed.status_code, wrong_type.status_code) == (400, 400, 415)


async def test_after_the_stop_an_update_is_refused_so_telegram_sends_it_again(
    hook: Hook,
) -> None:
    hook.feed.accepting = False  # as once `stopping` is set, on a connection still open
    async with httpx.AsyncClient() as client:
        response = await client.post(hook.url, content=body_of(message_update("sciatica")),
                                     headers=headers())
    assert response.status_code == 503
    assert hook.fake.texts() == []


async def test_an_update_cut_off_by_the_stop_is_not_acknowledged(hook: Hook) -> None:
    """Not a 200: Telegram sends it again, to the next process (at least once, as polling)."""
    release = asyncio.Event()
    send = hook.fake.do_request

    async def held(url: str, *args: object, **kwargs: object) -> tuple[int, bytes]:
        if url.endswith("/sendMessage"):
            await release.wait()
        return await send(url, *args, **kwargs)  # type: ignore[arg-type]

    hook.fake.do_request = held  # type: ignore[method-assign]
    async with httpx.AsyncClient() as client:
        posted = asyncio.create_task(client.post(
            hook.url, content=body_of(message_update("sciatica")), headers=headers()))
        while hook.feed.intake.in_hand == 0:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        hook.stopping.set()
        loop = asyncio.get_running_loop()
        assert await hook.feed.intake.finish(loop.time() + 0.2) == (0, 1)
        response = await posted
    release.set()
    assert response.status_code == 503
