"""Every command, outcome, button, inline query and group rule, through the real Application.

The network is faked at telegram.request.BaseRequest (helpers.fake_telegram), so these tests
check what the bot actually sends to the Bot API: methods, text, parse mode, keyboards, quotes.
Most use the small tests/helpers/mini_faq.yaml, whose content is under this test's control.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SUGGESTED, suggestion_list
from helpers.factories import (
    ADMIN_ID,
    GROUP_ID,
    LOCATION,
    PHOTO,
    STICKER,
    VOICE,
    bot_message,
    callback_update,
    command_update,
    group_chat,
    inline_update,
    mention_update,
    message,
    message_update,
)
from helpers.fake_telegram import BOT_USERNAME, buttons
from helpers.harness import SHIPPED_FAQ, Harness, copy_faq, running_bot
from helpers.telegram_html import check_message, parse
from telegram import InputTextMessageContent

from bot import views
from bot.context import ANSWERS_KEY, CHOICES_KEY, CHOICES_TTL, RecentAnswers, RecentChoices
from bot.faq import load_faq
from bot.recorder import utc_today
from bot.replies import SUGGEST_INTRO, no_line
from bot.store import Store

MINI_FAQ = Path(__file__).parent / "helpers" / "mini_faq.yaml"
# The disclaimer in full (inline results), and folded under an answer in a chat.
DISCLAIMER = "<i>Disclaimer: general information only, &lt;not&gt; medical advice &amp; not a"
FOLDED = (
    "<blockquote expandable>Disclaimer: general information only, &lt;not&gt; medical advice "
    "&amp; not a"
)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_bot(copy_faq(tmp_path, MINI_FAQ)) as harness:
        yield harness


def only_message(harness: Harness) -> dict[str, Any]:
    sent = harness.fake.sent()
    assert len(sent) == 1, [params["text"] for params in sent]
    return sent[0]


# -- start-up -------------------------------------------------------------------------------


async def test_startup_registers_commands_for_everyone_and_reload_for_admins(bot: Harness) -> None:
    # post_init ran in the fixture; the harness keeps those calls until the first send().
    calls = bot.fake.called("setMyCommands")
    public = [command["command"] for command in calls[0].params["commands"]]
    assert public == ["start", "topics", "conditions", "disclaimer", "privacy", "help"]
    assert "scope" not in calls[0].params
    admin = calls[1].params
    assert admin["scope"] == {"type": "chat", "chat_id": ADMIN_ID}
    admin_only = [command["command"] for command in admin["commands"]][len(public):]
    assert admin_only == ["unanswered", "stats", "reload"]


# -- commands -------------------------------------------------------------------------------


async def test_start_welcomes_and_mentions_the_disclaimer(bot: Harness) -> None:
    await bot.send(command_update("/start"))
    sent = only_message(bot)
    assert sent["text"].startswith("<b>Hello, Pat!</b>")
    assert "/disclaimer" in sent["text"]
    assert "not medical advice" in sent["text"]
    assert sent["parse_mode"] == "HTML"
    assert "reply_parameters" not in sent  # private chats are not quoted


async def test_start_with_an_entry_id_answers_it(bot: Harness) -> None:
    await bot.send(command_update("/start sciatica"))
    assert only_message(bot)["text"].startswith("<b>Do you treat sciatica?</b>")


async def test_start_with_an_unknown_payload_welcomes(bot: Harness) -> None:
    await bot.send(command_update("/start no-such-entry"))
    assert "Hello" in only_message(bot)["text"]


async def test_help_explains_groups_and_inline_mode(bot: Harness) -> None:
    await bot.send(command_update("/help"))
    text = only_message(bot)["text"]
    assert f"@{BOT_USERNAME}" in text
    for command in ("/topics", "/conditions", "/disclaimer"):
        assert command in text


async def test_disclaimer_sends_the_full_escaped_text(bot: Harness) -> None:
    await bot.send(command_update("/disclaimer"))
    faq = bot.live.current.faq
    assert only_message(bot)["text"] == html.escape(faq.disclaimer.strip(), quote=False)


async def test_conditions_lists_each_condition_as_a_button(bot: Harness) -> None:
    await bot.send(command_update("/conditions"))
    sent = only_message(bot)
    assert "Treated Conditions" in sent["text"]
    assert buttons(sent) == [
        ("Do you treat sciatica?", "a:sciatica"),
        ("Do you treat tennis elbow?", "a:tennis-elbow"),
    ]


async def test_unknown_command_in_private_points_to_help(bot: Harness) -> None:
    await bot.send(command_update("/prices"))
    assert only_message(bot)["text"] == views.UNKNOWN_COMMAND


# -- the five outcomes ----------------------------------------------------------------------


async def test_answer_first_with_the_disclaimer_folded_under_it(bot: Harness) -> None:
    await bot.send(message_update("do you treat sciatica?"))
    sent = only_message(bot)
    text = sent["text"]
    assert text.startswith("<b>Do you treat sciatica?</b>\n\nTreated Conditions\n• Sciatica")
    # one message: the answer, then the whole disclaimer as an expandable quote, ending it
    assert FOLDED in text
    assert text.endswith("</blockquote>")
    parsed = parse(text)
    assert parsed.folded == (bot.live.current.faq.disclaimer.strip(),)
    assert parsed.text.index("Sciatica") < parsed.text.index("Disclaimer")
    assert "<i>" not in text
    assert buttons(sent) == [("Which conditions do you treat?", "a:conditions")]


async def test_the_disclaimer_entry_is_shown_in_full_not_folded(tmp_path: Path) -> None:
    # the small FAQ with an entry whose answer is its disclaimer, as the shipped file has
    text = MINI_FAQ.read_text(encoding="utf-8")
    disclaimer = load_faq(MINI_FAQ).disclaimer.strip()
    path = tmp_path / "faq.yaml"
    path.write_text(
        text.rstrip("\n") + "\n\n  - id: disclaimer\n    question: What is your disclaimer?\n"
        f"    answer: |\n      {disclaimer}\n",
        encoding="utf-8",
    )
    async with running_bot(path) as harness:
        faq = harness.live.current.faq
        await harness.send(command_update("/start disclaimer"))
        [part] = harness.fake.texts()
        await harness.send(command_update("/disclaimer"))
        [command] = harness.fake.texts()
    parsed = parse(part)
    assert parsed.folded == ()  # the answer itself: nothing to fold, and not twice
    assert parsed.text.count(faq.disclaimer.strip()) == 1
    assert parse(command).folded == ()


async def test_faq_text_is_escaped(bot: Harness) -> None:
    await bot.send(message_update("cupping"))
    text = only_message(bot)["text"]
    assert "<b>What is cupping &lt;therapy&gt; &amp; how does it work?</b>" in text
    assert "Cupping uses cups &lt;on the skin&gt; &amp; gentle suction." in text


async def test_user_text_is_never_echoed_unescaped(bot: Harness) -> None:
    await bot.send(message_update("<b>hacked</b> & <script>"))
    text = only_message(bot)["text"]
    assert "<script>" not in text
    assert "hacked" not in text


async def test_suggest_offers_one_button_per_suggestion_and_lists_them(bot: Harness) -> None:
    offered = [suggestion.entry for suggestion in suggestion_list(load_faq(MINI_FAQ)).suggestions]
    await bot.send(message_update(SUGGESTED))
    sent = only_message(bot)
    assert sent["text"].startswith(f"<b>{SUGGEST_INTRO}</b>")
    for entry in offered:
        assert f"• {html.escape(entry.question, quote=False)}" in sent["text"]
    data = sorted(data for _, data in buttons(sent))
    # p:<token>:<entry id>: the token links a press to the stored question (see test_recording)
    assert [item.split(":")[::2] for item in data] == sorted(["p", entry.id] for entry in offered)
    # pressing one answers it
    pressed = offered[1]
    await bot.send(callback_update(next(item for item in data if item.endswith(f":{pressed.id}"))))
    assert bot.methods() == ["answerCallbackQuery", "sendMessage"]
    title = html.escape(pressed.question, quote=False)
    assert only_message(bot)["text"].startswith(f"<b>{title}</b>")


async def test_none_gives_the_fallback_with_a_topics_button(bot: Harness) -> None:
    await bot.send(message_update("what is the price of a session?"))
    sent = only_message(bot)
    assert sent["text"] == "Sorry, that is not in our FAQ. Try /topics."
    assert buttons(sent) == [("Browse topics", "t")]


@pytest.mark.parametrize(("text", "reply"), [("hi", "Hello! Ask me about massage."),
                                             ("thanks!", "You're welcome!")])
async def test_smalltalk_gets_its_reply(bot: Harness, text: str, reply: str) -> None:
    await bot.send(message_update(text))
    sent = only_message(bot)
    assert sent["text"] == html.escape(reply, quote=False)
    assert "reply_markup" not in sent


async def test_urgent_gets_the_urgent_reply_and_nothing_else(bot: Harness) -> None:
    await bot.send(message_update("I have chest pain and my sciatica hurts"))
    sent = only_message(bot)
    assert sent["text"] == "Please call your local emergency number now."
    assert "reply_markup" not in sent


async def test_a_long_answer_is_split_with_the_disclaimer_on_the_last_part(
    tmp_path: Path,
) -> None:
    paragraphs = "\n\n".join(f"      Paragraph {n}: " + "relaxing <swedish> " * 40
                             for n in range(12))
    source = MINI_FAQ.read_text(encoding="utf-8").replace(
        "      Swedish massage is a gentle, relaxing massage.\n", paragraphs + "\n"
    )
    path = tmp_path / "long.yaml"
    path.write_text(source, encoding="utf-8")
    async with running_bot(path) as harness:
        await harness.send(message_update("swedish"))
        sent = harness.fake.sent()
    assert len(sent) >= 3
    assert all(len(params["text"]) <= 4096 for params in sent)
    for params in sent:
        check_message(params["text"])  # every part well-formed, the quote closed where it opens
    assert FOLDED in sent[-1]["text"]
    assert sent[-1]["text"].endswith("</blockquote>")
    assert all("blockquote" not in params["text"] for params in sent[:-1])
    assert "&lt;swedish&gt;" in sent[0]["text"]


async def test_shipped_faq_answers_are_split_under_the_limit(tmp_path: Path) -> None:
    async with running_bot(copy_faq(tmp_path)) as harness:
        faq = harness.live.current.faq
        longest = max(faq.entries, key=lambda entry: len(entry.answer))
        await harness.send(command_update(f"/start {longest.id}"))
        sent = harness.fake.sent()
    assert all(len(params["text"]) <= 4096 for params in sent)
    assert len(sent) > 1
    assert parse(sent[-1]["text"]).folded == (faq.disclaimer.strip(),)


# -- a clear yes or no ----------------------------------------------------------------------

SCIATICA_LEAD = "Yes, sciatica is one of the conditions we treat."
# tests/helpers/mini_faq.yaml with a lead on sciatica and a clear no for two conditions
CLEAR_FAQ_TEXT = MINI_FAQ.read_text(encoding="utf-8").replace(
    "not_covered:\n  - price\n  - how much\n",
    "not_covered:\n"
    "  business: [price, how much]\n"
    "  conditions not on our list:\n"
    '    reply: "{phrase} isn\'t on our list of treated conditions."\n'
    "    phrases: [psoriasis, <gout> & co]\n",
).replace(
    "    question: Do you treat sciatica?\n",
    f"    question: Do you treat sciatica?\n    lead: {SCIATICA_LEAD}\n",
)


@pytest.fixture
async def clear_bot(tmp_path: Path) -> AsyncIterator[Harness]:
    path = tmp_path / "faq.yaml"
    path.write_text(CLEAR_FAQ_TEXT, encoding="utf-8")
    async with running_bot(path) as harness:
        yield harness


async def test_the_lead_comes_first_then_the_answer_then_the_folded_disclaimer(
    clear_bot: Harness,
) -> None:
    await clear_bot.send(message_update("do you treat sciatica?"))
    sent = only_message(clear_bot)
    text = sent["text"]
    assert text.startswith(
        f"<b>{SCIATICA_LEAD}</b>\n\n<b>Do you treat sciatica?</b>\n\n"
        "Treated Conditions\n• Sciatica\n\n"
    )
    assert text.endswith("</blockquote>")
    parsed = parse(text)
    assert parsed.folded == (clear_bot.live.current.faq.disclaimer.strip(),)
    order = [parsed.text.index(part) for part in (SCIATICA_LEAD, "• Sciatica", "Disclaimer:")]
    assert order == sorted(order)
    assert buttons(sent) == [("Which conditions do you treat?", "a:conditions")]
    # the same answer from a button, and from a deep link
    await clear_bot.send(callback_update("a:sciatica"))
    assert clear_bot.fake.texts() == [text]
    await clear_bot.send(command_update("/start sciatica"))
    assert clear_bot.fake.texts() == [text]


async def test_an_entry_without_a_lead_is_answered_as_before(clear_bot: Harness) -> None:
    await clear_bot.send(message_update("do you treat tennis elbow?"))
    text = only_message(clear_bot)["text"]
    assert text.startswith("<b>Do you treat tennis elbow?</b>\n\nTreated Conditions\n")
    assert "Yes," not in text


async def test_a_condition_not_on_the_list_gets_a_clear_no_and_the_practice(
    clear_bot: Harness,
) -> None:
    await clear_bot.send(message_update("do you treat psoriasis?"))
    sent = only_message(clear_bot)
    # mini_faq's fallback names no way to the practice: the default pointer follows the no
    assert sent["text"] == (
        "<b>Psoriasis isn't on our list of treated conditions.</b>\n\n"
        "For anything about your own health, bookings or prices, please contact the practice "
        "directly."
    )
    assert sent["parse_mode"] == "HTML"
    assert buttons(sent) == [("Browse topics", "t")]
    # the phrase is faq.yaml's, escaped
    await clear_bot.send(message_update("I have gout & co"))
    assert only_message(clear_bot)["text"].startswith(
        "<b>&lt;gout&gt; &amp; co isn't on our list"
    )
    # a decline that named no condition gets the fallback, as before
    await clear_bot.send(message_update("what is the price of a session?"))
    assert only_message(clear_bot)["text"] == "Sorry, that is not in our FAQ. Try /topics."


async def test_the_shipped_faq_says_yes_and_no_clearly(tmp_path: Path) -> None:
    async with running_bot(copy_faq(tmp_path)) as harness:
        await harness.send(message_update("do you treat sciatica?"))
        [yes] = harness.fake.texts()
        await harness.send(message_update("do you treat psoriasis?"))
        [no] = harness.fake.texts()
    # what the shipped file says, read from it: its lead for sciatica, its no for psoriasis
    # (the wording itself: tests/test_bundled_faq.py)
    faq = load_faq(SHIPPED_FAQ)
    sciatica = faq.get("condition-sciatica")
    assert sciatica is not None
    assert sciatica.lead
    assert yes.startswith(
        f"{shipped_title_of(sciatica.lead)}\n\n{shipped_title_of(sciatica.question)}"
    )
    assert no == (
        f"{shipped_title_of(no_line(faq.not_covered_no['psoriasis'], 'psoriasis'))}\n\n"
        "For bookings, prices, opening hours or anything about your own health, please contact "
        "the practice directly."
    )


def shipped_title_of(text: str) -> str:
    return f"<b>{html.escape(text, quote=False)}</b>"


async def test_an_inline_answer_starts_with_its_lead(clear_bot: Harness) -> None:
    await clear_bot.send(inline_update("sciatica"))
    [result, *_] = inline_answer(clear_bot)["results"]
    assert result["id"] == "a:sciatica"
    assert result["description"] == SCIATICA_LEAD
    text = result["input_message_content"]["message_text"]
    assert text.startswith(f"<b>{SCIATICA_LEAD}</b>\n\n<b>Do you treat sciatica?</b>\n\n")
    assert DISCLAIMER in text  # in full: shared into another chat
    assert text.endswith("</i>")


# -- non-text -------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [
    {"sticker": STICKER}, {"photo": PHOTO}, {"voice": VOICE}, {"location": LOCATION},
])
async def test_non_text_asks_for_words(bot: Harness, content: dict[str, Any]) -> None:
    await bot.send(message_update(None, **content))
    assert only_message(bot)["text"] == views.NOT_TEXT


async def test_edited_messages_are_not_answered_again(bot: Harness) -> None:
    update = message_update("sciatica")
    update["edited_message"] = update.pop("message")
    update["edited_message"]["edit_date"] = update["edited_message"]["date"]
    await bot.send(update)
    assert bot.fake.sent() == []


# -- buttons --------------------------------------------------------------------------------


async def test_topics_menu_pages_and_back(bot: Harness) -> None:
    await bot.send(command_update("/topics"))
    menu = only_message(bot)
    topic_buttons = buttons(menu)
    assert [label for label, _ in topic_buttons] == [
        "Conditions we treat (3)", "Types of massage (2)",
    ]
    conditions_data = topic_buttons[0][1]
    assert conditions_data.startswith("g:")

    await bot.send(callback_update(conditions_data))
    assert bot.methods() == ["answerCallbackQuery", "editMessageText"]
    edit = bot.fake.called("editMessageText")[0].params
    assert edit["text"].startswith("<b>Conditions we treat</b>")
    assert buttons(edit) == [
        ("Which conditions do you treat?", "a:conditions"),
        ("Do you treat sciatica?", "a:sciatica"),
        ("Do you treat tennis elbow?", "a:tennis-elbow"),
        ("« All topics", "m"),
    ]
    await bot.send(callback_update("m"))
    assert bot.methods() == ["answerCallbackQuery", "editMessageText"]
    assert bot.fake.called("editMessageText")[0].params["text"].startswith("<b>Topics</b>")


async def test_long_topics_are_paged(tmp_path: Path) -> None:
    async with running_bot(copy_faq(tmp_path)) as harness:
        faq = harness.live.current.faq
        topic, entries = max(faq.topics().items(), key=lambda item: len(item[1]))
        assert len(entries) > views.PAGE_SIZE
        await harness.send(callback_update(views.topic_data(topic, 0)))
        first = harness.fake.called("editMessageText")[0].params
        labels = [data for _, data in buttons(first)]
        assert len([d for d in labels if d.startswith("a:")]) == views.PAGE_SIZE
        assert views.topic_data(topic, 1) in labels
        assert "m" in labels
        assert "(page 1 of" in first["text"]
        await harness.send(callback_update(views.topic_data(topic, 1)))
        second = harness.fake.called("editMessageText")[0].params
        assert views.topic_data(topic, 0) in [data for _, data in buttons(second)]


async def test_fallback_topics_button_sends_the_menu(bot: Harness) -> None:
    await bot.send(callback_update("t"))
    assert bot.methods() == ["answerCallbackQuery", "sendMessage"]
    assert only_message(bot)["text"].startswith("<b>Topics</b>")


async def test_pressing_the_page_already_shown_is_quietly_fine(bot: Harness) -> None:
    bot.fake.fail_next("editMessageText", 400, "Bad Request: message is not modified")
    await bot.send(callback_update("m"))
    assert bot.methods() == ["answerCallbackQuery", "editMessageText"]
    assert bot.fake.sent() == []  # no apology: nothing went wrong


@pytest.mark.parametrize("data", ["a:gone-entry", "g:deadbeef:0", "g:zz", "nonsense", "", "A:0"])
async def test_unknown_or_stale_callback_data_gets_a_polite_reply(
    bot: Harness, data: str
) -> None:
    await bot.send(callback_update(data))
    assert bot.methods()[0] == "answerCallbackQuery"
    sent = only_message(bot)
    assert sent["text"] == views.STALE_BUTTON
    assert buttons(sent)  # with the current topics to carry on from


async def test_every_callback_is_answered_first(bot: Harness) -> None:
    for data in ("a:sciatica", "t", "m", views.topic_data("Types of massage"), "junk"):
        await bot.send(callback_update(data))
        assert bot.methods()[0] == "answerCallbackQuery"


async def test_callback_data_fits_in_64_bytes_even_for_long_ids(tmp_path: Path) -> None:
    long_id = "a" + "-very-long" * 8
    assert len(f"a:{long_id}".encode()) > 64
    source = MINI_FAQ.read_text(encoding="utf-8").replace("id: swedish", f"id: {long_id}")
    source = source.replace("related: [sciatica, tennis-elbow]",
                            f"related: [sciatica, tennis-elbow, {long_id}]")
    path = tmp_path / "faq.yaml"
    path.write_text(source, encoding="utf-8")
    async with running_bot(path) as harness:
        await harness.send(command_update("/conditions"))
        data = [data for _, data in buttons(harness.fake.sent()[0])]
        assert all(len(item.encode()) <= 64 for item in data)
        await harness.send(callback_update(data[-1]))
        assert harness.fake.sent()[0]["text"].startswith("<b>What is Swedish massage?</b>")


# -- inline mode ----------------------------------------------------------------------------


def inline_answer(harness: Harness) -> dict[str, Any]:
    calls = harness.fake.called("answerInlineQuery")
    assert len(calls) == 1
    return calls[0].params


async def test_inline_query_offers_answers_with_the_disclaimer(bot: Harness) -> None:
    await bot.send(inline_update("sciatica"))
    params = inline_answer(bot)
    results = params["results"]
    assert results[0]["type"] == "article"
    assert results[0]["id"] == "a:sciatica"
    assert results[0]["title"] == "Do you treat sciatica?"
    content = results[0]["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert DISCLAIMER in content["message_text"]
    assert bot.fake.sent() == []


async def test_empty_inline_query_offers_the_common_topics(bot: Harness) -> None:
    await bot.send(inline_update(""))
    ids = [result["id"] for result in inline_answer(bot)["results"]]
    assert ids == ["a:conditions", "a:cupping"]  # the first entry of each topic


async def test_inline_urgent_query_offers_only_the_urgent_reply(bot: Harness) -> None:
    await bot.send(inline_update("chest pain"))
    results = inline_answer(bot)["results"]
    assert [result["id"] for result in results] == ["urgent"]
    assert "emergency" in results[0]["input_message_content"]["message_text"]


async def test_inline_query_with_no_match_offers_a_private_chat(bot: Harness) -> None:
    await bot.send(inline_update("what is the price"))
    params = inline_answer(bot)
    assert params["results"] == []
    assert params["button"]["start_parameter"] == "inline"


async def test_inline_long_answer_links_to_the_full_answer(tmp_path: Path) -> None:
    async with running_bot(copy_faq(tmp_path)) as harness:
        faq = harness.live.current.faq
        long_entry = next(
            entry for entry in faq.entries
            if len(views.answer_reply(faq, entry).parts) > 1
        )
        results, _ = views.inline_results(faq, harness.live.current.matcher, long_entry.question,
                                          BOT_USERNAME)
        article = next(r for r in results if r.id == views.answer_data(long_entry.id))
        assert article.reply_markup is not None
        url = article.reply_markup.inline_keyboard[0][0].url
        assert url == f"https://t.me/{BOT_USERNAME}?start={long_entry.id}"
        content = article.input_message_content
        assert isinstance(content, InputTextMessageContent)
        text = content.message_text
        assert len(text) <= 4096
        assert html.escape(faq.disclaimer.strip(), quote=False) in text


# -- groups ---------------------------------------------------------------------------------


async def test_group_messages_not_for_the_bot_are_ignored(bot: Harness) -> None:
    for update in (
        message_update("do you treat sciatica?", chat=group_chat()),
        message_update("sciatica", chat=group_chat(),
                       reply_to=message("hi", chat=group_chat())),  # a reply to someone else
        message_update(None, chat=group_chat(), sticker=STICKER),
        command_update(f"/help@Other{BOT_USERNAME}", chat=group_chat()),
        command_update("/prices", chat=group_chat()),
    ):
        await bot.send(update)
        assert bot.fake.calls == []


def break_the_faq(path: Path) -> str:
    """Make the FAQ file one that a reload would refuse, naming its path; returns the path."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - id: swedish\n", "  - id: swedish\n    colour: blue\n"),
                    encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("command", ["/reload", f"/reload@{BOT_USERNAME}"])
async def test_reload_in_a_group_is_refused_and_posts_no_path_or_error(
    bot: Harness, command: str
) -> None:
    old = bot.live.current
    where = break_the_faq(bot.settings.faq_path)
    await bot.send(command_update(command, from_id=ADMIN_ID, chat=group_chat()))
    [sent] = bot.fake.sent()
    assert sent["text"] == views.RELOAD_PRIVATE_ONLY
    assert sent["chat_id"] == GROUP_ID
    assert where not in sent["text"]
    assert "colour" not in sent["text"]
    assert bot.live.current is old  # nothing reloaded
    await bot.send(command_update(command, chat=group_chat()))  # and not an admin
    assert bot.fake.texts() == [views.RELOAD_REFUSED]


async def test_group_mention_is_answered_as_a_reply(bot: Harness) -> None:
    update = mention_update("do you treat sciatica?")
    await bot.send(update)
    sent = only_message(bot)
    assert sent["chat_id"] == GROUP_ID
    assert sent["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert sent["text"].startswith("<b>Do you treat sciatica?</b>")


async def test_group_reply_to_the_bot_is_answered(bot: Harness) -> None:
    update = message_update("and tennis elbow?", chat=group_chat(),
                            reply_to=bot_message(chat=group_chat()))
    await bot.send(update)
    sent = only_message(bot)
    assert sent["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert "Tennis Elbow" in sent["text"]


async def test_group_text_mention_is_answered(bot: Harness) -> None:
    text = "Clinic bot: cupping?"
    entity = {"type": "text_mention", "offset": 0, "length": 10,
              "user": {"id": bot.app.bot.id, "is_bot": True, "first_name": "Clinic FAQ"}}
    await bot.send(message_update(text, chat=group_chat(), entities=[entity]))
    assert "Cupping" in only_message(bot)["text"]


async def test_group_command_to_the_bot_is_answered_as_a_reply(bot: Harness) -> None:
    update = command_update(f"/help@{BOT_USERNAME}", chat=group_chat())
    await bot.send(update)
    sent = only_message(bot)
    assert sent["reply_parameters"]["message_id"] == update["message"]["message_id"]


async def test_group_mention_alone_gets_a_prompt(bot: Harness) -> None:
    await bot.send(mention_update(""))
    assert only_message(bot)["text"] == views.EMPTY_MENTION


async def test_group_button_reply_quotes_the_button_message(bot: Harness) -> None:
    origin = bot_message(chat=group_chat())
    await bot.send(callback_update("a:cupping", message=origin))
    sent = only_message(bot)
    assert sent["chat_id"] == GROUP_ID
    assert sent["reply_parameters"]["message_id"] == origin["message_id"]


async def test_sticker_replying_to_the_bot_in_a_group_asks_for_words(bot: Harness) -> None:
    await bot.send(message_update(None, chat=group_chat(), sticker=STICKER,
                                  reply_to=bot_message(chat=group_chat())))
    assert only_message(bot)["text"] == views.NOT_TEXT


# -- follow-ups: a typed pick from the last list shown ---------------------------------------


def title_of(entry_id: str) -> str:
    """The first line of a mini_faq entry's answer, as the bot sends it."""
    entry = load_faq(MINI_FAQ).get(entry_id)
    assert entry is not None
    return f"<b>{html.escape(entry.question, quote=False)}</b>"


def with_three_related(tmp_path: Path) -> Path:
    """mini_faq with a third related button under `conditions` (sciatica, tennis-elbow,
    cupping)."""
    source = MINI_FAQ.read_text(encoding="utf-8").replace(
        "related: [sciatica, tennis-elbow]", "related: [sciatica, tennis-elbow, cupping]"
    )
    assert "cupping]" in source
    path = tmp_path / "three.yaml"
    path.write_text(source, encoding="utf-8")
    return path


def unanswered_texts(harness: Harness) -> list[tuple[str, str | None]]:
    store = Store.open_existing(harness.settings.db_path)
    try:
        return sorted((row.text, row.chosen) for row in store.unanswered())
    finally:
        store.close()


@pytest.mark.parametrize("typed", ["1", "1.", "#1", "number 1", "first", "the first one"])
async def test_a_typed_number_after_a_suggestion_list_answers_that_suggestion(
    bot: Harness, typed: str
) -> None:
    offered = [s.entry for s in suggestion_list(load_faq(MINI_FAQ)).suggestions]
    await bot.send(message_update(SUGGESTED))
    await bot.send(message_update(typed))
    text = only_message(bot)["text"]
    assert text.startswith(title_of(offered[0].id))  # the first button, not the matcher's idea
    assert FOLDED in text  # the whole answer, as a press gives


async def test_a_typed_pick_answers_exactly_as_pressing_the_button(bot: Harness) -> None:
    offered = [s.entry for s in suggestion_list(load_faq(MINI_FAQ)).suggestions]
    await bot.send(message_update(SUGGESTED))
    second = next(data for label, data in buttons(only_message(bot))
                  if label == offered[1].question)
    await bot.send(callback_update(second))
    pressed = only_message(bot)
    await bot.send(message_update(SUGGESTED))
    await bot.send(message_update("2"))
    typed = only_message(bot)
    assert typed["text"] == pressed["text"]
    assert buttons(typed) == buttons(pressed)


async def test_the_second_one_after_an_answers_related_buttons_answers_the_second(
    bot: Harness,
) -> None:
    await bot.send(message_update("which conditions do you treat?"))
    assert [data for _, data in buttons(only_message(bot))] == ["a:sciatica", "a:tennis-elbow"]
    await bot.send(message_update("the second one"))
    assert only_message(bot)["text"].startswith(title_of("tennis-elbow"))


async def test_a_pressed_answers_related_buttons_can_be_picked_by_typing(bot: Harness) -> None:
    await bot.send(callback_update("a:conditions"))
    await bot.send(message_update("tell me more about the last one"))
    assert only_message(bot)["text"].startswith(title_of("tennis-elbow"))


async def test_the_latest_list_is_the_one_picked_from(bot: Harness) -> None:
    await bot.send(message_update("which conditions do you treat?"))  # sciatica, tennis elbow
    await bot.send(message_update("2"))  # tennis elbow: its one related button, conditions
    await bot.send(message_update("1"))
    assert only_message(bot)["text"].startswith(title_of("conditions"))


async def test_other_messages_are_matched_as_usual_and_keep_the_list(bot: Harness) -> None:
    offered = [s.entry for s in suggestion_list(load_faq(MINI_FAQ)).suggestions]
    await bot.send(message_update(SUGGESTED))
    await bot.send(message_update("hi"))
    assert only_message(bot)["text"] == "Hello! Ask me about massage."
    await bot.send(message_update("2"))
    assert only_message(bot)["text"].startswith(title_of(offered[1].id))


async def test_a_number_beyond_the_list_gets_a_polite_reply(tmp_path: Path) -> None:
    async with running_bot(copy_faq(tmp_path, with_three_related(tmp_path))) as harness:
        await harness.send(message_update("which conditions do you treat?"))
        assert len(buttons(only_message(harness))) == 3
        await harness.send(message_update("5"))
        sent = only_message(harness)
        assert sent["text"] == views.pick_out_of_range(3).parts[0]
        assert "from 1 to 3" in sent["text"]
        assert "/topics" in sent["text"]
        assert buttons(sent) == [("Browse topics", "t")]
        # the list is still there: the last of the three
        await harness.send(message_update("the last one"))
        assert only_message(harness)["text"].startswith(title_of("cupping"))


@pytest.mark.parametrize("typed", ["2", "the second one"])
async def test_a_pick_with_no_list_before_it_gets_a_polite_reply_logged_once(
    bot: Harness, caplog: pytest.LogCaptureFixture, typed: str
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    await bot.send(message_update(typed))
    sent = only_message(bot)
    assert sent["text"] == views.pick_without_list().parts[0]
    assert "/topics" in sent["text"]
    assert "\n" not in sent["text"]
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.handlers"]
    assert lines == ["Pick: typed with no recent list"]  # once, and not what was typed
    assert not any(r.exc_info for r in caplog.records)


async def test_a_pick_after_the_ttl_gets_the_polite_reply(bot: Harness) -> None:
    now = [1000.0]
    bot.app.bot_data[CHOICES_KEY] = RecentChoices(clock=lambda: now[0])
    offered = [s.entry for s in suggestion_list(load_faq(MINI_FAQ)).suggestions]
    await bot.send(message_update(SUGGESTED))
    now[0] += CHOICES_TTL - 1  # still in time
    await bot.send(message_update("1"))
    assert only_message(bot)["text"].startswith(title_of(offered[0].id))
    # whichever list was shown last (the suggestions, or that answer's related buttons)
    now[0] += CHOICES_TTL + 1
    await bot.send(message_update("1"))
    assert only_message(bot)["text"] == views.pick_without_list().parts[0]


async def test_a_pick_is_not_recorded_as_an_unanswered_question(bot: Harness) -> None:
    offered = [s.entry for s in suggestion_list(load_faq(MINI_FAQ)).suggestions]
    await bot.send(message_update("3"))  # no list: the polite reply
    await bot.send(message_update(SUGGESTED))
    await bot.send(message_update("1"))
    await bot.send(message_update("9"))  # beyond the list
    await bot.settle()
    # only the question itself, with the suggestion picked noted on it as a press would
    assert unanswered_texts(bot) == [(SUGGESTED, offered[0].id)]


async def test_a_pick_in_a_group_mentioning_the_bot(bot: Harness) -> None:
    await bot.send(mention_update("which conditions do you treat?"))
    await bot.send(mention_update("2"))
    sent = only_message(bot)
    assert sent["chat_id"] == GROUP_ID
    assert sent["text"].startswith(title_of("tennis-elbow"))


async def test_the_real_faqs_massage_types_can_be_picked_by_ordinal(tmp_path: Path) -> None:
    faq = load_faq(SHIPPED_FAQ)
    hub = faq.get("massage-types")
    assert hub is not None
    assert len(faq.related_entries(hub)) == 4  # the issue's "four massage types"
    second = faq.related_entries(hub)[1]
    async with running_bot(copy_faq(tmp_path)) as harness:
        await harness.send(callback_update(views.answer_data(hub.id)))
        shown = [data for _, data in buttons(harness.fake.sent()[-1])]  # a long answer: 2 parts
        assert shown == [views.answer_data(entry.id) for entry in faq.related_entries(hub)]
        await harness.send(message_update("the second one"))
        title = f"<b>{html.escape(second.question, quote=False)}</b>"
        assert harness.fake.sent()[0]["text"].startswith(title)


# -- follow-ups of the last answer, and two questions in one message -------------------------
# The shipped faq.yaml: these read its entries ("Do you treat plantar fasciitis?") by name.


@pytest.fixture
async def shipped_bot(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_bot(copy_faq(tmp_path)) as harness:
        yield harness


def shipped_title(entry_id: str) -> str:
    entry = load_faq(SHIPPED_FAQ).get(entry_id)
    assert entry is not None
    return f"<b>{html.escape(entry.question, quote=False)}</b>"


async def test_after_sciatica_what_about_migraines_answers_migraines(
    shipped_bot: Harness,
) -> None:
    await shipped_bot.send(message_update("do you treat sciatica?"))
    await shipped_bot.send(message_update("what about migraines?"))
    assert shipped_title("condition-headaches-migraines") in only_message(shipped_bot)["text"]


async def test_a_new_subject_is_read_in_the_frame_of_the_last_answer(
    shipped_bot: Harness,
) -> None:
    # with nothing before it, as it always was: unsure, a list of suggestions
    await shipped_bot.send(message_update("and my feet?"))
    assert only_message(shipped_bot)["text"].startswith(f"<b>{SUGGEST_INTRO}</b>")
    # after "Do you treat sciatica?": do you treat my feet? Plantar fasciitis, answered
    await shipped_bot.send(message_update("do you treat sciatica?"))
    await shipped_bot.send(message_update("and my feet?"))
    answer = only_message(shipped_bot)["text"]
    assert shipped_title("condition-plantar-fasciitis") in answer
    assert FOLDED.split("Disclaimer")[0] in answer  # answered as any answer is


async def test_tell_me_more_offers_the_last_answers_related_entries(
    shipped_bot: Harness,
) -> None:
    await shipped_bot.send(message_update("do you treat sciatica?"))
    await shipped_bot.send(message_update("tell me more"))
    sent = only_message(shipped_bot)
    assert sent["text"] == "More on \u201cDo you treat sciatica?\u201d:"
    assert buttons(sent) == [("Which conditions do you treat?", "a:conditions")]
    await shipped_bot.send(message_update("1"))  # picked by typing, as any list
    assert only_message(shipped_bot)["text"].startswith(shipped_title("conditions"))
    await shipped_bot.send(message_update("why?"))
    conditions = load_faq(SHIPPED_FAQ).get("conditions")
    assert conditions is not None
    assert len(buttons(only_message(shipped_bot))) == len(conditions.related)  # each condition


async def test_tell_me_more_with_nothing_more_says_so_with_the_topics(
    shipped_bot: Harness,
) -> None:
    await shipped_bot.send(command_update("/start disclaimer"))
    await shipped_bot.send(message_update("more details please"))
    sent = only_message(shipped_bot)
    assert sent["text"].startswith("That's all I have on")
    assert buttons(sent) == [("Browse topics", "t")]


async def test_tell_me_more_is_not_recorded_as_a_question(shipped_bot: Harness) -> None:
    await shipped_bot.send(message_update("do you treat sciatica?"))
    await shipped_bot.send(message_update("tell me more"))
    await shipped_bot.settle()
    store = Store.open_existing(shipped_bot.settings.db_path)
    try:
        assert store.unanswered() == []
        counts = store.stats(utc_today(), utc_today()).outcomes
        assert sum(counts.values()) == 1  # the question; "tell me more" asked the FAQ nothing
    finally:
        store.close()


async def test_the_last_answer_is_forgotten_after_the_ttl(shipped_bot: Harness) -> None:
    now = [1000.0]
    shipped_bot.app.bot_data[ANSWERS_KEY] = RecentAnswers(clock=lambda: now[0])
    await shipped_bot.send(message_update("do you treat sciatica?"))
    now[0] += CHOICES_TTL - 1  # still in time
    await shipped_bot.send(message_update("and my feet?"))
    assert shipped_title("condition-plantar-fasciitis") in only_message(shipped_bot)["text"]
    now[0] += CHOICES_TTL + 1  # more than 10 minutes on: as with nothing before it
    await shipped_bot.send(message_update("tell me more"))
    assert not only_message(shipped_bot)["text"].startswith("More on")
    await shipped_bot.send(message_update("and my feet?"))
    assert only_message(shipped_bot)["text"].startswith(f"<b>{SUGGEST_INTRO}</b>")


async def test_two_questions_in_one_message_get_two_answers(shipped_bot: Harness) -> None:
    await shipped_bot.send(message_update("do you treat tennis elbow and what is swedish massage"))
    texts = shipped_bot.fake.texts()
    assert shipped_title("condition-tennis-elbow") in texts[0]
    assert shipped_title("type-swedish") in "".join(texts[1:])
    # each answer as it is sent alone: its own disclaimer, folded under it
    assert sum(text.count("<blockquote expandable>") for text in texts) == 2
    assert not any("couldn't find" in text for text in texts)


async def test_a_covered_and_an_uncovered_question_get_one_answer_and_a_name(
    shipped_bot: Harness,
) -> None:
    text = "what do I wear for deep tissue and where do I park?"
    await shipped_bot.send(message_update(text))
    first, note = shipped_bot.fake.sent()
    assert shipped_title("deepest-massage") in first["text"]
    assert "wear your underwear" in first["text"]
    assert note["text"].startswith(
        "I couldn't find an answer to \u201cwhere do I park?\u201d."
    )
    assert "contact the practice directly" in note["text"]
    assert buttons(note) == [("Browse topics", "t")]
    # one record for the message: the part not covered, as the practice should see it
    await shipped_bot.settle()
    store = Store.open_existing(shipped_bot.settings.db_path)
    try:
        assert [(row.text, row.outcome) for row in store.unanswered()] == [
            ("where do I park?", "none")
        ]
    finally:
        store.close()


async def test_the_part_not_covered_can_be_handed_to_the_practice(tmp_path: Path) -> None:
    async with running_bot(copy_faq(tmp_path), staff_chat_id=-1005550001111) as harness:
        await harness.send(message_update("what is cupping therapy? do you take insurance?"))
        note = harness.fake.sent()[-1]
        [_, (label, data)] = buttons(note)
        assert label == views.ASK_PRACTICE
        await harness.send(callback_update(data))
        confirm = harness.fake.sent()[-1]["text"]
        assert "do you take insurance?" in confirm  # the part, not the whole message
        assert "cupping" not in confirm


async def test_an_urgent_message_is_never_split(shipped_bot: Harness) -> None:
    text = "what is cupping and what if I have crushing chest pain right now?"
    await shipped_bot.send(message_update(text))
    faq = shipped_bot.live.current.faq
    assert only_message(shipped_bot)["text"].startswith(
        html.escape(faq.urgent_reply.strip().split("\n\n")[0], quote=False)
    )


# -- errors (Bot API faults and rate limits: tests/test_faults.py) ---------------------------


async def test_a_failed_send_is_logged_and_the_bot_keeps_going(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    bot.fake.fail_next("sendMessage", 400, "Bad Request: chat not found")
    await bot.send(message_update("sciatica"))
    assert any("Error while handling update" in r.getMessage() for r in caplog.records)
    # the apology went out after the failure, and the next question is answered normally
    assert bot.fake.texts()[-1] == views.ERROR_REPLY
    await bot.send(message_update("cupping"))
    assert "Cupping" in only_message(bot)["text"]


async def test_a_user_who_blocked_the_bot_is_only_logged(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    bot.fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await bot.send(message_update("sciatica"))
    assert len(bot.fake.sent()) == 1  # the failed attempt only; no apology
    assert any("blocked" in r.getMessage() for r in caplog.records)


async def test_the_real_faq_covers_the_issue_examples(tmp_path: Path) -> None:
    async with running_bot(copy_faq(tmp_path)) as harness:
        disclaimer = html.escape(harness.live.current.faq.disclaimer.strip(), quote=False)
        for example in views.EXAMPLES:
            await harness.send(message_update(example))
            text = only_message(harness)["text"]
            assert disclaimer in text, (example, text[:200])  # answered, as any answer is


def test_callback_data_of_every_shipped_button_fits() -> None:
    from bot.faq import load_faq

    faq = load_faq(Path(__file__).resolve().parents[1] / "faq.yaml")
    markups = [views.topics_menu(faq), views.conditions_reply(faq)]
    markups += [views.topic_page(faq, topic, page) for topic in faq.topics() for page in (0, 1)]
    markups += [views.answer_reply(faq, entry) for entry in faq.entries]
    for reply in markups:
        if reply.keyboard is None:
            continue
        for row in reply.keyboard.inline_keyboard:
            for button in row:
                assert len(str(button.callback_data).encode()) <= 64
    json.dumps([r.parts for r in markups])  # every part is plain text
