"""Settings from the environment: the defaults, every variable, a clear error per bad value."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import DEFAULT_API_ROOT, ConfigError, Settings, Webhook, load_settings

TOKEN = "123456:ABC-def_ghi"


def settings(**env: str) -> Settings:
    return load_settings({"BOT_TOKEN": TOKEN, **env})


def error(**env: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    message = str(caught.value)
    assert "\n" not in message  # one line, for `faq-bot run` to print
    return message


def test_defaults() -> None:
    result = settings()
    assert result.token == TOKEN
    assert result.admin_ids == frozenset()
    assert result.faq_watch is True
    assert result.api_root == DEFAULT_API_ROOT
    assert result.base_url == "https://api.telegram.org/bot"
    assert result.base_file_url == "https://api.telegram.org/file/bot"
    assert result.log_level == logging.INFO
    assert result.webhook is None
    assert result.faq_path.name == "faq.yaml"
    assert result.db_path == Path("data") / "faqbot.sqlite3"
    assert result.retention_days == 90
    assert result.keep_questions is True
    assert result.staff_chat_id is None  # no hand-off
    assert result.handoff_retention_days == 7


def test_missing_token_names_the_variable() -> None:
    assert error().startswith("BOT_TOKEN is not set")
    assert error(BOT_TOKEN="   ").startswith("BOT_TOKEN is not set")


def test_malformed_token_is_refused_without_echoing_it() -> None:
    message = error(BOT_TOKEN="not a token")
    assert "BOT_TOKEN" in message
    assert "not a token" not in message


def test_the_token_never_appears_in_a_repr() -> None:
    result = settings(WEBHOOK_URL="https://example.org/hook", WEBHOOK_SECRET="s3cret-value")
    assert TOKEN not in repr(result)
    assert "s3cret-value" not in repr(result)
    assert result.secrets == (TOKEN, "s3cret-value")


def test_admin_ids() -> None:
    assert settings(ADMIN_IDS="12, 34,,56 ").admin_ids == frozenset({12, 34, 56})
    assert settings(ADMIN_IDS="").admin_ids == frozenset()
    assert settings(ADMIN_IDS="12").is_admin(12)
    assert not settings(ADMIN_IDS="12").is_admin(13)
    assert not settings(ADMIN_IDS="12").is_admin(None)


@pytest.mark.parametrize("raw", ["abc", "12,x", "-5", "1.5", "0"])
def test_bad_admin_ids(raw: str) -> None:
    assert error(BOT_TOKEN=TOKEN, ADMIN_IDS=raw).startswith("ADMIN_IDS:")


def test_faq_path(tmp_path: Path) -> None:
    assert settings(FAQ_PATH=str(tmp_path / "x.yaml")).faq_path == tmp_path / "x.yaml"


@pytest.mark.parametrize(("raw", "expected"), [
    ("true", True), ("1", True), ("YES", True), ("on", True),
    ("false", False), ("0", False), ("No", False), ("off", False), ("", True),
])
def test_faq_watch(raw: str, expected: bool) -> None:
    assert settings(FAQ_WATCH=raw).faq_watch is expected


def test_bad_faq_watch() -> None:
    assert error(BOT_TOKEN=TOKEN, FAQ_WATCH="sometimes").startswith("FAQ_WATCH:")


@pytest.mark.parametrize(("raw", "expected"), [("false", False), ("0", False), ("on", True)])
def test_keep_questions(raw: str, expected: bool) -> None:
    assert settings(KEEP_QUESTIONS=raw).keep_questions is expected


def test_bad_keep_questions() -> None:
    assert error(BOT_TOKEN=TOKEN, KEEP_QUESTIONS="maybe").startswith("KEEP_QUESTIONS:")


def test_api_root_for_a_self_hosted_server() -> None:
    result = settings(BOT_API_BASE_URL="http://127.0.0.1:8081/")
    assert result.api_root == "http://127.0.0.1:8081"
    assert result.base_url == "http://127.0.0.1:8081/bot"
    assert result.base_file_url == "http://127.0.0.1:8081/file/bot"


@pytest.mark.parametrize("raw", [
    "api.telegram.org", "ftp://x", "https://api.telegram.org/bot", f"https://x/bot{TOKEN}",
    "https://x?y=1",
])
def test_bad_api_root(raw: str) -> None:
    message = error(BOT_TOKEN=TOKEN, BOT_API_BASE_URL=raw)
    assert message.startswith("BOT_API_BASE_URL:")
    assert TOKEN not in message.replace(raw, "")


@pytest.mark.parametrize(("raw", "level"), [
    ("debug", logging.DEBUG), ("INFO", logging.INFO), ("Warning", logging.WARNING),
    ("ERROR", logging.ERROR), ("critical", logging.CRITICAL),
])
def test_log_level(raw: str, level: int) -> None:
    assert settings(LOG_LEVEL=raw).log_level == level


def test_bad_log_level() -> None:
    assert error(BOT_TOKEN=TOKEN, LOG_LEVEL="loud").startswith("LOG_LEVEL:")


def test_webhook() -> None:
    result = settings(
        WEBHOOK_URL="https://clinic.example/tg/hook", WEBHOOK_SECRET="abc_DEF-123",
        LISTEN="0.0.0.0", PORT="8080",
    )
    assert result.webhook == Webhook(
        url="https://clinic.example/tg/hook", secret="abc_DEF-123", listen="0.0.0.0", port=8080
    )
    assert result.webhook.url_path == "tg/hook"


def test_webhook_defaults_listen_locally() -> None:
    result = settings(WEBHOOK_URL="https://clinic.example/hook", WEBHOOK_SECRET="s")
    assert result.webhook is not None
    assert (result.webhook.listen, result.webhook.port) == ("127.0.0.1", 8443)


def test_webhook_needs_a_secret() -> None:
    message = error(BOT_TOKEN=TOKEN, WEBHOOK_URL="https://clinic.example/hook")
    assert message.startswith("WEBHOOK_SECRET is not set")


@pytest.mark.parametrize("secret", ["has space", "x" * 257, "semi;colon"])
def test_bad_webhook_secret(secret: str) -> None:
    message = error(BOT_TOKEN=TOKEN, WEBHOOK_URL="https://c.example/h", WEBHOOK_SECRET=secret)
    assert message.startswith("WEBHOOK_SECRET must be")
    assert secret not in message


def test_webhook_must_be_https_on_the_public_api() -> None:
    message = error(BOT_TOKEN=TOKEN, WEBHOOK_URL="http://c.example/h", WEBHOOK_SECRET="s")
    assert message.startswith("WEBHOOK_URL:")
    assert "https" in message


def test_a_self_hosted_api_allows_an_http_webhook() -> None:
    result = settings(
        BOT_API_BASE_URL="http://127.0.0.1:8081", WEBHOOK_URL="http://10.0.0.2/h",
        WEBHOOK_SECRET="s",
    )
    assert result.webhook is not None


@pytest.mark.parametrize("port", ["0", "70000", "http", "-1"])
def test_bad_port(port: str) -> None:
    message = error(
        BOT_TOKEN=TOKEN, WEBHOOK_URL="https://c.example/h", WEBHOOK_SECRET="s", PORT=port
    )
    assert message.startswith("PORT:")


def test_webhook_variables_are_ignored_without_a_url() -> None:
    assert settings(WEBHOOK_SECRET="s", PORT="nonsense").webhook is None


def test_db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings(DB_PATH=f" {tmp_path}/q.sqlite3 ").db_path == tmp_path / "q.sqlite3"
    monkeypatch.setenv("HOME", str(tmp_path))
    assert settings(DB_PATH="~/faq/q.sqlite3").db_path == tmp_path / "faq" / "q.sqlite3"
    assert settings(DB_PATH="").db_path == Path("data") / "faqbot.sqlite3"


@pytest.mark.parametrize(("raw", "days"), [("30", 30), (" 1 ", 1), ("", 90), ("36500", 36500)])
def test_retention_days(raw: str, days: int) -> None:
    assert settings(RETENTION_DAYS=raw).retention_days == days


@pytest.mark.parametrize("raw", ["0", "-5", "2.5", "ninety", "36501", "99999999999999"])
def test_bad_retention_days(raw: str) -> None:
    message = error(BOT_TOKEN=TOKEN, RETENTION_DAYS=raw)
    assert message.startswith("RETENTION_DAYS:")
    assert repr(raw) in message


@pytest.mark.parametrize(("raw", "chat_id"), [
    ("-1001234567890", -1001234567890), (" -42 ", -42), ("12345", 12345), ("", None),
])
def test_staff_chat_id(raw: str, chat_id: int | None) -> None:
    assert settings(STAFF_CHAT_ID=raw).staff_chat_id == chat_id


@pytest.mark.parametrize("raw", ["0", "-0", "staff", "-", "--5", "-12a", "1.5", "@clinicstaff",
                                 "\u0661\u0662"])
def test_bad_staff_chat_id(raw: str) -> None:
    message = error(BOT_TOKEN=TOKEN, STAFF_CHAT_ID=raw)
    assert message.startswith("STAFF_CHAT_ID:")
    assert repr(raw) in message


@pytest.mark.parametrize(("raw", "days"), [("30", 30), (" 1 ", 1), ("", 7)])
def test_handoff_retention_days(raw: str, days: int) -> None:
    assert settings(HANDOFF_RETENTION_DAYS=raw).handoff_retention_days == days


@pytest.mark.parametrize("raw", ["0", "-5", "a week", "36501"])
def test_bad_handoff_retention_days(raw: str) -> None:
    message = error(BOT_TOKEN=TOKEN, HANDOFF_RETENTION_DAYS=raw)
    assert message.startswith("HANDOFF_RETENTION_DAYS:")
    assert "like 7" in message
