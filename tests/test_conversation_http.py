"""A patient's conversation with `faq-bot run` as a real process, over real HTTP (issue 20).

The fast tests of the same points run the Application over the in-memory Bot API
(tests/test_handlers.py, test_language.py, test_compound.py, test_handoff.py). Here nothing is
faked inside the bot: the process long-polls tests/helpers/local_bot_api.py on 127.0.0.1 with
PTB's own HTTPXRequest, with the shipped faq.yaml, and the test reads what the person would see:
each sendMessage's HTML text (checked as Telegram would parse it) and its buttons.

One person, one chat, in this order, each message sent once the previous reply has arrived:
1. "do you treat sciatica?": the lead line first, the answer, and the disclaimer folded in an
   expandable quote, all in one message;
2. "and my feet?": read against that answer (on its own it gets a list of suggestions);
   "tell me more": the entries related to the last answer, as buttons;
3. "2" after a list of suggestions: the second entry of the list, answered;
4. two questions in one message: the covered part answered, then a note that names the other;
5. a condition the practice does not treat: a clear no that names it;
6. a Spanish question the FAQ does not cover: the Spanish "English only" line, with the topics.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.factories import message_update, private_chat
from helpers.fake_telegram import buttons
from helpers.local_bot_api import LocalBotApi
from helpers.telegram_html import Parsed, check_message, parse
from test_process import READY, STOP_WITHIN, BotRun, check_clean_log

from bot.faq import Entry, Faq, load_faq
from bot.replies import no_line
from bot.store import Store

PERSON = 4242
REPLY_WITHIN = 20.0  # seconds, for each reply (they come in well under one)

# The leads, answers and the clear no are read from the shipped faq.yaml, never written here:
# a practice may reword them (their wording: tests/test_bundled_faq.py).
# Two questions in one: the first is covered (what to wear for a deep tissue massage), the
# second not; the note quotes it as the person wrote it.
TWO_QUESTIONS = "what do I wear for deep tissue and where do I park?"
NOT_COVERED_PART = "\u201cwhere do I park?\u201d"
# A question in Spanish that no entry answers, in any language: where patients can park.
SPANISH_UNCOVERED = "\u00bfTienen ustedes estacionamiento para los pacientes?"
# A vague question the shipped FAQ answers with a list of suggestions (the test checks it does).
VAGUE = "help with pain"


# Belt and braces: the bot's only address is BOT_API_BASE_URL (the local Bot API); any other
# HTTP request from a client that reads the proxy variables (httpx, urllib) would go to a closed
# port on this machine and fail, never to the internet.
_NOWHERE = "http://127.0.0.1:9"
NO_INTERNET = {
    name: value
    for proxy in ("http_proxy", "https_proxy", "all_proxy")
    for name, value in ((proxy, _NOWHERE), (proxy.upper(), _NOWHERE))
} | {"no_proxy": "127.0.0.1", "NO_PROXY": "127.0.0.1"}


@pytest.fixture
def api() -> Iterator[LocalBotApi]:
    server = LocalBotApi()
    yield server
    server.close()


class Person:
    """One person writing to the bot: `say(text, replies)` sends a message and returns the
    parameters of the `replies` sendMessage calls it got, each checked as Telegram HTML."""

    def __init__(self, api: LocalBotApi, chat_id: int) -> None:
        self.api = api
        self.chat_id = chat_id
        self.seen = 0

    def say(self, text: str, replies: int = 1) -> list[dict[str, Any]]:
        self.api.push_update(message_update(text, chat=private_chat(self.chat_id)))
        self.seen += replies
        self.api.wait_for_message(self.chat_id, self.seen, timeout=REPLY_WITHIN)
        sent = self.sent()
        got = sent[self.seen - replies:self.seen]
        for params in got:
            assert params.get("parse_mode") == "HTML", params
            check_message(str(params["text"]))
        return got

    def sent(self) -> list[dict[str, Any]]:
        """Every sendMessage to this chat so far, in order."""
        return [call.params for call in self.api.called("sendMessage")
                if int(call.params["chat_id"]) == self.chat_id]

    def transcript(self) -> str:
        return "\n---\n".join(str(params["text"]) for params in self.sent())


def text_of(params: dict[str, Any]) -> Parsed:
    return parse(str(params["text"]))


def labels(params: dict[str, Any]) -> list[str]:
    return [label for label, _ in buttons(params)]


def entry_asked(faq: Faq, question: str) -> Entry:
    [entry] = [entry for entry in faq.entries if entry.question == question]
    return entry


def lead_of(entry: Entry) -> str:
    assert entry.lead, f"{entry.id} has no lead in the shipped faq.yaml"
    return entry.lead


def check_answer_with_lead(params: dict[str, Any], lead: str, faq: Faq) -> str:
    """An answer message: `lead` first (bold), then the answer, then the disclaimer folded in an
    expandable quote at the end, and nothing else quoted. Returns the text between them."""
    raw = str(params["text"])
    parsed = text_of(params)
    assert parsed.text.startswith(lead + "\n"), raw
    assert raw.count("<blockquote expandable>") == 1, raw
    assert raw.rstrip().endswith("</blockquote>"), raw
    assert parsed.quoted == (), raw
    [folded] = parsed.folded
    assert " ".join(folded.split()) == " ".join(faq.disclaimer.split()), folded
    body = parsed.text[len(lead):parsed.text.index(folded)].strip()
    assert body, raw  # the answer sits between the lead and the disclaimer
    return body


@pytest.mark.slow  # a bot process over real HTTP: ~3 s to start
def test_a_patients_conversation_through_the_running_process(
    tmp_path: Path, api: LocalBotApi
) -> None:
    database = tmp_path / "faqbot.sqlite3"
    bot = BotRun(tmp_path, api.url, LOG_LEVEL="DEBUG", DB_PATH=str(database), **NO_INTERNET)
    faq = load_faq(tmp_path / "faq.yaml")  # BotRun's copy of the shipped faq.yaml
    person = Person(api, PERSON)
    try:
        bot.wait_for_log(READY, timeout=60)

        # 1. The answer first: the clear yes, the answer, the disclaimer one tap away.
        [sciatica] = person.say("do you treat sciatica?")
        sciatica_entry = entry_asked(faq, "Do you treat sciatica?")
        body = check_answer_with_lead(sciatica, lead_of(sciatica_entry), faq)
        assert body.startswith(sciatica_entry.question), body
        first_line = sciatica_entry.answer.strip().splitlines()[0]
        assert first_line in body.removeprefix(sciatica_entry.question), body

        # 2. A follow-up read against the last answer: the feet, as a condition we treat
        # (on its own, "and my feet?" gets "Did you mean one of these?").
        [feet] = person.say("and my feet?")
        feet_entry = entry_asked(faq, "Do you treat plantar fasciitis?")
        body = check_answer_with_lead(feet, lead_of(feet_entry), faq)
        assert body.startswith(feet_entry.question), body
        assert "Did you mean" not in text_of(feet).text

        # ...and "tell me more": the entries related to that answer, as buttons.
        [more] = person.say("tell me more")
        assert feet_entry.question in text_of(more).text, more["text"]
        related = [entry.question for entry in faq.related_entries(feet_entry)]
        assert related, feet_entry.id
        assert labels(more) == related, buttons(more)
        assert all(data for _, data in buttons(more))

        # 3. A typed number after a list of suggestions picks from it.
        [suggestions] = person.say(VAGUE)
        offered = labels(suggestions)
        assert "Did you mean one of these?" in text_of(suggestions).text, suggestions["text"]
        assert len(offered) >= 2, buttons(suggestions)
        second = entry_asked(faq, offered[1])
        [picked] = person.say("2")
        picked_text = text_of(picked).text
        assert picked_text.startswith(second.lead or second.question), picked["text"]
        assert second.question in picked_text, picked["text"]
        assert str(picked["text"]).count("<blockquote expandable>") == 1, picked["text"]

        # 4. Two questions in one message: two messages, the covered part first.
        deep, note = person.say(TWO_QUESTIONS, replies=2)
        deep_text = text_of(deep).text
        assert "deep tissue" in deep_text.lower(), deep["text"]
        assert str(deep["text"]).count("<blockquote expandable>") == 1, deep["text"]
        assert "park" not in deep_text, deep["text"]
        note_text = text_of(note).text
        assert NOT_COVERED_PART in note_text, note["text"]
        assert "deep tissue" not in note_text.lower(), note["text"]
        assert "<blockquote" not in str(note["text"]), note["text"]

        # 5. A clear no, naming the condition, pointing to the practice.
        [psoriasis] = person.say("do you treat psoriasis?")
        no_text = text_of(psoriasis).text
        assert no_text.startswith(no_line(faq.not_covered_no["psoriasis"], "psoriasis")), no_text
        assert "the practice" in no_text, psoriasis["text"]
        assert "couldn't find" not in no_text, psoriasis["text"]

        # 6. Spanish the FAQ cannot answer: "I understand English only", in Spanish, with the
        # topics to browse.
        [spanish] = person.say(SPANISH_UNCOVERED)
        english_only = faq.languages["es"].english_only
        assert english_only.startswith("Solo entiendo ingl\u00e9s."), english_only
        spanish_text = text_of(spanish).text
        assert spanish_text.startswith(english_only), spanish["text"]
        assert "<blockquote" not in str(spanish["text"]), spanish["text"]
        topics = {entry.topic for entry in faq.entries}
        shown = [re.sub(r" \(\d+\)$", "", label) for label in labels(spanish)]
        assert shown, buttons(spanish)
        assert set(shown) <= topics, shown
        assert "Conditions we treat" in shown, shown
    except AssertionError as error:
        raise AssertionError(f"{error}\n\nconversation so far:\n{person.transcript()}") from error
    finally:
        code, took = bot.stop(signal.SIGTERM)
    log = bot.log()
    assert code == 0, log
    assert took < STOP_WITHIN
    check_clean_log(log)
    # one reply per message (two for the two questions), nothing more
    assert len(person.sent()) == 9, person.transcript()
    # the bot's Bot API was the local one, on 127.0.0.1, and it was used
    assert api.called("getMe")
    bases = re.findall(r"Set Bot API (?:File )?URL: (\S+)", log)
    assert len(bases) == 2, log
    assert all(base.startswith(api.url + "/") for base in bases), bases
    # the typed pick and "tell me more" ask the FAQ nothing: neither is kept as a question
    store = Store.open_existing(database)
    try:
        kept = {asked.text for asked in store.unanswered()}
    finally:
        store.close()
    assert "2" not in kept, kept
    assert "tell me more" not in kept, kept
