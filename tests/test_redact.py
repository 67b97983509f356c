"""Redaction: contact details and identifiers go, the words of a health question stay."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.redact import MAX_STORED_CHARS, PLACEHOLDERS, redact


@pytest.mark.parametrize(
    "phone",
    [
        "+44 20 7946 0958",
        "+44 (0)20 7946 0958",
        "(555) 123-4567",
        "0151-496-0000",
        "+1-202-555-0143",
        "+1 (202) 555-0143",
        "555.123.4567",
        "07700 900123",
        "07700900123",
        "+49 30 1234567",
        "+33 1 23 45 67 89",
        "+91 98765 43210",
        "+81-3-1234-5678",
        "+61 2 9876 5432",
        "496 0000",
    ],
)
def test_phone_numbers_in_international_formats(phone: str) -> None:
    assert redact(f"call me on {phone} please") == "call me on [phone] please"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail jane.doe+massage@example.co.uk.", "mail [email]."),
        ("J_Smith@clinic-mail.org asked", "[email] asked"),
        ("see https://example.org/a?b=1.", "see [link]."),
        ("http://192.168.0.1/admin", "[link]"),
        ("(www.clinic.com)", "([link])"),
        ("visit myclinic.co.uk/book, ok", "visit [link], ok"),
        ("is painfree.health legit?", "is [link] legit?"),
        ("my profile t.me/janedoe", "my profile [link]"),
        ("ask @jane_doe too", "ask [username] too"),
        ("born 04/07/1985", "born [date]"),
        ("since 12.05.24 it hurts", "since [date] it hurts"),
        ("surgery on 2024-05-12", "surgery on [date]"),
        ("order 123456", "order [number]"),
        ("ref ABC1234567", "ref ABC[number]"),
        ("card 4111 1111 1111 1111", "card [number]"),
    ],
)
def test_what_is_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "3 times a week",
        "since 2019",
        "45 minutes",
        "C5-C6 disc bulge",
        "L4/L5 herniation",
        "bp 120/80",
        "2019-2024",
        "1998 - 2003",
        "10-15 minutes twice a day",
        "I am 45, 180cm and 75kg",
        "1.5-2.5 hours",
        "it costs £45.50?",
        "e.g. my back, i.e. the lower part",
        "my back hurts.my neck too",
        "St. John's wort and massage",
        "is 60 or 90 min better",
        "do you treat tennis elbow?",
    ],
)
def test_ordinary_text_is_kept(text: str) -> None:
    assert redact(text) == text


def test_several_details_in_one_message() -> None:
    text = "I'm Jo, jo@example.com or +44 7700 900123, see www.jo.dev. Pain 3 times a week"
    assert redact(text) == (
        "I'm Jo, [email] or [phone], see [link]. Pain 3 times a week"
    )


def test_whitespace_is_folded_and_long_text_cut() -> None:
    assert redact("  neck\n\tpain  ") == "neck pain"
    long = redact("pain " * 400)
    assert len(long) == MAX_STORED_CHARS
    assert long.endswith("\u2026")


@given(st.text())
def test_never_raises_and_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once
    assert len(once) <= MAX_STORED_CHARS


@given(
    st.text(alphabet="abc xyz.,-", max_size=20),
    st.from_regex(r"\+?[1-9][0-9]{6,14}", fullmatch=True),
    st.text(alphabet="abc xyz.,", max_size=20),
)
def test_no_long_digit_run_survives(before: str, digits: str, after: str) -> None:
    redacted = redact(f"{before} {digits} {after}")
    assert not re.search(r"\d{6,}", redacted)
    assert any(placeholder in redacted for placeholder in PLACEHOLDERS)
