"""The practice's details (faq.yaml's `practice:`): validated with the line of each mistake, and
shown where a person needs a human: under a declined question, in /start, /help and /privacy,
in /contact (with URL buttons, through the real application) and in the terminal chat.

Without the section nothing changes: each reply is compared with the one the bot gave before.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_FAQ
from helpers.factories import command_update, message_update
from helpers.fake_telegram import BOT_USERNAME
from helpers.harness import Harness, copy_faq, running_bot
from helpers.telegram_html import check_message

from bot import cli, views
from bot.compound import Part, Parts, not_covered_lines
from bot.faq import (
    MAX_PRACTICE_BLOCK,
    PRACTICE_KEYS,
    Faq,
    FaqError,
    Practice,
    parse_faq,
)
from bot.matcher import Match, Matcher, Status
from bot.replies import (
    CONTACT_NOT_SET_UP,
    contact_line,
    render_html,
    render_plain,
    reply_blocks,
)

MINI_FAQ = Path(__file__).parent / "helpers" / "mini_faq.yaml"

# Made-up details, with characters Telegram HTML needs escaped in the name and hours.
PRACTICE = """\
practice:
  name: "Smith & Jones <Massage>"
  phone: "+44 (0)20 0000 0000"
  email: "reception@example.org"
  website: "https://www.example.org"
  booking_url: "https://www.example.org/book?from=bot&x=1"
  hours: |
    Monday to Friday: 9:00 to 18:00
    Saturday: 9:00 to 13:00 (<i>not</i> bank holidays)
  address: |
    1 Example Street
    Example Town
"""
CONTACT = (
    "Contact Smith & Jones <Massage>: phone +44 (0)20 0000 0000, email reception@example.org, "
    "or book at https://www.example.org/book?from=bot&x=1."
)


def with_section(text: str, section: str = PRACTICE) -> str:
    """A FAQ text with `section` added after its `version:` line."""
    head, marker, tail = text.partition("version: 1\n")
    assert marker, "the FAQ has no version line to put the section after"
    return f"{head}{marker}{section}{tail}"


def practice_of(section: str) -> Practice | None:
    return parse_faq(with_section(MINIMAL_FAQ, section), "faq.yaml").practice


def problems_of(section: str) -> list[str]:
    with pytest.raises(FaqError) as raised:
        parse_faq(with_section(MINIMAL_FAQ, section), "faq.yaml")
    return [str(problem) for problem in raised.value.problems]


def line_of(section: str, needle: str) -> int:
    """The line of faq.yaml (the section after MINIMAL_FAQ's `version` line) holding `needle`."""
    offset = MINIMAL_FAQ.partition("version: 1\n")[0].count("\n") + 1
    lines = section.splitlines()
    return offset + next(n for n, line in enumerate(lines, start=1) if needle in line)


# -- the loader -----------------------------------------------------------------------------


def test_the_details_are_read_and_multi_line_ones_kept_line_by_line() -> None:
    practice = practice_of(PRACTICE)
    assert practice == Practice(
        name="Smith & Jones <Massage>",
        address="1 Example Street\nExample Town",
        hours=(
            "Monday to Friday: 9:00 to 18:00\nSaturday: 9:00 to 13:00 (<i>not</i> bank holidays)"
        ),
        phone="+44 (0)20 0000 0000",
        email="reception@example.org",
        website="https://www.example.org",
        booking_url="https://www.example.org/book?from=bot&x=1",
    )


def test_every_detail_is_optional() -> None:
    assert practice_of('practice:\n  phone: "020 0000 0000"\n') == Practice(phone="020 0000 0000")
    assert practice_of("practice:\n  email: a.b@example.co.uk\n") == Practice(
        email="a.b@example.co.uk"
    )


@pytest.mark.parametrize("section", [
    "",  # no section
    "practice:\n",  # the section with everything under it still commented out
    "practice:\n  # phone: \"+44 20 0000 0000\"\n",
    "practice:\n  phone:\n  email: \"\"\n",  # details left blank
])
def test_no_section_or_nothing_in_it_is_no_practice(section: str) -> None:
    assert practice_of(section) is None


@pytest.mark.parametrize(("phone", "dial"), [
    ("+44 (0)20 0000 0000", "+442000000000"),  # the (0) is for callers at home only
    ("+1 (555) 010-0000", "+15550100000"),
    ("020 0000 0000", "02000000000"),
    ("01.23.45.67.89", "0123456789"),
])
def test_the_phone_is_dialled_as_digits_after_a_leading_plus(phone: str, dial: str) -> None:
    practice = Practice(phone=phone)
    assert practice.dial == dial
    assert practice.tel == f"tel:{dial}"
    assert Practice().tel == ""


BAD_DETAILS = [
    # (the detail as written in faq.yaml, what the problem says)
    ("phone: +442000000000", "must be text, not int 442000000000: put it in double quotes"),
    ('phone: "call us on Monday"', "is not a phone number"),
    ('phone: "+44 20 0000 0000 ext 12"', "is not a phone number"),
    ('phone: "20 + 44"', "is not a phone number"),
    ('phone: "12"', "has 2 digits: a phone number has 3 to 15"),
    ('phone: "+1 2345 6789 0123 4567"', "has 17 digits"),
    ('email: "reception at example.org"', "is not an email address"),
    ('email: "mailto:reception@example.org"', "is not an email address"),
    ('email: "reception@example"', "is not an email address"),
    ('website: "www.example.org"', "must be a web link starting with https://"),
    ('website: "ftp://example.org"', "must be a web link starting with https://"),
    ('website: "https://exa mple.org"', "is not a web link"),
    ('booking_url: "tel:+442000000000"', "must be a web link starting with https://"),
    ('booking_url: "https://localhost/book"', "is not a web link"),
    ('booking_url: "http://[example.org/book"', "is not a web link"),
    ("name: 5", "must be text, not int 5"),
    ("name: [Smith, Jones]", "must be text, not a list"),
    ("email: {at: example.org}", "must be text, not a mapping"),
    ("name: |\n    Smith\n    Jones", "must be one line (only address and hours may have"),
    ("website: >-\n    https://www.example.org\n\n    /book", "must be one line"),
    (f"name: \"{'x' * 301}\"", "too long: 301 characters (at most 300)"),
    (f"hours: \"{'9 to 5, ' * 80}\"", f"too long: 639 characters (at most {MAX_PRACTICE_BLOCK})"),
]


@pytest.mark.parametrize(("detail", "message"), BAD_DETAILS)
def test_a_bad_detail_is_named_with_its_line_and_what_it_should_be(
    detail: str, message: str
) -> None:
    key = detail.partition(":")[0]
    section = f'practice:\n  name: "Example Massage Practice"\n  {detail}\n'
    if key == "name":
        section = f"practice:\n  {detail}\n"
    problems = problems_of(section)
    assert len(problems) == 1, problems
    line = line_of(section, f"{key}:")
    assert problems[0].startswith(f"faq.yaml:{line}: practice.{key}: "), problems
    assert message in problems[0]


def test_the_fix_shows_an_example_of_the_detail() -> None:
    [problem] = problems_of('practice:\n  website: "www.example.org"\n')
    assert problem.endswith('like website: "https://www.example.org"')
    [problem] = problems_of("practice:\n  phone: +442000000000\n")
    assert problem.endswith('like phone: "+44 20 0000 0000"')


def test_an_unknown_key_is_named_with_the_allowed_ones() -> None:
    section = 'practice:\n  phone: "020 0000 0000"\n  fax: "020 0000 0001"\n'
    [problem] = problems_of(section)
    line = line_of(section, "fax:")
    assert problem == (
        f"faq.yaml:{line}: practice.fax: unknown key (known keys: address, booking_url, email,"
        " hours, name, phone, website)"
    )
    assert set(PRACTICE_KEYS) == {"name", "phone", "email", "website", "booking_url", "hours",
                                  "address"}


def test_every_mistake_in_the_section_is_reported_at_once() -> None:
    section = 'practice:\n  phone: "call us"\n  email: "nobody"\n  website: "example.org"\n'
    problems = problems_of(section)
    assert [problem.split(": ")[1] for problem in problems] == [
        "practice.phone", "practice.email", "practice.website",
    ]


def test_the_section_must_be_a_mapping() -> None:
    [problem] = problems_of('practice: "+44 20 0000 0000"\n')
    assert problem.startswith(f"faq.yaml:{line_of('practice:', 'practice:')}: practice: must be"
                              " a mapping")


# That the bundled faq.yaml shows the section commented out, with examples only:
# tests/test_bundled_faq.py (a practice fills it in).


# -- replies --------------------------------------------------------------------------------


def faq_with(practice: str = PRACTICE, base: str = MINIMAL_FAQ) -> Faq:
    return parse_faq(with_section(base, practice), "faq.yaml")


NOT_COVERED = """\
not_covered:
  conditions:
    reply: "{phrase} isn't on our list of treated conditions."
    phrases: [psoriasis]
"""


def test_the_fallback_names_the_phone_email_and_booking_link() -> None:
    faq, bare = faq_with(), faq_with("")
    declined = Match(Status.NONE)
    assert render_plain(bare, declined) == bare.fallback  # unchanged without the section
    assert render_plain(faq, declined) == f"{faq.fallback}\n\n{CONTACT}"
    [*_, last] = render_html(reply_blocks(faq, declined))
    assert check_message(last).endswith(CONTACT)


def test_a_clear_no_is_followed_by_the_pointer_and_the_details() -> None:
    faq = faq_with(PRACTICE + NOT_COVERED)
    match = Matcher(faq).match("do you treat psoriasis?")
    assert (match.status, match.not_covered) == (Status.NONE, "psoriasis")
    assert [block.text for block in reply_blocks(faq, match)] == [
        "Psoriasis isn't on our list of treated conditions.",
        "For anything about your own health, bookings or prices, please contact the practice "
        "directly.",
        CONTACT,
    ]
    bare = faq_with(NOT_COVERED)
    assert len(reply_blocks(bare, Matcher(bare).match("do you treat psoriasis?"))) == 2


def test_two_questions_one_not_covered_end_with_the_details() -> None:
    faq = faq_with()
    sciatica = faq.get("sciatica")
    assert sciatica is not None
    parts = Parts(
        answered=(Part("do you treat sciatica", Match(Status.ANSWER, 100.0, sciatica)),),
        uncovered=(Part("where do I park?", Match(Status.NONE)),),
    )
    assert not_covered_lines(faq, parts)[-2:] == [
        "For anything about your own health, bookings or prices, please contact the practice "
        "directly.",
        CONTACT,
    ]
    assert CONTACT not in not_covered_lines(faq_with(""), parts)


@pytest.mark.parametrize(("section", "line"), [
    ('practice:\n  phone: "020 0000 0000"\n', "Contact the practice: phone 020 0000 0000."),
    ('practice:\n  name: "Example Practice"\n  email: "a@example.org"\n'
     '  booking_url: "https://example.org/book"\n',
     "Contact Example Practice: email a@example.org, or book at https://example.org/book."),
    # the website only when there is no other way
    ('practice:\n  website: "https://example.org"\n', "Contact the practice: see https://example.org."),
    ('practice:\n  name: "Example Practice"\n  hours: "9 to 5"\n', ""),
])
def test_the_contact_line_is_short_and_says_only_what_is_set(section: str, line: str) -> None:
    assert contact_line(practice_of(section)) == line
    assert contact_line(None) == ""


def test_start_help_and_privacy_point_to_the_practice_only_when_set() -> None:
    practice = practice_of(PRACTICE)
    # unchanged without the section
    assert views.welcome("Pat", None) == views.welcome("Pat")
    assert "/contact" not in views.welcome("Pat")
    assert views.help_text("bot", practice=None) == views.help_text("bot")
    assert "/contact" not in views.help_text("bot", admin=True, handoff=True)
    assert views.privacy_text(90, practice=None) == views.privacy_text(90)
    assert views.privacy_text(90).endswith("contact the practice directly.</i>")
    # with it
    assert "/contact to reach the practice\n" in views.welcome("Pat", practice)
    help_ = views.help_text("bot", practice=practice)
    assert "/contact - how to reach the practice\n" in help_
    assert help_.endswith("please contact the practice (/contact has the details).</i>")
    privacy = views.privacy_text(90, practice=practice)
    assert privacy.endswith(
        "contact the practice directly: phone +44 (0)20 0000 0000, email reception@example.org,"
        " or book at https://www.example.org/book?from=bot&amp;x=1.</i>"
    )
    for text in (views.welcome("Pat", practice), help_, privacy):
        check_message(text)


def test_contact_reply_without_details_says_so_and_offers_the_topics() -> None:
    reply = views.contact_reply(faq_with(""))
    assert reply.parts == (CONTACT_NOT_SET_UP,)
    assert reply.keyboard == views.TOPICS_BUTTON


def test_contact_reply_without_phone_or_links_has_no_buttons() -> None:
    reply = views.contact_reply(faq_with('practice:\n  hours: "9 to 5"\n'))
    assert check_message(reply.parts[0]) == "How to reach the practice\n\nOpening hours:\n9 to 5"
    assert reply.keyboard is None


# -- through the real application -----------------------------------------------------------


def keyboard(sent: dict[str, Any]) -> list[dict[str, Any]]:
    """Every inline button of a sent message, as Telegram receives it."""
    markup = sent.get("reply_markup")
    if markup is None:
        return []
    if isinstance(markup, str):
        markup = json.loads(markup)
    return [button for row in markup["inline_keyboard"] for button in row]


def only_message(harness: Harness) -> dict[str, Any]:
    sent = harness.fake.sent()
    assert len(sent) == 1, [params["text"] for params in sent]
    return sent[0]


def mini_faq_file(tmp_path: Path, section: str = PRACTICE) -> Path:
    path = copy_faq(tmp_path, MINI_FAQ)
    path.write_text(with_section(path.read_text(encoding="utf-8"), section), encoding="utf-8")
    return path


async def test_contact_sends_the_details_with_buttons_for_the_links(tmp_path: Path) -> None:
    async with running_bot(mini_faq_file(tmp_path)) as bot:
        await bot.send(command_update("/contact"))
        sent = only_message(bot)
    assert sent["parse_mode"] == "HTML"
    assert sent["text"] == (
        "<b>Smith &amp; Jones &lt;Massage&gt;</b>\n\n"
        "1 Example Street\nExample Town\n\n"
        "Opening hours:\nMonday to Friday: 9:00 to 18:00\n"
        "Saturday: 9:00 to 13:00 (&lt;i&gt;not&lt;/i&gt; bank holidays)\n\n"
        "Phone: +44 (0)20 0000 0000\nEmail: reception@example.org"
    )
    check_message(sent["text"])
    # No tel: button (Telegram opens only http(s) and tg:// links from buttons): the phone is
    # in the text, and a button copies it as it is dialled.
    assert keyboard(sent) == [
        {"text": "Copy the phone number", "copy_text": {"text": "+442000000000"}},
        {"text": "Website", "url": "https://www.example.org"},
        {"text": "Book an appointment", "url": "https://www.example.org/book?from=bot&x=1"},
    ]


async def test_contact_without_the_section_says_the_details_are_not_set_up(
    tmp_path: Path,
) -> None:
    async with running_bot(copy_faq(tmp_path, MINI_FAQ)) as bot:
        await bot.send(command_update("/contact"))
        sent = only_message(bot)
    assert sent["text"] == html.escape(CONTACT_NOT_SET_UP, quote=False)
    assert "/topics" in sent["text"]
    assert keyboard(sent) == [{"text": "Browse topics", "callback_data": "t"}]


async def test_contact_follows_a_reload(tmp_path: Path) -> None:
    path = copy_faq(tmp_path, MINI_FAQ)
    async with running_bot(path) as bot:
        await bot.send(command_update("/contact"))
        assert only_message(bot)["text"] == html.escape(CONTACT_NOT_SET_UP, quote=False)
        path.write_text(with_section(path.read_text(encoding="utf-8")), encoding="utf-8")
        result = await bot.live.reload("test")
        assert result.ok
        assert "practice" in result.settings_changed
        await bot.send(command_update("/contact"))
        assert only_message(bot)["text"].startswith("<b>Smith &amp; Jones")


async def test_a_declined_question_names_the_details(tmp_path: Path) -> None:
    async with running_bot(mini_faq_file(tmp_path)) as bot:
        await bot.send(message_update("what is the price of a session?"))
        sent = only_message(bot)
    assert sent["text"] == (
        "Sorry, that is not in our FAQ. Try /topics.\n\n" + html.escape(CONTACT, quote=False)
    )
    assert [button["text"] for button in keyboard(sent)] == ["Browse topics"]


async def test_start_help_and_privacy_mention_the_details(tmp_path: Path) -> None:
    async with running_bot(mini_faq_file(tmp_path)) as bot:
        texts = {}
        for command in ("/start", "/help", "/privacy"):
            await bot.send(command_update(command))
            texts[command] = only_message(bot)["text"]
    assert "/contact to reach the practice" in texts["/start"]
    assert f"@{BOT_USERNAME}" in texts["/help"]
    assert "/contact - how to reach the practice" in texts["/help"]
    assert "phone +44 (0)20 0000 0000, email reception@example.org" in texts["/privacy"]
    for text in texts.values():
        check_message(text)


async def test_the_menu_lists_contact_only_with_the_details(tmp_path: Path) -> None:
    async with running_bot(mini_faq_file(tmp_path)) as bot:
        public, admin = bot.fake.called("setMyCommands")[:2]
    listed = [command["command"] for command in public.params["commands"]]
    assert listed[-1] == "contact"
    assert "contact" in [command["command"] for command in admin.params["commands"]]
    (tmp_path / "bare").mkdir()
    async with running_bot(copy_faq(tmp_path / "bare", MINI_FAQ)) as bot:
        public = bot.fake.called("setMyCommands")[0]
    assert "contact" not in [command["command"] for command in public.params["commands"]]


# -- the terminal chat ----------------------------------------------------------------------


def test_the_terminal_chat_has_contact_with_the_links_as_text() -> None:
    faq = faq_with()
    chat = cli.Chat(faq, Matcher(faq))
    assert chat.respond("/contact") == (
        "Smith & Jones <Massage>\n\n"
        "1 Example Street\nExample Town\n\n"
        "Opening hours:\nMonday to Friday: 9:00 to 18:00\n"
        "Saturday: 9:00 to 13:00 (<i>not</i> bank holidays)\n\n"
        "Phone: +44 (0)20 0000 0000\nEmail: reception@example.org\n"
        "Website: https://www.example.org\nBooking: https://www.example.org/book?from=bot&x=1"
    )
    help_, declined = chat.respond("/help"), chat.respond("zqxj vbnm")
    assert help_ is not None
    assert "/contact" in help_
    assert declined is not None
    assert declined.endswith(CONTACT)


def test_the_terminal_chat_without_details_says_they_are_not_set_up() -> None:
    faq = faq_with("")
    assert cli.Chat(faq, Matcher(faq)).respond("/contact") == CONTACT_NOT_SET_UP
