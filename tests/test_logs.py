"""The redacting filter: the token never reaches a log line, whatever carries it."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from telegram import Bot

from bot.logs import REDACTED, RedactingFilter, configure_logging

TOKEN = "123456:ABC-def_GHI-secret"


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = configure_logging(logging.DEBUG, [TOKEN, "hook-secret"], stream)
    yield stream
    logging.getLogger().removeHandler(handler)
    logging.getLogger().setLevel(logging.WARNING)


def test_message_and_arguments_are_redacted(output: io.StringIO) -> None:
    log = logging.getLogger("test.redaction")
    log.info("POST https://api.telegram.org/bot%s/getMe", TOKEN)
    log.warning(f"plain {TOKEN} and url-encoded {quote(TOKEN, safe='')}")
    log.error("webhook secret %s", "hook-secret")
    text = output.getvalue()
    assert TOKEN not in text
    assert quote(TOKEN, safe="") not in text
    assert "hook-secret" not in text
    assert text.count(REDACTED) == 4


def test_ptb_bot_repr_is_redacted(output: io.StringIO) -> None:
    bot = Bot(TOKEN)
    assert TOKEN in repr(bot)  # PTB's own repr carries the token...
    logging.getLogger("test.redaction").info("using %r", bot)
    assert TOKEN not in output.getvalue()  # ...the log line does not


def test_tracebacks_are_redacted(output: io.StringIO) -> None:
    try:
        raise RuntimeError(f"request to /bot{TOKEN}/sendMessage failed")
    except RuntimeError:
        logging.getLogger("test.redaction").exception("boom")
    text = output.getvalue()
    assert "Traceback" in text
    assert "RuntimeError" in text
    assert TOKEN not in text


def test_stack_info_is_redacted(output: io.StringIO) -> None:
    token_in_a_local_frame = TOKEN  # noqa: F841 - stack_info shows source lines, not locals
    logging.getLogger("test.redaction").info("where %s", TOKEN, stack_info=True)
    assert TOKEN not in output.getvalue()


def test_httpx_request_logs_are_silenced_and_would_be_redacted(output: io.StringIO) -> None:
    httpx_log = logging.getLogger("httpx")
    assert httpx_log.getEffectiveLevel() == logging.WARNING
    httpx_log.info("HTTP Request: POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
    assert output.getvalue() == ""
    httpx_log.warning("HTTP Request: POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
    assert REDACTED in output.getvalue()
    assert TOKEN not in output.getvalue()


def test_handlers_that_already_exist_get_the_filter_too() -> None:
    early = io.StringIO()
    existing = logging.StreamHandler(early)
    named = logging.getLogger("test.existing")
    named.addHandler(existing)
    named.propagate = False
    handler = configure_logging(logging.INFO, [TOKEN], io.StringIO())
    try:
        named.warning("token %s", TOKEN)
        assert any(isinstance(f, RedactingFilter) for f in existing.filters)
        assert TOKEN not in early.getvalue()
    finally:
        named.removeHandler(existing)
        logging.getLogger().removeHandler(handler)


def test_records_without_secrets_are_untouched() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "value %d", (5,), None)
    assert RedactingFilter([TOKEN]).filter(record)
    assert (record.msg, record.args) == ("value %d", (5,))


def test_a_broken_format_string_is_left_for_the_handler() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "value %d", ("text",), None)
    assert RedactingFilter([TOKEN]).filter(record)


class Collect(logging.Handler):
    """A handler added after configure_logging, with no filter of its own."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_handlers_added_later_never_see_the_token(output: io.StringIO) -> None:
    late = Collect()
    root, named = logging.getLogger(), logging.getLogger("test.late")
    root.addHandler(late)
    named.addHandler(late)
    named.propagate = False
    try:
        named.debug("GET /bot%s/getMe", TOKEN)
        root.info("%r", Bot(TOKEN))
        try:
            raise RuntimeError(f"/bot{TOKEN}/x")
        except RuntimeError:
            named.exception("failed")
        text = "\n".join(late.lines)
        assert text.count(REDACTED) >= 3
        assert TOKEN not in text
    finally:
        root.removeHandler(late)
        named.removeHandler(late)


async def test_real_http_requests_at_debug_never_log_the_token(output: io.StringIO) -> None:
    """PTB, httpx and httpcore at DEBUG (an operator turning everything up), real requests to a
    local Bot API, and a handler added afterwards: the URLs are logged, the token is not."""
    from helpers.local_bot_api import LocalBotApi
    from telegram.error import NetworkError

    late = Collect()
    logging.getLogger().addHandler(late)
    chatty = [logging.getLogger(name) for name in ("httpx", "httpcore", "telegram")]
    levels = [logger.level for logger in chatty]
    for logger in chatty:
        logger.setLevel(logging.DEBUG)
    api = LocalBotApi()
    try:
        async with Bot(TOKEN, base_url=f"{api.url}/bot") as bot:
            await bot.send_message(4242, "hello")
        api.fail_get_me = 1
        with pytest.raises(NetworkError):  # and once more, for a failing request's log lines
            async with Bot(TOKEN, base_url=f"{api.url}/bot"):
                pass
    finally:
        api.close()
        logging.getLogger().removeHandler(late)
        for logger, level in zip(chatty, levels, strict=True):
            logger.setLevel(level)
    text = "\n".join(late.lines) + output.getvalue()
    assert "HTTP Request: POST" in text  # httpx did log the request URLs...
    assert f"/bot{REDACTED}/sendMessage" in text
    assert TOKEN not in text  # ...never with the token
    assert quote(TOKEN, safe="") not in text
    assert TOKEN.split(":")[1] not in text


async def test_what_people_write_is_logged_only_at_debug(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Questions are health data: through every kind of update, and a failing send, the text
    reaches DEBUG lines only (where it helps an operator who asked for it)."""
    from helpers.factories import callback_update, command_update, inline_update, message_update
    from helpers.harness import copy_faq, running_bot

    secret = "my sciatica after the car crash zqxj"
    caplog.set_level(logging.DEBUG)
    async with running_bot(copy_faq(tmp_path)) as bot:
        await bot.send(message_update(secret))
        await bot.send(inline_update(secret))
        await bot.send(command_update(f"/start {secret}"))
        await bot.send(command_update(f"/nosuchcommand {secret}"))
        await bot.send(callback_update(f"a:{secret}"[:64]))
        bot.fake.fail_next("sendMessage", 400, "Bad Request: can't parse entities")
        await bot.send(message_update(secret))
        bot.fake.fail_next("sendMessage", 502, "Bad Gateway")
        await bot.send(message_update(secret))
    assert any("zqxj" in record.getMessage() for record in caplog.records)  # DEBUG has it
    above_debug = [
        record for record in caplog.records
        if record.levelno > logging.DEBUG
        and ("zqxj" in record.getMessage() or "zqxj" in (record.exc_text or ""))
    ]
    assert above_debug == []
