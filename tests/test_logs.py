"""The redacting filter: the token never reaches a log line, whatever carries it."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
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
