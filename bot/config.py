"""The bot's settings: read from the environment once, at start-up, into a frozen dataclass.

Nothing here runs at import time. `load_settings(env)` is called by `run_bot` with the process
environment (tests pass a plain dict), and every bad value is reported as a `ConfigError` whose
message names the variable and says what is expected, so `faq-bot run` can print one line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.faq import resolve_faq_path

DEFAULT_DB_PATH = Path("data") / "faqbot.sqlite3"
DEFAULT_RETENTION_DAYS = 90
# How long the link between a question handed to the practice's team and the person's chat is
# kept when nobody replies.
DEFAULT_HANDOFF_RETENTION_DAYS = 7
# A century: more is surely a typo, and dates that far back do not exist in Python.
MAX_RETENTION_DAYS = 36500
DEFAULT_API_ROOT = "https://api.telegram.org"
DEFAULT_LISTEN = "127.0.0.1"
DEFAULT_PORT = 8443

# The shape of every token BotFather issues: the bot's numeric id, a colon, a secret.
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
# What Telegram accepts as a webhook secret (it comes back in X-Telegram-Bot-Api-Secret-Token).
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(ValueError):
    """A missing or malformed setting; the message is one line naming the variable."""


@dataclass(frozen=True)
class Webhook:
    """Webhook mode: Telegram POSTs updates to `url`; the bot listens on `listen`:`port`."""

    url: str
    secret: str = field(repr=False)
    listen: str = DEFAULT_LISTEN
    port: int = DEFAULT_PORT

    @property
    def url_path(self) -> str:
        """The path the local server answers on: the public URL's path, so a proxy can pass
        requests through unchanged."""
        return urlsplit(self.url).path.lstrip("/")


@dataclass(frozen=True)
class Settings:
    """Everything the running bot needs to know, validated."""

    token: str = field(repr=False)  # never in a repr, so never in a log line by accident
    faq_path: Path
    admin_ids: frozenset[int] = frozenset()
    faq_watch: bool = True
    api_root: str = DEFAULT_API_ROOT
    log_level: int = logging.INFO
    webhook: Webhook | None = None
    # The question store (what the bot could not answer) and how many days it keeps anything.
    db_path: Path = DEFAULT_DB_PATH
    retention_days: int = DEFAULT_RETENTION_DAYS
    # Whether the text of questions the bot could not answer is kept for /unanswered; off, only
    # the daily counts are stored (a practice may not want any question text on disk).
    keep_questions: bool = True
    # The practice's staff chat (a Telegram group) that questions are handed to, or None: no
    # hand-off. How many days a handed-off question's link to the person's chat is kept.
    staff_chat_id: int | None = None
    handoff_retention_days: int = DEFAULT_HANDOFF_RETENTION_DAYS
    # How often the watcher looks at the FAQ file; not an environment variable, tests lower it.
    watch_interval: float = 2.0
    # How often old records are purged (seconds; also once at start-up). Not an environment
    # variable: once a day is what RETENTION_DAYS promises.
    purge_interval: float = 24 * 60 * 60.0

    @property
    def base_url(self) -> str:
        """What PTB puts before the token: `{root}/bot` + token + `/{method}`."""
        return f"{self.api_root}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.api_root}/file/bot"

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never reach a log line."""
        return (self.token, self.webhook.secret) if self.webhook else (self.token,)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_ids


def load_settings(env: Mapping[str, str]) -> Settings:
    """Validate the environment and build Settings; raise ConfigError on the first bad value."""
    token = env.get("BOT_TOKEN", "").strip()
    if not token:
        raise ConfigError("BOT_TOKEN is not set: put the token BotFather gave you in BOT_TOKEN")
    if not _TOKEN.match(token):
        raise ConfigError(
            "BOT_TOKEN does not look like a bot token (expected digits, a colon, then letters, "
            "digits, '_' or '-', like 123456:ABC-def)"
        )
    api_root = _api_root(env.get("BOT_API_BASE_URL", "").strip() or DEFAULT_API_ROOT)
    return Settings(
        token=token,
        faq_path=resolve_faq_path(None, env),
        admin_ids=_admin_ids(env.get("ADMIN_IDS", "")),
        faq_watch=_boolean("FAQ_WATCH", env.get("FAQ_WATCH", ""), default=True),
        api_root=api_root,
        log_level=_log_level(env.get("LOG_LEVEL", "")),
        webhook=_webhook(env, official_api=api_root == DEFAULT_API_ROOT),
        db_path=db_path(env),
        retention_days=_days("RETENTION_DAYS", env.get("RETENTION_DAYS", ""),
                             DEFAULT_RETENTION_DAYS),
        keep_questions=_boolean("KEEP_QUESTIONS", env.get("KEEP_QUESTIONS", ""), default=True),
        staff_chat_id=_chat_id("STAFF_CHAT_ID", env.get("STAFF_CHAT_ID", "")),
        handoff_retention_days=_days(
            "HANDOFF_RETENTION_DAYS", env.get("HANDOFF_RETENTION_DAYS", ""),
            DEFAULT_HANDOFF_RETENTION_DAYS,
        ),
    )


def db_path(env: Mapping[str, str]) -> Path:
    """DB_PATH, else ./data/faqbot.sqlite3 (relative to the working directory). Shared with
    `faq-bot unanswered` and `faq-bot stats`, which read the same file."""
    raw = env.get("DB_PATH", "").strip()
    return Path(raw).expanduser() if raw else DEFAULT_DB_PATH


def _days(name: str, raw: str, default: int) -> int:
    value = raw.strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_RETENTION_DAYS:
        raise ConfigError(
            f"{name}: {raw!r} is not a whole number of days from 1 to "
            f"{MAX_RETENTION_DAYS} (like {default})"
        )
    return int(value)


def _chat_id(name: str, raw: str) -> int | None:
    value = raw.strip()
    if not value:
        return None
    digits = value.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()) or int(digits) == 0:
        raise ConfigError(
            f"{name}: {raw!r} is not a numeric Telegram chat id (a group's id is negative, "
            "like -1001234567890)"
        )
    return int(value)


def _admin_ids(raw: str) -> frozenset[int]:
    ids = set()
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) == 0:
            raise ConfigError(
                f"ADMIN_IDS: {part!r} is not a numeric Telegram user id "
                "(expected comma-separated numbers, like 12345,67890)"
            )
        ids.add(int(part))
    return frozenset(ids)


def _boolean(name: str, raw: str, default: bool) -> bool:
    value = raw.strip().lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(
        f"{name}: {raw!r} is not true or false (use 1/0, true/false, yes/no, on/off)"
    )


def _log_level(raw: str) -> int:
    name = raw.strip().upper() or "INFO"
    if name not in _LEVELS:
        raise ConfigError(f"LOG_LEVEL: {raw!r} is not one of {', '.join(_LEVELS)}")
    return int(getattr(logging, name))


def _api_root(raw: str) -> str:
    root = raw.rstrip("/")
    parts = urlsplit(root)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"BOT_API_BASE_URL: {raw!r} is not an http(s) URL (expected something like "
            f"{DEFAULT_API_ROOT})"
        )
    if parts.query or parts.fragment:
        raise ConfigError(f"BOT_API_BASE_URL: {raw!r} must not have a query or fragment")
    if re.search(r"/bot[^/]*$", parts.path):
        raise ConfigError(
            f"BOT_API_BASE_URL: {raw!r} should be the root of the Bot API, without /bot or the "
            f"token (like {DEFAULT_API_ROOT}); the bot adds /bot<token>/<method> itself"
        )
    return root


def _webhook(env: Mapping[str, str], official_api: bool) -> Webhook | None:
    url = env.get("WEBHOOK_URL", "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    # The public Bot API only delivers to https; a self-hosted server (--local) also allows http.
    schemes = ("https",) if official_api else ("http", "https")
    if parts.scheme not in schemes or not parts.netloc:
        wanted = "an https URL" if official_api else "an http(s) URL"
        raise ConfigError(f"WEBHOOK_URL: {url!r} is not {wanted} (like https://example.org/bot)")
    secret = env.get("WEBHOOK_SECRET", "").strip()
    if not secret:
        raise ConfigError(
            "WEBHOOK_SECRET is not set: webhook mode needs a secret so forged updates are "
            "refused (1-256 characters: letters, digits, '_' and '-')"
        )
    if not _SECRET.match(secret):
        raise ConfigError(
            "WEBHOOK_SECRET must be 1-256 characters of letters, digits, '_' and '-'"
        )
    listen = env.get("LISTEN", "").strip() or DEFAULT_LISTEN
    raw_port = env.get("PORT", "").strip()
    port = DEFAULT_PORT
    if raw_port:
        if not raw_port.isdigit() or not 1 <= int(raw_port) <= 65535:
            raise ConfigError(f"PORT: {raw_port!r} is not a port number (1-65535)")
        port = int(raw_port)
    return Webhook(url=url, secret=secret, listen=listen, port=port)
