"""Logging for the running bot: one stderr handler, and secrets scrubbed from every line.

The bot token is part of every Bot API URL, and PTB's own `Bot` repr includes it, so a single
careless `%r` or an httpx request log would leak it. `RedactingFilter` is attached to every
handler (a filter on a logger would not see records propagated from child loggers) and rewrites
the message, the formatted traceback and the stack of each record before any handler writes it.
Handlers added later (by a library, or an operator's own logging set-up) have no filter, so the
same redaction also runs where every record is made: in the log record factory.

Question text is health data: the bot logs it only at DEBUG (see bot/handlers.py).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any, TextIO
from urllib.parse import quote

REDACTED = "[REDACTED]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFilter(logging.Filter):
    """Replaces every secret (and its URL-encoded form) in a record with [REDACTED]."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        variants = {variant for secret in secrets if secret for variant in _forms(secret)}
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = sorted(variants, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let the handler report it as usual
            return True
        redacted = self.redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        if record.exc_info and not record.exc_text:
            # Format the traceback now (as Formatter.format would) so its text can be scrubbed;
            # formatters use a pre-filled exc_text as is.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def _forms(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), quote(secret)}


def configure_logging(
    level: int, secrets: Iterable[str], stream: TextIO | None = None
) -> logging.Handler:
    """Log to `stream` (stderr by default) at `level`, with secrets redacted everywhere.

    Returns the handler it installed. Any handler already present on any logger gets the
    redacting filter too.
    """
    redactor = RedactingFilter(secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    for logger in [root, *_existing_loggers()]:
        for existing in logger.handlers:
            existing.addFilter(redactor)
    _RedactingFactory.install(redactor)
    # httpx logs every request URL at INFO, and the URL contains the token; httpcore is chattier.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return handler


class _RedactingFactory:
    """A log record factory that redacts each record as it is made, before any handler sees
    it. Installing it again replaces the redactor instead of stacking factories."""

    def __init__(self, base: Callable[..., logging.LogRecord], redactor: RedactingFilter) -> None:
        self.base = base
        self.redactor = redactor

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.base(*args, **kwargs)
        self.redactor.filter(record)
        return record

    @classmethod
    def install(cls, redactor: RedactingFilter) -> None:
        current = logging.getLogRecordFactory()
        base = current.base if isinstance(current, cls) else current
        logging.setLogRecordFactory(cls(base, redactor))


def _existing_loggers() -> list[logging.Logger]:
    return [
        logger for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
