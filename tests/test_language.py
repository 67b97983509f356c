"""Messages in other languages (issue 20, item 5): detection, the `languages:` section of
faq.yaml, and what the bot and `faq-bot chat` reply.

The labelled set is tests/data/languages/: en.jsonl (English patient questions, with typos,
slang and bare medical terms, which the detector must never call foreign) and one file per
note language (questions, each with the entry it means or null, and a greeting or thanks).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import BUNDLED_FAQ, MINIMAL_FAQ, FaqFile, WriteFaq
from helpers.factories import message_update
from helpers.fake_telegram import buttons
from helpers.harness import Harness, running_bot

from bot import cli, language, views
from bot.faq import NOTE_LANGUAGES, Faq, FaqError, LanguageNotes, load_faq
from bot.language import ENGLISH, UNDETERMINED, detect, foreign_reply
from bot.matcher import Match, Matcher, Status
from bot.replies import render_plain
from bot.store import Store

DATA = Path(__file__).parent / "data" / "languages"
MINI_FAQ = Path(__file__).parent / "helpers" / "mini_faq.yaml"


def labelled() -> list[dict[str, Any]]:
    rows = []
    for path in sorted(DATA.glob("*.jsonl")):
        rows.extend(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    return rows


ROWS = labelled()
ENGLISH_LINES = [row["text"] for row in ROWS if row["language"] == ENGLISH]
FOREIGN = [row for row in ROWS if row["language"] != ENGLISH]


# -- the labelled set -----------------------------------------------------------------------


def test_the_labelled_set_covers_every_note_language() -> None:
    counts = Counter(row["language"] for row in ROWS)
    assert set(counts) == {ENGLISH, *NOTE_LANGUAGES}
    assert counts[ENGLISH] >= 40
    assert all(counts[code] >= 15 for code in NOTE_LANGUAGES), counts


def test_no_english_line_is_called_foreign() -> None:
    # Telling an English speaker "I only understand English" is the worst mistake: none at all.
    called = {text: detect(text) for text in ENGLISH_LINES if detect(text).foreign}
    assert called == {}


def test_foreign_lines_are_detected_in_their_own_language() -> None:
    detected: Counter[str] = Counter()
    wrong = []
    for row in FOREIGN:
        found = detect(row["text"]).foreign
        if found == row["language"]:
            detected[row["language"]] += 1
        elif found is not None:
            wrong.append((row["text"], found))
    # another note language is worse than none: a Ukrainian answered in Russian
    assert wrong == []
    rate = sum(detected.values()) / len(FOREIGN)
    print(f"\nforeign lines detected: {sum(detected.values())}/{len(FOREIGN)} ({rate:.1%})")
    # measured: 124 of 131 before Dutch; the misses are greetings, one question and short
    # Cyrillic. Dutch, 50 of 60: its misses are short questions ("Wat is sportmassage?") and
    # thanks, under MIN_CONFIDENCE, which get the English reply without a note. Turkish, 58
    # of 60: the misses are two short questions ("Kupa terapisi nedir?").
    assert rate >= 0.85
    totals = Counter(row["language"] for row in FOREIGN)
    for code in NOTE_LANGUAGES:
        floor = 0.8 if code == "nl" else 0.85
        assert detected[code] / totals[code] >= floor, (code, detected[code], totals[code])


def test_no_foreign_question_is_answered_wrongly(
    bundled_faq: Faq, bundled_matcher: Matcher
) -> None:
    # Read word for word in English (bot.gloss); a confident wrong answer would be the worst
    # outcome. Every foreign question it answers must be the entry meant.
    answered, wrong = [], []
    for row in FOREIGN:
        reply = foreign_reply(bundled_faq, row["text"], bundled_matcher.match(row["text"]))
        if reply is not None and reply.entry is not None:
            answered.append(row["text"])
            if reply.entry.id != row["entry"]:
                wrong.append((row["text"], reply.entry.id, row["entry"]))
    print(f"\nforeign questions answered: {len(answered)}, wrongly: {len(wrong)}")
    assert wrong == []
    # read in English, half are answered (75 of 131 in December 2026): the note path is used
    assert len(answered) >= len(FOREIGN) // 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", UNDETERMINED),
        ("12345 ???", UNDETERMINED),
        ("你们治疗坐骨神经痛吗", UNDETERMINED),  # no notes are written in this script
        ("Привіт, ви лікуєте ішіас?", "uk"),  # letters only Ukrainian has
        ("Здравствуйте, сколько стоит массаж?", "ru"),
        ("Хочу записатися на прийом на п'ятницю", "uk"),  # the apostrophe is Ukrainian
    ],
)
def test_scripts_and_the_letters_that_tell_russian_from_ukrainian(
    text: str, expected: str
) -> None:
    assert detect(text).language == expected


@pytest.mark.parametrize("text", ["Болить шия", "TMJ", "sciatica", "fibromyalgia", "ok"])
def test_short_or_unclear_messages_are_not_sure(text: str) -> None:
    # "Болить шия" is Ukrainian with no telling letter or word, and the model leans Russian
    assert detect(text).foreign is None


# -- the `languages:` section of faq.yaml ---------------------------------------------------

NOTES = """\
languages:
  es:
    answer_note: La respuesta está en inglés.
    english_only: Solo entiendo inglés. Por favor, escriba su pregunta en inglés.
  ru:
    answer_note: Ответ на английском языке.
    english_only: Я понимаю только английский.
"""


def with_notes(text: str, notes: str = NOTES) -> str:
    return text.replace("entries:\n", f"{notes}entries:\n", 1)


def problems_of(faq_file: FaqFile) -> str:
    with pytest.raises(FaqError) as caught:
        load_faq(faq_file.path)
    return str(caught.value)


def test_the_section_replaces_the_built_in_notes_of_the_languages_it_names(
    write_faq: WriteFaq, minimal_faq: Faq
) -> None:
    faq = load_faq(write_faq(with_notes(MINIMAL_FAQ)).path)
    built_in = minimal_faq.languages
    assert faq.languages == {
        **built_in,
        "es": LanguageNotes(
            "La respuesta está en inglés.",
            "Solo entiendo inglés. Por favor, escriba su pregunta en inglés.",
        ),
        "ru": LanguageNotes("Ответ на английском языке.", "Я понимаю только английский."),
    }
    assert faq.languages["es"] != built_in["es"]


def test_the_bundled_faq_has_both_notes_for_every_language(bundled_faq: Faq) -> None:
    assert set(bundled_faq.languages) == set(NOTE_LANGUAGES)


def test_without_the_section_the_built_in_notes_are_used(minimal_faq: Faq) -> None:
    # A plain faq.yaml of id, question and answer still tells a Spanish speaker, in Spanish,
    # that the bot reads English only.
    assert set(minimal_faq.languages) == set(NOTE_LANGUAGES)
    match = Match(Status.NONE)
    text = "¿Cuánto cuesta una sesión de masaje?"
    reply = foreign_reply(minimal_faq, text, match)
    assert reply is not None
    assert reply.language == "es"
    assert reply.note.startswith("Solo entiendo inglés.")
    assert reply.entry is None
    # a Faq made in code without notes gets the English reply
    assert foreign_reply(replace(minimal_faq, languages={}), text, match) is None


@pytest.mark.parametrize(
    ("notes", "needle", "fragments"),
    [
        (
            "languages:\n  sv:\n    answer_note: Svaret är på engelska.\n"
            "    english_only: Jag förstår bara engelska.\n",
            "answer_note: Svaret", ("languages.sv", "unknown language code 'sv'", "es, fr"),
        ),
        (
            "languages:\n  es:\n    answer_note: ''\n    english_only: Solo inglés.\n",
            "answer_note: ''", ("languages.es.answer_note", "must not be empty"),
        ),
        (
            "languages:\n  es:\n    answer_note: La respuesta está en inglés.\n",
            "answer_note: La", ("languages.es.english_only", "missing (required)"),
        ),
        (
            "languages:\n  es:\n    answer_note: [La respuesta]\n    english_only: Solo.\n",
            "answer_note: [", ("languages.es.answer_note", "must be text, not a list"),
        ),
        (
            "languages:\n  es: Solo inglés\n", "  es: Solo",
            ("languages.es", "must be a mapping"),
        ),
        (
            "languages: [es, fr]\n", "languages: [", ("languages", "must be a mapping"),
        ),
        (
            "languages:\n  es:\n    answer_note: La respuesta está en inglés.\n"
            "    english_only: Solo inglés.\n    greeting: Hola.\n",
            "greeting: Hola", ("languages.es.greeting", "unknown key"),
        ),
        (
            "languages:\n  es:\n    answer_note: |\n      La respuesta\n      está en inglés.\n"
            "    english_only: Solo inglés.\n",
            "answer_note: |", ("languages.es.answer_note", "must be one line"),
        ),
    ],
    ids=["unknown-code", "empty", "missing", "a-list", "not-a-mapping", "section-a-list",
         "unknown-key", "two-lines"],
)
def test_mistakes_in_the_section_name_the_line(
    write_faq: WriteFaq, notes: str, needle: str, fragments: tuple[str, ...]
) -> None:
    faq_file = write_faq(with_notes(MINIMAL_FAQ, notes))
    message = problems_of(faq_file)
    prefix = f"{faq_file.path}:{faq_file.line_of(needle)}: "
    lines = [line for line in message.splitlines() if line.startswith(prefix)]
    assert lines, f"nothing reported at {prefix!r} in:\n{message}"
    assert any(all(fragment in line for fragment in fragments) for line in lines), lines


def test_an_urgent_match_is_never_replaced(write_faq: WriteFaq) -> None:
    faq = load_faq(write_faq(with_notes(MINIMAL_FAQ)).path)
    urgent = Match(Status.URGENT, score=100.0)
    assert foreign_reply(faq, "Tengo un dolor muy fuerte en el pecho", urgent) is None


# -- through the real application -----------------------------------------------------------

# The test bot's FAQ: tests/helpers/mini_faq.yaml with the bundled notes for Spanish and
# Russian, and a Spanish urgent trigger of the admin's (the built-in ones are English).
SPANISH_URGENT = "tengo dolor de pecho muy fuerte desde hace una hora"


def language_faq(tmp_path: Path) -> Path:
    bundled = load_faq(BUNDLED_FAQ).languages
    notes = "languages:\n" + "".join(
        f"  {code}:\n    answer_note: {bundled[code].answer_note}\n"
        f"    english_only: {bundled[code].english_only}\n"
        for code in ("es", "ru", "it", "pt")
    )
    text = MINI_FAQ.read_text(encoding="utf-8")
    assert text.count("    - cant breathe\n") == 1
    text = text.replace("    - cant breathe\n", "    - cant breathe\n    - dolor de pecho\n")
    path = tmp_path / "faq.yaml"
    path.write_text(with_notes(text, notes), encoding="utf-8")
    return path


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_bot(language_faq(tmp_path)) as harness:
        yield harness


def only_message(harness: Harness) -> dict[str, Any]:
    sent = harness.fake.sent()
    assert len(sent) == 1, [params["text"] for params in sent]
    return sent[0]


def topic_buttons(faq: Faq) -> list[tuple[str, str]]:
    keyboard = views.topics_menu(faq).keyboard
    assert keyboard is not None
    return [
        (button.text, str(button.callback_data))
        for row in keyboard.inline_keyboard for button in row
    ]


@pytest.mark.parametrize(
    ("question", "code"),
    [("¿Aceptan perros en la consulta?", "es"), ("Можно прийти с собакой?", "ru")],  # noqa: RUF001
)
async def test_a_question_in_spanish_or_russian_gets_english_only_in_it_with_the_topics(
    bot: Harness, question: str, code: str
) -> None:
    faq = bot.live.current.faq
    assert Matcher(faq).match(question).status is Status.NONE  # the premise
    await bot.send(message_update(question))
    sent = only_message(bot)
    assert sent["text"] == f"<i>{faq.languages[code].english_only}</i>"
    assert buttons(sent) == topic_buttons(faq)


async def test_a_suggestion_list_in_another_language_becomes_english_only(
    bot: Harness,
) -> None:
    # the English model offers sciatica for a Portuguese question about fibromyalgia: no list
    faq = bot.live.current.faq
    question = "Vocês tratam fibromialgia?"
    assert Matcher(faq).match(question).status is Status.SUGGEST  # the premise
    await bot.send(message_update(question))
    sent = only_message(bot)
    assert sent["text"] == f"<i>{faq.languages['pt'].english_only}</i>"
    assert buttons(sent) == topic_buttons(faq)
    await bot.settle()
    # recorded as what the person got: a declined question, for /unanswered
    store = Store.open_existing(bot.settings.db_path)
    try:
        assert [(row.text, row.outcome) for row in store.unanswered()] == [(question, "none")]
    finally:
        store.close()


async def test_a_question_matched_across_languages_is_answered_under_the_note(
    bot: Harness,
) -> None:
    faq = bot.live.current.faq
    question = "Trattate la sciatica?"
    match = Matcher(faq).match(question)
    assert match.status is Status.ANSWER  # the premise: a cognate
    assert match.entry is not None
    await bot.send(message_update(question))
    sent = bot.fake.sent()
    english = views.answer_reply(faq, match.entry)
    assert sent[0]["text"] == f"<i>{faq.languages['it'].answer_note}</i>\n\n{english.parts[0]}"
    assert [params["text"] for params in sent[1:]] == list(english.parts[1:])
    assert english.keyboard is not None  # its related entries, as under the English answer
    assert buttons(sent[-1]) == [
        (button.text, button.callback_data)
        for row in english.keyboard.inline_keyboard for button in row
    ]


@pytest.mark.parametrize("question", ["do u treat siatica??", "wat is sweedish masage lol"])
async def test_an_english_question_with_typos_is_unaffected(
    bot: Harness, question: str
) -> None:
    faq = bot.live.current.faq
    expected = views.match_reply(faq, Matcher(faq).match(question))
    await bot.send(message_update(question))
    assert [params["text"] for params in bot.fake.sent()] == list(expected.parts)


async def test_an_urgent_message_in_spanish_stays_urgent(bot: Harness) -> None:
    faq = bot.live.current.faq
    assert detect(SPANISH_URGENT).foreign == "es"  # the premise: surely Spanish
    await bot.send(message_update(SPANISH_URGENT))
    sent = only_message(bot)
    assert sent["text"] == views.match_reply(faq, Match(Status.URGENT)).parts[0]
    assert faq.languages["es"].english_only not in sent["text"]


async def test_only_the_language_code_is_logged(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    question = "¿Cuánto cuesta una sesión de masaje?"
    await bot.send(message_update(question))
    lines = [
        record.getMessage() for record in caplog.records
        if record.name.startswith("bot") and record.levelno >= logging.INFO
    ]
    assert "Language: es" in lines
    assert not any("masaje" in line for line in lines)


# -- the terminal chat ----------------------------------------------------------------------


@pytest.fixture
def chat(tmp_path: Path) -> cli.Chat:
    faq = load_faq(language_faq(tmp_path))
    return cli.Chat(faq, Matcher(faq))


def test_chat_answers_spanish_with_english_only_and_the_numbered_topics(chat: cli.Chat) -> None:
    reply = chat.respond("¿Aceptan perros en la consulta?")
    topics = list(chat.faq.topics())
    assert reply == (
        f"{chat.faq.languages['es'].english_only}\n\nTopics:\n"
        + "".join(
            f"  {number}. {topic} ({len(chat.faq.topics()[topic])})\n"
            for number, topic in enumerate(topics, start=1)
        )
        + "Type a number to choose."
    )
    assert chat.respond("1") == chat.topic_menu(topics[0])  # the topics can be picked


def test_chat_russian_italian_english_and_urgent_as_on_telegram(chat: cli.Chat) -> None:
    faq = chat.faq
    russian = chat.respond("Можно прийти с собакой?")  # noqa: RUF001
    assert russian is not None
    assert russian.startswith(f"{faq.languages['ru'].english_only}\n\nTopics:\n")
    # read word for word in English (bot.gloss), a question the FAQ answers is answered
    read = Matcher(faq).match("Вы лечите ишиас?")
    assert read.status is Status.ANSWER
    assert chat.respond("Вы лечите ишиас?") == (
        f"{faq.languages['ru'].answer_note}\n\n{render_plain(faq, read)}"
    )
    italian = Matcher(faq).match("Trattate la sciatica?")
    assert chat.respond("Trattate la sciatica?") == (
        f"{faq.languages['it'].answer_note}\n\n{render_plain(faq, italian)}"
    )
    for english in ("do u treat siatica??", SPANISH_URGENT):
        assert chat.respond(english) == render_plain(faq, Matcher(faq).match(english))


def test_the_model_is_loaded_once() -> None:
    language.warm_up()
    assert language._identifier() is language._identifier()


@pytest.mark.slow  # loads the library's whole model a second time (1 to 2 s)
def test_the_trimmed_model_scores_as_the_librarys_own_restriction() -> None:
    # bot.language builds the identifier from the chosen languages' columns only, to save
    # memory: the scores must be the library's own, restricted with set_languages
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    reference.set_languages([ENGLISH, *NOTE_LANGUAGES])
    for row in ROWS[::7]:
        ours = dict(language._identifier().rank(row["text"]))
        theirs = dict(reference.rank(row["text"]))
        assert ours == pytest.approx(theirs, abs=1e-6), row["text"]


@pytest.mark.parametrize("faq_of", [language_faq, None])
async def test_the_detector_is_loaded_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, faq_of: Any
) -> None:
    """Loading the model takes about a second: the bot does it before the first update, off
    the event loop, rather than make the first person writing in another language wait. A
    faq.yaml without a `languages:` section has the built-in notes, so it is loaded too."""
    calls: list[str] = []
    monkeypatch.setattr(language, "warm_up", lambda: calls.append("warm_up"))
    if faq_of is not None:
        faq = faq_of(tmp_path)
    else:
        faq = tmp_path / "faq.yaml"
        faq.write_text(MINIMAL_FAQ, encoding="utf-8")  # no languages: section
    async with running_bot(faq):
        assert calls == ["warm_up"]
