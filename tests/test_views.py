"""Properties of every screen, for any message: Telegram's size limits always hold."""

from __future__ import annotations

import dataclasses
import html
from datetime import date

import pytest
from conftest import (
    NO_CONDITIONS_AT_ALL_FAQ,
    NO_CONDITIONS_ENTRY_FAQ,
    SUGGESTED_MINIMAL,
    WriteFaq,
    suggestion_list,
)
from helpers.harness import SHIPPED_FAQ
from helpers.telegram_html import parse
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import InlineKeyboardMarkup, InputTextMessageContent

from bot import views
from bot.faq import Faq, load_faq
from bot.grouping import Asked, group_questions
from bot.language import ForeignReply
from bot.live import ReloadResult
from bot.matcher import Matcher, Status
from bot.replies import SIGNS_NOW, practice_pointer
from bot.store import new_token

FAQ = load_faq(SHIPPED_FAQ)
MATCHER = Matcher(FAQ)
TELEGRAM_TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
INLINE_RESULTS_LIMIT = 50

# Real words and phrasings from the FAQ mixed with arbitrary text, so both matches and misses
# are generated.
WORDS = sorted({word for entry in FAQ.entries for word in entry.question.split()})
messages = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join),
    st.sampled_from([phrasing for entry in FAQ.entries for phrasing in entry.phrasings]),
)


def check_keyboard(keyboard: InlineKeyboardMarkup | None) -> None:
    if keyboard is None:
        return
    for row in keyboard.inline_keyboard:
        for button in row:
            assert button.callback_data or button.url
            if button.callback_data is not None:
                assert len(str(button.callback_data).encode()) <= CALLBACK_DATA_LIMIT


@pytest.mark.slow  # hundreds of generated messages, each matched against the bundled FAQ
@settings(max_examples=300, deadline=None)
@given(messages)
def test_every_reply_fits_telegram(text: str) -> None:
    reply = views.match_reply(FAQ, MATCHER.match(text), pick_token=new_token())
    assert reply.parts
    assert all(0 < len(part) <= TELEGRAM_TEXT_LIMIT for part in reply.parts)
    check_keyboard(reply.keyboard)


@pytest.mark.slow  # the same, for inline answers
@settings(max_examples=200, deadline=None)
@given(messages)
def test_every_inline_answer_fits_telegram(text: str) -> None:
    results, button = views.inline_results(FAQ, MATCHER, text, "ClinicFaqBot")
    assert len(results) <= INLINE_RESULTS_LIMIT
    assert results or button is not None
    assert len({result.id for result in results}) == len(results)
    for result in results:
        assert 0 < len(result.id.encode()) <= CALLBACK_DATA_LIMIT
        content = result.input_message_content
        assert isinstance(content, InputTextMessageContent)
        assert len(content.message_text) <= TELEGRAM_TEXT_LIMIT
        if result.id != "urgent":
            assert html.escape(FAQ.disclaimer.strip(), quote=False) in content.message_text


def test_every_menu_fits_telegram() -> None:
    screens = [views.topics_menu(FAQ), views.conditions_reply(FAQ), views.disclaimer_reply(FAQ)]
    for topic, entries in FAQ.topics().items():
        pages = -(-len(entries) // views.PAGE_SIZE)
        screens += [views.topic_page(FAQ, topic, page) for page in range(pages)]
    screens += [views.answer_reply(FAQ, entry) for entry in FAQ.entries]
    for screen in screens:
        assert all(0 < len(part) <= TELEGRAM_TEXT_LIMIT for part in screen.parts)
        check_keyboard(screen.keyboard)


@given(st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,150}[a-z0-9])?", fullmatch=True))
def test_a_suggestion_button_fits_and_leads_back_to_its_entry_and_token(entry_id: str) -> None:
    token = new_token()
    data = views.pick_data(token, entry_id)
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT
    parsed = views.parse_pick(data)
    assert parsed is not None
    assert parsed[0] == token
    faq = dataclasses.replace(FAQ, entries=(dataclasses.replace(FAQ.entries[0], id=entry_id),))
    entry = views.resolve_entry(faq, parsed[1])
    assert entry is not None
    assert entry.id == entry_id


@pytest.mark.parametrize("data", ["a:sciatica", "p:", "p:token", "p::sciatica", "P:tok:", "t"])
def test_other_data_is_not_a_pick(data: str) -> None:
    assert views.parse_pick(data) is None


def test_suggestion_buttons_carry_the_token_only_when_given(minimal_faq: Faq) -> None:
    match = suggestion_list(minimal_faq, SUGGESTED_MINIMAL)
    offered = [suggestion.entry.id for suggestion in match.suggestions]
    for token, prefix in ((None, "a:"), ("abcdefgh", "p:abcdefgh:")):
        keyboard = views.match_reply(minimal_faq, match, pick_token=token).keyboard
        assert keyboard is not None
        data = [str(row[0].callback_data) for row in keyboard.inline_keyboard]
        assert data == [f"{prefix}{entry_id}" for entry_id in offered]


@pytest.mark.parametrize(
    "message",
    [
        "what are the signs of a stroke?",  # suggested or declined
        "what are the symptoms of a heart attack? do you treat sciatica?",  # answered
    ],
)
def test_a_chat_reply_to_a_question_about_emergency_signs_says_what_to_do_now(
    message: str,
) -> None:
    match = MATCHER.match(message)
    assert match.signs_asked
    assert match.status is not Status.URGENT
    reply = views.match_reply(FAQ, match, pick_token=new_token(), ask_token=new_token())
    first = parse(reply.parts[0], allowed=frozenset({"b", "i", "blockquote"})).text
    assert first.startswith(SIGNS_NOW)
    assert first.count(SIGNS_NOW) == 1
    plain = MATCHER.match("do you treat sciatica?")
    assert not plain.signs_asked
    assert SIGNS_NOW not in "".join(views.match_reply(FAQ, plain).parts)


def test_a_note_in_another_language_comes_after_what_to_do_now() -> None:
    foreign = ForeignReply("es", "Solo entiendo inglés.", signs_asked=True)
    reply = views.foreign_reply(FAQ, foreign)
    text = parse(reply.parts[0], allowed=frozenset({"b", "i", "blockquote"})).text
    assert text.index(SIGNS_NOW) < text.index("Solo entiendo")


def test_a_suggestion_list_says_the_clear_no_of_a_condition_named_first() -> None:
    match = MATCHER.match("gout in my knee, do you treat arthritis")
    assert match.status is Status.SUGGEST
    reply = views.match_reply(FAQ, match, pick_token=new_token())
    text = "\n".join(reply.parts)
    assert text.startswith("<b>Gout isn\u2019t on our list of treated conditions.</b>") or (
        text.startswith("<b>Gout isn't on our list of treated conditions.</b>")
    )
    assert text.index("Gout") < text.index("Did you mean one of these?")
    # arthritis's entry says nothing of gout: the fallback's pointer to the practice, between
    assert match.outside
    pointer = html.escape(practice_pointer(FAQ.fallback), quote=False)
    assert text.index("Gout") < text.index(pointer) < text.index("Did you mean one of these?")
    assert reply.keyboard is not None  # the buttons are still there


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=600), st.integers(1, 99)), max_size=60))
def test_every_unanswered_report_fits_telegram(rows: list[tuple[str, int]]) -> None:
    groups = group_questions([Asked(text, count, date(2024, 5, 1)) for text, count in rows])
    reply = views.unanswered_reply(FAQ, groups, 50, 90)
    assert all(0 < len(part) <= TELEGRAM_TEXT_LIMIT for part in reply.parts)


def test_privacy_names_the_retention_period() -> None:
    assert "after 7 days" in views.privacy_text(7)


@pytest.mark.parametrize(
    ("faq_text", "expected"),
    [
        (NO_CONDITIONS_ENTRY_FAQ, "<b>Conditions we treat</b>"),
        (NO_CONDITIONS_AT_ALL_FAQ, "<b>Topics</b>"),
    ],
    ids=["the-topic-about-conditions", "every-topic"],
)
def test_conditions_without_a_conditions_entry_falls_back(
    write_faq: WriteFaq, faq_text: str, expected: str
) -> None:
    reply = views.conditions_reply(load_faq(write_faq(faq_text).path))
    assert reply.parts[0].startswith(expected)
    assert reply.keyboard is not None


def test_answers_fold_the_disclaimer_and_inline_results_show_it_in_full() -> None:
    entry = FAQ.get("condition-sciatica")
    assert entry is not None
    [part] = views.answer_reply(FAQ, entry).parts
    assert parse(part).folded == (FAQ.disclaimer.strip(),)
    results, _ = views.inline_results(FAQ, MATCHER, entry.question, "ClinicFaqBot")
    content = results[0].input_message_content
    assert isinstance(content, InputTextMessageContent)
    inline = parse(content.message_text)
    assert inline.folded == ()  # shared into another chat: the disclaimer is read in full
    assert inline.text.endswith(FAQ.disclaimer.strip())


def test_the_lead_comes_first_in_a_chat_and_in_inline_results() -> None:
    entry = FAQ.get("condition-sciatica")
    assert entry is not None
    lead = entry.lead  # the shipped file's words (tests/test_bundled_faq.py checks them)
    assert lead
    [part] = views.answer_reply(FAQ, entry).parts
    assert part.startswith(f"<b>{lead}</b>\n\n<b>{entry.question}</b>\n\n")
    results, _ = views.inline_results(FAQ, MATCHER, entry.question, "ClinicFaqBot")
    article = results[0]
    assert article.id == views.answer_data(entry.id)
    assert (article.title, article.description) == (entry.question, lead)
    content = article.input_message_content
    assert isinstance(content, InputTextMessageContent)
    assert content.message_text.startswith(f"<b>{lead}</b>\n\n<b>{entry.question}</b>")


def test_an_entry_without_a_lead_reads_as_before() -> None:
    entry = FAQ.get("type-swedish")
    assert entry is not None
    assert entry.lead == ""
    [part, *_] = views.answer_reply(FAQ, entry).parts
    assert part.startswith(f"<b>{entry.question}</b>\n\n")
    results, _ = views.inline_results(FAQ, MATCHER, entry.question, "ClinicFaqBot")
    article = next(r for r in results if r.id == views.answer_data(entry.id))
    assert article.description == entry.answer.splitlines()[0][:120]


def test_a_declined_condition_gets_a_clear_no_with_the_buttons_of_a_decline() -> None:
    match = MATCHER.match("do you treat psoriasis?")
    assert (match.status, match.not_covered) == (Status.NONE, "psoriasis")
    reply = views.match_reply(FAQ, match, ask_token="tok")
    [part] = reply.parts
    assert part.startswith("<b>Psoriasis isn't on our list of treated conditions.</b>\n\n")
    assert part.endswith("please contact the practice directly.")
    assert reply.keyboard is not None
    labels = [button.text for row in reply.keyboard.inline_keyboard for button in row]
    assert labels == ["Browse topics", views.ASK_PRACTICE]


@settings(max_examples=60, deadline=None)
@given(messages)
def test_only_declined_replies_and_suggestion_lists_offer_the_practice(text: str) -> None:
    match = MATCHER.match(text)
    reply = views.match_reply(FAQ, match, pick_token=new_token(), ask_token=new_token())
    labels = [
        button.text for row in (reply.keyboard.inline_keyboard if reply.keyboard else ())
        for button in row
    ]
    offered = match.status is Status.NONE or (
        match.status is Status.SUGGEST and bool(match.suggestions)
    )
    assert labels.count(views.ASK_PRACTICE) == (1 if offered else 0), match.status
    if offered:
        assert labels[-1] == views.ASK_PRACTICE  # last, under the other choices
    check_keyboard(reply.keyboard)
    without = views.match_reply(FAQ, match, pick_token=new_token())
    assert views.ASK_PRACTICE not in [
        button.text for row in (without.keyboard.inline_keyboard if without.keyboard else ())
        for button in row
    ]


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=4096).filter(str.strip), st.text(max_size=200))
def test_handoff_screens_fit_telegram(question: str, name: str) -> None:
    token = new_token()
    for reply in (views.handoff_confirm(question, token), views.staff_post(name, question, 7),
                  views.staff_answer(question), views.handoff_prompt()):
        assert reply.parts
        for part in reply.parts:
            assert 0 < len(part) <= TELEGRAM_TEXT_LIMIT
            parse(part)
        check_keyboard(reply.keyboard)
    confirm = views.handoff_confirm(question, token)
    assert confirm.parts[0].startswith(views.HANDOFF_CONSENT)
    quoted = "".join(q for part in confirm.parts for q in parse(part).quoted)
    assert "".join(quoted.split()) == "".join(question.split())  # all of it, in order


def test_privacy_describes_the_handoff_link_only_when_set_up() -> None:
    without = views.privacy_text(90)
    assert "staff chat" not in without
    assert "<b>I never store who asked</b>" in without
    with_handoff = views.privacy_text(90, handoff_days=7)
    assert "staff chat" in with_handoff
    assert "it is deleted after 7 days" in with_handoff
    assert "held only in my memory" in with_handoff


def test_the_reload_reply_puts_the_entry_warnings_first_and_caps_the_list() -> None:
    # bot.lint's findings on the new entries, then the file's warnings: one list of at most
    # RELOAD_PROBLEMS_SHOWN lines, the rest counted.
    lint = tuple(f"faq.yaml:{n}: entry {n} misses its question" for n in range(12))
    result = ReloadResult(
        ok=True, trigger="test", entry_count=3, added=("a",), lint=lint,
        warnings=("faq.yaml:99: 'x' is listed twice",),
    )
    (text,) = views.reload_reply(result).parts
    assert "<b>Worth fixing (the file works as it is):</b>" in text
    shown = [line for line in text.splitlines() if line.startswith("faq.yaml:")]
    assert shown == list(lint[: views.RELOAD_PROBLEMS_SHOWN])
    assert "\u2026and 3 more: run faq-bot check on the file to see all." in text
