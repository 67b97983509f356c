"""Properties of every screen, for any message: Telegram's size limits always hold."""

from __future__ import annotations

from helpers.harness import SHIPPED_FAQ
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import InlineKeyboardMarkup, InputTextMessageContent

from bot import views
from bot.faq import load_faq
from bot.matcher import Matcher

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


@settings(max_examples=300, deadline=None)
@given(messages)
def test_every_reply_fits_telegram(text: str) -> None:
    reply = views.match_reply(FAQ, MATCHER.match(text))
    assert reply.parts
    assert all(0 < len(part) <= TELEGRAM_TEXT_LIMIT for part in reply.parts)
    check_keyboard(reply.keyboard)


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
            assert "Disclaimer" in content.message_text


def test_every_menu_fits_telegram() -> None:
    screens = [views.topics_menu(FAQ), views.conditions_reply(FAQ), views.disclaimer_reply(FAQ)]
    for topic, entries in FAQ.topics().items():
        pages = -(-len(entries) // views.PAGE_SIZE)
        screens += [views.topic_page(FAQ, topic, page) for page in range(pages)]
    screens += [views.answer_reply(FAQ, entry) for entry in FAQ.entries]
    for screen in screens:
        assert all(0 < len(part) <= TELEGRAM_TEXT_LIMIT for part in screen.parts)
        check_keyboard(screen.keyboard)
