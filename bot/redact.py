"""Removing contact details and identifiers from a question before it is stored.

Pure functions, no I/O. `redact(text)` replaces, in this order:

    emails                    -> [email]
    URLs and bare domains     -> [link]       (https://..., www.example.org, site.co.uk/x, t.me/x)
    @usernames                -> [username]
    full dates                -> [date]       (12/05/1984, 2024-05-12: birthdays identify people)
    phone numbers             -> [phone]      (7 to 15 digits, with +, spaces, dots, dashes, ( ))
    runs of 6 or more digits  -> [number]     (card, account, NHS or order numbers)

Ordinary text survives: "3 times a week", "since 2019", "45 minutes", "C5-C6", "120/80",
"2019-2024". When in doubt a pattern errs towards removing: a stored question is health data,
and a false [phone] costs the admin a little context while a real phone number would identify
the person who asked. Names and street addresses in free text cannot be found reliably by
patterns and are not attempted; the bot stores no question it answered, and never who asked.
"""

from __future__ import annotations

import re

EMAIL = "[email]"
LINK = "[link]"
USERNAME = "[username]"
DATE = "[date]"
PHONE = "[phone]"
NUMBER = "[number]"
PLACEHOLDERS = (EMAIL, LINK, USERNAME, DATE, PHONE, NUMBER)

# A stored question longer than this is cut: the admin needs the gist, not a life story.
MAX_STORED_CHARS = 500

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# Bare domains are recognised by their top-level domain. Two-letter ones that are also common
# words ("in", "it", "me", "my", "to", ...) are left out: "my back hurts.my neck too" is a typo,
# not a link. t.me links (Telegram profiles) are matched on their own.
_TLDS = (
    "com net org info biz edu gov int io co uk ca au nz ie de fr es nl ch se dk fi pl pt eu tv ly "
    "app dev ai health clinic online site shop xyz ru"
).split()
_URL = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"']+"
    r"|\bt\.me/[^\s<>\"']+"
    r"|\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:" + "|".join(_TLDS) + r")\b"
    r"(?:[/?#][^\s<>\"']*)?",
    re.IGNORECASE,
)
# Punctuation that ends a sentence rather than a URL ("see www.example.org.").
_URL_TRAILER = ".,;:!?)]}"

_USERNAME = re.compile(r"(?<![\w@.])@[A-Za-z][A-Za-z0-9_]{3,31}\b")

_DATE = re.compile(
    r"(?<![\d.\-/])(?:\d{1,2}([./-])\d{1,2}\1(?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2})(?![\d.\-/]?\d)"
)

# A phone candidate: an optional "+", then digits or "(digits)" with at most two separators
# (space, no-break space, dot, dash) between them. It never starts inside a word or a longer
# number, so "C5-C6" and "L4" are not candidates; whether it is a phone is decided by its digits.
_SEP = r"[ \u00a0.\-]{0,2}"
_UNIT = r"(?:\(\d{1,5}\)|\d)"
_PHONE = re.compile(rf"(?<![\w+])(?:\+{_SEP})?{_UNIT}(?:{_SEP}{_UNIT})*")
_PHONE_DIGITS = range(7, 16)  # E.164 allows at most 15 digits; local numbers have 7 or more
# "2019-2024", "1998 - 2003": a span of years, not a phone number.
_YEAR_SPAN = re.compile(r"^(?:1[89]|20)\d\d\s?[-\u2013]\s?(?:1[89]|20)\d\d$")

_DIGIT_RUN = re.compile(r"\d{6,}")


def redact(text: str) -> str:
    """`text` with contact details and long numbers replaced by placeholders, on one line,
    cut to MAX_STORED_CHARS."""
    text = " ".join(text.split())  # newlines and tabs would only make the admin's list ragged
    text = _EMAIL.sub(EMAIL, text)
    text = _URL.sub(_link, text)
    text = _USERNAME.sub(USERNAME, text)
    text = _DATE.sub(DATE, text)
    text = _PHONE.sub(_phone, text)
    text = _DIGIT_RUN.sub(NUMBER, text)
    if len(text) > MAX_STORED_CHARS:
        text = text[: MAX_STORED_CHARS - 1].rstrip() + "\u2026"
    return text


def _link(found: re.Match[str]) -> str:
    url = found.group(0)
    kept = url.rstrip(_URL_TRAILER)
    return LINK + url[len(kept):]


def _phone(found: re.Match[str]) -> str:
    candidate = found.group(0)
    digits = sum(char.isdigit() for char in candidate)
    if digits < _PHONE_DIGITS.start or _YEAR_SPAN.match(candidate):
        return candidate
    if digits in _PHONE_DIGITS:
        return PHONE
    return NUMBER  # longer than any phone number: a card or account number
