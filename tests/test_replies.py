"""Replies: the disclaimer goes with answers only (folded under them in a chat); Telegram HTML is
escaped, split and balanced."""

from __future__ import annotations

import dataclasses
import html

import pytest
from helpers.telegram_html import InvalidTelegramHtml, parse
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.faq import DEFAULT_FALLBACK, Entry, Faq
from bot.matcher import Match, Status, Suggestion
from bot.replies import (
    SIGNS_NOW,
    SUGGEST_INTRO,
    TELEGRAM_LIMIT,
    Block,
    answer_blocks,
    no_line,
    practice_pointer,
    render_html,
    render_plain,
    reply_blocks,
)


def entry_of(faq: Faq, entry_id: str) -> Entry:
    entry = faq.get(entry_id)
    assert entry is not None
    return entry


def long_entry(paragraphs: int = 30, size: int = 380) -> Entry:
    """An entry whose answer is far over one Telegram message, full of characters to escape."""
    body = [
        f"Paragraph {n}: a < b & c > d. " + "x" * (size - 40) + f" end{n}."
        for n in range(paragraphs)
    ]
    return Entry(
        id="long", topic="Long", question="Is <this> & that long?", answer="\n\n".join(body)
    )


def check_balanced(message: str) -> str:
    """Assert the message is valid Telegram HTML using only <b>, <i> and quotes; return its
    text."""
    return parse(message, allowed=frozenset({"b", "i", "blockquote"})).text


# -- plain text -------------------------------------------------------------------------------


def test_an_answer_has_its_title_text_and_the_disclaimer(minimal_faq: Faq) -> None:
    sciatica = entry_of(minimal_faq, "sciatica")
    reply = render_plain(minimal_faq, Match(Status.ANSWER, 100.0, entry=sciatica))
    assert reply == f"{sciatica.question}\n\n{sciatica.answer}\n\n{minimal_faq.disclaimer}"


@pytest.mark.parametrize("status", [Status.NONE, Status.URGENT, Status.SMALLTALK, Status.SUGGEST])
def test_no_disclaimer_without_an_answer(minimal_faq: Faq, status: Status) -> None:
    match = Match(
        status,
        50.0,
        suggestions=tuple(
            Suggestion(entry_of(minimal_faq, entry_id), 50.0) for entry_id in ("swedish", "sports")
        ) if status is Status.SUGGEST else (),
        smalltalk=minimal_faq.smalltalk[0] if status is Status.SMALLTALK else None,
    )
    reply = render_plain(minimal_faq, match)
    assert minimal_faq.disclaimer not in reply
    expected_start = {
        Status.NONE: minimal_faq.fallback,
        Status.URGENT: minimal_faq.urgent_reply,
        Status.SMALLTALK: minimal_faq.smalltalk[0].reply,
        Status.SUGGEST: SUGGEST_INTRO,
    }[status]
    assert reply.startswith(expected_start)


def test_suggestions_are_numbered_best_first(minimal_faq: Faq) -> None:
    swedish, sports = entry_of(minimal_faq, "swedish"), entry_of(minimal_faq, "sports")
    match = Match(Status.SUGGEST, 60.0, suggestions=(Suggestion(sports, 60.0),
                                                     Suggestion(swedish, 58.0)))
    assert render_plain(minimal_faq, match) == (
        f"{SUGGEST_INTRO}\n  1. {sports.question}\n  2. {swedish.question}"
    )


def test_a_suggestion_instead_of_an_answer_says_the_clear_no_first(minimal_faq: Faq) -> None:
    sciatica = entry_of(minimal_faq, "sciatica")
    match = Match(
        Status.SUGGEST, 40.0, suggestions=(Suggestion(sciatica, 40.0),),
        not_covered="psoriasis", no="{phrase} isn't on our list of treated conditions.",
    )
    assert render_plain(minimal_faq, match) == (
        "Psoriasis isn't on our list of treated conditions.\n\n"
        f"{SUGGEST_INTRO}\n  1. {sciatica.question}"
    )


def test_a_suggestion_for_a_topic_it_lacks_points_to_the_practice_first(
    minimal_faq: Faq,
) -> None:
    # "how much is a session?" offered an entry that says nothing of prices: the fallback's
    # sentence that sends such questions to the practice comes before the list
    sciatica = entry_of(minimal_faq, "sciatica")
    match = Match(Status.SUGGEST, 40.0, suggestions=(Suggestion(sciatica, 40.0),), outside=True)
    assert render_plain(minimal_faq, match) == (
        f"{practice_pointer(minimal_faq.fallback)}\n\n"
        f"{SUGGEST_INTRO}\n  1. {sciatica.question}"
    )
    named = dataclasses.replace(match, not_covered="psoriasis", no="{phrase} isn't on our list.")
    assert render_plain(minimal_faq, named).startswith(
        f"Psoriasis isn't on our list.\n\n{practice_pointer(minimal_faq.fallback)}\n\n"
    )


@pytest.mark.parametrize("status", [Status.ANSWER, Status.SUGGEST, Status.NONE])
def test_a_question_about_emergency_signs_says_first_what_to_do_now(
    minimal_faq: Faq, status: Status
) -> None:
    sciatica = entry_of(minimal_faq, "sciatica")
    match = Match(
        status, 60.0,
        entry=sciatica if status is Status.ANSWER else None,
        suggestions=(Suggestion(sciatica, 60.0),) if status is Status.SUGGEST else (),
    )
    asked = dataclasses.replace(match, signs_asked=True)
    assert render_plain(minimal_faq, asked) == (
        f"{SIGNS_NOW}\n\n{render_plain(minimal_faq, match)}"
    )
    assert SIGNS_NOW not in render_plain(minimal_faq, match)
    for message in render_html(reply_blocks(minimal_faq, asked)):
        check_balanced(message)


def test_the_disclaimer_entry_shows_the_disclaimer_once(bundled_faq: Faq) -> None:
    entry = entry_of(bundled_faq, "disclaimer")
    reply = render_plain(bundled_faq, Match(Status.ANSWER, 100.0, entry=entry))
    assert reply.count(bundled_faq.disclaimer) == 1


def opening(entry: Entry) -> str:
    """How an entry's reply starts: its lead, if it has one, then its question."""
    return f"{entry.lead}\n\n{entry.question}" if entry.lead else entry.question


def test_every_bundled_answer_ends_with_the_disclaimer(bundled_faq: Faq) -> None:
    for entry in bundled_faq.entries:
        reply = render_plain(bundled_faq, Match(Status.ANSWER, 100.0, entry=entry))
        assert reply.startswith(opening(entry)), entry.id
        assert reply.endswith(bundled_faq.disclaimer), entry.id


# -- Telegram HTML ----------------------------------------------------------------------------


def test_html_escapes_the_faq_text(minimal_faq: Faq) -> None:
    entry = Entry(
        id="x", topic="t", question="Is 1 < 2 & 3 > 2?", answer="Yes: <b>not bold</b> & co"
    )
    [message] = render_html(answer_blocks(minimal_faq, entry))
    assert message.startswith("<b>Is 1 &lt; 2 &amp; 3 &gt; 2?</b>\n\n")
    assert "Yes: &lt;b&gt;not bold&lt;/b&gt; &amp; co" in message
    assert message.endswith(f"<i>{html.escape(minimal_faq.disclaimer, quote=False)}</i>")
    text = check_balanced(message)
    assert "Yes: <b>not bold</b> & co" in text


def test_every_bundled_answer_renders_as_valid_telegram_messages(bundled_faq: Faq) -> None:
    for entry in bundled_faq.entries:
        blocks = answer_blocks(bundled_faq, entry)
        messages = render_html(blocks)
        assert all(len(message) <= TELEGRAM_LIMIT for message in messages), entry.id
        texts = [check_balanced(message) for message in messages]
        assert texts[0].startswith(opening(entry)), entry.id
        assert texts[-1].endswith(bundled_faq.disclaimer), entry.id
        assert "\n\n".join(texts) == "\n\n".join(block.text for block in blocks), entry.id


def test_a_long_answer_is_split_at_paragraph_boundaries(minimal_faq: Faq) -> None:
    entry = long_entry()
    messages = render_html(answer_blocks(minimal_faq, entry))
    assert len(messages) >= 3
    assert all(len(message) <= TELEGRAM_LIMIT for message in messages)
    texts = [check_balanced(message) for message in messages]
    paragraphs = entry.answer.split("\n\n")
    # each paragraph is whole, in exactly one message, and in the original order
    found = [
        index for paragraph in paragraphs
        for index, text in enumerate(texts) if paragraph in text
    ]
    assert len(found) == len(paragraphs)
    assert found == sorted(found)
    # the disclaimer closes the last message and appears nowhere else
    assert messages[-1].endswith(f"<i>{html.escape(minimal_faq.disclaimer, quote=False)}</i>")
    assert [minimal_faq.disclaimer in text for text in texts] == [False] * (len(texts) - 1) + [
        True
    ]
    assert texts[0].startswith(entry.question)


def test_every_bundled_answer_folds_the_disclaimer_under_it_in_the_last_message(
    bundled_faq: Faq,
) -> None:
    disclaimer = bundled_faq.disclaimer.strip()
    for entry in bundled_faq.entries:
        messages = render_html(answer_blocks(bundled_faq, entry, fold_disclaimer=True))
        assert all(len(message) <= TELEGRAM_LIMIT for message in messages), entry.id
        parsed = [parse(message, allowed=frozenset({"b", "blockquote"})) for message in messages]
        assert parsed[0].text.startswith(opening(entry)), entry.id  # the answer first
        if entry.answer.strip() == disclaimer:  # the entry that is the disclaimer: not folded
            assert [p.folded for p in parsed] == [()] * len(parsed), entry.id
            assert "".join(p.text for p in parsed).count("Disclaimer:") == 1
            continue
        assert parsed[-1].folded == (disclaimer,), entry.id
        assert parsed[-1].text.endswith(disclaimer), entry.id
        assert messages[-1].endswith("</blockquote>"), entry.id
        assert all(p.folded == () and disclaimer not in p.text for p in parsed[:-1]), entry.id


def test_a_long_answer_keeps_its_folded_disclaimer_whole_in_the_last_part(
    minimal_faq: Faq,
) -> None:
    entry = long_entry()
    messages = render_html(answer_blocks(minimal_faq, entry, fold_disclaimer=True))
    assert len(messages) >= 3
    assert all(len(message) <= TELEGRAM_LIMIT for message in messages)
    folded = [parse(message).folded for message in messages]
    assert folded == [()] * (len(messages) - 1) + [(minimal_faq.disclaimer,)]
    escaped = html.escape(minimal_faq.disclaimer, quote=False)
    assert messages[-1].endswith(f"\n\n<blockquote expandable>{escaped}</blockquote>")


@pytest.mark.parametrize("limit", [60, 200, 1000])
def test_a_folded_block_longer_than_a_message_is_quoted_in_every_piece(limit: int) -> None:
    block = Block("Not advice & <not> a diagnosis. " * 100, "folded")
    messages = render_html([Block("Answer", "bold"), block], limit=limit)
    assert len(messages) > 2
    assert all(len(message) <= limit for message in messages)
    # every message well-formed on its own: each piece is a quote of its own, closed in it
    pieces = [piece for message in messages for piece in parse(message).folded]
    assert len(pieces) > 1
    assert "".join("".join(pieces).split()) == "".join(block.text.split())


@pytest.mark.parametrize("message", [
    "<blockquote>a<blockquote>b</blockquote></blockquote>",
    "<blockquote expandable>open",
    "<blockquote expandable=\"yes\">a</blockquote>",
])
def test_the_checker_refuses_what_telegram_refuses_in_quotes(message: str) -> None:
    with pytest.raises(InvalidTelegramHtml):
        parse(message)


def test_a_paragraph_longer_than_a_message_is_cut_and_stays_balanced(minimal_faq: Faq) -> None:
    sentence = "Massage & stretching <gently> help. "
    entry = Entry(id="huge", topic="t", question="Huge?", answer=sentence * 400)
    blocks = answer_blocks(minimal_faq, entry)
    messages = render_html(blocks)
    assert len(messages) > 1
    assert all(len(message) <= TELEGRAM_LIMIT for message in messages)
    texts = [check_balanced(message) for message in messages]
    assert "".join("".join(texts).split()) == "".join(
        "".join(block.text for block in blocks).split()
    ), "no character may be lost or changed by splitting"
    assert texts[-1].endswith(minimal_faq.disclaimer)


def test_styles_survive_a_split(minimal_faq: Faq) -> None:
    block = Block("Bold words & more " * 600, "bold")
    messages = render_html([block])
    assert len(messages) > 1
    for message in messages:
        assert message.startswith("<b>")
        assert message.endswith("</b>")
        check_balanced(message)


def test_reply_blocks_match_render_plain(minimal_faq: Faq) -> None:
    entry = entry_of(minimal_faq, "sports")
    match = Match(Status.ANSWER, 100.0, entry=entry)
    assert "\n\n".join(block.text for block in reply_blocks(minimal_faq, match)) == render_plain(
        minimal_faq, match
    )


# Pieces that exercise every splitting rule (paragraphs, lines, sentences, words, unbroken runs)
# and every character that must be escaped.
texts = st.lists(
    st.sampled_from([*"ab <>&\"'\n.é", "\n\n", ". ", "&amp;", "<b>", "word ", "x" * 50]),
    max_size=120,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(
    blocks=st.lists(
        st.builds(
            Block, texts.filter(str.strip),
            st.sampled_from(["plain", "bold", "italic", "quote", "folded"]),
        ),
        min_size=1,
        max_size=6,
    ),
    limit=st.integers(min_value=60, max_value=400),  # room for "<blockquote expandable>"
)
def test_any_reply_splits_into_balanced_messages_within_the_limit(
    blocks: list[Block], limit: int
) -> None:
    messages = render_html(blocks, limit=limit)
    assert messages
    assert all(0 < len(message) <= limit for message in messages)
    texts_out = [check_balanced(message) for message in messages]
    assert "".join("".join(texts_out).split()) == "".join(
        "".join(block.text for block in blocks).split()
    )


# -- a clear yes or no ------------------------------------------------------------------------


SCIATICA_LEAD = "Yes, sciatica is one of the conditions we treat."


def with_lead(entry: Entry, lead: str = SCIATICA_LEAD) -> Entry:
    return dataclasses.replace(entry, lead=lead)


def test_the_lead_comes_first_then_the_answer_then_the_disclaimer(minimal_faq: Faq) -> None:
    sciatica = with_lead(entry_of(minimal_faq, "sciatica"))
    reply = render_plain(minimal_faq, Match(Status.ANSWER, 100.0, entry=sciatica))
    assert reply == (
        f"{sciatica.lead}\n\n{sciatica.question}\n\n{sciatica.answer}\n\n{minimal_faq.disclaimer}"
    )
    [message] = render_html(answer_blocks(minimal_faq, sciatica, fold_disclaimer=True))
    assert message.startswith(
        "<b>Yes, sciatica is one of the conditions we treat.</b>\n\n"
        "<b>Do you treat sciatica?</b>\n\nTreated Conditions\n• Sciatica\n\n"
        "<blockquote expandable>"
    )
    assert parse(message).folded == (minimal_faq.disclaimer,)


def test_a_lead_is_escaped(minimal_faq: Faq) -> None:
    entry = with_lead(entry_of(minimal_faq, "sports"), "Yes: <b>sport</b> & more")
    [message] = render_html(answer_blocks(minimal_faq, entry))
    assert message.startswith("<b>Yes: &lt;b&gt;sport&lt;/b&gt; &amp; more</b>\n\n")


def test_an_entry_without_a_lead_is_unchanged(minimal_faq: Faq) -> None:
    sports = entry_of(minimal_faq, "sports")
    assert sports.lead == ""
    assert answer_blocks(minimal_faq, sports)[0] == Block(sports.question, "bold")


NO = "{phrase} isn't on our list of treated conditions."


@pytest.mark.parametrize(("line", "phrase", "expected"), [
    (NO, "psoriasis", "Psoriasis isn't on our list of treated conditions."),
    (NO, "IBS", "IBS isn't on our list of treated conditions."),
    ("Sorry, {phrase} is not one we treat.", "gout", "Sorry, gout is not one we treat."),
    ("Sorry. {phrase} is not one we treat: {phrase}.", "gout",
     "Sorry. Gout is not one we treat: gout."),
])
def test_a_no_line_names_the_phrase_capitalised_where_a_sentence_starts(
    line: str, phrase: str, expected: str
) -> None:
    assert no_line(line, phrase) == expected


def test_a_decline_that_named_a_condition_says_no_and_points_to_the_practice(
    bundled_faq: Faq,
) -> None:
    match = Match(Status.NONE, 1.0, not_covered="psoriasis", no=NO)
    assert reply_blocks(bundled_faq, match) == [
        Block("Psoriasis isn't on our list of treated conditions.", "bold"),
        Block(
            "For bookings, prices, opening hours or anything about your own health, please "
            "contact the practice directly."
        ),
    ]
    assert render_plain(bundled_faq, match).endswith("please contact the practice directly.")
    assert bundled_faq.disclaimer not in render_plain(bundled_faq, match)
    [message] = render_html(reply_blocks(bundled_faq, match))
    assert message.startswith(
        "<b>Psoriasis isn't on our list of treated conditions.</b>\n\nFor bookings"
    )
    # a decline that named nothing gets the fallback, as before
    assert render_plain(bundled_faq, Match(Status.NONE, 1.0)) == bundled_faq.fallback.strip()


@pytest.mark.parametrize(("fallback", "pointer"), [
    (DEFAULT_FALLBACK, "For anything about your own health, bookings or prices, please contact "
     "the practice directly."),
    ("Sorry! Not in our FAQ. Contact us:\n the practice, 020 7946 0958. Try /topics.",
     "Contact us: the practice, 020 7946 0958."),
    # a fallback that names no way to the practice: the default's
    ("Sorry, that is not in our FAQ. Try /topics.", "For anything about your own health, "
     "bookings or prices, please contact the practice directly."),
])
def test_the_pointer_to_the_practice_is_the_fallbacks_own(fallback: str, pointer: str) -> None:
    assert practice_pointer(fallback) == pointer
